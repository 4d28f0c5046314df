/*
 * Transport layer: the ports (or ICMP type/code) a flow key needs.
 */
#include "decode.h"
#include "decode_int.h"

/*
 * TCP (RFC 9293 3.1): 0 sport  2 dport  4 seq  8 ack
 *   12 data offset 4, reserved 4   13 flags   14 window ...   20 options
 */
#define TCP_MIN_HLEN  20
#define TCP_OFF_DOFF  12
#define TCP_OFF_FLAGS 13
/* UDP (RFC 768): 0 sport  2 dport  4 length  6 checksum */
#define UDP_HLEN    8
#define UDP_OFF_LEN 4
/* SCTP common header (RFC 9260 3.1): 0 sport 2 dport 4 tag 8 checksum */
#define SCTP_HLEN 12
/* DCCP generic header (RFC 4340 5.1), short form (X=0): 12 bytes. */
#define DCCP_MIN_HLEN 12
/* ICMP (RFC 792): 0 type  1 code  2 checksum  4 rest of header (4) */
#define ICMP_HLEN 8
/* ICMPv6 (RFC 4443 2.1): 0 type  1 code  2 checksum, then the body */
#define ICMP6_HLEN 4

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
