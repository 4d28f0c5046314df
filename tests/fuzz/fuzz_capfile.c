/*
 * Fuzz tapflow's own capture file reader, probe/capfile.c, on the path
 * main.c's replay takes: the input is a whole pcap or pcapng file given to
 * capfile_open_mem(); a file whose first link type is unsupported is
 * refused; packets are read with capfile_next() into the probe (decode,
 * fragment cache, flow table) with a probe_flush() after every batch of
 * 512, then every flow is expired. Checks what capfile.h promises for
 * each packet (caplen <= CAPFILE_MAX_CAPLEN, timestamps in range) and
 * that after the end or an error later calls return the same. Each
 * packet's bytes are copied to a heap buffer of exactly caplen, so an
 * over-read past a record by a decoder is caught too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../probe/capfile.h"
#include "fuzz_common.h"

#define BATCH 512 /* as main.c */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
bad(const char *what)
{
	(void)fprintf(stderr, "fuzz: capfile: %s\n", what);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct probe pr;
	struct capfile_pkt pkt;
	struct capfile *cf;
	char err[512];
	uint8_t *copy;
	int rc, again, lt;
	unsigned n = 0;

	cf = capfile_open_mem(data, size, err, sizeof(err));
	if (cf == NULL)
		return 0;
	/* main.c refuses a file whose first link type is unsupported */
	lt = capfile_first_linktype(cf);
	if (lt >= 0 && !dec_linktype_supported(lt)) {
		capfile_close(cf);
		return 0;
	}
	fuzz_probe_init(&pr);
	while ((rc = capfile_next(cf, &pkt, err, sizeof(err))) == 1) {
		if (pkt.caplen > CAPFILE_MAX_CAPLEN)
			bad("caplen above CAPFILE_MAX_CAPLEN");
		if (pkt.ts_sec < 0 || pkt.ts_sec > CAPFILE_MAX_SEC ||
		    pkt.ts_nsec < 0 || pkt.ts_nsec > 999999999)
			bad("timestamp out of range");
		copy = malloc(pkt.caplen > 0 ? pkt.caplen : 1);
		if (copy == NULL)
			break;
		if (pkt.caplen > 0)
			memcpy(copy, pkt.data, pkt.caplen);
		probe_packet(&pr, pkt.linktype, pkt.ts_sec, pkt.ts_nsec,
		             pkt.if_id, copy, pkt.caplen, pkt.wirelen);
		free(copy);
		if (++n % BATCH == 0)
			probe_flush(&pr); /* main.c, after each batch */
	}
	again = capfile_next(cf, &pkt, err, sizeof(err));
	if (again != rc)
		bad("a call after the end or an error read on");
	(void)capfile_offset(cf);
	(void)capfile_stats(cf);
	capfile_close(cf);
	probe_expire_all(&pr, FLOW_END_FORCED);
	probe_fini(&pr);
	return 0;
}

#include "fuzz_main.h"
