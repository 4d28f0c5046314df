/*
 * IPFIX encoder (RFC 7011/7012): a whole message compared byte for byte
 * with one written out by hand, sequence numbers (data records), template
 * refresh, options statistics, time units, stream mode and size limits.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../export/fields.h"
#include "../../export/ipfix.h"

#include "exptest.h"
#include "encpair.h"

/* 1700000001.500 s etc. in ms since the epoch, hand-converted */
#define T1500 0x18bcfe56ddcull
#define T2000 0x18bcfe56fd0ull
#define T2250 0x18bcfe570caull
#define T2500 0x18bcfe571c4ull
#define T2600 0x18bcfe57228ull

static const uint8_t ipfix_expect[] = {
    /* message header, RFC 7011 §3.1 */
    B16(10),         /* version */
    B16(548),        /* length */
    B32(0x6553f103), /* export time */
    B32(0),          /* sequence: no data record before */
    B32(77),         /* observation domain */
    /* Template Set */
    B16(2),
    B16(156),
    B16(256),
    B16(18),
    F(1, 8),   /* octetDeltaCount */
    F(2, 8),   /* packetDeltaCount */
    F(4, 1),   /* protocolIdentifier */
    F(5, 1),   /* ipClassOfService */
    F(6, 2),   /* tcpControlBits, RFC 7125 */
    F(7, 2),   /* sourceTransportPort */
    F(8, 4),   /* sourceIPv4Address */
    F(10, 4),  /* ingressInterface */
    F(11, 2),  /* destinationTransportPort */
    F(12, 4),  /* destinationIPv4Address */
    F(152, 8), /* flowStartMilliseconds */
    F(153, 8), /* flowEndMilliseconds */
    F(58, 2),  /* vlanId */
    F(60, 1),  /* ipVersion */
    F(52, 1),  /* minimumTTL */
    F(53, 1),  /* maximumTTL */
    F(32, 2),  /* icmpTypeCodeIPv4 */
    F(136, 1), /* flowEndReason */
    B16(257),
    B16(18),
    F(1, 8),
    F(2, 8),
    F(4, 1),
    F(5, 1),
    F(6, 2),
    F(7, 2),
    F(27, 16), /* sourceIPv6Address */
    F(10, 4),
    F(11, 2),
    F(28, 16), /* destinationIPv6Address */
    F(152, 8),
    F(153, 8),
    F(58, 2),
    F(60, 1),
    F(52, 1),
    F(53, 1),
    F(139, 2), /* icmpTypeCodeIPv6 */
    F(136, 1),
    /* Options Template Sets, RFC 7011 §3.4.2.2: one template each */
    B16(3),
    B16(34),
    B16(258),
    B16(6),
    B16(1),    /* id, fields, scope fields */
    F(149, 4), /* scope: observationDomainId */
    F(41, 8),  /* exportedMessageTotalCount */
    F(42, 8),  /* exportedFlowRecordTotalCount */
    F(40, 8),  /* exportedOctetTotalCount */
    F(86, 8),  /* packetTotalCount (seen) */
    F(164, 8), /* ignoredPacketTotalCount (dropped) */
    B16(3),
    B16(30),
    B16(259),
    B16(5),
    B16(1),
    F(149, 4),
    F(34, 4),
    F(35, 1),
    F(305, 4), /* samplingPacketInterval */
    F(306, 4), /* samplingPacketSpace */
    B16(3),
    B16(18),
    B16(260),
    B16(2),
    B16(1),
    F(10, 4),     /* scope: ingressInterface */
    F(82, 65535), /* interfaceName, variable length */
    /* options data */
    B16(258),
    B16(48),
    B32(77),
    B64(0),
    B64(0),
    B64(0),
    B64(1000),
    B64(7),
    B16(259),
    B16(21),
    B32(77),
    B32(1), /* samplingInterval */
    1,      /* deterministic */
    B32(1), /* one packet selected ... */
    B32(0), /* ... then none skipped */
    B16(260),
    B16(13),
    B32(3),
    4,
    'e',
    't',
    'h',
    '0',
    /* Data Set 256 */
    B16(256),
    B16(4 + 2 * 60),
    B64(1500),
    B64(10),
    6,
    0x10,
    B16(0x1b),
    B16(12345),
    10,
    0,
    0,
    1,
    B32(3),
    B16(80),
    192,
    168,
    1,
    2,
    B64(T1500),
    B64(T2250),
    B16(100),
    4,
    60,
    64,
    B16(0),
    3,
    B64(84),
    B64(1),
    1,
    0,
    B16(0),
    B16(0),
    10,
    0,
    0,
    1,
    B32(3),
    B16(0x0800),
    10,
    0,
    0,
    2,
    B64(T2000),
    B64(T2000),
    B16(0),
    4,
    64,
    64,
    B16(0x0800), /* icmpTypeCodeIPv4: echo request */
    1,
    /* Data Set 257 */
    B16(257),
    B16(4 + 84),
    B64(200),
    B64(2),
    17,
    0,
    B16(0),
    B16(5353),
    V6_SRC,
    B32(3),
    B16(53),
    V6_DST,
    B64(T2500),
    B64(T2600),
    B16(0),
    6,
    255,
    255,
    B16(0),
    2,
};

static void
params(struct ipfix_params *p)
{
	memset(p, 0, sizeof(*p));
	p->domain_id = 77;
	p->sampling = 1;
	p->refresh_packets = 20;
	p->refresh_secs = 30;
	p->time_unit = 0;
	p->tmpl_inline = true;
	p->n_if = 1;
	p->if_index[0] = 3;
	strcpy(p->if_name[0], "eth0");
}

START_TEST(test_ipfix_bytes)
{
	struct ipfix_state st;
	struct ipfix_params p;
	struct flow_record recs[3] = {rec_tcp4(), rec_icmp4(), rec_udp6()};
	uint8_t buf[1400];
	struct wbuf w;

	params(&p);
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(ipfix_init(&st, &p, sizeof(buf)), 0);
	st.pkts_seen = 1000;
	st.pkts_dropped = 7;
	ck_assert_uint_eq(ipfix_encode(&st, recs, 3, SEND_NS, &w), 3);
	ck_assert_uint_eq(w.len, sizeof(ipfix_expect));
	ck_assert_mem_eq(buf, ipfix_expect, sizeof(ipfix_expect));

	/* next: no templates, sequence = 3 options + 3 flow records */
	ck_assert_uint_eq(ipfix_encode(&st, recs, 1, SEND_NS, &w), 1);
	ck_assert_uint_eq(w.len, 16 + 4 + 60);
	ck_assert_uint_eq(ld_be16(buf + 2), 80);
	ck_assert_uint_eq(ld_be32(buf + 8), 6);
	ck_assert_uint_eq(ld_be16(buf + 16), 256);

	/* forced templates: the statistics count what went before */
	ipfix_force_templates(&st);
	ck_assert_uint_eq(ipfix_encode(&st, recs, 1, SEND_NS, &w), 1);
	ck_assert_uint_eq(ld_be32(buf + 8), 7);
	/* options data after 16 + 156 + 82: set header, scope, counters */
	ck_assert_uint_eq(ld_be16(buf + 254), 258);
	ck_assert_uint_eq(ld_be64(buf + 262), 2);        /* messages */
	ck_assert_uint_eq(ld_be64(buf + 270), 4);        /* flow records */
	ck_assert_uint_eq(ld_be64(buf + 278), 548 + 80); /* octets */
}
END_TEST

/* Templates by count (N = 2) and by time (30 s). */
START_TEST(test_ipfix_refresh)
{
	struct ipfix_state st;
	struct ipfix_params p;
	struct flow_record r = rec_tcp4();
	uint8_t buf[1400];
	struct wbuf w;
	int i;

	params(&p);
	p.refresh_packets = 2;
	p.refresh_secs = 0;
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(ipfix_init(&st, &p, sizeof(buf)), 0);
	for (i = 0; i < 5; i++) {
		(void)ipfix_encode(&st, &r, 1, SEND_NS, &w);
		ck_assert_uint_eq(ld_be16(buf + 16), i % 2 == 0 ? 2 : 256);
	}
	params(&p);
	p.refresh_packets = 0;
	ck_assert_int_eq(ipfix_init(&st, &p, sizeof(buf)), 0);
	(void)ipfix_encode(&st, &r, 1, BOOT_NS, &w);
	ck_assert_uint_eq(ld_be16(buf + 16), 2);
	(void)ipfix_encode(&st, &r, 1, BOOT_NS + 30 * SEC - 1, &w);
	ck_assert_uint_eq(ld_be16(buf + 16), 256);
	(void)ipfix_encode(&st, &r, 1, BOOT_NS + 30 * SEC, &w);
	ck_assert_uint_eq(ld_be16(buf + 16), 2);
}
END_TEST

/*
 * 1400 bytes with templates and options: 336 + 4 + 60k gives k = 17;
 * without: 16 + 4 + 60 * 23 = 1400 exactly.
 */
START_TEST(test_ipfix_size_limit)
{
	struct ipfix_state st;
	struct ipfix_params p;
	struct flow_record recs[100];
	uint8_t buf[1400];
	struct wbuf w;
	int i;

	for (i = 0; i < 100; i++)
		recs[i] = rec_tcp4();
	params(&p);
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(ipfix_init(&st, &p, sizeof(buf)), 0);
	ck_assert_uint_eq(ipfix_encode(&st, recs, 100, SEND_NS, &w), 17);
	ck_assert_uint_eq(w.len, 336 + 4 + 17 * 60);
	ck_assert_uint_eq(ipfix_encode(&st, recs, 100, SEND_NS, &w), 23);
	ck_assert_uint_eq(w.len, 1400);
	ck_assert_uint_eq(ld_be16(buf + 2), 1400);
	ck_assert_uint_eq(ld_be32(buf + 8), 3 + 17);
}
END_TEST

/* RFC 7011 §6.1.9-10: NTP seconds since 1900 and a binary fraction. */
START_TEST(test_ipfix_time_units)
{
	struct ipfix_state st;
	struct ipfix_params p;
	struct flow_record r = rec_tcp4();
	uint8_t buf[1400];
	struct wbuf w;

	/* 1700000000 + 2208988800 = 3908988800 = 0xe8fe6f80 */
	ck_assert_uint_eq(fld_ntp_ns(BOOT_NS), 0xe8fe6f8000000000ull);
	ck_assert_uint_eq(fld_ntp_ns(BOOT_NS + 2250 * MS),
	                  0xe8fe6f8240000000ull);
	ck_assert_uint_eq(fld_ntp_us(BOOT_NS + 1500 * MS),
	                  0xe8fe6f8180000000ull);
	/* 1 us = 4294.97 / 2^32 s: 0x10c6, low 11 bits cleared */
	ck_assert_uint_eq(fld_ntp_us(BOOT_NS + 1000), 0xe8fe6f8000001000ull);

	params(&p);
	p.time_unit = 1;
	p.n_if = 0;
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(ipfix_init(&st, &p, sizeof(buf)), 0);
	(void)ipfix_encode(&st, &r, 1, SEND_NS, &w);
	/* template 256, field 11 (after 16 + 4 + 4 and 10 pairs) */
	ck_assert_uint_eq(ld_be16(buf + 24 + 40), 154);
	ck_assert_uint_eq(ld_be16(buf + 24 + 44), 155);
	p.time_unit = 2;
	ck_assert_int_eq(ipfix_init(&st, &p, sizeof(buf)), 0);
	(void)ipfix_encode(&st, &r, 1, SEND_NS, &w);
	ck_assert_uint_eq(ld_be16(buf + 24 + 40), 156);
	/* the record ends: start (8), end (8), then vlan (2), ipVersion,
	 * minimumTTL, maximumTTL, icmp (2), flowEndReason: 8 bytes */
	ck_assert_uint_eq(ld_be64(buf + w.len - 8 - 16), 0xe8fe6f8180000000ull);
	ck_assert_uint_eq(ld_be64(buf + w.len - 8 - 8), 0xe8fe6f8240000000ull);
	p.time_unit = 3;
	ck_assert_int_eq(ipfix_init(&st, &p, sizeof(buf)), -1);
}
END_TEST

/* TCP / file: templates once, on their own; options data still flows. */
START_TEST(test_ipfix_stream)
{
	struct ipfix_state st;
	struct ipfix_params p;
	struct flow_record r = rec_tcp4();
	uint8_t buf[1400], tbuf[1400];
	struct wbuf w, tw;

	params(&p);
	p.tmpl_inline = false;
	p.n_if = 0;
	wb_init(&w, buf, sizeof(buf));
	wb_init(&tw, tbuf, sizeof(tbuf));
	ck_assert_int_eq(ipfix_init(&st, &p, sizeof(buf)), 0);
	ck_assert_uint_eq(ipfix_templates(&st, SEND_NS, st.seq, &tw),
	                  16 + 156 + 64);
	ck_assert_uint_eq(ld_be16(tbuf + 16), 2);
	ck_assert_uint_eq(ld_be16(tbuf + 16 + 156), 3);
	ck_assert_uint_eq(ld_be32(tbuf + 8), 0);
	(void)ipfix_encode(&st, &r, 1, SEND_NS, &w);
	ck_assert_uint_eq(ld_be16(buf + 16), 258); /* options data first */
	ck_assert_uint_eq(ld_be32(buf + 8), 0);
	ck_assert_uint_eq(w.len, 16 + 48 + 21 + 4 + 60);
	/* a reconnection later: the templates message carries the sequence
	 * of the message after it (2 options + 1 flow before) */
	ck_assert_uint_eq(ipfix_templates(&st, SEND_NS, st.seq, &tw),
	                  16 + 156 + 64);
	ck_assert_uint_eq(ld_be32(tbuf + 8), 3);
	(void)ipfix_encode(&st, &r, 1, SEND_NS, &w);
	ck_assert_uint_eq(ld_be32(buf + 8), 3);
}
END_TEST

/*
 * Every IPFIX data template: lengths counted by hand, ids, and the
 * template's own length (4 + 4 per field + 4 per enterprise field).
 */
START_TEST(test_ipfix_ext_tables)
{
	/* base 60/84; link 23 (IPv6 27: 4-byte flow label); tunnel 8;
	 * reverse: octets 8, packets 8, flags 2, start 8, end 8, TTLs 2,
	 * biflowDirection 1 = 37 */
	static const size_t len[FLD_KIND_COUNT][2] = {
	    {60, 84}, {83, 111}, {91, 119}, {97, 121}, {120, 148}, {128, 156}};
	static const unsigned fields[FLD_KIND_COUNT][2] = {
	    {18, 18}, {24, 25}, {25, 26}, {26, 26}, {32, 33}, {33, 34}};
	static const unsigned pens[FLD_KIND_COUNT] = {0, 0, 0, 7, 7, 7};
	unsigned k, f, j, u;

	for (u = 0; u < 3; u++)
		for (k = 0; k < FLD_KIND_COUNT; k++)
			for (f = 0; f < 2; f++) {
				const struct fld_tmpl *t =
				    fld_ipfix_tmpl(f ? 6 : 4, k, (int)u);
				size_t sum = 0;
				unsigned np = 0;

				ck_assert_ptr_nonnull(t);
				for (j = 0; j < t->n_fields; j++) {
					sum += t->f[j].len;
					np += t->f[j].pen == 29305;
				}
				ck_assert_uint_eq(sum, len[k][f]);
				ck_assert_uint_eq(t->rec_len, len[k][f]);
				ck_assert_uint_eq(t->n_fields, fields[k][f]);
				ck_assert_uint_eq(np, pens[k]);
				ck_assert_uint_eq(fld_template_len(t),
				                  4 + 4 * fields[k][f] +
				                      4 * pens[k]);
				ck_assert_uint_eq(
				    t->tmpl_id,
				    k == 0 ? 256 + f : 261 + 2 * (k - 1) + f);
			}
	ck_assert_ptr_null(fld_ipfix_tmpl(4, FLD_KIND_COUNT, 0));
	ck_assert_ptr_null(fld_ipfix_tmpl(4, 0, 3));
}
END_TEST

/* RFC 5103: reverse elements under PEN 29305, then biflowDirection. */
static const uint8_t bi_tmpl_tail[] = {
    B16(0x8000 | 1),   B16(8), B32(29305), /* reverseOctetDeltaCount */
    B16(0x8000 | 2),   B16(8), B32(29305), /* reversePacketDeltaCount */
    B16(0x8000 | 6),   B16(2), B32(29305), /* reverseTcpControlBits */
    B16(0x8000 | 152), B16(8), B32(29305), /* reverseFlowStartMillis.. */
    B16(0x8000 | 153), B16(8), B32(29305), /* reverseFlowEndMillis.. */
    B16(0x8000 | 52),  B16(1), B32(29305), /* reverseMinimumTTL */
    B16(0x8000 | 53),  B16(1), B32(29305), /* reverseMaximumTTL */
    F(239, 1),                             /* biflowDirection */
};
static const uint8_t bi_rec_tail[] = {
    B64(64000), B64(40),    B16(0x12),         /* SYN|ACK */
    B64(T2000), B64(T2600), 52,        57, 1}; /* initiator */

START_TEST(test_ipfix_biflow_bytes)
{
	struct ipfix_state st;
	struct ipfix_params p;
	struct flow_record r = rec_tcp4();
	uint8_t buf[1400];
	struct wbuf w;
	size_t tmpl_off = 548 - 4 - 2 * 60 - 4 - 84; /* the first data set */

	r.ext = FLOWREC_EXT_BIFLOW;
	r.biflow_dir = FLOWREC_BIDIR_INITIATOR;
	r.rev_packets = 40;
	r.rev_octets = 64000;
	r.rev_tcp_flags = 0x12;
	r.rev_first_ns = BOOT_NS + 2000 * MS + 999999; /* ms: truncated */
	r.rev_last_ns = BOOT_NS + 2600 * MS;
	r.rev_ttl_min = 52;
	r.rev_ttl_max = 57;
	params(&p);
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(ipfix_init(&st, &p, sizeof(buf)), 0);
	ck_assert_uint_eq(ipfix_encode(&st, &r, 1, SEND_NS, &w), 1);
	/* after the base templates and options: Template Set with 265 */
	ck_assert_uint_eq(ld_be16(buf + tmpl_off), 2);
	ck_assert_uint_eq(ld_be16(buf + tmpl_off + 2), 4 + 4 + 26 * 4 + 28);
	ck_assert_uint_eq(ld_be16(buf + tmpl_off + 4), 265);
	ck_assert_uint_eq(ld_be16(buf + tmpl_off + 6), 26);
	ck_assert_mem_eq(buf + tmpl_off + 8 + 18 * 4, bi_tmpl_tail,
	                 sizeof(bi_tmpl_tail));
	/* then Data Set 265: the base record, the reverse fields */
	ck_assert_uint_eq(ld_be16(buf + tmpl_off + 140), 265);
	ck_assert_uint_eq(ld_be16(buf + tmpl_off + 142), 4 + 97);
	ck_assert_uint_eq(w.len, tmpl_off + 140 + 4 + 97);
	ck_assert_mem_eq(buf + w.len - sizeof(bi_rec_tail), bi_rec_tail,
	                 sizeof(bi_rec_tail));
	ck_assert_uint_eq(ld_be64(buf + tmpl_off + 144), 1500);
	/* the message counts the template, 3 options records, the record */
	ck_assert_uint_eq(st.seq, 4);
}
END_TEST

/* Over TCP or to a file the templates come once: 265 joins them. */
START_TEST(test_ipfix_stream_ext)
{
	struct ipfix_state st;
	struct ipfix_params p;
	struct flow_record r = rec_udp6();
	uint8_t buf[1400];
	struct wbuf w;

	r.ext = FLOWREC_EXT_LINK;
	r.flow_label = 0xabcde;
	params(&p);
	p.tmpl_inline = false;
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(ipfix_init(&st, &p, sizeof(buf)), 0);
	ck_assert_uint_eq(ipfix_templates(&st, SEND_NS, 0, &w),
	                  16 + 4 + 76 + 76 + 34 + 30 + 18);
	ck_assert_uint_eq(ipfix_encode(&st, &r, 1, SEND_NS, &w), 1);
	/* the message: options data, then Template Set 262, Data Set 262 */
	ck_assert_uint_eq(ld_be16(buf + w.len - 4 - 111 - 4 - 104), 2);
	ck_assert_uint_eq(ld_be16(buf + w.len - 4 - 111 - 104), 262);
	ck_assert_uint_eq(ld_be16(buf + w.len - 4 - 111), 262);
	/* flowLabelIPv6 is the record's last field, 4 bytes */
	ck_assert_uint_eq(ld_be32(buf + w.len - 4), 0xabcde);
	ck_assert_uint_eq(ipfix_templates(&st, SEND_NS, 0, &w),
	                  16 + 4 + 76 + 76 + 104 + 34 + 30 + 18);
	ck_assert_uint_eq(ld_be16(buf + 20 + 152), 262);
}
END_TEST

/* The encoder's calls for encpair.h. */
static enum enc_add
fx_add(void *st, const struct flow_record *r, struct wbuf *w)
{
	return ipfix_add(st, r, w);
}

static enum enc_add
fx_add_general(void *st, const struct flow_record *r, struct wbuf *w)
{
	return ipfix_add_general(st, r, w);
}

static bool
fx_fits(const void *st, uint8_t family, const struct wbuf *w)
{
	return ipfix_fits(st, family, w);
}

static void
fx_begin(void *st, uint64_t now_ns, struct wbuf *w)
{
	ipfix_begin(st, now_ns, w);
}

static size_t
fx_end(void *st, uint64_t now_ns, struct wbuf *w)
{
	return ipfix_end(st, now_ns, w);
}

/*
 * ipfix_add()'s base-record path against ipfix_add_general() on the same
 * random records (rnd_mixed_record: the Data Sets alternate at random, a
 * few records announce a template or are skipped), in every time unit,
 * templates inline or not, with or without interface names, in messages
 * of random sizes closed early now and then, with refreshes by count:
 * each add's result, ipfix_fits() for both families, every message's
 * length, record count and bytes, and the counters at the end must
 * agree.
 */
START_TEST(test_ipfix_fast_path)
{
	static const size_t sizes[] = {1000, 1201, 1400, 1403, 1500, 9001};
	static uint8_t buf[2][9001];
	uint64_t s = 0x2545f4914f6cdd1dull;
	unsigned run, k, msgs = 0, fast = 0;

	for (run = 0; run < 60; run++) {
		struct ipfix_state st[2];
		struct ipfix_params p;
		struct enc_pair e = {
		    .st = {&st[0], &st[1]},
		    .add = {fx_add, fx_add_general},
		    .fits = fx_fits,
		    .begin = fx_begin,
		    .end = fx_end,
		    .fast_ext = FLD_EXT_IPFIX,
		    .buf = {buf[0], buf[1]},
		};

		e.max = sizes[rnd(&s) % 6];
		params(&p);
		p.time_unit = (int)(run % 3);
		p.tmpl_inline = run / 3 % 2 == 0;
		p.n_if = (int)(run / 6 % 2);
		p.refresh_packets = (uint32_t)(rnd(&s) % 6);
		for (k = 0; k < 2; k++)
			ck_assert_int_eq(ipfix_init(&st[k], &p, e.max), 0);
		msgs += enc_pair_run(&e, &s, SEND_NS + rnd(&s) % (1000 * SEC),
		                     run, 3000, &fast);
		ck_assert_uint_eq(st[0].seq, st[1].seq);
		ck_assert_uint_eq(st[0].flow_records, st[1].flow_records);
		ck_assert_uint_eq(st[0].octets, st[1].octets);
		ck_assert_uint_eq(st[0].ext_known, st[1].ext_known);
	}
	/* most records took the fast path, across many messages */
	ck_assert_uint_gt(fast, 60 * 3000 * 3 / 4);
	ck_assert_uint_gt(msgs, 1000);
}
END_TEST

static Suite *
ipfix_suite(void)
{
	Suite *s = suite_create("ipfix");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ipfix_bytes);
	tcase_add_test(tc, test_ipfix_refresh);
	tcase_add_test(tc, test_ipfix_size_limit);
	tcase_add_test(tc, test_ipfix_time_units);
	tcase_add_test(tc, test_ipfix_stream);
	tcase_add_test(tc, test_ipfix_ext_tables);
	tcase_add_test(tc, test_ipfix_biflow_bytes);
	tcase_add_test(tc, test_ipfix_stream_ext);
	tcase_add_test(tc, test_ipfix_fast_path);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ipfix_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
