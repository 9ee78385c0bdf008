// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* dp_view.c - see dp_view.h. */
#include <string.h>

#include "dp_view.h"

static int note_service(const struct khaxdp_vip *key,
			const struct khaxdp_service *svc, void *ctx)
{
	struct dp_view *v = ctx;

	(void)key;
	if (svc->id < KHAXDP_MAX_SERVICES)
		memcpy(v->service[svc->id], svc->name, KHAXDP_NAME_LEN);
	return 0;
}

int dp_view_read(const struct kx_maps *m, struct dp_view *v)
{
	int err;

	memset(v, 0, sizeof(*v));
	err = kx_backends_read(m, v->backends);
	if (!err)
		err = kx_services_foreach(m, note_service, v);
	return err;
}

int dp_view_find(const struct dp_view *v, const char *service,
		 const char *name)
{
	for (int id = 0; id < KHAXDP_MAX_BACKENDS; id++) {
		const struct khaxdp_backend *b = &v->backends[id];

		if (b->family && b->service_id < KHAXDP_MAX_SERVICES &&
		    !strncmp(b->name, name, KHAXDP_NAME_LEN) &&
		    !strncmp(v->service[b->service_id], service,
			     KHAXDP_NAME_LEN))
			return id;
	}
	return -1;
}
