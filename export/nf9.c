#include "nf9.h"

#include <assert.h>
#include <string.h>

#include "../common/bytes.h"

#define NS_PER_SEC 1000000000ull

/*
 * Header (RFC 3954 §5.1), 20 bytes:
 *  0 version (9)  2 count  4 sysUptime (ms)  8 unix secs
 * 12 sequence (export packets)  16 source id
 */
#define H_VERSION 0
#define H_COUNT   2
#define H_UPTIME  4
#define H_SECS    8
#define H_SEQ     12
#define H_SRC_ID  16

#define SET_HDR_LEN 4

/* Options data record (258): System scope (source id), interval, algo. */
#define OPT_SAMP_REC_LEN 9

static const struct fld_tmpl *
tmpl_for(uint8_t family)
{
	if (family == 4)
		return &fld_nf9_ip4;
	if (family == 6)
		return &fld_nf9_ip6;
	return NULL;
}

/* Bit of st->ext_known for template t of kind k. */
static uint16_t
ext_bit(unsigned kind, uint8_t family)
{
	return (uint16_t)(1u << (kind * 2 + (family == 6)));
}

/* Has template (kind, family) gone out? The base pair always has. */
static bool
tmpl_known(const struct nf9_state *st, unsigned kind, uint8_t family)
{
	return kind == FLD_KIND_BASE ||
	       (st->ext_known & ext_bit(kind, family)) != 0;
}

static size_t
pad4(size_t len)
{
	return (4 - (len & 3)) & 3;
}

/*
 * Bytes the templates and the sampling options take in a packet: the base
 * pair and the extended templates in known (all of them if known is
 * 0xffff).
 */
static size_t
tmpl_block_len(uint16_t known)
{
	size_t t = SET_HDR_LEN;
	size_t o = SET_HDR_LEN + 6 + 4 + 8; /* one scope, two options */
	size_t d = SET_HDR_LEN + OPT_SAMP_REC_LEN;
	unsigned k;

	for (k = 0; k < FLD_NF9_KINDS; k++) {
		if (k == FLD_KIND_BASE || (known & ext_bit(k, 4)) != 0)
			t += fld_template_len(fld_nf9_tmpl(4, k));
		if (k == FLD_KIND_BASE || (known & ext_bit(k, 6)) != 0)
			t += fld_template_len(fld_nf9_tmpl(6, k));
	}
	return t + o + pad4(o) + d + pad4(d);
}

int
nf9_init(struct nf9_state *st, const struct nf9_params *p, size_t max_packet)
{
	/*
	 * The largest record after the templates: one run's records take
	 * one kind beside the base one (the flow table's options fix it),
	 * so the base pair and the largest kind's pair. An announcement in
	 * a packet without the block takes less.
	 */
	size_t set = SET_HDR_LEN + fld_nf9_tmpl(6, FLD_NF9_KINDS - 1)->rec_len;
	size_t need =
	    NF9_HDR_LEN +
	    tmpl_block_len((uint16_t)(ext_bit(FLD_NF9_KINDS - 1, 4) |
	                              ext_bit(FLD_NF9_KINDS - 1, 6))) +
	    set + pad4(set);

	memset(st, 0, sizeof(*st));
	st->p = *p;
	if (st->p.sampling == 0)
		st->p.sampling = 1;
	assert(fld_nf9_ip4.write != NULL && fld_nf9_ip6.write != NULL);
	if (max_packet < need || max_packet > 0xffff)
		return -1;
	return 0;
}

bool
nf9_tmpl_due(const struct nf9_state *st, uint64_t now_ns)
{
	if (!st->tmpl_sent || st->tmpl_force)
		return true;
	return fld_tmpl_due(st->pkts_since_tmpl, st->tmpl_last_ns,
	                    st->p.refresh_packets, st->p.refresh_secs, now_ns);
}

void
nf9_force_templates(struct nf9_state *st)
{
	st->tmpl_force = true;
}

/*
 * Template FlowSet, Options Template FlowSet and the options data record.
 * Options Template FlowSet (RFC 3954 §6.1):
 *  0 FlowSet id (1)  2 length  4 template id  6 option scope length
 *  8 option length  10 scope (type, length)...  options (type, length)...
 *  padding to 4 bytes.
 */
static bool
write_templates(struct nf9_state *st, struct wbuf *w)
{
	size_t off;
	unsigned k, n_tmpl = 0;
	uint8_t fam;

	if (!wb_has(w, tmpl_block_len(st->ext_known)))
		return false;
	off = wb_mark(w);
	(void)wb_be16(w, NF9_SET_TEMPLATE);
	(void)wb_be16(w, 0);
	for (k = 0; k < FLD_NF9_KINDS; k++)
		for (fam = 4; fam <= 6; fam = (uint8_t)(fam + 2))
			if (tmpl_known(st, k, fam)) {
				(void)fld_write_template(fld_nf9_tmpl(fam, k),
				                         w);
				n_tmpl++;
			}
	wb_patch_be16(w, off + 2, (uint16_t)(wb_mark(w) - off));

	off = wb_mark(w);
	(void)wb_be16(w, NF9_SET_OPTIONS);
	(void)wb_be16(w, 0);
	(void)wb_be16(w, NF9_TMPL_OPT_SAMP);
	(void)wb_be16(w, 4); /* scope length: one (type, length) pair */
	(void)wb_be16(w, 8); /* option length: two pairs */
	(void)wb_be16(w, NF9_SCOPE_SYSTEM);
	(void)wb_be16(w, 4);
	(void)wb_be16(w, IE_SAMPLING_INTERVAL);
	(void)wb_be16(w, 4);
	(void)wb_be16(w, IE_SAMPLING_ALGORITHM);
	(void)wb_be16(w, 1);
	(void)wb_zero(w, pad4(wb_mark(w) - off));
	wb_patch_be16(w, off + 2, (uint16_t)(wb_mark(w) - off));

	off = wb_mark(w);
	(void)wb_be16(w, NF9_TMPL_OPT_SAMP);
	(void)wb_be16(w, 0);
	(void)wb_be32(w, st->p.source_id); /* the System scope value */
	(void)wb_be32(w, st->p.sampling);
	(void)wb_u8(w, NF9_SAMP_DETERMINISTIC);
	(void)wb_zero(w, pad4(wb_mark(w) - off));
	wb_patch_be16(w, off + 2, (uint16_t)(wb_mark(w) - off));

	/* the templates, 1 options template, 1 options record */
	st->m.count = (uint16_t)(st->m.count + n_tmpl + 2);
	return true;
}

/*
 * The v9 header has Unix seconds but no fraction, so a collector finds the
 * boot as unix_secs * 1000 - sysUptime. Boot on a whole second and give the
 * uptime of the header's whole second, and that sum is exact.
 */
static uint64_t
whole_sec(uint64_t t_ns)
{
	return t_ns - t_ns % NS_PER_SEC;
}

void
nf9_set_boot(struct nf9_state *st, uint64_t boot_ns)
{
	if (st->booted)
		return;
	st->booted = true;
	st->ctx.boot_ns = whole_sec(boot_ns);
}

void
nf9_begin(struct nf9_state *st, uint64_t now_ns, struct wbuf *w)
{
	nf9_set_boot(st, now_ns);
	w->len = 0;
	st->m.count = 0;
	st->m.set_id = 0;
	st->m.open = wb_take(w, NF9_HDR_LEN) != NULL;
	if (st->m.open && nf9_tmpl_due(st, now_ns) && write_templates(st, w)) {
		st->tmpl_sent = true;
		st->tmpl_force = false;
		st->tmpl_last_ns = now_ns;
		st->pkts_since_tmpl = 0;
		st->tmpl_packets++;
	}
}

/*
 * Room needed to add a record of t, including the padding it causes, and
 * first a Template FlowSet for t if announce. Inlined by force: called
 * with announce false, most of it folds away.
 */
static inline __attribute__((always_inline)) size_t
need_for(const struct nf9_state *st, const struct fld_tmpl *t, bool announce,
         const struct wbuf *w)
{
	size_t need = 0, set_len;

	if (announce) {
		if (st->m.set_id != 0)
			need += pad4(wb_mark(w) - st->m.set_off);
		return need + SET_HDR_LEN + fld_template_len(t) + SET_HDR_LEN +
		       t->rec_len + pad4(SET_HDR_LEN + t->rec_len);
	}
	if (st->m.set_id == t->tmpl_id) {
		set_len = wb_mark(w) - st->m.set_off;
	} else {
		if (st->m.set_id != 0)
			need += pad4(wb_mark(w) - st->m.set_off);
		need += SET_HDR_LEN;
		set_len = SET_HDR_LEN;
	}
	return need + t->rec_len + pad4(set_len + t->rec_len);
}

bool
nf9_fits(const struct nf9_state *st, uint8_t family, const struct wbuf *w)
{
	const struct fld_tmpl *t = tmpl_for(family);

	return st->m.open && t != NULL && st->m.count < 0xffff &&
	       wb_has(w, need_for(st, t, false, w));
}

static void
close_set(struct nf9_state *st, struct wbuf *w)
{
	size_t pad;

	if (st->m.set_id == 0)
		return;
	/* RFC 3954 §5.3: pad each FlowSet to a 32-bit boundary. At most 3
	   bytes: put one by one, cheaper than wb_zero()'s memset call. */
	for (pad = pad4(wb_mark(w) - st->m.set_off); pad > 0; pad--)
		(void)wb_u8(w, 0);
	wb_patch_be16(w, st->m.set_off + 2,
	              (uint16_t)(wb_mark(w) - st->m.set_off));
	st->m.set_id = 0;
}

/* Close the open data FlowSet, if any, and open one for template id. The
 * caller checked the room (need_for). */
static void
open_set(struct nf9_state *st, uint16_t id, struct wbuf *w)
{
	close_set(st, w);
	st->m.set_off = wb_mark(w);
	(void)wb_be16(w, id);
	(void)wb_be16(w, 0);
	st->m.set_id = id;
}

/*
 * A template first needed mid-packet goes out in its own Template FlowSet
 * just before the record (RFC 3954 §5: FlowSets in any order), and from
 * then on with every template refresh.
 */
static void
announce(struct nf9_state *st, const struct fld_tmpl *t, unsigned kind,
         uint8_t family, struct wbuf *w)
{
	close_set(st, w);
	fld_write_template_set(NF9_SET_TEMPLATE, t, w);
	st->m.count++;
	st->ext_known |= ext_bit(kind, family);
}

enum enc_add
nf9_add_general(struct nf9_state *st, const struct flow_record *r,
                struct wbuf *w)
{
	unsigned kind = fld_kind_of(r, false); /* v9: no biflows */
	const struct fld_tmpl *t = fld_nf9_tmpl(r->family, kind);
	bool new_tmpl;

	if (t == NULL)
		return ENC_SKIPPED;
	new_tmpl = !tmpl_known(st, kind, r->family);
	if (!st->m.open || st->m.count >= 0xffff - 1 ||
	    !wb_has(w, need_for(st, t, new_tmpl, w)))
		return ENC_FULL;
	if (new_tmpl)
		announce(st, t, kind, r->family, w);
	if (st->m.set_id != t->tmpl_id)
		open_set(st, t->tmpl_id, w);
	(void)fld_write_record(t, r, &st->ctx, w);
	st->m.count++;
	st->records++;
	return ENC_ADDED;
}

enum enc_add
nf9_add(struct nf9_state *st, const struct flow_record *r, struct wbuf *w)
{
	const struct fld_tmpl *t;
	size_t set_len;
	uint8_t *p;

	if ((r->ext & FLD_EXT_NF9) != 0)
		return nf9_add_general(st, r, w);
	/*
	 * A base record: its template is fld_nf9_ip4 or fld_nf9_ip6, always
	 * known, with a straight-line writer. One that continues the open
	 * FlowSet needs its length and the padding the set would then take
	 * (the same-set case of need_for(), written out); one that opens a
	 * FlowSet takes the header and the record in one piece.
	 */
	if (r->family == 4)
		t = &fld_nf9_ip4;
	else if (r->family == 6)
		t = &fld_nf9_ip6;
	else
		return ENC_SKIPPED;
	if (!st->m.open || st->m.count >= 0xffff - 1)
		return ENC_FULL;
	if (st->m.set_id == t->tmpl_id) {
		set_len = wb_mark(w) - st->m.set_off + t->rec_len;
		if (!wb_has(w, t->rec_len + pad4(set_len)))
			return ENC_FULL;
		p = wb_take_raw(w, t->rec_len);
	} else {
		if (!wb_has(w, need_for(st, t, false, w)))
			return ENC_FULL;
		close_set(st, w);
		st->m.set_off = wb_mark(w);
		st->m.set_id = t->tmpl_id;
		p = wb_take_raw(w, SET_HDR_LEN + (size_t)t->rec_len);
		if (p != NULL) {
			st_be16(p, t->tmpl_id);
			st_be16(p + 2, 0); /* the length: close_set() */
			p += SET_HDR_LEN;
		}
	}
	if (p == NULL) /* can't happen: the room was checked */
		return ENC_FULL;
	t->write(p, r, &st->ctx);
	st->m.count++;
	st->records++;
	return ENC_ADDED;
}

size_t
nf9_end(struct nf9_state *st, uint64_t now_ns, struct wbuf *w)
{
	size_t n = st->m.count;
	uint8_t *h = w->base;

	close_set(st, w);
	if (!st->m.open || n == 0) {
		st->m.open = false;
		w->len = 0;
		return 0;
	}
	st_be16(h + H_VERSION, NF9_VERSION);
	st_be16(h + H_COUNT, st->m.count);
	st_be32(h + H_UPTIME,
	        fld_uptime_ms(whole_sec(now_ns), st->ctx.boot_ns));
	st_be32(h + H_SECS, (uint32_t)(now_ns / NS_PER_SEC));
	st_be32(h + H_SEQ, st->sequence); /* packets sent before this one */
	st_be32(h + H_SRC_ID, st->p.source_id);
	st->sequence++;
	st->pkts_since_tmpl++;
	st->packets++;
	st->m.open = false;
	st->m.count = 0;
	return n;
}

size_t
nf9_encode(struct nf9_state *st, const struct flow_record *recs, size_t n,
           uint64_t now_ns, struct wbuf *w)
{
	size_t i;

	nf9_begin(st, now_ns, w);
	for (i = 0; i < n; i++)
		if (nf9_add(st, &recs[i], w) == ENC_FULL)
			break;
	(void)nf9_end(st, now_ns, w);
	return i;
}
