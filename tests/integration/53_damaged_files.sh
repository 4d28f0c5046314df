#!/bin/sh
# Damaged capture files (issue 7). Each case gives one line on standard
# error naming the file, and a defined exit code (main.c: 1 = refused
# before the start, 2 = damaged during the replay). When the damage comes
# after some packets, the flows counted before it are still exported: the
# JSON lines equal those of a replay of the undamaged prefix (the file
# cut at the last whole record, computed here from the pcap record
# headers), and that prefix's packet count equals tshark's.
#  cut     a capture cut in the middle of a record            exit 2
#  garbage a valid file header followed by 0xff bytes         exit 2
#  snaplen a record longer than the snaplen (suricata bug 6875) exit 2
#  empty   0 bytes                                            exit 1
#  dir     a directory                                        exit 1
#  missing a nonexistent path                                 exit 1
. "$(dirname "$0")/lib.sh"
dir=$(case_dir)

# offsets FILE: the start offset of every record of a classic pcap, and
# the file length, one per line (record header: caplen at +8, 4 bytes)
offsets() {
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
p = 24
while p + 16 <= len(d):
    print(p)
    p += 16 + struct.unpack(e + "I", d[p + 8:p + 12])[0]
print(len(d))
PY
}

# expect NAME FILE RC: run tapflow, check the exit code and one line
expect() {
	rm -f "$dir/$1.jsonl"
	"$TAPFLOW" -r "$2" -j "$dir/$1.jsonl" --stats "$dir/$1.stats" \
	    2>"$dir/$1.err"
	rc=$?
	n=$(grep -c . "$dir/$1.err")
	echo "$1: exit $rc: $(cat "$dir/$1.err")"
	[ "$rc" -eq "$3" ] || fail "$1: exit $rc, expected $3"
	[ "$n" -eq 1 ] || fail "$1: $n lines on stderr, expected 1"
	grep -qF "$2" "$dir/$1.err" || fail "$1: message does not name $2"
}

# same_as_prefix NAME FILE BYTES: the JSON equals that of FILE's first
# BYTES bytes (whole records), and that prefix has tshark's packet count
same_as_prefix() {
	head -c "$3" "$2" >"$dir/$1.prefix.pcap"
	"$TAPFLOW" -r "$dir/$1.prefix.pcap" -j "$dir/$1.prefix.jsonl" \
	    2>/dev/null || fail "$1: the prefix replay failed"
	cmp -s "$dir/$1.jsonl" "$dir/$1.prefix.jsonl" ||
	    fail "$1: JSON differs from the undamaged prefix's"
	seen=$(jq .packets_seen "$dir/$1.stats")
	ts=$(tshark -r "$dir/$1.prefix.pcap" 2>/dev/null | grep -c .)
	[ "$seen" -eq "$ts" ] ||
	    fail "$1: $seen packets seen, tshark reads $ts in the prefix"
	echo "$1: $(grep -c . "$dir/$1.jsonl") flows ($seen packets) before" \
	    "the damage, equal to the prefix's"
}

src="$PCAPS/tcpreplay__test.pcap"
set -- $(offsets "$src")
n=$(($# - 1))
[ "$n" -ge 10 ] || fail "test capture has $n records"
# cut in the middle of record n/2
eval "rec=\${$((n / 2 + 1))}"
eval "next=\${$((n / 2 + 2))}"
head -c $(((rec + next) / 2)) "$src" >"$dir/cut.pcap"
expect cut "$dir/cut.pcap" 2
[ -s "$dir/cut.jsonl" ] || fail "cut: no flows exported"
same_as_prefix cut "$dir/cut.pcap" "$rec"

head -c 24 "$src" >"$dir/garbage.pcap"
head -c 4000 /dev/zero | tr '\0' '\377' >>"$dir/garbage.pcap"
expect garbage "$dir/garbage.pcap" 2
[ ! -s "$dir/garbage.jsonl" ] || fail "garbage: flows from garbage"

snap="$PCAPS/suricata__bug-6875-01-fuzz.pcap"
set -- $(offsets "$snap")
expect snaplen "$snap" 2
same_as_prefix snaplen "$snap" "$2"

: >"$dir/empty.pcap"
expect empty "$dir/empty.pcap" 1
[ ! -s "$dir/empty.jsonl" ] || fail "empty: flows written"
mkdir -p "$dir/adir"
expect dir "$dir/adir" 1
expect missing "$dir/no-such-file.pcap" 1
echo "6 damaged inputs: one line each, exit codes as main.c defines"
