#include "ipfix.h"

#include <assert.h>
#include <string.h>

#include "../common/bytes.h"

#define NS_PER_SEC 1000000000ull

/*
 * Message header (RFC 7011 §3.1), 16 bytes:
 *  0 version (10)  2 length (whole message)  4 export time (s)
 *  8 sequence number (data records before this message)
 * 12 observation domain id
 */
#define H_VERSION 0
#define H_LENGTH  2
#define H_EXPORT  4
#define H_SEQ     8
#define H_DOMAIN  12

#define SET_HDR_LEN IPFIX_SET_HDR_LEN
#define VARLEN      0xffff /* RFC 7011 §7: variable-length element */

/* Options templates (RFC 7011 §3.4.2.2): one scope field each. */
struct opt_field {
	uint16_t id;
	uint16_t len;
};

/* §4.3 exporting-process statistics, plus the capture's packet counts. */
static const struct opt_field opt_stat[] = {
    {IE_OBSERVATION_DOMAIN_ID, 4}, /* scope */
    {IE_EXPORTED_MSG_TOTAL, 8},    {IE_EXPORTED_FLOW_TOTAL, 8},
    {IE_EXPORTED_OCTET_TOTAL, 8},  {IE_PACKET_TOTAL_COUNT, 8},
    {IE_IGNORED_PACKET_TOTAL, 8},
};
#define OPT_STAT_REC_LEN (4 + 5 * 8)

/* RFC 7270 / 5477 sampling: 1 in N is interval 1, space N-1. */
static const struct opt_field opt_samp[] = {
    {IE_OBSERVATION_DOMAIN_ID, 4}, /* scope */
    {IE_SAMPLING_INTERVAL, 4},     {IE_SAMPLING_ALGORITHM, 1},
    {IE_SAMPLING_PKT_INTERVAL, 4}, {IE_SAMPLING_PKT_SPACE, 4},
};
#define OPT_SAMP_REC_LEN (4 + 4 + 1 + 4 + 4)

static const struct opt_field opt_ifn[] = {
    {IE_INGRESS_INTERFACE, 4}, /* scope */
    {IE_INTERFACE_NAME, VARLEN},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static size_t
opt_tmpl_len(size_t n_fields)
{
	return 6 + 4 * n_fields;
}

static size_t
ifname_len(const struct ipfix_state *st, int i)
{
	return strlen(st->p.if_name[i]);
}

static uint16_t
ext_bit(unsigned kind, uint8_t family)
{
	return (uint16_t)(1u << (kind * 2 + (family == 6)));
}

/* Has data template (kind, family) gone out? The base pair always has. */
static bool
tmpl_known(uint16_t known, unsigned kind, uint8_t family)
{
	return kind == FLD_KIND_BASE || (known & ext_bit(kind, family)) != 0;
}

/* The data templates of the Template Set: those in known. */
static size_t
data_tmpl_len(const struct ipfix_state *st, uint16_t known)
{
	size_t len = 0;
	unsigned k;

	for (k = 0; k < FLD_KIND_COUNT; k++) {
		if (tmpl_known(known, k, 4))
			len += fld_template_len(
			    fld_ipfix_tmpl(4, k, st->p.time_unit));
		if (tmpl_known(known, k, 6))
			len += fld_template_len(
			    fld_ipfix_tmpl(6, k, st->p.time_unit));
	}
	return len;
}

/* Template Set (the data templates in known) + Options Template Sets. */
static size_t
tmpl_sets_len_for(const struct ipfix_state *st, uint16_t known)
{
	size_t len = SET_HDR_LEN + data_tmpl_len(st, known);

	/* one Options Template Set per options template: see write_tmpl_sets */
	len += SET_HDR_LEN + opt_tmpl_len(NELEM(opt_stat));
	len += SET_HDR_LEN + opt_tmpl_len(NELEM(opt_samp));
	if (st->p.n_if > 0)
		len += SET_HDR_LEN + opt_tmpl_len(NELEM(opt_ifn));
	return len;
}

static size_t
tmpl_sets_len(const struct ipfix_state *st)
{
	return tmpl_sets_len_for(st, st->ext_known);
}

/* Options data sets. */
static size_t
opt_data_len(const struct ipfix_state *st)
{
	size_t len =
	    SET_HDR_LEN + OPT_STAT_REC_LEN + SET_HDR_LEN + OPT_SAMP_REC_LEN;
	int i;

	if (st->p.n_if > 0) {
		len += SET_HDR_LEN;
		for (i = 0; i < st->p.n_if; i++)
			len += 4 + 1 + ifname_len(st, i);
	}
	return len;
}

int
ipfix_init(struct ipfix_state *st, const struct ipfix_params *p,
           size_t max_packet)
{
	const struct fld_tmpl *big;
	size_t need;
	int i;

	memset(st, 0, sizeof(*st));
	st->p = *p;
	if (st->p.sampling == 0)
		st->p.sampling = 1;
	if (p->time_unit < 0 || p->time_unit > 2 || p->n_if < 0 ||
	    p->n_if > IPFIX_MAX_IF)
		return -1;
	for (i = 0; i < st->p.n_if; i++)
		st->p.if_name[i][IPFIX_IFNAME_MAX] = '\0';
	st->t4 = &fld_ipfix_ip4[p->time_unit];
	st->t6 = &fld_ipfix_ip6[p->time_unit];
	assert(st->t4->write != NULL && st->t6->write != NULL); /* ipfix_add */
	/*
	 * A fresh message holds the options, the templates (inline) and the
	 * largest record with its template announced in a set of its own.
	 * One run's records take one kind beside the base one (the flow
	 * table's options fix it), so the templates are the base pair and
	 * the largest kind's pair.
	 */
	big = fld_ipfix_tmpl(6, FLD_KIND_COUNT - 1, p->time_unit);
	need = IPFIX_HDR_LEN + opt_data_len(st) + SET_HDR_LEN + big->rec_len;
	if (p->tmpl_inline)
		need += tmpl_sets_len_for(
		    st, (uint16_t)(ext_bit(FLD_KIND_COUNT - 1, 4) |
		                   ext_bit(FLD_KIND_COUNT - 1, 6)));
	else
		need += SET_HDR_LEN + fld_template_len(big);
	if (max_packet < need || max_packet > 0xffff)
		return -1;
	return 0;
}

bool
ipfix_tmpl_due(const struct ipfix_state *st, uint64_t now_ns)
{
	if (!st->tmpl_sent || st->tmpl_force)
		return true;
	return fld_tmpl_due(st->pkts_since_tmpl, st->tmpl_last_ns,
	                    st->p.refresh_packets, st->p.refresh_secs, now_ns);
}

void
ipfix_force_templates(struct ipfix_state *st)
{
	st->tmpl_force = true;
}

/*
 * One Options Template Set holding one options template. RFC 7011 allows
 * several per set, but pmacct's nfacctd 1.7 drops the whole message when
 * a set holds more than one (seen in tests/integration/32_nfacctd.sh).
 */
static void
write_opt_tmpl(struct wbuf *w, uint16_t id, const struct opt_field *f, size_t n)
{
	size_t i;

	(void)wb_be16(w, IPFIX_SET_OPT_TEMPLATE);
	(void)wb_be16(w, (uint16_t)(SET_HDR_LEN + opt_tmpl_len(n)));
	(void)wb_be16(w, id);
	(void)wb_be16(w, (uint16_t)n);
	(void)wb_be16(w, 1); /* scope field count */
	for (i = 0; i < n; i++) {
		(void)wb_be16(w, f[i].id);
		(void)wb_be16(w, f[i].len);
	}
}

/* Returns template records written; the caller checked the room. */
static uint16_t
write_tmpl_sets(const struct ipfix_state *st, struct wbuf *w)
{
	size_t off = wb_mark(w);
	uint16_t n = 2; /* the two options templates */
	unsigned k;
	uint8_t fam;

	(void)wb_be16(w, IPFIX_SET_TEMPLATE);
	(void)wb_be16(w, 0);
	for (k = 0; k < FLD_KIND_COUNT; k++)
		for (fam = 4; fam <= 6; fam = (uint8_t)(fam + 2))
			if (tmpl_known(st->ext_known, k, fam)) {
				(void)fld_write_template(
				    fld_ipfix_tmpl(fam, k, st->p.time_unit), w);
				n++;
			}
	wb_patch_be16(w, off + 2, (uint16_t)(wb_mark(w) - off));

	write_opt_tmpl(w, FLD_TMPL_OPT_STAT, opt_stat, NELEM(opt_stat));
	write_opt_tmpl(w, FLD_TMPL_OPT_SAMP, opt_samp, NELEM(opt_samp));
	if (st->p.n_if > 0) {
		write_opt_tmpl(w, FLD_TMPL_OPT_IFN, opt_ifn, NELEM(opt_ifn));
		n++;
	}
	return n;
}

/* Returns options data records written; the caller checked the room. */
static uint16_t
write_opt_data(const struct ipfix_state *st, struct wbuf *w)
{
	size_t off, len;
	uint16_t n = 2;
	int i;

	(void)wb_be16(w, FLD_TMPL_OPT_STAT);
	(void)wb_be16(w, SET_HDR_LEN + OPT_STAT_REC_LEN);
	(void)wb_be32(w, st->p.domain_id);
	(void)wb_be64(w, st->msgs);
	(void)wb_be64(w, st->flow_records);
	(void)wb_be64(w, st->octets);
	(void)wb_be64(w, st->pkts_seen);
	(void)wb_be64(w, st->pkts_dropped);

	(void)wb_be16(w, FLD_TMPL_OPT_SAMP);
	(void)wb_be16(w, SET_HDR_LEN + OPT_SAMP_REC_LEN);
	(void)wb_be32(w, st->p.domain_id);
	(void)wb_be32(w, st->p.sampling);
	(void)wb_u8(w, IPFIX_SAMP_DETERMINISTIC);
	(void)wb_be32(w, 1);
	(void)wb_be32(w, st->p.sampling - 1);

	if (st->p.n_if > 0) {
		off = wb_mark(w);
		(void)wb_be16(w, FLD_TMPL_OPT_IFN);
		(void)wb_be16(w, 0);
		for (i = 0; i < st->p.n_if; i++) {
			len = ifname_len(st, i); /* < 255: one length byte */
			(void)wb_be32(w, st->p.if_index[i]);
			(void)wb_u8(w, (uint8_t)len);
			(void)wb_bytes(w, st->p.if_name[i], len);
			n++;
		}
		wb_patch_be16(w, off + 2, (uint16_t)(wb_mark(w) - off));
	}
	return n;
}

static void
fill_header(uint8_t *h, size_t len, uint64_t now_ns, uint32_t seq,
            uint32_t domain)
{
	st_be16(h + H_VERSION, IPFIX_VERSION);
	st_be16(h + H_LENGTH, (uint16_t)len);
	st_be32(h + H_EXPORT, (uint32_t)(now_ns / NS_PER_SEC));
	st_be32(h + H_SEQ, seq);
	st_be32(h + H_DOMAIN, domain);
}

void
ipfix_begin(struct ipfix_state *st, uint64_t now_ns, struct wbuf *w)
{
	size_t need;

	w->len = 0;
	st->m.n_data = 0;
	st->m.n_tmpl = 0;
	st->m.set_id = 0;
	st->m.open = wb_take(w, IPFIX_HDR_LEN) != NULL;
	if (!st->m.open || !ipfix_tmpl_due(st, now_ns))
		return;
	need = opt_data_len(st);
	if (st->p.tmpl_inline)
		need += tmpl_sets_len(st);
	if (!wb_has(w, need))
		return;
	if (st->p.tmpl_inline)
		st->m.n_tmpl = write_tmpl_sets(st, w);
	st->m.n_data = write_opt_data(st, w);
	st->tmpl_sent = true;
	st->tmpl_force = false;
	st->tmpl_last_ns = now_ns;
	st->pkts_since_tmpl = 0;
	st->tmpl_msgs++;
}

static void
close_set(struct ipfix_state *st, struct wbuf *w)
{
	if (st->m.set_id == 0)
		return;
	/* no padding: RFC 7011 §3.3.1 makes it optional */
	wb_patch_be16(w, st->m.set_off + 2,
	              (uint16_t)(wb_mark(w) - st->m.set_off));
	st->m.set_id = 0;
}

/*
 * A data template first needed mid-message goes out in a Template Set of
 * its own just before the record, whatever the transport (RFC 7011 §8:
 * a template before the data that uses it), then with every refresh and
 * in ipfix_templates().
 */
static void
announce(struct ipfix_state *st, const struct fld_tmpl *t, unsigned kind,
         uint8_t family, struct wbuf *w)
{
	close_set(st, w);
	fld_write_template_set(IPFIX_SET_TEMPLATE, t, w);
	st->m.n_tmpl++;
	st->ext_known |= ext_bit(kind, family);
}

/* The getters' context: IPFIX times are absolute, so it stays empty. */
static const struct fld_ctx no_ctx;

/* Close the open Data Set, if any, and open one for template id. The
 * caller checked the room for its header. */
static void
open_set(struct ipfix_state *st, uint16_t id, struct wbuf *w)
{
	close_set(st, w);
	st->m.set_off = wb_mark(w);
	(void)wb_be16(w, id);
	(void)wb_be16(w, 0);
	st->m.set_id = id;
}

enum enc_add
ipfix_add_general(struct ipfix_state *st, const struct flow_record *r,
                  struct wbuf *w)
{
	unsigned kind = fld_kind_of(r, true);
	const struct fld_tmpl *t =
	    fld_ipfix_tmpl(r->family, kind, st->p.time_unit);
	size_t need;
	bool new_tmpl;

	if (t == NULL)
		return ENC_SKIPPED;
	new_tmpl = !tmpl_known(st->ext_known, kind, r->family);
	if (!st->m.open || st->m.n_data == 0xffff)
		return ENC_FULL;
	need = t->rec_len;
	if (new_tmpl)
		need += SET_HDR_LEN + fld_template_len(t) + SET_HDR_LEN;
	else if (st->m.set_id != t->tmpl_id)
		need += SET_HDR_LEN;
	if (!wb_has(w, need))
		return ENC_FULL;
	if (new_tmpl)
		announce(st, t, kind, r->family, w);
	if (st->m.set_id != t->tmpl_id)
		open_set(st, t->tmpl_id, w);
	(void)fld_write_record(t, r, &no_ctx, w);
	st->m.n_data++;
	st->flow_records++;
	return ENC_ADDED;
}

enum enc_add
ipfix_add(struct ipfix_state *st, const struct flow_record *r, struct wbuf *w)
{
	const struct fld_tmpl *t;
	uint8_t *p;

	if ((r->ext & FLD_EXT_IPFIX) != 0)
		return ipfix_add_general(st, r, w);
	/*
	 * A base record: its template is st->t4 or st->t6, always known,
	 * with a straight-line writer; what is left is the room check (one
	 * for a record that continues the open set; one that opens a set
	 * takes the header and the record in one piece) and the stores.
	 */
	if (r->family == 4)
		t = st->t4;
	else if (r->family == 6)
		t = st->t6;
	else
		return ENC_SKIPPED;
	if (!st->m.open || st->m.n_data == 0xffff)
		return ENC_FULL;
	if (st->m.set_id == t->tmpl_id) {
		p = wb_take_raw(w, t->rec_len); /* the room check */
		if (p == NULL)
			return ENC_FULL;
	} else {
		if (!wb_has(w, SET_HDR_LEN + (size_t)t->rec_len))
			return ENC_FULL;
		close_set(st, w);
		st->m.set_off = wb_mark(w);
		st->m.set_id = t->tmpl_id;
		p = wb_take_raw(w, SET_HDR_LEN + (size_t)t->rec_len);
		if (p == NULL) /* can't happen: the room was checked */
			return ENC_FULL;
		st_be16(p, t->tmpl_id);
		st_be16(p + 2, 0); /* the length: close_set() */
		p += SET_HDR_LEN;
	}
	t->write(p, r, &no_ctx);
	st->m.n_data++;
	st->flow_records++;
	return ENC_ADDED;
}

size_t
ipfix_end(struct ipfix_state *st, uint64_t now_ns, struct wbuf *w)
{
	size_t n = (size_t)st->m.n_data + st->m.n_tmpl;

	close_set(st, w);
	if (!st->m.open || n == 0) {
		st->m.open = false;
		w->len = 0;
		return 0;
	}
	fill_header(w->base, w->len, now_ns, st->seq, st->p.domain_id);
	/* RFC 7011 §3.1: counts Data Records, not messages or templates */
	st->seq += st->m.n_data;
	st->msgs++;
	st->octets += w->len;
	st->pkts_since_tmpl++;
	st->m.open = false;
	st->m.n_data = 0;
	st->m.n_tmpl = 0;
	return n;
}

size_t
ipfix_templates(const struct ipfix_state *st, uint64_t now_ns, uint32_t seq,
                struct wbuf *w)
{
	w->len = 0;
	if (!wb_has(w, IPFIX_HDR_LEN + tmpl_sets_len(st)))
		return 0;
	(void)wb_take(w, IPFIX_HDR_LEN);
	(void)write_tmpl_sets(st, w);
	fill_header(w->base, w->len, now_ns, seq, st->p.domain_id);
	return w->len;
}

size_t
ipfix_encode(struct ipfix_state *st, const struct flow_record *recs, size_t n,
             uint64_t now_ns, struct wbuf *w)
{
	size_t i;

	ipfix_begin(st, now_ns, w);
	for (i = 0; i < n; i++)
		if (ipfix_add(st, &recs[i], w) == ENC_FULL)
			break;
	(void)ipfix_end(st, now_ns, w);
	return i;
}
