/* Big-endian stores for building wire formats. Bounds are the caller's. */
#ifndef TAPFLOW_BYTES_H
#define TAPFLOW_BYTES_H

#include <stdint.h>

static inline void
st_be16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void
st_be32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static inline void
st_be64(uint8_t *b, uint64_t v)
{
	st_be32(b, (uint32_t)(v >> 32));
	st_be32(b + 4, (uint32_t)v);
}

static inline uint16_t
ld_be16(const uint8_t *b)
{
	return (uint16_t)((unsigned)b[0] << 8 | b[1]);
}

static inline uint32_t
ld_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static inline uint64_t
ld_be64(const uint8_t *b)
{
	return (uint64_t)ld_be32(b) << 32 | ld_be32(b + 4);
}

#endif
