# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# khaxdp - build, test and install. `make`, `sudo make check`, `sudo make demo`.

PREFIX	?= /usr/local
DESTDIR	?=
SBINDIR	?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
MANDIR	?= $(PREFIX)/share/man
SYSTEMDUNITDIR ?= /lib/systemd/system

# SAN=1 builds user space with AddressSanitizer and UBSan into build-asan/.
ifeq ($(SAN),1)
BUILD	?= build-asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD	?= build
SANFLAGS :=
endif

CC	?= gcc
CLANG	?= clang
BPFTOOL	?= bpftool
ARCH	:= $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
	   -D_GNU_SOURCE -Ibpf -Iloader -Ivrrp -I$(BUILD) $(SANFLAGS)
LDFLAGS	+= $(SANFLAGS)
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	   -I/usr/include/$(MULTIARCH) -Ibpf

PKGS	:= libbpf libxdp inih
LIBS	= $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lbpf -lxdp -linih) -lelf -lz
VRRPD_LIBS = $(shell pkg-config --libs libmnl openssl libmicrohttpd libsystemd 2>/dev/null || \
	       echo -lmnl -lssl -lcrypto -lmicrohttpd -lsystemd) -lpthread

# --- BPF objects and skeletons -------------------------------------------
BPF_PROGS := khaxdp baseline
BPF_HDRS  := $(wildcard bpf/*.h)
BPF_OBJS  := $(BPF_PROGS:%=$(BUILD)/%.bpf.o)
SKELS     := $(BPF_PROGS:%=$(BUILD)/%.skel.h)

# --- user space ------------------------------------------------------------
LIB_SRCS  := $(filter-out loader/main.c,$(wildcard loader/*.c))
LIB_OBJS  := $(LIB_SRCS:loader/%.c=$(BUILD)/lib/%.o)
LIBKHAXDP := $(BUILD)/libkhaxdp.a

# The agent: a pure core (wire format, state machine, config) in libvrrp.a,
# which the unit tests and the fuzzer use, and the I/O around it.
VRRP_CORE := advert fsm vrrp_conf health_sm stats
VRRP_CORE_OBJS := $(VRRP_CORE:%=$(BUILD)/vrrp/%.o)
VRRP_IO_SRCS := $(filter-out vrrp/main.c $(VRRP_CORE:%=vrrp/%.c),$(wildcard vrrp/*.c))
VRRP_IO_OBJS := $(VRRP_IO_SRCS:vrrp/%.c=$(BUILD)/vrrp/%.o)
LIBVRRP   := $(BUILD)/libvrrp.a

# libFuzzer target of the advert parser; `make check` runs it this long.
FUZZ_SECONDS ?= 20
FUZZ_FLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ivrrp \
	   -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
SELFTEST_SRCS := $(wildcard tests/bpf/*.c)
BENCH_SRCS := $(wildcard tools/bench/*.c)

.SECONDARY:
.PHONY: all deps check check-unit check-bpf check-e2e check-asan check-fuzz \
	check-vrrp demo bench bench-e2e bench-failover install deb check-pkg clean
all: $(BUILD)/khaxdp $(BUILD)/khaxdp-vrrpd

$(BUILD) $(BUILD)/lib $(BUILD)/tests $(BUILD)/vrrp $(BUILD)/fuzz:
	@mkdir -p $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp.o
	$(BPFTOOL) gen object $@ $@.tmp.o
	@rm -f $@.tmp.o

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $* > $@

$(BUILD)/lib/%.o: loader/%.c $(wildcard loader/*.h) $(BPF_HDRS) $(SKELS) | $(BUILD)/lib
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBKHAXDP): $(LIB_OBJS) $(SKELS) | $(BUILD)
	rm -f $@; ar rcs $@ $(LIB_OBJS)

$(BUILD)/khaxdp: loader/main.c $(LIBKHAXDP) $(SKELS)
	$(CC) $(CFLAGS) $< $(LIBKHAXDP) -o $@ $(LDFLAGS) $(LIBS)

$(BUILD)/vrrp/%.o: vrrp/%.c $(wildcard vrrp/*.h) $(wildcard loader/*.h) $(BPF_HDRS) | $(BUILD)/vrrp
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBVRRP): $(VRRP_CORE_OBJS) | $(BUILD)
	rm -f $@; ar rcs $@ $(VRRP_CORE_OBJS)

$(BUILD)/khaxdp-vrrpd: vrrp/main.c $(VRRP_IO_OBJS) $(LIBVRRP) $(LIBKHAXDP)
	$(CC) $(CFLAGS) $< $(VRRP_IO_OBJS) $(LIBVRRP) $(LIBKHAXDP) -o $@ \
		$(LDFLAGS) $(LIBS) $(VRRPD_LIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIBVRRP) $(LIBKHAXDP) | $(BUILD)/tests
	$(CC) $(CFLAGS) $< $(LIBVRRP) $(LIBKHAXDP) -o $@ $(LDFLAGS) $(LIBS) -lcmocka

$(BUILD)/fuzz/fuzz_advert: tests/fuzz/fuzz_advert.c vrrp/advert.c vrrp/advert.h | $(BUILD)/fuzz
	$(CLANG) $(FUZZ_FLAGS) tests/fuzz/fuzz_advert.c vrrp/advert.c -o $@

$(BUILD)/tests/test_progs: $(SELFTEST_SRCS) $(wildcard tests/bpf/*.h) $(LIBKHAXDP) $(SKELS) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests/bpf $(SELFTEST_SRCS) $(LIBKHAXDP) -o $@ $(LDFLAGS) $(LIBS)

$(BUILD)/bench: $(BENCH_SRCS) $(LIBKHAXDP) $(SKELS) | $(BUILD)
	$(CC) $(CFLAGS) -Itests/bpf $(BENCH_SRCS) $(LIBKHAXDP) -o $@ $(LDFLAGS) $(LIBS)

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
check-e2e: all
	tests/e2e/run $(BUILD)
check-vrrp: all $(BUILD)/khaxdp-vrrpd
	tests/e2e/vrrp $(BUILD)
# New inputs go to a scratch corpus; tests/fuzz/corpus holds the seeds.
check-fuzz: $(BUILD)/fuzz/fuzz_advert
	rm -rf $(BUILD)/fuzz/corpus && mkdir -p $(BUILD)/fuzz/corpus
	$(BUILD)/fuzz/fuzz_advert -max_total_time=$(FUZZ_SECONDS) \
		-print_final_stats=1 $(BUILD)/fuzz/corpus tests/fuzz/corpus

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

# The failover gap of khaxdp-vrrpd and keepalived, in the lab (a few minutes).
bench-failover: deps
	$(MAKE) all $(BUILD)/khaxdp-vrrpd
	tools/bench/failover $(BUILD)

# The units name /usr/sbin, rewritten to SBINDIR. khaxdp.conf is installed
# only where there is none: an existing one is never overwritten.
UNITS	:= tools/systemd/khaxdp@.service tools/systemd/khaxdp-vrrpd.service
MANPAGES := man/khaxdp.8 man/khaxdp-vrrpd.8 man/khaxdp.conf.5
install: all
	install -D -m 0755 $(BUILD)/khaxdp $(DESTDIR)$(SBINDIR)/khaxdp
	install -D -m 0755 $(BUILD)/khaxdp-vrrpd $(DESTDIR)$(SBINDIR)/khaxdp-vrrpd
	install -D -m 0644 tools/khaxdp.conf.example $(DESTDIR)$(SYSCONFDIR)/khaxdp/khaxdp.conf.example
	test -e $(DESTDIR)$(SYSCONFDIR)/khaxdp/khaxdp.conf || \
		install -m 0644 tools/khaxdp.conf.example $(DESTDIR)$(SYSCONFDIR)/khaxdp/khaxdp.conf
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	for u in $(UNITS); do \
		sed 's|/usr/sbin/|$(SBINDIR)/|g' $$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} || exit 1; \
	done
	for m in $(MANPAGES); do \
		install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/ || exit 1; \
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
