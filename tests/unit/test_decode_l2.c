/*
 * Decoder, link layer: every link type, VLAN tags, MPLS, PPPoE, PPP, and
 * every truncation point of their headers. Expected values are computed
 * by hand from the header sizes (Ethernet 14, tag 4, MPLS entry 4, SLL 16,
 * SLL2 20, PPPoE 6 + 2, IPv4 20, IPv6 40, TCP 20, UDP 8).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dectest.h"

static const uint8_t A1[4] = {10, 0, 0, 1};
static const uint8_t A2[4] = {10, 0, 0, 2};
static const uint8_t MAC_SRC[6] = PB_MAC_SRC;
static const uint8_t MAC_DST[6] = PB_MAC_DST;

/* Prefix hdr (hlen bytes) to an IPv4/TCP packet 10.0.0.1:1234 > :80 SYN. */
static uint8_t *
with_ip4_tcp(const uint8_t *hdr, uint32_t hlen, uint32_t *len)
{
	uint32_t ilen;
	uint8_t *ip =
	    pb_ip4_tcp("10.0.0.1", "10.0.0.2", 1234, 80, TH_SYN, &ilen);
	uint8_t *out = pb_concat(hdr, hlen, ip, ilen, len);

	free(ip);
	return out;
}

static void
check_ip4_tcp(const struct pkt_meta *m)
{
	dt_ip4_is(m, A1, A2);
	ck_assert_uint_eq(m->proto, 6);
	ck_assert_uint_eq(m->sport, 1234);
	ck_assert_uint_eq(m->dport, 80);
	ck_assert_uint_eq(m->has_ports, 1);
	ck_assert_uint_eq(m->tcp_flags, 0x02);
	ck_assert_uint_eq(m->octets, 40);
	ck_assert_uint_eq(m->ttl, PB_TTL);
	ck_assert_uint_eq(m->tos, PB_TOS);
	ck_assert_uint_eq(m->drop, DEC_DROP_NONE);
}

START_TEST(eth_ip4_tcp)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b =
	    pb_eth_ip4_tcp("10.0.0.1", "10.0.0.2", 1234, 80, TH_SYN, &len);

	ck_assert_uint_eq(len, 54);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_OK);
	check_ip4_tcp(&m);
	ck_assert_uint_eq(m.has_mac, 1);
	ck_assert_mem_eq(m.src_mac, MAC_SRC, 6);
	ck_assert_mem_eq(m.dst_mac, MAC_DST, 6);
	ck_assert_uint_eq(m.n_vlan, 0);
	ck_assert_uint_eq(m.vlan, 0);
	ck_assert_uint_eq(m.n_mpls, 0);
	ck_assert_uint_eq(m.is_frag, 0);
	ck_assert_uint_eq(m.tunnel, 0);
	ck_assert_uint_eq(m.depth, 0);
	ck_assert_uint_eq(m.wirelen, 54);
	free(b);
}
END_TEST

/* Ethernet 14 | IPv4 20 | TCP 20 = 54 */
static const struct dt_cut cut_eth_tcp[] = {
    {14, DEC_BAD, DEC_DROP_LINK_TRUNC, 0, 0},
    {34, DEC_BAD, DEC_DROP_IP4_TRUNC, 0, 0},
    {54, DEC_OK, DEC_DROP_TCP_TRUNC, 4, 0},
    {UINT32_MAX, DEC_OK, DEC_DROP_NONE, 4, 1},
};

START_TEST(eth_ip4_tcp_cut)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b =
	    pb_eth_ip4_tcp("10.0.0.1", "10.0.0.2", 1234, 80, TH_SYN, &len);

	dt_check_cut(LT_ETHERNET, b, (uint32_t)_i, false, cut_eth_tcp, 4, &m);
	if (_i >= 34)
		ck_assert_uint_eq(m.octets, 40); /* from the header */
	free(b);
}
END_TEST

/* QinQ: 802.1ad tag VID 100, then 802.1Q VID 200, IPv4/TCP */
static uint8_t *
qinq_pkt(uint32_t *len)
{
	static const uint8_t src[6] = PB_MAC_SRC, dst[6] = PB_MAC_DST;
	/* inner 802.1Q tag: TCI PCP 3 VID 200, EtherType IPv4 */
	static const uint8_t inner[4] = {0x60, 0xc8, 0x08, 0x00};
	libnet_t *l = pb_begin();

	pb_tcp(l, 1234, 80, TH_SYN, 0);
	pb_ipv4(l, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", LIBNET_TCP_H, 1, 0);
	pb_data(l, inner, 4);
	ck_assert_int_ne(libnet_build_802_1q(dst, src, 0x88a8, 0, 0, 100,
	                                     0x8100, NULL, 0, l, 0),
	                 -1);
	return pb_finish(l, len);
}

START_TEST(qinq)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = qinq_pkt(&len);

	ck_assert_uint_eq(len, 62);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_OK);
	check_ip4_tcp(&m);
	ck_assert_uint_eq(m.vlan, 100);
	ck_assert_uint_eq(m.inner_vlan, 200);
	ck_assert_uint_eq(m.n_vlan, 2);
	free(b);
}
END_TEST

/* MACs 12 | TPID+TCI+type 6 | tag 4 | IPv4 20 | TCP 20 = 62 */
static const struct dt_cut cut_qinq[] = {
    {14, DEC_BAD, DEC_DROP_LINK_TRUNC, 0, 0},
    {22, DEC_BAD, DEC_DROP_VLAN_TRUNC, 0, 0},
    {42, DEC_BAD, DEC_DROP_IP4_TRUNC, 0, 0},
    {62, DEC_OK, DEC_DROP_TCP_TRUNC, 4, 0},
    {UINT32_MAX, DEC_OK, DEC_DROP_NONE, 4, 1},
};

START_TEST(qinq_cut)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = qinq_pkt(&len);

	dt_check_cut(LT_ETHERNET, b, (uint32_t)_i, false, cut_qinq, 5, &m);
	free(b);
}
END_TEST

/* Ethernet with n 0x9100/0x8100 tags of VID 1..n, then IPv4/TCP. */
static uint8_t *
tags_pkt(unsigned n, uint32_t *len)
{
	/* dst, src MACs; then per tag: TPID, TCI; then EtherType */
	uint8_t hdr[12 + 4 * 8 + 2] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
	uint32_t off = 12;
	unsigned i;

	for (i = 0; i < n; i++) {
		hdr[off++] = i == 0 ? 0x91 : 0x81;
		hdr[off++] = 0x00;
		hdr[off++] = 0x00;
		hdr[off++] = (uint8_t)(i + 1);
	}
	hdr[off++] = 0x08;
	hdr[off++] = 0x00;
	return with_ip4_tcp(hdr, off, len);
}

START_TEST(vlan_max)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = tags_pkt(DEC_MAX_VLAN, &len);

	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_OK);
	check_ip4_tcp(&m);
	ck_assert_uint_eq(m.n_vlan, DEC_MAX_VLAN);
	ck_assert_uint_eq(m.vlan, 1);
	ck_assert_uint_eq(m.inner_vlan, 2);
	free(b);
	b = tags_pkt(DEC_MAX_VLAN + 1, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_VLAN_TOO_MANY);
	free(b);
}
END_TEST

/* Ethernet, MPLS 16 (TC 5, TTL 64), MPLS 17 BoS (TTL 63), IPv4/UDP */
static uint8_t *
mpls_pkt(uint32_t *len)
{
	libnet_t *l = pb_begin();

	pb_udp(l, 53, 4000, NULL, 0);
	pb_ipv4(l, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", LIBNET_UDP_H, 1, 0);
	ck_assert_int_ne(libnet_build_mpls(17, 0, 1, 63, NULL, 0, l, 0), -1);
	ck_assert_int_ne(libnet_build_mpls(16, 5, 0, 64, NULL, 0, l, 0), -1);
	pb_eth(l, 0x8847);
	return pb_finish(l, len);
}

START_TEST(mpls)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = mpls_pkt(&len);

	ck_assert_uint_eq(len, 50);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_OK);
	dt_ip4_is(&m, A1, A2);
	ck_assert_uint_eq(m.proto, 17);
	ck_assert_uint_eq(m.sport, 53);
	ck_assert_uint_eq(m.dport, 4000);
	ck_assert_uint_eq(m.n_mpls, 2);
	/* label << 12 | TC << 9 | S << 8 | TTL */
	ck_assert_uint_eq(m.mpls[0], 16u << 12 | 5u << 9 | 64u);
	ck_assert_uint_eq(m.mpls[1], 17u << 12 | 1u << 8 | 63u);
	free(b);
}
END_TEST

/* Ethernet 14 | MPLS 4 + 4 | IPv4 20 | UDP 8 = 50 */
static const struct dt_cut cut_mpls[] = {
    {14, DEC_BAD, DEC_DROP_LINK_TRUNC, 0, 0},
    {23, DEC_BAD, DEC_DROP_MPLS_TRUNC, 0, 0}, /* 22: no payload byte */
    {42, DEC_BAD, DEC_DROP_IP4_TRUNC, 0, 0},
    {50, DEC_OK, DEC_DROP_UDP_TRUNC, 4, 0},
    {UINT32_MAX, DEC_OK, DEC_DROP_NONE, 4, 1},
};

START_TEST(mpls_cut)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = mpls_pkt(&len);

	dt_check_cut(LT_ETHERNET, b, (uint32_t)_i, false, cut_mpls, 5, &m);
	free(b);
}
END_TEST

/* Ethernet 0x8847 then n label entries (BoS on the last if bos). */
static uint8_t *
labels_pkt(unsigned n, bool bos, uint8_t first_payload, uint32_t *len)
{
	uint8_t hdr[14 + 4 * 12 + 1] = {2, 0, 0, 0, 0, 2,    2,
	                                0, 0, 0, 0, 1, 0x88, 0x47};
	uint32_t off = 14;
	unsigned i;

	for (i = 0; i < n; i++) {
		/* label 100 + i, TC 0, TTL 64 */
		uint32_t lse = (100u + i) << 12 | 64u;

		if (bos && i == n - 1)
			lse |= 1u << 8;
		hdr[off++] = (uint8_t)(lse >> 24);
		hdr[off++] = (uint8_t)(lse >> 16);
		hdr[off++] = (uint8_t)(lse >> 8);
		hdr[off++] = (uint8_t)lse;
	}
	if (first_payload == 4)
		return with_ip4_tcp(hdr, off, len);
	hdr[off++] = first_payload;
	*len = off;
	return pb_copy(hdr, off);
}

START_TEST(mpls_limits)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b;

	/* four labels: three kept, the fourth walked */
	b = labels_pkt(4, true, 4, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_OK);
	check_ip4_tcp(&m);
	ck_assert_uint_eq(m.n_mpls, PKT_MAX_MPLS);
	ck_assert_uint_eq(m.mpls[2], 102u << 12 | 64u);
	free(b);
	b = labels_pkt(DEC_MAX_MPLS, true, 4, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_OK);
	free(b);
	b = labels_pkt(DEC_MAX_MPLS + 1, true, 4, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_MPLS_TOO_MANY);
	free(b);
	/* payload neither IPv4, IPv6 nor control word: nibble 5 */
	b = labels_pkt(1, true, 0x50, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_SKIP);
	ck_assert_uint_eq(m.drop, DEC_DROP_MPLS_UNKNOWN_PAYLOAD);
	free(b);
}
END_TEST

START_TEST(mpls_pw_ethernet)
{
	/* outer Ethernet, one label BoS, control word 0, inner Ethernet */
	static const uint8_t hdr[] = {
	    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00,
	    0x11, 0x22, 0x33, 0x44, 0x66, 0x88, 0x47, /* outer Ethernet, MPLS */
	    0x00, 0x06, 0x41, 0x40, /* label 100, BoS, TTL 64 */
	    0x00, 0x00, 0x00, 0x00, /* RFC 4385 control word */
	    0x02, 0,    0,    0,    0,    0x09, 0x02,
	    0,    0,    0,    0,    0x08, 0x08, 0x00};
	static const uint8_t outer_src[6] = {0x00, 0x11, 0x22,
	                                     0x33, 0x44, 0x66};
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = with_ip4_tcp(hdr, sizeof(hdr), &len);

	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_OK);
	check_ip4_tcp(&m);
	ck_assert_mem_eq(m.src_mac, outer_src, 6); /* the outer one */
	ck_assert_uint_eq(m.mpls[0], 100u << 12 | 1u << 8 | 64u);
	free(b);
}
END_TEST

/* Ethernet, PPPoE session 0x0001 carrying PPP 0x0057 IPv6/UDP */
static uint8_t *
pppoe_pkt(uint16_t ppp_proto, uint32_t *len)
{
	/* ver/type 0x11, code 0, session 1, length 2 + 40 + 8 + 4 */
	const uint8_t hdr[8] = {0x11,
	                        0x00,
	                        0x00,
	                        0x01,
	                        0x00,
	                        54,
	                        (uint8_t)(ppp_proto >> 8),
	                        (uint8_t)ppp_proto};
	libnet_t *l = pb_begin();

	pb_udp(l, 5353, 5353, NULL, 4);
	pb_ipv6(l, IPPROTO_UDP, "2001:db8::1", "2001:db8::2", LIBNET_UDP_H + 4);
	pb_data(l, hdr, sizeof(hdr));
	pb_eth(l, 0x8864);
	return pb_finish(l, len);
}

START_TEST(pppoe)
{
	static const uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	                               0,    0,    0,    0,    0, 0, 0, 1};
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = pppoe_pkt(0x0057, &len);

	ck_assert_uint_eq(len, 74);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_OK);
	ck_assert_uint_eq(m.family, 6);
	ck_assert_mem_eq(m.src, s6, 16);
	ck_assert_uint_eq(m.proto, 17);
	ck_assert_uint_eq(m.sport, 5353);
	ck_assert_uint_eq(m.octets, 52);
	ck_assert_uint_eq(m.tos, PB_TC);
	ck_assert_uint_eq(m.flow_label, PB_FLOW);
	ck_assert_uint_eq(m.ttl, PB_HLIM);
	free(b);
	b = pppoe_pkt(0xc021, &len); /* LCP */
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_SKIP);
	ck_assert_uint_eq(m.drop, DEC_DROP_PPPOE_NOT_IP);
	ck_assert_uint_eq(m.family, 0);
	free(b);
}
END_TEST

/* Ethernet 14 | PPPoE 6 + PPP 2 | IPv6 40 | UDP 8 | data 4 = 74 */
static const struct dt_cut cut_pppoe[] = {
    {14, DEC_BAD, DEC_DROP_LINK_TRUNC, 0, 0},
    {22, DEC_BAD, DEC_DROP_PPPOE_TRUNC, 0, 0},
    {62, DEC_BAD, DEC_DROP_IP6_TRUNC, 0, 0},
    {70, DEC_OK, DEC_DROP_UDP_TRUNC, 6, 0},
    {UINT32_MAX, DEC_OK, DEC_DROP_NONE, 6, 1},
};

START_TEST(pppoe_cut)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = pppoe_pkt(0x0057, &len);

	dt_check_cut(LT_ETHERNET, b, (uint32_t)_i, false, cut_pppoe, 5, &m);
	free(b);
}
END_TEST

START_TEST(not_ip)
{
	/* ARP request header after Ethernet (RFC 826), 28 bytes */
	static const uint8_t arp[] = {
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2,    0, 0, 0,    0,
	    1,    0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
	    2,    0,    0,    0,    0,    1,    10,   0, 0, 1,    0,
	    0,    0,    0,    0,    0,    10,   0,    0, 2};
	/* 802.3 length 38 then LLC DSAP/SSAP 0x42 (STP) */
	static const uint8_t stp[] = {0x01, 0x80, 0xc2, 0,    0,   0,
	                              2,    0,    0,    0,    0,   1,
	                              0x00, 0x26, 0x42, 0x42, 0x03};
	struct pkt_meta m;

	ck_assert_int_eq(dt_decode(LT_ETHERNET, arp, sizeof(arp), false, &m),
	                 DEC_SKIP);
	ck_assert_uint_eq(m.drop, DEC_DROP_UNKNOWN_ETHERTYPE);
	ck_assert_uint_eq(m.family, 0);
	ck_assert_uint_eq(m.has_mac, 1);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, stp, sizeof(stp), false, &m),
	                 DEC_SKIP);
	ck_assert_uint_eq(m.drop, DEC_DROP_LLC);
}
END_TEST

/* Linux cooked v1: packet type 0 (to us), ARPHRD_ETHER, addr len 6 */
static const uint8_t sll_hdr[16] = {
    0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00};
/* Linux cooked v2: protocol IPv4, reserved, ifindex 3, ARPHRD_ETHER,
 * packet type 0, addr len 6, address (8) */
static const uint8_t sll2_hdr[20] = {0x08, 0x00, 0, 0, 0, 0, 0, 3, 0x00, 0x01,
                                     0x00, 6,    2, 0, 0, 0, 0, 1, 0,    0};

/* link header | IPv4 20 | TCP 20 */
static void
check_link_cut(int lt, const uint8_t *hdr, uint32_t hlen, uint32_t cut)
{
	const struct dt_cut rules[] = {
	    {hlen, DEC_BAD, DEC_DROP_LINK_TRUNC, 0, 0},
	    {hlen + 20, DEC_BAD, DEC_DROP_IP4_TRUNC, 0, 0},
	    {hlen + 40, DEC_OK, DEC_DROP_TCP_TRUNC, 4, 0},
	    {UINT32_MAX, DEC_OK, DEC_DROP_NONE, 4, 1},
	};
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = with_ip4_tcp(hdr, hlen, &len);

	ck_assert_uint_eq(len, hlen + 40);
	dt_check_cut(lt, b, cut, false, rules, 4, &m);
	if (cut == len) {
		check_ip4_tcp(&m);
		ck_assert_uint_eq(m.has_mac, 0);
	}
	free(b);
}

START_TEST(sll_cut)
{
	check_link_cut(LT_SLL, sll_hdr, 16, (uint32_t)_i);
}
END_TEST

START_TEST(sll2_cut)
{
	check_link_cut(LT_SLL2, sll2_hdr, 20, (uint32_t)_i);
}
END_TEST

START_TEST(null_loop)
{
	/* AF_INET written little-endian (x86) and big-endian (SPARC) */
	static const uint8_t af_le[4] = {2, 0, 0, 0}, af_be[4] = {0, 0, 0, 2};
	/* AF_INET6: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS) */
	static const uint8_t af6[3][4] = {
	    {24, 0, 0, 0}, {0, 0, 0, 28}, {30, 0, 0, 0}};
	static const uint8_t af_unknown[4] = {7, 0, 0, 0};
	struct pkt_meta m;
	uint32_t len, i6;
	uint8_t *b, *ip6;
	int i;

	check_link_cut(LT_NULL, af_le, 4, 44);
	check_link_cut(LT_NULL, af_be, 4, 44);
	for (i = 0; i < 4; i++)
		check_link_cut(LT_NULL, af_le, 4, (uint32_t)i);
	/* LOOP is network order only */
	check_link_cut(LT_LOOP, af_be, 4, 44);
	b = with_ip4_tcp(af_le, 4, &len);
	ck_assert_int_eq(dt_decode(LT_LOOP, b, len, false, &m), DEC_SKIP);
	ck_assert_uint_eq(m.drop, DEC_DROP_UNKNOWN_ETHERTYPE);
	free(b);
	b = with_ip4_tcp(af_unknown, 4, &len);
	ck_assert_int_eq(dt_decode(LT_NULL, b, len, false, &m), DEC_SKIP);
	free(b);
	ip6 = pb_ip6_udp("::1", "::1", 1000, 2000, &i6);
	for (i = 0; i < 3; i++) {
		b = pb_concat(af6[i], 4, ip6, i6, &len);
		ck_assert_int_eq(dt_decode(LT_NULL, b, len, false, &m), DEC_OK);
		ck_assert_uint_eq(m.family, 6);
		ck_assert_uint_eq(m.dport, 2000);
		free(b);
	}
	free(ip6);
}
END_TEST

START_TEST(raw_links)
{
	static const int raw[] = {LT_RAW, 12, 14};
	static const uint8_t nib5[20] = {0x55};
	struct pkt_meta m;
	uint32_t len4, len6;
	uint8_t *ip4 =
	    pb_ip4_tcp("10.0.0.1", "10.0.0.2", 1234, 80, TH_SYN, &len4);
	uint8_t *ip6 =
	    pb_ip6_udp("2001:db8::1", "2001:db8::2", 1000, 2000, &len6);
	size_t i;

	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(dt_decode(raw[i], ip4, len4, false, &m),
		                 DEC_OK);
		check_ip4_tcp(&m);
		ck_assert_int_eq(dt_decode(raw[i], ip6, len6, false, &m),
		                 DEC_OK);
		ck_assert_uint_eq(m.family, 6);
		ck_assert_uint_eq(m.octets, 52);
		ck_assert_int_eq(dt_decode(raw[i], ip4, 0, false, &m), DEC_BAD);
		ck_assert_uint_eq(m.drop, DEC_DROP_LINK_TRUNC);
		ck_assert_int_eq(dt_decode(raw[i], nib5, 20, false, &m),
		                 DEC_BAD);
		ck_assert_uint_eq(m.drop, DEC_DROP_RAW_NOT_IP);
	}
	ck_assert_int_eq(dt_decode(LT_IPV4, ip4, len4, false, &m), DEC_OK);
	check_ip4_tcp(&m);
	ck_assert_int_eq(dt_decode(LT_IPV6, ip6, len6, false, &m), DEC_OK);
	ck_assert_uint_eq(m.family, 6);
	/* the link type says IPv4: an IPv6 packet is a bad version */
	ck_assert_int_eq(dt_decode(LT_IPV4, ip6, len6, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_IP4_VERSION);
	ck_assert_int_eq(dt_decode(LT_IPV6, ip4, len4, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_IP6_VERSION);
	free(ip4);
	free(ip6);
}
END_TEST

START_TEST(ppp_links)
{
	/* HDLC-like address/control, protocol IPv4 (RFC 1662) */
	static const uint8_t ppp_full[4] = {0xff, 0x03, 0x00, 0x21};
	/* address/control omitted, protocol compressed to one byte */
	static const uint8_t ppp_short[1] = {0x21};
	/* protocol MPLS unicast, one label BoS */
	static const uint8_t ppp_mpls[6] = {0x02, 0x81, 0x00, 0x01, 0x01, 0x40};
	static const uint8_t ppp_lcp[4] = {0xff, 0x03, 0xc0, 0x21};
	/* Cisco HDLC: unicast address, control 0, EtherType IPv4 */
	static const uint8_t chdlc[4] = {0x0f, 0x00, 0x08, 0x00};
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b;

	check_link_cut(LT_PPP, ppp_full, 4, 44);
	check_link_cut(LT_PPP, ppp_short, 1, 41);
	check_link_cut(LT_PPP, ppp_mpls, 6, 46);
	check_link_cut(LT_C_HDLC, chdlc, 4, 44);
	check_link_cut(LT_C_HDLC, chdlc, 4, 3);
	b = with_ip4_tcp(ppp_lcp, 4, &len);
	ck_assert_int_eq(dt_decode(LT_PPP, b, len, false, &m), DEC_SKIP);
	ck_assert_uint_eq(m.drop, DEC_DROP_PPP_NOT_IP);
	free(b);
	ck_assert_int_eq(dt_decode(LT_PPP, ppp_full, 3, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_LINK_TRUNC);
	ck_assert_int_eq(dt_decode(LT_PPP, ppp_full, 0, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_LINK_TRUNC);
}
END_TEST

START_TEST(linktypes)
{
	static const int yes[] = {0,   1,   9,   12,  14,  50, 101,
	                          104, 108, 113, 228, 229, 276};
	static const uint8_t any[8] = {0};
	struct pkt_meta m;
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert(dec_linktype_supported(yes[i]));
	ck_assert(!dec_linktype_supported(105)); /* 802.11 */
	ck_assert(!dec_linktype_supported(281)); /* Broadcom tag */
	ck_assert(!dec_linktype_supported(-1));
	ck_assert_int_eq(dt_decode(281, any, 8, false, &m), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_UNKNOWN_LINKTYPE);
}
END_TEST

START_TEST(drop_names)
{
	struct pkt_meta m;
	int i, j;

	for (i = 0; i < DEC_DROP_COUNT; i++) {
		const char *n = dec_drop_name((enum dec_drop)i);

		ck_assert_str_ne(n, "unknown");
		for (j = 0; j < i; j++)
			ck_assert_str_ne(n, dec_drop_name((enum dec_drop)j));
	}
	ck_assert_str_eq(dec_drop_name(DEC_DROP_COUNT), "unknown");
	ck_assert_str_eq(dec_drop_name(DEC_DROP_IP4_TRUNC), "ip4_trunc");
	/* the first reason stays */
	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(dec_drop(&m, DEC_DROP_TCP_TRUNC), DEC_OK);
	ck_assert_int_eq(dec_drop(&m, DEC_DROP_IP4_TRUNC), DEC_BAD);
	ck_assert_uint_eq(m.drop, DEC_DROP_TCP_TRUNC);
}
END_TEST

static Suite *
decode_l2_suite(void)
{
	Suite *s = suite_create("decode_l2");
	TCase *tc = tcase_create("l2");

	tcase_add_test(tc, eth_ip4_tcp);
	tcase_add_loop_test(tc, eth_ip4_tcp_cut, 0, 55);
	tcase_add_test(tc, qinq);
	tcase_add_loop_test(tc, qinq_cut, 0, 63);
	tcase_add_test(tc, vlan_max);
	tcase_add_test(tc, mpls);
	tcase_add_loop_test(tc, mpls_cut, 0, 51);
	tcase_add_test(tc, mpls_limits);
	tcase_add_test(tc, mpls_pw_ethernet);
	tcase_add_test(tc, pppoe);
	tcase_add_loop_test(tc, pppoe_cut, 0, 75);
	tcase_add_test(tc, not_ip);
	tcase_add_loop_test(tc, sll_cut, 0, 57);
	tcase_add_loop_test(tc, sll2_cut, 0, 61);
	tcase_add_test(tc, null_loop);
	tcase_add_test(tc, raw_links);
	tcase_add_test(tc, ppp_links);
	tcase_add_test(tc, linktypes);
	tcase_add_test(tc, drop_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(decode_l2_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
