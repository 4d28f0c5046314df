#!/bin/sh
# Control socket, pid file, signals and privilege drop on a live capture of
# the loopback interface, with traffic this case sends itself to 127.0.0.1.
#
#   tapflow -d -i lo -p PID -c SOCK -n 127.0.0.1:CPORT -j FLOWS --stats S
#           -t udp=300 'udp and dst port TPORT'
#
# Checks: pid file holds the pid; socket is mode 0600; tapflowctl
# statistics / dump-flows / timeouts / expire-all / exporters answer with
# the values the traffic implies (IP total lengths computed by hand); a raw
# unknown request gets an error object; tapflowctl fails cleanly on a
# missing socket; SIGTERM exits 0, removes the pid file and the socket, and
# every flow reaches both the JSON file and the collector (IPFIX decoded
# here by a small independent parser). Then with -u nobody the running
# process has no capability (CapEff/CapPrm/CapBnd 0) and still answers.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "live capture on lo needs root"
command -v python3 >/dev/null || skip "python3 not installed"
command -v jq >/dev/null || skip "jq not installed"
[ -x "$TAPFLOWCTL" ] || fail "$TAPFLOWCTL not built"
ip link show lo >/dev/null 2>&1 || skip "no loopback interface"

dir=$(case_dir)
cport=$(free_udp_port 21400)
tport=$(free_udp_port 21500)
coll_pid=""
tf_pid=""
cleanup() {
	[ -n "$tf_pid" ] && kill "$tf_pid" 2>/dev/null
	[ -n "$coll_pid" ] && kill "$coll_pid" 2>/dev/null
}
trap cleanup EXIT

# A collector: every datagram to $dir/coll.bin, 2-byte length first.
cat >"$dir/collector.py" <<'EOF'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        d = s.recv(65535)
        f.write(struct.pack("!H", len(d)) + d)
EOF

# IPFIX (RFC 7011): count data records per template and sum the
# octetDeltaCount (IE 1) and packetDeltaCount (IE 2) fields.
cat >"$dir/ipfix_sum.py" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
tmpl = {}
recs = octets = packets = msgs = 0
pos = 0
while pos < len(data):
    (dlen,) = struct.unpack_from("!H", data, pos)
    msg = data[pos + 2:pos + 2 + dlen]
    pos += 2 + dlen
    ver, mlen = struct.unpack_from("!HH", msg, 0)
    assert ver == 10 and mlen == len(msg), (ver, mlen, len(msg))
    msgs += 1
    off = 16
    while off < mlen:
        sid, slen = struct.unpack_from("!HH", msg, off)
        body = msg[off + 4:off + slen]
        off += slen
        if sid == 2:  # template set
            b = 0
            while b + 4 <= len(body):
                tid, n = struct.unpack_from("!HH", body, b)
                b += 4
                fields = []
                for _ in range(n):
                    ie, ln = struct.unpack_from("!HH", body, b)
                    b += 4
                    if ie & 0x8000:
                        b += 4
                    fields.append((ie & 0x7fff, ln))
                tmpl[tid] = fields
        elif sid >= 256 and sid in (256, 257):
            fields = tmpl[sid]
            rlen = sum(l for _, l in fields)
            b = 0
            while b + rlen <= len(body):
                recs += 1
                o = b
                for ie, ln in fields:
                    v = int.from_bytes(body[o:o + ln], "big")
                    if ie == 1:
                        octets += v
                    elif ie == 2:
                        packets += v
                    o += ln
                b += rlen
print(recs, packets, octets, msgs)
EOF

# Send flows to 127.0.0.1:tport: one socket (source port) per flow; each
# argument is COUNTxPAYLOAD. Prints nothing.
cat >"$dir/send.py" <<'EOF'
import socket, sys
port = int(sys.argv[1])
for spec in sys.argv[2:]:
    n, size = map(int, spec.split("x"))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(n):
        s.sendto(b"x" * size, ("127.0.0.1", port))
    s.close()
EOF

# A raw request on the socket, reply on stdout.
cat >"$dir/raw.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
out = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    out += d
sys.stdout.write(out.decode())
EOF

ctl() { "$TAPFLOWCTL" -c "$dir/ctl" "$@"; }
accounted() { ctl --json statistics | jq -r .packets_accounted; }

python3 "$dir/collector.py" "$cport" "$dir/coll.bin" &
coll_pid=$!
# tapflow sends its templates at once: the collector must be listening
wait_for "ss -Hlun 'sport = :$cport' | grep -q ." 50 ||
    fail "collector did not bind 127.0.0.1:$cport"

echo "collector 127.0.0.1:$cport, traffic to port $tport"
"$TAPFLOW" -d -i lo -p "$dir/pid" -c "$dir/ctl" -n "127.0.0.1:$cport" \
    -j "$dir/flows.jsonl" --stats "$dir/stats.json" -t udp=300 \
    "udp and dst port $tport" 2>"$dir/tapflow.err" &
tf_pid=$!
wait_for "[ -S '$dir/ctl' ] && [ -s '$dir/pid' ]" 50 ||
    fail "no control socket or pid file: $(cat "$dir/tapflow.err")"
[ "$(cat "$dir/pid")" = "$tf_pid" ] ||
    fail "pid file holds $(cat "$dir/pid"), tapflow is $tf_pid"
mode=$(stat -c %a "$dir/ctl")
[ "$mode" = 600 ] || fail "control socket mode $mode, want 600"
sleep 0.3 # the capture is open before the socket; let it settle

# Three flows: 3 x 10, 2 x 100, 1 x 1000 bytes of payload. IP total
# length = payload + 8 (UDP) + 20 (IPv4): 3*38 + 2*128 + 1*1028 = 1398.
python3 "$dir/send.py" "$tport" 3x10 2x100 1x1000
wait_for '[ "$(accounted)" = 6 ]' 50 ||
    fail "statistics: packets_accounted $(accounted), want 6"

st=$(ctl --json statistics)
echo "statistics: $st"
[ "$(echo "$st" | jq .octets_accounted)" = 1398 ] || fail "octets_accounted"
[ "$(echo "$st" | jq .flows.active)" = 3 ] || fail "flows.active != 3"

df=$(ctl --json dump-flows)
[ "$(echo "$df" | jq '.flows | length')" = 3 ] || fail "dump-flows: $df"
got=$(echo "$df" | jq -c '[.flows[] | [.packetDeltaCount, .octetDeltaCount,
    .destinationTransportPort, .protocolIdentifier]] | sort')
want="[[1,1028,$tport,17],[2,256,$tport,17],[3,114,$tport,17]]"
[ "$got" = "$want" ] || fail "dump-flows: got $got, want $want"
ctl dump-flows >"$dir/table.txt" || fail "dump-flows (table) failed"
grep -q '^3 flows$' "$dir/table.txt" || fail "table: $(cat "$dir/table.txt")"
grep -q "127.0.0.1 .* $tport  udp  *3  *114" "$dir/table.txt" ||
    fail "table row for the 3-packet flow: $(cat "$dir/table.txt")"

[ "$(ctl --json timeouts | jq .timeouts.udp)" = 300 ] || fail "timeouts.udp"
[ "$(ctl --json timeouts | jq .timeouts.tcp)" = 15 ] || fail "timeouts.tcp"
ctl statistics | grep -q '^packets_accounted: 6$' ||
    fail "readable statistics: $(ctl statistics)"
[ "$(ctl --json exporters | jq -r '.exporters[0].collector')" = \
    "127.0.0.1:$cport" ] || fail "exporters: $(ctl --json exporters)"

# Unknown and oversized requests get an error object, tapflow keeps going.
r=$(python3 "$dir/raw.py" "$dir/ctl" bogus)
[ "$(echo "$r" | jq -r .error)" = 'unknown command "bogus"' ] ||
    fail "unknown command reply: $r"
ctl bogus 2>/dev/null && fail "tapflowctl accepted an unknown command"
"$TAPFLOWCTL" -c "$dir/nonexistent" statistics 2>"$dir/ctl.err" &&
    fail "tapflowctl succeeded on a missing socket"
grep -q "no control socket" "$dir/ctl.err" || fail "$(cat "$dir/ctl.err")"

exp=$(ctl --json expire-all)
[ "$(echo "$exp" | jq .expired)" = 3 ] || fail "expire-all: $exp"
[ "$(ctl --json statistics | jq .flows.active)" = 0 ] ||
    fail "flows still active after expire-all"

# One more flow, left for the shutdown to export: 4 x 50 -> 4 * 78 = 312.
python3 "$dir/send.py" "$tport" 4x50
wait_for '[ "$(accounted)" = 10 ]' 50 || fail "second burst not counted"

kill -TERM "$tf_pid"
wait "$tf_pid"
rc=$?
tf_pid=""
[ $rc -eq 0 ] || fail "tapflow exit $rc after SIGTERM: $(cat "$dir/tapflow.err")"
[ -e "$dir/pid" ] && fail "pid file left behind"
[ -e "$dir/ctl" ] && fail "control socket left behind"

# Every flow in the JSON file: 4 flows, 10 packets, 1710 octets, all
# ended by force (expire-all, then shutdown).
sums=$(jq -s -c '[length, (map(.packetDeltaCount) | add),
    (map(.octetDeltaCount) | add), (map(.flowEndReason) | unique)]' \
    "$dir/flows.jsonl")
[ "$sums" = "[4,10,1710,[4]]" ] || fail "JSON flows: $sums"

# ... and at the collector.
sleep 0.3
kill "$coll_pid"
wait "$coll_pid" 2>/dev/null
coll_pid=""
[ -s "$dir/coll.bin" ] || fail "collector received nothing"
set -- $(python3 "$dir/ipfix_sum.py" "$dir/coll.bin")
echo "collector: $1 records, $2 packets, $3 octets in $4 messages"
[ "$1 $2 $3" = "4 10 1710" ] || fail "collector got $1 $2 $3, want 4 10 1710"
sent=$(jq '.export.collectors[0].packets_sent' "$dir/stats.json")
[ "$sent" = "$4" ] || fail "stats say $sent packets sent, collector got $4"
[ "$(jq '.export.collectors[0].send_failed' "$dir/stats.json")" = 0 ] ||
    fail "send failures: $(jq -c .export "$dir/stats.json")"

# ---- -u nobody: the running process holds no capability ----
nobody_uid=$(id -u nobody 2>/dev/null) || skip "no user nobody"
"$TAPFLOW" -d -i lo -c "$dir/ctl2" -u nobody -j "$dir/flows2.jsonl" \
    "udp and dst port $tport" 2>"$dir/tapflow2.err" &
tf_pid=$!
wait_for "grep -q '^Uid:[[:space:]]*$nobody_uid[[:space:]]' /proc/$tf_pid/status" 50 ||
    fail "tapflow -u nobody did not switch: $(cat "$dir/tapflow2.err")"
grep -E '^(Uid|Gid|Cap|NoNewPrivs)' "/proc/$tf_pid/status"
for set in CapEff CapPrm CapBnd CapInh CapAmb; do
	v=$(awk -v k="$set:" '$1 == k { print $2 }' "/proc/$tf_pid/status")
	[ "$v" = 0000000000000000 ] || fail "$set is $v after -u nobody"
done
[ "$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$tf_pid/status")" = 1 ] ||
    fail "no_new_privs not set"
python3 "$dir/send.py" "$tport" 2x20
wait_for '[ "$("$TAPFLOWCTL" -c "$dir/ctl2" --json statistics |
    jq .packets_accounted)" = 2 ]' 50 ||
    fail "tapflowctl to a dropped tapflow: $("$TAPFLOWCTL" -c "$dir/ctl2" statistics 2>&1)"
kill -TERM "$tf_pid"
wait "$tf_pid"
rc=$?
tf_pid=""
[ $rc -eq 0 ] || fail "tapflow -u nobody exit $rc: $(cat "$dir/tapflow2.err")"
[ "$(jq -s -c '[length, (map(.octetDeltaCount) | add)]' "$dir/flows2.jsonl")" = \
    "[1,96]" ] || fail "flows after the drop: $(cat "$dir/flows2.jsonl")"
echo "ok"
