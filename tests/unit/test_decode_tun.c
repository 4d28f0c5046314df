/*
 * Decoder, tunnels: VXLAN, Geneve, GRE (key, TEB, ERSPAN II/III, PPTP),
 * IP in IP, GTP-U, Teredo with and without decap, the depth cap, and every
 * truncation point of a VXLAN, GRE and GTP-U packet with decap.
 * Header layouts from RFC 7348, RFC 8926, RFC 2784/2890/2637, 3GPP TS
 * 29.281, RFC 4380; expected values computed by hand.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dectest.h"

static const uint8_t OUT_SRC[4] = {10, 0, 0, 1}, OUT_DST[4] = {10, 0, 0, 2};
static const uint8_t IN_SRC[4] = {192, 168, 1, 1};
static const uint8_t IN_DST[4] = {192, 168, 1, 2};
static const uint8_t OUTER_MAC[6] = PB_MAC_SRC;

/* Inner IPv4/TCP 192.168.1.1:1111 > 192.168.1.2:2222 SYN (40 bytes). */
static uint8_t *
inner_ip(uint32_t *len)
{
	return pb_ip4_tcp("192.168.1.1", "192.168.1.2", 1111, 2222, TH_SYN,
	                  len);
}

/* The same behind an Ethernet header with other MACs (54 bytes). */
static uint8_t *
inner_eth(uint32_t *len)
{
	static const uint8_t s[6] = {0x0a, 0, 0, 0, 0, 1};
	static const uint8_t d[6] = {0x0a, 0, 0, 0, 0, 2};
	libnet_t *l = pb_begin();

	pb_tcp(l, 1111, 2222, TH_SYN, 0);
	pb_ipv4(l, IPPROTO_TCP, "192.168.1.1", "192.168.1.2", LIBNET_TCP_H, 1,
	        0);
	ck_assert_int_ne(
	    libnet_build_ethernet(d, s, ETHERTYPE_IP, NULL, 0, l, 0), -1);
	return pb_finish(l, len);
}

/* hdr (hlen bytes) then inner, as one payload. */
static uint8_t *
encap(const uint8_t *hdr, uint32_t hlen, bool eth, uint32_t *len)
{
	uint32_t ilen;
	uint8_t *in = eth ? inner_eth(&ilen) : inner_ip(&ilen);
	uint8_t *out = pb_concat(hdr, hlen, in, ilen, len);

	free(in);
	return out;
}

/* Outer Ethernet/IPv4 10.0.0.1 > 10.0.0.2 UDP 12345 > dport, payload. */
static uint8_t *
over_udp(uint16_t dport, const uint8_t *hdr, uint32_t hlen, bool eth,
         uint32_t *len)
{
	uint32_t plen;
	uint8_t *p = encap(hdr, hlen, eth, &plen);
	uint8_t *out =
	    pb_eth_ip4_udp("10.0.0.1", "10.0.0.2", 12345, dport, p, plen, len);

	free(p);
	return out;
}

/* Outer Ethernet/IPv4 with protocol proto carrying hdr + inner. */
static uint8_t *
over_ip(uint8_t proto, const uint8_t *hdr, uint32_t hlen, bool eth,
        uint16_t frag, uint32_t *len)
{
	uint32_t plen;
	uint8_t *p = encap(hdr, hlen, eth, &plen);
	libnet_t *l = pb_begin();

	pb_data(l, p, plen);
	pb_ipv4(l, proto, "10.0.0.1", "10.0.0.2", (uint16_t)plen, 7, frag);
	pb_eth(l, ETHERTYPE_IP);
	free(p);
	return pb_finish(l, len);
}

static void
check_inner(const struct pkt_meta *m, enum pkt_tunnel tun, uint32_t id)
{
	dt_ip4_is(m, IN_SRC, IN_DST);
	ck_assert_uint_eq(m->proto, 6);
	ck_assert_uint_eq(m->sport, 1111);
	ck_assert_uint_eq(m->dport, 2222);
	ck_assert_uint_eq(m->tcp_flags, 0x02);
	ck_assert_uint_eq(m->octets, 40);
	ck_assert_uint_eq(m->tunnel, tun);
	ck_assert_uint_eq(m->tunnel_id, id);
	ck_assert_uint_eq(m->depth, 1);
	ck_assert_uint_eq(m->drop, DEC_DROP_NONE);
	ck_assert_mem_eq(m->src_mac, OUTER_MAC, 6); /* the outer link */
	/* the carrier's addresses, 10.0.0.1 -> 10.0.0.2 */
	ck_assert_uint_eq(m->tun_family, 4);
	ck_assert_mem_eq(m->tun_src, "\x0a\x00\x00\x01", 4);
	ck_assert_mem_eq(m->tun_dst, "\x0a\x00\x00\x02", 4);
}

static void
check_outer(const struct pkt_meta *m)
{
	dt_ip4_is(m, OUT_SRC, OUT_DST);
	ck_assert_uint_eq(m->tunnel, 0);
	ck_assert_uint_eq(m->tun_family, 0);
	ck_assert_uint_eq(m->depth, 0);
}

/* VXLAN: flags I, VNI 12345 (0x003039) */
static const uint8_t vxlan_hdr[8] = {0x08, 0, 0, 0, 0x00, 0x30, 0x39, 0};

START_TEST(vxlan)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = over_udp(4789, vxlan_hdr, 8, true, &len);

	ck_assert_uint_eq(len, 104);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_OK);
	check_outer(&m);
	ck_assert_uint_eq(m.proto, 17);
	ck_assert_uint_eq(m.dport, 4789);
	ck_assert_uint_eq(m.octets, 90);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_inner(&m, PKT_TUN_VXLAN, 12345);
	free(b);
}
END_TEST

/*
 * Ethernet 14 | IPv4 20 | UDP 8 | VXLAN 8 | Ethernet 14 | IPv4 20 |
 * TCP 20 = 104. Until the inner IPv4 header is whole the outer UDP flow
 * is accounted, with the inner problem as the reason.
 */
static const struct dt_cut cut_vxlan[] = {
    {14, DEC_BAD, DEC_DROP_LINK_TRUNC, 0, 0},
    {34, DEC_BAD, DEC_DROP_IP4_TRUNC, 0, 0},
    {42, DEC_OK, DEC_DROP_UDP_TRUNC, 4, 0},
    {50, DEC_OK, DEC_DROP_TUNNEL_TRUNC, 4, 1},
    {64, DEC_OK, DEC_DROP_LINK_TRUNC, 4, 1},
    {84, DEC_OK, DEC_DROP_IP4_TRUNC, 4, 1},
    {104, DEC_OK, DEC_DROP_TCP_TRUNC, 4, 0},
    {UINT32_MAX, DEC_OK, DEC_DROP_NONE, 4, 1},
};

START_TEST(vxlan_cut)
{
	struct pkt_meta m;
	uint32_t len, cut = (uint32_t)_i;
	uint8_t *b = over_udp(4789, vxlan_hdr, 8, true, &len);

	dt_check_cut(LT_ETHERNET, b, cut, true, cut_vxlan, 8, &m);
	if (cut >= 34 && cut < 84) {
		check_outer(&m);
		ck_assert_uint_eq(m.proto, 17);
		if (cut >= 42)
			ck_assert_uint_eq(m.dport, 4789);
	} else if (cut >= 84) {
		dt_ip4_is(&m, IN_SRC, IN_DST);
		ck_assert_uint_eq(m.tunnel, PKT_TUN_VXLAN);
		ck_assert_uint_eq(m.tunnel_id, 12345);
	}
	free(b);
}
END_TEST

START_TEST(vxlan_not_ip)
{
	/* VXLAN with the I flag clear, and VXLAN carrying ARP */
	static const uint8_t no_i[8] = {0x00, 0, 0, 0, 0, 0x30, 0x39, 0};
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = over_udp(4789, no_i, 8, true, &len);

	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_outer(&m);
	ck_assert_uint_eq(m.drop, DEC_DROP_TUNNEL_BAD);
	free(b);
	b = over_udp(4789, vxlan_hdr, 8, true, &len);
	b[42 + 8 + 12] = 0x08; /* inner EtherType 0x0806 */
	b[42 + 8 + 13] = 0x06;
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_outer(&m);
	ck_assert_uint_eq(m.dport, 4789);
	ck_assert_uint_eq(m.drop, DEC_DROP_UNKNOWN_ETHERTYPE);
	free(b);
}
END_TEST

START_TEST(geneve)
{
	/* version 0, option length 1 (4 bytes), protocol TEB, VNI 42,
	 * one option: class 0x0102, type 3, length 0 */
	uint8_t h[12] = {0x01, 0x00, 0x65, 0x58, 0x00, 0x00,
	                 0x2a, 0x00, 0x01, 0x02, 0x03, 0x00};
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = over_udp(6081, h, 12, true, &len);

	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_inner(&m, PKT_TUN_GENEVE, 42);
	/* options cut */
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, 42 + 11, true, &m), DEC_OK);
	check_outer(&m);
	ck_assert_uint_eq(m.drop, DEC_DROP_TUNNEL_TRUNC);
	free(b);
	/* protocol IPv4 straight after the header */
	h[0] = 0x00;
	h[2] = 0x08;
	h[3] = 0x00;
	b = over_udp(6081, h, 8, false, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_inner(&m, PKT_TUN_GENEVE, 42);
	free(b);
	h[0] = 0x40; /* version 1 */
	b = over_udp(6081, h, 8, false, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_outer(&m);
	ck_assert_uint_eq(m.drop, DEC_DROP_TUNNEL_BAD);
	free(b);
}
END_TEST

/* GRE with C and K: flags 0xa000, IPv4, checksum+reserved, key 1234 */
static const uint8_t gre_ck[12] = {0xa0, 0x00, 0x08, 0x00, 0,    0,
                                   0,    0,    0,    0,    0x04, 0xd2};

START_TEST(gre_ck_key)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = over_ip(47, gre_ck, 12, false, 0, &len);

	ck_assert_uint_eq(len, 86);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, false, &m), DEC_OK);
	check_outer(&m);
	ck_assert_uint_eq(m.proto, 47);
	ck_assert_uint_eq(m.has_ports, 0);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_inner(&m, PKT_TUN_GRE, 1234);
	free(b);
}
END_TEST

/* Ethernet 14 | IPv4 20 | GRE 4 + 4 + 4 | IPv4 20 | TCP 20 = 86 */
static const struct dt_cut cut_gre[] = {
    {14, DEC_BAD, DEC_DROP_LINK_TRUNC, 0, 0},
    {34, DEC_BAD, DEC_DROP_IP4_TRUNC, 0, 0},
    {46, DEC_OK, DEC_DROP_TUNNEL_TRUNC, 4, 0},
    {66, DEC_OK, DEC_DROP_IP4_TRUNC, 4, 0},
    {86, DEC_OK, DEC_DROP_TCP_TRUNC, 4, 0},
    {UINT32_MAX, DEC_OK, DEC_DROP_NONE, 4, 1},
};

START_TEST(gre_cut)
{
	struct pkt_meta m;
	uint32_t len, cut = (uint32_t)_i;
	uint8_t *b = over_ip(47, gre_ck, 12, false, 0, &len);

	dt_check_cut(LT_ETHERNET, b, cut, true, cut_gre, 6, &m);
	if (cut >= 34 && cut < 66) {
		check_outer(&m);
		ck_assert_uint_eq(m.proto, 47);
	}
	free(b);
}
END_TEST

START_TEST(gre_payloads)
{
	/* transparent Ethernet bridging, no options */
	static const uint8_t teb[4] = {0x00, 0x00, 0x65, 0x58};
	/* ERSPAN type II: GRE S, 0x88be, sequence; ERSPAN ver 1, vlan 0,
	 * session 5, index */
	static const uint8_t erspan2[16] = {0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 9,
	                                    0x10, 0x00, 0x00, 0x05, 0, 0, 0, 0};
	/* ERSPAN type I: GRE without S, 0x88be, no ERSPAN header */
	static const uint8_t erspan1[4] = {0x00, 0x00, 0x88, 0xbe};
	/* ERSPAN type III with O: 12 bytes + 8 platform bytes */
	static const uint8_t erspan3[4 + 20] = {
	    0x00, 0x00, 0x22, 0xeb, 0x20, 0, 0, 5, [15] = 0x01};
	/* PPTP enhanced GRE: K S version 1, PPP, payload length, call id 77,
	 * sequence; then PPP address/control, IPv4 */
	static const uint8_t pptp[16] = {0x30, 0x01, 0x88, 0x0b, 0, 44,
	                                 0,    77,   0,    0,    0, 1,
	                                 0xff, 0x03, 0x00, 0x21};
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b;

	b = over_ip(47, teb, 4, true, 0, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_inner(&m, PKT_TUN_GRE, 0);
	free(b);
	b = over_ip(47, erspan2, 16, true, 0, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_inner(&m, PKT_TUN_GRE, 0);
	free(b);
	b = over_ip(47, erspan1, 4, true, 0, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_inner(&m, PKT_TUN_GRE, 0);
	free(b);
	b = over_ip(47, erspan3, 24, true, 0, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_inner(&m, PKT_TUN_GRE, 0);
	free(b);
	b = over_ip(47, pptp, 16, false, 0, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_inner(&m, PKT_TUN_GRE, 77);
	free(b);
}
END_TEST

START_TEST(ipip_and_fragments)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = over_ip(4, NULL, 0, false, 0, &len);

	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_inner(&m, PKT_TUN_IPIP, 0);
	free(b);
	/* an outer later fragment is not decapsulated */
	b = over_ip(4, NULL, 0, false, 100, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_outer(&m);
	ck_assert_uint_eq(m.proto, 4);
	ck_assert_uint_eq(m.frag_off, 800);
	free(b);
}
END_TEST

/* IPv6 header (payload length plen, next header next) fd00::a > fd00::b */
static void
ip6(uint8_t *h, uint8_t next, uint16_t plen)
{
	memset(h, 0, 40);
	h[0] = 0x60;
	h[4] = (uint8_t)(plen >> 8);
	h[5] = (uint8_t)plen;
	h[6] = next;
	h[7] = 64;
	h[8] = 0xfd;
	h[23] = 0x0a;
	h[24] = 0xfd;
	h[39] = 0x0b;
}

START_TEST(ip6_nesting)
{
	/* 6in6 n times, then IPv4/TCP (4in6) */
	uint8_t b[40 * 6 + 40];
	uint32_t ilen, n, i;
	uint8_t *in = inner_ip(&ilen);
	struct pkt_meta m;

	for (n = 1; n <= DEC_MAX_DEPTH + 1; n++) {
		uint32_t len = 40 * n + ilen;

		for (i = 0; i < n; i++)
			ip6(b + 40 * i, i == n - 1 ? 4 : 41,
			    (uint16_t)(len - 40 * (i + 1)));
		memcpy(b + 40 * n, in, ilen);
		ck_assert_int_eq(dt_decode(LT_IPV6, b, len, true, &m), DEC_OK);
		if (n <= DEC_MAX_DEPTH) {
			dt_ip4_is(&m, IN_SRC, IN_DST);
			ck_assert_uint_eq(m.dport, 2222);
			ck_assert_uint_eq(m.depth, n);
			ck_assert_uint_eq(m.tunnel, PKT_TUN_IPIP);
			ck_assert_uint_eq(m.drop, DEC_DROP_NONE);
		} else {
			/* the 4th inner IPv6 packet (the 5th header) would
			 * take a 5th layer, the IPv4 one: it stays */
			ck_assert_uint_eq(m.family, 6);
			ck_assert_uint_eq(m.proto, 4);
			ck_assert_uint_eq(m.depth, DEC_MAX_DEPTH);
			ck_assert_uint_eq(m.drop, DEC_DROP_TUNNEL_TOO_DEEP);
		}
		/* without decap: the outermost header */
		ck_assert_int_eq(dt_decode(LT_IPV6, b, len, false, &m), DEC_OK);
		ck_assert_uint_eq(m.octets, len);
		ck_assert_uint_eq(m.depth, 0);
	}
	free(in);
}
END_TEST

/* GTP-U: version 1, PT, E; G-PDU; length; TEID 0x11223344; sequence,
 * N-PDU, next extension 0x85; extension length 1 (4 bytes), 2 bytes of
 * content, next type 0 */
static const uint8_t gtp_hdr[16] = {0x34, 0xff, 0x00, 48,   0x11, 0x22,
                                    0x33, 0x44, 0x00, 0x00, 0x00, 0x85,
                                    0x01, 0x00, 0x09, 0x00};

START_TEST(gtpu)
{
	uint8_t h[16];
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = over_udp(2152, gtp_hdr, 16, false, &len);

	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_inner(&m, PKT_TUN_GTPU, 0x11223344);
	free(b);
	/* echo request (type 1): signalling, the outer flow, no reason */
	memcpy(h, gtp_hdr, 16);
	h[1] = 1;
	b = over_udp(2152, h, 16, false, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_outer(&m);
	ck_assert_uint_eq(m.drop, DEC_DROP_NONE);
	free(b);
	/* extension length 0 is impossible */
	memcpy(h, gtp_hdr, 16);
	h[12] = 0;
	b = over_udp(2152, h, 16, false, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_outer(&m);
	ck_assert_uint_eq(m.drop, DEC_DROP_TUNNEL_BAD);
	free(b);
	/* version 2 (GTPv2-C) is not GTP-U */
	memcpy(h, gtp_hdr, 16);
	h[0] = 0x48;
	b = over_udp(2152, h, 16, false, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_outer(&m);
	ck_assert_uint_eq(m.drop, DEC_DROP_TUNNEL_BAD);
	free(b);
	/* no optional fields: flags 0x30, straight to IPv4 */
	memcpy(h, gtp_hdr, 8);
	h[0] = 0x30;
	h[3] = 40;
	b = over_udp(2152, h, 8, false, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	check_inner(&m, PKT_TUN_GTPU, 0x11223344);
	free(b);
}
END_TEST

/* Ethernet 14 | IPv4 20 | UDP 8 | GTP 8 + 4 + 4 | IPv4 20 | TCP 20 */
static const struct dt_cut cut_gtp[] = {
    {14, DEC_BAD, DEC_DROP_LINK_TRUNC, 0, 0},
    {34, DEC_BAD, DEC_DROP_IP4_TRUNC, 0, 0},
    {42, DEC_OK, DEC_DROP_UDP_TRUNC, 4, 0},
    {58, DEC_OK, DEC_DROP_TUNNEL_TRUNC, 4, 1},
    {78, DEC_OK, DEC_DROP_IP4_TRUNC, 4, 1},
    {98, DEC_OK, DEC_DROP_TCP_TRUNC, 4, 0},
    {UINT32_MAX, DEC_OK, DEC_DROP_NONE, 4, 1},
};

START_TEST(gtpu_cut)
{
	struct pkt_meta m;
	uint32_t len;
	uint8_t *b = over_udp(2152, gtp_hdr, 16, false, &len);

	ck_assert_uint_eq(len, 98);
	/* cut 58: the inner packet has no byte, its version is unknown */
	if (_i == 58) {
		ck_assert_int_eq(dt_decode(LT_ETHERNET, b, 58, true, &m),
		                 DEC_OK);
		ck_assert_uint_eq(m.drop, DEC_DROP_TUNNEL_BAD);
		check_outer(&m);
	} else {
		dt_check_cut(LT_ETHERNET, b, (uint32_t)_i, true, cut_gtp, 7,
		             &m);
	}
	free(b);
}
END_TEST

START_TEST(teredo)
{
	/* origin indication (0x0000, port, address), then IPv6/UDP */
	static const uint8_t orig[8] = {0x00, 0x00, 0xf2, 0x27,
	                                0x3f, 0xff, 0xff, 0xfe};
	static const uint8_t s6[16] = {0x20, 0x01, [15] = 1};
	uint8_t in6[48];
	uint32_t plen, len;
	uint8_t *p, *b;
	struct pkt_meta m;

	ip6(in6, 17, 8);
	memcpy(in6 + 8, s6, 16);
	/* UDP 1000 > 2000, length 8 */
	memcpy(in6 + 40, (const uint8_t[]){0x03, 0xe8, 0x07, 0xd0, 0, 8, 0, 0},
	       8);
	p = pb_concat(orig, 8, in6, 48, &plen);
	b = pb_eth_ip4_udp("10.0.0.1", "10.0.0.2", 3544, 50000, p, plen, &len);
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len, true, &m), DEC_OK);
	ck_assert_uint_eq(m.family, 6);
	ck_assert_mem_eq(m.src, s6, 16);
	ck_assert_uint_eq(m.dport, 2000);
	ck_assert_uint_eq(m.tunnel, PKT_TUN_TEREDO);
	ck_assert_uint_eq(m.octets, 48);
	/* not IPv6 after all: the outer flow, no reason */
	ck_assert_int_eq(dt_decode(LT_ETHERNET, b, len - 10, true, &m), DEC_OK);
	check_outer(&m);
	free(p);
	free(b);
}
END_TEST

static Suite *
decode_tun_suite(void)
{
	Suite *s = suite_create("decode_tun");
	TCase *tc = tcase_create("tun");

	tcase_add_test(tc, vxlan);
	tcase_add_loop_test(tc, vxlan_cut, 0, 105);
	tcase_add_test(tc, vxlan_not_ip);
	tcase_add_test(tc, geneve);
	tcase_add_test(tc, gre_ck_key);
	tcase_add_loop_test(tc, gre_cut, 0, 87);
	tcase_add_test(tc, gre_payloads);
	tcase_add_test(tc, ipip_and_fragments);
	tcase_add_test(tc, ip6_nesting);
	tcase_add_test(tc, gtpu);
	tcase_add_loop_test(tc, gtpu_cut, 0, 99);
	tcase_add_test(tc, teredo);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(decode_tun_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
