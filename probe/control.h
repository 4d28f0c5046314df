/*
 * The control socket: a UNIX stream socket (owner-only) that answers one
 * request line per connection with one JSON object, for tapflowctl.
 *
 * Protocol: the client connects, writes one command word ending in a
 * newline (or shuts down its write side), and reads one JSON object
 * followed by a newline; then the server closes. Errors are replied as
 * {"error":"..."}. Only the owner of the socket file (and root) may
 * connect: the file is created 0600 and the peer's uid is checked too.
 */
#ifndef TAPFLOW_CONTROL_H
#define TAPFLOW_CONTROL_H

#include <stddef.h>

/* Longest request accepted, newline and whitespace included (bytes). */
#define CTL_MAX_REQUEST 256
/* How long a connection may take to send its request (ms). */
#define CTL_READ_TIMEOUT_MS 100
/* How long a reply may take to drain to a slow reader (ms). */
#define CTL_WRITE_TIMEOUT_MS 2000
/* Connections answered per ctl_service() call; the rest wait. */
#define CTL_MAX_CONN_PER_CALL 4

enum ctl_cmd {
	CTL_STATISTICS,
	CTL_DUMP_FLOWS,
	CTL_EXPIRE_ALL,
	CTL_DELETE_ALL,
	CTL_TIMEOUTS,
	CTL_DEBUG_UP,
	CTL_DEBUG_DOWN,
	CTL_SHUTDOWN,
	CTL_EXPORTERS,
	CTL_COUNT
};

/*
 * Parse one request line: a command word as softflowctl sends them
 * ("statistics", "dump-flows", "expire-all", "delete-all", "timeouts",
 * "debug+", "debug-", "shutdown") plus "exporters"; surrounding spaces,
 * tabs, CR and LF are ignored, case matters. buf need not be
 * NUL-terminated and may hold any bytes. Returns 0 and sets *cmd, or -1
 * for an unknown, empty, oversized (len > CTL_MAX_REQUEST) or garbage
 * request (embedded NUL or control bytes). Bounded, no allocation.
 */
int ctl_parse_request(const char *buf, size_t len, enum ctl_cmd *cmd);

/* The request word of a command ("statistics"...); "?" if out of range. */
const char *ctl_cmd_name(enum ctl_cmd cmd);

struct ctl_server;

/*
 * Listen at path, a UNIX stream socket of mode 0600, non-blocking. A
 * stale socket file (nobody accepting) is removed first; a live one
 * (another process answers) or a path that is not a socket is refused.
 * Returns the server (free with ctl_close), or NULL with a message
 * naming path in err.
 */
struct ctl_server *ctl_open(const char *path, char *err, size_t errlen);

/* The listening descriptor, for poll(): readable when a client waits. */
int ctl_fd(const struct ctl_server *cs);

/*
 * Builds the reply to cmd; returns a new reference that the caller (the
 * control module) decrefs. NULL is answered as an internal error.
 */
struct json_t;
typedef struct json_t *(*ctl_handler_fn)(void *ctx, enum ctl_cmd cmd);

/*
 * Accept the pending connections (at most CTL_MAX_CONN_PER_CALL), read
 * one request line each (CTL_MAX_REQUEST bytes, CTL_READ_TIMEOUT_MS),
 * call handler for a valid one, write the reply (one JSON object and a
 * newline, CTL_WRITE_TIMEOUT_MS at most), close. An unknown request is
 * answered {"error":"unknown command \"xyz\""} without calling handler.
 * Cheap when nobody waits: one accept() that fails with EAGAIN.
 */
void ctl_service(struct ctl_server *cs, ctl_handler_fn handler, void *ctx);

/*
 * Close the listening socket and unlink its path if the file there is
 * still ours (same device and inode). Frees cs; NULL is accepted.
 */
void ctl_close(struct ctl_server *cs);

#endif
