#!/bin/sh
# libfixbuf's ipfixDump reads tapflow's IPFIX file (--ipfix-file, RFC
# 5655): no error, the templates and options templates present, the
# sampling options record decoded, and every data record equal to a flow of
# tapflow's JSON of the same run (key, packets, octets, start and end to
# the ms), and for the generator's capture to its truth.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/collectors.sh"
dir=$(case_dir)
need ipfixDump
need_exporter
bad=0
runs=0
captures >"$dir/captures"
while read -r cap pcap; do
	tag=$cap
	timeout 60 "$TAPFLOW" -q -r "$pcap" --ipfix-file "$dir/$tag.ipfix" \
	    -j "$dir/$tag.json" --stats "$dir/$tag.stats" \
	    >"$dir/$tag.tapflow.log" 2>&1 ||
	    fail "tapflow --ipfix-file: exit $?: $(tail -n 3 \
		"$dir/$tag.tapflow.log")"
	echo "== $tag: $(wc -c <"$dir/$tag.ipfix") bytes"
	if ! ipfixDump -i "$dir/$tag.ipfix" >"$dir/$tag.dump" \
	    2>"$dir/$tag.dump.err" || [ -s "$dir/$tag.dump.err" ]; then
		echo "$tag: ipfixDump failed: $(head -n 5 "$dir/$tag.dump.err")"
		bad=$((bad + 1))
	fi
	tail -n 1 "$dir/$tag.dump"
	nt=$(grep -c '^--- template record' "$dir/$tag.dump")
	no=$(grep -c '^--- options template record' "$dir/$tag.dump")
	samp=$(awk '/samplingPacketInterval :/ { print $NF; exit }' \
	    "$dir/$tag.dump")
	echo "   template records $nt, options template records $no," \
	    "samplingPacketInterval ${samp:-none}"
	if [ "$nt" -lt 2 ] || [ "$no" -lt 1 ] || [ "$samp" != 1 ]; then
		echo "$tag: templates, options templates or sampling missing"
		bad=$((bad + 1))
	fi
	if grep -q 'interfaceName' "$dir/$tag.dump"; then
		grep -m 3 'interfaceName :' "$dir/$tag.dump"
	fi
	$FLOWCMP "$dir/$tag.json" ipfixdump "$dir/$tag.dump" ||
	    bad=$((bad + 1))
	if [ "$cap" = truth ]; then
		echo "   against the generator's truth:"
		$FLOWCMP "$dir/truth.jsonl" ipfixdump "$dir/$tag.dump" ||
		    bad=$((bad + 1))
	fi
	runs=$((runs + 1))
done <"$dir/captures"
echo "$runs runs, $bad bad"
[ $bad -eq 0 ]
