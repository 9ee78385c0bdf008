// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* counters.c - names of the per-reason counters (see counters.h). */
#include "counters.h"

#define STAT_NAME(name, class, desc) #name,
#define STAT_DESC(name, class, desc) desc,
#define STAT_CLASS(name, class, desc) KHAXDP_CLASS_##class,
static const char *const stat_names[] = { KHAXDP_STATS(STAT_NAME) };
static const char *const stat_descs[] = { KHAXDP_STATS(STAT_DESC) };
static const unsigned char stat_classes[] = { KHAXDP_STATS(STAT_CLASS) };
#undef STAT_NAME
#undef STAT_DESC
#undef STAT_CLASS

static const char *const class_names[] = {
	[KHAXDP_CLASS_EVENT] = "event",
	[KHAXDP_CLASS_PASS] = "pass",
	[KHAXDP_CLASS_MALFORMED] = "malformed",
	[KHAXDP_CLASS_DROP] = "drop",
	[KHAXDP_CLASS_TX] = "transmit",
};

const char *kx_stat_name(unsigned int stat)
{
	return stat < KHAXDP_STAT_MAX ? stat_names[stat] : "?";
}

const char *kx_stat_desc(unsigned int stat)
{
	return stat < KHAXDP_STAT_MAX ? stat_descs[stat] : "?";
}

const char *kx_stat_class(unsigned int stat)
{
	return stat < KHAXDP_STAT_MAX ? class_names[stat_classes[stat]] : "?";
}
