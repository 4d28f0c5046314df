#include "sender.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "../common/log.h"

#define NS_PER_MS 1000000ull
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103 /* linux/udp.h, for older C libraries */
#endif
#define MLEN_TMPL 0x80000000u /* ring flag: a templates message */
#define MLEN_MASK 0x7fffffffu

static void
set_name(struct snd *s, const char *host, const char *port)
{
	/* an IPv6 literal gets brackets so the port stays readable */
	if (strchr(host, ':') != NULL)
		(void)snprintf(s->name, sizeof(s->name), "[%s]:%s", host, port);
	else
		(void)snprintf(s->name, sizeof(s->name), "%s:%s", host, port);
}

static void
snd_zero(struct snd *s, enum snd_kind kind)
{
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->fd = -1;
}

/* The first address of host:port that a socket of this type accepts. */
static int
resolve(struct snd *s, const char *host, const char *port, int socktype,
        char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		(void)snprintf(err, errlen, "%s: %s", s->name,
		               gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_addrlen <= sizeof(s->addr)) {
			memcpy(&s->addr, ai->ai_addr, ai->ai_addrlen);
			s->addrlen = ai->ai_addrlen;
			freeaddrinfo(res);
			return 0;
		}
	}
	freeaddrinfo(res);
	(void)snprintf(err, errlen, "%s: no usable address", s->name);
	return -1;
}

int
snd_udp_open(struct snd *s, const char *host, const char *port, char *err,
             size_t errlen)
{
	snd_zero(s, SND_UDP);
	set_name(s, host, port);
	if (resolve(s, host, port, SOCK_DGRAM, err, errlen) < 0)
		return -1;
	s->fd = socket(s->addr.ss_family,
	               SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		(void)snprintf(err, errlen, "%s: socket: %s", s->name,
		               strerror(errno));
		return -1;
	}
	/* connected, so an ICMP port unreachable comes back as an error */
	if (connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen) < 0) {
		(void)snprintf(err, errlen, "%s: connect: %s", s->name,
		               strerror(errno));
		(void)close(s->fd);
		s->fd = -1;
		return -1;
	}
	return 0;
}

/* Length of the i-th queued message (0 = head) and whether it is one of
 * templates. */
static size_t
msg_len(const struct snd *s, size_t i, bool *tmpl)
{
	uint32_t v = s->mlen[(s->mhead + i) % SND_TCP_MAXMSG];

	if (tmpl != NULL)
		*tmpl = (v & MLEN_TMPL) != 0;
	return v & MLEN_MASK;
}

/* Remove n bytes (whole messages, k of them) from the head of the queue. */
static void
queue_pop(struct snd *s, size_t n, size_t k)
{
	s->olen -= n;
	if (s->olen > 0)
		memmove(s->obuf, s->obuf + n, s->olen);
	s->mhead = (s->mhead + k) % SND_TCP_MAXMSG;
	s->mcount -= k;
}

/*
 * Drop from the head the messages whose every byte the peer acknowledged:
 * written, and no longer in the socket's send queue (SIOCOUTQ counts the
 * bytes sent and not yet acknowledged plus those not yet sent).
 */
static void
tcp_trim_acked(struct snd *s)
{
	size_t acked, n = 0, k = 0, l;
	int outq = 0;

	if (s->state != SND_UP || s->owritten == 0)
		return;
	if (ioctl(s->fd, SIOCOUTQ, &outq) < 0 || outq < 0)
		return; /* unknown: keep everything */
	acked = (size_t)outq >= s->owritten ? 0 : s->owritten - (size_t)outq;
	while (k < s->mcount && (l = msg_len(s, k, NULL)) <= acked - n) {
		n += l;
		k++;
	}
	if (k == 0)
		return;
	queue_pop(s, n, k);
	s->owritten -= n;
}

/*
 * The connection is gone. What it took but the peer never acknowledged
 * stays queued and is written again on the next connection; templates
 * messages go (the next connection gets fresh ones first).
 */
static void
tcp_down(struct snd *s, int e)
{
	size_t i, rd = 0, wr = 0, kept = 0, l;
	bool tmpl;

	/* what the peer acknowledged before it went is delivered */
	tcp_trim_acked(s);
	if (s->fd >= 0)
		(void)close(s->fd);
	s->fd = -1;
	s->state = SND_DOWN;
	s->retry_at_ns = 0;
	s->last_errno = e;
	/* compact: kept message k moves to ring slot k <= i, bytes to wr */
	for (i = 0; i < s->mcount; i++) {
		l = msg_len(s, i, &tmpl);
		if (!tmpl) {
			if (rd < s->owritten)
				s->resent++; /* (partly) written: again */
			if (wr != rd)
				memmove(s->obuf + wr, s->obuf + rd, l);
			s->mlen[(s->mhead + kept) % SND_TCP_MAXMSG] =
			    (uint32_t)l;
			kept++;
			wr += l;
		}
		rd += l;
	}
	s->olen = wr;
	s->mcount = kept;
	s->owritten = 0;
}

static int
apply_hoplimit(const struct snd *s)
{
	int v = s->hoplimit;

	if (v <= 0 || s->fd < 0)
		return 0;
	if (s->addr.ss_family == AF_INET6)
		return setsockopt(s->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v,
		                  sizeof(v));
	return setsockopt(s->fd, IPPROTO_IP, IP_TTL, &v, sizeof(v));
}

int
snd_set_hoplimit(struct snd *s, int hops, char *err, size_t errlen)
{
	s->hoplimit = hops;
	if (s->kind == SND_FILE || apply_hoplimit(s) == 0)
		return 0;
	(void)snprintf(err, errlen, "%s: -L %d: %s", s->name, hops,
	               strerror(errno));
	return -1;
}

/* Open a new socket and start connecting; the stream starts afresh. */
static void
tcp_connect(struct snd *s)
{
	s->fd = socket(s->addr.ss_family,
	               SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		tcp_down(s, errno);
		return;
	}
	s->owritten = 0;
	s->need_templates = true;
	(void)apply_hoplimit(s); /* checked when -L was set */
	if (connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen) == 0) {
		s->state = SND_UP;
		s->retry_ms = 0;
	} else if (errno == EINPROGRESS) {
		s->state = SND_CONNECTING;
	} else {
		tcp_down(s, errno);
	}
}

int
snd_tcp_open(struct snd *s, const char *host, const char *port, char *err,
             size_t errlen)
{
	snd_zero(s, SND_TCP);
	set_name(s, host, port);
	if (resolve(s, host, port, SOCK_STREAM, err, errlen) < 0)
		return -1;
	s->obuf = malloc(SND_TCP_BUF);
	s->mlen = calloc(SND_TCP_MAXMSG, sizeof(*s->mlen));
	if (s->obuf == NULL || s->mlen == NULL) {
		(void)snprintf(err, errlen, "%s: out of memory", s->name);
		free(s->obuf);
		free(s->mlen);
		s->obuf = NULL;
		s->mlen = NULL;
		return -1;
	}
	tcp_connect(s);
	return 0;
}

int
snd_file_open(struct snd *s, const char *path, char *err, size_t errlen)
{
	snd_zero(s, SND_FILE);
	(void)snprintf(s->name, sizeof(s->name), "%s", path);
	s->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (s->fd < 0) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	s->need_templates = true;
	return 0;
}

/* Write the queue as far as the socket takes it. Nothing goes on a new
 * connection before its templates (snd_send_templates()). */
static void
tcp_flush(struct snd *s)
{
	ssize_t n;

	if (s->need_templates)
		return;
	while (s->state == SND_UP && s->owritten < s->olen) {
		n = send(s->fd, s->obuf + s->owritten, s->olen - s->owritten,
		         MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				tcp_down(s, errno);
			break;
		}
		s->owritten += (size_t)n;
	}
	tcp_trim_acked(s);
}

/* Connecting: has it finished? Up: has the peer closed? */
static void
tcp_check(struct snd *s)
{
	struct pollfd pfd;
	int e = 0;
	socklen_t elen = sizeof(e);
	uint8_t junk[256];
	ssize_t n;

	if (s->fd < 0)
		return;
	pfd.fd = s->fd;
	pfd.events = s->state == SND_CONNECTING ? POLLOUT : POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) <= 0)
		return;
	if (s->state == SND_CONNECTING) {
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
			e = errno;
		if (e != 0) {
			tcp_down(s, e);
			return;
		}
		s->state = SND_UP;
		s->retry_ms = 0;
		return;
	}
	/* a collector sends nothing: readable means closed (or junk) */
	n = recv(s->fd, junk, sizeof(junk), MSG_DONTWAIT);
	if (n == 0)
		tcp_down(s, ECONNRESET);
	else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	         errno != EINTR)
		tcp_down(s, errno);
}

void
snd_poll(struct snd *s, uint64_t now_ns)
{
	if (s->kind != SND_TCP)
		return;
	if (s->state != SND_DOWN)
		tcp_check(s);
	if (s->state == SND_DOWN) {
		if (s->retry_at_ns == 0) {
			s->retry_ms = s->retry_ms == 0 ? SND_RETRY_MIN_MS
			                               : s->retry_ms * 2;
			if (s->retry_ms > SND_RETRY_MAX_MS)
				s->retry_ms = SND_RETRY_MAX_MS;
			s->retry_at_ns = now_ns + s->retry_ms * NS_PER_MS;
		} else if (now_ns >= s->retry_at_ns) {
			s->reconnects++;
			tcp_connect(s);
			if (s->state != SND_DOWN)
				tcp_check(s);
		}
	}
	tcp_flush(s);
}

static int
file_write(struct snd *s, const uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(s->fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			s->last_errno = errno;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Queue one whole message, templates at the head (a new connection has
 * written nothing yet, since tcp_flush() waits for them), and write.
 */
static int
tcp_enqueue(struct snd *s, const uint8_t *buf, size_t len, bool tmpl)
{
	size_t slot;

	if (len > SND_TCP_BUF - s->olen || s->mcount == SND_TCP_MAXMSG ||
	    len > MLEN_MASK || (tmpl && s->owritten > 0)) {
		s->overflow++;
		s->last_errno = ENOBUFS;
		return -1;
	}
	if (tmpl) {
		memmove(s->obuf + len, s->obuf, s->olen);
		memcpy(s->obuf, buf, len);
		s->mhead = (s->mhead + SND_TCP_MAXMSG - 1) % SND_TCP_MAXMSG;
		s->mlen[s->mhead] = (uint32_t)len | MLEN_TMPL;
		s->need_templates = false;
	} else {
		memcpy(s->obuf + s->olen, buf, len);
		slot = (s->mhead + s->mcount) % SND_TCP_MAXMSG;
		s->mlen[slot] = (uint32_t)len;
	}
	s->olen += len;
	s->mcount++;
	tcp_flush(s);
	if (s->state != SND_DOWN)
		return 0;
	if (!tmpl)
		s->held++;
	if (s->last_errno == 0)
		s->last_errno = ENOTCONN;
	return 1;
}

int
snd_send(struct snd *s, const uint8_t *buf, size_t len, uint64_t now_ns)
{
	ssize_t n;

	(void)now_ns;
	if (s->fd < 0 && s->kind != SND_TCP) {
		s->last_errno = EBADF;
		return -1;
	}
	switch (s->kind) {
	case SND_UDP:
		n = send(s->fd, buf, len, MSG_DONTWAIT);
		if (n < 0 && errno == ECONNREFUSED) {
			/* the ICMP error of an earlier datagram, reported
			   instead of sending this one: the collector may be
			   back by now, so this one goes all the same */
			s->refused++;
			n = send(s->fd, buf, len, MSG_DONTWAIT);
		}
		if (n < 0) {
			/* ENOBUFS, EAGAIN, a second ECONNREFUSED */
			s->last_errno = errno;
			return -1;
		}
		return 0;
	case SND_FILE:
		return file_write(s, buf, len);
	case SND_TCP:
		/* no reconnect here: the caller must see need_templates
		 * before the first message of a new stream */
		if (s->state != SND_DOWN)
			tcp_check(s);
		return tcp_enqueue(s, buf, len, false);
	}
	return -1;
}

/* One sendmsg() of the whole batch, cut by the kernel every seg bytes. */
static ssize_t
send_gso(struct snd *s, const uint8_t *buf, size_t seg, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *cm;
	uint16_t gso = (uint16_t)seg;

	memset(&mh, 0, sizeof(mh));
	memset(&ctl, 0, sizeof(ctl));
	memcpy(&iov.iov_base, &buf, sizeof(buf)); /* sendmsg() takes no const */
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = IPPROTO_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(gso));
	memcpy(CMSG_DATA(cm), &gso, sizeof(gso));
	return sendmsg(s->fd, &mh, MSG_DONTWAIT);
}

static bool
gso_refused(int e)
{
	return e == EINVAL || e == EIO || e == ENOPROTOOPT || e == EOPNOTSUPP ||
	       e == EMSGSIZE;
}

size_t
snd_send_batch(struct snd *s, const uint8_t *buf, size_t seg, size_t len)
{
	size_t off, n = seg > 0 ? (len + seg - 1) / seg : 0, failed = 0;
	ssize_t r;

	if (n == 0)
		return 0;
	if (s->kind == SND_UDP && s->fd >= 0 && n > 1 && !s->gso_off) {
		r = send_gso(s, buf, seg, len);
		if (r < 0 && errno == ECONNREFUSED) {
			s->refused++; /* as in snd_send() */
			r = send_gso(s, buf, seg, len);
		}
		if (r >= 0)
			return 0;
		if (!gso_refused(errno)) {
			s->last_errno = errno;
			return n;
		}
		s->gso_off = true;
		log_msg(LOG_LVL_INFO,
		        "collector %s: UDP segmentation offload refused (%s); "
		        "one send() per datagram from now on",
		        s->name, strerror(errno));
	}
	for (off = 0; off < len; off += seg)
		if (snd_send(s, buf + off, len - off < seg ? len - off : seg,
		             0) != 0)
			failed++;
	return failed;
}

int
snd_send_templates(struct snd *s, const uint8_t *buf, size_t len,
                   uint64_t now_ns)
{
	if (s->kind != SND_TCP) {
		s->need_templates = false;
		return snd_send(s, buf, len, now_ns);
	}
	if (s->state != SND_DOWN)
		tcp_check(s);
	return tcp_enqueue(s, buf, len, true);
}

const uint8_t *
snd_next_unsent(const struct snd *s, size_t *len)
{
	size_t i, off = 0, l;

	if (s->kind != SND_TCP)
		return NULL;
	for (i = 0; i < s->mcount; i++) {
		l = msg_len(s, i, NULL);
		if (off + l > s->owritten) {
			if (off < s->owritten)
				return NULL; /* half written: it is not next */
			*len = l;
			return s->obuf + off;
		}
		off += l;
	}
	return NULL;
}

size_t
snd_pending(const struct snd *s)
{
	return s->kind == SND_TCP ? s->olen : 0;
}

void
snd_close(struct snd *s, int timeout_ms)
{
	struct pollfd pfd;
	int waited = 0;

	if (s->kind == SND_TCP && s->fd >= 0) {
		/* until the peer has acknowledged everything */
		while (s->olen > 0 && waited < timeout_ms) {
			if (s->state == SND_CONNECTING)
				tcp_check(s);
			if (s->state == SND_DOWN)
				break;
			tcp_flush(s);
			if (s->olen == 0 || s->need_templates)
				break;
			/* all written: wait for the acknowledgements */
			pfd.fd = s->fd;
			pfd.events = s->owritten < s->olen ? POLLOUT : 0;
			(void)poll(&pfd, 1, 10);
			waited += 10;
		}
	}
	if (s->kind == SND_TCP && s->olen > 0)
		log_msg(LOG_LVL_WARN,
		        "collector %s: %zu messages (%zu bytes) not delivered "
		        "at close",
		        s->name, s->mcount, s->olen);
	if (s->fd >= 0)
		(void)close(s->fd);
	s->fd = -1;
	free(s->obuf);
	free(s->mlen);
	s->obuf = NULL;
	s->mlen = NULL;
	s->olen = 0;
	s->owritten = 0;
	s->mcount = 0;
	s->state = SND_DOWN;
}
