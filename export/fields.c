#include "fields.h"

#include <string.h>

#include "../common/bytes.h"

#define NS_PER_MS  1000000ull
#define NS_PER_US  1000ull
#define NS_PER_SEC 1000000000ull

#define IPPROTO_ICMP4 1
#define IPPROTO_ICMP6 58

bool
fld_tmpl_due(uint32_t pkts_since, uint64_t last_ns, uint32_t every_packets,
             uint32_t every_secs, uint64_t now_ns)
{
	if (every_packets != 0 && pkts_since >= every_packets)
		return true;
	return every_secs != 0 && now_ns >= last_ns &&
	       now_ns - last_ns >= (uint64_t)every_secs * NS_PER_SEC;
}

uint32_t
fld_uptime_ms(uint64_t t_ns, uint64_t boot_ns)
{
	if (t_ns <= boot_ns)
		return 0;
	/* sysUptime is a 32-bit ms counter that wraps after 49.7 days */
	return (uint32_t)((t_ns - boot_ns) / NS_PER_MS);
}

uint64_t
fld_ntp_ns(uint64_t t_ns)
{
	uint64_t sec = t_ns / NS_PER_SEC + FLD_NTP_UNIX_OFFSET;
	uint64_t frac = ((t_ns % NS_PER_SEC) << 32) / NS_PER_SEC;

	/* the seconds field wraps at 2^32 (NTP era 1 starts in 2036) */
	return (sec & 0xffffffffu) << 32 | frac;
}

uint64_t
fld_ntp_us(uint64_t t_ns)
{
	uint64_t sec = t_ns / NS_PER_SEC + FLD_NTP_UNIX_OFFSET;
	uint64_t us = (t_ns % NS_PER_SEC) / NS_PER_US;
	uint64_t frac = (us << 32) / 1000000u;

	/* RFC 7011 §6.1.9: the 11 low bits of the fraction are not used */
	return (sec & 0xffffffffu) << 32 | (frac & ~(uint64_t)0x7ff);
}

/* Getters: each writes exactly the length its table entry declares. */

static void
put_octets(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, r->octets);
}

static void
put_packets(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, r->packets);
}

static void
put_proto(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	d[0] = r->proto;
}

static void
put_tos(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	d[0] = r->tos;
}

static void
put_flags8(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	d[0] = r->tcp_flags;
}

/* RFC 7125: tcpControlBits is 16 bits; our 8 flags are the low byte. */
static void
put_flags16(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be16(d, r->tcp_flags);
}

static void
put_sport(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be16(d, r->sport);
}

static void
put_dport(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be16(d, r->dport);
}

static void
put_src4(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	memcpy(d, r->src, 4);
}

static void
put_dst4(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	memcpy(d, r->dst, 4);
}

static void
put_src6(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	memcpy(d, r->src, 16);
}

static void
put_dst6(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	memcpy(d, r->dst, 16);
}

static void
put_ifindex(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be32(d, r->ifindex);
}

static void
put_vlan(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be16(d, r->vlan);
}

static void
put_ipver(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	d[0] = r->family;
}

static void
put_ttl_min(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	d[0] = r->ttl_min;
}

static void
put_ttl_max(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	d[0] = r->ttl_max;
}

static void
put_end_reason(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	d[0] = r->end_reason;
}

/* type * 256 + code for ICMP (v4) / ICMPv6 flows, 0 for anything else. */
static void
put_icmp4(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be16(d, r->proto == IPPROTO_ICMP4 ? r->dport : 0);
}

static void
put_icmp6(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be16(d, r->proto == IPPROTO_ICMP6 ? r->dport : 0);
}

static void
put_first_up(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	st_be32(d, fld_uptime_ms(r->first_ns, c->boot_ns));
}

static void
put_last_up(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	st_be32(d, fld_uptime_ms(r->last_ns, c->boot_ns));
}

static void
put_first_ms(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, r->first_ns / NS_PER_MS);
}

static void
put_last_ms(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, r->last_ns / NS_PER_MS);
}

static void
put_first_us(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, fld_ntp_us(r->first_ns));
}

static void
put_last_us(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, fld_ntp_us(r->last_ns));
}

static void
put_first_ns(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, fld_ntp_ns(r->first_ns));
}

static void
put_last_ns(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, fld_ntp_ns(r->last_ns));
}

/* ---- link layer, tunnel, reverse direction (issue 9) ---- */

static void
put_smac(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	memcpy(d, r->src_mac, 6);
}

static void
put_dmac(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	memcpy(d, r->dst_mac, 6);
}

static void
put_inner_vlan(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be16(d, r->inner_vlan);
}

/*
 * RFC 7012 mplsTopLabelStackSection..: the label stack entry's first 3
 * bytes (label, traffic class, bottom of stack), without its TTL.
 */
static void
put_mpls(uint8_t *d, const struct flow_record *r, unsigned i)
{
	uint32_t lse = i < r->n_mpls ? r->mpls[i] : 0;

	d[0] = (uint8_t)(lse >> 24);
	d[1] = (uint8_t)(lse >> 16);
	d[2] = (uint8_t)(lse >> 8);
}

static void
put_mpls1(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	put_mpls(d, r, 0);
}

static void
put_mpls2(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	put_mpls(d, r, 1);
}

static void
put_mpls3(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	put_mpls(d, r, 2);
}

/* v9 IPV6_FLOW_LABEL is 3 bytes (RFC 3954 §8); IPFIX's unsigned32 4. */
static void
put_label24(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	d[0] = (uint8_t)(r->flow_label >> 16 & 0x0f);
	d[1] = (uint8_t)(r->flow_label >> 8);
	d[2] = (uint8_t)r->flow_label;
}

static void
put_label32(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be32(d, r->flow_label & 0x000fffffu);
}

/*
 * RFC 7133 4.4.1: segment type 0x01 (VXLAN) and the 24-bit VNI. Other
 * tunnels have no segment type there: 0 (their id is in the JSON).
 */
static void
put_l2seg(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	uint64_t v = 0;

	(void)c;
	if (r->tunnel == FLOWREC_TUN_VXLAN)
		v = (uint64_t)L2SEG_VXLAN << 56 | (r->tunnel_id & 0x00ffffffu);
	st_be64(d, v);
}

static void
put_rev_octets(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, r->rev_octets);
}

static void
put_rev_packets(uint8_t *d, const struct flow_record *r,
                const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, r->rev_packets);
}

static void
put_rev_flags16(uint8_t *d, const struct flow_record *r,
                const struct fld_ctx *c)
{
	(void)c;
	st_be16(d, r->rev_tcp_flags);
}

static void
put_rev_ttl_min(uint8_t *d, const struct flow_record *r,
                const struct fld_ctx *c)
{
	(void)c;
	d[0] = r->rev_ttl_min;
}

static void
put_rev_ttl_max(uint8_t *d, const struct flow_record *r,
                const struct fld_ctx *c)
{
	(void)c;
	d[0] = r->rev_ttl_max;
}

static void
put_rev_first_ms(uint8_t *d, const struct flow_record *r,
                 const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, r->rev_first_ns / NS_PER_MS);
}

static void
put_rev_last_ms(uint8_t *d, const struct flow_record *r,
                const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, r->rev_last_ns / NS_PER_MS);
}

static void
put_rev_first_us(uint8_t *d, const struct flow_record *r,
                 const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, fld_ntp_us(r->rev_first_ns));
}

static void
put_rev_last_us(uint8_t *d, const struct flow_record *r,
                const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, fld_ntp_us(r->rev_last_ns));
}

static void
put_rev_first_ns(uint8_t *d, const struct flow_record *r,
                 const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, fld_ntp_ns(r->rev_first_ns));
}

static void
put_rev_last_ns(uint8_t *d, const struct flow_record *r,
                const struct fld_ctx *c)
{
	(void)c;
	st_be64(d, fld_ntp_ns(r->rev_last_ns));
}

static void
put_bidir(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	(void)c;
	d[0] = r->biflow_dir;
}

/* v9 has one ICMP_TYPE element for both families. */
static void
put_icmp_any(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	if (r->family == 6)
		put_icmp6(d, r, c);
	else
		put_icmp4(d, r, c);
}

/*
 * The base records written straight through, one store per field at a
 * constant offset (the fast path of fld_write_record(): the table walk
 * cost a call and a length check per field). The tables below stay the
 * reference; tests/unit/test_nf9.c checks both give the same bytes.
 * Offsets, A being the address length (4 or 16):
 *
 *  NetFlow v9 (NF9_BASE)             IPFIX (IPFIX_BASE)
 *   0     IN_BYTES             8      0     octetDeltaCount          8
 *   8     IN_PKTS              8      8     packetDeltaCount         8
 *  16     PROTOCOL             1     16     protocolIdentifier       1
 *  17     SRC_TOS              1     17     ipClassOfService         1
 *  18     TCP_FLAGS            1     18     tcpControlBits           2
 *  19     L4_SRC_PORT          2     20     sourceTransportPort      2
 *  21     IPV4/6_SRC_ADDR      A     22     sourceIPv4/6Address      A
 *  21+A   INPUT_SNMP           4     22+A   ingressInterface         4
 *  25+A   L4_DST_PORT          2     26+A   destinationTransportPort 2
 *  27+A   IPV4/6_DST_ADDR      A     28+A   destinationIPv4/6Address A
 *  27+2A  LAST_SWITCHED        4     28+2A  flowStart<unit>          8
 *  31+2A  FIRST_SWITCHED       4     36+2A  flowEnd<unit>            8
 *  35+2A  SRC_VLAN             2     44+2A  vlanId                   2
 *  37+2A  IP_PROTOCOL_VERSION  1     46+2A  ipVersion                1
 *  38+2A  MIN_TTL              1     47+2A  minimumTTL               1
 *  39+2A  MAX_TTL              1     48+2A  maximumTTL               1
 *  40+2A  ICMP_TYPE            2     49+2A  icmpTypeCodeIPv4/6       2
 *  42+2A  flowEndReason        1     51+2A  flowEndReason            1
 *  43+2A  (51 or 75 bytes)           52+2A  (60 or 84 bytes)
 *
 * <unit> is Milliseconds, Microseconds or Nanoseconds (RFC 7011 6.1.8-6.1.10).
 *
 * Inlined by force so that alen is a constant and each offset too.
 */
static inline __attribute__((always_inline)) void
nf9_base(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c,
         size_t alen)
{
	/* v9 has one ICMP_TYPE for both families: put_icmp_any */
	uint8_t icmp = r->family == 6 ? IPPROTO_ICMP6 : IPPROTO_ICMP4;

	st_be64(d, r->octets);
	st_be64(d + 8, r->packets);
	d[16] = r->proto;
	d[17] = r->tos;
	d[18] = r->tcp_flags;
	st_be16(d + 19, r->sport);
	memcpy(d + 21, r->src, alen);
	st_be32(d + 21 + alen, r->ifindex);
	st_be16(d + 25 + alen, r->dport);
	memcpy(d + 27 + alen, r->dst, alen);
	st_be32(d + 27 + 2 * alen, fld_uptime_ms(r->last_ns, c->boot_ns));
	st_be32(d + 31 + 2 * alen, fld_uptime_ms(r->first_ns, c->boot_ns));
	st_be16(d + 35 + 2 * alen, r->vlan);
	d[37 + 2 * alen] = r->family;
	d[38 + 2 * alen] = r->ttl_min;
	d[39 + 2 * alen] = r->ttl_max;
	st_be16(d + 40 + 2 * alen, r->proto == icmp ? r->dport : 0);
	d[42 + 2 * alen] = r->end_reason;
}

static void
write_nf9_ip4(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	nf9_base(d, r, c, 4);
}

static void
write_nf9_ip6(uint8_t *d, const struct flow_record *r, const struct fld_ctx *c)
{
	nf9_base(d, r, c, 16);
}

/* start and end: the times in the template's unit; icmp: the protocol
 * whose dport is the type and code (put_icmp4, put_icmp6). */
static inline __attribute__((always_inline)) void
ipfix_base(uint8_t *d, const struct flow_record *r, size_t alen, uint8_t icmp,
           uint64_t start, uint64_t end)
{
	st_be64(d, r->octets);
	st_be64(d + 8, r->packets);
	d[16] = r->proto;
	d[17] = r->tos;
	st_be16(d + 18, r->tcp_flags); /* put_flags16 */
	st_be16(d + 20, r->sport);
	memcpy(d + 22, r->src, alen);
	st_be32(d + 22 + alen, r->ifindex);
	st_be16(d + 26 + alen, r->dport);
	memcpy(d + 28 + alen, r->dst, alen);
	st_be64(d + 28 + 2 * alen, start);
	st_be64(d + 36 + 2 * alen, end);
	st_be16(d + 44 + 2 * alen, r->vlan);
	d[46 + 2 * alen] = r->family;
	d[47 + 2 * alen] = r->ttl_min;
	d[48 + 2 * alen] = r->ttl_max;
	st_be16(d + 49 + 2 * alen, r->proto == icmp ? r->dport : 0);
	d[51 + 2 * alen] = r->end_reason;
}

static void
write_ipfix4_ms(uint8_t *d, const struct flow_record *r,
                const struct fld_ctx *c)
{
	(void)c;
	ipfix_base(d, r, 4, IPPROTO_ICMP4, r->first_ns / NS_PER_MS,
	           r->last_ns / NS_PER_MS);
}

static void
write_ipfix6_ms(uint8_t *d, const struct flow_record *r,
                const struct fld_ctx *c)
{
	(void)c;
	ipfix_base(d, r, 16, IPPROTO_ICMP6, r->first_ns / NS_PER_MS,
	           r->last_ns / NS_PER_MS);
}

static void
write_ipfix4_us(uint8_t *d, const struct flow_record *r,
                const struct fld_ctx *c)
{
	(void)c;
	ipfix_base(d, r, 4, IPPROTO_ICMP4, fld_ntp_us(r->first_ns),
	           fld_ntp_us(r->last_ns));
}

static void
write_ipfix6_us(uint8_t *d, const struct flow_record *r,
                const struct fld_ctx *c)
{
	(void)c;
	ipfix_base(d, r, 16, IPPROTO_ICMP6, fld_ntp_us(r->first_ns),
	           fld_ntp_us(r->last_ns));
}

static void
write_ipfix4_ns(uint8_t *d, const struct flow_record *r,
                const struct fld_ctx *c)
{
	(void)c;
	ipfix_base(d, r, 4, IPPROTO_ICMP4, fld_ntp_ns(r->first_ns),
	           fld_ntp_ns(r->last_ns));
}

static void
write_ipfix6_ns(uint8_t *d, const struct flow_record *r,
                const struct fld_ctx *c)
{
	(void)c;
	ipfix_base(d, r, 16, IPPROTO_ICMP6, fld_ntp_ns(r->first_ns),
	           fld_ntp_ns(r->last_ns));
}

/* put_src4 and friends are named by address length for the macros. */
#define put_src16  put_src6
#define put_dst16  put_dst6
#define put_icmp16 put_icmp6

/*
 * NetFlow v9 (RFC 3954 §8). The ICMP type/code also stays in L4_DST_PORT,
 * where nfdump and softflowd put it; ICMP_TYPE (32) carries it for
 * collectors that look there. Record: 51 bytes (IPv4), 75 (IPv6).
 */
#define NF9_BASE(SRC, DST, ALEN)                                               \
	{IE_OCTET_DELTA_COUNT, 8, put_octets, 0},                              \
	    {IE_PACKET_DELTA_COUNT, 8, put_packets, 0},                        \
	    {IE_PROTOCOL_IDENTIFIER, 1, put_proto, 0},                         \
	    {IE_IP_CLASS_OF_SERVICE, 1, put_tos, 0},                           \
	    {IE_TCP_CONTROL_BITS, 1, put_flags8, 0},                           \
	    {IE_SOURCE_TRANSPORT_PORT, 2, put_sport, 0},                       \
	    {SRC, ALEN, put_src##ALEN, 0},                                     \
	    {IE_INGRESS_INTERFACE, 4, put_ifindex, 0},                         \
	    {IE_DEST_TRANSPORT_PORT, 2, put_dport, 0},                         \
	    {DST, ALEN, put_dst##ALEN, 0},                                     \
	    {IE_FLOW_END_SYS_UP_TIME, 4, put_last_up, 0},                      \
	    {IE_FLOW_START_SYS_UP_TIME, 4, put_first_up, 0},                   \
	    {IE_VLAN_ID, 2, put_vlan, 0}, {IE_IP_VERSION, 1, put_ipver, 0},    \
	    {IE_MINIMUM_TTL, 1, put_ttl_min, 0},                               \
	    {IE_MAXIMUM_TTL, 1, put_ttl_max, 0},                               \
	    {IE_ICMP_TYPE_CODE_IPV4, 2, put_icmp_any, 0},                      \
	{                                                                      \
		IE_FLOW_END_REASON, 1, put_end_reason, 0                       \
	}
#define NF9_BASE4     NF9_BASE(IE_SOURCE_IPV4_ADDRESS, IE_DEST_IPV4_ADDRESS, 4)
#define NF9_BASE6     NF9_BASE(IE_SOURCE_IPV6_ADDRESS, IE_DEST_IPV6_ADDRESS, 16)
#define NF9_BASE4_LEN 51
#define NF9_BASE6_LEN 75

/*
 * Link-layer fields, after the base ones. The outer VLAN is the base's
 * vlanId (58); the inner (QinQ customer) VLAN is IE_INNER_VLAN, chosen by
 * what the collectors decode (man/tapflow.8). MPLS: three 3-byte label
 * stack sections. IPv6 adds the flow label.
 */
#define IE_INNER_VLAN IE_POST_VLAN_ID
#define LINK_FIELDS                                                            \
	{IE_SOURCE_MAC_ADDRESS, 6, put_smac, 0},                               \
	    {IE_DEST_MAC_ADDRESS, 6, put_dmac, 0},                             \
	    {IE_INNER_VLAN, 2, put_inner_vlan, 0},                             \
	    {IE_MPLS_TOP_LABEL_SECTION, 3, put_mpls1, 0},                      \
	    {IE_MPLS_LABEL_SECTION_2, 3, put_mpls2, 0},                        \
	{                                                                      \
		IE_MPLS_LABEL_SECTION_3, 3, put_mpls3, 0                       \
	}
#define LINK_LEN 23
#define NF9_LINK6                                                              \
	LINK_FIELDS,                                                           \
	{                                                                      \
		IE_FLOW_LABEL_IPV6, 3, put_label24, 0                          \
	}
#define NF9_LINK6_LEN (LINK_LEN + 3)
#define IPFIX_LINK6                                                            \
	LINK_FIELDS,                                                           \
	{                                                                      \
		IE_FLOW_LABEL_IPV6, 4, put_label32, 0                          \
	}
#define IPFIX_LINK6_LEN (LINK_LEN + 4)
#define TUN_FIELDS                                                             \
	{                                                                      \
		IE_LAYER2_SEGMENT_ID, 8, put_l2seg, 0                          \
	}
#define TUN_LEN 8

static const struct fld nf9_ip4[] = {NF9_BASE4};
static const struct fld nf9_ip6[] = {NF9_BASE6};
static const struct fld nf9_link4[] = {NF9_BASE4, LINK_FIELDS};
static const struct fld nf9_link6[] = {NF9_BASE6, NF9_LINK6};
static const struct fld nf9_tun4[] = {NF9_BASE4, LINK_FIELDS, TUN_FIELDS};
static const struct fld nf9_tun6[] = {NF9_BASE6, NF9_LINK6, TUN_FIELDS};

#define NELEM(a) ((uint16_t)(sizeof(a) / sizeof((a)[0])))

/* The id of kind k's template for family fam (k > 0). */
#define EXT_ID(k, fam) ((uint16_t)(FLD_TMPL_EXT_BASE + 2 * ((k)-1) + (fam)))

const struct fld_tmpl fld_nf9_ip4 = {FLD_TMPL_IP4, NELEM(nf9_ip4),
                                     NF9_BASE4_LEN, nf9_ip4, write_nf9_ip4};
const struct fld_tmpl fld_nf9_ip6 = {FLD_TMPL_IP6, NELEM(nf9_ip6),
                                     NF9_BASE6_LEN, nf9_ip6, write_nf9_ip6};

/* [kind][0: IPv4, 1: IPv6] */
static const struct fld_tmpl nf9_tmpl[FLD_NF9_KINDS][2] = {
    {{FLD_TMPL_IP4, NELEM(nf9_ip4), NF9_BASE4_LEN, nf9_ip4, write_nf9_ip4},
     {FLD_TMPL_IP6, NELEM(nf9_ip6), NF9_BASE6_LEN, nf9_ip6, write_nf9_ip6}},
    {{EXT_ID(FLD_KIND_LINK, 0), NELEM(nf9_link4), NF9_BASE4_LEN + LINK_LEN,
      nf9_link4, NULL},
     {EXT_ID(FLD_KIND_LINK, 1), NELEM(nf9_link6), NF9_BASE6_LEN + NF9_LINK6_LEN,
      nf9_link6, NULL}},
    {{EXT_ID(FLD_KIND_LINK_TUN, 0), NELEM(nf9_tun4),
      NF9_BASE4_LEN + LINK_LEN + TUN_LEN, nf9_tun4, NULL},
     {EXT_ID(FLD_KIND_LINK_TUN, 1), NELEM(nf9_tun6),
      NF9_BASE6_LEN + NF9_LINK6_LEN + TUN_LEN, nf9_tun6, NULL}},
};

/*
 * IPFIX (RFC 7012 names). Times are absolute; which pair of elements is
 * chosen by the time unit. Record: 60 bytes (IPv4), 84 (IPv6).
 */
#define IPFIX_BASE(SRC, DST, ALEN, ICMP, TS, TE, PS, PE)                       \
	{IE_OCTET_DELTA_COUNT, 8, put_octets, 0},                              \
	    {IE_PACKET_DELTA_COUNT, 8, put_packets, 0},                        \
	    {IE_PROTOCOL_IDENTIFIER, 1, put_proto, 0},                         \
	    {IE_IP_CLASS_OF_SERVICE, 1, put_tos, 0},                           \
	    {IE_TCP_CONTROL_BITS, 2, put_flags16, 0},                          \
	    {IE_SOURCE_TRANSPORT_PORT, 2, put_sport, 0},                       \
	    {SRC, ALEN, put_src##ALEN, 0},                                     \
	    {IE_INGRESS_INTERFACE, 4, put_ifindex, 0},                         \
	    {IE_DEST_TRANSPORT_PORT, 2, put_dport, 0},                         \
	    {DST, ALEN, put_dst##ALEN, 0}, {TS, 8, PS, 0}, {TE, 8, PE, 0},     \
	    {IE_VLAN_ID, 2, put_vlan, 0}, {IE_IP_VERSION, 1, put_ipver, 0},    \
	    {IE_MINIMUM_TTL, 1, put_ttl_min, 0},                               \
	    {IE_MAXIMUM_TTL, 1, put_ttl_max, 0}, {ICMP, 2, put_icmp##ALEN, 0}, \
	{                                                                      \
		IE_FLOW_END_REASON, 1, put_end_reason, 0                       \
	}
#define IPFIX_BASE4_LEN 60
#define IPFIX_BASE6_LEN 84

/*
 * RFC 5103 reverse elements (PEN 29305, the forward element's id) and
 * biflowDirection, after everything else.
 */
#define REV_FIELDS(TS, TE, PS, PE)                                             \
	{IE_OCTET_DELTA_COUNT, 8, put_rev_octets, IPFIX_PEN_REVERSE},          \
	    {IE_PACKET_DELTA_COUNT, 8, put_rev_packets, IPFIX_PEN_REVERSE},    \
	    {IE_TCP_CONTROL_BITS, 2, put_rev_flags16, IPFIX_PEN_REVERSE},      \
	    {TS, 8, put_rev_##PS, IPFIX_PEN_REVERSE},                          \
	    {TE, 8, put_rev_##PE, IPFIX_PEN_REVERSE},                          \
	    {IE_MINIMUM_TTL, 1, put_rev_ttl_min, IPFIX_PEN_REVERSE},           \
	    {IE_MAXIMUM_TTL, 1, put_rev_ttl_max, IPFIX_PEN_REVERSE},           \
	{                                                                      \
		IE_BIFLOW_DIRECTION, 1, put_bidir, 0                           \
	}
#define REV_LEN 37

/* The twelve data templates of one time unit U. */
#define IPFIX_TABLES(U, TS, TE)                                                \
	static const struct fld ipfix4_##U[] = {IPFIX_BASE(                    \
	    IE_SOURCE_IPV4_ADDRESS, IE_DEST_IPV4_ADDRESS, 4,                   \
	    IE_ICMP_TYPE_CODE_IPV4, TS, TE, put_first_##U, put_last_##U)};     \
	static const struct fld ipfix6_##U[] = {IPFIX_BASE(                    \
	    IE_SOURCE_IPV6_ADDRESS, IE_DEST_IPV6_ADDRESS, 16,                  \
	    IE_ICMP_TYPE_CODE_IPV6, TS, TE, put_first_##U, put_last_##U)};     \
	static const struct fld ipfix4_link_##U[] = {                          \
	    IPFIX_BASE(IE_SOURCE_IPV4_ADDRESS, IE_DEST_IPV4_ADDRESS, 4,        \
	               IE_ICMP_TYPE_CODE_IPV4, TS, TE, put_first_##U,          \
	               put_last_##U),                                          \
	    LINK_FIELDS};                                                      \
	static const struct fld ipfix6_link_##U[] = {                          \
	    IPFIX_BASE(IE_SOURCE_IPV6_ADDRESS, IE_DEST_IPV6_ADDRESS, 16,       \
	               IE_ICMP_TYPE_CODE_IPV6, TS, TE, put_first_##U,          \
	               put_last_##U),                                          \
	    IPFIX_LINK6};                                                      \
	static const struct fld ipfix4_tun_##U[] = {                           \
	    IPFIX_BASE(IE_SOURCE_IPV4_ADDRESS, IE_DEST_IPV4_ADDRESS, 4,        \
	               IE_ICMP_TYPE_CODE_IPV4, TS, TE, put_first_##U,          \
	               put_last_##U),                                          \
	    LINK_FIELDS, TUN_FIELDS};                                          \
	static const struct fld ipfix6_tun_##U[] = {                           \
	    IPFIX_BASE(IE_SOURCE_IPV6_ADDRESS, IE_DEST_IPV6_ADDRESS, 16,       \
	               IE_ICMP_TYPE_CODE_IPV6, TS, TE, put_first_##U,          \
	               put_last_##U),                                          \
	    IPFIX_LINK6, TUN_FIELDS};                                          \
	static const struct fld ipfix4_bi_##U[] = {                            \
	    IPFIX_BASE(IE_SOURCE_IPV4_ADDRESS, IE_DEST_IPV4_ADDRESS, 4,        \
	               IE_ICMP_TYPE_CODE_IPV4, TS, TE, put_first_##U,          \
	               put_last_##U),                                          \
	    REV_FIELDS(TS, TE, first_##U, last_##U)};                          \
	static const struct fld ipfix6_bi_##U[] = {                            \
	    IPFIX_BASE(IE_SOURCE_IPV6_ADDRESS, IE_DEST_IPV6_ADDRESS, 16,       \
	               IE_ICMP_TYPE_CODE_IPV6, TS, TE, put_first_##U,          \
	               put_last_##U),                                          \
	    REV_FIELDS(TS, TE, first_##U, last_##U)};                          \
	static const struct fld ipfix4_bilink_##U[] = {                        \
	    IPFIX_BASE(IE_SOURCE_IPV4_ADDRESS, IE_DEST_IPV4_ADDRESS, 4,        \
	               IE_ICMP_TYPE_CODE_IPV4, TS, TE, put_first_##U,          \
	               put_last_##U),                                          \
	    LINK_FIELDS, REV_FIELDS(TS, TE, first_##U, last_##U)};             \
	static const struct fld ipfix6_bilink_##U[] = {                        \
	    IPFIX_BASE(IE_SOURCE_IPV6_ADDRESS, IE_DEST_IPV6_ADDRESS, 16,       \
	               IE_ICMP_TYPE_CODE_IPV6, TS, TE, put_first_##U,          \
	               put_last_##U),                                          \
	    IPFIX_LINK6, REV_FIELDS(TS, TE, first_##U, last_##U)};             \
	static const struct fld ipfix4_bitun_##U[] = {                         \
	    IPFIX_BASE(IE_SOURCE_IPV4_ADDRESS, IE_DEST_IPV4_ADDRESS, 4,        \
	               IE_ICMP_TYPE_CODE_IPV4, TS, TE, put_first_##U,          \
	               put_last_##U),                                          \
	    LINK_FIELDS, TUN_FIELDS, REV_FIELDS(TS, TE, first_##U, last_##U)}; \
	static const struct fld ipfix6_bitun_##U[] = {                         \
	    IPFIX_BASE(IE_SOURCE_IPV6_ADDRESS, IE_DEST_IPV6_ADDRESS, 16,       \
	               IE_ICMP_TYPE_CODE_IPV6, TS, TE, put_first_##U,          \
	               put_last_##U),                                          \
	    IPFIX_LINK6, TUN_FIELDS, REV_FIELDS(TS, TE, first_##U, last_##U)}

IPFIX_TABLES(ms, IE_FLOW_START_MS, IE_FLOW_END_MS);
IPFIX_TABLES(us, IE_FLOW_START_US, IE_FLOW_END_US);
IPFIX_TABLES(ns, IE_FLOW_START_NS, IE_FLOW_END_NS);

#define B4 IPFIX_BASE4_LEN
#define B6 IPFIX_BASE6_LEN
#define L6 IPFIX_LINK6_LEN

/* One time unit's row of ipfix_tmpl: [kind][family]. */
#define IPFIX_ROW(U)                                                           \
	{                                                                      \
		{{FLD_TMPL_IP4, NELEM(ipfix4_##U), B4, ipfix4_##U,             \
		  write_ipfix4_##U},                                           \
		 {FLD_TMPL_IP6, NELEM(ipfix6_##U), B6, ipfix6_##U,             \
		  write_ipfix6_##U}},                                          \
		    {{EXT_ID(1, 0), NELEM(ipfix4_link_##U), B4 + LINK_LEN,     \
		      ipfix4_link_##U, NULL},                                  \
		     {EXT_ID(1, 1), NELEM(ipfix6_link_##U), B6 + L6,           \
		      ipfix6_link_##U, NULL}},                                 \
		    {{EXT_ID(2, 0), NELEM(ipfix4_tun_##U),                     \
		      B4 + LINK_LEN + TUN_LEN, ipfix4_tun_##U, NULL},          \
		     {EXT_ID(2, 1), NELEM(ipfix6_tun_##U), B6 + L6 + TUN_LEN,  \
		      ipfix6_tun_##U, NULL}},                                  \
		    {{EXT_ID(3, 0), NELEM(ipfix4_bi_##U), B4 + REV_LEN,        \
		      ipfix4_bi_##U, NULL},                                    \
		     {EXT_ID(3, 1), NELEM(ipfix6_bi_##U), B6 + REV_LEN,        \
		      ipfix6_bi_##U, NULL}},                                   \
		    {{EXT_ID(4, 0), NELEM(ipfix4_bilink_##U),                  \
		      B4 + LINK_LEN + REV_LEN, ipfix4_bilink_##U, NULL},       \
		     {EXT_ID(4, 1), NELEM(ipfix6_bilink_##U),                  \
		      B6 + L6 + REV_LEN, ipfix6_bilink_##U, NULL}},            \
		    {{EXT_ID(5, 0), NELEM(ipfix4_bitun_##U),                   \
		      B4 + LINK_LEN + TUN_LEN + REV_LEN, ipfix4_bitun_##U,     \
		      NULL},                                                   \
		     {EXT_ID(5, 1), NELEM(ipfix6_bitun_##U),                   \
		      B6 + L6 + TUN_LEN + REV_LEN, ipfix6_bitun_##U, NULL}},   \
	}

static const struct fld_tmpl ipfix_tmpl[3][FLD_KIND_COUNT][2] = {
    IPFIX_ROW(ms), IPFIX_ROW(us), IPFIX_ROW(ns)};

const struct fld_tmpl fld_ipfix_ip4[3] = {
    {FLD_TMPL_IP4, NELEM(ipfix4_ms), B4, ipfix4_ms, write_ipfix4_ms},
    {FLD_TMPL_IP4, NELEM(ipfix4_us), B4, ipfix4_us, write_ipfix4_us},
    {FLD_TMPL_IP4, NELEM(ipfix4_ns), B4, ipfix4_ns, write_ipfix4_ns},
};
const struct fld_tmpl fld_ipfix_ip6[3] = {
    {FLD_TMPL_IP6, NELEM(ipfix6_ms), B6, ipfix6_ms, write_ipfix6_ms},
    {FLD_TMPL_IP6, NELEM(ipfix6_us), B6, ipfix6_us, write_ipfix6_us},
    {FLD_TMPL_IP6, NELEM(ipfix6_ns), B6, ipfix6_ns, write_ipfix6_ns},
};

const struct fld_tmpl *
fld_nf9_tmpl(uint8_t family, unsigned kind)
{
	if ((family != 4 && family != 6) || kind >= FLD_NF9_KINDS)
		return NULL;
	return &nf9_tmpl[kind][family == 6];
}

const struct fld_tmpl *
fld_ipfix_tmpl(uint8_t family, unsigned kind, int time_unit)
{
	if ((family != 4 && family != 6) || kind >= FLD_KIND_COUNT ||
	    time_unit < 0 || time_unit > 2)
		return NULL;
	return &ipfix_tmpl[time_unit][kind][family == 6];
}

unsigned
fld_kind_of(const struct flow_record *r, bool biflow_ok)
{
	unsigned k = FLD_KIND_BASE;

	if ((r->ext & FLOWREC_EXT_TUNNEL) != 0)
		k = FLD_KIND_LINK_TUN; /* the tunnel rides with the link */
	else if ((r->ext & FLOWREC_EXT_LINK) != 0)
		k = FLD_KIND_LINK;
	if (biflow_ok && (r->ext & FLOWREC_EXT_BIFLOW) != 0)
		k += FLD_KIND_BI; /* BI, BI_LINK, BI_LINK_TUN follow in order */
	return k;
}

size_t
fld_template_len(const struct fld_tmpl *t)
{
	size_t len = 4 + 4 * (size_t)t->n_fields;
	uint16_t i;

	for (i = 0; i < t->n_fields; i++)
		if (t->f[i].pen != 0)
			len += 4; /* RFC 7011 3.2: the enterprise number */
	return len;
}

void
fld_write_template_set(uint16_t set_id, const struct fld_tmpl *t,
                       struct wbuf *w)
{
	size_t off = wb_mark(w);

	(void)wb_be16(w, set_id);
	(void)wb_be16(w, 0);
	(void)fld_write_template(t, w);
	wb_patch_be16(w, off + 2, (uint16_t)(wb_mark(w) - off));
}

bool
fld_write_template(const struct fld_tmpl *t, struct wbuf *w)
{
	uint16_t i;

	if (!wb_has(w, fld_template_len(t)))
		return false;
	(void)wb_be16(w, t->tmpl_id);
	(void)wb_be16(w, t->n_fields);
	for (i = 0; i < t->n_fields; i++) {
		if (t->f[i].pen == 0) {
			(void)wb_be16(w, t->f[i].id);
			(void)wb_be16(w, t->f[i].len);
			continue;
		}
		(void)wb_be16(w, (uint16_t)(t->f[i].id | IPFIX_ENTERPRISE_BIT));
		(void)wb_be16(w, t->f[i].len);
		(void)wb_be32(w, t->f[i].pen);
	}
	return true;
}

bool
fld_write_record(const struct fld_tmpl *t, const struct flow_record *r,
                 const struct fld_ctx *c, struct wbuf *w)
{
	uint8_t *p;

	if (t->write == NULL)
		return fld_write_fields(t, r, c, w);
	/* one room check; the writer sets every byte, so no zeroing */
	p = wb_take_raw(w, t->rec_len);
	if (p == NULL)
		return false;
	t->write(p, r, c);
	return true;
}

bool
fld_write_fields(const struct fld_tmpl *t, const struct flow_record *r,
                 const struct fld_ctx *c, struct wbuf *w)
{
	size_t mark = wb_mark(w);
	size_t off = 0;
	uint16_t i;
	uint8_t *p;

	/* one take for the record (issue 8: a take per field cost a memset
	   call each, a third of the encoding time); the getters fill it */
	p = wb_take(w, t->rec_len);
	if (p == NULL)
		return false;
	for (i = 0; i < t->n_fields; i++) {
		if (t->f[i].len > t->rec_len - off) {
			/* the table disagrees with rec_len */
			wb_rewind(w, mark);
			return false;
		}
		t->f[i].put(p + off, r, c);
		off += t->f[i].len;
	}
	if (off != t->rec_len) {
		wb_rewind(w, mark);
		return false;
	}
	return true;
}
