#!/bin/sh
# Issue 9: -b exports RFC 5103 biflows. The generator's capture (tfgen
# --profile truth) replayed with -b: each conversation of the truth (a
# uniflow and its reverse, each key seen once, overlapping in time) must
# come out as one biflow whose forward and reverse counters, times and
# flags equal the two truth uniflows; every packet is counted once; and
# libfixbuf's ipfixDump reads the reverse elements (PEN 29305) of the
# --ipfix-file output with the same values as tapflow's JSON.
. "$(dirname "$0")/lib.sh"
dir=$(case_dir)
[ -x "$TAPFLOW" ] || skip "tapflow is not built"
[ -x "$TOOLS/tfgen" ] || skip "tfgen is not built"
command -v ipfixDump >/dev/null 2>&1 || skip "ipfixDump is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"

"$TOOLS/tfgen" --profile truth --seed 20240603 --out "$dir/gen.pcap" \
    --truth "$dir/truth.jsonl" >"$dir/tfgen.log" 2>&1 ||
    fail "tfgen: $(tail -n 3 "$dir/tfgen.log")"
# shellcheck disable=SC2046 # the timeouts of 20_truth.sh, word split
timeout 120 "$TAPFLOW" -q -r "$dir/gen.pcap" -b -t tcp=15 -t udp=15 \
    -t icmp=15 -t general=15 -t tcp.fin=5 -t tcp.rst=2 -t maxlife=1800 \
    -P file --ipfix-file "$dir/bi.ipfix" -j "$dir/bi.json" \
    >"$dir/tapflow.log" 2>&1 || fail "tapflow -b: $(tail -n 3 \
	"$dir/tapflow.log")"
# v5/v9 have no reverse direction: refused with a reason
"$TAPFLOW" -r "$dir/gen.pcap" -b -v 9 -j /dev/null >"$dir/v9.log" 2>&1 &&
    fail "-b -v 9 was accepted"
grep -q "biflows need IPFIX" "$dir/v9.log" || fail "-b -v 9: $(cat \
    "$dir/v9.log")"
ipfixDump --in "$dir/bi.ipfix" >"$dir/bi.dump" 2>&1 || fail "ipfixDump"

python3 - "$dir/truth.jsonl" "$dir/bi.json" "$dir/bi.dump" <<'PY' ||
import json, re, sys

truth = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
bi = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]

def key(r):
    return (r.get("sourceIPv4Address") or r.get("sourceIPv6Address"),
            r.get("destinationIPv4Address") or r.get("destinationIPv6Address"),
            r["sourceTransportPort"], r["destinationTransportPort"],
            r["protocolIdentifier"])

def rkey(k):
    return (k[1], k[0], k[3], k[2], k[4])

bad = 0
tp = sum(r["packetDeltaCount"] for r in truth)
bp = sum(r["packetDeltaCount"] + r.get("reversePacketDeltaCount", 0)
         for r in bi)
to = sum(r["octetDeltaCount"] for r in truth)
bo = sum(r["octetDeltaCount"] + r.get("reverseOctetDeltaCount", 0)
         for r in bi)
if (tp, to) != (bp, bo):
    print("packets/octets: truth %d/%d, biflows %d/%d" % (tp, to, bp, bo))
    bad += 1

count = {}
for r in truth:
    count[key(r)] = count.get(key(r), 0) + 1
tby = {key(r): r for r in truth}
pairs = []
for k, r in tby.items():
    if r["protocolIdentifier"] in (1, 58) or count[k] != 1:
        continue
    rk = rkey(k)
    if count.get(rk) != 1 or rk == k:
        continue
    f, b = (r, tby[rk])
    if (f["flowStartMilliseconds"], k) > (b["flowStartMilliseconds"], rk):
        continue  # the pair is seen from its earlier side
    if b["flowStartMilliseconds"] > f["flowEndMilliseconds"]:
        continue  # no overlap: the reply may start a biflow of its own
    pairs.append((k, f, b))

bkey = {}
for r in bi:
    bkey.setdefault(key(r), []).append(r)
ok = 0
for k, f, b in pairs:
    got = bkey.get(k, [])
    if len(got) != 1:
        print("%s: %d biflows" % (k, len(got)))
        bad += 1
        continue
    g = got[0]
    want = (f["packetDeltaCount"], f["octetDeltaCount"],
            f["flowStartMilliseconds"], f["flowEndMilliseconds"],
            f["tcpControlBits"], b["packetDeltaCount"], b["octetDeltaCount"],
            b["flowStartMilliseconds"], b["flowEndMilliseconds"],
            b["tcpControlBits"])
    have = (g["packetDeltaCount"], g["octetDeltaCount"],
            g["flowStartMilliseconds"], g["flowEndMilliseconds"],
            g["tcpControlBits"], g["reversePacketDeltaCount"],
            g["reverseOctetDeltaCount"], g["reverseFlowStartMilliseconds"],
            g["reverseFlowEndMilliseconds"], g["reverseTcpControlBits"])
    if want != have:
        if bad < 10:
            print("%s: want %s got %s" % (k, want, have))
        bad += 1
    else:
        ok += 1
if ok < 20:
    print("only %d conversations to check" % ok)
    bad += 1

# ipfixDump: the reverse elements, summed, equal the JSON's
dump = open(sys.argv[3]).read()
def dsum(name):
    return sum(int(v) for v in re.findall(r"\(29305/\d+\)\s+%s : (\d+)" %
                                          name, dump))
for name, js in (("reverseOctetDeltaCount", "reverseOctetDeltaCount"),
                 ("reversePacketDeltaCount", "reversePacketDeltaCount")):
    if dsum(name) != sum(r[js] for r in bi):
        print("ipfixDump %s %d, JSON %d" % (name, dsum(name),
                                            sum(r[js] for r in bi)))
        bad += 1
n_bidir = len(re.findall(r"\(239\)\s+biflowDirection : [01]\n", dump))
if n_bidir != len(bi):
    print("ipfixDump: %d biflowDirection, %d JSON records" % (n_bidir,
                                                              len(bi)))
    bad += 1
print("biflows: %d records, %d conversations equal to the truth pairs, "
      "%d bad" % (len(bi), ok, bad))
sys.exit(1 if bad else 0)
PY
    fail "biflows disagree with the truth (see above)"
echo "ok"
