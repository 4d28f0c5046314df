/*
 * Flow table tests: a synthetic clock and hand-built struct pkt_meta. Each
 * way a flow ends has its own test, and a randomized test compares the
 * table with a naive reference model written here from the semantics
 * documented in probe/flowtab.h.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XXH_STATIC_LINKING_ONLY /* XXH3_generateSecret() */
#include <xxhash.h>

#include "../../probe/flowtab.h"
#include "../../probe/flowtab_int.h"

#define SEC  1000000000ULL
#define MSEC 1000000ULL
#define USEC 1000ULL

/* ---- helpers ---- */

struct recs {
	struct flow_record *r;
	size_t n;
	size_t cap;
};

static void
sink(void *ctx, const struct flow_record *rec)
{
	struct recs *rs = ctx;

	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		rs->r = realloc(rs->r, rs->cap * sizeof(*rs->r));
		ck_assert_ptr_nonnull(rs->r);
	}
	memcpy(&rs->r[rs->n++], rec, sizeof(*rec));
}

static void
recs_free(struct recs *rs)
{
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

static struct flowtab_config
test_cfg(void)
{
	struct flowtab_config c;

	flowtab_config_defaults(&c);
	c.hash_key[0] = 0x0123456789abcdefULL;
	c.hash_key[1] = 0xfedcba9876543210ULL;
	return c;
}

static struct flowtab *
mk_table(const struct flowtab_config *c, struct recs *rs)
{
	char err[128];
	struct flowtab *ft = flowtab_create(c, sink, rs, err, sizeof(err));

	ck_assert_msg(ft != NULL, "create: %s", err);
	return ft;
}

static void
check_inv(const struct flowtab *ft)
{
	char err[160];

	ck_assert_msg(flowtab_check(ft, NULL, err, sizeof(err)) == 0, "%s",
	              err);
}

/* An IPv4 packet 10.0.0.s -> 10.0.1.d. */
static struct pkt_meta
p4(uint8_t s, uint8_t d, uint8_t proto, uint16_t sport, uint16_t dport,
   uint64_t ts, uint32_t octets, uint8_t flags)
{
	struct pkt_meta m;

	memset(&m, 0, sizeof(m));
	m.ts_ns = ts;
	m.ifindex = 1;
	m.family = 4;
	m.proto = proto;
	m.ttl = 64;
	m.src[0] = 10;
	m.src[3] = s;
	m.dst[0] = 10;
	m.dst[2] = 1;
	m.dst[3] = d;
	m.sport = sport;
	m.dport = dport;
	m.octets = octets;
	m.tcp_flags = flags;
	m.has_ports = 1;
	return m;
}

/* The caller's contract: expire what is due, then account the packet. */
static void
feed(struct flowtab *ft, const struct pkt_meta *m)
{
	(void)flowtab_expire(ft, m->ts_ns, 0);
	flowtab_packet(ft, m);
}

static const struct flowtab_stats *
st(const struct flowtab *ft)
{
	return flowtab_stats(ft);
}

/* ---- each way a flow ends ---- */

START_TEST(test_idle)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	c.idle_udp_ns = 10 * SEC;
	c.idle_tcp_ns = 99 * SEC;
	ft = mk_table(&c, &rs);
	m = p4(1, 1, 17, 1000, 53, 1 * SEC, 100, 0);
	feed(ft, &m);
	m.ts_ns = 2 * SEC;
	feed(ft, &m);
	m.ts_ns = 3 * SEC;
	feed(ft, &m);
	/* deadline 3 s + 10 s: nothing at 13 s - 1 ns */
	ck_assert_uint_eq(flowtab_expire(ft, 13 * SEC - 1, 0), 0);
	ck_assert_uint_eq(rs.n, 0);
	ck_assert_uint_eq(flowtab_expire(ft, 13 * SEC, 0), 1);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_uint_eq(rs.r[0].end_reason, FLOW_END_IDLE);
	ck_assert_uint_eq(rs.r[0].packets, 3);
	ck_assert_uint_eq(rs.r[0].octets, 300);
	ck_assert_uint_eq(rs.r[0].first_ns, 1 * SEC);
	ck_assert_uint_eq(rs.r[0].last_ns, 3 * SEC);
	ck_assert_uint_eq(st(ft)->flows_expired[FLOW_END_IDLE], 1);
	ck_assert_uint_eq(st(ft)->flows_active, 0);
	/* a packet exactly at the deadline opens a new flow */
	m.ts_ns = 20 * SEC;
	feed(ft, &m);
	m.ts_ns = 30 * SEC; /* 20 + 10: at the deadline */
	feed(ft, &m);
	ck_assert_uint_eq(rs.n, 2);
	ck_assert_uint_eq(rs.r[1].packets, 1);
	ck_assert_uint_eq(rs.r[1].first_ns, 20 * SEC);
	ck_assert_uint_eq(st(ft)->flows_created, 3);
	check_inv(ft);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* The same without the caller's expire: the lookup must end the flow. */
START_TEST(test_idle_on_lookup)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	c.idle_udp_ns = 10 * SEC;
	ft = mk_table(&c, &rs);
	m = p4(1, 1, 17, 1000, 53, 1 * SEC, 100, 0);
	flowtab_packet(ft, &m);
	m.ts_ns = 11 * SEC - 1;
	flowtab_packet(ft, &m);
	ck_assert_uint_eq(rs.n, 0);
	m.ts_ns = 21 * SEC - 1; /* exactly last + idle */
	flowtab_packet(ft, &m);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_uint_eq(rs.r[0].end_reason, FLOW_END_IDLE);
	ck_assert_uint_eq(rs.r[0].packets, 2);
	ck_assert_uint_eq(rs.r[0].last_ns, 11 * SEC - 1);
	ck_assert_uint_eq(st(ft)->flows_active, 1);
	check_inv(ft);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* A 1 pkt/s TCP flow for 25 s with active 10 s: cut at 10 s and 20 s. */
START_TEST(test_active)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;
	uint64_t s;

	c.active_ns = 10 * SEC;
	c.idle_tcp_ns = 15 * SEC;
	ft = mk_table(&c, &rs);
	for (s = 0; s <= 25; s++) {
		m = p4(1, 1, 6, 40000, 80, 100 * SEC + s * SEC, 52,
		       s == 0 ? TCP_SYN : TCP_ACK);
		feed(ft, &m);
	}
	ck_assert_uint_eq(rs.n, 2);
	ck_assert_uint_eq(rs.r[0].end_reason, FLOW_END_ACTIVE);
	ck_assert_uint_eq(rs.r[0].packets, 10); /* 100 s .. 109 s */
	ck_assert_uint_eq(rs.r[0].first_ns, 100 * SEC);
	ck_assert_uint_eq(rs.r[0].last_ns, 109 * SEC);
	ck_assert_uint_eq(rs.r[0].tcp_flags, TCP_SYN | TCP_ACK);
	ck_assert_uint_eq(rs.r[1].end_reason, FLOW_END_ACTIVE);
	ck_assert_uint_eq(rs.r[1].packets, 10); /* 110 s .. 119 s */
	ck_assert_uint_eq(rs.r[1].first_ns, 110 * SEC);
	ck_assert_uint_eq(rs.r[1].tcp_flags, TCP_ACK);
	ck_assert_uint_eq(st(ft)->flows_expired[FLOW_END_ACTIVE], 2);
	/* the third piece ends on the active deadline with no more packets */
	ck_assert_uint_eq(flowtab_expire(ft, 130 * SEC - 1, 0), 0);
	ck_assert_uint_eq(flowtab_expire(ft, 130 * SEC, 0), 1);
	ck_assert_uint_eq(rs.r[2].end_reason, FLOW_END_ACTIVE);
	ck_assert_uint_eq(rs.r[2].packets, 6);
	check_inv(ft);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* Active deadline reached between packets, no caller expire: lookup ends it. */
START_TEST(test_active_on_lookup)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	c.active_ns = 10 * SEC;
	c.idle_udp_ns = 60 * SEC;
	ft = mk_table(&c, &rs);
	m = p4(1, 1, 17, 1, 2, 0, 10, 0);
	flowtab_packet(ft, &m);
	m.ts_ns = 10 * SEC;
	flowtab_packet(ft, &m);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_uint_eq(rs.r[0].end_reason, FLOW_END_ACTIVE);
	ck_assert_uint_eq(rs.r[0].packets, 1);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* FIN at 3 s, the closing ACK at 3.5 s joins; EOF at 3.5 s + linger. */
START_TEST(test_fin)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	c.linger_fin_ns = 5 * SEC;
	c.idle_tcp_ns = 15 * SEC;
	ft = mk_table(&c, &rs);
	m = p4(1, 1, 6, 40000, 80, 1 * SEC, 60, TCP_SYN);
	feed(ft, &m);
	m = p4(1, 1, 6, 40000, 80, 2 * SEC, 1000, TCP_ACK | TCP_PSH);
	feed(ft, &m);
	m = p4(1, 1, 6, 40000, 80, 3 * SEC, 52, TCP_FIN | TCP_ACK);
	feed(ft, &m);
	m = p4(1, 1, 6, 40000, 80, 3 * SEC + 500 * MSEC, 52, TCP_ACK);
	feed(ft, &m);
	ck_assert_uint_eq(rs.n, 0);
	ck_assert_uint_eq(st(ft)->flows_created, 1);
	ck_assert_uint_eq(flowtab_expire(ft, 8 * SEC + 500 * MSEC - 1, 0), 0);
	ck_assert_uint_eq(flowtab_expire(ft, 8 * SEC + 500 * MSEC, 0), 1);
	ck_assert_uint_eq(rs.r[0].end_reason, FLOW_END_EOF);
	ck_assert_uint_eq(rs.r[0].packets, 4);
	ck_assert_uint_eq(rs.r[0].octets, 60 + 1000 + 52 + 52);
	ck_assert_uint_eq(rs.r[0].last_ns, 3 * SEC + 500 * MSEC);
	ck_assert_uint_eq(rs.r[0].tcp_flags,
	                  TCP_SYN | TCP_ACK | TCP_PSH | TCP_FIN);
	ck_assert_uint_eq(st(ft)->flows_expired[FLOW_END_EOF], 1);
	check_inv(ft);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* RST lingers 2 s, shorter than FIN's 5 s, and wins over an earlier FIN. */
START_TEST(test_rst)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	c.linger_fin_ns = 5 * SEC;
	c.linger_rst_ns = 2 * SEC;
	ft = mk_table(&c, &rs);
	m = p4(1, 1, 6, 40000, 80, 1 * SEC, 60, TCP_SYN);
	feed(ft, &m);
	m = p4(1, 1, 6, 40000, 80, 2 * SEC, 40, TCP_RST);
	feed(ft, &m);
	/* second flow: FIN then RST */
	m = p4(2, 1, 6, 40001, 80, 2 * SEC, 52, TCP_FIN | TCP_ACK);
	feed(ft, &m);
	m = p4(2, 1, 6, 40001, 80, 2 * SEC + 1, 40, TCP_RST);
	feed(ft, &m);
	ck_assert_uint_eq(flowtab_expire(ft, 4 * SEC - 1, 0), 0);
	ck_assert_uint_eq(flowtab_expire(ft, 4 * SEC, 0), 1);
	ck_assert_uint_eq(rs.r[0].end_reason, FLOW_END_EOF);
	ck_assert_uint_eq(rs.r[0].packets, 2);
	ck_assert_uint_eq(rs.r[0].tcp_flags, TCP_SYN | TCP_RST);
	ck_assert_uint_eq(flowtab_expire(ft, 4 * SEC + 1, 0), 1);
	ck_assert_uint_eq(rs.r[1].end_reason, FLOW_END_EOF);
	ck_assert_uint_eq(rs.r[1].tcp_flags, TCP_FIN | TCP_ACK | TCP_RST);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* A SYN on a closing flow: the port was reused, the old flow ends now. */
START_TEST(test_syn_reuse)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	ft = mk_table(&c, &rs);
	m = p4(1, 1, 6, 40000, 80, 1 * SEC, 60, TCP_SYN);
	feed(ft, &m);
	m = p4(1, 1, 6, 40000, 80, 2 * SEC, 52, TCP_FIN | TCP_ACK);
	feed(ft, &m);
	/* a SYN|ACK is not a new connection from this side */
	m = p4(1, 1, 6, 40000, 80, 2 * SEC + 1, 60, TCP_SYN | TCP_ACK);
	feed(ft, &m);
	ck_assert_uint_eq(rs.n, 0);
	m = p4(1, 1, 6, 40000, 80, 3 * SEC, 60, TCP_SYN);
	feed(ft, &m);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_uint_eq(rs.r[0].end_reason, FLOW_END_EOF);
	ck_assert_uint_eq(rs.r[0].packets, 3);
	ck_assert_uint_eq(st(ft)->flows_active, 1);
	ck_assert_uint_eq(flowtab_expire_all(ft, 3 * SEC, FLOW_END_FORCED), 1);
	ck_assert_uint_eq(rs.r[1].packets, 1);
	ck_assert_uint_eq(rs.r[1].first_ns, 3 * SEC);
	ck_assert_uint_eq(rs.r[1].tcp_flags, TCP_SYN);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* Full table: the least recently seen flow goes out with RESOURCE. */
START_TEST(test_table_full)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;
	uint8_t i;

	c.max_flows = 4;
	ft = mk_table(&c, &rs);
	for (i = 1; i <= 4; i++) {
		/* mixed classes: the LRU spans the idle queues */
		m = p4(i, 1, i % 2 ? 17 : 6, 1000, 80, i * SEC, 100, TCP_ACK);
		feed(ft, &m);
	}
	m = p4(1, 1, 17, 1000, 80, 5 * SEC, 100, 0); /* touch flow 1 */
	feed(ft, &m);
	ck_assert_uint_eq(st(ft)->flows_active, 4);
	m = p4(5, 1, 17, 1000, 80, 6 * SEC, 100, 0);
	feed(ft, &m);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_uint_eq(rs.r[0].end_reason, FLOW_END_RESOURCE);
	ck_assert_uint_eq(rs.r[0].src[3], 2); /* flow 2, last seen at 2 s */
	ck_assert_uint_eq(rs.r[0].packets, 1);
	ck_assert_uint_eq(st(ft)->flows_expired[FLOW_END_RESOURCE], 1);
	ck_assert_uint_eq(st(ft)->flows_active, 4);
	m = p4(6, 1, 17, 1000, 80, 7 * SEC, 100, 0);
	feed(ft, &m);
	ck_assert_uint_eq(rs.r[1].src[3], 3);
	ck_assert_uint_eq(st(ft)->flows_expired[FLOW_END_RESOURCE], 2);
	check_inv(ft);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* Full table with a flow already past its deadline: it ends as IDLE. */
START_TEST(test_table_full_due_first)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	c.max_flows = 2;
	c.idle_udp_ns = 5 * SEC;
	c.idle_tcp_ns = 100 * SEC;
	ft = mk_table(&c, &rs);
	m = p4(1, 1, 6, 1, 2, 1 * SEC, 100, TCP_ACK);
	flowtab_packet(ft, &m);
	m = p4(2, 1, 17, 1, 2, 2 * SEC, 100, 0);
	flowtab_packet(ft, &m);
	/* at 8 s the UDP flow is due, the older TCP flow is not */
	m = p4(3, 1, 17, 1, 2, 8 * SEC, 100, 0);
	flowtab_packet(ft, &m);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_uint_eq(rs.r[0].src[3], 2);
	ck_assert_uint_eq(rs.r[0].end_reason, FLOW_END_IDLE);
	ck_assert_uint_eq(st(ft)->flows_expired[FLOW_END_RESOURCE], 0);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* Forced end: every flow, oldest first; delete_all exports nothing. */
START_TEST(test_forced)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;
	uint8_t i;

	ft = mk_table(&c, &rs);
	for (i = 1; i <= 5; i++) {
		m = p4(i, 1, 17, 1000, 80, i * SEC, 100, 0);
		feed(ft, &m);
	}
	m = p4(1, 1, 17, 1000, 80, 6 * SEC, 100, 0); /* last seen, first born */
	feed(ft, &m);
	ck_assert_uint_eq(flowtab_expire_all(ft, 7 * SEC, FLOW_END_FORCED), 5);
	ck_assert_uint_eq(rs.n, 5);
	for (i = 0; i < 5; i++) {
		ck_assert_uint_eq(rs.r[i].end_reason, FLOW_END_FORCED);
		ck_assert_uint_eq(rs.r[i].src[3], i + 1);
	}
	ck_assert_uint_eq(rs.r[0].packets, 2);
	ck_assert_uint_eq(st(ft)->flows_expired[FLOW_END_FORCED], 5);
	ck_assert_uint_eq(st(ft)->flows_active, 0);
	check_inv(ft);
	for (i = 1; i <= 3; i++) {
		m = p4(i, 1, 17, 1000, 80, 8 * SEC, 100, 0);
		feed(ft, &m);
	}
	ck_assert_uint_eq(flowtab_delete_all(ft), 3);
	ck_assert_uint_eq(rs.n, 5);
	ck_assert_uint_eq(st(ft)->flows_deleted, 3);
	ck_assert_uint_eq(st(ft)->flows_active, 0);
	check_inv(ft);
	ck_assert_uint_eq(flowtab_expire_all(ft, 9 * SEC, FLOW_END_FORCED), 0);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* ---- keys ---- */

/* Packets that differ in one key field each; flows created per level. */
static uint64_t
flows_for_track(enum flowtab_track track, bool vlan, struct recs *rs)
{
	struct flowtab_config c = test_cfg();
	struct flowtab *ft;
	struct pkt_meta m[7];
	uint64_t n;
	int i;

	c.track = track;
	c.track_vlan = vlan;
	ft = mk_table(&c, rs);
	m[0] = p4(1, 1, 6, 1000, 80, 1, 100, TCP_ACK);
	m[1] = m[0];
	m[1].sport = 1001; /* port */
	m[2] = m[0];
	m[2].dport = 81; /* port */
	m[3] = m[0];
	m[3].tos = 0x10; /* tos */
	m[4] = m[0];
	m[4].proto = 17; /* proto */
	m[5] = m[0];
	m[5].vlan = 7; /* vlan */
	m[6] = m[0];
	m[6].ttl = 3; /* not a key field anywhere */
	for (i = 0; i < 7; i++) {
		m[i].ts_ns = (uint64_t)(i + 1) * SEC;
		feed(ft, &m[i]);
	}
	n = st(ft)->flows_created;
	(void)flowtab_expire_all(ft, 10 * SEC, FLOW_END_FORCED);
	flowtab_destroy(ft);
	return n;
}

START_TEST(test_key_levels)
{
	struct recs rs = {0};

	ck_assert_uint_eq(flows_for_track(TRACK_FULL, false, &rs), 5);
	recs_free(&rs);
	ck_assert_uint_eq(flows_for_track(TRACK_FULL, true, &rs), 6);
	recs_free(&rs);
	ck_assert_uint_eq(flows_for_track(TRACK_PROTO, false, &rs), 3);
	/* the first flow holds ports 1000/1001/81: reported as zero */
	ck_assert_uint_eq(rs.r[0].sport, 0);
	ck_assert_uint_eq(rs.r[0].dport, 0);
	ck_assert_uint_eq(rs.r[0].proto, 6);
	ck_assert_uint_eq(rs.r[0].packets, 5);
	recs_free(&rs);
	ck_assert_uint_eq(flows_for_track(TRACK_IP, false, &rs), 1);
	ck_assert_uint_eq(rs.r[0].proto, 0);
	ck_assert_uint_eq(rs.r[0].tos, 0);
	ck_assert_uint_eq(rs.r[0].packets, 7);
	ck_assert_uint_eq(rs.r[0].ttl_min, 3);
	ck_assert_uint_eq(rs.r[0].ttl_max, 64);
	recs_free(&rs);
	ck_assert_uint_eq(flows_for_track(TRACK_IP, true, &rs), 2);
	recs_free(&rs);
}
END_TEST

/*
 * Without VLAN tracking the flow reports the first packet's VLAN; the
 * inner one only with link fields (loop 1), never by default (loop 0).
 */
START_TEST(test_vlan_first)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	c.link_fields = _i == 1;
	ft = mk_table(&c, &rs);
	m = p4(1, 1, 17, 1, 2, 1 * SEC, 100, 0);
	m.vlan = 100;
	m.inner_vlan = 200;
	feed(ft, &m);
	m.vlan = 101;
	m.inner_vlan = 201;
	m.ts_ns = 2 * SEC;
	feed(ft, &m);
	(void)flowtab_expire_all(ft, 3 * SEC, FLOW_END_FORCED);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_uint_eq(rs.r[0].vlan, 100);
	ck_assert_uint_eq(rs.r[0].inner_vlan, _i == 1 ? 200 : 0);
	ck_assert_uint_eq(rs.r[0].ext, _i == 1 ? FLOWREC_EXT_LINK : 0);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* ICMP type/code (in dport) is a key field at TRACK_FULL only. */
START_TEST(test_icmp)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	c.idle_icmp_ns = 3 * SEC;
	c.idle_other_ns = 50 * SEC;
	ft = mk_table(&c, &rs);
	m = p4(1, 1, 1, 0, 8 * 256 + 0, 1 * SEC, 84, 0); /* echo request */
	feed(ft, &m);
	m = p4(1, 1, 1, 0, 3 * 256 + 3, 1 * SEC + 1, 56, 0); /* port unr. */
	feed(ft, &m);
	ck_assert_uint_eq(st(ft)->flows_created, 2);
	/* the ICMP idle timeout, not "other" */
	ck_assert_uint_eq(flowtab_expire(ft, 4 * SEC + 1, 0), 2);
	ck_assert_uint_eq(rs.r[0].dport, 8 * 256);
	ck_assert_uint_eq(rs.r[1].dport, 3 * 256 + 3);
	ck_assert_uint_eq(rs.r[1].sport, 0);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

static struct pkt_meta
p6(uint8_t s, uint8_t proto, uint64_t ts)
{
	struct pkt_meta m;

	memset(&m, 0, sizeof(m));
	m.ts_ns = ts;
	m.ifindex = 1;
	m.family = 6;
	m.proto = proto;
	m.ttl = 64;
	m.src[0] = 0x20; /* 2001:db8::s -> 2001:db8::1:1 */
	m.src[1] = 0x01;
	m.src[2] = 0x0d;
	m.src[3] = 0xb8;
	m.src[15] = s;
	memcpy(m.dst, m.src, 16);
	m.dst[13] = 1;
	m.dst[15] = 1;
	m.sport = 5000;
	m.dport = 443;
	m.octets = 1280;
	m.flow_label = 0xabcde;
	return m;
}

START_TEST(test_ipv6)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m, m4;
	static const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	                                0,    0,    0,    0,    0, 0, 0, 9};

	c.idle_icmp_ns = 2 * SEC;
	c.link_fields = true; /* the flow label */
	ft = mk_table(&c, &rs);
	m = p6(9, 17, 1 * SEC);
	feed(ft, &m);
	m.ts_ns = 2 * SEC;
	m.flow_label = 0x12345; /* not the first packet's: ignored */
	m.ttl = 60;
	feed(ft, &m);
	/* IPv4 with the same first 4 address bytes: another flow */
	m4 = p4(9, 1, 17, 5000, 443, 2 * SEC + 1, 100, 0);
	memcpy(m4.src, m.src, 4);
	memcpy(m4.dst, m.dst, 4);
	feed(ft, &m4);
	/* a differing last address byte: another flow */
	m = p6(8, 17, 2 * SEC + 2);
	feed(ft, &m);
	/* ICMPv6 echo uses the ICMP idle timeout */
	m = p6(9, 58, 2 * SEC + 3);
	m.sport = 0;
	m.dport = 128 * 256;
	feed(ft, &m);
	ck_assert_uint_eq(st(ft)->flows_created, 4);
	ck_assert_uint_eq(flowtab_expire(ft, 4 * SEC + 3, 0), 1);
	ck_assert_uint_eq(rs.r[0].proto, 58);
	ck_assert_uint_eq(rs.r[0].family, 6);
	(void)flowtab_expire_all(ft, 5 * SEC, FLOW_END_FORCED);
	ck_assert_uint_eq(rs.n, 4);
	ck_assert_uint_eq(rs.r[1].family, 6);
	ck_assert_mem_eq(rs.r[1].src, src, 16);
	ck_assert_uint_eq(rs.r[1].packets, 2);
	ck_assert_uint_eq(rs.r[1].octets, 2560);
	ck_assert_uint_eq(rs.r[1].flow_label, 0xabcde);
	ck_assert_uint_eq(rs.r[1].ttl_min, 60);
	ck_assert_uint_eq(rs.r[1].ttl_max, 64);
	ck_assert_uint_eq(rs.r[1].sport, 5000);
	ck_assert_uint_eq(rs.r[1].dport, 443);
	ck_assert_uint_eq(rs.r[2].family, 4);
	ck_assert_uint_eq(rs.r[2].flow_label, 0);
	ck_assert_uint_eq(rs.r[3].src[15], 8);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* ---- counters ---- */

START_TEST(test_counters)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;
	static const uint8_t ttl[] = {64, 63, 200, 1, 64};
	static const uint8_t fl[] = {TCP_SYN, TCP_ACK, TCP_ACK | TCP_PSH,
	                             TCP_ACK | TCP_URG, TCP_ECE | TCP_CWR};
	static const uint32_t oct[] = {60, 1500, 65535, 40, 576};
	static const uint8_t smac[6] = {2, 0, 0, 0, 0, 1};
	static const uint8_t dmac[6] = {2, 0, 0, 0, 0, 2};
	unsigned i;

	c.link_fields = true; /* MACs and MPLS */
	ft = mk_table(&c, &rs);
	for (i = 0; i < 5; i++) {
		m = p4(1, 1, 6, 1234, 22, 1000 + i * 7, oct[i], fl[i]);
		m.ttl = ttl[i];
		m.has_mac = 1;
		m.src_mac[0] = 2;
		m.src_mac[5] =
		    (uint8_t)(1 + i * 10); /* only the first counts */
		m.dst_mac[0] = 2;
		m.dst_mac[5] = 2;
		m.n_mpls = i == 0 ? 4 : 1; /* 4 seen, 3 kept */
		m.mpls[0] = 0x00010140;
		m.mpls[1] = 0x00020140;
		m.mpls[2] = 0x00030140 | (i == 0 ? 0x200 : 0);
		feed(ft, &m);
	}
	ck_assert_uint_eq(st(ft)->packets, 5);
	ck_assert_uint_eq(st(ft)->octets, 60 + 1500 + 65535 + 40 + 576);
	(void)flowtab_expire_all(ft, 2000, FLOW_END_FORCED);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_uint_eq(rs.r[0].packets, 5);
	ck_assert_uint_eq(rs.r[0].octets, 60 + 1500 + 65535 + 40 + 576);
	ck_assert_uint_eq(rs.r[0].first_ns, 1000);
	ck_assert_uint_eq(rs.r[0].last_ns, 1028);
	ck_assert_uint_eq(rs.r[0].tcp_flags, 0xfa); /* all but FIN, RST */
	ck_assert_uint_eq(rs.r[0].ttl_min, 1);
	ck_assert_uint_eq(rs.r[0].ttl_max, 200);
	ck_assert_mem_eq(rs.r[0].src_mac, smac, 6);
	ck_assert_mem_eq(rs.r[0].dst_mac, dmac, 6);
	ck_assert_uint_eq(rs.r[0].n_mpls, 3);
	ck_assert_uint_eq(rs.r[0].mpls[0], 0x00010140);
	ck_assert_uint_eq(rs.r[0].mpls[2], 0x00030340);
	ck_assert_uint_eq(rs.r[0].ifindex, 1);
	ck_assert_uint_eq(rs.r[0].sport, 1234);
	ck_assert_uint_eq(rs.r[0].dport, 22);
	ck_assert_uint_eq(rs.r[0].proto, 6);
	ck_assert_uint_eq(rs.r[0].family, 4);
	ck_assert_uint_eq(rs.r[0].src[0], 10);
	ck_assert_uint_eq(rs.r[0].src[3], 1);
	ck_assert_uint_eq(rs.r[0].src[4], 0);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* Earlier timestamps count at the table's clock: no underflow. */
START_TEST(test_time_backwards)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	c.idle_udp_ns = 10 * SEC;
	ft = mk_table(&c, &rs);
	m = p4(1, 1, 17, 1, 2, 100 * SEC, 10, 0);
	feed(ft, &m);
	m.ts_ns = 50 * SEC;
	feed(ft, &m);
	m = p4(2, 1, 17, 1, 2, 60 * SEC, 10, 0); /* new flow, stamped early */
	feed(ft, &m);
	ck_assert_uint_eq(flowtab_expire(ft, 110 * SEC - 1, 0), 0);
	ck_assert_uint_eq(flowtab_expire(ft, 110 * SEC, 0), 2);
	ck_assert_uint_eq(rs.r[0].first_ns, 100 * SEC);
	ck_assert_uint_eq(rs.r[0].last_ns, 100 * SEC);
	ck_assert_uint_eq(rs.r[0].packets, 2);
	ck_assert_uint_eq(rs.r[1].first_ns, 100 * SEC);
	check_inv(ft);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

static void
count_sink(void *ctx, const struct flow_record *rec)
{
	sink(ctx, rec);
}

START_TEST(test_foreach)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0}, dump = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	ft = mk_table(&c, &rs);
	m = p4(1, 1, 6, 1, 2, 1 * SEC, 10, TCP_SYN);
	feed(ft, &m);
	m = p4(2, 1, 17, 1, 2, 2 * SEC, 10, 0);
	feed(ft, &m);
	m = p4(3, 1, 6, 1, 2, 3 * SEC, 10, TCP_FIN);
	feed(ft, &m);
	m = p4(1, 1, 6, 1, 2, 4 * SEC, 10, TCP_ACK);
	feed(ft, &m);
	flowtab_foreach(ft, count_sink, &dump);
	ck_assert_uint_eq(dump.n, 3);
	ck_assert_uint_eq(dump.r[0].src[3], 2);
	ck_assert_uint_eq(dump.r[1].src[3], 3);
	ck_assert_uint_eq(dump.r[2].src[3], 1);
	ck_assert_uint_eq(dump.r[2].packets, 2);
	ck_assert_uint_eq(dump.r[2].end_reason, 0);
	ck_assert_uint_eq(rs.n, 0);
	ck_assert_uint_eq(st(ft)->flows_active, 3);
	flowtab_destroy(ft);
	recs_free(&rs);
	recs_free(&dump);
}
END_TEST

START_TEST(test_bad_config)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	char err[128] = "";

	c.max_flows = 0;
	ck_assert_ptr_null(flowtab_create(&c, sink, &rs, err, sizeof(err)));
	ck_assert_msg(strstr(err, "max flows 0") != NULL, "%s", err);
	c = test_cfg();
	c.track = (enum flowtab_track)7;
	ck_assert_ptr_null(flowtab_create(&c, sink, &rs, err, sizeof(err)));
	ck_assert_msg(strstr(err, "7") != NULL, "%s", err);
}
END_TEST

START_TEST(test_defaults)
{
	struct flowtab_config c;

	flowtab_config_defaults(&c);
	ck_assert_uint_eq(c.idle_tcp_ns, 15 * SEC);
	ck_assert_uint_eq(c.idle_udp_ns, 15 * SEC);
	ck_assert_uint_eq(c.idle_icmp_ns, 15 * SEC);
	ck_assert_uint_eq(c.idle_other_ns, 15 * SEC);
	ck_assert_uint_eq(c.linger_fin_ns, 5 * SEC);
	ck_assert_uint_eq(c.linger_rst_ns, 2 * SEC);
	ck_assert_uint_eq(c.active_ns, 1800 * SEC);
	ck_assert_uint_eq(c.max_flows, 65536);
	ck_assert_int_eq(c.track, TRACK_FULL);
}
END_TEST

/*
 * Memory per flow (STYLE.md §4: under 128 B by default). Each mode as
 * the man page gives it: 96 B flow + 2 B outer VLAN + 2 x 8 B index
 * slots = 114 B by default; link fields add 36 B (150), tunnel fields
 * 40 B, biflows 48 B.
 */
static const struct {
	bool link, tun, bi;
	unsigned per_flow;
} mem_modes[] = {
    {false, false, false, 114}, /* default */
    {true, false, false, 150},  /* --link-fields, -T ether, --track-mpls */
    {true, true, false, 190},   /* --decap */
    {false, false, true, 162},  /* -b */
    {true, true, true, 238},    /* all of them */
};

START_TEST(test_memory)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct flowtab_check_info info;
	char err[128];
	uint64_t mem;
	unsigned want = mem_modes[_i].per_flow;

	c.link_fields = mem_modes[_i].link;
	c.tunnel_fields = mem_modes[_i].tun;
	c.biflow = mem_modes[_i].bi;
	ft = mk_table(&c, &rs);
	mem = flowtab_mem_bytes(ft);
	ck_assert_int_eq(flowtab_check(ft, &info, err, sizeof(err)), 0);
	printf("flowtab: link %d tunnel %d biflow %d: flow %llu, cold %llu, "
	       "tun %llu, rev %llu, slots %llu; %llu bytes for %u flows = "
	       "%.1f B/flow\n",
	       c.link_fields, c.tunnel_fields, c.biflow,
	       (unsigned long long)info.hot_bytes,
	       (unsigned long long)info.cold_bytes,
	       (unsigned long long)info.tun_bytes,
	       (unsigned long long)info.rev_bytes,
	       (unsigned long long)info.slots, (unsigned long long)mem,
	       c.max_flows, (double)mem / c.max_flows);
	ck_assert_uint_le(info.hot_bytes, 96);
	ck_assert_uint_eq(info.slots, 2 * 65536);
	ck_assert_uint_ge(mem, 65536ULL * want);
	ck_assert_uint_lt(mem, 65536ULL * want + 4096);
	if (_i == 0)
		ck_assert_uint_le(mem, 65536ULL * 128); /* the default */
	flowtab_destroy(ft);
	/* not a power of two: the index rounds up to 2^18 slots */
	c.max_flows = 100000;
	ft = mk_table(&c, &rs);
	ck_assert_int_eq(flowtab_check(ft, &info, err, sizeof(err)), 0);
	ck_assert_uint_eq(info.slots, 262144);
	flowtab_destroy(ft);
	/* just above a power of two, rounding up would give 4 slots a flow
	   (130 B a flow by default): the index takes 2^17, 1.99 a flow */
	c.max_flows = 65537;
	ft = mk_table(&c, &rs);
	ck_assert_int_eq(flowtab_check(ft, &info, err, sizeof(err)), 0);
	ck_assert_uint_eq(info.slots, 131072);
	if (_i == 0)
		ck_assert_uint_le(flowtab_mem_bytes(ft), 65537ULL * 128);
	flowtab_destroy(ft);
}
END_TEST

/* ---- the index: backward-shift deletion ---- */

static struct pkt_meta
pn(uint32_t n, uint8_t proto, uint64_t ts, uint8_t flags)
{
	struct pkt_meta m = p4(1, 1, proto, 0, 0, ts, 40, flags);

	m.src[1] = (uint8_t)(n >> 16);
	m.src[2] = (uint8_t)(n >> 8);
	m.src[3] = (uint8_t)n;
	return m;
}

/*
 * Fill the table, end a pseudo-random half (RST, short linger) and check
 * that every other flow is still found (no new flow), repeatedly.
 */
START_TEST(test_backward_shift)
{
	enum { CAP = 4096 };
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct flowtab_check_info info;
	char err[160];
	static uint8_t live[CAP * 8];
	uint64_t t = 1 * SEC, created, seed = 88172645463325252ULL;
	uint32_t n, round, ended, nlive = 0, next_id = 0;
	uint64_t max_disp = 0;

	c.max_flows = CAP;
	c.idle_tcp_ns = 1000 * SEC;
	c.linger_rst_ns = 1;
	c.active_ns = 100000 * SEC;
	ft = mk_table(&c, &rs);
	memset(live, 0, sizeof(live));
	for (round = 0; round < 8; round++) {
		/* fill to capacity with fresh keys */
		while (nlive < CAP) {
			struct pkt_meta m = pn(next_id, 6, t++, TCP_ACK);

			feed(ft, &m);
			live[next_id++] = 1;
			nlive++;
		}
		ck_assert_int_eq(flowtab_check(ft, &info, err, sizeof(err)), 0);
		if (info.max_displace > max_disp)
			max_disp = info.max_displace;
		/* RST a pseudo-random ~60% of the live flows */
		ended = (uint32_t)rs.n;
		for (n = 0; n < next_id; n++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			if (live[n] && seed % 10 < 6) {
				struct pkt_meta m = pn(n, 6, t++, TCP_RST);

				feed(ft, &m);
				live[n] = 2;
			}
		}
		(void)flowtab_expire(ft, t + 1, 0);
		t += 2;
		for (n = 0; n < next_id; n++)
			if (live[n] == 2) {
				live[n] = 0;
				nlive--;
			}
		ck_assert_uint_eq(rs.n - ended, CAP - nlive);
		ck_assert_uint_eq(st(ft)->flows_active, nlive);
		ck_assert_int_eq(flowtab_check(ft, NULL, err, sizeof(err)), 0);
		ck_assert_msg(flowtab_check(ft, NULL, err, sizeof(err)) == 0,
		              "%s", err);
		/* every survivor is found: no flow is created */
		created = st(ft)->flows_created;
		for (n = 0; n < next_id; n++)
			if (live[n]) {
				struct pkt_meta m = pn(n, 6, t++, TCP_ACK);

				feed(ft, &m);
			}
		ck_assert_uint_eq(st(ft)->flows_created, created);
		ck_assert_uint_eq(st(ft)->flows_active, nlive);
	}
	/* clusters existed, so entries were shifted back */
	ck_assert_uint_ge(max_disp, 3);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* ---- the reference model ---- */

struct mflow {
	int used;
	/* key, compared field by field */
	uint8_t family, proto, tos;
	uint8_t src[16], dst[16];
	uint16_t sport, dport, kvlan;
	uint32_t ifindex;
	/* accounting */
	uint64_t packets, octets, first, last;
	uint8_t flags, tmin, tmax;
	int closing; /* 0, 1 FIN, 2 RST */
	uint16_t vlan;
	uint64_t seq; /* packet number of the last packet */
};

struct model {
	struct flowtab_config c;
	struct mflow *f;
	struct recs out;
	uint64_t clock;
	uint64_t seq;
};

/* The idle queue a flow is in (flowtab.h: the tie order tcp..rst). */
static int
m_queue(const struct mflow *f)
{
	if (f->closing)
		return 3 + f->closing;
	if (f->proto == 6)
		return 0;
	if (f->proto == 17)
		return 1;
	if (f->proto == 1 || f->proto == 58)
		return 2;
	return 3;
}

/*
 * Least recently seen; at equal times (clamped stamps) the table prefers
 * the lower queue, then the flow that was touched first.
 */
static bool
m_older(const struct mflow *a, const struct mflow *b)
{
	if (a->last != b->last)
		return a->last < b->last;
	if (m_queue(a) != m_queue(b))
		return m_queue(a) < m_queue(b);
	return a->seq < b->seq;
}

static uint64_t
m_idle(const struct model *md, const struct mflow *f)
{
	if (f->closing == 2)
		return md->c.linger_rst_ns;
	if (f->closing == 1)
		return md->c.linger_fin_ns;
	if (f->proto == 6)
		return md->c.idle_tcp_ns;
	if (f->proto == 17)
		return md->c.idle_udp_ns;
	if (f->proto == 1 || f->proto == 58)
		return md->c.idle_icmp_ns;
	return md->c.idle_other_ns;
}

static int
m_due(const struct model *md, const struct mflow *f, uint64_t t)
{
	uint64_t di = f->last + m_idle(md, f);
	uint64_t da = f->first + md->c.active_ns;

	if (di <= da)
		return t >= di ? (f->closing ? FLOW_END_EOF : FLOW_END_IDLE)
		               : 0;
	return t >= da ? FLOW_END_ACTIVE : 0;
}

static void
m_end(struct model *md, struct mflow *f, int reason)
{
	struct flow_record r;

	memset(&r, 0, sizeof(r));
	r.family = f->family;
	r.proto = f->proto;
	r.tos = f->tos;
	memcpy(r.src, f->src, 16);
	memcpy(r.dst, f->dst, 16);
	r.sport = f->sport;
	r.dport = f->dport;
	r.ifindex = f->ifindex;
	r.vlan = f->vlan;
	r.packets = f->packets;
	r.octets = f->octets;
	r.first_ns = f->first;
	r.last_ns = f->last;
	r.tcp_flags = f->flags;
	r.ttl_min = f->tmin;
	r.ttl_max = f->tmax;
	r.end_reason = (uint8_t)reason;
	sink(&md->out, &r);
	f->used = 0;
}

static void
m_expire(struct model *md, uint64_t t)
{
	uint32_t i;

	for (i = 0; i < md->c.max_flows; i++)
		if (md->f[i].used && m_due(md, &md->f[i], t))
			m_end(md, &md->f[i], m_due(md, &md->f[i], t));
}

static void
m_packet(struct model *md, const struct pkt_meta *p)
{
	struct mflow k, *f = NULL;
	uint64_t t = p->ts_ns > md->clock ? p->ts_ns : md->clock;
	uint32_t i, n = 0;

	md->clock = t;
	memset(&k, 0, sizeof(k));
	k.family = p->family;
	memcpy(k.src, p->src, p->family == 6 ? 16 : 4);
	memcpy(k.dst, p->dst, p->family == 6 ? 16 : 4);
	k.ifindex = p->ifindex;
	k.kvlan = md->c.track_vlan ? p->vlan : 0;
	if (md->c.track != TRACK_IP) {
		k.proto = p->proto;
		k.tos = p->tos;
	}
	if (md->c.track == TRACK_FULL) {
		k.sport = p->sport;
		k.dport = p->dport;
	}
	for (i = 0; i < md->c.max_flows; i++) {
		struct mflow *g = &md->f[i];

		if (!g->used)
			continue;
		n++;
		if (g->family == k.family && g->proto == k.proto &&
		    g->tos == k.tos && !memcmp(g->src, k.src, 16) &&
		    !memcmp(g->dst, k.dst, 16) && g->sport == k.sport &&
		    g->dport == k.dport && g->kvlan == k.kvlan &&
		    g->ifindex == k.ifindex)
			f = g;
	}
	if (f != NULL && f->closing && p->proto == 6 &&
	    (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		m_end(md, f, FLOW_END_EOF);
		f = NULL;
		n--;
	}
	if (f == NULL) {
		if (n == md->c.max_flows) {
			struct mflow *lru = NULL;

			for (i = 0; i < md->c.max_flows; i++)
				if (md->f[i].used &&
				    (lru == NULL || m_older(&md->f[i], lru)))
					lru = &md->f[i];
			m_end(md, lru, FLOW_END_RESOURCE);
		}
		for (i = 0; md->f[i].used; i++)
			;
		f = &md->f[i];
		*f = k;
		f->used = 1;
		f->first = t;
		f->tmin = 255;
		f->vlan = p->vlan;
	}
	f->packets++;
	f->octets += p->octets;
	f->last = t;
	f->seq = ++md->seq;
	if (p->ttl < f->tmin)
		f->tmin = p->ttl;
	if (p->ttl > f->tmax)
		f->tmax = p->ttl;
	if (p->proto == 6) {
		f->flags |= p->tcp_flags;
		if (f->proto == 6 && (p->tcp_flags & TCP_RST))
			f->closing = 2;
		else if (f->proto == 6 && (p->tcp_flags & TCP_FIN) &&
		         f->closing != 2)
			f->closing = 1;
	}
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A pool of endpoints that differ in one or two key fields. */
static struct pkt_meta
rnd_packet(uint64_t *s, uint64_t *t)
{
	static const uint16_t ports[] = {80, 443, 1234, 5555};
	static const uint8_t protos4[] = {6, 6, 17, 17, 1, 47};
	static const uint8_t protos6[] = {6, 17, 58, 47};
	struct pkt_meta m;
	uint64_t r = rnd(s), j = rnd(s);

	memset(&m, 0, sizeof(m));
	m.ifindex = 1 + (r & 1);
	r >>= 1;
	m.family = (r % 5) == 0 ? 6 : 4;
	r >>= 3;
	m.src[0] = 10;
	m.src[3] = (uint8_t)(1 + r % 4);
	r >>= 2;
	m.dst[0] = 10;
	m.dst[3] = (uint8_t)(1 + r % 3);
	r >>= 2;
	if (m.family == 6) {
		m.src[15] = 1;
		m.proto = protos6[r % 4];
	} else {
		m.proto = protos4[r % 6];
	}
	r >>= 3;
	m.tos = (r & 7) == 0 ? 0x10 : 0;
	r >>= 3;
	m.vlan = (r & 3) == 0 ? 7 : 0;
	r >>= 2;
	if (m.proto == 6 || m.proto == 17) {
		m.sport = ports[r % 4];
		r >>= 2;
		m.dport = ports[r % 4];
		r >>= 2;
	} else if (m.proto == 1 || m.proto == 58) {
		m.dport = (uint16_t)((r & 1) ? 8 * 256 : 3 * 256 + 1);
		r >>= 1;
	}
	if (m.proto == 6) {
		unsigned x = (unsigned)(r % 100);

		m.tcp_flags = TCP_ACK;
		if (x < 6)
			m.tcp_flags = TCP_SYN;
		else if (x < 10)
			m.tcp_flags = TCP_FIN | TCP_ACK;
		else if (x < 12)
			m.tcp_flags = TCP_RST;
		else if (x < 30)
			m.tcp_flags |= TCP_PSH;
	}
	r >>= 7;
	m.ttl = (uint8_t)(1 + r % 255);
	r >>= 8;
	if (r % 10 <
	    3) { /* a heavy hitter that lives past the active timeout */
		m.family = 4;
		m.proto = 17;
		m.src[3] = 9;
		m.dst[3] = 9;
		m.sport = 9999;
		m.dport = 9999;
	}
	m.octets = (uint32_t)(20 + (j % 1481));
	j >>= 12;
	/* mostly short gaps, sometimes a pause past the timeouts */
	if ((j % 100) == 0)
		*t += 1 * SEC + (j >> 8) % (25 * SEC);
	else
		*t += 1 + (j >> 8) % (400 * MSEC);
	/* a few out-of-order stamps */
	m.ts_ns = (j >> 40) % 97 == 0 && *t > SEC ? *t - SEC : *t;
	return m;
}

static int
rec_cmp(const void *a, const void *b)
{
	const struct flow_record *x = a, *y = b;
	int c;

	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	c = memcmp(x->src, y->src, 16);
	if (c == 0)
		c = memcmp(x->dst, y->dst, 16);
	if (c == 0)
		c = (int)x->sport - (int)y->sport;
	if (c == 0)
		c = (int)x->dport - (int)y->dport;
	if (c == 0)
		c = (int)x->proto - (int)y->proto;
	if (c == 0)
		c = (int)x->tos - (int)y->tos;
	if (c == 0)
		c = (int)x->ifindex - (int)y->ifindex;
	if (c == 0)
		c = (int)x->vlan - (int)y->vlan;
	if (c == 0)
		c = (int)x->family - (int)y->family;
	return c;
}

static void
rec_assert_eq(const struct flow_record *x, const struct flow_record *y,
              size_t i)
{
	ck_assert_msg(x->family == y->family && x->proto == y->proto &&
	                  x->tos == y->tos && !memcmp(x->src, y->src, 16) &&
	                  !memcmp(x->dst, y->dst, 16) && x->sport == y->sport &&
	                  x->dport == y->dport && x->ifindex == y->ifindex &&
	                  x->vlan == y->vlan,
	              "record %zu: key differs", i);
	ck_assert_msg(x->packets == y->packets, "record %zu: packets %llu %llu",
	              i, (unsigned long long)x->packets,
	              (unsigned long long)y->packets);
	ck_assert_msg(x->octets == y->octets, "record %zu: octets", i);
	ck_assert_msg(x->first_ns == y->first_ns && x->last_ns == y->last_ns,
	              "record %zu: times", i);
	ck_assert_msg(x->tcp_flags == y->tcp_flags, "record %zu: flags", i);
	ck_assert_msg(x->ttl_min == y->ttl_min && x->ttl_max == y->ttl_max,
	              "record %zu: ttl", i);
	ck_assert_msg(x->end_reason == y->end_reason,
	              "record %zu: reason %u, model %u", i, x->end_reason,
	              y->end_reason);
}

/*
 * Variants: 0 full, 1 full with expiry bounded to 1 flow a packet, 2 no
 * caller expiry at all (lookup and full-table paths only), 3 proto, 4 ip,
 * 5 full + vlan, 6 the batched calls, 7 keyed with stale and wrong hints.
 */
START_TEST(test_model)
{
	enum { NPKT = 30000 };
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct model md;
	struct flowtab *ft;
	uint64_t s = 0x9e3779b97f4a7c15ULL + (uint64_t)_i, t = 1000 * SEC;
	uint64_t pk_in = 0, oct_in = 0, pk_out = 0, oct_out = 0;
	uint64_t reasons[6] = {0};
	uint32_t prev_hint = UINT32_MAX;
	char err[160];
	size_t i;
	int k;

	c.max_flows = _i == 4 ? 8 : 24; /* TRACK_IP: 48 keys */
	c.idle_tcp_ns = 10 * SEC;
	c.idle_udp_ns = 7 * SEC;
	c.idle_icmp_ns = 5 * SEC;
	c.idle_other_ns = 3 * SEC;
	c.linger_fin_ns = 2 * SEC;
	c.linger_rst_ns = 1 * SEC;
	c.active_ns = 8 * SEC;
	c.track = _i == 3 ? TRACK_PROTO : _i == 4 ? TRACK_IP : TRACK_FULL;
	c.track_vlan = _i == 5;
	ft = mk_table(&c, &rs);
	memset(&md, 0, sizeof(md));
	md.c = c;
	md.f = calloc(c.max_flows, sizeof(*md.f));
	ck_assert_ptr_nonnull(md.f);
	for (i = 0; i < NPKT; i++) {
		struct pkt_meta m = rnd_packet(&s, &t);
		struct flow_fullkey fk;
		uint32_t h = 0, hint = UINT32_MAX;

		if (_i == 7) {
			/*
			 * Hints as the capture loop takes them, before the
			 * expiry that may end their flow; every third one
			 * names the previous packet's flow (another key).
			 */
			h = flowtab_key(ft, &m, &fk);
			hint = flowtab_prefetch_flow(ft, h);
			if (i % 3 == 0) {
				hint = prev_hint;
				flowtab_prefetch_links(ft, hint);
			}
			prev_hint = flowtab_prefetch_flow(ft, h);
		}
		if (_i == 1)
			(void)flowtab_expire(ft, m.ts_ns, 1);
		else if (_i != 2)
			(void)flowtab_expire(ft, m.ts_ns, 0);
		if (_i == 6) {
			/* the batched path: hash once, hints, then account */
			h = flowtab_hash(ft, &m);
			flowtab_prefetch_slot(ft, h);
			hint = flowtab_prefetch_flow(ft, h);
			flowtab_prefetch_links(ft, hint);
			flowtab_packet_hashed(ft, &m, h);
		} else if (_i == 7) {
			flowtab_packet_keyed(ft, &m, &fk, h, hint);
		} else {
			flowtab_packet(ft, &m);
		}
		m_expire(&md, m.ts_ns > md.clock ? m.ts_ns : md.clock);
		m_packet(&md, &m);
		pk_in++;
		oct_in += m.octets;
		if (i % 1000 == 0)
			ck_assert_msg(
			    flowtab_check(ft, NULL, err, sizeof(err)) == 0,
			    "%s", err);
	}
	(void)flowtab_expire(ft, t, 0);
	(void)flowtab_expire_all(ft, t, FLOW_END_FORCED);
	m_expire(&md, t);
	for (k = 0; k < (int)c.max_flows; k++)
		if (md.f[k].used)
			m_end(&md, &md.f[k], FLOW_END_FORCED);

	ck_assert_uint_eq(rs.n, md.out.n);
	qsort(rs.r, rs.n, sizeof(*rs.r), rec_cmp);
	qsort(md.out.r, md.out.n, sizeof(*md.out.r), rec_cmp);
	for (i = 0; i < rs.n; i++) {
		rec_assert_eq(&rs.r[i], &md.out.r[i], i);
		ck_assert_uint_gt(rs.r[i].packets, 0);
		pk_out += rs.r[i].packets;
		oct_out += rs.r[i].octets;
		reasons[rs.r[i].end_reason]++;
	}
	ck_assert_uint_eq(pk_out, pk_in);
	ck_assert_uint_eq(oct_out, oct_in);
	ck_assert_uint_eq(st(ft)->packets, pk_in);
	ck_assert_uint_eq(st(ft)->octets, oct_in);
	ck_assert_uint_eq(st(ft)->flows_created, rs.n);
	for (k = FLOW_END_IDLE; k <= FLOW_END_RESOURCE; k++)
		ck_assert_uint_eq(st(ft)->flows_expired[k], reasons[k]);
	/* the input exercised every way to end (not all under TRACK_IP) */
	ck_assert_uint_gt(reasons[FLOW_END_IDLE], 100);
	ck_assert_uint_gt(reasons[FLOW_END_ACTIVE], 10);
	ck_assert_uint_gt(reasons[FLOW_END_RESOURCE], 100);
	if (c.track != TRACK_IP)
		ck_assert_uint_gt(reasons[FLOW_END_EOF], 100);
	flowtab_destroy(ft);
	recs_free(&rs);
	recs_free(&md.out);
	free(md.f);
}
END_TEST

/* Same input, different hash keys: the same records in the same order. */
static void
run_seq(uint64_t k0, uint64_t k1, struct recs *rs)
{
	struct flowtab_config c = test_cfg();
	struct flowtab *ft;
	uint64_t s = 12345, t = 5 * SEC;
	int i;

	c.max_flows = 64;
	c.idle_tcp_ns = 4 * SEC;
	c.idle_udp_ns = 3 * SEC;
	c.active_ns = 15 * SEC;
	c.hash_key[0] = k0;
	c.hash_key[1] = k1;
	ft = mk_table(&c, rs);
	for (i = 0; i < 20000; i++) {
		struct pkt_meta m = rnd_packet(&s, &t);

		(void)flowtab_expire(ft, m.ts_ns, 4);
		flowtab_packet(ft, &m);
	}
	(void)flowtab_expire(ft, t, 0);
	(void)flowtab_expire_all(ft, t, FLOW_END_FORCED);
	flowtab_destroy(ft);
}

START_TEST(test_determinism)
{
	struct recs a = {0}, b = {0}, c = {0};
	size_t i;

	run_seq(1, 2, &a);
	run_seq(1, 2, &b);
	run_seq(0xdeadbeefULL, 0x5eed, &c);
	ck_assert_uint_gt(a.n, 1000);
	ck_assert_uint_eq(a.n, b.n);
	ck_assert_uint_eq(a.n, c.n);
	for (i = 0; i < a.n; i++) {
		rec_assert_eq(&a.r[i], &b.r[i], i);
		rec_assert_eq(&a.r[i], &c.r[i], i);
	}
	recs_free(&a);
	recs_free(&b);
	recs_free(&c);
}
END_TEST

/* ---- link-layer keys, tunnels, biflows ---- */

/* -T ether: the MAC addresses split flows; without it they don't. */
START_TEST(test_track_ether)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;
	unsigned i;

	c.track_ether = _i == 1;
	ft = mk_table(&c, &rs);
	for (i = 0; i < 3; i++) {
		m = p4(1, 1, 17, 53, 53, (1 + i) * SEC, 100, 0);
		m.has_mac = 1;
		m.src_mac[0] = 2;
		m.src_mac[5] = (uint8_t)(i == 2 ? 9 : 1); /* third: new MAC */
		m.dst_mac[0] = 2;
		m.dst_mac[5] = 2;
		feed(ft, &m);
	}
	check_inv(ft);
	ck_assert_uint_eq(st(ft)->flows_created, _i == 1 ? 2 : 1);
	(void)flowtab_expire_all(ft, 5 * SEC, FLOW_END_FORCED);
	/* without link fields the MACs aren't kept */
	ck_assert_uint_eq(rs.r[0].src_mac[5], _i == 1 ? 1 : 0);
	ck_assert_uint_eq(rs.r[0].packets, _i == 1 ? 2 : 3);
	if (_i == 1) {
		ck_assert_uint_eq(rs.r[1].src_mac[5], 9);
		ck_assert_uint_eq(rs.r[1].packets, 1);
		ck_assert_uint_eq(rs.r[1].ext, FLOWREC_EXT_LINK);
	}
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/*
 * --track-mpls: the top label (bits 31..12 of the entry) splits flows;
 * its TC, S and TTL bits don't, and label 0 differs from no MPLS.
 */
START_TEST(test_track_mpls)
{
	static const uint32_t lse[] = {
	    100u << 12 | 0x140, /* label 100, S, TTL 64 */
	    100u << 12 | 0x13f, /* label 100, S, TTL 63: same flow */
	    200u << 12 | 0x140, /* label 200 */
	    0u << 12 | 0x140,   /* label 0 (IPv4 explicit null) */
	};
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;
	unsigned i;

	c.track_mpls = true;
	ft = mk_table(&c, &rs);
	for (i = 0; i < 5; i++) {
		m = p4(1, 1, 6, 1000, 80, (1 + i) * SEC, 40, TCP_ACK);
		m.n_mpls = i < 4 ? 1 : 0; /* the last: no MPLS at all */
		m.mpls[0] = i < 4 ? lse[i] : 0;
		feed(ft, &m);
	}
	check_inv(ft);
	ck_assert_uint_eq(st(ft)->flows_created, 4);
	(void)flowtab_expire_all(ft, 9 * SEC, FLOW_END_FORCED);
	ck_assert_uint_eq(rs.n, 4);
	ck_assert_uint_eq(rs.r[0].packets, 2);
	ck_assert_uint_eq(rs.r[0].mpls[0], lse[0]); /* the first packet's */
	ck_assert_uint_eq(rs.r[1].mpls[0], lse[2]);
	ck_assert_uint_eq(rs.r[2].mpls[0], lse[3]);
	ck_assert_uint_eq(rs.r[2].n_mpls, 1);
	ck_assert_uint_eq(rs.r[3].n_mpls, 0);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* --decap: the tunnel of the first packet rides in the record. */
START_TEST(test_tunnel_fields)
{
	static const uint8_t osrc[4] = {192, 0, 2, 1}, odst[4] = {192, 0, 2, 2};
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	c.tunnel_fields = _i == 1;
	ft = mk_table(&c, &rs);
	m = p4(1, 1, 17, 1, 2, 1 * SEC, 100, 0);
	m.tunnel = PKT_TUN_VXLAN;
	m.tunnel_id = 4242;
	m.tun_family = 4;
	memcpy(m.tun_src, osrc, 4);
	memcpy(m.tun_dst, odst, 4);
	feed(ft, &m);
	m.ts_ns = 2 * SEC;
	m.tunnel_id = 7; /* not the first packet's: ignored */
	feed(ft, &m);
	(void)flowtab_expire_all(ft, 3 * SEC, FLOW_END_FORCED);
	ck_assert_uint_eq(rs.n, 1);
	if (_i == 1) {
		ck_assert_uint_eq(rs.r[0].ext, FLOWREC_EXT_TUNNEL);
		ck_assert_uint_eq(rs.r[0].tunnel, FLOWREC_TUN_VXLAN);
		ck_assert_uint_eq(rs.r[0].tunnel_id, 4242);
		ck_assert_uint_eq(rs.r[0].tun_family, 4);
		ck_assert_mem_eq(rs.r[0].tun_src, osrc, 4);
		ck_assert_mem_eq(rs.r[0].tun_dst, odst, 4);
	} else {
		ck_assert_uint_eq(rs.r[0].ext, 0);
		ck_assert_uint_eq(rs.r[0].tunnel, 0);
		ck_assert_uint_eq(rs.r[0].tunnel_id, 0);
	}
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* A -> B is p4(1, 1, ...); B -> A swaps addresses and ports. */
static struct pkt_meta
p4_back(uint8_t proto, uint16_t sport, uint16_t dport, uint64_t ts,
        uint32_t octets, uint8_t flags)
{
	struct pkt_meta m = p4(1, 1, proto, dport, sport, ts, octets, flags);
	uint8_t a[16];

	memcpy(a, m.src, 16);
	memcpy(m.src, m.dst, 16);
	memcpy(m.dst, a, 16);
	return m;
}

/* Both directions in one record: forward from the first packet's sender. */
START_TEST(test_biflow_counters)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	c.biflow = _i == 1;
	ft = mk_table(&c, &rs);
	m = p4(1, 1, 6, 1234, 80, 1 * SEC, 60, TCP_SYN);
	feed(ft, &m);
	m = p4_back(6, 1234, 80, 1 * SEC + 100 * MSEC, 60, TCP_SYN | TCP_ACK);
	m.ttl = 50;
	feed(ft, &m);
	m = p4(1, 1, 6, 1234, 80, 1 * SEC + 200 * MSEC, 52, TCP_ACK);
	feed(ft, &m);
	m = p4_back(6, 1234, 80, 1 * SEC + 300 * MSEC, 1000, TCP_ACK | TCP_PSH);
	m.ttl = 49;
	feed(ft, &m);
	check_inv(ft);
	ck_assert_uint_eq(st(ft)->flows_created, _i == 1 ? 1 : 2);
	(void)flowtab_expire_all(ft, 3 * SEC, FLOW_END_FORCED);
	ck_assert_uint_eq(rs.n, _i == 1 ? 1 : 2);
	ck_assert_uint_eq(rs.r[0].src[3], 1); /* 10.0.0.1 started */
	ck_assert_uint_eq(rs.r[0].sport, 1234);
	ck_assert_uint_eq(rs.r[0].dport, 80);
	ck_assert_uint_eq(rs.r[0].packets, 2);
	ck_assert_uint_eq(rs.r[0].octets, 112);
	ck_assert_uint_eq(rs.r[0].first_ns, 1 * SEC);
	ck_assert_uint_eq(rs.r[0].last_ns, 1 * SEC + 200 * MSEC);
	ck_assert_uint_eq(rs.r[0].tcp_flags, TCP_SYN | TCP_ACK);
	ck_assert_uint_eq(rs.r[0].ttl_min, 64);
	if (_i == 0) {
		ck_assert_uint_eq(rs.r[0].ext, 0);
		ck_assert_uint_eq(rs.r[0].rev_packets, 0);
		ck_assert_uint_eq(rs.r[1].packets, 2);
		flowtab_destroy(ft);
		recs_free(&rs);
		return;
	}
	ck_assert_uint_eq(rs.r[0].ext, FLOWREC_EXT_BIFLOW);
	ck_assert_uint_eq(rs.r[0].biflow_dir, FLOWREC_BIDIR_INITIATOR);
	ck_assert_uint_eq(rs.r[0].rev_packets, 2);
	ck_assert_uint_eq(rs.r[0].rev_octets, 1060);
	ck_assert_uint_eq(rs.r[0].rev_first_ns, 1 * SEC + 100 * MSEC);
	ck_assert_uint_eq(rs.r[0].rev_last_ns, 1 * SEC + 300 * MSEC);
	ck_assert_uint_eq(rs.r[0].rev_tcp_flags, TCP_SYN | TCP_ACK | TCP_PSH);
	ck_assert_uint_eq(rs.r[0].rev_ttl_min, 49);
	ck_assert_uint_eq(rs.r[0].rev_ttl_max, 50);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* Idle runs from the last packet of either side; none back: zeros. */
START_TEST(test_biflow_idle)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	c.biflow = true;
	c.idle_udp_ns = 10 * SEC;
	ft = mk_table(&c, &rs);
	m = p4(1, 1, 17, 5000, 53, 1 * SEC, 70, 0);
	feed(ft, &m);
	m = p4(2, 1, 17, 5000, 53, 1 * SEC, 70, 0); /* never answered */
	feed(ft, &m);
	m = p4_back(17, 5000, 53, 9 * SEC, 200, 0);
	feed(ft, &m);
	/* 10.0.0.2's flow is idle at 11 s; 10.0.0.1's lives to 19 s */
	ck_assert_uint_eq(flowtab_expire(ft, 18 * SEC, 0), 1);
	ck_assert_uint_eq(rs.r[0].src[3], 2);
	ck_assert_uint_eq(rs.r[0].rev_packets, 0);
	ck_assert_uint_eq(rs.r[0].rev_first_ns, 0);
	ck_assert_uint_eq(rs.r[0].rev_ttl_min, 0);
	ck_assert_uint_eq(rs.r[0].biflow_dir, FLOWREC_BIDIR_INITIATOR);
	ck_assert_uint_eq(flowtab_expire(ft, 19 * SEC, 0), 1);
	ck_assert_uint_eq(rs.r[1].end_reason, FLOW_END_IDLE);
	ck_assert_uint_eq(rs.r[1].last_ns, 1 * SEC); /* the forward's */
	ck_assert_uint_eq(rs.r[1].rev_last_ns, 9 * SEC);
	check_inv(ft);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/*
 * A FIN from one side starts the linger, the other side's FIN and the
 * last ACK still join; the flow ends linger_fin after the last packet.
 * A mid-stream TCP start has no known initiator.
 */
START_TEST(test_biflow_fin)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	c.biflow = true;
	ft = mk_table(&c, &rs);
	m = p4(1, 1, 6, 1234, 80, 1 * SEC, 52, TCP_ACK | TCP_FIN);
	feed(ft, &m);
	m = p4_back(6, 1234, 80, 2 * SEC, 52, TCP_ACK | TCP_FIN);
	feed(ft, &m);
	m = p4(1, 1, 6, 1234, 80, 3 * SEC, 40, TCP_ACK);
	feed(ft, &m);
	ck_assert_uint_eq(st(ft)->flows_created, 1);
	ck_assert_uint_eq(flowtab_expire(ft, 8 * SEC - 1, 0), 0);
	ck_assert_uint_eq(flowtab_expire(ft, 8 * SEC, 0), 1);
	ck_assert_uint_eq(rs.r[0].end_reason, FLOW_END_EOF);
	ck_assert_uint_eq(rs.r[0].packets, 2);
	ck_assert_uint_eq(rs.r[0].rev_packets, 1);
	ck_assert_uint_eq(rs.r[0].biflow_dir, FLOWREC_BIDIR_ARBITRARY);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/* -T ether with biflows: the reply carries the MACs swapped. */
START_TEST(test_biflow_ether)
{
	struct flowtab_config c = test_cfg();
	struct recs rs = {0};
	struct flowtab *ft;
	struct pkt_meta m;

	c.biflow = true;
	c.track_ether = true;
	ft = mk_table(&c, &rs);
	m = p4(1, 1, 17, 5000, 53, 1 * SEC, 70, 0);
	m.has_mac = 1;
	m.src_mac[5] = 1;
	m.dst_mac[5] = 2;
	feed(ft, &m);
	m = p4_back(17, 5000, 53, 2 * SEC, 90, 0);
	m.has_mac = 1;
	m.src_mac[5] = 2;
	m.dst_mac[5] = 1;
	feed(ft, &m);
	m.ts_ns = 3 * SEC;
	m.src_mac[5] = 3; /* another router's MAC: another flow */
	feed(ft, &m);
	check_inv(ft);
	ck_assert_uint_eq(st(ft)->flows_created, 2);
	(void)flowtab_expire_all(ft, 4 * SEC, FLOW_END_FORCED);
	ck_assert_uint_eq(rs.r[0].rev_packets, 1);
	ck_assert_uint_eq(rs.r[0].src_mac[5], 1);
	ck_assert_uint_eq(rs.r[0].ext, FLOWREC_EXT_LINK | FLOWREC_EXT_BIFLOW);
	ck_assert_uint_eq(rs.r[1].src_mac[5], 3);
	ck_assert_uint_eq(rs.r[1].packets, 1);
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/*
 * The hash is XXH3 (libxxhash, the shared library) with the secret drawn
 * from the hash key, over the 20 packed bytes src, dst, ifindex, sport,
 * dport, family/VLAN, proto, tos in host order for IPv4, over the whole
 * 44-byte key for IPv6: the table computes it from the key's fields, and
 * must get the same value.
 */
START_TEST(test_hash_is_xxh3)
{
	struct flowtab_config c = test_cfg();
	unsigned char secret[XXH3_SECRET_DEFAULT_SIZE];
	struct recs rs = {0};
	struct flowtab *ft;
	uint64_t s = 0x51ed2701, r;
	int i;

	c.track_vlan = true;
	ft = mk_table(&c, &rs);
	ck_assert(XXH3_generateSecret(secret, sizeof(secret), c.hash_key,
	                              sizeof(c.hash_key)) == XXH_OK);
	for (i = 0; i < 2000; i++) {
		struct pkt_meta m;
		uint8_t b[20];
		uint16_t fv;
		uint64_t want;

		memset(&m, 0, sizeof(m));
		r = rnd(&s);
		m.family = 4;
		memcpy(m.src, &r, 4);
		memcpy(m.dst, (uint8_t *)&r + 4, 4);
		r = rnd(&s);
		m.ifindex = (uint32_t)r;
		m.sport = (uint16_t)(r >> 32);
		m.dport = (uint16_t)(r >> 48);
		r = rnd(&s);
		m.proto = (uint8_t)r;
		m.tos = (uint8_t)(r >> 8);
		m.vlan = (uint16_t)(r >> 16 & 0x0fff);
		fv = m.vlan; /* IPv4: no family bit */
		memcpy(b, m.src, 4);
		memcpy(b + 4, m.dst, 4);
		memcpy(b + 8, &m.ifindex, 4);
		memcpy(b + 12, &m.sport, 2);
		memcpy(b + 14, &m.dport, 2);
		memcpy(b + 16, &fv, 2);
		b[18] = m.proto;
		b[19] = m.tos;
		want = XXH3_64bits_withSecret(b, sizeof(b), secret,
		                              sizeof(secret)) >>
		       32;
		ck_assert_uint_eq(flowtab_hash(ft, &m), want);
	}
	/* IPv6: the 44-byte key as flowtab.h lays it out, whole */
	for (i = 0; i < 2000; i++) {
		struct pkt_meta m;
		struct flow_key k;
		int j;

		memset(&m, 0, sizeof(m));
		m.family = 6;
		for (j = 0; j < 16; j += 8) {
			r = rnd(&s);
			memcpy(m.src + j, &r, 8);
			r = rnd(&s);
			memcpy(m.dst + j, &r, 8);
		}
		r = rnd(&s);
		m.ifindex = (uint32_t)r;
		m.sport = (uint16_t)(r >> 32);
		m.dport = (uint16_t)(r >> 48);
		r = rnd(&s);
		m.proto = (uint8_t)r;
		m.tos = (uint8_t)(r >> 8);
		m.vlan = (uint16_t)(r >> 16 & 0x0fff);
		memset(&k, 0, sizeof(k));
		memcpy(k.src, m.src, 16);
		memcpy(k.dst, m.dst, 16);
		k.ifindex = m.ifindex;
		k.sport = m.sport;
		k.dport = m.dport;
		k.fam_vlan = (uint16_t)(0x8000 | m.vlan); /* the IPv6 bit */
		k.proto = m.proto;
		k.tos = m.tos;
		ck_assert_uint_eq(flowtab_hash(ft, &m),
		                  XXH3_64bits_withSecret(&k, sizeof(k), secret,
		                                         sizeof(secret)) >>
		                      32);
	}
	flowtab_destroy(ft);
	recs_free(&rs);
}
END_TEST

/*
 * flowtab_drain() gives what flowtab_expire(now, 0) then
 * flowtab_expire_all() give, record for record and in the same order,
 * whether it drains in bulk (variant 0: a full 512-flow table) or entry
 * by entry (variant 1: a table too large for bulk), and leaves a table
 * that keeps working: three rounds of packets and drains, after a gap
 * that leaves all, none or some flows past their idle deadline.
 * Variants 2 (512 flows) and 3 (4096, a 5 ms active timeout) drain in
 * bulk with packets 0-3 us apart: many flows share a last or first
 * packet time (within a queue and across queues of equal timeouts), so
 * their order comes from the queues and the tie rules alone, and the
 * queues are longer than the bulk path's segments. Variant 4: 513
 * flows, whose index has under 2 slots a flow, too few for the bulk
 * path's arrays once the table is full: it drains by the queue walk.
 */
START_TEST(test_drain_equals_expire)
{
	static const uint16_t ports[] = {22,  53,   80,   123,
	                                 443, 1234, 5353, 8080};
	struct flowtab_config c = test_cfg();
	struct recs ra = {0}, rb = {0};
	struct flowtab *a, *b;
	uint64_t s = 0x1234567 + (uint64_t)_i, t = 1000 * SEC, gap[3];
	int round, i;
	size_t k;

	c.max_flows = _i == 1 ? 65536 : _i == 3 ? 4096 : _i == 4 ? 513 : 512;
	c.active_ns = _i == 3 ? 5 * MSEC : 20 * SEC;
	gap[0] = 16 * SEC; /* every flow idle past 15 s */
	gap[1] = 0;
	gap[2] = 3 * SEC; /* FIN and RST lingers over, some idle */
	a = mk_table(&c, &ra);
	b = mk_table(&c, &rb);
	for (round = 0; round < 3; round++) {
		uint32_t na, nb;

		ra.n = rb.n = 0;
		for (i = 0; i < 6000; i++) {
			struct pkt_meta m;
			uint64_t r = rnd(&s);

			memset(&m, 0, sizeof(m));
			t += _i >= 2 ? r % 4 * USEC : r % (20 * MSEC);
			r >>= 25;
			m.ts_ns = t;
			m.ifindex = 1;
			m.family = 4;
			m.src[0] = 10;
			m.src[3] = (uint8_t)r;
			m.dst[0] = 10;
			m.dst[3] = (uint8_t)(r >> 8 & 7);
			m.proto = (r >> 11 & 3) == 0 ? 1
			          : (r >> 11 & 1)    ? 6
			                             : 17;
			m.sport = ports[r >> 13 & 7];
			m.dport = ports[r >> 16 & 7];
			m.tcp_flags = (r >> 19 & 15) == 0   ? TCP_FIN | TCP_ACK
			              : (r >> 19 & 15) == 1 ? TCP_RST
			                                    : TCP_ACK;
			m.ttl = 64;
			m.octets = 100;
			(void)flowtab_expire(a, t, 0);
			flowtab_packet(a, &m);
			(void)flowtab_expire(b, t, 0);
			flowtab_packet(b, &m);
		}
		if (_i != 1) /* the bulk path's condition: 16 x live >= slots */
			ck_assert_uint_ge(flowtab_stats(a)->flows_active,
			                  2 * c.max_flows / 16);
		t += gap[round];
		na = flowtab_drain(a, t, FLOW_END_FORCED);
		nb = flowtab_expire(b, t, 0);
		nb += flowtab_expire_all(b, t, FLOW_END_FORCED);
		ck_assert_uint_eq(na, nb);
		ck_assert_uint_gt(na, 0);
		ck_assert_uint_eq(ra.n, rb.n);
		for (k = 0; k < ra.n; k++)
			ck_assert_msg(
			    memcmp(&ra.r[k], &rb.r[k], sizeof(ra.r[k])) == 0,
			    "round %d, record %zu differs", round, k);
		ck_assert_uint_eq(flowtab_stats(a)->flows_active, 0);
		check_inv(a);
	}
	flowtab_destroy(a);
	flowtab_destroy(b);
	recs_free(&ra);
	recs_free(&rb);
}
END_TEST

static Suite *
flowtab_suite(void)
{
	Suite *s = suite_create("flowtab");
	TCase *tc = tcase_create("end");
	TCase *tk = tcase_create("keys");
	TCase *tr = tcase_create("random");

	tcase_add_test(tc, test_idle);
	tcase_add_test(tc, test_idle_on_lookup);
	tcase_add_test(tc, test_active);
	tcase_add_test(tc, test_active_on_lookup);
	tcase_add_test(tc, test_fin);
	tcase_add_test(tc, test_rst);
	tcase_add_test(tc, test_syn_reuse);
	tcase_add_test(tc, test_table_full);
	tcase_add_test(tc, test_table_full_due_first);
	tcase_add_test(tc, test_forced);
	suite_add_tcase(s, tc);

	tcase_add_test(tk, test_key_levels);
	tcase_add_test(tk, test_hash_is_xxh3);
	tcase_add_loop_test(tk, test_vlan_first, 0, 2);
	tcase_add_test(tk, test_icmp);
	tcase_add_test(tk, test_ipv6);
	tcase_add_test(tk, test_counters);
	tcase_add_test(tk, test_time_backwards);
	tcase_add_loop_test(tk, test_track_ether, 0, 2);
	tcase_add_test(tk, test_track_mpls);
	tcase_add_loop_test(tk, test_tunnel_fields, 0, 2);
	tcase_add_loop_test(tk, test_biflow_counters, 0, 2);
	tcase_add_test(tk, test_biflow_idle);
	tcase_add_test(tk, test_biflow_fin);
	tcase_add_test(tk, test_biflow_ether);
	tcase_add_test(tk, test_foreach);
	tcase_add_test(tk, test_bad_config);
	tcase_add_test(tk, test_defaults);
	tcase_add_loop_test(tk, test_memory, 0,
	                    (int)(sizeof(mem_modes) / sizeof(mem_modes[0])));
	suite_add_tcase(s, tk);

	tcase_set_timeout(tr, 60);
	tcase_add_test(tr, test_backward_shift);
	tcase_add_loop_test(tr, test_model, 0, 8);
	tcase_add_loop_test(tr, test_drain_equals_expire, 0, 5);
	tcase_add_test(tr, test_determinism);
	suite_add_tcase(s, tr);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(flowtab_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
