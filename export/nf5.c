#include "nf5.h"

#include <string.h>

#include "../common/bytes.h"
#include "fields.h"

#define NS_PER_MS  1000000ull
#define NS_PER_SEC 1000000000ull

/*
 * v5 header (24 bytes)                v1 header (16 bytes)
 *  0 version        2 count            0 version   2 count
 *  4 sysUptime (ms)                    4 sysUptime
 *  8 unix_secs                         8 unix_secs
 * 12 unix_nsecs                       12 unix_nsecs
 * 16 flow_sequence
 * 20 engine_type   21 engine_id
 * 22 sampling_interval (2 bits mode, 14 bits interval)
 */
#define H_VERSION  0
#define H_COUNT    2
#define H_UPTIME   4
#define H_SECS     8
#define H_NSECS    12
#define H5_SEQ     16
#define H5_ENG_TYP 20
#define H5_ENG_ID  21
#define H5_SAMPLE  22

/*
 * Record (48 bytes), both versions up to offset 36:
 *  0 srcaddr   4 dstaddr   8 nexthop  12 input (16)  14 output (16)
 * 16 dPkts    20 dOctets  24 First   28 Last
 * 32 srcport  34 dstport
 * v5: 36 pad1  37 tcp_flags  38 prot  39 tos  40 src_as  42 dst_as
 *     44 src_mask  45 dst_mask  46 pad2
 * v1: 36 pad1 (2)  38 prot  39 tos  40 flags  41 tcp_retx_cnt
 *     42 tcp_retx_secs  43 tcp_misseq_cnt  44 reserved (4)
 */
#define R_SRC    0
#define R_DST    4
#define R_INPUT  12
#define R_PKTS   16
#define R_OCTETS 20
#define R_FIRST  24
#define R_LAST   28
#define R_SPORT  32
#define R_DPORT  34
#define R5_FLAGS 37
#define R_PROT   38
#define R_TOS    39
#define R1_FLAGS 40

#define SAMPLING_MODE_INTERVAL 1u /* mode 01: one in N packets */
#define SAMPLING_MAX           0x3fffu

int
nf5_init(struct nf5_state *st, int version, uint32_t max_packet,
         uint8_t engine_type, uint8_t engine_id, uint32_t sampling)
{
	size_t hdr, fit, limit;

	memset(st, 0, sizeof(*st));
	if (version == 5) {
		hdr = NF5_HDR_LEN;
		limit = NF5_MAX_RECS;
	} else if (version == 1) {
		hdr = NF1_HDR_LEN;
		limit = NF1_MAX_RECS;
	} else {
		return -1;
	}
	if (max_packet < hdr + NF5_REC_LEN)
		return -1;
	fit = (max_packet - hdr) / NF5_REC_LEN;
	st->max_recs = (uint16_t)(fit < limit ? fit : limit);
	st->version = version;
	st->engine_type = engine_type;
	st->engine_id = engine_id;
	if (sampling > 1)
		st->sampling_field =
		    (uint16_t)(SAMPLING_MODE_INTERVAL << 14 |
		               (sampling < SAMPLING_MAX ? sampling
		                                        : SAMPLING_MAX));
	return 0;
}

static size_t
hdr_len(const struct nf5_state *st)
{
	return st->version == 5 ? NF5_HDR_LEN : NF1_HDR_LEN;
}

/*
 * Collectors find the boot as unix_secs/nsecs - sysUptime, both cut to
 * milliseconds; a boot on a whole second keeps First/Last exact.
 */
void
nf5_set_boot(struct nf5_state *st, uint64_t boot_ns)
{
	if (st->booted)
		return;
	st->booted = true;
	st->boot_ns = boot_ns - boot_ns % NS_PER_SEC;
}

void
nf5_begin(struct nf5_state *st, uint64_t now_ns, struct wbuf *w)
{
	nf5_set_boot(st, now_ns);
	w->len = 0;
	st->open = wb_take(w, hdr_len(st)) != NULL;
	st->count = 0;
}

bool
nf5_full(const struct nf5_state *st)
{
	return st->count >= st->max_recs;
}

/* Records needed so that no piece's count passes 2^32-1. */
static uint64_t
pieces(uint64_t v)
{
	return v / NF5_COUNTER_MAX + (v % NF5_COUNTER_MAX != 0);
}

/* Piece i of k: an even share, the remainder going to the first pieces. */
static uint32_t
share(uint64_t total, uint64_t k, uint64_t i)
{
	return (uint32_t)(total / k + (i < total % k));
}

static void
put_record(const struct nf5_state *st, uint8_t *b, const struct flow_record *r,
           uint32_t pkts, uint32_t octets)
{
	memcpy(b + R_SRC, r->src, 4);
	memcpy(b + R_DST, r->dst, 4);
	/* nexthop and output stay 0: a passive probe doesn't route */
	st_be16(b + R_INPUT,
	        r->ifindex > 0xffff ? 0xffff : (uint16_t)r->ifindex);
	st_be32(b + R_PKTS, pkts);
	st_be32(b + R_OCTETS, octets);
	st_be32(b + R_FIRST, fld_uptime_ms(r->first_ns, st->boot_ns));
	st_be32(b + R_LAST, fld_uptime_ms(r->last_ns, st->boot_ns));
	st_be16(b + R_SPORT, r->sport);
	st_be16(b + R_DPORT, r->dport); /* ICMP: type * 256 + code */
	b[R_PROT] = r->proto;
	b[R_TOS] = r->tos;
	if (st->version == 5)
		b[R5_FLAGS] = r->tcp_flags;
	else
		b[R1_FLAGS] = r->tcp_flags;
	/* v5 AS numbers and masks: 0, no routing table here */
}

enum enc_add
nf5_add(struct nf5_state *st, const struct flow_record *r, struct wbuf *w)
{
	uint64_t k, kp, i;
	uint8_t *b;

	if (r->family != 4) {
		st->ipv6_skipped++;
		return ENC_SKIPPED;
	}
	if (!st->open)
		return ENC_FULL;
	k = pieces(r->octets);
	kp = pieces(r->packets);
	if (kp > k)
		k = kp;
	if (k == 0)
		k = 1;
	while (st->split_done < k) {
		if (nf5_full(st))
			return ENC_FULL;
		b = wb_take(w, NF5_REC_LEN);
		if (b == NULL)
			return ENC_FULL;
		i = st->split_done;
		put_record(st, b, r, share(r->packets, k, i),
		           share(r->octets, k, i));
		st->split_done++;
		st->count++;
		st->records++;
	}
	if (k > 1)
		st->split++;
	st->split_done = 0;
	return ENC_ADDED;
}

size_t
nf5_end(struct nf5_state *st, uint64_t now_ns, struct wbuf *w)
{
	size_t n = st->count;
	uint8_t *h = w->base;

	if (!st->open || n == 0) {
		st->open = false;
		w->len = 0; /* empty packets are never sent */
		return 0;
	}
	st_be16(h + H_VERSION, (uint16_t)st->version);
	st_be16(h + H_COUNT, st->count);
	st_be32(h + H_UPTIME, fld_uptime_ms(now_ns, st->boot_ns));
	st_be32(h + H_SECS, (uint32_t)(now_ns / NS_PER_SEC));
	st_be32(h + H_NSECS, (uint32_t)(now_ns % NS_PER_SEC));
	if (st->version == 5) {
		/* Cisco: flows sent before this packet (wraps at 2^32) */
		st_be32(h + H5_SEQ, st->flow_sequence);
		h[H5_ENG_TYP] = st->engine_type;
		h[H5_ENG_ID] = st->engine_id;
		st_be16(h + H5_SAMPLE, st->sampling_field);
	}
	st->flow_sequence += st->count;
	st->packets++;
	st->open = false;
	st->count = 0;
	return n;
}

size_t
nf5_encode(struct nf5_state *st, const struct flow_record *recs, size_t n,
           uint64_t now_ns, struct wbuf *w)
{
	size_t i;

	nf5_begin(st, now_ns, w);
	for (i = 0; i < n; i++) {
		if (nf5_add(st, &recs[i], w) == ENC_FULL)
			break;
		if (nf5_full(st)) {
			i++;
			break;
		}
	}
	(void)nf5_end(st, now_ns, w);
	return i;
}
