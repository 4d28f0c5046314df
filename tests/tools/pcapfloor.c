/*
 * pcapfloor: the floor of the benchmark (issue 8). Reads a capture with
 * libpcap, as tapflow does, through a callback that only counts, so the
 * time it takes is what reading the file costs before any flow work.
 *
 * usage: pcapfloor FILE
 * prints: packets=N bytes=N seconds=S pps=R
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct floor_count {
	uint64_t packets;
	uint64_t bytes; /* captured bytes */
};

static void
count_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct floor_count *fc = (struct floor_count *)(void *)user;

	(void)bytes;
	fc->packets++;
	fc->bytes += h->caplen;
}

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct floor_count fc = {0, 0};
	pcap_t *p;
	double t0, secs;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pcapfloor FILE\n");
		return 2;
	}
	t0 = mono_s();
	p = pcap_open_offline(argv[1], errbuf);
	if (p == NULL) {
		fprintf(stderr, "pcapfloor: %s: %s\n", argv[1], errbuf);
		return 1;
	}
	do {
		rc = pcap_dispatch(p, 4096, count_cb, (u_char *)&fc);
	} while (rc > 0);
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "pcapfloor: %s: %s\n", argv[1], pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	secs = mono_s() - t0;
	printf("packets=%" PRIu64 " bytes=%" PRIu64 " seconds=%.6f pps=%.0f\n",
	    fc.packets, fc.bytes, secs, secs > 0 ? (double)fc.packets / secs : 0);
	return 0;
}
