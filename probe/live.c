/*
 * The live capture engine: workers, their rings to the exporting thread,
 * requests to workers, counters. See live.h for the design.
 *
 * Threads and what they own:
 * - worker i: its pcap handles, its probe (flow table, fragment cache,
 *   counters), the producer end of its ring. It polls its handles and its
 *   wake eventfd, dispatches batches, expires on the idle tick, serves
 *   requests and publishes a counter snapshot under snap_lock (once per
 *   LIVE_SNAP_MS, never per packet).
 * - the run thread (live_run's caller): the consumer end of every ring,
 *   the flow sink (JSON, exporter), the control socket through hooks->tick.
 * After a worker's exited flag (release) is seen (acquire), or after it is
 * joined, the run thread may touch the worker's probe and handles itself.
 */
#include "live.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "../common/log.h"
#include "capture.h"

#define NS_PER_SEC  1000000000ULL
#define NS_PER_MSEC 1000000ULL

_Static_assert((LIVE_RING_RECORDS & (LIVE_RING_RECORDS - 1)) == 0,
               "LIVE_RING_RECORDS must be a power of two");

/* Single producer (the worker), single consumer (the run thread). */
struct ring {
	_Alignas(64) atomic_size_t head; /* next to read; consumer writes */
	_Alignas(64) atomic_size_t tail; /* next to write; producer writes */
	struct flow_record *rec;         /* LIVE_RING_RECORDS of them */
};

struct worker;
typedef void (*worker_fn)(struct worker *w, void *arg);

/* One handle of a worker, the callback's user pointer. */
struct wsrc {
	struct worker *w;
	struct cap_source cap;
	struct pcap_stat ps; /* last pcap_stats(), worker thread only */
};

struct wsnap {
	struct probe_stats st;
	struct flowtab_stats fs;
	uint64_t mem_bytes;
	uint64_t pcap_recv, pcap_drop, pcap_ifdrop;
	uint64_t ring_full_waits;
};

struct worker {
	struct live *lv;
	int idx;
	pthread_t tid;
	bool started;
	struct wsrc src[CFG_MAX_IFACES];
	int n_src;
	struct probe pr;
	bool pr_ok;
	int wake_fd; /* eventfd: requests and stop */
	struct ring ring;
	uint64_t ring_full_waits;
	bool direct; /* joined: the run thread expires, the sink is direct */

	/* requests from the run thread */
	worker_fn call_fn;
	void *call_arg;
	atomic_uint call_seq; /* bumped by the run thread (release) */
	atomic_uint done_seq; /* set to call_seq by the worker (release) */

	atomic_bool stop;
	atomic_bool exited; /* release: nothing of ours is touched after */
	bool failed;        /* capture error; read after exited */

	pthread_mutex_t snap_lock;
	struct wsnap snap;
};

struct live {
	struct worker *w;
	int n;
	int main_fd; /* eventfd: workers wake the run thread */
	uint64_t expint_ns;
	const struct live_hooks *hooks; /* during live_run */
	uint64_t drops_logged;
	uint64_t drop_log_ns;
	bool mutex_ok;
};

static uint64_t
wall_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void
fd_signal(int fd)
{
	uint64_t one = 1;

	/* a full counter (never here) or EAGAIN still leaves it readable */
	(void)!write(fd, &one, sizeof(one));
}

static void
fd_clear(int fd)
{
	uint64_t v;

	(void)!read(fd, &v, sizeof(v));
}

static bool
ring_push(struct ring *r, const struct flow_record *rec, size_t *fill)
{
	size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t h = atomic_load_explicit(&r->head, memory_order_acquire);

	if (t - h == LIVE_RING_RECORDS)
		return false;
	r->rec[t & (LIVE_RING_RECORDS - 1)] = *rec;
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	*fill = t + 1 - h;
	return true;
}

static bool
ring_pop(struct ring *r, struct flow_record *rec)
{
	size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t t = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (h == t)
		return false;
	*rec = r->rec[h & (LIVE_RING_RECORDS - 1)];
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return true;
}

/* Run thread: hand everything queued by w to the sink. */
static void
drain(struct live *lv, struct worker *w)
{
	struct flow_record rec;

	if (lv->hooks == NULL) /* not running: nothing can be queued */
		return;
	while (ring_pop(&w->ring, &rec))
		lv->hooks->flow(lv->hooks->ctx, &rec);
}

static void
drain_all(struct live *lv)
{
	int i;

	for (i = 0; i < lv->n; i++)
		drain(lv, &lv->w[i]);
}

/* The probe's flow sink: on the worker, into the ring. */
static void
worker_sink(void *ctx, const struct flow_record *rec)
{
	struct worker *w = ctx;
	const struct timespec pause = {.tv_sec = 0, .tv_nsec = 20000};
	size_t fill = 0;

	if (w->direct) { /* run thread, worker joined: keep the order */
		drain(w->lv, w);
		w->lv->hooks->flow(w->lv->hooks->ctx, rec);
		return;
	}
	while (!ring_push(&w->ring, rec, &fill)) {
		/* the exporter is behind: wait, never lose the flow */
		w->ring_full_waits++;
		fd_signal(w->lv->main_fd);
		(void)nanosleep(&pause, NULL);
	}
	if (fill == LIVE_RING_RECORDS / 2)
		fd_signal(w->lv->main_fd);
}

static void
worker_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct wsrc *s = (struct wsrc *)user;

	/* opened with nanosecond precision: tv_usec holds nanoseconds */
	probe_packet(&s->w->pr, s->cap.linktype, (int64_t)h->ts.tv_sec,
	             (int64_t)h->ts.tv_usec, s->cap.ifindex, bytes, h->caplen,
	             h->len);
}

/* Worker thread (or the run thread once the worker is gone). */
static void
publish(struct worker *w)
{
	struct wsnap s;
	int i;

	memset(&s, 0, sizeof(s));
	s.st = w->pr.st;
	s.fs = *flowtab_stats(w->pr.ft);
	s.mem_bytes = flowtab_mem_bytes(w->pr.ft);
	s.ring_full_waits = w->ring_full_waits;
	for (i = 0; i < w->n_src; i++) {
		struct wsrc *src = &w->src[i];

		if (src->cap.pcap != NULL &&
		    pcap_stats(src->cap.pcap, &src->ps) != 0)
			memset(&src->ps, 0, sizeof(src->ps));
		s.pcap_recv += src->ps.ps_recv;
		s.pcap_drop += src->ps.ps_drop;
		s.pcap_ifdrop += src->ps.ps_ifdrop;
	}
	(void)pthread_mutex_lock(&w->snap_lock);
	w->snap = s;
	(void)pthread_mutex_unlock(&w->snap_lock);
}

static void
serve_call(struct worker *w)
{
	unsigned seq = atomic_load_explicit(&w->call_seq, memory_order_acquire);

	if (seq == atomic_load_explicit(&w->done_seq, memory_order_relaxed))
		return;
	w->call_fn(w, w->call_arg);
	publish(w);
	atomic_store_explicit(&w->done_seq, seq, memory_order_release);
	fd_signal(w->lv->main_fd);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct pollfd pfd[CFG_MAX_IFACES + 1];
	uint64_t now, last_expire = wall_ns(), last_snap = 0;
	int i, n;

	for (i = 0; i < w->n_src; i++) {
		pfd[i].fd = pcap_get_selectable_fd(w->src[i].cap.pcap);
		pfd[i].events = POLLIN;
	}
	pfd[w->n_src].fd = w->wake_fd;
	pfd[w->n_src].events = POLLIN;
	while (!atomic_load_explicit(&w->stop, memory_order_acquire)) {
		n = poll(pfd, (nfds_t)w->n_src + 1, LIVE_SNAP_MS);
		if (n < 0 && errno != EINTR) {
			log_msg(LOG_LVL_ERR, "worker %d: poll: %s", w->idx,
			        strerror(errno));
			w->failed = true;
			break;
		}
		if (n > 0 && (pfd[w->n_src].revents & POLLIN))
			fd_clear(w->wake_fd);
		for (i = 0; i < w->n_src && !w->failed; i++) {
			struct wsrc *s = &w->src[i];

			if (n > 0 && (pfd[i].revents & (POLLERR | POLLNVAL))) {
				log_msg(LOG_LVL_ERR,
				        "interface %s: capture error (gone?); "
				        "exporting all flows and exiting",
				        s->cap.name);
				w->failed = true;
			} else if (pcap_dispatch(s->cap.pcap, LIVE_BATCH,
			                         worker_packet,
			                         (u_char *)s) == PCAP_ERROR) {
				log_msg(LOG_LVL_ERR,
				        "interface %s: %s; exporting all "
				        "flows and exiting",
				        s->cap.name, pcap_geterr(s->cap.pcap));
				w->failed = true;
			}
		}
		if (w->failed)
			break;
		/* the batch is read: account the packets still prefetching */
		probe_flush(&w->pr);
		/* idle flows expire on a quiet link too */
		now = wall_ns();
		if (now - last_expire >= w->lv->expint_ns) {
			probe_tick(&w->pr, now);
			last_expire = now;
		}
		serve_call(w);
		if (now - last_snap >= LIVE_SNAP_MS * NS_PER_MSEC) {
			publish(w);
			last_snap = now;
		}
	}
	serve_call(w);
	publish(w);
	atomic_store_explicit(&w->exited, true, memory_order_release);
	fd_signal(w->lv->main_fd);
	return NULL;
}

/* Wait on the workers' wakeups (ms), then clear them. */
static void
wait_main(struct live *lv, int timeout_ms)
{
	struct pollfd p = {.fd = lv->main_fd, .events = POLLIN};

	if (poll(&p, 1, timeout_ms) > 0 && (p.revents & POLLIN))
		fd_clear(lv->main_fd);
}

/*
 * Run fn on each worker in turn, on its own thread if it still runs, and
 * drain its ring until it is done (its flows may fill the ring).
 */
static void
call_each(struct live *lv, worker_fn fn, void *arg)
{
	int i;

	for (i = 0; i < lv->n; i++) {
		struct worker *w = &lv->w[i];
		unsigned seq;

		if (!w->started ||
		    atomic_load_explicit(&w->exited, memory_order_acquire)) {
			fn(w, arg);
			publish(w);
			drain(lv, w);
			continue;
		}
		w->call_fn = fn;
		w->call_arg = arg;
		seq = atomic_load_explicit(&w->call_seq, memory_order_relaxed) +
		      1;
		atomic_store_explicit(&w->call_seq, seq, memory_order_release);
		fd_signal(w->wake_fd);
		for (;;) {
			drain(lv, w);
			if (atomic_load_explicit(&w->done_seq,
			                         memory_order_acquire) == seq)
				break;
			if (atomic_load_explicit(&w->exited,
			                         memory_order_acquire)) {
				/* it left before serving: gone, do it here */
				if (atomic_load_explicit(
				        &w->done_seq, memory_order_acquire) !=
				    seq) {
					fn(w, arg);
					publish(w);
				}
				break;
			}
			wait_main(lv, 1);
		}
		drain(lv, w);
	}
}

struct foreach_arg {
	flow_sink_fn fn;
	void *ctx;
};

static void
do_foreach(struct worker *w, void *arg)
{
	const struct foreach_arg *a = arg;

	flowtab_foreach(w->pr.ft, a->fn, a->ctx);
}

void
live_foreach_flow(struct live *lv, flow_sink_fn fn, void *ctx)
{
	struct foreach_arg a = {.fn = fn, .ctx = ctx};

	call_each(lv, do_foreach, &a);
}

static void
do_expire_all(struct worker *w, void *arg)
{
	probe_expire_all(&w->pr, *(const enum flow_end_reason *)arg);
}

void
live_expire_all(struct live *lv, enum flow_end_reason reason)
{
	call_each(lv, do_expire_all, &reason);
}

static void
do_delete_all(struct worker *w, void *arg)
{
	*(uint64_t *)arg += flowtab_delete_all(w->pr.ft);
}

uint64_t
live_delete_all(struct live *lv)
{
	uint64_t n = 0;

	call_each(lv, do_delete_all, &n);
	return n;
}

static void
read_snap(struct worker *w, struct wsnap *s)
{
	(void)pthread_mutex_lock(&w->snap_lock);
	*s = w->snap;
	(void)pthread_mutex_unlock(&w->snap_lock);
}

/* Counter structs are uint64_t only: add them up member by member. */
#define ADD_U64S(dst, src)                                                     \
	do {                                                                   \
		uint64_t d_[sizeof(dst) / sizeof(uint64_t)];                   \
		uint64_t s_[sizeof(src) / sizeof(uint64_t)];                   \
		size_t k_;                                                     \
		_Static_assert(sizeof(dst) == sizeof(src) &&                   \
		                   sizeof(dst) % sizeof(uint64_t) == 0,        \
		               "counters only");                               \
		memcpy(d_, &(dst), sizeof(d_));                                \
		memcpy(s_, &(src), sizeof(s_));                                \
		for (k_ = 0; k_ < sizeof(d_) / sizeof(d_[0]); k_++)            \
			d_[k_] += s_[k_];                                      \
		memcpy(&(dst), d_, sizeof(d_));                                \
	} while (0)

void
live_totals(struct live *lv, struct live_totals *t)
{
	struct wsnap s;
	int i;

	memset(t, 0, sizeof(*t));
	t->workers = lv->n;
	for (i = 0; i < lv->n; i++) {
		read_snap(&lv->w[i], &s);
		ADD_U64S(t->st, s.st);
		ADD_U64S(t->fs, s.fs);
		t->mem_bytes += s.mem_bytes;
		t->pcap_recv += s.pcap_recv;
		t->pcap_drop += s.pcap_drop;
		/* every handle of an interface reports the interface's */
		if (i == 0)
			t->pcap_ifdrop = s.pcap_ifdrop;
		t->ring_full_waits += s.ring_full_waits;
	}
}

static void
set_u64(json_t *o, const char *k, uint64_t v)
{
	(void)json_object_set_new(o, k, json_integer((json_int_t)v));
}

json_t *
live_workers_json(struct live *lv)
{
	json_t *arr = json_array();
	struct wsnap s;
	int i;

	for (i = 0; i < lv->n; i++) {
		json_t *o = json_object();

		read_snap(&lv->w[i], &s);
		set_u64(o, "worker", (uint64_t)i);
		set_u64(o, "packets_seen", s.st.packets_seen);
		set_u64(o, "packets_accounted", s.st.packets_accounted);
		set_u64(o, "octets_accounted", s.st.octets_accounted);
		set_u64(o, "flows_created", s.fs.flows_created);
		set_u64(o, "flows_active", s.fs.flows_active);
		set_u64(o, "pcap_received", s.pcap_recv);
		set_u64(o, "pcap_dropped", s.pcap_drop);
		set_u64(o, "pcap_ifdropped", s.pcap_ifdrop);
		set_u64(o, "ring_full_waits", s.ring_full_waits);
		(void)json_array_append_new(arr, o);
	}
	return arr;
}

/* Rate-limited warning when the capture drops grow. */
static void
log_drops(struct live *lv, uint64_t now)
{
	struct live_totals t;
	uint64_t drops;

	live_totals(lv, &t);
	drops = t.pcap_drop + t.pcap_ifdrop;
	if (drops <= lv->drops_logged ||
	    !log_ratelimit(&lv->drop_log_ns, now,
	                   LIVE_DROP_LOG_SECS * NS_PER_SEC))
		return;
	log_msg(LOG_LVL_WARN,
	        "capture: %llu packets dropped (%llu new): %llu by the kernel "
	        "(ring full), %llu by the interface, of %llu received; raise "
	        "-B or --workers",
	        (unsigned long long)drops,
	        (unsigned long long)(drops - lv->drops_logged),
	        (unsigned long long)t.pcap_drop,
	        (unsigned long long)t.pcap_ifdrop,
	        (unsigned long long)t.pcap_recv);
	lv->drops_logged = drops;
}

static bool
all_running(struct live *lv)
{
	int i;

	for (i = 0; i < lv->n; i++)
		if (atomic_load_explicit(&lv->w[i].exited,
		                         memory_order_acquire))
			return false;
	return true;
}

static int
start_workers(struct live *lv)
{
	sigset_t block, old;
	int i, rc;

	/* signals go to the run thread: its poll() wakes on them */
	(void)sigfillset(&block);
	(void)pthread_sigmask(SIG_BLOCK, &block, &old);
	for (i = 0; i < lv->n; i++) {
		rc =
		    pthread_create(&lv->w[i].tid, NULL, worker_main, &lv->w[i]);
		if (rc != 0) {
			log_msg(LOG_LVL_ERR, "worker %d: cannot start: %s", i,
			        strerror(rc));
			break;
		}
		lv->w[i].started = true;
	}
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	return i == lv->n ? 0 : -1;
}

static void
stop_workers(struct live *lv)
{
	int i;
	bool all;

	for (i = 0; i < lv->n; i++) {
		atomic_store_explicit(&lv->w[i].stop, true,
		                      memory_order_release);
		fd_signal(lv->w[i].wake_fd);
	}
	/* a worker may wait for room in its ring: keep draining */
	do {
		drain_all(lv);
		all = true;
		for (i = 0; i < lv->n; i++)
			if (lv->w[i].started &&
			    !atomic_load_explicit(&lv->w[i].exited,
			                          memory_order_acquire))
				all = false;
		if (!all)
			wait_main(lv, 1);
	} while (!all);
	for (i = 0; i < lv->n; i++) {
		if (lv->w[i].started)
			(void)pthread_join(lv->w[i].tid, NULL);
		lv->w[i].started = false;
		lv->w[i].direct = true;
	}
	drain_all(lv);
}

int
live_run(struct live *lv, const struct live_hooks *hooks,
         volatile sig_atomic_t *stop)
{
	struct pollfd pfd[2];
	uint64_t now;
	int i, rc = 0;

	lv->hooks = hooks;
	pfd[0].fd = lv->main_fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = hooks->fd_wake;
	pfd[1].events = POLLIN;
	if (start_workers(lv) != 0)
		rc = -1;
	while (rc == 0 && !*stop) {
		if (poll(pfd, hooks->fd_wake >= 0 ? 2 : 1, LIVE_SNAP_MS / 2) >
		        0 &&
		    (pfd[0].revents & POLLIN))
			fd_clear(lv->main_fd);
		drain_all(lv);
		now = wall_ns();
		hooks->tick(hooks->ctx, now);
		log_drops(lv, now);
		if (!all_running(lv))
			rc = -1; /* a capture is gone: export all, exit */
	}
	stop_workers(lv);
	for (i = 0; i < lv->n; i++) {
		struct worker *w = &lv->w[i];

		/* joined: this thread owns the probe now */
		probe_tick(&w->pr, wall_ns());
		probe_expire_all(&w->pr, FLOW_END_FORCED);
		publish(w);
		if (w->failed)
			rc = -1;
	}
	hooks->tick(hooks->ctx, wall_ns());
	return rc;
}

static int
open_worker(struct live *lv, struct worker *w, const struct config *cfg,
            const struct dec_config *dec, const struct flowtab_config *ftc,
            char *err, size_t errlen)
{
	struct cap_options opt = {
	    .snaplen = cfg->snaplen,
	    .buffer_bytes = cfg->buffer_bytes,
	    .promisc = cfg->promisc,
	    .filter = cfg->filter,
	    .timeout_ms = LIVE_SNAP_MS,
	    .hold = lv->n > 1,
	};
	int i;

	w->lv = lv;
	w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wake_fd < 0) {
		(void)snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -1;
	}
	w->ring.rec = calloc(LIVE_RING_RECORDS, sizeof(*w->ring.rec));
	if (w->ring.rec == NULL) {
		(void)snprintf(err, errlen, "worker %d: out of memory", w->idx);
		return -1;
	}
	if (probe_init(&w->pr, dec, ftc, worker_sink, w, err, errlen) != 0)
		return -1;
	w->pr_ok = true;
	w->pr.sample_n = cfg->sampling; /* 1 in N of this worker's packets */
	for (i = 0; i < cfg->n_ifaces; i++) {
		struct wsrc *s = &w->src[i];

		if (cap_open_live(&s->cap, cfg->ifaces[i].name, &opt, err,
		                  errlen) != 0)
			return -1;
		s->w = w;
		s->cap.ifindex = cfg->ifaces[i].ifindex;
		w->n_src++;
		if (pcap_setnonblock(s->cap.pcap, 1, NULL) != 0) {
			(void)snprintf(err, errlen,
			               "interface %s: cannot set non-blocking",
			               s->cap.name);
			return -1;
		}
	}
	return 0;
}

/* Fanout groups, then the filters: no packet reaches two workers. */
static int
join_fanout(struct live *lv, const struct config *cfg, char *err, size_t errlen)
{
	struct cap_options opt = {.filter = cfg->filter};
	int group[CFG_MAX_IFACES];
	int i, k;

	for (k = 0; k < cfg->n_ifaces; k++) {
		group[k] = -1;
		for (i = 0; i < lv->n; i++)
			if (cap_fanout_join(&lv->w[i].src[k].cap, &group[k],
			                    err, errlen) != 0)
				return -1;
		log_msg(LOG_LVL_INFO,
		        "interface %s: %d workers in fanout group %d (hash)",
		        cfg->ifaces[k].name, lv->n, group[k]);
	}
	for (k = 0; k < cfg->n_ifaces; k++)
		for (i = 0; i < lv->n; i++)
			if (cap_start(&lv->w[i].src[k].cap, &opt, err,
			              errlen) != 0)
				return -1;
	return 0;
}

struct live *
live_create(const struct config *cfg, const struct dec_config *dec,
            const struct flowtab_config *ftc, char *err, size_t errlen)
{
	struct live *lv = calloc(1, sizeof(*lv));
	struct flowtab_config wftc = *ftc;
	int i, n = cfg->workers < 1 ? 1 : cfg->workers;

	if (lv == NULL) {
		(void)snprintf(err, errlen, "live capture: out of memory");
		return NULL;
	}
	lv->main_fd = -1;
	lv->w = calloc((size_t)n, sizeof(*lv->w));
	lv->main_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (lv->w == NULL || lv->main_fd < 0) {
		(void)snprintf(err, errlen, "live capture: %s",
		               lv->w == NULL ? "out of memory"
		                             : strerror(errno));
		live_destroy(lv);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		lv->w[i].idx = i;
		lv->w[i].wake_fd = -1;
		(void)pthread_mutex_init(&lv->w[i].snap_lock, NULL);
	}
	lv->n = n;
	lv->mutex_ok = true;
	lv->expint_ns = (uint64_t)cfg->timeouts_s[CFG_TO_EXPINT] * NS_PER_SEC;
	/* ceil(max_flows / n): --max-flows bounds the whole probe */
	wftc.max_flows =
	    ftc->max_flows / (uint32_t)n + (ftc->max_flows % (uint32_t)n != 0);
	for (i = 0; i < n; i++)
		if (open_worker(lv, &lv->w[i], cfg, dec, &wftc, err, errlen) !=
		    0) {
			live_destroy(lv);
			return NULL;
		}
	if (n > 1 && join_fanout(lv, cfg, err, errlen) != 0) {
		live_destroy(lv);
		return NULL;
	}
	for (i = 0; i < n; i++)
		publish(&lv->w[i]);
	return lv;
}

void
live_destroy(struct live *lv)
{
	int i, k;

	if (lv == NULL)
		return;
	for (i = 0; lv->w != NULL && i < lv->n; i++) {
		struct worker *w = &lv->w[i];

		for (k = 0; k < w->n_src; k++)
			cap_close(&w->src[k].cap);
		if (w->pr_ok)
			probe_fini(&w->pr);
		free(w->ring.rec);
		if (w->wake_fd >= 0)
			(void)close(w->wake_fd);
		if (lv->mutex_ok)
			(void)pthread_mutex_destroy(&w->snap_lock);
	}
	if (lv->main_fd >= 0)
		(void)close(lv->main_fd);
	free(lv->w);
	free(lv);
}
