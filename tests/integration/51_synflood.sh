#!/bin/sh
# SYN flood (issue 7). tests/tools/synflood writes 5,000,000 random-source
# SYNs (each its own flow) with 4 real flows mixed in (one packet of each
# every 1000 flood packets, 5000 packets each) and the real flows' counts
# as computed while building them. The capture streams into
# tapflow --max-flows 100000 -r - (no file on disk). Checks:
#  1. peak RSS (/usr/bin/time %M) <= flows.memory_bytes of --stats plus a
#     fixed baseline of 8 MiB (libc, libpcap, jansson, fragment cache);
#  2. the table filled and stayed full: every flow beyond the 100000 still
#     live at the end was expired for lack of resources:
#     expired_resource == created - 100000, expired_forced == 100000,
#     created == flood packets + 4 (each SYN a new flow, the real flows
#     never evicted: they are seen every 1004 packets, the table holds
#     100000), exported == created;
#  3. the 4 real flows are in the JSON, once each, with exactly the
#     generated packets and octets.
# FLOOD=N changes the flood size (at least 5,000,000 for the issue).
. "$(dirname "$0")/lib.sh"
dir=$(case_dir)
# Under ASan the point is memory safety: shadow memory and the allocator's
# quarantine make RSS meaningless, and 5 M packets take minutes, so the
# sanitizer build floods with 500 k and skips the RSS budget.
case "$BUILD" in
*san*) SAN_BUILD=1; FLOOD=${FLOOD:-500000} ;;
*) SAN_BUILD=0; FLOOD=${FLOOD:-5000000} ;;
esac
MAXF=100000
BASE_KB=8192
[ -x "$TOOLS/synflood" ] || skip "no $TOOLS/synflood"
[ -x /usr/bin/time ] || skip "no /usr/bin/time"

start=$(date +%s)
# only the real flows' lines are kept (by source: the flood's are 10.x);
# 5 M JSON lines would be 2 GB
"$TOOLS/synflood" -n "$FLOOD" -t "$dir/truth.jsonl" -w - 2>"$dir/gen.err" |
    /usr/bin/time -f '%M' -o "$dir/rss" "$TAPFLOW" --max-flows $MAXF \
	-r - -j - --stats "$dir/stats.json" 2>"$dir/tapflow.err" |
    grep -E '"source(IPv4Address":"192\.168\.7\.|IPv6Address":"2001:db8::)' \
	>"$dir/real.jsonl"
secs=$(($(date +%s) - start))
cat "$dir/gen.err"
[ -s "$dir/stats.json" ] || { cat "$dir/tapflow.err"; fail "no --stats"; }
echo "generated and replayed in ${secs}s"

# 1. memory
rss_kb=$(tail -n 1 "$dir/rss")
mem=$(jq .flows.memory_bytes "$dir/stats.json")
budget_kb=$((mem / 1024 + BASE_KB))
echo "peak RSS ${rss_kb} KiB; flow table $((mem / 1024)) KiB + baseline" \
    "${BASE_KB} KiB = budget ${budget_kb} KiB"
if [ "$SAN_BUILD" = 1 ]; then
	echo "(sanitizer build: RSS budget not checked)"
else
	[ "$rss_kb" -le "$budget_kb" ] || fail "peak RSS over the budget"
fi

# 2. the flood's flows went for lack of resources, all counted
set -- $(jq -r '.flows | "\(.created) \(.expired_resource) \(.expired_forced)
    \(.expired_idle) \(.expired_active) \(.expired_end_of_flow) \(.exported)
    \(.active)"' "$dir/stats.json")
created=$1 res=$2 forced=$3 idle=$4 act=$5 eof=$6 exported=$7 active=$8
echo "flows: created $created, expired_resource $res, expired_forced" \
    "$forced, idle $idle, active $act, end_of_flow $eof, exported" \
    "$exported, still active $active"
[ "$created" -eq $((FLOOD + 4)) ] ||
    fail "created $created, expected $((FLOOD + 4)) (each SYN one flow)"
[ "$res" -eq $((created - MAXF)) ] ||
    fail "expired_resource $res, expected created - $MAXF"
[ "$forced" -eq $MAXF ] || fail "expired_forced $forced, expected $MAXF"
[ $((idle + act + eof)) -eq 0 ] || fail "other expiries in a 5 s capture"
[ "$exported" -eq "$created" ] && [ "$active" -eq 0 ] ||
    fail "exported $exported of $created"
pk=$(jq .packets_seen "$dir/stats.json")
echo "packets seen $pk"

# 3. the real flows, exact
norm() {
	jq -r '[(.sourceIPv4Address // .sourceIPv6Address),
	    (.destinationIPv4Address // .destinationIPv6Address),
	    .sourceTransportPort, .destinationTransportPort,
	    .protocolIdentifier, .packetDeltaCount, .octetDeltaCount] | @tsv' \
	    "$1" | LC_ALL=C sort
}
norm "$dir/truth.jsonl" >"$dir/want"
norm "$dir/real.jsonl" >"$dir/got"
echo "real flows (src dst sport dport proto packets octets):"
cat "$dir/got"
[ "$(wc -l <"$dir/want")" -eq 4 ] || fail "truth has not 4 flows"
cmp -s "$dir/want" "$dir/got" || {
	diff "$dir/want" "$dir/got"
	fail "real flows differ from the generated counts"
}
echo "4 real flows exact among $created flows"
