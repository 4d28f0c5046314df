#!/bin/sh
# pmacct's NetFlow/IPFIX collector (nfacctd, print plugin, JSON) receives
# tapflow's v5, v9 and IPFIX on loopback. nfacctd aggregates by its key
# (src/dst host and port, proto, ToS, flow start and end): its packets and
# bytes per key must equal tapflow's JSON of the same run summed the same
# way. v5: the IPv4 flows only. nfacctd ignores SIGTERM while idle; SIGINT
# makes it purge its cache to the file and exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/collectors.sh"
dir=$(case_dir)
need nfacctd
need_exporter
bad=0
runs=0
# nfacctd keeps v5/v9 times to the second only (it divides the uptime
# difference by 1000): those are compared for IPFIX (ms IEs) only
keyf=src,dst,sport,dport,proto,tos
captures >"$dir/captures"
while read -r cap pcap; do
	for v in 5 9 10; do
		tag=$cap-v$v
		port=$(free_udp_port 29300)
		out="$dir/$tag.pmacct.json"
		cat >"$dir/$tag.conf" <<-CONF
		daemonize: false
		nfacctd_ip: 127.0.0.1
		nfacctd_port: $port
		nfacctd_time_new: false
		nfacctd_pipe_size: 8388608
		plugins: print[p]
		aggregate[p]: src_host, dst_host, src_port, dst_port, proto, tos, timestamp_start, timestamp_end
		print_output[p]: json
		print_output_file[p]: $out
		print_output_file_append[p]: true
		print_refresh_time[p]: 60
		print_num_protos[p]: true
		timestamps_utc: true
		timestamps_secs: false
		logfile: $dir/nfacctd-$tag.pmlog
		CONF
		bg_start "nfacctd-$tag" nfacctd -f "$dir/$tag.conf"
		wait_udp "$port" "nfacctd-$tag"
		export_run "$v" "$pcap" "$tag" "$port"
		bg_stop "nfacctd-$tag" INT || bad=$((bad + 1))
		[ -f "$out" ] || { echo "$tag: nfacctd wrote nothing";
		    tail -n 5 "$dir/nfacctd-$tag.pmlog"; bad=$((bad + 1));
		    continue; }
		opt="--sum --fields $keyf,packets,octets"
		[ $v = 10 ] && opt="--sum --fields $keyf,start,end,packets,octets"
		[ $v = 5 ] && opt="$opt --v4-only"
		echo "== $tag (port $port)"
		# shellcheck disable=SC2086
		$FLOWCMP $opt "$dir/$tag.json" pmacct "$out" || bad=$((bad + 1))
		runs=$((runs + 1))
	done
done <"$dir/captures"
echo "$runs runs, $bad bad"
[ $bad -eq 0 ]
