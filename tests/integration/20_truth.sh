#!/bin/sh
# Ground truth (issue 3). tfgen writes a capture and, beside it, the flows
# a probe with tapflow's flow-table semantics must report (idle 15 s,
# active 1800 s, FIN linger 5 s, RST linger 2 s; no packet within 1 s of
# a deadline, so the answer is unique). Checks, in order:
#  1. the generator: same seed, same bytes; libnet and the hand builder
#     give identical frames; tshark's per-key packet and octet totals equal
#     the truth's (an independent decoder checks the accounting);
#  2. tapflow -r gen.pcap -j out.jsonl: every flow's key, packets, octets,
#     start and end (ms), TCP flags and end reason equal the truth, and so
#     does the number of flows;
#  3. replaying the same file twice gives byte-identical JSON.
# Without a tapflow binary, part 2 runs the comparison on the truth itself
# (a check of this script) and the case is skipped.
. "$(dirname "$0")/lib.sh"
dir=$(case_dir)
SEED=${SEED:-20240603}
TIMEOUTS="-t tcp=15 -t udp=15 -t icmp=15 -t general=15 -t tcp.fin=5
-t tcp.rst=2 -t maxlife=1800"

# One flow per line: key, counters, times, flags and reason, in a fixed
# order; lines that are not flow records (no flowEndReason) are ignored.
norm() {
	jq -r 'select(has("flowEndReason")) |
	    [(.sourceIPv4Address // .sourceIPv6Address),
	     (.destinationIPv4Address // .destinationIPv6Address),
	     .sourceTransportPort, .destinationTransportPort,
	     .protocolIdentifier, .ipClassOfService,
	     (.ingressInterface // 0), (.vlanId // 0),
	     .packetDeltaCount, .octetDeltaCount,
	     .flowStartMilliseconds, .flowEndMilliseconds,
	     .tcpControlBits, .flowEndReason] | @tsv' "$1" | LC_ALL=C sort
}

# compare TRUTH OUT LABEL: 0 when equal, else prints the first differences
compare() {
	norm "$1" >"$dir/$3.want" || return 1
	norm "$2" >"$dir/$3.got" || return 1
	nw=$(wc -l <"$dir/$3.want")
	ng=$(wc -l <"$dir/$3.got")
	if [ "$nw" -eq 0 ]; then
		echo "$3: no flows in the truth"
		return 1
	fi
	if cmp -s "$dir/$3.want" "$dir/$3.got"; then
		echo "$3: $ng flows, all equal to the truth"
		return 0
	fi
	echo "$3: MISMATCH: truth $nw flows, got $ng; first differences" \
	    "(< truth, > got; src dst sport dport proto tos if vlan pkts" \
	    "octets start end flags reason):"
	diff "$dir/$3.want" "$dir/$3.got" | grep '^[<>]' | head -n 30
	return 1
}

gen() {
	"$TOOLS/tfgen" --profile truth --seed "$SEED" "$@"
}

# 1. the generator
start=$(date +%s%N)
gen --out "$dir/gen.pcap" --truth "$dir/truth.jsonl" 2>"$dir/gen.err" ||
    fail "tfgen: $(cat "$dir/gen.err")"
ms=$((($(date +%s%N) - start) / 1000000))
cat "$dir/gen.err"
echo "tfgen took $ms ms"
[ "$ms" -lt 1000 ] || fail "tfgen took $ms ms (> 1 s)"
gen --out "$dir/gen2.pcap" --truth "$dir/truth2.jsonl" 2>/dev/null ||
    fail "tfgen, second run"
cmp "$dir/gen.pcap" "$dir/gen2.pcap" || fail "same seed, different pcap"
cmp "$dir/truth.jsonl" "$dir/truth2.jsonl" || fail "same seed, different truth"
gen --builder raw --out "$dir/raw.pcap" --truth "$dir/raw.jsonl" \
    2>/dev/null || fail "tfgen --builder raw"
cmp "$dir/gen.pcap" "$dir/raw.pcap" || fail "libnet and raw builders differ"

# What the truth must cover.
cover() {
	n=$(jq -c "select($1)" "$dir/truth.jsonl" | wc -l)
	[ "$n" -ge "$2" ] || fail "truth has $n flows with $1, want >= $2"
}
cover '.flowEndReason == 1' 20
cover '.flowEndReason == 2' 8
cover '.flowEndReason == 3' 20
cover '.flowEndReason == 4' 5
cover '.ipVersion == 6 and .protocolIdentifier == 58' 2
cover '.ipVersion == 6 and .protocolIdentifier == 6' 10
cover '.ipVersion == 6 and .protocolIdentifier == 17' 10
cover '.vlanId > 0' 20
cover '.protocolIdentifier == 1 and .destinationTransportPort == 771' 1
cover '.protocolIdentifier == 1 and .destinationTransportPort == 2048' 1
cover '.protocolIdentifier == 1 and .destinationTransportPort == 0' 1
cover '.ipClassOfService == 184' 1
cover '(.tcpControlBits % 8) >= 4' 5
all=$(wc -l <"$dir/truth.jsonl")
v6=$(jq -c 'select(.ipVersion == 6)' "$dir/truth.jsonl" | wc -l)
[ $((v6 * 5)) -ge "$all" ] || fail "IPv6 flows $v6 of $all (< 20 %)"

# tshark, an independent decoder: packets and octets per key, summed
# over all the flows of that key, equal the truth's.
tshark -r "$dir/gen.pcap" -T fields -E occurrence=f -E separator=/t \
    -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e ip.proto -e ipv6.nxt \
    -e tcp.srcport -e udp.srcport -e tcp.dstport -e udp.dstport \
    -e icmp.type -e icmp.code -e icmpv6.type -e icmpv6.code \
    -e ip.dsfield -e ipv6.tclass -e vlan.id -e ip.len -e ipv6.plen \
    2>/dev/null | awk -F'\t' '
function hex(s,   i, v) {
	v = 0; s = tolower(s); sub(/^0x/, "", s)
	for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}
{
	src = $1 $2; dst = $3 $4; proto = $5 $6
	if (proto == 1 || proto == 58) { sp = 0; dp = ($11 $13) * 256 + ($12 $14) }
	else { sp = $7 $8; dp = $9 $10 }
	tos = $1 != "" ? hex($15) : hex($16)
	len = $1 != "" ? $18 : $19 + 40
	k = src "\t" dst "\t" sp "\t" dp "\t" proto "\t" tos "\t" ($17 + 0)
	p[k]++; o[k] += len
}
END { for (k in p) print k "\t" p[k] "\t" o[k] }' | LC_ALL=C sort \
    >"$dir/tshark.keys"
jq -r '[(.sourceIPv4Address // .sourceIPv6Address),
    (.destinationIPv4Address // .destinationIPv6Address),
    .sourceTransportPort, .destinationTransportPort, .protocolIdentifier,
    .ipClassOfService, .vlanId, .packetDeltaCount, .octetDeltaCount] | @tsv' \
    "$dir/truth.jsonl" | awk -F'\t' '
{ k = $1 "\t" $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6 "\t" $7; p[k] += $8; o[k] += $9 }
END { for (k in p) print k "\t" p[k] "\t" o[k] }' | LC_ALL=C sort \
    >"$dir/truth.keys"
if ! cmp -s "$dir/tshark.keys" "$dir/truth.keys"; then
	echo "per-key totals, < tshark > truth:"
	diff "$dir/tshark.keys" "$dir/truth.keys" | head -n 20
	fail "truth disagrees with tshark's per-key totals"
fi
echo "tshark per-key totals equal the truth's ($(wc -l <"$dir/truth.keys") keys)"

# 2. tapflow against the truth
if [ ! -x "$TAPFLOW" ]; then
	compare "$dir/truth.jsonl" "$dir/truth2.jsonl" self ||
	    fail "the comparison fails on the truth itself"
	skip "no tapflow binary at $TAPFLOW (generator checks passed)"
fi
# shellcheck disable=SC2086
"$TAPFLOW" -r "$dir/gen.pcap" -j "$dir/out.jsonl" $TIMEOUTS \
    >"$dir/tapflow.log" 2>&1 || {
	cat "$dir/tapflow.log"
	fail "tapflow -r gen.pcap -j out.jsonl exited $?"
}
compare "$dir/truth.jsonl" "$dir/out.jsonl" tapflow ||
    fail "tapflow's flows differ from the truth"

# 3. determinism: the same file twice, byte-identical JSON
# shellcheck disable=SC2086
"$TAPFLOW" -r "$dir/gen.pcap" -j "$dir/out2.jsonl" $TIMEOUTS \
    >"$dir/tapflow2.log" 2>&1 || fail "tapflow, second replay"
cmp "$dir/out.jsonl" "$dir/out2.jsonl" ||
    fail "two replays of one file gave different JSON"
echo "two replays gave identical JSON"
exit 0
