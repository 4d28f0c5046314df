/*
 * The write cursor for export packets: the mirror of the packet cursor in
 * probe/pkt.h. Every put checks room first and leaves the buffer unchanged
 * when it fails. An encoder checks wb_has(w, record_len) before the first
 * put of a record, so a packet never holds half a record; lengths that are
 * only known when a set or message closes are reserved with wb_mark() and
 * filled with wb_patch_be16().
 */
#ifndef TAPFLOW_WBUF_H
#define TAPFLOW_WBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/bytes.h"

/* What an encoder did with one flow record. */
enum enc_add {
	ENC_ADDED = 0, /* written (all of it) */
	ENC_SKIPPED =
	    1,        /* the format can't carry it; counted, nothing written */
	ENC_FULL = 2, /* no room: close the packet, start one, add it again */
};

struct wbuf {
	uint8_t *base; /* caller's buffer, not owned */
	size_t cap;    /* bytes usable at base */
	size_t len;    /* bytes written so far */
};

static inline void
wb_init(struct wbuf *w, uint8_t *base, size_t cap)
{
	w->base = base;
	w->cap = cap;
	w->len = 0;
}

/* Room for n more bytes? Compare lengths: len <= cap always holds. */
static inline bool
wb_has(const struct wbuf *w, size_t n)
{
	return n <= w->cap - w->len;
}

static inline size_t
wb_room(const struct wbuf *w)
{
	return w->cap - w->len;
}

/* Offset of the next byte, for a later wb_patch_*() or wb_rewind(). */
static inline size_t
wb_mark(const struct wbuf *w)
{
	return w->len;
}

/* Drop everything written after mark (a record that turned out not to fit). */
static inline void
wb_rewind(struct wbuf *w, size_t mark)
{
	if (mark < w->len)
		w->len = mark;
}

static inline bool
wb_u8(struct wbuf *w, uint8_t v)
{
	if (!wb_has(w, 1))
		return false;
	w->base[w->len++] = v;
	return true;
}

static inline bool
wb_be16(struct wbuf *w, uint16_t v)
{
	if (!wb_has(w, 2))
		return false;
	st_be16(w->base + w->len, v);
	w->len += 2;
	return true;
}

static inline bool
wb_be32(struct wbuf *w, uint32_t v)
{
	if (!wb_has(w, 4))
		return false;
	st_be32(w->base + w->len, v);
	w->len += 4;
	return true;
}

static inline bool
wb_be64(struct wbuf *w, uint64_t v)
{
	if (!wb_has(w, 8))
		return false;
	st_be64(w->base + w->len, v);
	w->len += 8;
	return true;
}

static inline bool
wb_bytes(struct wbuf *w, const void *src, size_t n)
{
	if (!wb_has(w, n))
		return false;
	if (n > 0)
		memcpy(w->base + w->len, src, n);
	w->len += n;
	return true;
}

static inline bool
wb_zero(struct wbuf *w, size_t n)
{
	if (!wb_has(w, n))
		return false;
	if (n > 0)
		memset(w->base + w->len, 0, n);
	w->len += n;
	return true;
}

/*
 * Take n bytes that the caller writes every one of before anything reads
 * them; NULL if there is no room.
 */
static inline uint8_t *
wb_take_raw(struct wbuf *w, size_t n)
{
	uint8_t *p;

	if (!wb_has(w, n))
		return NULL;
	p = w->base + w->len;
	w->len += n;
	return p;
}

/*
 * Take n bytes to fill by hand (st_be* at fixed offsets); NULL if there is
 * no room. The bytes are zeroed first.
 */
static inline uint8_t *
wb_take(struct wbuf *w, size_t n)
{
	uint8_t *p = wb_take_raw(w, n);

	if (p != NULL)
		memset(p, 0, n);
	return p;
}

/* Fill a length reserved earlier; off + 2 must lie inside what was written. */
static inline void
wb_patch_be16(struct wbuf *w, size_t off, uint16_t v)
{
	if (off <= w->len && 2 <= w->len - off)
		st_be16(w->base + off, v);
}

static inline void
wb_patch_be32(struct wbuf *w, size_t off, uint32_t v)
{
	if (off <= w->len && 4 <= w->len - off)
		st_be32(w->base + off, v);
}

#endif
