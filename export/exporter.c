/*
 * The exporter: buffers flows into export packets through the pure
 * encoders (nf5, nf9, ipfix), and hands closed packets to every
 * collector's sender. All timing comes from the `now` arguments.
 *
 * Over UDP the closed packets wait in a batch and leave together, one
 * sendmsg() with UDP_SEGMENT for up to 64 of them (snd_send_batch()): the
 * kernel's send path, not the encoding, was most of the cost of export
 * (2.4 us of a 1400-byte datagram to loopback; 0.5 us in a batch). A
 * batch must be packets of one length but its last, so v9 and IPFIX
 * build the IPv4 and IPv6 flows into packets of their own (a lane per
 * family; one data set each, all full ones the same length), their
 * templates and options go in packets of their own, sent at once, and
 * the header sequence numbers are stamped when a batch leaves, in the
 * order the collector gets them. A batch leaves when it is full, when a
 * packet shorter than the others closes it, at exp_flush(), and at the
 * exp_tick() when its first packet has been open flush_ms: no flow waits
 * longer than it did when each packet left alone. TCP, files and pacing
 * (-pace-us) send each packet as it closes.
 */
#include "exporter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/bytes.h"
#include "../common/log.h"
#include "ipfix.h"
#include "nf5.h"
#include "nf9.h"
#include "sender.h"
#include "wbuf.h"

#define NS_PER_MS        1000000ull
#define NS_PER_SEC       1000000000ull
#define FAIL_LOG_EVERY   (10 * NS_PER_SEC)
#define MAX_UDP_PAYLOAD  65507u
#define CLOSE_TIMEOUT_MS 2000
#define LANES            2     /* IPv4, IPv6 (v9 / IPFIX over UDP) */
#define BATCH_SEGS       64    /* Linux UDP_MAX_SEGMENTS */
#define BATCH_BYTES      65000 /* one UDP datagram's worth before GSO */

/*
 * Closed packets waiting to leave together, back to back in buf, and
 * after them the packet being built (wb). All but the last are seg bytes.
 */
struct lane {
	uint8_t *buf;               /* nmax * max_packet bytes */
	size_t len;                 /* bytes of closed packets */
	size_t seg;                 /* their length (that of the first) */
	unsigned n;                 /* closed packets */
	uint64_t due_ns;            /* when the first was begun */
	uint16_t ndata[BATCH_SEGS]; /* IPFIX: data records of each */

	struct wbuf wb; /* the open packet, at buf + len */
	bool open;
	uint64_t open_ns; /* when it was begun, for flush_ms */
	union {
		struct ipfix_msg fix;
		struct nf9_msg v9;
	} m; /* the encoder's state of wb while another lane is active */
};

struct exporter {
	struct exp_config cfg;
	struct exp_stats stats;

	struct snd snd[EXP_MAX_COLLECTORS];
	int n_snd;
	uint64_t fail_log_ns[EXP_MAX_COLLECTORS];
	uint64_t refused_log_ns[EXP_MAX_COLLECTORS];

	struct nf5_state v5;
	struct nf9_state v9;
	struct ipfix_state fix;

	struct lane lane[LANES];
	int n_lanes;       /* 2: v9 / IPFIX over UDP; 1 otherwise */
	int active;        /* the lane whose packet state is in the encoder */
	unsigned nmax;     /* packets per batch: 1 sends each as it closes */
	bool restamp;      /* v9 / IPFIX over UDP: sequence set when sent */
	uint32_t wire_seq; /* ... from this count */
	uint8_t *tbuf;     /* templates message: a new stream or (UDP) due */

	bool warned_ipv6;
	bool warned_split;
};

void
exp_config_defaults(struct exp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->version = 10; /* IPFIX */
	cfg->transport = EXP_UDP;
	cfg->max_packet = 1400; /* + 48 bytes IPv6/UDP headers < 1500 MTU */
	cfg->tmpl_refresh_packets = 20;
	cfg->tmpl_refresh_secs = 30;
	cfg->source_id = 0;
	cfg->sampling = 1;
	cfg->time_unit = EXP_TIME_MS;
	cfg->flush_ms = 1000;
	cfg->pace_us = 0;
}

static bool
is_v5(const struct exporter *ex)
{
	return ex->cfg.version == 1 || ex->cfg.version == 5;
}

static void
sync_stats(struct exporter *ex)
{
	switch (ex->cfg.version) {
	case 1:
	case 5:
		ex->stats.records_sent = ex->v5.records;
		ex->stats.v5_ipv6_skipped = ex->v5.ipv6_skipped;
		ex->stats.v5_split = ex->v5.split;
		break;
	case 9:
		ex->stats.records_sent = ex->v9.records;
		break;
	default:
		ex->stats.records_sent = ex->fix.flow_records;
		break;
	}
}

static int
setup_encoder(struct exporter *ex, char *err, size_t errlen)
{
	const struct exp_config *c = &ex->cfg;
	struct nf9_params p9;
	struct ipfix_params pf;
	int i, rc;
	bool stream = c->transport != EXP_UDP;

	switch (c->version) {
	case 1:
	case 5:
		rc = nf5_init(&ex->v5, c->version, c->max_packet,
		              c->engine_type, c->engine_id, c->sampling);
		break;
	case 9:
		memset(&p9, 0, sizeof(p9));
		p9.source_id = c->source_id;
		p9.sampling = c->sampling;
		p9.refresh_packets = c->tmpl_refresh_packets;
		p9.refresh_secs = c->tmpl_refresh_secs;
		rc = nf9_init(&ex->v9, &p9, c->max_packet);
		break;
	case 10:
		memset(&pf, 0, sizeof(pf));
		pf.domain_id = c->source_id;
		pf.sampling = c->sampling;
		/* a stream learns templates once; options still refresh */
		pf.refresh_packets = stream ? 0 : c->tmpl_refresh_packets;
		pf.refresh_secs = c->tmpl_refresh_secs;
		pf.time_unit = (int)c->time_unit;
		pf.tmpl_inline = !stream;
		pf.n_if = c->n_if < IPFIX_MAX_IF ? c->n_if : IPFIX_MAX_IF;
		for (i = 0; i < pf.n_if; i++) {
			pf.if_index[i] = c->if_index[i];
			(void)snprintf(pf.if_name[i], sizeof(pf.if_name[i]),
			               "%s",
			               c->if_names[i] ? c->if_names[i] : "");
		}
		rc = ipfix_init(&ex->fix, &pf, c->max_packet);
		break;
	default:
		(void)snprintf(err, errlen,
		               "export version %d: expected 1, 5, 9 or 10",
		               c->version);
		return -1;
	}
	if (rc < 0) {
		(void)snprintf(err, errlen,
		               "max packet %u: too small for export version "
		               "%d (or a bad time unit / interface list)",
		               c->max_packet, c->version);
		return -1;
	}
	return 0;
}

static int
open_senders(struct exporter *ex, char *err, size_t errlen)
{
	const struct exp_config *c = &ex->cfg;
	int i;

	if (c->transport == EXP_FILE) {
		if (c->file_path == NULL || c->file_path[0] == '\0') {
			(void)snprintf(err, errlen,
			               "file export: no file path given");
			return -1;
		}
		if (snd_file_open(&ex->snd[0], c->file_path, err, errlen) < 0)
			return -1;
		ex->n_snd = 1;
		return 0;
	}
	if (c->n_coll <= 0 || c->n_coll > EXP_MAX_COLLECTORS) {
		(void)snprintf(err, errlen,
		               "collectors: %d given, expected 1..%d",
		               c->n_coll, EXP_MAX_COLLECTORS);
		return -1;
	}
	for (i = 0; i < c->n_coll; i++) {
		const char *port =
		    c->coll[i].port[0] ? c->coll[i].port : "2055";

		if (c->transport == EXP_TCP) {
			if (snd_tcp_open(&ex->snd[i], c->coll[i].host, port,
			                 err, errlen) < 0)
				return -1;
		} else if (snd_udp_open(&ex->snd[i], c->coll[i].host, port, err,
		                        errlen) < 0) {
			return -1;
		}
		ex->n_snd = i + 1;
		if (c->hoplimit > 0 &&
		    snd_set_hoplimit(&ex->snd[i], c->hoplimit, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* Lanes and batch size for the transport and version. */
static void
setup_lanes(struct exporter *ex)
{
	const struct exp_config *c = &ex->cfg;
	bool udp = c->transport == EXP_UDP;

	ex->restamp = udp && (c->version == 9 || c->version == 10);
	ex->n_lanes = ex->restamp ? LANES : 1;
	ex->nmax = 1;
	if (udp && c->pace_us == 0 && c->max_packet > 0) {
		ex->nmax = BATCH_BYTES / c->max_packet;
		if (ex->nmax > BATCH_SEGS)
			ex->nmax = BATCH_SEGS;
		if (ex->nmax < 1)
			ex->nmax = 1;
	}
}

struct exporter *
exp_create(const struct exp_config *cfg, char *err, size_t errlen)
{
	struct exporter *ex;
	int i;

	if (cfg->transport != EXP_UDP && cfg->version != 10) {
		(void)snprintf(err, errlen,
		               "export version %d: TCP and file export need "
		               "IPFIX (version 10)",
		               cfg->version);
		return NULL;
	}
	if (cfg->max_packet > MAX_UDP_PAYLOAD) {
		(void)snprintf(err, errlen, "max packet %u: above %u",
		               cfg->max_packet, MAX_UDP_PAYLOAD);
		return NULL;
	}
	ex = calloc(1, sizeof(*ex));
	if (ex == NULL) {
		(void)snprintf(err, errlen, "exporter: out of memory");
		return NULL;
	}
	ex->cfg = *cfg;
	if (ex->cfg.sampling == 0)
		ex->cfg.sampling = 1;
	for (i = 0; i < EXP_MAX_COLLECTORS; i++)
		ex->snd[i].fd = -1;
	setup_lanes(ex);
	ex->tbuf = malloc(cfg->max_packet);
	for (i = 0; i < ex->n_lanes; i++) {
		struct lane *l = &ex->lane[i];

		l->buf = malloc((size_t)ex->nmax * cfg->max_packet);
		if (l->buf == NULL)
			break;
		wb_init(&l->wb, l->buf, cfg->max_packet);
	}
	if (i < ex->n_lanes || ex->tbuf == NULL) {
		(void)snprintf(err, errlen, "exporter: out of memory");
		goto fail;
	}
	if (setup_encoder(ex, err, errlen) < 0 ||
	    open_senders(ex, err, errlen) < 0)
		goto fail;
	return ex;
fail:
	for (i = 0; i < ex->n_snd; i++)
		snd_close(&ex->snd[i], 0);
	for (i = 0; i < LANES; i++)
		free(ex->lane[i].buf);
	free(ex->tbuf);
	free(ex);
	return NULL;
}

static void
pace(const struct exporter *ex)
{
	struct timespec ts;

	if (ex->cfg.pace_us == 0)
		return;
	ts.tv_sec = (time_t)(ex->cfg.pace_us / 1000000u);
	ts.tv_nsec = (long)(ex->cfg.pace_us % 1000000u) * 1000;
	(void)nanosleep(&ts, NULL);
}

/* sent packets of bytes in all went to collector i, failed did not. */
static void
count_sends(struct exporter *ex, int i, size_t sent, size_t bytes,
            size_t failed, uint64_t now_ns)
{
	struct exp_coll_stats *cs = &ex->stats.coll[i];
	struct snd *s = &ex->snd[i];

	cs->held = s->held;
	cs->resent = s->resent;
	cs->overflow = s->overflow;
	if (s->refused != cs->refused) {
		cs->refused = s->refused;
		if (log_ratelimit(&ex->refused_log_ns[i], now_ns,
		                  FAIL_LOG_EVERY))
			log_msg(LOG_LVL_WARN,
			        "collector %s: port unreachable (%llu ICMP "
			        "errors so far): is the collector running?",
			        s->name, (unsigned long long)s->refused);
	}
	cs->packets_sent += sent;
	cs->bytes_sent += bytes;
	if (failed == 0)
		return;
	cs->send_failed += failed;
	if (log_ratelimit(&ex->fail_log_ns[i], now_ns, FAIL_LOG_EVERY))
		log_msg(LOG_LVL_WARN,
		        "collector %s: send failed (%llu failures, %llu "
		        "sent; TCP: %llu held for the next connection, %llu "
		        "lost to a full queue): %s",
		        s->name, (unsigned long long)cs->send_failed,
		        (unsigned long long)cs->packets_sent,
		        (unsigned long long)cs->held,
		        (unsigned long long)cs->overflow,
		        strerror(s->last_errno));
}

static void
count_send(struct exporter *ex, int i, int rc, size_t len, uint64_t now_ns)
{
	if (rc == 0)
		count_sends(ex, i, 1, len, 0, now_ns);
	else
		count_sends(ex, i, 0, 0, 1, now_ns);
}

/*
 * A new TCP connection or file starts with the IPFIX templates. next is
 * the message about to follow, or NULL when none is; on TCP the messages
 * held from an earlier connection come first, so the templates take the
 * sequence number of the first of them (RFC 7011 3.1: the number of the
 * first data record of the message that follows).
 */
static void
send_stream_templates(struct exporter *ex, int i, const uint8_t *next,
                      uint64_t now_ns)
{
	struct snd *s = &ex->snd[i];
	const uint8_t *held;
	struct wbuf tw;
	size_t len, hlen = 0;
	int rc;

	if (!s->need_templates || ex->cfg.version != 10)
		return;
	if (s->kind == SND_TCP && s->state == SND_DOWN)
		return; /* the connection that will carry them isn't there */
	held = snd_next_unsent(s, &hlen);
	if (held != NULL && hlen >= 16)
		next = held;
	wb_init(&tw, ex->tbuf, ex->cfg.max_packet);
	len = ipfix_templates(&ex->fix, now_ns,
	                      next != NULL ? ld_be32(next + 8) : ex->fix.seq,
	                      &tw);
	if (len == 0) {
		s->need_templates = false;
		return;
	}
	if (s->kind == SND_TCP && s->reconnects > 0)
		log_msg(LOG_LVL_INFO,
		        "collector %s: connected again; templates, then %zu "
		        "queued messages (%zu bytes)",
		        s->name, s->mcount, s->olen);
	rc = snd_send_templates(s, ex->tbuf, len, now_ns);
	count_send(ex, i, rc, len, now_ns);
}

/* One packet to every collector, as it is. */
static void
deliver(struct exporter *ex, const uint8_t *buf, size_t len, uint64_t now_ns)
{
	int i, rc;

	for (i = 0; i < ex->n_snd; i++) {
		snd_poll(&ex->snd[i], now_ns);
		send_stream_templates(ex, i, buf, now_ns);
		rc = snd_send(&ex->snd[i], buf, len, now_ns);
		count_send(ex, i, rc, len, now_ns);
		ex->stats.coll[i].reconnects = ex->snd[i].reconnects;
	}
	pace(ex);
}

/*
 * The sequence number of a packet about to leave (v9 / IPFIX over UDP):
 * the encoder numbered it when it closed, but lanes close and leave in
 * different orders. ndata: its data records (IPFIX counts those).
 */
static void
stamp(struct exporter *ex, uint8_t *pkt, uint16_t ndata)
{
	if (!ex->restamp)
		return;
	if (ex->cfg.version == 9) {
		st_be32(pkt + 12, ex->wire_seq); /* RFC 3954 5.1: packets */
		ex->wire_seq++;
	} else {
		st_be32(pkt + 8, ex->wire_seq); /* RFC 7011 3.1: records */
		ex->wire_seq += ndata;
	}
}

/* Send a lane's closed packets (UDP: one batch) and empty it. */
static void
send_batch(struct exporter *ex, struct lane *l, uint64_t now_ns)
{
	size_t failed, bytes;
	unsigned k;
	int i;

	if (l->n == 0)
		return;
	for (k = 0; k < l->n; k++)
		stamp(ex, l->buf + (size_t)k * l->seg, l->ndata[k]);
	if (l->n == 1) {
		deliver(ex, l->buf, l->len, now_ns);
	} else {
		for (i = 0; i < ex->n_snd; i++) {
			failed =
			    snd_send_batch(&ex->snd[i], l->buf, l->seg, l->len);
			/* bytes: all, or (a fallback's partial failure) an
			   estimate at seg per packet lost */
			bytes = failed == 0      ? l->len
			        : failed >= l->n ? 0
			                         : l->len - failed * l->seg;
			count_sends(ex, i, l->n - failed, bytes, failed,
			            now_ns);
			ex->stats.coll[i].reconnects = ex->snd[i].reconnects;
		}
	}
	l->len = 0;
	l->n = 0;
	l->seg = 0;
}

static struct lane *
lane_of(struct exporter *ex, uint8_t family)
{
	return &ex->lane[ex->n_lanes > 1 && family == 6 ? 1 : 0];
}

/* Put lane l's packet state in the encoder (v9 / IPFIX keep one per lane). */
static void
activate(struct exporter *ex, struct lane *l)
{
	int i = (int)(l - ex->lane);
	struct lane *old;

	if (i == ex->active)
		return;
	old = &ex->lane[ex->active];
	if (ex->cfg.version == 9) {
		old->m.v9 = ex->v9.m;
		ex->v9.m = l->m.v9;
	} else {
		old->m.fix = ex->fix.m;
		ex->fix.m = l->m.fix;
	}
	ex->active = i;
}

static bool
tmpl_due(const struct exporter *ex, uint64_t now_ns)
{
	if (ex->cfg.version == 9)
		return nf9_tmpl_due(&ex->v9, now_ns);
	if (ex->cfg.version == 10)
		return ipfix_tmpl_due(&ex->fix, now_ns);
	return false;
}

/*
 * v9 / IPFIX over UDP: templates and options when due, in a packet of
 * their own, sent at once: every data packet that could need them leaves
 * later, and no data packet differs in length for carrying them.
 */
static void
send_templates_due(struct exporter *ex, uint64_t now_ns)
{
	struct ipfix_msg fm;
	struct nf9_msg vm;
	struct wbuf tw;
	size_t n;
	uint16_t ndata;

	if (!ex->restamp || !tmpl_due(ex, now_ns))
		return;
	wb_init(&tw, ex->tbuf, ex->cfg.max_packet);
	if (ex->cfg.version == 9) {
		vm = ex->v9.m;
		nf9_begin(&ex->v9, now_ns, &tw);
		n = nf9_end(&ex->v9, now_ns, &tw);
		ex->v9.m = vm;
		ndata = 0;
	} else {
		fm = ex->fix.m;
		ipfix_begin(&ex->fix, now_ns, &tw);
		ndata = ex->fix.m.n_data;
		n = ipfix_end(&ex->fix, now_ns, &tw);
		ex->fix.m = fm;
	}
	sync_stats(ex);
	if (n == 0 || tw.len == 0)
		return;
	ex->stats.packets_built++;
	stamp(ex, ex->tbuf, ndata);
	deliver(ex, ex->tbuf, tw.len, now_ns);
}

static void
enc_begin(struct exporter *ex, struct lane *l, uint64_t now_ns)
{
	send_templates_due(ex, now_ns);
	activate(ex, l);
	wb_init(&l->wb, l->buf + l->len, ex->cfg.max_packet);
	switch (ex->cfg.version) {
	case 1:
	case 5:
		nf5_begin(&ex->v5, now_ns, &l->wb);
		break;
	case 9:
		nf9_begin(&ex->v9, now_ns, &l->wb);
		break;
	default:
		ipfix_begin(&ex->fix, now_ns, &l->wb);
		break;
	}
	l->open = true;
	l->open_ns = now_ns;
}

static enum enc_add
enc_add(struct exporter *ex, struct lane *l, const struct flow_record *rec)
{
	switch (ex->cfg.version) {
	case 1:
	case 5:
		return nf5_add(&ex->v5, rec, &l->wb);
	case 9:
		return nf9_add(&ex->v9, rec, &l->wb);
	default:
		return ipfix_add(&ex->fix, rec, &l->wb);
	}
}

/* After an add: is the packet as full as it can usefully get? */
static bool
enc_full(const struct exporter *ex, const struct lane *l, uint8_t family)
{
	switch (ex->cfg.version) {
	case 1:
	case 5:
		return nf5_full(&ex->v5) || !wb_has(&l->wb, NF5_REC_LEN);
	case 9:
		return !nf9_fits(&ex->v9, family, &l->wb);
	default:
		return !ipfix_fits(&ex->fix, family, &l->wb);
	}
}

static uint64_t
enc_records(const struct exporter *ex)
{
	switch (ex->cfg.version) {
	case 1:
	case 5:
		return ex->v5.records;
	case 9:
		return ex->v9.records;
	default:
		return ex->fix.flow_records;
	}
}

/*
 * Close lane l's packet (if it holds anything) and put it in the batch;
 * the batch leaves when full or when this packet can't be followed.
 */
static void
close_open(struct exporter *ex, struct lane *l, uint64_t now_ns)
{
	size_t n, plen;
	uint16_t ndata = 0;

	if (!l->open)
		return;
	activate(ex, l);
	switch (ex->cfg.version) {
	case 1:
	case 5:
		n = nf5_end(&ex->v5, now_ns, &l->wb);
		break;
	case 9:
		n = nf9_end(&ex->v9, now_ns, &l->wb);
		break;
	default:
		ndata = ex->fix.m.n_data;
		n = ipfix_end(&ex->fix, now_ns, &l->wb);
		break;
	}
	l->open = false;
	sync_stats(ex);
	plen = l->wb.len;
	if (n == 0 || plen == 0)
		return; /* empty packets are never sent */
	ex->stats.packets_built++;
	if (l->n > 0 && plen > l->seg) {
		/* longer than those before it: they go first */
		size_t at = l->len;

		send_batch(ex, l, now_ns);
		memmove(l->buf, l->buf + at, plen);
	}
	if (l->n == 0) {
		l->seg = plen;
		l->due_ns = l->open_ns;
	}
	l->ndata[l->n++] = ndata;
	l->len += plen;
	if (l->n >= ex->nmax || plen < l->seg)
		send_batch(ex, l, now_ns);
}

static void
warn_once(struct exporter *ex)
{
	if (!ex->warned_ipv6 && ex->stats.v5_ipv6_skipped > 0) {
		ex->warned_ipv6 = true;
		log_msg(LOG_LVL_WARN,
		        "export version %d: IPv6 flows can't be carried and "
		        "are skipped (counted in v5_ipv6_skipped); use 9 or "
		        "10",
		        ex->cfg.version);
	}
	if (!ex->warned_split && ex->stats.v5_split > 0) {
		ex->warned_split = true;
		log_msg(LOG_LVL_WARN,
		        "export version %d: a flow passed 2^32-1 packets or "
		        "octets and was split over several records (counted "
		        "in v5_split)",
		        ex->cfg.version);
	}
}

/*
 * rec didn't fit in the open packet: close it, begin another and add rec
 * again, for as long as each try adds something (a v5 record split over
 * several packets). Once a packet: kept out of exp_flow(), where inlined
 * it left enc_add() a call of its own on every record.
 */
static __attribute__((noinline)) enum enc_add
add_again(struct exporter *ex, struct lane *l, const struct flow_record *rec,
          uint64_t now_ns)
{
	enum enc_add r;
	uint64_t before;

	do {
		close_open(ex, l, now_ns);
		enc_begin(ex, l, now_ns);
		before = enc_records(ex);
		r = enc_add(ex, l, rec);
	} while (r == ENC_FULL && enc_records(ex) != before);
	if (r == ENC_FULL) /* can't happen: init checked room for one */
		log_msg(LOG_LVL_ERR, "exporter: record too large, dropped");
	return r;
}

void
exp_flow(struct exporter *ex, const struct flow_record *rec, uint64_t now_ns)
{
	struct lane *l = lane_of(ex, rec->family);
	enum enc_add r;

	if (!l->open)
		enc_begin(ex, l, now_ns);
	else
		activate(ex, l);
	r = enc_add(ex, l, rec);
	if (r == ENC_FULL)
		r = add_again(ex, l, rec, now_ns);
	sync_stats(ex);
	if (is_v5(ex))
		warn_once(ex);
	if (r == ENC_ADDED && enc_full(ex, l, rec->family))
		close_open(ex, l, now_ns);
}

static bool
aged(const struct exporter *ex, uint64_t since_ns, uint64_t now_ns)
{
	return now_ns >= since_ns &&
	       now_ns - since_ns >= (uint64_t)ex->cfg.flush_ms * NS_PER_MS;
}

/*
 * Send lane l's batch while its packet stays open: that packet moves to
 * the front of the buffer (the encoder's offsets are from wb.base).
 */
static void
send_batch_keep_open(struct exporter *ex, struct lane *l, uint64_t now_ns)
{
	size_t open_len = l->wb.len;

	if (l->n == 0)
		return;
	send_batch(ex, l, now_ns);
	if (l->open) {
		memmove(l->buf, l->wb.base, open_len);
		l->wb.base = l->buf;
	}
}

void
exp_tick(struct exporter *ex, uint64_t now_ns)
{
	int i;

	for (i = 0; i < ex->n_snd; i++) {
		snd_poll(&ex->snd[i], now_ns);
		ex->stats.coll[i].reconnects = ex->snd[i].reconnects;
	}
	for (i = 0; i < ex->n_lanes; i++) {
		struct lane *l = &ex->lane[i];

		if (l->open && aged(ex, l->open_ns, now_ns))
			close_open(ex, l, now_ns);
		if (l->n > 0 && aged(ex, l->due_ns, now_ns))
			send_batch_keep_open(ex, l, now_ns);
	}
	/* templates (and options) due by time with nothing pending */
	if (ex->restamp) {
		send_templates_due(ex, now_ns);
	} else if (!ex->lane[0].open && tmpl_due(ex, now_ns)) {
		enc_begin(ex, &ex->lane[0], now_ns);
		close_open(ex, &ex->lane[0], now_ns);
	}
	/* a stream that came back gets its templates without waiting */
	for (i = 0; i < ex->n_snd; i++)
		if (ex->snd[i].kind == SND_TCP && ex->snd[i].need_templates &&
		    ex->snd[i].state != SND_DOWN)
			send_stream_templates(ex, i, NULL, now_ns);
}

void
exp_flush(struct exporter *ex, uint64_t now_ns)
{
	int i;

	for (i = 0; i < ex->n_lanes; i++) {
		close_open(ex, &ex->lane[i], now_ns);
		send_batch(ex, &ex->lane[i], now_ns);
	}
	for (i = 0; i < ex->n_snd; i++)
		snd_poll(&ex->snd[i], now_ns);
}

void
exp_set_capture_stats(struct exporter *ex, uint64_t packets_seen,
                      uint64_t packets_dropped)
{
	ex->fix.pkts_seen = packets_seen;
	ex->fix.pkts_dropped = packets_dropped;
}

void
exp_set_boot(struct exporter *ex, uint64_t boot_ns)
{
	if (ex->cfg.version == 9)
		nf9_set_boot(&ex->v9, boot_ns);
	else if (ex->cfg.version == 1 || ex->cfg.version == 5)
		nf5_set_boot(&ex->v5, boot_ns);
}

const struct exp_stats *
exp_get_stats(const struct exporter *ex)
{
	return &ex->stats;
}

void
exp_destroy(struct exporter *ex, uint64_t now_ns)
{
	int i;

	if (ex == NULL)
		return;
	exp_flush(ex, now_ns);
	for (i = 0; i < ex->n_snd; i++)
		snd_close(&ex->snd[i], CLOSE_TIMEOUT_MS);
	for (i = 0; i < LANES; i++)
		free(ex->lane[i].buf);
	free(ex->tbuf);
	free(ex);
}
