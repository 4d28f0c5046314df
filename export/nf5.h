/*
 * NetFlow v5 and v1 encoder (Cisco's fixed layouts). Pure: no sockets, no
 * clock, no globals; the caller passes `now` and the output buffer.
 *
 * A packet is built in three steps: nf5_begin() reserves the header,
 * nf5_add() appends records, nf5_end() fills the header in. nf5_encode()
 * does all three for an array of records.
 */
#ifndef TAPFLOW_NF5_H
#define TAPFLOW_NF5_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/flowrec.h"
#include "wbuf.h"

#define NF5_HDR_LEN  24
#define NF5_REC_LEN  48
#define NF5_MAX_RECS 30 /* Cisco: at most 30 records per v5 packet */
#define NF1_HDR_LEN  16
#define NF1_REC_LEN  48
#define NF1_MAX_RECS 24

/* Largest value a v5/v1 32-bit counter can carry. */
#define NF5_COUNTER_MAX 0xffffffffu

struct nf5_state {
	/* set by nf5_init() */
	int version; /* 1 or 5 */
	uint8_t engine_type;
	uint8_t engine_id;
	uint16_t sampling_field; /* header: 2 bits mode, 14 bits interval */
	uint16_t max_recs;       /* per packet: format limit and max_packet */

	/* sysUptime origin: the first `now` nf5_begin() was given */
	bool booted;
	uint64_t boot_ns;

	uint32_t flow_sequence; /* records in packets closed so far (wraps) */

	/* the packet being built */
	bool open;
	uint16_t count;
	uint64_t split_done; /* pieces of the current record already written */

	/* counters */
	uint64_t records;      /* records written (a split flow counts each) */
	uint64_t packets;      /* packets closed with at least one record */
	uint64_t ipv6_skipped; /* flows v5/v1 can't carry */
	uint64_t split;        /* flows split because a counter passed 2^32-1 */
};

/*
 * Set up for version 1 or 5. max_packet (bytes of UDP payload) limits the
 * records per packet besides the format's own 30 (v5) or 24 (v1); sampling
 * is 1 in N (1 = all packets). Returns 0, or -1 if the version is neither
 * or max_packet can't hold one record.
 */
int nf5_init(struct nf5_state *st, int version, uint32_t max_packet,
             uint8_t engine_type, uint8_t engine_id, uint32_t sampling);

/* Start a packet in w (empty): reserves the header. */
/*
 * Set the exporter's boot (sysUptime 0) to boot_ns cut to a whole second,
 * unless already set; the first nf5_begin() sets it from its now_ns.
 * Flows that started before the boot get First = 0, so callers set it no
 * later than the first packet.
 */
void nf5_set_boot(struct nf5_state *st, uint64_t boot_ns);

void nf5_begin(struct nf5_state *st, uint64_t now_ns, struct wbuf *w);

/*
 * Append r. IPv6 flows are skipped (ENC_SKIPPED, counted in ipv6_skipped).
 * A packet or octet count above 2^32-1 is split over as many records as
 * it needs, the counts shared out evenly, never wrapped. ENC_FULL: the
 * packet has no room for (the rest of) r; close it, begin another and
 * pass the same r again, which resumes at the piece that didn't fit.
 */
enum enc_add nf5_add(struct nf5_state *st, const struct flow_record *r,
                     struct wbuf *w);

/* True when the open packet holds max_recs records. */
bool nf5_full(const struct nf5_state *st);

/*
 * Close the packet: fill the header (count, sysUptime and the Unix time
 * of now_ns, flow sequence). Returns the packet's records; with 0 the
 * packet must not be sent (w->len is reset to 0).
 */
size_t nf5_end(struct nf5_state *st, uint64_t now_ns, struct wbuf *w);

/*
 * One whole packet of the records recs[0..n): returns how many of them
 * were consumed (skipped ones included). Call again with the rest.
 * A flow split across the packet boundary is not consumed.
 */
size_t nf5_encode(struct nf5_state *st, const struct flow_record *recs,
                  size_t n, uint64_t now_ns, struct wbuf *w);

#endif
