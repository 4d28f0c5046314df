/*
 * The flow table: 7-tuple unidirectional flows, fixed capacity, O(1)
 * expiry through intrusive queues. No allocation after flowtab_create().
 * Time is always an argument (ns since the epoch); nothing here reads a
 * clock.
 */
#ifndef TAPFLOW_FLOWTAB_H
#define TAPFLOW_FLOWTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/flowrec.h"
#include "pkt.h"

/* What makes a flow's key (softflowd's -T tracking levels, plus extras). */
enum flowtab_track {
	TRACK_FULL = 0,  /* src, dst, sport, dport, proto, tos, ifindex */
	TRACK_PROTO = 1, /* src, dst, proto, tos, ifindex (no ports) */
	TRACK_IP = 2,    /* src, dst, ifindex */
};

struct flowtab_config {
	uint32_t max_flows; /* capacity, fixed */
	enum flowtab_track track;
	bool track_vlan; /* VLAN id is part of the key */
	/* timeouts, in ns */
	uint64_t idle_tcp_ns;
	uint64_t idle_udp_ns;
	uint64_t idle_icmp_ns;
	uint64_t idle_other_ns;
	uint64_t linger_fin_ns; /* after a FIN (both ways not required) */
	uint64_t linger_rst_ns; /* after a RST */
	uint64_t active_ns;     /* active timeout ("maxlife") */
	uint64_t hash_key[2];   /* keyed hash; tests fix it */
};

/* softflowd-compatible defaults: idle 15 s, active 1800 s… */
void flowtab_config_defaults(struct flowtab_config *cfg);

struct flowtab_stats {
	uint64_t flows_created;
	uint64_t flows_expired[6]; /* indexed by enum flow_end_reason */
	uint64_t flows_active;
	uint64_t packets;
	uint64_t octets;
};

struct flowtab;

/*
 * Allocate a table for cfg->max_flows flows. Expired flows go to
 * sink(ctx, rec). Returns NULL and fills err on failure.
 */
struct flowtab *flowtab_create(const struct flowtab_config *cfg,
			       flow_sink_fn sink, void *ctx, char *err,
			       size_t errlen);
void flowtab_destroy(struct flowtab *ft);

/* Account one decoded IP packet (m->family != 0) at time m->ts_ns. */
void flowtab_packet(struct flowtab *ft, const struct pkt_meta *m);

/*
 * Expire flows whose idle, linger or active deadline is at or before
 * now_ns; at most max flows (0 = no limit). Returns how many.
 */
uint32_t flowtab_expire(struct flowtab *ft, uint64_t now_ns, uint32_t max);

/* Expire every flow with the given reason (FLOW_END_FORCED), in a fixed order. */
uint32_t flowtab_expire_all(struct flowtab *ft, uint64_t now_ns,
			    enum flow_end_reason reason);

/* Drop every flow without exporting it (control: delete all). */
uint32_t flowtab_delete_all(struct flowtab *ft);

/* Visit each active flow (control: dump). Order: least recently seen first. */
void flowtab_foreach(const struct flowtab *ft, flow_sink_fn fn, void *ctx);

const struct flowtab_stats *flowtab_stats(const struct flowtab *ft);

/* Bytes allocated by the table (flows + index), for the memory figure. */
uint64_t flowtab_mem_bytes(const struct flowtab *ft);

#endif
