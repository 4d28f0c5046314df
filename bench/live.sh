#!/bin/sh
# make bench-live: live capture at rising rates on a veth pair (issue 6).
#
# tfinject --bench writes a capture of small UDP frames (60 bytes, FLOWS
# flows in turn); tcpreplay sends it from a network namespace into one end
# of a veth pair at each rate (--pps, then --topspeed) for about SECS
# seconds while a probe captures the other end:
#   tapflow -d -i IF --workers 1, tapflow -d -i IF --workers 2,
#   softflowd -d -i IF
# (each exporting to a UDP sink on loopback). A rate passes when the
# probe's capture sockets received every frame tcpreplay sent (pcap_stats
# ps_recv) and libpcap counted no drop. Printed per probe and rate:
# frames sent, received, seen by the flow code (softflowd may still hold
# the tail of a ring block: it uses no block timeout), dropped, and the
# CPU the probe used (utime + stime of all its threads from
# /proc/PID/stat) per million frames; then per probe the highest rate
# achieved without loss.
#
# Env: RATES="50000 100000 ..." SECS=2 FLOWS=1000 (root needed).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
TAPFLOW=$top/$BUILD/tapflow
TFINJECT=$top/$BUILD/tools/tfinject
RATES=${RATES:-"50000 100000 200000 400000 800000 max"}
SECS=${SECS:-2}
FLOWS=${FLOWS:-1000}
out=$top/bench/out/live
mkdir -p "$out"

[ "$(id -u)" -eq 0 ] || { echo "bench-live: needs root (veth, netns)"; exit 77; }
for c in tcpreplay softflowd softflowctl python3 jq ip; do
	command -v "$c" >/dev/null || { echo "bench-live: $c missing"; exit 77; }
done
[ -x "$TAPFLOW" ] && [ -x "$TFINJECT" ] || { echo "bench-live: build first"; exit 1; }

ns=tfB$$
ha=tfba$$
hb=tfbb$$
probe_pid=""
sink_pid=""
cleanup() {
	[ -n "$probe_pid" ] && kill -TERM "$probe_pid" 2>/dev/null
	[ -n "$sink_pid" ] && kill -TERM "$sink_pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	ip link del "$ha" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 2' INT TERM

ip netns add "$ns" || { echo "bench-live: no network namespaces"; exit 77; }
ip link add "$ha" type veth peer name "$hb" || exit 77
ip link set "$hb" netns "$ns"
sysctl -qw "net.ipv6.conf.$ha.disable_ipv6=1" 2>/dev/null
ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$hb.disable_ipv6=1" 2>/dev/null
ip link set "$ha" up
ip netns exec "$ns" ip link set "$hb" up
filter='ether src 02:00:00:00:06:01'

"$TFINJECT" --bench --flows "$FLOWS" --packets 200000 --size 18 \
    --write "$out/bench.pcap" >"$out/tfinject.log" || exit 1

# Export sink: reads and forgets.
port=29900
while ss -Hlun "sport = :$port" | grep -q .; do port=$((port + 1)); done
python3 -c 'import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
s.bind(("127.0.0.1",int(sys.argv[1])))
while True: s.recv(65535)' "$port" &
sink_pid=$!

hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# start_probe NAME: starts it, sets probe_pid.
start_probe() {
	rm -f "$out/$1.pid" "$out/$1.stats" "$out/$1.ctl"
	case $1 in
	tapflow-w*)
		"$TAPFLOW" -d -q -i "$ha" --workers "${1#tapflow-w}" \
		    -n "127.0.0.1:$port" -p "$out/$1.pid" \
		    --stats "$out/$1.stats" "$filter" 2>"$out/$1.err" &
		probe_pid=$!
		;;
	softflowd)
		softflowd -d -i "$ha" -n "127.0.0.1:$port" -c "$out/$1.ctl" \
		    -p "$out/$1.pid" "$filter" >"$out/$1.err" 2>&1 &
		probe_pid=$!
		;;
	esac
	n=50
	while [ $n -gt 0 ]; do
		case $1 in
		softflowd) [ -S "$out/$1.ctl" ] && break ;;
		*) [ -s "$out/$1.pid" ] && break ;;
		esac
		sleep 0.1
		n=$((n - 1))
	done
	sleep 0.3
}

# stop_probe NAME: prints "RECEIVED SEEN DROPPED" and stops it.
stop_probe() {
	case $1 in
	softflowd)
		# its counters lag a little: read until two reads agree
		softflowctl -c "$out/$1.ctl" statistics >"$out/$1.st" 2>&1
		i=0
		while [ $i -lt 10 ]; do
			sleep 0.2
			softflowctl -c "$out/$1.ctl" statistics >"$out/$1.st2" 2>&1
			cmp -s "$out/$1.st" "$out/$1.st2" && break
			mv "$out/$1.st2" "$out/$1.st"
			i=$((i + 1))
		done
		kill -TERM "$probe_pid"
		wait "$probe_pid" 2>/dev/null
		recv=$(sed -n 's/^Packets received by libpcap: \([0-9]*\).*/\1/p' "$out/$1.st")
		seen=$(sed -n 's/^Packets processed: \([0-9]*\).*/\1/p' "$out/$1.st")
		d1=$(sed -n 's/^Packets dropped by libpcap: \([0-9]*\).*/\1/p' "$out/$1.st")
		d2=$(sed -n 's/^Packets dropped by interface: \([0-9]*\).*/\1/p' "$out/$1.st")
		echo "${recv:-0} ${seen:-0} $((${d1:-0} + ${d2:-0}))"
		;;
	*)
		kill -TERM "$probe_pid"
		wait "$probe_pid" 2>/dev/null
		jq -r '"\(.pcap_received) \(.packets_seen) \(.pcap_dropped + .pcap_ifdropped)"' \
		    "$out/$1.stats"
		;;
	esac
	probe_pid=""
}

printf '%-12s %9s %9s %9s %9s %9s %8s %11s\n' probe target_pps sent_pps \
    sent received seen dropped cpu_s/Mpkt | tee "$out/results.txt"
summary=""
for probe in tapflow-w1 tapflow-w2 softflowd; do
	best=none
	best_cpu=-
	for rate in $RATES; do
		start_probe "$probe"
		c0=$(cpu_ticks "$probe_pid")
		if [ "$rate" = max ]; then
			n=$((1000000 * SECS))
			args="--topspeed"
		else
			n=$((rate * SECS))
			args="--pps=$rate"
		fi
		ip netns exec "$ns" tcpreplay -q -i "$hb" $args --loop=0 \
		    --limit="$n" "$out/bench.pcap" >"$out/tcpreplay.log" 2>&1
		sleep 1 # the last blocks reach the probe
		c1=$(cpu_ticks "$probe_pid")
		set -- $(stop_probe "$probe")
		recv=$1 seen=$2 dropped=$3
		sent=$(sed -n 's/.*Actual: \([0-9]*\) packets.*/\1/p' "$out/tcpreplay.log")
		pps=$(sed -n 's/.*Rated: .* \([0-9.]*\) pps.*/\1/p' "$out/tcpreplay.log")
		cpu=$(awk -v t=$((c1 - c0)) -v hz="$hz" -v n="$seen" \
		    'BEGIN { if (n > 0) printf "%.3f", t / hz / (n / 1e6); else print "-" }')
		printf '%-12s %9s %9s %9s %9s %9s %8s %11s\n' "$probe" "$rate" \
		    "${pps%.*}" "$sent" "$recv" "$seen" "$dropped" "$cpu" |
		    tee -a "$out/results.txt"
		if [ "$recv" = "$sent" ] && [ "$dropped" = 0 ]; then
			if [ "$best" = none ] || [ "${pps%.*}" -gt "$best" ]; then
				best="${pps%.*}"
				best_cpu=$cpu
			fi
		else
			break # loss: higher rates lose more
		fi
	done
	summary="$summary$(printf '%-12s highest rate without loss: %s pps, %s CPU s per million packets' \
	    "$probe" "$best" "$best_cpu")
"
done
echo
printf '%s' "$summary" | tee -a "$out/results.txt"
echo "($(nproc) CPUs; tcpreplay shares them; results in $out/results.txt)"
