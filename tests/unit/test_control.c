/*
 * The control socket: the request parser against every command word and
 * hostile input, then the server end to end over a real UNIX socket in a
 * temporary directory (mode, stale and live sockets, replies, slow and
 * oversized clients).
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../probe/control.h"

/* The words softflowctl(8) documents, plus ours, in enum order. */
static const struct {
	const char *word;
	enum ctl_cmd cmd;
} words[] = {
    {"statistics", CTL_STATISTICS}, {"dump-flows", CTL_DUMP_FLOWS},
    {"expire-all", CTL_EXPIRE_ALL}, {"delete-all", CTL_DELETE_ALL},
    {"timeouts", CTL_TIMEOUTS},     {"debug+", CTL_DEBUG_UP},
    {"debug-", CTL_DEBUG_DOWN},     {"shutdown", CTL_SHUTDOWN},
    {"exporters", CTL_EXPORTERS},
};
#define N_WORDS (int)(sizeof(words) / sizeof(words[0]))

/* Parse a copy in a heap buffer of exactly len bytes (ASan sees over-reads). */
static int
parse_exact(const char *s, size_t len, enum ctl_cmd *cmd)
{
	char *b = malloc(len > 0 ? len : 1);
	int rc;

	ck_assert_ptr_nonnull(b);
	memcpy(b, s, len);
	rc = ctl_parse_request(b, len, cmd);
	free(b);
	return rc;
}

START_TEST(parse_every_command)
{
	enum ctl_cmd cmd = CTL_COUNT;
	char line[64];

	ck_assert_int_eq(
	    parse_exact(words[_i].word, strlen(words[_i].word), &cmd), 0);
	ck_assert_int_eq(cmd, words[_i].cmd);
	(void)snprintf(line, sizeof(line), " \t%s\r\n", words[_i].word);
	cmd = CTL_COUNT;
	ck_assert_int_eq(parse_exact(line, strlen(line), &cmd), 0);
	ck_assert_int_eq(cmd, words[_i].cmd);
	ck_assert_str_eq(ctl_cmd_name(words[_i].cmd), words[_i].word);
}
END_TEST

START_TEST(parse_enum_covered)
{
	/* every enum value has a word in the table above */
	ck_assert_int_eq(N_WORDS, CTL_COUNT);
	ck_assert_str_eq(ctl_cmd_name(CTL_COUNT), "?");
	ck_assert_str_eq(ctl_cmd_name((enum ctl_cmd) - 1), "?");
}
END_TEST

/* Requests that must be refused, with their lengths (NULs inside). */
static const struct {
	const char *s;
	size_t len;
} bad[] = {
    {"", 0},
    {"   ", 3},
    {"\r\n", 2},
    {"stats", 5},
    {"STATISTICS", 10},
    {"Statistics", 10},
    {"statistic", 9},
    {"statisticss", 11},
    {"statistics extra", 16},
    {"statistics\0", 11},
    {"stat\0istics", 11},
    {"\0statistics", 11},
    {"statistics\0\n", 12},
    {"statistics\v", 11},
    {"\x1b[Astatistics", 13},
    {"statistics\xff", 11},
    {"st\xc3\xa4tistics", 12},
    {"exit", 4}, /* softflowctl's, not ours: no export */
    {"debug", 5},
    {"debug++", 7},
    {"dump-flows\nstatistics", 21},
    {"help", 4},
};

START_TEST(parse_garbage)
{
	enum ctl_cmd cmd = CTL_COUNT;

	ck_assert_int_eq(parse_exact(bad[_i].s, bad[_i].len, &cmd), -1);
	ck_assert_int_eq(cmd, CTL_COUNT); /* untouched */
}
END_TEST

START_TEST(parse_size_limit)
{
	char big[CTL_MAX_REQUEST + 2];
	enum ctl_cmd cmd = CTL_COUNT;

	/* "shutdown" padded with blanks to exactly the limit: accepted */
	memset(big, ' ', sizeof(big));
	memcpy(big + 10, "shutdown", 8);
	ck_assert_int_eq(parse_exact(big, CTL_MAX_REQUEST, &cmd), 0);
	ck_assert_int_eq(cmd, CTL_SHUTDOWN);
	/* one byte more: refused though the word is fine */
	cmd = CTL_COUNT;
	ck_assert_int_eq(parse_exact(big, CTL_MAX_REQUEST + 1, &cmd), -1);
	ck_assert_int_eq(cmd, CTL_COUNT);
	ck_assert_int_eq(ctl_parse_request(NULL, 0, &cmd), -1);
}
END_TEST

/* Every prefix of every word is refused, except the word itself. */
START_TEST(parse_prefixes)
{
	const char *w = words[_i].word;
	size_t n;
	enum ctl_cmd cmd;

	for (n = 0; n < strlen(w); n++)
		ck_assert_int_eq(parse_exact(w, n, &cmd), -1);
}
END_TEST

/* ---- the server over a real socket ---- */

static char tmpdir[64];
static char sock_path[96];

static void
setup_dir(void)
{
	(void)snprintf(tmpdir, sizeof(tmpdir), "/tmp/tf_ctl_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	(void)snprintf(sock_path, sizeof(sock_path), "%s/ctl.sock", tmpdir);
}

static void
teardown_dir(void)
{
	char p[160];

	(void)unlink(sock_path);
	(void)snprintf(p, sizeof(p), "%s/file", tmpdir);
	(void)unlink(p);
	(void)rmdir(tmpdir);
}

struct test_ctx {
	int calls;
	enum ctl_cmd last;
	bool return_null;
	int n_big; /* dump-flows: this many flow objects */
};

static json_t *
test_handler(void *ctx, enum ctl_cmd cmd)
{
	struct test_ctx *t = ctx;
	json_t *arr;
	int i;

	t->calls++;
	t->last = cmd;
	if (t->return_null)
		return NULL;
	if (cmd == CTL_DUMP_FLOWS) {
		arr = json_array();
		for (i = 0; i < t->n_big; i++)
			(void)json_array_append_new(
			    arr, json_pack("{s:i, s:s}", "i", i,
			                   "sourceIPv4Address", "192.0.2.1"));
		return json_pack("{s:o}", "flows", arr);
	}
	return json_pack("{s:i, s:s}", "answer", 42, "to", "statistics");
}

static int
client_connect(void)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	(void)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static bool last_reset; /* read_all ended on ECONNRESET, not EOF */

/* Read until EOF into a malloc'd, NUL-terminated buffer. */
static char *
read_all(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	ssize_t r;

	ck_assert_ptr_nonnull(b);
	last_reset = false;
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			b = realloc(b, cap);
			ck_assert_ptr_nonnull(b);
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		/* the server closed with our bytes unread: reset, not EOF */
		if (r < 0 && errno == ECONNRESET) {
			last_reset = true;
			break;
		}
		ck_assert_int_ge(r, 0);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*len = n;
	return b;
}

/*
 * Send req (len bytes) on a new connection, let the server answer it, and
 * return the reply parsed; checks it is one object and a final newline.
 */
static json_t *
round_trip(struct ctl_server *cs, struct test_ctx *t, const char *req,
           size_t len, bool shut)
{
	int fd = client_connect();
	size_t rlen;
	char *raw;
	json_t *o;
	json_error_t je;

	ck_assert_int_eq(write(fd, req, len), (ssize_t)len);
	if (shut)
		ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
	ctl_service(cs, test_handler, t);
	raw = read_all(fd, &rlen);
	(void)close(fd);
	ck_assert_msg(!last_reset, "connection reset instead of closed");
	ck_assert_uint_gt(rlen, 1);
	ck_assert_int_eq(raw[rlen - 1], '\n');
	ck_assert_ptr_null(memchr(raw, '\n', rlen - 1)); /* one line */
	o = json_loadb(raw, rlen, 0, &je);
	ck_assert_msg(o != NULL, "reply not JSON: %s (%s)", raw, je.text);
	ck_assert(json_is_object(o));
	free(raw);
	return o;
}

START_TEST(server_socket_mode)
{
	char err[256] = "";
	struct ctl_server *cs;
	struct stat st;
	mode_t old = umask(0); /* the server must not rely on our umask */

	setup_dir();
	cs = ctl_open(sock_path, err, sizeof(err));
	(void)umask(old);
	ck_assert_msg(cs != NULL, "%s", err);
	ck_assert_int_ge(ctl_fd(cs), 0);
	ck_assert_int_eq(lstat(sock_path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(st.st_uid, geteuid());
	ctl_close(cs);
	ck_assert_int_eq(lstat(sock_path, &st), -1); /* unlinked */
	ck_assert_int_eq(errno, ENOENT);
	teardown_dir();
}
END_TEST

START_TEST(server_statistics)
{
	char err[256] = "";
	struct test_ctx t = {0};
	struct ctl_server *cs;
	json_t *o;

	setup_dir();
	cs = ctl_open(sock_path, err, sizeof(err));
	ck_assert_msg(cs != NULL, "%s", err);
	o = round_trip(cs, &t, "statistics\n", 11, false);
	ck_assert_int_eq(t.calls, 1);
	ck_assert_int_eq(t.last, CTL_STATISTICS);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "answer")), 42);
	ck_assert_str_eq(json_string_value(json_object_get(o, "to")),
	                 "statistics");
	json_decref(o);
	/* no newline, write side shut down (printf cmd | socat) */
	o = round_trip(cs, &t, "  expire-all", 12, true);
	ck_assert_int_eq(t.calls, 2);
	ck_assert_int_eq(t.last, CTL_EXPIRE_ALL);
	json_decref(o);
	/* CRLF from a telnet-like client, trailing bytes after the line */
	o = round_trip(cs, &t, "debug-\r\nignored", 15, true);
	ck_assert_int_eq(t.calls, 3);
	ck_assert_int_eq(t.last, CTL_DEBUG_DOWN);
	json_decref(o);
	ctl_close(cs);
	teardown_dir();
}
END_TEST

START_TEST(server_unknown)
{
	char err[256] = "";
	struct test_ctx t = {0};
	struct ctl_server *cs;
	json_t *o;

	setup_dir();
	cs = ctl_open(sock_path, err, sizeof(err));
	ck_assert_msg(cs != NULL, "%s", err);
	o = round_trip(cs, &t, "xyz\n", 4, false);
	ck_assert_int_eq(t.calls, 0);
	ck_assert_str_eq(json_string_value(json_object_get(o, "error")),
	                 "unknown command \"xyz\"");
	ck_assert_int_eq(json_array_size(json_object_get(o, "commands")),
	                 CTL_COUNT);
	json_decref(o);
	/* control and 8-bit bytes are not echoed raw (the reply stays JSON) */
	o = round_trip(cs, &t, "a\x01\xff\0b\n", 6, false);
	ck_assert_int_eq(t.calls, 0);
	ck_assert_str_eq(json_string_value(json_object_get(o, "error")),
	                 "unknown command \"a???b\"");
	json_decref(o);
	o = round_trip(cs, &t, "\n", 1, false);
	ck_assert_str_eq(json_string_value(json_object_get(o, "error")),
	                 "empty request");
	json_decref(o);
	o = round_trip(cs, &t, "", 0, true);
	ck_assert_str_eq(json_string_value(json_object_get(o, "error")),
	                 "empty request");
	json_decref(o);
	ck_assert_int_eq(t.calls, 0);
	ctl_close(cs);
	teardown_dir();
}
END_TEST

START_TEST(server_oversized)
{
	char err[256] = "", big[1000];
	struct test_ctx t = {0};
	struct ctl_server *cs;
	json_t *o;

	setup_dir();
	cs = ctl_open(sock_path, err, sizeof(err));
	ck_assert_msg(cs != NULL, "%s", err);
	memset(big, 'a', sizeof(big));
	o = round_trip(cs, &t, big, sizeof(big), true);
	ck_assert_int_eq(t.calls, 0);
	ck_assert_str_eq(json_string_value(json_object_get(o, "error")),
	                 "request too long (more than 256 bytes)");
	json_decref(o);
	/* a valid word padded to 257 bytes before the newline: too long */
	memset(big, ' ', sizeof(big));
	memcpy(big, "statistics", 10);
	big[CTL_MAX_REQUEST + 1] = '\n';
	o = round_trip(cs, &t, big, CTL_MAX_REQUEST + 2, false);
	ck_assert_int_eq(t.calls, 0);
	ck_assert_ptr_nonnull(json_object_get(o, "error"));
	json_decref(o);
	/* exactly at the limit: answered */
	big[CTL_MAX_REQUEST] = '\n';
	o = round_trip(cs, &t, big, CTL_MAX_REQUEST + 1, false);
	ck_assert_int_eq(t.calls, 1);
	ck_assert_ptr_null(json_object_get(o, "error"));
	json_decref(o);
	ctl_close(cs);
	teardown_dir();
}
END_TEST

START_TEST(server_handler_null)
{
	char err[256] = "";
	struct test_ctx t = {.return_null = true};
	struct ctl_server *cs;
	json_t *o;

	setup_dir();
	cs = ctl_open(sock_path, err, sizeof(err));
	ck_assert_msg(cs != NULL, "%s", err);
	o = round_trip(cs, &t, "timeouts\n", 9, false);
	ck_assert_int_eq(t.calls, 1);
	ck_assert_ptr_nonnull(
	    strstr(json_string_value(json_object_get(o, "error")), "internal"));
	json_decref(o);
	ctl_close(cs);
	teardown_dir();
}
END_TEST

static double
now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(server_idle_and_slow)
{
	char err[256] = "";
	struct test_ctx t = {0};
	struct ctl_server *cs;
	double t0, dt;
	int fd;
	size_t n;
	char *raw;

	setup_dir();
	cs = ctl_open(sock_path, err, sizeof(err));
	ck_assert_msg(cs != NULL, "%s", err);
	/* nobody waiting: returns at once */
	t0 = now_s();
	ctl_service(cs, test_handler, &t);
	ck_assert_double_lt(now_s() - t0, 0.02);
	/* a client that connects and says nothing: dropped after the
	 * read timeout, without calling the handler */
	fd = client_connect();
	t0 = now_s();
	ctl_service(cs, test_handler, &t);
	dt = now_s() - t0;
	ck_assert_double_ge(dt, CTL_READ_TIMEOUT_MS / 1000.0 * 0.9);
	ck_assert_double_lt(dt, CTL_READ_TIMEOUT_MS / 1000.0 + 0.2);
	ck_assert_int_eq(t.calls, 0);
	raw = read_all(fd, &n); /* closed by the server */
	ck_assert_uint_eq(n, 0);
	free(raw);
	(void)close(fd);
	/* half a word, then silence: same */
	fd = client_connect();
	ck_assert_int_eq(write(fd, "statis", 6), 6);
	ctl_service(cs, test_handler, &t);
	ck_assert_int_eq(t.calls, 0);
	(void)close(fd);
	ctl_close(cs);
	teardown_dir();
}
END_TEST

START_TEST(server_several_pending)
{
	char err[256] = "";
	struct test_ctx t = {0};
	struct ctl_server *cs;
	int fd[3], i;

	setup_dir();
	cs = ctl_open(sock_path, err, sizeof(err));
	ck_assert_msg(cs != NULL, "%s", err);
	for (i = 0; i < 3; i++) {
		fd[i] = client_connect();
		ck_assert_int_eq(write(fd[i], "exporters\n", 10), 10);
	}
	ctl_service(cs, test_handler, &t); /* one call answers all three */
	ck_assert_int_eq(t.calls, 3);
	for (i = 0; i < 3; i++) {
		size_t n;
		char *raw = read_all(fd[i], &n);

		ck_assert_str_eq(raw,
		                 "{\"answer\":42,\"to\":\"statistics\"}\n");
		free(raw);
		(void)close(fd[i]);
	}
	ctl_close(cs);
	teardown_dir();
}
END_TEST

/* A reply far larger than the socket buffer reaches a reading client. */
START_TEST(server_big_reply)
{
	char err[256] = "";
	struct test_ctx t = {.n_big = 50000};
	struct ctl_server *cs;
	pid_t pid;
	int st;

	setup_dir();
	cs = ctl_open(sock_path, err, sizeof(err));
	ck_assert_msg(cs != NULL, "%s", err);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = client_connect();
		size_t n;
		char *raw;
		json_t *o;

		if (write(fd, "dump-flows\n", 11) != 11)
			_exit(2);
		raw = read_all(fd, &n);
		o = json_loadb(raw, n, 0, NULL);
		if (o == NULL || raw[n - 1] != '\n' ||
		    json_array_size(json_object_get(o, "flows")) != 50000 ||
		    json_integer_value(json_object_get(
		        json_array_get(json_object_get(o, "flows"), 49999),
		        "i")) != 49999)
			_exit(3);
		_exit(0);
	}
	/* wait for the child's connection, then answer it */
	while (t.calls == 0)
		ctl_service(cs, test_handler, &t);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	ctl_close(cs);
	teardown_dir();
}
END_TEST

START_TEST(server_live_refused)
{
	char err[256] = "";
	struct ctl_server *cs, *cs2;
	struct stat st;

	setup_dir();
	cs = ctl_open(sock_path, err, sizeof(err));
	ck_assert_msg(cs != NULL, "%s", err);
	cs2 = ctl_open(sock_path, err, sizeof(err));
	ck_assert_ptr_null(cs2);
	ck_assert_ptr_nonnull(strstr(err, sock_path));
	ck_assert_ptr_nonnull(strstr(err, "already running"));
	/* the first server's socket is untouched */
	ck_assert_int_eq(lstat(sock_path, &st), 0);
	ctl_close(cs);
	teardown_dir();
}
END_TEST

START_TEST(server_stale_removed)
{
	char err[256] = "";
	struct sockaddr_un sa;
	struct test_ctx t = {0};
	struct ctl_server *cs;
	json_t *o;
	int fd;

	setup_dir();
	/* a socket file left by a crashed process: bound, then closed */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	(void)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	(void)close(fd);
	cs = ctl_open(sock_path, err, sizeof(err));
	ck_assert_msg(cs != NULL, "%s", err);
	o = round_trip(cs, &t, "timeouts\n", 9, false);
	ck_assert_int_eq(t.last, CTL_TIMEOUTS);
	json_decref(o);
	ctl_close(cs);
	teardown_dir();
}
END_TEST

START_TEST(server_not_a_socket)
{
	char err[256] = "", p[160];
	struct ctl_server *cs;
	struct stat st;
	FILE *f;

	setup_dir();
	(void)snprintf(p, sizeof(p), "%s/file", tmpdir);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs("precious\n", f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	cs = ctl_open(p, err, sizeof(err));
	ck_assert_ptr_null(cs);
	ck_assert_ptr_nonnull(strstr(err, "not a socket"));
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 9); /* left alone */
	teardown_dir();
}
END_TEST

START_TEST(server_bad_paths)
{
	char err[256] = "", longp[200];
	struct ctl_server *cs;

	cs = ctl_open("", err, sizeof(err));
	ck_assert_ptr_null(cs);
	memset(longp, 'x', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	err[0] = '\0';
	cs = ctl_open(longp, err, sizeof(err));
	ck_assert_ptr_null(cs);
	ck_assert_ptr_nonnull(strstr(err, "path"));
	cs = ctl_open("/nonexistent-dir-tf/ctl", err, sizeof(err));
	ck_assert_ptr_null(cs);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir-tf/ctl"));
	ctl_close(NULL);
}
END_TEST

/* Another user can neither connect (mode 0600) nor, if the mode was
 * loosened, be answered (peer credentials). Needs root to switch. */
START_TEST(server_other_user)
{
	char err[256] = "";
	struct test_ctx t = {0};
	struct ctl_server *cs;
	struct passwd *pw = getpwnam("nobody");
	pid_t pid;
	int st, pass;

	if (geteuid() != 0 || pw == NULL)
		return; /* cannot switch users: nothing to test */
	setup_dir();
	ck_assert_int_eq(chmod(tmpdir, 0755), 0);
	cs = ctl_open(sock_path, err, sizeof(err));
	ck_assert_msg(cs != NULL, "%s", err);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			ck_assert_int_eq(chmod(sock_path, 0666), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			struct sockaddr_un sa;
			int fd = socket(AF_UNIX, SOCK_STREAM, 0);
			size_t n;
			char *raw;

			if (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
				_exit(10);
			memset(&sa, 0, sizeof(sa));
			sa.sun_family = AF_UNIX;
			(void)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s",
			               sock_path);
			if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) !=
			    0)
				_exit(errno == EACCES ? 20 : 11);
			if (write(fd, "shutdown\n", 9) != 9)
				_exit(12);
			raw = read_all(fd, &n);
			_exit(strstr(raw, "permission denied") != NULL &&
			              !last_reset
			          ? 21
			          : 13);
		}
		/* the child may not reach us: poll for a while */
		for (int i = 0; i < 50; i++) {
			ctl_service(cs, test_handler, &t);
			if (waitpid(pid, &st, WNOHANG) == pid)
				break;
			usleep(10000);
			st = -1;
		}
		if (st == -1)
			ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert(WIFEXITED(st));
		ck_assert_int_eq(WEXITSTATUS(st), pass == 0 ? 20 : 21);
	}
	ck_assert_int_eq(t.calls, 0);
	ctl_close(cs);
	teardown_dir();
}
END_TEST

static Suite *
control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, parse_every_command, 0, N_WORDS);
	tcase_add_test(tc, parse_enum_covered);
	tcase_add_loop_test(tc, parse_garbage, 0,
	                    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, parse_size_limit);
	tcase_add_loop_test(tc, parse_prefixes, 0, N_WORDS);
	suite_add_tcase(s, tc);

	tc = tcase_create("server");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, server_socket_mode);
	tcase_add_test(tc, server_statistics);
	tcase_add_test(tc, server_unknown);
	tcase_add_test(tc, server_oversized);
	tcase_add_test(tc, server_handler_null);
	tcase_add_test(tc, server_idle_and_slow);
	tcase_add_test(tc, server_several_pending);
	tcase_add_test(tc, server_big_reply);
	tcase_add_test(tc, server_live_refused);
	tcase_add_test(tc, server_stale_removed);
	tcase_add_test(tc, server_not_a_socket);
	tcase_add_test(tc, server_bad_paths);
	tcase_add_test(tc, server_other_user);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(control_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
