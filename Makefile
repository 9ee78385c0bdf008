# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# khaxdp - build, test and install. `make`, `sudo make check`, `sudo make demo`.
# `make V=1` prints the full commands.

PREFIX	?= /usr/local
DESTDIR	?=
SBINDIR	?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
MANDIR	?= $(PREFIX)/share/man
SYSTEMDUNITDIR ?= /lib/systemd/system

# The version is written once, in debian/changelog ("khaxdp (0.1.0-1) ...");
# both binaries and the man pages get its upstream part.
VERSION	:= $(shell awk -F'[()]' 'NR == 1 { sub(/-[^-]*$$/, "", $$2); print $$2 }' debian/changelog)

# SAN=1 builds user space with AddressSanitizer and UBSan into build-asan/.
ifeq ($(SAN),1)
BUILD	?= build-asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD	?= build
SANFLAGS :=
endif

ifeq ($(V),1)
Q	:=
say	:=
else
Q	:= @
say	= @printf '  %-7s %s\n' $(1) $(2);
endif

CC	?= gcc
CLANG	?= clang
BPFTOOL	?= bpftool
ARCH	:= $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

# Includes name their directory from the top of the tree
# (#include "loader/maps.h"); a file's own directory needs no prefix.
CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
	   -D_GNU_SOURCE -DKHAXDP_VERSION='"$(VERSION)"' -I. -I$(BUILD) $(SANFLAGS)
DEPFLAGS = -MMD -MP
LDFLAGS	+= $(SANFLAGS)
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	   -I/usr/include/$(MULTIARCH)

PKGS	:= libbpf libxdp inih
LIBS	= $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lbpf -lxdp -linih) -lelf -lz
VRRPD_LIBS = $(shell pkg-config --libs libmnl openssl libmicrohttpd libsystemd 2>/dev/null || \
	       echo -lmnl -lssl -lcrypto -lmicrohttpd -lsystemd) -lpthread

# --- what is built from what -----------------------------------------------

# The BPF programs; each gives BUILD/NAME.bpf.o and BUILD/NAME.skel.h.
BPF_PROGS := khaxdp baseline

# libkhaxdp: the pinned data plane seen from user space (config, maps,
# what is attached, the snapshot). No skeleton: the agent links only this.
LIB_SRCS := loader/util.c loader/json.c loader/config.c loader/maps.c \
	    loader/net.c loader/query.c loader/counters.c loader/snapshot.c \
	    loader/flowsync.c loader/layout.c
# The loader's own part: load (the embedded BPF object), attach, fill,
# reserve ports, import. Only the khaxdp command, its tests and the bench.
LOADER_SRCS := loader/attach.c loader/cgroup.c loader/fill.c loader/migrate.c \
	       loader/ports.c \
	       loader/import.c loader/import_haproxy.c loader/import_keepalived.c
KHAXDP_SRCS := loader/main.c

# The agent: a pure core (wire format, state machine, config, page
# rendering) that the unit tests and the fuzzer use, and the I/O around it.
VRRP_CORE_SRCS := vrrp/advert.c vrrp/fsm.c vrrp/vrrp_conf.c vrrp/health_sm.c vrrp/notify.c \
		  vrrp/sync.c vrrp/sync_wire.c \
		  vrrp/stats.c
VRRPD_SRCS := vrrp/main.c vrrp/agent.c vrrp/agent_checks.c vrrp/agent_sync.c \
	      vrrp/dataplane.c \
	      vrrp/health.c vrrp/link.c vrrp/loop.c \
	      vrrp/stats_http.c vrrp/vip.c

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
SELFTEST_SRCS := $(wildcard tests/bpf/*.c)
# The bench reuses the selftests' lab and packet helpers.
BENCH_SRCS := tools/bench/bench.c tests/bpf/lab.c tests/bpf/packet.c

obj	= $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB_OBJS := $(call obj,$(LIB_SRCS))
LOADER_OBJS := $(call obj,$(LOADER_SRCS))
VRRP_CORE_OBJS := $(call obj,$(VRRP_CORE_SRCS))
VRRPD_OBJS := $(call obj,$(VRRPD_SRCS))
LIBKHAXDP := $(BUILD)/libkhaxdp.a
LIBLOADER := $(BUILD)/libkhaxdp-loader.a
LIBVRRP	:= $(BUILD)/libvrrp.a
SKELS	:= $(BPF_PROGS:%=$(BUILD)/%.skel.h)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
ALL_OBJS := $(call obj,$(LIB_SRCS) $(LOADER_SRCS) $(KHAXDP_SRCS) \
	    $(VRRP_CORE_SRCS) $(VRRPD_SRCS) $(UNIT_SRCS) $(SELFTEST_SRCS) \
	    $(BENCH_SRCS))

# libFuzzer targets (adverts, sync messages, khaxdp.conf, the importer);
# `make check` runs each this long, `make fuzz` for minutes.
FUZZ_SECONDS ?= 10
FUZZ_TARGETS := advert sync config import
FUZZ_FLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -I. \
	   -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps check check-unit check-bpf check-e2e check-asan check-fuzz \
	check-vrrp check-layers fuzz soak demo bench bench-e2e bench-failover bench-agent bench-snapshot \
	install deb check-pkg clean
all: $(BUILD)/khaxdp $(BUILD)/khaxdp-vrrpd

# --- rules -------------------------------------------------------------------

$(BUILD)/%.bpf.o: bpf/%.bpf.c
	$(call say,BPF,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -MT $@ -MF $(@:.o=.d) -c $< -o $@.tmp.o
	$(Q)$(BPFTOOL) gen object $@ $@.tmp.o
	@rm -f $@.tmp.o

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call say,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

# Each map's layout as the object has it (loader/layout.h), for user space
# to check pins against without carrying the object.
$(BUILD)/layout_gen: tools/layout_gen.c loader/layout.c loader/layout.h bpf/khaxdp.h
	$(call say,CC,$@)
	$(Q)$(CC) $(filter-out $(SANFLAGS),$(CFLAGS)) $(filter %.c,$^) -o $@ $(LIBS)

$(BUILD)/khaxdp_layout.h: $(BUILD)/khaxdp.bpf.o $(BUILD)/layout_gen
	$(call say,GEN,$@)
	$(Q)$(BUILD)/layout_gen $< > $@.tmp && mv $@.tmp $@

# Every object waits for the skeletons and the layouts (order only): the
# first build has no .d files yet to say which sources include them.
$(BUILD)/obj/%.o: %.c | $(SKELS) $(BUILD)/khaxdp_layout.h
	$(call say,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(LIBKHAXDP): $(LIB_OBJS)
$(LIBLOADER): $(LOADER_OBJS)
$(LIBVRRP): $(VRRP_CORE_OBJS)
$(LIBKHAXDP) $(LIBLOADER) $(LIBVRRP):
	$(call say,AR,$@)
	$(Q)rm -f $@; ar rcs $@ $^

$(BUILD)/khaxdp: $(call obj,$(KHAXDP_SRCS)) $(LIBLOADER) $(LIBKHAXDP)
	$(call say,LD,$@)
	$(Q)$(CC) $^ -o $@ $(LDFLAGS) $(LIBS)

# The agent: its own objects, libvrrp and libkhaxdp, never the loader part.
$(BUILD)/khaxdp-vrrpd: $(VRRPD_OBJS) $(LIBVRRP) $(LIBKHAXDP)
	$(call say,LD,$@)
	$(Q)$(CC) $^ -o $@ $(LDFLAGS) $(LIBS) $(VRRPD_LIBS)

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(LIBVRRP) $(LIBLOADER) $(LIBKHAXDP)
	$(call say,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $^ -o $@ $(LDFLAGS) $(LIBS) -lcmocka -lcrypto

$(BUILD)/tests/test_progs: $(call obj,$(SELFTEST_SRCS)) $(LIBLOADER) $(LIBKHAXDP)
	$(call say,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $^ -o $@ $(LDFLAGS) $(LIBS)

$(BUILD)/bench: $(call obj,$(BENCH_SRCS)) $(LIBLOADER) $(LIBKHAXDP)
	$(call say,LD,$@)
	$(Q)$(CC) $^ -o $@ $(LDFLAGS) $(LIBS)

$(BUILD)/fuzz/fuzz_advert: tests/fuzz/fuzz_advert.c vrrp/advert.c
	$(call say,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $(DEPFLAGS) -MF $@.d $(filter %.c,$^) -o $@

$(BUILD)/fuzz/fuzz_sync: tests/fuzz/fuzz_sync.c vrrp/sync_wire.c
	$(call say,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $(DEPFLAGS) -MF $@.d $(filter %.c,$^) -o $@ -lcrypto

$(BUILD)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c loader/config.c loader/util.c vrrp/vrrp_conf.c \
		vrrp/advert.c
	$(call say,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $(DEPFLAGS) -MF $@.d $(filter %.c,$^) -o $@ -linih -lbpf -lxdp

$(BUILD)/fuzz/fuzz_import: tests/fuzz/fuzz_import.c loader/import.c loader/import_haproxy.c \
		loader/import_keepalived.c loader/config.c loader/util.c
	$(call say,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $(DEPFLAGS) -MF $@.d $(filter %.c,$^) -o $@ -linih -lbpf -lxdp

-include $(ALL_OBJS:.o=.d) $(BPF_PROGS:%=$(BUILD)/%.bpf.d) \
	$(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%.d)

# --- the two README commands ------------------------------------------------
deps:
	tools/deps.sh

# `make check`: install what is missing, build, run every test; the unit
# tests and BPF selftests run again under ASan/UBSan.
check: deps
	$(MAKE) all $(BUILD)/tests/test_progs $(UNIT_BINS) $(BUILD)/bench
	$(MAKE) SAN=1 all build-asan/tests/test_progs $(UNIT_SRCS:tests/unit/%.c=build-asan/tests/%)
	$(BUILD)/bench --smoke >/dev/null	# the benchmark's paths still run
	$(MAKE) check-fuzz
	tests/run-all $(BUILD) build-asan

check-unit: $(UNIT_BINS)
	tests/unit/run $(BUILD)
check-bpf: $(BUILD)/tests/test_progs
	$(BUILD)/tests/test_progs
check-layers: all
	tests/layers/run $(BUILD)
check-e2e: all
	tests/e2e/run $(BUILD)
check-vrrp: all
	tests/e2e/vrrp $(BUILD)
# New inputs go to a scratch corpus; the seeds are tests/fuzz/corpus
# (adverts) and tests/fuzz/corpus-TARGET.
check-fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
	for t in $(FUZZ_TARGETS); do \
		seeds=tests/fuzz/corpus-$$t; [ $$t = advert ] && seeds=tests/fuzz/corpus; \
		rm -rf $(BUILD)/fuzz/corpus-$$t && mkdir -p $(BUILD)/fuzz/corpus-$$t && \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus-$$t $$seeds || exit 1; \
	done
# `make fuzz`: the same, five minutes each, and the XDP program's
# differential fuzzer (tests/bpf/test_xdp_diff.c) for 50 million frames
# (`make check` runs one million).
fuzz: $(BUILD)/tests/test_progs
	$(MAKE) check-fuzz FUZZ_SECONDS=300
	KHAXDP_DIFF_FRAMES=50000000 $(BUILD)/tests/test_progs -t xdp_diff

demo: deps
	$(MAKE) all
	tools/lab/demo $(BUILD)

# `make bench`: the cost per packet (BPF_PROG_TEST_RUN), then end to end in
# the lab: direct, khaxdp and haproxy side by side (tools/bench/e2e, several
# minutes). BENCH=smoke runs one short round of each (as `make check` does).
BENCH	?=
BENCH_FLAGS := $(if $(filter smoke,$(BENCH)),--smoke)
bench: deps
	$(MAKE) all $(BUILD)/bench
	$(BUILD)/bench $(BENCH_FLAGS)
	tools/bench/e2e $(BENCH_FLAGS) $(BUILD)

# Only the end-to-end one: table, $(BUILD)/bench-e2e.json, docs/bench-e2e.png.
bench-e2e: deps
	$(MAKE) all
	tools/bench/e2e $(BENCH_FLAGS) $(BUILD)

# One read of the data plane (khaxdp stats, the agent's page) as the flow
# table grows, still and churning. BASELINE=path/to/khaxdp compares another
# build's `stats` on the same pins.
bench-snapshot: deps
	$(MAKE) all
	tools/bench/snapshot $(if $(BASELINE),--baseline $(BASELINE)) $(BENCH_FLAGS) $(BUILD)

# The failover gap of khaxdp-vrrpd and keepalived, in the lab (a few minutes).
bench-failover: deps
	$(MAKE) all
	tools/bench/failover $(BUILD)

# 10 minutes of churn (connections, health flapping, elections): the
# agent's memory and fds stay flat. Not part of make check.
soak: deps
	$(MAKE) all
	tools/soak $(BUILD) $(SOAK_SECONDS)
SOAK_SECONDS ?= 600

# The agent's CPU and its advert intervals under load, beside keepalived.
bench-agent: deps
	$(MAKE) all
	tools/bench/agent $(BUILD)

# The units name /usr/sbin, rewritten to SBINDIR; the man pages get the
# version. khaxdp.conf is installed only where there is none: an existing
# one is never overwritten.
UNITS	:= tools/systemd/khaxdp@.service tools/systemd/khaxdp-vrrpd.service
MANPAGES := man/khaxdp.8 man/khaxdp-vrrpd.8 man/khaxdp.conf.5
install: all
	install -D -m 0755 $(BUILD)/khaxdp $(DESTDIR)$(SBINDIR)/khaxdp
	install -D -m 0755 $(BUILD)/khaxdp-vrrpd $(DESTDIR)$(SBINDIR)/khaxdp-vrrpd
	install -D -m 0644 tools/khaxdp.conf.example $(DESTDIR)$(SYSCONFDIR)/khaxdp/khaxdp.conf.example
	install -D -m 0644 tools/nftables/khaxdp.nft $(DESTDIR)$(SYSCONFDIR)/khaxdp/khaxdp.nft.example
	test -e $(DESTDIR)$(SYSCONFDIR)/khaxdp/khaxdp.conf || \
		install -m 0644 tools/khaxdp.conf.example $(DESTDIR)$(SYSCONFDIR)/khaxdp/khaxdp.conf
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	for u in $(UNITS); do \
		sed 's|/usr/sbin/|$(SBINDIR)/|g' $$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} || exit 1; \
	done
	for m in $(MANPAGES); do \
		sed 's/@VERSION@/$(VERSION)/g' $$m >$(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/} && \
		chmod 0644 $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/} || exit 1; \
	done

# A Debian package of the tree (its files that git tracks or would track),
# built by dpkg-buildpackage in a copy under $(BUILD)/deb, so the tree
# itself gets no debian/ build products: the .deb lands in $(BUILD)/.
deb: deps
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/src
	git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -xf - -C $(BUILD)/deb/src
	cd $(BUILD)/deb/src && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -30 ../build.log; exit 1; }
	cp $(BUILD)/deb/*.deb $(BUILD)/
	@ls $(BUILD)/*.deb

# The units under systemd-analyze verify, make install, make deb, the package.
check-pkg: all
	tests/pkg/run $(BUILD)

clean:
	rm -rf build build-asan
