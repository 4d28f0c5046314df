/*
 * Link layer: Ethernet, VLAN tags, MPLS, PPPoE and PPP.
 */
#include <string.h>

#include "decode.h"
#include "decode_int.h"

/*
 * Ethernet II (IEEE 802.3 clause 3):
 *   0 destination MAC (6)   6 source MAC (6)   12 EtherType or length (2)
 */
#define ETH_OFF_DST  0
#define ETH_OFF_SRC  6
#define ETH_OFF_TYPE 12

/*
 * 802.1ah I-TAG after the TPID 0x88e7: 0 flags and I-SID (4)
 *   4 customer destination MAC  10 customer source MAC  16 EtherType
 */
#define PBB_HLEN     18
#define PBB_OFF_TYPE 16

/* MPLS label stack entry (RFC 3032): label 20, TC 3, S 1, TTL 8 */
#define MPLS_BOS 0x00000100u

/* RFC 4385 3: a pseudowire control word starts with nibble 0. */
#define PW_CW_LEN 4

/*
 * PPPoE session header (RFC 2516 4):
 *   0 ver/type (0x11)  1 code (0x00)  2 session id  4 length (PPP bytes)
 *   6 PPP protocol (2)
 */
#define PPPOE_HLEN    6
#define PPPOE_OFF_LEN 4
#define PPP_PROTO_LEN 2

/* PPP in HDLC-like framing (RFC 1662 3.1): address 0xff, control 0x03. */
#define PPP_ADDR 0xff
#define PPP_CTRL 0x03

enum dec_status
dec_eth(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m)
{
	const uint8_t *h = c->p;
	uint16_t type;

	if (!cur_has(c, ETH_HLEN))
		return dec_drop(m, DEC_DROP_LINK_TRUNC);
	if (m->depth == 0 && !m->has_mac) {
		memcpy(m->dst_mac, h + ETH_OFF_DST, 6);
		memcpy(m->src_mac, h + ETH_OFF_SRC, 6);
		m->has_mac = 1;
	}
	type = ld_be16(h + ETH_OFF_TYPE);
	(void)cur_skip(c, ETH_HLEN);
	if (type < ETH_TYPE_MIN)
		return dec_drop(m, DEC_DROP_LLC);
	return dec_ethertype(cfg, c, m, type);
}

static bool
is_vlan_tpid(uint16_t type)
{
	return type == ETH_TYPE_VLAN || type == ETH_TYPE_QINQ ||
	       type == ETH_TYPE_QINQ_9100;
}

/* A tag between the MACs and the payload's EtherType: VLAN or I-TAG. */
static bool
is_tag(uint16_t type)
{
	return is_vlan_tpid(type) || type == ETH_TYPE_PBB;
}

enum dec_status
dec_ethertype(const struct dec_config *cfg, struct pkt_cur *c,
              struct pkt_meta *m, uint16_t type)
{
	unsigned n_tags = 0;

	/* tags of either kind count against one cap */
	while (is_tag(type)) {
		uint16_t vid;

		if (n_tags == DEC_MAX_VLAN)
			return dec_drop(m, DEC_DROP_VLAN_TOO_MANY);
		n_tags++;
		if (type == ETH_TYPE_PBB) {
			/* provider backbone: the customer frame follows */
			if (!cur_has(c, PBB_HLEN))
				return dec_drop(m, DEC_DROP_VLAN_TRUNC);
			type = ld_be16(c->p + PBB_OFF_TYPE);
			(void)cur_skip(c, PBB_HLEN);
			continue;
		}
		if (!cur_has(c, VLAN_HLEN))
			return dec_drop(m, DEC_DROP_VLAN_TRUNC);
		vid = (uint16_t)(ld_be16(c->p) & VLAN_VID_MASK);
		type = ld_be16(c->p + 2);
		(void)cur_skip(c, VLAN_HLEN);
		if (m->depth == 0) {
			if (m->n_vlan == 0)
				m->vlan = vid;
			else if (m->n_vlan == 1)
				m->inner_vlan = vid;
			if (m->n_vlan < UINT8_MAX)
				m->n_vlan++;
		}
	}
	switch (type) {
	case ETH_TYPE_IPV4:
		return dec_ipv4(cfg, c, m);
	case ETH_TYPE_IPV6:
		return dec_ipv6(cfg, c, m);
	case ETH_TYPE_MPLS_UC:
	case ETH_TYPE_MPLS_MC:
		return dec_mpls(cfg, c, m);
	case ETH_TYPE_PPPOE_S: {
		const uint8_t *h = c->p;
		uint16_t ppp_len;

		if (!cur_has(c, PPPOE_HLEN + PPP_PROTO_LEN))
			return dec_drop(m, DEC_DROP_PPPOE_TRUNC);
		ppp_len = ld_be16(h + PPPOE_OFF_LEN);
		(void)cur_skip(c, PPPOE_HLEN + PPP_PROTO_LEN);
		/* the length covers the protocol field too */
		if (ppp_len >= PPP_PROTO_LEN)
			cur_clip(c, (size_t)ppp_len - PPP_PROTO_LEN);
		return dec_ppp_proto(cfg, c, m, ld_be16(h + PPPOE_HLEN),
		                     DEC_DROP_PPPOE_NOT_IP);
	}
	default:
		if (type < ETH_TYPE_MIN)
			return dec_drop(m, DEC_DROP_LLC);
		return dec_drop(m, DEC_DROP_UNKNOWN_ETHERTYPE);
	}
}

enum dec_status
dec_mpls(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m)
{
	unsigned n;
	uint32_t lse = 0;

	for (n = 0; !(lse & MPLS_BOS); n++) {
		if (n == DEC_MAX_MPLS)
			return dec_drop(m, DEC_DROP_MPLS_TOO_MANY);
		if (!cur_be32(c, &lse))
			return dec_drop(m, DEC_DROP_MPLS_TRUNC);
		if (m->depth == 0 && m->n_mpls < PKT_MAX_MPLS)
			m->mpls[m->n_mpls++] = lse;
	}
	/* RFC 3032 has no payload type: guess it from the first nibble */
	if (!cur_has(c, 1))
		return dec_drop(m, DEC_DROP_MPLS_TRUNC);
	switch (c->p[0] >> 4) {
	case 4:
		return dec_ipv4(cfg, c, m);
	case 6:
		return dec_ipv6(cfg, c, m);
	case 0:
		/* Ethernet pseudowire with control word (RFC 4448 4.6) */
		if (!cur_skip(c, PW_CW_LEN))
			return dec_drop(m, DEC_DROP_MPLS_TRUNC);
		return dec_eth(cfg, c, m);
	default:
		return dec_drop(m, DEC_DROP_MPLS_UNKNOWN_PAYLOAD);
	}
}

enum dec_status
dec_ppp_proto(const struct dec_config *cfg, struct pkt_cur *c,
              struct pkt_meta *m, uint16_t proto, enum dec_drop not_ip)
{
	switch (proto) {
	case PPP_PROTO_IPV4:
		return dec_ipv4(cfg, c, m);
	case PPP_PROTO_IPV6:
		return dec_ipv6(cfg, c, m);
	case PPP_PROTO_MPLS_UC:
	case PPP_PROTO_MPLS_MC:
		return dec_mpls(cfg, c, m);
	default:
		return dec_drop(m, not_ip);
	}
}

enum dec_status
dec_ppp(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m)
{
	uint16_t proto;

	/* address and control may be omitted (RFC 1661 6.6 ACFC) */
	if (cur_has(c, 2) && c->p[0] == PPP_ADDR && c->p[1] == PPP_CTRL)
		(void)cur_skip(c, 2);
	if (!cur_has(c, 1))
		return dec_drop(m, DEC_DROP_LINK_TRUNC);
	if (c->p[0] & 1) {
		/* protocol field compressed to one byte (RFC 1661 6.5) */
		proto = c->p[0];
		(void)cur_skip(c, 1);
	} else if (!cur_be16(c, &proto)) {
		return dec_drop(m, DEC_DROP_LINK_TRUNC);
	}
	return dec_ppp_proto(cfg, c, m, proto, DEC_DROP_PPP_NOT_IP);
}

enum dec_status
dec_ip_any(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m,
           enum dec_drop why)
{
	if (!cur_has(c, 1))
		return dec_drop(m, why);
	switch (c->p[0] >> 4) {
	case 4:
		return dec_ipv4(cfg, c, m);
	case 6:
		return dec_ipv6(cfg, c, m);
	default:
		return dec_drop(m, why);
	}
}
