/*
 * The control socket server. Everything happens inside ctl_service(), which
 * the capture loop calls when the listening socket is readable (and after
 * each replay batch): each connection is accepted, read, answered and
 * closed there, under short deadlines, so a client that stalls costs the
 * capture at most CTL_READ_TIMEOUT_MS + CTL_WRITE_TIMEOUT_MS once.
 */
#define _GNU_SOURCE /* accept4, SO_PEERCRED */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../common/log.h"

#define CTL_BACKLOG  16
#define CTL_ECHO_MAX 64 /* bytes of a bad request quoted in the error */

struct ctl_server {
	int fd;
	uid_t owner; /* euid at ctl_open: may connect besides root */
	dev_t dev;   /* the socket file we created, to unlink only it */
	ino_t ino;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/* Request words, indexed by enum ctl_cmd; softflowctl's spelling. */
static const char *const cmd_names[CTL_COUNT] = {
    [CTL_STATISTICS] = "statistics", [CTL_DUMP_FLOWS] = "dump-flows",
    [CTL_EXPIRE_ALL] = "expire-all", [CTL_DELETE_ALL] = "delete-all",
    [CTL_TIMEOUTS] = "timeouts",     [CTL_DEBUG_UP] = "debug+",
    [CTL_DEBUG_DOWN] = "debug-",     [CTL_SHUTDOWN] = "shutdown",
    [CTL_EXPORTERS] = "exporters",
};

const char *
ctl_cmd_name(enum ctl_cmd cmd)
{
	if ((unsigned)cmd >= CTL_COUNT)
		return "?";
	return cmd_names[cmd];
}

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Trim blanks from both ends of buf[0..len): *start and the length. */
static size_t
trim(const char *buf, size_t len, size_t *start)
{
	size_t s = 0, e = len;

	while (s < e && is_blank(buf[s]))
		s++;
	while (e > s && is_blank(buf[e - 1]))
		e--;
	*start = s;
	return e - s;
}

int
ctl_parse_request(const char *buf, size_t len, enum ctl_cmd *cmd)
{
	size_t start, n, i;
	int c;

	if (buf == NULL || len > CTL_MAX_REQUEST)
		return -1;
	n = trim(buf, len, &start);
	if (n == 0)
		return -1;
	/* one word of printable ASCII: no NUL, controls, blanks or 8-bit */
	for (i = start; i < start + n; i++) {
		unsigned char ch = (unsigned char)buf[i];

		if (ch <= 0x20 || ch >= 0x7f)
			return -1;
	}
	for (c = 0; c < CTL_COUNT; c++) {
		if (strlen(cmd_names[c]) == n &&
		    memcmp(cmd_names[c], buf + start, n) == 0) {
			*cmd = (enum ctl_cmd)c;
			return 0;
		}
	}
	return -1;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000U + (uint64_t)ts.tv_nsec / 1000000U;
}

/* Milliseconds left until deadline, for poll(); 0 once it has passed. */
static int
ms_left(uint64_t deadline)
{
	uint64_t now = mono_ms();

	return now >= deadline ? 0 : (int)(deadline - now);
}

/*
 * Is somebody accepting on the socket at path? 1 yes, 0 no (stale),
 * -1 cannot tell (errno set).
 */
static int
socket_alive(const char *path)
{
	struct sockaddr_un sa;
	int fd, rc;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (rc == 0 || errno == EAGAIN || errno == EINPROGRESS) {
		(void)close(fd); /* EAGAIN: a full backlog is still alive */
		return 1;
	}
	rc = errno == ECONNREFUSED ? 0 : -1;
	{
		int saved = errno;

		(void)close(fd);
		errno = saved;
	}
	return rc;
}

/* Remove a stale socket file at path; 0, or -1 and err. */
static int
clear_stale(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		(void)snprintf(err, errlen,
		               "%s: exists and is not a socket; not removing "
		               "it",
		               path);
		return -1;
	}
	switch (socket_alive(path)) {
	case 1:
		(void)snprintf(err, errlen,
		               "%s: another process answers on this control "
		               "socket (tapflow already running?)",
		               path);
		return -1;
	case 0:
		if (unlink(path) != 0 && errno != ENOENT) {
			(void)snprintf(err, errlen,
			               "%s: cannot remove stale socket: %s",
			               path, strerror(errno));
			return -1;
		}
		return 0;
	default:
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
}

struct ctl_server *
ctl_open(const char *path, char *err, size_t errlen)
{
	struct ctl_server *cs;
	struct sockaddr_un sa;
	struct stat st;
	size_t len = path != NULL ? strlen(path) : 0;
	mode_t old_mask;
	int rc;

	if (len == 0 || len >= sizeof(sa.sun_path)) {
		(void)snprintf(
		    err, errlen, "%s: bad control socket path (1 to %zu bytes)",
		    path != NULL ? path : "(null)", sizeof(sa.sun_path) - 1);
		return NULL;
	}
	if (clear_stale(path, err, errlen) != 0)
		return NULL;
	cs = calloc(1, sizeof(*cs));
	if (cs == NULL) {
		(void)snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	memcpy(cs->path, path, len + 1);
	cs->owner = geteuid();
	cs->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (cs->fd < 0) {
		(void)snprintf(err, errlen, "%s: socket: %s", path,
		               strerror(errno));
		free(cs);
		return NULL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, len);
	/* owner-only from the start: no window where others may connect */
	old_mask = umask(0077);
	rc = bind(cs->fd, (struct sockaddr *)&sa, sizeof(sa));
	(void)umask(old_mask);
	if (rc != 0) {
		(void)snprintf(err, errlen, "%s: bind: %s", path,
		               strerror(errno));
		goto fail_fd;
	}
	if (chmod(path, 0600) != 0 || lstat(path, &st) != 0) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail_unlink;
	}
	cs->dev = st.st_dev;
	cs->ino = st.st_ino;
	if (listen(cs->fd, CTL_BACKLOG) != 0) {
		(void)snprintf(err, errlen, "%s: listen: %s", path,
		               strerror(errno));
		goto fail_unlink;
	}
	return cs;

fail_unlink:
	(void)unlink(path);
fail_fd:
	(void)close(cs->fd);
	free(cs);
	return NULL;
}

int
ctl_fd(const struct ctl_server *cs)
{
	return cs->fd;
}

/* Send all of buf before deadline; false if the peer is gone or slow. */
static bool
send_all(int fd, const char *buf, size_t len, uint64_t deadline)
{
	while (len > 0) {
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);

		if (w > 0) {
			buf += w;
			len -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			int left = ms_left(deadline);

			if (left == 0 || poll(&p, 1, left) <= 0)
				return false;
			continue;
		}
		return false;
	}
	return true;
}

static void
send_reply(int fd, json_t *reply, uint64_t deadline)
{
	char *s = json_dumps(reply, JSON_COMPACT);

	if (s == NULL) {
		static const char oom[] = "{\"error\":\"out of memory\"}\n";

		(void)send_all(fd, oom, sizeof(oom) - 1, deadline);
		return;
	}
	if (send_all(fd, s, strlen(s), deadline))
		(void)send_all(fd, "\n", 1, deadline);
	else
		log_msg(LOG_LVL_DEBUG, "control: reply not taken in time");
	free(s);
}

/* {"error": msg, "commands": [...]} */
static json_t *
error_reply(const char *msg)
{
	json_t *o = json_object(), *cmds = json_array();
	int c;

	for (c = 0; c < CTL_COUNT; c++)
		(void)json_array_append_new(cmds, json_string(cmd_names[c]));
	(void)json_object_set_new(o, "error", json_string(msg));
	(void)json_object_set_new(o, "commands", cmds);
	return o;
}

/* The reply to a request that did not parse, quoting it safely. */
static json_t *
bad_request_reply(const char *line, size_t len, bool too_long)
{
	char word[CTL_ECHO_MAX + 4], msg[CTL_ECHO_MAX + 64];
	size_t start, n, i;

	if (too_long) {
		(void)snprintf(msg, sizeof(msg),
		               "request too long (more than %d bytes)",
		               CTL_MAX_REQUEST);
		return error_reply(msg);
	}
	n = trim(line, len, &start);
	if (n == 0)
		return error_reply("empty request");
	for (i = 0; i < n && i < CTL_ECHO_MAX; i++) {
		unsigned char ch = (unsigned char)line[start + i];

		/* JSON wants valid UTF-8: keep printable ASCII only */
		if (ch >= 0x20 && ch < 0x7f)
			word[i] = line[start + i];
		else
			word[i] = '?';
	}
	if (n > CTL_ECHO_MAX) {
		memcpy(word + i, "...", 3);
		i += 3;
	}
	word[i] = '\0';
	(void)snprintf(msg, sizeof(msg), "unknown command \"%s\"", word);
	return error_reply(msg);
}

enum read_result { RD_LINE, RD_TOO_LONG, RD_TIMEOUT, RD_ERROR };

/*
 * Read one request line into buf (CTL_MAX_REQUEST + 1 bytes) before the
 * deadline. The line ends at the first newline or at end of stream; its
 * length without the newline goes to *len.
 */
static enum read_result
read_line(int fd, char *buf, size_t *len, uint64_t deadline)
{
	size_t got = 0;

	for (;;) {
		ssize_t r = read(fd, buf + got, CTL_MAX_REQUEST + 1 - got);
		const char *nl;

		if (r > 0) {
			nl = memchr(buf + got, '\n', (size_t)r);
			got += (size_t)r;
			if (nl != NULL) {
				*len = (size_t)(nl - buf);
				return RD_LINE;
			}
			if (got > CTL_MAX_REQUEST)
				return RD_TOO_LONG;
			continue;
		}
		if (r == 0) {
			*len = got;
			return RD_LINE; /* peer shut down its side */
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			int left = ms_left(deadline);

			if (left == 0 || poll(&p, 1, left) <= 0)
				return RD_TIMEOUT;
			continue;
		}
		return RD_ERROR;
	}
}

/* Root and the socket's owner only, even if the file mode was loosened. */
static bool
peer_allowed(const struct ctl_server *cs, int fd)
{
	struct ucred cred;
	socklen_t sl = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl) != 0)
		return false;
	return cred.uid == 0 || cred.uid == cs->owner;
}

/*
 * Discard what the client sent beyond its request line, without waiting:
 * closing a UNIX socket with unread input resets the connection, and the
 * client would see ECONNRESET instead of the end of our reply.
 */
static void
drain_input(int fd)
{
	char junk[4096];
	int i;

	for (i = 0; i < 16; i++)
		if (recv(fd, junk, sizeof(junk), MSG_DONTWAIT) <= 0)
			return;
}

static void
serve_one(struct ctl_server *cs, int fd, ctl_handler_fn handler, void *ctx)
{
	char buf[CTL_MAX_REQUEST + 1];
	size_t len = 0;
	enum ctl_cmd cmd;
	enum read_result rr;
	json_t *reply;

	if (!peer_allowed(cs, fd)) {
		reply = error_reply("permission denied");
		send_reply(fd, reply, mono_ms() + CTL_READ_TIMEOUT_MS);
		json_decref(reply);
		drain_input(fd);
		return;
	}
	rr = read_line(fd, buf, &len, mono_ms() + CTL_READ_TIMEOUT_MS);
	if (rr == RD_TIMEOUT || rr == RD_ERROR) {
		log_msg(LOG_LVL_DEBUG, "control: no request line in %d ms",
		        CTL_READ_TIMEOUT_MS);
		return;
	}
	if (rr == RD_LINE && ctl_parse_request(buf, len, &cmd) == 0) {
		log_msg(LOG_LVL_DEBUG, "control: %s", cmd_names[cmd]);
		reply = handler(ctx, cmd);
		if (reply == NULL)
			reply = error_reply("internal error: no reply");
	} else {
		reply = bad_request_reply(buf, len, rr == RD_TOO_LONG);
	}
	send_reply(fd, reply, mono_ms() + CTL_WRITE_TIMEOUT_MS);
	json_decref(reply);
	drain_input(fd);
}

void
ctl_service(struct ctl_server *cs, ctl_handler_fn handler, void *ctx)
{
	int n;

	if (cs == NULL)
		return;
	for (n = 0; n < CTL_MAX_CONN_PER_CALL; n++) {
		int fd =
		    accept4(cs->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_msg(LOG_LVL_DEBUG, "control: accept: %s",
				        strerror(errno));
			return;
		}
		serve_one(cs, fd, handler, ctx);
		(void)close(fd);
	}
}

void
ctl_close(struct ctl_server *cs)
{
	struct stat st;

	if (cs == NULL)
		return;
	(void)close(cs->fd);
	/* another instance may have replaced the file: leave that one */
	if (lstat(cs->path, &st) == 0 && st.st_dev == cs->dev &&
	    st.st_ino == cs->ino)
		(void)unlink(cs->path);
	free(cs);
}
