/*
 * The TCP sender's queue (issue 7): while a collector is down, whole
 * messages are held (bounded, overflow counted) and on the next
 * connection they follow a fresh templates message, in order, with
 * nothing cut. Loopback only; the expected bytes are the messages the
 * test itself handed to snd_send() and the IPFIX layout of RFC 7011 3.1
 * (length at offset 2, sequence number at 8, Set ID 2 for templates).
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../common/bytes.h"
#include "../../export/exporter.h"
#include "../../export/sender.h"

#define SEC     1000000000ull
#define MS      1000000ull
#define BOOT_NS (1700000000ull * SEC)

/* A TCP socket bound to an ephemeral loopback port, its port as text. */
static int
tcp_bound(char *port, size_t portlen)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	(void)snprintf(port, portlen, "%u", ntohs(sin.sin_port));
	return fd;
}

/* A second listener on the same port (the collector restarted). */
static int
tcp_listen_on(const char *port)
{
	struct sockaddr_in sin;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)strtoul(port, NULL, 10));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	return fd;
}

/* Read one IPFIX message (length at offset 2); its length or -1. */
static ssize_t
read_msg(int fd, uint8_t *buf, size_t cap)
{
	size_t have = 0, want = 4;
	struct pollfd pfd = {fd, POLLIN, 0};
	ssize_t n;

	while (have < want) {
		if (poll(&pfd, 1, 2000) <= 0)
			return -1;
		n = recv(fd, buf + have, want - have, 0);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		if (have == 4) {
			want = ld_be16(buf + 2);
			if (want < 16 || want > cap)
				return -1;
		}
	}
	return (ssize_t)have;
}

/* Offset of the first Set with ID 256 (IPv4 flows) in a message, or 0. */
static size_t
flow_set(const uint8_t *msg, size_t len)
{
	size_t off = 16, slen;

	while (off + 4 <= len) {
		slen = ld_be16(msg + off + 2);
		if (ld_be16(msg + off) == 256)
			return off;
		if (slen < 4)
			return 0;
		off += slen;
	}
	return 0;
}

/*
 * In a message's Template Set (ID 2, RFC 7011 3.4.1): the byte offset of
 * element ie (fixed lengths only) in records of template tid, or -1.
 */
static long
tmpl_offset(const uint8_t *msg, size_t len, uint16_t tid, uint16_t ie)
{
	size_t off = 16, slen, p, end, k, fc;
	long at;

	while (off + 4 <= len) {
		slen = ld_be16(msg + off + 2);
		if (slen < 4 || off + slen > len)
			return -1;
		if (ld_be16(msg + off) == 2) {
			end = off + slen;
			for (p = off + 4; p + 4 <= end;) {
				uint16_t id = ld_be16(msg + p);

				fc = ld_be16(msg + p + 2);
				p += 4;
				at = 0;
				for (k = 0; k < fc && p + 4 <= end; k++) {
					uint16_t e = ld_be16(msg + p);

					if (id == tid && (e & 0x7fff) == ie)
						return at;
					at += ld_be16(msg + p + 2);
					p += e & 0x8000 ? 8 : 4;
				}
			}
		}
		off += slen;
	}
	return -1;
}

static struct flow_record
rec4(uint16_t sport)
{
	struct flow_record r;

	memset(&r, 0, sizeof(r));
	r.family = 4;
	r.proto = 17;
	memcpy(r.src, "\x0a\x00\x00\x01", 4);
	memcpy(r.dst, "\x0a\x00\x00\x02", 4);
	r.sport = sport;
	r.dport = 53;
	r.packets = 1;
	r.octets = 100;
	r.first_ns = r.last_ns = BOOT_NS;
	r.end_reason = FLOW_END_IDLE;
	return r;
}

static struct exporter *
tcp_exporter(const char *port)
{
	struct exp_config cfg;
	char err[256];
	struct exporter *ex;

	exp_config_defaults(&cfg);
	cfg.transport = EXP_TCP;
	cfg.n_coll = 1;
	(void)snprintf(cfg.coll[0].host, sizeof(cfg.coll[0].host), "127.0.0.1");
	(void)snprintf(cfg.coll[0].port, sizeof(cfg.coll[0].port), "%s", port);
	ex = exp_create(&cfg, err, sizeof(err));
	ck_assert_msg(ex != NULL, "%s", err);
	return ex;
}

/*
 * Up, then the collector goes: 5 messages built while it is down are
 * held (not lost), and after it is back the new connection carries the
 * templates first, then the 5 in order with sequence numbers running on
 * (RFC 7011 3.1: each message's number = records before it).
 */
START_TEST(test_held_then_resent_after_templates)
{
	char port[16];
	int lfd = tcp_bound(port, sizeof(port)), cfd, i;
	struct exporter *ex;
	struct flow_record r = rec4(1);
	uint8_t got[70000];
	uint32_t seq_tmpl, seq, next;
	size_t off;
	long sport_at;
	uint64_t now = BOOT_NS;
	ssize_t n;

	ck_assert_int_eq(listen(lfd, 4), 0);
	ex = tcp_exporter(port);
	cfd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(cfd, 0);
	exp_flow(ex, &r, now);
	exp_flush(ex, now);
	ck_assert_int_gt(read_msg(cfd, got, sizeof(got)), 16); /* templates */
	ck_assert_int_gt(read_msg(cfd, got, sizeof(got)), 16); /* data */
	next = ld_be32(got + 8) + 3; /* 2 options records + the flow */

	/* the collector goes away entirely */
	(void)close(cfd);
	(void)close(lfd);
	usleep(20000);
	exp_tick(ex, now += SEC); /* notices the close */
	for (i = 0; i < 5; i++) {
		r = rec4((uint16_t)(100 + i));
		exp_flow(ex, &r, now += 10 * MS);
		exp_flush(ex, now);
	}
	ck_assert_uint_eq(exp_get_stats(ex)->coll[0].held, 5);
	ck_assert_uint_eq(exp_get_stats(ex)->coll[0].overflow, 0);

	/* back: reconnect (backoff 1 s, then 2 s), templates, the five */
	lfd = tcp_listen_on(port);
	for (i = 0; i < 8; i++)
		exp_tick(ex, now += SEC);
	cfd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(cfd, 0);
	exp_tick(ex, now += 10 * MS);
	n = read_msg(cfd, got, sizeof(got));
	ck_assert_int_gt(n, 16);
	ck_assert_uint_eq(ld_be16(got + 16), 2); /* a Template Set first */
	seq_tmpl = ld_be32(got + 8);
	sport_at =
	    tmpl_offset(got, (size_t)n, 256, 7); /* sourceTransportPort */
	ck_assert_int_ge(sport_at, 0);
	ck_assert_uint_eq(seq_tmpl, next); /* the number of the next data */
	for (i = 0; i < 5; i++) {
		n = read_msg(cfd, got, sizeof(got));
		ck_assert_int_gt(n, 16);
		seq = ld_be32(got + 8);
		ck_assert_uint_eq(seq, next); /* one record each */
		next = seq + 1;
		/* the one flow of message i: sport 100 + i, in the first
		 * record of the IPv4 flow data set (ID 256) */
		off = flow_set(got, (size_t)n);
		ck_assert_uint_gt(off, 0);
		ck_assert_uint_eq(ld_be16(got + off + 4 + (size_t)sport_at),
		                  100 + i);
	}
	ck_assert(read_msg(cfd, got, sizeof(got)) < 0); /* nothing more */
	exp_destroy(ex, now);
	(void)close(cfd);
	(void)close(lfd);
}
END_TEST

/* Nobody listens: messages are held up to the bound, then counted as
 * overflow and refused; the queue never passes SND_TCP_BUF bytes. */
START_TEST(test_queue_bound)
{
	char port[16];
	int lfd = tcp_bound(port, sizeof(port));
	struct snd s;
	char err[256];
	uint8_t msg[1400];
	size_t i, held = 0;
	int rc;

	(void)close(lfd); /* a port nobody listens on */
	ck_assert_int_eq(snd_tcp_open(&s, "127.0.0.1", port, err, sizeof(err)),
	                 0);
	usleep(20000);
	snd_poll(&s, BOOT_NS); /* the refused connect is noticed */
	memset(msg, 0, sizeof(msg));
	msg[1] = 10;
	msg[2] = sizeof(msg) >> 8;
	msg[3] = sizeof(msg) & 0xff;
	for (i = 0; i < SND_TCP_BUF / sizeof(msg) + 10; i++) {
		rc = snd_send(&s, msg, sizeof(msg), BOOT_NS);
		ck_assert_int_ne(rc, 0); /* never "sent" */
		if (rc == 1)
			held++;
	}
	ck_assert_uint_eq(held, SND_TCP_BUF / sizeof(msg));
	ck_assert_uint_eq(s.held, held);
	ck_assert_uint_eq(s.overflow, i - held);
	ck_assert_uint_le(snd_pending(&s), SND_TCP_BUF);
	ck_assert_uint_eq(snd_pending(&s), held * sizeof(msg));
	snd_close(&s, 0);
}
END_TEST

static Suite *
queue_suite(void)
{
	Suite *s = suite_create("sender_queue");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_held_then_resent_after_templates);
	tcase_add_test(tc, test_queue_bound);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(queue_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
