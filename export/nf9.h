/*
 * NetFlow v9 encoder (RFC 3954). Pure: no sockets, no clock, no globals.
 *
 * Packet: 20-byte header; when templates are due, a Template FlowSet (id 0)
 * with the IPv4 (256) and IPv6 (257) templates, an Options Template FlowSet
 * (id 1) with the sampling options template (258) and its data record;
 * then Data FlowSets, padded to 4 bytes. The header's count is the number
 * of records of every kind (RFC 3954 §5.1); the sequence number counts
 * export packets. Templates go into the first packet, then every
 * refresh_packets packets and every refresh_secs seconds.
 */
#ifndef TAPFLOW_NF9_H
#define TAPFLOW_NF9_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/flowrec.h"
#include "fields.h"
#include "wbuf.h"

#define NF9_VERSION            9
#define NF9_HDR_LEN            20
#define NF9_SET_TEMPLATE       0
#define NF9_SET_OPTIONS        1
#define NF9_TMPL_OPT_SAMP      258
#define NF9_SAMP_DETERMINISTIC 1 /* SAMPLING_ALGORITHM: 1 deterministic */

struct nf9_params {
	uint32_t source_id;
	uint32_t sampling;        /* 1 in N; 1 = every packet */
	uint32_t refresh_packets; /* 0: no refresh by count */
	uint32_t refresh_secs;    /* 0: no refresh by time */
};

/* The packet being built. */
struct nf9_msg {
	bool open;
	uint16_t count;  /* records of every kind in it */
	uint16_t set_id; /* open data FlowSet, 0 if none */
	size_t set_off;  /* offset of its header */
};

struct nf9_state {
	struct nf9_params p;

	bool booted; /* the exporter boots at the first `now` given, cut to
	                a whole second (see nf9_begin) */
	struct fld_ctx ctx; /* ctx.boot_ns: that boot, for the getters */

	uint32_t sequence; /* packets closed so far (wraps at 2^32) */

	/* template schedule */
	bool tmpl_sent;
	bool tmpl_force;
	uint64_t tmpl_last_ns;
	uint32_t pkts_since_tmpl;

	/* data templates beyond the base pair, announced when a record
	   first needed them and re-sent with them since: bit kind * 2 +
	   (family == 6), enum fld_kind (issue 9) */
	uint16_t ext_known;

	/* the packet being built (the exporter keeps one per address
	   family and swaps it in: see exporter.c) */
	struct nf9_msg m;

	/* counters */
	uint64_t records;      /* flow data records written */
	uint64_t packets;      /* packets closed */
	uint64_t tmpl_packets; /* packets that carried the templates */
};

/* Set up; returns 0, or -1 if max_packet can't hold the templates and a
 * record (the caller's wbuf capacity is max_packet). */
int nf9_init(struct nf9_state *st, const struct nf9_params *p,
             size_t max_packet);

/* True if the next packet begun at now_ns will carry the templates. */
bool nf9_tmpl_due(const struct nf9_state *st, uint64_t now_ns);

/* Make the next packet carry the templates. */
void nf9_force_templates(struct nf9_state *st);

/* Start a packet in w (emptied): the header, then the templates if due. */
/* As nf5_set_boot(): sysUptime 0 at boot_ns cut to a whole second. */
void nf9_set_boot(struct nf9_state *st, uint64_t boot_ns);

void nf9_begin(struct nf9_state *st, uint64_t now_ns, struct wbuf *w);

/*
 * Append r's data record (whole or not at all), opening a Data FlowSet for
 * its family when needed. ENC_FULL: no room (padding counted); close the
 * packet, begin another and add r again. ENC_SKIPPED: family not 4 or 6.
 */
enum enc_add nf9_add(struct nf9_state *st, const struct flow_record *r,
                     struct wbuf *w);

/*
 * As nf9_add(), always by the general path: the kind, the template table,
 * need_for() and fld_write_record(). It is what nf9_add() does for a
 * record with extensions (FLD_EXT_NF9), and the reference its base-record
 * path must match (a unit test compares the two over random records and
 * packet sizes).
 */
enum enc_add nf9_add_general(struct nf9_state *st, const struct flow_record *r,
                             struct wbuf *w);

/* Would a record of this family (4 or 6) still fit in the open packet? */
bool nf9_fits(const struct nf9_state *st, uint8_t family, const struct wbuf *w);

/*
 * Close the packet: pad and close the open FlowSet, fill the header
 * (count, sysUptime and Unix seconds of now_ns, sequence, source id).
 * Returns the packet's record count; 0 means nothing to send (w->len 0).
 */
size_t nf9_end(struct nf9_state *st, uint64_t now_ns, struct wbuf *w);

/* One whole packet of recs[0..n): returns how many were consumed. */
size_t nf9_encode(struct nf9_state *st, const struct flow_record *recs,
                  size_t n, uint64_t now_ns, struct wbuf *w);

#endif
