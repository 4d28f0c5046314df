/*
 * tfgen: ground-truth traffic generator (issues 3 and 8).
 *
 * Writes a pcap of synthetic conversations and, beside it, the flows that
 * a probe with tapflow's flow-table semantics must report, one JSON object
 * per line with tapflow's keys (IPFIX information element names).
 *
 * The truth comes from two places that must agree: each conversation is a
 * script (TCP handshake, data, FIN or RST, UDP, ICMP, ...), and every
 * packet passes a small reference model of the flow table that keeps each
 * flow's counters and deadlines. The model is the specification written
 * out plainly (no queues, no hash): one state per flow slot of a script.
 *
 * Semantics (see the brief in bench/README.md): flows are unidirectional,
 * keyed by (src, dst, sport, dport, proto, tos, ifindex). A flow's deadline
 * is min(first + active, last + idle), or last + linger once a TCP FIN
 * (5 s) or RST (2 s) was seen; a packet at or after the deadline starts a
 * new flow. A SYN without ACK on a closing flow ends it (reason 3). At the
 * end of the file every flow left ends with reason 4.
 *
 * Ambiguity is designed out: no packet comes within TFG_MARGIN_US of its
 * flow's deadline (it is delayed past it instead), a flow's two deadlines
 * never lie within the margin of each other, a quiet period longer than
 * the idle timeout precedes a final sub-second burst, so the end of the
 * file is far from every deadline. Keys are unique per conversation, so
 * only a script's own packets ever meet its flows.
 *
 * Two packet builders produce the same bytes: libnet (profile truth, the
 * reference) and a hand-written one (profile bench, fast). --builder picks
 * one explicitly; the integration test compares their output.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libnet.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/flowrec.h"

#define TFG_US_PER_S   1000000ULL
#define TFG_MARGIN_US  (1 * TFG_US_PER_S) /* ±1 s around every deadline */
#define TFG_EPOCH_US   (1700000000ULL * TFG_US_PER_S)
#define TFG_MAX_FRAME  1600
#define TFG_MIN_FRAME  60 /* Ethernet minimum without FCS: pad below it */
#define TFG_SLOTS      4  /* flow slots (keys) per conversation */
#define TFG_BURST_CONV 24 /* conversations in the final burst */

#define PROTO_ICMP   1
#define PROTO_TCP    6
#define PROTO_UDP    17
#define PROTO_ICMPV6 58

enum profile { PROF_TRUTH, PROF_BENCH };
enum builder { BLD_DEFAULT, BLD_LIBNET, BLD_RAW };

enum conv_kind {
	K_TCP,
	K_UDP_RR,     /* request/response pairs */
	K_UDP_STREAM, /* one-way stream */
	K_ECHO,       /* ICMP echo request/reply */
	K_UNREACH,    /* UDP probe answered by ICMP port unreachable */
	K_TOS,        /* one 5-tuple, two ToS values */
	K_LONG_TCP,   /* crosses the active timeout */
	K_LONG_UDP,
	K_COUNT,
};

enum teardown { TD_FIN, TD_RST, TD_NONE };

/* TCP script states. */
enum tcp_state {
	T_SYN,
	T_SYNACK,
	T_ACK,
	T_DATA,
	T_FIN1,
	T_FIN2,
	T_LASTACK,
	T_RST,
	T_END,
};

struct opts {
	uint64_t seed;
	const char *out;
	const char *truth;
	enum profile profile;
	enum builder builder;
	uint64_t flows;      /* truth: conversations */
	uint64_t concurrent; /* bench: flows alive at once (about) */
	uint64_t packets;    /* bench: packets to write */
	uint64_t idle_us, active_us, fin_us, rst_us;
	double ipv6_share, vlan_share;
	double gap_mean_s; /* mean gap inside a conversation */
	uint32_t snaplen;
};

/* One packet a script wants to send, prepared one step ahead. */
struct pktdesc {
	uint8_t slot; /* flow slot in the conversation */
	uint8_t rev;  /* 0 client to server, 1 server to client */
	uint8_t proto;
	uint8_t tos;
	uint8_t flags; /* TCP flags */
	uint8_t icmp_type, icmp_code;
	uint16_t ip_len; /* IP total length; IPv6: 40 + payload length */
	uint16_t sport, dport; /* header ports (TCP/UDP) */
	uint32_t seq, ack;
	uint16_t echo_id, echo_seq;
};

/* Reference-model state of one flow slot. */
struct mflow {
	uint64_t first_us, last_us;
	uint64_t pkts, octets;
	uint16_t sport, dport; /* key; ICMP: 0, type * 256 + code */
	uint8_t proto, tos, rev;
	uint8_t flags;
	uint8_t closing; /* TCP_FIN / TCP_RST bits seen */
	uint8_t open;
};

struct conv {
	uint64_t next_us; /* time of pd */
	uint64_t start_us, stop_us;
	uint32_t id;
	uint8_t kind, family, state, teardown;
	uint8_t reuse; /* TCP: reconnects left on the same ports */
	uint8_t gappy; /* may pause longer than the idle timeout */
	uint8_t burst; /* final burst: tiny gaps */
	uint8_t fin_rev;
	uint16_t vlan;
	uint16_t cport, sport;
	uint8_t cli[16], srv[16];
	uint32_t remaining; /* data packets (or exchanges) left */
	uint32_t cseq, sseq;
	uint16_t echo_seq;
	struct pktdesc pd;
	struct mflow f[TFG_SLOTS];
};

struct gen {
	struct opts o;
	uint64_t rng[4];
	libnet_t *ln;
	pcap_t *pcap;
	pcap_dumper_t *dumper;
	FILE *pcap_fp;
	FILE *truth_fp;
	struct conv *conv;
	uint32_t nconv;
	uint32_t *heap; /* conversation indices, min-heap on next_us */
	uint32_t nheap;
	uint32_t next_id;
	uint64_t now_us; /* time of the last packet written */
	uint64_t end_us; /* time of the last packet of the file */
	bool in_burst;
	/* figures */
	uint64_t pkts_written, bytes_written, flows_written, shifts;
	uint64_t by_reason[6];
	uint64_t ambiguous;
	/* flows in the table per second, as +1/-1 steps, for --max-flows */
	int64_t *occ;
	size_t occ_len;
	uint8_t frame[TFG_MAX_FRAME];
};

static const uint8_t zeros[TFG_MAX_FRAME];
static const uint8_t mac_cli[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
static const uint8_t mac_srv[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x02};

/* ---- random numbers: xoshiro256** seeded by splitmix64 ---- */

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rnd(struct gen *g)
{
	uint64_t *s = g->rng;
	uint64_t r = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/* Uniform in [0, 1). */
static double
rnd_unit(struct gen *g)
{
	return (double)(rnd(g) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi]. */
static uint64_t
rnd_range(struct gen *g, uint64_t lo, uint64_t hi)
{
	return lo + rnd(g) % (hi - lo + 1);
}

static bool
rnd_chance(struct gen *g, double p)
{
	return rnd_unit(g) < p;
}

/* Pareto(xm, alpha) sample, capped: heavy-tailed flow sizes. */
static uint32_t
rnd_pareto(struct gen *g, double xm, double alpha, uint32_t cap)
{
	double u = 1.0 - rnd_unit(g); /* (0, 1] */
	double x = xm / pow(u, 1.0 / alpha);

	return x >= cap ? cap : (uint32_t)x;
}

/* Exponential gap with the given mean, in µs, at least 1 µs. */
static uint64_t
rnd_exp_us(struct gen *g, double mean_s)
{
	double u = 1.0 - rnd_unit(g);
	double us = -log(u) * mean_s * 1e6;

	return us < 1.0 ? 1 : (uint64_t)us;
}

/* ---- the event heap ---- */

static bool
heap_less(const struct gen *g, uint32_t a, uint32_t b)
{
	const struct conv *ca = &g->conv[a], *cb = &g->conv[b];

	if (ca->next_us != cb->next_us)
		return ca->next_us < cb->next_us;
	return ca->id < cb->id; /* deterministic tie-break */
}

static void
heap_down(struct gen *g, uint32_t i)
{
	uint32_t n = g->nheap;

	for (;;) {
		uint32_t l = 2 * i + 1, m = i;

		if (l < n && heap_less(g, g->heap[l], g->heap[m]))
			m = l;
		if (l + 1 < n && heap_less(g, g->heap[l + 1], g->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		uint32_t t = g->heap[i];
		g->heap[i] = g->heap[m];
		g->heap[m] = t;
		i = m;
	}
}

static void
heap_up(struct gen *g, uint32_t i)
{
	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (!heap_less(g, g->heap[i], g->heap[p]))
			return;
		uint32_t t = g->heap[i];
		g->heap[i] = g->heap[p];
		g->heap[p] = t;
		i = p;
	}
}

static void
heap_push(struct gen *g, uint32_t ci)
{
	g->heap[g->nheap] = ci;
	heap_up(g, g->nheap++);
}

static void
heap_pop(struct gen *g)
{
	g->heap[0] = g->heap[--g->nheap];
	heap_down(g, 0);
}

/* ---- the reference flow model ---- */

static uint64_t
linger_us(const struct gen *g, uint8_t closing)
{
	if (closing & TCP_RST)
		return g->o.rst_us;
	if (closing & TCP_FIN)
		return g->o.fin_us;
	return g->o.idle_us;
}

static uint64_t
mf_deadline(const struct gen *g, const struct mflow *f)
{
	uint64_t a = f->first_us + g->o.active_us;
	uint64_t i = f->last_us + linger_us(g, f->closing);

	return a < i ? a : i;
}

static uint8_t
mf_natural_reason(const struct gen *g, const struct mflow *f)
{
	uint64_t a = f->first_us + g->o.active_us;
	uint64_t i = f->last_us + linger_us(g, f->closing);

	if (a < i)
		return FLOW_END_ACTIVE;
	return f->closing ? FLOW_END_EOF : FLOW_END_IDLE;
}

static void
occ_add(struct gen *g, uint64_t t_us, int64_t d)
{
	size_t s = (size_t)((t_us - TFG_EPOCH_US) / TFG_US_PER_S);

	if (s >= g->occ_len) {
		size_t n = g->occ_len ? g->occ_len : 1024;
		int64_t *p;

		while (n <= s)
			n *= 2;
		p = realloc(g->occ, n * sizeof(*p));
		if (p == NULL) {
			fprintf(stderr, "tfgen: out of memory\n");
			exit(1);
		}
		memset(p + g->occ_len, 0, (n - g->occ_len) * sizeof(*p));
		g->occ = p;
		g->occ_len = n;
	}
	g->occ[s] += d;
}

static void
put_addr(FILE *fp, const char *name, uint8_t family, const uint8_t *a)
{
	char txt[INET6_ADDRSTRLEN];

	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, a, txt, sizeof(txt)) ==
	    NULL)
		txt[0] = '\0';
	fprintf(fp, "\"%s%s\":\"%s\",", name, family == 4 ? "IPv4Address" :
	    "IPv6Address", txt);
}

/* Write the truth record of slot f and close it; expiry at exp_us. */
static void
mf_end(struct gen *g, const struct conv *c, struct mflow *f, uint8_t reason,
    uint64_t exp_us)
{
	FILE *fp = g->truth_fp;
	const uint8_t *src = f->rev ? c->srv : c->cli;
	const uint8_t *dst = f->rev ? c->cli : c->srv;

	fputc('{', fp);
	put_addr(fp, "source", c->family, src);
	put_addr(fp, "destination", c->family, dst);
	fprintf(fp,
	    "\"sourceTransportPort\":%u,\"destinationTransportPort\":%u,"
	    "\"protocolIdentifier\":%u,\"ipClassOfService\":%u,"
	    "\"ingressInterface\":0,\"vlanId\":%u,\"ipVersion\":%u,"
	    "\"packetDeltaCount\":%" PRIu64 ",\"octetDeltaCount\":%" PRIu64
	    ",\"flowStartMilliseconds\":%" PRIu64
	    ",\"flowEndMilliseconds\":%" PRIu64
	    ",\"tcpControlBits\":%u,\"flowEndReason\":%u}\n",
	    f->sport, f->dport, f->proto, f->tos, c->vlan, c->family, f->pkts,
	    f->octets, f->first_us / 1000, f->last_us / 1000, f->flags, reason);
	occ_add(g, f->first_us, 1);
	occ_add(g, exp_us, -1);
	g->flows_written++;
	g->by_reason[reason]++;
	f->open = 0;
}

/*
 * May packet pd of conversation c go out at *t? Ends the slot's flow when
 * the packet would start a new one. Returns false with a later *t when the
 * packet is too close to a deadline (the caller requeues it).
 */
static bool
model_admit(struct gen *g, struct conv *c, uint64_t *t)
{
	const struct pktdesc *pd = &c->pd;
	struct mflow *f = &c->f[pd->slot];
	uint8_t closing;
	uint64_t a, i;

	if (!f->open)
		return true;
	uint64_t d = mf_deadline(g, f);
	if (*t + TFG_MARGIN_US >= d && *t <= d + TFG_MARGIN_US) {
		*t = d + TFG_MARGIN_US + 1 + rnd_range(g, 0, 500000);
		g->shifts++;
		return false;
	}
	if (*t > d) {
		mf_end(g, c, f, mf_natural_reason(g, f), d);
		return true;
	}
	if (pd->proto == PROTO_TCP && f->closing &&
	    (pd->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		mf_end(g, c, f, FLOW_END_EOF, *t);
		return true;
	}
	/* Joining: keep the flow's two deadlines apart as well. */
	closing = f->closing;
	if (pd->proto == PROTO_TCP)
		closing |= pd->flags & (TCP_FIN | TCP_RST);
	a = f->first_us + g->o.active_us;
	i = *t + linger_us(g, closing);
	if (i + TFG_MARGIN_US >= a && i <= a + TFG_MARGIN_US) {
		*t += 2 * TFG_MARGIN_US + 1 + rnd_range(g, 0, 500000);
		g->shifts++;
		return false;
	}
	return true;
}

static void
model_account(struct conv *c, uint64_t t)
{
	const struct pktdesc *pd = &c->pd;
	struct mflow *f = &c->f[pd->slot];

	if (!f->open) {
		memset(f, 0, sizeof(*f));
		f->open = 1;
		f->first_us = t;
		f->proto = pd->proto;
		f->tos = pd->tos;
		f->rev = pd->rev;
		if (pd->proto == PROTO_TCP || pd->proto == PROTO_UDP) {
			f->sport = pd->sport;
			f->dport = pd->dport;
		} else {
			f->dport = (uint16_t)(pd->icmp_type << 8 | pd->icmp_code);
		}
	}
	f->pkts++;
	f->octets += pd->ip_len;
	f->last_us = t;
	if (pd->proto == PROTO_TCP) {
		f->flags |= pd->flags;
		f->closing |= pd->flags & (TCP_FIN | TCP_RST);
	}
}

/*
 * The conversation sends nothing more. If later packets of the file are
 * sure to pass every deadline (the main phase: a quiet period and the
 * burst follow), its flows end now with their natural reason; the burst's
 * conversations wait for the end of the file (final_pass).
 */
static void
conv_finish(struct gen *g, struct conv *c)
{
	for (int s = 0; s < TFG_SLOTS; s++) {
		struct mflow *f = &c->f[s];

		if (f->open)
			mf_end(g, c, f, mf_natural_reason(g, f),
			    mf_deadline(g, f));
	}
}

/* ---- packet builders ---- */

struct l3info {
	uint16_t l4len;  /* L4 header + payload */
	uint16_t paylen; /* payload after the L4 header */
	const uint8_t *payload;
	uint8_t embed[128]; /* ICMP error: the invoking packet */
	uint16_t embed_len;
};

static uint16_t
l4_hdr_len(uint8_t proto)
{
	return proto == PROTO_TCP ? 20 : 8;
}

static uint16_t
l3_hdr_len(uint8_t family)
{
	return family == 4 ? 20 : 40;
}

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t k = 0; k + 1 < n; k += 2)
		acc += (uint32_t)p[k] << 8 | p[k + 1];
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t
fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static void
st16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
st32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * The invoking packet an ICMP error quotes: for IPv4 its IP header and
 * the first 8 bytes (RFC 792), for IPv6 the whole small probe (RFC 4443
 * 3.1). The probe is the conversation's UDP packet to the server.
 */
static uint16_t
build_embed(const struct conv *c, uint8_t *b)
{
	uint16_t probe_pay = 20;
	uint16_t udp_len = (uint16_t)(8 + probe_pay);

	memset(b, 0, 128);
	if (c->family == 4) {
		b[0] = 0x45;
		st16(b + 2, (uint16_t)(20 + udp_len));
		b[8] = 64;
		b[9] = PROTO_UDP;
		memcpy(b + 12, c->cli, 4);
		memcpy(b + 16, c->srv, 4);
		st16(b + 10, fold(sum16(b, 20, 0)));
		st16(b + 20, c->cport);
		st16(b + 22, c->sport);
		st16(b + 24, udp_len);
		return 28;
	}
	b[0] = 0x60;
	st16(b + 4, udp_len);
	b[6] = PROTO_UDP;
	b[7] = 64;
	memcpy(b + 8, c->cli, 16);
	memcpy(b + 24, c->srv, 16);
	st16(b + 40, c->cport);
	st16(b + 42, c->sport);
	st16(b + 44, udp_len);
	return (uint16_t)(40 + udp_len);
}

static void
l3info_fill(const struct conv *c, const struct pktdesc *pd, struct l3info *li)
{
	uint16_t hl = l3_hdr_len(c->family);

	li->l4len = (uint16_t)(pd->ip_len - hl);
	li->paylen = (uint16_t)(li->l4len - l4_hdr_len(pd->proto));
	li->payload = zeros;
	li->embed_len = 0;
	if ((pd->proto == PROTO_ICMP || pd->proto == PROTO_ICMPV6) &&
	    pd->icmp_type != 8 && pd->icmp_type != 0 && pd->icmp_type != 128 &&
	    pd->icmp_type != 129) {
		li->embed_len = build_embed(c, li->embed);
		li->payload = li->embed;
	}
}

/* Hand-built frame into g->frame; returns the frame length. */
static size_t
build_raw(struct gen *g, const struct conv *c, const struct pktdesc *pd)
{
	uint8_t *b = g->frame;
	const uint8_t *src = pd->rev ? c->srv : c->cli;
	const uint8_t *dst = pd->rev ? c->cli : c->srv;
	struct l3info li;
	size_t off = 0, l3, l4, len;
	uint32_t acc;

	l3info_fill(c, pd, &li);
	memset(b, 0, 160);
	memcpy(b, pd->rev ? mac_cli : mac_srv, 6);
	memcpy(b + 6, pd->rev ? mac_srv : mac_cli, 6);
	off = 12;
	if (c->vlan) {
		st16(b + off, 0x8100);
		st16(b + off + 2, c->vlan);
		off += 4;
	}
	st16(b + off, c->family == 4 ? 0x0800 : 0x86dd);
	l3 = off + 2;
	if (c->family == 4) {
		b[l3] = 0x45;
		b[l3 + 1] = pd->tos;
		st16(b + l3 + 2, pd->ip_len);
		st16(b + l3 + 4, (uint16_t)(c->id + pd->seq));
		st16(b + l3 + 6, 0x4000); /* DF */
		b[l3 + 8] = 64;
		b[l3 + 9] = pd->proto;
		memcpy(b + l3 + 12, src, 4);
		memcpy(b + l3 + 16, dst, 4);
		st16(b + l3 + 10, fold(sum16(b + l3, 20, 0)));
		l4 = l3 + 20;
	} else {
		b[l3] = (uint8_t)(0x60 | pd->tos >> 4);
		b[l3 + 1] = (uint8_t)(pd->tos << 4);
		st16(b + l3 + 4, li.l4len);
		b[l3 + 6] = pd->proto;
		b[l3 + 7] = 64;
		memcpy(b + l3 + 8, src, 16);
		memcpy(b + l3 + 24, dst, 16);
		l4 = l3 + 40;
	}
	/* pseudo-header (RFC 793 / RFC 8200 8.1), none for ICMPv4 */
	acc = 0;
	if (pd->proto != PROTO_ICMP) {
		size_t al = c->family == 4 ? 4 : 16;

		acc = sum16(src, al, acc);
		acc = sum16(dst, al, acc);
		acc += pd->proto;
		acc += li.l4len;
	}
	switch (pd->proto) {
	case PROTO_TCP:
		st16(b + l4, pd->sport);
		st16(b + l4 + 2, pd->dport);
		st32(b + l4 + 4, pd->seq);
		st32(b + l4 + 8, pd->ack);
		b[l4 + 12] = 0x50;
		b[l4 + 13] = pd->flags;
		st16(b + l4 + 14, 65535);
		acc = sum16(b + l4, 20, acc);
		st16(b + l4 + 16, fold(acc));
		break;
	case PROTO_UDP:
		st16(b + l4, pd->sport);
		st16(b + l4 + 2, pd->dport);
		st16(b + l4 + 4, li.l4len);
		acc = sum16(b + l4, 8, acc);
		st16(b + l4 + 6, fold(acc));
		break;
	default: /* ICMP, ICMPv6 */
		b[l4] = pd->icmp_type;
		b[l4 + 1] = pd->icmp_code;
		if (li.embed_len == 0) {
			st16(b + l4 + 4, pd->echo_id);
			st16(b + l4 + 6, pd->echo_seq);
		} else {
			memcpy(b + l4 + 8, li.embed, li.embed_len);
		}
		acc = sum16(b + l4, 8u + li.embed_len, acc);
		st16(b + l4 + 2, fold(acc));
		break;
	}
	len = l3 + pd->ip_len;
	return len < TFG_MIN_FRAME ? TFG_MIN_FRAME : len;
}

static struct libnet_in6_addr
in6(const uint8_t *a)
{
	struct libnet_in6_addr r;

	memcpy(&r, a, 16);
	return r;
}

static void
libnet_fail(struct gen *g, const char *what)
{
	fprintf(stderr, "tfgen: libnet %s: %s\n", what, libnet_geterror(g->ln));
	exit(1);
}

/* The same frame through libnet, the reference builder. */
static size_t
build_libnet(struct gen *g, const struct conv *c, const struct pktdesc *pd)
{
	libnet_t *l = g->ln;
	const uint8_t *src = pd->rev ? c->srv : c->cli;
	const uint8_t *dst = pd->rev ? c->cli : c->srv;
	struct l3info li;
	uint8_t *pkt = NULL;
	uint32_t pkt_len = 0;
	uint32_t s4, d4;
	libnet_ptag_t t;
	size_t len;

	l3info_fill(c, pd, &li);
	libnet_clear_packet(l);
	switch (pd->proto) {
	case PROTO_TCP:
		t = libnet_build_tcp(pd->sport, pd->dport, pd->seq, pd->ack,
		    pd->flags, 65535, 0, 0, li.l4len, li.paylen ? zeros : NULL,
		    li.paylen, l, 0);
		break;
	case PROTO_UDP:
		t = libnet_build_udp(pd->sport, pd->dport, li.l4len, 0,
		    li.paylen ? zeros : NULL, li.paylen, l, 0);
		break;
	case PROTO_ICMP:
		if (li.embed_len)
			t = libnet_build_icmpv4_unreach(pd->icmp_type,
			    pd->icmp_code, 0, li.embed, li.embed_len, l, 0);
		else
			t = libnet_build_icmpv4_echo(pd->icmp_type,
			    pd->icmp_code, 0, pd->echo_id, pd->echo_seq,
			    li.paylen ? zeros : NULL, li.paylen, l, 0);
		break;
	default:
		if (li.embed_len)
			t = libnet_build_icmpv6_unreach(pd->icmp_type,
			    pd->icmp_code, 0, li.embed, li.embed_len, l, 0);
		else
			t = libnet_build_icmpv6_echo(pd->icmp_type,
			    pd->icmp_code, 0, pd->echo_id, pd->echo_seq,
			    li.paylen ? (uint8_t *)(uintptr_t)zeros : NULL,
			    li.paylen, l, 0);
		break;
	}
	if (t == -1)
		libnet_fail(g, "l4");
	if (c->family == 4) {
		memcpy(&s4, src, 4);
		memcpy(&d4, dst, 4);
		t = libnet_build_ipv4(pd->ip_len, pd->tos,
		    (uint16_t)(c->id + pd->seq), 0x4000, 64, pd->proto, 0, s4,
		    d4, NULL, 0, l, 0);
	} else {
		/* libnet writes len into the payload-length field */
		t = libnet_build_ipv6(pd->tos, 0, li.l4len, pd->proto, 64,
		    in6(src), in6(dst), NULL, 0, l, 0);
	}
	if (t == -1)
		libnet_fail(g, "ip");
	if (c->vlan)
		t = libnet_build_802_1q(pd->rev ? mac_cli : mac_srv,
		    pd->rev ? mac_srv : mac_cli, 0x8100, 0, 0, c->vlan,
		    c->family == 4 ? 0x0800 : 0x86dd, NULL, 0, l, 0);
	else
		t = libnet_build_ethernet(pd->rev ? mac_cli : mac_srv,
		    pd->rev ? mac_srv : mac_cli,
		    c->family == 4 ? 0x0800 : 0x86dd, NULL, 0, l, 0);
	if (t == -1)
		libnet_fail(g, "ethernet");
	if (libnet_pblock_coalesce(l, &pkt, &pkt_len) == -1)
		libnet_fail(g, "coalesce");
	len = pkt_len;
	if (len > sizeof(g->frame)) {
		fprintf(stderr, "tfgen: frame of %zu bytes\n", len);
		exit(1);
	}
	memset(g->frame, 0, TFG_MIN_FRAME);
	memcpy(g->frame, pkt, len);
	libnet_adv_free_packet(l, pkt);
	return len < TFG_MIN_FRAME ? TFG_MIN_FRAME : len;
}

static void
emit(struct gen *g, struct conv *c, uint64_t t)
{
	struct pcap_pkthdr h;
	size_t len;

	if (g->o.builder == BLD_LIBNET)
		len = build_libnet(g, c, &c->pd);
	else
		len = build_raw(g, c, &c->pd);
	h.ts.tv_sec = (time_t)(t / TFG_US_PER_S);
	h.ts.tv_usec = (suseconds_t)(t % TFG_US_PER_S);
	h.len = (bpf_u_int32)len;
	h.caplen = (bpf_u_int32)(len < g->o.snaplen ? len : g->o.snaplen);
	pcap_dump((u_char *)g->dumper, &h, g->frame);
	g->pkts_written++;
	g->bytes_written += h.caplen;
	g->now_us = t;
}

/* ---- conversation scripts ---- */

static uint16_t
imix_len(struct gen *g, uint8_t family, uint8_t proto)
{
	uint16_t min = (uint16_t)(l3_hdr_len(family) + l4_hdr_len(proto) + 1);
	uint64_t r = rnd_range(g, 0, 11);
	uint16_t len;

	if (g->o.profile == PROF_TRUTH && rnd_chance(g, 0.5))
		len = (uint16_t)rnd_range(g, min, 1500); /* varied sizes */
	else if (r < 7)
		len = 64;
	else if (r < 11)
		len = 576;
	else
		len = 1500;
	return len < min ? min : len;
}

/* Gap to the next step of a conversation's body, in µs. */
static uint64_t
body_gap(struct gen *g, const struct conv *c)
{
	uint64_t cap = g->o.idle_us > 3 * TFG_US_PER_S ?
	    g->o.idle_us - 3 * TFG_US_PER_S : TFG_US_PER_S;
	uint64_t gap;

	if (c->burst)
		return rnd_range(g, 100, 10000);
	if (c->gappy && rnd_chance(g, g->o.profile == PROF_TRUTH ? 0.3 : 0.05))
		return g->o.idle_us + rnd_range(g, 2 * TFG_US_PER_S,
		    25 * TFG_US_PER_S);
	gap = rnd_exp_us(g, g->o.gap_mean_s);
	return gap > cap ? cap : gap;
}

static uint64_t
rtt(struct gen *g, const struct conv *c)
{
	return c->burst ? rnd_range(g, 50, 2000) : rnd_range(g, 200, 80000);
}

static void
pd_tcp(struct conv *c, uint8_t rev, uint8_t flags, uint16_t ip_len)
{
	struct pktdesc *pd = &c->pd;

	memset(pd, 0, sizeof(*pd));
	pd->slot = rev;
	pd->rev = rev;
	pd->proto = PROTO_TCP;
	pd->flags = flags;
	pd->ip_len = ip_len;
	pd->sport = rev ? c->sport : c->cport;
	pd->dport = rev ? c->cport : c->sport;
	pd->seq = rev ? c->sseq : c->cseq;
	pd->ack = (flags & TCP_ACK) ? (rev ? c->cseq : c->sseq) : 0;
	/* the next sequence number after this segment */
	uint32_t adv = (uint32_t)(ip_len - l3_hdr_len(c->family) - 20) +
	    ((flags & (TCP_SYN | TCP_FIN)) ? 1u : 0u);
	if (rev)
		c->sseq += adv;
	else
		c->cseq += adv;
}

static void
pd_udp(struct conv *c, uint8_t slot, uint8_t rev, uint8_t tos, uint16_t len)
{
	struct pktdesc *pd = &c->pd;

	memset(pd, 0, sizeof(*pd));
	pd->slot = slot;
	pd->rev = rev;
	pd->proto = PROTO_UDP;
	pd->tos = tos;
	pd->ip_len = len;
	pd->sport = rev ? c->sport : c->cport;
	pd->dport = rev ? c->cport : c->sport;
}

static void
pd_icmp(struct conv *c, uint8_t slot, uint8_t rev, uint8_t type, uint8_t code,
    uint16_t len)
{
	struct pktdesc *pd = &c->pd;

	memset(pd, 0, sizeof(*pd));
	pd->slot = slot;
	pd->rev = rev;
	pd->proto = c->family == 4 ? PROTO_ICMP : PROTO_ICMPV6;
	pd->icmp_type = type;
	pd->icmp_code = code;
	pd->ip_len = len;
	pd->echo_id = (uint16_t)c->id;
	pd->echo_seq = c->echo_seq;
}

static uint16_t
hdr_only(const struct conv *c, uint8_t proto)
{
	return (uint16_t)(l3_hdr_len(c->family) + l4_hdr_len(proto));
}

/* Prepare the TCP packet of the current state. */
static void
tcp_prepare(struct gen *g, struct conv *c)
{
	uint16_t h = hdr_only(c, PROTO_TCP);

	switch (c->state) {
	case T_SYN:
		pd_tcp(c, 0, TCP_SYN, h);
		break;
	case T_SYNACK:
		pd_tcp(c, 1, TCP_SYN | TCP_ACK, h);
		break;
	case T_ACK:
		pd_tcp(c, 0, TCP_ACK, h);
		break;
	case T_DATA: {
		/* a long flow alternates, so neither direction idles out */
		uint8_t rev = c->kind == K_LONG_TCP ? (uint8_t)(c->echo_seq++ & 1) :
		    rnd_chance(g, 0.6) ? 1 : 0;

		if (rnd_chance(g, 0.25))
			pd_tcp(c, rev, TCP_ACK, h);
		else
			pd_tcp(c, rev, TCP_PSH | TCP_ACK,
			    imix_len(g, c->family, PROTO_TCP));
		break;
	}
	case T_FIN1:
		pd_tcp(c, c->fin_rev, TCP_FIN | TCP_ACK, h);
		break;
	case T_FIN2:
		pd_tcp(c, (uint8_t)!c->fin_rev, TCP_FIN | TCP_ACK, h);
		break;
	case T_LASTACK: /* the closing ACK, inside the linger */
		pd_tcp(c, c->fin_rev, TCP_ACK, h);
		break;
	case T_RST:
		pd_tcp(c, c->fin_rev, rnd_chance(g, 0.5) ? TCP_RST :
		    TCP_RST | TCP_ACK, h);
		break;
	default:
		break;
	}
}

/* Advance a TCP script; returns the gap to the next packet or 0 at end. */
static uint64_t
tcp_advance(struct gen *g, struct conv *c)
{
	uint64_t gap;
	bool is_long = c->kind == K_LONG_TCP;

	switch (c->state) {
	case T_SYN:
		c->state = T_SYNACK;
		gap = rtt(g, c);
		break;
	case T_SYNACK:
		c->state = T_ACK;
		gap = rtt(g, c);
		break;
	case T_ACK:
	case T_DATA:
		if (c->state == T_DATA && c->remaining > 0)
			c->remaining--;
		c->state = T_DATA;
		if (is_long) {
			gap = rnd_range(g, 1 * TFG_US_PER_S, 6 * TFG_US_PER_S);
			if (c->next_us + gap < c->stop_us)
				break;
		} else if (c->remaining > 0) {
			gap = body_gap(g, c);
			break;
		}
		c->fin_rev = rnd_chance(g, 0.6) ? 0 : 1;
		c->state = c->teardown == TD_FIN ? T_FIN1 :
		    c->teardown == TD_RST ? T_RST : T_END;
		gap = c->burst ? rnd_range(g, 100, 5000) :
		    rnd_range(g, 1000, 500000);
		break;
	case T_FIN1:
		c->state = T_FIN2;
		gap = rtt(g, c);
		break;
	case T_FIN2:
		c->state = T_LASTACK;
		gap = rtt(g, c);
		break;
	case T_LASTACK:
		if (c->reuse > 0) {
			/* Reconnect on the same ports within the linger: the
			 * SYN ends the closing flow (reason 3). */
			c->reuse--;
			c->state = T_SYN;
			c->cseq += 100000;
			c->sseq += 7777777;
			c->remaining = rnd_pareto(g, 2, 1.3, 30);
			gap = rnd_range(g, 200000, 3000000);
			break;
		}
		c->state = T_END;
		gap = 0;
		break;
	default:
		c->state = T_END;
		gap = 0;
		break;
	}
	if (c->state == T_END)
		return 0;
	tcp_prepare(g, c);
	return gap;
}

static void
udp_rr_prepare(struct gen *g, struct conv *c)
{
	uint8_t rev = c->state & 1;
	uint16_t len = rev ? imix_len(g, c->family, PROTO_UDP) :
	    (uint16_t)(hdr_only(c, PROTO_UDP) + rnd_range(g, 12, 120));

	pd_udp(c, rev, rev, 0, len);
}

/* state: even = request (client), odd = response (server). */
static uint64_t
udp_rr_advance(struct gen *g, struct conv *c)
{
	uint64_t gap;

	if ((c->state & 1) == 0) {
		gap = rtt(g, c);
	} else {
		if (c->remaining == 0)
			return 0;
		c->remaining--;
		gap = body_gap(g, c);
	}
	c->state ^= 1;
	udp_rr_prepare(g, c);
	return gap;
}

static void
udp_stream_prepare(struct gen *g, struct conv *c)
{
	pd_udp(c, 1, 1, c->kind == K_LONG_UDP ? 0 : 0x88,
	    (uint16_t)rnd_range(g, hdr_only(c, PROTO_UDP) + 12, 1300));
}

static uint64_t
udp_stream_advance(struct gen *g, struct conv *c)
{
	uint64_t gap;

	if (c->kind == K_LONG_UDP) {
		gap = rnd_range(g, 1 * TFG_US_PER_S, 13 * TFG_US_PER_S);
		if (c->next_us + gap >= c->stop_us)
			return 0;
	} else {
		if (c->remaining == 0)
			return 0;
		c->remaining--;
		if (c->burst)
			gap = rnd_range(g, 100, 10000);
		else if (c->gappy && rnd_chance(g, 0.05))
			gap = body_gap(g, c);
		else
			gap = rnd_range(g, 5000, 40000); /* media pacing */
	}
	udp_stream_prepare(g, c);
	return gap;
}

static void
echo_prepare(struct conv *c)
{
	uint8_t rev = c->state & 1;
	uint8_t type;
	uint16_t len = (uint16_t)(l3_hdr_len(c->family) + 8 + 56);

	if (c->family == 4)
		type = rev ? 0 : 8;
	else
		type = rev ? 129 : 128;
	pd_icmp(c, rev, rev, type, 0, len);
}

static uint64_t
echo_advance(struct gen *g, struct conv *c)
{
	uint64_t gap;

	if ((c->state & 1) == 0) {
		gap = rtt(g, c);
	} else {
		if (c->remaining == 0)
			return 0;
		c->remaining--;
		c->echo_seq++;
		gap = c->burst ? rnd_range(g, 100, 10000) :
		    c->gappy && rnd_chance(g, 0.3) ? body_gap(g, c) :
		    rnd_range(g, 900000, 1100000);
	}
	c->state ^= 1;
	echo_prepare(c);
	return gap;
}

/* state: even = UDP probe (client), odd = ICMP port unreachable (server) */
static void
unreach_prepare(struct conv *c)
{
	if ((c->state & 1) == 0)
		pd_udp(c, 0, 0, 0, (uint16_t)(hdr_only(c, PROTO_UDP) + 20));
	else if (c->family == 4)
		pd_icmp(c, 1, 1, 3, 3, (uint16_t)(20 + 8 + 28));
	else
		pd_icmp(c, 1, 1, 1, 4, (uint16_t)(40 + 8 + 40 + 28));
}

static uint64_t
unreach_advance(struct gen *g, struct conv *c)
{
	uint64_t gap;

	if ((c->state & 1) == 0) {
		gap = rtt(g, c);
	} else {
		if (c->remaining == 0)
			return 0;
		c->remaining--;
		gap = c->burst ? rnd_range(g, 100, 10000) :
		    rnd_range(g, 500000, 3000000);
	}
	c->state ^= 1;
	unreach_prepare(c);
	return gap;
}

/* One 5-tuple, ToS 0 and ToS 0xb8 (DSCP EF) interleaved, replies ToS 0. */
static void
tos_prepare(struct gen *g, struct conv *c)
{
	uint64_t r = rnd_range(g, 0, 2);
	uint16_t len = (uint16_t)(hdr_only(c, PROTO_UDP) + rnd_range(g, 20, 200));

	if (r == 0)
		pd_udp(c, 0, 0, 0x00, len);
	else if (r == 1)
		pd_udp(c, 2, 0, 0xb8, len);
	else
		pd_udp(c, 1, 1, 0x00, len);
}

static uint64_t
tos_advance(struct gen *g, struct conv *c)
{
	if (c->remaining == 0)
		return 0;
	c->remaining--;
	tos_prepare(g, c);
	return c->burst ? rnd_range(g, 100, 10000) :
	    rnd_chance(g, 0.5) ? rnd_range(g, 1000, 100000) : body_gap(g, c);
}

static uint64_t
conv_advance(struct gen *g, struct conv *c)
{
	switch (c->kind) {
	case K_TCP:
	case K_LONG_TCP:
		return tcp_advance(g, c);
	case K_UDP_RR:
		return udp_rr_advance(g, c);
	case K_UDP_STREAM:
	case K_LONG_UDP:
		return udp_stream_advance(g, c);
	case K_ECHO:
		return echo_advance(g, c);
	case K_UNREACH:
		return unreach_advance(g, c);
	case K_TOS:
		return tos_advance(g, c);
	default:
		return 0;
	}
}

static const uint16_t tcp_ports[] = {80, 443, 22, 25, 8080, 993, 8443};
static const uint16_t udp_ports[] = {53, 123, 443, 5060, 161, 514};

/* Addresses and ports from the conversation id: unique keys per id. */
static void
conv_addresses(struct gen *g, struct conv *c)
{
	uint32_t id = c->id;
	uint32_t srv = (uint32_t)rnd_range(g, 1, 65000);

	memset(c->cli, 0, 16);
	memset(c->srv, 0, 16);
	if (c->family == 4) {
		st32(c->cli, 0x0a000000u | (id & 0xffffff)); /* 10/8 */
		st32(c->srv, 0xc6120000u | srv);            /* 198.18/15 */
	} else {
		st32(c->cli, 0x20010db8);
		st16(c->cli + 4, 1);
		st32(c->cli + 12, id);
		st32(c->srv, 0x20010db8);
		st16(c->srv + 4, 0xff);
		st32(c->srv + 12, srv);
	}
	/* ids past 2^24 reuse 10/8 with other client ports */
	c->cport = (uint16_t)(1024 + ((id >> 24) << 8) + rnd_range(g, 0, 255));
}

struct conv_spec {
	uint8_t kind, family, teardown, reuse, gappy;
	uint16_t vlan;
};

static void
conv_init(struct gen *g, struct conv *c, const struct conv_spec *s,
    uint64_t start_us)
{
	memset(c, 0, sizeof(*c));
	c->id = g->next_id++;
	c->kind = s->kind;
	c->family = s->family;
	c->teardown = s->teardown;
	c->reuse = s->reuse;
	c->gappy = s->gappy;
	c->vlan = s->vlan;
	c->burst = g->in_burst;
	c->start_us = start_us;
	c->next_us = start_us;
	conv_addresses(g, c);
	c->cseq = (uint32_t)rnd(g);
	c->sseq = (uint32_t)rnd(g);
	bool bench = g->o.profile == PROF_BENCH;
	uint32_t cap = c->burst ? 8 : bench ? 20000 : 40;
	c->remaining = rnd_pareto(g, 2, bench ? 1.2 : 1.5, cap);
	switch (c->kind) {
	case K_TCP:
	case K_LONG_TCP:
		c->sport = tcp_ports[rnd_range(g, 0, 6)];
		c->state = T_SYN;
		if (c->kind == K_LONG_TCP) {
			c->teardown = TD_FIN;
			c->stop_us = start_us + 4000 * TFG_US_PER_S;
		}
		tcp_prepare(g, c);
		break;
	case K_LONG_UDP:
	case K_UDP_STREAM:
		if (c->kind == K_LONG_UDP)
			c->stop_us = start_us + 4000 * TFG_US_PER_S;
		c->sport = (uint16_t)rnd_range(g, 16384, 32767); /* RTP */
		c->remaining *= 10;
		udp_stream_prepare(g, c);
		break;
	case K_UDP_RR:
		c->sport = udp_ports[rnd_range(g, 0, 5)];
		udp_rr_prepare(g, c);
		break;
	case K_ECHO:
		echo_prepare(c);
		break;
	case K_UNREACH:
		c->sport = (uint16_t)rnd_range(g, 33434, 33534);
		c->remaining = c->remaining > 3 ? 2 : c->remaining;
		unreach_prepare(c);
		break;
	case K_TOS:
		c->sport = 5004;
		c->remaining = 4 + c->remaining * 2;
		tos_prepare(g, c);
		break;
	default:
		break;
	}
}

/* A random conversation for the mix (bench and the rest of truth). */
static void
random_spec(struct gen *g, struct conv_spec *s)
{
	double r = rnd_unit(g);

	memset(s, 0, sizeof(*s));
	s->family = rnd_chance(g, g->o.ipv6_share) ? 6 : 4;
	if (rnd_chance(g, g->o.vlan_share))
		s->vlan = (uint16_t)rnd_range(g, 2, 4094);
	if (r < 0.55)
		s->kind = K_TCP;
	else if (r < 0.75)
		s->kind = K_UDP_RR;
	else if (r < 0.83)
		s->kind = K_UDP_STREAM;
	else if (r < 0.90)
		s->kind = K_ECHO;
	else if (r < 0.94)
		s->kind = K_UNREACH;
	else
		s->kind = K_TOS;
	r = rnd_unit(g);
	s->teardown = r < 0.75 ? TD_FIN : r < 0.9 ? TD_RST : TD_NONE;
	s->reuse = s->teardown == TD_FIN && rnd_chance(g, 0.05) ? 1 : 0;
	s->gappy = rnd_chance(g, g->o.profile == PROF_TRUTH ? 0.25 : 0.1);
}

/* The truth profile starts with one of each case, then a random mix. */
static const struct conv_spec truth_fixed[] = {
	{K_TCP, 4, TD_FIN, 0, 0, 0},	{K_TCP, 4, TD_RST, 0, 0, 0},
	{K_TCP, 4, TD_NONE, 0, 0, 0},	{K_TCP, 4, TD_FIN, 1, 0, 0},
	{K_TCP, 4, TD_FIN, 0, 1, 0},	{K_TCP, 6, TD_FIN, 0, 0, 0},
	{K_TCP, 6, TD_RST, 0, 1, 0},	{K_TCP, 6, TD_FIN, 1, 0, 100},
	{K_TCP, 4, TD_FIN, 0, 0, 42},	{K_TCP, 4, TD_RST, 0, 0, 4094},
	{K_UDP_RR, 4, 0, 0, 0, 0},	{K_UDP_RR, 4, 0, 0, 1, 0},
	{K_UDP_RR, 6, 0, 0, 1, 7},	{K_UDP_STREAM, 4, 0, 0, 1, 0},
	{K_UDP_STREAM, 6, 0, 0, 0, 0},	{K_ECHO, 4, 0, 0, 0, 0},
	{K_ECHO, 4, 0, 0, 1, 0},	{K_ECHO, 6, 0, 0, 0, 0},
	{K_ECHO, 4, 0, 0, 0, 300},	{K_UNREACH, 4, 0, 0, 0, 0},
	{K_UNREACH, 6, 0, 0, 0, 0},	{K_TOS, 4, 0, 0, 0, 0},
	{K_TOS, 6, 0, 0, 1, 0},		{K_LONG_TCP, 4, 0, 0, 0, 0},
	{K_LONG_TCP, 6, 0, 0, 0, 0},	{K_LONG_UDP, 4, 0, 0, 0, 0},
	{K_LONG_UDP, 6, 0, 0, 0, 12},
};

#define TRUTH_SPAN_S 4000

static uint64_t
truth_start(struct gen *g, const struct conv_spec *s)
{
	if (s->kind == K_LONG_TCP || s->kind == K_LONG_UDP)
		return TFG_EPOCH_US + rnd_range(g, 0, 60 * TFG_US_PER_S);
	return TFG_EPOCH_US +
	    rnd_range(g, 0, (TRUTH_SPAN_S + 60) * TFG_US_PER_S);
}

static void
alloc_convs(struct gen *g, uint32_t n)
{
	g->conv = calloc(n, sizeof(*g->conv));
	g->heap = calloc(n, sizeof(*g->heap));
	if (g->conv == NULL || g->heap == NULL) {
		fprintf(stderr, "tfgen: out of memory for %u conversations\n",
		    n);
		exit(1);
	}
	g->nconv = n;
}

/*
 * Run the heap until it empties or, in bench, the packet budget is spent.
 * refill: a finished conversation slot starts a new random one.
 */
static void
run_loop(struct gen *g, bool refill, uint64_t budget)
{
	while (g->nheap > 0) {
		uint32_t ci = g->heap[0];
		struct conv *c = &g->conv[ci];
		uint64_t t = c->next_us;

		if (budget && g->pkts_written >= budget)
			return;
		if (!model_admit(g, c, &t)) {
			c->next_us = t;
			heap_down(g, 0);
			continue;
		}
		model_account(c, t);
		emit(g, c, t);
		uint64_t gap = conv_advance(g, c);
		if (gap > 0) {
			c->next_us = t + gap;
			heap_down(g, 0);
			continue;
		}
		if (g->in_burst) { /* final_pass() ends its flows */
			heap_pop(g);
			continue;
		}
		conv_finish(g, c);
		if (refill) {
			struct conv_spec s;

			random_spec(g, &s);
			conv_init(g, c, &s, t + rnd_exp_us(g, 0.05));
			heap_down(g, 0);
		} else {
			heap_pop(g);
		}
	}
}

/* End of file: every flow left is forced, unless already past due. */
static void
final_pass(struct gen *g, struct conv *cv, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		struct conv *c = &cv[k];

		for (int s = 0; s < TFG_SLOTS; s++) {
			struct mflow *f = &c->f[s];
			uint64_t d;

			if (!f->open)
				continue;
			d = mf_deadline(g, f);
			if (d + TFG_MARGIN_US < g->end_us)
				mf_end(g, c, f, mf_natural_reason(g, f), d);
			else if (d > g->end_us + TFG_MARGIN_US)
				mf_end(g, c, f, FLOW_END_FORCED, g->end_us);
			else
				g->ambiguous++;
		}
	}
}

static void
generate(struct gen *g)
{
	uint64_t stop_us;
	uint32_t nmain;

	if (g->o.profile == PROF_TRUTH) {
		uint32_t nfixed = sizeof(truth_fixed) / sizeof(truth_fixed[0]);

		nmain = (uint32_t)(g->o.flows > nfixed ? g->o.flows : nfixed);
		alloc_convs(g, nmain + TFG_BURST_CONV);
		for (uint32_t k = 0; k < nmain; k++) {
			struct conv_spec s;

			if (k < nfixed)
				s = truth_fixed[k];
			else
				random_spec(g, &s);
			conv_init(g, &g->conv[k], &s, truth_start(g, &s));
			heap_push(g, k);
		}
		run_loop(g, false, 0);
	} else {
		nmain = (uint32_t)(g->o.concurrent / 2 ? g->o.concurrent / 2 :
		    1);
		alloc_convs(g, nmain + TFG_BURST_CONV);
		for (uint32_t k = 0; k < nmain; k++) {
			struct conv_spec s;
			/* staggered start over one mean gap per slot */
			uint64_t st = TFG_EPOCH_US + rnd_range(g, 0,
			    (uint64_t)(g->o.gap_mean_s * 4e6));

			random_spec(g, &s);
			conv_init(g, &g->conv[k], &s, st);
			heap_push(g, k);
		}
		run_loop(g, true, g->o.packets > TFG_BURST_CONV * 20 ?
		    g->o.packets - TFG_BURST_CONV * 20 : 1);
		/* cut what is left: the quiet period passes every deadline */
		while (g->nheap > 0) {
			conv_finish(g, &g->conv[g->heap[0]]);
			heap_pop(g);
		}
	}
	stop_us = g->now_us;

	/* Quiet period past every deadline, then a burst under 1 s whose
	 * flows are all still open at the end: reason 4 (forced). */
	g->in_burst = true;
	uint64_t b0 = stop_us + g->o.idle_us + 5 * TFG_US_PER_S;
	for (uint32_t k = 0; k < TFG_BURST_CONV; k++) {
		struct conv_spec s;
		struct conv *c = &g->conv[nmain + k];

		random_spec(g, &s);
		s.gappy = 0;
		s.reuse = 0;
		conv_init(g, c, &s, b0 + rnd_range(g, 0, 200000));
		c->remaining = c->remaining > 8 ? 8 : c->remaining;
		heap_push(g, nmain + k);
	}
	run_loop(g, false, 0);
	g->end_us = g->now_us;
	final_pass(g, &g->conv[nmain], TFG_BURST_CONV);
}

/* ---- options and main ---- */

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: tfgen [options]\n"
	    "  --seed N            random seed (default 1)\n"
	    "  --out FILE.pcap     capture to write (required)\n"
	    "  --truth FILE.jsonl  expected flows, one JSON object a line\n"
	    "  --profile truth|bench\n"
	    "  --flows N           truth: conversations (default 400)\n"
	    "  --concurrent N      bench: flows alive at once (default 10000)\n"
	    "  --packets N         bench: packets (default 1000000)\n"
	    "  --idle S --active S --linger-fin S --linger-rst S\n"
	    "                      timeouts assumed (15, 1800, 5, 2)\n"
	    "  --ipv6-share F      share of IPv6 conversations (0.3)\n"
	    "  --vlan-share F      share of 802.1Q-tagged ones (0.15)\n"
	    "  --gap-mean S        mean gap inside a conversation\n"
	    "                      (truth 2, bench 1)\n"
	    "  --snaplen N         bytes kept per packet (truth 65535, bench 96)\n"
	    "  --builder libnet|raw  (truth: libnet, bench: raw)\n");
}

static uint64_t
parse_u64(const char *opt, const char *s, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end != '\0' || v > max || s[0] == '-') {
		fprintf(stderr, "tfgen: %s %s: expected an integer up to %" PRIu64
		    "\n", opt, s, max);
		exit(2);
	}
	return v;
}

static double
parse_frac(const char *opt, const char *s, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !(v >= 0.0 && v <= max)) {
		fprintf(stderr, "tfgen: %s %s: expected a number in [0, %g]\n",
		    opt, s, max);
		exit(2);
	}
	return v;
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	enum { O_SEED = 256, O_OUT, O_TRUTH, O_PROF, O_FLOWS, O_CONC, O_PKTS,
		O_IDLE, O_ACT, O_FIN, O_RST, O_V6, O_VLAN, O_GAP, O_SNAP,
		O_BLD, O_HELP };
	static const struct option lo[] = {
	    {"seed", required_argument, NULL, O_SEED},
	    {"out", required_argument, NULL, O_OUT},
	    {"truth", required_argument, NULL, O_TRUTH},
	    {"profile", required_argument, NULL, O_PROF},
	    {"flows", required_argument, NULL, O_FLOWS},
	    {"concurrent", required_argument, NULL, O_CONC},
	    {"packets", required_argument, NULL, O_PKTS},
	    {"idle", required_argument, NULL, O_IDLE},
	    {"active", required_argument, NULL, O_ACT},
	    {"linger-fin", required_argument, NULL, O_FIN},
	    {"linger-rst", required_argument, NULL, O_RST},
	    {"ipv6-share", required_argument, NULL, O_V6},
	    {"vlan-share", required_argument, NULL, O_VLAN},
	    {"gap-mean", required_argument, NULL, O_GAP},
	    {"snaplen", required_argument, NULL, O_SNAP},
	    {"builder", required_argument, NULL, O_BLD},
	    {"help", no_argument, NULL, O_HELP},
	    {NULL, 0, NULL, 0},
	};
	double gap = -1;
	int64_t snap = -1;
	int ch;

	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->profile = PROF_TRUTH;
	o->flows = 400;
	o->concurrent = 10000;
	o->packets = 1000000;
	o->idle_us = 15 * TFG_US_PER_S;
	o->active_us = 1800 * TFG_US_PER_S;
	o->fin_us = 5 * TFG_US_PER_S;
	o->rst_us = 2 * TFG_US_PER_S;
	o->ipv6_share = 0.3;
	o->vlan_share = 0.15;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case O_SEED:
			o->seed = parse_u64("--seed", optarg, UINT64_MAX);
			break;
		case O_OUT:
			o->out = optarg;
			break;
		case O_TRUTH:
			o->truth = optarg;
			break;
		case O_PROF:
			if (strcmp(optarg, "truth") == 0)
				o->profile = PROF_TRUTH;
			else if (strcmp(optarg, "bench") == 0)
				o->profile = PROF_BENCH;
			else {
				fprintf(stderr, "tfgen: --profile %s: expected "
				    "truth or bench\n", optarg);
				exit(2);
			}
			break;
		case O_FLOWS:
			o->flows = parse_u64("--flows", optarg, 1000000);
			break;
		case O_CONC:
			o->concurrent = parse_u64("--concurrent", optarg,
			    50000000);
			break;
		case O_PKTS:
			o->packets = parse_u64("--packets", optarg,
			    1000000000);
			break;
		case O_IDLE:
			o->idle_us = parse_u64("--idle", optarg, 86400) *
			    TFG_US_PER_S;
			break;
		case O_ACT:
			o->active_us = parse_u64("--active", optarg, 604800) *
			    TFG_US_PER_S;
			break;
		case O_FIN:
			o->fin_us = parse_u64("--linger-fin", optarg, 3600) *
			    TFG_US_PER_S;
			break;
		case O_RST:
			o->rst_us = parse_u64("--linger-rst", optarg, 3600) *
			    TFG_US_PER_S;
			break;
		case O_V6:
			o->ipv6_share = parse_frac("--ipv6-share", optarg, 1);
			break;
		case O_VLAN:
			o->vlan_share = parse_frac("--vlan-share", optarg, 1);
			break;
		case O_GAP:
			gap = parse_frac("--gap-mean", optarg, 3600);
			break;
		case O_SNAP:
			snap = (int64_t)parse_u64("--snaplen", optarg, 65535);
			break;
		case O_BLD:
			if (strcmp(optarg, "libnet") == 0)
				o->builder = BLD_LIBNET;
			else if (strcmp(optarg, "raw") == 0)
				o->builder = BLD_RAW;
			else {
				fprintf(stderr, "tfgen: --builder %s: expected "
				    "libnet or raw\n", optarg);
				exit(2);
			}
			break;
		case O_HELP:
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc || o->out == NULL) {
		usage(stderr);
		exit(2);
	}
	bool bench = o->profile == PROF_BENCH;
	o->gap_mean_s = gap > 0 ? gap : bench ? 1.0 : 2.0;
	o->snaplen = snap >= 64 ? (uint32_t)snap : bench ? 96 : 65535;
	if (o->builder == BLD_DEFAULT)
		o->builder = bench ? BLD_RAW : BLD_LIBNET;
	/* the shift rule needs room: linger > 1 margin, idle > 3 s */
	if (o->rst_us <= TFG_MARGIN_US || o->fin_us <= TFG_MARGIN_US ||
	    o->idle_us < 4 * TFG_US_PER_S || o->active_us <= o->idle_us +
	    4 * TFG_MARGIN_US) {
		fprintf(stderr, "tfgen: timeouts too small: linger > 1 s, "
		    "idle >= 4 s, active > idle + 4 s\n");
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	static struct gen g;
	char errbuf[LIBNET_ERRBUF_SIZE];
	uint64_t x;
	int64_t cur = 0, peak = 0;

	parse_opts(argc, argv, &g.o);
	x = g.o.seed;
	for (int k = 0; k < 4; k++)
		g.rng[k] = splitmix64(&x);
	if (g.o.builder == BLD_LIBNET) {
		g.ln = libnet_init(LIBNET_NONE, NULL, errbuf);
		if (g.ln == NULL) {
			fprintf(stderr, "tfgen: libnet_init: %s\n", errbuf);
			return 1;
		}
	}
	g.pcap = pcap_open_dead(DLT_EN10MB, (int)g.o.snaplen);
	g.pcap_fp = fopen(g.o.out, "wb");
	if (g.pcap == NULL || g.pcap_fp == NULL) {
		fprintf(stderr, "tfgen: %s: %s\n", g.o.out, strerror(errno));
		return 1;
	}
	if (setvbuf(g.pcap_fp, NULL, _IOFBF, 1 << 20) != 0)
		return 1;
	g.dumper = pcap_dump_fopen(g.pcap, g.pcap_fp);
	if (g.dumper == NULL) {
		fprintf(stderr, "tfgen: %s: %s\n", g.o.out,
		    pcap_geterr(g.pcap));
		return 1;
	}
	g.truth_fp = fopen(g.o.truth ? g.o.truth : "/dev/null", "w");
	if (g.truth_fp == NULL ||
	    setvbuf(g.truth_fp, NULL, _IOFBF, 1 << 20) != 0) {
		fprintf(stderr, "tfgen: %s: %s\n", g.o.truth, strerror(errno));
		return 1;
	}

	generate(&g);

	pcap_dump_close(g.dumper); /* closes pcap_fp */
	pcap_close(g.pcap);
	if (fclose(g.truth_fp) != 0) {
		fprintf(stderr, "tfgen: %s: %s\n", g.o.truth, strerror(errno));
		return 1;
	}
	if (g.ln)
		libnet_destroy(g.ln);
	for (size_t s = 0; s < g.occ_len; s++) {
		cur += g.occ[s];
		if (cur > peak)
			peak = cur;
	}
	fprintf(stderr,
	    "tfgen: packets=%" PRIu64 " flows=%" PRIu64 " peak_flows=%" PRId64
	    " duration_s=%" PRIu64 " shifted=%" PRIu64 " idle=%" PRIu64
	    " active=%" PRIu64 " eof=%" PRIu64 " forced=%" PRIu64 "\n",
	    g.pkts_written, g.flows_written, peak,
	    (uint64_t)((g.end_us - TFG_EPOCH_US) / TFG_US_PER_S), g.shifts,
	    g.by_reason[FLOW_END_IDLE], g.by_reason[FLOW_END_ACTIVE],
	    g.by_reason[FLOW_END_EOF], g.by_reason[FLOW_END_FORCED]);
	free(g.occ);
	free(g.conv);
	free(g.heap);
	if (g.ambiguous) {
		fprintf(stderr, "tfgen: %" PRIu64 " flows end too close to the "
		    "end of the file (generator bug)\n", g.ambiguous);
		return 1;
	}
	return 0;
}
