/*
 * The packet cursor and the per-packet metadata.
 *
 * Every byte read from a packet or a capture file goes through a cursor:
 * lengths are compared before any load, never pointers.
 */
#ifndef TAPFLOW_PKT_H
#define TAPFLOW_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/bytes.h"

struct pkt_cur {
	const uint8_t *p; /* next unread byte */
	size_t left;      /* captured bytes from p to the end */
};

static inline void
cur_init(struct pkt_cur *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->left = len;
}

static inline bool
cur_has(const struct pkt_cur *c, size_t n)
{
	return n <= c->left; /* compare lengths, never pointers */
}

static inline bool
cur_u8(struct pkt_cur *c, uint8_t *v)
{
	if (!cur_has(c, 1))
		return false;
	*v = c->p[0];
	c->p += 1;
	c->left -= 1;
	return true;
}

static inline bool
cur_be16(struct pkt_cur *c, uint16_t *v)
{
	if (!cur_has(c, 2))
		return false; /* cursor unchanged on failure */
	*v = ld_be16(c->p);
	c->p += 2;
	c->left -= 2;
	return true;
}

static inline bool
cur_be32(struct pkt_cur *c, uint32_t *v)
{
	if (!cur_has(c, 4))
		return false;
	*v = ld_be32(c->p);
	c->p += 4;
	c->left -= 4;
	return true;
}

static inline bool
cur_skip(struct pkt_cur *c, size_t n)
{
	if (!cur_has(c, n))
		return false;
	c->p += n;
	c->left -= n;
	return true;
}

static inline bool
cur_copy(struct pkt_cur *c, void *dst, size_t n)
{
	if (!cur_has(c, n))
		return false;
	memcpy(dst, c->p, n);
	c->p += n;
	c->left -= n;
	return true;
}

/* Shrink the captured length to at most n (drops link-layer padding). */
static inline void
cur_clip(struct pkt_cur *c, size_t n)
{
	if (c->left > n)
		c->left = n;
}

#define PKT_MAX_MPLS 3 /* labels kept in the metadata; deeper are walked */

/* Tunnel types recognised by the decoder (the outer packet's carrier). */
enum pkt_tunnel {
	PKT_TUN_NONE = 0,
	PKT_TUN_GRE,
	PKT_TUN_IPIP, /* IPv4/IPv6 in IPv4/IPv6 */
	PKT_TUN_VXLAN,
	PKT_TUN_GTPU,
	PKT_TUN_GENEVE,
	PKT_TUN_TEREDO,
};

/*
 * What the decoder found in one packet: the fields a flow needs. Filled on
 * the stack by dec_packet(); holds no pointer into the packet.
 */
struct pkt_meta {
	uint64_t ts_ns;   /* capture time, ns since the epoch */
	uint32_t ifindex; /* input interface index (set by the caller) */
	uint32_t caplen;  /* captured bytes of the frame */
	uint32_t wirelen; /* frame length on the wire */

	/* link layer */
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint16_t vlan;       /* outer VLAN id (12 bits), 0 if untagged */
	uint16_t inner_vlan; /* second VLAN id (QinQ), 0 if none */
	uint8_t n_vlan;      /* VLAN tags seen */
	uint8_t n_mpls;      /* MPLS labels kept in mpls[] */
	uint8_t has_mac;     /* src_mac/dst_mac are valid */
	uint8_t ip_seen;     /* 4 or 6: the outermost IP header the link
	                        layer announced, even if it proved bad */
	uint32_t mpls[PKT_MAX_MPLS]; /* label stack entries as on the wire */

	/* network layer; family 0 means "not an IP packet" */
	uint8_t family; /* 4 or 6 */
	uint8_t proto;  /* IPv4 protocol / IPv6 upper-layer header */
	uint8_t tos;    /* ToS / traffic class byte */
	uint8_t ttl;    /* TTL / hop limit */
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t octets;     /* IP total length (v6: 40 + payload length) */
	uint32_t flow_label; /* IPv6 */

	/* fragments (IPv4 id, or IPv6 fragment header id) */
	uint8_t is_frag;    /* the packet is a fragment */
	uint8_t frag_first; /* offset 0: ports may be present */
	uint8_t frag_more;  /* more fragments follow */
	uint8_t has_ports;  /* sport/dport were read from a transport header */
	uint32_t frag_id;
	uint16_t frag_off; /* in bytes */

	/* transport layer */
	uint16_t sport;
	uint16_t dport; /* ICMP: type * 256 + code */
	uint8_t tcp_flags;

	/* tunnels: the outer carrier when the inner packet makes the flow */
	uint8_t tunnel;      /* enum pkt_tunnel */
	uint8_t depth;       /* tunnel layers walked */
	uint32_t tunnel_id;  /* VNI, TEID or GRE key */
	uint8_t tun_family;  /* 4 or 6: the outermost tunnel's IP header */
	uint8_t tun_src[16]; /* its addresses (IPv4: first 4 bytes) */
	uint8_t tun_dst[16];

	/* the first problem found, enum dec_drop; 0 (DEC_DROP_NONE) if none */
	uint16_t drop;
};

#endif
