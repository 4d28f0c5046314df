#!/bin/sh
# Every capture in pcaps/ through tapflow: no crash (a sanitizer build
# aborts on any report), and the IPv4/IPv6 packets it decoded equal what
# tshark counts in the same file (outermost network layer per frame).
# Files whose link type tapflow does not take must say so and exit 1.
. "$(dirname "$0")/lib.sh"
dir=$(case_dir)
bad=0
n=0
for f in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	name=$(basename "$f")
	"$TAPFLOW" -q -r "$f" --stats "$dir/$name.stats" >"$dir/$name.out" \
	    2>"$dir/$name.err"
	rc=$?
	n=$((n + 1))
	if [ $rc -ge 128 ] || [ $rc -eq 134 ]; then
		echo "CRASH $name: exit $rc"; cat "$dir/$name.err"; bad=$((bad + 1))
		continue
	fi
	if [ $rc -eq 1 ]; then
		# refused before anything started: one clear line
		if ! grep -qE 'unsupported link type|: byte [0-9]+: ' \
		    "$dir/$name.err"; then
			echo "UNCLEAR $name: $(cat "$dir/$name.err")"
			bad=$((bad + 1))
		else
			echo "refused $name: $(head -n 1 "$dir/$name.err")"
		fi
		continue
	fi
	got=$(jq -r '"\(.packets_ip4) \(.packets_ip6)"' "$dir/$name.stats")
	if ! tshark -r "$f" -c 1 >/dev/null 2>&1 ||
	    tshark -r "$f" -T fields -e frame.number 2>&1 >/dev/null |
	    grep -q 'damaged or corrupt'; then
		# tshark guesses at damaged files (other record layouts);
		# past the damage the readers disagree by design
		echo "damaged $name: $got (rc $rc), not compared"
		continue
	fi
	want=$(tshark_ip_counts "$f")
	if [ "$got" != "$want" ]; then
		echo "MISMATCH $name: tapflow v4 v6 = $got, tshark = $want"
		bad=$((bad + 1))
	else
		echo "ok $name: $got (rc $rc)"
	fi
done
echo "$n files, $bad bad"
[ $bad -eq 0 ]
