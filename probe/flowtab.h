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
	bool track_vlan;  /* VLAN id is part of the key */
	bool track_ether; /* -T ether: both MAC addresses are in the key */
	bool track_mpls;  /* --track-mpls: the top MPLS label is in the key */
	/*
	 * Optional per-flow arrays (STYLE.md §4 keeps the default under
	 * 128 B a flow; see flowtab_mem_bytes()):
	 * link_fields: MACs, inner VLAN, MPLS stack, IPv6 flow label (36 B a
	 *   flow; forced on by track_ether and track_mpls).
	 * tunnel_fields: the tunnel type, id and outer addresses (40 B).
	 * biflow: RFC 5103 biflows, one flow for both directions with the
	 *   reverse counters beside it (48 B).
	 */
	bool link_fields;
	bool tunnel_fields;
	bool biflow;
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

/*
 * softflowd-compatible defaults: idle 15 s for TCP, UDP, ICMP and other,
 * linger 5 s after a FIN and 2 s after a RST, active timeout 1800 s,
 * TRACK_FULL without VLAN, hash key zero (callers draw a random one).
 * max_flows is 65536, not softflowd's 8192 (-m): a modern link holds more
 * and 65536 flows take about 7.1 MiB here by default (flowtab_mem_bytes()).
 */
void flowtab_config_defaults(struct flowtab_config *cfg);

struct flowtab_stats {
	uint64_t flows_created;
	uint64_t flows_expired[6]; /* indexed by enum flow_end_reason */
	uint64_t flows_active;
	uint64_t packets;
	uint64_t octets;
	uint64_t flows_deleted; /* dropped unexported by flowtab_delete_all() */
};

/*
 * A flow's key, 44 bytes with no padding: built in a zeroed struct so
 * hashing and memcmp() see only defined bytes. Fields a tracking level
 * leaves out stay zero. Filled by flowtab_key(); callers only keep it.
 */
struct flow_key {
	uint8_t src[16]; /* IPv4: first 4 bytes */
	uint8_t dst[16];
	uint32_t ifindex;
	uint16_t sport;
	uint16_t dport;    /* ICMP: type * 256 + code */
	uint16_t fam_vlan; /* IPv6 bit | VLAN id if track_vlan */
	uint8_t proto;
	uint8_t tos;
};

/*
 * The key's extension for -T ether and --track-mpls: hashed and compared
 * after struct flow_key only when one of them is on. Otherwise it still
 * holds the first packet's MACs, for the record (link fields).
 */
struct flow_xkey {
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint32_t mpls_label; /* seen bit | top label, if tracked */
};

/* What the hash reads: the key, then the extension if it is tracked. */
struct flow_fullkey {
	struct flow_key k;
	struct flow_xkey x;
};

_Static_assert(sizeof(struct flow_key) == 44, "flow_key has padding");
_Static_assert(sizeof(struct flow_fullkey) == 60, "flow_fullkey padding");

struct flowtab;

/*
 * Allocate a table for cfg->max_flows flows. Expired flows go to
 * sink(ctx, rec). Returns NULL and fills err on failure.
 */
struct flowtab *flowtab_create(const struct flowtab_config *cfg,
                               flow_sink_fn sink, void *ctx, char *err,
                               size_t errlen);
void flowtab_destroy(struct flowtab *ft);

/*
 * Account one decoded IP packet (m->family 4 or 6; others are ignored) at
 * time m->ts_ns. The key is (family, src, dst, sport, dport, proto, tos,
 * ifindex), narrowed by cfg->track (TRACK_PROTO: ports zero; TRACK_IP:
 * proto, tos and ports zero) plus m->vlan if cfg->track_vlan, the MAC
 * addresses if cfg->track_ether and the top MPLS label (20 bits; none
 * differs from label 0) if cfg->track_mpls. Nothing is allocated; m is
 * only read during the call.
 *
 * Biflows (cfg->biflow): a packet whose reversed key (addresses, ports
 * and MACs swapped) names a live flow counts in that flow's reverse
 * direction. The first packet's sender is the source. The idle and
 * closing deadlines run from the last packet of either direction; a
 * FIN or RST from either side starts the linger, so the other side's
 * FIN and last ACK still join the flow. ICMP flows don't pair (the type
 * is in the key).
 *
 * Link and tunnel fields (MACs, VLANs, MPLS, flow label, tunnel) are the
 * first packet's.
 *
 * Semantics the main loop and the ground-truth generator rely on:
 * - Call flowtab_expire(ft, m->ts_ns, max) before each packet. A flow
 *   ends when a packet's time reaches one of its deadlines: idle
 *   (last_ns + idle timeout of its class: tcp, udp, icmp/icmpv6, other;
 *   reason IDLE), closing (a TCP flow that saw a FIN or a RST: last_ns +
 *   linger_fin_ns or linger_rst_ns, RST winning; reason EOF) or active
 *   (first_ns + active_ns; reason ACTIVE); the earlier deadline decides,
 *   idle/closing on a tie. A packet at or after a deadline never joins
 *   that flow; it opens a new one. This holds even when the caller
 *   expired with a bound (max > 0): the found flow's deadlines are
 *   checked here too and it is ended first, with its own reason.
 * - A closing flow still takes packets until its linger runs out, so the
 *   last ACK joins it. A TCP SYN without ACK on a closing flow ends it
 *   (EOF) at once and opens a new flow (port reuse).
 * - A flow cut by the active timeout is exported and removed; the next
 *   packet opens a new flow. No flow is exported with 0 packets.
 * - The table's clock is the latest packet time: a packet stamped earlier
 *   (out-of-order capture) counts at that clock, so first_ns/last_ns never
 *   go backwards. flowtab_expire()'s now does not move it.
 * - Table full (max_flows live) on a new flow: a flow already past a
 *   deadline is expired first (its own reason); otherwise the least
 *   recently seen flow is exported with FLOW_END_RESOURCE and counted.
 * - Export order never depends on the hash key.
 */
void flowtab_packet(struct flowtab *ft, const struct pkt_meta *m);

/*
 * The same work split for a capture loop that holds a batch of decoded
 * packets (issue 8): flowtab_key() builds packet m's key and its keyed
 * lookup hash, once; flowtab_prefetch_slot() starts loading its index
 * slot and, a few packets later, flowtab_prefetch_flow() reads that slot,
 * starts loading the flow it names and returns that flow's index as a
 * hint (NIL, UINT32_MAX, if none); flowtab_prefetch_links(), later still,
 * starts loading the hinted flow's neighbours in its expiry queue, which
 * accounting the packet relinks. flowtab_packet_keyed() then accounts m
 * with its key, hash and hint: a hint that still names a live flow with
 * that key spares the index probe; any other hint (the flow ended since,
 * its slot was reused) is ignored. Prefetches change nothing.
 * flowtab_packet_hashed(ft, m, flowtab_hash(ft, m)) is flowtab_packet(),
 * and the hash must come from this table (its key) and this m unchanged.
 * A non-IP m hashes to 0 and is ignored as by flowtab_packet().
 */
uint32_t flowtab_hash(const struct flowtab *ft, const struct pkt_meta *m);

/*
 * flowtab_key() fills k from m and returns flowtab_hash(ft, m);
 * flowtab_packet_keyed(ft, m, k, hash, UINT32_MAX) is
 * flowtab_packet_hashed(ft, m, hash) without building k again. k must
 * come from this table and this m unchanged.
 */
uint32_t flowtab_key(const struct flowtab *ft, const struct pkt_meta *m,
                     struct flow_fullkey *k);
void flowtab_packet_keyed(struct flowtab *ft, const struct pkt_meta *m,
                          const struct flow_fullkey *k, uint32_t hash,
                          uint32_t hint);
void flowtab_prefetch_slot(const struct flowtab *ft, uint32_t hash);
uint32_t flowtab_prefetch_flow(const struct flowtab *ft, uint32_t hash);
void flowtab_prefetch_links(const struct flowtab *ft, uint32_t hint);
void flowtab_packet_hashed(struct flowtab *ft, const struct pkt_meta *m,
                           uint32_t hash);

/*
 * Expire flows whose idle, linger or active deadline is at or before
 * now_ns; at most max flows (0 = no limit). Flows go to the sink in
 * deadline order (ties: tcp, udp, icmp, other, fin, rst queue, then the
 * active queue). Returns how many.
 */
uint32_t flowtab_expire(struct flowtab *ft, uint64_t now_ns, uint32_t max);

/*
 * Export every flow with the given reason (FLOW_END_FORCED), oldest
 * first_ns first. Call flowtab_expire(ft, now_ns, 0) before it so flows
 * already past a deadline keep their own reason. Returns how many.
 */
uint32_t flowtab_expire_all(struct flowtab *ft, uint64_t now_ns,
                            enum flow_end_reason reason);

/*
 * flowtab_expire(ft, now_ns, 0), then flowtab_expire_all(ft, now_ns,
 * reason): the same records in the same order, the table left empty, in
 * less time when it holds many flows (end of a replay, shutdown,
 * expire-all): a full table's queues are laid out in arrays first and
 * the index is cleared only if the table is used again. While it runs,
 * the sink may read flowtab_stats() but not walk the table
 * (flowtab_foreach()). Returns how many.
 */
uint32_t flowtab_drain(struct flowtab *ft, uint64_t now_ns,
                       enum flow_end_reason reason);

/*
 * Drop every flow without exporting it (control: delete all); counted in
 * flows_deleted. Returns how many.
 */
uint32_t flowtab_delete_all(struct flowtab *ft);

/*
 * Visit each active flow as a record with end_reason 0 (control: dump).
 * Order: least recently seen first. fn must not change the table.
 */
void flowtab_foreach(const struct flowtab *ft, flow_sink_fn fn, void *ctx);

const struct flowtab_stats *flowtab_stats(const struct flowtab *ft);

/*
 * Bytes allocated by the table: flow array (96 B a flow), outer VLAN (2 B),
 * index (8 B slots, a power of two >= 2 x max_flows, or half of it where
 * that would pass 3.75 slots a flow) and the table itself: 114 to 128 B
 * a flow by default, 114 B when max_flows is a power of two. Each optional
 * array adds its size: link_fields 36 B, tunnel_fields 40 B, biflow 48 B.
 * Reserved at creation; pages are touched (and counted in RSS) as the table
 * first fills them.
 */
uint64_t flowtab_mem_bytes(const struct flowtab *ft);

#endif
