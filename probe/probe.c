#include "probe.h"

#include <stdio.h>
#include <string.h>

#define NS_PER_SEC 1000000000ULL

/* Bounded expiry work per packet and per tick (STYLE.md §4). */
#define PROBE_EXPIRE_BUDGET 256

_Static_assert((PROBE_RING & (PROBE_RING - 1)) == 0 && PROBE_RING > PROBE_LAG &&
                   PROBE_LAG >= PROBE_AHEAD_LINKS &&
                   PROBE_AHEAD_LINKS >= PROBE_AHEAD_FLOW,
               "probe ring: a power of two beyond the lag");

int
probe_init(struct probe *pr, const struct dec_config *dec,
           const struct flowtab_config *ftc, flow_sink_fn sink, void *ctx,
           char *err, size_t errlen)
{
	memset(pr, 0, sizeof(*pr));
	pr->dec = *dec;
	pr->frags = frag_create(4096);
	if (pr->frags == NULL) {
		(void)snprintf(err, errlen, "fragment cache: out of memory");
		return -1;
	}
	pr->ft = flowtab_create(ftc, sink, ctx, err, errlen);
	if (pr->ft == NULL) {
		frag_destroy(pr->frags);
		pr->frags = NULL;
		return -1;
	}
	return 0;
}

void
probe_fini(struct probe *pr)
{
	if (pr->ft != NULL)
		flowtab_destroy(pr->ft);
	if (pr->frags != NULL)
		frag_destroy(pr->frags);
	pr->ft = NULL;
	pr->frags = NULL;
}

/* Capture timestamps are hostile too: invalid parts are counted, clamped. */
static uint64_t
packet_time(struct probe *pr, int64_t sec, int64_t nsec)
{
	uint64_t t;

	if (sec < 0 || nsec < 0 || nsec >= (int64_t)NS_PER_SEC) {
		pr->st.ts_invalid++;
		if (sec < 0)
			sec = 0;
		if (nsec < 0)
			nsec = 0;
		if (nsec >= (int64_t)NS_PER_SEC)
			nsec = (int64_t)NS_PER_SEC - 1;
	}
	/* beyond year 2554 a uint64 of ns overflows: clamp */
	if ((uint64_t)sec > UINT64_MAX / NS_PER_SEC - 1) {
		pr->st.ts_invalid++;
		sec = (int64_t)(UINT64_MAX / NS_PER_SEC - 1);
	}
	t = (uint64_t)sec * NS_PER_SEC + (uint64_t)nsec;
	if (t < pr->now_ns) {
		pr->st.ts_backwards++;
		t = pr->now_ns;
	}
	return t;
}

/* Account one decoded packet in its flow. */
static void
account_entry(struct probe *pr, const struct probe_pending *e)
{
	/* Expire what is due before this packet can join a flow. */
	(void)flowtab_expire(pr->ft, e->m.ts_ns, PROBE_EXPIRE_BUDGET);
	flowtab_packet_keyed(pr->ft, &e->m, &e->key, e->hash, e->hint);
	pr->st.packets_accounted++;
	pr->st.octets_accounted += e->m.octets;
}

/* Account the oldest pending packet in its flow. */
static void
account_one(struct probe *pr)
{
	account_entry(pr, &pr->ring[pr->ring_head % PROBE_RING]);
	pr->ring_head++;
}

/* The entry of the packet decoded back packets before the newest. */
static struct probe_pending *
ring_back(struct probe *pr, uint32_t back)
{
	return &pr->ring[(pr->ring_tail - 1 - back) % PROBE_RING];
}

void
probe_flush(struct probe *pr)
{
	uint32_t i;

	/* the newest have no hint yet: the slot is read when accounted */
	for (i = pr->ring_head; i != pr->ring_tail; i++) {
		struct probe_pending *e = &pr->ring[i % PROBE_RING];

		if (pr->ring_tail - i <= PROBE_AHEAD_FLOW)
			e->hint = flowtab_prefetch_flow(pr->ft, e->hash);
	}
	while (pr->ring_head != pr->ring_tail)
		account_one(pr);
}

bool
probe_decode(struct probe *pr, struct probe_pending *e, int linktype,
             int64_t ts_sec, int64_t ts_nsec, uint32_t ifindex,
             const uint8_t *bytes, uint32_t caplen, uint32_t wirelen)
{
	struct pkt_meta *mp = &e->m;
	enum dec_status st;

	pr->now_ns = packet_time(pr, ts_sec, ts_nsec);
	pr->st.packets_seen++;
	pr->st.bytes_seen += wirelen;
	/*
	 * Deterministic 1-in-N sampling (samplingAlgorithm 1, RFC 7012): the
	 * first packet of every N is accounted; the options record tells
	 * collectors to scale by N.
	 */
	if (pr->sample_n > 1) {
		if (pr->sample_ctr != 0) {
			if (++pr->sample_ctr == pr->sample_n)
				pr->sample_ctr = 0;
			pr->st.packets_unsampled++;
			return false;
		}
		pr->sample_ctr = 1;
	}
	/* decoded in place: the entry is taken only if the flow needs it */
	mp->ts_ns = pr->now_ns;
	mp->ifindex = ifindex;
	st = dec_packet(&pr->dec, linktype, bytes, caplen, wirelen, mp);
	if (mp->ip_seen == 4)
		pr->st.packets_ip4++;
	else if (mp->ip_seen == 6)
		pr->st.packets_ip6++;
	if (st != DEC_OK) {
		if (st == DEC_SKIP)
			pr->st.packets_skipped++;
		else
			pr->st.packets_bad++;
		pr->st.drop[mp->drop < DEC_DROP_COUNT ? mp->drop : 0]++;
		return false;
	}
	if (mp->is_frag && frag_resolve(pr->frags, mp) == 0 &&
	    mp->drop == DEC_DROP_NONE)
		mp->drop = DEC_DROP_FRAG_NO_FIRST;
	if (mp->drop != DEC_DROP_NONE && mp->drop < DEC_DROP_COUNT)
		pr->st.drop[mp->drop]++;
	e->hash = flowtab_key(pr->ft, mp, &e->key);
	return true;
}

void
probe_packet(struct probe *pr, int linktype, int64_t ts_sec, int64_t ts_nsec,
             uint32_t ifindex, const uint8_t *bytes, uint32_t caplen,
             uint32_t wirelen)
{
	struct probe_pending *e = &pr->ring[pr->ring_tail % PROBE_RING];
	uint32_t n;

	if (!probe_decode(pr, e, linktype, ts_sec, ts_nsec, ifindex, bytes,
	                  caplen, wirelen))
		return;
	e->hint = UINT32_MAX;
	flowtab_prefetch_slot(pr->ft, e->hash);
	pr->ring_tail++;
	n = pr->ring_tail - pr->ring_head;
	if (n > PROBE_AHEAD_FLOW) {
		struct probe_pending *f = ring_back(pr, PROBE_AHEAD_FLOW);

		f->hint = flowtab_prefetch_flow(pr->ft, f->hash);
	}
	if (n > PROBE_AHEAD_LINKS)
		flowtab_prefetch_links(pr->ft,
		                       ring_back(pr, PROBE_AHEAD_LINKS)->hint);
	if (n > PROBE_LAG)
		account_one(pr);
}

/*
 * The same steps, in the same order, as probe_packet() for each entry and
 * then probe_flush(): while the packet decoded i-th is the newest, the
 * clock is its time, as it was when probe_packet() took it.
 */
void
probe_account_batch(struct probe *pr, struct probe_pending *e, uint32_t n)
{
	uint64_t end_ns = pr->now_ns;
	uint32_t i;

	/* nothing is pending unless probe_packet() was mixed in */
	probe_flush(pr);
	for (i = 0; i < n; i++) {
		e[i].hint = UINT32_MAX;
		flowtab_prefetch_slot(pr->ft, e[i].hash);
		if (i >= PROBE_AHEAD_FLOW) {
			struct probe_pending *f = &e[i - PROBE_AHEAD_FLOW];

			f->hint = flowtab_prefetch_flow(pr->ft, f->hash);
		}
		if (i >= PROBE_AHEAD_LINKS)
			flowtab_prefetch_links(pr->ft,
			                       e[i - PROBE_AHEAD_LINKS].hint);
		if (i >= PROBE_LAG) {
			pr->now_ns = e[i].m.ts_ns;
			account_entry(pr, &e[i - PROBE_LAG]);
		}
	}
	pr->now_ns = end_ns;
	for (i = n > PROBE_AHEAD_FLOW ? n - PROBE_AHEAD_FLOW : 0; i < n; i++)
		e[i].hint = flowtab_prefetch_flow(pr->ft, e[i].hash);
	for (i = n > PROBE_LAG ? n - PROBE_LAG : 0; i < n; i++)
		account_entry(pr, &e[i]);
}

void
probe_tick(struct probe *pr, uint64_t now_ns)
{
	probe_flush(pr);
	if (now_ns > pr->now_ns)
		pr->now_ns = now_ns;
	(void)flowtab_expire(pr->ft, pr->now_ns, PROBE_EXPIRE_BUDGET);
}

void
probe_expire_all(struct probe *pr, enum flow_end_reason reason)
{
	probe_flush(pr);
	/* flows already past a deadline end for that reason, not this one */
	(void)flowtab_drain(pr->ft, pr->now_ns, reason);
}
