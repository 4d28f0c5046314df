/*
 * Live capture sources through libpcap (capture files: capfile.h).
 * Timestamps are nanoseconds.
 */
#ifndef TAPFLOW_CAPTURE_H
#define TAPFLOW_CAPTURE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cap_options {
	int snaplen;        /* bytes kept per packet (live) */
	int buffer_bytes;   /* kernel buffer, 0 = libpcap's default */
	bool promisc;       /* live: promiscuous mode */
	const char *filter; /* BPF expression or NULL */
	int timeout_ms;     /* live: read timeout, drives the idle tick */
	bool hold;          /* live: reject every packet until cap_start() */
};

struct cap_source {
	pcap_t *pcap;
	int linktype;
	uint32_t ifindex; /* index given to flows from this source */
	char name[256];   /* file path or interface name */
	bool live;
};

/*
 * Open a live interface; -1 and err filled on failure. libpcap 1.10 on
 * Linux captures through a TPACKET_V3 ring of opt->buffer_bytes (libpcap's
 * 2 MiB when 0) split in blocks that the kernel hands over when full or
 * after opt->timeout_ms: immediate mode stays off, so a wakeup brings a
 * batch. With opt->hold the handle drops everything (a reject-all kernel
 * filter) until cap_start(): a fanout group is joined with nothing queued.
 */
int cap_open_live(struct cap_source *src, const char *ifname,
                  const struct cap_options *opt, char *err, size_t errlen);

/*
 * Put a live handle in the PACKET_FANOUT group *group_id of its interface
 * (PACKET_FANOUT_HASH: the kernel's symmetric flow hash picks one member
 * per packet, so both directions of a 5-tuple meet in one member). With
 * *group_id < 0 a new group is made (a unique id from the kernel, or from
 * the process id where PACKET_FANOUT_FLAG_UNIQUEID is missing) and its id
 * stored there. 0, or -1 and err.
 */
int cap_fanout_join(struct cap_source *src, int *group_id, char *err,
                    size_t errlen);

/*
 * Replace the hold of cap_open_live() by opt->filter (or accept all):
 * capture starts. 0, or -1 and err.
 */
int cap_start(struct cap_source *src, const struct cap_options *opt, char *err,
              size_t errlen);

void cap_close(struct cap_source *src);

/* Name of a link type for messages ("EN10MB (Ethernet)" or "281"). */
void cap_linktype_name(int linktype, char *buf, size_t len);

#endif
