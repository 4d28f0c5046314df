/*
 * The field tables of the template-based formats (NetFlow v9, IPFIX).
 *
 * Each data template is declared once, as a table of (element id, length,
 * getter). The template writer and the record writer both walk the same
 * table, so a template can never disagree with the records it describes.
 */
#ifndef TAPFLOW_FIELDS_H
#define TAPFLOW_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/flowrec.h"
#include "wbuf.h"

/* Information elements used here: RFC 3954 §8 (v9) and RFC 7012 (IPFIX). */
#define IE_OCTET_DELTA_COUNT      1  /* v9 IN_BYTES */
#define IE_PACKET_DELTA_COUNT     2  /* v9 IN_PKTS */
#define IE_PROTOCOL_IDENTIFIER    4  /* v9 PROTOCOL */
#define IE_IP_CLASS_OF_SERVICE    5  /* v9 SRC_TOS */
#define IE_TCP_CONTROL_BITS       6  /* v9 TCP_FLAGS */
#define IE_SOURCE_TRANSPORT_PORT  7  /* v9 L4_SRC_PORT */
#define IE_SOURCE_IPV4_ADDRESS    8  /* v9 IPV4_SRC_ADDR */
#define IE_INGRESS_INTERFACE      10 /* v9 INPUT_SNMP */
#define IE_DEST_TRANSPORT_PORT    11 /* v9 L4_DST_PORT */
#define IE_DEST_IPV4_ADDRESS      12 /* v9 IPV4_DST_ADDR */
#define IE_FLOW_END_SYS_UP_TIME   21 /* v9 LAST_SWITCHED */
#define IE_FLOW_START_SYS_UP_TIME 22 /* v9 FIRST_SWITCHED */
#define IE_SOURCE_IPV6_ADDRESS    27 /* v9 IPV6_SRC_ADDR */
#define IE_DEST_IPV6_ADDRESS      28 /* v9 IPV6_DST_ADDR */
#define IE_FLOW_LABEL_IPV6        31 /* v9 IPV6_FLOW_LABEL (3 bytes) */
#define IE_ICMP_TYPE_CODE_IPV4    32 /* v9 ICMP_TYPE */
#define IE_SAMPLING_INTERVAL      34
#define IE_SAMPLING_ALGORITHM     35
#define IE_EXPORTED_OCTET_TOTAL   40
#define IE_EXPORTED_MSG_TOTAL     41
#define IE_EXPORTED_FLOW_TOTAL    42
#define IE_MINIMUM_TTL            52
#define IE_MAXIMUM_TTL            53
#define IE_SOURCE_MAC_ADDRESS     56 /* v9 IN_SRC_MAC */
#define IE_VLAN_ID                58 /* v9 SRC_VLAN */
#define IE_POST_VLAN_ID           59 /* v9 DST_VLAN */
#define IE_IP_VERSION             60 /* v9 IP_PROTOCOL_VERSION */
#define IE_MPLS_TOP_LABEL_SECTION 70 /* v9 MPLS_LABEL_1; 71, 72 next */
#define IE_MPLS_LABEL_SECTION_2   71
#define IE_MPLS_LABEL_SECTION_3   72
#define IE_DEST_MAC_ADDRESS       80 /* v9 IN_DST_MAC */
#define IE_INTERFACE_NAME         82
#define IE_PACKET_TOTAL_COUNT     86
#define IE_FLOW_END_REASON        136
#define IE_ICMP_TYPE_CODE_IPV6    139
#define IE_OBSERVATION_DOMAIN_ID  149
#define IE_FLOW_START_MS          152
#define IE_FLOW_END_MS            153
#define IE_FLOW_START_US          154
#define IE_FLOW_END_US            155
#define IE_FLOW_START_NS          156
#define IE_FLOW_END_NS            157
#define IE_IGNORED_PACKET_TOTAL   164
#define IE_BIFLOW_DIRECTION       239 /* RFC 5103 6.3 */
#define IE_DOT1Q_VLAN_ID          243 /* RFC 7133 */
#define IE_DOT1Q_CUSTOMER_VLAN_ID 245 /* RFC 7133 */
#define IE_LAYER2_SEGMENT_ID      351 /* RFC 7133 4.4.1 */
#define IE_SAMPLING_PKT_INTERVAL  305
#define IE_SAMPLING_PKT_SPACE     306

/*
 * RFC 5103 §6.1: a reverse element is its forward element's id with the
 * enterprise bit set, under this Private Enterprise Number.
 */
#define IPFIX_PEN_REVERSE    29305
#define IPFIX_ENTERPRISE_BIT 0x8000

/* layer2SegmentId's segment type, the top byte (RFC 7133 4.4.1). */
#define L2SEG_VXLAN 0x01

/* v9 options scope type "System" (RFC 3954 §6.1). */
#define NF9_SCOPE_SYSTEM 1

/* Template ids shared by v9 and IPFIX (both start data templates at 256). */
#define FLD_TMPL_IP4      256
#define FLD_TMPL_IP6      257
#define FLD_TMPL_OPT_STAT 258 /* IPFIX exporting process statistics */
#define FLD_TMPL_OPT_SAMP 259 /* sampling (v9 uses 258 for its one) */
#define FLD_TMPL_OPT_IFN  260 /* IPFIX interface names */
/* Data templates of enum fld_kind k > 0: 261 + 2 (k - 1), +1 for IPv6. */
#define FLD_TMPL_EXT_BASE 261

/*
 * Which data template a record takes, by what it carries (flow_record.ext):
 * the base one, or one with the link-layer fields, the tunnel's segment id
 * and (IPFIX) the RFC 5103 reverse fields added at its end.
 */
enum fld_kind {
	FLD_KIND_BASE = 0,
	FLD_KIND_LINK,        /* + MACs, inner VLAN, MPLS, flow label */
	FLD_KIND_LINK_TUN,    /* + layer2SegmentId */
	FLD_KIND_BI,          /* base + reverse (IPFIX only) */
	FLD_KIND_BI_LINK,     /* IPFIX only */
	FLD_KIND_BI_LINK_TUN, /* IPFIX only */
	FLD_KIND_COUNT
};

#define FLD_NF9_KINDS 3 /* v9 stops at FLD_KIND_LINK_TUN: no biflows */

/* Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
#define FLD_NTP_UNIX_OFFSET 2208988800u

/* What a getter needs beyond the record: the v9 uptime origin. */
struct fld_ctx {
	uint64_t boot_ns; /* exporter boot, ns since the epoch */
};

typedef void (*fld_put_fn)(uint8_t *dst, const struct flow_record *r,
                           const struct fld_ctx *c);

struct fld {
	uint16_t id;    /* information element id */
	uint16_t len;   /* bytes on the wire */
	fld_put_fn put; /* writes exactly len bytes at dst */
	uint32_t pen;   /* enterprise number, 0 for IANA elements */
};

/*
 * Writes a whole record of its template at dst (rec_len bytes, every one
 * of them): the fields of the table with straight-line stores.
 */
typedef void (*fld_write_fn)(uint8_t *dst, const struct flow_record *r,
                             const struct fld_ctx *c);

struct fld_tmpl {
	uint16_t tmpl_id;
	uint16_t n_fields;
	uint16_t rec_len; /* declared by hand; a unit test checks the sum */
	const struct fld *f;
	/* the fast path for the base templates, NULL where only the table
	   is walked; a unit test checks it writes the table's bytes */
	fld_write_fn write;
};

/* The data templates. */
extern const struct fld_tmpl fld_nf9_ip4;
extern const struct fld_tmpl fld_nf9_ip6;
/* Indexed by enum exp_time_unit: ms (0), us (1), ns (2). */
extern const struct fld_tmpl fld_ipfix_ip4[3];
extern const struct fld_tmpl fld_ipfix_ip6[3];

/*
 * The template for a record of family (4 or 6) and kind: v9 (kind below
 * FLD_NF9_KINDS) or IPFIX with time_unit (enum exp_time_unit). NULL if
 * there is none.
 */
const struct fld_tmpl *fld_nf9_tmpl(uint8_t family, unsigned kind);
const struct fld_tmpl *fld_ipfix_tmpl(uint8_t family, unsigned kind,
                                      int time_unit);

/*
 * The kind a record takes (enum fld_kind): its ext bits, without the
 * reverse fields unless biflow_ok (v9).
 */
unsigned fld_kind_of(const struct flow_record *r, bool biflow_ok);

/*
 * The flow_record.ext bits that lead away from the base template: the
 * kind is FLD_KIND_BASE exactly when none of them is set (v9 ignores the
 * biflow bit), so an encoder can take its base template for a record
 * without fld_kind_of() or a table look-up. A unit test checks this
 * against fld_kind_of() for every ext value.
 */
#define FLD_EXT_NF9   (FLOWREC_EXT_LINK | FLOWREC_EXT_TUNNEL)
#define FLD_EXT_IPFIX (FLD_EXT_NF9 | FLOWREC_EXT_BIFLOW)

/* Bytes fld_write_template() writes for t: 4 + 4 per field, + 4 per
 * enterprise-specific field. */
size_t fld_template_len(const struct fld_tmpl *t);

/*
 * Write one template record (template id, field count, then id/length
 * pairs). Returns false, with w unchanged, if it doesn't fit.
 */
bool fld_write_template(const struct fld_tmpl *t, struct wbuf *w);

/*
 * One template in a set of its own: set id (v9 0, IPFIX 2), length, the
 * template record. The caller checked the room (the set header's 4 bytes
 * plus fld_template_len(t)).
 */
void fld_write_template_set(uint16_t set_id, const struct fld_tmpl *t,
                            struct wbuf *w);

/*
 * Write one data record of template t for r: all t->rec_len bytes, or
 * nothing and false if they don't fit. Uses t->write if there is one,
 * else fld_write_fields().
 */
bool fld_write_record(const struct fld_tmpl *t, const struct flow_record *r,
                      const struct fld_ctx *c, struct wbuf *w);

/*
 * As fld_write_record(), but always by walking t's field table, one
 * getter per field: the reference the t->write functions must match.
 */
bool fld_write_fields(const struct fld_tmpl *t, const struct flow_record *r,
                      const struct fld_ctx *c, struct wbuf *w);

/* ms of uptime for a time in ns since the epoch: clamped at 0, wraps at
 * 2^32 like sysUptime itself. */
uint32_t fld_uptime_ms(uint64_t t_ns, uint64_t boot_ns);

/*
 * Templates sent once are due again over UDP (RFC 3954 §9, RFC 7011
 * §8.4) after every_packets export packets or every_secs seconds since
 * they last went (last_ns); 0 turns a measure off.
 */
bool fld_tmpl_due(uint32_t pkts_since, uint64_t last_ns, uint32_t every_packets,
                  uint32_t every_secs, uint64_t now_ns);

/* RFC 7011 §6.1.9/6.1.10: 64-bit NTP timestamps for dateTimeMicro/Nano. */
uint64_t fld_ntp_us(uint64_t t_ns);
uint64_t fld_ntp_ns(uint64_t t_ns);

#endif
