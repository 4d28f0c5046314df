#!/bin/sh
# Run every integration case: tests/integration/*.sh other than this file
# and lib.sh. A case exits 0 (pass), 77 (skipped, with its reason on
# stdout) or anything else (fail). Ends with "integration: N passed,
# N failed, N skipped".
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-build}
export TOP="$top" BUILD
export TAPFLOW="$top/$BUILD/tapflow"
export TAPFLOWCTL="$top/$BUILD/tapflowctl"
export TOOLS="$top/$BUILD/tools"
export OUT="$top/tests/out/$BUILD"
mkdir -p "$OUT"
pass=0
fail=0
skip=0
failed=""
for t in "$here"/[0-9]*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	log="$OUT/$name.log"
	start=$(date +%s)
	sh "$t" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $name (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "SKIP $name: $(tail -n 1 "$log")" ;;
	*) fail=$((fail + 1)); failed="$failed $name"
	   echo "FAIL $name (rc $rc, ${secs}s), last lines of $log:"
	   tail -n 25 "$log" | sed 's/^/    /' ;;
	esac
done
echo "integration: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
