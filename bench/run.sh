#!/bin/sh
# make bench (issue 8): throughput and memory of tapflow beside the pcap
# floor, softflowd and (optionally) pmacctd, on tfgen captures with about
# 10 k, 100 k and 1 M flows alive at once. Loopback only, no root.
# See bench/README.md for how to read the output.
#
# Environment:
#   RUNS=5                  runs per tool and workload (the median is shown)
#   WORKLOADS="10k:10000:5000000 100k:100000:5000000 1m:1000000:10000000"
#                           name:concurrent:packets, space separated
#   SEED=8                  tfgen seed
#   BENCH_PMACCT=0          1: also time pmacctd -P nfprobe (slow)
#   BENCH_EXACT=1           0: skip the JSON-versus-truth check
#   BUILD=build
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${BUILD:-build}
TAPFLOW=${TAPFLOW:-$top/$BUILD/tapflow}
TOOLS=${TOOLS:-$top/$BUILD/tools}
OUTD=${BENCH_OUT:-$here/out}
RUNS=${RUNS:-5}
SEED=${SEED:-8}
WORKLOADS=${WORKLOADS:-"10k:10000:5000000 100k:100000:5000000 1m:1000000:10000000"}
BENCH_PMACCT=${BENCH_PMACCT:-0}
BENCH_EXACT=${BENCH_EXACT:-1}
TIMEOUTS="-t maxlife=1800 -t tcp=15 -t udp=15 -t icmp=15 -t general=15
-t tcp.fin=5 -t tcp.rst=2"
mkdir -p "$OUTD"
[ -x "$TOOLS/tfgen" ] && [ -x "$TOOLS/pcapfloor" ] || {
	echo "bench: build the tools first (make tools)" >&2
	exit 1
}
have_tapflow=0
[ -x "$TAPFLOW" ] && have_tapflow=1
have_softflowd=0
command -v softflowd >/dev/null 2>&1 && have_softflowd=1
have_pmacctd=0
[ "$BENCH_PMACCT" = 1 ] && command -v pmacctd >/dev/null 2>&1 &&
    have_pmacctd=1
gnutime=""
[ -x /usr/bin/time ] && gnutime=/usr/bin/time

now_ns() {
	date +%s%N
}

# A loopback UDP port nothing listens on; exports to it are dropped by
# the kernel (ICMP port unreachable), which costs the exporter one
# sendto() per datagram, as a real collector would.
udp_port() {
	p=${1:-39000}
	while ss -Hlun "sport = :$p" 2>/dev/null | grep -q .; do
		p=$((p + 1))
	done
	echo "$p"
}
PORT=$(udp_port 39000)

# timed LABEL CMD...: runs CMD, appends "seconds rss_kb" to $res/LABEL;
# its stdout and stderr go to $res/LABEL.log (last run).
timed() {
	label=$1
	shift
	t0=$(now_ns)
	if [ -n "$gnutime" ]; then
		# peak RSS (KB) and CPU seconds (user + system)
		$gnutime -f "%M %U %S" -o "$res/$label.rss" "$@" \
		    >"$res/$label.log" 2>&1
	else
		"$@" >"$res/$label.log" 2>&1
		echo "0 0 0" >"$res/$label.rss"
	fi
	rc=$?
	t1=$(now_ns)
	if [ $rc -ne 0 ]; then
		echo "bench: $label exited $rc; see $res/$label.log" >&2
		tail -n 5 "$res/$label.log" >&2
		return 1
	fi
	echo "$(((t1 - t0) / 1000)) $(tail -n 1 "$res/$label.rss" |
	    awk '{ printf "%d %.2f", $1, $2 + $3 }')" >>"$res/$label.runs"
}

# median seconds, max RSS (KB) and median CPU seconds of a label:
# "secs rss_kb cpu_s"
summary() {
	[ -s "$res/$1.runs" ] || { echo "- - -"; return; }
	sort -n "$res/$1.runs" | awk '{ t[NR] = $1; if ($2 > m) m = $2 }
	    END { printf "%.3f %d ", t[int((NR + 1) / 2)] / 1e6, m }'
	sort -n -k 3 "$res/$1.runs" | awk '{ c[NR] = $3 }
	    END { printf "%.2f\n", c[int((NR + 1) / 2)] }'
}

# One flow per line, fixed field order, sorted (as tests/integration/20_truth.sh).
norm() {
	jq -r 'select(has("flowEndReason")) |
	    [(.sourceIPv4Address // .sourceIPv6Address),
	     (.destinationIPv4Address // .destinationIPv6Address),
	     .sourceTransportPort, .destinationTransportPort,
	     .protocolIdentifier, .ipClassOfService,
	     (.ingressInterface // 0), (.vlanId // 0),
	     .packetDeltaCount, .octetDeltaCount,
	     .flowStartMilliseconds, .flowEndMilliseconds,
	     .tcpControlBits, .flowEndReason] | @tsv' "$1" |
	    LC_ALL=C sort -S 25% --parallel=2
}

# Baseline RSS: each tool on a tiny capture with a tiny table.
tiny="$OUTD/tiny.pcap"
"$TOOLS/tfgen" --profile truth --flows 30 --seed 1 --out "$tiny" 2>/dev/null
res="$OUTD/baseline"
mkdir -p "$res"
rm -f "$res"/*.runs
base_tf=0
base_sf=0
if [ $have_tapflow = 1 ]; then
	# shellcheck disable=SC2086
	timed tapflow "$TAPFLOW" -r "$tiny" -n "127.0.0.1:$PORT" -v 10 \
	    --max-flows 1024 $TIMEOUTS && base_tf=$(summary tapflow | cut -d' ' -f2)
fi
if [ $have_softflowd = 1 ]; then
	# shellcheck disable=SC2086
	timed softflowd softflowd -d -r "$tiny" -n "127.0.0.1:$PORT" -v 10 \
	    -m 1024 $TIMEOUTS && base_sf=$(summary softflowd | cut -d' ' -f2)
fi

report="$OUTD/report.txt"
: >"$report"
say() {
	echo "$*" | tee -a "$report"
}
say "tapflow bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs," \
    "runs=$RUNS (median), seed=$SEED"
say "baseline RSS (tiny capture, 1024-flow table): tapflow ${base_tf} KB," \
    "softflowd ${base_sf} KB"

for w in $WORKLOADS; do
	name=${w%%:*}
	rest=${w#*:}
	conc=${rest%%:*}
	pkts=${rest#*:}
	pcap="$OUTD/$name-s$SEED-c$conc-p$pkts.pcap"
	truth="${pcap%.pcap}.truth.jsonl"
	meta="${pcap%.pcap}.gen"
	res="$OUTD/$name"
	mkdir -p "$res"
	rm -f "$res"/*.runs
	if [ ! -s "$pcap" ] || [ ! -s "$meta" ]; then
		echo "bench: generating $pcap"
		t0=$(now_ns)
		"$TOOLS/tfgen" --profile bench --seed "$SEED" \
		    --concurrent "$conc" --packets "$pkts" --out "$pcap" \
		    --truth "$truth" 2>"$meta" || {
			cat "$meta" >&2
			exit 1
		}
		echo "bench: generated in $((($(now_ns) - t0) / 1000000)) ms:" \
		    "$(cat "$meta")"
	fi
	npk=$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' "$meta")
	nfl=$(sed -n 's/.* flows=\([0-9]*\).*/\1/p' "$meta")
	peak=$(sed -n 's/.*peak_flows=\([0-9]*\).*/\1/p' "$meta")
	maxf=$((peak + peak / 4 + 1024)) # room: no lack-of-resources expiry
	cat "$pcap" >/dev/null           # warm the page cache

	if [ $have_tapflow = 1 ] && [ "$BENCH_EXACT" = 1 ]; then
		# an extra run writing JSON, outside the timed ones
		# shellcheck disable=SC2086
		timed tapflow_json "$TAPFLOW" -r "$pcap" -n "127.0.0.1:$PORT" \
		    -v 10 --max-flows "$maxf" $TIMEOUTS -j "$res/tapflow.jsonl"
		# its JSON (100s of MB) is written back now, not during the
		# timed runs: that cost the first tapflow run +50 % (10k)
		sync
	fi
	r=1
	while [ $r -le "$RUNS" ]; do
		timed floor "$TOOLS/pcapfloor" "$pcap"
		if [ $have_tapflow = 1 ]; then
			# shellcheck disable=SC2086
			timed tapflow "$TAPFLOW" -r "$pcap" \
			    -n "127.0.0.1:$PORT" -v 10 --max-flows "$maxf" \
			    $TIMEOUTS
		fi
		if [ $have_softflowd = 1 ]; then
			# shellcheck disable=SC2086
			timed softflowd softflowd -d -r "$pcap" \
			    -n "127.0.0.1:$PORT" -v 10 -m "$maxf" $TIMEOUTS
		fi
		if [ $have_pmacctd = 1 ]; then
			cat >"$res/pmacctd.conf" <<EOF
daemonize: false
pcap_savefile: $pcap
plugins: nfprobe
nfprobe_receiver: 127.0.0.1:$PORT
nfprobe_version: 10
nfprobe_maxflows: $maxf
nfprobe_timeouts: tcp=15:udp=15:icmp=15:general=15:maxlife=1800:tcp.fin=5:tcp.rst=2
aggregate: src_host, dst_host, src_port, dst_port, proto, tos
EOF
			timed pmacctd pmacctd -f "$res/pmacctd.conf"
		fi
		r=$((r + 1))
	done

	exact="not checked"
	if [ $have_tapflow = 1 ] && [ "$BENCH_EXACT" = 1 ] &&
	    [ -f "$res/tapflow.jsonl" ]; then
		norm "$truth" >"$res/truth.tsv"
		norm "$res/tapflow.jsonl" >"$res/tapflow.tsv"
		if cmp -s "$res/truth.tsv" "$res/tapflow.tsv"; then
			exact="EXACT ($nfl flows equal the truth)"
		else
			exact="WRONG: $(diff "$res/truth.tsv" "$res/tapflow.tsv" |
			    grep -c '^[<>]') differing lines (truth" \
			    "$(wc -l <"$res/truth.tsv"), tapflow" \
			    "$(wc -l <"$res/tapflow.tsv")); see $res/*.tsv"
		fi
	elif [ $have_tapflow = 1 ]; then
		exact="skipped (BENCH_EXACT=0)"
	fi
	sync # the sorted copies too, before the next workload's runs

	say ""
	say "== $name: $npk packets, $nfl flows, peak $peak flows alive," \
	    "--max-flows/-m $maxf"
	fl=$(summary floor)
	fl_s=${fl%% *}
	fl_c=${fl##* }
	tf=$(summary tapflow)
	tf_s=${tf%% *}
	printf '%-10s %8s %6s %7s %7s %6s %7s %8s %6s %6s %9s\n' tool \
	    seconds Mpps ns/pkt x_floor cpu_s x_fl_cpu peakRSS_MB B/flow \
	    B/max flows/s | tee -a "$report"
	for tool in floor tapflow softflowd pmacctd; do
		s=$(summary $tool)
		secs=${s%% *}
		cpu=${s##* }
		rss=${s#* }
		rss=${rss%% *}
		[ "$secs" = "-" ] && continue
		case $tool in
		tapflow) base=$base_tf ;;
		softflowd) base=$base_sf ;;
		*) base=0 ;;
		esac
		awk -v t="$tool" -v s="$secs" -v rss="$rss" -v b="$base" \
		    -v p="$npk" -v f="$nfl" -v pk="$peak" -v fl="$fl_s" \
		    -v c="$cpu" -v flc="$fl_c" -v mx="$maxf" '
		BEGIN {
			bpf = "-"
			bpm = "-"
			if (t != "floor" && rss > 0) {
				bpf = sprintf("%.0f", (rss - b) * 1024 / pk)
				bpm = sprintf("%.0f", (rss - b) * 1024 / mx)
			}
			fps = t == "floor" ? "-" : sprintf("%.0f", f / s)
			xc = flc > 0 ? sprintf("%.2f", c / flc) : "-"
			printf "%-10s %8.3f %6.2f %7.1f %7.2f %6.2f %7s " \
			    "%8.1f %6s %6s %9s\n",
			    t, s, p / s / 1e6, s * 1e9 / p, s / fl, c, xc,
			    rss / 1024, bpf, bpm, fps
		}' | tee -a "$report"
	done
	sf=$(summary softflowd)
	sf_s=${sf%% *}
	if [ "$tf_s" != "-" ] && [ "$sf_s" != "-" ]; then
		say "softflowd/tapflow time: $(awk -v a="$sf_s" -v b="$tf_s" \
		    'BEGIN { printf "%.2f", a / b }')"
	fi
	if [ $have_tapflow = 1 ]; then
		own=$(grep -iE 'bytes.?per.?flow|mem' "$res/tapflow.log" | head -n 2)
		[ -n "$own" ] && say "tapflow's own memory figure: $own"
	else
		say "tapflow: not built ($TAPFLOW); floor and softflowd only"
	fi
	say "exactness: $exact"
done
# The encoders alone: v9 and IPFIX data records per second (target 10 M).
if [ -x "$TOOLS/encbench" ]; then
	say ""
	say "== encoders (build/tools/encbench ${ENC_RECORDS:-20000000})"
	"$TOOLS/encbench" "${ENC_RECORDS:-20000000}" | tee -a "$report"
fi
say ""
say "report: $report"
case "$(cat "$report")" in
*WRONG*) exit 1 ;;
esac
exit 0
