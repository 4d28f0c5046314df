# Helpers for integration cases (sourced). Env from run.sh: TOP, BUILD,
# TAPFLOW, TAPFLOWCTL, TOOLS, OUT.
set -u
: "${TOP:?run through tests/integration/run.sh}"
PCAPS="$TOP/pcaps"

fail() {
	echo "FAIL: $*"
	exit 1
}

skip() {
	echo "skipped: $*"
	exit 77
}

# A fresh scratch directory for this case.
case_dir() {
	d="$OUT/$(basename "$0" .sh)"
	rm -rf "$d"
	mkdir -p "$d"
	echo "$d"
}

# A UDP port that nothing listens on now (loopback), from a range per case.
free_udp_port() {
	p=${1:-20000}
	while ss -Hlun "sport = :$p" 2>/dev/null | grep -q .; do
		p=$((p + 1))
	done
	echo "$p"
}

# Outermost network layer per frame, as tshark dissects it: "V4 V6".
tshark_ip_counts() {
	tshark -r "$1" -T fields -e frame.protocols 2>/dev/null |
	    awk -F: '{ for (i = 1; i <= NF; i++) {
		if ($i == "ip") { v4++; break }
		if ($i == "ipv6") { v6++; break } } }
		END { print v4 + 0, v6 + 0 }'
}

# Wait until a process has written a file or a port is up (max N tenths).
wait_for() {
	n=${2:-50}
	while [ "$n" -gt 0 ]; do
		eval "$1" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
