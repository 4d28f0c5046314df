/*
 * Privilege dropping: the /proc/PID/status parser on hand-written texts,
 * then the real drop (root needed; skipped otherwise) in a fork()ed child
 * that checks its own /proc/self/status, its groups and that setuid(0)
 * fails. The uid expected comes from getpwnam(), not from the code.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/privdrop.h"

/* A root shell's status on Linux 6.1 (abridged, same layout). */
static const char status_root[] = "Name:\tcat\n"
                                  "Umask:\t0022\n"
                                  "State:\tR (running)\n"
                                  "Tgid:\t4242\n"
                                  "Uid:\t0\t0\t0\t0\n"
                                  "Gid:\t0\t0\t0\t0\n"
                                  "FDSize:\t64\n"
                                  "Groups:\t0 \n"
                                  "VmRSS:\t    1024 kB\n"
                                  "CapInh:\t0000000000000000\n"
                                  "CapPrm:\t000001ffffffffff\n"
                                  "CapEff:\t000001ffffffffff\n"
                                  "CapBnd:\t000001ffffffffff\n"
                                  "CapAmb:\t0000000000000000\n"
                                  "NoNewPrivs:\t0\n"
                                  "Seccomp:\t0\n";

/* After a drop to nobody (65534); no trailing newline. */
static const char status_nobody[] = "Uid:\t65534\t65534\t65534\t65534\n"
                                    "Gid:\t65534\t65534\t65534\t65534\n"
                                    "CapInh:\t0000000000000000\n"
                                    "CapPrm:\t0000000000000000\n"
                                    "CapEff:\t0000000000000000\n"
                                    "CapBnd:\t0000000000000000\n"
                                    "CapAmb:\t0000000000000000\n"
                                    "NoNewPrivs:\t1";

static int
parse_exact(const char *s, size_t len, struct priv_status *st)
{
	char *b = malloc(len > 0 ? len : 1);
	int rc;

	ck_assert_ptr_nonnull(b);
	memcpy(b, s, len);
	rc = priv_parse_status(b, len, st);
	free(b);
	return rc;
}

START_TEST(parse_root)
{
	struct priv_status st;

	ck_assert_int_eq(parse_exact(status_root, sizeof(status_root) - 1, &st),
	                 0);
	ck_assert_uint_eq(st.found, PRIV_HAVE_ALL | PRIV_HAVE_NNP);
	ck_assert_uint_eq(st.uid[0], 0);
	ck_assert_uint_eq(st.uid[3], 0);
	ck_assert_uint_eq(st.cap_eff, 0x1ffffffffffULL);
	ck_assert_uint_eq(st.cap_prm, 0x1ffffffffffULL);
	ck_assert_uint_eq(st.cap_bnd, 0x1ffffffffffULL);
	ck_assert_uint_eq(st.cap_inh, 0);
	ck_assert_int_eq(st.no_new_privs, 0);
}
END_TEST

START_TEST(parse_nobody)
{
	struct priv_status st;

	ck_assert_int_eq(
	    parse_exact(status_nobody, sizeof(status_nobody) - 1, &st), 0);
	ck_assert_uint_eq(st.found, PRIV_HAVE_ALL | PRIV_HAVE_NNP);
	ck_assert_uint_eq(st.uid[0], 65534);
	ck_assert_uint_eq(st.uid[1], 65534);
	ck_assert_uint_eq(st.gid[2], 65534);
	ck_assert_uint_eq(st.cap_eff | st.cap_prm | st.cap_bnd, 0);
	ck_assert_int_eq(st.no_new_privs, 1);
}
END_TEST

START_TEST(parse_distinct_ids)
{
	static const char t[] = "Uid:\t1\t2\t3\t4294967295\n"
	                        "Gid:\t5 6 7 8\n"
	                        "CapEff:\tFFFFFFFFFFFFFFFF\n";
	struct priv_status st;

	ck_assert_int_eq(parse_exact(t, sizeof(t) - 1, &st), 0);
	ck_assert_uint_eq(st.found,
	                  PRIV_HAVE_UID | PRIV_HAVE_GID | PRIV_HAVE_CAPEFF);
	ck_assert_uint_eq(st.uid[0], 1);
	ck_assert_uint_eq(st.uid[1], 2);
	ck_assert_uint_eq(st.uid[2], 3);
	ck_assert_uint_eq(st.uid[3], 4294967295U);
	ck_assert_uint_eq(st.gid[3], 8);
	ck_assert_uint_eq(st.cap_eff, UINT64_MAX);
	ck_assert_int_eq(st.no_new_privs, -1); /* line absent */
}
END_TEST

/* Malformed known lines are refused. */
static const char *const bad[] = {
    "Uid:\t0\t0\t0\n",                       /* three ids */
    "Uid:\t0\t0\t0\t0\t0\n",                 /* five */
    "Uid:\t4294967296\t0\t0\t0\n",           /* 2^32 */
    "Uid:\t-1\t0\t0\t0\n",                   /* sign */
    "Gid:\n",                                /* empty */
    "CapEff:\t\n",                           /* no digits */
    "CapEff:\t00000000000000000\n",          /* 17 digits */
    "CapEff:\t0000000000000000x\n",          /* junk after */
    "CapBnd:\tzz\n",                         /* not hex */
    "NoNewPrivs:\t2\n",                      /* not a flag */
    "CapPrm:\t0000000000000000 1\n",         /* two values */
    "Uid:\t0\t0\t0\t99999999999999999999\n", /* overflow */
};

START_TEST(parse_bad)
{
	struct priv_status st;

	ck_assert_int_eq(parse_exact(bad[_i], strlen(bad[_i]), &st), -1);
}
END_TEST

/* Every cut of the root text parses or fails cleanly (ASan watches). */
START_TEST(parse_truncations)
{
	struct priv_status st;
	size_t n;
	int ok = 0;

	for (n = 0; n <= sizeof(status_root) - 1; n++)
		if (parse_exact(status_root, n, &st) == 0)
			ok++;
	ck_assert_int_gt(ok, 0);
	ck_assert_int_eq(priv_parse_status(NULL, 0, &st), -1);
	ck_assert_int_eq(parse_exact("", 0, &st), 0);
	ck_assert_uint_eq(st.found, 0);
}
END_TEST

START_TEST(read_self)
{
	struct priv_status st;

	ck_assert_int_eq(priv_read_status(&st), 0);
	ck_assert_uint_eq(st.found & PRIV_HAVE_ALL, PRIV_HAVE_ALL);
	ck_assert_uint_eq(st.uid[0], getuid());
	ck_assert_uint_eq(st.uid[1], geteuid());
	ck_assert_uint_eq(st.gid[1], getegid());
}
END_TEST

START_TEST(drop_nothing)
{
	char err[256] = "";
	uid_t u = geteuid();

	ck_assert_int_eq(priv_drop(NULL, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(geteuid(), u);
}
END_TEST

START_TEST(drop_unknown_user)
{
	char err[256] = "";

	ck_assert_int_eq(priv_drop("no-such-user-tf42", NULL, err, sizeof(err)),
	                 -1);
	ck_assert_ptr_nonnull(strstr(err, "no-such-user-tf42"));
	ck_assert_ptr_nonnull(strstr(err, "no such user"));
}
END_TEST

/*
 * Run fn in a child and return its exit status (fn's return value): a
 * drop is for good, so the test process itself must stay root.
 */
static int
in_child(int (*fn)(void))
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(fn());
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st), "child died, status %d", st);
	return WEXITSTATUS(st);
}

/* Child: drop to nobody, then check everything from outside the code. */
static int
child_drop_nobody(void)
{
	struct passwd *pw = getpwnam("nobody");
	struct priv_status st;
	char err[256] = "";
	gid_t groups[8];
	uid_t want_uid;
	gid_t want_gid;

	if (pw == NULL)
		return 10;
	want_uid = pw->pw_uid;
	want_gid = pw->pw_gid;
	if (priv_drop("nobody", NULL, err, sizeof(err)) != 0) {
		(void)fprintf(stderr, "priv_drop: %s\n", err);
		return 11;
	}
	if (priv_read_status(&st) != 0 ||
	    (st.found & PRIV_HAVE_ALL) != PRIV_HAVE_ALL)
		return 12;
	if (st.cap_eff != 0 || st.cap_prm != 0 || st.cap_bnd != 0 ||
	    st.cap_inh != 0 || st.cap_amb != 0)
		return 13;
	if (st.uid[0] != want_uid || st.uid[1] != want_uid ||
	    st.uid[2] != want_uid || st.uid[3] != want_uid)
		return 14;
	if (st.gid[0] != want_gid || st.gid[1] != want_gid ||
	    st.gid[2] != want_gid)
		return 15;
	if (st.no_new_privs != 1)
		return 16;
	if (setuid(0) == 0 || errno != EPERM)
		return 17;
	if (getgroups(8, groups) != 1 || groups[0] != want_gid)
		return 18;
	return 0;
}

START_TEST(drop_to_nobody)
{
	if (geteuid() != 0 || getpwnam("nobody") == NULL)
		return; /* needs root and a nobody user */
	ck_assert_int_eq(in_child(child_drop_nobody), 0);
}
END_TEST

static char jail[64];

/* Child: chroot to an empty directory and drop; /proc is gone there, so
 * ask the kernel directly. */
static int
child_drop_chroot(void)
{
	struct __user_cap_header_struct hdr = {
	    .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];
	char err[256] = "", cwd[64];
	uid_t want = getpwnam("nobody")->pw_uid;

	if (priv_drop("nobody", jail, err, sizeof(err)) != 0) {
		(void)fprintf(stderr, "priv_drop: %s\n", err);
		return 20;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL || strcmp(cwd, "/") != 0)
		return 21;
	if (access("/etc/passwd", F_OK) == 0 || access("/proc", F_OK) == 0)
		return 22; /* not inside the empty jail */
	if (syscall(SYS_capget, &hdr, data) != 0)
		return 23;
	if (data[0].effective || data[0].permitted || data[1].effective ||
	    data[1].permitted)
		return 24;
	if (prctl(PR_CAPBSET_READ, 0UL, 0, 0, 0) != 0) /* CAP_CHOWN */
		return 25;
	if (getuid() != want || geteuid() != want)
		return 26;
	if (chroot("/") == 0)
		return 27; /* could chroot again: a capability survived */
	return 0;
}

START_TEST(drop_with_chroot)
{
	if (geteuid() != 0 || getpwnam("nobody") == NULL)
		return;
	(void)snprintf(jail, sizeof(jail), "/tmp/tf_jail_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(jail));
	ck_assert_int_eq(in_child(child_drop_chroot), 0);
	ck_assert_int_eq(rmdir(jail), 0);
}
END_TEST

static int
child_chroot_missing(void)
{
	char err[256] = "";

	if (priv_drop("nobody", "/nonexistent-tf-jail", err, sizeof(err)) == 0)
		return 30;
	return strstr(err, "/nonexistent-tf-jail") != NULL ? 0 : 31;
}

START_TEST(drop_chroot_missing)
{
	if (geteuid() != 0)
		return;
	ck_assert_int_eq(in_child(child_chroot_missing), 0);
}
END_TEST

/* Child: become nobody by hand first; then dropping to root's name (or
 * anyone else) must be refused, naming the user. */
static int
child_not_root(void)
{
	struct passwd *pw = getpwnam("nobody");
	char err[256] = "";

	if (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
		return 40;
	if (priv_drop("daemon", NULL, err, sizeof(err)) == 0)
		return 41;
	if (strstr(err, "daemon") == NULL || strstr(err, "needs root") == NULL)
		return 42;
	/* already nobody: accepted, no_new_privs set */
	if (priv_drop("nobody", NULL, err, sizeof(err)) != 0)
		return 43;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 44;
	return 0;
}

START_TEST(drop_not_root)
{
	if (geteuid() != 0 || getpwnam("nobody") == NULL ||
	    getpwnam("daemon") == NULL)
		return;
	ck_assert_int_eq(in_child(child_not_root), 0);
}
END_TEST

START_TEST(drop_to_root_refused)
{
	char err[256] = "";

	if (geteuid() != 0)
		return;
	ck_assert_int_eq(priv_drop("root", NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "root"));
	ck_assert_uint_eq(geteuid(), 0); /* nothing changed */
}
END_TEST

static Suite *
privdrop_suite(void)
{
	Suite *s = suite_create("privdrop");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, parse_root);
	tcase_add_test(tc, parse_nobody);
	tcase_add_test(tc, parse_distinct_ids);
	tcase_add_loop_test(tc, parse_bad, 0,
	                    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, parse_truncations);
	tcase_add_test(tc, read_self);
	suite_add_tcase(s, tc);

	tc = tcase_create("drop");
	tcase_add_test(tc, drop_nothing);
	tcase_add_test(tc, drop_unknown_user);
	tcase_add_test(tc, drop_to_nobody);
	tcase_add_test(tc, drop_with_chroot);
	tcase_add_test(tc, drop_chroot_missing);
	tcase_add_test(tc, drop_not_root);
	tcase_add_test(tc, drop_to_root_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(privdrop_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
