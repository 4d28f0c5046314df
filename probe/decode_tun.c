/*
 * Tunnels, walked only with cfg->decap: GRE (with ERSPAN and PPTP's
 * enhanced GRE), IP in IP, VXLAN, Geneve, GTP-U and Teredo. The inner
 * packet then replaces the IP and transport fields of *m; m->tunnel and
 * m->tunnel_id name the outermost tunnel, m->depth counts the layers.
 */
#include <string.h>

#include "decode.h"
#include "decode_int.h"

/*
 * GRE (RFC 2784, key and sequence RFC 2890; version 1 RFC 2637 4.1):
 *   0 C R K S s Recur(3) | A(v1) flags(4) version(3)   2 protocol type
 *   4 [checksum 2, reserved 2] if C or R
 *     [key 4] if K (v1: payload length 2, call id 2)
 *     [sequence 4] if S   [acknowledgment 4] if A (v1)
 */
#define GRE_HLEN     4
#define GRE_F_C      0x8000
#define GRE_F_R      0x4000
#define GRE_F_K      0x2000
#define GRE_F_S      0x1000
#define GRE_F_A      0x0080
#define GRE_VER_MASK 0x0007
#define GRE_OPT_LEN  4

/*
 * ERSPAN type II (draft-foschiano-erspan 4.1): 8 bytes, then Ethernet.
 * Type III (ibid. 4.2): 12 bytes, then 8 more if O (bit 0 of byte 11).
 * Type I has no header (GRE without sequence number).
 */
#define ERSPAN2_HLEN     8
#define ERSPAN3_HLEN     12
#define ERSPAN3_OFF_O    11
#define ERSPAN3_F_O      0x01
#define ERSPAN3_PLAT_LEN 8

/*
 * VXLAN (RFC 7348 5): 0 flags (I = 0x08)  1 reserved (3)  4 VNI (3)
 *   7 reserved; then Ethernet.
 */
#define VXLAN_HLEN    8
#define VXLAN_F_I     0x08
#define VXLAN_OFF_VNI 4

/*
 * Geneve (RFC 8926 3.4): 0 version 2, option length 6 (4-byte units)
 *   1 O C reserved  2 protocol type  4 VNI (3)  7 reserved  8 options
 */
#define GENEVE_HLEN      8
#define GENEVE_OFF_PROTO 2
#define GENEVE_OFF_VNI   4

/*
 * GTP-U (3GPP TS 29.281 5.1): 0 version 3, PT 1, spare 1, E S PN
 *   1 message type  2 length (after these 8 bytes)  4 TEID
 *   8 [sequence 2, N-PDU 1, next extension type 1] if E, S or PN
 * Extension (5.2): 0 length (4-byte units) ... last byte next type.
 */
#define GTP_HLEN     8
#define GTP_OPT_LEN  4
#define GTP_OFF_TYPE 1
#define GTP_OFF_LEN  2
#define GTP_OFF_TEID 4
#define GTP_VERSION  1
#define GTP_F_PT     0x10
#define GTP_F_E      0x04
#define GTP_F_S      0x02
#define GTP_F_PN     0x01
#define GTP_MSG_GPDU 0xff
#define GTP_EXT_UNIT 4

/*
 * Teredo (RFC 4380 5.1.1): optional authentication (indicator 0x0001,
 * id-len 1, au-len 1, client id, authentication value, nonce 8,
 * confirmation 1) and origin indication (0x0000, port 2, address 4)
 * before the IPv6 packet.
 */
#define TEREDO_AUTH      0x0001
#define TEREDO_AUTH_HLEN 4
#define TEREDO_AUTH_TAIL 9
#define TEREDO_ORIG      0x0000
#define TEREDO_ORIG_LEN  8
#define IP6_HLEN_T       40

/* What follows a tunnel header. */
enum inner_kind {
	INNER_ETH,
	INNER_ETHERTYPE, /* dispatch on `type` */
	INNER_IP,        /* IPv4 or IPv6 by the version nibble */
	INNER_PPP,
};

/* Forget the outer packet's IP and transport fields. */
static void
clear_l3(struct pkt_meta *m)
{
	m->family = 0;
	m->proto = 0;
	m->tos = 0;
	m->ttl = 0;
	memset(m->src, 0, sizeof(m->src));
	memset(m->dst, 0, sizeof(m->dst));
	m->octets = 0;
	m->flow_label = 0;
	m->is_frag = 0;
	m->frag_first = 0;
	m->frag_more = 0;
	m->has_ports = 0;
	m->frag_id = 0;
	m->frag_off = 0;
	m->sport = 0;
	m->dport = 0;
	m->tcp_flags = 0;
}

/*
 * Decode the inner packet at c. If it is not an IP packet to account,
 * put the outer one back (its drop reason names the inner problem).
 */
static enum dec_status
walk_inner(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m,
           enum pkt_tunnel tun, uint32_t id, enum inner_kind kind,
           uint16_t type)
{
	struct pkt_meta outer;
	enum dec_status st;
	uint16_t why;

	if (m->depth >= DEC_MAX_DEPTH)
		return dec_drop(m, DEC_DROP_TUNNEL_TOO_DEEP);
	outer = *m;
	clear_l3(m);
	if (m->depth == 0) {
		m->tunnel = (uint8_t)tun;
		m->tunnel_id = id;
		/* the carrier's endpoints, before clear_l3() forgot them */
		m->tun_family = outer.family;
		memcpy(m->tun_src, outer.src, sizeof(m->tun_src));
		memcpy(m->tun_dst, outer.dst, sizeof(m->tun_dst));
	}
	m->depth++;
	switch (kind) {
	case INNER_ETH:
		st = dec_eth(cfg, c, m);
		break;
	case INNER_ETHERTYPE:
		st = dec_ethertype(cfg, c, m, type);
		break;
	case INNER_PPP:
		st = dec_ppp(cfg, c, m);
		break;
	case INNER_IP:
	default:
		st = dec_ip_any(cfg, c, m, DEC_DROP_TUNNEL_BAD);
		break;
	}
	if (st == DEC_OK && (m->family == 4 || m->family == 6))
		return DEC_OK;
	why = m->drop;
	*m = outer;
	if (why != DEC_DROP_NONE)
		(void)dec_drop(m, (enum dec_drop)why);
	return DEC_OK;
}

static enum dec_status
dec_gre(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m)
{
	uint16_t flags, proto;
	uint32_t key = 0, v;

	if (!cur_be16(c, &flags) || !cur_be16(c, &proto))
		return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
	switch (flags & GRE_VER_MASK) {
	case 0:
		if (flags & GRE_F_R)
			return DEC_OK; /* RFC 1701 source routing: not walked */
		if ((flags & GRE_F_C) && !cur_skip(c, GRE_OPT_LEN))
			return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
		if ((flags & GRE_F_K) && !cur_be32(c, &key))
			return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
		if ((flags & GRE_F_S) && !cur_skip(c, GRE_OPT_LEN))
			return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
		break;
	case 1:
		/* enhanced GRE: K always, C and R never (RFC 2637 4.1) */
		if (!(flags & GRE_F_K) || (flags & (GRE_F_C | GRE_F_R)))
			return dec_drop(m, DEC_DROP_TUNNEL_BAD);
		if (!cur_be32(c, &v))
			return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
		key = v & 0xffff; /* the call id */
		if ((flags & GRE_F_S) && !cur_skip(c, GRE_OPT_LEN))
			return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
		if ((flags & GRE_F_A) && !cur_skip(c, GRE_OPT_LEN))
			return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
		if (proto != ETH_TYPE_PPP)
			return dec_drop(m, DEC_DROP_TUNNEL_BAD);
		return walk_inner(cfg, c, m, PKT_TUN_GRE, key, INNER_PPP, 0);
	default:
		return dec_drop(m, DEC_DROP_TUNNEL_BAD);
	}
	switch (proto) {
	case ETH_TYPE_TEB:
		return walk_inner(cfg, c, m, PKT_TUN_GRE, key, INNER_ETH, 0);
	case ETH_TYPE_ERSPAN2:
		/* type I has no sequence number and no ERSPAN header */
		if ((flags & GRE_F_S) && !cur_skip(c, ERSPAN2_HLEN))
			return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
		return walk_inner(cfg, c, m, PKT_TUN_GRE, key, INNER_ETH, 0);
	case ETH_TYPE_ERSPAN3:
		if (!cur_has(c, ERSPAN3_HLEN))
			return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
		v = c->p[ERSPAN3_OFF_O] & ERSPAN3_F_O;
		(void)cur_skip(c, ERSPAN3_HLEN);
		if (v && !cur_skip(c, ERSPAN3_PLAT_LEN))
			return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
		return walk_inner(cfg, c, m, PKT_TUN_GRE, key, INNER_ETH, 0);
	case ETH_TYPE_PPP:
		return walk_inner(cfg, c, m, PKT_TUN_GRE, key, INNER_PPP, 0);
	default:
		/* IPv4, IPv6, MPLS…: the protocol type is an EtherType */
		return walk_inner(cfg, c, m, PKT_TUN_GRE, key, INNER_ETHERTYPE,
		                  proto);
	}
}

enum dec_status
dec_tun_ip(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m)
{
	switch (m->proto) {
	case IP_PROTO_IPIP:
		return walk_inner(cfg, c, m, PKT_TUN_IPIP, 0, INNER_ETHERTYPE,
		                  ETH_TYPE_IPV4);
	case IP_PROTO_IPV6:
		return walk_inner(cfg, c, m, PKT_TUN_IPIP, 0, INNER_ETHERTYPE,
		                  ETH_TYPE_IPV6);
	case IP_PROTO_GRE:
		return dec_gre(cfg, c, m);
	default:
		return DEC_OK;
	}
}

static enum dec_status
dec_vxlan(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m)
{
	const uint8_t *h = c->p;
	uint32_t vni;

	if (!cur_has(c, VXLAN_HLEN))
		return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
	if (!(h[0] & VXLAN_F_I))
		return dec_drop(m, DEC_DROP_TUNNEL_BAD);
	vni = ld_be32(h + VXLAN_OFF_VNI) >> 8;
	(void)cur_skip(c, VXLAN_HLEN);
	return walk_inner(cfg, c, m, PKT_TUN_VXLAN, vni, INNER_ETH, 0);
}

static enum dec_status
dec_geneve(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m)
{
	const uint8_t *h = c->p;
	uint32_t vni;
	uint16_t proto;
	size_t opt_len;

	if (!cur_has(c, GENEVE_HLEN))
		return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
	if (h[0] >> 6 != 0)
		return dec_drop(m, DEC_DROP_TUNNEL_BAD);
	opt_len = (size_t)(h[0] & 0x3f) * 4;
	proto = ld_be16(h + GENEVE_OFF_PROTO);
	vni = ld_be32(h + GENEVE_OFF_VNI) >> 8;
	(void)cur_skip(c, GENEVE_HLEN);
	if (!cur_skip(c, opt_len))
		return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
	if (proto == ETH_TYPE_TEB)
		return walk_inner(cfg, c, m, PKT_TUN_GENEVE, vni, INNER_ETH, 0);
	return walk_inner(cfg, c, m, PKT_TUN_GENEVE, vni, INNER_ETHERTYPE,
	                  proto);
}

static enum dec_status
dec_gtpu(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m)
{
	const uint8_t *h = c->p;
	uint32_t teid;
	uint16_t len;
	uint8_t next;
	unsigned n;

	if (!cur_has(c, GTP_HLEN))
		return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
	if (h[0] >> 5 != GTP_VERSION || !(h[0] & GTP_F_PT))
		return dec_drop(m, DEC_DROP_TUNNEL_BAD);
	if (h[GTP_OFF_TYPE] != GTP_MSG_GPDU)
		return DEC_OK; /* signalling (echo, end marker…): no user data
		                */
	len = ld_be16(h + GTP_OFF_LEN);
	teid = ld_be32(h + GTP_OFF_TEID);
	(void)cur_skip(c, GTP_HLEN);
	cur_clip(c, len);
	if (h[0] & (GTP_F_E | GTP_F_S | GTP_F_PN)) {
		if (!cur_has(c, GTP_OPT_LEN))
			return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
		/* the next extension type counts only with E */
		next = (h[0] & GTP_F_E) ? c->p[3] : 0;
		(void)cur_skip(c, GTP_OPT_LEN);
		for (n = 0; next != 0; n++) {
			size_t elen;

			if (n == DEC_MAX_GTP_EXT)
				return dec_drop(m, DEC_DROP_TUNNEL_BAD);
			if (!cur_has(c, 1))
				return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
			elen = (size_t)c->p[0] * GTP_EXT_UNIT;
			if (elen == 0)
				return dec_drop(m, DEC_DROP_TUNNEL_BAD);
			if (!cur_has(c, elen))
				return dec_drop(m, DEC_DROP_TUNNEL_TRUNC);
			next = c->p[elen - 1];
			(void)cur_skip(c, elen);
		}
	}
	return walk_inner(cfg, c, m, PKT_TUN_GTPU, teid, INNER_IP, 0);
}

static enum dec_status
dec_teredo(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m)
{
	if (cur_has(c, TEREDO_AUTH_HLEN) && ld_be16(c->p) == TEREDO_AUTH) {
		size_t len = TEREDO_AUTH_HLEN + (size_t)c->p[2] +
		             (size_t)c->p[3] + TEREDO_AUTH_TAIL;

		if (!cur_skip(c, len))
			return DEC_OK; /* not Teredo after all */
	}
	if (cur_has(c, 2) && ld_be16(c->p) == TEREDO_ORIG &&
	    !cur_skip(c, TEREDO_ORIG_LEN))
		return DEC_OK;
	/* port 3544 alone proves little: want a whole IPv6 header */
	if (!cur_has(c, IP6_HLEN_T) || c->p[0] >> 4 != 6)
		return DEC_OK;
	return walk_inner(cfg, c, m, PKT_TUN_TEREDO, 0, INNER_ETHERTYPE,
	                  ETH_TYPE_IPV6);
}

enum dec_status
dec_tun_udp(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m)
{
	switch (m->dport) {
	case UDP_PORT_VXLAN:
		return dec_vxlan(cfg, c, m);
	case UDP_PORT_GENEVE:
		return dec_geneve(cfg, c, m);
	case UDP_PORT_GTPU:
		return dec_gtpu(cfg, c, m);
	default:
		break;
	}
	if (m->dport == UDP_PORT_TEREDO || m->sport == UDP_PORT_TEREDO)
		return dec_teredo(cfg, c, m);
	return DEC_OK;
}
