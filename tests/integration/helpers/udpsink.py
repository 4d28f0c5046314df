#!/usr/bin/env python3
"""Receive UDP datagrams on 127.0.0.1:PORT and write each one to a pcap
(LINKTYPE_RAW, with an IPv4/UDP header made up around it, so that tshark
can dissect it with -d udp.port==PORT,cflow). Stops on SIGTERM/SIGINT,
then prints the number of datagrams and bytes received.

usage: udpsink.py PORT OUT.pcap
"""
import signal
import socket
import struct
import sys
import time

port, out = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind(("127.0.0.1", port))
f = open(out, "wb")
f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
f.flush()
stop = False


def on_signal(signum, frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)
s.settimeout(0.05)
n = nbytes = 0
while True:
    try:
        data, peer = s.recvfrom(65535)
    except socket.timeout:
        if stop:
            break
        continue
    except InterruptedError:
        continue
    now = time.time()
    udp = struct.pack("!HHHH", peer[1], port, 8 + len(data), 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28 + len(data), n & 0xFFFF,
                     0, 64, 17, 0, socket.inet_aton(peer[0]),
                     socket.inet_aton("127.0.0.1"))
    pkt = ip + udp + data
    f.write(struct.pack("<IIII", int(now), int(now % 1 * 1e6), len(pkt),
                        len(pkt)))
    f.write(pkt)
    n += 1
    nbytes += len(data)
f.close()
print("udpsink: %d datagrams, %d bytes" % (n, nbytes))
