#!/usr/bin/env python3
"""Compare the flows a collector decoded with a reference (tapflow's -j
output of the same run, or the traffic generator's truth file).

usage: flowcmp.py [options] REF.jsonl KIND FILE
  KIND: tapflow (JSON lines, IPFIX IE names: tapflow -j, tfgen --truth),
        nfdump (nfdump -o json), tshark (tshark -T json --no-duplicate-keys
        of the export packets), pmacct (nfacctd print plugin, json),
        ipfixdump (ipfixDump text output)
  --fields a,b,..  fields compared (default: every key field, packets,
                   octets, start, end)
  --v4-only        the format carries no IPv6: expect only the IPv4 flows
  --sum            the collector aggregates: sum packets/octets per key
                   (the other fields) on both sides before comparing
  --dump FILE      write the collector's flows, normalised, as JSON lines

Every flow becomes {src, dst, sport, dport, proto, tos, packets, octets,
start, end} (times in ms since the epoch); the two sides are compared as
multisets. Prints a summary and, for a mismatch, the first records that
differ next to their closest counterpart; exits 1 on any difference.
"""
import calendar
import collections
import ipaddress
import json
import re
import sys
import time

ALL = ["src", "dst", "sport", "dport", "proto", "tos", "packets", "octets",
       "start", "end"]


def addr(s):
    return str(ipaddress.ip_address(s.strip()))


def utc_ms(text, fmt):
    """'2011-01-01 10:00:00.123' style text (UTC) to ms since the epoch."""
    frac = "0"
    m = re.match(r"^(.*?)(?:\.(\d+))?$", text.strip())
    base, frac = m.group(1), m.group(2) or "0"
    secs = calendar.timegm(time.strptime(base, fmt))
    return secs * 1000 + int((frac + "000")[:3])


def from_tapflow(path):
    out = []
    for line in open(path):
        if not line.strip():
            continue
        j = json.loads(line)
        v4 = "sourceIPv4Address" in j
        out.append({
            "v": 4 if v4 else 6,
            "src": addr(j["sourceIPv4Address" if v4 else "sourceIPv6Address"]),
            "dst": addr(j["destinationIPv4Address" if v4
                          else "destinationIPv6Address"]),
            "sport": j.get("sourceTransportPort", 0),
            "dport": j.get("destinationTransportPort", 0),
            "proto": j["protocolIdentifier"],
            "tos": j.get("ipClassOfService", 0),
            "packets": j["packetDeltaCount"],
            "octets": j["octetDeltaCount"],
            "start": j["flowStartMilliseconds"],
            "end": j["flowEndMilliseconds"],
        })
    return out


def from_nfdump(path):
    text = open(path).read()
    # nfdump 1.7.1 prints "No matching flows" inside the array if empty
    text = text.replace("No matching flows", "")
    out = []
    for j in json.loads(text or "[]"):
        if j.get("type") != "FLOW":
            continue
        v4 = "src4_addr" in j
        proto = j["proto"]
        sport, dport = j.get("src_port", 0), j.get("dst_port", 0)
        if "icmp_type" in j and proto in (1, 58):
            sport, dport = 0, j["icmp_type"] * 256 + j.get("icmp_code", 0)
        out.append({
            "v": 4 if v4 else 6,
            "src": addr(j["src4_addr" if v4 else "src6_addr"]),
            "dst": addr(j["dst4_addr" if v4 else "dst6_addr"]),
            "sport": sport, "dport": dport, "proto": proto,
            "tos": j.get("src_tos", 0),
            "packets": j["in_packets"], "octets": j["in_bytes"],
            "start": utc_ms(j["first"], "%Y-%m-%dT%H:%M:%S"),
            "end": utc_ms(j["last"], "%Y-%m-%dT%H:%M:%S"),
        })
    return out


def walk_records(node, found):
    """Every tshark subtree that is one flow record (has a protocol)."""
    if isinstance(node, dict):
        if "cflow.protocol" in node or "cflow.packets" in node:
            found.append(node)
            return
        for v in node.values():
            walk_records(v, found)
    elif isinstance(node, list):
        for v in node:
            walk_records(v, found)


def flat(node, acc):
    for k, v in node.items():
        if isinstance(v, dict):
            flat(v, acc)
        else:
            acc.setdefault(k, v)
    return acc


def tshark_abs(text):
    # "Nov 22, 2026 01:07:18.123000000 UTC" (run with TZ=UTC)
    text = text.replace(" UTC", "")
    return utc_ms(text, "%b %d, %Y %H:%M:%S")


def num(v):
    if isinstance(v, list):
        v = v[0]
    return int(v, 16) if str(v).startswith("0x") else int(v)


def secs_ms(v):
    """tshark relative time "123.456000000" to integer ms."""
    whole, _, frac = str(v).partition(".")
    return int(whole) * 1000 + int((frac + "000")[:3])


def from_tshark(path):
    out = []
    for pkt in json.load(open(path)):
        cf = pkt["_source"]["layers"].get("cflow")
        if cf is None:
            continue
        for c in cf if isinstance(cf, list) else [cf]:
            ver = num(c["cflow.version"])
            hdr = flat({k: v for k, v in c.items()
                        if not k.startswith("FlowSet") and
                        not k.startswith("pdu")}, {})
            unix_ms = None
            if "cflow.unix_secs" in hdr:
                unix_ms = num(hdr["cflow.unix_secs"]) * 1000
                if ver == 5:
                    unix_ms += num(hdr.get("cflow.unix_nsecs", "0")) \
                        // 1000000
            recs = []
            walk_records(c, recs)
            for r in recs:
                r = flat(r, {})
                if "cflow.protocol" not in r:
                    continue  # options record
                v4 = "cflow.srcaddr" in r
                rec = {
                    "v": 4 if v4 else 6,
                    "src": addr(r["cflow.srcaddr" if v4 else
                                  "cflow.srcaddrv6"]),
                    "dst": addr(r["cflow.dstaddr" if v4 else
                                  "cflow.dstaddrv6"]),
                    "sport": num(r.get("cflow.srcport", "0")),
                    "dport": num(r.get("cflow.dstport", "0")),
                    "proto": num(r["cflow.protocol"]),
                    "tos": num(r.get("cflow.tos", "0")),
                    "packets": num(r.get("cflow.packets",
                                         r.get("cflow.packets64", "-1"))),
                    "octets": num(r.get("cflow.octets",
                                        r.get("cflow.octets64", "-1"))),
                }
                icmp = rec["proto"] in (1, 58)
                for t in ("cflow.icmp_type_code_ipv4",
                          "cflow.icmp_type_code_ipv6"):
                    if icmp and t in r:
                        rec["sport"], rec["dport"] = 0, num(r[t])
                p = "cflow.icmp_ipv4_" if v4 else "cflow.icmp_ipv6_"
                if icmp and p + "type" in r:
                    rec["sport"] = 0
                    rec["dport"] = num(r[p + "type"]) * 256 + \
                        num(r.get(p + "code", "0"))
                for k in ("start", "end"):
                    a = "cflow.abstime" + k
                    rel = "cflow.time" + k
                    if a in r:
                        rec[k] = tshark_abs(r[a])
                    elif rel in r and unix_ms is not None:
                        # v5/v9: uptime of the flow against the header's
                        # sysUptime and export time, as collectors do
                        rec[k] = unix_ms - secs_ms(hdr["cflow.sysuptime"]) \
                            + secs_ms(r[rel])
                out.append(rec)
    return out


def from_pmacct(path):
    out = []
    for line in open(path):
        line = line.strip()
        if not line.startswith("{"):
            continue
        j = json.loads(line)
        src = addr(j["ip_src"])
        rec = {
            "v": ipaddress.ip_address(src).version,
            "src": src, "dst": addr(j["ip_dst"]),
            "sport": j.get("port_src", 0), "dport": j.get("port_dst", 0),
            "proto": j["ip_proto"], "tos": j.get("tos", 0),
            "packets": j["packets"], "octets": j["bytes"],
        }
        if isinstance(rec["proto"], str) and rec["proto"].isdigit():
            rec["proto"] = int(rec["proto"])
        for k, jk in (("start", "timestamp_start"), ("end", "timestamp_end")):
            if jk in j:
                rec[k] = utc_ms(j[jk], "%Y-%m-%d %H:%M:%S")
        out.append(rec)
    return out


IPFIXDUMP_NAMES = {
    "sourceIPv4Address": "src", "sourceIPv6Address": "src",
    "destinationIPv4Address": "dst", "destinationIPv6Address": "dst",
    "sourceTransportPort": "sport", "destinationTransportPort": "dport",
    "protocolIdentifier": "proto", "ipClassOfService": "tos",
    "packetDeltaCount": "packets", "octetDeltaCount": "octets",
    "packetTotalCount": "packets", "octetTotalCount": "octets",
    "flowStartMilliseconds": "start", "flowEndMilliseconds": "end",
    "icmpTypeCodeIPv4": "icmp", "icmpTypeCodeIPv6": "icmp",
}


def ipfixdump_value(name, v):
    v = v.strip()
    if name in ("src", "dst"):
        return addr(v)
    if name in ("start", "end"):
        # "2011-01-01 10:00:00.123" (ipfixDump prints UTC)
        return utc_ms(v, "%Y-%m-%d %H:%M:%S")
    return int(v.split()[0], 0)


def from_ipfixdump(path):
    """ipfixDump 2.4 text: '--- data record N ---', a header, then one
    '(ID) [(S)] name : value' line per field."""
    out = []
    cur = None
    for line in open(path):
        if re.match(r"^--- data record", line):
            cur = {}
            out.append(cur)
            continue
        if line.startswith("---"):
            cur = None
            continue
        if cur is None:
            continue
        m = re.match(r"^\s*\(\d+(?:/\d+)?\)\s*(?:\(S\)\s*)?(\w+)\s*:\s*(.*)$",
                     line)
        if not m or m.group(1) not in IPFIXDUMP_NAMES:
            continue
        name = IPFIXDUMP_NAMES[m.group(1)]
        cur[name] = ipfixdump_value(name, m.group(2))
    recs = []
    for r in out:
        if "proto" not in r:
            continue  # options record
        icmp = r.pop("icmp", None)
        if icmp is not None and r["proto"] in (1, 58):
            r["sport"], r["dport"] = 0, icmp
        r["v"] = ipaddress.ip_address(r["src"]).version
        recs.append(r)
    return recs


PARSERS = {"tapflow": from_tapflow, "nfdump": from_nfdump,
           "tshark": from_tshark, "pmacct": from_pmacct,
           "ipfixdump": from_ipfixdump}


def summed(recs, fields):
    keyf = [f for f in fields if f not in ("packets", "octets")]
    acc = collections.OrderedDict()
    for r in recs:
        k = tuple(r.get(f) for f in keyf)
        a = acc.setdefault(k, dict(zip(keyf, k), packets=0, octets=0))
        a["packets"] += r.get("packets", 0)
        a["octets"] += r.get("octets", 0)
    return list(acc.values())


def show(r, fields):
    return " ".join("%s=%s" % (f, r.get(f)) for f in fields)


def closest(r, pool, fields):
    best, score = None, -1
    for p in pool:
        s = sum(1 for f in fields if p.get(f) == r.get(f))
        if s > score:
            best, score = p, s
    return best


def to_tapflow(kind, path):
    """Development aid: a collector's flows as tapflow -j lines, to stand
    in for tapflow's own JSON when another exporter (softflowd) is used."""
    for r in PARSERS[kind](path):
        v = "IPv4" if r["v"] == 4 else "IPv6"
        print(json.dumps({
            "source%sAddress" % v: r["src"],
            "destination%sAddress" % v: r["dst"],
            "sourceTransportPort": r["sport"],
            "destinationTransportPort": r["dport"],
            "protocolIdentifier": r["proto"],
            "ipClassOfService": r["tos"],
            "packetDeltaCount": r["packets"], "octetDeltaCount": r["octets"],
            "flowStartMilliseconds": r.get("start"),
            "flowEndMilliseconds": r.get("end")}))
    return 0


def main(argv):
    if argv and argv[0] == "to-tapflow":
        return to_tapflow(argv[1], argv[2])
    fields, v4_only, do_sum, dump = ALL, False, False, None
    args = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--fields":
            fields = argv[i + 1].split(",")
            i += 1
        elif a == "--v4-only":
            v4_only = True
        elif a == "--sum":
            do_sum = True
        elif a == "--dump":
            dump = argv[i + 1]
            i += 1
        else:
            args.append(a)
        i += 1
    ref_path, kind, path = args
    ref = from_tapflow(ref_path)
    got = PARSERS[kind](path)
    if dump:
        with open(dump, "w") as f:
            for r in got:
                f.write(json.dumps(r, sort_keys=True) + "\n")
    if v4_only:
        ref = [r for r in ref if r["v"] == 4]
    if do_sum:
        ref, got = summed(ref, fields), summed(got, fields)
    want_c = collections.Counter(tuple(r.get(f) for f in fields) for r in ref)
    got_c = collections.Counter(tuple(r.get(f) for f in fields) for r in got)
    missing = want_c - got_c
    extra = got_c - want_c
    print("%s: %d records, reference %d; fields %s" %
          (kind, len(got), len(ref), ",".join(fields)))
    if not missing and not extra:
        print("all equal")
        return 0
    print("%d reference records not decoded as such, %d decoded records not "
          "in the reference" % (sum(missing.values()), sum(extra.values())))
    extra_recs = [dict(zip(fields, k)) for k in extra.elements()]
    for n, k in enumerate(missing.elements()):
        if n >= 10:
            print("  ...")
            break
        w = dict(zip(fields, k))
        print("  want %s" % show(w, fields))
        c = closest(w, extra_recs, fields)
        if c is not None:
            diff = [f for f in fields if c.get(f) != w.get(f)]
            print("   got %s   (differs: %s)" % (show(c, fields),
                                               ",".join(diff)))
    if not missing:
        for n, r in enumerate(extra_recs[:10]):
            print("  extra %s" % show(r, fields))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
