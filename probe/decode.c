/*
 * Packet decoder entry: link-type dispatch, drop reasons and their names.
 * The layers live in decode_l2.c, decode_ip.c, decode_l4.c, decode_tun.c.
 */
#include <string.h>

#include "decode.h"
#include "decode_int.h"

/* pcap LINKTYPE_ values (pcap-linktype(7), tcpdump.org/linktypes.html). */
#define LINKTYPE_NULL       0
#define LINKTYPE_ETHERNET   1
#define LINKTYPE_PPP        9
#define LINKTYPE_DLT_RAW12  12 /* DLT_RAW on most BSDs */
#define LINKTYPE_DLT_RAW14  14 /* DLT_RAW on OpenBSD */
#define LINKTYPE_PPP_HDLC   50
#define LINKTYPE_RAW        101
#define LINKTYPE_C_HDLC     104
#define LINKTYPE_LOOP       108
#define LINKTYPE_LINUX_SLL  113
#define LINKTYPE_IPV4       228
#define LINKTYPE_IPV6       229
#define LINKTYPE_LINUX_SLL2 276

/* BSD loopback address families: AF_INET, and AF_INET6 per OS. */
#define BSD_AF_INET         2
#define BSD_AF_INET6_BSD    24 /* NetBSD, OpenBSD */
#define BSD_AF_INET6_FREE   28 /* FreeBSD */
#define BSD_AF_INET6_DARWIN 30 /* macOS */

/*
 * LINKTYPE_LINUX_SLL (16 bytes):
 *   0 packet type   2 ARPHRD type   4 address length
 *   6 address (8, zero-padded)      14 protocol (EtherType)
 * LINKTYPE_LINUX_SLL2 (20 bytes):
 *   0 protocol (EtherType)  2 reserved  4 interface index
 *   8 ARPHRD type  10 packet type  11 address length  12 address (8)
 */
#define SLL_HLEN       16
#define SLL_OFF_PROTO  14
#define SLL2_HLEN      20
#define SLL2_OFF_PROTO 0
#define NULL_HLEN      4
/* Cisco HDLC: 0 address, 1 control, 2 EtherType. */
#define CHDLC_HLEN      4
#define CHDLC_OFF_PROTO 2

/* Status each reason leads to, and its stable name. */
static const struct {
	const char *name;
	enum dec_status status;
} reasons[DEC_DROP_COUNT] = {
    [DEC_DROP_NONE] = {"none", DEC_OK},
    [DEC_DROP_LINK_TRUNC] = {"link_trunc", DEC_BAD},
    [DEC_DROP_UNKNOWN_ETHERTYPE] = {"unknown_ethertype", DEC_SKIP},
    [DEC_DROP_VLAN_TRUNC] = {"vlan_trunc", DEC_BAD},
    [DEC_DROP_VLAN_TOO_MANY] = {"vlan_too_many", DEC_BAD},
    [DEC_DROP_MPLS_TRUNC] = {"mpls_trunc", DEC_BAD},
    [DEC_DROP_MPLS_TOO_MANY] = {"mpls_too_many", DEC_BAD},
    [DEC_DROP_MPLS_UNKNOWN_PAYLOAD] = {"mpls_unknown_payload", DEC_SKIP},
    [DEC_DROP_PPPOE_TRUNC] = {"pppoe_trunc", DEC_BAD},
    [DEC_DROP_PPPOE_NOT_IP] = {"pppoe_not_ip", DEC_SKIP},
    [DEC_DROP_IP4_TRUNC] = {"ip4_trunc", DEC_BAD},
    [DEC_DROP_IP4_VERSION] = {"ip4_version", DEC_BAD},
    [DEC_DROP_IP4_BAD_IHL] = {"ip4_bad_ihl", DEC_BAD},
    [DEC_DROP_IP4_BAD_LEN] = {"ip4_bad_len", DEC_BAD},
    [DEC_DROP_IP6_TRUNC] = {"ip6_trunc", DEC_BAD},
    [DEC_DROP_IP6_VERSION] = {"ip6_version", DEC_BAD},
    [DEC_DROP_IP6_EXT_TRUNC] = {"ip6_ext_trunc", DEC_OK},
    [DEC_DROP_IP6_EXT_TOO_MANY] = {"ip6_ext_too_many", DEC_OK},
    [DEC_DROP_IP6_BAD_JUMBO] = {"ip6_bad_jumbo", DEC_BAD},
    [DEC_DROP_TCP_TRUNC] = {"tcp_trunc", DEC_OK},
    [DEC_DROP_TCP_BAD_OFF] = {"tcp_bad_off", DEC_OK},
    [DEC_DROP_UDP_TRUNC] = {"udp_trunc", DEC_OK},
    [DEC_DROP_SCTP_TRUNC] = {"sctp_trunc", DEC_OK},
    [DEC_DROP_ICMP_TRUNC] = {"icmp_trunc", DEC_OK},
    [DEC_DROP_ICMP6_TRUNC] = {"icmp6_trunc", DEC_OK},
    [DEC_DROP_FRAG_NO_FIRST] = {"frag_no_first", DEC_OK},
    [DEC_DROP_TUNNEL_TRUNC] = {"tunnel_trunc", DEC_OK},
    [DEC_DROP_TUNNEL_TOO_DEEP] = {"tunnel_too_deep", DEC_OK},
    [DEC_DROP_UNKNOWN_LINKTYPE] = {"unknown_linktype", DEC_BAD},
    [DEC_DROP_LLC] = {"llc", DEC_SKIP},
    [DEC_DROP_PPP_NOT_IP] = {"ppp_not_ip", DEC_SKIP},
    [DEC_DROP_RAW_NOT_IP] = {"raw_not_ip", DEC_BAD},
    [DEC_DROP_DCCP_TRUNC] = {"dccp_trunc", DEC_OK},
    [DEC_DROP_TUNNEL_BAD] = {"tunnel_bad", DEC_OK},
};

enum dec_status
dec_drop(struct pkt_meta *m, enum dec_drop reason)
{
	if ((unsigned)reason >= DEC_DROP_COUNT)
		reason = DEC_DROP_NONE;
	if (m->drop == DEC_DROP_NONE)
		m->drop = (uint16_t)reason;
	return reasons[reason].status;
}

const char *
dec_drop_name(enum dec_drop reason)
{
	if ((unsigned)reason >= DEC_DROP_COUNT || !reasons[reason].name)
		return "unknown";
	return reasons[reason].name;
}

bool
dec_linktype_supported(int linktype)
{
	switch (linktype) {
	case LINKTYPE_NULL:
	case LINKTYPE_ETHERNET:
	case LINKTYPE_PPP:
	case LINKTYPE_DLT_RAW12:
	case LINKTYPE_DLT_RAW14:
	case LINKTYPE_PPP_HDLC:
	case LINKTYPE_RAW:
	case LINKTYPE_C_HDLC:
	case LINKTYPE_LOOP:
	case LINKTYPE_LINUX_SLL:
	case LINKTYPE_IPV4:
	case LINKTYPE_IPV6:
	case LINKTYPE_LINUX_SLL2:
		return true;
	default:
		return false;
	}
}

/* A BSD loopback address family, either byte order for LINKTYPE_NULL. */
static enum dec_status
dec_bsd_af(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m,
           uint32_t af)
{
	switch (af) {
	case BSD_AF_INET:
		return dec_ipv4(cfg, c, m);
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREE:
	case BSD_AF_INET6_DARWIN:
		return dec_ipv6(cfg, c, m);
	default:
		return dec_drop(m, DEC_DROP_UNKNOWN_ETHERTYPE);
	}
}

static enum dec_status
dec_link(const struct dec_config *cfg, int linktype, struct pkt_cur *c,
         struct pkt_meta *m)
{
	const uint8_t *h = c->p;
	uint32_t af;

	switch (linktype) {
	case LINKTYPE_ETHERNET:
		return dec_eth(cfg, c, m);
	case LINKTYPE_LINUX_SLL:
		if (!cur_has(c, SLL_HLEN))
			return dec_drop(m, DEC_DROP_LINK_TRUNC);
		(void)cur_skip(c, SLL_HLEN);
		return dec_ethertype(cfg, c, m, ld_be16(h + SLL_OFF_PROTO));
	case LINKTYPE_LINUX_SLL2:
		if (!cur_has(c, SLL2_HLEN))
			return dec_drop(m, DEC_DROP_LINK_TRUNC);
		(void)cur_skip(c, SLL2_HLEN);
		return dec_ethertype(cfg, c, m, ld_be16(h + SLL2_OFF_PROTO));
	case LINKTYPE_RAW:
	case LINKTYPE_DLT_RAW12:
	case LINKTYPE_DLT_RAW14:
		if (!cur_has(c, 1))
			return dec_drop(m, DEC_DROP_LINK_TRUNC);
		return dec_ip_any(cfg, c, m, DEC_DROP_RAW_NOT_IP);
	case LINKTYPE_IPV4:
		return dec_ipv4(cfg, c, m);
	case LINKTYPE_IPV6:
		return dec_ipv6(cfg, c, m);
	case LINKTYPE_NULL:
		if (!cur_has(c, NULL_HLEN))
			return dec_drop(m, DEC_DROP_LINK_TRUNC);
		/* the writer's byte order: a family is small, so a value
		 * above 16 bits means the other order */
		af = (uint32_t)h[3] << 24 | (uint32_t)h[2] << 16 |
		     (uint32_t)h[1] << 8 | h[0];
		if (af > 0xffff)
			af = ld_be32(h);
		(void)cur_skip(c, NULL_HLEN);
		return dec_bsd_af(cfg, c, m, af);
	case LINKTYPE_LOOP:
		if (!cur_has(c, NULL_HLEN))
			return dec_drop(m, DEC_DROP_LINK_TRUNC);
		(void)cur_skip(c, NULL_HLEN);
		return dec_bsd_af(cfg, c, m, ld_be32(h));
	case LINKTYPE_PPP:
	case LINKTYPE_PPP_HDLC:
		return dec_ppp(cfg, c, m);
	case LINKTYPE_C_HDLC:
		if (!cur_has(c, CHDLC_HLEN))
			return dec_drop(m, DEC_DROP_LINK_TRUNC);
		(void)cur_skip(c, CHDLC_HLEN);
		return dec_ethertype(cfg, c, m, ld_be16(h + CHDLC_OFF_PROTO));
	default:
		return dec_drop(m, DEC_DROP_UNKNOWN_LINKTYPE);
	}
}

/*
 * The common frame in one pass (issue 8: the layer chain cost ~200
 * instructions a packet): Ethernet with at most one VLAN tag, then IPv4
 * without options or fragmentation, or IPv6 whose next header is the
 * transport, and a whole TCP, UDP, ICMP or ICMPv6 header inside both the
 * capture and the IP length. m must be freshly cleared (dec_packet());
 * everything is checked before anything is stored, and m is filled
 * exactly as the layer functions would fill it. Any other frame, and
 * every frame with a problem to name, returns false with m unchanged:
 * the layer functions then decode it from the start. test_decode
 * compares the two paths frame by frame.
 */
_Static_assert(UDP_HLEN == ICMP_HLEN, "UDP and ICMP headers share a length");

static bool
dec_fast_eth(const struct dec_config *cfg, const uint8_t *p, size_t len,
             struct pkt_meta *m)
{
	size_t off = ETH_HLEN, l4len, need;
	uint16_t type, vid = 0;
	uint8_t n_vlan = 0, proto, v;
	const uint8_t *ip;

	if (cfg->decap || len < ETH_HLEN)
		return false;
	type = ld_be16(p + ETH_HLEN - 2);
	if (type == ETH_TYPE_VLAN || type == ETH_TYPE_QINQ ||
	    type == ETH_TYPE_QINQ_9100) {
		if (len < ETH_HLEN + VLAN_HLEN)
			return false;
		vid = (uint16_t)(ld_be16(p + ETH_HLEN) & VLAN_VID_MASK);
		type = ld_be16(p + ETH_HLEN + 2);
		off += VLAN_HLEN;
		n_vlan = 1;
	}
	ip = p + off;
	len -= off; /* captured bytes from the IP header on */
	if (type == ETH_TYPE_IPV4) {
		size_t tot;

		/* version 4, IHL 5: no options */
		if (len < IP4_MIN_HLEN || ip[0] != 0x45)
			return false;
		tot = ld_be16(ip + IP4_OFF_LEN);
		if (tot < IP4_MIN_HLEN ||
		    (ld_be16(ip + IP4_OFF_FRAG) &
		     (IP4_FLAG_MF | IP4_FRAG_OFF_MASK)) != 0)
			return false;
		proto = ip[IP4_OFF_PROTO];
		l4len = len - IP4_MIN_HLEN;
		if (l4len > tot - IP4_MIN_HLEN)
			l4len = tot - IP4_MIN_HLEN; /* link-layer padding */
		v = 4;
	} else if (type == ETH_TYPE_IPV6) {
		size_t plen;

		if (len < IP6_HLEN || ip[0] >> 4 != 6)
			return false;
		plen = ld_be16(ip + IP6_OFF_PLEN);
		if (plen == 0) /* jumbogram or GSO: the layer functions */
			return false;
		proto = ip[IP6_OFF_NEXT];
		l4len = len - IP6_HLEN;
		if (l4len > plen)
			l4len = plen;
		v = 6;
	} else {
		return false;
	}
	switch (proto) {
	case IP_PROTO_TCP:
		need = TCP_MIN_HLEN;
		break;
	case IP_PROTO_UDP:
	case IP_PROTO_ICMP:
		need = UDP_HLEN; /* == ICMP_HLEN */
		break;
	case IP_PROTO_ICMPV6:
		need = ICMP6_HLEN;
		break;
	default:
		return false;
	}
	if (l4len < need)
		return false;
	if (proto == IP_PROTO_TCP &&
	    ip[(v == 4 ? IP4_MIN_HLEN : IP6_HLEN) + TCP_OFF_DOFF] >> 4 < 5)
		return false;
	/* every check passed: fill m as dec_eth() .. dec_l4() do */
	memcpy(m->dst_mac, p, 6);
	memcpy(m->src_mac, p + 6, 6);
	m->has_mac = 1;
	m->vlan = vid;
	m->n_vlan = n_vlan;
	m->ip_seen = v;
	m->family = v;
	m->proto = proto;
	if (v == 4) {
		m->octets = ld_be16(ip + IP4_OFF_LEN);
		m->tos = ip[IP4_OFF_TOS];
		m->ttl = ip[IP4_OFF_TTL];
		memcpy(m->src, ip + IP4_OFF_SRC, 4);
		memcpy(m->dst, ip + IP4_OFF_DST, 4);
		ip += IP4_MIN_HLEN;
	} else {
		uint32_t vtf = ld_be32(ip);

		m->octets = IP6_HLEN + (uint32_t)ld_be16(ip + IP6_OFF_PLEN);
		m->tos = (uint8_t)(vtf >> 20);
		m->flow_label = vtf & IP6_FLOW_MASK;
		m->ttl = ip[IP6_OFF_HLIM];
		memcpy(m->src, ip + IP6_OFF_SRC, 16);
		memcpy(m->dst, ip + IP6_OFF_DST, 16);
		ip += IP6_HLEN;
	}
	m->has_ports = 1;
	if (proto == IP_PROTO_ICMP || proto == IP_PROTO_ICMPV6) {
		m->dport = ld_be16(ip); /* type * 256 + code */
	} else {
		m->sport = ld_be16(ip);
		m->dport = ld_be16(ip + 2);
		if (proto == IP_PROTO_TCP)
			m->tcp_flags = ip[TCP_OFF_FLAGS];
	}
	return true;
}

/* Both entries, each with its own copy (the packet path pays no flag). */
static inline __attribute__((always_inline)) enum dec_status
decode(const struct dec_config *cfg, int linktype, const uint8_t *bytes,
       uint32_t caplen, uint32_t wirelen, struct pkt_meta *m, bool fast)
{
	static const struct dec_config defaults = {.decap = false};
	uint64_t ts_ns = m->ts_ns;
	uint32_t ifindex = m->ifindex;
	struct pkt_cur c;
	enum dec_status st;

	memset(m, 0, sizeof(*m));
	m->ts_ns = ts_ns;
	m->ifindex = ifindex;
	m->caplen = caplen;
	m->wirelen = wirelen;
	if (!cfg)
		cfg = &defaults;
	if (!bytes)
		caplen = 0;
	if (fast && linktype == LINKTYPE_ETHERNET &&
	    dec_fast_eth(cfg, bytes, caplen, m))
		return DEC_OK;
	cur_init(&c, bytes, caplen);
	st = dec_link(cfg, linktype, &c, m);
	/* a status of DEC_OK always describes an IP packet */
	if (st == DEC_OK && m->family != 4 && m->family != 6)
		st = DEC_BAD;
	return st;
}

enum dec_status
dec_packet(const struct dec_config *cfg, int linktype, const uint8_t *bytes,
           uint32_t caplen, uint32_t wirelen, struct pkt_meta *m)
{
	return decode(cfg, linktype, bytes, caplen, wirelen, m, true);
}

enum dec_status
dec_packet_layers(const struct dec_config *cfg, int linktype,
                  const uint8_t *bytes, uint32_t caplen, uint32_t wirelen,
                  struct pkt_meta *m)
{
	return decode(cfg, linktype, bytes, caplen, wirelen, m, false);
}
