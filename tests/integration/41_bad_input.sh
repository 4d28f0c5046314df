#!/bin/sh
# Issue 5's table of bad input: each case must print one line naming what
# is wrong, exit 1 before anything starts, and leave no pid file, control
# socket or output file behind.
. "$(dirname "$0")/lib.sh"
dir=$(case_dir)
cap="$PCAPS/zeek__wikipedia.pcap"
bad=0
n=0

# check NAME REGEX ARGS...: stderr is one line matching REGEX, exit 1
check() {
	name=$1
	re=$2
	shift 2
	n=$((n + 1))
	rm -f "$dir/pid" "$dir/ctl" "$dir/out.json"
	"$TAPFLOW" "$@" >"$dir/out" 2>"$dir/err" </dev/null
	rc=$?
	lines=$(wc -l <"$dir/err")
	if [ $rc -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -qE -e "$re" "$dir/err"; then
		echo "BAD $name: rc $rc, $lines lines: $(cat "$dir/err")"
		bad=$((bad + 1))
	elif [ -e "$dir/pid" ] || [ -e "$dir/ctl" ] || [ -s "$dir/out.json" ]; then
		echo "BAD $name: left a pid file, socket or flows behind"
		bad=$((bad + 1))
	else
		echo "ok $name: $(cat "$dir/err")"
	fi
}
common="-p $dir/pid -c $dir/ctl -j $dir/out.json"

check "unknown option" '--bogus: unknown option' -r "$cap" --bogus
check "unknown short option" '-Z: unknown option' -r "$cap" -Z
check "-n without port" '127\.0\.0\.1: missing port' -r "$cap" -n 127.0.0.1
check "-n v6 without brackets" 'needs brackets' -r "$cap" -n ::1:2055
check "-n port out of range" 'bad port "70000"' -r "$cap" -n 127.0.0.1:70000
check "-n missing value" '^tapflow: -n: missing value' -r "$cap" -n
check "timeout abc" 'tcp=abc: bad seconds "abc"' -r "$cap" -t tcp=abc
check "unknown timeout" 'unknown timeout "bogus"' -r "$cap" -t bogus=3
check "-m 0" '-m 0: expected a number' -r "$cap" -m 0
check "-v 7" '-v 7: expected 1, 5, 9, 10 or ipfix' -r "$cap" -v 7
check "-T bogus" '-T bogus: expected' -r "$cap" -T bogus
check "-P tcp with v5" 'only IPFIX' -r "$cap" -v 5 -P tcp -n 127.0.0.1:2055
check "nothing to read" 'nothing to read' -j "$dir/out.json"
check "collector does not resolve" 'nosuchhost\.invalid:2055: ' \
    -r "$cap" -n nosuchhost.invalid:2055 $common
check "filter does not compile" 'filter "tcp port".*syntax error' \
    -r "$cap" $common tcp port
check "interface does not exist" 'interface tapflownosuch0: no such interface' \
    -d -i tapflownosuch0 $common
check "file does not exist" "$dir/nope.pcap: No such file" \
    -r "$dir/nope.pcap" $common
check "file is not a capture" 'not a pcap or pcapng file' \
    -r "$TOP/README.md" $common
check "directory" "[Ii]s a directory" -r "$PCAPS" $common
check "empty file" 'empty|end of file|byte 0' -r /dev/null $common
check "unsupported link type" 'unsupported link type 127' \
    -r "$PCAPS/arkime__80211http.pcap" $common
check "second file bad, nothing starts" 'not a pcap or pcapng file' \
    -r "$cap" -r "$TOP/README.md" $common
echo "$n cases, $bad bad"
[ $bad -eq 0 ]
