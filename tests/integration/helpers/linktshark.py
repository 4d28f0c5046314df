#!/usr/bin/env python3
"""Issue 9: the link-layer, tunnel and biflow elements of tapflow's
NetFlow v9 / IPFIX export, as Wireshark's cflow dissector decodes them,
against Wireshark's own dissection of the replayed capture.

usage: linktshark.py [options] CAPTURE.json EXPORT.json
       linktshark.py --batch FILE   (each line: the arguments of one run)
  CAPTURE.json  tshark -r CAP -o ip.defragment:FALSE
                -o ipv6.defragment:FALSE -T json --no-duplicate-keys
                -j "frame eth vlan ieee8021ad mpls ip ipv6 tcp udp icmp
                    icmpv6 gre vxlan"
  EXPORT.json   tshark -r SINK.pcap -d udp.port==PORT,cflow -T json
                --no-duplicate-keys (the export packets of one run)
  --tag NAME    name in messages
  --decap       tapflow ran with --decap: the inner packet of the tunnels
                man/tapflow.8 names makes the flow
  --biflow      tapflow ran with -b (IPFIX): check the RFC 5103 reverse
                elements (PEN 29305) and biflowDirection against the
                packets of the reverse key, and that every IP packet of
                the capture is counted by exactly one record
  --want F,..   each field F (vlan, postvlan, mpls, mpls2, label, l2seg,
                tunnel, reverse) must be non-zero in at least one record,
                so that the check cannot pass on zeros alone
  --json FILE   tapflow's -j output of the same run: its tunnelType and
                tunnelId must equal the outermost tunnel tshark shows (the
                GRE key, the VXLAN VNI), its MACs and VLANs too

The expected value of every field comes from the capture alone: the
first packet of a record (its key, at the record's start time) and that
packet's outermost Ethernet addresses, its 802.1Q / 802.1ad tags and MPLS
label stack entries before the first IP header, the flow label of the IP
header that makes the key, and its outermost tunnel. Prints one line per
run and one per disagreement (at most 20); exits 1 on any.
"""
import argparse
import collections
import ipaddress
import json
import os
import re
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flowcmp  # noqa: E402  (its time and number helpers)

IP_TOKENS = ("ip", "ipv6")
TAG_TOKENS = ("vlan", "ieee8021ad")
# What may stand between an outer and an inner IP header for tapflow's
# --decap (man/tapflow.8: GRE with ERSPAN and PPTP's GRE, IP in IP,
# VXLAN, Geneve, GTP-U, Teredo) in tshark's frame.protocols.
TUNNEL_FILL = ("gre", "erspan", "eth", "ethertype", "vlan", "ieee8021ad",
               "udp", "vxlan", "geneve", "gtp", "teredo", "ppp")
UDP_TUNNELS = ("vxlan", "geneve", "gtp", "teredo")
PROTO_OF_TOKEN = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "gre": 47,
                  "igmp": 2, "pim": 103, "sctp": 132, "esp": 50, "ah": 51,
                  "ospf": 89, "vrrp": 112}
REVERSE_PEN = 29305
# RFC 5103 reverse elements tapflow sends: the forward IE ids under PEN
# 29305 (octets, packets, tcpControlBits, start, end, minimum and maximum
# TTL); biflowDirection (239) in the IANA space.
REVERSE_IES = {1, 2, 6, 52, 53}
L2SEG_VXLAN = 1 << 56  # RFC 7133 4.4.1: segment type 0x01


def num(v):
    if isinstance(v, list):
        v = v[0]
    v = str(v)
    return int(v, 16) if v.startswith("0x") else int(v)


def occ(layers, name, k):
    """The k-th occurrence of layer NAME (tshark --no-duplicate-keys gives
    one dict, or a list of them in packet order)."""
    v = layers.get(name)
    if v is None:
        return None
    if isinstance(v, list):
        return v[k] if k < len(v) else None
    return v if k == 0 else None


def find(node, key):
    """The first value of KEY anywhere under NODE."""
    if isinstance(node, dict):
        if key in node:
            return node[key]
        for v in node.values():
            r = find(v, key)
            if r is not None:
                return r
    elif isinstance(node, list):
        for v in node:
            r = find(v, key)
            if r is not None:
                return r
    return None


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


class Pkt:
    pass


def next_ip(toks, pos):
    """The position of the IP header that tapflow's --decap reaches from
    the one at POS through a tunnel it walks, or None."""
    j = pos + 1
    if j < len(toks) and toks[j] in IP_TOKENS:
        return j  # IP in IP, IPv6 in IPv4
    if j >= len(toks):
        return None
    if toks[j] == "udp":
        if j + 1 >= len(toks) or toks[j + 1] not in UDP_TUNNELS:
            return None
    elif toks[j] != "gre":
        return None
    for q in range(j, len(toks)):
        if toks[q] in IP_TOKENS:
            return q
        if toks[q] not in TUNNEL_FILL:
            return None
    return None


def parse_capture(path, decap):
    """Every IP packet tapflow would account: key, time, link fields."""
    pkts = []
    for n, p in enumerate(json.load(open(path))):
        layers = p["_source"]["layers"]
        frame = layers["frame"]
        toks = frame["frame.protocols"].split(":")
        seen = collections.Counter()
        pos_occ = []
        for t in toks:
            pos_occ.append(seen[t])
            seen[t] += 1
        ips = [i for i, t in enumerate(toks) if t in IP_TOKENS]
        if not ips:
            continue
        p0 = ips[0]
        k = Pkt()
        k.frame = n + 1
        whole, _, frac = frame["frame.time_epoch"].partition(".")
        k.ms = int(whole) * 1000 + int((frac + "000")[:3])
        eth = occ(layers, "eth", 0) if toks and toks[0] == "eth" else None
        k.smac = eth["eth.src"].lower() if eth else None
        k.dmac = eth["eth.dst"].lower() if eth else None
        k.tags = []
        for i in range(p0):
            if toks[i] in TAG_TOKENS:
                lay = occ(layers, toks[i], pos_occ[i])
                k.tags.append(num(find(lay, toks[i] + ".id")))
        mpls_pos = [i for i, t in enumerate(toks) if t == "mpls"]
        k.mpls_ambiguous = bool(mpls_pos) and \
            any(i < p0 for i in mpls_pos) and any(i > p0 for i in mpls_pos)
        k.mpls = []
        if mpls_pos and mpls_pos[0] < p0:
            for e in as_list(layers.get("mpls")):
                k.mpls.append((num(e["mpls.label"]), num(e["mpls.exp"]),
                               num(e["mpls.bottom"])))
        # the IP header that makes the key, and the outermost tunnel
        chosen = p0
        k.tunnel = None
        if decap:
            while True:
                q = next_ip(toks, chosen)
                if q is None:
                    break
                if k.tunnel is None:
                    between = toks[chosen + 1:q]
                    if "vxlan" in between:
                        i = chosen + 1 + between.index("vxlan")
                        vx = occ(layers, "vxlan", pos_occ[i])
                        k.tunnel = ("vxlan", num(vx["vxlan.vni"]))
                    elif "gre" in between:
                        i = chosen + 1 + between.index("gre")
                        g = occ(layers, "gre", pos_occ[i])
                        key = find(g, "gre.key")
                        k.tunnel = ("gre", num(key) if key else 0)
                    elif not between:
                        k.tunnel = ("ipip", None)
                    else:
                        k.tunnel = ({"udp": between[1] if len(between) > 1
                                     else "udp"}.get(between[0], between[0]),
                                    None)
                chosen = q
        t = toks[chosen]
        lay = occ(layers, t, pos_occ[chosen])
        if lay is None:
            continue
        k.family = 4 if t == "ip" else 6
        pre = t + "."
        k.src = str(ipaddress.ip_address(lay[pre + "src"]))
        k.dst = str(ipaddress.ip_address(lay[pre + "dst"]))
        if k.family == 4:
            k.tos = num(lay["ip.dsfield"])
            k.ttl = num(lay["ip.ttl"])
            k.octets = num(lay["ip.len"])
            k.label = None
            first_frag = num(find(lay, "ip.frag_offset") or "0") == 0
        else:
            k.tos = num(lay["ipv6.tclass"])
            k.ttl = num(lay["ipv6.hlim"])
            k.octets = num(lay["ipv6.plen"]) + 40
            k.label = num(lay["ipv6.flow"])
            first_frag = True
        # the upper layer: the next token, past IPv6 extension headers
        nxt = None
        for i in range(chosen + 1, len(toks)):
            if not toks[i].startswith("ipv6."):
                nxt = i
                break
        k.proto = None
        k.sport = k.dport = 0
        k.flags = 0
        if nxt is not None and toks[nxt] in PROTO_OF_TOKEN and first_frag:
            k.proto = PROTO_OF_TOKEN[toks[nxt]]
            up = occ(layers, toks[nxt], pos_occ[nxt])
            if toks[nxt] in ("tcp", "udp") and up is not None:
                k.sport = num(up[toks[nxt] + ".srcport"])
                k.dport = num(up[toks[nxt] + ".dstport"])
                if toks[nxt] == "tcp":
                    k.flags = num(up["tcp.flags"]) & 0xff
            elif toks[nxt] in ("icmp", "icmpv6") and up is not None:
                k.dport = num(up[toks[nxt] + ".type"]) * 256 + \
                    num(up[toks[nxt] + ".code"])
        if k.proto is None:
            k.proto = num(lay["ip.proto"]) if k.family == 4 else \
                num(lay["ipv6.nxt"])
        k.key = (k.src, k.dst, k.sport, k.dport, k.proto, k.tos)
        pkts.append(k)
    return pkts


def parse_templates(cf, tmpl):
    """Template records of one export message into tmpl[id]."""
    for sk, sv in cf.items():
        if not isinstance(sv, dict):
            continue
        for tk, tv in sv.items():
            m = re.match(r"^(?:Options )?Template \(Id = (\d+)", tk)
            if not m or not isinstance(tv, dict):
                continue
            fields = []
            for fk, fv in tv.items():
                if not fk.startswith("Field ") or not isinstance(fv, dict):
                    continue
                ie = num(fv.get("cflow.template_ipfix_field_type",
                                fv.get("cflow.template_field_type", "0")))
                pen = num(fv.get("cflow.template_ipfix_field_pen", "0"))
                fields.append((pen, ie))
            tmpl[int(m.group(1))] = fields


def pick(r, key, i=0):
    v = r.get(key)
    if isinstance(v, list):
        return v[i] if i < len(v) else None
    return v if i == 0 else None


PI_WARN = 0x00600000  # epan/proto.h: expert severity "Warning"


def experts(node, out):
    """Malformed-packet marks and expert infos of Warning or worse."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "_ws.malformed":
                out.append("malformed")
            elif k == "_ws.expert":
                for e in as_list(v):
                    if num(e.get("_ws.expert.severity", "0")) >= PI_WARN:
                        out.append(e.get("_ws.expert.message", "?"))
            else:
                experts(v, out)
    elif isinstance(node, list):
        for v in node:
            experts(v, out)


def parse_export(path):
    """Data records (with a protocol) and templates of the export, and
    the dissector's complaints: [(frame, message)]."""
    recs, tmpl, complaints = [], {}, []
    for n, p in enumerate(json.load(open(path))):
        layers = p["_source"]["layers"]
        msgs = []
        experts(layers, msgs)
        if "cflow" not in layers:
            msgs.append("not dissected as NetFlow/IPFIX")
        complaints += [(n + 1, m) for m in msgs]
        for cf in as_list(layers.get("cflow")):
            parse_templates(cf, tmpl)
            ver = num(cf["cflow.version"])
            unix_ms = up_ms = None
            if ver == 9:
                unix_ms = num(find(cf, "cflow.unix_secs")) * 1000
                up_ms = flowcmp.secs_ms(cf["cflow.sysuptime"])
            for sk, sv in cf.items():
                m = re.search(r"\[id=(\d+)\]", sk)
                if not m or not isinstance(sv, dict):
                    continue
                tid = int(m.group(1))
                if tid < 256:
                    continue
                for fk, fv in sv.items():
                    if not fk.startswith("Flow ") or \
                            "cflow.protocol" not in fv:
                        continue
                    recs.append(record(fv, tid, ver, unix_ms, up_ms))
    return recs, tmpl, complaints


def record(fv, tid, ver, unix_ms, up_ms):
    r = {"tid": tid, "ver": ver}
    v4 = "cflow.srcaddr" in fv
    r["family"] = 4 if v4 else 6
    r["src"] = str(ipaddress.ip_address(fv["cflow.srcaddr" if v4 else
                                            "cflow.srcaddrv6"]))
    r["dst"] = str(ipaddress.ip_address(fv["cflow.dstaddr" if v4 else
                                            "cflow.dstaddrv6"]))
    r["proto"] = num(fv["cflow.protocol"])
    r["sport"] = num(fv.get("cflow.srcport", "0"))
    r["dport"] = num(fv.get("cflow.dstport", "0"))
    r["tos"] = num(fv.get("cflow.tos", "0"))
    if r["proto"] in (1, 58):
        for t in ("cflow.icmp_type_code_ipv4", "cflow.icmp_type_code_ipv6"):
            if t in fv:
                r["sport"], r["dport"] = 0, num(fv[t])
    r["key"] = (r["src"], r["dst"], r["sport"], r["dport"], r["proto"],
                r["tos"])
    times = as_list(fv.get("cflow.timedelta_tree"))
    for i, side in enumerate(("", "rev_")):
        if i >= len(times):
            break
        t = times[i]
        for k in ("start", "end"):
            if "cflow.abstime" + k in t:
                r[side + k] = flowcmp.tshark_abs(t["cflow.abstime" + k])
            elif "cflow.time" + k in t:
                r[side + k] = unix_ms - up_ms + \
                    flowcmp.secs_ms(t["cflow.time" + k])
        r[side + "packets"] = num(pick(fv, "cflow.packets", i))
        r[side + "octets"] = num(pick(fv, "cflow.octets", i))
        fl = pick(fv, "cflow.tcpflags", i)
        r[side + "flags"] = num(fl) & 0xff if fl is not None else 0
        r[side + "ttl_min"] = num(pick(fv, "cflow.ttl_min", i))
        r[side + "ttl_max"] = num(pick(fv, "cflow.ttl_max", i))
    for k, f in (("smac", "cflow.srcmac"), ("dmac", "cflow.dstmac")):
        if f in fv:
            r[k] = fv[f].lower()
    for k, f in (("vlan", "cflow.vlanid"), ("postvlan", "cflow.post_vlanid"),
                 ("label", "cflow.ipv6flowlabel"),
                 ("l2seg", "cflow.layer2_segment_id"),
                 ("bidir", "cflow.biflow_direction")):
        if f in fv:
            r[k] = num(fv[f])
    mpls = {}
    for fk, sub in fv.items():
        m = re.match(r"^MPLS-Label(\d+):", fk)
        if m and isinstance(sub, dict):
            mpls[int(m.group(1))] = (num(sub["cflow.mpls_label"]),
                                     num(sub["cflow.mpls_exp"]),
                                     num(sub["cflow.mpls_bos"]))
    if mpls:
        r["mpls"] = [mpls.get(i, None) for i in (1, 2, 3)]
    return r


def expect(p, decap):
    """The link fields tapflow must export for a flow whose first packet
    tshark dissected as P."""
    e = {"smac": p.smac, "dmac": p.dmac,
         "vlan": p.tags[0] if p.tags else 0,
         "postvlan": p.tags[1] if len(p.tags) > 1 else 0}
    if not p.mpls_ambiguous:
        e["mpls"] = [p.mpls[i] if i < len(p.mpls) else (0, 0, 0)
                     for i in range(3)]
    if p.family == 6:
        e["label"] = p.label
    if decap:
        # man/tapflow.8: every --decap record has layer2SegmentId, 0 but
        # for VXLAN
        e["l2seg"] = 0
        if p.tunnel is not None and p.tunnel[0] == "vxlan":
            e["l2seg"] = L2SEG_VXLAN | p.tunnel[1]
    return e


def window(pk, key, lo, hi):
    return [p for p in pk.get(key, []) if lo <= p.ms <= hi]


def rkey(k):
    return (k[1], k[0], k[3], k[2], k[4], k[5])


_PARSED = {}


def capture_packets(path, decap):
    """parse_capture(), kept for the next run on the same capture."""
    key = (path, decap)
    if key not in _PARSED:
        _PARSED[key] = parse_capture(path, decap)
    return _PARSED[key]


def main(argv):
    if argv[:1] == ["--batch"]:
        # one run's arguments a line (shell words): one process for all
        rc = 0
        for line in open(argv[1]):
            if line.strip():
                rc |= main(shlex.split(line))
        return rc
    ap = argparse.ArgumentParser()
    ap.add_argument("--tag", default="run")
    ap.add_argument("--decap", action="store_true")
    ap.add_argument("--biflow", action="store_true")
    ap.add_argument("--want", default="")
    ap.add_argument("--json")
    ap.add_argument("capture")
    ap.add_argument("export")
    a = ap.parse_args(argv)

    pkts = capture_packets(a.capture, a.decap)
    pk = collections.defaultdict(list)
    for p in pkts:
        pk[p.key].append(p)
    recs, tmpl, complaints = parse_export(a.export)
    bad = ["%s: export packet %d: %s" % (a.tag, f, m)
           for f, m in complaints]
    nonzero = collections.Counter()

    def err(msg):
        bad.append("%s: %s" % (a.tag, msg))

    claimed = collections.Counter()
    for r in recs:
        cands = pk.get(r["key"], [])
        first = min(cands, key=lambda p: (abs(p.ms - r["start"]), p.ms),
                    default=None)
        if first is None or first.ms != r["start"]:
            err("%s start %s: no packet of this key then in the capture"
                " (nearest %s)" % (r["key"], r["start"],
                                   first.ms if first else None))
            continue
        ies = set(tmpl.get(r["tid"], []))
        if not ies:
            err("record of template %d before its template" % r["tid"])
        e = expect(first, a.decap)
        where = "%s (first packet: frame %d)" % (r["key"], first.frame)
        for f in ("smac", "dmac", "vlan", "postvlan", "mpls", "label",
                  "l2seg"):
            if f not in e:
                if f in r and f in ("l2seg", "label"):
                    err("%s: %s %d in the record, not expected here" %
                        (where, f, r[f]))
                continue
            if f not in r:
                err("%s: no %s in the record (template %d)" %
                    (where, f, r["tid"]))
                continue
            if r[f] != e[f]:
                err("%s: %s exported %s, tshark's dissection of the capture"
                    " %s" % (where, f, r[f], e[f]))
        if r.get("vlan"):
            nonzero["vlan"] += 1
        if r.get("postvlan"):
            nonzero["postvlan"] += 1
        if r.get("mpls") and r["mpls"][0] != (0, 0, 0):
            nonzero["mpls"] += 1
        if r.get("mpls") and r["mpls"][1] != (0, 0, 0):
            nonzero["mpls2"] += 1
        if r.get("label"):
            nonzero["label"] += 1
        if r.get("l2seg"):
            nonzero["l2seg"] += 1
        if first.tunnel is not None:
            nonzero["tunnel"] += 1
        if first.mpls_ambiguous:
            nonzero["mpls_unchecked"] += 1  # MPLS inside a tunnel too
        if not a.biflow:
            continue
        # RFC 5103: the reverse elements under PEN 29305, biflowDirection
        want_ies = {(REVERSE_PEN, i) for i in REVERSE_IES} | {(0, 239)}
        if not want_ies <= ies:
            err("%s: template %d lacks %s" % (where, r["tid"],
                                              sorted(want_ies - ies)))
        if r.get("bidir") not in (0, 1):
            err("%s: biflowDirection %s" % (where, r.get("bidir")))
        sides = [("", r["key"], r["start"], r["end"])]
        if r.get("rev_packets"):
            nonzero["reverse"] += 1
            sides.append(("rev_", rkey(r["key"]), r["rev_start"],
                          r["rev_end"]))
            if r["rev_start"] < r["start"]:
                err("%s: the reverse direction starts first (%d < %d)" %
                    (where, r["rev_start"], r["start"]))
        for side, k, lo, hi in sides:
            w = window(pk, k, lo, hi)
            for p in w:
                claimed[p.frame] += 1
            have = (r[side + "packets"], r[side + "octets"],
                    r[side + "flags"], r[side + "ttl_min"],
                    r[side + "ttl_max"], lo, hi)
            want = (len(w), sum(p.octets for p in w),
                    _or(p.flags for p in w),
                    min((p.ttl for p in w), default=0),
                    max((p.ttl for p in w), default=0),
                    min((p.ms for p in w), default=None),
                    max((p.ms for p in w), default=None))
            if have != want:
                err("%s %s: exported (packets, octets, flags, ttl min, max,"
                    " start, end) %s, the capture's packets of %s in that "
                    "time %s" % (where, side or "forward", have, k, want))
    if a.biflow:
        twice = [f for f, c in claimed.items() if c > 1]
        lost = [p.frame for p in pkts if p.frame not in claimed]
        if twice:
            err("frames counted by two records: %s" % twice[:10])
        if lost:
            err("%d IP packets in no record: frames %s" % (len(lost),
                                                          lost[:10]))
    if a.json:
        check_json(a, pk, err)
    for f in filter(None, a.want.split(",")):
        if not nonzero[f]:
            err("no record with a non-zero %s: nothing was tested" % f)
    if not recs:
        err("no flow records in the export")
    print("%s: %d records, %d packets of the capture; non-zero: %s; %d bad"
          % (a.tag, len(recs), len(pkts),
             " ".join("%s=%d" % kv for kv in sorted(nonzero.items())) or
             "none", len(bad)))
    for b in bad[:20]:
        print("  " + b)
    return 1 if bad else 0


def _or(vals):
    acc = 0
    for v in vals:
        acc |= v
    return acc


def check_json(a, pk, err):
    """tapflow's JSON of the run: the same fields, and the tunnel's id."""
    n = 0
    for line in open(a.json):
        if not line.strip():
            continue
        j = json.loads(line)
        v4 = "sourceIPv4Address" in j
        src = j["sourceIPv4Address" if v4 else "sourceIPv6Address"]
        dst = j["destinationIPv4Address" if v4 else
                "destinationIPv6Address"]
        proto = j["protocolIdentifier"]
        sport = j.get("sourceTransportPort", 0)
        dport = j.get("destinationTransportPort", 0)
        if proto in (1, 58):
            sport = 0
            dport = j.get("icmpTypeCodeIPv4", j.get("icmpTypeCodeIPv6",
                                                   dport))
        key = (str(ipaddress.ip_address(src)), str(ipaddress.ip_address(dst)),
               sport, dport, proto, j.get("ipClassOfService", 0))
        cands = [p for p in pk.get(key, [])
                 if p.ms == j["flowStartMilliseconds"]]
        if not cands:
            err("JSON %s start %s: no such packet" %
                (key, j["flowStartMilliseconds"]))
            continue
        p = cands[0]
        n += 1
        want = (p.tunnel[0] if p.tunnel else None,
                p.tunnel[1] if p.tunnel else None)
        have = (j.get("tunnelType"), j.get("tunnelId"))
        if p.tunnel and p.tunnel[1] is None:
            have = (have[0], None)  # an id this check does not know
        if want != have:
            err("JSON %s (frame %d): tunnelType, tunnelId %s, tshark %s" %
                (key, p.frame, have, want))
        e = expect(p, a.decap)
        for f, jf in (("smac", "sourceMacAddress"),
                      ("dmac", "destinationMacAddress"),
                      ("vlan", "vlanId"), ("postvlan", "postVlanId")):
            if jf in j and str(j[jf]).lower() != str(e[f]).lower():
                err("JSON %s (frame %d): %s %s, tshark %s" %
                    (key, p.frame, jf, j[jf], e[f]))
    if n == 0:
        err("JSON: no flows")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
