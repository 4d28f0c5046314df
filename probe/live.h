/*
 * The live capture engine (issue 6): --workers N threads capture every -i
 * interface together through PACKET_FANOUT (PACKET_FANOUT_HASH: the
 * kernel's symmetric flow hash sends all packets of a 5-tuple, both ways,
 * to one worker). Each worker owns one pcap handle per interface and one
 * struct probe (decoders, fragment cache, flow table, counters): nothing
 * is shared or locked on the packet path.
 *
 * Export: one exporting process. Expired flows leave each worker through
 * its own single-producer single-consumer ring of flow records and are
 * handed, on the thread that runs live_run(), to the one flow sink (the
 * JSON lines file and the exporter). So there is one observation domain
 * (--source-id), one template state and one sequence number per RFC 3954
 * / RFC 7011, and one JSON file. A full ring makes its worker wait (its
 * capture ring then absorbs the burst, and overflows are counted as
 * kernel drops): flows are never lost between worker and exporter.
 *
 * Capacity: each worker's flow table holds ceil(--max-flows / N) flows,
 * so memory stays what --max-flows says; the hash spreads flows evenly
 * enough that a worker fills up only when the whole probe nearly would.
 *
 * Limits of the kernel's hash: IP fragments hash on addresses only, so a
 * 5-tuple whose packets are sometimes fragmented can be counted by two
 * workers (two records for one key); with --decap the outer headers
 * choose the worker.
 *
 * Counters: each worker publishes a snapshot of its counters and its
 * handles' pcap_stats() every 100 ms and after each request; the totals
 * are their sums (the interface drop counter, the same for every handle
 * of an interface, is taken from worker 0 only).
 */
#ifndef TAPFLOW_LIVE_H
#define TAPFLOW_LIVE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/config.h"
#include "../common/flowrec.h"
#include "probe.h"

/* Flow records in flight per worker (power of two). */
#define LIVE_RING_RECORDS 8192
/* Packets per pcap_dispatch() call. */
#define LIVE_BATCH 512
/* Worker snapshot period and longest sleep of every loop (ms). */
#define LIVE_SNAP_MS 100
/* At most one drop warning per this many seconds. */
#define LIVE_DROP_LOG_SECS 10

struct live_totals {
	struct probe_stats st;    /* summed over workers */
	struct flowtab_stats fs;  /* summed over workers */
	uint64_t mem_bytes;       /* flow tables */
	uint64_t pcap_recv;       /* pcap_stats ps_recv, summed */
	uint64_t pcap_drop;       /* ps_drop: kernel ring full, summed */
	uint64_t pcap_ifdrop;     /* ps_ifdrop: interface, worker 0's */
	uint64_t ring_full_waits; /* a worker waited for the exporter */
	int workers;
};

struct live_hooks {
	/* every expired flow, on live_run()'s thread */
	flow_sink_fn flow;
	/*
	 * Called on live_run()'s thread at least every LIVE_SNAP_MS ms and
	 * when fd_wake is readable, with the wall clock (ns since the epoch):
	 * exporter timers, the control socket, signal flags. It may call the
	 * live_* requests below.
	 */
	void (*tick)(void *ctx, uint64_t now_ns);
	void *ctx;
	int fd_wake; /* e.g. the control socket; -1 for none */
};

struct live;

/*
 * Open cfg->workers handles on each of cfg->ifaces (cfg->buffer_bytes of
 * ring each, -B), join them in one fanout group per interface, make each
 * worker's probe from dec and ftc (max_flows split as above). Call it
 * before daemon() and privilege drop: no thread starts here. NULL and err
 * on failure (nothing left open).
 */
struct live *live_create(const struct config *cfg, const struct dec_config *dec,
                         const struct flowtab_config *ftc, char *err,
                         size_t errlen);

/*
 * Start the workers and serve them until *stop becomes non-zero (signal
 * handler) or a capture fails (interface gone). Then stop the workers,
 * expire every flow with FLOW_END_FORCED into hooks->flow, publish the
 * final counters and call hooks->tick once more. Signals are blocked in
 * the workers, so they reach this thread. Returns 0, or -1 if a capture
 * failed.
 */
int live_run(struct live *lv, const struct live_hooks *hooks,
             volatile sig_atomic_t *stop);

/* The counters, summed as described above (any time after create). */
void live_totals(struct live *lv, struct live_totals *t);

/*
 * One JSON object per worker: its packet and flow counters and its
 * handles' pcap_received, pcap_dropped, pcap_ifdropped. New reference.
 */
struct json_t *live_workers_json(struct live *lv);

/*
 * Requests, from live_run()'s thread (inside hooks->tick): each worker in
 * turn runs it between two packet batches while this thread waits and
 * keeps draining the rings.
 * live_foreach_flow: fn(ctx, rec) for each active flow of each worker (on
 * that worker's thread, one at a time).
 * live_expire_all: expire every flow with reason; the flows have reached
 * hooks->flow when it returns.
 * live_delete_all: drop every flow unexported; returns how many.
 */
void live_foreach_flow(struct live *lv, flow_sink_fn fn, void *ctx);
void live_expire_all(struct live *lv, enum flow_end_reason reason);
uint64_t live_delete_all(struct live *lv);

/* Close the handles, free the probes. NULL is accepted. */
void live_destroy(struct live *lv);

#endif
