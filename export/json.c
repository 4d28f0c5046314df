#include "json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The inner VLAN's key: the element the v9/IPFIX templates use. */
#define JSON_INNER_VLAN_KEY "postVlanId"

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

static void
set_u64(json_t *o, const char *key, uint64_t v)
{
	/* json_int_t is long long: every count we keep fits below 2^63 */
	(void)json_object_set_new(o, key, json_integer((json_int_t)v));
}

static void
set_addr(json_t *o, const char *key, int family, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, sizeof(buf)) !=
	    NULL)
		(void)json_object_set_new(o, key, json_string(buf));
}

static void
set_mac(json_t *o, const char *key, const uint8_t *mac)
{
	char buf[18];

	(void)snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x",
	               mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	(void)json_object_set_new(o, key, json_string(buf));
}

/*
 * The link-layer fields under their IPFIX names, with the values v9 and
 * IPFIX carry: all of them whenever the record has them (zero included),
 * as the extended templates do; MPLS sections as the 3 bytes on the wire
 * (label << 4 | TC << 1 | S), only for labels seen.
 */
static void
set_link(json_t *o, const struct flow_record *r)
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
set_tunnel(json_t *o, const struct flow_record *r)
{
	const char *name = tunnel_name(r->tunnel);

	if (name == NULL)
		return;
	if (r->tunnel == FLOWREC_TUN_VXLAN)
		set_u64(o, "layer2SegmentId",
		        (uint64_t)0x01 << 56 | (r->tunnel_id & 0xffffff));
	(void)json_object_set_new(o, "tunnelType", json_string(name));
	set_u64(o, "tunnelId", r->tunnel_id);
	if (r->tun_family == 4 || r->tun_family == 6) {
		set_addr(o, "tunnelSourceAddress", r->tun_family, r->tun_src);
		set_addr(o, "tunnelDestinationAddress", r->tun_family,
		         r->tun_dst);
	}
}

/* RFC 5103 reverse elements under their registered names. */
static void
set_reverse(json_t *o, const struct flow_record *r)
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

json_t *
jsonout_flow_object(const struct flow_record *r)
{
	json_t *o = json_object();
	int v4 = r->family == 4;
	int icmp = (v4 && r->proto == 1) || (!v4 && r->proto == 58);

	if (o == NULL)
		return NULL;
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
	return o;
}

int
jsonout_flow(struct jsonout *jo, const struct flow_record *rec)
{
	json_t *o = jsonout_flow_object(rec);
	int rc = -1;

	if (o != NULL &&
	    json_dumpf(o, jo->f, JSON_COMPACT | JSON_PRESERVE_ORDER) == 0 &&
	    fputc('\n', jo->f) != EOF)
		rc = 0;
	json_decref(o);
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
