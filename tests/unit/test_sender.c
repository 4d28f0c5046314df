/*
 * Senders and the exporter end to end, over loopback only: UDP datagrams
 * arrive byte for byte, a closed port is counted and survived, IPFIX over
 * TCP starts each connection with templates and reconnects, and an IPFIX
 * file starts with templates.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
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

/* A socket bound to an ephemeral loopback port; the port as text. */
static int
bound_socket(int family, int type, char *port, size_t portlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(family, type, 0);

	ck_assert_int_ge(fd, 0);
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		(void)close(fd);
		return -1;
	}
	len = sizeof(ss);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	(void)snprintf(port, portlen, "%u",
	               family == AF_INET
	                   ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
	                   : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	return fd;
}

/* Receive one datagram, waiting at most 1 s; returns its length or -1. */
static ssize_t
recv_wait(int fd, uint8_t *buf, size_t cap)
{
	struct pollfd pfd = {fd, POLLIN, 0};

	if (poll(&pfd, 1, 1000) <= 0)
		return -1;
	return recv(fd, buf, cap, MSG_DONTWAIT);
}

/* Is a datagram waiting? (without taking it) */
static bool
pending(int fd)
{
	struct pollfd pfd = {fd, POLLIN, 0};

	return poll(&pfd, 1, 0) > 0;
}

static struct flow_record
rec4(uint16_t sport)
{
	struct flow_record r;

	memset(&r, 0, sizeof(r));
	r.family = 4;
	r.proto = 17;
	memcpy(r.src, "\x7f\x00\x00\x01", 4);
	memcpy(r.dst, "\x7f\x00\x00\x02", 4);
	r.sport = sport;
	r.dport = 53;
	r.packets = 1;
	r.octets = 60;
	r.first_ns = BOOT_NS + 100 * MS;
	r.last_ns = BOOT_NS + 100 * MS;
	r.end_reason = FLOW_END_IDLE;
	return r;
}

START_TEST(test_udp_bytes)
{
	char port[16], err[256];
	struct snd s;
	uint8_t msg[300], got[400];
	int fd = bound_socket(AF_INET, SOCK_DGRAM, port, sizeof(port));
	size_t i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 1);
	ck_assert_int_eq(snd_udp_open(&s, "127.0.0.1", port, err, sizeof(err)),
	                 0);
	ck_assert_int_eq(snd_send(&s, msg, sizeof(msg), BOOT_NS), 0);
	ck_assert_int_eq(recv_wait(fd, got, sizeof(got)), sizeof(msg));
	ck_assert_mem_eq(got, msg, sizeof(msg));
	snd_close(&s, 0);
	(void)close(fd);
}
END_TEST

/* -L: the socket's TTL / hop limit is what was asked, v4 and v6. */
START_TEST(test_hoplimit)
{
	char port4[16], port6[16], err[256];
	struct snd s4, s6;
	int fd4 = bound_socket(AF_INET, SOCK_DGRAM, port4, sizeof(port4));
	int fd6 = bound_socket(AF_INET6, SOCK_DGRAM, port6, sizeof(port6));
	int v = 0;
	socklen_t vl = sizeof(v);

	ck_assert_int_eq(
	    snd_udp_open(&s4, "127.0.0.1", port4, err, sizeof(err)), 0);
	ck_assert_int_eq(snd_set_hoplimit(&s4, 7, err, sizeof(err)), 0);
	ck_assert_int_eq(getsockopt(s4.fd, IPPROTO_IP, IP_TTL, &v, &vl), 0);
	ck_assert_int_eq(v, 7);
	ck_assert_int_eq(snd_udp_open(&s6, "::1", port6, err, sizeof(err)),
	                 0);
	ck_assert_int_eq(snd_set_hoplimit(&s6, 9, err, sizeof(err)), 0);
	vl = sizeof(v);
	ck_assert_int_eq(
	    getsockopt(s6.fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, &vl), 0);
	ck_assert_int_eq(v, 9);
	snd_close(&s4, 0);
	snd_close(&s6, 0);
	(void)close(fd4);
	(void)close(fd6);
}
END_TEST

START_TEST(test_udp_ipv6_and_names)
{
	char port[16], err[256];
	struct snd s;
	uint8_t msg[4] = {1, 2, 3, 4}, got[8];
	int fd = bound_socket(AF_INET6, SOCK_DGRAM, port, sizeof(port));

	if (fd >= 0) { /* no IPv6 loopback: nothing to test */
		ck_assert_int_eq(
		    snd_udp_open(&s, "::1", port, err, sizeof(err)), 0);
		ck_assert_str_eq(s.name + strlen(s.name) - strlen(port), port);
		ck_assert_int_eq(s.name[0], '[');
		ck_assert_int_eq(snd_send(&s, msg, 4, BOOT_NS), 0);
		ck_assert_int_eq(recv_wait(fd, got, sizeof(got)), 4);
		snd_close(&s, 0);
		(void)close(fd);
	}
	ck_assert_int_eq(
	    snd_udp_open(&s, "no-such-host.invalid", "2055", err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "no-such-host.invalid:2055"));
}
END_TEST

/* The ICMP port unreachable makes a later send fail: counted, survived. */
START_TEST(test_closed_port_counted)
{
	struct exp_config cfg;
	struct exporter *ex;
	struct flow_record r = rec4(1000);
	char port[16], err[256];
	int fd = bound_socket(AF_INET, SOCK_DGRAM, port, sizeof(port));
	const struct exp_stats *st;
	int i;

	(void)close(fd); /* the port is now closed */
	exp_config_defaults(&cfg);
	cfg.version = 9;
	cfg.n_coll = 1;
	(void)snprintf(cfg.coll[0].host, sizeof(cfg.coll[0].host), "127.0.0.1");
	(void)snprintf(cfg.coll[0].port, sizeof(cfg.coll[0].port), "%s", port);
	ex = exp_create(&cfg, err, sizeof(err));
	ck_assert_ptr_nonnull(ex);
	for (i = 0; i < 5; i++) {
		exp_flow(ex, &r, BOOT_NS + (uint64_t)i * SEC);
		exp_flush(ex, BOOT_NS + (uint64_t)i * SEC);
		usleep(20000); /* let the ICMP error come back */
	}
	st = exp_get_stats(ex);
	/* the templates in a packet of their own, then the 5 */
	ck_assert_uint_eq(st->packets_built, 6);
	/* each ICMP error is reported once, on the next send, which is
	   made again and goes: every datagram left, an error for each
	   but the last (the templates' may come back in time or not) */
	ck_assert_uint_ge(st->coll[0].refused, 4);
	ck_assert_uint_le(st->coll[0].refused, 5);
	ck_assert_uint_eq(st->coll[0].send_failed, 0);
	ck_assert_uint_eq(st->coll[0].packets_sent, 6);
	exp_destroy(ex, BOOT_NS + 10 * SEC);
}
END_TEST

/* Bind fd again to 127.0.0.1:port (the collector back on its port). */
static int
rebind(const char *port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;

	ck_assert_int_ge(fd, 0);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)atoi(port));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

/*
 * The collector restarts: a datagram sent while it was down brings back
 * an ICMP error, which the kernel reports on the next send instead of
 * sending it. That next datagram is the first the collector could have
 * had: it must arrive (a send that gave up here lost it).
 */
START_TEST(test_refused_then_back)
{
	char port[16], err[256];
	uint8_t msg[100], got[200];
	struct snd s;
	int fd = bound_socket(AF_INET, SOCK_DGRAM, port, sizeof(port));

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(snd_udp_open(&s, "127.0.0.1", port, err, sizeof(err)),
	                 0);
	(void)close(fd); /* down */
	memset(msg, 0xaa, sizeof(msg));
	ck_assert_int_eq(snd_send(&s, msg, sizeof(msg), BOOT_NS), 0);
	usleep(20000); /* the ICMP error comes back */
	fd = rebind(port); /* up again */
	memset(msg, 0xbb, sizeof(msg));
	ck_assert_int_eq(snd_send(&s, msg, sizeof(msg), BOOT_NS), 0);
	ck_assert_uint_eq(s.refused, 1);
	ck_assert_int_eq((int)recv_wait(fd, got, sizeof(got)), sizeof(msg));
	ck_assert_int_eq(got[0], 0xbb);
	ck_assert_int_eq(got[sizeof(msg) - 1], 0xbb);
	ck_assert(!pending(fd));
	snd_close(&s, 0);
	(void)close(fd);
}
END_TEST

/*
 * A batch: messages of seg bytes back to back, the last shorter. The
 * collector gets each as a datagram of its own, in order, byte for byte,
 * whether the kernel cuts them (UDP_SEGMENT) or the sender does
 * (gso_off), and a batch of one is a plain datagram.
 */
static void
check_batch(bool gso_off, size_t seg, size_t n, size_t last)
{
	char port[16], err[256];
	static uint8_t buf[65536], got[65536];
	size_t i, j, len = (n - 1) * seg + last;
	struct snd s;
	int fd = bound_socket(AF_INET, SOCK_DGRAM, port, sizeof(port));
	int big = 4 << 20;

	ck_assert_int_ge(fd, 0);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	ck_assert_int_eq(snd_udp_open(&s, "127.0.0.1", port, err, sizeof(err)),
	                 0);
	s.gso_off = gso_off;
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i / seg * 7 + i % 251);
	ck_assert_uint_eq(snd_send_batch(&s, buf, seg, len), 0);
	for (i = 0; i < n; i++) {
		size_t want = i + 1 < n ? seg : last;
		ssize_t r = recv_wait(fd, got, sizeof(got));

		ck_assert_int_eq((int)r, (int)want);
		for (j = 0; j < want; j++)
			ck_assert_uint_eq(got[j], buf[i * seg + j]);
	}
	ck_assert(!pending(fd));
	ck_assert(s.gso_off == gso_off); /* loopback takes UDP_SEGMENT */
	snd_close(&s, 0);
	(void)close(fd);
}

START_TEST(test_batch)
{
	check_batch(false, 1400, 46, 1400);
	check_batch(false, 1400, 46, 612);
	check_batch(false, 1372, 3, 1);
	check_batch(false, 600, 1, 600);
	check_batch(true, 1400, 46, 1399);
	check_batch(true, 1344, 2, 1344);
}
END_TEST

/* A batch to a closed port is sent again after the ICMP error, whole. */
START_TEST(test_batch_refused)
{
	char port[16], err[256];
	static uint8_t buf[14000];
	struct snd s;
	int fd = bound_socket(AF_INET, SOCK_DGRAM, port, sizeof(port));

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(snd_udp_open(&s, "127.0.0.1", port, err, sizeof(err)),
	                 0);
	(void)close(fd);
	ck_assert_uint_eq(snd_send_batch(&s, buf, 1400, sizeof(buf)), 0);
	usleep(20000);
	ck_assert_uint_eq(snd_send_batch(&s, buf, 1400, sizeof(buf)), 0);
	ck_assert_uint_eq(s.refused, 1);
	snd_close(&s, 0);
}
END_TEST

static struct exporter *
udp_exporter(int version, const char *port, int n_coll)
{
	struct exp_config cfg;
	char err[256];
	struct exporter *ex;
	int i;

	exp_config_defaults(&cfg);
	cfg.version = version;
	cfg.n_coll = n_coll;
	for (i = 0; i < n_coll; i++) {
		(void)snprintf(cfg.coll[i].host, sizeof(cfg.coll[i].host),
		               "127.0.0.1");
		(void)snprintf(cfg.coll[i].port, sizeof(cfg.coll[i].port), "%s",
		               port);
	}
	ex = exp_create(&cfg, err, sizeof(err));
	ck_assert_msg(ex != NULL, "%s", err);
	return ex;
}

/*
 * v5: 28 records fill a 1400-byte packet; it waits for the batch (more
 * full packets) until flush_ms after it was begun, then leaves alone.
 */
START_TEST(test_exporter_v5_full_packet)
{
	char port[16];
	int fd = bound_socket(AF_INET, SOCK_DGRAM, port, sizeof(port));
	struct exporter *ex = udp_exporter(5, port, 1);
	struct flow_record r6 = rec4(1);
	uint8_t got[2000];
	int i;

	r6.family = 6;
	exp_flow(ex, &r6, BOOT_NS);
	for (i = 0; i < 28; i++) {
		struct flow_record r = rec4((uint16_t)(1000 + i));

		ck_assert(!pending(fd));
		exp_flow(ex, &r, BOOT_NS + (uint64_t)i * MS);
	}
	exp_tick(ex, BOOT_NS + 999 * MS);
	usleep(10000);
	ck_assert(!pending(fd));
	exp_tick(ex, BOOT_NS + 1000 * MS);
	ck_assert_int_eq(recv_wait(fd, got, sizeof(got)), 24 + 28 * 48);
	ck_assert(!pending(fd));
	ck_assert_uint_eq(ld_be16(got), 5);
	ck_assert_uint_eq(ld_be16(got + 2), 28);
	ck_assert_uint_eq(ld_be16(got + 24 + 32), 1000); /* first srcport */
	ck_assert_uint_eq(exp_get_stats(ex)->v5_ipv6_skipped, 1);
	ck_assert_uint_eq(exp_get_stats(ex)->records_sent, 28);
	exp_destroy(ex, BOOT_NS + SEC);
	(void)close(fd);
}
END_TEST

/*
 * The templates leave at once, in a packet of their own; flush_ms: a
 * partly filled packet leaves on the tick, not before.
 */
START_TEST(test_exporter_flush_timer)
{
	char port[16];
	int fd = bound_socket(AF_INET, SOCK_DGRAM, port, sizeof(port));
	struct exporter *ex = udp_exporter(10, port, 2);
	struct flow_record r = rec4(1000);
	uint8_t got[2000], got2[2000];
	ssize_t n;
	int i;

	exp_flow(ex, &r, BOOT_NS);
	for (i = 0; i < 2; i++) {
		n = recv_wait(fd, got, sizeof(got));
		ck_assert_int_gt(n, 20);
		ck_assert_uint_eq(ld_be16(got + 2), (uint64_t)n);
		ck_assert_uint_eq(ld_be16(got + 16), 2); /* a Template Set */
		ck_assert_uint_eq(ld_be32(got + 8), 0);  /* sequence */
	}
	exp_tick(ex, BOOT_NS + 999 * MS);
	usleep(10000);
	ck_assert(!pending(fd));
	exp_tick(ex, BOOT_NS + 1000 * MS);
	/* two collectors (the same port twice): the same bytes twice */
	n = recv_wait(fd, got, sizeof(got));
	ck_assert_int_gt(n, 16);
	ck_assert_int_eq(recv_wait(fd, got2, sizeof(got2)), n);
	ck_assert_mem_eq(got, got2, (size_t)n);
	ck_assert_uint_eq(ld_be16(got), 10);
	ck_assert_uint_eq(ld_be16(got + 2), (uint64_t)n);
	ck_assert_uint_eq(ld_be32(got + 4), 1700000001); /* export time */
	ck_assert_uint_eq(ld_be16(got + 16), 256); /* the IPv4 data set */
	ck_assert_uint_eq(exp_get_stats(ex)->coll[1].packets_sent, 2);
	/* 30 s later with nothing to send: the templates are refreshed */
	exp_tick(ex, BOOT_NS + 31 * SEC);
	n = recv_wait(fd, got, sizeof(got));
	ck_assert_int_gt(n, 16);
	ck_assert_uint_eq(ld_be16(got + 16), 2);
	exp_destroy(ex, BOOT_NS + 32 * SEC);
	(void)close(fd);
}
END_TEST

/* Read one IPFIX message from a stream; returns its length or -1. */
static ssize_t
read_msg(int fd, uint8_t *buf, size_t cap)
{
	size_t have = 0, want = 4;
	struct pollfd pfd = {fd, POLLIN, 0};
	ssize_t n;

	while (have < want) {
		if (poll(&pfd, 1, 1000) <= 0)
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

static struct exporter *
tcp_exporter(const char *port)
{
	struct exp_config cfg;
	char err[256];
	struct exporter *ex;

	exp_config_defaults(&cfg);
	cfg.transport = EXP_TCP;
	cfg.n_coll = 1;
	(void)snprintf(cfg.coll[0].host, sizeof(cfg.coll[0].host), "localhost");
	(void)snprintf(cfg.coll[0].port, sizeof(cfg.coll[0].port), "%s", port);
	ex = exp_create(&cfg, err, sizeof(err));
	ck_assert_msg(ex != NULL, "%s", err);
	return ex;
}

START_TEST(test_tcp_templates_and_reconnect)
{
	char port[16];
	int lfd = bound_socket(AF_INET, SOCK_STREAM, port, sizeof(port));
	struct exporter *ex;
	struct flow_record r = rec4(1000);
	uint8_t got[70000];
	int cfd;
	uint64_t now = BOOT_NS;

	ck_assert_int_eq(listen(lfd, 4), 0);
	ex = tcp_exporter(port);
	cfd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(cfd, 0);
	exp_flow(ex, &r, now);
	exp_flush(ex, now);
	/* templates-only message, then options data + the flow */
	ck_assert_int_eq(read_msg(cfd, got, sizeof(got)), 16 + 156 + 64);
	ck_assert_uint_eq(ld_be16(got + 16), 2);
	ck_assert_uint_eq(ld_be32(got + 8), 0);
	ck_assert_int_eq(read_msg(cfd, got, sizeof(got)),
	                 16 + 48 + 21 + 4 + 60);
	ck_assert_uint_eq(ld_be16(got + 16), 258);

	/* the collector goes away and comes back */
	(void)close(cfd);
	usleep(20000);
	exp_tick(ex, now += SEC);     /* notices the close */
	exp_tick(ex, now += 2 * SEC); /* reconnects */
	cfd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(cfd, 0);
	exp_tick(ex, now += 10 * MS);
	ck_assert_int_eq(read_msg(cfd, got, sizeof(got)), 16 + 156 + 64);
	ck_assert_uint_eq(ld_be16(got + 16), 2);
	exp_flow(ex, &r, now);
	exp_flush(ex, now);
	ck_assert_int_eq(read_msg(cfd, got, sizeof(got)), 16 + 4 + 60);
	ck_assert_uint_eq(ld_be32(got + 8), 3); /* 2 options + 1 flow before */
	ck_assert_uint_ge(exp_get_stats(ex)->coll[0].reconnects, 1);
	exp_destroy(ex, now);
	(void)close(cfd);
	(void)close(lfd);
}
END_TEST

/* Nobody listening: counted, and no crash. */
START_TEST(test_tcp_down_counted)
{
	char port[16];
	int lfd = bound_socket(AF_INET, SOCK_STREAM, port, sizeof(port));
	struct exporter *ex;
	struct flow_record r = rec4(1000);

	(void)close(lfd);
	ex = tcp_exporter(port);
	usleep(20000);
	exp_tick(ex, BOOT_NS);
	exp_flow(ex, &r, BOOT_NS);
	exp_flush(ex, BOOT_NS);
	ck_assert_uint_ge(exp_get_stats(ex)->coll[0].send_failed, 1);
	exp_destroy(ex, BOOT_NS);
}
END_TEST

/* RFC 5655 file: templates message first, then the data, back to back. */
START_TEST(test_file)
{
	struct exp_config cfg;
	struct exporter *ex;
	struct flow_record r = rec4(1000);
	char path[] = "/tmp/tapflow_test_ipfix_XXXXXX", err[256];
	uint8_t got[4096];
	int fd = mkstemp(path);
	ssize_t n;
	size_t off;

	ck_assert_int_ge(fd, 0);
	(void)close(fd);
	exp_config_defaults(&cfg);
	cfg.transport = EXP_FILE;
	cfg.file_path = path;
	ex = exp_create(&cfg, err, sizeof(err));
	ck_assert_msg(ex != NULL, "%s", err);
	exp_flow(ex, &r, BOOT_NS);
	exp_flow(ex, &r, BOOT_NS);
	exp_destroy(ex, BOOT_NS);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = read(fd, got, sizeof(got));
	(void)close(fd);
	(void)unlink(path);
	ck_assert_int_eq(n, (16 + 156 + 64) + (16 + 48 + 21 + 4 + 2 * 60));
	ck_assert_uint_eq(ld_be16(got + 16), 2);
	ck_assert_uint_eq(ld_be32(got + 8), 0); /* sequence, as the next's */
	off = ld_be16(got + 2);
	ck_assert_uint_eq(ld_be16(got + off), 10);
	ck_assert_uint_eq(ld_be32(got + off + 8), 0);
	ck_assert_uint_eq(ld_be16(got + off + 2), (size_t)n - off);
}
END_TEST

START_TEST(test_config_errors)
{
	struct exp_config cfg;
	char err[256];

	exp_config_defaults(&cfg);
	ck_assert_int_eq(cfg.version, 10);
	ck_assert_uint_eq(cfg.max_packet, 1400);
	ck_assert_ptr_null(exp_create(&cfg, err, sizeof(err))); /* no coll */
	cfg.n_coll = 1;
	(void)snprintf(cfg.coll[0].host, sizeof(cfg.coll[0].host), "127.0.0.1");
	(void)snprintf(cfg.coll[0].port, sizeof(cfg.coll[0].port), "2055");
	cfg.version = 7;
	ck_assert_ptr_null(exp_create(&cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "7"));
	cfg.version = 9;
	cfg.transport = EXP_TCP;
	ck_assert_ptr_null(exp_create(&cfg, err, sizeof(err)));
	cfg.transport = EXP_UDP;
	cfg.max_packet = 100;
	ck_assert_ptr_null(exp_create(&cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "100"));
}
END_TEST

static Suite *
sender_suite(void)
{
	Suite *s = suite_create("sender");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_udp_bytes);
	tcase_add_test(tc, test_hoplimit);
	tcase_add_test(tc, test_udp_ipv6_and_names);
	tcase_add_test(tc, test_closed_port_counted);
	tcase_add_test(tc, test_refused_then_back);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_batch_refused);
	tcase_add_test(tc, test_exporter_v5_full_packet);
	tcase_add_test(tc, test_exporter_flush_timer);
	tcase_add_test(tc, test_tcp_templates_and_reconnect);
	tcase_add_test(tc, test_tcp_down_counted);
	tcase_add_test(tc, test_file);
	tcase_add_test(tc, test_config_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sender_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
