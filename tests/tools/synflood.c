/*
 * synflood: write a capture of a random-source TCP SYN flood with a few
 * real flows mixed in, and the real flows' expected counts.
 *
 *   synflood [-n FLOOD_PACKETS] [-e EVERY] -t TRUTH.jsonl [-w OUT.pcap]
 *
 * The flood is FLOOD_PACKETS SYNs (default 5,000,000) to 192.168.7.100:80,
 * each from its own source (10.x.y.z and port: the packet number times an
 * odd constant modulo 2^32, a bijection, so every SYN opens a new flow).
 * Packets are 1 us apart from 1700000000 s, so the capture spans
 * FLOOD_PACKETS us and no idle timeout (15 s) is reached. Every EVERY
 * flood packets (default 1000) one packet of each real flow follows:
 *   TCP  192.168.7.1:40001 -> 192.168.7.2:443   (SYN, then ACK|PSH)
 *   UDP  192.168.7.3:5353  -> 192.168.7.4:53
 *   ICMP 192.168.7.5       -> 192.168.7.6        echo request
 *   UDP  [2001:db8::1]:1000 -> [2001:db8::2]:2000 (IPv6)
 * with payload sizes varying by packet ((k * 37) % 1200 bytes). The truth
 * file has one JSON line per real flow with the IPFIX element names
 * tapflow's -j uses (addresses, ports, protocol, packetDeltaCount,
 * octetDeltaCount = sum of IP total lengths), counted here while the
 * packets are built. The capture is Ethernet, microsecond pcap, to
 * OUT.pcap or standard output. A summary line goes to standard error.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_REAL    4
#define MAX_FRAME (14 + 40 + 8 + 1200)

struct real_flow {
	int family;
	uint8_t proto;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	const char *src_s, *dst_s;
	uint64_t packets, octets;
};

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* RFC 1071 checksum of the IPv4 header. */
static void
ip4_csum(uint8_t *h)
{
	uint32_t sum = 0;
	int i;

	h[10] = h[11] = 0;
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(h + 10, ~sum & 0xffff);
}

/* Ethernet header with the given ethertype; returns its length. */
static size_t
eth(uint8_t *f, unsigned ethertype)
{
	static const uint8_t mac[12] = {0x02, 0, 0, 0, 0, 2,
	                                0x02, 0, 0, 0, 0, 1};

	memcpy(f, mac, 12);
	put16(f + 12, ethertype);
	return 14;
}

static size_t
ip4(uint8_t *h, uint8_t proto, const uint8_t *src, const uint8_t *dst,
    size_t l4len)
{
	memset(h, 0, 20);
	h[0] = 0x45;
	put16(h + 2, (unsigned)(20 + l4len));
	h[6] = 0x40; /* DF */
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, src, 4);
	memcpy(h + 16, dst, 4);
	ip4_csum(h);
	return 20;
}

static size_t
tcp(uint8_t *h, unsigned sport, unsigned dport, uint32_t seq, uint8_t flags)
{
	memset(h, 0, 20);
	put16(h, sport);
	put16(h + 2, dport);
	put32(h + 4, seq);
	h[12] = 5 << 4;
	h[13] = flags;
	put16(h + 14, 65535);
	return 20;
}

/* One packet of real flow r, k-th of that flow; returns the frame length
 * and adds the packet to the flow's counts. */
static size_t
real_packet(uint8_t *f, struct real_flow *r, uint64_t k)
{
	size_t pay = (size_t)((k * 37) % 1200), l4, n;

	n = eth(f, r->family == 4 ? 0x0800 : 0x86dd);
	switch (r->proto) {
	case 6:
		l4 = 20 + pay;
		n += ip4(f + n, 6, r->src, r->dst, l4);
		n += tcp(f + n, r->sport, r->dport, (uint32_t)k,
		         k == 0 ? 0x02 : 0x18);
		break;
	case 1:
		l4 = 8 + pay;
		n += ip4(f + n, 1, r->src, r->dst, l4);
		memset(f + n, 0, 8);
		f[n] = 8; /* echo request */
		put16(f + n + 6, (unsigned)(k & 0xffff));
		n += 8;
		break;
	default: /* UDP over IPv4 or IPv6 */
		l4 = 8 + pay;
		if (r->family == 4) {
			n += ip4(f + n, 17, r->src, r->dst, l4);
		} else {
			memset(f + n, 0, 40);
			f[n] = 0x60;
			put16(f + n + 4, (unsigned)l4);
			f[n + 6] = 17;
			f[n + 7] = 64;
			memcpy(f + n + 8, r->src, 16);
			memcpy(f + n + 24, r->dst, 16);
			n += 40;
		}
		put16(f + n, r->sport);
		put16(f + n + 2, r->dport);
		put16(f + n + 4, (unsigned)l4);
		put16(f + n + 6, 0);
		n += 8;
		break;
	}
	memset(f + n, 0x5a, pay);
	n += pay;
	r->packets++;
	r->octets += (r->family == 4 ? 20 : 40) + l4;
	return n;
}

static void
write_truth(FILE *t, const struct real_flow *r)
{
	const char *v = r->family == 4 ? "IPv4" : "IPv6";

	(void)fprintf(t,
	              "{\"source%sAddress\":\"%s\",\"destination%sAddress\":"
	              "\"%s\",\"sourceTransportPort\":%u,"
	              "\"destinationTransportPort\":%u,"
	              "\"protocolIdentifier\":%u,\"packetDeltaCount\":%llu,"
	              "\"octetDeltaCount\":%llu}\n",
	              v, r->src_s, v, r->dst_s, r->sport, r->dport, r->proto,
	              (unsigned long long)r->packets,
	              (unsigned long long)r->octets);
}

int
main(int argc, char **argv)
{
	struct real_flow real[N_REAL] = {
	    {4,
	     6,
	     {192, 168, 7, 1},
	     {192, 168, 7, 2},
	     40001,
	     443,
	     "192.168.7.1",
	     "192.168.7.2",
	     0,
	     0},
	    {4,
	     17,
	     {192, 168, 7, 3},
	     {192, 168, 7, 4},
	     5353,
	     53,
	     "192.168.7.3",
	     "192.168.7.4",
	     0,
	     0},
	    {4,
	     1,
	     {192, 168, 7, 5},
	     {192, 168, 7, 6},
	     0,
	     8 * 256,
	     "192.168.7.5",
	     "192.168.7.6",
	     0,
	     0},
	    {6,
	     17,
	     {0x20, 0x01, 0x0d, 0xb8, [15] = 1},
	     {0x20, 0x01, 0x0d, 0xb8, [15] = 2},
	     1000,
	     2000,
	     "2001:db8::1",
	     "2001:db8::2",
	     0,
	     0},
	};
	static const uint8_t victim[4] = {192, 168, 7, 100};
	const char *truth = NULL, *out = "-";
	uint64_t flood = 5000000, every = 1000, i, k = 0, total = 0;
	uint64_t ts_us = 1700000000ULL * 1000000ULL;
	uint8_t f[MAX_FRAME];
	struct pcap_pkthdr h;
	pcap_t *p;
	pcap_dumper_t *d;
	FILE *t;
	int c, j;

	while ((c = getopt(argc, argv, "n:e:t:w:")) != -1) {
		switch (c) {
		case 'n':
			flood = strtoull(optarg, NULL, 10);
			break;
		case 'e':
			every = strtoull(optarg, NULL, 10);
			break;
		case 't':
			truth = optarg;
			break;
		case 'w':
			out = optarg;
			break;
		default:
			(void)fprintf(stderr, "usage: synflood [-n FLOOD] "
			                      "[-e EVERY] -t TRUTH [-w OUT]\n");
			return 2;
		}
	}
	if (truth == NULL || every == 0) {
		(void)fprintf(stderr, "synflood: -t TRUTH needed, -e > 0\n");
		return 2;
	}
	p = pcap_open_dead(DLT_EN10MB, 65535);
	d = p != NULL ? pcap_dump_open(p, out) : NULL;
	if (d == NULL) {
		(void)fprintf(stderr, "synflood: %s: cannot write\n", out);
		return 1;
	}
	for (i = 0; i < flood; i++) {
		/* odd multiplier: a bijection on 32 bits, so no repeats */
		uint32_t x = (uint32_t)(i * 2654435761u);
		uint8_t src[4] = {10, (uint8_t)(x >> 16), (uint8_t)(x >> 8),
		                  (uint8_t)x};
		size_t n = eth(f, 0x0800);

		n += ip4(f + n, 6, src, victim, 20);
		n += tcp(f + n, 1024 + (x >> 24), 80, x, 0x02);
		h.ts.tv_sec = (time_t)(ts_us / 1000000);
		h.ts.tv_usec = (suseconds_t)(ts_us % 1000000);
		h.caplen = h.len = (bpf_u_int32)n;
		pcap_dump((u_char *)d, &h, f);
		ts_us++;
		total++;
		if ((i + 1) % every != 0)
			continue;
		for (j = 0; j < N_REAL; j++) {
			n = real_packet(f, &real[j], k);
			h.ts.tv_sec = (time_t)(ts_us / 1000000);
			h.ts.tv_usec = (suseconds_t)(ts_us % 1000000);
			h.caplen = h.len = (bpf_u_int32)n;
			pcap_dump((u_char *)d, &h, f);
			total++;
		}
		k++;
		ts_us++;
	}
	pcap_dump_close(d);
	pcap_close(p);
	t = fopen(truth, "w");
	if (t == NULL) {
		(void)fprintf(stderr, "synflood: %s: cannot write\n", truth);
		return 1;
	}
	for (j = 0; j < N_REAL; j++)
		write_truth(t, &real[j]);
	if (fclose(t) != 0)
		return 1;
	(void)fprintf(stderr,
	              "synflood: %llu packets: %llu flood SYNs (one flow "
	              "each), %d real flows of %llu packets each\n",
	              (unsigned long long)total, (unsigned long long)flood,
	              N_REAL, (unsigned long long)k);
	return 0;
}
