#!/usr/bin/env python3
"""Issue 9: link-layer fields as collectors decoded them, against tshark's
own dissection of the capture.

linkcmp.py MODE COLLECTOR_OUT TSHARK_FIELDS TAPFLOW_JSON
  MODE vlan:  nfdump -o json; tshark fields ip.src ip.dst ieee8021ad.id
              vlan.id eth.src eth.dst (tab separated)
  MODE mpls:  nfdump -o json; tshark fields ip.src ip.dst mpls.label
              mpls.exp mpls.bottom
  MODE vxlan: ipfixDump text; tshark fields ip.src ip.dst vxlan.vni
Every collector record must match some packet of the same addresses, and
the collector must hold as many records as tapflow's JSON lines.
"""
import json
import re
import sys


def tshark_rows(path):
    rows = []
    with open(path) as f:
        for line in f:
            rows.append(line.rstrip("\n").split("\t"))
    return rows


def first(v):
    return v.split(",")[0] if v else ""


def nfdump_records(path):
    with open(path) as f:
        return [r for r in json.load(f) if r.get("type") == "FLOW"]


def addrs(r):
    return (r.get("src4_addr") or r.get("src6_addr"),
            r.get("dst4_addr") or r.get("dst6_addr"))


def vlan_expect(rows):
    exp = {}
    for ip_src, ip_dst, ad, vl, esrc, edst in rows:
        if not ip_src:
            continue
        tags = [t for t in (ad.split(",") if ad else []) +
                (vl.split(",") if vl else [])]
        outer = int(tags[0]) if tags else 0
        inner = int(tags[1]) if len(tags) > 1 else 0
        key = (first(ip_src), first(ip_dst))
        exp.setdefault(key, set()).add((outer, inner, esrc, edst))
    return exp


def mpls_expect(rows):
    exp = {}
    for ip_src, ip_dst, label, tc, bos in rows:
        if not ip_src:
            continue
        v = "0-0-0"
        if label:
            v = "%s-%s-%s" % (first(label), first(tc), first(bos))
        exp.setdefault((first(ip_src), first(ip_dst)), set()).add(v)
    return exp


def ipfixdump_records(path):
    recs, cur = [], None
    pat = re.compile(r"^\s*\((\d+(?:/\d+)?)\)(?: \(S\))?\s+(\w+) : (.*)$")
    with open(path) as f:
        for line in f:
            if line.startswith("--- data record"):
                cur = {}
                recs.append(cur)
            elif line.startswith("---") or line.startswith("***"):
                cur = None if not line.startswith("--- data") else cur
            elif cur is not None:
                m = pat.match(line)
                if m:
                    cur[m.group(2)] = m.group(3).strip()
    return [r for r in recs if "octetDeltaCount" in r]


def main():
    mode, coll, tsh, tjson = sys.argv[1:5]
    rows = tshark_rows(tsh)
    with open(tjson) as f:
        n_json = sum(1 for line in f if line.strip())
    bad = 0
    if mode in ("vlan", "mpls"):
        recs = nfdump_records(coll)
        exp = vlan_expect(rows) if mode == "vlan" else mpls_expect(rows)
        for r in recs:
            a = addrs(r)
            if mode == "vlan":
                got = (r["src_vlan"], r["dst_vlan"], r["in_src_mac"],
                       r["in_dst_mac"])
            else:
                got = r["mpls_1"]
            if got not in exp.get(a, set()):
                print("%s: %s got %s, tshark has %s" %
                      (mode, a, got, sorted(exp.get(a, set()))))
                bad += 1
    else:
        recs = ipfixdump_records(coll)
        exp = {}
        for ip_src, ip_dst, vni in rows:
            if vni:
                s, d = ip_src.split(","), ip_dst.split(",")
                exp.setdefault((s[-1], d[-1]), set()).add(
                    (1 << 56) | int(first(vni)))
        for r in recs:
            a = (r.get("sourceIPv4Address") or r.get("sourceIPv6Address"),
                 r.get("destinationIPv4Address") or
                 r.get("destinationIPv6Address"))
            got = int(r.get("layer2SegmentId", "-1"))
            if got not in exp.get(a, set()):
                print("vxlan: %s layer2SegmentId %d, tshark VNIs %s" %
                      (a, got, sorted(exp.get(a, set()))))
                bad += 1
    if len(recs) != n_json:
        print("%s: collector has %d records, tapflow wrote %d" %
              (mode, len(recs), n_json))
        bad += 1
    if len(recs) == 0:
        print("%s: no records" % mode)
        bad += 1
    print("%s: %d records checked, %d bad" % (mode, len(recs), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
