#include "json.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The inner VLAN's key: the element the v9/IPFIX templates use. */
#define JSON_INNER_VLAN_KEY "postVlanId"

/* Longest JSON line: a biflow with every field is under 2 KiB. */
#define JSONOUT_LINE_MAX 8192

struct jsonout {
	FILE *f;
	int is_stdout;
	unsigned long long written;
	unsigned long long errors;
};

struct jsonout *
jsonout_open(const char *path, char *err, size_t errlen)
{
	struct jsonout *jo = calloc(1, sizeof(*jo));

	if (jo == NULL) {
		(void)snprintf(err, errlen, "json: out of memory");
		return NULL;
	}
	if (strcmp(path, "-") == 0) {
		jo->f = stdout;
		jo->is_stdout = 1;
	} else {
		jo->f = fopen(path, "w");
		if (jo->f == NULL) {
			(void)snprintf(err, errlen, "-j %s: %s", path,
			               strerror(errno));
			free(jo);
			return NULL;
		}
	}
	return jo;
}

/*
 * One flow's keys and values go either into a jansson object (the control
 * socket's dump, and the reference the tests hold the text to) or straight
 * into a line of text, byte for byte what json_dumpb(JSON_COMPACT) makes
 * of that object: jansson's dump cost ~5 us a flow, the text ~0.3 us. The
 * same setters walk both, so the two cannot disagree; keys are constants
 * and values are numbers or plain ASCII (addresses, MACs, names), so
 * nothing needs escaping.
 */
struct emit {
	json_t *o;  /* object mode when not NULL */
	char *buf;  /* text mode */
	size_t len; /* bytes in buf */
	size_t cap;
	bool overflow; /* the line did not fit: write nothing */
};

static void
put_raw(struct emit *e, const char *s, size_t n)
{
	if (e->overflow || n > e->cap - e->len) {
		e->overflow = true;
		return;
	}
	memcpy(e->buf + e->len, s, n);
	e->len += n;
}

/* ,"key": (the comma before every key but the first) */
static void
put_key(struct emit *e, const char *key)
{
	put_raw(e, e->len > 1 ? ",\"" : "\"", e->len > 1 ? 2 : 1);
	put_raw(e, key, strlen(key));
	put_raw(e, "\":", 2);
}

static void
set_u64(struct emit *e, const char *key, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	if (e->o != NULL) {
		/* json_int_t is long long: every count we keep is < 2^63 */
		(void)json_object_set_new(e->o, key,
		                          json_integer((json_int_t)v));
		return;
	}
	put_key(e, key);
	do {
		digits[sizeof(digits) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 && n < sizeof(digits));
	put_raw(e, digits + sizeof(digits) - n, n);
}

static void
set_str(struct emit *e, const char *key, const char *v)
{
	if (e->o != NULL) {
		(void)json_object_set_new(e->o, key, json_string(v));
		return;
	}
	put_key(e, key);
	put_raw(e, "\"", 1);
	put_raw(e, v, strlen(v));
	put_raw(e, "\"", 1);
}

static void
set_addr(struct emit *e, const char *key, int family, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, sizeof(buf)) !=
	    NULL)
		set_str(e, key, buf);
}

static void
set_mac(struct emit *e, const char *key, const uint8_t *mac)
{
	static const char hex[] = "0123456789abcdef";
	char buf[18];
	size_t i;

	for (i = 0; i < 6; i++) {
		buf[i * 3] = hex[mac[i] >> 4];
		buf[i * 3 + 1] = hex[mac[i] & 0x0f];
		buf[i * 3 + 2] = i < 5 ? ':' : '\0';
	}
	set_str(e, key, buf);
}

/*
 * The link-layer fields under their IPFIX names, with the values v9 and
 * IPFIX carry: all of them whenever the record has them (zero included),
 * as the extended templates do; MPLS sections as the 3 bytes on the wire
 * (label << 4 | TC << 1 | S), only for labels seen.
 */
static void
set_link(struct emit *o, const struct flow_record *r)
{
	static const char *const mpls_key[FLOWREC_MAX_MPLS] = {
	    "mplsTopLabelStackSection", "mplsLabelStackSection2",
	    "mplsLabelStackSection3"};
	unsigned i;

	set_mac(o, "sourceMacAddress", r->src_mac);
	set_mac(o, "destinationMacAddress", r->dst_mac);
	set_u64(o, JSON_INNER_VLAN_KEY, r->inner_vlan);
	for (i = 0; i < r->n_mpls && i < FLOWREC_MAX_MPLS; i++) {
		set_u64(o, mpls_key[i], r->mpls[i] >> 8);
		/* the label alone, as tshark and nfdump print it */
		if (i == 0)
			set_u64(o, "mplsTopLabel", r->mpls[0] >> 12);
	}
	if (r->family == 6)
		set_u64(o, "flowLabelIPv6", r->flow_label);
}

static const char *
tunnel_name(uint8_t t)
{
	switch (t) {
	case FLOWREC_TUN_GRE:
		return "gre";
	case FLOWREC_TUN_IPIP:
		return "ipip";
	case FLOWREC_TUN_VXLAN:
		return "vxlan";
	case FLOWREC_TUN_GTPU:
		return "gtpu";
	case FLOWREC_TUN_GENEVE:
		return "geneve";
	case FLOWREC_TUN_TEREDO:
		return "teredo";
	default:
		return NULL;
	}
}

/*
 * The tunnel: layer2SegmentId as IPFIX carries it (VXLAN only, RFC 7133),
 * and tapflow's own keys for what no IANA element carries.
 */
static void
set_tunnel(struct emit *o, const struct flow_record *r)
{
	const char *name = tunnel_name(r->tunnel);

	if (name == NULL)
		return;
	if (r->tunnel == FLOWREC_TUN_VXLAN)
		set_u64(o, "layer2SegmentId",
		        (uint64_t)0x01 << 56 | (r->tunnel_id & 0xffffff));
	set_str(o, "tunnelType", name);
	set_u64(o, "tunnelId", r->tunnel_id);
	if (r->tun_family == 4 || r->tun_family == 6) {
		set_addr(o, "tunnelSourceAddress", r->tun_family, r->tun_src);
		set_addr(o, "tunnelDestinationAddress", r->tun_family,
		         r->tun_dst);
	}
}

/* RFC 5103 reverse elements under their registered names. */
static void
set_reverse(struct emit *o, const struct flow_record *r)
{
	set_u64(o, "reversePacketDeltaCount", r->rev_packets);
	set_u64(o, "reverseOctetDeltaCount", r->rev_octets);
	set_u64(o, "reverseFlowStartMilliseconds", r->rev_first_ns / 1000000);
	set_u64(o, "reverseFlowEndMilliseconds", r->rev_last_ns / 1000000);
	set_u64(o, "reverseFlowStartNanoseconds", r->rev_first_ns);
	set_u64(o, "reverseFlowEndNanoseconds", r->rev_last_ns);
	set_u64(o, "reverseTcpControlBits", r->rev_tcp_flags);
	set_u64(o, "reverseMinimumTTL", r->rev_ttl_min);
	set_u64(o, "reverseMaximumTTL", r->rev_ttl_max);
	set_u64(o, "biflowDirection", r->biflow_dir);
}

/* Every key and value of one flow, in the order they are written. */
static void
emit_flow(struct emit *o, const struct flow_record *r)
{
	int v4 = r->family == 4;
	int icmp = (v4 && r->proto == 1) || (!v4 && r->proto == 58);

	set_u64(o, "ipVersion", r->family);
	set_addr(o, v4 ? "sourceIPv4Address" : "sourceIPv6Address", r->family,
	         r->src);
	set_addr(o, v4 ? "destinationIPv4Address" : "destinationIPv6Address",
	         r->family, r->dst);
	set_u64(o, "sourceTransportPort", r->sport);
	set_u64(o, "destinationTransportPort", r->dport);
	if (icmp)
		set_u64(o, v4 ? "icmpTypeCodeIPv4" : "icmpTypeCodeIPv6",
		        r->dport);
	set_u64(o, "protocolIdentifier", r->proto);
	set_u64(o, "ipClassOfService", r->tos);
	set_u64(o, "ingressInterface", r->ifindex);
	set_u64(o, "vlanId", r->vlan);
	set_u64(o, "packetDeltaCount", r->packets);
	set_u64(o, "octetDeltaCount", r->octets);
	set_u64(o, "flowStartMilliseconds", r->first_ns / 1000000);
	set_u64(o, "flowEndMilliseconds", r->last_ns / 1000000);
	set_u64(o, "flowStartNanoseconds", r->first_ns);
	set_u64(o, "flowEndNanoseconds", r->last_ns);
	set_u64(o, "tcpControlBits", r->tcp_flags);
	set_u64(o, "minimumTTL", r->ttl_min);
	set_u64(o, "maximumTTL", r->ttl_max);
	set_u64(o, "flowEndReason", r->end_reason);
	if ((r->ext & FLOWREC_EXT_LINK) != 0)
		set_link(o, r);
	if ((r->ext & FLOWREC_EXT_TUNNEL) != 0)
		set_tunnel(o, r);
	if ((r->ext & FLOWREC_EXT_BIFLOW) != 0)
		set_reverse(o, r);
}

json_t *
jsonout_flow_object(const struct flow_record *r)
{
	struct emit e = {.o = json_object()};

	if (e.o != NULL)
		emit_flow(&e, r);
	return e.o;
}

size_t
jsonout_flow_text(const struct flow_record *r, char *buf, size_t cap)
{
	struct emit e = {.buf = buf, .cap = cap};

	put_raw(&e, "{", 1);
	emit_flow(&e, r);
	put_raw(&e, "}", 1);
	return e.overflow ? 0 : e.len;
}

int
jsonout_flow(struct jsonout *jo, const struct flow_record *rec)
{
	char line[JSONOUT_LINE_MAX];
	size_t n;
	int rc = -1;

	/* one fwrite per line; a line that cannot fit is counted, not cut */
	n = jsonout_flow_text(rec, line, sizeof(line) - 1);
	if (n > 0) {
		line[n++] = '\n';
		if (fwrite(line, 1, n, jo->f) == n)
			rc = 0;
	}
	if (rc == 0)
		jo->written++;
	else
		jo->errors++;
	return rc;
}

unsigned long long
jsonout_written(const struct jsonout *jo)
{
	return jo->written;
}

unsigned long long
jsonout_errors(const struct jsonout *jo)
{
	return jo->errors;
}

int
jsonout_close(struct jsonout *jo)
{
	int rc = 0;

	if (jo == NULL)
		return 0;
	if (fflush(jo->f) != 0)
		rc = -1;
	if (!jo->is_stdout && fclose(jo->f) != 0)
		rc = -1;
	free(jo);
	return rc;
}
