#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_SEC 1000000000ULL

struct replay {
	struct capfile **files;
	int n_files;
	int cur; /* file being read */
	struct bpf_set *filt;
	struct probe *pr; /* decodes, and accounts (the caller's) */
	uint64_t filtered;
	bool boot_done;

	const volatile sig_atomic_t *stop_flag;
	struct replay_batch b;
};

/* Read and decode up to REPLAY_BATCH packets; false if every file ended. */
static bool
fill(struct replay *rp, struct replay_batch *b)
{
	struct capfile_pkt pkt;
	struct capfile *cf;
	int i, rc = 1;

	if (rp->cur >= rp->n_files)
		return false;
	cf = rp->files[rp->cur];
	b->n = 0;
	b->end = 0;
	b->has_boot = false;
	b->file = rp->cur;
	for (i = 0; i < REPLAY_BATCH; i++) {
		rc = capfile_next(cf, &pkt, b->err, sizeof(b->err));
		if (rc != 1)
			break;
		/* no filter: no call per packet */
		if (rp->filt != NULL &&
		    !bpf_set_match(rp->filt, pkt.linktype, pkt.data, pkt.caplen,
		                   pkt.wirelen)) {
			rp->filtered++;
			continue;
		}
		if (!rp->boot_done) {
			/* v5/v9 uptime starts at the first packet's second */
			b->has_boot = true;
			b->boot_ns = (uint64_t)pkt.ts_sec * NS_PER_SEC;
			rp->boot_done = true;
		}
		/* pcapng: the interface id is the flow's input interface */
		if (probe_decode(rp->pr, &b->e[b->n], pkt.linktype, pkt.ts_sec,
		                 pkt.ts_nsec, pkt.if_id, pkt.data, pkt.caplen,
		                 pkt.wirelen))
			b->n++;
	}
	b->filtered = rp->filtered;
	b->offset = capfile_offset(cf);
	if (rc != 1) {
		b->end = rc < 0 ? -1 : 1;
		b->ts_invalid = capfile_stats(cf)->ts_invalid;
		capfile_close(cf);
		rp->files[rp->cur] = NULL;
		rp->cur++;
	}
	return true;
}

struct replay *
replay_create(struct capfile **files, int n_files, struct bpf_set *filt,
              struct probe *pr, const volatile sig_atomic_t *stop, char *err,
              size_t errlen)
{
	struct replay *rp = calloc(1, sizeof(*rp));

	if (rp == NULL) {
		(void)snprintf(err, errlen, "replay: out of memory");
		return NULL;
	}
	rp->pr = pr;
	rp->files = files;
	rp->n_files = n_files;
	rp->filt = filt;
	rp->stop_flag = stop;
	return rp;
}

struct replay_batch *
replay_next(struct replay *rp)
{
	if (*rp->stop_flag)
		return NULL;
	return fill(rp, &rp->b) ? &rp->b : NULL;
}

void
replay_destroy(struct replay *rp)
{
	int i;

	if (rp == NULL)
		return;
	for (i = rp->cur; i < rp->n_files; i++)
		capfile_close(rp->files[i]);
	for (i = 0; i < rp->n_files; i++)
		rp->files[i] = NULL;
	free(rp);
}
