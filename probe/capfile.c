/*
 * Capture file reader: classic pcap and pcapng (see capfile.h for the
 * policy on doubtful records).
 *
 * Bytes come through a window [start, end) of a buffer that grows to the
 * largest block seen, or straight from the caller's memory. A record or
 * block is first made whole in the window by fill(), checked, then
 * consumed, so a packet's data stays in place until the next call.
 */
#include "capfile.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkt.h"

#define NS_PER_S  UINT64_C(1000000000)
#define NAME_LEN  256
#define MSG_LEN   512 /* name, offset and what */
#define WHAT_LEN  200
#define BUF_FIRST 262144u /* first buffer (256 KiB); grows per block */

/* pcap: draft-ietf-opsawg-pcap 3, 4, 5 */
#define PCAP_MAGIC_US  0xa1b2c3d4u
#define PCAP_MAGIC_NS  0xa1b23c4du
#define PCAP_FILE_HLEN 24 /* magic, major, minor, 2 reserved, snaplen, lt */
#define PCAP_REC_HLEN  16 /* sec, usec/nsec, caplen, wirelen */
#define PCAP_LT_MASK   0xffffu /* bits above: FCS length, reserved */

/* pcapng: draft-ietf-opsawg-pcapng 3.1, 4 */
#define NG_BT_SHB        0x0a0d0d0au /* the same in both byte orders */
#define NG_BT_IDB        1u
#define NG_BT_PB         2u /* obsolete Packet Block, appendix A */
#define NG_BT_SPB        3u
#define NG_BT_EPB        6u
#define NG_BOM           0x1a2b3c4du
#define NG_BOM_SWAPPED   0x4d3c2b1au
#define NG_BLOCK_MIN     12 /* type, total length, trailing total length */
#define NG_SHB_BODY      16 /* BOM, major, minor, section length (64) */
#define NG_IDB_BODY      8  /* link type, reserved, snaplen */
#define NG_EPB_BODY      20 /* if id, ts high, ts low, caplen, orig len */
#define NG_PB_BODY       20 /* if id (16), drops (16), ts hi, lo, caplen, len */
#define NG_SPB_BODY      4  /* original length */
#define NG_OPT_HLEN      4  /* code (16), length (16) */
#define NG_OPT_END       0
#define NG_OPT_TSRESOL   9  /* if_tsresol, 1 byte */
#define NG_OPT_TSOFFSET  14 /* if_tsoffset, 8 bytes, signed seconds */
#define NG_TSRESOL_POW2  0x80
#define NG_TSRESOL_MAX10 19 /* 10^19 units per second still fits 64 bits */
#define NG_TSRESOL_MAX2  63

/* ng_block() results besides 1, 0, -1: a block that holds no packet. */
#define BLOCK_OTHER 2

enum cf_format { CF_PCAP, CF_PCAPNG };
enum cf_state { CF_READING, CF_END, CF_FAILED };

struct ng_if {
	int linktype;
	uint32_t snaplen; /* 0: no limit */
	uint64_t units;   /* timestamp units per second (if_tsresol) */
	int64_t offset_s; /* if_tsoffset */
};

struct capfile {
	char name[NAME_LEN];
	char msg[MSG_LEN]; /* the error that ended reading */
	int fd;            /* -1 for a capture in memory */
	bool close_fd;
	bool eof;     /* fd has returned end of file */
	uint8_t *buf; /* our read buffer (NULL for memory) */
	size_t cap;
	const uint8_t *base; /* buf, or the caller's memory */
	size_t start, end;   /* unread bytes: base[start .. end) */
	long long off;       /* file offset of base[start] */
	enum cf_format fmt;
	enum cf_state state;
	bool be; /* pcap file or pcapng section is big-endian */
	int first_linktype;

	/* pcap */
	bool pcap_ns;
	uint16_t pcap_minor;
	uint32_t pcap_snaplen;
	/* pcap_record_fast(): the largest caplen taken without a count (the
	   snap length, CAPFILE_MAX_CAPLEN) */
	uint32_t fast_caplen;
	uint32_t frac_max; /* 1e6 (us) or 1e9 (ns) */
	uint32_t frac_mul; /* to ns: 1000 or 1 */
	int pcap_linktype;

	/* pcapng: interfaces of the current section */
	struct ng_if *ifs;
	uint32_t n_if, cap_if;

	int64_t last_sec, last_nsec; /* for SPBs, which carry no time */
	struct capfile_stats st;
};

__extension__ typedef unsigned __int128 u128;

static uint16_t
ld16(bool be, const uint8_t *b)
{
	return be ? ld_be16(b) : (uint16_t)((unsigned)b[1] << 8 | b[0]);
}

static uint32_t
ld32(bool be, const uint8_t *b)
{
	if (be)
		return ld_be32(b);
	return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[1] << 8 | b[0];
}

static uint64_t
ld64(bool be, const uint8_t *b)
{
	if (be)
		return (uint64_t)ld32(be, b) << 32 | ld32(be, b + 4);
	return (uint64_t)ld32(be, b + 4) << 32 | ld32(be, b);
}

static size_t
avail(const struct capfile *cf)
{
	return cf->end - cf->start;
}

static void
consume(struct capfile *cf, size_t n)
{
	assert(n <= avail(cf));
	cf->start += n;
	cf->off += (long long)n;
}

/* Record the error that ends reading: "NAME: byte AT: what". */
static int fail(struct capfile *cf, long long at, char *err, size_t errlen,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
fail(struct capfile *cf, long long at, char *err, size_t errlen,
     const char *fmt, ...)
{
	char what[WHAT_LEN];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	(void)snprintf(cf->msg, sizeof(cf->msg), "%s: byte %lld: %s", cf->name,
	               at, what);
	if (err != NULL && errlen > 0)
		(void)snprintf(err, errlen, "%s", cf->msg);
	cf->state = CF_FAILED;
	return -1;
}

/*
 * Make n unread bytes available at base + start, reading as needed.
 * Returns 1 when they are, 0 if the file ends first (avail() says how
 * much there is), -1 on a read or allocation error.
 */
static int fill_more(struct capfile *cf, size_t n, char *err, size_t errlen)
    __attribute__((noinline));

static inline int
fill(struct capfile *cf, size_t n, char *err, size_t errlen)
{
	assert(n <= (size_t)CAPFILE_MAX_BLOCK);
	if (n <= avail(cf)) {
		/* bytes in the window: it exists (says so to the analyzer) */
		assert(n == 0 || cf->base != NULL);
		return 1; /* the common case, inline: no call per record */
	}
	return fill_more(cf, n, err, errlen);
}

/* fill() when the window is short: read more, or say the file ended. */
static int
fill_more(struct capfile *cf, size_t n, char *err, size_t errlen)
{
	if (cf->fd < 0 || cf->eof)
		return 0;
	if (n > cf->cap - cf->start) {
		size_t have = avail(cf);

		memmove(cf->buf, cf->buf + cf->start, have);
		cf->start = 0;
		cf->end = have;
		if (n > cf->cap) {
			size_t ncap = cf->cap;
			uint8_t *nb;

			while (ncap < n)
				ncap *=
				    2; /* n <= CAPFILE_MAX_BLOCK bounds it */
			nb = realloc(cf->buf, ncap);
			if (nb == NULL)
				return fail(cf, cf->off, err, errlen,
				            "no memory for a %zu-byte block",
				            n);
			cf->buf = nb;
			cf->base = nb;
			cf->cap = ncap;
		}
	}
	while (avail(cf) < n) {
		ssize_t r = read(cf->fd, cf->buf + cf->end, cf->cap - cf->end);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail(cf, cf->off + (long long)avail(cf), err,
			            errlen, "read: %s", strerror(errno));
		if (r == 0) {
			cf->eof = true;
			return 0;
		}
		cf->end += (size_t)r;
	}
	return 1;
}

/* Keep a timestamp in 0 .. CAPFILE_MAX_SEC; count and clamp otherwise. */
static void
set_ts(struct capfile *cf, uint64_t sec, int64_t offset_s, uint64_t nsec,
       struct capfile_pkt *pkt)
{
	const uint64_t max = (uint64_t)CAPFILE_MAX_SEC;
	bool low = false, high = false;

	if (nsec >= NS_PER_S) {
		cf->st.ts_invalid++;
		nsec = NS_PER_S - 1;
	}
	if (offset_s >= 0) {
		if (sec > max || (uint64_t)offset_s > max - sec)
			high = true;
		else
			sec += (uint64_t)offset_s;
	} else {
		uint64_t back = (uint64_t)(-(offset_s + 1)) + 1;

		if (sec < back)
			low = true;
		else if (sec - back > max)
			high = true;
		else
			sec -= back;
	}
	if (low || high) {
		cf->st.ts_invalid++;
		sec = high ? max : 0;
		nsec = high ? NS_PER_S - 1 : 0;
	}
	pkt->ts_sec = (int64_t)sec;
	pkt->ts_nsec = (int64_t)nsec;
}

/* Length counters common to both formats (snaplen 0: no limit). */
static void
count_lengths(struct capfile *cf, uint32_t caplen, uint32_t wirelen,
              uint32_t snaplen)
{
	if (snaplen != 0 && caplen > snaplen)
		cf->st.caplen_over_snaplen++;
	if (caplen > wirelen)
		cf->st.caplen_over_wirelen++;
}

/* ---- classic pcap ---- */

static int
pcap_header(struct capfile *cf, char *err, size_t errlen)
{
	const uint8_t *h;
	uint16_t major, minor;
	int r;

	r = fill(cf, PCAP_FILE_HLEN, err, errlen);
	if (r < 0)
		return -1;
	if (r == 0)
		return fail(cf, 0, err, errlen,
		            "file ends inside the pcap file header "
		            "(%zu of %d bytes)",
		            avail(cf), PCAP_FILE_HLEN);
	h = cf->base + cf->start;
	major = ld16(cf->be, h + 4);
	minor = ld16(cf->be, h + 6);
	/* Only 2.x was ever written; libpcap also stops at 2.4. */
	if (major != 2 || minor > 4)
		return fail(cf, 4, err, errlen,
		            "unsupported pcap version %u.%u (2.0 to 2.4 read)",
		            major, minor);
	cf->pcap_minor = minor;
	cf->pcap_snaplen = ld32(cf->be, h + 16);
	cf->fast_caplen = CAPFILE_MAX_CAPLEN;
	if (cf->pcap_snaplen != 0 && cf->pcap_snaplen < cf->fast_caplen)
		cf->fast_caplen = cf->pcap_snaplen;
	cf->frac_max = cf->pcap_ns ? (uint32_t)NS_PER_S : 1000000u;
	cf->frac_mul = cf->pcap_ns ? 1u : 1000u;
	/* draft-ietf-opsawg-pcap 4: link type in the low 16 bits; FCS
	 * length and reserved bits above, which readers ignore. */
	cf->pcap_linktype = (int)(ld32(cf->be, h + 20) & PCAP_LT_MASK);
	cf->first_linktype = cf->pcap_linktype;
	consume(cf, PCAP_FILE_HLEN);
	return 0;
}

static int
pcap_record(struct capfile *cf, struct capfile_pkt *pkt, char *err,
            size_t errlen)
{
	long long at = cf->off;
	const uint8_t *h;
	uint32_t sec, frac, caplen, wirelen;
	int r;

	r = fill(cf, PCAP_REC_HLEN, err, errlen);
	if (r < 0)
		return -1;
	if (r == 0 && avail(cf) == 0)
		return 0;
	if (r == 0)
		return fail(
		    cf, at, err, errlen,
		    "file ends inside a record header (%zu of %d bytes)",
		    avail(cf), PCAP_REC_HLEN);
	h = cf->base + cf->start;
	sec = ld32(cf->be, h);
	frac = ld32(cf->be, h + 4);
	caplen = ld32(cf->be, h + 8);
	wirelen = ld32(cf->be, h + 12);
	/* pcap-savefile(5): before 2.3 the two lengths were the other way
	 * round; 2.3 files come both ways (libpcap swaps if caplen > len). */
	if (cf->pcap_minor < 3 || (cf->pcap_minor == 3 && caplen > wirelen)) {
		uint32_t t = caplen;

		caplen = wirelen;
		wirelen = t;
		cf->st.lengths_swapped++;
	}
	if (caplen > CAPFILE_MAX_CAPLEN)
		return fail(cf, at + 8, err, errlen,
		            "record caplen %u exceeds the %u-byte maximum",
		            caplen, CAPFILE_MAX_CAPLEN);
	r = fill(cf, PCAP_REC_HLEN + (size_t)caplen, err, errlen);
	if (r < 0)
		return -1;
	if (r == 0)
		return fail(cf, at, err, errlen,
		            "file ends inside a record (%zu of %u data bytes)",
		            avail(cf) - PCAP_REC_HLEN, caplen);
	count_lengths(cf, caplen, wirelen, cf->pcap_snaplen);
	consume(cf, PCAP_REC_HLEN);
	pkt->data = cf->base + cf->start;
	consume(cf, caplen);
	pkt->caplen = caplen;
	pkt->wirelen = wirelen;
	pkt->linktype = cf->pcap_linktype;
	pkt->if_id = 0;
	if (!cf->pcap_ns && frac >= 1000000u) {
		cf->st.ts_invalid++;
		frac = 999999u;
	}
	set_ts(cf, sec, 0, cf->pcap_ns ? frac : (uint64_t)frac * 1000u, pkt);
	return 1;
}

/*
 * The common pcap record: whole in the window, lengths in the 2.4 order
 * (caplen <= wirelen, within the snap length and the maximum) and a valid
 * fraction, read with no call and no counter to bump. Anything else (a
 * short window, pcap 2.0-2.3, a length or time to count or clamp) returns
 * false with nothing consumed, for pcap_record() to read and say why.
 */
static inline bool
pcap_record_fast(struct capfile *cf, struct capfile_pkt *pkt)
{
	size_t have = avail(cf);
	const uint8_t *h;
	uint32_t frac, caplen, wirelen, sec;

	if (have < PCAP_REC_HLEN || cf->pcap_minor != 4)
		return false;
	h = cf->base + cf->start;
	if (cf->be) {
		sec = ld_be32(h);
		frac = ld_be32(h + 4);
		caplen = ld_be32(h + 8);
		wirelen = ld_be32(h + 12);
	} else {
		sec = ld32(false, h);
		frac = ld32(false, h + 4);
		caplen = ld32(false, h + 8);
		wirelen = ld32(false, h + 12);
	}
	if (caplen > have - PCAP_REC_HLEN || caplen > wirelen ||
	    caplen > cf->fast_caplen || frac >= cf->frac_max)
		return false;
	/* 32-bit seconds are always below CAPFILE_MAX_SEC */
	pkt->ts_sec = (int64_t)sec;
	pkt->ts_nsec = (int64_t)frac * cf->frac_mul;
	pkt->data = h + PCAP_REC_HLEN;
	pkt->caplen = caplen;
	pkt->wirelen = wirelen;
	pkt->linktype = cf->pcap_linktype;
	pkt->if_id = 0;
	consume(cf, PCAP_REC_HLEN + (size_t)caplen);
	return true;
}

/* ---- pcapng ---- */

/*
 * Walk the options of a block from c to its end (draft-ietf-opsawg-pcapng
 * 3.5). at is the file offset of c->p. With ifp, the interface options
 * we use are stored there; others are only checked for length. Each turn
 * consumes at least 4 bytes of a block of at most CAPFILE_MAX_BLOCK.
 */
static int
ng_options(struct capfile *cf, struct pkt_cur *c, bool be, long long at,
           const char *blk, struct ng_if *ifp, char *err, size_t errlen)
{
	while (c->left > 0) {
		uint16_t code, olen;
		size_t padded;
		const uint8_t *v;

		if (!cur_has(c, NG_OPT_HLEN))
			return fail(cf, at, err, errlen,
			            "%s: %zu bytes left, too few for an option",
			            blk, c->left);
		code = ld16(be, c->p);
		olen = ld16(be, c->p + 2);
		if (code == NG_OPT_END)
			break; /* anything after it is ignored */
		padded = ((size_t)olen + 3) & ~(size_t)3;
		if (!cur_has(c, NG_OPT_HLEN + padded))
			return fail(cf, at, err, errlen,
			            "%s: option %u of length %u overruns the "
			            "block (%zu bytes left)",
			            blk, code, olen, c->left - NG_OPT_HLEN);
		v = c->p + NG_OPT_HLEN;
		if (ifp != NULL && code == NG_OPT_TSRESOL) {
			unsigned e = v[0] & 0x7fu;

			if (olen != 1)
				return fail(
				    cf, at, err, errlen,
				    "%s: if_tsresol of length %u, not 1", blk,
				    olen);
			if ((v[0] & NG_TSRESOL_POW2) != 0 &&
			    e <= NG_TSRESOL_MAX2) {
				ifp->units = UINT64_C(1) << e;
			} else if ((v[0] & NG_TSRESOL_POW2) == 0 &&
			           e <= NG_TSRESOL_MAX10) {
				ifp->units = 1;
				while (e-- > 0)
					ifp->units *= 10;
			} else {
				return fail(
				    cf, at, err, errlen,
				    "%s: if_tsresol 0x%02x out of range", blk,
				    v[0]);
			}
		} else if (ifp != NULL && code == NG_OPT_TSOFFSET) {
			if (olen != 8)
				return fail(
				    cf, at, err, errlen,
				    "%s: if_tsoffset of length %u, not 8", blk,
				    olen);
			ifp->offset_s = (int64_t)ld64(be, v);
		}
		(void)cur_skip(c, NG_OPT_HLEN + padded);
		at += (long long)(NG_OPT_HLEN + padded);
	}
	return 0;
}

static int
ng_shb(struct capfile *cf, struct pkt_cur *c, bool be, long long at, char *err,
       size_t errlen)
{
	uint16_t major, minor;

	if (!cur_has(c, NG_SHB_BODY))
		return fail(cf, at, err, errlen,
		            "SHB of %zu bytes, shorter than %d",
		            c->left + NG_BLOCK_MIN, NG_BLOCK_MIN + NG_SHB_BODY);
	major = ld16(be, c->p + 4);
	minor = ld16(be, c->p + 6);
	/* 1.2 was written by some old libpcap versions; it is 1.0. */
	if (major != 1 || (minor != 0 && minor != 2))
		return fail(cf, at + 12, err, errlen,
		            "unsupported pcapng version %u.%u (1.0 read)",
		            major, minor);
	(void)cur_skip(c, NG_SHB_BODY);
	if (ng_options(cf, c, be, at + 8 + NG_SHB_BODY, "SHB", NULL, err,
	               errlen) < 0)
		return -1;
	/* A new section: its own byte order, its own interfaces. */
	cf->be = be;
	cf->n_if = 0;
	cf->st.sections++;
	return BLOCK_OTHER;
}

static int
ng_idb(struct capfile *cf, struct pkt_cur *c, bool be, long long at, char *err,
       size_t errlen)
{
	struct ng_if nif = {.units = 1000000}; /* default if_tsresol 6 */

	if (!cur_has(c, NG_IDB_BODY))
		return fail(cf, at, err, errlen,
		            "IDB of %zu bytes, shorter than %d",
		            c->left + NG_BLOCK_MIN, NG_BLOCK_MIN + NG_IDB_BODY);
	if (cf->n_if >= CAPFILE_MAX_IF)
		return fail(cf, at, err, errlen,
		            "more than %u interfaces in one section",
		            CAPFILE_MAX_IF);
	nif.linktype = ld16(be, c->p);
	nif.snaplen = ld32(be, c->p + 4);
	(void)cur_skip(c, NG_IDB_BODY);
	if (ng_options(cf, c, be, at + 8 + NG_IDB_BODY, "IDB", &nif, err,
	               errlen) < 0)
		return -1;
	if (cf->n_if == cf->cap_if) {
		uint32_t ncap = cf->cap_if ? cf->cap_if * 2 : 8;
		struct ng_if *n = realloc(cf->ifs, ncap * sizeof(*n));

		if (n == NULL)
			return fail(cf, at, err, errlen,
			            "no memory for %u interfaces", ncap);
		cf->ifs = n;
		cf->cap_if = ncap;
	}
	cf->ifs[cf->n_if++] = nif;
	cf->st.interfaces++;
	if (cf->first_linktype < 0)
		cf->first_linktype = nif.linktype;
	return BLOCK_OTHER;
}

/* Timestamp in the interface's units (if_tsresol), plus if_tsoffset. */
static void
ng_ts(struct capfile *cf, const struct ng_if *ifp, uint64_t ts,
      struct capfile_pkt *pkt)
{
	uint64_t sec = ts / ifp->units, frac = ts % ifp->units;
	uint64_t nsec = (uint64_t)((u128)frac * NS_PER_S / ifp->units);

	set_ts(cf, sec, ifp->offset_s, nsec, pkt);
}

/*
 * The part EPB and PB share: c is at the packet data, which caplen bytes
 * (padded to 4) and then options follow. at: the block's offset.
 */
static int
ng_packet(struct capfile *cf, struct pkt_cur *c, bool be, long long at,
          const char *blk, uint32_t if_id, uint64_t ts, uint32_t caplen,
          uint32_t wirelen, struct capfile_pkt *pkt, char *err, size_t errlen)
{
	const struct ng_if *ifp;
	size_t padded;

	if (if_id >= cf->n_if)
		return fail(cf, at + 8, err, errlen,
		            "%s for interface %u, but the section has %u "
		            "interface(s)",
		            blk, if_id, cf->n_if);
	ifp = &cf->ifs[if_id];
	if (caplen > CAPFILE_MAX_CAPLEN)
		return fail(cf, at + 20, err, errlen,
		            "%s caplen %u exceeds the %u-byte maximum", blk,
		            caplen, CAPFILE_MAX_CAPLEN);
	padded = ((size_t)caplen + 3) & ~(size_t)3;
	if (!cur_has(c, padded))
		return fail(cf, at + 20, err, errlen,
		            "%s caplen %u overruns the block (%zu bytes left)",
		            blk, caplen, c->left);
	pkt->data = c->p;
	pkt->caplen = caplen;
	pkt->wirelen = wirelen;
	pkt->linktype = ifp->linktype;
	pkt->if_id = if_id;
	(void)cur_skip(c, padded);
	if (ng_options(cf, c, be, at + 28 + (long long)padded, blk, NULL, err,
	               errlen) < 0)
		return -1;
	count_lengths(cf, caplen, wirelen, ifp->snaplen);
	ng_ts(cf, ifp, ts, pkt);
	return 1;
}

static int
ng_epb(struct capfile *cf, struct pkt_cur *c, bool be, long long at,
       struct capfile_pkt *pkt, char *err, size_t errlen)
{
	const uint8_t *b = c->p;

	if (!cur_has(c, NG_EPB_BODY))
		return fail(cf, at, err, errlen,
		            "EPB of %zu bytes, shorter than %d",
		            c->left + NG_BLOCK_MIN, NG_BLOCK_MIN + NG_EPB_BODY);
	(void)cur_skip(c, NG_EPB_BODY);
	return ng_packet(cf, c, be, at, "EPB", ld32(be, b),
	                 (uint64_t)ld32(be, b + 4) << 32 | ld32(be, b + 8),
	                 ld32(be, b + 12), ld32(be, b + 16), pkt, err, errlen);
}

static int
ng_pb(struct capfile *cf, struct pkt_cur *c, bool be, long long at,
      struct capfile_pkt *pkt, char *err, size_t errlen)
{
	const uint8_t *b = c->p;

	if (!cur_has(c, NG_PB_BODY))
		return fail(cf, at, err, errlen,
		            "PB of %zu bytes, shorter than %d",
		            c->left + NG_BLOCK_MIN, NG_BLOCK_MIN + NG_PB_BODY);
	(void)cur_skip(c, NG_PB_BODY);
	/* b + 2: drops count, unused */
	return ng_packet(cf, c, be, at, "PB", ld16(be, b),
	                 (uint64_t)ld32(be, b + 4) << 32 | ld32(be, b + 8),
	                 ld32(be, b + 12), ld32(be, b + 16), pkt, err, errlen);
}

/*
 * Simple Packet Block (draft-ietf-opsawg-pcapng 4.4): interface 0, no
 * timestamp (the previous packet's is used), caplen = min(original
 * length, snaplen), data padded to 4, no options.
 */
static int
ng_spb(struct capfile *cf, struct pkt_cur *c, bool be, long long at,
       struct capfile_pkt *pkt, char *err, size_t errlen)
{
	const struct ng_if *ifp;
	uint32_t wirelen, caplen;

	if (!cur_has(c, NG_SPB_BODY))
		return fail(cf, at, err, errlen,
		            "SPB of %zu bytes, shorter than %d",
		            c->left + NG_BLOCK_MIN, NG_BLOCK_MIN + NG_SPB_BODY);
	if (cf->n_if == 0)
		return fail(cf, at, err, errlen,
		            "SPB, but the section has no interface");
	ifp = &cf->ifs[0];
	wirelen = ld32(be, c->p);
	(void)cur_skip(c, NG_SPB_BODY);
	caplen = wirelen;
	if (ifp->snaplen != 0 && caplen > ifp->snaplen)
		caplen = ifp->snaplen;
	if (caplen > c->left) {
		cf->st.caplen_clamped++;
		caplen = (uint32_t)c->left; /* c->left < CAPFILE_MAX_BLOCK */
	}
	if (caplen > CAPFILE_MAX_CAPLEN)
		return fail(cf, at + 8, err, errlen,
		            "SPB caplen %u exceeds the %u-byte maximum", caplen,
		            CAPFILE_MAX_CAPLEN);
	pkt->data = c->p;
	pkt->caplen = caplen;
	pkt->wirelen = wirelen;
	pkt->linktype = ifp->linktype;
	pkt->if_id = 0;
	pkt->ts_sec = cf->last_sec;
	pkt->ts_nsec = cf->last_nsec;
	return 1;
}

/*
 * Read one block. Returns 1 with a packet in *pkt, BLOCK_OTHER for a
 * block without one, 0 at the end of the file on a block boundary, -1
 * on damage.
 */
static int
ng_block(struct capfile *cf, struct capfile_pkt *pkt, char *err, size_t errlen)
{
	long long at = cf->off;
	struct pkt_cur c;
	const uint8_t *h;
	uint32_t type, len, tail;
	bool be = cf->be;
	int r;

	r = fill(cf, 8, err, errlen);
	if (r < 0)
		return -1;
	if (r == 0 && avail(cf) == 0)
		return 0;
	if (r == 0)
		return fail(cf, at, err, errlen,
		            "file ends inside a block header (%zu of 8 bytes)",
		            avail(cf));
	h = cf->base + cf->start;
	type = ld32(be, h);
	if (type == NG_BT_SHB) {
		uint32_t bom;

		r = fill(cf, 12, err, errlen);
		if (r < 0)
			return -1;
		if (r == 0)
			return fail(cf, at, err, errlen,
			            "file ends inside an SHB (%zu of 12 "
			            "bytes)",
			            avail(cf));
		h = cf->base + cf->start;
		bom = ld_be32(h + 8);
		if (bom == NG_BOM)
			be = true;
		else if (bom == NG_BOM_SWAPPED)
			be = false;
		else
			return fail(cf, at + 8, err, errlen,
			            "SHB byte-order magic 0x%08x is not "
			            "0x1a2b3c4d in either order",
			            bom);
	}
	len = ld32(be, h + 4);
	if (len < NG_BLOCK_MIN || len % 4 != 0)
		return fail(cf, at + 4, err, errlen,
		            "block type 0x%08x of total length %u (not a "
		            "multiple of 4 of at least 12)",
		            type, len);
	if (len > CAPFILE_MAX_BLOCK)
		return fail(cf, at + 4, err, errlen,
		            "block type 0x%08x of %u bytes, over the %u-byte "
		            "limit",
		            type, len, CAPFILE_MAX_BLOCK);
	r = fill(cf, len, err, errlen);
	if (r < 0)
		return -1;
	if (r == 0)
		return fail(cf, at, err, errlen,
		            "file ends inside a block of %u bytes (%zu there)",
		            len, avail(cf));
	h = cf->base + cf->start;
	tail = ld32(be, h + len - 4);
	if (tail != len)
		return fail(cf, at + len - 4, err, errlen,
		            "block total length %u in the header, %u in the "
		            "trailer",
		            len, tail);
	cur_init(&c, h + 8, len - NG_BLOCK_MIN);
	switch (type) {
	case NG_BT_SHB:
		r = ng_shb(cf, &c, be, at, err, errlen);
		break;
	case NG_BT_IDB:
		r = ng_idb(cf, &c, be, at, err, errlen);
		break;
	case NG_BT_EPB:
		r = ng_epb(cf, &c, be, at, pkt, err, errlen);
		break;
	case NG_BT_SPB:
		r = ng_spb(cf, &c, be, at, pkt, err, errlen);
		break;
	case NG_BT_PB:
		r = ng_pb(cf, &c, be, at, pkt, err, errlen);
		break;
	default: /* NRB, ISB, DSB, custom, unknown: skipped by length */
		cf->st.blocks_skipped++;
		r = BLOCK_OTHER;
		break;
	}
	if (r < 0)
		return -1;
	consume(cf, len);
	return r;
}

/* ---- open, next, close ---- */

static struct capfile *
cf_new(const char *name)
{
	struct capfile *cf = calloc(1, sizeof(*cf));

	if (cf == NULL)
		return NULL;
	(void)snprintf(cf->name, sizeof(cf->name), "%s", name);
	cf->fd = -1;
	cf->first_linktype = -1;
	cf->state = CF_READING;
	return cf;
}

/* Magic number, file header; pcapng: blocks up to the first IDB. */
static int
read_header(struct capfile *cf, char *err, size_t errlen)
{
	struct capfile_pkt pkt;
	uint32_t magic;
	int r;

	r = fill(cf, 4, err, errlen);
	if (r < 0)
		return -1;
	if (r == 0 && avail(cf) == 0)
		return fail(cf, 0, err, errlen, "empty file");
	if (r == 0)
		return fail(
		    cf, 0, err, errlen,
		    "file ends inside the magic number (%zu of 4 bytes)",
		    avail(cf));
	magic = ld_be32(cf->base + cf->start);
	if (magic == NG_BT_SHB) {
		cf->fmt = CF_PCAPNG;
		do
			r = ng_block(cf, &pkt, err, errlen);
		while (r == BLOCK_OTHER && cf->first_linktype < 0);
		if (r == 0)
			cf->state = CF_END; /* an SHB and nothing else */
		/* r == 1 cannot happen: a packet needs an interface */
		return r < 0 ? -1 : 0;
	}
	cf->fmt = CF_PCAP;
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS) {
		cf->be = true;
	} else if (ld32(false, cf->base + cf->start) == PCAP_MAGIC_US ||
	           ld32(false, cf->base + cf->start) == PCAP_MAGIC_NS) {
		cf->be = false;
	} else {
		return fail(cf, 0, err, errlen,
		            "not a pcap or pcapng file (magic 0x%08x)", magic);
	}
	cf->pcap_ns = ld32(cf->be, cf->base + cf->start) == PCAP_MAGIC_NS;
	return pcap_header(cf, err, errlen);
}

struct capfile *
capfile_open(const char *path, char *err, size_t errlen)
{
	bool is_stdin = strcmp(path, "-") == 0;
	struct capfile *cf = cf_new(is_stdin ? "stdin" : path);

	if (cf == NULL) {
		(void)snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	cf->buf = malloc(BUF_FIRST);
	if (cf->buf == NULL) {
		(void)snprintf(err, errlen, "%s: out of memory", path);
		free(cf);
		return NULL;
	}
	cf->cap = BUF_FIRST;
	cf->base = cf->buf;
	if (is_stdin) {
		cf->fd = STDIN_FILENO;
	} else {
		cf->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (cf->fd < 0) {
			(void)snprintf(err, errlen, "%s: %s", path,
			               strerror(errno));
			capfile_close(cf);
			return NULL;
		}
		cf->close_fd = true;
	}
	if (read_header(cf, err, errlen) < 0) {
		capfile_close(cf);
		return NULL;
	}
	return cf;
}

struct capfile *
capfile_open_mem(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	struct capfile *cf = cf_new("memory");

	if (cf == NULL) {
		(void)snprintf(err, errlen, "memory: out of memory");
		return NULL;
	}
	cf->base = buf;
	cf->end = buf != NULL ? len : 0;
	cf->eof = true;
	if (read_header(cf, err, errlen) < 0) {
		capfile_close(cf);
		return NULL;
	}
	return cf;
}

/* capfile_next() for all but the common pcap record: kept out of line so
   the common case saves no registers for it. */
static int next_slow(struct capfile *cf, struct capfile_pkt *pkt, char *err,
                     size_t errlen) __attribute__((noinline));

static int
next_slow(struct capfile *cf, struct capfile_pkt *pkt, char *err, size_t errlen)
{
	int r;

	if (cf->state == CF_END)
		return 0;
	if (cf->state == CF_FAILED) {
		if (err != NULL && errlen > 0)
			(void)snprintf(err, errlen, "%s", cf->msg);
		return -1;
	}
	if (cf->fmt == CF_PCAP) {
		r = pcap_record(cf, pkt, err, errlen);
	} else {
		do /* each turn consumes a block of >= 12 bytes */
			r = ng_block(cf, pkt, err, errlen);
		while (r == BLOCK_OTHER);
	}
	if (r == 0)
		cf->state = CF_END;
	if (r == 1) {
		cf->st.records++;
		cf->last_sec = pkt->ts_sec;
		cf->last_nsec = pkt->ts_nsec;
	}
	return r;
}

int
capfile_next(struct capfile *cf, struct capfile_pkt *pkt, char *err,
             size_t errlen)
{
	if (cf->state == CF_READING && cf->fmt == CF_PCAP &&
	    pcap_record_fast(cf, pkt)) {
		cf->st.records++;
		cf->last_sec = pkt->ts_sec;
		cf->last_nsec = pkt->ts_nsec;
		return 1;
	}
	return next_slow(cf, pkt, err, errlen);
}

int
capfile_first_linktype(const struct capfile *cf)
{
	return cf->first_linktype;
}

long long
capfile_offset(const struct capfile *cf)
{
	return cf->off;
}

const char *
capfile_format(const struct capfile *cf)
{
	return cf->fmt == CF_PCAP ? "pcap" : "pcapng";
}

const struct capfile_stats *
capfile_stats(const struct capfile *cf)
{
	return &cf->st;
}

void
capfile_close(struct capfile *cf)
{
	if (cf == NULL)
		return;
	if (cf->close_fd)
		(void)close(cf->fd);
	free(cf->buf);
	free(cf->ifs);
	free(cf);
}
