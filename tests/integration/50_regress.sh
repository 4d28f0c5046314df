#!/bin/sh
# Regression captures (issue 7): pcaps/regress/ holds one tiny capture per
# bug found (by fuzzing or by hand). Each is replayed with -j and --stats;
# tapflow must end normally (exit 0, or 2 for a file damaged on purpose,
# never a signal or a sanitizer abort: san-check runs this too), and if
# NAME.check exists beside NAME, it is sourced with $json, $stats and $rc
# set, to check what the fix must keep true. Prints one line per capture.
. "$(dirname "$0")/lib.sh"
dir=$(case_dir)
n=0
for f in "$PCAPS"/regress/*; do
	[ -f "$f" ] || continue
	case $f in *.check|*.md|*.txt) continue ;; esac
	name=$(basename "$f")
	json="$dir/$name.jsonl"
	stats="$dir/$name.stats"
	"$TAPFLOW" -r "$f" -j "$json" --stats "$stats" 2>"$dir/$name.err"
	rc=$?
	case $rc in
	0|2) ;;
	*) cat "$dir/$name.err"; fail "$name: exit $rc" ;;
	esac
	if [ -f "$f.check" ]; then
		. "$f.check" || fail "$name: $f.check failed"
	fi
	echo "$name: exit $rc, $(grep -c . "$json") flows," \
	    "$(jq .packets_seen "$stats") packets"
	n=$((n + 1))
done
echo "$n regression captures replayed"
