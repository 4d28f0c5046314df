#!/bin/sh
# Run each Check suite (fork mode) and sum the results.
# Ends with "unit: N passed, N failed"; exits non-zero if any failed.
pass=0
fail=0
bad_bins=""
for bin in "$@"; do
	out=$(CK_FORK=yes "$bin" 2>&1)
	rc=$?
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks: ' | tail -n 1)
	printf '%s: %s\n' "$(basename "$bin")" "${line:-no summary (rc $rc)}"
	if [ -n "$line" ]; then
		n=$(printf '%s' "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
		f=$(printf '%s' "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
		e=$(printf '%s' "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
		pass=$((pass + n - f - e))
		fail=$((fail + f + e))
	else
		fail=$((fail + 1))
	fi
	if [ $rc -ne 0 ] || [ -z "$line" ]; then
		bad_bins="$bad_bins $(basename "$bin")"
		printf '%s\n' "$out" | grep -vE '^[0-9]+%: Checks: ' |
		    grep -E ':(F|E):|Assertion|ERROR|runtime error' | head -n 40
		[ -z "$line" ] && printf '%s\n' "$out" | tail -n 20
	fi
done
echo "unit: $pass passed, $fail failed"
[ -z "$bad_bins" ] && [ $fail -eq 0 ]
