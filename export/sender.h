/*
 * Sockets and files the export packets go to. One struct snd per
 * collector: a connected non-blocking UDP socket, a non-blocking TCP
 * connection with an output buffer and reconnection, or a file (RFC 5655:
 * IPFIX messages back to back). A failed send is reported to the caller,
 * which counts it; nothing here is fatal after setup.
 */
#ifndef TAPFLOW_SENDER_H
#define TAPFLOW_SENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum snd_kind {
	SND_UDP = 0,
	SND_TCP = 1,
	SND_FILE = 2,
};

enum snd_tcp_state {
	SND_DOWN = 0,
	SND_CONNECTING = 1,
	SND_UP = 2,
};

/* Queue per TCP collector: at 1000 flows/s (45 messages of 1400 bytes)
 * 4 MiB hold a minute of a collector restart; pages are touched only when
 * used. */
#define SND_TCP_BUF      ((size_t)4 * 1024 * 1024) /* queued bytes */
#define SND_TCP_MAXMSG   16384                     /* queued messages */
#define SND_RETRY_MIN_MS 1000
#define SND_RETRY_MAX_MS 30000

struct snd {
	enum snd_kind kind;
	int fd;         /* -1 when closed */
	int hoplimit;   /* -L: TTL / hop limit of what we send; 0 = default */
	char name[300]; /* "host:port" or the file path, for log lines */

	/* resolved address (UDP, TCP) */
	struct sockaddr_storage addr;
	socklen_t addrlen;

	/* TCP */
	enum snd_tcp_state state;
	/*
	 * The queue: whole messages back to back in obuf, their lengths in
	 * the ring mlen[mhead..mhead+mcount). A message leaves it only
	 * when the peer's TCP has acknowledged all its bytes (SIOCOUTQ), so
	 * whatever a dead connection took but never delivered is written
	 * again, whole, on the next one.
	 */
	uint8_t *obuf;   /* owned; SND_TCP_BUF bytes */
	size_t olen;     /* bytes queued */
	size_t owritten; /* of those, written on the current connection */
	uint32_t *mlen;  /* owned ring, SND_TCP_MAXMSG; SND_MLEN_TMPL flag */
	size_t mhead, mcount;
	uint64_t held;     /* messages queued while the connection was down */
	uint64_t resent;   /* messages written again after a reconnect */
	uint64_t overflow; /* messages refused: queue full (lost) */
	uint64_t retry_at_ns; /* 0: not scheduled yet */
	uint32_t retry_ms;
	uint64_t reconnects; /* connections opened after the first */

	/* UDP */
	uint64_t refused; /* ICMP errors reported (ECONNREFUSED): the
	                     collector's port was closed for an earlier
	                     datagram; the one at hand is sent again */
	bool gso_off;     /* the kernel or the path refused UDP_SEGMENT:
	                     batches go one datagram per send() */

	/* a new connection or file: the caller must send templates first */
	bool need_templates;
	int last_errno; /* of the last failure */
};

/*
 * Resolve host and port (names, IPv4, IPv6 literals without brackets;
 * getaddrinfo) and open a connected non-blocking UDP socket. Returns 0,
 * or -1 with err filled ("HOST:PORT: reason").
 */
int snd_udp_open(struct snd *s, const char *host, const char *port, char *err,
                 size_t errlen);

/*
 * Resolve and start a non-blocking TCP connection. A collector that is
 * down is not an error: the connection is retried by snd_poll(). Returns
 * -1 only if the name doesn't resolve or memory runs out.
 */
int snd_tcp_open(struct snd *s, const char *host, const char *port, char *err,
                 size_t errlen);

/* Create (truncate) the file at path. Returns 0 or -1 with err filled. */
int snd_file_open(struct snd *s, const char *path, char *err, size_t errlen);

/*
 * Send one whole message. UDP: one datagram. TCP: queued whole behind
 * what is pending, then as much as the socket takes is written; while the
 * connection is down (or its templates are not sent yet) the message
 * waits in the queue for the next connection. File: written whole.
 * Returns 0 (sent or queued on a live connection), 1 (TCP: held while
 * the connection is down, counted in s->held) or -1 with s->last_errno
 * set (UDP/file error; TCP: queue full, counted in s->overflow, the
 * message is lost). Never blocks.
 */
int snd_send(struct snd *s, const uint8_t *buf, size_t len, uint64_t now_ns);

/*
 * UDP: the messages in buf[0..len), back to back, each seg bytes long but
 * the last (1..seg bytes), one datagram each. One sendmsg() with
 * UDP_SEGMENT (Linux 4.18, "UDP GSO") when there are several: the stack
 * is crossed once for the lot, and the collector sees the same datagrams
 * as from one send() each. Where the kernel or the path refuses it
 * (EINVAL, EIO, ENOPROTOOPT, EOPNOTSUPP, EMSGSIZE) the socket falls back
 * to one send() per message for good (s->gso_off). Returns how many of
 * the messages were not sent (0: all), s->last_errno set if any.
 */
size_t snd_send_batch(struct snd *s, const uint8_t *buf, size_t seg,
                      size_t len);

/*
 * The templates message of a new stream (need_templates): TCP puts it at
 * the head of the queue, before the messages held from an earlier
 * connection, and clears need_templates, which lets the queue flow. A
 * templates message is never carried over to another connection. Other
 * kinds: snd_send(). Returns as snd_send().
 */
int snd_send_templates(struct snd *s, const uint8_t *buf, size_t len,
                       uint64_t now_ns);

/*
 * TCP: the first queued message not yet written on this connection, or
 * NULL (its sequence number is the one a templates message takes).
 */
const uint8_t *snd_next_unsent(const struct snd *s, size_t *len);

/* TCP: finish a connect, notice a closed peer, flush the queue, reconnect
 * when the retry time has come. No-op for UDP and files. */
void snd_poll(struct snd *s, uint64_t now_ns);

/*
 * -L: the TTL (IPv4) or hop limit (IPv6) of the export packets, applied
 * now and to every later connection. 0 or -1 and err.
 */
int snd_set_hoplimit(struct snd *s, int hops, char *err, size_t errlen);

/* Bytes queued: not yet written or not yet acknowledged (TCP). */
size_t snd_pending(const struct snd *s);

/* Try for up to timeout_ms to write what is queued (TCP), then close and
 * free. Safe on a zeroed or already closed struct with fd -1. */
void snd_close(struct snd *s, int timeout_ms);

#endif
