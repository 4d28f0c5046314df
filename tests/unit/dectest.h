/*
 * Helpers shared by the decoder suites (test_decode*.c): decode a copy of
 * a packet in a heap buffer of exactly its length, so that ASan reports a
 * one-byte over-read, and walk every truncation length of a packet.
 */
#ifndef TAPFLOW_DECTEST_H
#define TAPFLOW_DECTEST_H

#include <check.h>
#include <stdlib.h>

#include "../../probe/decode.h"
#include "pktbuild.h"

/* pcap LINKTYPE_ values used by the tests (pcap-linktype(7)). */
#define LT_NULL     0
#define LT_ETHERNET 1
#define LT_PPP      9
#define LT_RAW      101
#define LT_C_HDLC   104
#define LT_LOOP     108
#define LT_SLL      113
#define LT_IPV4     228
#define LT_IPV6     229
#define LT_SLL2     276

#define DT_TS_NS   1234567890123456789ull
#define DT_IFINDEX 7u

/* Decode the first len bytes of b (copied to an exact-size buffer). */
static inline enum dec_status
dt_decode(int linktype, const uint8_t *b, uint32_t len, bool decap,
          struct pkt_meta *m)
{
	struct dec_config cfg = {.decap = decap};
	uint8_t *h = pb_copy(b, len);
	enum dec_status st;

	memset(m, 0xa5, sizeof(*m)); /* dec_packet must clear the rest */
	m->ts_ns = DT_TS_NS;
	m->ifindex = DT_IFINDEX;
	st = dec_packet(&cfg, linktype, h, len, len, m);
	free(h);
	ck_assert_uint_eq(m->ts_ns, DT_TS_NS);
	ck_assert_uint_eq(m->ifindex, DT_IFINDEX);
	ck_assert_uint_eq(m->caplen, len);
	return st;
}

/*
 * What a cut at `len` captured bytes gives: the first rule whose `below`
 * is greater than len applies. family 0 means "not accounted".
 */
struct dt_cut {
	uint32_t below;
	enum dec_status st;
	enum dec_drop drop;
	uint8_t family;
	uint8_t has_ports;
};

static inline void
dt_check_cut(int linktype, const uint8_t *full, uint32_t cut, bool decap,
             const struct dt_cut *rules, size_t n_rules, struct pkt_meta *m)
{
	enum dec_status st = dt_decode(linktype, full, cut, decap, m);
	size_t i;

	for (i = 0; i < n_rules; i++)
		if (cut < rules[i].below)
			break;
	ck_assert_msg(i < n_rules, "no rule for cut %u", cut);
	ck_assert_msg(st == rules[i].st, "cut %u: status %d, want %d", cut, st,
	              rules[i].st);
	ck_assert_msg(m->drop == rules[i].drop, "cut %u: drop %s, want %s", cut,
	              dec_drop_name((enum dec_drop)m->drop),
	              dec_drop_name(rules[i].drop));
	if (st == DEC_OK) {
		ck_assert_uint_eq(m->family, rules[i].family);
		ck_assert_uint_eq(m->has_ports, rules[i].has_ports);
		if (!m->has_ports) {
			ck_assert_uint_eq(m->sport, 0);
			ck_assert_uint_eq(m->dport, 0);
		}
	} else {
		ck_assert_uint_ne(m->drop, DEC_DROP_NONE);
	}
}

static inline void
dt_ip4_is(const struct pkt_meta *m, const uint8_t src[4], const uint8_t dst[4])
{
	ck_assert_uint_eq(m->family, 4);
	ck_assert_mem_eq(m->src, src, 4);
	ck_assert_mem_eq(m->dst, dst, 4);
}

#endif
