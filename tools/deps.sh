#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Installs the Debian packages khaxdp needs to build, test and run its lab.
# Called by `make check`, `make demo` and `make bench`; does nothing when all
# are present. haproxy, nginx, wrk, gnuplot-nox: tools/bench/e2e; hping3:
# the SYN flood of the lab tests; nftables: a masquerading "pod" in the lab
# and the firewall rules; stress-ng: tools/bench/agent.
set -eu

PKGS="make gcc clang llvm pkg-config libbpf-dev libxdp-dev bpftool \
libelf-dev zlib1g-dev libinih-dev libcmocka-dev iproute2 ethtool \
openssl python3 curl procps tcpdump keepalived libmnl-dev libclang-rt-14-dev \
libssl-dev libmicrohttpd-dev libsystemd-dev systemd debhelper dpkg-dev \
haproxy nginx wrk gnuplot-nox groff-base hping3 nftables stress-ng"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root: sudo make ...)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# keepalived, haproxy and nginx are test peers here, not services: keep
# their packages from starting them (policy-rc.d, as debootstrap does),
# unless the machine has its own policy already.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
