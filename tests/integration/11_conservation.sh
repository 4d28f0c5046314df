#!/bin/sh
# Nothing lost between decode and export: over every capture, the packets
# and octets summed over the exported JSON flows equal the packets and
# octets the decoder accounted, and every flow is exported once.
. "$(dirname "$0")/lib.sh"
dir=$(case_dir)
bad=0
for f in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	name=$(basename "$f")
	"$TAPFLOW" -q -r "$f" -j "$dir/$name.jsonl" \
	    --stats "$dir/$name.stats" 2>/dev/null
	rc=$?
	[ $rc -eq 1 ] && continue # refused file: see 10_decode_counts
	[ $rc -ge 128 ] && { echo "CRASH $name"; bad=$((bad + 1)); continue; }
	sums=$(jq -s '[ (map(.packetDeltaCount) | add // 0),
			(map(.octetDeltaCount) | add // 0), length ]
			| map(tostring) | join(" ")' -r "$dir/$name.jsonl")
	want=$(jq -r '"\(.packets_accounted) \(.octets_accounted) \(.flows.created)"' \
	    "$dir/$name.stats")
	if [ "$sums" != "$want" ]; then
		echo "MISMATCH $name: flows sum (packets octets flows) = $sums," \
		    "decoded = $want"
		bad=$((bad + 1))
	fi
done
echo "$bad mismatches"
[ $bad -eq 0 ]
