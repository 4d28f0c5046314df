/*
 * struct flow_record: one expired flow, as the flow table hands it to the
 * exporters. It is the only type shared by probe/ and export/, so every
 * output format (JSON, NetFlow v5, v9, IPFIX) encodes the same accounting.
 */
#ifndef TAPFLOW_FLOWREC_H
#define TAPFLOW_FLOWREC_H

#include <stdint.h>

/* flowEndReason values, RFC 7012 / IANA IPFIX IE 136. */
enum flow_end_reason {
	FLOW_END_IDLE = 1,   /* idle timeout */
	FLOW_END_ACTIVE = 2, /* active timeout */
	FLOW_END_EOF = 3,    /* end of flow detected (TCP FIN or RST) */
	FLOW_END_FORCED = 4, /* forced end (shutdown, end of replay, request) */
	FLOW_END_RESOURCE = 5, /* lack of resources (table full) */
};

/* TCP flag bits as they stand in the TCP header's 13th byte. */
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

#define FLOWREC_MAX_MPLS 3

struct flow_record {
	/* key */
	uint8_t family; /* 4 or 6 */
	uint8_t proto;  /* IP protocol number */
	uint8_t tos;    /* IPv4 ToS byte / IPv6 traffic class */
	uint8_t pad0;
	uint8_t src[16]; /* IPv4 uses the first 4 bytes, rest zero */
	uint8_t dst[16];
	uint16_t sport;      /* for ICMP/ICMPv6: 0 */
	uint16_t dport;      /* for ICMP/ICMPv6: type * 256 + code */
	uint32_t ifindex;    /* input interface index */
	uint16_t vlan;       /* outer VLAN id, 0 if untagged */
	uint16_t inner_vlan; /* QinQ customer VLAN id, 0 if none */

	/* accounting */
	uint64_t packets;
	uint64_t octets;   /* sum of IP total lengths */
	uint64_t first_ns; /* first packet, ns since the Unix epoch */
	uint64_t last_ns;  /* last packet, ns since the Unix epoch */
	uint8_t tcp_flags; /* OR of all packets' TCP flags */
	uint8_t ttl_min;
	uint8_t ttl_max;
	uint8_t end_reason; /* enum flow_end_reason */

	/* link-layer extras (issue 9); zero when not seen */
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint32_t flow_label; /* IPv6 flow label, 20 bits */
	uint8_t n_mpls;
	uint32_t mpls[FLOWREC_MAX_MPLS]; /* label stack entries, top first */

	/*
	 * What the record carries beyond the base fields (FLOWREC_EXT_*):
	 * the flow table sets a bit when that part of it is kept, so the
	 * encoders pick a template with those fields.
	 */
	uint8_t ext;

	/* tunnel (--decap): the outermost carrier of the inner packet */
	uint8_t tunnel;      /* FLOWREC_TUN_*, 0 if none */
	uint8_t tun_family;  /* 4 or 6: family of the outer addresses */
	uint32_t tunnel_id;  /* VXLAN/Geneve VNI, GTP-U TEID or GRE key */
	uint8_t tun_src[16]; /* outer source address */
	uint8_t tun_dst[16];

	/* biflow (RFC 5103): the reverse direction, dst -> src */
	uint8_t biflow_dir; /* biflowDirection (IE 239) */
	uint8_t rev_tcp_flags;
	uint8_t rev_ttl_min; /* 0 when rev_packets is 0 */
	uint8_t rev_ttl_max;
	uint64_t rev_packets;
	uint64_t rev_octets;
	uint64_t rev_first_ns; /* 0 when rev_packets is 0 */
	uint64_t rev_last_ns;
};

/* flow_record.ext bits. */
#define FLOWREC_EXT_LINK   0x01 /* MACs, inner VLAN, MPLS, flow label */
#define FLOWREC_EXT_TUNNEL 0x02 /* tunnel, tun_* */
#define FLOWREC_EXT_BIFLOW 0x04 /* rev_*, biflow_dir */

/* flow_record.tunnel: the same values as probe/pkt.h's enum pkt_tunnel. */
#define FLOWREC_TUN_GRE    1
#define FLOWREC_TUN_IPIP   2
#define FLOWREC_TUN_VXLAN  3
#define FLOWREC_TUN_GTPU   4
#define FLOWREC_TUN_GENEVE 5
#define FLOWREC_TUN_TEREDO 6

/* biflowDirection (RFC 5103 6.3). */
#define FLOWREC_BIDIR_ARBITRARY 0 /* who started is unknown */
#define FLOWREC_BIDIR_INITIATOR 1 /* the source started the conversation */

/* Called for each expired flow. The record is only valid during the call. */
typedef void (*flow_sink_fn)(void *ctx, const struct flow_record *rec);

#endif
