/* Logging: stderr in the foreground, syslog as a daemon. */
#ifndef TAPFLOW_LOG_H
#define TAPFLOW_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN = 1,
	LOG_LVL_INFO = 2,
	LOG_LVL_DEBUG = 3,
};

extern int log_level;

/* Send later messages to syslog (true) or stderr (false). */
void log_use_syslog(bool on, const char *ident);

/* Print one message if level <= log_level; a newline is added. */
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Rate limit for repeating messages: returns true at most once per
 * interval_ns of the given clock value for the caller's state *last_ns.
 */
bool log_ratelimit(uint64_t *last_ns, uint64_t now_ns, uint64_t interval_ns);

#endif
