#!/bin/sh
# make lint: formatting, clang-tidy and cppcheck over the project's C.
set -u
cd "$(dirname "$0")/.."
rc=0
SRC=$(ls common/*.c probe/*.c export/*.c 2>/dev/null)
HDR=$(ls common/*.h probe/*.h export/*.h 2>/dev/null)
CFLAGS="-std=c11 -D_DEFAULT_SOURCE $(pkg-config --cflags libpcap jansson)"

echo "== clang-format"
clang-format --dry-run -Werror $SRC $HDR || rc=1
echo "== clang-tidy"
for f in $SRC; do
	clang-tidy --quiet "$f" -- $CFLAGS 2>/dev/null || { rc=1; echo "clang-tidy: $f"; }
done
echo "== cppcheck"
cppcheck --quiet --enable=warning,performance,portability --error-exitcode=1 \
    --inline-suppr --std=c11 -D__GNUC__ -I common -I probe -I export $SRC || rc=1
[ $rc -eq 0 ] && echo "lint: clean" || echo "lint: problems found"
exit $rc
