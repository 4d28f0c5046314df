/* Packet builders for tests: see pktbuild.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktbuild.h"

static void
die(libnet_t *l, const char *what)
{
	fprintf(stderr, "pktbuild: %s: %s\n", what,
	        l ? libnet_geterror(l) : "no context");
	abort();
}

libnet_t *
pb_begin(void)
{
	char err[LIBNET_ERRBUF_SIZE];
	libnet_t *l = libnet_init(LIBNET_NONE, NULL, err);

	if (!l) {
		fprintf(stderr, "pktbuild: libnet_init: %s\n", err);
		abort();
	}
	return l;
}

uint8_t *
pb_finish(libnet_t *l, uint32_t *len)
{
	uint8_t *p = NULL, *out;
	uint32_t n = 0;

	if (libnet_pblock_coalesce(l, &p, &n) < 0)
		die(l, "coalesce");
	out = pb_copy(p, n);
	free(p);
	libnet_destroy(l);
	*len = n;
	return out;
}

uint8_t *
pb_copy(const void *b, uint32_t len)
{
	uint8_t *out = malloc(len ? len : 1);

	if (!out)
		abort();
	if (len)
		memcpy(out, b, len);
	return out;
}

uint8_t *
pb_concat(const void *a, uint32_t alen, const void *b, uint32_t blen,
          uint32_t *len)
{
	uint8_t *out = malloc(alen + blen ? alen + blen : 1);

	if (!out)
		abort();
	if (alen)
		memcpy(out, a, alen);
	if (blen)
		memcpy(out + alen, b, blen);
	*len = alen + blen;
	return out;
}

void
pb_data(libnet_t *l, const void *b, uint32_t len)
{
	if (libnet_build_data((const uint8_t *)b, len, l, 0) == -1)
		die(l, "data");
}

void
pb_eth(libnet_t *l, uint16_t type)
{
	static const uint8_t src[6] = PB_MAC_SRC, dst[6] = PB_MAC_DST;

	if (libnet_build_ethernet(dst, src, type, NULL, 0, l, 0) == -1)
		die(l, "ethernet");
}

void
pb_eth_vlan(libnet_t *l, uint16_t vid, uint16_t type)
{
	static const uint8_t src[6] = PB_MAC_SRC, dst[6] = PB_MAC_DST;

	if (libnet_build_802_1q(dst, src, 0x8100, 0, 0, vid, type, NULL, 0, l,
	                        0) == -1)
		die(l, "802.1q");
}

void
pb_tcp(libnet_t *l, uint16_t sport, uint16_t dport, uint8_t flags,
       uint32_t payload_len)
{
	uint8_t *zero = calloc(1, payload_len ? payload_len : 1);

	if (!zero)
		abort();
	if (libnet_build_tcp(sport, dport, 1000, 2000, flags, 8192, 0, 0,
	                     LIBNET_TCP_H + payload_len,
	                     payload_len ? zero : NULL, payload_len, l,
	                     0) == -1)
		die(l, "tcp");
	free(zero);
}

void
pb_udp(libnet_t *l, uint16_t sport, uint16_t dport, const void *payload,
       uint32_t len)
{
	uint8_t *zero = NULL;

	if (!payload && len) {
		zero = calloc(1, len);
		if (!zero)
			abort();
		payload = zero;
	}
	if (libnet_build_udp(sport, dport, (uint16_t)(LIBNET_UDP_H + len), 0,
	                     (const uint8_t *)payload, len, l, 0) == -1)
		die(l, "udp");
	free(zero);
}

void
pb_icmp4(libnet_t *l, uint8_t type, uint8_t code)
{
	if (libnet_build_icmpv4_echo(type, code, 0, 0x4242, 1, NULL, 0, l, 0) ==
	    -1)
		die(l, "icmpv4");
}

void
pb_ipv4(libnet_t *l, uint8_t proto, const char *src, const char *dst,
        uint16_t payload_len, uint16_t id, uint16_t frag)
{
	uint32_t s = libnet_name2addr4(l, (char *)src, LIBNET_DONT_RESOLVE);
	uint32_t d = libnet_name2addr4(l, (char *)dst, LIBNET_DONT_RESOLVE);

	if (libnet_build_ipv4((uint16_t)(LIBNET_IPV4_H + payload_len), PB_TOS,
	                      id, frag, PB_TTL, proto, 0, s, d, NULL, 0, l,
	                      0) == -1)
		die(l, "ipv4");
}

void
pb_ipv6(libnet_t *l, uint8_t next, const char *src, const char *dst,
        uint16_t plen)
{
	struct libnet_in6_addr s, d;

	s = libnet_name2addr6(l, src, LIBNET_DONT_RESOLVE);
	d = libnet_name2addr6(l, dst, LIBNET_DONT_RESOLVE);
	if (libnet_build_ipv6(PB_TC, PB_FLOW, plen, next, PB_HLIM, s, d, NULL,
	                      0, l, 0) == -1)
		die(l, "ipv6");
}

uint8_t *
pb_eth_ip4_tcp(const char *src, const char *dst, uint16_t sport, uint16_t dport,
               uint8_t flags, uint32_t *len)
{
	libnet_t *l = pb_begin();

	pb_tcp(l, sport, dport, flags, 0);
	pb_ipv4(l, IPPROTO_TCP, src, dst, LIBNET_TCP_H, 1, 0);
	pb_eth(l, ETHERTYPE_IP);
	return pb_finish(l, len);
}

uint8_t *
pb_eth_ip4_udp(const char *src, const char *dst, uint16_t sport, uint16_t dport,
               const void *payload, uint32_t plen, uint32_t *len)
{
	libnet_t *l = pb_begin();

	pb_udp(l, sport, dport, payload, plen);
	pb_ipv4(l, IPPROTO_UDP, src, dst, (uint16_t)(LIBNET_UDP_H + plen), 1,
	        0);
	pb_eth(l, ETHERTYPE_IP);
	return pb_finish(l, len);
}

uint8_t *
pb_ip4_tcp(const char *src, const char *dst, uint16_t sport, uint16_t dport,
           uint8_t flags, uint32_t *len)
{
	libnet_t *l = pb_begin();

	pb_tcp(l, sport, dport, flags, 0);
	pb_ipv4(l, IPPROTO_TCP, src, dst, LIBNET_TCP_H, 1, 0);
	return pb_finish(l, len);
}

uint8_t *
pb_ip6_udp(const char *src, const char *dst, uint16_t sport, uint16_t dport,
           uint32_t *len)
{
	libnet_t *l = pb_begin();

	pb_udp(l, sport, dport, NULL, 4);
	pb_ipv6(l, IPPROTO_UDP, src, dst, LIBNET_UDP_H + 4);
	return pb_finish(l, len);
}
