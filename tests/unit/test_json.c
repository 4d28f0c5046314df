/*
 * JSON lines: the text writer against jansson's own dump of the same
 * flow's object (byte for byte, over many shapes of record), and one line
 * written by hand.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../export/json.h"

static struct flow_record
rec_v4(void)
{
	struct flow_record r;

	memset(&r, 0, sizeof(r));
	r.family = 4;
	r.proto = 6;
	r.src[0] = 10, r.src[3] = 1;
	r.dst[0] = 192, r.dst[1] = 168, r.dst[3] = 254;
	r.sport = 40000;
	r.dport = 443;
	r.tos = 0xb8;
	r.ifindex = 3;
	r.vlan = 100;
	r.packets = 12;
	r.octets = 3456;
	r.first_ns = 1700000000123456789ULL;
	r.last_ns = 1700000001987654321ULL;
	r.tcp_flags = 0x1b;
	r.ttl_min = 60;
	r.ttl_max = 64;
	r.end_reason = 3;
	return r;
}

/* Written by hand from the key names of RFC 7012 and the values above. */
START_TEST(test_json_by_hand)
{
	static const char want[] =
	    "{\"ipVersion\":4,\"sourceIPv4Address\":\"10.0.0.1\","
	    "\"destinationIPv4Address\":\"192.168.0.254\","
	    "\"sourceTransportPort\":40000,\"destinationTransportPort\":443,"
	    "\"protocolIdentifier\":6,\"ipClassOfService\":184,"
	    "\"ingressInterface\":3,\"vlanId\":100,\"packetDeltaCount\":12,"
	    "\"octetDeltaCount\":3456,"
	    "\"flowStartMilliseconds\":1700000000123,"
	    "\"flowEndMilliseconds\":1700000001987,"
	    "\"flowStartNanoseconds\":1700000000123456789,"
	    "\"flowEndNanoseconds\":1700000001987654321,"
	    "\"tcpControlBits\":27,\"minimumTTL\":60,\"maximumTTL\":64,"
	    "\"flowEndReason\":3}";
	struct flow_record r = rec_v4();
	char buf[4096];
	size_t n = jsonout_flow_text(&r, buf, sizeof(buf));

	ck_assert_uint_eq(n, strlen(want));
	ck_assert(memcmp(buf, want, n) == 0);
	/* one byte short: nothing, not half a line */
	ck_assert_uint_eq(jsonout_flow_text(&r, buf, n - 1), 0);
	ck_assert_uint_eq(jsonout_flow_text(&r, buf, n), n);
}
END_TEST

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random records of every shape: text == json_dumpb of the object. */
START_TEST(test_json_text_equals_jansson)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	int i, j;

	for (i = 0; i < 20000; i++) {
		struct flow_record r;
		char text[8192], ref[8192];
		size_t n, m;
		json_t *o;

		memset(&r, 0, sizeof(r));
		r.family = (rnd(&s) & 1) ? 4 : 6;
		for (j = 0; j < (r.family == 4 ? 4 : 16); j++) {
			r.src[j] = (uint8_t)rnd(&s);
			r.dst[j] = (uint8_t)rnd(&s);
		}
		if (rnd(&s) % 4 == 0)
			memset(r.src + 4, 0, 12); /* :: compression */
		r.proto = (uint8_t)(rnd(&s) % 4 == 0 ? (r.family == 4 ? 1 : 58)
		                                     : rnd(&s));
		r.sport = (uint16_t)rnd(&s);
		r.dport = (uint16_t)rnd(&s);
		r.tos = (uint8_t)rnd(&s);
		r.ifindex = (uint32_t)rnd(&s);
		r.vlan = (uint16_t)(rnd(&s) & 0xfff);
		r.packets = rnd(&s) >> (rnd(&s) % 63 + 1);
		r.octets = rnd(&s) >> (rnd(&s) % 63 + 1);
		r.first_ns = rnd(&s) >> 1;
		r.last_ns = rnd(&s) >> 1;
		r.tcp_flags = (uint8_t)rnd(&s);
		r.ttl_min = (uint8_t)rnd(&s);
		r.ttl_max = (uint8_t)rnd(&s);
		r.end_reason = (uint8_t)(rnd(&s) % 6);
		r.ext =
		    (uint8_t)(rnd(&s) & (FLOWREC_EXT_LINK | FLOWREC_EXT_TUNNEL |
		                         FLOWREC_EXT_BIFLOW));
		for (j = 0; j < 6; j++) {
			r.src_mac[j] = (uint8_t)rnd(&s);
			r.dst_mac[j] = (uint8_t)rnd(&s);
		}
		r.inner_vlan = (uint16_t)(rnd(&s) & 0xfff);
		r.n_mpls = (uint8_t)(rnd(&s) % (FLOWREC_MAX_MPLS + 1));
		for (j = 0; j < FLOWREC_MAX_MPLS; j++)
			r.mpls[j] = (uint32_t)rnd(&s);
		r.flow_label = (uint32_t)rnd(&s) & 0xfffff;
		r.tunnel = (uint8_t)(rnd(&s) % 8);
		r.tunnel_id = (uint32_t)rnd(&s);
		r.tun_family = (rnd(&s) & 1) ? 4 : 6;
		for (j = 0; j < 16; j++) {
			r.tun_src[j] = (uint8_t)rnd(&s);
			r.tun_dst[j] = (uint8_t)rnd(&s);
		}
		r.rev_packets = rnd(&s) >> 3;
		r.rev_octets = rnd(&s) >> 3;
		r.rev_first_ns = rnd(&s) >> 1;
		r.rev_last_ns = rnd(&s) >> 1;
		r.rev_tcp_flags = (uint8_t)rnd(&s);
		r.biflow_dir = (uint8_t)(rnd(&s) & 1);

		n = jsonout_flow_text(&r, text, sizeof(text));
		o = jsonout_flow_object(&r);
		ck_assert_ptr_nonnull(o);
		m = json_dumpb(o, ref, sizeof(ref), JSON_COMPACT);
		json_decref(o);
		ck_assert_uint_gt(n, 0);
		ck_assert_msg(n == m && memcmp(text, ref, n) == 0,
		              "record %d: %.*s vs %.*s", i, (int)n, text,
		              (int)m, ref);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_json_by_hand);
	tcase_add_test(tc, test_json_text_equals_jansson);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
