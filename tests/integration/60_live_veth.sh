#!/bin/sh
# Live capture on a real interface, 1 and 2 workers (issue 6).
#
# A network namespace and a veth pair: tapflow captures the host end,
# tfinject sends a known set of flows (TCP with handshake and FIN or RST,
# UDP, ICMP, ICMPv6, IPv6, VLAN 100 and 200) into the other end from
# inside the namespace, and writes their truth (hand-counted at build
# time, tapflow's JSON keys). For --workers 1 and 2:
#
#   tapflow -d -i tfA --workers W -j FLOWS -n 127.0.0.1:PORT -v 10
#           --stats S -p PID 'ether src 02:00:00:00:06:01 or ...'
#
# stopped by SIGTERM (its PID), then: the JSON flows equal the truth
# (keys, vlanId, ICMP type/code, packets, octets, TCP flags, TTLs), nfcapd
# received the same flows as the JSON (keys, packets, octets, times, as
# nfdump decodes them; hence the truth's keys and counts too), no
# capture drop, the statistics have W workers and, with 2, both saw
# packets and their counters add up to the totals.
# IPv6 is off on both ends so the kernel adds no packet of its own; the
# filter on the injector's MAC addresses keeps anything else out too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/collectors.sh"

[ "$(id -u)" -eq 0 ] || skip "veth and namespaces need root"
need python3 jq nfcapd nfdump ip
[ -x "$TOOLS/tfinject" ] || fail "$TOOLS/tfinject not built"

dir=$(case_dir)
ns=tfN$$
ha=tf6a$$
hb=tf6b$$
tf_pid=""
cleanup() {
	[ -n "$tf_pid" ] && kill -TERM "$tf_pid" 2>/dev/null
	bg_cleanup
	ip netns del "$ns" 2>/dev/null
	ip link del "$ha" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 2' INT TERM

ip netns add "$ns" 2>"$dir/netns.err" ||
    skip "cannot create a network namespace: $(cat "$dir/netns.err")"
ip link add "$ha" type veth peer name "$hb" 2>"$dir/veth.err" ||
    skip "cannot create a veth pair: $(cat "$dir/veth.err")"
ip link set "$hb" netns "$ns" || fail "cannot move $hb into $ns"
sysctl -qw "net.ipv6.conf.$ha.disable_ipv6=1" 2>/dev/null
ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$hb.disable_ipv6=1" 2>/dev/null
ip link set "$ha" up || fail "cannot bring $ha up"
ip netns exec "$ns" ip link set "$hb" up || fail "cannot bring $hb up"

filter='ether src 02:00:00:00:06:01 or ether src 02:00:00:00:06:02'

# One line per flow, sorted: what both sides must agree on.
norm() {
	jq -s -r '[.[] | [.ipVersion,
	    (.sourceIPv4Address // .sourceIPv6Address),
	    (.destinationIPv4Address // .destinationIPv6Address),
	    .sourceTransportPort, .destinationTransportPort,
	    .protocolIdentifier, .vlanId,
	    (.icmpTypeCodeIPv4 // .icmpTypeCodeIPv6 // "-"),
	    .packetDeltaCount, .octetDeltaCount, .tcpControlBits,
	    .minimumTTL, .maximumTTL] | map(tostring) | join(" ")] |
	    sort | .[]' "$1"
}

bad=0
for w in 1 2; do
	tag=w$w
	port=$(free_udp_port 29600)
	mkdir -p "$dir/$tag.nf"
	bg_start "nfcapd-$tag" nfcapd -b 127.0.0.1 -p "$port" \
	    -w "$dir/$tag.nf" -t 3600 -I tapflow
	wait_udp "$port" "nfcapd-$tag"

	"$TAPFLOW" -d -i "$ha" --workers "$w" -j "$dir/$tag.jsonl" \
	    -n "127.0.0.1:$port" -v 10 --stats "$dir/$tag.stats" \
	    -p "$dir/$tag.pid" "$filter" 2>"$dir/$tag.err" &
	tf_pid=$!
	# the pid file comes after the capture handles are open and started
	wait_for "[ -s '$dir/$tag.pid' ]" 50 ||
	    fail "tapflow --workers $w did not start: $(cat "$dir/$tag.err")"

	ip netns exec "$ns" "$TOOLS/tfinject" -i "$hb" --sets 8 \
	    --truth "$dir/$tag.truth.jsonl" >"$dir/$tag.inject.log" 2>&1 ||
	    fail "tfinject: $(cat "$dir/$tag.inject.log")"
	echo "$tag: tfinject $(cat "$dir/$tag.inject.log")"
	# TPACKET_V3 hands blocks over within the 100 ms block timeout
	sleep 0.5
	kill -TERM "$tf_pid"
	wait "$tf_pid"
	rc=$?
	tf_pid=""
	[ $rc -eq 0 ] || fail "tapflow --workers $w exit $rc: $(cat "$dir/$tag.err")"
	[ -e "$dir/$tag.pid" ] && fail "pid file left behind"

	norm "$dir/$tag.truth.jsonl" >"$dir/$tag.want"
	norm "$dir/$tag.jsonl" >"$dir/$tag.got"
	if diff "$dir/$tag.want" "$dir/$tag.got" >"$dir/$tag.diff"; then
		echo "$tag: JSON equals the truth ($(wc -l <"$dir/$tag.want") flows)"
	else
		echo "$tag: JSON differs from the truth (< truth, > tapflow):"
		head -n 20 "$dir/$tag.diff"
		bad=$((bad + 1))
	fi

	st="$dir/$tag.stats"
	jq -c '{packets_seen, pcap_received, pcap_dropped, pcap_ifdropped,
	    workers: [.workers[] | {worker, packets_seen, flows_created,
	    pcap_dropped}]}' "$st"
	frames=$(sed -n 's/^frames=\([0-9]*\).*/\1/p' "$dir/$tag.inject.log")
	[ "$(jq .packets_seen "$st")" = "$frames" ] ||
	    { echo "$tag: packets_seen $(jq .packets_seen "$st"), injected $frames"; bad=$((bad + 1)); }
	[ "$(jq '.pcap_dropped + .pcap_ifdropped' "$st")" = 0 ] ||
	    { echo "$tag: capture drops"; bad=$((bad + 1)); }
	[ "$(jq '.workers | length' "$st")" = "$w" ] ||
	    { echo "$tag: $(jq '.workers | length' "$st") workers, want $w"; bad=$((bad + 1)); }
	[ "$(jq '[.workers[].packets_seen] | add' "$st")" = "$frames" ] ||
	    { echo "$tag: workers' packets do not add up"; bad=$((bad + 1)); }
	[ "$(jq '[.workers[].flows_created] | add' "$st")" = \
	    "$(jq .flows.created "$st")" ] ||
	    { echo "$tag: workers' flows do not add up"; bad=$((bad + 1)); }
	if [ "$w" -gt 1 ] &&
	    [ "$(jq '[.workers[] | select(.packets_seen > 0)] | length' \
		"$st")" != "$w" ]; then
		echo "$tag: a worker saw no packet (fanout not spreading)"
		bad=$((bad + 1))
	fi

	# the collector: nfcapd writes its file out on SIGTERM
	wait_drained "$port"
	bg_stop "nfcapd-$tag" TERM || bad=$((bad + 1))
	nfdump -R "$dir/$tag.nf" -o json >"$dir/$tag.nfdump.json" \
	    2>"$dir/$tag.nfdump.err" ||
	    fail "nfdump: $(cat "$dir/$tag.nfdump.err")"
	# every field against tapflow's JSON, which equals the truth
	echo "$tag: collector against tapflow's JSON of the run:"
	$FLOWCMP "$dir/$tag.jsonl" nfdump "$dir/$tag.nfdump.json" ||
	    bad=$((bad + 1))
done
echo "$bad bad"
[ $bad -eq 0 ]
