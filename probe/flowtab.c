/*
 * The flow table (STYLE.md §4).
 *
 * Flows live in one array of struct flow addressed by a uint32_t index, with
 * a parallel array of struct flow_cold for the fields read only when a flow
 * starts or ends. Freed flows form a stack threaded through q.next; when it
 * is empty the next never-used flow is taken (ft->fresh), so the array is
 * touched in order as the table grows. The index is open addressing: a
 * power-of-two array of 8-byte slots, twice the capacity or more (1.875
 * times at least: slots_for()), linear probing, deletion by backward
 * shift.
 *
 * Every flow is in exactly two intrusive queues of indices: the start queue
 * (ordered by first_ns, for the active timeout) and one idle queue (one per
 * timeout class, or the FIN / RST closing queues). Within one queue every
 * flow has the same timeout and the table's clock never goes backwards, so
 * moving a flow to the tail on each packet keeps each queue sorted by
 * deadline, and expiry only ever looks at heads.
 */
/*
 * XXH3 compiled in here (xxHash 0.8's header-only mode, the same algorithm
 * as -lxxhash): the 44-byte key takes its short path without a PLT call.
 */
#define XXH_INLINE_ALL
#define XXH_STATIC_LINKING_ONLY /* XXH3_generateSecret() */
#include <xxhash.h>

#include "flowtab.h"
#include "flowtab_int.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define NIL UINT32_MAX /* no flow: empty slot, end of a queue */

/* The index needs 2 x capacity slots and slot counts stay below 2^32. */
#define FT_MAX_FLOWS (1U << 30)

#define PROTO_ICMP   1
#define PROTO_TCP    6
#define PROTO_UDP    17
#define PROTO_ICMPV6 58

/* flow_key.fam_vlan: the VLAN id (when tracked) and the family. */
#define KEY_VLAN_MASK 0x0fffU
#define KEY_IPV6      0x8000U
/* ifindex .. tos: the last 12 bytes of the key, packed after the IPv4
 * addresses when hashed */
#define KEY_TAIL_OFF offsetof(struct flow_key, ifindex)
_Static_assert(offsetof(struct flow_key, ifindex) == 32 &&
                   offsetof(struct flow_key, tos) == 43,
               "the hashed tail is the key's last 12 bytes");

#define LABEL_MASK       0x000fffffU /* IPv6 flow label, MPLS label */
#define MPLS_LABEL_SHIFT 12
#define XKEY_MPLS_SEEN   0x80000000U /* tells label 0 from no MPLS */

struct qlink {
	uint32_t next; /* towards the tail */
	uint32_t prev; /* towards the head */
};

/* Idle queues, one per timeout; a flow's queue is its flow.queue. */
enum fq {
	FQ_TCP = 0,
	FQ_UDP,
	FQ_ICMP, /* ICMP and ICMPv6 */
	FQ_OTHER,
	FQ_FIN, /* TCP flow that saw a FIN: linger_fin_ns */
	FQ_RST, /* TCP flow that saw a RST: linger_rst_ns */
	FQ_COUNT
};

/* flow.queue of a flow on the free stack: a stale hint never matches */
#define FQ_FREE 0xffU

/*
 * What a packet touches. 96 bytes: the key, the idle-queue links, the
 * flags and TTLs and last_ns fill the first 64; the 64-bit counters,
 * first_ns and the start-queue links follow.
 */
struct flow {
	struct flow_key key; /* 0 */
	struct qlink q;      /* 44: idle/closing queue; free stack (next) */
	uint8_t tcp_flags;   /* 52 */
	uint8_t ttl_min;
	uint8_t ttl_max;
	uint8_t queue;    /* enum fq */
	uint64_t last_ns; /* 56 */
	uint64_t packets; /* 64 */
	uint64_t octets;
	uint64_t first_ns;
	struct qlink s; /* 88: start-ordered queue */
};

_Static_assert(sizeof(struct flow) <= 96, "struct flow grew past 96 bytes");
_Static_assert(offsetof(struct flow, key) + sizeof(struct flow_key) <= 64,
               "key outside the first 64 bytes");
_Static_assert(offsetof(struct flow, q) + sizeof(struct qlink) <= 64,
               "queue links outside the first 64 bytes");
_Static_assert(offsetof(struct flow, last_ns) + sizeof(uint64_t) <= 64,
               "last_ns outside the first 64 bytes");

/*
 * Link-layer fields (cfg->link_fields), read when a flow starts and when
 * it ends; the extension key comes first, so a tracked lookup reads one
 * more cache line, never two.
 */
struct flow_cold {
	struct flow_xkey x;
	uint32_t mpls[FLOWREC_MAX_MPLS];
	uint32_t flow_label;
	uint16_t inner_vlan;
	uint8_t n_mpls;
	uint8_t pad;
};

_Static_assert(sizeof(struct flow_cold) == 36, "flow_cold grew");
_Static_assert(PKT_MAX_MPLS >= FLOWREC_MAX_MPLS, "MPLS depth mismatch");

/* Tunnel fields (cfg->tunnel_fields), from the first packet. */
struct flow_tun {
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t id;
	uint8_t type; /* enum pkt_tunnel */
	uint8_t family;
	uint8_t pad[2];
};

_Static_assert(sizeof(struct flow_tun) == 40, "flow_tun grew");
_Static_assert(PKT_TUN_TEREDO == FLOWREC_TUN_TEREDO &&
                   PKT_TUN_VXLAN == FLOWREC_TUN_VXLAN &&
                   PKT_TUN_GRE == FLOWREC_TUN_GRE,
               "tunnel numbers differ");

/*
 * The reverse direction of a biflow (cfg->biflow). struct flow counts
 * the forward direction, except last_ns, which is either direction's
 * latest packet (it drives the idle queues); fwd_last_ns is the
 * forward's own.
 */
struct flow_rev {
	uint64_t packets;
	uint64_t octets;
	uint64_t first_ns;
	uint64_t last_ns;
	uint64_t fwd_last_ns;
	uint8_t tcp_flags;
	uint8_t ttl_min;
	uint8_t ttl_max;
	uint8_t dir; /* biflowDirection */
	uint8_t pad[4];
};

_Static_assert(sizeof(struct flow_rev) == 48, "flow_rev grew");

struct slot {
	uint32_t tag; /* high 32 bits of the hash; home = tag & mask */
	uint32_t idx; /* flow index, NIL when empty */
};

struct queue {
	uint32_t head; /* oldest */
	uint32_t tail;
};

struct flowtab {
	struct flow *flows;
	uint16_t *vlan;         /* first packet's outer VLAN id */
	struct flow_cold *cold; /* NULL without link_fields */
	struct flow_tun *tun;   /* NULL without tunnel_fields */
	struct flow_rev *rev;   /* NULL without biflow */
	struct slot *slots;
	uint32_t mask; /* slots - 1 */
	uint32_t max_flows;
	uint32_t free_top; /* free stack, linked through flow.q.next */
	uint32_t fresh;    /* flows from here on were never used */
	enum flowtab_track track;
	bool track_vlan;
	bool track_ether;
	bool track_mpls;
	size_t hash_len;   /* key bytes hashed: 44, or 60 with the extension */
	uint64_t clock_ns; /* latest packet time; never goes backwards */
	uint64_t next_dl;  /* no deadline is earlier: expiry's fast path */
	bool index_stale;  /* the slots hold a drain's arrays: index_clear() */
	uint64_t timeout_ns[FQ_COUNT];
	uint64_t active_ns;
	struct queue q[FQ_COUNT];
	uint64_t head_dl[FQ_COUNT]; /* each idle queue's head's deadline */
	struct queue start;
	/* each idle queue's head, hashed ahead of its expiry (index_pos) */
	uint32_t prep_idx[FQ_COUNT];
	uint32_t prep_tag[FQ_COUNT];
	flow_sink_fn sink;
	void *ctx;
	struct flowtab_stats st;
	unsigned char secret[XXH3_SECRET_DEFAULT_SIZE]; /* from hash_key */
	uint64_t sec64[4]; /* its first 32 bytes as XXH3 reads them */
};

void
flowtab_config_defaults(struct flowtab_config *cfg)
{
	const uint64_t s = 1000000000ULL;

	memset(cfg, 0, sizeof(*cfg));
	/* softflowd's -m default is 8192; 65536 flows cost 7.1 MiB here. */
	cfg->max_flows = 65536;
	cfg->track = TRACK_FULL;
	cfg->track_vlan = false;
	cfg->idle_tcp_ns = 15 * s;
	cfg->idle_udp_ns = 15 * s;
	cfg->idle_icmp_ns = 15 * s;
	cfg->idle_other_ns = 15 * s;
	cfg->linger_fin_ns = 5 * s;
	cfg->linger_rst_ns = 2 * s;
	cfg->active_ns = 1800 * s;
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* ---- queues ---- */

static struct qlink *
link_of(struct flowtab *ft, uint32_t i, bool start)
{
	return start ? &ft->flows[i].s : &ft->flows[i].q;
}

static void
q_append(struct flowtab *ft, struct queue *qu, bool start, uint32_t i)
{
	struct qlink *l = link_of(ft, i, start);

	l->next = NIL;
	l->prev = qu->tail;
	if (qu->tail == NIL)
		qu->head = i;
	else
		link_of(ft, qu->tail, start)->next = i;
	qu->tail = i;
}

static void
q_unlink(struct flowtab *ft, struct queue *qu, bool start, uint32_t i)
{
	struct qlink *l = link_of(ft, i, start);

	if (l->prev == NIL)
		qu->head = l->next;
	else
		link_of(ft, l->prev, start)->next = l->next;
	if (l->next == NIL)
		qu->tail = l->prev;
	else
		link_of(ft, l->next, start)->prev = l->prev;
	l->next = NIL;
	l->prev = NIL;
}

/* ---- keys and the index ---- */

static void
key_build(const struct flowtab *ft, const struct pkt_meta *m,
          struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	if (m->family == 6) {
		memcpy(k->src, m->src, 16);
		memcpy(k->dst, m->dst, 16);
		k->fam_vlan = KEY_IPV6;
	} else {
		memcpy(k->src, m->src, 4);
		memcpy(k->dst, m->dst, 4);
	}
	k->ifindex = m->ifindex;
	if (ft->track_vlan)
		k->fam_vlan =
		    (uint16_t)(k->fam_vlan | (m->vlan & KEY_VLAN_MASK));
	if (ft->track == TRACK_IP)
		return;
	k->proto = m->proto;
	k->tos = m->tos;
	if (ft->track == TRACK_PROTO)
		return;
	k->sport = m->sport;
	k->dport = m->dport;
}

/* The extension: MACs for the record, tracked fields for the key. */
static void
xkey_build(const struct flowtab *ft, const struct pkt_meta *m,
           struct flow_xkey *x)
{
	memset(x, 0, sizeof(*x));
	if (ft->cold == NULL)
		return; /* neither hashed nor kept: the MACs are not read */
	if (m->has_mac) {
		memcpy(x->src_mac, m->src_mac, 6);
		memcpy(x->dst_mac, m->dst_mac, 6);
	}
	if (ft->track_mpls && m->n_mpls > 0)
		x->mpls_label = XKEY_MPLS_SEEN |
		                (m->mpls[0] >> MPLS_LABEL_SHIFT & LABEL_MASK);
}

/* The same conversation seen from the other side. */
static void
fullkey_reverse(const struct flow_fullkey *fk, struct flow_fullkey *r)
{
	*r = *fk;
	memcpy(r->k.src, fk->k.dst, 16);
	memcpy(r->k.dst, fk->k.src, 16);
	r->k.sport = fk->k.dport;
	r->k.dport = fk->k.sport;
	memcpy(r->x.src_mac, fk->x.dst_mac, 6);
	memcpy(r->x.dst_mac, fk->x.src_mac, 6);
}

/*
 * The hash's high half. An IPv4 key without the extension is hashed
 * packed (the 24 zero bytes after each address left out): the 20 bytes
 * src, dst, then the key's last 12 (ifindex to tos), through XXH3's
 * 17-32-byte path computed here from the key's words (the same value as
 * XXH3_64bits_withSecret() on the packed bytes, with no buffer to fill).
 */
static uint32_t
key_tag(const struct flowtab *ft, const struct flow_fullkey *fk)
{
	const struct flow_key *k = &fk->k;
	const uint8_t *kb = (const uint8_t *)k;
	uint64_t h;

	if (ft->hash_len == sizeof(*k) && (k->fam_vlan & KEY_IPV6) == 0) {
		uint64_t src = XXH_readLE32(k->src);
		uint64_t dst = XXH_readLE32(k->dst);
		uint64_t tail = XXH_readLE64(kb + KEY_TAIL_OFF);
		uint64_t acc = 20 * XXH_PRIME64_1;

		/* packed bytes 0-15, then 4-19 (XXH3_len_17to128_64b) */
		acc += XXH3_mul128_fold64((src | dst << 32) ^ ft->sec64[0],
		                          tail ^ ft->sec64[1]);
		acc += XXH3_mul128_fold64(
		    (dst | (uint64_t)XXH_readLE32(kb + KEY_TAIL_OFF) << 32) ^
		        ft->sec64[2],
		    XXH_readLE64(kb + KEY_TAIL_OFF + 4) ^ ft->sec64[3]);
		h = XXH3_avalanche(acc);
	} else if (ft->hash_len == sizeof(*k)) {
		/* constant lengths: XXH3's length dispatch folds away */
		h = XXH3_64bits_withSecret(k, sizeof(*k), ft->secret,
		                           sizeof(ft->secret));
	} else {
		h = XXH3_64bits_withSecret(fk, sizeof(*fk), ft->secret,
		                           sizeof(ft->secret));
	}
	return (uint32_t)(h >> 32);
}

/* Flow idx's key as key_tag() and index_find() take it. */
static void
fullkey_of(const struct flowtab *ft, uint32_t idx, struct flow_fullkey *fk)
{
	fk->k = ft->flows[idx].key;
	if (ft->cold != NULL)
		fk->x = ft->cold[idx].x;
	else
		memset(&fk->x, 0, sizeof(fk->x));
}

/* Does flow idx have key fk? The tag matched already. */
static bool
key_eq(const struct flowtab *ft, uint32_t idx, const struct flow_fullkey *fk)
{
	if (memcmp(&ft->flows[idx].key, &fk->k, sizeof(fk->k)) != 0)
		return false;
	if (ft->hash_len == sizeof(fk->k))
		return true;
	return memcmp(&ft->cold[idx].x, &fk->x, sizeof(fk->x)) == 0;
}

/*
 * Find k. Returns its flow index and sets *pos to its slot, or NIL when
 * it is absent.
 */
static uint32_t
index_find(const struct flowtab *ft, const struct flow_fullkey *k, uint32_t tag,
           uint32_t *pos)
{
	uint32_t i = tag & ft->mask;

	for (;;) {
		const struct slot *sl = &ft->slots[i];

		if (sl->idx == NIL)
			return NIL;
		if (sl->tag == tag && key_eq(ft, sl->idx, k)) {
			*pos = i;
			return sl->idx;
		}
		/* more slots than flows: an empty one ends the probe */
		i = (i + 1) & ft->mask;
	}
}

/*
 * Every slot empty: idx NIL (an empty slot's tag is never read). After a
 * bulk drain this waits for the table's next packet: at the end of a
 * replay or at shutdown the table is freed instead (64 MB of writes at
 * a million flows).
 */
static void
index_clear(struct flowtab *ft)
{
	memset(ft->slots, 0xff, ((size_t)ft->mask + 1) * sizeof(ft->slots[0]));
	ft->index_stale = false;
}

static void
index_insert(struct flowtab *ft, uint32_t tag, uint32_t idx)
{
	uint32_t i = tag & ft->mask;

	while (ft->slots[i].idx != NIL)
		i = (i + 1) & ft->mask;
	ft->slots[i].tag = tag;
	ft->slots[i].idx = idx;
}

/* The slot of flow idx, searched from tag's home; NIL if not met. */
static uint32_t
index_walk(const struct flowtab *ft, uint32_t idx, uint32_t tag)
{
	uint32_t i = tag & ft->mask;

	while (ft->slots[i].idx != idx) {
		if (ft->slots[i].idx == NIL)
			return NIL;
		i = (i + 1) & ft->mask;
	}
	return i;
}

/*
 * The slot that holds flow idx. An idle queue's head was hashed when it
 * became the head (q_head_prepare()); a stale guess only costs a walk,
 * since a slot naming idx is idx's slot whatever the tag.
 */
static uint32_t
index_pos(const struct flowtab *ft, uint32_t idx)
{
	struct flow_fullkey fk;
	uint32_t q = ft->flows[idx].queue, i;

	if (ft->prep_idx[q] == idx) {
		i = index_walk(ft, idx, ft->prep_tag[q]);
		if (i != NIL)
			return i;
	}
	fullkey_of(ft, idx, &fk);
	i = index_walk(ft, idx, key_tag(ft, &fk));
	assert(i != NIL);
	return i;
}

/*
 * The flow after h will be queue q's next head: load it whole, and its
 * VLAN entry, which its record reads, so hashing and exporting it waits
 * on no cache miss (perf: make_record's stall was the VLAN array).
 */
static void
q_lookahead(struct flowtab *ft, uint32_t q, uint32_t h)
{
	uint32_t n = ft->flows[h].q.next;
	const char *p;

	(void)q;
	if (n == NIL)
		return;
	p = (const char *)&ft->flows[n];
	__builtin_prefetch(p, 1);
	__builtin_prefetch(p + sizeof(struct flow) - 1, 1);
	__builtin_prefetch(&ft->vlan[n]);
}

/*
 * Queue q has a new head h, the next flow it will expire: its links were
 * just written, so its key is at hand. Hash it now and start loading its
 * index slot and the neighbours its unlinking will write, so expiring it
 * later waits on no cache miss.
 */
static void
q_head_prepare(struct flowtab *ft, uint32_t q, uint32_t h)
{
	const struct flow *f = &ft->flows[h];
	struct flow_fullkey fk;
	uint32_t tag;

	fullkey_of(ft, h, &fk);
	tag = key_tag(ft, &fk);
	ft->prep_idx[q] = h;
	ft->prep_tag[q] = tag;
	__builtin_prefetch(&ft->slots[tag & ft->mask], 1);
	q_lookahead(ft, q, h);
	__builtin_prefetch(&ft->vlan[h]);
	if (f->s.prev != NIL)
		__builtin_prefetch(&ft->flows[f->s.prev].s, 1);
	if (f->s.next != NIL)
		__builtin_prefetch(&ft->flows[f->s.next].s, 1);
}

/*
 * Empty slot pos, then pull back each later entry of the cluster that may
 * live at the hole (its home is not in the cyclic range (hole, j]), so
 * every entry stays reachable from its home without tombstones.
 */
static void
index_remove_at(struct flowtab *ft, uint32_t pos)
{
	uint32_t hole = pos;
	uint32_t j = pos;

	for (;;) {
		uint32_t home;

		j = (j + 1) & ft->mask;
		if (ft->slots[j].idx == NIL)
			break;
		home = ft->slots[j].tag & ft->mask;
		if (((j - home) & ft->mask) >= ((j - hole) & ft->mask)) {
			ft->slots[hole] = ft->slots[j];
			hole = j;
		}
	}
	ft->slots[hole].idx = NIL;
	ft->slots[hole].tag = 0;
}

/* ---- flows ---- */

static enum fq
idle_class(uint8_t proto)
{
	switch (proto) {
	case PROTO_TCP:
		return FQ_TCP;
	case PROTO_UDP:
		return FQ_UDP;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		return FQ_ICMP;
	default:
		return FQ_OTHER;
	}
}

static uint64_t
idle_deadline(const struct flowtab *ft, const struct flow *f)
{
	return sat_add(f->last_ns, ft->timeout_ns[f->queue]);
}

/*
 * Queue q's head changed, or its last_ns did: keep its deadline beside
 * the queue, so earliest() reads no flow (UINT64_MAX when empty; a
 * saturated deadline looks the same, so earliest() checks the head too).
 */
static void
head_dl_set(struct flowtab *ft, uint32_t q)
{
	uint32_t h = ft->q[q].head;

	ft->head_dl[q] = h == NIL
	                     ? UINT64_MAX
	                     : sat_add(ft->flows[h].last_ns, ft->timeout_ns[q]);
}

static uint64_t
active_deadline(const struct flowtab *ft, const struct flow *f)
{
	return sat_add(f->first_ns, ft->active_ns);
}

/*
 * A flow joined a queue's tail with this deadline. Heads only leave or
 * move back, so between scans the earliest deadline can only drop here.
 */
static void
note_deadline(struct flowtab *ft, uint64_t dl)
{
	if (dl < ft->next_dl)
		ft->next_dl = dl;
}

static enum flow_end_reason
idle_reason(const struct flow *f)
{
	return f->queue >= FQ_FIN ? FLOW_END_EOF : FLOW_END_IDLE;
}

/*
 * Why f must end before a packet at t may join it, or 0 if it may. The
 * earlier deadline wins; at a tie the idle (or closing) one.
 */
static int
due_reason(const struct flowtab *ft, const struct flow *f, uint64_t t)
{
	uint64_t di = idle_deadline(ft, f);
	uint64_t da = active_deadline(ft, f);

	if (di <= da)
		return t >= di ? (int)idle_reason(f) : 0;
	return t >= da ? FLOW_END_ACTIVE : 0;
}

static void
make_record(const struct flowtab *ft, uint32_t idx, int reason,
            struct flow_record *r)
{
	const struct flow *f = &ft->flows[idx];

	memset(r, 0, sizeof(*r));
	r->family = (f->key.fam_vlan & KEY_IPV6) != 0 ? 6 : 4;
	r->proto = f->key.proto;
	r->tos = f->key.tos;
	memcpy(r->src, f->key.src, 16);
	memcpy(r->dst, f->key.dst, 16);
	r->sport = f->key.sport;
	r->dport = f->key.dport;
	r->ifindex = f->key.ifindex;
	r->vlan = ft->vlan[idx];
	r->packets = f->packets;
	r->octets = f->octets;
	r->first_ns = f->first_ns;
	r->last_ns = f->last_ns;
	r->tcp_flags = f->tcp_flags;
	r->ttl_min = f->ttl_min;
	r->ttl_max = f->ttl_max;
	r->end_reason = (uint8_t)reason;
	if (ft->cold != NULL) {
		const struct flow_cold *c = &ft->cold[idx];

		r->ext |= FLOWREC_EXT_LINK;
		memcpy(r->src_mac, c->x.src_mac, 6);
		memcpy(r->dst_mac, c->x.dst_mac, 6);
		r->inner_vlan = c->inner_vlan;
		r->flow_label = c->flow_label;
		r->n_mpls = c->n_mpls;
		memcpy(r->mpls, c->mpls, sizeof(r->mpls));
	}
	if (ft->tun != NULL) {
		const struct flow_tun *tu = &ft->tun[idx];

		r->ext |= FLOWREC_EXT_TUNNEL;
		r->tunnel = tu->type;
		r->tunnel_id = tu->id;
		r->tun_family = tu->family;
		memcpy(r->tun_src, tu->src, 16);
		memcpy(r->tun_dst, tu->dst, 16);
	}
	if (ft->rev != NULL) {
		const struct flow_rev *rv = &ft->rev[idx];

		r->ext |= FLOWREC_EXT_BIFLOW;
		r->last_ns = rv->fwd_last_ns;
		r->biflow_dir = rv->dir;
		r->rev_packets = rv->packets;
		r->rev_octets = rv->octets;
		if (rv->packets > 0) {
			r->rev_first_ns = rv->first_ns;
			r->rev_last_ns = rv->last_ns;
			r->rev_tcp_flags = rv->tcp_flags;
			r->rev_ttl_min = rv->ttl_min;
			r->rev_ttl_max = rv->ttl_max;
		}
	}
}

/* Take flow idx (index slot pos) out of the index and queues; free it. */
static void
flow_drop(struct flowtab *ft, uint32_t idx, uint32_t pos)
{
	struct flow *f = &ft->flows[idx];
	uint32_t q = f->queue;
	bool was_head = ft->q[q].head == idx;

	q_unlink(ft, &ft->q[q], false, idx);
	if (was_head)
		head_dl_set(ft, q);
	if (ft->prep_idx[q] == idx)
		ft->prep_idx[q] = NIL;
	f->q.next = ft->free_top;
	f->queue = FQ_FREE;
	ft->free_top = idx;
	ft->st.flows_active--;
	index_remove_at(ft, pos);
	q_unlink(ft, &ft->start, true, idx);
	if (was_head && ft->q[q].head != NIL)
		q_head_prepare(ft, q, ft->q[q].head);
}

/* Export flow idx with reason and free its slot. */
static void
flow_end_at(struct flowtab *ft, uint32_t idx, uint32_t pos, int reason)
{
	struct flow_record r;

	assert(reason >= FLOW_END_IDLE && reason <= FLOW_END_RESOURCE);
	make_record(ft, idx, reason, &r);
	flow_drop(ft, idx, pos);
	ft->st.flows_expired[reason]++;
	/* last: the sink may look at the table (stats, foreach) */
	ft->sink(ft->ctx, &r);
}

static void
flow_end(struct flowtab *ft, uint32_t idx, int reason)
{
	flow_end_at(ft, idx, index_pos(ft, idx), reason);
}

/*
 * The flow with the earliest deadline and that deadline's reason, or NIL
 * when the table is empty. Ties: the lower queue, idle before active.
 */
static uint32_t
earliest(const struct flowtab *ft, uint64_t *deadline, int *reason)
{
	uint32_t best = NIL;
	uint64_t best_dl = UINT64_MAX;
	int q;

	*reason = 0;
	for (q = 0; q < FQ_COUNT; q++) {
		uint32_t h = ft->q[q].head;
		uint64_t dl;

		if (h == NIL)
			continue;
		dl = ft->head_dl[q];
		if (best == NIL || dl < best_dl) {
			best = h;
			best_dl = dl;
			*reason = q >= FQ_FIN ? FLOW_END_EOF : FLOW_END_IDLE;
		}
	}
	if (ft->start.head != NIL) {
		uint32_t h = ft->start.head;
		uint64_t dl = active_deadline(ft, &ft->flows[h]);

		if (best == NIL || dl < best_dl) {
			best = h;
			best_dl = dl;
			*reason = FLOW_END_ACTIVE;
		}
	}
	*deadline = best_dl;
	return best;
}

/* The least recently seen flow: the oldest head of the idle queues. */
static uint32_t
least_recent(const struct flowtab *ft)
{
	uint32_t best = NIL;
	int q;

	for (q = 0; q < FQ_COUNT; q++) {
		uint32_t h = ft->q[q].head;

		if (h != NIL && (best == NIL || ft->flows[h].last_ns <
		                                    ft->flows[best].last_ns))
			best = h;
	}
	return best;
}

static void
cold_init(struct flow_cold *c, const struct flow_fullkey *k,
          const struct pkt_meta *m)
{
	uint32_t n_mpls;

	memset(c, 0, sizeof(*c));
	c->x = k->x;
	c->inner_vlan = (uint16_t)(m->inner_vlan & KEY_VLAN_MASK);
	n_mpls = m->n_mpls < FLOWREC_MAX_MPLS ? m->n_mpls : FLOWREC_MAX_MPLS;
	memcpy(c->mpls, m->mpls, n_mpls * sizeof(c->mpls[0]));
	c->n_mpls = (uint8_t)n_mpls;
	if (m->family == 6)
		c->flow_label = m->flow_label & LABEL_MASK;
}

static void
tun_init(struct flow_tun *tu, const struct pkt_meta *m)
{
	memset(tu, 0, sizeof(*tu));
	if (m->tunnel == PKT_TUN_NONE)
		return;
	tu->type = m->tunnel;
	tu->id = m->tunnel_id;
	tu->family = m->tun_family;
	memcpy(tu->src, m->tun_src, 16);
	memcpy(tu->dst, m->tun_dst, 16);
}

/*
 * A TCP flow first seen mid-conversation (no SYN without ACK) may have
 * been started by either side (RFC 5103 6.3: arbitrary).
 */
static void
rev_init(struct flow_rev *rv, const struct pkt_meta *m)
{
	memset(rv, 0, sizeof(*rv));
	rv->ttl_min = UINT8_MAX;
	rv->dir = FLOWREC_BIDIR_INITIATOR;
	if (m->proto == PROTO_TCP &&
	    (m->tcp_flags & (TCP_SYN | TCP_ACK)) != TCP_SYN)
		rv->dir = FLOWREC_BIDIR_ARBITRARY;
}

/* A flow for key k, starting with packet m at t. The table has room. */
static uint32_t
flow_new(struct flowtab *ft, const struct flow_fullkey *k, uint32_t tag,
         const struct pkt_meta *m, uint64_t t)
{
	uint32_t idx = ft->free_top;
	struct flow *f;

	if (idx != NIL) {
		ft->free_top = ft->flows[idx].q.next;
	} else {
		/* the array is taken in order: its pages are touched (and
		   zeroed by the kernel) only as the table grows */
		assert(ft->fresh < ft->max_flows);
		idx = ft->fresh++;
	}
	f = &ft->flows[idx];

	memset(f, 0, sizeof(*f));
	f->key = k->k;
	f->ttl_min = UINT8_MAX;
	f->first_ns = t;
	f->last_ns = t;
	f->queue = (uint8_t)idle_class(k->k.proto);
	ft->vlan[idx] = (uint16_t)(m->vlan & KEY_VLAN_MASK);
	if (ft->cold != NULL)
		cold_init(&ft->cold[idx], k, m);
	if (ft->tun != NULL)
		tun_init(&ft->tun[idx], m);
	if (ft->rev != NULL)
		rev_init(&ft->rev[idx], m);

	q_append(ft, &ft->q[f->queue], false, idx);
	if (ft->q[f->queue].head == idx)
		head_dl_set(ft, f->queue);
	q_append(ft, &ft->start, true, idx);
	note_deadline(ft, idle_deadline(ft, f));
	note_deadline(ft, active_deadline(ft, f));
	index_insert(ft, tag, idx);
	ft->st.flows_created++;
	ft->st.flows_active++;
	return idx;
}

/* Count packet m (at t) in flow idx and move the flow to its queue's tail. */
/* Count packet m (at t) in the reverse direction of biflow idx. */
static void
rev_account(struct flowtab *ft, uint32_t idx, const struct pkt_meta *m,
            uint64_t t)
{
	struct flow_rev *rv = &ft->rev[idx];

	if (rv->packets == 0)
		rv->first_ns = t;
	rv->packets++;
	rv->octets += m->octets;
	rv->last_ns = t;
	if (m->ttl < rv->ttl_min)
		rv->ttl_min = m->ttl;
	if (m->ttl > rv->ttl_max)
		rv->ttl_max = m->ttl;
	if (m->proto == PROTO_TCP)
		rv->tcp_flags |= m->tcp_flags;
}

/*
 * Count packet m (at t) in flow idx, forward or (biflow) reverse, and
 * move the flow to its queue's tail.
 */
static void
flow_account(struct flowtab *ft, uint32_t idx, const struct pkt_meta *m,
             uint64_t t, bool reverse)
{
	struct flow *f = &ft->flows[idx];
	uint8_t nq = f->queue, oq;
	bool was_head;

	if (reverse) {
		rev_account(ft, idx, m, t);
	} else {
		f->packets++;
		f->octets += m->octets;
		if (m->ttl < f->ttl_min)
			f->ttl_min = m->ttl;
		if (m->ttl > f->ttl_max)
			f->ttl_max = m->ttl;
		if (m->proto == PROTO_TCP)
			f->tcp_flags |= m->tcp_flags;
		if (ft->rev != NULL)
			ft->rev[idx].fwd_last_ns = t;
	}
	f->last_ns = t;
	/* closing states only where the key says TCP (not under TRACK_IP) */
	if (f->key.proto == PROTO_TCP && m->proto == PROTO_TCP) {
		if ((m->tcp_flags & TCP_RST) != 0)
			nq = FQ_RST;
		else if ((m->tcp_flags & TCP_FIN) != 0 && nq != FQ_RST)
			nq = FQ_FIN;
	}
	if (nq == f->queue && ft->q[nq].tail == idx) {
		/* already last: the queue stays sorted */
		if (ft->q[nq].head == idx)
			head_dl_set(ft, nq); /* alone: its deadline moved */
		return;
	}
	oq = f->queue;
	was_head = ft->q[oq].head == idx;
	q_unlink(ft, &ft->q[oq], false, idx);
	if (was_head)
		head_dl_set(ft, oq);
	f->queue = nq;
	q_append(ft, &ft->q[nq], false, idx);
	if (ft->q[nq].head == idx)
		head_dl_set(ft, nq);
	note_deadline(ft, idle_deadline(ft, f));
}

uint32_t
flowtab_key(const struct flowtab *ft, const struct pkt_meta *m,
            struct flow_fullkey *k)
{
	if (m->family != 4 && m->family != 6) {
		memset(k, 0, sizeof(*k));
		return 0;
	}
	key_build(ft, m, &k->k);
	xkey_build(ft, m, &k->x);
	return key_tag(ft, k);
}

uint32_t
flowtab_hash(const struct flowtab *ft, const struct pkt_meta *m)
{
	struct flow_fullkey k;

	return flowtab_key(ft, m, &k);
}

void
flowtab_prefetch_slot(const struct flowtab *ft, uint32_t hash)
{
	__builtin_prefetch(&ft->slots[hash & ft->mask]);
}

uint32_t
flowtab_prefetch_flow(const struct flowtab *ft, uint32_t hash)
{
	uint32_t i = hash & ft->mask;
	int n;

	if (ft->index_stale)
		return NIL;
	/* the home slot and its neighbour: most keys sit at one of them */
	for (n = 0; n < 2; n++) {
		const struct slot *sl = &ft->slots[i];

		if (sl->idx == NIL)
			return NIL;
		if (sl->tag == hash) {
			const char *f = (const char *)&ft->flows[sl->idx];

			__builtin_prefetch(f, 1);
			__builtin_prefetch(f + sizeof(struct flow) - 1, 1);
			return sl->idx;
		}
		i = (i + 1) & ft->mask;
	}
	return NIL;
}

void
flowtab_prefetch_links(const struct flowtab *ft, uint32_t hint)
{
	const struct flow *f;

	if (hint >= ft->max_flows)
		return;
	f = &ft->flows[hint];
	/* its idle-queue neighbours, relinked when it moves (a stale hint
	   only loads lines for nothing) */
	if (f->q.prev < ft->max_flows)
		__builtin_prefetch(&ft->flows[f->q.prev].q, 1);
	if (f->q.next < ft->max_flows)
		__builtin_prefetch(&ft->flows[f->q.next].q, 1);
}

void
flowtab_packet(struct flowtab *ft, const struct pkt_meta *m)
{
	flowtab_packet_hashed(ft, m, flowtab_hash(ft, m));
}

void
flowtab_packet_hashed(struct flowtab *ft, const struct pkt_meta *m,
                      uint32_t hash)
{
	struct flow_fullkey k;

	if (m->family != 4 && m->family != 6)
		return;
	key_build(ft, m, &k.k);
	xkey_build(ft, m, &k.x);
	flowtab_packet_keyed(ft, m, &k, hash, NIL);
}

void
flowtab_packet_keyed(struct flowtab *ft, const struct pkt_meta *m,
                     const struct flow_fullkey *k, uint32_t hash, uint32_t hint)
{
	uint32_t tag = hash, idx, pos = NIL;
	uint64_t t;
	bool reverse = false;

	if (m->family != 4 && m->family != 6)
		return;
	if (ft->index_stale)
		index_clear(ft);
	t = m->ts_ns;
	if (t < ft->clock_ns)
		t = ft->clock_ns; /* out-of-order capture: clamp */
	ft->clock_ns = t;

	/* a live flow with this key is the only one: no index probe */
	if (hint < ft->fresh && ft->flows[hint].queue != FQ_FREE &&
	    key_eq(ft, hint, k))
		idx = hint;
	else
		idx = index_find(ft, k, tag, &pos);
	if (idx == NIL && ft->rev != NULL) {
		struct flow_fullkey rk;
		uint32_t rtag;

		fullkey_reverse(k, &rk);
		rtag = key_tag(ft, &rk);
		idx = index_find(ft, &rk, rtag, &pos);
		reverse = idx != NIL;
	}
	if (idx != NIL) {
		const struct flow *f = &ft->flows[idx];
		/* no deadline is before next_dl: nothing can be due yet */
		int reason = t < ft->next_dl ? 0 : due_reason(ft, f, t);

		/* A new SYN on a closing flow: the port was reused. */
		if (reason == 0 && f->queue >= FQ_FIN &&
		    m->proto == PROTO_TCP &&
		    (m->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
			reason = FLOW_END_EOF;
		if (reason != 0) {
			if (pos == NIL) /* found by the hint */
				pos = index_walk(ft, idx, tag);
			flow_end_at(ft, idx, pos, reason);
			idx = NIL;
			reverse = false; /* the packet opens its own flow */
		}
	}
	if (idx == NIL) {
		if (ft->st.flows_active >= ft->max_flows &&
		    flowtab_expire(ft, t, 1) == 0)
			flow_end(ft, least_recent(ft), FLOW_END_RESOURCE);
		idx = flow_new(ft, k, tag, m, t);
	}
	flow_account(ft, idx, m, t, reverse);
	ft->st.packets++;
	ft->st.octets += m->octets;
}

uint32_t
flowtab_expire(struct flowtab *ft, uint64_t now_ns, uint32_t max)
{
	uint32_t n = 0;

	if (now_ns < ft->next_dl)
		return 0; /* the common case: one compare */
	while (max == 0 || n < max) {
		uint64_t dl;
		int reason;
		uint32_t idx = earliest(ft, &dl, &reason);

		if (idx == NIL || dl > now_ns) {
			ft->next_dl = dl; /* exact again; UINT64_MAX if empty */
			break;
		}
		flow_end(ft, idx, reason);
		n++;
	}
	return n;
}

uint32_t
flowtab_expire_all(struct flowtab *ft, uint64_t now_ns,
                   enum flow_end_reason reason)
{
	uint32_t n = 0;

	(void)now_ns; /* records carry first/last packet times only */
	while (ft->start.head != NIL) {
		flow_end(ft, ft->start.head, (int)reason);
		n++;
	}
	return n;
}

/*
 * The flow array and the index: anonymous mappings, zeroed by the kernel
 * page by page on first touch, so a table is paid for as it fills and
 * nothing is written twice (clearing the whole array up front and
 * threading the free stack through it touched every page of a table
 * sized for its peak: 38 MB more RSS at the 1m bench, issue 8).
 * Page-aligned, so cache-line aligned. Transparent huge pages were
 * measured here and cost more system time than they saved.
 */
static void *
table_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void
table_unmap(void *p, size_t len)
{
	if (p != NULL)
		(void)munmap(p, len);
}

static size_t
flows_bytes(const struct flowtab *ft)
{
	return (size_t)ft->max_flows * sizeof(struct flow);
}

static size_t
slots_bytes(const struct flowtab *ft)
{
	return ((size_t)ft->mask + 1) * sizeof(struct slot);
}

/* No flow queued, every flow free, the array taken from 0 again; the
   index is cleared by the caller. */
static void
table_empty(struct flowtab *ft)
{
	int i;

	ft->free_top = NIL;
	ft->fresh = 0;
	for (i = 0; i < FQ_COUNT; i++) {
		ft->q[i].head = ft->q[i].tail = NIL;
		ft->head_dl[i] = UINT64_MAX;
		ft->prep_idx[i] = NIL;
	}
	ft->start.head = ft->start.tail = NIL;
	ft->next_dl = UINT64_MAX;
}

/* ---- draining a large table by its queues' order, read in parallel ---- */

/*
 * Expiring flows one after the other walks the idle queues flow by flow:
 * each step waits for the flow it reads to learn the next (at 1.8 M
 * flows, ~160 ns a flow, a fifth of a replay: issue 8). A drain reads
 * every queue to its end, so it first lays the queues out in arrays,
 * walking many pieces of them at once: every RANK_STRIDE-th flow of the
 * array (and each queue's head) starts a segment, RANK_WALKERS segments
 * are walked side by side, and the segments are then put in queue order
 * from their lengths. The merge that follows reads the arrays, so it can
 * load flows DRAIN_AHEAD places ahead of the one it exports. The records
 * and their order are those of the queue walk (test_drain_equals_expire).
 */
#define RANK_STRIDE  16
#define RANK_WALKERS 16
#define DRAIN_AHEAD  8
#define DRAIN_LISTS  (FQ_COUNT + 1) /* the idle queues, then the start queue */

struct rank_seg {
	uint32_t first; /* its first flow */
	uint32_t succ;  /* the next segment of its queue, NIL at the end */
	uint32_t len;   /* flows in it */
	uint32_t off;   /* its first flow's place in b->order */
};

struct bulk {
	uint32_t *seg_of;  /* per flow: its segment, NIL if not queued */
	uint32_t *rank_of; /* per flow: its place in the segment */
	uint32_t *order;   /* the queues laid out, one after the other */
	uint64_t *done;    /* per flow, a bit: exported */
	struct rank_seg *seg;
	uint32_t *todo; /* segments to walk */
	uint32_t nseg;  /* segments there can be */
	/* list l is order[base[l] .. base[l + 1]) */
	uint32_t base[DRAIN_LISTS + 1];
	uint32_t cur[DRAIN_LISTS]; /* the merge's place in each */
	uint64_t dl[DRAIN_LISTS];  /* the deadline there */
	bool ahead[DRAIN_LISTS];   /* load the flows it comes to */
};

/* The segment a queue's head starts. */
static uint32_t
head_seg(const struct bulk *b, uint32_t h, uint32_t list)
{
	return h % RANK_STRIDE == 0 ? h / RANK_STRIDE
	                            : b->nseg - DRAIN_LISTS + list;
}

/* Walk the segments in b->todo[0..n) RANK_WALKERS at a time. */
static void
rank_walk(struct flowtab *ft, struct bulk *b, uint32_t n, bool start)
{
	uint32_t cur[RANK_WALKERS], sid[RANK_WALKERS], rank[RANK_WALKERS];
	uint32_t next = 0, busy, k;

	for (k = 0; k < RANK_WALKERS; k++)
		cur[k] = NIL;
	do {
		busy = 0;
		for (k = 0; k < RANK_WALKERS; k++) {
			uint32_t nx;

			if (cur[k] == NIL) {
				if (next == n)
					continue;
				sid[k] = b->todo[next++];
				cur[k] = b->seg[sid[k]].first;
				rank[k] = 0;
				b->seg_of[cur[k]] = sid[k];
				b->rank_of[cur[k]] = 0;
				__builtin_prefetch(link_of(ft, cur[k], start));
				busy++;
				continue;
			}
			busy++;
			nx = link_of(ft, cur[k], start)->next;
			if (nx == NIL || nx % RANK_STRIDE == 0) {
				/* a flow at a multiple of the stride starts
				   the next segment */
				b->seg[sid[k]].succ =
				    nx == NIL ? NIL : nx / RANK_STRIDE;
				b->seg[sid[k]].len = rank[k] + 1;
				cur[k] = NIL;
				continue;
			}
			cur[k] = nx;
			rank[k]++;
			b->seg_of[nx] = sid[k];
			b->rank_of[nx] = rank[k];
			__builtin_prefetch(link_of(ft, nx, start));
		}
	} while (busy > 0 || next < n);
}

/*
 * Lay out the idle queues (start false) or the start queue in b->order
 * from base[first_list]. Returns false if the queues do not add up to
 * the live flows (they always do; checked so a bug stops the drain from
 * reading outside the arrays, not to handle it).
 */
static bool
lay_out(struct flowtab *ft, struct bulk *b, bool start)
{
	uint32_t l0 = start ? FQ_COUNT : 0, l1 = start ? DRAIN_LISTS : FQ_COUNT;
	uint32_t n = 0, i, l, pos = b->base[l0];

	memset(b->seg_of, 0xff, (size_t)ft->fresh * sizeof(b->seg_of[0]));
	for (l = l0; l < l1; l++) {
		uint32_t h = start ? ft->start.head : ft->q[l].head;

		if (h == NIL)
			continue;
		b->todo[n] = head_seg(b, h, l);
		b->seg[b->todo[n++]].first = h;
	}
	/* every queued flow at a multiple of the stride, heads aside */
	for (i = 0; i < ft->fresh; i += RANK_STRIDE) {
		const struct flow *f = &ft->flows[i];

		if (f->queue == FQ_FREE ||
		    (start ? f->s.prev : f->q.prev) == NIL)
			continue;
		b->todo[n] = i / RANK_STRIDE;
		b->seg[b->todo[n++]].first = i;
	}
	rank_walk(ft, b, n, start);
	/* the segments in queue order: their places in the array */
	for (l = l0; l < l1; l++) {
		uint32_t h = start ? ft->start.head : ft->q[l].head;
		uint32_t s = h == NIL ? NIL : head_seg(b, h, l), len = 0;

		b->base[l] = pos;
		for (; s != NIL; s = b->seg[s].succ) {
			b->seg[s].off = pos + len;
			len += b->seg[s].len;
			if (pos - b->base[l0] + len > ft->st.flows_active)
				return false;
		}
		pos += len;
	}
	b->base[l1] = pos;
	if (pos - b->base[l0] != ft->st.flows_active)
		return false;
	for (i = 0; i < ft->fresh; i++) {
		uint32_t s = b->seg_of[i];

		if (s != NIL)
			b->order[b->seg[s].off + b->rank_of[i]] = i;
	}
	return true;
}

static bool
done_test(const struct bulk *b, uint32_t i)
{
	return (b->done[i / 64] >> (i % 64) & 1) != 0;
}

/* Load flow i for its record: both its lines and its VLAN entry. */
static void
flow_prefetch(const struct flowtab *ft, uint32_t i)
{
	const char *p = (const char *)&ft->flows[i];

	__builtin_prefetch(p);
	__builtin_prefetch(p + sizeof(struct flow) - 1);
	__builtin_prefetch(&ft->vlan[i]);
}

/* Move list l's place past exported flows; note its next deadline. */
static void
bulk_fix(const struct flowtab *ft, struct bulk *b, uint32_t l)
{
	uint32_t i, end;

	if (l >= DRAIN_LISTS)
		return; /* a queue number: never FQ_FREE here */
	i = b->cur[l];
	end = b->base[l + 1];
	while (i < end && done_test(b, b->order[i])) {
		i++;
		if (b->ahead[l] && i + DRAIN_AHEAD < end &&
		    !done_test(b, b->order[i + DRAIN_AHEAD]))
			flow_prefetch(ft, b->order[i + DRAIN_AHEAD]);
	}
	b->cur[l] = i;
	if (i == end)
		return;
	if (l < FQ_COUNT)
		b->dl[l] = idle_deadline(ft, &ft->flows[b->order[i]]);
	else
		b->dl[l] = active_deadline(ft, &ft->flows[b->order[i]]);
}

/* From here on list l's flows are exported in its order: load them. */
static void
bulk_ahead(const struct flowtab *ft, struct bulk *b, uint32_t l)
{
	uint32_t i;

	b->ahead[l] = true;
	for (i = b->cur[l]; i < b->base[l + 1] && i < b->cur[l] + DRAIN_AHEAD;
	     i++)
		if (!done_test(b, b->order[i]))
			flow_prefetch(ft, b->order[i]);
}

/* Export list l's flow at its place, with reason. */
static void
bulk_end(struct flowtab *ft, struct bulk *b, uint32_t l, int reason)
{
	uint32_t idx = b->order[b->cur[l]];
	struct flow_record r;

	make_record(ft, idx, reason, &r);
	b->done[idx / 64] |= 1ULL << (idx % 64);
	ft->st.flows_active--;
	ft->st.flows_expired[reason]++;
	ft->sink(ft->ctx, &r);
	/* it is at this place and maybe at the start queue's */
	bulk_fix(ft, b, ft->flows[idx].queue);
	bulk_fix(ft, b, FQ_COUNT);
}

/* The index again from the start queue, which holds every live flow. */
static void
index_rebuild(struct flowtab *ft)
{
	struct flow_fullkey fk;
	uint32_t i;

	index_clear(ft);
	for (i = ft->start.head; i != NIL; i = ft->flows[i].s.next) {
		fullkey_of(ft, i, &fk);
		index_insert(ft, key_tag(ft, &fk), i);
	}
}

/*
 * flowtab_drain() by the laid-out queues; false (the table as it was) if
 * it could not.
 */
static bool
drain_bulk(struct flowtab *ft, uint64_t now_ns, enum flow_end_reason reason,
           uint32_t *count)
{
	struct bulk b;
	uint32_t *scratch = (uint32_t *)(void *)ft->slots, n = 0, l;
	bool ok;

	/* the index is rebuilt empty after: its slots hold the arrays,
	   2 x fresh + 2 x live words of the 2 x (mask + 1) there are (not
	   always in a full table with under 2 slots a flow: slots_for()) */
	if ((uint64_t)ft->fresh + ft->st.flows_active > (uint64_t)ft->mask + 1)
		return false;
	memset(&b, 0, sizeof(b));
	b.nseg = ft->fresh / RANK_STRIDE + 1 + DRAIN_LISTS;
	b.seg = malloc((size_t)b.nseg * sizeof(*b.seg));
	b.todo = malloc((size_t)b.nseg * sizeof(*b.todo));
	if (b.seg == NULL || b.todo == NULL) {
		free(b.seg);
		free(b.todo);
		return false;
	}
	b.seg_of = scratch;
	b.rank_of = scratch + ft->fresh;
	b.order = scratch + 2 * (size_t)ft->fresh;
	b.base[0] = 0;
	ok = lay_out(ft, &b, false) && lay_out(ft, &b, true);
	free(b.seg);
	free(b.todo);
	if (!ok) {
		index_rebuild(ft); /* the arrays overwrote it */
		return false;
	}
	/* seg_of is free now: the exported bits */
	b.done = (uint64_t *)(void *)scratch;
	memset(b.done, 0, ((size_t)ft->fresh + 63) / 64 * sizeof(b.done[0]));
	/* the idle queues give most records first; the start queue mostly
	   flows they already exported (its places are not loaded ahead) */
	for (l = 0; l < DRAIN_LISTS; l++) {
		b.cur[l] = b.base[l];
		if (l < FQ_COUNT)
			bulk_ahead(ft, &b, l);
		bulk_fix(ft, &b, l);
	}
	/* flowtab_expire(ft, now_ns, 0): earliest() over the lists */
	for (;;) {
		int best = -1;
		uint64_t best_dl = 0;

		for (l = 0; l < DRAIN_LISTS; l++) {
			if (b.cur[l] == b.base[l + 1])
				continue;
			if (best < 0 || b.dl[l] < best_dl) {
				best = (int)l;
				best_dl = b.dl[l];
			}
		}
		if (best < 0 || best_dl > now_ns)
			break;
		bulk_end(ft, &b, (uint32_t)best,
		         best == FQ_COUNT ? FLOW_END_ACTIVE
		         : best >= FQ_FIN ? FLOW_END_EOF
		                          : FLOW_END_IDLE);
		n++;
	}
	/* flowtab_expire_all(): the rest in start order */
	bulk_ahead(ft, &b, FQ_COUNT);
	while (b.cur[FQ_COUNT] < b.base[FQ_COUNT + 1]) {
		bulk_end(ft, &b, FQ_COUNT, (int)reason);
		n++;
	}
	assert(ft->st.flows_active == 0);
	*count = n;
	return true;
}

uint32_t
flowtab_drain(struct flowtab *ft, uint64_t now_ns, enum flow_end_reason reason)
{
	uint32_t n;

	/*
	 * Entry by entry, a flow leaving the index costs its slot's cache
	 * line and a backward shift, and leaving its queues their
	 * neighbours' lines, one flow after the other. In bulk (see
	 * drain_bulk()) the queues are read in parallel and the index is
	 * cleared once, which pays off when the flows fill a sixteenth of
	 * it. Without memory for the bulk arrays: entry by entry.
	 */
	if ((uint64_t)ft->st.flows_active * 16 >= (uint64_t)ft->mask + 1 &&
	    drain_bulk(ft, now_ns, reason, &n)) {
		ft->index_stale = true; /* cleared if the table is used again */
		table_empty(ft);
		return n;
	}
	n = flowtab_expire(ft, now_ns, 0);
	return n + flowtab_expire_all(ft, now_ns, reason);
}

uint32_t
flowtab_delete_all(struct flowtab *ft)
{
	uint32_t n = 0;

	while (ft->start.head != NIL) {
		uint32_t idx = ft->start.head;

		flow_drop(ft, idx, index_pos(ft, idx));
		ft->st.flows_deleted++;
		n++;
	}
	return n;
}

void
flowtab_foreach(const struct flowtab *ft, flow_sink_fn fn, void *ctx)
{
	uint32_t cur[FQ_COUNT];
	int q;

	for (q = 0; q < FQ_COUNT; q++)
		cur[q] = ft->q[q].head;
	/* merge the idle queues, each sorted by last_ns */
	for (;;) {
		struct flow_record r;
		int best = -1;

		for (q = 0; q < FQ_COUNT; q++) {
			if (cur[q] == NIL)
				continue;
			if (best < 0 || ft->flows[cur[q]].last_ns <
			                    ft->flows[cur[best]].last_ns)
				best = q;
		}
		if (best < 0)
			break;
		make_record(ft, cur[best], 0, &r);
		cur[best] = ft->flows[cur[best]].q.next;
		fn(ctx, &r);
	}
}

const struct flowtab_stats *
flowtab_stats(const struct flowtab *ft)
{
	return &ft->st;
}

static uint64_t
slots_for(uint32_t max_flows)
{
	uint64_t n = 2;

	while (n < 2 * (uint64_t)max_flows)
		n <<= 1;
	/*
	 * Just above a power of two that doubles the index to nearly 4 slots
	 * a flow (130 B a flow): take the half, 1.875 to 2 slots a flow (a
	 * full table's load up to 0.53, an empty slot always there), so no
	 * table passes 128 B a flow (issue 8). 8 x n <= 30 x max_flows.
	 */
	if (n > 2 && 4 * n > 15 * (uint64_t)max_flows)
		n >>= 1;
	return n;
}

uint64_t
flowtab_mem_bytes(const struct flowtab *ft)
{
	uint64_t per_flow = sizeof(struct flow) + sizeof(ft->vlan[0]);

	if (ft->cold != NULL)
		per_flow += sizeof(struct flow_cold);
	if (ft->tun != NULL)
		per_flow += sizeof(struct flow_tun);
	if (ft->rev != NULL)
		per_flow += sizeof(struct flow_rev);
	return sizeof(*ft) + (uint64_t)ft->max_flows * per_flow +
	       ((uint64_t)ft->mask + 1) * sizeof(struct slot);
}

struct flowtab *
flowtab_create(const struct flowtab_config *cfg, flow_sink_fn sink, void *ctx,
               char *err, size_t errlen)
{
	struct flowtab *ft;
	uint64_t nslots;
	uint32_t i;

	if (cfg->max_flows == 0 || cfg->max_flows > FT_MAX_FLOWS) {
		(void)snprintf(err, errlen,
		               "max flows %u: out of range (1..%u)",
		               cfg->max_flows, FT_MAX_FLOWS);
		return NULL;
	}
	if (cfg->track != TRACK_FULL && cfg->track != TRACK_PROTO &&
	    cfg->track != TRACK_IP) {
		(void)snprintf(err, errlen, "flow tracking level %d: unknown",
		               (int)cfg->track);
		return NULL;
	}
	if (sink == NULL) {
		(void)snprintf(err, errlen, "flow table: no sink");
		return NULL;
	}
	ft = calloc(1, sizeof(*ft));
	if (ft == NULL)
		goto nomem;
	nslots = slots_for(cfg->max_flows);
	ft->max_flows = cfg->max_flows;
	ft->mask = (uint32_t)(nslots - 1);
	ft->flows = table_map(flows_bytes(ft));
	ft->slots = table_map(slots_bytes(ft));
	ft->vlan = calloc(cfg->max_flows, sizeof(ft->vlan[0]));
	if (ft->flows == NULL || ft->vlan == NULL || ft->slots == NULL)
		goto nomem;
	/* MACs and the MPLS label in the key live in the cold array */
	if (cfg->link_fields || cfg->track_ether || cfg->track_mpls) {
		ft->cold = calloc(cfg->max_flows, sizeof(struct flow_cold));
		if (ft->cold == NULL)
			goto nomem;
	}
	if (cfg->tunnel_fields) {
		ft->tun = calloc(cfg->max_flows, sizeof(struct flow_tun));
		if (ft->tun == NULL)
			goto nomem;
	}
	if (cfg->biflow) {
		ft->rev = calloc(cfg->max_flows, sizeof(struct flow_rev));
		if (ft->rev == NULL)
			goto nomem;
	}
	index_clear(ft);
	table_empty(ft);
	ft->timeout_ns[FQ_TCP] = cfg->idle_tcp_ns;
	ft->timeout_ns[FQ_UDP] = cfg->idle_udp_ns;
	ft->timeout_ns[FQ_ICMP] = cfg->idle_icmp_ns;
	ft->timeout_ns[FQ_OTHER] = cfg->idle_other_ns;
	ft->timeout_ns[FQ_FIN] = cfg->linger_fin_ns;
	ft->timeout_ns[FQ_RST] = cfg->linger_rst_ns;
	ft->active_ns = cfg->active_ns;
	ft->track = cfg->track;
	ft->track_vlan = cfg->track_vlan;
	ft->track_ether = cfg->track_ether;
	ft->track_mpls = cfg->track_mpls;
	ft->hash_len = ft->track_ether || ft->track_mpls
	                   ? sizeof(struct flow_fullkey)
	                   : sizeof(struct flow_key);
	ft->sink = sink;
	ft->ctx = ctx;
	/* both key words shape the secret, so the hash is keyed by 128 bits */
	if (XXH3_generateSecret(ft->secret, sizeof(ft->secret), cfg->hash_key,
	                        sizeof(cfg->hash_key)) != XXH_OK) {
		(void)snprintf(err, errlen, "flow table: hash secret failed");
		flowtab_destroy(ft);
		return NULL;
	}
	for (i = 0; i < 4; i++)
		ft->sec64[i] = XXH_readLE64(ft->secret + (size_t)8 * i);
	return ft;
nomem:
	(void)snprintf(err, errlen, "flow table (%u flows): out of memory",
	               cfg->max_flows);
	flowtab_destroy(ft);
	return NULL;
}

void
flowtab_destroy(struct flowtab *ft)
{
	if (ft == NULL)
		return;
	table_unmap(ft->flows, flows_bytes(ft));
	table_unmap(ft->slots, slots_bytes(ft));
	free(ft->vlan);
	free(ft->cold);
	free(ft->tun);
	free(ft->rev);
	free(ft);
}

/* ---- invariant checker (tests) ---- */

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			(void)snprintf(err, errlen, __VA_ARGS__);              \
			return -1;                                             \
		}                                                              \
	} while (0)

static int
check_queue(const struct flowtab *ft, const struct queue *qu, bool start,
            uint64_t timeout, uint8_t *seen, uint64_t *count, char *err,
            size_t errlen)
{
	uint32_t i = qu->head, prev = NIL;
	uint64_t last_t = 0;

	while (i != NIL) {
		const struct flow *f = &ft->flows[i];
		const struct qlink *l = start ? &f->s : &f->q;
		uint64_t t = start ? f->first_ns : f->last_ns;

		CHECK(i < ft->max_flows, "queue: index %u out of range", i);
		CHECK(l->prev == prev, "queue: flow %u prev %u, expected %u", i,
		      l->prev, prev);
		CHECK(t >= last_t, "queue: flow %u out of order", i);
		CHECK(!start || (seen[i] & 2) == 0, "flow %u queued twice", i);
		CHECK(start || (seen[i] & 1) == 0, "flow %u queued twice", i);
		CHECK(start || ft->timeout_ns[f->queue] == timeout,
		      "flow %u in a queue not its own", i);
		seen[i] |= start ? 2 : 1;
		last_t = t;
		prev = i;
		i = l->next;
		(*count)++;
		CHECK(*count <= ft->max_flows, "queue: cycle");
	}
	CHECK(qu->tail == prev, "queue: tail %u, expected %u", qu->tail, prev);
	return 0;
}

int
flowtab_check(const struct flowtab *ft, struct flowtab_check_info *info,
              char *err, size_t errlen)
{
	uint8_t *seen = calloc(ft->max_flows, 1);
	uint64_t n_idle = 0, n_start = 0, n_free = 0, n_index = 0;
	uint64_t displaced = 0, max_disp = 0;
	uint32_t i;
	int q, rc = -1;

	if (seen == NULL) {
		(void)snprintf(err, errlen, "check: out of memory");
		return -1;
	}
	for (q = 0; q < FQ_COUNT; q++)
		if (check_queue(ft, &ft->q[q], false, ft->timeout_ns[q], seen,
		                &n_idle, err, errlen) != 0)
			goto out;
	if (check_queue(ft, &ft->start, true, 0, seen, &n_start, err, errlen) !=
	    0)
		goto out;
	for (q = 0; q < FQ_COUNT; q++) {
		uint32_t h = ft->q[q].head;

		if (h != NIL &&
		    ft->head_dl[q] != idle_deadline(ft, &ft->flows[h])) {
			(void)snprintf(
			    err, errlen,
			    "queue %d: head deadline %llu, flow %u's "
			    "is %llu",
			    q, (unsigned long long)ft->head_dl[q], h,
			    (unsigned long long)idle_deadline(ft,
			                                      &ft->flows[h]));
			goto out;
		}
	}
	if (n_idle != n_start || n_idle != ft->st.flows_active) {
		(void)snprintf(err, errlen,
		               "flows: %llu idle, %llu start, %llu "
		               "active",
		               (unsigned long long)n_idle,
		               (unsigned long long)n_start,
		               (unsigned long long)ft->st.flows_active);
		goto out;
	}
	for (i = ft->free_top; i != NIL; i = ft->flows[i].q.next) {
		if (i >= ft->max_flows || seen[i] != 0 ||
		    ++n_free > ft->max_flows) {
			(void)snprintf(err, errlen, "free stack: bad entry %u",
			               i);
			goto out;
		}
		seen[i] = 4;
	}
	if (n_free + n_idle != ft->fresh || ft->fresh > ft->max_flows) {
		(void)snprintf(
		    err, errlen, "free %llu + live %llu != %u used of %u",
		    (unsigned long long)n_free, (unsigned long long)n_idle,
		    ft->fresh, ft->max_flows);
		goto out;
	}
	/* a stale index is empty: cleared before its next use */
	for (i = 0; !ft->index_stale && i <= ft->mask; i++) {
		const struct slot *sl = &ft->slots[i];
		uint32_t home, j, pos = 0;
		struct flow_fullkey fk;

		if (sl->idx == NIL)
			continue;
		n_index++;
		if (sl->idx < ft->max_flows)
			fullkey_of(ft, sl->idx, &fk);
		if (sl->idx >= ft->max_flows || seen[sl->idx] != 3 ||
		    key_tag(ft, &fk) != sl->tag) {
			(void)snprintf(err, errlen, "slot %u: stale entry %u",
			               i, sl->idx);
			goto out;
		}
		home = sl->tag & ft->mask;
		for (j = home; j != i; j = (j + 1) & ft->mask)
			if (ft->slots[j].idx == NIL) {
				(void)snprintf(err, errlen,
				               "slot %u: empty slot %u between "
				               "it and home %u",
				               i, j, home);
				goto out;
			}
		if (index_find(ft, &fk, sl->tag, &pos) != sl->idx || pos != i) {
			(void)snprintf(err, errlen, "slot %u: lookup fails", i);
			goto out;
		}
		if (i != home)
			displaced++;
		if (((i - home) & ft->mask) > max_disp)
			max_disp = (i - home) & ft->mask;
	}
	if (n_index != n_idle) {
		(void)snprintf(err, errlen, "index holds %llu, queues %llu",
		               (unsigned long long)n_index,
		               (unsigned long long)n_idle);
		goto out;
	}
	{
		uint64_t dl;
		int reason;

		if (earliest(ft, &dl, &reason) != NIL && ft->next_dl > dl) {
			(void)snprintf(err, errlen,
			               "next deadline %llu after the earliest "
			               "%llu",
			               (unsigned long long)ft->next_dl,
			               (unsigned long long)dl);
			goto out;
		}
	}
	if (info != NULL) {
		info->flows = n_idle;
		info->displaced = displaced;
		info->max_displace = max_disp;
		info->hot_bytes = sizeof(struct flow);
		info->cold_bytes = ft->cold ? sizeof(struct flow_cold) : 0;
		info->tun_bytes = ft->tun ? sizeof(struct flow_tun) : 0;
		info->rev_bytes = ft->rev ? sizeof(struct flow_rev) : 0;
		info->slots = (uint64_t)ft->mask + 1;
	}
	rc = 0;
out:
	free(seen);
	return rc;
}
