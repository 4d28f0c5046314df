#!/bin/sh
# make fuzz [FUZZ_SECONDS=N]: build the libFuzzer harnesses with clang
# (-fsanitize=fuzzer,address,undefined; the library with fuzzer-no-link
# coverage) into build-fuzz/, seed each working corpus from the committed
# one (tests/fuzz/corpus/NAME) and from pcaps/ (whole small captures and
# the first 4 KiB of big ones for fuzz_replay; every capture split into
# single-packet inputs for fuzz_decode), then run the harnesses one after
# the other (the machine is shared) for N seconds each (default 60).
# A crash does not end a harness's time: it is saved under
# build-fuzz/crashes/NAME/ and the fuzzer starts again. Prints, per
# harness, the executions and the crash files found.
#   FUZZERS="decode replay" sh tests/fuzz/run.sh 600   some harnesses only
set -u
cd "$(dirname "$0")/../.."
TOP=$(pwd)
SECS=${1:-60}
[ -n "$SECS" ] || SECS=60
B=build-fuzz
DEFAULT="decode replay config control"
[ -f probe/capfile.c ] && DEFAULT="$DEFAULT capfile"
FUZZERS=${FUZZERS:-$DEFAULT}
FLAGS="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
LIBS="$(pkg-config --libs libpcap jansson) -lxxhash -lm"

command -v clang >/dev/null || { echo "fuzz: clang not found"; exit 1; }
echo "== building into $B/"
CFLAGS=-fsanitize=fuzzer-no-link make --no-print-directory BUILD=$B SAN=1 \
    CC=clang $B/libtapflow.a || exit 1
make --no-print-directory fuzz-replay >/dev/null || exit 1 # the splitter
for f in $FUZZERS; do
	clang -std=c11 -D_DEFAULT_SOURCE -O1 -g -fno-omit-frame-pointer \
	    -DFUZZ_LIBFUZZER $FLAGS $(pkg-config --cflags libpcap jansson) \
	    -o $B/fuzz_$f tests/fuzz/fuzz_$f.c $B/libtapflow.a $LIBS || exit 1
done

echo "== seeding corpora"
for f in $FUZZERS; do
	mkdir -p $B/corpus/$f $B/crashes/$f
	cp -n tests/fuzz/corpus/$f/* $B/corpus/$f/ 2>/dev/null
done
for f in replay capfile; do
	case " $FUZZERS " in *" $f "*) ;; *) continue ;; esac
	for p in pcaps/*.pcap pcaps/*.pcapng pcaps/regress/*; do
		[ -f "$p" ] || continue
		n=$(basename "$p")
		if [ "$(wc -c <"$p")" -le 65536 ]; then
			cp -n "$p" $B/corpus/$f/"$n"
		else
			head -c 4096 "$p" >$B/corpus/$f/"$n.head"
		fi
	done
done
case " $FUZZERS " in *" decode "*)
	build/fuzz/fuzz_decode --split $B/corpus/decode 200 \
	    pcaps/*.pcap pcaps/*.pcapng pcaps/regress/* 2>/dev/null ;;
esac

# run NAME SECONDS: fuzz until the time is used, restarting after crashes
run() {
	name=$1
	left=$2
	execs=0
	log=$B/fuzz_$name.log
	: >"$log"
	while [ "$left" -gt 0 ]; do
		start=$(date +%s)
		$B/fuzz_$name -max_total_time="$left" -print_final_stats=1 \
		    -close_fd_mask=1 -max_len=65536 -timeout=10 \
		    -rss_limit_mb=2048 \
		    -artifact_prefix=$B/crashes/$name/ $B/corpus/$name \
		    >>"$log" 2>&1
		n=$(grep 'stat::number_of_executed_units' "$log" |
		    tail -n 1 | awk '{ print $2 }')
		execs=$((execs + ${n:-0}))
		# count each run once
		sed -i 's/stat::number_of_executed_units/counted_units/' "$log"
		used=$(($(date +%s) - start))
		[ "$used" -lt 1 ] && used=1
		left=$((left - used))
	done
	crashes=$(ls $B/crashes/$name 2>/dev/null | wc -l)
	echo "fuzz_$name: $execs executions in ${2}s, $crashes crash" \
	    "files in $B/crashes/$name/ (log $log)"
	ls $B/crashes/$name 2>/dev/null | sed 's/^/    /'
}

echo "== fuzzing, ${SECS}s per harness"
total=0
for f in $FUZZERS; do
	run "$f" "$SECS"
	total=$((total + $(ls $B/crashes/$f 2>/dev/null | wc -l)))
done
echo "fuzz: $total crash files"
[ "$total" -eq 0 ]
