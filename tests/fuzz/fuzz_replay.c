/*
 * Fuzz a whole capture file (pcap or pcapng, any byte order, micro- or
 * nanosecond stamps) read by libpcap, the way main.c replayed files
 * before probe/capfile.c (fuzz_capfile.c covers that reader): libpcap
 * opens it with nanosecond precision, the link type is checked with
 * dec_linktype_supported(), packets are read in pcap_dispatch() batches
 * into probe_packet(), and at the end every flow is expired and exported.
 * It keeps the probe fuzzed behind a second, independent file parser.
 * The input is read from memory through fmemopen() (pcap_fopen_offline).
 * A fresh probe per input keeps each run independent of the ones before.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"

#define BATCH 512 /* as main.c */

struct replay {
	struct probe pr;
	int linktype;
};

static void
packet_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct replay *r = (struct replay *)user;

	probe_packet(&r->pr, r->linktype, (int64_t)h->ts.tv_sec,
	             (int64_t)h->ts.tv_usec, 0, bytes, h->caplen, h->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct replay r;
	char perr[PCAP_ERRBUF_SIZE];
	FILE *f;
	pcap_t *p;
	int n;

	if (size == 0)
		return 0;
	/* fmemopen keeps the pointer; mode "rb" never writes through it */
	f = fmemopen((void *)data, size, "rb");
	if (f == NULL)
		return 0;
	p = pcap_fopen_offline_with_tstamp_precision(
	    f, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (p == NULL) {
		(void)fclose(f);
		return 0;
	}
	r.linktype = pcap_datalink(p);
	if (!dec_linktype_supported(r.linktype)) {
		pcap_close(p); /* closes f */
		return 0;
	}
	fuzz_probe_init(&r.pr);
	do {
		n = pcap_dispatch(p, BATCH, packet_cb, (u_char *)&r);
		probe_tick(&r.pr, r.pr.now_ns);
	} while (n > 0);
	pcap_close(p);
	probe_expire_all(&r.pr, FLOW_END_FORCED);
	probe_fini(&r.pr);
	return 0;
}

#include "fuzz_main.h"
