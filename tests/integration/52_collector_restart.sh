#!/bin/sh
# Collector down -> up -> down (issue 7). A python writer feeds tapflow a
# pcap slowly on standard input (-r -), in real time, 1000 packets/s, each
# packet a new UDP flow (-t udp=1: flows expire all along). A python
# collector (helpers/ipfix_coll.py) is started and stopped under it:
#  UDP (-v 10): up 4 s, down 4 s, up 4 s, down until the end. tapflow
#    keeps running (alive at every phase, exit 0), counts the ICMP port
#    unreachable errors while the collector is down (--stats
#    export.collectors[0].refused > 0; the datagram that got the error is
#    sent again, so send_failed stays 0 on loopback), and each collector
#    session has every message sent while it was up: the IPFIX sequence
#    numbers (RFC 7011 3.1, data records) have no gap inside a session.
#  TCP (-P tcp): up, down, up, down, up (4 s each, the last until tapflow
#    has finished). Nothing is lost: over
#    all sessions the sequence numbers run on without a gap, every
#    connection starts with templates, and the flow records received equal
#    the JSON lines tapflow wrote (-j). The collector stops the way a
#    collector restarts: it sends FIN and reads until tapflow closes.
. "$(dirname "$0")/lib.sh"
dir=$(case_dir)
H="$(dirname "$0")/helpers/ipfix_coll.py"
PHASE=${PHASE:-4}
command -v python3 >/dev/null || skip "no python3"

# phases MODE PORT UP|DOWN...: run the collector through the phases
phases() {
	mode=$1 port=$2
	shift 2
	i=0
	for ph in "$@"; do
		i=$((i + 1))
		[ -z "$TPID" ] || kill -0 "$TPID" 2>/dev/null ||
		    fail "tapflow died in phase $i"
		if [ "$ph" = up ]; then
			python3 "$H" "$mode" "$port" "$dir/$mode.$i" &
			CPID=$!
			sleep "$PHASE"
			# the last phase lasts until tapflow has finished
			[ "$i" -eq $# ] && [ "$mode" = tcp ] && {
				wait "$TPID"
				TRC=$?
				TPID=
			}
			kill "$CPID"
			wait "$CPID"
		else
			sleep "$PHASE"
		fi
		echo "$mode phase $i ($ph) done"
	done
}

run() {
	mode=$1
	shift
	port=$(free_udp_port 24000)
	[ "$mode" = tcp ] && port=$((port + 7))
	secs=$((PHASE * $# + 1))
	python3 "$H" writer "$secs" 1000 |
	    "$TAPFLOW" -r - -t udp=1 -n 127.0.0.1:$port -v 10 \
		$([ "$mode" = tcp ] && echo "-P tcp") -j "$dir/$mode.jsonl" \
		--stats "$dir/$mode.stats" 2>"$dir/$mode.err" &
	TPID=$!
	TRC=0
	phases "$mode" "$port" "$@"
	if [ -n "$TPID" ]; then
		wait "$TPID"
		TRC=$?
	fi
	rc=$TRC
	cat "$dir/$mode.err"
	[ "$rc" -eq 0 ] || fail "$mode: tapflow exit $rc"
	jq -c '.export.collectors[0]' "$dir/$mode.stats"
}

# UDP
run udp up down up down
refused=$(jq '.export.collectors[0].refused' "$dir/udp.stats")
failed=$(jq '.export.collectors[0].send_failed' "$dir/udp.stats")
sent=$(jq '.export.collectors[0].packets_sent' "$dir/udp.stats")
echo "udp: $sent messages sent, $refused port unreachable errors, $failed failed"
[ "$refused" -gt 0 ] || fail "udp: no port unreachable counted while down"
grep -q "port unreachable" "$dir/udp.err" ||
    fail "udp: no warning that the collector is down"
python3 "$H" check udp $(ls "$dir"/udp.[0-9] | sort) >"$dir/udp.check" ||
    { cat "$dir/udp.check"; fail "udp: messages lost while up"; }
cat "$dir/udp.check"

# TCP
run tcp up down up down up
python3 "$H" check tcp $(ls "$dir"/tcp.[0-9] | sort) >"$dir/tcp.check" ||
    { cat "$dir/tcp.check"; fail "tcp: records lost across restarts"; }
cat "$dir/tcp.check"
got=$(sed -n 's/^FLOWS //p' "$dir/tcp.check")
want=$(grep -c . "$dir/tcp.jsonl")
echo "tcp: $got flow records received, $want flows in the JSON"
[ "$got" -eq "$want" ] || fail "tcp: $got flow records received of $want"
echo "tcp: nothing lost across 2 collector restarts"
