/*
 * Flow table internals shared with its unit test only: an invariant
 * checker. Nothing on the packet path calls it.
 */
#ifndef TAPFLOW_FLOWTAB_INT_H
#define TAPFLOW_FLOWTAB_INT_H

#include <stddef.h>
#include <stdint.h>

#include "flowtab.h"

/* What flowtab_check() measured in the index. */
struct flowtab_check_info {
	uint64_t flows;        /* flows found in the queues */
	uint64_t displaced;    /* index entries not in their home slot */
	uint64_t max_displace; /* longest distance from home, in slots */
	uint64_t hot_bytes;    /* sizeof(struct flow) */
	uint64_t cold_bytes;   /* sizeof(struct flow_cold), 0 if not kept */
	uint64_t tun_bytes;    /* sizeof(struct flow_tun), 0 if not kept */
	uint64_t rev_bytes;    /* sizeof(struct flow_rev), 0 if not kept */
	uint64_t slots;        /* index slots */
};

/*
 * Walk the whole table and check its invariants: every queued flow is
 * reachable from its home slot without crossing an empty slot, every
 * index entry names a live flow with a matching tag, the queues are
 * doubly linked and sorted by deadline, the free stack and the live
 * flows add up to the capacity, flows_active matches. O(capacity).
 * Returns 0, or -1 with the first broken invariant in err. info may be
 * NULL.
 */
int flowtab_check(const struct flowtab *ft, struct flowtab_check_info *info,
                  char *err, size_t errlen);

#endif
