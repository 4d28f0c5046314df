#!/bin/sh
# Wireshark's NetFlow/IPFIX dissector on tapflow's export packets: a UDP
# sink on loopback records what tapflow sends (v5, v9, IPFIX), tshark
# dissects it. Every packet must dissect with no malformed packet and no
# expert warning or error (a data set without its template is one); every
# flow record must equal a flow of tapflow's JSON of the same run (key,
# packets, octets, start and end to the ms; v5/v9 times from sysUptime and
# the header's export time); v9/IPFIX must carry templates, options
# templates and a decoded sampling options record.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/collectors.sh"
dir=$(case_dir)
need tshark
need_exporter
bad=0
runs=0
captures >"$dir/captures"
while read -r cap pcap; do
	for v in 5 9 10; do
		tag=$cap-v$v
		port=$(free_udp_port 29200)
		bg_start "sink-$tag" python3 "$HELPERS/udpsink.py" "$port" \
		    "$dir/$tag.pcap"
		wait_udp "$port" "sink-$tag"
		export_run "$v" "$pcap" "$tag" "$port"
		bg_stop "sink-$tag" TERM || bad=$((bad + 1))
		echo "== $tag (port $port): $(cat "$dir/sink-$tag.log")"
		sent=$(jq '.export.collectors[0].packets_sent' "$dir/$tag.stats")
		got=$(awk '{ print $2 }' "$dir/sink-$tag.log")
		if [ "$sent" != "$got" ]; then
			echo "$tag: tapflow sent $sent packets, sink got $got"
			bad=$((bad + 1))
		fi
		d="-d udp.port==$port,cflow"
		# shellcheck disable=SC2086
		tshark -r "$dir/$tag.pcap" $d -Y '_ws.malformed ||
		    _ws.expert.severity >= "Warning" || !cflow' \
		    -T fields -e frame.number -e _ws.expert.message \
		    >"$dir/$tag.expert" 2>/dev/null
		if [ -s "$dir/$tag.expert" ]; then
			echo "$tag: packets with dissector warnings:"
			head -n 10 "$dir/$tag.expert"
			bad=$((bad + 1))
		fi
		tshark_cflow "$dir/$tag.pcap" "$port" "$dir/$tag.tshark.json"
		opt=""
		[ $v = 5 ] && opt=--v4-only
		# shellcheck disable=SC2086
		$FLOWCMP $opt "$dir/$tag.json" tshark "$dir/$tag.tshark.json" ||
		    bad=$((bad + 1))
		if [ "$cap" = truth ]; then
			echo "   against the generator's truth:"
			# shellcheck disable=SC2086
			$FLOWCMP $opt "$dir/truth.jsonl" tshark \
			    "$dir/$tag.tshark.json" || bad=$((bad + 1))
		fi
		if [ $v != 5 ]; then
			# template sets: v9 0/1, IPFIX 2/3
			t=$((v == 9 ? 0 : 2))
			# shellcheck disable=SC2086
			n=$(tshark -r "$dir/$tag.pcap" $d -T fields \
			    -e cflow.flowset_id 2>/dev/null | tr ',' '\n' |
			    awk -v t=$t '$1 == t { a++ } $1 == t + 1 { o++ }
				END { print a + 0, o + 0 }')
			# shellcheck disable=SC2086
			samp=$(tshark -r "$dir/$tag.pcap" $d -Y \
			    'cflow.sampling_interval ||
			     cflow.sampling_packet_interval' -T fields \
			    -e cflow.sampling_interval \
			    -e cflow.sampling_packet_interval 2>/dev/null |
			    head -n 1)
			echo "   template sets, options template sets: $n;" \
			    "sampling options record: ${samp:-none}"
			case $n in 0\ *|*\ 0)
				echo "$tag: a template kind is missing"
				bad=$((bad + 1)) ;;
			esac
			case $samp in 1*) ;; *)
				echo "$tag: no sampling options record of 1"
				bad=$((bad + 1)) ;;
			esac
		fi
		runs=$((runs + 1))
	done
done <"$dir/captures"
echo "$runs runs, $bad bad"
[ $bad -eq 0 ]
