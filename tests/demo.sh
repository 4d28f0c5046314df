#!/bin/sh
# The main job, end to end on loopback: start nfdump's collector (nfcapd),
# replay a bundled capture through tapflow to it as IPFIX, stop the
# collector and show the flows it received (nfdump), then tapflow's own
# counters. Usage: sh tests/demo.sh [CAPTURE] [EXPORT-VERSION]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
pcap=${1:-$top/pcaps/zeek__wikipedia.pcap}
ver=${2:-10}
tapflow="$top/build/tapflow"
dir=$(mktemp -d /tmp/tapflow-demo.XXXXXX)
port=20555
while ss -Hlun "sport = :$port" 2>/dev/null | grep -q .; do
	port=$((port + 1))
done

nfcapd -p "$port" -b 127.0.0.1 -w "$dir" -t 3600 >"$dir/nfcapd.log" 2>&1 &
cpid=$!
trap 'kill $cpid 2>/dev/null || true' EXIT
# nfcapd is up once its socket is bound
i=0
while ! ss -Hlun "sport = :$port" | grep -q . && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done

echo "== tapflow -r $(basename "$pcap") -n 127.0.0.1:$port -v $ver"
"$tapflow" -r "$pcap" -n "127.0.0.1:$port" -v "$ver" --stats "$dir/stats.json"
sleep 0.5
kill -TERM $cpid
wait $cpid 2>/dev/null || true
trap - EXIT

echo "== flows received by nfcapd (nfdump -R $dir -o long)"
nfdump -R "$dir" -o long
echo "== tapflow's counters"
jq -r '"packets seen \(.packets_seen), accounted \(.packets_accounted), " +
	"flows exported \(.flows.exported), records sent " +
	"\(.export.records_sent), send failures " +
	"\(.export.collectors[0].send_failed), port unreachable " +
	"\(.export.collectors[0].refused)"' "$dir/stats.json"
echo "(collector files and counters kept in $dir)"
