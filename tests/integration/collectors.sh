# Shared by the 3x cases: real collectors on loopback fed by tapflow's
# exporter, their output compared with tapflow's own JSON of the same run
# (and with the traffic generator's truth). Sourced after lib.sh.
HELPERS="$TOP/tests/integration/helpers"
FLOWCMP="python3 $HELPERS/flowcmp.py"
export TZ=UTC

# Everything started in the background by this case: "name:pid ...".
_bg=""

bg_cleanup() {
	for e in $_bg; do
		kill -TERM "${e#*:}" 2>/dev/null
	done
}
trap bg_cleanup EXIT
trap 'exit 2' INT TERM

need() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
	done
}

need_exporter() {
	[ -x "$TAPFLOW" ] || skip "tapflow is not built ($TAPFLOW)"
	need python3 jq
}

# bg_start NAME CMD...: CMD in the background, output in $dir/NAME.log.
bg_start() {
	_n=$1
	shift
	"$@" >"$dir/$_n.log" 2>&1 &
	_bg="$_bg $_n:$!"
}

bg_pid() {
	for e in $_bg; do
		[ "${e%%:*}" = "$1" ] && { echo "${e#*:}"; return 0; }
	done
	return 1
}

# bg_stop NAME [SIGNAL]: signal it (TERM), wait up to 10 s for it to exit,
# then KILL. Returns 1 if it had to be killed.
bg_stop() {
	_p=$(bg_pid "$1") || return 0
	kill -"${2:-TERM}" "$_p" 2>/dev/null
	_i=100
	while kill -0 "$_p" 2>/dev/null && [ $_i -gt 0 ]; do
		sleep 0.1
		_i=$((_i - 1))
	done
	_rc=0
	if kill -0 "$_p" 2>/dev/null; then
		echo "$1 (pid $_p) ignored SIG${2:-TERM} for 10 s: killed"
		kill -KILL "$_p" 2>/dev/null
		_rc=1
	fi
	wait "$_p" 2>/dev/null
	_nb=""
	for e in $_bg; do
		[ "${e%%:*}" = "$1" ] || _nb="$_nb $e"
	done
	_bg=$_nb
	return $_rc
}

udp_bound() {
	ss -Hlun "sport = :$1" 2>/dev/null | grep -q .
}

# The collector has read everything queued on its socket (Recv-Q 0).
udp_drained() {
	[ "$(ss -Hlun "sport = :$1" 2>/dev/null | awk '{ print $2 }')" = 0 ]
}

# wait_udp PORT NAME: the collector NAME is listening on PORT (5 s).
wait_udp() {
	wait_for "udp_bound $1" 50 ||
	    fail "$2 did not open UDP port $1 within 5 s: $(tail -n 3 \
		"$dir/$2.log")"
}

# wait_drained PORT...: every socket read empty (5 s), then a moment for
# the collector to process what it read.
wait_drained() {
	for _p in "$@"; do
		wait_for "udp_drained $_p" 50 ||
		    echo "warning: UDP port $_p still has queued data after 5 s"
	done
	sleep 0.3
}

# The captures each case replays: "NAME PATH" lines. The generator's
# truth capture first (its expected flows in $dir/truth.jsonl), then real
# ones: IPv4 TCP/UDP, and IPv6 + VLAN + ICMP.
captures() {
	if [ -x "$TOOLS/tfgen" ]; then
		if [ ! -f "$dir/truth.pcap" ]; then
			"$TOOLS/tfgen" --profile truth --seed 4242 \
			    --out "$dir/truth.pcap" --truth "$dir/truth.jsonl" \
			    >"$dir/tfgen.log" 2>&1 ||
			    fail "tfgen failed: $(tail -n 3 "$dir/tfgen.log")"
		fi
		echo "truth $dir/truth.pcap"
	fi
	echo "wikipedia $PCAPS/zeek__wikipedia.pcap"
	echo "tcpreplay $PCAPS/tcpreplay__test.pcap"
}

# export_run VERSION PCAP TAG PORT...: replay PCAP through the exporter,
# NetFlow/IPFIX version VERSION sent to 127.0.0.1:PORT for every PORT (more
# arguments for tapflow in EXPORT_ARGS). Leaves the reference flows of the
# same run in $dir/TAG.json (tapflow -j) and tapflow's counters in
# $dir/TAG.stats. Then waits for the collectors to drain their sockets.
export_run() {
	_v=$1 _pcap=$2 _tag=$3
	shift 3
	_n=""
	for _p in "$@"; do
		_n="$_n -n 127.0.0.1:$_p"
	done
	# shellcheck disable=SC2086 # word splitting intended
	timeout 60 "$TAPFLOW" -q -r "$_pcap" -v "$_v" $_n ${EXPORT_ARGS:-} \
	    -j "$dir/$_tag.json" --stats "$dir/$_tag.stats" \
	    >"$dir/$_tag.tapflow.log" 2>&1 ||
	    fail "tapflow -v $_v -r $_pcap: exit $?: $(tail -n 3 \
		"$dir/$_tag.tapflow.log")"
	_sent=$(jq '[.export.collectors[]?.send_failed] | add // 0' \
	    "$dir/$_tag.stats")
	[ "$_sent" = 0 ] || fail "tapflow: $_sent export sends failed"
	_sent=$(jq '[.export.collectors[]?.refused] | add // 0' \
	    "$dir/$_tag.stats")
	[ "$_sent" = 0 ] || fail "tapflow: $_sent ICMP port unreachable"
	wait_drained "$@"
}

# tshark_cflow PCAP PORT OUT: the export packets in PCAP, dissected as
# NetFlow/IPFIX, as JSON (times in UTC).
tshark_cflow() {
	tshark -r "$1" -d "udp.port==$2,cflow" -T json --no-duplicate-keys \
	    >"$3" 2>/dev/null
}

# The number of IPv6 flows in tapflow's JSON lines.
json_v6_flows() {
	grep -c '"sourceIPv6Address"' "$1"
}
