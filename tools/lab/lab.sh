# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
#
# lab.sh - the network-namespace lab of DESIGN.md, as a bash library.
#
#   . tools/lab/lab.sh
#   trap lab_down EXIT
#   lab_up                       # removes a lab left behind, builds a new one
#   lab_exec control1 ip addr    # run anything in a node/client namespace
#   KHAXDP=build/khaxdp lab_khaxdp control1 --json status
#   lab_down                     # removes everything lab_up made
#
# The lab: a switch namespace with a bridge; one namespace per control node
# with an interface literally named ens33 (veth into the switch) and the
# addresses of DESIGN.md; client namespaces (interface eth0); an HTTPS
# apiserver stand-in on :6443 in every node; a bpffs per node so each node of
# this one kernel keeps its own pins. Every veth pair is created inside the
# switch namespace with its peer moved straight into the node or client, so
# nothing is ever linked to the root namespace.
#
# Settings (environment, read when the file is sourced):
#   LAB_PREFIX   namespace name prefix, default "kx-" followed by the name of
#                the script that sources this file (kx-run-control1 for
#                tests/e2e/run), so that two runners never tear down each
#                other's lab
#   LAB_DIR      state directory: certificate, per-node bpffs, khaxdp.conf,
#                logs, pid files; default /run/khaxdp-lab/<prefix>
#   LAB_CLIENTS  number of client namespaces, default 2
#   KHAXDP       the khaxdp binary lab_khaxdp runs

# declare -g: the settings stick also when given as `LAB_PREFIX=x . lab.sh`.
_lab_caller=$(basename "$0" | tr -cd 'a-z0-9' | cut -c1-8)
declare -g LAB_PREFIX="${LAB_PREFIX:-kx-${_lab_caller:-lab}-}"
unset _lab_caller
declare -g LAB_DIR="${LAB_DIR:-/run/khaxdp-lab/${LAB_PREFIX%-}}"
declare -g LAB_SRC
LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
declare -g LAB_PYTHON="${LAB_PYTHON:-/usr/bin/python3}"
declare -g KHAXDP="${KHAXDP:-}"

LAB_VIP=192.168.218.189
LAB_VIP_PORT=7443
LAB_API_PORT=6443
LAB_NODES=(control1 control2 control3)
declare -g LAB_CLIENTS_N="${LAB_CLIENTS:-2}"
LAB_CLIENTS=()
for ((_i = 1; _i <= LAB_CLIENTS_N; _i++)); do LAB_CLIENTS+=("client$_i"); done
unset _i

declare -gA LAB_ADDR=(
	[control1]=192.168.218.171 [control2]=192.168.218.172
	[control3]=192.168.218.173
)
for ((_i = 1; _i <= LAB_CLIENTS_N; _i++)); do LAB_ADDR[client$_i]=192.168.218.$((10 + _i)); done
unset _i

lab_log() { echo "lab: $*" >&2; }
lab_die() { echo "lab: error: $*" >&2; return 1; }

# lab_ns NAME: the namespace of a node, client or "sw".
lab_ns() { echo "${LAB_PREFIX}$1"; }

# lab_exec NAME CMD...: run CMD in that namespace.
lab_exec() {
	local ns
	ns=$(lab_ns "$1"); shift
	ip netns exec "$ns" "$@"
}

# lab_ifname NAME: the lab interface inside a node (ens33) or client (eth0).
lab_ifname() { case $1 in control*) echo ens33 ;; *) echo eth0 ;; esac; }

# lab_mac NAME SIDE: 02:0S:c0:a8:da:XX, XX the host part of the address,
# S 0 for the node/client end and 1 for its switch port: easy to read in tcpdump.
lab_mac() {
	local host=${LAB_ADDR[$1]##*.}
	printf '02:0%d:c0:a8:da:%02x' "$2" "$host"
}

lab_node_dir() { echo "$LAB_DIR/$1"; }
lab_bpffs() { echo "$LAB_DIR/$1/bpf"; }
lab_conf() { echo "$LAB_DIR/$1/khaxdp.conf"; }

# lab_khaxdp NODE ARGS...: run khaxdp in NODE with its own config and bpffs.
# Options go first, as khaxdp wants them: lab_khaxdp control1 --json status
lab_khaxdp() {
	local node=$1; shift
	[[ -n ${KHAXDP:-} ]] || lab_die "KHAXDP is not set" || return
	LIBXDP_BPFFS=$(lab_bpffs "$node") lab_exec "$node" "$KHAXDP" -c "$(lab_conf "$node")" "$@"
}

# lab_write_conf NODE: the node's khaxdp.conf, as issue 2 describes it.
lab_write_conf() {
	local node=$1 n
	{
		echo "# khaxdp.conf of lab node $node, written by tools/lab/lab.sh"
		echo "[global]"
		echo "interface = ens33"
		echo "snat_ports = 40000-59999"
		echo "max_flows = 65536"
		echo "bpffs = $(lab_bpffs "$node")/khaxdp"
		echo
		echo "[service apiserver]"
		echo "listen = $LAB_VIP:$LAB_VIP_PORT"
		echo "mode = nat"
		echo "balance = roundrobin"
		echo "timeout = 30m"
		for n in "${LAB_NODES[@]}"; do
			echo "server = $n ${LAB_ADDR[$n]}:$LAB_API_PORT"
		done
	} >"$(lab_conf "$node")"
}

# --- the apiserver stand-in ------------------------------------------------

# lab_api_start NODE: start the HTTPS stand-in on NODE:6443 and wait for it.
lab_api_start() {
	local node=$1 dir pid i
	dir=$(lab_node_dir "$node")
	# Not through lab_exec: a backgrounded function would be a subshell, and
	# $! its pid rather than the server's.
	ip netns exec "$(lab_ns "$node")" "$LAB_PYTHON" "$LAB_SRC/apiserver.py" --name "$node" \
		--cert "$LAB_DIR/cert.pem" --key "$LAB_DIR/key.pem" \
		--port "$LAB_API_PORT" --readyz-file "$dir/readyz" \
		>>"$dir/apiserver.log" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/apiserver.pid"
	for ((i = 0; i < 50; i++)); do
		if lab_exec "$node" curl -sk --max-time 1 -o /dev/null \
			"https://${LAB_ADDR[$node]}:$LAB_API_PORT/readyz" 2>/dev/null; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	lab_die "apiserver on $node did not start; $dir/apiserver.log says: $(tail -3 "$dir/apiserver.log")"
}

# lab_api_stop NODE: stop it (connections to :6443 are then refused).
lab_api_stop() {
	local node=$1 pidf pid
	pidf=$(lab_node_dir "$node")/apiserver.pid
	[[ -f $pidf ]] || return 0
	pid=$(<"$pidf")
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true	# reap it: no zombie with a live-looking pid
	rm -f "$pidf"
}

# lab_api_readyz NODE CODE: make NODE's /readyz answer CODE (200, 500...).
lab_api_readyz() { echo "$2" >"$(lab_node_dir "$1")/readyz"; }

# --- the VIP -----------------------------------------------------------------

lab_vip_add() { lab_exec "$1" ip addr add "$LAB_VIP/24" dev ens33; }
lab_vip_del() { lab_exec "$1" ip addr del "$LAB_VIP/24" dev ens33 2>/dev/null || true; }

# --- build and remove ----------------------------------------------------------

# lab_down: remove a lab with this prefix: processes in its namespaces,
# bpffs mounts, namespaces, state directory. Quiet, idempotent.
lab_down() {
	local name ns pids mnt
	for name in "${LAB_NODES[@]}"; do lab_api_stop "$name" 2>/dev/null || true; done
	# Whatever else still runs in the lab's namespaces was started by a lab.
	for name in "${LAB_NODES[@]}" "${LAB_CLIENTS[@]}" client1 client2 client3 client4 sw; do
		ns=$(lab_ns "$name")
		[[ -e /run/netns/$ns ]] || continue
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		if [[ -n $pids ]]; then
			# shellcheck disable=SC2086
			kill $pids 2>/dev/null || true
			sleep 0.2
			# shellcheck disable=SC2086
			kill -9 $pids 2>/dev/null || true
		fi
		ip netns del "$ns" 2>/dev/null || true
	done
	if [[ -d $LAB_DIR ]]; then
		while read -r mnt; do
			umount -l "$mnt" 2>/dev/null || true
		done < <(awk -v d="$LAB_DIR/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
		rm -rf "$LAB_DIR"
		rmdir "$(dirname "$LAB_DIR")" 2>/dev/null || true
	fi
}

# lab_build_xdp_pass: compile tools/lab/xdp_pass.bpf.c into the lab directory.
lab_build_xdp_pass() {
	local multiarch
	multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
	"${CLANG:-clang}" -O2 -g -target bpf -I"/usr/include/$multiarch" \
		-c "$LAB_SRC/xdp_pass.bpf.c" -o "$LAB_DIR/xdp_pass.bpf.o" ||
		lab_die "cannot build $LAB_SRC/xdp_pass.bpf.c"
}

# lab_add_host NAME: a namespace linked to the switch by a veth pair.
lab_add_host() {
	local name=$1 ns port ifname
	ns=$(lab_ns "$name")
	port="p-$name"
	ifname=$(lab_ifname "$name")
	ip netns add "$ns"
	# No IPv6 duplicate address detection: links are usable at once, and
	# snapshots of a node do not change while an address is "tentative".
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
	ip -n "$(lab_ns sw)" link add "$port" address "$(lab_mac "$name" 1)" type veth \
		peer name "$ifname" address "$(lab_mac "$name" 0)" netns "$ns"
	ip -n "$(lab_ns sw)" link set "$port" master br0
	# XDP_TX from the node's ens33 lands on this end: it needs an XDP program.
	# TC_BPF_MNT: iproute2 pins into a bpffs it finds in /proc/mounts;
	# give it the switch's own, so it never writes into a node's.
	TC_BPF_MNT="$LAB_DIR/sw/bpf" ip -n "$(lab_ns sw)" link set dev "$port" \
		xdpdrv obj "$LAB_DIR/xdp_pass.bpf.o" sec xdp
	ip netns exec "$(lab_ns sw)" ethtool -K "$port" tx off >/dev/null
	ip -n "$(lab_ns sw)" link set "$port" up
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "${LAB_ADDR[$name]}/24" dev "$ifname"
	# Full TCP checksums, as a NIC delivers them (DESIGN.md).
	ip netns exec "$ns" ethtool -K "$ifname" tx off >/dev/null
	ip -n "$ns" link set "$ifname" up
}

# lab_up: build the lab (after removing one left behind by an earlier run).
lab_up() {
	local node peer client
	lab_down
	mkdir -p "$LAB_DIR"
	lab_build_xdp_pass
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=kube-apiserver" \
		-addext "subjectAltName=IP:$LAB_VIP,IP:192.168.218.171,IP:192.168.218.172,IP:192.168.218.173" \
		-keyout "$LAB_DIR/key.pem" -out "$LAB_DIR/cert.pem" 2>/dev/null ||
		lab_die "openssl could not make the lab certificate"

	mkdir -p "$LAB_DIR/sw/bpf"
	mount -t bpf bpf "$LAB_DIR/sw/bpf"
	ip netns add "$(lab_ns sw)"
	ip -n "$(lab_ns sw)" link set lo up
	ip -n "$(lab_ns sw)" link add br0 type bridge stp_state 0 mcast_snooping 0
	ip -n "$(lab_ns sw)" link set br0 up

	for node in "${LAB_NODES[@]}"; do
		lab_add_host "$node"
		# As on every kubeadm node (its preflight demands ip_forward = 1);
		# bpf_fib_lookup() also needs it to route what XDP forwards.
		lab_exec "$node" sysctl -qw net.ipv4.ip_forward=1
		mkdir -p "$(lab_bpffs "$node")"
		mount -t bpf bpf "$(lab_bpffs "$node")"
		lab_write_conf "$node"
		lab_api_readyz "$node" 200
	done
	for client in "${LAB_CLIENTS[@]}"; do lab_add_host "$client"; done

	for node in "${LAB_NODES[@]}"; do lab_api_start "$node"; done
	# Resolve the nodes' neighbours (the data plane's bpf_fib_lookup needs
	# them; real control nodes talk to each other all the time).
	for node in "${LAB_NODES[@]}"; do
		for peer in "${LAB_NODES[@]}"; do
			[[ $peer == "$node" ]] && continue
			lab_exec "$node" curl -sk --max-time 2 -o /dev/null \
				"https://${LAB_ADDR[$peer]}:$LAB_API_PORT/readyz" ||
				lab_die "$node cannot reach $peer:$LAB_API_PORT" || return
		done
	done
	lab_log "up: ${LAB_NODES[*]} ${LAB_CLIENTS[*]} (prefix $LAB_PREFIX, state in $LAB_DIR)"
}
