/*
 * Shared by the encoder suites (test_nf5, test_nf9, test_ipfix): byte
 * builders for the hand-written packets, the clock (boot 1700000000 s =
 * 0x6553f100), and the three flows every suite encodes (IPv4 TCP, ICMP
 * echo, IPv6 UDP).
 */
#ifndef TAPFLOW_EXPTEST_H
#define TAPFLOW_EXPTEST_H

#include <stdint.h>
#include <string.h>

#include "../../common/flowrec.h"

#define B16(v)     (uint8_t)((v) >> 8 & 0xff), (uint8_t)((v)&0xff)
#define B32(v)     B16((v) >> 16), B16((v)&0xffff)
#define B64(v)     B32((uint64_t)(v) >> 32), B32((uint64_t)(v)&0xffffffffu)
#define F(id, len) B16(id), B16(len) /* template field: type, length */

#define SEC     1000000000ull
#define MS      1000000ull
#define BOOT_NS (1700000000ull * SEC)
#define SEND_NS (BOOT_NS + 3 * SEC + 123456) /* uptime 3000 ms */

/* xorshift64: the same records on every run */
static inline uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A 64-bit value of any magnitude, the edges now and then. */
static inline uint64_t
rnd_wide(uint64_t *s)
{
	uint64_t v = rnd(s);

	switch (v % 16) {
	case 0:
		return 0;
	case 1:
		return UINT64_MAX;
	case 2:
		return 0xffffffffull + (v >> 60); /* around 2^32 */
	default:
		return rnd(s) >> (v >> 58); /* 0 to 63 bits */
	}
}

/* Every field random, the ext ones too (the base templates ignore them). */
static inline void
rnd_record(uint64_t *s, struct flow_record *r)
{
	static const uint8_t protos[] = {1, 58, 6, 17};
	uint64_t x = rnd(s), y = rnd(s);
	size_t i;

	for (i = 0; i < sizeof(*r); i++)
		((uint8_t *)r)[i] = (uint8_t)rnd(s);
	r->family = x & 1 ? 6 : 4;
	/* ICMP and ICMPv6 often, to take both sides of put_icmp* */
	r->proto = (x >> 1) % 3 != 0 ? protos[(x >> 3) % 4] : (uint8_t)(x >> 8);
	r->packets = rnd_wide(s);
	r->octets = rnd_wide(s);
	r->first_ns = rnd_wide(s);
	r->last_ns = y % 4 == 0 ? rnd_wide(s) : r->first_ns + (rnd(s) >> 20);
	r->end_reason = (uint8_t)(1 + (y >> 2) % 5);
}

/*
 * For an encoder's base-record path against its general one: a random
 * record, mostly a base one (ext 0, or only bits no template looks at)
 * of either family, so that the sets alternate at random; now and then
 * one with extensions of any kind, or of no family at all (skipped).
 */
static inline void
rnd_mixed_record(uint64_t *s, struct flow_record *r)
{
	static const uint8_t bad_family[] = {0, 5, 255};
	uint64_t x;

	rnd_record(s, r);
	x = rnd(s);
	switch (x % 16) {
	case 0: /* anything */
		r->ext = (uint8_t)(x >> 8);
		break;
	case 1: /* link, tunnel and biflow in every combination */
		r->ext = (uint8_t)((x >> 8) &
		                   (FLOWREC_EXT_LINK | FLOWREC_EXT_TUNNEL |
		                    FLOWREC_EXT_BIFLOW));
		break;
	case 2: /* only the biflow bit: a base record for v9 */
		r->ext = FLOWREC_EXT_BIFLOW;
		break;
	case 3: /* only bits no template looks at: a base record */
		r->ext = (uint8_t)((x >> 8) | 0x80) &
		         (uint8_t) ~(FLOWREC_EXT_LINK | FLOWREC_EXT_TUNNEL |
		                     FLOWREC_EXT_BIFLOW);
		break;
	default:
		r->ext = 0;
		break;
	}
	if ((x >> 16) % 64 == 0)
		r->family = bad_family[(x >> 24) % 3];
}

static inline struct flow_record
rec_tcp4(void)
{
	struct flow_record r;

	memset(&r, 0, sizeof(r));
	r.family = 4;
	r.proto = 6;
	r.tos = 0x10;
	memcpy(r.src, "\x0a\x00\x00\x01", 4);
	memcpy(r.dst, "\xc0\xa8\x01\x02", 4);
	r.sport = 12345;
	r.dport = 80;
	r.ifindex = 3;
	r.vlan = 100;
	r.packets = 10;
	r.octets = 1500;
	r.first_ns = BOOT_NS + 1500 * MS;
	r.last_ns = BOOT_NS + 2250 * MS;
	r.tcp_flags = 0x1b;
	r.ttl_min = 60;
	r.ttl_max = 64;
	r.end_reason = FLOW_END_EOF;
	return r;
}

static inline struct flow_record
rec_icmp4(void)
{
	struct flow_record r;

	memset(&r, 0, sizeof(r));
	r.family = 4;
	r.proto = 1;
	memcpy(r.src, "\x0a\x00\x00\x01", 4);
	memcpy(r.dst, "\x0a\x00\x00\x02", 4);
	r.dport = 8 * 256;
	r.ifindex = 3;
	r.packets = 1;
	r.octets = 84;
	r.first_ns = BOOT_NS + 2000 * MS;
	r.last_ns = BOOT_NS + 2000 * MS;
	r.ttl_min = 64;
	r.ttl_max = 64;
	r.end_reason = FLOW_END_IDLE;
	return r;
}

static inline struct flow_record
rec_udp6(void)
{
	struct flow_record r;

	memset(&r, 0, sizeof(r));
	r.family = 6;
	r.proto = 17;
	r.src[0] = 0x20;
	r.src[1] = 0x01;
	r.src[2] = 0x0d;
	r.src[3] = 0xb8;
	r.src[15] = 1;
	memcpy(r.dst, r.src, 16);
	r.dst[15] = 2;
	r.sport = 5353;
	r.dport = 53;
	r.ifindex = 3;
	r.packets = 2;
	r.octets = 200;
	r.first_ns = BOOT_NS + 2500 * MS;
	r.last_ns = BOOT_NS + 2600 * MS;
	r.ttl_min = 255;
	r.ttl_max = 255;
	r.end_reason = FLOW_END_ACTIVE;
	return r;
}

#define V6_SRC 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
#define V6_DST 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2

#endif
