/*
 * The probe's two ways to account packets (probe/probe.h): one packet at
 * a time (probe_packet, live capture) and a decoded batch accounted in
 * place (probe_decode + probe_account_batch, replay). A hand-computed
 * case checks what the sink gets and the clock it gets it at; real
 * captures, with short timeouts, a small table and sampling, check that
 * the batches give the same flows, in the same order, at the same clock,
 * with the same counters, whatever the batch size.
 */
#include <check.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "../../probe/probe.h"
#include "pktbuild.h"

#define SEC 1000000000ull

/* What the sink saw: every record and the probe's clock at the time. */
struct seen {
	const struct probe *pr;
	struct flow_record *recs;
	uint64_t *clock;
	size_t n, cap;
};

static void
sink(void *ctx, const struct flow_record *rec)
{
	struct seen *s = ctx;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->recs = realloc(s->recs, s->cap * sizeof(*s->recs));
		s->clock = realloc(s->clock, s->cap * sizeof(*s->clock));
		ck_assert_ptr_nonnull(s->recs);
		ck_assert_ptr_nonnull(s->clock);
	}
	s->recs[s->n] = *rec;
	s->clock[s->n] = s->pr->now_ns;
	s->n++;
}

static void
seen_free(struct seen *s)
{
	free(s->recs);
	free(s->clock);
}

static void
config(struct flowtab_config *c, uint32_t max_flows)
{
	flowtab_config_defaults(c);
	c->max_flows = max_flows;
	c->hash_key[0] = 0x0123456789abcdefull;
	c->hash_key[1] = 0xfedcba9876543210ull;
}

static void
start(struct probe *pr, struct seen *s, const struct flowtab_config *c,
      uint32_t sample_n)
{
	struct dec_config dec = {.decap = false};
	char err[256];

	memset(s, 0, sizeof(*s));
	s->pr = pr;
	ck_assert_msg(probe_init(pr, &dec, c, sink, s, err, sizeof(err)) == 0,
	              "%s", err);
	pr->sample_n = sample_n;
}

/* One UDP packet of 10.0.0.1:sport -> 10.0.0.2:53 with 12 bytes of data. */
static uint8_t *
udp_frame(uint16_t sport, uint32_t *len)
{
	libnet_t *l = pb_begin();

	pb_udp(l, sport, 53, NULL, 12);
	pb_ipv4(l, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 8 + 12, 1, 0);
	pb_eth(l, 0x0800);
	return pb_finish(l, len);
}

/*
 * A at 100 s and 101 s, B at 120 s, idle timeout 15 s: B's packet finds A
 * idle since 101 s, so A ends (idle) before B is counted, with the clock
 * at 120 s; B ends at the final expiry, clock still 120 s.
 */
static void
check_hand(bool batch)
{
	const uint16_t sport[3] = {1000, 1000, 2000};
	const uint64_t t[3] = {100, 101, 120};
	struct probe_pending e[3];
	struct flowtab_config c;
	struct seen s;
	struct probe pr;
	uint32_t i, n = 0;

	config(&c, 64);
	start(&pr, &s, &c, 0);
	for (i = 0; i < 3; i++) {
		uint32_t len;
		uint8_t *f = udp_frame(sport[i], &len);

		if (batch)
			n += probe_decode(&pr, &e[n], DLT_EN10MB, (int64_t)t[i],
			                  0, 1, f, len, len);
		else
			probe_packet(&pr, DLT_EN10MB, (int64_t)t[i], 0, 1, f,
			             len, len);
		free(f);
	}
	if (batch) {
		ck_assert_uint_eq(n, 3);
		probe_account_batch(&pr, e, n);
	}
	probe_expire_all(&pr, FLOW_END_FORCED);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.recs[0].sport, 1000);
	ck_assert_uint_eq(s.recs[0].dport, 53);
	ck_assert_uint_eq(s.recs[0].packets, 2);
	ck_assert_uint_eq(s.recs[0].octets, 2 * (20 + 8 + 12));
	ck_assert_uint_eq(s.recs[0].first_ns, 100 * SEC);
	ck_assert_uint_eq(s.recs[0].last_ns, 101 * SEC);
	ck_assert_uint_eq(s.recs[0].end_reason, FLOW_END_IDLE);
	ck_assert_uint_eq(s.clock[0], 120 * SEC);
	ck_assert_uint_eq(s.recs[1].sport, 2000);
	ck_assert_uint_eq(s.recs[1].packets, 1);
	ck_assert_uint_eq(s.recs[1].end_reason, FLOW_END_FORCED);
	ck_assert_uint_eq(s.clock[1], 120 * SEC);
	ck_assert_uint_eq(pr.st.packets_seen, 3);
	ck_assert_uint_eq(pr.st.packets_accounted, 3);
	ck_assert_uint_eq(pr.st.octets_accounted, 3 * 40);
	probe_fini(&pr);
	seen_free(&s);
}

START_TEST(hand_computed_one_by_one)
{
	check_hand(false);
}
END_TEST

START_TEST(hand_computed_batch)
{
	check_hand(true);
}
END_TEST

/*
 * Replay a capture both ways; batch sizes cycle through sizes[], and the
 * one-by-one probe is flushed where a batch ends (what a batch promises:
 * the flows of probe_packet() with probe_flush() at its end).
 */
static void
compare(const char *name, uint32_t max_flows, uint32_t sample_n,
        size_t min_flows)
{
	static const uint32_t sizes[] = {512, 1, 13, 12, 5, 29, 100, 2};
	const size_t n_sizes = sizeof(sizes) / sizeof(sizes[0]);
	char err[PCAP_ERRBUF_SIZE], path[512];
	const char *dir = getenv("TAPFLOW_PCAPS");
	struct probe_pending *e = calloc(512, sizeof(*e));
	struct probe one, bat;
	struct seen s1, s2;
	struct flowtab_config c;
	struct pcap_pkthdr *h;
	const u_char *d;
	uint32_t n = 0, got = 0, k = 0;
	uint64_t total = 0;
	size_t i;
	pcap_t *p;

	ck_assert_ptr_nonnull(e);
	config(&c, max_flows);
	c.idle_tcp_ns = c.idle_udp_ns = c.idle_icmp_ns = c.idle_other_ns =
	    2 * SEC;
	c.active_ns = 10 * SEC;
	c.linger_fin_ns = SEC;
	c.linger_rst_ns = SEC / 2;
	start(&one, &s1, &c, sample_n);
	start(&bat, &s2, &c, sample_n);
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "pcaps", name);
	p = pcap_open_offline_with_tstamp_precision(
	    path, PCAP_TSTAMP_PRECISION_NANO, err);
	ck_assert_msg(p != NULL, "%s: %s", path, err);
	while (pcap_next_ex(p, &h, &d) == 1) {
		probe_packet(&one, pcap_datalink(p), h->ts.tv_sec,
		             h->ts.tv_usec, 7, d, h->caplen, h->len);
		n += probe_decode(&bat, &e[n], pcap_datalink(p), h->ts.tv_sec,
		                  h->ts.tv_usec, 7, d, h->caplen, h->len);
		if (++got == sizes[k % n_sizes]) {
			/* a batch ends as probe_flush() would end it */
			probe_flush(&one);
			probe_account_batch(&bat, e, n);
			k++;
			got = n = 0;
		}
	}
	pcap_close(p);
	probe_account_batch(&bat, e, n);
	probe_expire_all(&one, FLOW_END_FORCED);
	probe_expire_all(&bat, FLOW_END_FORCED);
	ck_assert_msg(s1.n >= min_flows, "%s: %zu flows", name, s1.n);
	ck_assert_uint_eq(s1.n, s2.n);
	for (i = 0; i < s1.n; i++) {
		ck_assert_msg(
		    memcmp(&s1.recs[i], &s2.recs[i], sizeof(s1.recs[i])) == 0,
		    "%s: flow %zu differs", name, i);
		ck_assert_msg(s1.clock[i] == s2.clock[i],
		              "%s: flow %zu exported at %llu, not %llu", name,
		              i, (unsigned long long)s2.clock[i],
		              (unsigned long long)s1.clock[i]);
		total += s1.recs[i].packets;
	}
	/* every packet accounted is in exactly one flow */
	ck_assert_uint_eq(total, one.st.packets_accounted);
	ck_assert(memcmp(&one.st, &bat.st, sizeof(one.st)) == 0);
	ck_assert_uint_eq(one.now_ns, bat.now_ns);
	if (sample_n > 1)
		ck_assert_uint_gt(one.st.packets_unsampled, 0);
	probe_fini(&one);
	probe_fini(&bat);
	seen_free(&s1);
	seen_free(&s2);
	free(e);
}

START_TEST(batches_as_one_by_one)
{
	compare("ndpi__1kxun.pcap", 1u << 16, 0, 100);
	compare("pcpp__many-protocols.pcap", 1u << 16, 0, 100);
	compare("stopddos__amp-dns-rrsig-fragmented.pcap", 1u << 16, 0, 10);
	compare("pcpp__ip6_fragments.pcap", 1u << 16, 0, 4);
}
END_TEST

START_TEST(batches_small_table_sampled)
{
	/* a full table evicts: the order of evictions must match too */
	compare("ndpi__1kxun.pcap", 64, 0, 100);
	compare("ndpi__1kxun.pcap", 1u << 16, 3, 100);
	compare("pcpp__example.pcap", 32, 2, 100);
}
END_TEST

static Suite *
probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("probe");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, hand_computed_one_by_one);
	tcase_add_test(tc, hand_computed_batch);
	tcase_add_test(tc, batches_as_one_by_one);
	tcase_add_test(tc, batches_small_table_sampled);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(probe_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
