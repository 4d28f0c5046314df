#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

int log_level = LOG_LVL_WARN;
static bool use_syslog;

void
log_use_syslog(bool on, const char *ident)
{
	if (on && !use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	use_syslog = on;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	va_list ap;

	if ((int)level > log_level)
		return;
	va_start(ap, fmt);
	if (use_syslog) {
		vsyslog(prio[level], fmt, ap);
	} else {
		(void)fputs("tapflow: ", stderr);
		(void)vfprintf(stderr, fmt, ap);
		(void)fputc('\n', stderr);
	}
	va_end(ap);
}

bool
log_ratelimit(uint64_t *last_ns, uint64_t now_ns, uint64_t interval_ns)
{
	if (*last_ns != 0 && now_ns - *last_ns < interval_ns)
		return false;
	*last_ns = now_ns;
	return true;
}
