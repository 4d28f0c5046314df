/*
 * Decoder, network layer: IPv4 options, lengths and fragments; IPv6
 * extension headers, fragments, jumbograms; every truncation point.
 * Headers libnet won't build are byte arrays, one line per header.
 * Expected values are computed by hand from RFC 791 / RFC 8200 layouts.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dectest.h"

static const uint8_t A1[4] = {10, 0, 0, 1};
static const uint8_t A2[4] = {10, 0, 0, 2};

/* Eth/IPv4 (IHL 6: one 4-byte option, NOP NOP NOP EOL)/TCP 1234 > 80 */
static uint8_t *
ip4_opt_pkt(uint32_t *len)
{
	static const uint8_t opt[4] = {0x01, 0x01, 0x01, 0x00};
	libnet_t *l = pb_begin();

	pb_tcp(l, 1234, 80, TH_SYN | TH_ACK, 0);
	ck_assert_int_ne(libnet_build_ipv4_options(opt, 4, l, 0), -1);
	pb_ipv4(l, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 4 + LIBNET_TCP_H, 9, 0);
	pb_eth(l, ETHERTYPE_IP);
	return pb_finish(l, len);
}

START_TEST(ip4_options)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = ip4_opt_pkt(&len);

	ck_assert_uint_eq(len, 58);
	ck_assert_uint_eq(b[14], 0x46); /* the builder did write IHL 6 */
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_OK);
	dt_ip4_is(&m, A1, A2);
	ck_assert_uint_eq(m.octets, 44);
	ck_assert_uint_eq(m.sport, 1234);
	ck_assert_uint_eq(m.dport, 80);
	ck_assert_uint_eq(m.tcp_flags, 0x12);
	ck_assert_uint_eq(m.is_frag, 0);
	free(b);
}
END_TEST

/* Ethernet 14 | IPv4 20 + options 4 | TCP 20 = 58 */
static const struct dt_cut cut_ip4_opt[] = {
    {14, DEC_BAD, DEC_DROP_LINK_TRUNC, 0, 0},
    {38, DEC_BAD, DEC_DROP_IP4_TRUNC, 0, 0},
    {58, DEC_OK, DEC_DROP_TCP_TRUNC, 4, 0},
    {UINT32_MAX, DEC_OK, DEC_DROP_NONE, 4, 1},
};

START_TEST(ip4_options_cut)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = ip4_opt_pkt(&len);

	dt_check_cut(LT_ETHERNET, b, (uint32_t)_i, false, cut_ip4_opt, 4, &m);
	free(b);
}
END_TEST

START_TEST(ip4_invalid)
{
	/* version/IHL, ToS, total length, id, frag, TTL, proto, sum, addrs */
	uint8_t h[40] = {0x45, 0, 0,  40, 0, 1, 0,  0, 64, 6,
	                 0,    0, 10, 0,  0, 1, 10, 0, 0,  2};
	struct pkt_meta m;

	h[0] = 0x44; /* IHL 4 */
	ck_assert_int_eq(dt_decode(LT_IPV4, h, 40, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_IP4_BAD_IHL);
	h[0] = 0x46; /* IHL 6 > total length 20 */
	h[3] = 20;
	ck_assert_int_eq(dt_decode(LT_IPV4, h, 40, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_IP4_BAD_LEN);
	h[0] = 0x45;
	h[3] = 19; /* total length < 20 */
	ck_assert_int_eq(dt_decode(LT_IPV4, h, 40, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_IP4_BAD_LEN);
	h[0] = 0x4f; /* IHL 15: 60 bytes of header, 40 captured */
	h[3] = 80;
	ck_assert_int_eq(dt_decode(LT_IPV4, h, 40, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_IP4_TRUNC);
	h[0] = 0x55; /* version 5 */
	ck_assert_int_eq(dt_decode(LT_IPV4, h, 40, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_IP4_VERSION);
}
END_TEST

START_TEST(ip4_padding)
{
	/* total length 30: the TCP header is cut by the IP length, and the
	 * 30 bytes after it are Ethernet padding that looks like TCP */
	uint8_t h[60] = {0x45, 0x10, 0,  30, 0, 1, 0,  0, 64, 6,
	                 0,    0,    10, 0,  0, 1, 10, 0, 0,  2};
	struct pkt_meta m;

	memset(h + 20, 0x50, 40);
	ck_assert_int_eq(dt_decode(LT_IPV4, h, 60, false, &m), DEC_OK);
	ck_assert_uint_eq(m.drop, DEC_DROP_TCP_TRUNC);
	ck_assert_uint_eq(m.octets, 30);
	ck_assert_uint_eq(m.tos, 0x10);
	ck_assert_uint_eq(m.ttl, 64);
	ck_assert_uint_eq(m.has_ports, 0);
}
END_TEST

/* IPv4 fragment of a TCP datagram, id 0x1234, flags/offset field frag. */
static uint8_t *
ip4_frag_pkt(uint16_t frag, uint32_t *len)
{
	libnet_t *l = pb_begin();

	pb_tcp(l, 1234, 80, TH_SYN, 16);
	pb_ipv4(l, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", LIBNET_TCP_H + 16,
	        0x1234, frag);
	return pb_finish(l, len);
}

START_TEST(ip4_fragments)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b;

	/* first: MF, offset 0 */
	b = ip4_frag_pkt(0x2000, &len);
	ck_assert_int_eq(dt_decode(LT_IPV4, b, len, false, &m), DEC_OK);
	ck_assert_uint_eq(m.is_frag, 1);
	ck_assert_uint_eq(m.frag_first, 1);
	ck_assert_uint_eq(m.frag_more, 1);
	ck_assert_uint_eq(m.frag_id, 0x1234);
	ck_assert_uint_eq(m.frag_off, 0);
	ck_assert_uint_eq(m.sport, 1234);
	ck_assert_uint_eq(m.has_ports, 1);
	free(b);
	/* middle: MF, offset 185 units = 1480 bytes: bytes are not TCP */
	b = ip4_frag_pkt(0x2000 | 185, &len);
	ck_assert_int_eq(dt_decode(LT_IPV4, b, len, false, &m), DEC_OK);
	ck_assert_uint_eq(m.is_frag, 1);
	ck_assert_uint_eq(m.frag_first, 0);
	ck_assert_uint_eq(m.frag_more, 1);
	ck_assert_uint_eq(m.frag_off, 1480);
	ck_assert_uint_eq(m.proto, 6);
	ck_assert_uint_eq(m.has_ports, 0);
	ck_assert_uint_eq(m.sport, 0);
	ck_assert_uint_eq(m.tcp_flags, 0);
	ck_assert_uint_eq(m.drop, DEC_DROP_NONE);
	free(b);
	/* last: offset 8191 units (the largest), no MF */
	b = ip4_frag_pkt(0x1fff, &len);
	ck_assert_int_eq(dt_decode(LT_IPV4, b, len, false, &m), DEC_OK);
	ck_assert_uint_eq(m.frag_more, 0);
	ck_assert_uint_eq(m.frag_off, 65528);
	ck_assert_uint_eq(m.is_frag, 1);
	free(b);
	/* DF alone is no fragment */
	b = ip4_frag_pkt(0x4000, &len);
	ck_assert_int_eq(dt_decode(LT_IPV4, b, len, false, &m), DEC_OK);
	ck_assert_uint_eq(m.is_frag, 0);
	ck_assert_uint_eq(m.frag_id, 0);
	ck_assert_uint_eq(m.has_ports, 1);
	free(b);
}
END_TEST

/* IPv6 header, TC 0, flow 0, hop limit 64, 2001:db8::1 > 2001:db8::2 */
static void
ip6_hdr(uint8_t *h, uint8_t next, uint16_t plen)
{
	static const uint8_t t[40] = {
	    0x60, 0, 0, 0, 0, 0, 0, 64, 0x20, 0x01, 0x0d, 0xb8, 0,    0,
	    0,    0, 0, 0, 0, 0, 0, 0,  0,    1,    0x20, 0x01, 0x0d, 0xb8,
	    0,    0, 0, 0, 0, 0, 0, 0,  0,    0,    0,    2};

	memcpy(h, t, 40);
	h[4] = (uint8_t)(plen >> 8);
	h[5] = (uint8_t)plen;
	h[6] = next;
}

/* TCP header 20 bytes: 40000 > 443, data offset 5, flags ACK|PSH */
static const uint8_t tcp20[20] = {0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 1, 0, 0,
                                  0,    2,    0x50, 0x18, 1, 0, 0, 0, 0, 0};

/*
 * IPv6 40 | hop-by-hop 8 | destination options 8 | routing 24 |
 * fragment 8 (first, M) | TCP 20 = 108
 */
static uint8_t *
ip6_chain_pkt(uint16_t frag_field, uint32_t *len)
{
	uint8_t *b = calloc(1, 108);

	ip6_hdr(b, 0, 68);
	/* hop-by-hop: next 60, len 0, PadN 4 */
	memcpy(b + 40, (const uint8_t[]){60, 0, 1, 4, 0, 0, 0, 0}, 8);
	/* destination options: next 43, len 0, PadN 4 */
	memcpy(b + 48, (const uint8_t[]){43, 0, 1, 4, 0, 0, 0, 0}, 8);
	/* routing: next 44, len 2 (24 bytes), type 0, segments left 0 */
	memcpy(b + 56, (const uint8_t[]){44, 2, 0, 0}, 4);
	/* fragment: next 6, reserved, offset/M, id 0xdeadbeef */
	memcpy(b + 80,
	       (const uint8_t[]){6, 0, (uint8_t)(frag_field >> 8),
	                         (uint8_t)frag_field, 0xde, 0xad, 0xbe, 0xef},
	       8);
	memcpy(b + 88, tcp20, 20);
	*len = 108;
	return b;
}

START_TEST(ip6_chain)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = ip6_chain_pkt(0x0001, &len); /* offset 0, M */

	ck_assert_int_eq(dt_decode(LT_IPV6, b, len, false, &m), DEC_OK);
	ck_assert_uint_eq(m.family, 6);
	ck_assert_uint_eq(m.octets, 108);
	ck_assert_uint_eq(m.proto, 6);
	ck_assert_uint_eq(m.ttl, 64);
	ck_assert_uint_eq(m.sport, 40000);
	ck_assert_uint_eq(m.dport, 443);
	ck_assert_uint_eq(m.tcp_flags, 0x18);
	ck_assert_uint_eq(m.is_frag, 1);
	ck_assert_uint_eq(m.frag_first, 1);
	ck_assert_uint_eq(m.frag_more, 1);
	ck_assert_uint_eq(m.frag_id, 0xdeadbeef);
	ck_assert_uint_eq(m.drop, DEC_DROP_NONE);
	free(b);
	/* later fragment, offset 1232 bytes (154 units << 3), no M */
	b = ip6_chain_pkt(154 << 3, &len);
	ck_assert_int_eq(dt_decode(LT_IPV6, b, len, false, &m), DEC_OK);
	ck_assert_uint_eq(m.is_frag, 1);
	ck_assert_uint_eq(m.frag_first, 0);
	ck_assert_uint_eq(m.frag_more, 0);
	ck_assert_uint_eq(m.frag_off, 1232);
	ck_assert_uint_eq(m.proto, 6);
	ck_assert_uint_eq(m.has_ports, 0);
	ck_assert_uint_eq(m.sport, 0);
	free(b);
	/* atomic fragment (RFC 6946): whole packet, not a fragment */
	b = ip6_chain_pkt(0, &len);
	ck_assert_int_eq(dt_decode(LT_IPV6, b, len, false, &m), DEC_OK);
	ck_assert_uint_eq(m.is_frag, 0);
	ck_assert_uint_eq(m.frag_id, 0);
	ck_assert_uint_eq(m.has_ports, 1);
	ck_assert_uint_eq(m.dport, 443);
	free(b);
}
END_TEST

/* IPv6 40 | extension headers 48 | TCP 20 = 108 */
static const struct dt_cut cut_ip6_chain[] = {
    {40, DEC_BAD, DEC_DROP_IP6_TRUNC, 0, 0},
    {88, DEC_OK, DEC_DROP_IP6_EXT_TRUNC, 6, 0},
    {108, DEC_OK, DEC_DROP_TCP_TRUNC, 6, 0},
    {UINT32_MAX, DEC_OK, DEC_DROP_NONE, 6, 1},
};

START_TEST(ip6_chain_cut)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = ip6_chain_pkt(0x0001, &len);

	dt_check_cut(LT_IPV6, b, (uint32_t)_i, false, cut_ip6_chain, 4, &m);
	if (_i >= 40)
		ck_assert_uint_eq(m.octets, 108);
	free(b);
}
END_TEST

/* IPv6, then n destination-options headers (8 bytes each), then TCP */
static uint8_t *
ip6_dst_pkt(unsigned n, uint32_t *len)
{
	uint32_t plen = 8 * n + 20;
	uint8_t *b = calloc(1, 40 + plen);
	unsigned i;

	ip6_hdr(b, 60, (uint16_t)plen);
	for (i = 0; i < n; i++) {
		b[40 + 8 * i] = i == n - 1 ? 6 : 60;
		b[40 + 8 * i + 2] = 1; /* PadN 4 */
		b[40 + 8 * i + 3] = 4;
	}
	memcpy(b + 40 + 8 * n, tcp20, 20);
	*len = 40 + plen;
	return b;
}

START_TEST(ip6_ext_limit)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = ip6_dst_pkt(DEC_MAX_IP6_EXT, &len);

	ck_assert_int_eq(dt_decode(LT_IPV6, b, len, false, &m), DEC_OK);
	ck_assert_uint_eq(m.drop, DEC_DROP_NONE);
	ck_assert_uint_eq(m.dport, 443);
	free(b);
	b = ip6_dst_pkt(DEC_MAX_IP6_EXT + 1, &len);
	ck_assert_int_eq(dt_decode(LT_IPV6, b, len, false, &m), DEC_OK);
	ck_assert_uint_eq(m.drop, DEC_DROP_IP6_EXT_TOO_MANY);
	ck_assert_uint_eq(m.family, 6);
	ck_assert_uint_eq(m.has_ports, 0);
	free(b);
}
END_TEST

START_TEST(ip6_esp_ah_none)
{
	uint8_t b[40 + 24 + 20];
	struct pkt_meta m;

	/* ESP: the walk ends, no ports */
	ip6_hdr(b, 50, 24);
	memset(b + 40, 0x11, 24);
	ck_assert_int_eq(dt_decode(LT_IPV6, b, 64, false, &m), DEC_OK);
	ck_assert_uint_eq(m.proto, 50);
	ck_assert_uint_eq(m.has_ports, 0);
	ck_assert_uint_eq(m.drop, DEC_DROP_NONE);
	/* No Next Header */
	ip6_hdr(b, 59, 0);
	ck_assert_int_eq(dt_decode(LT_IPV6, b, 40, false, &m), DEC_OK);
	ck_assert_uint_eq(m.proto, 59);
	ck_assert_uint_eq(m.octets, 40);
	/* AH: next 6, length 4 ((4 + 2) * 4 = 24 bytes), SPI, seq, ICV */
	ip6_hdr(b, 51, 44);
	memset(b + 40, 0, 24);
	b[40] = 6;
	b[41] = 4;
	memcpy(b + 64, tcp20, 20);
	ck_assert_int_eq(dt_decode(LT_IPV6, b, 84, false, &m), DEC_OK);
	ck_assert_uint_eq(m.proto, 6);
	ck_assert_uint_eq(m.dport, 443);
	/* AH cut: 23 of its 24 bytes */
	ck_assert_int_eq(dt_decode(LT_IPV6, b, 63, false, &m), DEC_OK);
	ck_assert_uint_eq(m.drop, DEC_DROP_IP6_EXT_TRUNC);
}
END_TEST

/* IPv6 payload length 0, hop-by-hop with Jumbo Payload, then UDP */
static void
jumbo_pkt(uint8_t *b, uint8_t opt_len, uint32_t value)
{
	ip6_hdr(b, 0, 0);
	/* hop-by-hop: next 17, len 0, option 0xc2 length 4, value */
	b[40] = 17;
	b[41] = 0;
	b[42] = 0xc2;
	b[43] = opt_len;
	b[44] = (uint8_t)(value >> 24);
	b[45] = (uint8_t)(value >> 16);
	b[46] = (uint8_t)(value >> 8);
	b[47] = (uint8_t)value;
	/* UDP 1000 > 2000, length 0 (RFC 2675 4) */
	memcpy(b + 48, (const uint8_t[]){0x03, 0xe8, 0x07, 0xd0, 0, 0, 0, 0},
	       8);
}

START_TEST(ip6_jumbo)
{
	uint8_t b[56];
	struct pkt_meta m;

	jumbo_pkt(b, 4, 70000);
	ck_assert_int_eq(dt_decode(LT_IPV6, b, 56, false, &m), DEC_OK);
	ck_assert_uint_eq(m.octets, 40 + 70000);
	ck_assert_uint_eq(m.proto, 17);
	ck_assert_uint_eq(m.dport, 2000);
	ck_assert_uint_eq(m.drop, DEC_DROP_NONE);
	jumbo_pkt(b, 4, 65535); /* must exceed 65535 */
	ck_assert_int_eq(dt_decode(LT_IPV6, b, 56, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_IP6_BAD_JUMBO);
	jumbo_pkt(b, 4, 0xffffffff); /* 40 + it overflows 32 bits */
	ck_assert_int_eq(dt_decode(LT_IPV6, b, 56, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_IP6_BAD_JUMBO);
	jumbo_pkt(b, 2, 70000); /* option length must be 4 */
	b[46] = 1;              /* PadN fills the rest of the header */
	b[47] = 0;
	ck_assert_int_eq(dt_decode(LT_IPV6, b, 56, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_IP6_BAD_JUMBO);
	jumbo_pkt(b, 4, 70000);
	ck_assert_int_eq(dt_decode(LT_IPV6, b, 47, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_IP6_EXT_TRUNC);
}
END_TEST

START_TEST(ip6_len_zero)
{
	uint8_t b[40 + 20 + 100];
	struct dec_config cfg = {.decap = false};
	struct pkt_meta m;
	uint8_t *h;

	/* Linux BIG TCP: payload length 0, no jumbo option: the frame
	 * gives the length, 40 + 120 captured + 5000 not captured */
	ip6_hdr(b, 6, 0);
	memcpy(b + 40, tcp20, 20);
	memset(b + 60, 0, 100);
	h = pb_copy(b, sizeof(b));
	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(dec_packet(&cfg, LT_IPV6, h, 160, 5160, &m), DEC_OK);
	ck_assert_uint_eq(m.octets, 40 + 120 + 5000);
	ck_assert_uint_eq(m.dport, 443);
	free(h);
}
END_TEST

START_TEST(ip6_padding)
{
	uint8_t b[40 + 8 + 16];
	struct pkt_meta m;

	/* payload length 7: the UDP header is cut by the IPv6 length and
	 * what follows is link padding */
	ip6_hdr(b, 17, 7);
	memset(b + 40, 0x07, 24);
	ck_assert_int_eq(dt_decode(LT_IPV6, b, sizeof(b), false, &m), DEC_OK);
	ck_assert_uint_eq(m.octets, 47);
	ck_assert_uint_eq(m.drop, DEC_DROP_UDP_TRUNC);
}
END_TEST

static Suite *
decode_ip_suite(void)
{
	Suite *s = suite_create("decode_ip");
	TCase *tc = tcase_create("ip");

	tcase_add_test(tc, ip4_options);
	tcase_add_loop_test(tc, ip4_options_cut, 0, 59);
	tcase_add_test(tc, ip4_invalid);
	tcase_add_test(tc, ip4_padding);
	tcase_add_test(tc, ip4_fragments);
	tcase_add_test(tc, ip6_chain);
	tcase_add_loop_test(tc, ip6_chain_cut, 0, 109);
	tcase_add_test(tc, ip6_ext_limit);
	tcase_add_test(tc, ip6_esp_ah_none);
	tcase_add_test(tc, ip6_jumbo);
	tcase_add_test(tc, ip6_len_zero);
	tcase_add_test(tc, ip6_padding);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(decode_ip_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
