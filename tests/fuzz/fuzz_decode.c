/*
 * Fuzz one packet through the whole per-packet path: dec_packet(), the
 * fragment cache and the flow table (probe_packet(), as main.c calls it).
 *
 * Input layout:
 *   byte 0   link type: index into the link types dec_linktype_supported()
 *            accepts; one index past the end passes byte 0 itself as the
 *            link type (an unsupported one, mostly)
 *   byte 1   bit 0: decapsulate tunnels; bit 7: wire length is caplen +
 *            1000 (a capture cut by the snaplen); bits 1-6: seconds to
 *            advance the clock after this input (expiry runs)
 *   byte 2.. the frame, in a heap buffer of exactly its length
 * The packet is accounted twice (new flow, then the update path), and
 * every flow is forced out at the end, so no state hides a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

static int linktypes[64];
static int n_linktypes;

static void
init_linktypes(void)
{
	int lt;

	for (lt = 0; lt < 300 && n_linktypes < 64; lt++)
		if (dec_linktype_supported(lt))
			linktypes[n_linktypes++] = lt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t clock_s = 1700000000; /* advances, never back */
	static struct probe probe;
	struct probe *pr = &probe;
	uint8_t *pkt;
	uint32_t caplen, wirelen;
	int lt, idx;

	if (n_linktypes == 0) {
		init_linktypes();
		fuzz_probe_init(pr);
	}
	if (size < 2 || size - 2 > 262144)
		return 0;
	idx = data[0] % (n_linktypes + 1);
	lt = idx < n_linktypes ? linktypes[idx] : data[0];
	pr->dec.decap = (data[1] & 1) != 0;
	caplen = (uint32_t)(size - 2);
	wirelen = data[1] & 0x80 ? caplen + 1000 : caplen;
	pkt = malloc(caplen > 0 ? caplen : 1);
	if (pkt == NULL)
		return 0;
	if (caplen > 0)
		memcpy(pkt, data + 2, caplen);
	probe_packet(pr, lt, (int64_t)clock_s, 1000, 1, pkt, caplen, wirelen);
	probe_packet(pr, lt, (int64_t)clock_s, 2000, 1, pkt, caplen, wirelen);
	free(pkt);
	clock_s += (uint64_t)((data[1] >> 1) & 0x3f);
	probe_tick(pr, clock_s * FUZZ_NS_PER_SEC);
	probe_expire_all(pr, FLOW_END_FORCED);
	return 0;
}

#ifndef FUZZ_LIBFUZZER
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>

/*
 * fuzz_decode --split OUTDIR MAX FILE...: write the first MAX packets of
 * each capture as single-packet inputs in this harness's layout (the
 * seed corpus of make fuzz), named FILE's base name and the packet number.
 */
static int
split_captures(int argc, char **argv)
{
	char perr[PCAP_ERRBUF_SIZE], path[4096];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	long max, n, total = 0;
	int i, j, lt, idx;

	if (argc < 5 || strcmp(argv[1], "--split") != 0)
		return -1;
	max = strtol(argv[3], NULL, 10);
	init_linktypes();
	for (i = 4; i < argc; i++) {
		pcap_t *p = pcap_open_offline(argv[i], perr);
		const char *base = strrchr(argv[i], '/');

		if (p == NULL)
			continue; /* damaged files are the replay corpus' */
		base = base != NULL ? base + 1 : argv[i];
		lt = pcap_datalink(p);
		idx = n_linktypes; /* unsupported: the raw value */
		for (j = 0; j < n_linktypes; j++)
			if (linktypes[j] == lt)
				idx = j;
		for (n = 0; n < max && pcap_next_ex(p, &h, &bytes) == 1; n++) {
			FILE *f;
			uint8_t hdr[2];

			hdr[0] = (uint8_t)(idx < n_linktypes ? idx : lt);
			hdr[1] = (uint8_t)(2 << 1); /* clock +2 s */
			(void)snprintf(path, sizeof(path), "%s/%s-%ld", argv[2],
			               base, n);
			f = fopen(path, "wb");
			if (f == NULL) {
				(void)fprintf(stderr, "%s: %s\n", path,
				              strerror(errno));
				pcap_close(p);
				return 1;
			}
			(void)fwrite(hdr, 1, 2, f);
			(void)fwrite(bytes, 1, h->caplen, f);
			if (fclose(f) != 0) {
				pcap_close(p);
				return 1;
			}
			total++;
		}
		pcap_close(p);
	}
	(void)printf("%ld packets split into %s\n", total, argv[2]);
	return 0;
}

#define FUZZ_EXTRA_MAIN split_captures
#endif

#include "fuzz_main.h"
