#!/bin/sh
# nfdump's collector (nfcapd) receives tapflow's NetFlow v5, v9 and IPFIX
# on loopback; every record nfdump reads back must equal a flow of
# tapflow's JSON of the same run: addresses, ports (ICMP type/code), proto,
# ToS, packets, octets, first and last to the millisecond (v5/v9 times
# rebuilt from sysUptime and the header's export time). v5 carries no IPv6:
# only the IPv4 flows are expected, and tapflow counts the ones it skipped.
# For the generator's capture, the records must also equal its truth.
# nfcapd counts no sequence failure (v5, v9).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/collectors.sh"
dir=$(case_dir)
need nfcapd nfdump
need_exporter
bad=0
runs=0
captures >"$dir/captures"
while read -r cap pcap; do
	for v in 5 9 10; do
		tag=$cap-v$v
		port=$(free_udp_port 29100)
		mkdir -p "$dir/$tag.nf"
		bg_start "nfcapd-$tag" nfcapd -b 127.0.0.1 -p "$port" \
		    -w "$dir/$tag.nf" -t 3600 -I tapflow
		wait_udp "$port" "nfcapd-$tag"
		export_run "$v" "$pcap" "$tag" "$port"
		# SIGTERM: nfcapd writes out and closes its current file
		bg_stop "nfcapd-$tag" TERM || bad=$((bad + 1))
		grep 'Ident:' "$dir/nfcapd-$tag.log"
		nfdump -R "$dir/$tag.nf" -o json >"$dir/$tag.nfdump.json" \
		    2>"$dir/$tag.nfdump.err" ||
		    fail "nfdump -R $dir/$tag.nf: $(cat "$dir/$tag.nfdump.err")"
		opt=""
		if [ $v = 5 ]; then
			opt=--v4-only
			want=$(json_v6_flows "$dir/$tag.json")
			got=$(jq .export.v5_ipv6_skipped "$dir/$tag.stats")
			if [ "$want" != "$got" ]; then
				echo "$tag: v5_ipv6_skipped $got, JSON has $want IPv6 flows"
				bad=$((bad + 1))
			fi
		fi
		echo "== $tag (port $port)"
		# nfcapd's own check of the header sequence numbers (v5:
		# flows before the packet, v9: packets). Not IPFIX: nfcapd
		# leaves the options data records (exporting process
		# statistics) out of its count, RFC 7011 3.1 counts them
		# (all Data Records), so it reports one failure per packet
		# after one that carries them; 52_collector_restart checks
		# IPFIX sequence numbers with its own collector.
		seqf=$(nfdump -R "$dir/$tag.nf" -I |
		    sed -n 's/^Sequence failures: //p')
		echo "   nfcapd sequence failures: ${seqf:-?}"
		[ $v = 10 ] || [ "$seqf" = 0 ] || bad=$((bad + 1))
		# shellcheck disable=SC2086
		$FLOWCMP $opt "$dir/$tag.json" nfdump "$dir/$tag.nfdump.json" ||
		    bad=$((bad + 1))
		if [ "$cap" = truth ]; then
			echo "   against the generator's truth:"
			# shellcheck disable=SC2086
			$FLOWCMP $opt "$dir/truth.jsonl" nfdump \
			    "$dir/$tag.nfdump.json" || bad=$((bad + 1))
		fi
		runs=$((runs + 1))
	done
done <"$dir/captures"
echo "$runs runs, $bad bad"
[ $bad -eq 0 ]
