/*
 * Fragment cache: first fragments record ports, later ones take them;
 * expiry after 30 s, eviction when a set is full, keys that differ by one
 * field, out-of-order arrival, and two real captures (ports from tshark).
 */
#include <check.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "../../probe/decode.h"
#include "../../probe/frag.h"

#define SEC 1000000000ull

/* A fragment of datagram id from 10.0.0.1 to 10.0.0.2 (UDP). */
static void
frag(struct pkt_meta *m, uint32_t id, bool first, uint64_t ts_ns)
{
	memset(m, 0, sizeof(*m));
	m->ts_ns = ts_ns;
	m->family = 4;
	m->proto = 17;
	m->src[0] = 10;
	m->src[3] = 1;
	m->dst[0] = 10;
	m->dst[3] = 2;
	m->is_frag = 1;
	m->frag_id = id;
	m->frag_first = first;
	m->frag_more = first;
	m->frag_off = first ? 0 : 1480;
	if (first) {
		m->sport = (uint16_t)(1000 + id);
		m->dport = 53;
		m->has_ports = 1;
	}
}

START_TEST(first_then_later)
{
	struct frag_cache *fc = frag_create(64);
	struct frag_stats st;
	struct pkt_meta m;

	ck_assert_ptr_nonnull(fc);
	frag(&m, 7, true, 1 * SEC);
	ck_assert_int_eq(frag_resolve(fc, &m), 1);
	ck_assert_uint_eq(m.sport, 1007); /* unchanged */
	frag(&m, 7, false, 2 * SEC);
	ck_assert_uint_eq(m.has_ports, 0);
	ck_assert_int_eq(frag_resolve(fc, &m), 1);
	ck_assert_uint_eq(m.sport, 1007);
	ck_assert_uint_eq(m.dport, 53);
	ck_assert_uint_eq(m.has_ports, 1);
	/* a second later fragment of the same datagram too */
	frag(&m, 7, false, 3 * SEC);
	ck_assert_int_eq(frag_resolve(fc, &m), 1);
	ck_assert_uint_eq(m.sport, 1007);
	frag_get_stats(fc, &st);
	ck_assert_uint_eq(st.stored, 1);
	ck_assert_uint_eq(st.hits, 2);
	ck_assert_uint_eq(st.misses, 0);
	frag_destroy(fc);
}
END_TEST

START_TEST(unknown_and_other_keys)
{
	struct frag_cache *fc = frag_create(64);
	struct frag_stats st;
	struct pkt_meta m;

	/* later before first: ports 0 */
	frag(&m, 9, false, SEC);
	ck_assert_int_eq(frag_resolve(fc, &m), 0);
	ck_assert_uint_eq(m.has_ports, 0);
	ck_assert_uint_eq(m.sport, 0);
	frag(&m, 9, true, SEC);
	ck_assert_int_eq(frag_resolve(fc, &m), 1);
	/* each key field matters */
	frag(&m, 10, false, SEC); /* id */
	ck_assert_int_eq(frag_resolve(fc, &m), 0);
	frag(&m, 9, false, SEC);
	m.proto = 6;
	ck_assert_int_eq(frag_resolve(fc, &m), 0);
	frag(&m, 9, false, SEC);
	m.src[3] = 3;
	ck_assert_int_eq(frag_resolve(fc, &m), 0);
	frag(&m, 9, false, SEC);
	m.dst[15] = 1;
	ck_assert_int_eq(frag_resolve(fc, &m), 0);
	frag(&m, 9, false, SEC);
	m.family = 6;
	ck_assert_int_eq(frag_resolve(fc, &m), 0);
	frag(&m, 9, false, SEC);
	ck_assert_int_eq(frag_resolve(fc, &m), 1);
	ck_assert_uint_eq(m.sport, 1009);
	frag_get_stats(fc, &st);
	ck_assert_uint_eq(st.misses, 6);
	ck_assert_uint_eq(st.hits, 1);
	frag_destroy(fc);
}
END_TEST

START_TEST(not_fragments)
{
	struct frag_cache *fc = frag_create(8);
	struct frag_stats st;
	struct pkt_meta m, before;

	frag(&m, 1, true, SEC);
	m.is_frag = 0;
	before = m;
	ck_assert_int_eq(frag_resolve(fc, &m), 1);
	ck_assert_mem_eq(&m, &before, sizeof(m));
	/* a first fragment whose transport header was cut: nothing kept */
	frag(&m, 2, true, SEC);
	m.has_ports = 0;
	m.sport = m.dport = 0;
	ck_assert_int_eq(frag_resolve(fc, &m), 1);
	frag_get_stats(fc, &st);
	ck_assert_uint_eq(st.stored, 0);
	frag(&m, 2, false, SEC);
	ck_assert_int_eq(frag_resolve(fc, &m), 0);
	/* no cache at all */
	frag(&m, 2, false, SEC);
	ck_assert_int_eq(frag_resolve(NULL, &m), 0);
	frag_destroy(fc);
	frag_destroy(NULL);
}
END_TEST

START_TEST(expiry)
{
	struct frag_cache *fc = frag_create(16);
	struct pkt_meta m;

	frag(&m, 5, true, 100 * SEC);
	frag_resolve(fc, &m);
	frag(&m, 5, false, 130 * SEC); /* exactly 30 s: still valid */
	ck_assert_int_eq(frag_resolve(fc, &m), 1);
	frag(&m, 5, false, 130 * SEC + 1);
	ck_assert_int_eq(frag_resolve(fc, &m), 0);
	/* a timestamp a little in the past is not "old" */
	frag(&m, 6, true, 200 * SEC);
	frag_resolve(fc, &m);
	frag(&m, 6, false, 199 * SEC);
	ck_assert_int_eq(frag_resolve(fc, &m), 1);
	frag_destroy(fc);
}
END_TEST

START_TEST(eviction)
{
	/* 4 entries are one set of 4 ways: a 5th datagram evicts the
	 * oldest, whatever the hash */
	struct frag_cache *fc = frag_create(1);
	struct frag_stats st;
	struct pkt_meta m;
	uint32_t id;

	for (id = 1; id <= 5; id++) {
		frag(&m, id, true, id * SEC);
		frag_resolve(fc, &m);
	}
	frag_get_stats(fc, &st);
	ck_assert_uint_eq(st.stored, 5);
	ck_assert_uint_eq(st.evicted, 1);
	frag(&m, 1, false, 6 * SEC);
	ck_assert_int_eq(frag_resolve(fc, &m), 0);
	for (id = 2; id <= 5; id++) {
		frag(&m, id, false, 6 * SEC);
		ck_assert_int_eq(frag_resolve(fc, &m), 1);
		ck_assert_uint_eq(m.sport, 1000 + id);
	}
	/* an expired entry is reused without counting an eviction */
	frag(&m, 6, true, 100 * SEC);
	frag_resolve(fc, &m);
	frag_get_stats(fc, &st);
	ck_assert_uint_eq(st.evicted, 1);
	frag_destroy(fc);
}
END_TEST

START_TEST(many_entries)
{
	/* 4096 datagrams in a 65536-entry cache: all found again */
	struct frag_cache *fc = frag_create(65536);
	struct pkt_meta m;
	uint32_t id, found = 0;

	for (id = 0; id < 4096; id++) {
		frag(&m, id << 8, true, SEC);
		frag_resolve(fc, &m);
	}
	for (id = 0; id < 4096; id++) {
		frag(&m, id << 8, false, SEC);
		found += (uint32_t)frag_resolve(fc, &m);
	}
	/* 4096 keys in 16384 sets of 4: a set overflows only with five
	 * keys in it, which is all but impossible with a good hash */
	ck_assert_uint_ge(found, 4090);
	frag_destroy(fc);
}
END_TEST

/* Decode a capture and resolve fragments; returns later-fragment hits. */
static unsigned
replay(const char *name, uint16_t *sport, uint16_t *dport, unsigned *frags)
{
	char err[PCAP_ERRBUF_SIZE], path[512];
	struct dec_config cfg = {.decap = false};
	struct frag_cache *fc = frag_create(1024);
	const char *dir = getenv("TAPFLOW_PCAPS");
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned hits = 0;
	pcap_t *p;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "pcaps", name);
	p = pcap_open_offline(path, err);
	ck_assert_msg(p != NULL, "%s: %s", path, err);
	*frags = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		struct pkt_meta m = {.ts_ns = (uint64_t)h->ts.tv_sec * SEC};

		if (dec_packet(&cfg, pcap_datalink(p), d, h->caplen, h->len,
		               &m) != DEC_OK ||
		    !m.is_frag)
			continue;
		(*frags)++;
		if (frag_resolve(fc, &m) == 1 && !m.frag_first) {
			hits++;
			*sport = m.sport;
			*dport = m.dport;
		}
	}
	pcap_close(p);
	frag_destroy(fc);
	return hits;
}

START_TEST(real_captures)
{
	uint16_t sp = 0, dp = 0;
	unsigned frags;

	/* tshark -r zeek__ipv4-fragmented-syn.pcap -T fields -e ip.id
	 *   -e ip.flags.mf -e ip.frag_offset -e tcp.srcport -e tcp.dstport
	 * gives (0x0001, MF, 0) then (0x0001, 0, 3, 12345, 80) */
	ck_assert_uint_eq(
	    replay("zeek__ipv4-fragmented-syn.pcap", &sp, &dp, &frags), 1);
	ck_assert_uint_eq(frags, 2);
	ck_assert_uint_eq(sp, 12345);
	ck_assert_uint_eq(dp, 80);
	/* the same for pcpp__frag_with_padding.pcap: seven later fragments
	 * of id 0x6312, then the first (42402 > 42102): no hit */
	ck_assert_uint_eq(
	    replay("pcpp__frag_with_padding.pcap", &sp, &dp, &frags), 0);
	ck_assert_uint_eq(frags, 8);
}
END_TEST

static Suite *
frag_suite(void)
{
	Suite *s = suite_create("frag");
	TCase *tc = tcase_create("frag");

	tcase_add_test(tc, first_then_later);
	tcase_add_test(tc, unknown_and_other_keys);
	tcase_add_test(tc, not_fragments);
	tcase_add_test(tc, expiry);
	tcase_add_test(tc, eviction);
	tcase_add_test(tc, many_entries);
	tcase_add_test(tc, real_captures);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(frag_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
