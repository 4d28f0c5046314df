/*
 * Replay of capture files in batches (issue 8): the packets of a batch of
 * REPLAY_BATCH packets read are decoded (probe_decode) into an array, and
 * the caller accounts them in place with probe_account_batch() on the
 * same probe; the prefetching pipeline runs
 * over the array, without copying each packet into the probe's ring. The
 * flows, their order and the clock they are exported with are those of
 * probe_packet() and probe_flush() at every batch's end.
 *
 * (A reader thread that decoded the next batches on the other core was
 * measured: no gain in wall time, 1.6-2x the CPU time; see bench/README.)
 */
#ifndef TAPFLOW_REPLAY_H
#define TAPFLOW_REPLAY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "capfile.h"
#include "filter.h"
#include "probe.h"

#define REPLAY_BATCH 512 /* packets read between timer and control checks */

struct replay_batch {
	uint64_t filtered;   /* packets the filter refused, all so far */
	uint64_t boot_ns;    /* the first packet's second, if has_boot */
	bool has_boot;       /* the first packet of the replay is here */
	int file;            /* index of the file read */
	long long offset;    /* bytes of it consumed after this batch */
	int end;             /* 0: more follows; 1: clean end; -1: damage */
	uint64_t ts_invalid; /* end != 0: timestamps the file clamped */
	char err[512];       /* end == -1: what and where */
	uint32_t n;          /* entries to account */
	struct probe_pending e[REPLAY_BATCH];
};

struct replay;

/*
 * Take the n_files open files (closed as they end, or by replay_destroy;
 * their entries in files are set to NULL then) and the filter (still the
 * caller's to destroy, after replay_destroy). pr: the probe that decodes
 * the batches, each to be accounted on it before the next is asked for.
 * *stop (a signal flag): no batch after it is set. NULL and err on
 * failure (the files are then still the caller's).
 */
struct replay *replay_create(struct capfile **files, int n_files,
                             struct bpf_set *filt, struct probe *pr,
                             const volatile sig_atomic_t *stop, char *err,
                             size_t errlen);

/*
 * The next batch in file order, valid until the next call; NULL when
 * every file is read or *stop.
 */
struct replay_batch *replay_next(struct replay *rp);

/* Close the files still open, free everything. */
void replay_destroy(struct replay *rp);

#endif
