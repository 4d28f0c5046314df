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
