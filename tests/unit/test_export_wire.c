/*
 * What the exporter puts on the wire, checked from outside with only the
 * public API (export/exporter.h): a few thousand pseudo-random flows go
 * through exp_flow() to UDP sockets bound here on loopback, and every
 * datagram is decoded by this file's own parser, written from the specs
 * (RFC 7011 IPFIX, RFC 3954 NetFlow v9, Cisco's v5 layout) and walking the
 * templates that came on the wire, never the project's encoders. Checked,
 * one property per test, for IPFIX, v9 and v5 where it applies:
 *  - every record arrives exactly once;
 *  - sequence numbers in the order the datagrams arrive;
 *  - every data set's template arrived before it;
 *  - lengths and counts add up, no datagram above max_packet;
 *  - a record leaves within flush_ms (plus one 100 ms tick) of exp_flow();
 *  - two collectors get the same datagrams in the same order.
 * The socket is drained after every exporter call so that loopback never
 * drops (SO_RXQ_OVFL would tell, and a run with drops fails as invalid).
 */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../../common/bytes.h"
#include "../../common/flowrec.h"
#include "../../export/exporter.h"

#include "exptest.h"

#define N_RECS       3000
#define MAX_TMPL     64 /* template ids kept per stream */
#define MAX_FIELDS   64 /* fields per template */
#define DGRAM_CAP    65536
#define RCVBUF_BYTES (8 * 1024 * 1024)
#define TICK_NS      (100 * MS) /* the probe's idle tick */
#define SOURCE_ID    0x1234u    /* v9 source id, IPFIX observation domain */

/* RFC 7011 3.1, 3.3.2: the IPFIX message header and set ids. */
#define FIX_VERSION  10
#define FIX_HDR_LEN  16
#define FIX_SET_TMPL 2
#define FIX_SET_OPT  3
#define FIX_MIN_DATA 256
#define FIX_VARLEN   65535 /* RFC 7011 7 */
#define FIX_PEN_BIT  0x8000

/* RFC 3954 5.1, 5.2: the v9 header and FlowSet ids. */
#define NF9_VERSION  9
#define NF9_HDR_LEN  20
#define NF9_SET_TMPL 0
#define NF9_SET_OPT  1
#define NF9_MIN_DATA 256

/* Cisco's v5: 24-byte header, 48-byte records, at most 30 a packet. */
#define NF5_VERSION  5
#define NF5_HDR_LEN  24
#define NF5_REC_LEN  48
#define NF5_MAX_RECS 30

/* IANA IPFIX element ids; the v9 field types have the same numbers. */
#define IE_OCTETS  1
#define IE_PACKETS 2
#define IE_PROTO   4
#define IE_SPORT   7
#define IE_SRC4    8
#define IE_DPORT   11
#define IE_DST4    12
#define IE_SRC6    27
#define IE_DST6    28

enum prop {
	P_ONCE,    /* every record exactly once */
	P_SEQ,     /* sequence numbers in receive order */
	P_TMPL,    /* templates before their data */
	P_FRAME,   /* lengths, counts, max_packet */
	P_LATENCY, /* flush_ms bound */
	P_SAME,    /* the collectors got the same datagrams */
	P_COUNT
};

static const char *const prop_name[P_COUNT] = {
    "exactly once", "sequence", "templates first",
    "framing",      "latency",  "same datagrams",
};

struct tmpl {
	uint16_t id; /* 0: a free slot */
	bool options;
	uint16_t n;
	uint16_t type[MAX_FIELDS];
	uint16_t len[MAX_FIELDS]; /* FIX_VARLEN: variable */
	bool pen[MAX_FIELDS];     /* enterprise-specific: not read */
};

struct dgram {
	uint8_t *b;
	size_t len;
};

/* One collector: its socket, what it received and its decoder's state. */
struct coll {
	int fd;
	char port[16];
	struct tmpl tmpl[MAX_TMPL];
	bool have_seq;
	uint32_t next_seq;
	uint32_t kernel_drops; /* SO_RXQ_OVFL: must stay 0 */
	uint64_t flows;        /* flow records matched */
	struct dgram *dg;
	size_t n_dg, cap_dg;
	uint8_t *seen; /* per record: times received */
};

/* A flow record as read from the wire. */
#define W_SRC   0x01
#define W_DST   0x02
#define W_SPORT 0x04
#define W_DPORT 0x08
#define W_PROTO 0x10
#define W_PKTS  0x20
#define W_OCTS  0x40
#define W_ALL   0x7f

struct wflow {
	unsigned have; /* W_* */
	uint8_t family, dst_family;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t proto;
	uint64_t packets, octets;
};

struct feed {
	int version;
	uint32_t max_packet;
	int n_coll;
	bool slow; /* 10 or 60 ms a record, no exp_flush() until the end */
};

struct wire {
	struct feed f;
	struct coll c[2];
	struct flow_record rec[N_RECS];
	uint64_t given_ns[N_RECS]; /* when each went to exp_flow() */
	size_t n_given;
	size_t lat_next; /* first record not yet checked for latency */
	uint64_t start_ns;
	uint8_t buf[DGRAM_CAP];
	unsigned bad[P_COUNT];
	uint64_t checked[P_COUNT]; /* times a property was evaluated */
	char first[P_COUNT][320];
};

/* An unsigned integer of 1 to 8 bytes (RFC 7011 6.2: reduced size). */
static uint64_t
be_uint(const uint8_t *b, size_t len)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++)
		v = v << 8 | b[i];
	return v;
}

static void note(struct wire *w, enum prop p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A violation of p: counted, the first one kept for the message. */
static void
note(struct wire *w, enum prop p, const char *fmt, ...)
{
	va_list ap;

	if (w->bad[p]++ > 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(w->first[p], sizeof(w->first[p]), fmt, ap);
	va_end(ap);
}

static unsigned
ms_since(const struct wire *w, uint64_t t_ns)
{
	return (unsigned)((t_ns - w->start_ns) / MS);
}

/* ---- the records ---- */

/*
 * Record idx, unique by its source address (idx in the low bytes) and,
 * for TCP and UDP, its source port; everything else random. v5 counters
 * stay below 2^32 so that no record is split.
 */
static void
make_record(uint64_t *s, size_t idx, int version, struct flow_record *r)
{
	uint64_t x = rnd(s), y = rnd(s);
	uint32_t id = (uint32_t)idx;
	int i;

	memset(r, 0, sizeof(*r));
	r->family = x % 4 == 0 ? 6 : 4;
	switch ((x >> 2) % 4) {
	case 0:
		r->proto = 6;
		break;
	case 1:
		r->proto = 17;
		break;
	default: /* ICMP of the record's own family */
		r->proto = r->family == 6 ? 58 : 1;
		break;
	}
	if (r->family == 4) {
		r->src[0] = (uint8_t)(1 + (x >> 8) % 223);
		r->src[1] = (uint8_t)(id >> 16);
		r->src[2] = (uint8_t)(id >> 8);
		r->src[3] = (uint8_t)id;
		for (i = 0; i < 4; i++)
			r->dst[i] = (uint8_t)(y >> (8 * i));
	} else {
		r->src[0] = 0x20;
		r->src[1] = 0x01;
		r->src[2] = 0x0d;
		r->src[3] = 0xb8;
		for (i = 4; i < 12; i++)
			r->src[i] = (uint8_t)(y >> (8 * (i - 4)));
		r->src[12] = (uint8_t)(id >> 24);
		r->src[13] = (uint8_t)(id >> 16);
		r->src[14] = (uint8_t)(id >> 8);
		r->src[15] = (uint8_t)id;
		r->dst[0] = 0x2a;
		for (i = 1; i < 16; i++)
			r->dst[i] = (uint8_t)rnd(s);
	}
	if (r->proto == 6 || r->proto == 17) {
		static const uint16_t dports[] = {53, 80, 443, 123};

		r->sport = (uint16_t)(1024 + idx);
		r->dport = (x >> 16) % 5 < 4 ? dports[(x >> 16) % 5]
		                             : (uint16_t)(y >> 40);
	} else { /* type * 256 + code */
		r->dport = (uint16_t)((y >> 40) % 256 << 8 | (y >> 48) % 16);
	}
	r->packets = 1 + rnd(s) % 100000;
	r->octets = r->packets * (28 + rnd(s) % 1473);
	if (version != NF5_VERSION && (x >> 24) % 50 == 0) {
		r->packets = (rnd(s) >> 8) + 0x100000000ull; /* above 2^32 */
		r->octets = rnd(s) | 0x8000000000000000ull;
	}
	r->first_ns = BOOT_NS + rnd(s) % (3 * SEC);
	r->last_ns = r->first_ns + rnd(s) % (2 * SEC);
	r->tos = (uint8_t)(x >> 32);
	r->tcp_flags = r->proto == 6 ? (uint8_t)(x >> 40) : 0;
	r->ttl_min = (uint8_t)(1 + (x >> 48) % 64);
	r->ttl_max = (uint8_t)(r->ttl_min + (x >> 54) % 64);
	r->ifindex = 1 + (uint32_t)(y % 2);
	r->vlan = (uint16_t)((y >> 8) % 4096);
	r->end_reason = (uint8_t)(1 + (y >> 20) % 5);
	/* link fields now and then, past the first messages: a template
	 * first needed mid-run */
	if (version != NF5_VERSION && idx >= 200 && (y >> 28) % 20 == 0) {
		r->ext = FLOWREC_EXT_LINK;
		for (i = 0; i < 6; i++) {
			r->src_mac[i] = (uint8_t)rnd(s);
			r->dst_mac[i] = (uint8_t)rnd(s);
		}
		r->inner_vlan = (uint16_t)(rnd(s) % 4096);
		r->flow_label =
		    r->family == 6 ? (uint32_t)(rnd(s) & 0xfffff) : 0;
		r->n_mpls = (uint8_t)(rnd(s) % (FLOWREC_MAX_MPLS + 1));
		for (i = 0; i < r->n_mpls; i++)
			r->mpls[i] = (uint32_t)rnd(s);
	}
}

/* Is record i on the wire at all? v5 carries no IPv6. */
static bool
expected(const struct wire *w, size_t i)
{
	return w->f.version != NF5_VERSION || w->rec[i].family == 4;
}

/* ---- matching ---- */

static void
match(struct wire *w, struct coll *c, const struct wflow *f, const char *where)
{
	const struct flow_record *r;
	size_t alen, idx;

	w->checked[P_ONCE]++;
	if (f->have != W_ALL || f->family != f->dst_family) {
		note(w, P_ONCE,
		     "%s: record without addresses, ports, protocol, "
		     "packets and octets of one family (fields 0x%x)",
		     where, f->have);
		return;
	}
	alen = f->family == 6 ? 16 : 4;
	idx = f->family == 6 ? ld_be32(f->src + 12)
	                     : (size_t)f->src[1] << 16 | ld_be16(f->src + 2);
	r = idx < w->n_given ? &w->rec[idx] : NULL;
	if (r == NULL || r->family != f->family || !expected(w, idx) ||
	    memcmp(r->src, f->src, alen) != 0 ||
	    memcmp(r->dst, f->dst, alen) != 0 || r->sport != f->sport ||
	    r->dport != f->dport || r->proto != f->proto ||
	    r->packets != f->packets || r->octets != f->octets) {
		note(w, P_ONCE,
		     "%s: IPv%u record (ports %u > %u, proto %u, %llu "
		     "packets, %llu octets) matches no record given "
		     "(index %zu)",
		     where, f->family, f->sport, f->dport, f->proto,
		     (unsigned long long)f->packets,
		     (unsigned long long)f->octets, idx);
		return;
	}
	c->flows++;
	if (c->seen[idx] < UINT8_MAX)
		c->seen[idx]++;
}

/* One field of a flow data record, by element id. */
static void
take_field(struct wire *w, struct wflow *f, uint16_t type, const uint8_t *d,
           size_t len, const char *where)
{
	unsigned bit = 0;

	switch (type) {
	case IE_SRC4:
	case IE_SRC6:
		if (len != (type == IE_SRC4 ? 4u : 16u))
			break;
		f->family = type == IE_SRC4 ? 4 : 6;
		memcpy(f->src, d, len);
		f->have |= W_SRC;
		return;
	case IE_DST4:
	case IE_DST6:
		if (len != (type == IE_DST4 ? 4u : 16u))
			break;
		f->dst_family = type == IE_DST4 ? 4 : 6;
		memcpy(f->dst, d, len);
		f->have |= W_DST;
		return;
	case IE_SPORT:
	case IE_DPORT:
		if (len != 2)
			break;
		if (type == IE_SPORT)
			f->sport = ld_be16(d);
		else
			f->dport = ld_be16(d);
		f->have |= type == IE_SPORT ? W_SPORT : W_DPORT;
		return;
	case IE_PROTO:
		if (len != 1)
			break;
		f->proto = d[0];
		f->have |= W_PROTO;
		return;
	case IE_PACKETS:
	case IE_OCTETS:
		if (len < 1 || len > 8)
			break;
		bit = type == IE_PACKETS ? W_PKTS : W_OCTS;
		if (type == IE_PACKETS)
			f->packets = be_uint(d, len);
		else
			f->octets = be_uint(d, len);
		f->have |= bit;
		return;
	default:
		return; /* not one we match on */
	}
	note(w, P_FRAME, "%s: element %u with length %zu", where, type, len);
}

/* ---- templates, shared by IPFIX and v9 ---- */

static struct tmpl *
tmpl_find(struct coll *c, uint16_t id)
{
	int i;

	for (i = 0; i < MAX_TMPL; i++)
		if (c->tmpl[i].id == id)
			return &c->tmpl[i];
	return NULL;
}

static struct tmpl *
tmpl_slot(struct coll *c, uint16_t id)
{
	struct tmpl *t = tmpl_find(c, id);

	if (t == NULL)
		t = tmpl_find(c, 0);
	ck_assert_msg(t != NULL, "more than %d template ids", MAX_TMPL);
	memset(t, 0, sizeof(*t));
	t->id = id;
	return t;
}

/* The smallest record: variable-length fields take 1 length byte. */
static size_t
tmpl_min_len(const struct tmpl *t)
{
	size_t n = 0;
	uint16_t i;

	for (i = 0; i < t->n; i++)
		n += t->len[i] == FIX_VARLEN ? 1u : t->len[i];
	return n;
}

/*
 * One data record at b (left bytes), walking template t: its length, or 0
 * when it runs past the set. A flow record (not options) is matched.
 */
static size_t
data_record(struct wire *w, struct coll *c, const struct tmpl *t,
            const uint8_t *b, size_t left, const char *where)
{
	struct wflow f;
	size_t off = 0, flen;
	uint16_t i;

	memset(&f, 0, sizeof(f));
	for (i = 0; i < t->n; i++) {
		flen = t->len[i];
		if (flen == FIX_VARLEN) { /* RFC 7011 7: 1 or 3 length bytes */
			if (left - off < 1)
				return 0;
			flen = b[off++];
			if (flen == 255) {
				if (left - off < 2)
					return 0;
				flen = ld_be16(b + off);
				off += 2;
			}
		}
		if (left - off < flen)
			return 0;
		if (!t->options && !t->pen[i])
			take_field(w, &f, t->type[i], b + off, flen, where);
		off += flen;
	}
	if (!t->options)
		match(w, c, &f, where);
	return off;
}

/*
 * The records of a data set (body, blen bytes after the set header) of
 * template sid; returns how many. Fewer bytes than one record left at
 * the end are padding; v9 pads to 4 bytes only (RFC 3954 5.3).
 */
static uint32_t
data_set(struct wire *w, struct coll *c, uint16_t sid, const uint8_t *body,
         size_t blen, size_t dgi, bool *unknown)
{
	const struct tmpl *t = tmpl_find(c, sid);
	char where[96];
	size_t off = 0, min, n;
	uint32_t recs = 0;

	w->checked[P_TMPL]++;
	if (t == NULL) {
		note(w, P_TMPL,
		     "v%d datagram %zu: data set %u before any template "
		     "with that id",
		     w->f.version, dgi, sid);
		*unknown = true;
		return 0;
	}
	min = tmpl_min_len(t);
	if (min == 0 || blen < min) {
		note(w, P_FRAME,
		     "v%d datagram %zu: data set %u holds %zu bytes, less "
		     "than one %zu-byte record",
		     w->f.version, dgi, sid, blen, min);
		return 0;
	}
	while (blen - off >= min) {
		(void)snprintf(where, sizeof(where),
		               "v%d datagram %zu set %u record %u",
		               w->f.version, dgi, sid, recs);
		n = data_record(w, c, t, body + off, blen - off, where);
		if (n == 0) {
			note(w, P_FRAME, "%s: runs past its set", where);
			return recs;
		}
		off += n;
		recs++;
	}
	if (w->f.version == NF9_VERSION && blen - off >= 4)
		note(w, P_FRAME,
		     "v9 datagram %zu: flowset %u ends with %zu bytes that "
		     "are neither a record nor padding",
		     dgi, sid, blen - off);
	return recs;
}

/*
 * IPFIX Template Set (2) or Options Template Set (3), RFC 7011 3.4.1-2:
 *  0 template id  2 field count  [4 scope field count]
 *  then field count x (0 element id | enterprise bit, 2 length,
 *  [4 enterprise number]); withdrawal: field count 0.
 */
static void
fix_templates(struct wire *w, struct coll *c, bool options, const uint8_t *b,
              size_t blen, size_t dgi)
{
	struct tmpl *t;
	size_t off = 0, hlen;
	uint16_t id, n, scope, i, type;

	while (blen - off >= 4) {
		id = ld_be16(b + off);
		n = ld_be16(b + off + 2);
		if (n == 0) { /* withdrawal */
			t = tmpl_find(c, id);
			if (t != NULL)
				t->id = 0;
			off += 4;
			continue;
		}
		hlen = options ? 6 : 4;
		if (blen - off < hlen || id < FIX_MIN_DATA || n > MAX_FIELDS) {
			note(w, P_FRAME,
			     "IPFIX datagram %zu: template %u (%u fields) "
			     "cut or invalid",
			     dgi, id, n);
			return;
		}
		scope = options ? ld_be16(b + off + 4) : 0;
		if (options && (scope == 0 || scope > n))
			note(w, P_FRAME,
			     "IPFIX datagram %zu: options template %u has "
			     "%u scope fields of %u",
			     dgi, id, scope, n);
		off += hlen;
		t = tmpl_slot(c, id);
		t->options = options;
		t->n = n;
		for (i = 0; i < n; i++) {
			if (blen - off < 4)
				goto cut;
			type = ld_be16(b + off);
			t->len[i] = ld_be16(b + off + 2);
			off += 4;
			t->pen[i] = (type & FIX_PEN_BIT) != 0;
			t->type[i] = (uint16_t)(type & ~FIX_PEN_BIT);
			if (t->pen[i]) {
				if (blen - off < 4)
					goto cut;
				off += 4;
			}
		}
	}
	return;
cut:
	t->id = 0;
	note(w, P_FRAME, "IPFIX datagram %zu: template %u runs past its set",
	     dgi, id);
}

/*
 * IPFIX message header, RFC 7011 3.1:
 *  0 version (10)  2 length  4 export time  8 sequence  12 domain id
 * then sets: 0 set id  2 set length (header included).
 */
static void
dec_ipfix(struct wire *w, struct coll *c, const uint8_t *b, size_t len,
          size_t dgi)
{
	size_t off, slen;
	uint32_t seq, n_data = 0;
	uint16_t sid;
	bool unknown = false;

	w->checked[P_FRAME]++;
	if (len < FIX_HDR_LEN || ld_be16(b) != FIX_VERSION ||
	    ld_be16(b + 2) != len) {
		note(w, P_FRAME,
		     "IPFIX datagram %zu: %zu bytes, version %u, header "
		     "length %u",
		     dgi, len, len >= 2 ? ld_be16(b) : 0,
		     len >= 4 ? ld_be16(b + 2) : 0);
		return;
	}
	if (ld_be32(b + 12) != SOURCE_ID)
		note(w, P_FRAME, "IPFIX datagram %zu: domain %u, expected %u",
		     dgi, ld_be32(b + 12), SOURCE_ID);
	seq = ld_be32(b + 8);
	for (off = FIX_HDR_LEN; off < len; off += slen) {
		if (len - off < 4) {
			note(w, P_FRAME,
			     "IPFIX datagram %zu: %zu bytes after the last "
			     "set",
			     dgi, len - off);
			return;
		}
		sid = ld_be16(b + off);
		slen = ld_be16(b + off + 2);
		if (slen < 4 || slen > len - off) {
			note(w, P_FRAME,
			     "IPFIX datagram %zu: set %u at %zu has length "
			     "%zu, %zu bytes left in the message",
			     dgi, sid, off, slen, len - off);
			return;
		}
		if (sid == FIX_SET_TMPL || sid == FIX_SET_OPT)
			fix_templates(w, c, sid == FIX_SET_OPT, b + off + 4,
			              slen - 4, dgi);
		else if (sid >= FIX_MIN_DATA)
			n_data += data_set(w, c, sid, b + off + 4, slen - 4,
			                   dgi, &unknown);
		else
			note(w, P_FRAME,
			     "IPFIX datagram %zu: reserved set id %u", dgi,
			     sid);
	}
	/* RFC 7011 3.1: the count of data records sent before this one */
	if (c->have_seq && !unknown) {
		w->checked[P_SEQ]++;
		if (seq != c->next_seq)
			note(w, P_SEQ,
			     "IPFIX datagram %zu: sequence %u, expected %u "
			     "(the previous plus its data records)",
			     dgi, seq, c->next_seq);
	}
	c->have_seq = !unknown;
	c->next_seq = seq + n_data;
}

/*
 * v9 Template FlowSet (0): 0 template id  2 field count  then
 * (type, length) pairs. Options Template FlowSet (1), RFC 3954 6.1:
 * 0 template id  2 option scope length  4 option length  then the scope
 * pairs and the option pairs. Both padded to 4 bytes. Returns records.
 */
static unsigned
nf9_templates(struct wire *w, struct coll *c, bool options, const uint8_t *b,
              size_t blen, size_t dgi)
{
	struct tmpl *t;
	size_t off = 0, hlen, nf;
	uint16_t id, i;
	unsigned recs = 0;

	while (blen - off >= 4) {
		hlen = options ? 6 : 4;
		if (blen - off < hlen)
			break;
		id = ld_be16(b + off);
		if (options) {
			size_t sl = ld_be16(b + off + 2),
			       ol = ld_be16(b + off + 4);

			nf = sl % 4 == 0 && ol % 4 == 0 && sl > 0
			         ? (sl + ol) / 4
			         : MAX_FIELDS + 1;
		} else {
			nf = ld_be16(b + off + 2);
		}
		if (id < NF9_MIN_DATA || nf == 0 || nf > MAX_FIELDS ||
		    blen - off - hlen < 4 * nf) {
			note(w, P_FRAME,
			     "v9 datagram %zu: %stemplate %u (%zu fields) cut "
			     "or invalid",
			     dgi, options ? "options " : "", id, nf);
			return recs;
		}
		off += hlen;
		t = tmpl_slot(c, id);
		t->options = options;
		t->n = (uint16_t)nf;
		for (i = 0; i < t->n; i++) {
			t->type[i] = ld_be16(b + off);
			t->len[i] = ld_be16(b + off + 2);
			if (t->len[i] == FIX_VARLEN) /* v9 has none */
				note(w, P_FRAME,
				     "v9 datagram %zu: template %u field %u "
				     "length 65535",
				     dgi, id, t->type[i]);
			off += 4;
		}
		recs++;
	}
	return recs;
}

/*
 * v9 header, RFC 3954 5.1:
 *  0 version (9)  2 count  4 sysUptime  8 unix secs  12 sequence
 *  16 source id; then FlowSets: 0 id  2 length (header included).
 */
static void
dec_nf9(struct wire *w, struct coll *c, const uint8_t *b, size_t len,
        size_t dgi)
{
	size_t off, slen;
	uint32_t seq, recs = 0;
	uint16_t sid;
	bool unknown = false;

	w->checked[P_FRAME]++;
	if (len < NF9_HDR_LEN || ld_be16(b) != NF9_VERSION) {
		note(w, P_FRAME, "v9 datagram %zu: %zu bytes, version %u", dgi,
		     len, len >= 2 ? ld_be16(b) : 0);
		return;
	}
	if (ld_be32(b + 16) != SOURCE_ID)
		note(w, P_FRAME, "v9 datagram %zu: source id %u, expected %u",
		     dgi, ld_be32(b + 16), SOURCE_ID);
	seq = ld_be32(b + 12);
	/* RFC 3954 5.1: one more per export packet */
	if (c->have_seq) {
		w->checked[P_SEQ]++;
		if (seq != c->next_seq)
			note(w, P_SEQ,
			     "v9 datagram %zu: sequence %u, expected %u (the "
			     "previous plus one)",
			     dgi, seq, c->next_seq);
	}
	c->have_seq = true;
	c->next_seq = seq + 1;
	for (off = NF9_HDR_LEN; off < len; off += slen) {
		if (len - off < 4) {
			note(w, P_FRAME,
			     "v9 datagram %zu: %zu bytes after the last "
			     "flowset",
			     dgi, len - off);
			return;
		}
		sid = ld_be16(b + off);
		slen = ld_be16(b + off + 2);
		if (slen < 4 || slen > len - off) {
			note(w, P_FRAME,
			     "v9 datagram %zu: flowset %u at %zu has length "
			     "%zu, %zu bytes left in the packet",
			     dgi, sid, off, slen, len - off);
			return;
		}
		if (sid == NF9_SET_TMPL || sid == NF9_SET_OPT)
			recs += nf9_templates(w, c, sid == NF9_SET_OPT,
			                      b + off + 4, slen - 4, dgi);
		else if (sid >= NF9_MIN_DATA)
			recs += data_set(w, c, sid, b + off + 4, slen - 4, dgi,
			                 &unknown);
		else
			note(w, P_FRAME, "v9 datagram %zu: reserved flowset %u",
			     dgi, sid);
	}
	/* RFC 3954 5.1: templates, options templates and data records */
	if (!unknown && ld_be16(b + 2) != recs)
		note(w, P_FRAME,
		     "v9 datagram %zu: header count %u, %u records in it", dgi,
		     ld_be16(b + 2), recs);
}

/*
 * v5 (Cisco): header 0 version  2 count  4 sysUptime  8 unix secs
 * 12 unix nsecs  16 flow_sequence  20 engine type, id  22 sampling.
 * Record: 0 srcaddr  4 dstaddr  8 nexthop  12 input  14 output
 * 16 dPkts  20 dOctets  24 first  28 last  32 srcport  34 dstport
 * 36 pad  37 tcp_flags  38 prot  39 tos  40 AS, masks, pad.
 */
static void
dec_nf5(struct wire *w, struct coll *c, const uint8_t *b, size_t len,
        size_t dgi)
{
	struct wflow f;
	char where[96];
	const uint8_t *r;
	uint32_t seq;
	uint16_t n, i;

	w->checked[P_FRAME]++;
	if (len < NF5_HDR_LEN || ld_be16(b) != NF5_VERSION) {
		note(w, P_FRAME, "v5 datagram %zu: %zu bytes, version %u", dgi,
		     len, len >= 2 ? ld_be16(b) : 0);
		return;
	}
	n = ld_be16(b + 2);
	if (n == 0 || n > NF5_MAX_RECS ||
	    len != NF5_HDR_LEN + (size_t)n * NF5_REC_LEN) {
		note(w, P_FRAME, "v5 datagram %zu: count %u in %zu bytes", dgi,
		     n, len);
		return;
	}
	seq = ld_be32(b + 16);
	/* flow_sequence: flows sent before this packet */
	if (c->have_seq) {
		w->checked[P_SEQ]++;
		if (seq != c->next_seq)
			note(w, P_SEQ,
			     "v5 datagram %zu: flow_sequence %u, expected %u "
			     "(the previous plus its count)",
			     dgi, seq, c->next_seq);
	}
	c->have_seq = true;
	c->next_seq = seq + n;
	for (i = 0; i < n; i++) {
		r = b + NF5_HDR_LEN + (size_t)i * NF5_REC_LEN;
		memset(&f, 0, sizeof(f));
		f.have = W_ALL;
		f.family = f.dst_family = 4;
		memcpy(f.src, r, 4);
		memcpy(f.dst, r + 4, 4);
		f.packets = ld_be32(r + 16);
		f.octets = ld_be32(r + 20);
		f.sport = ld_be16(r + 32);
		f.dport = ld_be16(r + 34);
		f.proto = r[38];
		(void)snprintf(where, sizeof(where),
		               "v5 datagram %zu record %u", dgi, i);
		match(w, c, &f, where);
	}
}

/* ---- sockets ---- */

static void
coll_open(struct coll *c)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int v = RCVBUF_BYTES, one = 1;

	c->fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(c->fd, 0);
	/* as large as allowed: FORCE needs CAP_NET_ADMIN, else rmem_max */
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0)
		(void)setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	ck_assert_int_eq(
	    setsockopt(c->fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(c->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(c->fd, (struct sockaddr *)&sin, &len), 0);
	(void)snprintf(c->port, sizeof(c->port), "%u", ntohs(sin.sin_port));
}

static void
keep(struct coll *c, const uint8_t *b, size_t len)
{
	if (c->n_dg == c->cap_dg) {
		c->cap_dg = c->cap_dg ? 2 * c->cap_dg : 256;
		c->dg = realloc(c->dg, c->cap_dg * sizeof(*c->dg));
		ck_assert_ptr_nonnull(c->dg);
	}
	c->dg[c->n_dg].b = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(c->dg[c->n_dg].b);
	memcpy(c->dg[c->n_dg].b, b, len);
	c->dg[c->n_dg].len = len;
	c->n_dg++;
}

/*
 * Take and decode every datagram waiting; with wait_ms, go on until
 * none has come for that long.
 */
static void
drain_one(struct wire *w, struct coll *c, int wait_ms)
{
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(uint32_t))];
	} ctl;
	struct pollfd pfd = {c->fd, POLLIN, 0};
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *cm;
	ssize_t n;
	size_t len;

	for (;;) {
		if (wait_ms > 0 && poll(&pfd, 1, wait_ms) <= 0)
			return;
		iov.iov_base = w->buf;
		iov.iov_len = sizeof(w->buf);
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.b;
		mh.msg_controllen = sizeof(ctl.b);
		n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			ck_assert_msg(errno == EAGAIN || errno == EWOULDBLOCK,
			              "recvmsg: %s", strerror(errno));
			return;
		}
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		     cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SO_RXQ_OVFL)
				memcpy(&c->kernel_drops, CMSG_DATA(cm),
				       sizeof(c->kernel_drops));
		len = (size_t)n;
		keep(c, w->buf, len < sizeof(w->buf) ? len : sizeof(w->buf));
		if (len > w->f.max_packet) {
			note(w, P_FRAME,
			     "v%d datagram %zu: %zu bytes, max_packet %u",
			     w->f.version, c->n_dg, len, w->f.max_packet);
			if (len > sizeof(w->buf))
				continue;
		}
		switch (w->f.version) {
		case FIX_VERSION:
			dec_ipfix(w, c, w->buf, len, c->n_dg);
			break;
		case NF9_VERSION:
			dec_nf9(w, c, w->buf, len, c->n_dg);
			break;
		default:
			dec_nf5(w, c, w->buf, len, c->n_dg);
			break;
		}
	}
}

static void
drain(struct wire *w, int wait_ms)
{
	int i;

	for (i = 0; i < w->f.n_coll; i++)
		drain_one(w, &w->c[i], wait_ms);
}

static bool
received_everywhere(const struct wire *w, size_t i)
{
	int k;

	for (k = 0; k < w->f.n_coll; k++)
		if (w->c[k].seen[i] == 0)
			return false;
	return true;
}

/*
 * After a tick at now: every record given at or before now - (flush_ms +
 * one tick) is out. Once received, always received, so each record is
 * looked at once, at the first tick past its deadline.
 */
static void
check_latency(struct wire *w, uint64_t now, uint32_t flush_ms)
{
	uint64_t bound = (uint64_t)flush_ms * MS + TICK_NS;
	size_t i;

	for (; w->lat_next < w->n_given; w->lat_next++) {
		i = w->lat_next;
		if (w->given_ns[i] + bound > now)
			return;
		if (!expected(w, i))
			continue;
		w->checked[P_LATENCY]++;
		/* in flight on loopback? Waited for once, not per record */
		if (!received_everywhere(w, i) && w->bad[P_LATENCY] == 0)
			drain(w, 20);
		if (!received_everywhere(w, i))
			note(w, P_LATENCY,
			     "v%d: record %zu given at +%u ms not received "
			     "by the tick at +%u ms (flush_ms %u)",
			     w->f.version, i, ms_since(w, w->given_ns[i]),
			     ms_since(w, now), flush_ms);
	}
}

/* ---- a run ---- */

static void
run(struct wire *w, const struct feed *f)
{
	static const char *const ifn[] = {"eth0", "uplink-wan-0"};
	struct exp_config cfg;
	struct exporter *ex;
	const struct exp_stats *st;
	char err[256];
	uint64_t s = 0x9e3779b97f4a7c15ull ^ (uint64_t)f->version, now, tick;
	uint64_t end;
	size_t i;
	int k;

	memset(w, 0, sizeof(*w));
	w->f = *f;
	exp_config_defaults(&cfg);
	cfg.version = f->version;
	cfg.max_packet = f->max_packet;
	cfg.n_coll = f->n_coll;
	cfg.flush_ms = 1000;
	cfg.source_id = SOURCE_ID;
	if (f->version == FIX_VERSION) { /* options with variable length */
		cfg.n_if = 2;
		for (k = 0; k < 2; k++) {
			cfg.if_names[k] = ifn[k];
			cfg.if_index[k] = (uint32_t)k + 1;
		}
	}
	for (k = 0; k < f->n_coll; k++) {
		coll_open(&w->c[k]);
		w->c[k].seen = calloc(N_RECS, 1);
		ck_assert_ptr_nonnull(w->c[k].seen);
		(void)snprintf(cfg.coll[k].host, sizeof(cfg.coll[k].host),
		               "127.0.0.1");
		(void)snprintf(cfg.coll[k].port, sizeof(cfg.coll[k].port), "%s",
		               w->c[k].port);
	}
	ex = exp_create(&cfg, err, sizeof(err));
	ck_assert_msg(ex != NULL, "exp_create: %s", err);
	drain(w, 0);
	exp_set_boot(ex, BOOT_NS);
	drain(w, 0);

	now = w->start_ns = BOOT_NS + 5 * SEC;
	tick = now + TICK_NS;
	for (i = 0; i < N_RECS; i++) {
		make_record(&s, i, f->version, &w->rec[i]);
		if (f->slow) { /* full messages, then ones the timer sends */
			now += (i / 500) % 2 == 0 ? 10 * MS : 60 * MS;
		} else {
			now += rnd(&s) % (3 * MS);
			if (rnd(&s) % 250 == 0) /* a lull: flush by timer */
				now += 1500 * MS;
			if (i == N_RECS / 2) /* templates refreshed by time */
				now += 31 * SEC;
		}
		for (; tick <= now; tick += TICK_NS) {
			exp_tick(ex, tick);
			drain(w, 0);
			check_latency(w, tick, cfg.flush_ms);
		}
		w->given_ns[i] = now;
		w->n_given = i + 1;
		exp_flow(ex, &w->rec[i], now);
		drain(w, 0);
	}
	if (f->slow) { /* the tail leaves by timer too */
		end = now + 2 * (uint64_t)cfg.flush_ms * MS;
		for (; tick <= end; tick += TICK_NS) {
			exp_tick(ex, tick);
			drain(w, 0);
			check_latency(w, tick, cfg.flush_ms);
		}
		now = end;
	}
	exp_flush(ex, now);
	drain(w, 50);
	st = exp_get_stats(ex);
	for (k = 0; k < f->n_coll; k++) {
		ck_assert_msg(w->c[k].kernel_drops == 0,
		              "loopback dropped %u datagrams to collector %d: "
		              "the run proves nothing",
		              w->c[k].kernel_drops, k);
		ck_assert_msg(st->coll[k].send_failed == 0,
		              "collector %d: %llu sends failed", k,
		              (unsigned long long)st->coll[k].send_failed);
		ck_assert_msg(w->c[k].n_dg > 10, "collector %d: %zu datagrams",
		              k, w->c[k].n_dg);
	}
	exp_destroy(ex, now);
	drain(w, 20);
}

/* After the run: exactly once, and the collectors' datagrams alike. */
static void
check_totals(struct wire *w)
{
	const struct dgram *a, *b;
	size_t i, missing = 0, twice = 0, n;
	unsigned want;
	int k;

	for (k = 0; k < w->f.n_coll; k++)
		for (i = 0; i < w->n_given; i++) {
			want = expected(w, i) ? 1 : 0;
			if (w->c[k].seen[i] == want)
				continue;
			if (w->c[k].seen[i] < want)
				missing++;
			else
				twice++;
			note(w, P_ONCE,
			     "v%d collector %d: record %zu (IPv%u, given at "
			     "+%u ms) received %u times, expected %u",
			     w->f.version, k, i, w->rec[i].family,
			     ms_since(w, w->given_ns[i]), w->c[k].seen[i],
			     want);
		}
	if (missing + twice > 0)
		note(w, P_ONCE, "%zu records missing, %zu more than once",
		     missing, twice);
	if (w->f.n_coll < 2)
		return;
	w->checked[P_SAME]++;
	n = w->c[0].n_dg < w->c[1].n_dg ? w->c[0].n_dg : w->c[1].n_dg;
	for (i = 0; i < n; i++) {
		a = &w->c[0].dg[i];
		b = &w->c[1].dg[i];
		if (a->len != b->len || memcmp(a->b, b->b, a->len) != 0) {
			note(w, P_SAME,
			     "v%d datagram %zu: %zu bytes to collector 0, %zu "
			     "to collector 1, or other bytes",
			     w->f.version, i + 1, a->len, b->len);
			break;
		}
	}
	if (w->c[0].n_dg != w->c[1].n_dg)
		note(w, P_SAME, "v%d: %zu datagrams to collector 0, %zu to 1",
		     w->f.version, w->c[0].n_dg, w->c[1].n_dg);
}

static void
wire_free(struct wire *w)
{
	size_t i;
	int k;

	for (k = 0; k < w->f.n_coll; k++) {
		for (i = 0; i < w->c[k].n_dg; i++)
			free(w->c[k].dg[i].b);
		free(w->c[k].dg);
		free(w->c[k].seen);
		(void)close(w->c[k].fd);
	}
	free(w);
}

/* Run the feed, then check property p only (at least min times). */
static void
expect_prop(const struct feed *f, enum prop p, uint64_t min)
{
	struct wire *w = calloc(1, sizeof(*w));

	ck_assert_ptr_nonnull(w);
	run(w, f);
	check_totals(w);
	ck_assert_msg(w->checked[p] >= min,
	              "v%d %s: checked %llu times, expected at least %llu",
	              f->version, prop_name[p],
	              (unsigned long long)w->checked[p],
	              (unsigned long long)min);
	ck_assert_msg(w->bad[p] == 0,
	              "v%d max_packet %u, %s: %u violations; "
	              "first: %s",
	              f->version, f->max_packet, prop_name[p], w->bad[p],
	              w->first[p]);
	wire_free(w);
}

static const int versions[] = {FIX_VERSION, NF9_VERSION, NF5_VERSION};

/* 1: every record exactly once (v5: every IPv4 one), after exp_flush(). */
START_TEST(test_exactly_once)
{
	struct feed f = {versions[_i], 1400, 1, false};

	expect_prop(&f, P_ONCE, N_RECS / 2);
}
END_TEST

/* 2: RFC 7011 3.1 data records / RFC 3954 5.1 packets / v5 flows. */
START_TEST(test_sequence)
{
	struct feed f = {versions[_i], 1400, 1, false};

	expect_prop(&f, P_SEQ, 50);
}
END_TEST

/* 3: no data set before its template (IPFIX and v9). */
START_TEST(test_templates_first)
{
	struct feed f = {versions[_i], 1400, 1, false};

	expect_prop(&f, P_TMPL, 100);
}
END_TEST

/*
 * 4: max_packet, header and set lengths, v9 and v5 counts; the default
 * size and a small one (IPFIX can't go to 600: with every template
 * inline and the interface options it needs 845 bytes).
 */
START_TEST(test_framing)
{
	static const uint32_t small[] = {900, 600, 600};
	struct feed f = {versions[_i / 2], _i % 2 ? small[_i / 2] : 1400, 1,
	                 false};

	expect_prop(&f, P_FRAME, 50);
}
END_TEST

/*
 * 5: 10 ms a record (messages fill in a few hundred ms) and 60 ms (the
 * flush timer sends them), a tick every 100 ms, no exp_flush(): each
 * record out within flush_ms and a tick.
 */
START_TEST(test_latency)
{
	struct feed f = {versions[_i], 1400, 1, true};

	expect_prop(&f, P_LATENCY, N_RECS / 2);
}
END_TEST

/* 6: two collectors, the same datagrams in the same order. */
START_TEST(test_two_collectors)
{
	struct feed f = {versions[_i], 1400, 2, false};

	expect_prop(&f, P_SAME, 1);
}
END_TEST

static Suite *
wire_suite(void)
{
	Suite *s = suite_create("export_wire");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_exactly_once, 0, 3);
	tcase_add_loop_test(tc, test_sequence, 0, 3);
	tcase_add_loop_test(tc, test_templates_first, 0, 2);
	tcase_add_loop_test(tc, test_framing, 0, 6);
	tcase_add_loop_test(tc, test_latency, 0, 3);
	tcase_add_loop_test(tc, test_two_collectors, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(wire_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
