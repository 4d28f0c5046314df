/*
 * Fragment cache: later fragments carry no transport header, so they take
 * the ports of their datagram's first fragment, keyed by (src, dst, proto,
 * fragment id). Fixed size, allocated once; old entries are overwritten.
 */
#ifndef TAPFLOW_FRAG_H
#define TAPFLOW_FRAG_H

#include <stdint.h>

#include "pkt.h"

struct frag_cache;

/* Create a cache of `entries` slots (rounded up to a power of two). */
struct frag_cache *frag_create(uint32_t entries);
void frag_destroy(struct frag_cache *fc);

/*
 * For a fragment (m->is_frag): a first fragment records its ports and flags;
 * a later one gets the ports of its first fragment if seen (returns 1), or
 * keeps ports 0 (returns 0; the caller counts DEC_DROP_FRAG_NO_FIRST).
 * Non-fragments are left alone (returns 1). Entries expire after
 * timeout_ns of m->ts_ns.
 */
int frag_resolve(struct frag_cache *fc, struct pkt_meta *m);

/* What the cache did since frag_create(). */
struct frag_stats {
	uint64_t stored;  /* first fragments recorded */
	uint64_t hits;    /* later fragments given their ports */
	uint64_t misses;  /* later fragments with no first seen (or expired) */
	uint64_t evicted; /* live entries overwritten: their set was full */
};

/* Copy the counters into *st. */
void frag_get_stats(const struct frag_cache *fc, struct frag_stats *st);

#endif
