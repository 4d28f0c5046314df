/*
 * An encoder's base-record path against its general path (test_nf9,
 * test_ipfix): two states of one encoder take the same random records,
 * one through add, the other through add_general; every add's result and
 * length, the room left for either family, and every message ended (now
 * and then early) must agree byte for byte. Include after check.h,
 * exptest.h and the encoder's header.
 */
#ifndef TAPFLOW_ENCPAIR_H
#define TAPFLOW_ENCPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../export/wbuf.h"

struct enc_pair {
	void *st[2]; /* [0] takes add[0] (fast), [1] add[1] (general) */
	enum enc_add (*add[2])(void *st, const struct flow_record *r,
	                       struct wbuf *w);
	bool (*fits)(const void *st, uint8_t family, const struct wbuf *w);
	void (*begin)(void *st, uint64_t now_ns, struct wbuf *w);
	size_t (*end)(void *st, uint64_t now_ns, struct wbuf *w);
	uint8_t fast_ext; /* ext bits that leave the base path */
	uint8_t *buf[2];
	size_t max; /* message size */
};

/* The first difference between the two paths' messages, or -1. */
static inline long
enc_pair_diff(const uint8_t *a, const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

static inline void
enc_pair_add(const struct enc_pair *e, const struct flow_record *r,
             struct wbuf w[2], enum enc_add a[2])
{
	int k;

	for (k = 0; k < 2; k++)
		a[k] = e->add[k](e->st[k], r, &w[k]);
}

/*
 * One run: n records from *s, starting at now (both states initialised,
 * nothing begun). Returns the messages compared; *fast counts the
 * records the base path could take.
 */
static inline unsigned
enc_pair_run(const struct enc_pair *e, uint64_t *s, uint64_t now, unsigned run,
             unsigned n, unsigned *fast)
{
	struct wbuf w[2];
	unsigned i, msgs = 0;
	size_t cnt[2];
	int k;

	for (k = 0; k < 2; k++) {
		wb_init(&w[k], e->buf[k], e->max);
		e->begin(e->st[k], now, &w[k]);
	}
	for (i = 0; i < n; i++) {
		struct flow_record r;
		enum enc_add a[2];
		long d;

		rnd_mixed_record(s, &r);
		*fast += (r.ext & e->fast_ext) == 0 &&
		         (r.family == 4 || r.family == 6);
		enc_pair_add(e, &r, w, a);
		if (a[0] != a[1] || w[0].len != w[1].len ||
		    e->fits(e->st[0], 4, &w[0]) !=
		        e->fits(e->st[1], 4, &w[1]) ||
		    e->fits(e->st[0], 6, &w[0]) != e->fits(e->st[1], 6, &w[1]))
			ck_abort_msg("run %u record %u (family %u, ext %02x): "
			             "add %d/%d, length %zu/%zu",
			             run, i, r.family, r.ext, a[0], a[1],
			             w[0].len, w[1].len);
		if (a[0] != ENC_FULL && rnd(s) % 64 != 0)
			continue;
		for (k = 0; k < 2; k++)
			cnt[k] = e->end(e->st[k], now, &w[k]);
		d = enc_pair_diff(e->buf[0], e->buf[1], w[0].len);
		if (cnt[0] != cnt[1] || w[0].len != w[1].len || d >= 0)
			ck_abort_msg("run %u message %u: %zu/%zu records, "
			             "%zu/%zu bytes, first difference at %ld",
			             run, msgs, cnt[0], cnt[1], w[0].len,
			             w[1].len, d);
		msgs++;
		now += rnd(s) % (2 * SEC);
		for (k = 0; k < 2; k++)
			e->begin(e->st[k], now, &w[k]);
		if (a[0] != ENC_FULL)
			continue;
		enc_pair_add(e, &r, w, a);
		if (a[0] != a[1] || w[0].len != w[1].len)
			ck_abort_msg("run %u record %u again: add %d/%d, "
			             "length %zu/%zu",
			             run, i, a[0], a[1], w[0].len, w[1].len);
	}
	for (k = 0; k < 2; k++)
		cnt[k] = e->end(e->st[k], now, &w[k]);
	ck_assert_uint_eq(cnt[0], cnt[1]);
	ck_assert_uint_eq(w[0].len, w[1].len);
	ck_assert_mem_eq(e->buf[0], e->buf[1], w[0].len);
	return msgs + 1;
}

#endif
