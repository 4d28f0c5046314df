/*
 * Fragment cache: a set-associative table of first-fragment ports, keyed by
 * (family, source, destination, protocol, fragment id). Allocated once in
 * frag_create(); the packet path only overwrites entries.
 *
 * A later fragment that arrives before its first one keeps ports 0: the
 * cache is no reassembler, and the caller counts DEC_DROP_FRAG_NO_FIRST.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <xxhash.h>

#include "frag.h"

#define FRAG_WAYS        4 /* entries per set, searched in full */
#define FRAG_TIMEOUT_NS  (30ull * 1000000000ull) /* Linux ipfrag_time */
#define FRAG_MAX_ENTRIES (1u << 24)

/* Built from a zeroed struct so padding never differs. */
struct frag_key {
	uint8_t family;
	uint8_t proto;
	uint8_t pad[2];
	uint32_t id;
	uint8_t src[16];
	uint8_t dst[16];
};

struct frag_entry {
	struct frag_key key;
	uint64_t ts_ns; /* when the first fragment was seen */
	uint16_t sport;
	uint16_t dport;
	uint8_t used;
};

struct frag_cache {
	struct frag_entry *e;
	uint32_t set_mask; /* number of sets - 1 */
	uint64_t seed;     /* hash key: fragment ids are the sender's choice */
	struct frag_stats st;
};

struct frag_cache *
frag_create(uint32_t entries)
{
	struct frag_cache *fc;
	uint32_t n = FRAG_WAYS;

	if (entries > FRAG_MAX_ENTRIES)
		entries = FRAG_MAX_ENTRIES;
	while (n < entries)
		n <<= 1;
	fc = calloc(1, sizeof(*fc));
	if (!fc)
		return NULL;
	fc->e = calloc(n, sizeof(*fc->e));
	if (!fc->e) {
		free(fc);
		return NULL;
	}
	fc->set_mask = n / FRAG_WAYS - 1;
	if (getrandom(&fc->seed, sizeof(fc->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(fc->seed))
		fc->seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)fc;
	return fc;
}

void
frag_destroy(struct frag_cache *fc)
{
	if (!fc)
		return;
	free(fc->e);
	free(fc);
}

void
frag_get_stats(const struct frag_cache *fc, struct frag_stats *st)
{
	if (fc)
		*st = fc->st;
	else
		memset(st, 0, sizeof(*st));
}

static void
make_key(struct frag_key *k, const struct pkt_meta *m)
{
	memset(k, 0, sizeof(*k));
	k->family = m->family;
	k->proto = m->proto;
	k->id = m->frag_id;
	memcpy(k->src, m->src, sizeof(k->src));
	memcpy(k->dst, m->dst, sizeof(k->dst));
}

static bool
expired(const struct frag_entry *e, uint64_t now_ns)
{
	/* a replay may go back in time a little: that is not old */
	return now_ns > e->ts_ns && now_ns - e->ts_ns > FRAG_TIMEOUT_NS;
}

int
frag_resolve(struct frag_cache *fc, struct pkt_meta *m)
{
	struct frag_key k;
	struct frag_entry *set, *slot = NULL;
	unsigned i;

	if (!m->is_frag)
		return 1;
	if (m->frag_first && !m->has_ports)
		return 1; /* nothing to record (cut transport header) */
	if (!fc)
		return m->frag_first ? 1 : 0;
	make_key(&k, m);
	set = fc->e + (size_t)(XXH3_64bits_withSeed(&k, sizeof(k), fc->seed) &
	                       fc->set_mask) *
	                  FRAG_WAYS;
	for (i = 0; i < FRAG_WAYS; i++) {
		if (set[i].used && memcmp(&set[i].key, &k, sizeof(k)) == 0) {
			slot = &set[i];
			break;
		}
	}
	if (!m->frag_first) {
		if (!slot || expired(slot, m->ts_ns)) {
			fc->st.misses++;
			return 0;
		}
		m->sport = slot->sport;
		m->dport = slot->dport;
		m->has_ports = 1;
		fc->st.hits++;
		return 1;
	}
	if (!slot) {
		/* a free or expired way, else the oldest one */
		for (i = 0; i < FRAG_WAYS; i++) {
			if (!set[i].used || expired(&set[i], m->ts_ns)) {
				slot = &set[i];
				break;
			}
			if (!slot || set[i].ts_ns < slot->ts_ns)
				slot = &set[i];
		}
		if (slot->used && !expired(slot, m->ts_ns))
			fc->st.evicted++;
	}
	slot->key = k;
	slot->ts_ns = m->ts_ns;
	slot->sport = m->sport;
	slot->dport = m->dport;
	slot->used = 1;
	fc->st.stored++;
	return 1;
}
