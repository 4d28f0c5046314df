/*
 * tapflow: connects the pipeline. Capture sources -> probe (decode, fragment
 * cache, flow table) -> expired flows -> JSON lines and the exporter.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/config.h"
#include "../common/log.h"
#include "../common/privdrop.h"
#include "../export/exporter.h"
#include "../export/json.h"
#include "capfile.h"
#include "capture.h"
#include "control.h"
#include "filter.h"
#include "live.h"
#include "probe.h"
#include "replay.h"

#define NS_PER_SEC  1000000000ULL
#define NS_PER_MSEC 1000000ULL

static volatile sig_atomic_t got_stop;
static volatile sig_atomic_t got_usr1;

struct app {
	struct config cfg;
	struct probe pr;
	struct capfile *files[CFG_MAX_FILES]; /* -r, opened at start */
	long long file_size[CFG_MAX_FILES];   /* -1: unknown (a pipe) */
	int n_files;
	int cur_file;         /* being read */
	long long cur_offset; /* bytes of it read */
	struct bpf_set *filt; /* -f / trailing filter for files */
	uint64_t filtered;    /* packets the filter refused */
	uint64_t ts_invalid;  /* timestamps the file reader clamped */
	struct jsonout *jo;
	struct exporter *ex;
	struct ctl_server *ctl;
	struct live *lv;       /* -i: the capture workers (live.c) */
	struct live_totals lt; /* their counters, summed */
	uint64_t flows_out;    /* expired flows handed to the outputs */
	uint64_t last_tick_ns; /* exporter timers, packet time */
	int read_errors;       /* damaged capture files */
	bool boot_set;         /* exporter uptime origin given */
	bool pid_written;      /* -p file is ours to remove */
	bool started;          /* set up: flows may be counted */
	/* current rates (update_rates) */
	uint64_t rate_t0, rate_pkts, rate_created, rate_out;
	double pps, fps_created, fps_exported;
	/* progress bar */
	bool progress;
	struct timespec prog_last;
	uint64_t prog_packets;
	uint64_t pcap_recv, pcap_drop, pcap_ifdrop;
};

static struct app app;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1) {
		got_usr1 = 1;
		return;
	}
	got_stop = 1;
}

static void
flow_out(void *ctx, const struct flow_record *rec)
{
	struct app *a = ctx;

	a->flows_out++;
	if (a->jo != NULL)
		(void)jsonout_flow(a->jo, rec);
	if (a->ex != NULL)
		exp_flow(a->ex, rec, a->pr.now_ns);
}

static uint64_t
wall_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Size of a regular file for the progress bar; -1 otherwise. */
static long long
file_size(const char *path)
{
	struct stat sb;

	if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 ||
	    !S_ISREG(sb.st_mode))
		return -1;
	return (long long)sb.st_size;
}

/*
 * Current rates for the statistics: over the last full second of wall
 * clock (replay runs faster than the packets' own time).
 */
static void
update_rates(struct app *a)
{
	struct timespec now;
	uint64_t t, created = a->lv != NULL
	                          ? a->lt.fs.flows_created
	                          : flowtab_stats(a->pr.ft)->flows_created;
	double dt;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	t = (uint64_t)now.tv_sec * NS_PER_SEC + (uint64_t)now.tv_nsec;
	if (a->rate_t0 == 0) {
		a->rate_t0 = t;
		return;
	}
	if (t - a->rate_t0 < NS_PER_SEC)
		return;
	dt = (double)(t - a->rate_t0) / 1e9;
	a->pps = (double)(a->pr.st.packets_seen - a->rate_pkts) / dt;
	a->fps_created = (double)(created - a->rate_created) / dt;
	a->fps_exported = (double)(a->flows_out - a->rate_out) / dt;
	a->rate_t0 = t;
	a->rate_pkts = a->pr.st.packets_seen;
	a->rate_created = created;
	a->rate_out = a->flows_out;
}

/* Exporter timers run on the probe's clock, at most every 100 ms of it. */
static void
tick_exporter(struct app *a)
{
	update_rates(a);
	if (a->ex == NULL)
		return;
	if (a->pr.now_ns - a->last_tick_ns < 100 * NS_PER_MSEC &&
	    a->last_tick_ns != 0)
		return;
	a->last_tick_ns = a->pr.now_ns;
	exp_set_capture_stats(a->ex, a->pr.st.packets_seen,
	                      a->pcap_drop + a->pcap_ifdrop);
	exp_tick(a->ex, a->pr.now_ns);
}

static void
progress(struct app *a, bool final)
{
	struct timespec now;
	double dt, pct = -1;
	long long pos;
	if (!a->progress)
		return;
	if (final) {
		(void)fputs("\r\033[K", stderr);
		return;
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - a->prog_last.tv_sec) +
	     (double)(now.tv_nsec - a->prog_last.tv_nsec) / 1e9;
	if (dt < 0.5)
		return;
	pos = a->cur_offset;
	if (pos >= 0 && a->file_size[a->cur_file] > 0)
		pct = 100.0 * (double)pos / (double)a->file_size[a->cur_file];
	(void)fprintf(stderr,
	              "\r\033[K[%5.1f%%] file %d/%d %.2f Mpps, %llu active "
	              "flows, %llu exported",
	              pct < 0 ? 0.0 : pct, a->cur_file + 1, a->n_files,
	              (double)(a->pr.st.packets_seen - a->prog_packets) / dt /
	                  1e6,
	              (unsigned long long)flowtab_stats(a->pr.ft)->flows_active,
	              (unsigned long long)a->flows_out);
	a->prog_last = now;
	a->prog_packets = a->pr.st.packets_seen;
}

static void
log_stats(struct app *a)
{
	const struct flowtab_stats *fs =
	    a->lv != NULL ? &a->lt.fs : flowtab_stats(a->pr.ft);

	log_msg(LOG_LVL_WARN,
	        "statistics: %llu packets seen, %llu accounted, %llu not IP, "
	        "%llu bad; %llu flows active, %llu created, %llu exported; "
	        "capture drops %llu kernel, %llu interface",
	        (unsigned long long)a->pr.st.packets_seen,
	        (unsigned long long)a->pr.st.packets_accounted,
	        (unsigned long long)a->pr.st.packets_skipped,
	        (unsigned long long)a->pr.st.packets_bad,
	        (unsigned long long)fs->flows_active,
	        (unsigned long long)fs->flows_created,
	        (unsigned long long)a->flows_out,
	        (unsigned long long)a->pcap_drop,
	        (unsigned long long)a->pcap_ifdrop);
}

static void
set_u64(json_t *o, const char *k, uint64_t v)
{
	(void)json_object_set_new(o, k, json_integer((json_int_t)v));
}

/* Every counter as one JSON object: --stats FILE and the control socket. */
static json_t *
stats_object(struct app *a)
{
	const struct flowtab_stats *fs =
	    a->lv != NULL ? &a->lt.fs : flowtab_stats(a->pr.ft);
	static const char *const reason[] = {
	    "", "idle", "active", "end_of_flow", "forced", "resource"};
	json_t *o = json_object(), *drops = json_object(), *exp = json_object();
	json_t *fl = json_object();
	int i;

	(void)json_object_set_new(
	    o, "rates",
	    json_pack("{s:f, s:f, s:f}", "packets_per_sec", a->pps,
	              "flows_created_per_sec", a->fps_created,
	              "flows_exported_per_sec", a->fps_exported));
	set_u64(o, "packets_seen", a->pr.st.packets_seen);
	set_u64(o, "bytes_seen", a->pr.st.bytes_seen);
	set_u64(o, "packets_unsampled", a->pr.st.packets_unsampled);
	set_u64(o, "packets_ip4", a->pr.st.packets_ip4);
	set_u64(o, "packets_ip6", a->pr.st.packets_ip6);
	set_u64(o, "packets_accounted", a->pr.st.packets_accounted);
	set_u64(o, "octets_accounted", a->pr.st.octets_accounted);
	set_u64(o, "packets_skipped", a->pr.st.packets_skipped);
	set_u64(o, "packets_bad", a->pr.st.packets_bad);
	set_u64(o, "ts_backwards", a->pr.st.ts_backwards);
	set_u64(o, "packets_filtered", a->filtered);
	set_u64(o, "ts_invalid", a->pr.st.ts_invalid + a->ts_invalid);
	set_u64(o, "pcap_received", a->pcap_recv);
	set_u64(o, "pcap_dropped", a->pcap_drop);
	set_u64(o, "pcap_ifdropped", a->pcap_ifdrop);
	set_u64(o, "read_errors", (uint64_t)a->read_errors);
	for (i = 1; i < DEC_DROP_COUNT; i++)
		set_u64(drops, dec_drop_name((enum dec_drop)i),
		        a->pr.st.drop[i]);
	(void)json_object_set_new(o, "decode", drops);
	set_u64(fl, "created", fs->flows_created);
	set_u64(fl, "active", fs->flows_active);
	set_u64(fl, "packets", fs->packets);
	set_u64(fl, "octets", fs->octets);
	set_u64(fl, "exported", a->flows_out);
	set_u64(fl, "memory_bytes",
	        a->lv != NULL ? a->lt.mem_bytes : flowtab_mem_bytes(a->pr.ft));
	for (i = 1; i <= FLOW_END_RESOURCE; i++) {
		char k[32];

		(void)snprintf(k, sizeof(k), "expired_%s", reason[i]);
		set_u64(fl, k, fs->flows_expired[i]);
	}
	(void)json_object_set_new(o, "flows", fl);
	if (a->lv != NULL)
		(void)json_object_set_new(o, "workers",
		                          live_workers_json(a->lv));
	if (a->ex != NULL) {
		const struct exp_stats *es = exp_get_stats(a->ex);
		json_t *colls = json_array();

		set_u64(exp, "records_sent", es->records_sent);
		set_u64(exp, "packets_built", es->packets_built);
		set_u64(exp, "v5_ipv6_skipped", es->v5_ipv6_skipped);
		set_u64(exp, "v5_split", es->v5_split);
		for (i = 0; i < a->cfg.n_coll; i++) {
			json_t *c = json_object();
			char name[300];

			(void)snprintf(name, sizeof(name), "%s:%s",
			               a->cfg.coll[i].host,
			               a->cfg.coll[i].port);
			(void)json_object_set_new(c, "collector",
			                          json_string(name));
			set_u64(c, "packets_sent", es->coll[i].packets_sent);
			set_u64(c, "bytes_sent", es->coll[i].bytes_sent);
			set_u64(c, "send_failed", es->coll[i].send_failed);
			set_u64(c, "refused", es->coll[i].refused);
			set_u64(c, "reconnects", es->coll[i].reconnects);
			set_u64(c, "held", es->coll[i].held);
			set_u64(c, "resent", es->coll[i].resent);
			set_u64(c, "overflow", es->coll[i].overflow);
			(void)json_array_append_new(colls, c);
		}
		(void)json_object_set_new(exp, "collectors", colls);
	}
	(void)json_object_set_new(o, "export", exp);
	if (a->jo != NULL) {
		set_u64(o, "json_flows_written", jsonout_written(a->jo));
		set_u64(o, "json_write_errors", jsonout_errors(a->jo));
	}
	return o;
}

static int
write_stats(struct app *a, const char *path)
{
	json_t *o = stats_object(a);
	int rc;

	rc = json_dump_file(o, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (rc != 0)
		log_msg(LOG_LVL_ERR, "--stats %s: cannot write", path);
	return rc;
}

static void
dump_one(void *ctx, const struct flow_record *rec)
{
	json_t *o = jsonout_flow_object(rec);

	if (o != NULL)
		(void)json_array_append_new((json_t *)ctx, o);
}

static json_t *
exporters_object(struct app *a)
{
	json_t *arr = json_array();
	int i;

	for (i = 0; a->ex != NULL && i < a->cfg.n_coll; i++) {
		const struct exp_coll_stats *cs =
		    &exp_get_stats(a->ex)->coll[i];
		char name[300];

		(void)snprintf(name, sizeof(name), "%s:%s", a->cfg.coll[i].host,
		               a->cfg.coll[i].port);
		(void)json_array_append_new(
		    arr,
		    json_pack("{s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
		              "s:I}",
		              "collector", name, "version", a->cfg.version,
		              "packets_sent", (json_int_t)cs->packets_sent,
		              "bytes_sent", (json_int_t)cs->bytes_sent,
		              "send_failed", (json_int_t)cs->send_failed,
		              "refused", (json_int_t)cs->refused, "reconnects",
		              (json_int_t)cs->reconnects, "held",
		              (json_int_t)cs->held, "resent",
		              (json_int_t)cs->resent, "overflow",
		              (json_int_t)cs->overflow));
	}
	return json_pack("{s:o}", "exporters", arr);
}

static json_t *
control_handler(void *ctx, enum ctl_cmd cmd)
{
	struct app *a = ctx;
	json_t *o;
	uint64_t before;
	int i;

	switch (cmd) {
	case CTL_STATISTICS:
		return stats_object(a);
	case CTL_DUMP_FLOWS:
		o = json_array();
		if (a->lv != NULL)
			live_foreach_flow(a->lv, dump_one, o);
		else
			flowtab_foreach(a->pr.ft, dump_one, o);
		return json_pack("{s:o}", "flows", o);
	case CTL_EXPIRE_ALL:
		before = a->flows_out;
		if (a->lv != NULL)
			live_expire_all(a->lv, FLOW_END_FORCED);
		else
			probe_expire_all(&a->pr, FLOW_END_FORCED);
		if (a->ex != NULL)
			exp_flush(a->ex, a->pr.now_ns);
		return json_pack("{s:I}", "expired",
		                 (json_int_t)(a->flows_out - before));
	case CTL_DELETE_ALL:
		return json_pack(
		    "{s:I}", "deleted",
		    (json_int_t)(a->lv != NULL ? live_delete_all(a->lv)
		                               : flowtab_delete_all(a->pr.ft)));
	case CTL_TIMEOUTS:
		o = json_object();
		for (i = 0; i < CFG_TO_COUNT; i++)
			(void)json_object_set_new(
			    o, cfg_timeout_names[i],
			    json_integer(a->cfg.timeouts_s[i]));
		return json_pack("{s:o}", "timeouts", o);
	case CTL_DEBUG_UP:
		if (log_level < LOG_LVL_DEBUG)
			log_level++;
		return json_pack("{s:i}", "debug_level", log_level);
	case CTL_DEBUG_DOWN:
		if (log_level > LOG_LVL_ERR)
			log_level--;
		return json_pack("{s:i}", "debug_level", log_level);
	case CTL_SHUTDOWN:
		on_signal(SIGTERM);
		return json_pack("{s:b}", "shutdown", 1);
	case CTL_EXPORTERS:
		return exporters_object(a);
	case CTL_COUNT:
		break;
	}
	return json_pack("{s:s}", "error", "unknown command");
}

static void
service_control(struct app *a)
{
	if (a->ctl != NULL)
		ctl_service(a->ctl, control_handler, a);
}

static void
build_flowtab_config(const struct config *c, struct flowtab_config *f)
{
	flowtab_config_defaults(f);
	f->max_flows = c->max_flows;
	f->track = (enum flowtab_track)c->track;
	f->track_vlan = c->track_vlan;
	f->track_ether = c->track_ether;
	f->track_mpls = c->track_mpls;
	f->link_fields = c->link_fields || c->decap; /* decap: outer MACs too */
	f->tunnel_fields = c->decap;
	f->biflow = c->bidirectional;
	f->idle_tcp_ns = (uint64_t)c->timeouts_s[CFG_TO_TCP] * NS_PER_SEC;
	f->idle_udp_ns = (uint64_t)c->timeouts_s[CFG_TO_UDP] * NS_PER_SEC;
	f->idle_icmp_ns = (uint64_t)c->timeouts_s[CFG_TO_ICMP] * NS_PER_SEC;
	f->idle_other_ns = (uint64_t)c->timeouts_s[CFG_TO_GENERAL] * NS_PER_SEC;
	f->linger_fin_ns = (uint64_t)c->timeouts_s[CFG_TO_TCP_FIN] * NS_PER_SEC;
	f->linger_rst_ns = (uint64_t)c->timeouts_s[CFG_TO_TCP_RST] * NS_PER_SEC;
	f->active_ns = (uint64_t)c->timeouts_s[CFG_TO_MAXLIFE] * NS_PER_SEC;
	if (c->hash_key_set) {
		f->hash_key[0] = c->hash_key[0];
		f->hash_key[1] = c->hash_key[1];
	} else if (getrandom(f->hash_key, sizeof(f->hash_key), 0) !=
	           (ssize_t)sizeof(f->hash_key)) {
		/* no entropy source: still vary the key per run */
		f->hash_key[0] = wall_ns() ^ (uint64_t)getpid();
		f->hash_key[1] = ~f->hash_key[0];
	}
}

static void
build_exp_config(const struct config *c, struct exp_config *e)
{
	int i;

	exp_config_defaults(e);
	e->version = c->version;
	e->transport = (enum exp_transport)c->transport;
	for (i = 0; i < c->n_coll && i < EXP_MAX_COLLECTORS; i++) {
		(void)snprintf(e->coll[i].host, sizeof(e->coll[i].host), "%s",
		               c->coll[i].host);
		(void)snprintf(e->coll[i].port, sizeof(e->coll[i].port), "%s",
		               c->coll[i].port);
	}
	e->n_coll = i;
	e->file_path = c->ipfix_file;
	/*
	 * Default packet sizes: v5 carries Cisco's 30 records (24 + 30 * 48 =
	 * 1464 bytes), v1 its 24 (16 + 24 * 48); v9 and IPFIX stay at 1400
	 * so that IPv6 + UDP headers fit a 1500-byte MTU.
	 */
	if (c->max_packet != 0)
		e->max_packet = c->max_packet;
	else if (c->version == 5)
		e->max_packet = 24 + 30 * 48;
	else if (c->version == 1)
		e->max_packet = 16 + 24 * 48;
	e->tmpl_refresh_packets = c->tmpl_refresh_packets;
	e->tmpl_refresh_secs = c->tmpl_refresh_secs;
	e->source_id = c->source_id;
	e->engine_type = c->engine_type;
	e->engine_id = c->engine_id;
	e->sampling = c->sampling;
	e->time_unit = (enum exp_time_unit)c->time_unit;
	e->pace_us = c->pace_us;
	e->hoplimit = c->hoplimit;
	for (i = 0; i < c->n_ifaces && i < 16; i++) {
		e->if_names[i] = c->ifaces[i].name;
		e->if_index[i] = c->ifaces[i].ifindex;
	}
	e->n_if = i;
}

/* Read and decoded by replay.c, accounted here, batch by batch. */
static int
run_replay(struct app *a)
{
	char err[CFG_ERR_LEN];
	struct replay_batch *b;
	struct replay *rp;

	rp = replay_create(a->files, a->n_files, a->filt, &a->pr, &got_stop,
	                   err, sizeof(err));
	if (rp == NULL) {
		log_msg(LOG_LVL_ERR, "%s", err);
		return 1;
	}
	while ((b = replay_next(rp)) != NULL) {
		a->cur_file = b->file;
		a->cur_offset = b->offset;
		if (b->has_boot && !a->boot_set && a->ex != NULL) {
			exp_set_boot(a->ex, b->boot_ns);
			a->boot_set = true;
		}
		/* the table holds every packet of the batch */
		probe_account_batch(&a->pr, b->e, b->n);
		a->filtered = b->filtered;
		if (b->end != 0) {
			if (b->end < 0) {
				log_msg(LOG_LVL_ERR,
				        "%s; the flows counted before it are "
				        "exported",
				        b->err);
				a->read_errors++;
			}
			a->ts_invalid += b->ts_invalid;
		}
		tick_exporter(a);
		service_control(a);
		if (got_usr1) {
			got_usr1 = 0;
			log_stats(a);
		}
		progress(a, false);
	}
	replay_destroy(rp);
	progress(a, true);
	return a->read_errors;
}

/*
 * Live: the workers' counters stand in for the main probe's (which sees
 * no packet); the flows reach flow_out() on this thread.
 */
static void
live_tick(void *ctx, uint64_t now_ns)
{
	struct app *a = ctx;

	probe_tick(&a->pr, now_ns);
	live_totals(a->lv, &a->lt);
	a->pr.st = a->lt.st;
	a->pcap_recv = a->lt.pcap_recv;
	a->pcap_drop = a->lt.pcap_drop;
	a->pcap_ifdrop = a->lt.pcap_ifdrop;
	tick_exporter(a);
	service_control(a);
	if (got_usr1) {
		got_usr1 = 0;
		log_stats(a);
	}
}

static int
run_live(struct app *a)
{
	struct live_hooks h = {
	    .flow = flow_out,
	    .tick = live_tick,
	    .ctx = a,
	    .fd_wake = a->ctl != NULL ? ctl_fd(a->ctl) : -1,
	};

	return live_run(a->lv, &h, &got_stop);
}

static int
open_sources(struct app *a)
{
	char err[CFG_ERR_LEN] = "";
	int i, lt;

	if (a->cfg.n_ifaces > 0)
		return 0; /* live_create() opens them, once per worker */
	a->filt = bpf_set_create(a->cfg.filter, err, sizeof(err));
	if (a->filt == NULL && err[0] != '\0') {
		log_msg(LOG_LVL_ERR, "%s", err);
		return -1;
	}
	/* Every file is checked before anything starts. */
	for (i = 0; i < a->cfg.n_files; i++) {
		char lts[128];

		a->files[i] = capfile_open(a->cfg.files[i], err, sizeof(err));
		if (a->files[i] == NULL) {
			log_msg(LOG_LVL_ERR, "%s", err);
			return -1;
		}
		a->n_files++;
		a->file_size[i] = file_size(a->cfg.files[i]);
		lt = capfile_first_linktype(a->files[i]);
		if (lt >= 0 && !dec_linktype_supported(lt)) {
			cap_linktype_name(lt, lts, sizeof(lts));
			log_msg(LOG_LVL_ERR, "%s: unsupported link type %s",
			        a->cfg.files[i], lts);
			return -1;
		}
		if (lt >= 0 &&
		    bpf_set_prepare(a->filt, lt, err, sizeof(err)) != 0) {
			log_msg(LOG_LVL_ERR, "%s", err);
			return -1;
		}
	}
	return 0;
}

static int
write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		log_msg(LOG_LVL_ERR, "-p %s: %s", path, strerror(errno));
		return -1;
	}
	(void)fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0) {
		log_msg(LOG_LVL_ERR, "-p %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Everything that can refuse to start; -1 after logging why. */
static int
setup(struct app *a, bool live)
{
	struct flowtab_config ftc;
	struct dec_config dc = {0};
	char err[CFG_ERR_LEN] = "";
	struct sigaction sa;

	if (open_sources(a) != 0)
		return -1;
	if (a->cfg.json_path != NULL) {
		a->jo = jsonout_open(a->cfg.json_path, err, sizeof(err));
		if (a->jo == NULL) {
			log_msg(LOG_LVL_ERR, "%s", err);
			return -1;
		}
	}
	if (a->cfg.n_coll > 0 || a->cfg.transport == 2) {
		struct exp_config ec;

		build_exp_config(&a->cfg, &ec);
		a->ex = exp_create(&ec, err, sizeof(err));
		if (a->ex == NULL) {
			log_msg(LOG_LVL_ERR, "%s", err);
			return -1;
		}
	}
	build_flowtab_config(&a->cfg, &ftc);
	dc.decap = a->cfg.decap;
	{
		/* live: the workers own the tables; this probe sees no packet
		 */
		struct flowtab_config mine = ftc;

		if (live)
			mine.max_flows = 1;
		if (probe_init(&a->pr, &dc, &mine, flow_out, a, err,
		               sizeof(err)) != 0) {
			log_msg(LOG_LVL_ERR, "%s", err);
			return -1;
		}
	}
	a->pr.sample_n = a->cfg.sampling;
	if (live) {
		a->lv = live_create(&a->cfg, &dc, &ftc, err, sizeof(err));
		if (a->lv == NULL) {
			log_msg(LOG_LVL_ERR, "%s", err);
			return -1;
		}
	}
	if (a->cfg.ctlsock != NULL) {
		a->ctl = ctl_open(a->cfg.ctlsock, err, sizeof(err));
		if (a->ctl == NULL) {
			log_msg(LOG_LVL_ERR, "-c %s", err);
			return -1;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGUSR1, &sa, NULL);
	(void)signal(SIGPIPE, SIG_IGN);

	/*
	 * Live capture runs in the background unless -d. The working
	 * directory is kept so that relative -p, -c, -j and --stats paths
	 * mean what they meant on the command line.
	 */
	if (live && !a->cfg.foreground) {
		if (daemon(1, 0) != 0) {
			log_msg(LOG_LVL_ERR, "daemon: %s", strerror(errno));
			return -1;
		}
		log_use_syslog(true, "tapflow");
	}
	if (a->cfg.pidfile != NULL) {
		if (write_pidfile(a->cfg.pidfile) != 0)
			return -1;
		a->pid_written = true;
	}
	if (live && a->ex != NULL) {
		/* v5/v9 uptime starts now */
		exp_set_boot(a->ex, wall_ns());
		a->boot_set = true;
	}
	if (a->ex == NULL && a->jo == NULL)
		log_msg(LOG_LVL_WARN,
		        "no output given: flows are only counted (give -n "
		        "HOST:PORT or -j FILE)");
	/* Capture, sockets and files are open: root is no longer needed. */
	if ((a->cfg.user != NULL || a->cfg.chroot_dir != NULL) &&
	    priv_drop(a->cfg.user, a->cfg.chroot_dir, err, sizeof(err)) != 0) {
		log_msg(LOG_LVL_ERR, "%s", err);
		return -1;
	}
	return 0;
}

/* Export what is left, write the counters, close everything. */
static int
teardown(struct app *a, bool live, int exit_code)
{
	int i;

	if (a->started) {
		/* Nothing counted is lost: expire everything and send it. */
		probe_expire_all(&a->pr, FLOW_END_FORCED);
		if (a->ex != NULL) {
			exp_set_capture_stats(a->ex, a->pr.st.packets_seen,
			                      a->pcap_drop + a->pcap_ifdrop);
			exp_flush(a->ex, a->pr.now_ns);
		}
		if (log_level >= LOG_LVL_INFO || (live && got_stop))
			log_stats(a);
		if (a->cfg.stats_path != NULL &&
		    write_stats(a, a->cfg.stats_path) != 0)
			exit_code = 1;
	}
	if (a->ex != NULL)
		exp_destroy(a->ex, a->pr.now_ns);
	if (a->jo != NULL && jsonout_close(a->jo) != 0) {
		log_msg(LOG_LVL_ERR, "-j %s: write error", a->cfg.json_path);
		exit_code = 1;
	}
	for (i = 0; i < a->n_files; i++)
		capfile_close(a->files[i]);
	bpf_set_destroy(a->filt);
	live_destroy(a->lv);
	if (a->ctl != NULL)
		ctl_close(a->ctl);
	probe_fini(&a->pr);
	if (a->pid_written && unlink(a->cfg.pidfile) != 0)
		log_msg(LOG_LVL_WARN, "-p %s: cannot remove: %s",
		        a->cfg.pidfile, strerror(errno));
	cfg_free(&a->cfg);
	return exit_code;
}

int
main(int argc, char **argv)
{
	struct app *a = &app;
	char err[CFG_ERR_LEN] = "";
	int rc, exit_code = 0;
	bool live;

	cfg_defaults(&a->cfg);
	rc = cfg_parse(&a->cfg, argc, argv, err, sizeof(err));
	if (rc != 0) {
		if (rc < 0)
			(void)fprintf(stderr, "tapflow: %s\n", err);
		cfg_free(&a->cfg);
		return rc < 0 ? 1 : 0;
	}
	log_level = a->cfg.verbosity;
	live = a->cfg.n_ifaces > 0;

	if (setup(a, live) != 0) {
		/* refused before anything started: nothing was counted */
		return teardown(a, live, 1);
	}
	a->started = true;
	a->progress = !live && a->cfg.progress && isatty(STDERR_FILENO);
	(void)clock_gettime(CLOCK_MONOTONIC, &a->prog_last);

	if (live)
		(void)run_live(a);
	else if (run_replay(a) > 0)
		exit_code = 2;
	return teardown(a, live, exit_code);
}
