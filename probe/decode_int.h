/*
 * Decoder internals: the layer functions that decode.c, decode_l2.c,
 * decode_ip.c, decode_l4.c and decode_tun.c call in one another.
 *
 * Every layer function takes the cursor positioned at its header, fills
 * what it can of *m and returns the status of the whole packet: it goes on
 * with the next layer itself, so the call chain follows the packet.
 * m->depth > 0 means "inside a tunnel": link-layer fields (MACs, VLANs,
 * MPLS labels) then keep the outer packet's values.
 */
#ifndef TAPFLOW_DECODE_INT_H
#define TAPFLOW_DECODE_INT_H

#include "decode.h"

/* EtherType values (IEEE 802 numbers registry). */
#define ETH_TYPE_MIN       0x0600 /* below: 802.3 length field */
#define ETH_TYPE_IPV4      0x0800
#define ETH_TYPE_IPV6      0x86dd
#define ETH_TYPE_VLAN      0x8100 /* 802.1Q */
#define ETH_TYPE_QINQ      0x88a8 /* 802.1ad */
#define ETH_TYPE_QINQ_9100 0x9100
#define ETH_TYPE_PBB       0x88e7 /* 802.1ah I-TAG */
#define ETH_TYPE_MPLS_UC   0x8847
#define ETH_TYPE_MPLS_MC   0x8848
#define ETH_TYPE_PPPOE_S   0x8864
#define ETH_TYPE_TEB       0x6558 /* transparent Ethernet bridging (GRE) */
#define ETH_TYPE_ERSPAN2   0x88be
#define ETH_TYPE_ERSPAN3   0x22eb
#define ETH_TYPE_PPP       0x880b /* PPP in enhanced GRE (RFC 2637) */

/* Ethernet II: 0 destination MAC  6 source MAC  12 EtherType */
#define ETH_HLEN  14
#define VLAN_HLEN 4
/* 802.1Q tag after the TPID: 0 TCI (PCP 3, DEI 1, VID 12)  2 EtherType */
#define VLAN_VID_MASK 0x0fff
#define MPLS_HLEN     4

/* PPP protocol numbers (RFC 1661, IANA PPP DLL protocol numbers). */
#define PPP_PROTO_IPV4    0x0021
#define PPP_PROTO_IPV6    0x0057
#define PPP_PROTO_MPLS_UC 0x0281
#define PPP_PROTO_MPLS_MC 0x0283

/* IP protocol numbers (IANA). */
#define IP_PROTO_HOPOPTS  0
#define IP_PROTO_ICMP     1
#define IP_PROTO_IPIP     4
#define IP_PROTO_TCP      6
#define IP_PROTO_UDP      17
#define IP_PROTO_DCCP     33
#define IP_PROTO_IPV6     41
#define IP_PROTO_ROUTING  43
#define IP_PROTO_FRAGMENT 44
#define IP_PROTO_GRE      47
#define IP_PROTO_ESP      50
#define IP_PROTO_AH       51
#define IP_PROTO_ICMPV6   58
#define IP_PROTO_NONE     59
#define IP_PROTO_DSTOPTS  60
#define IP_PROTO_SCTP     132
#define IP_PROTO_MOBILITY 135

/* UDP ports of the tunnels walked with decap. */
#define UDP_PORT_VXLAN  4789 /* RFC 7348 */
#define UDP_PORT_GENEVE 6081 /* RFC 8926 */
#define UDP_PORT_GTPU   2152 /* 3GPP TS 29.281 */
#define UDP_PORT_TEREDO 3544 /* RFC 4380 */

#define DEC_MAX_GTP_EXT 8 /* GTP-U extension headers walked */

/*
 * IPv4 header (RFC 791 3.1):
 *   0 version/IHL  1 ToS  2 total length  4 id  6 flags/fragment offset
 *   8 TTL  9 protocol  10 checksum  12 source  16 destination  20 options
 */
#define IP4_MIN_HLEN      20
#define IP4_OFF_TOS       1
#define IP4_OFF_LEN       2
#define IP4_OFF_ID        4
#define IP4_OFF_FRAG      6
#define IP4_OFF_TTL       8
#define IP4_OFF_PROTO     9
#define IP4_OFF_SRC       12
#define IP4_OFF_DST       16
#define IP4_FLAG_MF       0x2000
#define IP4_FRAG_OFF_MASK 0x1fff

/*
 * IPv6 header (RFC 8200 3):
 *   0 version 4, traffic class 8, flow label 20   4 payload length
 *   6 next header  7 hop limit  8 source  24 destination
 */
#define IP6_HLEN      40
#define IP6_OFF_PLEN  4
#define IP6_OFF_NEXT  6
#define IP6_OFF_HLIM  7
#define IP6_OFF_SRC   8
#define IP6_OFF_DST   24
#define IP6_FLOW_MASK 0x000fffffu

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

/*
 * dec_packet() without its one-pass path for common Ethernet frames: the
 * layer functions alone, the reference that tests compare that path with.
 */
enum dec_status dec_packet_layers(const struct dec_config *cfg, int linktype,
                                  const uint8_t *bytes, uint32_t caplen,
                                  uint32_t wirelen, struct pkt_meta *m);

/* Ethernet header at c; stores MACs unless inside a tunnel. */
enum dec_status dec_eth(const struct dec_config *cfg, struct pkt_cur *c,
                        struct pkt_meta *m);

/*
 * Dispatch on an EtherType (VLAN tags are walked here, up to
 * DEC_MAX_VLAN); c is just past the type field.
 */
enum dec_status dec_ethertype(const struct dec_config *cfg, struct pkt_cur *c,
                              struct pkt_meta *m, uint16_t type);

/* MPLS label stack at c. */
enum dec_status dec_mpls(const struct dec_config *cfg, struct pkt_cur *c,
                         struct pkt_meta *m);

/* PPP protocol field (with or without address/control) at c. */
enum dec_status dec_ppp(const struct dec_config *cfg, struct pkt_cur *c,
                        struct pkt_meta *m);

/* Dispatch on a PPP protocol number; c is just past it. */
enum dec_status dec_ppp_proto(const struct dec_config *cfg, struct pkt_cur *c,
                              struct pkt_meta *m, uint16_t proto,
                              enum dec_drop not_ip);

/* IPv4 or IPv6 by the version nibble; `why` names a nibble that is neither. */
enum dec_status dec_ip_any(const struct dec_config *cfg, struct pkt_cur *c,
                           struct pkt_meta *m, enum dec_drop why);

enum dec_status dec_ipv4(const struct dec_config *cfg, struct pkt_cur *c,
                         struct pkt_meta *m);
enum dec_status dec_ipv6(const struct dec_config *cfg, struct pkt_cur *c,
                         struct pkt_meta *m);

/*
 * Transport header at c for m->proto; called once the IP layer is done and
 * only when the packet is not a later fragment. Always returns DEC_OK.
 */
enum dec_status dec_l4(const struct dec_config *cfg, struct pkt_cur *c,
                       struct pkt_meta *m);

/*
 * Tunnels (cfg->decap only). dec_tun_ip: payload of IP protocol 4, 41 or
 * 47 at c. dec_tun_udp: UDP payload at c for the given destination port.
 * Both return DEC_OK: when the inner packet cannot be accounted, *m is
 * restored to the outer packet and m->drop names the inner problem.
 */
enum dec_status dec_tun_ip(const struct dec_config *cfg, struct pkt_cur *c,
                           struct pkt_meta *m);
enum dec_status dec_tun_udp(const struct dec_config *cfg, struct pkt_cur *c,
                            struct pkt_meta *m);

#endif
