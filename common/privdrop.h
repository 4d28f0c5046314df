/*
 * Giving up root after the capture handles, sockets and files are open:
 * -u USER and --chroot DIR. After priv_drop() the process runs as USER
 * with no capabilities in any set (effective, permitted, inheritable,
 * ambient, bounding), no supplementary groups but USER's primary group,
 * and no_new_privs set, so neither setuid(0) nor exec() can bring root
 * back.
 */
#ifndef TAPFLOW_PRIVDROP_H
#define TAPFLOW_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Switch to user (a name from the password database) and/or chroot to
 * chroot_dir (then chdir "/"); either may be NULL, both NULL does
 * nothing. Needs root; a caller that already runs as user (and asks for
 * no chroot) only gets no_new_privs. The user is looked up before the
 * chroot, so the new root needs no /etc/passwd; open syslog before
 * calling (its socket is not in the new root either). Returns 0, or -1
 * with a message naming the user or directory in err; on -1 the process
 * may be half-dropped and should exit.
 */
int priv_drop(const char *user, const char *chroot_dir, char *err,
              size_t errlen);

/* The identity and capability lines of /proc/PID/status. */
struct priv_status {
	uint32_t uid[4]; /* real, effective, saved, filesystem */
	uint32_t gid[4];
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	int no_new_privs; /* NoNewPrivs: 0 or 1; -1 if absent */
	unsigned found;   /* PRIV_HAVE_* bits for the lines seen */
};

#define PRIV_HAVE_UID    0x01U
#define PRIV_HAVE_GID    0x02U
#define PRIV_HAVE_CAPINH 0x04U
#define PRIV_HAVE_CAPPRM 0x08U
#define PRIV_HAVE_CAPEFF 0x10U
#define PRIV_HAVE_CAPBND 0x20U
#define PRIV_HAVE_CAPAMB 0x40U
#define PRIV_HAVE_NNP    0x80U
/* Uid, Gid and the capability sets every kernel since 4.3 prints. */
#define PRIV_HAVE_ALL 0x7fU

/*
 * Parse the text of a /proc/PID/status file (len bytes, need not be
 * NUL-terminated). Lines it does not know are skipped; a known line with
 * a malformed value makes it fail. Returns 0 with st filled (see
 * st->found), or -1.
 */
int priv_parse_status(const char *text, size_t len, struct priv_status *st);

/* Read and parse /proc/self/status; 0 or -1 (errno kept if I/O failed). */
int priv_read_status(struct priv_status *st);

#endif
