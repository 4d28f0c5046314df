/*
 * Transport layer: the ports (or ICMP type/code) a flow key needs.
 */
#include "decode.h"
#include "decode_int.h"

/* Ports at offsets 0 and 2 of a header that cur_has() covered. */
static void
take_ports(const struct pkt_cur *c, struct pkt_meta *m)
{
	m->sport = ld_be16(c->p);
	m->dport = ld_be16(c->p + 2);
	m->has_ports = 1;
}

static enum dec_status
dec_udp(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m)
{
	uint16_t len;

	if (!cur_has(c, UDP_HLEN))
		return dec_drop(m, DEC_DROP_UDP_TRUNC);
	take_ports(c, m);
	len = ld_be16(c->p + UDP_OFF_LEN);
	(void)cur_skip(c, UDP_HLEN);
	if (!cfg->decap)
		return DEC_OK;
	/* 0 is a jumbogram's UDP length (RFC 2675 4) */
	if (len >= UDP_HLEN)
		cur_clip(c, (size_t)len - UDP_HLEN);
	return dec_tun_udp(cfg, c, m);
}

enum dec_status
dec_l4(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m)
{
	switch (m->proto) {
	case IP_PROTO_TCP:
		if (!cur_has(c, TCP_MIN_HLEN))
			return dec_drop(m, DEC_DROP_TCP_TRUNC);
		if (c->p[TCP_OFF_DOFF] >> 4 < 5)
			return dec_drop(m, DEC_DROP_TCP_BAD_OFF);
		take_ports(c, m);
		m->tcp_flags = c->p[TCP_OFF_FLAGS];
		return DEC_OK;
	case IP_PROTO_UDP:
		return dec_udp(cfg, c, m);
	case IP_PROTO_SCTP:
		if (!cur_has(c, SCTP_HLEN))
			return dec_drop(m, DEC_DROP_SCTP_TRUNC);
		take_ports(c, m);
		return DEC_OK;
	case IP_PROTO_DCCP:
		if (!cur_has(c, DCCP_MIN_HLEN))
			return dec_drop(m, DEC_DROP_DCCP_TRUNC);
		take_ports(c, m);
		return DEC_OK;
	case IP_PROTO_ICMP:
		if (!cur_has(c, ICMP_HLEN))
			return dec_drop(m, DEC_DROP_ICMP_TRUNC);
		m->dport = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
		m->has_ports = 1;
		return DEC_OK;
	case IP_PROTO_ICMPV6:
		if (!cur_has(c, ICMP6_HLEN))
			return dec_drop(m, DEC_DROP_ICMP6_TRUNC);
		m->dport = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
		m->has_ports = 1;
		return DEC_OK;
	case IP_PROTO_IPIP:
	case IP_PROTO_IPV6:
	case IP_PROTO_GRE:
		if (!cfg->decap)
			return DEC_OK;
		return dec_tun_ip(cfg, c, m);
	default:
		return DEC_OK; /* the protocol number alone */
	}
}
