/*
 * The exporter: takes expired flows, encodes them as NetFlow v1/v5/v9 or
 * IPFIX, and sends each packet to every collector (UDP, or TCP / file for
 * IPFIX). Owns buffers, templates, sequence numbers and sockets. Time is
 * always an argument (ns since the epoch): nothing here reads a clock.
 */
#ifndef TAPFLOW_EXPORTER_H
#define TAPFLOW_EXPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/flowrec.h"

#define EXP_MAX_COLLECTORS 8
#define EXP_DEFAULT_PORT   2055

enum exp_transport {
	EXP_UDP = 0,
	EXP_TCP = 1,  /* IPFIX only */
	EXP_FILE = 2, /* IPFIX only, RFC 5655 file */
};

enum exp_time_unit {
	EXP_TIME_MS = 0, /* flowStart/EndMilliseconds (152/153), default */
	EXP_TIME_US = 1, /* flowStart/EndMicroseconds (154/155) */
	EXP_TIME_NS = 2, /* flowStart/EndNanoseconds (156/157) */
};

struct exp_collector {
	char host[256]; /* name or address as given */
	char port[16];
};

struct exp_config {
	int version; /* 1, 5, 9 or 10 (IPFIX) */
	enum exp_transport transport;
	struct exp_collector coll[EXP_MAX_COLLECTORS];
	int n_coll;
	const char *file_path; /* EXP_FILE */
	uint32_t max_packet;   /* bytes of payload per export packet (1400) */
	uint32_t
	    tmpl_refresh_packets;   /* v9/IPFIX UDP: re-send every N packets */
	uint32_t tmpl_refresh_secs; /* ... and every T seconds */
	uint32_t source_id;  /* v9 source id / IPFIX observation domain */
	uint8_t engine_type; /* v5 */
	uint8_t engine_id;   /* v5 */
	uint32_t sampling;   /* 1 in N; 1 = every packet */
	enum exp_time_unit time_unit;
	uint32_t flush_ms; /* send a partly filled packet after this long */
	uint32_t pace_us;  /* optional gap between export packets */
	int hoplimit;      /* -L: TTL of export packets, 0 = default */
	/* interface names for the options template (index -> name) */
	const char *if_names[16];
	uint32_t if_index[16];
	int n_if;
};

void exp_config_defaults(struct exp_config *cfg);

/* Per-collector counters. */
struct exp_coll_stats {
	uint64_t packets_sent;
	uint64_t bytes_sent;
	uint64_t send_failed; /* not sent when due (TCP: includes held) */
	uint64_t refused;     /* UDP: ICMP port unreachable reported for an
	                         earlier datagram (the collector is down) */
	uint64_t reconnects;
	/* TCP only */
	uint64_t held;     /* queued while down, sent after reconnecting */
	uint64_t resent;   /* written on a connection that died, sent again */
	uint64_t overflow; /* queue full: lost */
};

struct exp_stats {
	uint64_t records_sent;    /* flow records encoded */
	uint64_t packets_built;   /* export packets encoded */
	uint64_t v5_ipv6_skipped; /* IPv6 flows that v5/v1 cannot carry */
	uint64_t v5_split; /* records split because a counter passed 2^32 */
	struct exp_coll_stats coll[EXP_MAX_COLLECTORS];
};

struct exporter;

/* Resolve collectors and open sockets; NULL and err filled on failure. */
struct exporter *exp_create(const struct exp_config *cfg, char *err,
                            size_t errlen);

/* Queue one flow; sends a packet when one is full. */
void exp_flow(struct exporter *ex, const struct flow_record *rec,
              uint64_t now_ns);

/* Timers: template refresh, flush of a partly filled packet, TCP reconnect. */
void exp_tick(struct exporter *ex, uint64_t now_ns);

/* Send whatever is pending now. */
void exp_flush(struct exporter *ex, uint64_t now_ns);

/*
 * Exporting-process statistics from outside (RFC 7011 §4.3 options):
 * packets seen and dropped by capture.
 */
void exp_set_capture_stats(struct exporter *ex, uint64_t packets_seen,
                           uint64_t packets_dropped);

/*
 * The exporter's boot for v5/v9 sysUptime: call it no later than the
 * first packet (replay: that packet's time; live: the start), so that no
 * flow starts before it. Without it the first export packet sets it.
 */
void exp_set_boot(struct exporter *ex, uint64_t boot_ns);

const struct exp_stats *exp_get_stats(const struct exporter *ex);

/* Flush, close and free. */
void exp_destroy(struct exporter *ex, uint64_t now_ns);

#endif
