/*
 * tapflow's configuration as the command line gives it, and its parser.
 * Neutral types only: main.c turns it into the flow table's and the
 * exporters' own configurations. Short options follow softflowd's.
 */
#ifndef TAPFLOW_CONFIG_H
#define TAPFLOW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_MAX_IFACES     16
#define CFG_MAX_FILES      256
#define CFG_MAX_COLLECTORS 8
#define CFG_ERR_LEN        512
#define CFG_MAX_WORKERS    64

/* Named timeouts of -t, softflowd's names. Values in seconds. */
enum cfg_timeout {
	CFG_TO_TCP = 0, /* idle, TCP */
	CFG_TO_TCP_RST, /* linger after RST */
	CFG_TO_TCP_FIN, /* linger after FIN */
	CFG_TO_UDP,     /* idle, UDP */
	CFG_TO_ICMP,    /* idle, ICMP and ICMPv6 */
	CFG_TO_GENERAL, /* idle, other protocols */
	CFG_TO_MAXLIFE, /* active timeout */
	CFG_TO_EXPINT,  /* live: expiry check interval */
	CFG_TO_COUNT
};

struct cfg_iface {
	char name[64];
	uint32_t ifindex; /* from "IDX:name", else assigned 1, 2, ... */
};

struct cfg_collector {
	char host[256];
	char port[16];
};

struct config {
	/* capture */
	struct cfg_iface ifaces[CFG_MAX_IFACES];
	int n_ifaces;
	const char *files[CFG_MAX_FILES];
	int n_files;
	char *filter; /* -f or trailing arguments joined; malloc'd */
	int snaplen;
	int buffer_bytes; /* -B: kernel ring per capture handle (each worker's)
	                   */
	int workers;      /* --workers: live capture threads (PACKET_FANOUT) */
	bool promisc;
	bool decap;

	/* flows */
	uint32_t timeouts_s[CFG_TO_COUNT];
	uint32_t max_flows;
	int track; /* 0 full, 1 proto, 2 ip (flowtab's enum values) */
	bool track_vlan;
	bool track_ether; /* -T ether: MACs in the key (implies link_fields) */
	bool track_mpls;  /* --track-mpls: top MPLS label in the key */
	bool link_fields; /* --link-fields: MACs, VLANs, MPLS, flow label */
	bool hash_key_set;
	uint64_t hash_key[2];

	/* export */
	struct cfg_collector coll[CFG_MAX_COLLECTORS];
	int n_coll;
	int version;   /* 1, 5, 9, 10 */
	int transport; /* 0 udp, 1 tcp, 2 file */
	const char *ipfix_file;
	uint32_t sampling;
	uint32_t source_id;
	uint8_t engine_type;
	uint8_t engine_id;
	uint32_t max_packet; /* 0 = the format's default */
	uint32_t tmpl_refresh_packets;
	uint32_t tmpl_refresh_secs;
	int time_unit; /* 0 ms, 1 us, 2 ns */
	uint32_t pace_us;
	int hoplimit;
	bool bidirectional;
	const char *json_path;
	const char *stats_path;

	/* process */
	bool foreground;
	int verbosity; /* log level */
	const char *pidfile;
	const char *ctlsock;
	const char *user;
	const char *chroot_dir;
	bool progress; /* allow the progress bar */
};

void cfg_defaults(struct config *cfg);

/*
 * Parse argv into cfg (which cfg_defaults() prepared). Returns 0 to run,
 * 1 when --help or --version printed and the program should exit 0, -1 on
 * an error with a one-line message in err.
 */
int cfg_parse(struct config *cfg, int argc, char **argv, char *err,
              size_t errlen);

/* -t NAME=SECONDS (also several comma-separated); 0 or -1 and err. */
int cfg_parse_timeout(struct config *cfg, const char *arg, char *err,
                      size_t errlen);

/* HOST:PORT, [V6ADDR]:PORT, or V6ADDR alone is refused; 0 or -1 and err. */
int cfg_parse_hostport(const char *arg, char *host, size_t hostlen, char *port,
                       size_t portlen, char *err, size_t errlen);

/* Unsigned decimal in [min, max]; 0 or -1. */
int cfg_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

void cfg_free(struct config *cfg);

/* Names of -t timeouts, indexed by enum cfg_timeout. */
extern const char *const cfg_timeout_names[CFG_TO_COUNT];

#endif
