# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
#
# lab.sh - the network-namespace lab of docs/design.md, as a bash library.
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
# addresses of docs/design.md; client namespaces (interface eth0); an HTTPS
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
#   LAB_MODE     the service's mode in khaxdp.conf: nat (default) or dsr
#   LAB_SERVICE_EXTRA  lines added to the [service apiserver] section (and
#                any section after it), e.g. health checks or [sync] keys
#   LAB_MAX_FLOWS  [global] max_flows (default 65536)
#   LAB_IPV6     1: khaxdp.conf also has [service apiserver6] on
#                [$LAB_VIP6]:7443 over the nodes' IPv6 addresses (every
#                host has one in 2001:db8:218::/64 whatever this says)

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
LAB_VIP6=2001:db8:218::189
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
# The same hosts over IPv6: the IPv4 address's last byte as the last group.
declare -gA LAB_ADDR6=()
for _h in "${!LAB_ADDR[@]}"; do LAB_ADDR6[$_h]=2001:db8:218::${LAB_ADDR[$_h]##*.}; done
unset _h

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

# lab_write_conf NODE: the node's khaxdp.conf, as the README describes it.
lab_write_conf() {
	local node=$1 n keys rest
	# LAB_SERVICE_EXTRA's keys go to each service, its sections after.
	keys=$(sed '/^\[/,$d' <<<"${LAB_SERVICE_EXTRA:-}")
	rest=$(sed -n '/^\[/,$p' <<<"${LAB_SERVICE_EXTRA:-}")
	{
		echo "# khaxdp.conf of lab node $node, written by tools/lab/lab.sh"
		echo "[global]"
		echo "interface = ens33"
		echo "snat_ports = 40000-59999"
		echo "max_flows = ${LAB_MAX_FLOWS:-65536}"
		echo "bpffs = $(lab_bpffs "$node")/khaxdp"
		# ip netns exec remounts /sys, and the cgroup v2 root with it.
		echo "cgroup = $LAB_DIR/cgroup"
		echo
		# Every node's agent its own sync state file: the lab shares one /run.
		echo "[sync]"
		echo "state_file = $(lab_node_dir "$node")/sync"
		echo
		echo "[service apiserver]"
		echo "listen = $LAB_VIP:$LAB_VIP_PORT"
		echo "mode = ${LAB_MODE:-nat}"
		echo "balance = roundrobin"
		echo "timeout = 30m"
		for n in "${LAB_NODES[@]}"; do
			echo "server = $n ${LAB_ADDR[$n]}:$LAB_API_PORT"
		done
		[[ -z $keys ]] || echo "$keys"
		if [[ ${LAB_IPV6:-} == 1 ]]; then
			echo
			echo "[service apiserver6]"
			echo "listen = [$LAB_VIP6]:$LAB_VIP_PORT"
			echo "mode = ${LAB_MODE:-nat}"
			echo "timeout = 30m"
			for n in "${LAB_NODES[@]}"; do
				echo "server = $n [${LAB_ADDR6[$n]}]:$LAB_API_PORT"
			done
			[[ -z $keys ]] || echo "$keys"
		fi
		[[ -z $rest ]] || echo "$rest"
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

# lab_pid_gone PID: the process has exited (a zombie counts: it holds no
# socket and no file any more).
lab_pid_gone() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[[ -z $state || $state == Z || $state == X ]]
}

# lab_kill_wait PID [SIGNAL]: signal a process and wait (up to 5 s) until it
# is gone. `wait` alone reaps only a child of this very shell; a daemon that
# an earlier test's subshell started would otherwise still hold its
# listening socket when its successor binds.
lab_kill_wait() {
	local pid=$1 sig=${2:-TERM} i
	kill -"$sig" "$pid" 2>/dev/null || return 0
	wait "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		lab_pid_gone "$pid" && return 0
		sleep 0.1
	done
	lab_log "pid $pid still there 5 s after SIG$sig"
}

# lab_api_stop NODE: stop it (connections to :6443 are then refused).
lab_api_stop() {
	local node=$1 pidf pid
	pidf=$(lab_node_dir "$node")/apiserver.pid
	[[ -f $pidf ]] || return 0
	pid=$(<"$pidf")
	lab_kill_wait "$pid"
	rm -f "$pidf"
}

# lab_api_readyz NODE CODE: make NODE's /readyz answer CODE (200, 500...).
lab_api_readyz() { echo "$2" >"$(lab_node_dir "$1")/readyz"; }

# --- the VIP -----------------------------------------------------------------

# lab_pod_add NODE: a "pod" namespace (pod1, 10.244.1.2) behind NODE, whose
# traffic NODE masquerades out of ens33 with nftables, as flannel or
# calico do: it reaches the other nodes from NODE's own address.
# lab_pod_del NODE takes it away (lab_down does too).
lab_pod_add() {
	local node=$1 pod
	pod=$(lab_ns pod1)
	ip netns add "$pod"
	ip -n "$(lab_ns "$node")" link add pod1 type veth peer name eth0 netns "$pod"
	ip -n "$(lab_ns "$node")" addr add 10.244.1.1/24 dev pod1
	ip -n "$(lab_ns "$node")" link set pod1 up
	ip -n "$pod" addr add 10.244.1.2/24 dev eth0
	ip -n "$pod" link set lo up
	ip -n "$pod" link set eth0 up
	ip -n "$pod" route add default via 10.244.1.1
	lab_exec "$node" sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv4.conf.pod1.forwarding=1
	lab_exec "$node" nft -f - <<-EOF
		table ip kx_pod {
			chain post {
				type nat hook postrouting priority srcnat;
				ip saddr 10.244.1.0/24 oifname "ens33" masquerade
			}
		}
	EOF
}
lab_pod_del() {
	lab_exec "$1" nft delete table ip kx_pod 2>/dev/null || true
	ip -n "$(lab_ns "$1")" link del pod1 2>/dev/null || true
	ip netns del "$(lab_ns pod1)" 2>/dev/null || true
}

lab_vip_add() { lab_exec "$1" ip addr add "$LAB_VIP/24" dev ens33; }
lab_vip_del() { lab_exec "$1" ip addr del "$LAB_VIP/24" dev ens33 2>/dev/null || true; }
lab_vip6_add() { lab_exec "$1" ip -6 addr add "$LAB_VIP6/64" dev ens33 nodad preferred_lft 0; }
lab_vip6_del() { lab_exec "$1" ip -6 addr del "$LAB_VIP6/64" dev ens33 2>/dev/null || true; }

# --- VRRP daemons: keepalived or khaxdp-vrrpd on a node ---------------------------
#
#   lab_vrrp_start control1 khaxdp-vrrpd priority=101 advert=50ms
#   lab_vrrp_start control2 keepalived priority=100 version=2 advert=1s unicast=yes
#   lab_vrrp_stop control1 kill      # kill -9 of its process group; the VIP stays
#   lab_vrrp_stop control2 term      # SIGTERM: priority 0, VIP removed
#
# The daemon is one parameter, the rest is the same for both: keepalived gets a
# keepalived.conf written from the options, khaxdp-vrrpd a [vrrp VI_1] section
# appended to the node's khaxdp.conf. Options (KEY=VALUE):
#   priority=100 version=3 advert=1s (1s, 100ms, 50ms...) preempt=yes|no
#   preempt_delay=0s unicast=no|yes (peers: the two other nodes) vrid=51
#   auth=PASSWORD (v2 PASS) track_dataplane=no|yes family=4|6 (6: an IPv6
#   instance, VRRP v3 over IPv6 for the IPv6 VIP alone)
# Each daemon runs in its own session (setsid), so its process group is its
# pid; keepalived gets its own pid files (-p/-r/-c) in the node's directory.
# Logs (appended, a "=== start" line each time) go to
# $LAB_LOG_DIR/NODE.DAEMON.log, default $LAB_DIR/log: point LAB_LOG_DIR
# outside the lab to keep them after lab_down.

declare -g LAB_LOG_DIR="${LAB_LOG_DIR:-$LAB_DIR/log}"
declare -g KHAXDP_VRRPD="${KHAXDP_VRRPD:-}"
declare -g LAB_KEEPALIVED="${LAB_KEEPALIVED:-keepalived}"

# lab_seconds DURATION: 1s, 100ms, 1.5 -> seconds as keepalived writes them.
lab_seconds() {
	case $1 in
	*ms) awk -v v="${1%ms}" 'BEGIN { printf "%g\n", v / 1000 }' ;;
	*s) echo "${1%s}" ;;
	*) echo "$1" ;;
	esac
}

# lab_vrrp_log NODE: the log file of the VRRP daemon last started on NODE.
lab_vrrp_log() {
	local d
	d=$(cat "$(lab_node_dir "$1")/vrrp.daemon" 2>/dev/null || echo vrrp)
	echo "$LAB_LOG_DIR/$1.$d.log"
}

# lab_vrrp_pid NODE: the pid (= process group) of NODE's running VRRP
# daemon; status 1 when none runs (a zombie counts as gone).
lab_vrrp_pid() {
	local pidf pid state
	pidf=$(lab_node_dir "$1")/vrrp.pid
	[[ -f $pidf ]] || return 1
	pid=$(<"$pidf")
	state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 1
	[[ $state != Z ]] || return 1
	echo "$pid"
}

# _lab_vrrp_keepalived_conf NODE FILE OPTS...: keepalived.conf from the options.
_lab_vrrp_keepalived_conf() {
	local node=$1 file=$2 n
	shift 2
	local -A o=([priority]=100 [version]=3 [advert]=1s [preempt]=yes [preempt_delay]=0s
		[unicast]=no [vrid]=51 [auth]="" [track_dataplane]=no [family]=4)
	for n in "$@"; do o[${n%%=*}]=${n#*=}; done
	{
		echo "# keepalived.conf of lab node $node, written by tools/lab/lab.sh: $*"
		echo "global_defs {"
		echo "    router_id $node"
		echo "    vrrp_version ${o[version]}"
		echo "    script_user root"
		echo "    enable_script_security"
		echo "}"
		echo "vrrp_instance VI_1 {"
		echo "    state BACKUP"
		echo "    interface ens33"
		echo "    virtual_router_id ${o[vrid]}"
		echo "    priority ${o[priority]}"
		echo "    advert_int $(lab_seconds "${o[advert]}")"
		[[ ${o[preempt]} == yes ]] || echo "    nopreempt"
		[[ $(lab_seconds "${o[preempt_delay]}") == 0 ]] ||
			echo "    preempt_delay $(lab_seconds "${o[preempt_delay]}")"
		if [[ ${o[unicast]} == yes ]]; then
			local -n addrs=LAB_ADDR
			[[ ${o[family]} != 6 ]] || local -n addrs=LAB_ADDR6
			echo "    unicast_src_ip ${addrs[$node]}"
			echo "    unicast_peer {"
			for n in "${LAB_NODES[@]}"; do
				[[ $n == "$node" ]] || echo "        ${addrs[$n]}"
			done
			echo "    }"
		fi
		[[ -z ${o[auth]} ]] ||
			printf '    authentication {\n        auth_type PASS\n        auth_pass %s\n    }\n' "${o[auth]}"
		echo "    virtual_ipaddress {"
		# family=6: an IPv6 instance (its first address decides):
		# adverts over IPv6, from the link-local address to ff02::12
		if [[ ${o[family]} == 6 ]]; then
			echo "        $LAB_VIP6/64 dev ens33"
		else
			echo "        $LAB_VIP/24 dev ens33"
		fi
		echo "    }"
		if [[ ${LAB_IPV6:-} == 1 && ${o[family]} != 6 ]]; then
			echo "    virtual_ipaddress_excluded {"
			echo "        $LAB_VIP6/64 dev ens33"
			echo "    }"
		fi
		echo "}"
	} >"$file"
}

# _lab_vrrp_section NODE OPTS...: the [vrrp VI_1] section of khaxdp.conf.
_lab_vrrp_section() {
	local node=$1 n
	shift
	local -A o=([priority]=100 [version]=3 [advert]=1s [preempt]=yes [preempt_delay]=0s
		[unicast]=no [vrid]=51 [auth]="" [track_dataplane]=no [family]=4)
	for n in "$@"; do o[${n%%=*}]=${n#*=}; done
	echo
	echo "# written by tools/lab/lab.sh: $*"
	echo "[vrrp VI_1]"
	echo "interface = ens33"
	echo "virtual_router_id = ${o[vrid]}"
	echo "priority = ${o[priority]}"
	echo "advert_int = ${o[advert]}"
	echo "version = ${o[version]}"
	if [[ ${o[family]} == 6 ]]; then
		echo "virtual_ipaddress = $LAB_VIP6/64"
	else
		echo "virtual_ipaddress = $LAB_VIP/24"
		[[ ${LAB_IPV6:-} != 1 ]] || echo "virtual_ipaddress_excluded = $LAB_VIP6/64"
	fi
	echo "preempt = ${o[preempt]}"
	echo "preempt_delay = ${o[preempt_delay]}"
	[[ ${o[track_dataplane]} != yes ]] || echo "track_dataplane = weight 2"
	if [[ ${o[unicast]} == yes ]]; then
		local -n addrs=LAB_ADDR
		[[ ${o[family]} != 6 ]] || local -n addrs=LAB_ADDR6
		echo "unicast_src_ip = ${addrs[$node]}"
		for n in "${LAB_NODES[@]}"; do
			[[ $n == "$node" ]] || echo "unicast_peer = ${addrs[$n]}"
		done
	fi
	[[ -z ${o[auth]} ]] || echo "auth_pass = ${o[auth]}"
}

# lab_vrrp_start NODE keepalived|khaxdp-vrrpd [KEY=VALUE...]: start the
# daemon on NODE (stopping one that runs there) and check it stays up 0.2 s.
lab_vrrp_start() {
	local node=$1 daemon=$2 dir log pid
	shift 2
	dir=$(lab_node_dir "$node")
	lab_vrrp_stop "$node" kill
	mkdir -p "$LAB_LOG_DIR"
	log=$LAB_LOG_DIR/$node.$daemon.log
	echo "$daemon" >"$dir/vrrp.daemon"
	case $daemon in
	keepalived)
		_lab_vrrp_keepalived_conf "$node" "$dir/keepalived.conf" "$@"
		echo "=== start $(date +%s.%N) $daemon on $node: $*" >>"$log"
		# -n: no fork (the parent and its VRRP child share our process group);
		# -l -D: detailed log to the console, i.e. the log file.
		setsid ip netns exec "$(lab_ns "$node")" "$LAB_KEEPALIVED" -n -l -D -G -P \
			-f "$dir/keepalived.conf" -p "$dir/keepalived.pid" \
			-r "$dir/keepalived-vrrp.pid" -c "$dir/keepalived-checkers.pid" \
			</dev/null >>"$log" 2>&1 &
		pid=$!
		;;
	khaxdp-vrrpd)
		[[ -n $KHAXDP_VRRPD ]] || lab_die "KHAXDP_VRRPD is not set" || return
		lab_write_conf "$node"
		_lab_vrrp_section "$node" "$@" >>"$(lab_conf "$node")"
		echo "=== start $(date +%s.%N) $daemon on $node: $*" >>"$log"
		LIBXDP_BPFFS=$(lab_bpffs "$node") setsid ip netns exec "$(lab_ns "$node")" \
			${LAB_VRRPD_WRAP:+"$LAB_VRRPD_WRAP"} "$KHAXDP_VRRPD" -v -c "$(lab_conf "$node")" </dev/null >>"$log" 2>&1 &
		pid=$!
		;;
	*) lab_die "lab_vrrp_start: unknown daemon '$daemon' (keepalived or khaxdp-vrrpd)"; return ;;
	esac
	echo "$pid" >"$dir/vrrp.pid"
	# Not a job of ours: no "Killed" notice when it is killed (bash still reaps it).
	disown "$pid" 2>/dev/null || true
	sleep 0.2
	lab_vrrp_pid "$node" >/dev/null ||
		lab_die "$daemon on $node exited at once; $log says: $(tail -5 "$log" | tr '\n' '|')"
}

# lab_vrrp_stop NODE [kill|term]: kill -9 the daemon's process group, or send
# SIGTERM and wait for it (up to 3 s, then kill -9). Removes its pid files.
# With term, prints how long the daemon took to exit, in ms.
lab_vrrp_stop() {
	local node=$1 how=${2:-kill} dir pid i t0 t1
	dir=$(lab_node_dir "$node")
	if pid=$(lab_vrrp_pid "$node"); then
		if [[ $how == term ]]; then
			t0=$(date +%s%N)
			kill -TERM "$pid" 2>/dev/null || true
			for ((i = 0; i < 300; i++)); do
				lab_vrrp_pid "$node" >/dev/null || break
				sleep 0.01
			done
			t1=$(date +%s%N)
			echo $(((t1 - t0) / 1000000))
		fi
		kill -9 -- "-$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			lab_vrrp_pid "$node" >/dev/null || break
			sleep 0.01
		done
	fi
	rm -f "$dir/vrrp.pid" "$dir"/keepalived*.pid
}

# --- links and the VIP's holders --------------------------------------------------

# lab_link_cut NODE [partition|carrier]: NODE vanishes from the segment.
# partition (default): its switch port leaves the bridge; NODE keeps its
# carrier and believes all is well, but hears nobody and nobody hears it.
# carrier: its switch port goes down, so NODE's ens33 loses its carrier.
lab_link_cut() {
	case ${2:-partition} in
	partition) ip -n "$(lab_ns sw)" link set "p-$1" nomaster ;;
	carrier) ip -n "$(lab_ns sw)" link set "p-$1" down ;;
	*) lab_die "lab_link_cut: partition or carrier, not '$2'" ;;
	esac
}

# lab_link_restore NODE: undo lab_link_cut (either kind).
lab_link_restore() {
	ip -n "$(lab_ns sw)" link set "p-$1" master br0
	ip -n "$(lab_ns sw)" link set "p-$1" up
}

# lab_vip_holders: the nodes that have the VIP on ens33, space separated.
lab_vip_holders() { _lab_holders -4 "$LAB_VIP"; }
# lab_vip6_holders: the same for the IPv6 VIP.
lab_vip6_holders() { _lab_holders -6 "$LAB_VIP6"; }
_lab_holders() {
	local node out=() o i
	for node in "${LAB_NODES[@]}"; do
		# An address changing meanwhile (an IPv6 VIP turning deprecated
		# just after it was added) interrupts the dump: ask again.
		for ((i = 0; i < 5; i++)); do
			o=$(ip -n "$(lab_ns "$node")" "$1" -o addr show dev ens33 2>&1) || true
			[[ $o == *"Dump was interrupted"* ]] || break
		done
		[[ $o != *" $2/"* ]] || out+=("$node")
	done
	echo "${out[*]}"
}

# lab_vip_watch_start FILE: sample the VIP's holders every 10 ms into FILE
# (tools/lab/vip_watch.py: "<epoch> <holders>" at each change).
# lab_vip_watch_stop: stop it (its last line says how regular sampling was).
lab_vip_watch_start() {
	local node args=()
	for node in "${LAB_NODES[@]}"; do args+=("$node=$(lab_ns "$node")"); done
	"$LAB_PYTHON" "$LAB_SRC/vip_watch.py" --interval 0.01 "$LAB_VIP" "${args[@]}" >"$1" 2>&1 &
	echo $! >"$LAB_DIR/vip_watch.pid"
	sleep 0.1
}
lab_vip_watch_stop() {
	local pid
	[[ -f $LAB_DIR/vip_watch.pid ]] || return 0
	pid=$(<"$LAB_DIR/vip_watch.pid")
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$LAB_DIR/vip_watch.pid"
}

# --- build and remove ----------------------------------------------------------

# lab_down: remove a lab with this prefix: processes in its namespaces,
# bpffs mounts, namespaces, state directory. Quiet, idempotent.
lab_down() {
	local name ns pids mnt
	for name in "${LAB_NODES[@]}"; do lab_api_stop "$name" 2>/dev/null || true; done
	lab_vip_watch_stop
	for name in "${LAB_NODES[@]}"; do lab_vrrp_stop "$name" kill 2>/dev/null || true; done
	# Whatever else still runs in the lab's namespaces was started by a lab.
	for name in "${LAB_NODES[@]}" "${LAB_CLIENTS[@]}" client1 client2 client3 client4 pod1 sw; do
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
	local name=$1 ns
	ns=$(lab_ns "$name")
	ip netns add "$ns"
	# No IPv6 duplicate address detection: links are usable at once, and
	# snapshots of a node do not change while an address is "tentative".
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
	ip -n "$ns" link set lo up
	_lab_link "$name"
}

# lab_link_recreate NODE: NODE's interface deleted and created again (same
# name, MAC and address; a new ifindex), as a NIC driver reload does.
lab_link_recreate() {
	ip -n "$(lab_ns sw)" link del "p-$1" 2>/dev/null || true	# (or deleted already)
	_lab_link "$1"
}

# _lab_link NAME: the veth between NAME and the switch, with its address.
_lab_link() {
	local name=$1 ns port ifname
	ns=$(lab_ns "$name")
	port="p-$name"
	ifname=$(lab_ifname "$name")
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
	ip -n "$ns" addr add "${LAB_ADDR[$name]}/24" dev "$ifname"
	ip -n "$ns" -6 addr add "${LAB_ADDR6[$name]}/64" dev "$ifname" nodad
	# Full TCP checksums, as a NIC delivers them (docs/design.md).
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
		-addext "subjectAltName=IP:$LAB_VIP,IP:192.168.218.171,IP:192.168.218.172,IP:192.168.218.173,IP:$LAB_VIP6,IP:${LAB_ADDR6[control1]},IP:${LAB_ADDR6[control2]},IP:${LAB_ADDR6[control3]}" \
		-keyout "$LAB_DIR/key.pem" -out "$LAB_DIR/cert.pem" 2>/dev/null ||
		lab_die "openssl could not make the lab certificate"

	mkdir -p "$LAB_DIR/sw/bpf"
	mount -t bpf bpf "$LAB_DIR/sw/bpf"
	# The cgroup v2 root for khaxdp's connect4 hooks, visible under
	# ip netns exec (which hides /sys/fs/cgroup). One for the machine.
	mkdir -p "$LAB_DIR/cgroup"
	mount -t cgroup2 none "$LAB_DIR/cgroup"
	ip netns add "$(lab_ns sw)"
	ip -n "$(lab_ns sw)" link set lo up
	ip -n "$(lab_ns sw)" link add br0 type bridge stp_state 0 mcast_snooping 0
	ip -n "$(lab_ns sw)" link set br0 up

	for node in "${LAB_NODES[@]}"; do
		lab_add_host "$node"
		# As on every kubeadm node (its preflight demands ip_forward = 1);
		# bpf_fib_lookup() also needs it to route what XDP forwards.
		lab_exec "$node" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
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
