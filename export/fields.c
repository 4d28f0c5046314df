#include "fields.h"

#include <string.h>

#include "../common/bytes.h"

#define NS_PER_MS  1000000ull
#define NS_PER_US  1000ull
#define NS_PER_SEC 1000000000ull

#define IPPROTO_ICMP4 1
#define IPPROTO_ICMP6 58

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

/*
 * NetFlow v9 (RFC 3954 §8). The ICMP type/code also stays in L4_DST_PORT,
 * where nfdump and softflowd put it; ICMP_TYPE (32) carries it for
 * collectors that look there. Record: 51 bytes (IPv4), 75 (IPv6).
 */
#define NF9_FIELDS(SRC, DST, ALEN)                                             \
	{                                                                      \
		{IE_OCTET_DELTA_COUNT, 8, put_octets},                         \
		    {IE_PACKET_DELTA_COUNT, 8, put_packets},                   \
		    {IE_PROTOCOL_IDENTIFIER, 1, put_proto},                    \
		    {IE_IP_CLASS_OF_SERVICE, 1, put_tos},                      \
		    {IE_TCP_CONTROL_BITS, 1, put_flags8},                      \
		    {IE_SOURCE_TRANSPORT_PORT, 2, put_sport},                  \
		    {SRC, ALEN, put_src##ALEN},                                \
		    {IE_INGRESS_INTERFACE, 4, put_ifindex},                    \
		    {IE_DEST_TRANSPORT_PORT, 2, put_dport},                    \
		    {DST, ALEN, put_dst##ALEN},                                \
		    {IE_FLOW_END_SYS_UP_TIME, 4, put_last_up},                 \
		    {IE_FLOW_START_SYS_UP_TIME, 4, put_first_up},              \
		    {IE_VLAN_ID, 2, put_vlan}, {IE_IP_VERSION, 1, put_ipver},  \
		    {IE_MINIMUM_TTL, 1, put_ttl_min},                          \
		    {IE_MAXIMUM_TTL, 1, put_ttl_max},                          \
		    {IE_ICMP_TYPE_CODE_IPV4, 2, put_icmp_any},                 \
		    {IE_FLOW_END_REASON, 1, put_end_reason},                   \
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

/* put_src4 and friends are named by address length for the macros. */
#define put_src16 put_src6
#define put_dst16 put_dst6

static const struct fld nf9_ip4[] =
    NF9_FIELDS(IE_SOURCE_IPV4_ADDRESS, IE_DEST_IPV4_ADDRESS, 4);
static const struct fld nf9_ip6[] =
    NF9_FIELDS(IE_SOURCE_IPV6_ADDRESS, IE_DEST_IPV6_ADDRESS, 16);

#define NELEM(a) ((uint16_t)(sizeof(a) / sizeof((a)[0])))

const struct fld_tmpl fld_nf9_ip4 = {FLD_TMPL_IP4, NELEM(nf9_ip4), 51, nf9_ip4};
const struct fld_tmpl fld_nf9_ip6 = {FLD_TMPL_IP6, NELEM(nf9_ip6), 75, nf9_ip6};

/*
 * IPFIX (RFC 7012 names). Times are absolute; which pair of elements is
 * chosen by the time unit. Record: 60 bytes (IPv4), 84 (IPv6).
 */
#define IPFIX_FIELDS(SRC, DST, ALEN, ICMP, TS, TE, PS, PE)                     \
	{                                                                      \
		{IE_OCTET_DELTA_COUNT, 8, put_octets},                         \
		    {IE_PACKET_DELTA_COUNT, 8, put_packets},                   \
		    {IE_PROTOCOL_IDENTIFIER, 1, put_proto},                    \
		    {IE_IP_CLASS_OF_SERVICE, 1, put_tos},                      \
		    {IE_TCP_CONTROL_BITS, 2, put_flags16},                     \
		    {IE_SOURCE_TRANSPORT_PORT, 2, put_sport},                  \
		    {SRC, ALEN, put_src##ALEN},                                \
		    {IE_INGRESS_INTERFACE, 4, put_ifindex},                    \
		    {IE_DEST_TRANSPORT_PORT, 2, put_dport},                    \
		    {DST, ALEN, put_dst##ALEN}, {TS, 8, PS}, {TE, 8, PE},      \
		    {IE_VLAN_ID, 2, put_vlan}, {IE_IP_VERSION, 1, put_ipver},  \
		    {IE_MINIMUM_TTL, 1, put_ttl_min},                          \
		    {IE_MAXIMUM_TTL, 1, put_ttl_max},                          \
		    {ICMP, 2, put_icmp##ALEN},                                 \
		    {IE_FLOW_END_REASON, 1, put_end_reason},                   \
	}

#define put_icmp16 put_icmp6

#define IPFIX4(TS, TE, PS, PE)                                                 \
	IPFIX_FIELDS(IE_SOURCE_IPV4_ADDRESS, IE_DEST_IPV4_ADDRESS, 4,          \
	             IE_ICMP_TYPE_CODE_IPV4, TS, TE, PS, PE)
#define IPFIX6(TS, TE, PS, PE)                                                 \
	IPFIX_FIELDS(IE_SOURCE_IPV6_ADDRESS, IE_DEST_IPV6_ADDRESS, 16,         \
	             IE_ICMP_TYPE_CODE_IPV6, TS, TE, PS, PE)

static const struct fld ipfix4_ms[] =
    IPFIX4(IE_FLOW_START_MS, IE_FLOW_END_MS, put_first_ms, put_last_ms);
static const struct fld ipfix4_us[] =
    IPFIX4(IE_FLOW_START_US, IE_FLOW_END_US, put_first_us, put_last_us);
static const struct fld ipfix4_ns[] =
    IPFIX4(IE_FLOW_START_NS, IE_FLOW_END_NS, put_first_ns, put_last_ns);
static const struct fld ipfix6_ms[] =
    IPFIX6(IE_FLOW_START_MS, IE_FLOW_END_MS, put_first_ms, put_last_ms);
static const struct fld ipfix6_us[] =
    IPFIX6(IE_FLOW_START_US, IE_FLOW_END_US, put_first_us, put_last_us);
static const struct fld ipfix6_ns[] =
    IPFIX6(IE_FLOW_START_NS, IE_FLOW_END_NS, put_first_ns, put_last_ns);

const struct fld_tmpl fld_ipfix_ip4[3] = {
    {FLD_TMPL_IP4, NELEM(ipfix4_ms), 60, ipfix4_ms},
    {FLD_TMPL_IP4, NELEM(ipfix4_us), 60, ipfix4_us},
    {FLD_TMPL_IP4, NELEM(ipfix4_ns), 60, ipfix4_ns},
};
const struct fld_tmpl fld_ipfix_ip6[3] = {
    {FLD_TMPL_IP6, NELEM(ipfix6_ms), 84, ipfix6_ms},
    {FLD_TMPL_IP6, NELEM(ipfix6_us), 84, ipfix6_us},
    {FLD_TMPL_IP6, NELEM(ipfix6_ns), 84, ipfix6_ns},
};

size_t
fld_template_len(const struct fld_tmpl *t)
{
	return 4 + 4 * (size_t)t->n_fields;
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
		(void)wb_be16(w, t->f[i].id);
		(void)wb_be16(w, t->f[i].len);
	}
	return true;
}

bool
fld_write_record(const struct fld_tmpl *t, const struct flow_record *r,
                 const struct fld_ctx *c, struct wbuf *w)
{
	size_t mark = wb_mark(w);
	uint16_t i;
	uint8_t *p;

	if (!wb_has(w, t->rec_len))
		return false;
	for (i = 0; i < t->n_fields; i++) {
		p = wb_take(w, t->f[i].len);
		if (p == NULL) { /* the table disagrees with rec_len */
			wb_rewind(w, mark);
			return false;
		}
		t->f[i].put(p, r, c);
	}
	return true;
}
