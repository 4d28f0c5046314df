/*
 * The per-packet pipeline of one worker: decode -> fragment cache -> flow
 * table, with the counters for everything that happens on the way. Owns
 * its fragment cache and flow table; the expired flows go to the sink
 * given at creation.
 */
#ifndef TAPFLOW_PROBE_H
#define TAPFLOW_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "flowtab.h"
#include "frag.h"

struct probe_stats {
	uint64_t packets_seen;      /* frames handed to probe_packet() */
	uint64_t packets_unsampled; /* passed over by 1-in-N sampling */
	uint64_t bytes_seen;        /* their wire lengths */
	uint64_t packets_ip4; /* outer IPv4 header found (DEC_OK or bad) */
	uint64_t packets_ip6; /* outer IPv6 header found */
	uint64_t packets_accounted; /* went into a flow */
	uint64_t octets_accounted;  /* their IP lengths */
	uint64_t packets_skipped;   /* not IP (ARP, STP, ...) */
	uint64_t packets_bad;       /* IP but not accountable */
	uint64_t ts_backwards; /* timestamp earlier than the clock: clamped */
	uint64_t ts_invalid;   /* sub-second field >= 1e9 or negative */
	uint64_t drop[DEC_DROP_COUNT]; /* by reason (a packet counts once) */
};

/*
 * Decoded packets wait in a small ring so the flow table's memory can be
 * fetched ahead (issue 8): packet i's index slot is prefetched when it is
 * decoded, the flow that slot names PROBE_AHEAD_FLOW packets later, the
 * flow's expiry-queue neighbours PROBE_AHEAD_LINKS packets later, and the
 * packet is accounted PROBE_LAG packets later, or at probe_flush().
 */
#define PROBE_RING        16 /* a power of two > PROBE_LAG */
#define PROBE_AHEAD_FLOW  4
#define PROBE_AHEAD_LINKS 8
#define PROBE_LAG         12

struct probe_pending {
	struct pkt_meta m;
	struct flow_fullkey key; /* flowtab_key() of m */
	uint32_t hash;           /* and its hash */
	uint32_t hint;           /* flowtab_prefetch_flow()'s flow, or NIL */
};

struct probe {
	struct dec_config dec;
	struct frag_cache *frags;
	struct flowtab *ft;
	uint64_t now_ns;     /* the clock: packet time, never backwards */
	uint32_t sample_n;   /* -s N: account 1 packet in N (0, 1: all) */
	uint32_t sample_ctr; /* packets since the last one accounted */
	struct probe_stats st;
	uint32_t ring_head; /* next pending packet to account */
	uint32_t ring_tail; /* next free entry (both count, mod PROBE_RING) */
	struct probe_pending ring[PROBE_RING];
};

/* Create the fragment cache and flow table; -1 and err on failure. */
int probe_init(struct probe *pr, const struct dec_config *dec,
               const struct flowtab_config *ftc, flow_sink_fn sink, void *ctx,
               char *err, size_t errlen);
void probe_fini(struct probe *pr);

/*
 * The first half of probe_packet(): advance the clock, count, sample,
 * decode into e->m, resolve fragments, build e->key and e->hash. True if
 * the packet is to be accounted in a flow (then e is filled).
 */
bool probe_decode(struct probe *pr, struct probe_pending *e, int linktype,
                  int64_t ts_sec, int64_t ts_nsec, uint32_t ifindex,
                  const uint8_t *bytes, uint32_t caplen, uint32_t wirelen);

/*
 * The second half, for n entries that probe_decode() filled on this probe
 * in a row (every packet it was given since the last call, nothing else
 * in between): accounts them exactly as probe_packet() and probe_flush()
 * would have, with the clock each packet had then, and leaves the clock
 * where probe_decode() left it. e's hints are overwritten.
 */
void probe_account_batch(struct probe *pr, struct probe_pending *e, uint32_t n);

/*
 * One captured frame. ts_sec/ts_nsec are the capture timestamp (nanosecond
 * precision); ifindex is the input interface's index. The frame is decoded
 * and counted at once (bytes are not kept); its flow is updated up to
 * PROBE_LAG packets later, or by probe_flush(), probe_tick() or
 * probe_expire_all(), whichever comes first.
 */
void probe_packet(struct probe *pr, int linktype, int64_t ts_sec,
                  int64_t ts_nsec, uint32_t ifindex, const uint8_t *bytes,
                  uint32_t caplen, uint32_t wirelen);

/*
 * Advance the clock without a packet (live idle tick) and expire what is
 * due; the clock never goes backwards.
 */
void probe_tick(struct probe *pr, uint64_t now_ns);

/*
 * Account every decoded packet still pending in the flow table, so the
 * table (dump, statistics, delete) reflects all packets given so far.
 */
void probe_flush(struct probe *pr);

/*
 * Flush, then expire every flow with the given reason (end of replay,
 * shutdown...).
 */
void probe_expire_all(struct probe *pr, enum flow_end_reason reason);

#endif
