#include "sender.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "../common/log.h"

#define NS_PER_MS 1000000ull

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

static void
tcp_down(struct snd *s, int e)
{
	if (s->fd >= 0)
		(void)close(s->fd);
	s->fd = -1;
	s->state = SND_DOWN;
	s->olen = 0; /* a message cut in half can't go on a new stream */
	s->retry_at_ns = 0;
	s->last_errno = e;
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
	s->olen = 0;
	s->need_templates = true;
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
	if (s->obuf == NULL) {
		(void)snprintf(err, errlen, "%s: out of memory", s->name);
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

/* Write the queue as far as the socket takes it. */
static void
tcp_flush(struct snd *s)
{
	ssize_t n;

	while (s->state == SND_UP && s->olen > 0) {
		n = send(s->fd, s->obuf, s->olen, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				tcp_down(s, errno);
			return;
		}
		s->olen -= (size_t)n;
		if (s->olen > 0)
			memmove(s->obuf, s->obuf + n, s->olen);
	}
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
		if (n < 0) {
			/* ECONNREFUSED (an earlier ICMP), ENOBUFS, EAGAIN */
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
		if (s->state == SND_DOWN) {
			s->last_errno =
			    s->last_errno ? s->last_errno : ENOTCONN;
			return -1;
		}
		if (len > SND_TCP_BUF - s->olen) {
			s->last_errno = ENOBUFS;
			return -1;
		}
		memcpy(s->obuf + s->olen, buf, len);
		s->olen += len;
		tcp_flush(s);
		return s->state == SND_DOWN ? -1 : 0;
	}
	return -1;
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
		while (s->olen > 0 && waited < timeout_ms) {
			if (s->state == SND_CONNECTING)
				tcp_check(s);
			if (s->state == SND_DOWN)
				break;
			tcp_flush(s);
			if (s->olen == 0)
				break;
			pfd.fd = s->fd;
			pfd.events = POLLOUT;
			(void)poll(&pfd, 1, 10);
			waited += 10;
		}
		if (s->olen > 0)
			log_msg(LOG_LVL_WARN,
			        "collector %s: %zu bytes not sent at close",
			        s->name, s->olen);
	}
	if (s->fd >= 0)
		(void)close(s->fd);
	s->fd = -1;
	free(s->obuf);
	s->obuf = NULL;
	s->olen = 0;
	s->state = SND_DOWN;
}
