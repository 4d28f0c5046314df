/*
 * tapflowctl: send one command to a running tapflow over its control
 * socket (-c PATH) and print the JSON reply, as is (--json) or readable:
 * "key: value" lines with nested objects indented, and the flow dump as a
 * table. Exit 0 on success, 1 on a usage error, an unreachable socket or
 * an error reply.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"

#ifndef TAPFLOW_VERSION
#define TAPFLOW_VERSION "0.1.0"
#endif

#define DEFAULT_SOCK     "/run/tapflow.ctl"
#define REPLY_TIMEOUT_MS 10000 /* without a byte from tapflow: give up */
#define REPLY_MAX        (1UL << 30)
#define TABLE_COLS       10
#define CELL_LEN         64

static const char *prog = "tapflowctl";

static void
usage(FILE *f)
{
	int c;

	(void)fprintf(f,
	              "Usage: tapflowctl [-c PATH] [--json] COMMAND\n"
	              "  -c, --control PATH  tapflow's control socket (%s)\n"
	              "  -j, --json          print the reply as JSON\n"
	              "  -h, --help, -V, --version\n"
	              "Commands:",
	              DEFAULT_SOCK);
	for (c = 0; c < CTL_COUNT; c++)
		(void)fprintf(f, " %s", ctl_cmd_name((enum ctl_cmd)c));
	(void)fputs("\nSee tapflowctl(8).\n", f);
}

/* Connect to path; the fd, or -1 after a message that says what to do. */
static int
connect_ctl(const char *path)
{
	struct sockaddr_un sa;
	size_t len = strlen(path);
	int fd;

	if (len == 0 || len >= sizeof(sa.sun_path)) {
		(void)fprintf(stderr, "%s: -c %s: bad socket path\n", prog,
		              path);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, len);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		(void)fprintf(stderr, "%s: socket: %s\n", prog,
		              strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	switch (errno) {
	case ENOENT:
		(void)fprintf(stderr,
		              "%s: %s: no control socket there (is tapflow "
		              "running with -c %s?)\n",
		              prog, path, path);
		break;
	case ECONNREFUSED:
		(void)fprintf(stderr,
		              "%s: %s: connection refused (a stale socket: "
		              "tapflow is not running)\n",
		              prog, path);
		break;
	case EACCES:
	case EPERM:
		(void)fprintf(stderr,
		              "%s: %s: permission denied (the control socket "
		              "is owner-only: run as root)\n",
		              prog, path);
		break;
	default:
		(void)fprintf(stderr, "%s: %s: %s\n", prog, path,
		              strerror(errno));
	}
	(void)close(fd);
	return -1;
}

/*
 * Send the command and read the reply up to its newline (or EOF). Returns
 * a malloc'd buffer with *len bytes, NUL-terminated, or NULL after a
 * message.
 */
static char *
exchange(int fd, const char *path, const char *cmd, size_t *len)
{
	char line[CTL_MAX_REQUEST + 2];
	size_t n = (size_t)snprintf(line, sizeof(line), "%s\n", cmd);
	size_t cap = 65536, got = 0;
	char *buf;

	if (send(fd, line, n, MSG_NOSIGNAL) != (ssize_t)n) {
		(void)fprintf(stderr, "%s: %s: cannot send: %s\n", prog, path,
		              strerror(errno));
		return NULL;
	}
	buf = malloc(cap);
	if (buf == NULL) {
		(void)fprintf(stderr, "%s: out of memory\n", prog);
		return NULL;
	}
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		if (got + 1 >= cap) {
			char *nb;

			if (cap >= REPLY_MAX) {
				(void)fprintf(stderr,
				              "%s: %s: reply larger than %lu "
				              "bytes\n",
				              prog, path, REPLY_MAX);
				free(buf);
				return NULL;
			}
			nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				(void)fprintf(stderr, "%s: out of memory\n",
				              prog);
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		if (poll(&p, 1, REPLY_TIMEOUT_MS) == 0) {
			(void)fprintf(stderr,
			              "%s: %s: no reply within %d s (tapflow "
			              "busy or stopped?)\n",
			              prog, path, REPLY_TIMEOUT_MS / 1000);
			free(buf);
			return NULL;
		}
		r = read(fd, buf + got, cap - got - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && !(errno == ECONNRESET && got > 0)) {
			(void)fprintf(stderr, "%s: %s: reading the reply: %s\n",
			              prog, path, strerror(errno));
			free(buf);
			return NULL;
		}
		if (r <= 0)
			break;
		if (memchr(buf + got, '\n', (size_t)r) != NULL) {
			got += (size_t)r;
			break;
		}
		got += (size_t)r;
	}
	buf[got] = '\0';
	if (got == 0) {
		(void)fprintf(stderr,
		              "%s: %s: tapflow closed the connection without "
		              "a reply\n",
		              prog, path);
		free(buf);
		return NULL;
	}
	*len = got;
	return buf;
}

/* ---- readable output ---- */

/* A string from the reply, control bytes shown as '?'. */
static void
put_clean(const char *s)
{
	for (; *s != '\0'; s++)
		(void)putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?'
		                                                     : *s);
}

static void
put_scalar(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		put_clean(json_string_value(v));
		break;
	case JSON_INTEGER:
		(void)printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		(void)printf("%g", json_real_value(v));
		break;
	case JSON_TRUE:
		(void)fputs("true", stdout);
		break;
	case JSON_FALSE:
		(void)fputs("false", stdout);
		break;
	default:
		(void)fputs("null", stdout);
		break;
	}
}

static bool
is_container(const json_t *v)
{
	return json_is_object(v) || json_is_array(v);
}

static void print_object(const json_t *o, int indent, bool dash);

/*
 * "key: value", or "key:" and the nested value one level further in. With
 * dash, the member opens a list item: "- key: value" at indent - 2.
 */
static void
print_member(const char *key, const json_t *v, int indent, bool dash)
{
	size_t i;
	const json_t *e;

	if (dash)
		(void)printf("%*s- ", indent - 2, "");
	else
		(void)printf("%*s", indent, "");
	put_clean(key);
	(void)fputc(':', stdout);
	if (!is_container(v)) {
		(void)fputc(' ', stdout);
		put_scalar(v);
		(void)fputc('\n', stdout);
		return;
	}
	if (json_is_object(v)) {
		(void)fputc('\n', stdout);
		print_object(v, indent + 2, false);
		return;
	}
	if (json_array_size(v) == 0) {
		(void)fputs(" (none)\n", stdout);
		return;
	}
	(void)fputc('\n', stdout);
	json_array_foreach(v, i, e)
	{
		if (json_is_object(e) && json_object_size(e) > 0) {
			/* a list item: "- " then its members aligned */
			print_object(e, indent + 4, true);
		} else {
			(void)printf("%*s- ", indent + 2, "");
			put_scalar(e);
			(void)fputc('\n', stdout);
		}
	}
}

/* Every member of o; dash: the first one opens a list item. */
static void
print_object(const json_t *o, int indent, bool dash)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)o, k, v)
	{
		print_member(k, v, indent, dash);
		dash = false;
	}
}

static const char *
proto_name(json_int_t p, char *buf, size_t len)
{
	switch (p) {
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 47:
		return "gre";
	case 50:
		return "esp";
	case 58:
		return "icmp6";
	case 132:
		return "sctp";
	default:
		(void)snprintf(buf, len, "%" JSON_INTEGER_FORMAT, p);
		return buf;
	}
}

static json_int_t
get_int(const json_t *f, const char *key)
{
	return json_integer_value(json_object_get(f, key));
}

static const char *
get_str(const json_t *f, const char *k4, const char *k6)
{
	const char *s = json_string_value(json_object_get(f, k4));

	if (s == NULL)
		s = json_string_value(json_object_get(f, k6));
	return s != NULL ? s : "-";
}

/* TCP flags as nfdump shows them: CWR ECE URG ACK PSH RST SYN FIN. */
static void
tcp_flags(json_int_t bits, char *out)
{
	static const char letters[] = "CEUAPRSF";
	int i;

	for (i = 0; i < 8; i++) {
		if (bits & (1 << (7 - i)))
			out[i] = letters[i];
		else
			out[i] = '.';
	}
	out[8] = '\0';
}

static const char *const col_name[TABLE_COLS] = {
    "src",     "dst",    "sport", "dport",       "proto",
    "packets", "octets", "flags", "start (UTC)", "duration",
};

/* The cells of one flow, each at most CELL_LEN - 1 characters. */
static void
flow_cells(const json_t *f, char cell[TABLE_COLS][CELL_LEN])
{
	json_int_t start = get_int(f, "flowStartMilliseconds");
	json_int_t end = get_int(f, "flowEndMilliseconds");
	json_int_t proto = get_int(f, "protocolIdentifier");
	time_t secs = (time_t)(start / 1000);
	struct tm tm;
	char pbuf[24], tbuf[32];
	int c;

	(void)snprintf(cell[0], CELL_LEN, "%s",
	               get_str(f, "sourceIPv4Address", "sourceIPv6Address"));
	(void)snprintf(
	    cell[1], CELL_LEN, "%s",
	    get_str(f, "destinationIPv4Address", "destinationIPv6Address"));
	(void)snprintf(cell[2], CELL_LEN, "%" JSON_INTEGER_FORMAT,
	               get_int(f, "sourceTransportPort"));
	(void)snprintf(cell[3], CELL_LEN, "%" JSON_INTEGER_FORMAT,
	               get_int(f, "destinationTransportPort"));
	(void)snprintf(cell[4], CELL_LEN, "%s",
	               proto_name(proto, pbuf, sizeof(pbuf)));
	(void)snprintf(cell[5], CELL_LEN, "%" JSON_INTEGER_FORMAT,
	               get_int(f, "packetDeltaCount"));
	(void)snprintf(cell[6], CELL_LEN, "%" JSON_INTEGER_FORMAT,
	               get_int(f, "octetDeltaCount"));
	if (proto == 6)
		tcp_flags(get_int(f, "tcpControlBits"), cell[7]);
	else
		(void)snprintf(cell[7], CELL_LEN, "-");
	if (gmtime_r(&secs, &tm) != NULL &&
	    strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M:%S", &tm) > 0)
		(void)snprintf(cell[8], CELL_LEN, "%s.%03d", tbuf,
		               (int)(start % 1000));
	else
		(void)snprintf(cell[8], CELL_LEN, "-");
	(void)snprintf(cell[9], CELL_LEN, "%.3f",
	               end >= start ? (double)(end - start) / 1000.0 : 0.0);
	for (c = 0; c < TABLE_COLS; c++) /* no terminal escapes */
		for (char *p = cell[c]; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
}

/* Addresses, protocol, flags and time read left to right; numbers right. */
static bool
left_aligned(int col)
{
	return col < 2 || col == 4 || col == 7 || col == 8;
}

static void
print_flows(const json_t *flows)
{
	char cell[TABLE_COLS][CELL_LEN];
	size_t width[TABLE_COLS], i;
	const json_t *f;
	int c;

	for (c = 0; c < TABLE_COLS; c++)
		width[c] = strlen(col_name[c]);
	json_array_foreach(flows, i, f)
	{
		flow_cells(f, cell);
		for (c = 0; c < TABLE_COLS; c++)
			if (strlen(cell[c]) > width[c])
				width[c] = strlen(cell[c]);
	}
	for (c = 0; c < TABLE_COLS; c++) /* text left, numbers right */
		(void)printf(left_aligned(c) ? "%-*s%s" : "%*s%s",
		             (int)width[c], col_name[c],
		             c + 1 < TABLE_COLS ? "  " : "\n");
	json_array_foreach(flows, i, f)
	{
		flow_cells(f, cell);
		for (c = 0; c < TABLE_COLS; c++)
			(void)printf(left_aligned(c) ? "%-*s%s" : "%*s%s",
			             (int)width[c], cell[c],
			             c + 1 < TABLE_COLS ? "  " : "\n");
	}
	(void)printf("%zu flow%s\n", json_array_size(flows),
	             json_array_size(flows) == 1 ? "" : "s");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"control", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *path = DEFAULT_SOCK, *cmd_word;
	enum ctl_cmd cmd;
	bool as_json = false;
	json_error_t je;
	json_t *reply, *e;
	size_t len;
	char *raw;
	int c, fd, rc = 0;

	while ((c = getopt_long(argc, argv, "+c:jhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'j':
			as_json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			(void)printf("tapflowctl %s\n", TAPFLOW_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc - 1) {
		(void)fprintf(stderr, "%s: %s\n", prog,
		              optind >= argc ? "no command given"
		                             : "one command at a time");
		usage(stderr);
		return 1;
	}
	cmd_word = argv[optind];
	if (ctl_parse_request(cmd_word, strlen(cmd_word), &cmd) != 0) {
		(void)fprintf(stderr, "%s: unknown command \"%s\"\n", prog,
		              cmd_word);
		usage(stderr);
		return 1;
	}
	fd = connect_ctl(path);
	if (fd < 0)
		return 1;
	raw = exchange(fd, path, ctl_cmd_name(cmd), &len);
	(void)close(fd);
	if (raw == NULL)
		return 1;
	reply = json_loadb(raw, len, JSON_DISABLE_EOF_CHECK, &je);
	if (reply == NULL || !json_is_object(reply)) {
		(void)fprintf(stderr,
		              "%s: %s: reply is not a JSON object: %s\n", prog,
		              path, reply == NULL ? je.text : "");
		json_decref(reply);
		free(raw);
		return 1;
	}
	e = json_object_get(reply, "error");
	if (e != NULL) {
		(void)fprintf(stderr, "%s: %s: %s\n", prog, ctl_cmd_name(cmd),
		              json_is_string(e) ? json_string_value(e)
		                                : "error");
		rc = 1;
	}
	if (as_json) {
		(void)fputs(raw, stdout);
		if (raw[len - 1] != '\n')
			(void)fputc('\n', stdout);
	} else if (rc == 0) {
		const json_t *flows = json_object_get(reply, "flows");

		if (cmd == CTL_DUMP_FLOWS && json_is_array(flows))
			print_flows(flows);
		else
			print_object(reply, 0, false);
	}
	json_decref(reply);
	free(raw);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		(void)fprintf(stderr, "%s: writing the output: %s\n", prog,
		              strerror(errno));
		return 1;
	}
	return rc;
}
