#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#ifndef TAPFLOW_VERSION
#define TAPFLOW_VERSION "0.1.0"
#endif

const char *const cfg_timeout_names[CFG_TO_COUNT] = {
    "tcp", "tcp.rst", "tcp.fin", "udp", "icmp", "general", "maxlife", "expint",
};

void
cfg_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->snaplen = 262144;
	cfg->promisc = true;
	cfg->workers = 1;
	cfg->timeouts_s[CFG_TO_TCP] = 15;
	cfg->timeouts_s[CFG_TO_UDP] = 15;
	cfg->timeouts_s[CFG_TO_ICMP] = 15;
	cfg->timeouts_s[CFG_TO_GENERAL] = 15;
	cfg->timeouts_s[CFG_TO_TCP_FIN] = 5;
	cfg->timeouts_s[CFG_TO_TCP_RST] = 2;
	cfg->timeouts_s[CFG_TO_MAXLIFE] = 1800;
	cfg->timeouts_s[CFG_TO_EXPINT] = 1;
	cfg->max_flows = 65536;
	cfg->version = 10;
	cfg->sampling = 1;
	cfg->max_packet = 0; /* the format's default (see main.c) */
	cfg->tmpl_refresh_packets = 20;
	cfg->tmpl_refresh_secs = 30;
	cfg->verbosity = LOG_LVL_WARN;
	cfg->progress = true;
}

void
cfg_free(struct config *cfg)
{
	free(cfg->filter);
	cfg->filter = NULL;
}

int
cfg_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
copy_str(char *dst, size_t dstlen, const char *src, size_t n)
{
	if (n == 0 || n >= dstlen)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

int
cfg_parse_hostport(const char *arg, char *host, size_t hostlen, char *port,
                   size_t portlen, char *err, size_t errlen)
{
	const char *colon, *p;
	uint32_t pn;

	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');

		if (close == NULL) {
			(void)snprintf(err, errlen,
			               "%s: missing ']' (expected [ADDR]:PORT)",
			               arg);
			return -1;
		}
		if (copy_str(host, hostlen, arg + 1,
		             (size_t)(close - arg - 1)) != 0) {
			(void)snprintf(err, errlen, "%s: bad address", arg);
			return -1;
		}
		if (close[1] != ':') {
			(void)snprintf(
			    err, errlen,
			    "%s: missing port (expected [ADDR]:PORT)", arg);
			return -1;
		}
		p = close + 2;
	} else {
		colon = strrchr(arg, ':');
		if (colon == NULL) {
			(void)snprintf(err, errlen,
			               "%s: missing port (expected HOST:PORT)",
			               arg);
			return -1;
		}
		if (strchr(arg, ':') != colon) {
			(void)snprintf(err, errlen,
			               "%s: IPv6 address needs brackets "
			               "(expected [ADDR]:PORT)",
			               arg);
			return -1;
		}
		if (copy_str(host, hostlen, arg, (size_t)(colon - arg)) != 0) {
			(void)snprintf(err, errlen,
			               "%s: missing host (expected HOST:PORT)",
			               arg);
			return -1;
		}
		p = colon + 1;
	}
	if (cfg_parse_u32(p, 1, 65535, &pn) != 0) {
		(void)snprintf(err, errlen,
		               "%s: bad port \"%s\" (expected 1-65535)", arg,
		               p);
		return -1;
	}
	(void)snprintf(port, portlen, "%u", pn);
	return 0;
}

int
cfg_parse_timeout(struct config *cfg, const char *arg, char *err, size_t errlen)
{
	const char *p = arg;

	while (*p != '\0') {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		char item[64], *eq;
		uint32_t secs;
		int i;

		if (len == 0 || len >= sizeof(item)) {
			(void)snprintf(err, errlen,
			               "-t %s: expected NAME=SECONDS", arg);
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		eq = strchr(item, '=');
		if (eq == NULL) {
			(void)snprintf(err, errlen,
			               "-t %s: expected NAME=SECONDS", arg);
			return -1;
		}
		*eq = '\0';
		for (i = 0; i < CFG_TO_COUNT; i++)
			if (strcmp(item, cfg_timeout_names[i]) == 0)
				break;
		if (i == CFG_TO_COUNT) {
			(void)snprintf(err, errlen,
			               "-t %s: unknown timeout \"%s\" (tcp, "
			               "tcp.rst, tcp.fin, udp, icmp, general, "
			               "maxlife, expint)",
			               arg, item);
			return -1;
		}
		/* at most ~136 years in ns fits easily; cap at 1 year */
		if (cfg_parse_u32(eq + 1, i == CFG_TO_EXPINT ? 1 : 0,
		                  366U * 86400U, &secs) != 0) {
			(void)snprintf(err, errlen,
			               "-t %s: bad seconds \"%s\" for %s", arg,
			               eq + 1, item);
			return -1;
		}
		cfg->timeouts_s[i] = secs;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static void
usage(FILE *f)
{
	(void)fprintf(
	    f,
	    "Usage: tapflow [options] [bpf filter expression]\n"
	    "Capture:\n"
	    "  -i, --interface [IDX:]IFACE   capture live (repeatable)\n"
	    "  -r, --read FILE          replay a pcap/pcapng file, - = stdin "
	    "(repeatable)\n"
	    "  -f, --filter EXPR        BPF filter (or trailing arguments)\n"
	    "  -C, --snaplen BYTES      bytes captured per packet (262144)\n"
	    "  -B, --buffer-size BYTES  kernel capture ring, per worker\n"
	    "      --workers N          live: N capture threads sharing each "
	    "interface (1)\n"
	    "  -N, --no-promisc         do not put the interface in "
	    "promiscuous mode\n"
	    "      --decap              tunnels: the inner packet makes the "
	    "flow\n"
	    "Flows:\n"
	    "  -t, --timeout NAME=SECS  tcp, tcp.rst, tcp.fin, udp, icmp, "
	    "general,\n"
	    "                           maxlife (active), expint (see "
	    "tapflow(8))\n"
	    "      --idle-timeout SECS  every idle timeout at once (15)\n"
	    "      --active-timeout SECS  same as -t maxlife (1800)\n"
	    "  -m, --max-flows N        flows tracked at once (65536)\n"
	    "  -T, --track LEVEL        full|port|proto|ip|vlan|ether (full)\n"
	    "      --track-mpls         the top MPLS label is part of the key\n"
	    "      --link-fields        export MACs, inner VLAN, MPLS labels, "
	    "IPv6 flow label\n"
	    "  -b, --bidirectional      RFC 5103 biflows (IPFIX and JSON)\n"
	    "      --hash-key HEX       fixed flow hash key (tests)\n"
	    "Export:\n"
	    "  -n, --collector HOST:PORT  send flows there (repeatable; "
	    "[v6]:port)\n"
	    "  -v, --export-version V   1, 5, 9, 10 or ipfix (10)\n"
	    "  -P, --transport T        udp, tcp (IPFIX), file (IPFIX)\n"
	    "      --ipfix-file FILE    write IPFIX to FILE (RFC 5655)\n"
	    "  -s, --sampling N         sample 1 packet in N (1)\n"
	    "  -A, --time-format F      milli|micro|nano IPFIX times (milli)\n"
	    "  -L, --hoplimit N         TTL of export packets\n"
	    "      --source-id N        v9 source id / IPFIX observation "
	    "domain\n"
	    "      --engine-type N, --engine-id N   NetFlow v5 engine\n"
	    "      --max-packet BYTES   export packet size (v5 1464, v1 1168, "
	    "v9/IPFIX 1400)\n"
	    "      --template-packets N, --template-secs S  template refresh\n"
	    "  -j, --json FILE          write flows as JSON lines (- = "
	    "stdout)\n"
	    "      --stats FILE         write counters as JSON at exit\n"
	    "Process:\n"
	    "  -d, --foreground         do not daemonise\n"
	    "  -D, --debug              foreground and verbose\n"
	    "  -p, --pidfile FILE       pid file\n"
	    "  -c, --control PATH       control socket\n"
	    "  -u, --user USER          drop root to USER after opening\n"
	    "      --chroot DIR         chroot there after opening\n"
	    "  -q, --quiet              errors only; --verbose more\n"
	    "      --no-progress        no progress bar on a terminal\n"
	    "  -h, --help, -V, --version\n"
	    "Accepted for softflowd compatibility: -6 -a (always on), -l, "
	    "-S IFACE, -x N.\n");
}

enum {
	OPT_DECAP = 256,
	OPT_IDLE,
	OPT_ACTIVE,
	OPT_HASH_KEY,
	OPT_IPFIX_FILE,
	OPT_SOURCE_ID,
	OPT_ENGINE_TYPE,
	OPT_ENGINE_ID,
	OPT_MAX_PACKET,
	OPT_TMPL_PACKETS,
	OPT_TMPL_SECS,
	OPT_STATS,
	OPT_CHROOT,
	OPT_VERBOSE,
	OPT_NO_PROGRESS,
	OPT_PACE,
	OPT_WORKERS,
	OPT_TRACK_MPLS,
	OPT_LINK_FIELDS,
};

static const struct option long_opts[] = {
    {"interface", required_argument, NULL, 'i'},
    {"read", required_argument, NULL, 'r'},
    {"filter", required_argument, NULL, 'f'},
    {"snaplen", required_argument, NULL, 'C'},
    {"buffer-size", required_argument, NULL, 'B'},
    {"no-promisc", no_argument, NULL, 'N'},
    {"decap", no_argument, NULL, OPT_DECAP},
    {"track-mpls", no_argument, NULL, OPT_TRACK_MPLS},
    {"link-fields", no_argument, NULL, OPT_LINK_FIELDS},
    {"timeout", required_argument, NULL, 't'},
    {"idle-timeout", required_argument, NULL, OPT_IDLE},
    {"active-timeout", required_argument, NULL, OPT_ACTIVE},
    {"max-flows", required_argument, NULL, 'm'},
    {"track", required_argument, NULL, 'T'},
    {"hash-key", required_argument, NULL, OPT_HASH_KEY},
    {"collector", required_argument, NULL, 'n'},
    {"export-version", required_argument, NULL, 'v'},
    {"transport", required_argument, NULL, 'P'},
    {"ipfix-file", required_argument, NULL, OPT_IPFIX_FILE},
    {"sampling", required_argument, NULL, 's'},
    {"time-format", required_argument, NULL, 'A'},
    {"hoplimit", required_argument, NULL, 'L'},
    {"source-id", required_argument, NULL, OPT_SOURCE_ID},
    {"engine-type", required_argument, NULL, OPT_ENGINE_TYPE},
    {"engine-id", required_argument, NULL, OPT_ENGINE_ID},
    {"max-packet", required_argument, NULL, OPT_MAX_PACKET},
    {"template-packets", required_argument, NULL, OPT_TMPL_PACKETS},
    {"template-secs", required_argument, NULL, OPT_TMPL_SECS},
    {"pace-us", required_argument, NULL, OPT_PACE},
    {"workers", required_argument, NULL, OPT_WORKERS},
    {"json", required_argument, NULL, 'j'},
    {"stats", required_argument, NULL, OPT_STATS},
    {"foreground", no_argument, NULL, 'd'},
    {"debug", no_argument, NULL, 'D'},
    {"pidfile", required_argument, NULL, 'p'},
    {"control", required_argument, NULL, 'c'},
    {"user", required_argument, NULL, 'u'},
    {"chroot", required_argument, NULL, OPT_CHROOT},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, OPT_VERBOSE},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"bidirectional", no_argument, NULL, 'b'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

#define SHORT_OPTS "+i:r:f:C:B:Nt:m:T:n:v:P:s:A:L:j:dDp:c:u:qbhV6alS:x:R:"

static int
bad_value(char *err, size_t errlen, const char *opt, const char *val,
          const char *want)
{
	(void)snprintf(err, errlen, "%s %s: %s", opt, val, want);
	return -1;
}

static int
parse_iface(struct config *cfg, const char *arg, char *err, size_t errlen)
{
	struct cfg_iface *ifc;
	const char *colon = strchr(arg, ':');
	const char *name = arg;
	uint32_t idx = (uint32_t)cfg->n_ifaces + 1;

	if (cfg->n_ifaces >= CFG_MAX_IFACES)
		return bad_value(err, errlen, "-i", arg, "too many interfaces");
	if (colon != NULL && colon > arg && arg[0] >= '0' && arg[0] <= '9') {
		char num[16];

		if ((size_t)(colon - arg) >= sizeof(num))
			return bad_value(err, errlen, "-i", arg,
			                 "bad interface index");
		memcpy(num, arg, (size_t)(colon - arg));
		num[colon - arg] = '\0';
		if (cfg_parse_u32(num, 0, UINT32_MAX, &idx) != 0)
			return bad_value(err, errlen, "-i", arg,
			                 "bad interface index");
		name = colon + 1;
	}
	ifc = &cfg->ifaces[cfg->n_ifaces];
	if (copy_str(ifc->name, sizeof(ifc->name), name, strlen(name)) != 0)
		return bad_value(err, errlen, "-i", arg, "bad interface name");
	ifc->ifindex = idx;
	cfg->n_ifaces++;
	return 0;
}

static int
parse_hex_key(struct config *cfg, const char *arg, char *err, size_t errlen)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 16);
	if (errno != 0 || *end != '\0' || end == arg)
		return bad_value(err, errlen, "--hash-key", arg,
		                 "expected a hexadecimal number");
	cfg->hash_key[0] = v;
	cfg->hash_key[1] = v ^ 0x9e3779b97f4a7c15ULL;
	cfg->hash_key_set = true;
	return 0;
}

static int
parse_track(struct config *cfg, const char *arg, char *err, size_t errlen)
{
	cfg->track_vlan = false;
	cfg->track_ether = false;
	if (strcmp(arg, "full") == 0 || strcmp(arg, "port") == 0) {
		cfg->track = 0;
	} else if (strcmp(arg, "proto") == 0) {
		cfg->track = 1;
	} else if (strcmp(arg, "ip") == 0) {
		cfg->track = 2;
	} else if (strcmp(arg, "vlan") == 0) {
		cfg->track = 0;
		cfg->track_vlan = true;
	} else if (strcmp(arg, "ether") == 0) {
		/* softflowd's "ether": the full key, VLAN and MACs */
		cfg->track = 0;
		cfg->track_vlan = true;
		cfg->track_ether = true;
	} else {
		return bad_value(err, errlen, "-T", arg,
		                 "expected full, port, proto, ip, vlan or "
		                 "ether");
	}
	return 0;
}

static int
parse_u32_opt(const char *opt, const char *arg, uint32_t min, uint32_t max,
              uint32_t *out, char *err, size_t errlen)
{
	char want[96];

	if (cfg_parse_u32(arg, min, max, out) == 0)
		return 0;
	(void)snprintf(want, sizeof(want), "expected a number from %u to %u",
	               min, max);
	return bad_value(err, errlen, opt, arg, want);
}

static int
join_filter(struct config *cfg, int argc, char **argv, int first)
{
	size_t len = 0;
	int i;

	for (i = first; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (len == 0)
		return 0;
	free(cfg->filter);
	cfg->filter = malloc(len);
	if (cfg->filter == NULL)
		return -1;
	cfg->filter[0] = '\0';
	for (i = first; i < argc; i++) {
		if (i > first)
			(void)strncat(cfg->filter, " ",
			              len - strlen(cfg->filter) - 1);
		(void)strncat(cfg->filter, argv[i],
		              len - strlen(cfg->filter) - 1);
	}
	return 0;
}

/* One option; 0 handled, 1 exit 0 (help/version), -1 error. */
static int
apply_opt(struct config *cfg, int c, const char *arg, char *err, size_t errlen)
{
	uint32_t v;

	switch (c) {
	case 'i':
		return parse_iface(cfg, arg, err, errlen);
	case 'r':
		if (cfg->n_files >= CFG_MAX_FILES)
			return bad_value(err, errlen, "-r", arg,
			                 "too many files");
		cfg->files[cfg->n_files++] = arg;
		return 0;
	case 'f':
		free(cfg->filter);
		cfg->filter = strdup(arg);
		return cfg->filter != NULL ? 0 : -1;
	case 'C':
		if (parse_u32_opt("-C", arg, 64, 262144, &v, err, errlen) != 0)
			return -1;
		cfg->snaplen = (int)v;
		return 0;
	case 'B':
		if (parse_u32_opt("-B", arg, 65536, 1U << 30, &v, err,
		                  errlen) != 0)
			return -1;
		cfg->buffer_bytes = (int)v;
		return 0;
	case 'N':
		cfg->promisc = false;
		return 0;
	case OPT_DECAP:
		cfg->decap = true;
		return 0;
	case OPT_TRACK_MPLS:
		cfg->track_mpls = true;
		return 0;
	case OPT_LINK_FIELDS:
		cfg->link_fields = true;
		return 0;
	case 't':
		return cfg_parse_timeout(cfg, arg, err, errlen);
	case OPT_IDLE:
		if (parse_u32_opt("--idle-timeout", arg, 0, 366U * 86400U, &v,
		                  err, errlen) != 0)
			return -1;
		cfg->timeouts_s[CFG_TO_TCP] = v;
		cfg->timeouts_s[CFG_TO_UDP] = v;
		cfg->timeouts_s[CFG_TO_ICMP] = v;
		cfg->timeouts_s[CFG_TO_GENERAL] = v;
		return 0;
	case OPT_ACTIVE:
		return parse_u32_opt("--active-timeout", arg, 0, 366U * 86400U,
		                     &cfg->timeouts_s[CFG_TO_MAXLIFE], err,
		                     errlen);
	case 'm':
		return parse_u32_opt("-m", arg, 1, 1U << 28, &cfg->max_flows,
		                     err, errlen);
	case 'T':
		return parse_track(cfg, arg, err, errlen);
	case OPT_HASH_KEY:
		return parse_hex_key(cfg, arg, err, errlen);
	case 'n': {
		struct cfg_collector *cc;
		char e[CFG_ERR_LEN];

		if (cfg->n_coll >= CFG_MAX_COLLECTORS)
			return bad_value(err, errlen, "-n", arg,
			                 "too many collectors");
		cc = &cfg->coll[cfg->n_coll];
		if (cfg_parse_hostport(arg, cc->host, sizeof(cc->host),
		                       cc->port, sizeof(cc->port), e,
		                       sizeof(e)) != 0) {
			(void)snprintf(err, errlen, "-n %s", e);
			return -1;
		}
		cfg->n_coll++;
		return 0;
	}
	case 'v':
		if (strcmp(arg, "ipfix") == 0 || strcmp(arg, "IPFIX") == 0) {
			cfg->version = 10;
			return 0;
		}
		if (cfg_parse_u32(arg, 1, 10, &v) != 0 ||
		    (v != 1 && v != 5 && v != 9 && v != 10))
			return bad_value(err, errlen, "-v", arg,
			                 "expected 1, 5, 9, 10 or ipfix");
		cfg->version = (int)v;
		return 0;
	case 'P':
		if (strcmp(arg, "udp") == 0)
			cfg->transport = 0;
		else if (strcmp(arg, "tcp") == 0)
			cfg->transport = 1;
		else if (strcmp(arg, "file") == 0)
			cfg->transport = 2;
		else
			return bad_value(err, errlen, "-P", arg,
			                 "expected udp, tcp or file");
		return 0;
	case OPT_IPFIX_FILE:
		cfg->ipfix_file = arg;
		cfg->transport = 2;
		return 0;
	case 's':
		return parse_u32_opt("-s", arg, 1, 16383, &cfg->sampling, err,
		                     errlen);
	case 'A':
		if (strcmp(arg, "milli") == 0 || strcmp(arg, "sec") == 0)
			cfg->time_unit = 0;
		else if (strcmp(arg, "micro") == 0)
			cfg->time_unit = 1;
		else if (strcmp(arg, "nano") == 0)
			cfg->time_unit = 2;
		else
			return bad_value(err, errlen, "-A", arg,
			                 "expected milli, micro or nano");
		return 0;
	case 'L':
		if (parse_u32_opt("-L", arg, 1, 255, &v, err, errlen) != 0)
			return -1;
		cfg->hoplimit = (int)v;
		return 0;
	case OPT_SOURCE_ID:
		return parse_u32_opt("--source-id", arg, 0, UINT32_MAX,
		                     &cfg->source_id, err, errlen);
	case OPT_ENGINE_TYPE:
		if (parse_u32_opt("--engine-type", arg, 0, 255, &v, err,
		                  errlen) != 0)
			return -1;
		cfg->engine_type = (uint8_t)v;
		return 0;
	case OPT_ENGINE_ID:
		if (parse_u32_opt("--engine-id", arg, 0, 255, &v, err,
		                  errlen) != 0)
			return -1;
		cfg->engine_id = (uint8_t)v;
		return 0;
	case OPT_MAX_PACKET:
		return parse_u32_opt("--max-packet", arg, 256, 65000,
		                     &cfg->max_packet, err, errlen);
	case OPT_TMPL_PACKETS:
		return parse_u32_opt("--template-packets", arg, 1, 1000000,
		                     &cfg->tmpl_refresh_packets, err, errlen);
	case OPT_TMPL_SECS:
		return parse_u32_opt("--template-secs", arg, 1, 86400,
		                     &cfg->tmpl_refresh_secs, err, errlen);
	case OPT_PACE:
		return parse_u32_opt("--pace-us", arg, 0, 1000000,
		                     &cfg->pace_us, err, errlen);
	case OPT_WORKERS:
		if (parse_u32_opt("--workers", arg, 1, CFG_MAX_WORKERS, &v, err,
		                  errlen) != 0)
			return -1;
		cfg->workers = (int)v;
		return 0;
	case 'j':
		cfg->json_path = arg;
		return 0;
	case OPT_STATS:
		cfg->stats_path = arg;
		return 0;
	case 'd':
		cfg->foreground = true;
		return 0;
	case 'D':
		cfg->foreground = true;
		cfg->verbosity = LOG_LVL_DEBUG;
		return 0;
	case 'p':
		cfg->pidfile = arg;
		return 0;
	case 'c':
		cfg->ctlsock = arg;
		return 0;
	case 'u':
		cfg->user = arg;
		return 0;
	case OPT_CHROOT:
		cfg->chroot_dir = arg;
		return 0;
	case 'q':
		cfg->verbosity = LOG_LVL_ERR;
		return 0;
	case OPT_VERBOSE:
		if (cfg->verbosity < LOG_LVL_DEBUG)
			cfg->verbosity++;
		return 0;
	case OPT_NO_PROGRESS:
		cfg->progress = false;
		return 0;
	case 'b':
		cfg->bidirectional = true;
		return 0;
	case '6': /* IPv6 flows are always tracked */
	case 'a': /* replay time always comes from the packets */
	case 'l': /* each collector gets every flow */
	case 'S': /* accepted for softflowd command lines */
	case 'x':
		return 0;
	case 'R':
		return bad_value(err, errlen, "-R", arg,
		                 "PSAMP receive mode is not supported");
	case 'h':
		usage(stdout);
		return 1;
	case 'V':
		(void)printf("tapflow %s\n", TAPFLOW_VERSION);
		return 1;
	default:
		return -1;
	}
}

int
cfg_parse(struct config *cfg, int argc, char **argv, char *err, size_t errlen)
{
	int c, rc;

	opterr = 0;
	optind = 0; /* 0: glibc also resets its internal state */
	while ((c = getopt_long(argc, argv, SHORT_OPTS, long_opts, NULL)) !=
	       -1) {
		if (c == '?' || c == ':') {
			const char *bad = optind >= 1 && optind <= argc
			                      ? argv[optind - 1]
			                      : "?";

			if (strncmp(bad, "--", 2) == 0)
				(void)snprintf(err, errlen,
				               "%s: %s (see tapflow --help)",
				               bad,
				               optopt != 0 ? "missing value"
				                           : "unknown option");
			else if (optopt > 0 && optopt < 256)
				(void)snprintf(
				    err, errlen, "-%c: %s (see tapflow --help)",
				    optopt,
				    c == ':' || strchr(SHORT_OPTS, optopt)
				        ? "missing value"
				        : "unknown option");
			else
				(void)snprintf(
				    err, errlen,
				    "%s: unknown option (see tapflow "
				    "--help)",
				    bad);
			return -1;
		}
		rc = apply_opt(cfg, c, optarg, err, errlen);
		if (rc != 0) {
			if (rc < 0 && err[0] == '\0')
				(void)snprintf(err, errlen, "out of memory");
			return rc;
		}
	}
	if (optind < argc) {
		if (cfg->filter != NULL) {
			(void)snprintf(err, errlen,
			               "%s: a filter was given with -f already",
			               argv[optind]);
			return -1;
		}
		if (join_filter(cfg, argc, argv, optind) != 0) {
			(void)snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (cfg->n_files == 0 && cfg->n_ifaces == 0) {
		(void)snprintf(err, errlen,
		               "nothing to read: give -r FILE or -i IFACE "
		               "(see tapflow --help)");
		return -1;
	}
	if (cfg->n_files > 0 && cfg->n_ifaces > 0) {
		(void)snprintf(err, errlen, "-r and -i cannot be combined");
		return -1;
	}
	if (cfg->workers > 1 && cfg->n_ifaces == 0) {
		(void)snprintf(err, errlen,
		               "--workers %d: only live capture (-i) has "
		               "workers",
		               cfg->workers);
		return -1;
	}
	if (cfg->transport != 0 && cfg->version != 10) {
		(void)snprintf(
		    err, errlen,
		    "-P %s: only IPFIX (-v 10) goes over TCP or to a "
		    "file",
		    cfg->transport == 1 ? "tcp" : "file");
		return -1;
	}
	if (cfg->transport == 2 && cfg->ipfix_file == NULL) {
		(void)snprintf(err, errlen, "-P file needs --ipfix-file FILE");
		return -1;
	}
	if (cfg->bidirectional && cfg->version != 10) {
		(void)snprintf(err, errlen,
		               "-b: NetFlow v%d records have one direction; "
		               "biflows need IPFIX (-v 10) or JSON (-j)",
		               cfg->version);
		return -1;
	}
	return 0;
}
