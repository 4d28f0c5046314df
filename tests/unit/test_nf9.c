/*
 * NetFlow v9 encoder (RFC 3954): a whole packet compared byte for byte with
 * one written out by hand, the field tables, sequence numbers, template
 * refresh by count and by time, and the packet size limit.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../export/fields.h"
#include "../../export/nf9.h"

#include "exptest.h"
#include "encpair.h"

static const uint8_t v9_expect[] = {
    /* header, RFC 3954 §5.1 */
    B16(9),          /* version */
    B16(7),          /* count: 2 templates + 1 options template + 1
                        options record + 3 data records */
    B32(3000),       /* sysUptime */
    B32(0x6553f103), /* unix secs */
    B32(1),          /* package sequence: one packet before */
    B32(77),         /* source id */
    /* Template FlowSet */
    B16(0),            /* FlowSet id 0 */
    B16(156),          /* length: 4 + 2 * (4 + 18 * 4) */
    B16(256), B16(18), /* IPv4 template, 18 fields */
    F(1, 8), F(2, 8), F(4, 1), F(5, 1), F(6, 1), F(7, 2), F(8, 4), F(10, 4),
    F(11, 2), F(12, 4), F(21, 4), F(22, 4), F(58, 2), F(60, 1), F(52, 1),
    F(53, 1), F(32, 2), F(136, 1), B16(257), B16(18), /* IPv6 template */
    F(1, 8), F(2, 8), F(4, 1), F(5, 1), F(6, 1), F(7, 2), F(27, 16), F(10, 4),
    F(11, 2), F(28, 16), F(21, 4), F(22, 4), F(58, 2), F(60, 1), F(52, 1),
    F(53, 1), F(32, 2), F(136, 1),
    /* Options Template FlowSet, RFC 3954 §6.1 */
    B16(1),   /* FlowSet id 1 */
    B16(24),  /* length, padded */
    B16(258), /* template id */
    B16(4),   /* option scope length */
    B16(8),   /* option length */
    F(1, 4),  /* scope: System */
    F(34, 4), /* SAMPLING_INTERVAL */
    F(35, 1), /* SAMPLING_ALGORITHM */
    0, 0,     /* padding */
    /* options data */
    B16(258), B16(16), /* FlowSet id, length */
    B32(77),           /* System scope: the source id */
    B32(1),            /* sampling interval 1 */
    1,                 /* deterministic */
    0, 0, 0,           /* padding */
    /* Data FlowSet 256: two IPv4 records */
    B16(256), B16(4 + 2 * 51 + 2), B64(1500), /* IN_BYTES */
    B64(10),                                  /* IN_PKTS */
    6,                                        /* PROTOCOL */
    0x10,                                     /* SRC_TOS */
    0x1b,                                     /* TCP_FLAGS */
    B16(12345),                               /* L4_SRC_PORT */
    10, 0, 0, 1,                              /* IPV4_SRC_ADDR */
    B32(3),                                   /* INPUT_SNMP */
    B16(80),                                  /* L4_DST_PORT */
    192, 168, 1, 2,                           /* IPV4_DST_ADDR */
    B32(2250),                                /* LAST_SWITCHED */
    B32(1500),                                /* FIRST_SWITCHED */
    B16(100),                                 /* SRC_VLAN */
    4,                                        /* IP_PROTOCOL_VERSION */
    60, 64,                                   /* MIN_TTL, MAX_TTL */
    B16(0),                                   /* ICMP_TYPE */
    3,                                        /* flowEndReason: end of flow */
    B64(84), B64(1), 1, 0, 0, B16(0), 10, 0, 0, 1, B32(3), B16(0x0800), 10, 0,
    0, 2, B32(2000), B32(2000), B16(0), 4, 64, 64,
    B16(0x0800), /* ICMP_TYPE: echo request */
    1,           /* idle */
    0, 0,        /* padding */
    /* Data FlowSet 257: one IPv6 record */
    B16(257), B16(4 + 75 + 1), B64(200), B64(2), 17, 0, 0, B16(5353), V6_SRC,
    B32(3), B16(53), V6_DST, B32(2600), B32(2500), B16(0), 6, 255, 255, B16(0),
    2, 0, /* padding */
};

static void
params(struct nf9_params *p)
{
	memset(p, 0, sizeof(*p));
	p->source_id = 77;
	p->sampling = 1;
	p->refresh_packets = 20;
	p->refresh_secs = 30;
}

START_TEST(test_v9_bytes)
{
	struct nf9_state st;
	struct nf9_params p;
	struct flow_record recs[3] = {rec_tcp4(), rec_icmp4(), rec_udp6()};
	uint8_t buf[1400];
	struct wbuf w;

	params(&p);
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf9_init(&st, &p, sizeof(buf)), 0);
	/* boot at BOOT_NS: a packet begun there, holding only templates */
	nf9_begin(&st, BOOT_NS, &w);
	ck_assert_uint_eq(nf9_end(&st, BOOT_NS, &w), 4);
	nf9_force_templates(&st); /* so the packet below has them too */
	ck_assert_uint_eq(nf9_encode(&st, recs, 3, SEND_NS, &w), 3);
	ck_assert_uint_eq(w.len, sizeof(v9_expect));
	ck_assert_mem_eq(buf, v9_expect, sizeof(v9_expect));
}
END_TEST

/* Hand-counted record lengths; the tables' lengths must add up to them. */
START_TEST(test_field_tables)
{
	const struct fld_tmpl *t[] = {
	    &fld_nf9_ip4,      &fld_nf9_ip6,      &fld_ipfix_ip4[0],
	    &fld_ipfix_ip4[1], &fld_ipfix_ip4[2], &fld_ipfix_ip6[0],
	    &fld_ipfix_ip6[1], &fld_ipfix_ip6[2],
	};
	const size_t expect[] = {51, 75, 60, 60, 60, 84, 84, 84};
	struct flow_record r = rec_udp6();
	struct fld_ctx c = {BOOT_NS};
	uint8_t buf[256];
	struct wbuf w;
	size_t i, sum;
	uint16_t j;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		sum = 0;
		for (j = 0; j < t[i]->n_fields; j++)
			sum += t[i]->f[j].len;
		ck_assert_uint_eq(sum, expect[i]);
		ck_assert_uint_eq(t[i]->rec_len, expect[i]);
		wb_init(&w, buf, sizeof(buf));
		ck_assert(fld_write_record(t[i], &r, &c, &w));
		ck_assert_uint_eq(w.len, expect[i]);
		/* one byte short: nothing written at all */
		wb_init(&w, buf, expect[i] - 1);
		ck_assert(!fld_write_record(t[i], &r, &c, &w));
		ck_assert_uint_eq(w.len, 0);
		wb_init(&w, buf, sizeof(buf));
		ck_assert(fld_write_template(t[i], &w));
		ck_assert_uint_eq(w.len, 4 + 4 * (size_t)t[i]->n_fields);
	}
}
END_TEST

/*
 * The straight-line writers (fld_tmpl.write) against the field table walk,
 * byte for byte, on random records in every template: v9 and IPFIX in each
 * time unit, both families, every kind (NULL writers fall back to the walk).
 * The fast writer's buffer is pre-filled, with a guard byte after its
 * rec_len bytes, so a byte it leaves unwritten or one past the end fails
 * too.
 */
START_TEST(test_fast_writers)
{
	const struct fld_tmpl *t[2 * (FLD_NF9_KINDS + 3 * FLD_KIND_COUNT) + 8];
	uint8_t *got[sizeof(t) / sizeof(t[0])];
	const struct fld_tmpl *pub[] = {
	    &fld_nf9_ip4,      &fld_nf9_ip6,      &fld_ipfix_ip4[0],
	    &fld_ipfix_ip4[1], &fld_ipfix_ip4[2], &fld_ipfix_ip6[0],
	    &fld_ipfix_ip6[1], &fld_ipfix_ip6[2],
	};
	uint64_t s = 0x2545f4914f6cdd1dull;
	size_t n = 0, i, j, iter, fast = 0;
	unsigned k, u;

	for (k = 0; k < FLD_NF9_KINDS; k++) {
		t[n++] = fld_nf9_tmpl(4, k);
		t[n++] = fld_nf9_tmpl(6, k);
	}
	for (u = 0; u < 3; u++)
		for (k = 0; k < FLD_KIND_COUNT; k++) {
			t[n++] = fld_ipfix_tmpl(4, k, (int)u);
			t[n++] = fld_ipfix_tmpl(6, k, (int)u);
		}
	for (i = 0; i < sizeof(pub) / sizeof(pub[0]); i++)
		t[n++] = pub[i];
	ck_assert_uint_eq(n, sizeof(t) / sizeof(t[0]));
	for (i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(t[i]);
		got[i] = malloc(t[i]->rec_len + 1u); /* + a guard byte */
		ck_assert_ptr_nonnull(got[i]);
		/* the base templates, what a run without --link-fields,
		   --decap or -b sends, all take the fast path */
		if (t[i]->tmpl_id == FLD_TMPL_IP4 ||
		    t[i]->tmpl_id == FLD_TMPL_IP6) {
			ck_assert_ptr_nonnull(t[i]->write);
			fast++;
		}
	}
	ck_assert_uint_eq(fast, 2 + 6 + 8);

	for (iter = 0; iter < 20000; iter++) {
		struct flow_record r;
		struct fld_ctx c;
		uint64_t d;

		rnd_record(&s, &r);
		/* boot before, between or after the flow's times */
		switch (iter % 4) {
		case 0: /* up to 50 days, past the 32-bit ms wrap */
			d = rnd(&s) % (50 * 86400 * SEC);
			c.boot_ns = r.first_ns >= d ? r.first_ns - d : 0;
			break;
		case 1:
			c.boot_ns = r.first_ns + rnd(&s) % 2000000000u;
			break;
		default:
			c.boot_ns = rnd_wide(&s);
			break;
		}
		for (i = 0; i < n; i++) {
			size_t len = t[i]->rec_len;
			uint8_t ref[256];
			struct wbuf w;
			bool ok;

			memset(ref, 0x5a, sizeof(ref));
			memset(got[i], (int)(iter & 0xff), len + 1);
			wb_init(&w, ref, sizeof(ref));
			ok = fld_write_fields(t[i], &r, &c, &w) && w.len == len;
			wb_init(&w, got[i], len);
			ok = ok && fld_write_record(t[i], &r, &c, &w) &&
			     w.len == len;
			/* ck_assert marks a point per call: test just once */
			for (j = 0; ok && j < len && got[i][j] == ref[j]; j++)
				;
			ok = ok && got[i][len] == (uint8_t)iter; /* guard */
			if (!ok || j != len)
				ck_abort_msg(
				    "template %u (%u fields, %zu bytes) "
				    "record %zu: byte %zu is %02x, the "
				    "table says %02x",
				    t[i]->tmpl_id, t[i]->n_fields, len, iter, j,
				    j < len ? got[i][j] : 0,
				    j < len ? ref[j] : 0);
		}
	}
	for (i = 0; i < n; i++)
		free(got[i]);
}
END_TEST

/*
 * The ext bits the encoders test for a base record (FLD_EXT_NF9 and
 * FLD_EXT_IPFIX) pick it out exactly when fld_kind_of() does, for every
 * ext value.
 */
START_TEST(test_ext_masks)
{
	struct flow_record r;
	unsigned e, bad = 0;

	memset(&r, 0, sizeof(r));
	for (e = 0; e < 256; e++) {
		r.ext = (uint8_t)e;
		if ((fld_kind_of(&r, false) == FLD_KIND_BASE) !=
		        ((e & FLD_EXT_NF9) == 0) ||
		    (fld_kind_of(&r, true) == FLD_KIND_BASE) !=
		        ((e & FLD_EXT_IPFIX) == 0))
			bad++;
	}
	ck_assert_uint_eq(bad, 0);
}
END_TEST

/* The encoder's calls for encpair.h. */
static enum enc_add
v9_add(void *st, const struct flow_record *r, struct wbuf *w)
{
	return nf9_add(st, r, w);
}

static enum enc_add
v9_add_general(void *st, const struct flow_record *r, struct wbuf *w)
{
	return nf9_add_general(st, r, w);
}

static bool
v9_fits(const void *st, uint8_t family, const struct wbuf *w)
{
	return nf9_fits(st, family, w);
}

static void
v9_begin(void *st, uint64_t now_ns, struct wbuf *w)
{
	nf9_begin(st, now_ns, w);
}

static size_t
v9_end(void *st, uint64_t now_ns, struct wbuf *w)
{
	return nf9_end(st, now_ns, w);
}

/*
 * nf9_add()'s base-record path against nf9_add_general() on the same
 * random records (rnd_mixed_record: the FlowSets alternate at random, a
 * few records announce a template or are skipped), in packets of random
 * sizes (most not a multiple of 4, or the padding would always fit)
 * closed early now and then, with refreshes by count: each add's
 * result, nf9_fits() for both families, every packet's length, count and
 * bytes, and the counters at the end must agree.
 */
START_TEST(test_v9_fast_path)
{
	static const size_t sizes[] = {577, 701, 1002, 1400, 1403, 9001};
	static uint8_t buf[2][9001];
	uint64_t s = 0x9e3779b97f4a7c15ull;
	unsigned run, k, pkts = 0, fast = 0;

	for (run = 0; run < 60; run++) {
		struct nf9_state st[2];
		struct nf9_params p;
		struct enc_pair e = {
		    .st = {&st[0], &st[1]},
		    .add = {v9_add, v9_add_general},
		    .fits = v9_fits,
		    .begin = v9_begin,
		    .end = v9_end,
		    .fast_ext = FLD_EXT_NF9,
		    .buf = {buf[0], buf[1]},
		};
		uint64_t boot = rnd_wide(&s);

		e.max = sizes[rnd(&s) % 6];
		params(&p);
		p.refresh_packets = (uint32_t)(rnd(&s) % 6);
		for (k = 0; k < 2; k++) {
			ck_assert_int_eq(nf9_init(&st[k], &p, e.max), 0);
			if (run % 2 == 0)
				nf9_set_boot(&st[k], boot);
		}
		pkts += enc_pair_run(&e, &s, SEND_NS + rnd(&s) % (1000 * SEC),
		                     run, 3000, &fast);
		ck_assert_uint_eq(st[0].sequence, st[1].sequence);
		ck_assert_uint_eq(st[0].records, st[1].records);
		ck_assert_uint_eq(st[0].ext_known, st[1].ext_known);
	}
	/* most records took the fast path, across many packets */
	ck_assert_uint_gt(fast, 60 * 3000 * 3 / 4);
	ck_assert_uint_gt(pkts, 1000);
}
END_TEST

/* Sequence counts packets; templates in packets 0, 3, 6 with N = 3. */
START_TEST(test_v9_sequence_and_refresh_count)
{
	struct nf9_state st;
	struct nf9_params p;
	struct flow_record r = rec_tcp4();
	uint8_t buf[1400];
	struct wbuf w;
	uint32_t i;

	params(&p);
	p.refresh_packets = 3;
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf9_init(&st, &p, sizeof(buf)), 0);
	for (i = 0; i < 7; i++) {
		bool tmpl = i % 3 == 0;

		ck_assert_uint_eq(nf9_encode(&st, &r, 1, SEND_NS, &w), 1);
		ck_assert_uint_eq(ld_be32(buf + 12), i); /* sequence */
		ck_assert_uint_eq(ld_be16(buf + 2), tmpl ? 5 : 1);
		/* the first FlowSet is the templates or the data */
		ck_assert_uint_eq(ld_be16(buf + 20), tmpl ? 0 : 256);
		ck_assert_uint_eq(w.len, tmpl ? 20 + 196 + 56 : 20 + 56);
	}
}
END_TEST

START_TEST(test_v9_refresh_time)
{
	struct nf9_state st;
	struct nf9_params p;
	struct flow_record r = rec_tcp4();
	uint8_t buf[1400];
	struct wbuf w;

	params(&p);
	p.refresh_packets = 0;
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf9_init(&st, &p, sizeof(buf)), 0);
	ck_assert(nf9_tmpl_due(&st, BOOT_NS));
	(void)nf9_encode(&st, &r, 1, BOOT_NS, &w);
	ck_assert_uint_eq(ld_be16(buf + 20), 0);
	ck_assert(!nf9_tmpl_due(&st, BOOT_NS + 29 * SEC));
	(void)nf9_encode(&st, &r, 1, BOOT_NS + 29 * SEC, &w);
	ck_assert_uint_eq(ld_be16(buf + 20), 256);
	ck_assert(nf9_tmpl_due(&st, BOOT_NS + 30 * SEC));
	(void)nf9_encode(&st, &r, 1, BOOT_NS + 30 * SEC, &w);
	ck_assert_uint_eq(ld_be16(buf + 20), 0);
	ck_assert_uint_eq(ld_be32(buf + 4), 30000); /* sysUptime */
	ck_assert_uint_eq(st.tmpl_packets, 2);
}
END_TEST

/*
 * 1400 bytes: with templates, 20 + 196 + 4 + 51k + pad <= 1400 gives
 * k = 23; without, 20 + 4 + 51k + pad <= 1400 gives 26.
 */
START_TEST(test_v9_size_limit)
{
	struct nf9_state st;
	struct nf9_params p;
	struct flow_record recs[100];
	uint8_t buf[1400];
	struct wbuf w;
	size_t i;

	for (i = 0; i < 100; i++)
		recs[i] = rec_tcp4();
	params(&p);
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf9_init(&st, &p, sizeof(buf)), 0);
	ck_assert_uint_eq(nf9_encode(&st, recs, 100, SEND_NS, &w), 23);
	ck_assert_uint_eq(w.len, 20 + 196 + 4 + 23 * 51 + 3);
	ck_assert_uint_eq(nf9_encode(&st, recs, 100, SEND_NS, &w), 26);
	ck_assert_uint_eq(w.len, 20 + 4 + 26 * 51 + 2);
	ck_assert_uint_eq(w.len % 4, 0);
	/*
	 * smallest: header, the templates a run can send (base 76 + 76,
	 * link and tunnel 104 + 108 with their set header: 368; options
	 * 24 + 16), the largest record (IPv6 with link and tunnel fields:
	 * 75 + 26 + 8 = 109, set 4, pad 3)
	 */
	ck_assert_int_eq(nf9_init(&st, &p, 20 + 408 + 116), 0);
	ck_assert_int_eq(nf9_init(&st, &p, 20 + 408 + 115), -1);
}
END_TEST

/* Families alternate: one FlowSet each, every one padded and closed. */
START_TEST(test_v9_alternating_sets)
{
	struct nf9_state st;
	struct nf9_params p;
	struct flow_record recs[3] = {rec_udp6(), rec_tcp4(), rec_udp6()};
	uint8_t buf[1400];
	struct wbuf w;
	size_t off = 20 + 196;

	params(&p);
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf9_init(&st, &p, sizeof(buf)), 0);
	ck_assert_uint_eq(nf9_encode(&st, recs, 3, SEND_NS, &w), 3);
	ck_assert_uint_eq(ld_be16(buf + off), 257);
	ck_assert_uint_eq(ld_be16(buf + off + 2), 80);
	off += 80;
	ck_assert_uint_eq(ld_be16(buf + off), 256);
	ck_assert_uint_eq(ld_be16(buf + off + 2), 56);
	off += 56;
	ck_assert_uint_eq(ld_be16(buf + off), 257);
	ck_assert_uint_eq(ld_be16(buf + off + 2), 80);
	ck_assert_uint_eq(off + 80, w.len);
	ck_assert_uint_eq(ld_be16(buf + 2), 7);
}
END_TEST

/*
 * The header has whole Unix seconds only: boot and sysUptime are cut to
 * whole seconds so that unix_secs * 1000 - sysUptime is the exact boot.
 */
START_TEST(test_v9_uptime_whole_seconds)
{
	struct nf9_state st;
	struct nf9_params p;
	struct flow_record r = rec_tcp4();
	uint8_t buf[1400];
	struct wbuf w;

	params(&p);
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf9_init(&st, &p, sizeof(buf)), 0);
	(void)nf9_encode(&st, NULL, 0, BOOT_NS + 700 * MS, &w); /* boot */
	(void)nf9_encode(&st, &r, 1, BOOT_NS + 5900 * MS, &w);
	ck_assert_uint_eq(ld_be32(buf + 4), 5000);       /* sysUptime */
	ck_assert_uint_eq(ld_be32(buf + 8), 1700000005); /* unix secs */
	/* FIRST_SWITCHED / LAST_SWITCHED: ms since 1700000000.000 */
	ck_assert_uint_eq(ld_be32(buf + 24 + 51 - 8 - 4), 1500);
	ck_assert_uint_eq(ld_be32(buf + 24 + 51 - 8 - 8), 2250);
}
END_TEST

/* Nothing to say: no packet at all. */
START_TEST(test_v9_empty)
{
	struct nf9_state st;
	struct nf9_params p;
	uint8_t buf[1400];
	struct wbuf w;

	params(&p);
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf9_init(&st, &p, sizeof(buf)), 0);
	(void)nf9_encode(&st, NULL, 0, SEND_NS, &w); /* templates only */
	ck_assert_uint_eq(ld_be16(buf + 2), 4);
	ck_assert_uint_eq(nf9_encode(&st, NULL, 0, SEND_NS, &w), 0);
	ck_assert_uint_eq(w.len, 0);
	ck_assert_uint_eq(st.sequence, 1);
}
END_TEST

/* Link-layer fields: record lengths counted by hand, ids 261.. */
START_TEST(test_v9_ext_tables)
{
	/* base 51/75; + MACs 12, inner VLAN 2, 3 MPLS sections 9 = 23;
	 * IPv6 + flow label 3; + layer2SegmentId 8 */
	static const size_t len[3][2] = {{51, 75}, {74, 101}, {82, 109}};
	static const uint16_t ids[3][2] = {{256, 257}, {261, 262}, {263, 264}};
	unsigned k, f, j;

	for (k = 0; k < FLD_NF9_KINDS; k++)
		for (f = 0; f < 2; f++) {
			const struct fld_tmpl *t = fld_nf9_tmpl(f ? 6 : 4, k);
			size_t sum = 0;

			ck_assert_ptr_nonnull(t);
			for (j = 0; j < t->n_fields; j++) {
				sum += t->f[j].len;
				ck_assert_uint_eq(t->f[j].pen, 0);
			}
			ck_assert_uint_eq(sum, len[k][f]);
			ck_assert_uint_eq(t->rec_len, len[k][f]);
			ck_assert_uint_eq(t->tmpl_id, ids[k][f]);
		}
	ck_assert_ptr_null(fld_nf9_tmpl(4, FLD_KIND_BI));
	ck_assert_ptr_null(fld_nf9_tmpl(0, FLD_KIND_BASE));
}
END_TEST

/* QinQ, two MPLS labels and MACs, in template 261 announced in place. */
static const uint8_t v9_link_tail[] = {
    /* Template FlowSet just before the data: template 261, 24 fields */
    B16(0), B16(4 + 4 + 24 * 4), B16(261), B16(24), F(1, 8), F(2, 8), F(4, 1),
    F(5, 1), F(6, 1), F(7, 2), F(8, 4), F(10, 4), F(11, 2), F(12, 4), F(21, 4),
    F(22, 4), F(58, 2), F(60, 1), F(52, 1), F(53, 1), F(32, 2), F(136, 1),
    F(56, 6),                     /* IN_SRC_MAC */
    F(80, 6),                     /* IN_DST_MAC */
    F(59, 2),                     /* DST_VLAN / postVlanId: the inner tag */
    F(70, 3), F(71, 3), F(72, 3), /* MPLS_LABEL_1..3 */
    /* Data FlowSet 261: 51 base bytes, then the link fields, pad 2 */
    B16(261), B16(4 + 74 + 2)};
static const uint8_t v9_link_rec[] = {
    0x00,     0x1b, 0x21, 0x3c, 0x4d, 0x5e, /* source MAC */
    0x00,     0x0c, 0x29, 0x01, 0x02, 0x03, /* destination MAC */
    B16(200),                               /* inner VLAN */
    0x01,     0x2c, 0x40, /* label 4802 (0x012c4), TC 0, S 0: LSE >> 8 */
    0x00,     0x01, 0x01, /* label 16, TC 0, S 1 */
    0,        0,    0,    /* no third label */
    0,        0           /* padding */
};

START_TEST(test_v9_link_bytes)
{
	struct nf9_state st;
	struct nf9_params p;
	struct flow_record r = rec_tcp4(), plain = rec_tcp4();
	uint8_t buf[1400];
	struct wbuf w;
	size_t off = 20 + 196;

	r.ext = FLOWREC_EXT_LINK;
	memcpy(r.src_mac, "\x00\x1b\x21\x3c\x4d\x5e", 6);
	memcpy(r.dst_mac, "\x00\x0c\x29\x01\x02\x03", 6);
	r.inner_vlan = 200;
	r.n_mpls = 2;
	r.mpls[0] = 0x012c40ffu; /* label 0x12c4, TTL 255 (not exported) */
	r.mpls[1] = 0x000101feu;
	params(&p);
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf9_init(&st, &p, sizeof(buf)), 0);
	ck_assert_uint_eq(nf9_encode(&st, &r, 1, SEND_NS, &w), 1);
	/* header count: 2 + 2 options + template 261 + the record */
	ck_assert_uint_eq(ld_be16(buf + 2), 6);
	ck_assert_uint_eq(w.len, off + sizeof(v9_link_tail) + 74 + 2);
	ck_assert_mem_eq(buf + off, v9_link_tail, sizeof(v9_link_tail));
	ck_assert_mem_eq(buf + w.len - sizeof(v9_link_rec), v9_link_rec,
	                 sizeof(v9_link_rec));
	/* the base record is the plain one's 51 bytes */
	ck_assert_uint_eq(ld_be64(buf + off + sizeof(v9_link_tail)), 1500);
	/* next packet: known, no announcement; a plain record: 256 */
	ck_assert_uint_eq(nf9_encode(&st, &r, 1, SEND_NS, &w), 1);
	ck_assert_uint_eq(ld_be16(buf + 20), 261);
	ck_assert_uint_eq(nf9_encode(&st, &plain, 1, SEND_NS, &w), 1);
	ck_assert_uint_eq(ld_be16(buf + 20), 256);
	/* a refresh carries 256, 257 and 261: 3 + 2 options + 1 record */
	nf9_force_templates(&st);
	ck_assert_uint_eq(nf9_encode(&st, &r, 1, SEND_NS, &w), 1);
	ck_assert_uint_eq(ld_be16(buf + 2), 6);
	ck_assert_uint_eq(ld_be16(buf + 22), 4 + 76 + 76 + 100);
	ck_assert_uint_eq(ld_be16(buf + 24 + 76 + 76), 261);
}
END_TEST

/* IPv6 flow label (3 bytes in v9) and VXLAN's layer2SegmentId. */
START_TEST(test_v9_label_vni)
{
	struct nf9_state st;
	struct nf9_params p;
	struct flow_record r = rec_udp6();
	uint8_t buf[1400];
	struct wbuf w;
	static const uint8_t tail[] = {
	    0x0a, 0xbc, 0xde,                         /* flow label */
	    0x01, 0,    0,    0, 0, 0x12, 0xd6, 0x87, /* VXLAN, VNI 1234567 */
	    0,    0,    0                             /* padding */
	};

	r.ext = FLOWREC_EXT_LINK | FLOWREC_EXT_TUNNEL;
	r.flow_label = 0xabcde;
	r.tunnel = FLOWREC_TUN_VXLAN;
	r.tunnel_id = 1234567; /* 0x12d687 */
	params(&p);
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf9_init(&st, &p, sizeof(buf)), 0);
	ck_assert_uint_eq(nf9_encode(&st, &r, 1, SEND_NS, &w), 1);
	ck_assert_uint_eq(w.len, 20 + 196 + 4 + 108 + 4 + 109 + 3);
	ck_assert_uint_eq(ld_be16(buf + 20 + 196 + 4), 264);
	ck_assert_mem_eq(buf + w.len - sizeof(tail), tail, sizeof(tail));
	/* GTP-U has no segment type: zero */
	r.tunnel = FLOWREC_TUN_GTPU;
	ck_assert_uint_eq(nf9_encode(&st, &r, 1, SEND_NS, &w), 1);
	ck_assert_uint_eq(ld_be64(buf + w.len - 11), 0);
}
END_TEST

static Suite *
nf9_suite(void)
{
	Suite *s = suite_create("nf9");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_v9_bytes);
	tcase_add_test(tc, test_field_tables);
	tcase_add_test(tc, test_fast_writers);
	tcase_add_test(tc, test_ext_masks);
	tcase_add_test(tc, test_v9_fast_path);
	tcase_add_test(tc, test_v9_ext_tables);
	tcase_add_test(tc, test_v9_link_bytes);
	tcase_add_test(tc, test_v9_label_vni);
	tcase_add_test(tc, test_v9_sequence_and_refresh_count);
	tcase_add_test(tc, test_v9_refresh_time);
	tcase_add_test(tc, test_v9_size_limit);
	tcase_add_test(tc, test_v9_alternating_sets);
	tcase_add_test(tc, test_v9_empty);
	tcase_add_test(tc, test_v9_uptime_whole_seconds);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(nf9_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
