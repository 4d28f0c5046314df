/*
 * What the packet harnesses share: a probe (decoder, fragment cache, flow
 * table) built once with short timeouts and a small table, so that every
 * way a flow ends is reached within a few inputs, and a sink that checks
 * the invariants flowtab.h promises for each exported record and encodes
 * it as JSON (export/json.c is on the path of every flow too).
 */
#ifndef TAPFLOW_FUZZ_COMMON_H
#define TAPFLOW_FUZZ_COMMON_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../export/json.h"
#include "../../probe/probe.h"

#define FUZZ_NS_PER_SEC 1000000000ULL
#define FUZZ_MAX_FLOWS  16 /* small: the table fills, resource expiry runs */

static void
fuzz_check_record(void *ctx, const struct flow_record *rec)
{
	json_t *o;

	(void)ctx;
	/* flowtab.h: no flow is exported with 0 packets; time never goes
	 * backwards; only IPv4 and IPv6 flows exist */
	if (rec->packets == 0 || rec->first_ns > rec->last_ns ||
	    (rec->family != 4 && rec->family != 6) ||
	    rec->end_reason < FLOW_END_IDLE ||
	    rec->end_reason > FLOW_END_RESOURCE) {
		(void)fprintf(stderr,
		              "fuzz: bad record: family %u packets %llu "
		              "first %llu last %llu reason %u\n",
		              rec->family, (unsigned long long)rec->packets,
		              (unsigned long long)rec->first_ns,
		              (unsigned long long)rec->last_ns,
		              rec->end_reason);
		abort();
	}
	o = jsonout_flow_object(rec);
	if (o != NULL) {
		char *s = json_dumps(o, JSON_COMPACT);

		free(s);
		json_decref(o);
	}
}

/* Set up a probe with the fuzzing configuration; aborts on failure. */
static void
fuzz_probe_init(struct probe *pr)
{
	struct flowtab_config ftc;
	struct dec_config dc = {0};
	char err[256];

	flowtab_config_defaults(&ftc);
	ftc.max_flows = FUZZ_MAX_FLOWS;
	ftc.idle_tcp_ns = ftc.idle_udp_ns = 3 * FUZZ_NS_PER_SEC;
	ftc.idle_icmp_ns = ftc.idle_other_ns = 3 * FUZZ_NS_PER_SEC;
	ftc.linger_fin_ns = 2 * FUZZ_NS_PER_SEC;
	ftc.linger_rst_ns = 1 * FUZZ_NS_PER_SEC;
	ftc.active_ns = 5 * FUZZ_NS_PER_SEC;
	ftc.hash_key[0] = 0x0123456789abcdefULL; /* fixed: reproducible */
	ftc.hash_key[1] = 0xfedcba9876543210ULL;
	if (probe_init(pr, &dc, &ftc, fuzz_check_record, NULL, err,
	               sizeof(err)) != 0) {
		(void)fprintf(stderr, "fuzz: %s\n", err);
		abort();
	}
}

#endif
