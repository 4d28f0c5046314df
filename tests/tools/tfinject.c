/*
 * tfinject: puts a known set of flows on a live interface (issue 6).
 *
 * Frames are built with libnet (LIBNET_NONE: bytes only) and sent through
 * an AF_PACKET socket bound to the interface, or written to a pcap file
 * with --write. Beside them, --truth writes the flows a probe must report,
 * one JSON object per line with tapflow's keys (IPFIX element names, as
 * tapflow -j writes them): the key, packetDeltaCount, octetDeltaCount (IP
 * total lengths; IPv6: 40 + payload length), tcpControlBits, TTLs, vlanId.
 *
 * Truth profile (default): --sets N copies of nine conversations, each
 * copy on its own addresses (10.6.S.2 -> 10.7.S.2, fd00:6::S:2 ->
 * fd00:7::S:2), so every flow key is unique:
 *   TCP/IPv4 handshake, data both ways, FIN teardown; TCP/IPv4 ended by a
 *   RST; UDP/IPv4 both ways; ICMP echo request and reply; TCP/IPv6 with
 *   FIN; UDP/IPv6 both ways; ICMPv6 echo; UDP/IPv4 in VLAN 100; UDP/IPv6
 *   in VLAN 200.
 * Every frame shorter than 60 bytes is padded like Ethernet's minimum: the
 * padding must not count.
 *
 * Bench profile (--bench): --flows K UDP/IPv4 flows, --packets N frames in
 * turn over them (--size payload bytes), for tcpreplay or a direct send.
 *
 * usage: tfinject [-i IFACE | --write FILE] [--truth FILE] [--sets N]
 *                 [--pps R] [--bench --flows K --packets N --size B]
 * prints: frames=N flows=N bytes=N seconds=S
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libnet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TFI_MIN_FRAME 60 /* Ethernet minimum without FCS */
#define TFI_MAX_FRAME 1600
#define TFI_MAX_FLOWS 65536
#define TFI_TTL       64

#define PROTO_ICMP   1
#define PROTO_TCP    6
#define PROTO_UDP    17
#define PROTO_ICMPV6 58

/* The injector's MAC: tests filter on it ("ether src"). */
static const uint8_t mac_cli[6] = {0x02, 0x00, 0x00, 0x00, 0x06, 0x01};
static const uint8_t mac_srv[6] = {0x02, 0x00, 0x00, 0x00, 0x06, 0x02};
static const uint8_t zeros[TFI_MAX_FRAME];

/* One unidirectional flow of the truth. */
struct tflow {
	int family;
	uint8_t proto;
	uint8_t src[16], dst[16];
	uint16_t sport, dport; /* ICMP: 0, type * 256 + code */
	uint16_t vlan;
	uint64_t packets, octets;
	uint8_t tcp_flags;
};

struct inj {
	libnet_t *ln;
	int fd; /* AF_PACKET socket, or -1 */
	int ifindex;
	pcap_dumper_t *dump; /* --write */
	pcap_t *dead;
	uint64_t gap_ns; /* 1e9 / pps, 0 = as fast as possible */
	struct timespec next;
	uint64_t frames, bytes;
	struct tflow flows[TFI_MAX_FLOWS];
	int n_flows;
};

/* One conversation's endpoints; dir 0 = client to server. */
struct conv {
	int family;
	uint8_t proto;
	uint8_t cli[16], srv[16];
	uint16_t cport, sport;
	uint16_t vlan;
	int flow[2]; /* index in inj.flows per direction, -1 none yet */
};

static void
die(const char *what, const char *why)
{
	(void)fprintf(stderr, "tfinject: %s: %s\n", what, why);
	exit(1);
}

static void
ts_add(struct timespec *t, uint64_t ns)
{
	t->tv_nsec += (long)(ns % 1000000000ULL);
	t->tv_sec += (time_t)(ns / 1000000000ULL);
	if (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

static void
emit(struct inj *g, const uint8_t *frame, size_t len)
{
	if (g->gap_ns != 0) {
		(void)clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &g->next,
		                      NULL);
		ts_add(&g->next, g->gap_ns);
	}
	if (g->dump != NULL) {
		struct pcap_pkthdr h;
		struct timespec now;

		(void)clock_gettime(CLOCK_REALTIME, &now);
		h.ts.tv_sec = now.tv_sec;
		h.ts.tv_usec = (suseconds_t)(now.tv_nsec / 1000);
		h.caplen = h.len = (bpf_u_int32)len;
		pcap_dump((u_char *)g->dump, &h, frame);
	} else {
		while (send(g->fd, frame, len, 0) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN)
				die("send", strerror(errno));
			(void)usleep(100); /* the device queue is full */
		}
	}
	g->frames++;
	g->bytes += len;
}

static struct libnet_in6_addr
in6(const uint8_t *a)
{
	struct libnet_in6_addr r;

	memcpy(&r, a, 16);
	return r;
}

/* Account one packet in the truth: the flow of (conversation, dir). */
static void
account(struct inj *g, struct conv *c, int dir, uint8_t proto, uint16_t sp,
        uint16_t dp, uint32_t ip_len, uint8_t flags)
{
	struct tflow *f;

	if (c->flow[dir] < 0) {
		if (g->n_flows == TFI_MAX_FLOWS)
			die("flows", "too many");
		c->flow[dir] = g->n_flows++;
		f = &g->flows[c->flow[dir]];
		memset(f, 0, sizeof(*f));
		f->family = c->family;
		f->proto = proto;
		memcpy(f->src, dir ? c->srv : c->cli, 16);
		memcpy(f->dst, dir ? c->cli : c->srv, 16);
		f->sport = sp;
		f->dport = dp;
		f->vlan = c->vlan;
	}
	f = &g->flows[c->flow[dir]];
	f->packets++;
	f->octets += ip_len;
	f->tcp_flags |= flags;
}

/*
 * One frame of conversation c in direction dir. TCP: flags and payload;
 * UDP: payload; ICMP: echo request (dir 0) or reply (dir 1).
 */
static void
packet(struct inj *g, struct conv *c, int dir, uint8_t tcp_flags,
       uint32_t paylen)
{
	libnet_t *l = g->ln;
	const uint8_t *src = dir ? c->srv : c->cli;
	const uint8_t *dst = dir ? c->cli : c->srv;
	uint16_t sp = dir ? c->sport : c->cport;
	uint16_t dp = dir ? c->cport : c->sport;
	uint8_t frame[TFI_MAX_FRAME];
	uint8_t *pkt = NULL;
	uint32_t pkt_len = 0, l4len, s4, d4;
	uint8_t type = 0;
	libnet_ptag_t t;
	size_t len;

	libnet_clear_packet(l);
	switch (c->proto) {
	case PROTO_TCP:
		l4len = LIBNET_TCP_H + paylen;
		t = libnet_build_tcp(sp, dp, 1000U + (uint32_t)g->frames,
		                     tcp_flags & TH_ACK ? 2000U : 0U, tcp_flags,
		                     65535, 0, 0, (uint16_t)l4len,
		                     paylen ? zeros : NULL, paylen, l, 0);
		break;
	case PROTO_UDP:
		l4len = LIBNET_UDP_H + paylen;
		t = libnet_build_udp(sp, dp, (uint16_t)l4len, 0,
		                     paylen ? zeros : NULL, paylen, l, 0);
		break;
	case PROTO_ICMP:
		l4len = LIBNET_ICMPV4_ECHO_H + paylen;
		type = dir ? 0 : 8;
		t = libnet_build_icmpv4_echo(
		    type, 0, 0, c->cport, (uint16_t)g->frames,
		    paylen ? zeros : NULL, paylen, l, 0);
		sp = 0;
		dp = (uint16_t)(type << 8);
		break;
	default:
		l4len = LIBNET_ICMPV6_ECHO_H + paylen;
		type = dir ? 129 : 128;
		t = libnet_build_icmpv6_echo(
		    type, 0, 0, c->cport, (uint16_t)g->frames,
		    paylen ? (uint8_t *)(uintptr_t)zeros : NULL, paylen, l, 0);
		sp = 0;
		dp = (uint16_t)(type << 8);
		break;
	}
	if (t == -1)
		die("libnet l4", libnet_geterror(l));
	if (c->family == 4) {
		memcpy(&s4, src, 4);
		memcpy(&d4, dst, 4);
		t = libnet_build_ipv4((uint16_t)(LIBNET_IPV4_H + l4len), 0,
		                      (uint16_t)g->frames, 0x4000, TFI_TTL,
		                      c->proto, 0, s4, d4, NULL, 0, l, 0);
	} else {
		/* libnet writes len into the payload-length field */
		t = libnet_build_ipv6(0, 0, (uint16_t)l4len, c->proto, TFI_TTL,
		                      in6(src), in6(dst), NULL, 0, l, 0);
	}
	if (t == -1)
		die("libnet ip", libnet_geterror(l));
	if (c->vlan != 0)
		t = libnet_build_802_1q(
		    dir ? mac_cli : mac_srv, dir ? mac_srv : mac_cli, 0x8100, 0,
		    0, c->vlan, c->family == 4 ? 0x0800 : 0x86dd, NULL, 0, l,
		    0);
	else
		t = libnet_build_ethernet(
		    dir ? mac_cli : mac_srv, dir ? mac_srv : mac_cli,
		    c->family == 4 ? 0x0800 : 0x86dd, NULL, 0, l, 0);
	if (t == -1)
		die("libnet ethernet", libnet_geterror(l));
	if (libnet_pblock_coalesce(l, &pkt, &pkt_len) == -1)
		die("libnet coalesce", libnet_geterror(l));
	len = pkt_len;
	if (len > sizeof(frame))
		die("frame", "too long");
	memset(frame, 0, TFI_MIN_FRAME);
	memcpy(frame, pkt, len);
	libnet_adv_free_packet(l, pkt);
	emit(g, frame, len < TFI_MIN_FRAME ? TFI_MIN_FRAME : len);
	account(g, c, dir, c->proto, sp, dp,
	        (uint32_t)((c->family == 4 ? LIBNET_IPV4_H : LIBNET_IPV6_H) +
	                   l4len),
	        c->proto == PROTO_TCP ? tcp_flags : 0);
}

static void
conv_init(struct conv *c, int family, uint8_t proto, int set, int host,
          uint16_t cport, uint16_t sport, uint16_t vlan)
{
	memset(c, 0, sizeof(*c));
	c->family = family;
	c->proto = proto;
	c->cport = cport;
	c->sport = sport;
	c->vlan = vlan;
	c->flow[0] = c->flow[1] = -1;
	if (family == 4) {
		/* 10.6.S.H -> 10.7.S.H */
		c->cli[0] = c->srv[0] = 10;
		c->cli[1] = 6;
		c->srv[1] = 7;
		c->cli[2] = c->srv[2] = (uint8_t)set;
		c->cli[3] = c->srv[3] = (uint8_t)host;
	} else {
		/* fd00:6::S:H -> fd00:7::S:H */
		c->cli[0] = c->srv[0] = 0xfd;
		c->cli[3] = 6;
		c->srv[3] = 7;
		c->cli[13] = c->srv[13] = (uint8_t)set;
		c->cli[15] = c->srv[15] = (uint8_t)host;
	}
}

#define SYN TH_SYN
#define ACK TH_ACK
#define FIN TH_FIN
#define RST TH_RST
#define PSH TH_PUSH

static void
tcp_conv(struct inj *g, struct conv *c, bool rst)
{
	packet(g, c, 0, SYN, 0);
	packet(g, c, 1, SYN | ACK, 0);
	packet(g, c, 0, ACK, 0);
	packet(g, c, 0, PSH | ACK, 100);
	packet(g, c, 1, ACK, 0);
	if (rst) {
		packet(g, c, 0, RST | ACK, 0);
		return;
	}
	packet(g, c, 1, PSH | ACK, 1000);
	packet(g, c, 1, PSH | ACK, 1000);
	packet(g, c, 0, ACK, 0);
	packet(g, c, 0, FIN | ACK, 0);
	packet(g, c, 1, FIN | ACK, 0);
	packet(g, c, 0, ACK, 0);
}

static void
profile_truth(struct inj *g, int sets)
{
	struct conv c;
	int s;

	for (s = 1; s <= sets; s++) {
		conv_init(&c, 4, PROTO_TCP, s, 2, 40000, 80, 0);
		tcp_conv(g, &c, false);
		conv_init(&c, 4, PROTO_TCP, s, 2, 40001, 443, 0);
		tcp_conv(g, &c, true);
		conv_init(&c, 4, PROTO_UDP, s, 2, 40002, 53, 0);
		packet(g, &c, 0, 0, 64);
		packet(g, &c, 1, 0, 512);
		packet(g, &c, 0, 0, 64);
		packet(g, &c, 1, 0, 512);
		packet(g, &c, 0, 0, 64);
		conv_init(&c, 4, PROTO_ICMP, s, 2, (uint16_t)s, 0, 0);
		packet(g, &c, 0, 0, 56);
		packet(g, &c, 1, 0, 56);
		packet(g, &c, 0, 0, 56);
		packet(g, &c, 1, 0, 56);
		conv_init(&c, 6, PROTO_TCP, s, 2, 40003, 80, 0);
		tcp_conv(g, &c, false);
		conv_init(&c, 6, PROTO_UDP, s, 2, 40004, 123, 0);
		packet(g, &c, 0, 0, 100);
		packet(g, &c, 0, 0, 100);
		packet(g, &c, 1, 0, 300);
		conv_init(&c, 6, PROTO_ICMPV6, s, 2, (uint16_t)s, 0, 0);
		packet(g, &c, 0, 0, 32);
		packet(g, &c, 1, 0, 32);
		/* VLAN tags: other hosts, so the keys stay apart */
		conv_init(&c, 4, PROTO_UDP, s, 3, 40005, 5001, 100);
		packet(g, &c, 0, 0, 80);
		packet(g, &c, 0, 0, 80);
		packet(g, &c, 0, 0, 80);
		conv_init(&c, 6, PROTO_UDP, s, 3, 40006, 5002, 200);
		packet(g, &c, 0, 0, 10);
		packet(g, &c, 0, 0, 10);
	}
}

/* Frames over K flows in turn; the flows' truth comes from packet(). */
static void
profile_bench(struct inj *g, int flows, uint64_t frames, uint32_t size)
{
	struct conv *c = calloc((size_t)flows, sizeof(*c));
	uint64_t i;
	int k;

	if (c == NULL)
		die("bench", "out of memory");
	for (k = 0; k < flows; k++)
		conv_init(&c[k], 4, PROTO_UDP, 1 + k / 250, 2 + k % 250,
		          (uint16_t)(20000 + k % 40000), 9, 0);
	for (i = 0; i < frames; i++)
		packet(g, &c[i % (uint64_t)flows], 0, 0, size);
	free(c);
}

static void
write_truth(const struct inj *g, const char *path)
{
	FILE *f = fopen(path, "w");
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int i;

	if (f == NULL)
		die(path, strerror(errno));
	for (i = 0; i < g->n_flows; i++) {
		const struct tflow *t = &g->flows[i];
		int v4 = t->family == 4;
		bool icmp = t->proto == PROTO_ICMP || t->proto == PROTO_ICMPV6;

		(void)inet_ntop(v4 ? AF_INET : AF_INET6, t->src, a, sizeof(a));
		(void)inet_ntop(v4 ? AF_INET : AF_INET6, t->dst, b, sizeof(b));
		(void)fprintf(
		    f,
		    "{\"ipVersion\":%d,\"%s\":\"%s\",\"%s\":\"%s\","
		    "\"sourceTransportPort\":%u,"
		    "\"destinationTransportPort\":%u,",
		    t->family, v4 ? "sourceIPv4Address" : "sourceIPv6Address",
		    a, v4 ? "destinationIPv4Address" : "destinationIPv6Address",
		    b, t->sport, t->dport);
		if (icmp)
			(void)fprintf(f, "\"%s\":%u,",
			              v4 ? "icmpTypeCodeIPv4"
			                 : "icmpTypeCodeIPv6",
			              t->dport);
		(void)fprintf(f,
		              "\"protocolIdentifier\":%u,"
		              "\"ipClassOfService\":0,\"vlanId\":%u,"
		              "\"packetDeltaCount\":%" PRIu64
		              ",\"octetDeltaCount\":%" PRIu64
		              ",\"tcpControlBits\":%u,\"minimumTTL\":%d,"
		              "\"maximumTTL\":%d}\n",
		              t->proto, t->vlan, t->packets, t->octets,
		              t->tcp_flags, TFI_TTL, TFI_TTL);
	}
	if (fclose(f) != 0)
		die(path, strerror(errno));
}

static void
open_iface(struct inj *g, const char *ifname)
{
	struct sockaddr_ll sll;

	g->ifindex = (int)if_nametoindex(ifname);
	if (g->ifindex == 0)
		die(ifname, strerror(errno));
	g->fd = socket(AF_PACKET, SOCK_RAW, 0); /* send only: no protocol */
	if (g->fd < 0)
		die("AF_PACKET socket", strerror(errno));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = g->ifindex;
	if (bind(g->fd, (struct sockaddr *)&sll, sizeof(sll)) != 0)
		die(ifname, strerror(errno));
}

static uint64_t
num(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < min || v > max) {
		(void)fprintf(stderr,
		              "tfinject: %s %s: expected %" PRIu64 "..%" PRIu64
		              "\n",
		              opt, s, min, max);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	static struct inj g;
	static const struct option opts[] = {
	    {"interface", required_argument, NULL, 'i'},
	    {"write", required_argument, NULL, 'w'},
	    {"truth", required_argument, NULL, 't'},
	    {"sets", required_argument, NULL, 's'},
	    {"pps", required_argument, NULL, 'p'},
	    {"bench", no_argument, NULL, 'b'},
	    {"flows", required_argument, NULL, 'f'},
	    {"packets", required_argument, NULL, 'n'},
	    {"size", required_argument, NULL, 'z'},
	    {NULL, 0, NULL, 0},
	};
	char errbuf[LIBNET_ERRBUF_SIZE];
	const char *ifname = NULL, *wpath = NULL, *tpath = NULL;
	int c, sets = 4, flows = 1000;
	uint64_t pps = 20000, frames = 100000;
	uint32_t size = 18;
	bool bench = false;
	struct timespec t0, t1;

	while ((c = getopt_long(argc, argv, "i:w:t:s:p:bf:n:z:", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'i':
			ifname = optarg;
			break;
		case 'w':
			wpath = optarg;
			break;
		case 't':
			tpath = optarg;
			break;
		case 's':
			sets = (int)num("--sets", optarg, 1, 250);
			break;
		case 'p':
			pps = num("--pps", optarg, 0, 100000000);
			break;
		case 'b':
			bench = true;
			break;
		case 'f':
			flows = (int)num("--flows", optarg, 1, 60000);
			break;
		case 'n':
			frames = num("--packets", optarg, 1, 1ULL << 40);
			break;
		case 'z':
			size = (uint32_t)num("--size", optarg, 0, 1400);
			break;
		default:
			(void)fprintf(stderr,
			              "usage: tfinject [-i IFACE | --write "
			              "FILE] [--truth FILE] [--sets N] [--pps "
			              "R (0: no pacing)] [--bench --flows K "
			              "--packets N --size B]\n");
			return 2;
		}
	}
	if ((ifname == NULL) == (wpath == NULL)) {
		(void)fprintf(stderr, "tfinject: give -i IFACE or --write "
		                      "FILE\n");
		return 2;
	}
	g.fd = -1;
	g.ln = libnet_init(LIBNET_NONE, NULL, errbuf);
	if (g.ln == NULL)
		die("libnet_init", errbuf);
	if (ifname != NULL) {
		open_iface(&g, ifname);
		g.gap_ns = pps != 0 ? 1000000000ULL / pps : 0;
	} else {
		g.dead = pcap_open_dead(DLT_EN10MB, 65535);
		g.dump = g.dead != NULL ? pcap_dump_open(g.dead, wpath) : NULL;
		if (g.dump == NULL)
			die(wpath, g.dead != NULL ? pcap_geterr(g.dead)
			                          : "pcap_open_dead");
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	g.next = t0;
	if (bench)
		profile_bench(&g, flows, frames, size);
	else
		profile_truth(&g, sets);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	if (tpath != NULL)
		write_truth(&g, tpath);
	if (g.dump != NULL) {
		pcap_dump_close(g.dump);
		pcap_close(g.dead);
	}
	if (g.fd >= 0)
		(void)close(g.fd);
	libnet_destroy(g.ln);
	(void)printf("frames=%" PRIu64 " flows=%d bytes=%" PRIu64
	             " seconds=%.3f\n",
	             g.frames, g.n_flows, g.bytes,
	             (double)(t1.tv_sec - t0.tv_sec) +
	                 (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
