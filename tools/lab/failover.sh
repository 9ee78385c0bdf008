# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
#
# failover.sh - measure a VRRP failover in the lab (source tools/lab/lab.sh
# first): the gap a client sees between the crash or the stop of the VIP
# holder and its first new TCP connection to VIP:7443 through the new holder.
# Used by tests/e2e/vrrp and tools/bench/failover.
#
#   failover_gap control1 kill client1 /tmp/out     # prints e.g. "212 control2"
#
# While tools/lab/conn_probe.py opens a new connection from CLIENT to
# VIP:7443 every 10 ms, the master is
#   kill: crashed - its switch port leaves the bridge (it vanishes from the
#         segment, as a dead node does) and its daemon is killed with -9;
#   term: stopped - SIGTERM to its daemon (priority 0, VIP removed).
# The gap runs from just before that to the end of the first connection
# attempt that began after it and succeeded through the new master: its SYN
# went to another MAC than the old master's (the new master's gratuitous ARP
# moved the client) and was answered from there. The probe notes both MACs of
# each connection: after a clean stop the old master's data plane goes on
# answering until the client moves; and when the switch floods frames for a
# MAC it no longer knows, a backup's XDP may answer what was sent to the old
# master - neither is a failover. The probe's log is OUT.probe ("start end ok
# SYN_TO SYNACK_FROM" or "start end fail reason" per attempt); OUT.foreign
# counts the answers that came from another node than the SYN was sent to.

# --- connections kept across a failover ----------------------------------------

# kept_load SECONDS DIR [N_PER_CLIENT] [STAGGER_S]: from each client N (15)
# kept-alive TLS connections to VIP:7443 (GET /peer every 50 ms, one line per
# answer with the wall-clock time: DIR/ka.CLIENT.I) and one watch
# (DIR/watch.CLIENT; with LAB_IPV6=1 one to [VIP6] too), all for SECONDS; each connection opened STAGGER_S
# after the previous one. KEPT_FAMILY=6: every connection and the one watch
# to [VIP6] (an IPv6-only cluster). kept_wait waits for them all.
KEPT_PIDS=()
kept_load() {
	local secs=$1 dir=$2 n=${3:-15} stagger=${4:-0} c i k=0 vip=$LAB_VIP
	[[ ${KEPT_FAMILY:-4} != 6 ]] || vip=$LAB_VIP6
	KEPT_PIDS=()
	for ((i = 0; i < n; i++)); do
		for c in "${LAB_CLIENTS[@]}"; do
			ip netns exec "$(lab_ns "$c")" "$LAB_PYTHON" "$LAB_SRC/keepalive_client.py" \
				"$vip" "$LAB_VIP_PORT" --path /peer --interval 0.05 \
				--duration "$(awk -v s="$secs" -v k="$k" -v g="$stagger" 'BEGIN { print s - k * g }')" \
				--timeout 3 --wall-clock >"$dir/ka.$c.$i" 2>&1 &
			KEPT_PIDS+=($!)
			k=$((k + 1))
			[[ $stagger == 0 ]] || sleep "$stagger"
		done
	done
	for c in "${LAB_CLIENTS[@]}"; do
		if [[ ${KEPT_FAMILY:-4} != 6 ]]; then
			ip netns exec "$(lab_ns "$c")" "$LAB_PYTHON" "$LAB_SRC/watch_client.py" \
				"$LAB_VIP" "$LAB_VIP_PORT" --seconds "$secs" --timeout 3 >"$dir/watch.$c" 2>&1 &
			KEPT_PIDS+=($!)
		fi
		# With LAB_IPV6=1 a watch to [VIP6] too (DIR/watch.v6-CLIENT).
		[[ ${LAB_IPV6:-} == 1 || ${KEPT_FAMILY:-4} == 6 ]] || continue
		ip netns exec "$(lab_ns "$c")" "$LAB_PYTHON" "$LAB_SRC/watch_client.py" \
			"$LAB_VIP6" "$LAB_VIP_PORT" --seconds "$secs" --timeout 3 >"$dir/watch.v6-$c" 2>&1 &
		KEPT_PIDS+=($!)
	done
}

kept_wait() { local p; for p in "${KEPT_PIDS[@]}"; do wait "$p" || true; done; }

# kept_count DIR DEAD: "KEPT LIVE" - of the kept-alive connections whose
# apiserver is not on node DEAD (LIVE), how many answered every request.
kept_count() {
	local f backend live=0 kept=0
	for f in "$1"/ka.*; do
		backend=$(awk '$2 == "ok" { print $3; exit }' "$f")
		[[ -n $backend && $backend != "$2" ]] || continue
		live=$((live + 1))
		grep -q ' FAIL ' "$f" || kept=$((kept + 1))
	done
	echo "$kept $live"
}

# failover_gap MASTER kill|term CLIENT OUT [TIMEOUT_S]: prints "GAP_MS NODE"
# (NODE: the one that answered that first connection); status 1 with
# "none REASON" when the probe never succeeded before the kill, or not within
# TIMEOUT_S (default 10) after it. Leaves the master's link cut (kill): the
# caller restores it (lab_link_restore) and removes its stale VIP.
failover_gap() {
	local master=$1 how=$2 client=$3 out=$4 timeout=${5:-10} pid i t_kill gap="" rc=0 old n
	old=$(lab_mac "$master" 0)
	: >"$out.probe"
	ip netns exec "$(lab_ns "$client")" "$LAB_PYTHON" "$LAB_SRC/conn_probe.py" \
		--interval 0.01 --timeout 1 --duration $((timeout + 60)) \
		"$LAB_VIP" "$LAB_VIP_PORT" >"$out.probe" 2>&1 &
	pid=$!
	# Steady state first: connections go through the master.
	for ((i = 0; i < 300; i++)); do
		(($(awk '$3 == "ok"' "$out.probe" | wc -l) >= 5)) && break
		sleep 0.01
	done
	if ((i == 300)); then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		echo "none no connection to $LAB_VIP:$LAB_VIP_PORT succeeded in 3 s before the $how" \
			"($(awk '{ $1 = $2 = ""; print }' "$out.probe" | sort | uniq -c | tr -s ' \n' ' '))"
		return 1
	fi
	t_kill=$EPOCHREALTIME
	echo "$t_kill $how $master" >"$out.events"
	case $how in
	kill)
		lab_link_cut "$master" partition
		lab_vrrp_stop "$master" kill
		;;
	term) lab_vrrp_stop "$master" term >"$out.exit_ms" ;;
	*) lab_die "failover_gap: kill or term, not '$how'" ;;
	esac
	for ((i = 0; i < timeout * 50; i++)); do
		gap=$(awk -v t="$t_kill" -v old="$old" '$1 >= t && $3 == "ok" && $4 != old && $4 == $5 {
			printf "%.0f %s\n", ($2 - t) * 1000, $4; exit }' "$out.probe")
		[[ -z $gap ]] || break
		sleep 0.02
	done
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || rc=$?
	awk '$3 == "ok" && $4 != $5 { n++ } END { print n + 0 }' "$out.probe" >"$out.foreign"
	if [[ -z $gap ]]; then
		echo "none no connection succeeded within ${timeout} s of the $how (probe exit status $rc; VIP on: $(lab_vip_holders))"
		return 1
	fi
	for n in "${LAB_NODES[@]}"; do
		[[ ${gap#* } != "$(lab_mac "$n" 0)" ]] || gap="${gap% *} $n"
	done
	echo "$gap"
}
