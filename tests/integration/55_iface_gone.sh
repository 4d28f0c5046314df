#!/bin/sh
# The live interface disappears (issue 7). In a network namespace made
# here: a veth pair, one end (10.199.$X.1/30) in the root namespace, the
# other (.2) in the namespace, IPv6 off so that nothing else is sent.
# tapflow -d -i on the root end with -j; 3 ICMP echo requests across the
# veth from a python3 raw socket (56 data bytes, as ping sends: IP length
# 20 + 8 + 56 = 84), which the namespace's kernel answers;
# then the veth is deleted. tapflow must log one clear line naming the
# interface, exit 0 within 5 s, and the JSON must hold both ICMP flows
# with 3 packets and 252 octets each. Skipped (77) where namespaces or
# veth cannot be made (not root, no CAP_NET_ADMIN, no ip(8), no python3).
. "$(dirname "$0")/lib.sh"
dir=$(case_dir)
command -v ip >/dev/null || skip "no ip(8)"
command -v python3 >/dev/null || skip "no python3"
X=$(($$ % 250 + 1))
NS=tf$$
A=tfa$$
B=tfb$$
cleanup() {
	[ -n "${TPID:-}" ] && kill "$TPID" 2>/dev/null
	ip link del "$A" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT INT TERM
ip netns add "$NS" 2>"$dir/ns.err" ||
    skip "cannot create a network namespace: $(cat "$dir/ns.err")"
ip link add "$A" type veth peer name "$B" 2>"$dir/ns.err" ||
    skip "cannot create a veth pair: $(cat "$dir/ns.err")"
ip link set "$B" netns "$NS" || fail "moving $B into $NS"
for cmd in "sysctl -qw net.ipv6.conf.$A.disable_ipv6=1" \
    "ip addr add 10.199.$X.1/30 dev $A" "ip link set $A up"; do
	$cmd || fail "$cmd"
done
for cmd in "sysctl -qw net.ipv6.conf.$B.disable_ipv6=1" \
    "ip addr add 10.199.$X.2/30 dev $B" "ip link set $B up" \
    "ip link set lo up"; do
	ip netns exec "$NS" $cmd || fail "netns: $cmd"
done

# echo DST COUNT TRIES: COUNT ICMP echo requests (56 data bytes), each
# answered; a request may be sent up to TRIES times (1 s apart)
cat >"$dir/echo.py" <<'PY'
import socket, struct, sys, time
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
dst, count, tries = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(1)
for seq in range(1, count + 1):
    for t in range(tries):
        h = struct.pack("!BBHHH", 8, 0, 0, 0x7466 + tries, seq)
        h += bytes(range(56))
        h = h[:2] + struct.pack("!H", csum(h)) + h[4:]
        s.sendto(h, (dst, 0))
        try:
            while True:
                r = s.recv(2048)
                if r[20] == 0 and struct.unpack("!H", r[26:28])[0] == seq:
                    break
            break
        except socket.timeout:
            print("no reply to", seq, "try", t + 1)
    else:
        sys.exit("no reply")
    print("reply", seq)
    time.sleep(0.2)
PY
# warm up (ARP, link up) before tapflow listens: these are not counted
python3 "$dir/echo.py" "10.199.$X.2" 1 5 >"$dir/warmup" 2>&1 || {
	cat "$dir/warmup"
	fail "no ICMP echo reply across the veth"
}

# the control socket is opened after the capture: its file says "ready"
"$TAPFLOW" -d -i "$A" -j "$dir/out.jsonl" --stats "$dir/stats.json" \
    -c "$dir/ctl" 2>"$dir/err" &
TPID=$!
wait_for '[ -S "$dir/ctl" ]' 100 || {
	cat "$dir/err"
	fail "tapflow did not start"
}
sleep 0.5
python3 "$dir/echo.py" "10.199.$X.2" 3 1 >"$dir/ping" 2>&1 || {
	cat "$dir/ping"
	fail "ICMP echo across the veth"
}
sleep 0.5
ip link del "$A" || fail "deleting $A"
start=$(date +%s)
i=0
while kill -0 "$TPID" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 "$TPID" 2>/dev/null && fail "tapflow still running 5 s after $A went"
wait "$TPID"
rc=$?
TPID=
echo "tapflow exit $rc after $(($(date +%s) - start)) s; its messages:"
cat "$dir/err"
[ "$rc" -eq 0 ] || fail "exit $rc, expected 0 (a clean exit)"
grep -q "$A" "$dir/err" || fail "no line names interface $A"
# flows: src dst proto packets octets
jq -r '[.sourceIPv4Address, .destinationIPv4Address, .protocolIdentifier,
    .packetDeltaCount, .octetDeltaCount] | @tsv' "$dir/out.jsonl" |
    sort >"$dir/got"
printf '10.199.%s.1\t10.199.%s.2\t1\t3\t252\n10.199.%s.2\t10.199.%s.1\t1\t3\t252\n' \
    $X $X $X $X >"$dir/want"
echo "flows (src dst proto packets octets):"
cat "$dir/got"
cmp -s "$dir/want" "$dir/got" || { diff "$dir/want" "$dir/got"; fail "flows"; }
echo "interface gone: clean exit, both ICMP flows exported"
