/*
 * IPFIX encoder (RFC 7011, information elements of RFC 7012). Pure: no
 * sockets, no clock, no globals.
 *
 * Message: 16-byte header; when due, a Template Set (id 2) with the IPv4
 * (256) and IPv6 (257) templates and an Options Template Set (id 3) with
 * exporting-process statistics (258), sampling (259) and interface names
 * (260, only if names are configured), followed by their options data
 * records; then Data Sets. The sequence number counts the data records
 * (options records included) sent before the message (RFC 7011 §3.1).
 *
 * Over UDP the templates ride in the messages themselves (tmpl_inline):
 * first message, then every refresh_packets messages and every
 * refresh_secs seconds (RFC 7011 §8.4). Over TCP or into a file they are
 * written once per connection or file, by ipfix_templates(); the options
 * data records still follow the refresh schedule.
 */
#ifndef TAPFLOW_IPFIX_H
#define TAPFLOW_IPFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/flowrec.h"
#include "fields.h"
#include "wbuf.h"

#define IPFIX_VERSION            10
#define IPFIX_HDR_LEN            16
#define IPFIX_SET_TEMPLATE       2
#define IPFIX_SET_OPT_TEMPLATE   3
#define IPFIX_SET_HDR_LEN        4 /* set id, length */
#define IPFIX_MAX_IF             16
#define IPFIX_IFNAME_MAX         32 /* longer names are cut */
#define IPFIX_SAMP_DETERMINISTIC 1  /* samplingAlgorithm: deterministic */

struct ipfix_params {
	uint32_t domain_id;       /* observation domain id */
	uint32_t sampling;        /* 1 in N; 1 = every packet */
	uint32_t refresh_packets; /* 0: no refresh by count */
	uint32_t refresh_secs;    /* 0: no refresh by time */
	int time_unit;            /* enum exp_time_unit: 0 ms, 1 us, 2 ns */
	bool tmpl_inline;         /* UDP: templates inside the messages */
	int n_if;                 /* interface names for template 260 */
	uint32_t if_index[IPFIX_MAX_IF];
	char if_name[IPFIX_MAX_IF][IPFIX_IFNAME_MAX + 1];
};

/* The message being built. */
struct ipfix_msg {
	bool open;
	uint16_t n_data; /* data records in it (options records included) */
	uint16_t n_tmpl; /* template records in it */
	uint16_t set_id; /* open Data Set, 0 if none */
	size_t set_off;
};

struct ipfix_state {
	struct ipfix_params p;
	const struct fld_tmpl *t4; /* data templates for p.time_unit */
	const struct fld_tmpl *t6;

	uint32_t seq; /* data records in messages closed so far (wraps) */

	/* exporting-process statistics (RFC 7011 §4.3), messages closed */
	uint64_t msgs;
	uint64_t octets;
	uint64_t flow_records;
	/* metering-process figures the caller sets (capture) */
	uint64_t pkts_seen;
	uint64_t pkts_dropped;

	/* template / options schedule */
	bool tmpl_sent;
	bool tmpl_force;
	uint64_t tmpl_last_ns;
	uint32_t pkts_since_tmpl;

	/* data templates beyond the base pair, announced when a record
	   first needed them and re-sent with them since: bit kind * 2 +
	   (family == 6), enum fld_kind (issue 9) */
	uint16_t ext_known;

	/* the message being built (the exporter keeps one per address
	   family and swaps it in: see exporter.c) */
	struct ipfix_msg m;

	uint64_t tmpl_msgs; /* messages that carried templates or options */
};

/* Set up; returns 0, or -1 if max_packet can't hold the templates, the
 * options and one record, or a parameter is out of range. */
int ipfix_init(struct ipfix_state *st, const struct ipfix_params *p,
               size_t max_packet);

/* True if the next message begun at now_ns carries templates/options. */
bool ipfix_tmpl_due(const struct ipfix_state *st, uint64_t now_ns);

/* Make the next message carry them. */
void ipfix_force_templates(struct ipfix_state *st);

/* Start a message in w (emptied): header, then templates/options if due. */
void ipfix_begin(struct ipfix_state *st, uint64_t now_ns, struct wbuf *w);

/*
 * Append r's data record, opening a Data Set for its family when needed.
 * ENC_FULL: no room; close, begin another and add r again. ENC_SKIPPED:
 * family neither 4 nor 6.
 */
enum enc_add ipfix_add(struct ipfix_state *st, const struct flow_record *r,
                       struct wbuf *w);

/*
 * As ipfix_add(), always by the general path: the kind, the template
 * table and the room for an announcement, then fld_write_record(). It is
 * what ipfix_add() does for a record with extensions (FLD_EXT_IPFIX), and
 * the reference its base-record path must match (a unit test compares
 * the two over random records and message sizes).
 */
enum enc_add ipfix_add_general(struct ipfix_state *st,
                               const struct flow_record *r, struct wbuf *w);

/*
 * Would a (base) record of this family still fit in the open message?
 * Inline: the exporter asks after every record it adds.
 */
static inline bool
ipfix_fits(const struct ipfix_state *st, uint8_t family, const struct wbuf *w)
{
	const struct fld_tmpl *t;
	size_t need;

	if (family == 4)
		t = st->t4;
	else if (family == 6)
		t = st->t6;
	else
		return false;
	if (!st->m.open || st->m.n_data == 0xffff)
		return false;
	need = t->rec_len;
	if (st->m.set_id != t->tmpl_id)
		need += IPFIX_SET_HDR_LEN;
	return wb_has(w, need);
}

/*
 * Close the message: close the open set, fill the header (length, export
 * time = seconds of now_ns, sequence, domain). Returns the records
 * (template and data) in it; 0 means nothing to send (w->len 0).
 */
size_t ipfix_end(struct ipfix_state *st, uint64_t now_ns, struct wbuf *w);

/*
 * A whole message holding only the Template Set and the Options Template
 * Set, for the start of a TCP connection or a file. It carries no data
 * record, so its sequence number is that of the message that follows it:
 * seq, which is st->seq unless a closed message is about to go out first
 * (then that message's own). Any open message is left alone (w must be
 * another buffer). Returns w->len, 0 if it didn't fit.
 */
size_t ipfix_templates(const struct ipfix_state *st, uint64_t now_ns,
                       uint32_t seq, struct wbuf *w);

/* One whole message of recs[0..n): returns how many were consumed. */
size_t ipfix_encode(struct ipfix_state *st, const struct flow_record *recs,
                    size_t n, uint64_t now_ns, struct wbuf *w);

#endif
