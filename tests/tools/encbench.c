/*
 * encbench: the export encoders' throughput (issue 8, make bench). Encodes
 * a fixed set of flow records (70 % IPv4, 30 % IPv6, TCP/UDP/ICMP, as the
 * bench captures) into 1400-byte NetFlow v9 packets and IPFIX messages,
 * the exporter's default size, and reports data records per second. No
 * socket: this is the encoder alone, the cost per exported flow that comes
 * on top of the flow table.
 *
 * usage: encbench [RECORDS]   (default 20000000 per format)
 * prints one line per format:
 *   encbench: ipfix records=N messages=N bytes=N seconds=S records_per_s=R
 * exits 1 if a message holds no record (the encoder failed).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../export/ipfix.h"
#include "../../export/nf9.h"

#define N_DISTINCT 4096 /* records cycled through: stays in cache */
#define MAX_PACKET 1400
#define NS_PER_S   1000000000ULL

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* xorshift64: the same records on every run */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
make_records(struct flow_record *r, size_t n)
{
	const uint64_t t0 = 1700000000ULL * NS_PER_S;
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	size_t i;

	memset(r, 0, n * sizeof(*r));
	for (i = 0; i < n; i++) {
		uint64_t x = rnd(&s), y = rnd(&s);
		unsigned kind = (unsigned)(x % 10);

		r[i].family = kind < 7 ? 4 : 6;
		r[i].proto = kind % 3 == 0 ? 17 : kind == 4 ? 1 : 6;
		if (r[i].family == 4) {
			memcpy(r[i].src, &x, 4);
			memcpy(r[i].dst, &y, 4);
		} else {
			memcpy(r[i].src, &x, 8);
			memcpy(r[i].src + 8, &y, 8);
			memcpy(r[i].dst, &y, 8);
			memcpy(r[i].dst + 8, &x, 8);
		}
		if (r[i].proto == 1) {
			r[i].dport = 8 * 256;
		} else {
			r[i].sport = (uint16_t)(1024 + (x >> 40) % 60000);
			r[i].dport = (uint16_t)(y >> 48);
		}
		r[i].ifindex = 1;
		r[i].packets = 1 + (y >> 20) % 1000;
		r[i].octets = r[i].packets * (64 + (x >> 24) % 1400);
		r[i].first_ns = t0 + (x >> 30) % (600 * NS_PER_S);
		r[i].last_ns = r[i].first_ns + (y >> 34) % (30 * NS_PER_S);
		r[i].tcp_flags = r[i].proto == 6 ? 0x1b : 0;
		r[i].ttl_min = 60;
		r[i].ttl_max = 64;
		r[i].end_reason = 1 + (unsigned)(y % 4);
	}
}

struct result {
	uint64_t records;
	uint64_t messages;
	uint64_t bytes;
	uint64_t ns;
};

static int
bench_ipfix(const struct flow_record *recs, uint64_t total, struct result *res)
{
	struct ipfix_params p;
	struct ipfix_state st;
	uint8_t buf[MAX_PACKET];
	struct wbuf w;
	uint64_t now = recs[0].last_ns, t0;
	size_t at = 0;

	memset(&p, 0, sizeof(p));
	p.domain_id = 1;
	p.sampling = 1;
	p.tmpl_inline = true; /* UDP, as the bench exports */
	p.refresh_packets = 4096;
	p.refresh_secs = 600;
	if (ipfix_init(&st, &p, sizeof(buf)) != 0)
		return -1;
	memset(res, 0, sizeof(*res));
	t0 = mono_ns();
	while (res->records < total) {
		size_t n;

		wb_init(&w, buf, sizeof(buf));
		n = ipfix_encode(&st, recs + at, N_DISTINCT - at, now, &w);
		if (n == 0)
			return -1;
		res->records += n;
		res->messages++;
		res->bytes += w.len;
		at += n;
		if (at == N_DISTINCT)
			at = 0;
	}
	res->ns = mono_ns() - t0;
	return 0;
}

static int
bench_nf9(const struct flow_record *recs, uint64_t total, struct result *res)
{
	struct nf9_params p;
	struct nf9_state st;
	uint8_t buf[MAX_PACKET];
	struct wbuf w;
	uint64_t now = recs[0].last_ns, t0;
	size_t at = 0;

	memset(&p, 0, sizeof(p));
	p.source_id = 1;
	p.sampling = 1;
	p.refresh_packets = 4096;
	p.refresh_secs = 600;
	if (nf9_init(&st, &p, sizeof(buf)) != 0)
		return -1;
	nf9_set_boot(&st, recs[0].first_ns - 3600 * NS_PER_S);
	memset(res, 0, sizeof(*res));
	t0 = mono_ns();
	while (res->records < total) {
		size_t n;

		wb_init(&w, buf, sizeof(buf));
		n = nf9_encode(&st, recs + at, N_DISTINCT - at, now, &w);
		if (n == 0)
			return -1;
		res->records += n;
		res->messages++;
		res->bytes += w.len;
		at += n;
		if (at == N_DISTINCT)
			at = 0;
	}
	res->ns = mono_ns() - t0;
	return 0;
}

static void
report(const char *name, const struct result *r)
{
	double s = (double)r->ns / 1e9;

	printf("encbench: %s records=%" PRIu64 " messages=%" PRIu64
	       " bytes=%" PRIu64 " seconds=%.3f records_per_s=%.0f"
	       " ns_per_record=%.1f\n",
	       name, r->records, r->messages, r->bytes, s,
	       s > 0 ? (double)r->records / s : 0,
	       r->records > 0 ? (double)r->ns / (double)r->records : 0);
}

int
main(int argc, char **argv)
{
	static struct flow_record recs[N_DISTINCT];
	uint64_t total = 20000000;
	struct result r;
	char *end;

	if (argc > 2 || (argc == 2 && (argv[1][0] == '-' ||
	                               (total = strtoull(argv[1], &end, 10),
	                                *end != '\0' || total == 0)))) {
		fprintf(stderr, "usage: encbench [RECORDS]\n");
		return 2;
	}
	make_records(recs, N_DISTINCT);
	if (bench_nf9(recs, total, &r) != 0) {
		fprintf(stderr, "encbench: nf9: a packet held no record\n");
		return 1;
	}
	report("nf9", &r);
	if (bench_ipfix(recs, total, &r) != 0) {
		fprintf(stderr, "encbench: ipfix: a message held no record\n");
		return 1;
	}
	report("ipfix", &r);
	return 0;
}
