/*
 * NetFlow v5 / v1 encoder: packets compared byte for byte with Cisco's
 * layouts written out by hand below.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../export/nf5.h"

#include "exptest.h"

/* The exporter boots at the first `now` it is given. */
static void
boot(struct nf5_state *st, struct wbuf *w)
{
	nf5_begin(st, BOOT_NS, w);
	ck_assert_uint_eq(nf5_end(st, BOOT_NS, w), 0);
	ck_assert_uint_eq(w->len, 0); /* empty packets are never sent */
}

static const uint8_t v5_expect[] = {
    /* header */
    B16(5),          /* version */
    B16(2),          /* count */
    B32(3000),       /* sysUptime, ms */
    B32(0x6553f103), /* unix_secs */
    B32(123456),     /* unix_nsecs */
    B32(0),          /* flow_sequence */
    1,               /* engine_type */
    2,               /* engine_id */
    B16(0),          /* sampling_interval: none */
    /* record 1: TCP */
    10, 0, 0, 1,    /* srcaddr */
    192, 168, 1, 2, /* dstaddr */
    0, 0, 0, 0,     /* nexthop */
    B16(3),         /* input */
    B16(0),         /* output */
    B32(10),        /* dPkts */
    B32(1500),      /* dOctets */
    B32(1500),      /* First, ms of uptime */
    B32(2250),      /* Last */
    B16(12345),     /* srcport */
    B16(80),        /* dstport */
    0,              /* pad1 */
    0x1b,           /* tcp_flags */
    6,              /* prot */
    0x10,           /* tos */
    B16(0),         /* src_as */
    B16(0),         /* dst_as */
    0,              /* src_mask */
    0,              /* dst_mask */
    B16(0),         /* pad2 */
    /* record 2: ICMP echo request */
    10, 0, 0, 1, 10, 0, 0, 2, 0, 0, 0, 0, /* src, dst, nexthop */
    B16(3), B16(0),                       /* input, output */
    B32(1), B32(84),                      /* dPkts, dOctets */
    B32(2000), B32(2000),                 /* First, Last */
    B16(0),                               /* srcport */
    B16(0x0800),                          /* dstport: type 8 code 0 */
    0, 0, 1, 0,                           /* pad1, flags, prot, tos */
    B16(0), B16(0), 0, 0, B16(0),         /* as, masks, pad2 */
};

START_TEST(test_v5_bytes)
{
	struct nf5_state st;
	struct flow_record recs[2] = {rec_tcp4(), rec_icmp4()};
	uint8_t buf[1500];
	struct wbuf w;

	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf5_init(&st, 5, 1500, 1, 2, 1), 0);
	boot(&st, &w);
	ck_assert_uint_eq(nf5_encode(&st, recs, 2, SEND_NS, &w), 2);
	ck_assert_uint_eq(w.len, sizeof(v5_expect));
	ck_assert_mem_eq(buf, v5_expect, sizeof(v5_expect));
}
END_TEST

static const uint8_t v1_expect[] = {
    B16(1),          /* version */
    B16(1),          /* count */
    B32(3000),       /* sysUptime */
    B32(0x6553f103), /* unix_secs */
    B32(123456),     /* unix_nsecs */
    10,
    0,
    0,
    1,
    192,
    168,
    1,
    2,
    0,
    0,
    0,
    0, /* src, dst, nexthop */
    B16(3),
    B16(0), /* input, output */
    B32(10),
    B32(1500), /* dPkts, dOctets */
    B32(1500),
    B32(2250), /* First, Last */
    B16(12345),
    B16(80), /* ports */
    B16(0),  /* pad1 */
    6,       /* prot */
    0x10,    /* tos */
    0x1b,    /* flags (TCP) */
    0,
    0,
    0,      /* tcp_retx_cnt, tcp_retx_secs, misseq */
    B32(0), /* reserved */
};

START_TEST(test_v1_bytes)
{
	struct nf5_state st;
	struct flow_record r = rec_tcp4();
	uint8_t buf[1500];
	struct wbuf w;

	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf5_init(&st, 1, 1500, 0, 0, 1), 0);
	boot(&st, &w);
	ck_assert_uint_eq(nf5_encode(&st, &r, 1, SEND_NS, &w), 1);
	ck_assert_uint_eq(w.len, sizeof(v1_expect));
	ck_assert_mem_eq(buf, v1_expect, sizeof(v1_expect));
	ck_assert_uint_eq(st.max_recs, 24);
}
END_TEST

/* 30 per packet (Cisco), sequence = flows sent before the packet. */
START_TEST(test_v5_limit_and_sequence)
{
	struct nf5_state st;
	struct flow_record recs[75];
	uint8_t buf[65535];
	struct wbuf w;
	size_t i, done = 0, n;
	const uint32_t seq_expect[] = {0, 30, 60};
	const uint16_t cnt_expect[] = {30, 30, 15};

	for (i = 0; i < 75; i++)
		recs[i] = rec_tcp4();
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf5_init(&st, 5, 65535, 0, 0, 1), 0);
	for (i = 0; i < 3; i++) {
		n = nf5_encode(&st, recs + done, 75 - done, SEND_NS, &w);
		ck_assert_uint_eq(n, cnt_expect[i]);
		ck_assert_uint_eq(w.len, 24 + 48 * (size_t)cnt_expect[i]);
		ck_assert_uint_eq(ld_be16(buf + 2), cnt_expect[i]);
		ck_assert_uint_eq(ld_be32(buf + 16), seq_expect[i]);
		done += n;
	}
	ck_assert_uint_eq(done, 75);
}
END_TEST

/* A 1400-byte limit holds (1400 - 24) / 48 = 28 records. */
START_TEST(test_v5_max_packet)
{
	struct nf5_state st;
	struct flow_record recs[40];
	uint8_t buf[1400];
	struct wbuf w;
	size_t i;

	for (i = 0; i < 40; i++)
		recs[i] = rec_tcp4();
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf5_init(&st, 5, 1400, 0, 0, 1), 0);
	ck_assert_uint_eq(nf5_encode(&st, recs, 40, SEND_NS, &w), 28);
	ck_assert_uint_eq(w.len, 24 + 28 * 48);
	ck_assert_int_eq(nf5_init(&st, 5, 24 + 47, 0, 0, 1), -1);
	ck_assert_int_eq(nf5_init(&st, 7, 1400, 0, 0, 1), -1);
}
END_TEST

/* 2^33 + 5 octets need three records: shares 2863311533, 2863311532 x2. */
START_TEST(test_v5_split)
{
	struct nf5_state st;
	struct flow_record r = rec_tcp4();
	uint8_t buf[1500];
	struct wbuf w;
	uint64_t sum = 0;
	size_t i;
	const uint32_t oct_expect[] = {2863311533u, 2863311532u, 2863311532u};

	r.octets = 8589934597ull;
	r.packets = 3;
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf5_init(&st, 5, 1500, 0, 0, 1), 0);
	boot(&st, &w);
	ck_assert_uint_eq(nf5_encode(&st, &r, 1, SEND_NS, &w), 1);
	ck_assert_uint_eq(ld_be16(buf + 2), 3);
	for (i = 0; i < 3; i++) {
		const uint8_t *rec = buf + 24 + 48 * i;

		ck_assert_uint_eq(ld_be32(rec + 16), 1); /* dPkts */
		ck_assert_uint_eq(ld_be32(rec + 20), oct_expect[i]);
		ck_assert_uint_eq(ld_be32(rec + 24), 1500); /* same First */
		sum += ld_be32(rec + 20);
	}
	ck_assert_uint_eq(sum, 8589934597ull);
	ck_assert_uint_eq(st.split, 1);
	ck_assert_uint_eq(st.records, 3);
}
END_TEST

/* A packet count past 2^32-1 splits too; the pieces straddle packets. */
START_TEST(test_v5_split_across_packets)
{
	struct nf5_state st;
	struct flow_record filler = rec_tcp4(), big = rec_tcp4();
	uint8_t buf[1500];
	struct wbuf w;
	size_t i;

	big.packets = 0x100000000ull; /* 2^32: two pieces of 2^31 */
	big.octets = 0x100000000ull;  /* two pieces as well */
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf5_init(&st, 5, 1500, 0, 0, 1), 0);
	nf5_begin(&st, SEND_NS, &w);
	for (i = 0; i < 29; i++)
		ck_assert_int_eq(nf5_add(&st, &filler, &w), ENC_ADDED);
	ck_assert_int_eq(nf5_add(&st, &big, &w), ENC_FULL);
	ck_assert_uint_eq(nf5_end(&st, SEND_NS, &w), 30);
	nf5_begin(&st, SEND_NS, &w);
	ck_assert_int_eq(nf5_add(&st, &big, &w), ENC_ADDED);
	ck_assert_uint_eq(nf5_end(&st, SEND_NS, &w), 1);
	ck_assert_uint_eq(ld_be32(buf + 16), 30);            /* flow_sequence */
	ck_assert_uint_eq(ld_be32(buf + 24 + 16), 1u << 31); /* dPkts */
	ck_assert_uint_eq(ld_be32(buf + 24 + 20), 1u << 31); /* dOctets */
	ck_assert_uint_eq(st.split, 1);
}
END_TEST

START_TEST(test_v5_ipv6_skipped)
{
	struct nf5_state st;
	struct flow_record recs[3] = {rec_tcp4(), rec_udp6(), rec_icmp4()};
	uint8_t buf[1500];
	struct wbuf w;

	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf5_init(&st, 5, 1500, 0, 0, 1), 0);
	ck_assert_uint_eq(nf5_encode(&st, recs, 3, SEND_NS, &w), 3);
	ck_assert_uint_eq(ld_be16(buf + 2), 2);
	ck_assert_uint_eq(w.len, 24 + 2 * 48);
	ck_assert_uint_eq(st.ipv6_skipped, 1);
	/* the second record is the ICMP one */
	ck_assert_uint_eq(ld_be16(buf + 24 + 48 + 34), 0x0800);
}
END_TEST

/* Flow times before the boot clamp at 0; the sampling field packs 1 in N. */
START_TEST(test_v5_clamp_and_sampling)
{
	struct nf5_state st;
	struct flow_record r = rec_tcp4();
	uint8_t buf[1500];
	struct wbuf w;

	r.first_ns = BOOT_NS - 5 * SEC;
	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf5_init(&st, 5, 1500, 0, 0, 100), 0);
	boot(&st, &w);
	ck_assert_uint_eq(nf5_encode(&st, &r, 1, SEND_NS, &w), 1);
	ck_assert_uint_eq(ld_be32(buf + 24 + 24), 0);    /* First */
	ck_assert_uint_eq(ld_be32(buf + 24 + 28), 2250); /* Last */
	ck_assert_uint_eq(ld_be16(buf + 22), 0x4000 | 100);
	ck_assert_int_eq(nf5_init(&st, 5, 1500, 0, 0, 100000), 0);
	ck_assert_uint_eq(st.sampling_field, 0x4000 | 0x3fff);
}
END_TEST

/* A buffer smaller than max_packet still never gets half a record. */
START_TEST(test_v5_short_buffer)
{
	struct nf5_state st;
	struct flow_record r = rec_tcp4();
	uint8_t buf[24 + 48 + 47];
	struct wbuf w;

	wb_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(nf5_init(&st, 5, 1500, 0, 0, 1), 0);
	nf5_begin(&st, SEND_NS, &w);
	ck_assert_int_eq(nf5_add(&st, &r, &w), ENC_ADDED);
	ck_assert_int_eq(nf5_add(&st, &r, &w), ENC_FULL);
	ck_assert_uint_eq(w.len, 24 + 48);
	ck_assert_uint_eq(nf5_end(&st, SEND_NS, &w), 1);
}
END_TEST

static Suite *
nf5_suite(void)
{
	Suite *s = suite_create("nf5");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_v5_bytes);
	tcase_add_test(tc, test_v1_bytes);
	tcase_add_test(tc, test_v5_limit_and_sequence);
	tcase_add_test(tc, test_v5_max_packet);
	tcase_add_test(tc, test_v5_split);
	tcase_add_test(tc, test_v5_split_across_packets);
	tcase_add_test(tc, test_v5_ipv6_skipped);
	tcase_add_test(tc, test_v5_clamp_and_sampling);
	tcase_add_test(tc, test_v5_short_buffer);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(nf5_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
