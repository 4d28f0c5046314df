/*
 * Decoder, transport layer: ports of TCP, UDP, SCTP, DCCP, ICMP type/code,
 * ICMPv6, other protocols, and every truncation point of each header.
 * The packets are IPv4 (or IPv6) on LINKTYPE_IPV4/IPV6, so a cut below the
 * IP header length is an IP truncation and above it the transport's.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dectest.h"

/* A transport header and what the decoder should read from it. */
struct l4_case {
	uint8_t family;
	uint8_t proto;
	uint8_t hlen; /* bytes the decoder needs */
	enum dec_drop trunc;
	uint8_t hdr[20];
	uint16_t sport, dport;
	uint8_t tcp_flags;
};

static const struct l4_case cases[] = {
    /* TCP 40000 > 443, seq 1, ack 2, data offset 5, flags FIN|ACK */
    {4,
     6,
     20,
     DEC_DROP_TCP_TRUNC,
     {0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 2, 0x50, 0x11, 1, 0},
     40000,
     443,
     0x11},
    /* UDP 53 > 33000, length 8 */
    {4,
     17,
     8,
     DEC_DROP_UDP_TRUNC,
     {0x00, 0x35, 0x80, 0xe8, 0, 8, 0, 0},
     53,
     33000,
     0},
    /* SCTP 5000 > 38412, verification tag, checksum */
    {4,
     132,
     12,
     DEC_DROP_SCTP_TRUNC,
     {0x13, 0x88, 0x96, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8},
     5000,
     38412,
     0},
    /* DCCP 5001 > 5002, data offset 3, CsCov, checksum, type 0, seq */
    {4,
     33,
     12,
     DEC_DROP_DCCP_TRUNC,
     {0x13, 0x89, 0x13, 0x8a, 3, 0, 0, 0, 0x00, 0, 0, 1},
     5001,
     5002,
     0},
    /* ICMP destination unreachable, port unreachable: 3 * 256 + 3 */
    {4, 1, 8, DEC_DROP_ICMP_TRUNC, {3, 3, 0, 0, 0, 0, 0, 0}, 0, 771, 0},
    /* ICMP echo request: 8 * 256 + 0 */
    {4, 1, 8, DEC_DROP_ICMP_TRUNC, {8, 0, 0, 0, 0x42, 0x42, 0, 1}, 0, 2048, 0},
    /* ICMPv6 echo request: 128 * 256 + 0 */
    {6,
     58,
     4,
     DEC_DROP_ICMP6_TRUNC,
     {128, 0, 0, 0, 0x42, 0x42, 0, 1},
     0,
     32768,
     0},
    /* ICMPv6 time exceeded, fragment reassembly: 3 * 256 + 1 */
    {6, 58, 4, DEC_DROP_ICMP6_TRUNC, {3, 1, 0, 0, 0, 0, 0, 0}, 0, 769, 0},
    /* TCP over IPv6 */
    {6,
     6,
     20,
     DEC_DROP_TCP_TRUNC,
     {0x00, 0x16, 0xc0, 0x00, 0, 0, 0, 1, 0, 0, 0, 0, 0x60, 0x02, 1, 0},
     22,
     49152,
     0x02},
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))
#define CUTS    64 /* loop index = case * CUTS + cut */

/* IP header for the case, then its 20 header bytes; returns the length. */
static uint32_t
l4_pkt(const struct l4_case *k, uint8_t *b)
{
	/* IPv4: version/IHL, ToS, total length, id, frag, TTL, proto, sum */
	static const uint8_t v4[20] = {0x45, 0, 0,  40, 0, 1, 0,  0, 64, 0,
	                               0,    0, 10, 0,  0, 1, 10, 0, 0,  2};
	/* IPv6: version, TC/flow, payload length 20, next, hop limit */
	static const uint8_t v6[40] = {
	    0x60, 0,    0,    0,        0,    20,   0,
	    64,   0xfe, 0x80, [23] = 1, 0xfe, 0x80, [39] = 2};
	uint32_t ihl = k->family == 4 ? 20 : 40;

	memcpy(b, k->family == 4 ? v4 : v6, ihl);
	b[k->family == 4 ? 9 : 6] = k->proto;
	memcpy(b + ihl, k->hdr, 20);
	return ihl + 20;
}

START_TEST(l4_cut)
{
	const struct l4_case *k = &cases[_i / CUTS];
	uint32_t cut = (uint32_t)_i % CUTS, ihl = k->family == 4 ? 20 : 40;
	int lt = k->family == 4 ? LT_IPV4 : LT_IPV6;
	uint8_t b[60];
	uint32_t len = l4_pkt(k, b);
	const struct dt_cut rules[] = {
	    {ihl, DEC_BAD,
	     k->family == 4 ? DEC_DROP_IP4_TRUNC : DEC_DROP_IP6_TRUNC, 0, 0},
	    {ihl + k->hlen, DEC_OK, k->trunc, k->family, 0},
	    {UINT32_MAX, DEC_OK, DEC_DROP_NONE, k->family, 1},
	};
	struct pkt_meta m;

	if (cut > len)
		return;
	dt_check_cut(lt, b, cut, false, rules, 3, &m);
	if (cut >= ihl) {
		ck_assert_uint_eq(m.proto, k->proto);
		ck_assert_uint_eq(m.octets, len);
	}
	if (cut >= ihl + k->hlen) {
		ck_assert_uint_eq(m.sport, k->sport);
		ck_assert_uint_eq(m.dport, k->dport);
		ck_assert_uint_eq(m.tcp_flags, k->tcp_flags);
	}
}
END_TEST

START_TEST(tcp_bad_offset)
{
	uint8_t b[60];
	struct pkt_meta m;
	uint32_t len = l4_pkt(&cases[0], b);

	b[20 + 12] = 0x40; /* data offset 4 words < 5 */
	ck_assert_int_eq(dt_decode(LT_IPV4, b, len, false, &m), DEC_OK);
	ck_assert_uint_eq(m.drop, DEC_DROP_TCP_BAD_OFF);
	ck_assert_uint_eq(m.has_ports, 0);
	ck_assert_uint_eq(m.sport, 0);
	ck_assert_uint_eq(m.family, 4);
}
END_TEST

START_TEST(other_protocols)
{
	/* OSPF (89), GRE (47) and IP-in-IP (4) without decap: the protocol
	 * number alone, no ports, no tunnel */
	static const uint8_t protos[] = {89, 47, 4, 41, 50, 2};
	uint8_t b[60];
	struct pkt_meta m;
	uint32_t len = l4_pkt(&cases[0], b);
	size_t i;

	for (i = 0; i < sizeof(protos); i++) {
		b[9] = protos[i];
		ck_assert_int_eq(dt_decode(LT_IPV4, b, len, false, &m), DEC_OK);
		ck_assert_uint_eq(m.proto, protos[i]);
		ck_assert_uint_eq(m.has_ports, 0);
		ck_assert_uint_eq(m.sport, 0);
		ck_assert_uint_eq(m.dport, 0);
		ck_assert_uint_eq(m.tunnel, 0);
		ck_assert_uint_eq(m.depth, 0);
		ck_assert_uint_eq(m.drop, DEC_DROP_NONE);
	}
}
END_TEST

START_TEST(libnet_icmp)
{
	/* an ICMP header built by libnet (echo layout, type 11 code 1) */
	static const uint8_t a1[4] = {192, 0, 2, 1}, a2[4] = {192, 0, 2, 2};
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b;
	libnet_t *l = pb_begin();

	pb_icmp4(l, ICMP_TIMXCEED, 1); /* 11 * 256 + 1 */
	pb_ipv4(l, IPPROTO_ICMP, "192.0.2.1", "192.0.2.2", 8, 1, 0);
	pb_eth(l, ETHERTYPE_IP);
	b = pb_finish(l, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_OK);
	dt_ip4_is(&m, a1, a2);
	ck_assert_uint_eq(m.proto, 1);
	ck_assert_uint_eq(m.dport, 11 * 256 + 1);
	ck_assert_uint_eq(m.sport, 0);
	ck_assert_uint_eq(m.has_ports, 1);
	free(b);
}
END_TEST

static Suite *
decode_l4_suite(void)
{
	Suite *s = suite_create("decode_l4");
	TCase *tc = tcase_create("l4");

	tcase_add_loop_test(tc, l4_cut, 0, (int)(N_CASES * CUTS));
	tcase_add_test(tc, tcp_bad_offset);
	tcase_add_test(tc, other_protocols);
	tcase_add_test(tc, libnet_icmp);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(decode_l4_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
