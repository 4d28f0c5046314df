/*
 * Packet builders for tests: libnet in LIBNET_NONE mode (construct only,
 * no socket). Build the innermost layer first, then wrap it (libnet
 * prepends each header), then pb_finish() for the bytes. A tunnel's
 * inner packet is built in its own context and passed as a payload.
 * Every function aborts the test on a libnet error.
 */
#ifndef TAPFLOW_PKTBUILD_H
#define TAPFLOW_PKTBUILD_H

#include <stdint.h>

#include <libnet.h>

/* Fixed header values the builders write, for tests to compare with. */
#define PB_MAC_SRC                                                             \
	{                                                                      \
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01                             \
	}
#define PB_MAC_DST                                                             \
	{                                                                      \
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02                             \
	}
#define PB_TOS 0x28 /* IPv4 ToS, DSCP 10 */
#define PB_TTL 61
#define PB_TC  0xb8 /* IPv6 traffic class, DSCP 46 */
/*
 * libnet 1.2 writes the flow label's middle byte as `fl & 0x0FF00 >> 8`,
 * i.e. its low byte: pick a label whose middle and low bytes are equal.
 */
#define PB_FLOW 0x12323
#define PB_HLIM 57

/* A new construct-only libnet context. */
libnet_t *pb_begin(void);

/*
 * Coalesce the packet, checksums filled in, into a malloc'd buffer of
 * exactly *len bytes (free() it); destroys l.
 */
uint8_t *pb_finish(libnet_t *l, uint32_t *len);

/* A malloc'd copy of exactly len bytes (one byte allocated for len 0). */
uint8_t *pb_copy(const void *b, uint32_t len);

/* a then b in one malloc'd buffer of exactly *len bytes. */
uint8_t *pb_concat(const void *a, uint32_t alen, const void *b, uint32_t blen,
                   uint32_t *len);

/* Raw bytes as the next (outer) layer. */
void pb_data(libnet_t *l, const void *b, uint32_t len);

/* Ethernet II with PB_MAC_SRC/PB_MAC_DST and the given EtherType. */
void pb_eth(libnet_t *l, uint16_t type);

/* Ethernet with one 802.1Q tag (TPID 0x8100) and the inner EtherType. */
void pb_eth_vlan(libnet_t *l, uint16_t vid, uint16_t type);

/* TCP header (data offset 5) followed by payload_len zero bytes. */
void pb_tcp(libnet_t *l, uint16_t sport, uint16_t dport, uint8_t flags,
            uint32_t payload_len);

/* UDP header (length 8 + len) followed by payload (NULL: len zeros). */
void pb_udp(libnet_t *l, uint16_t sport, uint16_t dport, const void *payload,
            uint32_t len);

/* ICMPv4 echo header: type, code, checksum, id 0x4242, seq 1. */
void pb_icmp4(libnet_t *l, uint8_t type, uint8_t code);

/*
 * IPv4 header, total length 20 + payload_len, PB_TOS, PB_TTL, the given
 * id and flags/fragment-offset field (host order), dotted-quad addresses.
 */
void pb_ipv4(libnet_t *l, uint8_t proto, const char *src, const char *dst,
             uint16_t payload_len, uint16_t id, uint16_t frag);

/* IPv6 header with PB_TC, PB_FLOW, PB_HLIM and payload length plen. */
void pb_ipv6(libnet_t *l, uint8_t next, const char *src, const char *dst,
             uint16_t plen);

/* A complete Ethernet/IPv4/TCP packet, 20-byte TCP header, no payload. */
uint8_t *pb_eth_ip4_tcp(const char *src, const char *dst, uint16_t sport,
                        uint16_t dport, uint8_t flags, uint32_t *len);

/* A complete Ethernet/IPv4/UDP packet carrying payload (len bytes). */
uint8_t *pb_eth_ip4_udp(const char *src, const char *dst, uint16_t sport,
                        uint16_t dport, const void *payload, uint32_t plen,
                        uint32_t *len);

/* IPv4/TCP or IPv6/UDP with no link layer. */
uint8_t *pb_ip4_tcp(const char *src, const char *dst, uint16_t sport,
                    uint16_t dport, uint8_t flags, uint32_t *len);
uint8_t *pb_ip6_udp(const char *src, const char *dst, uint16_t sport,
                    uint16_t dport, uint32_t *len);

#endif
