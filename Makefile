# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# khaxdp - build, test and install. `make`, `sudo make check`, `sudo make demo`.

PREFIX	?= /usr/local
DESTDIR	?=
SBINDIR	?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc

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
	   -D_GNU_SOURCE -Ibpf -Iloader -I$(BUILD) $(SANFLAGS)
LDFLAGS	+= $(SANFLAGS)
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	   -I/usr/include/$(MULTIARCH) -Ibpf

PKGS	:= libbpf libxdp inih
LIBS	= $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lbpf -lxdp -linih) -lelf -lz

# --- BPF objects and skeletons -------------------------------------------
BPF_PROGS := khaxdp baseline
BPF_HDRS  := $(wildcard bpf/*.h)
BPF_OBJS  := $(BPF_PROGS:%=$(BUILD)/%.bpf.o)
SKELS     := $(BPF_PROGS:%=$(BUILD)/%.skel.h)

# --- user space ------------------------------------------------------------
LIB_SRCS  := $(filter-out loader/main.c,$(wildcard loader/*.c))
LIB_OBJS  := $(LIB_SRCS:loader/%.c=$(BUILD)/lib/%.o)
LIBKHAXDP := $(BUILD)/libkhaxdp.a

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
SELFTEST_SRCS := $(wildcard tests/bpf/*.c)
BENCH_SRCS := $(wildcard tools/bench/*.c)

.SECONDARY:
.PHONY: all deps check check-unit check-bpf check-e2e check-asan demo bench \
	install clean
all: $(BUILD)/khaxdp

$(BUILD) $(BUILD)/lib $(BUILD)/tests:
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

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIBKHAXDP) | $(BUILD)/tests
	$(CC) $(CFLAGS) $< $(LIBKHAXDP) -o $@ $(LDFLAGS) $(LIBS) -lcmocka

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
	tests/run-all $(BUILD) build-asan

check-unit: $(UNIT_BINS)
	tests/unit/run $(BUILD)
check-bpf: $(BUILD)/tests/test_progs
	$(BUILD)/tests/test_progs
check-e2e: all
	tests/e2e/run $(BUILD)

demo: deps
	$(MAKE) all
	tools/lab/demo $(BUILD)

bench: deps
	$(MAKE) all $(BUILD)/bench
	$(BUILD)/bench

install: all
	install -D -m 0755 $(BUILD)/khaxdp $(DESTDIR)$(SBINDIR)/khaxdp
	install -D -m 0644 tools/khaxdp.conf.example $(DESTDIR)$(SYSCONFDIR)/khaxdp/khaxdp.conf.example

clean:
	rm -rf build build-asan
