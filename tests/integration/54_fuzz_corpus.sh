#!/bin/sh
# The committed fuzz corpora (issue 7): every harness of tests/fuzz/ built
# without libFuzzer (make fuzz-replay: $BUILD/fuzz/fuzz_NAME, with the
# sanitizers in make san-check, whose variables reach this make through
# MAKEFLAGS) replays tests/fuzz/corpus/NAME; the capture harnesses also
# replay pcaps/regress/ and pcaps/. A crash, a sanitizer report or a
# broken invariant (the harnesses abort) fails the case. Prints the inputs
# replayed per harness.
. "$(dirname "$0")/lib.sh"
dir=$(case_dir)
make --no-print-directory -C "$TOP" BUILD="$BUILD" fuzz-replay \
    >"$dir/make.log" 2>&1 || { cat "$dir/make.log"; fail "make fuzz-replay"; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
n=0
for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	h=${name#fuzz_}
	bin="$TOP/$BUILD/fuzz/$name"
	[ -x "$bin" ] || fail "$bin not built"
	set -- "$TOP/tests/fuzz/corpus/$h"
	case $h in replay|capfile)
		set -- "$@" "$TOP/pcaps" $(ls -d "$TOP/pcaps/regress" 2>/dev/null)
		;;
	esac
	"$bin" "$@" >"$dir/$h.out" 2>&1
	rc=$?
	cat "$dir/$h.out" | tail -n 1
	[ "$rc" -eq 0 ] || { tail -n 30 "$dir/$h.out"; fail "$name: exit $rc"; }
	n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "only $n harnesses"
echo "$n harnesses replayed their corpora cleanly"
