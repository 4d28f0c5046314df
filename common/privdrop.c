/*
 * Dropping root: look the user up, leave the supplementary groups, chroot,
 * empty the capability bounding set while we still hold CAP_SETPCAP, then
 * set the gid and uid (real, effective and saved), clear whatever
 * capabilities survived (SECBIT_KEEP_CAPS, inheritable) and set
 * no_new_privs. Each step is checked afterwards rather than trusted: a
 * setuid(0) that succeeds or a capability left anywhere is an error.
 */
#define _GNU_SOURCE /* setresuid, setresgid */
#include "privdrop.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define CAP_SCAN_MAX 64   /* capability numbers probed in the bounding set */
#define STATUS_MAX   8192 /* bytes of /proc/self/status read */

/* ---- /proc/PID/status ---- */

static bool
is_hspace(char c)
{
	return c == ' ' || c == '\t';
}

/* Decimal at text[*i..n) after blanks, at most UINT32_MAX; advances *i. */
static bool
take_dec(const char *t, size_t n, size_t *i, uint32_t *out)
{
	uint64_t v = 0;
	size_t start;

	while (*i < n && is_hspace(t[*i]))
		(*i)++;
	start = *i;
	while (*i < n && t[*i] >= '0' && t[*i] <= '9') {
		v = v * 10 + (uint64_t)(t[*i] - '0');
		if (v > UINT32_MAX)
			return false;
		(*i)++;
	}
	if (*i == start)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* 1 to 16 hex digits after blanks; advances *i. */
static bool
take_hex(const char *t, size_t n, size_t *i, uint64_t *out)
{
	uint64_t v = 0;
	size_t start;

	while (*i < n && is_hspace(t[*i]))
		(*i)++;
	start = *i;
	while (*i < n) {
		char c = t[*i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a') + 10;
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A') + 10;
		else
			break;
		if (*i - start == 16)
			return false; /* more than 64 bits */
		v = v << 4 | d;
		(*i)++;
	}
	if (*i == start)
		return false;
	*out = v;
	return true;
}

/* Only blanks are left before the end of the line at n. */
static bool
at_end(const char *t, size_t n, size_t i)
{
	while (i < n && is_hspace(t[i]))
		i++;
	return i == n;
}

/* One "Key:\tvalue" line, n bytes without its newline; false if bad. */
static bool
parse_line(const char *t, size_t n, struct priv_status *st)
{
	static const struct {
		const char *key;
		unsigned bit;
	} caps[] = {
	    {"CapInh", PRIV_HAVE_CAPINH}, {"CapPrm", PRIV_HAVE_CAPPRM},
	    {"CapEff", PRIV_HAVE_CAPEFF}, {"CapBnd", PRIV_HAVE_CAPBND},
	    {"CapAmb", PRIV_HAVE_CAPAMB},
	};
	uint64_t *cap_field[] = {&st->cap_inh, &st->cap_prm, &st->cap_eff,
	                         &st->cap_bnd, &st->cap_amb};
	const char *colon = memchr(t, ':', n);
	size_t klen, i, k;
	uint32_t v;

	if (colon == NULL)
		return true; /* not a key line: skip */
	klen = (size_t)(colon - t);
	i = klen + 1;
	if ((klen == 3 && memcmp(t, "Uid", 3) == 0) ||
	    (klen == 3 && memcmp(t, "Gid", 3) == 0)) {
		uint32_t *ids = t[0] == 'U' ? st->uid : st->gid;

		for (k = 0; k < 4; k++)
			if (!take_dec(t, n, &i, &ids[k]))
				return false;
		st->found |= t[0] == 'U' ? PRIV_HAVE_UID : PRIV_HAVE_GID;
		return at_end(t, n, i);
	}
	if (klen == 10 && memcmp(t, "NoNewPrivs", 10) == 0) {
		if (!take_dec(t, n, &i, &v) || v > 1)
			return false;
		st->no_new_privs = (int)v;
		st->found |= PRIV_HAVE_NNP;
		return at_end(t, n, i);
	}
	for (k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
		if (klen != 6 || memcmp(t, caps[k].key, 6) != 0)
			continue;
		if (!take_hex(t, n, &i, cap_field[k]))
			return false;
		st->found |= caps[k].bit;
		return at_end(t, n, i);
	}
	return true; /* a line we do not need */
}

int
priv_parse_status(const char *text, size_t len, struct priv_status *st)
{
	size_t pos = 0;

	memset(st, 0, sizeof(*st));
	st->no_new_privs = -1;
	if (text == NULL)
		return -1;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;

		if (!parse_line(text + pos, n, st))
			return -1;
		pos += n + (nl != NULL ? 1 : 0);
	}
	return 0;
}

int
priv_read_status(struct priv_status *st)
{
	char buf[STATUS_MAX];
	size_t got = 0;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (got < sizeof(buf)) {
		ssize_t r = read(fd, buf + got, sizeof(buf) - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;

			(void)close(fd);
			errno = saved;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	(void)close(fd);
	/* a line cut by the buffer end would look malformed: drop it */
	if (got == sizeof(buf)) {
		while (got > 0 && buf[got - 1] != '\n')
			got--;
	}
	return priv_parse_status(buf, got, st);
}

/* ---- dropping ---- */

/* Empty the bounding set: no later exec can gain a capability back. */
static int
drop_bounding(char *err, size_t errlen, const char *who)
{
	int cap;

	for (cap = 0; cap < CAP_SCAN_MAX; cap++) {
		int r = prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);

		if (r < 0)
			break; /* EINVAL: past the kernel's last capability */
		if (r == 1 &&
		    prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) != 0) {
			(void)snprintf(err, errlen,
			               "-u %s: cannot drop capability %d from "
			               "the bounding set: %s",
			               who, cap, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Effective, permitted and inheritable sets all emptied, via capset. */
static int
clear_caps(void)
{
	struct __user_cap_header_struct hdr = {
	    .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	return (int)syscall(SYS_capset, &hdr, data);
}

/* Are all capability sets (and the bounding set) empty? */
static bool
caps_empty(void)
{
	struct __user_cap_header_struct hdr = {
	    .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];
	int cap, i;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) != 0)
		return false;
	for (i = 0; i < 2; i++)
		if (data[i].effective != 0 || data[i].permitted != 0 ||
		    data[i].inheritable != 0)
			return false;
	for (cap = 0; cap < CAP_SCAN_MAX; cap++) {
		int r = prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);

		if (r < 0)
			break;
		if (r != 0)
			return false;
	}
	return true;
}

static int
fail(char *err, size_t errlen, const char *what, const char *who)
{
	(void)snprintf(err, errlen, "-u %s: %s: %s", who, what,
	               strerror(errno));
	return -1;
}

static int
do_chroot(const char *dir, char *err, size_t errlen)
{
	if (chroot(dir) != 0) {
		(void)snprintf(err, errlen, "--chroot %s: %s", dir,
		               strerror(errno));
		return -1;
	}
	if (chdir("/") != 0) {
		(void)snprintf(err, errlen, "--chroot %s: chdir /: %s", dir,
		               strerror(errno));
		return -1;
	}
	return 0;
}

int
priv_drop(const char *user, const char *chroot_dir, char *err, size_t errlen)
{
	struct passwd *pw;
	uid_t uid;
	gid_t gid;

	if (user == NULL) {
		if (chroot_dir == NULL)
			return 0;
		if (geteuid() != 0) {
			(void)snprintf(err, errlen,
			               "--chroot %s: needs root (running as "
			               "uid %u)",
			               chroot_dir, (unsigned)geteuid());
			return -1;
		}
		return do_chroot(chroot_dir, err, errlen);
	}
	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		if (errno != 0)
			return fail(err, errlen, "cannot look up user", user);
		(void)snprintf(err, errlen, "-u %s: no such user", user);
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (geteuid() != 0) {
		if (uid == geteuid() && uid == getuid() && chroot_dir == NULL) {
			/* already that user: just close exec's doors */
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
				return fail(err, errlen, "no_new_privs", user);
			return 0;
		}
		(void)snprintf(err, errlen,
		               "-u %s: switching user needs root (running "
		               "as uid %u)",
		               user, (unsigned)geteuid());
		return -1;
	}
	if (uid == 0) {
		(void)snprintf(err, errlen,
		               "-u %s: is uid 0; give an unprivileged user",
		               user);
		return -1;
	}
	if (setgroups(1, &gid) != 0)
		return fail(err, errlen, "setgroups", user);
	if (chroot_dir != NULL && do_chroot(chroot_dir, err, errlen) != 0)
		return -1;
	if (drop_bounding(err, errlen, user) != 0)
		return -1;
	if (setresgid(gid, gid, gid) != 0)
		return fail(err, errlen, "setresgid", user);
	if (setresuid(uid, uid, uid) != 0)
		return fail(err, errlen, "setresuid", user);
	/* what setuid left (SECBIT_KEEP_CAPS, inheritable) goes now */
	if (clear_caps() != 0)
		return fail(err, errlen, "capset", user);
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return fail(err, errlen, "no_new_privs", user);

	/* trust nothing: root must be out of reach now */
	if (setuid(0) == 0 || seteuid(0) == 0) {
		(void)snprintf(err, errlen,
		               "-u %s: setuid(0) still succeeds after the "
		               "drop",
		               user);
		return -1;
	}
	if (gid != 0 && (setgid(0) == 0 || setegid(0) == 0)) {
		(void)snprintf(err, errlen,
		               "-u %s: setgid(0) still succeeds after the "
		               "drop",
		               user);
		return -1;
	}
	if (getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid) {
		(void)snprintf(err, errlen, "-u %s: ids did not change", user);
		return -1;
	}
	if (!caps_empty()) {
		(void)snprintf(err, errlen,
		               "-u %s: capabilities remain after the drop",
		               user);
		return -1;
	}
	return 0;
}
