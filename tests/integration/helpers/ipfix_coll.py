#!/usr/bin/env python3
"""IPFIX test collector and checker for 52_collector_restart.sh (issue 7).

  ipfix_coll.py udp PORT OUT     receive datagrams until SIGTERM
  ipfix_coll.py tcp PORT OUT     accept connections, split the stream into
                                 messages (RFC 7011 3.1 length); on SIGTERM
                                 stop gracefully: close the listener, send
                                 FIN, read until the exporter closes (3 s)
  ipfix_coll.py writer SECONDS PPS   a pcap on stdout, written slowly in
                                 real time: one UDP packet per new flow
  ipfix_coll.py check MODE OUT...  parse every message (RFC 7011: sets,
                                 templates, options templates, variable-
                                 length fields) and check the sequence
                                 numbers (3.1: count of data records)

OUT files hold records: connection number (4 bytes), length (4), message.
"""
import os
import select
import signal
import socket
import struct
import sys
import time

stop = False


def on_term(sig, frm):
    global stop
    stop = True


def save(f, conn, msg):
    f.write(struct.pack("!II", conn, len(msg)) + msg)
    f.flush()


def udp(port, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    s.settimeout(0.1)
    with open(out, "wb") as f:
        while not stop:
            try:
                msg = s.recv(65535)
            except socket.timeout:
                continue
            except InterruptedError:
                continue
            save(f, 0, msg)


def tcp(port, out):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(4)
    conns = {}  # socket -> [number, buffer]
    n = 0
    deadline = None
    with open(out, "wb") as f:
        while True:
            if stop and deadline is None:
                ls.close()
                for c in conns:
                    c.shutdown(socket.SHUT_WR)  # FIN: "going away"
                deadline = time.time() + 3
            if deadline is not None and (not conns or time.time() > deadline):
                break
            rl = list(conns) + ([ls] if deadline is None else [])
            try:
                r, _, _ = select.select(rl, [], [], 0.1)
            except InterruptedError:
                continue
            for c in r:
                if c is ls:
                    a, _ = ls.accept()
                    n += 1
                    conns[a] = [n, b""]
                    continue
                data = c.recv(65536)
                st = conns[c]
                if not data:
                    if st[1]:
                        print("connection %d: %d bytes of a cut message"
                              % (st[0], len(st[1])), file=sys.stderr)
                    c.close()
                    del conns[c]
                    continue
                st[1] += data
                while len(st[1]) >= 4:
                    ln = struct.unpack("!H", st[1][2:4])[0]
                    if ln < 16 or len(st[1]) < ln:
                        break
                    save(f, st[0], st[1][:ln])
                    st[1] = st[1][ln:]


def writer(seconds, pps):
    out = sys.stdout.buffer
    # pcap global header, microseconds, LINKTYPE_RAW (101)
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
    end = time.time() + seconds
    i = 0
    while time.time() < end:
        t = time.time()
        for _ in range(max(1, pps // 100)):
            sport = 1024 + i % 60000
            src = bytes([10, 9, (i >> 8) & 255, i & 255])
            udp = struct.pack("!HHHH", sport, 9, 8 + 4, 0) + b"abcd"
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0,
                             64, 17, 0, src, bytes([10, 9, 255, 1])) + udp
            out.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6),
                                  len(ip), len(ip)) + ip)
            i += 1
        out.flush()
        time.sleep(max(0, 0.01 - (time.time() - t)))


def field_len(body, p, ln):
    if ln != 65535:
        return p + ln
    ln = body[p]
    p += 1
    if ln == 255:
        ln = struct.unpack("!H", body[p:p + 2])[0]
        p += 2
    return p + ln


def parse_templates(body, options, templates):
    p = 0
    while len(body) - p >= 4:
        tid, fc = struct.unpack("!HH", body[p:p + 4])
        p += 4
        if options:
            p += 2  # scope field count
        lens = []
        for _ in range(fc):
            ie, ln = struct.unpack("!HH", body[p:p + 4])
            p += 4
            if ie & 0x8000:
                p += 4  # enterprise number
            lens.append(ln)
        templates[tid] = (lens, options)


def parse(msg, templates):
    """(sequence, data records, flow records, has templates)"""
    ver, ln, _, seq, _ = struct.unpack("!HHIII", msg[:16])
    assert ver == 10 and ln == len(msg), "not an IPFIX message"
    off, nrec, nflow, tmpl = 16, 0, 0, False
    while off + 4 <= ln:
        sid, slen = struct.unpack("!HH", msg[off:off + 4])
        body = msg[off + 4:off + slen]
        if sid in (2, 3):
            parse_templates(body, sid == 3, templates)
            tmpl = True
        elif sid >= 256:
            lens, options = templates[sid]  # KeyError: data before template
            minlen = sum(1 if x == 65535 else x for x in lens)
            p = 0
            while len(body) - p >= minlen and minlen > 0:
                for x in lens:
                    p = field_len(body, p, x)
                nrec += 1
                if not options:
                    nflow += 1
        off += slen
    return seq, nrec, nflow, tmpl


def read_out(path):
    with open(path, "rb") as f:
        data = f.read()
    p = 0
    while p + 8 <= len(data):
        conn, ln = struct.unpack("!II", data[p:p + 8])
        yield conn, data[p + 8:p + 8 + ln]
        p += 8 + ln


def check(mode, paths):
    """UDP: no gap inside a collector session. TCP: no gap, no loss over
    all sessions; each connection starts with templates. Prints figures;
    exit 1 on a failed check."""
    templates = {}
    ok = True
    expect = None
    flows = msgs = dups = gaps_within = 0
    for si, path in enumerate(paths):
        first_conn = set()
        s_expect = None
        s_msgs = s_flows = 0
        for conn, msg in read_out(path):
            seq, nrec, nflow, tmpl = parse(msg, templates)
            if mode == "tcp" and conn not in first_conn:
                first_conn.add(conn)
                if not tmpl:
                    print("session %d connection %d: first message has no "
                          "templates" % (si + 1, conn))
                    ok = False
            if mode == "udp":
                if s_expect is not None and seq != s_expect:
                    print("session %d: gap, sequence %d, expected %d"
                          % (si + 1, seq, s_expect))
                    gaps_within += 1
                s_expect = seq + nrec
            else:
                if expect is not None and seq < expect:
                    if nrec > 0:
                        dups += 1  # written again after a reconnect
                    continue
                if expect is not None and seq > expect:
                    print("session %d: sequence %d, expected %d: %d data "
                          "records lost" % (si + 1, seq, expect, seq - expect))
                    ok = False
                expect = seq + nrec
            s_msgs += 1
            s_flows += nflow
        print("collector session %d: %d messages, %d flow records"
              % (si + 1, s_msgs, s_flows))
        msgs += s_msgs
        flows += s_flows
    if gaps_within:
        ok = False
    print("total: %d messages, %d flow records, %d duplicate messages"
          % (msgs, flows, dups))
    print("FLOWS %d" % flows)
    return 0 if ok else 1


def main():
    signal.signal(signal.SIGTERM, on_term)
    m = sys.argv[1]
    if m == "udp":
        udp(int(sys.argv[2]), sys.argv[3])
    elif m == "tcp":
        tcp(int(sys.argv[2]), sys.argv[3])
    elif m == "writer":
        try:
            writer(float(sys.argv[2]), int(sys.argv[3]))
        except BrokenPipeError:
            os._exit(1)
    elif m == "check":
        sys.exit(check(sys.argv[2], sys.argv[3:]))


if __name__ == "__main__":
    main()
