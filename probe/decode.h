/*
 * Packet decoder: link layer to transport header. Bounds-checked, no
 * allocation, no copy of packet bytes (only fields into struct pkt_meta).
 */
#ifndef TAPFLOW_DECODE_H
#define TAPFLOW_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"

/*
 * Why a packet, or part of it, could not be decoded. A packet may still be
 * accounted in its IP flow when the problem is above the IP header (e.g. a
 * cut TCP header: the flow gets ports 0). The names table in decode.c
 * (dec_drop_name) gives each a stable lower_snake name used by statistics,
 * JSON and the control socket. Truncated (capture cut short) and invalid
 * (impossible field) are separate reasons.
 */
enum dec_drop {
	DEC_DROP_NONE = 0,
	DEC_DROP_LINK_TRUNC,        /* link-layer header cut short */
	DEC_DROP_UNKNOWN_ETHERTYPE, /* not IP after the link layer (ARP, STP…)
	                             */
	DEC_DROP_VLAN_TRUNC,
	DEC_DROP_VLAN_TOO_MANY, /* more than DEC_MAX_VLAN tags */
	DEC_DROP_MPLS_TRUNC,
	DEC_DROP_MPLS_TOO_MANY, /* more than DEC_MAX_MPLS labels */
	DEC_DROP_MPLS_UNKNOWN_PAYLOAD,
	DEC_DROP_PPPOE_TRUNC,
	DEC_DROP_PPPOE_NOT_IP, /* PPPoE session carrying LCP, IPCP… */
	DEC_DROP_IP4_TRUNC,
	DEC_DROP_IP4_VERSION,
	DEC_DROP_IP4_BAD_IHL,
	DEC_DROP_IP4_BAD_LEN, /* total length < header length */
	DEC_DROP_IP6_TRUNC,
	DEC_DROP_IP6_VERSION,
	DEC_DROP_IP6_EXT_TRUNC,
	DEC_DROP_IP6_EXT_TOO_MANY,
	DEC_DROP_IP6_BAD_JUMBO,
	DEC_DROP_TCP_TRUNC,
	DEC_DROP_TCP_BAD_OFF, /* data offset < 5 */
	DEC_DROP_UDP_TRUNC,
	DEC_DROP_SCTP_TRUNC,
	DEC_DROP_ICMP_TRUNC,
	DEC_DROP_ICMP6_TRUNC,
	DEC_DROP_FRAG_NO_FIRST, /* later fragment with no first seen: no ports
	                         */
	DEC_DROP_TUNNEL_TRUNC,
	DEC_DROP_TUNNEL_TOO_DEEP, /* more than DEC_MAX_DEPTH encapsulations */
	DEC_DROP_UNKNOWN_LINKTYPE,
	DEC_DROP_LLC,        /* 802.3 length field: LLC/SNAP, not IP */
	DEC_DROP_PPP_NOT_IP, /* PPP link carrying LCP, IPCP… */
	DEC_DROP_RAW_NOT_IP, /* raw IP link: version nibble not 4 or 6 */
	DEC_DROP_DCCP_TRUNC,
	DEC_DROP_TUNNEL_BAD, /* impossible tunnel header field */
	DEC_DROP_COUNT
};

/* Result of decoding one packet. */
enum dec_status {
	DEC_OK = 0, /* an IP packet: meta fully or partly filled, account it */
	DEC_SKIP = 1, /* not an IP packet (ARP, STP…): meta.drop tells why */
	DEC_BAD = 2,  /* cannot be accounted: meta.drop tells why */
};

#define DEC_MAX_VLAN    4
#define DEC_MAX_MPLS    8
#define DEC_MAX_IP6_EXT 8
#define DEC_MAX_DEPTH   4

/* Decoder options, fixed at start. */
struct dec_config {
	bool decap; /* tunnels: the inner packet makes the flow */
};

/* Link types that dec_packet() accepts (LINKTYPE_ values, pcap-linktype(7)). */
bool dec_linktype_supported(int linktype);

/*
 * Decode one captured frame of the given link type. The caller sets
 * m->ts_ns, m->ifindex before the call; everything else is set here
 * (m is zeroed first). Returns DEC_OK when m describes an IP packet to
 * account (m->drop may still name a problem above the IP header).
 */
enum dec_status dec_packet(const struct dec_config *cfg, int linktype,
                           const uint8_t *bytes, uint32_t caplen,
                           uint32_t wirelen, struct pkt_meta *m);

/* Record the first problem seen and return the status for it. */
enum dec_status dec_drop(struct pkt_meta *m, enum dec_drop reason);

/* Stable name of a reason ("ip4_trunc"…). */
const char *dec_drop_name(enum dec_drop reason);

#endif
