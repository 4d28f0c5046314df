/*
 * Capture file reader (probe/capfile.c): hand-built pcap and pcapng files
 * (one line and one comment per field; the expected values are worked out
 * by hand beside them), every truncation point of each one, damaged
 * variants, and the real captures in pcaps/ against tshark 4.0.17 (the
 * command is above the table). TAPFLOW_PCAPS overrides the directory
 * (default "pcaps", the tests run from the top of the tree).
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../probe/capfile.h"

#define ERR_LEN 512

/* Field encoders: each expands to the field's bytes in one byte order. */
#define LE16(v) (uint8_t)((v)&0xff), (uint8_t)(((v) >> 8) & 0xff)
#define LE32(v) LE16((v)&0xffff), LE16(((v) >> 16) & 0xffff)
#define LE64(v)                                                                \
	LE32((uint32_t)((uint64_t)(v)&0xffffffffu)),                           \
	    LE32((uint32_t)((uint64_t)(v) >> 32))
#define BE16(v) (uint8_t)(((v) >> 8) & 0xff), (uint8_t)((v)&0xff)
#define BE32(v) BE16(((v) >> 16) & 0xffff), BE16((v)&0xffff)
#define BE64(v)                                                                \
	BE32((uint32_t)((uint64_t)(v) >> 32)),                                 \
	    BE32((uint32_t)((uint64_t)(v)&0xffffffffu))
/* pcapng timestamps: upper 32 bits first, each word in the section's
 * byte order (draft-ietf-opsawg-pcapng 4.3). */
#define TS_LE(v)                                                               \
	LE32((uint32_t)((uint64_t)(v) >> 32)),                                 \
	    LE32((uint32_t)((uint64_t)(v)&0xffffffffu))
#define TS_BE(v) BE64(v)

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- hand-built files ---- */

/* pcap, little-endian, microseconds. */
static const uint8_t pcap_le_us[] = {
    /* file header, 0 */
    0xd4, 0xc3, 0xb2, 0xa1, /* magic 0xa1b2c3d4 written LE: us */
    LE16(2), LE16(4),       /* version 2.4 */
    LE32(0),                /* reserved1 (thiszone) */
    LE32(0),                /* reserved2 (sigfigs) */
    LE32(65535),            /* snaplen */
    LE32(1),                /* link type 1, Ethernet */
    /* record 1, 24 */
    LE32(1500000000), /* seconds */
    LE32(123456),     /* microseconds */
    LE32(4),          /* caplen */
    LE32(60),         /* wirelen */
    0xde, 0xad, 0xbe, 0xef,
    /* record 2, 44 */
    LE32(1500000001), /* seconds */
    LE32(999999),     /* microseconds, the largest valid */
    LE32(2),          /* caplen */
    LE32(2),          /* wirelen */
    0x01, 0x02,
    /* end, 62 */
};
static const size_t pcap_le_us_bounds[] = {24, 44, 62};
static const size_t pcap_le_us_pkts[] = {44, 62};

/* pcap, big-endian, nanoseconds, FCS bits above the link type. */
static const uint8_t pcap_be_ns[] = {
    /* file header, 0 */
    0xa1, 0xb2, 0x3c, 0x4d, /* magic 0xa1b23c4d written BE: ns */
    BE16(2), BE16(4),       /* version 2.4 */
    BE32(0), BE32(0),       /* reserved */
    BE32(262144),           /* snaplen */
    BE32(0x24000065),       /* FCS len 2, P bit, link type 101 (RAW) */
    /* record 1, 24 */
    BE32(1600000000), /* seconds */
    BE32(999999999),  /* nanoseconds, the largest valid */
    BE32(3), BE32(3), /* caplen, wirelen */
    0x45, 0x00, 0x00,
    /* record 2, 43 */
    BE32(1600000002), /* seconds */
    BE32(5),          /* nanoseconds */
    BE32(1), BE32(1), /* caplen, wirelen */
    0x60,
    /* end, 60 */
};
static const size_t pcap_be_ns_bounds[] = {24, 43, 60};
static const size_t pcap_be_ns_pkts[] = {43, 60};

/*
 * pcapng, one little-endian section, two interfaces with different link
 * types and resolutions, every packet block type and three blocks to skip.
 */
#define NG_TS0 UINT64_C(1600000000123456789) /* ns: 1600000000.123456789 */
#define NG_TS1 ((UINT64_C(1500000000) << 20) + 524288) /* 2^-20 s: .5 s */
#define NG_TS2 ((UINT64_C(1500000000) << 20) + 1)      /* 2^-20 s: 953.67 ns */
#define NG_TS3 UINT64_C(1600000001000000000)           /* ns: 1600000001.0 */
static const uint8_t ng_le[] = {
    /* SHB, 0 */
    LE32(0x0a0d0d0a), /* block type SHB */
    LE32(28),         /* total length */
    LE32(0x1a2b3c4d), /* byte-order magic, LE */
    LE16(1), LE16(0), /* version 1.0 */
    LE64(-1),         /* section length: unknown */
    LE32(28),         /* total length */
    /* IDB 0, 28: Ethernet, no snaplen, nanoseconds */
    LE32(1),          /* block type IDB */
    LE32(32),         /* total length */
    LE16(1), LE16(0), /* link type Ethernet, reserved */
    LE32(0),          /* snaplen: no limit */
    LE16(9), LE16(1), /* if_tsresol, 1 byte */
    9, 0, 0, 0,       /* 10^-9, padding */
    LE16(0), LE16(0), /* opt_endofopt */
    LE32(32),         /* total length */
    /* IDB 1, 60: BSD loopback, snaplen 64, 2^-20 s, offset +1000 s */
    LE32(1),           /* block type IDB */
    LE32(44),          /* total length */
    LE16(0), LE16(0),  /* link type NULL, reserved */
    LE32(64),          /* snaplen */
    LE16(9), LE16(1),  /* if_tsresol, 1 byte */
    0x94, 0, 0, 0,     /* 2^-20, padding */
    LE16(14), LE16(8), /* if_tsoffset, 8 bytes */
    LE64(1000),        /* +1000 s */
    LE16(0), LE16(0),  /* opt_endofopt */
    LE32(44),          /* total length */
    /* EPB, 104: interface 0 */
    LE32(6),                               /* block type EPB */
    LE32(40),                              /* total length */
    LE32(0),                               /* interface 0 */
    TS_LE(NG_TS0),                         /* timestamp high, low */
    LE32(5),                               /* caplen */
    LE32(60),                              /* original length */
    0x11, 0x22, 0x33, 0x44, 0x55, 0, 0, 0, /* data, padding */
    LE32(40),                              /* total length */
    /* unknown block type 0xbad, 144: skipped */
    LE32(0xbad), LE32(16), 1, 2, 3, 4, LE32(16),
    /* NRB, 160: only nrb_record_end; skipped */
    LE32(4), LE32(16), LE16(0), LE16(0), LE32(16),
    /* EPB, 176: interface 1, with an option */
    LE32(6),          /* block type EPB */
    LE32(48),         /* total length */
    LE32(1),          /* interface 1 */
    TS_LE(NG_TS1),    /* timestamp */
    LE32(4), LE32(4), /* caplen, original length */
    0x02, 0, 0, 0,    /* NULL header: AF_INET, host order LE */
    LE16(1), LE16(2), /* opt_comment, 2 bytes */
    'h', 'i', 0, 0,   /* "hi", padding */
    LE16(0), LE16(0), /* opt_endofopt */
    LE32(48),         /* total length */
    /* EPB, 224: interface 1, no options */
    LE32(6), LE32(36), /* block type EPB, total length */
    LE32(1),           /* interface 1 */
    TS_LE(NG_TS2),     /* timestamp */
    LE32(1), LE32(1),  /* caplen, original length */
    0xaa, 0, 0, 0,     /* data, padding */
    LE32(36),          /* total length */
    /* SPB, 260: interface 0, no timestamp */
    LE32(3), LE32(24),      /* block type SPB, total length */
    LE32(6),                /* original length */
    1, 2, 3, 4, 5, 6, 0, 0, /* data, padding */
    LE32(24),               /* total length */
    /* PB (obsolete), 284: interface 0 */
    LE32(2), LE32(36), /* block type PB, total length */
    LE16(0), LE16(0),  /* interface 0, drops count */
    TS_LE(NG_TS3),     /* timestamp */
    LE32(2), LE32(2),  /* caplen, length */
    0xab, 0xcd, 0, 0,  /* data, padding */
    LE32(36),          /* total length */
    /* ISB, 320: skipped */
    LE32(5), LE32(24), /* block type ISB, total length */
    LE32(0),           /* interface 0 */
    TS_LE(NG_TS3),     /* timestamp */
    LE32(24),          /* total length */
                       /* end, 344 */
};
static const size_t ng_le_bounds[] = {28,  60,  104, 144, 160, 176,
                                      224, 260, 284, 320, 344};
static const size_t ng_le_pkts[] = {144, 224, 260, 284, 320};

/*
 * pcapng, two sections: big-endian then little-endian, each with its own
 * interface 0.
 */
static const uint8_t ng_two[] = {
    /* SHB, 0, big-endian */
    BE32(0x0a0d0d0a), BE32(28), /* type SHB, total length */
    BE32(0x1a2b3c4d),           /* byte-order magic, BE */
    BE16(1), BE16(0),           /* version 1.0 */
    BE64(-1),                   /* section length: unknown */
    BE32(28),                   /* total length */
    /* IDB, 28: Ethernet, snaplen 4, default resolution (us) */
    BE32(1), BE32(20), /* type IDB, total length */
    BE16(1), BE16(0),  /* link type Ethernet, reserved */
    BE32(4),           /* snaplen */
    BE32(20),          /* total length */
    /* EPB, 48: interface 0 */
    BE32(6), BE32(36),                 /* type EPB, total length */
    BE32(0),                           /* interface 0 */
    TS_BE(UINT64_C(1234567890123456)), /* us: 1234567890.123456 */
    BE32(4), BE32(100),                /* caplen, original length */
    1, 2, 3, 4,                        /* data */
    BE32(36),                          /* total length */
    /* SHB, 84, little-endian: a new section */
    LE32(0x0a0d0d0a), LE32(28), /* type SHB, total length */
    LE32(0x1a2b3c4d),           /* byte-order magic, LE */
    LE16(1), LE16(0),           /* version 1.0 */
    LE64(-1),                   /* section length: unknown */
    LE32(28),                   /* total length */
    /* IDB, 112: RAW (101), milliseconds, options end at the block end */
    LE32(1), LE32(28),            /* type IDB, total length */
    LE16(101), LE16(0),           /* link type RAW, reserved */
    LE32(0),                      /* snaplen: no limit */
    LE16(9), LE16(1), 3, 0, 0, 0, /* if_tsresol 10^-3, padding */
    LE32(28),                     /* total length */
    /* EPB, 140: interface 0 of the second section */
    LE32(6), LE32(36),              /* type EPB, total length */
    LE32(0),                        /* interface 0 */
    TS_LE(UINT64_C(1700000000999)), /* ms: 1700000000.999 */
    LE32(1), LE32(1),               /* caplen, original length */
    0x45, 0, 0, 0,                  /* data, padding */
    LE32(36),                       /* total length */
                                    /* end, 176 */
};
static const size_t ng_two_bounds[] = {28, 48, 84, 112, 140, 176};
static const size_t ng_two_pkts[] = {84, 176};

struct hand_file {
	const char *name;
	const uint8_t *bytes;
	size_t len;
	size_t open_end;      /* open reads this far (pcap header, first IDB) */
	const size_t *bounds; /* record/block ends, ascending */
	size_t n_bounds;
	const size_t *pkt_ends; /* ends of the packet records */
	size_t n_pkts;
};

#define HAND(name, open_end)                                                   \
	{                                                                      \
#name, name, sizeof(name), open_end, name##_bounds,            \
		    N_ELEMS(name##_bounds), name##_pkts, N_ELEMS(name##_pkts)  \
	}

static const struct hand_file hand_files[] = {
    HAND(pcap_le_us, 24),
    HAND(pcap_be_ns, 24),
    HAND(ng_le, 60),
    HAND(ng_two, 48),
};

/* ---- helpers ---- */

/* A copy of exactly len bytes on the heap, so ASan sees any over-read. */
static uint8_t *
exact_copy(const uint8_t *src, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(b);
	if (len)
		memcpy(b, src, len);
	return b;
}

static void
put_le32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

/* Open len bytes of src from an exact heap copy; *copy is for free(). */
static struct capfile *
open_exact(const uint8_t *src, size_t len, uint8_t **copy, char *err)
{
	*copy = exact_copy(src, len);
	err[0] = '\0';
	return capfile_open_mem(*copy, len, err, ERR_LEN);
}

/* Read to the end; returns capfile_next()'s last result. */
static int
drain(struct capfile *cf, unsigned *n, char *err)
{
	struct capfile_pkt p;
	int r;

	*n = 0;
	while ((r = capfile_next(cf, &p, err, ERR_LEN)) == 1)
		(*n)++;
	return r;
}

static void
next_ok(struct capfile *cf, struct capfile_pkt *p)
{
	char err[ERR_LEN] = "";
	int r = capfile_next(cf, p, err, sizeof(err));

	ck_assert_msg(r == 1, "capfile_next %d: %s", r, err);
}

static void
want_pkt(const struct capfile_pkt *p, int64_t sec, int64_t nsec,
         uint32_t caplen, uint32_t wirelen, int linktype, uint32_t if_id)
{
	ck_assert_int_eq(p->ts_sec, sec);
	ck_assert_int_eq(p->ts_nsec, nsec);
	ck_assert_uint_eq(p->caplen, caplen);
	ck_assert_uint_eq(p->wirelen, wirelen);
	ck_assert_int_eq(p->linktype, linktype);
	ck_assert_uint_eq(p->if_id, if_id);
}

static void
want_end(struct capfile *cf, int rc, const char *err_has)
{
	struct capfile_pkt p;
	char err[ERR_LEN] = "";
	int r = capfile_next(cf, &p, err, sizeof(err));

	ck_assert_msg(r == rc, "capfile_next %d, want %d: %s", r, rc, err);
	if (err_has != NULL)
		ck_assert_msg(strstr(err, err_has) != NULL,
		              "error \"%s\" lacks \"%s\"", err, err_has);
	/* and it stays there */
	ck_assert_int_eq(capfile_next(cf, &p, err, sizeof(err)), rc);
}

/* ---- every cut of every hand-built file ---- */

static void
check_cut(const struct hand_file *hf, size_t cut)
{
	char err[ERR_LEN], where[48];
	size_t on_bound = 0, last_bound = 0, want_pkts = 0, i;
	struct capfile *cf;
	uint8_t *copy;
	unsigned n = 0;
	int r;

	for (i = 0; i < hf->n_bounds; i++) {
		if (hf->bounds[i] <= cut)
			last_bound = hf->bounds[i];
		on_bound |= hf->bounds[i] == cut;
	}
	for (i = 0; i < hf->n_pkts; i++)
		want_pkts += hf->pkt_ends[i] <= cut;
	/* every message names the start of what was cut short */
	snprintf(where, sizeof(where), "memory: byte %zu: ", last_bound);
	cf = open_exact(hf->bytes, cut, &copy, err);
	if (cut < hf->open_end && !on_bound) {
		ck_assert_msg(cf == NULL, "%s cut at %zu: opened", hf->name,
		              cut);
		ck_assert_msg(strstr(err, where) != NULL,
		              "%s cut at %zu: \"%s\" lacks \"%s\"", hf->name,
		              cut, err, where);
		free(copy);
		return;
	}
	ck_assert_msg(cf != NULL, "%s cut at %zu: %s", hf->name, cut, err);
	r = drain(cf, &n, err);
	ck_assert_msg(n == want_pkts, "%s cut at %zu: %u packets, want %zu",
	              hf->name, cut, n, want_pkts);
	if (on_bound) {
		ck_assert_msg(r == 0, "%s cut at %zu: %d (%s)", hf->name, cut,
		              r, err);
		ck_assert_int_eq(capfile_offset(cf), (long long)cut);
	} else {
		ck_assert_msg(r == -1, "%s cut at %zu: %d", hf->name, cut, r);
		ck_assert_msg(strstr(err, where) != NULL,
		              "%s cut at %zu: \"%s\" lacks \"%s\"", hf->name,
		              cut, err, where);
		ck_assert_msg(strstr(err, "ends inside") != NULL,
		              "%s cut at %zu: \"%s\"", hf->name, cut, err);
	}
	capfile_close(cf);
	free(copy);
}

/* The tables above agree with the arrays: the last boundary is the end. */
START_TEST(cut_tables)
{
	size_t i;

	for (i = 0; i < N_ELEMS(hand_files); i++)
		ck_assert_uint_eq(
		    hand_files[i].bounds[hand_files[i].n_bounds - 1],
		    hand_files[i].len);
}
END_TEST

START_TEST(cut_pcap_le_us)
{
	check_cut(&hand_files[0], (size_t)_i);
}
END_TEST

START_TEST(cut_pcap_be_ns)
{
	check_cut(&hand_files[1], (size_t)_i);
}
END_TEST

START_TEST(cut_ng_le)
{
	check_cut(&hand_files[2], (size_t)_i);
}
END_TEST

START_TEST(cut_ng_two)
{
	check_cut(&hand_files[3], (size_t)_i);
}
END_TEST

/* ---- contents of the hand-built files ---- */

START_TEST(pcap_le_us_fields)
{
	static const uint8_t d1[] = {0xde, 0xad, 0xbe, 0xef};
	char err[ERR_LEN];
	struct capfile_pkt p;
	uint8_t *copy;
	struct capfile *cf =
	    open_exact(pcap_le_us, sizeof(pcap_le_us), &copy, err);

	ck_assert_msg(cf != NULL, "%s", err);
	ck_assert_str_eq(capfile_format(cf), "pcap");
	ck_assert_int_eq(capfile_first_linktype(cf), 1);
	ck_assert_int_eq(capfile_offset(cf), 24);
	next_ok(cf, &p);
	/* 123456 us = 123456000 ns; caplen 4 of 60 */
	want_pkt(&p, 1500000000, 123456000, 4, 60, 1, 0);
	ck_assert_mem_eq(p.data, d1, sizeof(d1));
	ck_assert_int_eq(capfile_offset(cf), 44);
	next_ok(cf, &p);
	want_pkt(&p, 1500000001, 999999000, 2, 2, 1, 0);
	ck_assert_uint_eq(p.data[1], 0x02);
	want_end(cf, 0, NULL);
	ck_assert_int_eq(capfile_offset(cf), 62);
	ck_assert_uint_eq(capfile_stats(cf)->records, 2);
	ck_assert_uint_eq(capfile_stats(cf)->ts_invalid, 0);
	ck_assert_uint_eq(capfile_stats(cf)->caplen_over_snaplen, 0);
	capfile_close(cf);
	free(copy);
}
END_TEST

START_TEST(pcap_be_ns_fields)
{
	char err[ERR_LEN];
	struct capfile_pkt p;
	uint8_t *copy;
	struct capfile *cf =
	    open_exact(pcap_be_ns, sizeof(pcap_be_ns), &copy, err);

	ck_assert_msg(cf != NULL, "%s", err);
	/* 0x24000065: the FCS bits above bit 15 are not the link type */
	ck_assert_int_eq(capfile_first_linktype(cf), 101);
	next_ok(cf, &p);
	want_pkt(&p, 1600000000, 999999999, 3, 3, 101, 0);
	ck_assert_uint_eq(p.data[0], 0x45);
	next_ok(cf, &p);
	want_pkt(&p, 1600000002, 5, 1, 1, 101, 0);
	ck_assert_uint_eq(p.data[0], 0x60);
	want_end(cf, 0, NULL);
	ck_assert_uint_eq(capfile_stats(cf)->ts_invalid, 0);
	capfile_close(cf);
	free(copy);
}
END_TEST

START_TEST(ng_le_fields)
{
	static const uint8_t d0[] = {0x11, 0x22, 0x33, 0x44, 0x55};
	static const uint8_t spb[] = {1, 2, 3, 4, 5, 6};
	char err[ERR_LEN];
	struct capfile_pkt p;
	const struct capfile_stats *st;
	uint8_t *copy;
	struct capfile *cf = open_exact(ng_le, sizeof(ng_le), &copy, err);

	ck_assert_msg(cf != NULL, "%s", err);
	ck_assert_str_eq(capfile_format(cf), "pcapng");
	ck_assert_int_eq(capfile_first_linktype(cf), 1);
	ck_assert_int_eq(capfile_offset(cf), 60); /* SHB and first IDB */
	next_ok(cf, &p);
	/* 1600000000123456789 ns */
	want_pkt(&p, 1600000000, 123456789, 5, 60, 1, 0);
	ck_assert_mem_eq(p.data, d0, sizeof(d0));
	next_ok(cf, &p);
	/* 2^-20 units: 1500000000 s + 2^19/2^20 s, then +1000 s offset */
	want_pkt(&p, 1500001000, 500000000, 4, 4, 0, 1);
	ck_assert_uint_eq(p.data[0], 0x02);
	next_ok(cf, &p);
	/* one unit of 2^-20 s = 953.674 ns, truncated */
	want_pkt(&p, 1500001000, 953, 1, 1, 0, 1);
	ck_assert_uint_eq(p.data[0], 0xaa);
	next_ok(cf, &p);
	/* SPB: interface 0, caplen = original length 6 (no snaplen), the
	 * previous packet's time */
	want_pkt(&p, 1500001000, 953, 6, 6, 1, 0);
	ck_assert_mem_eq(p.data, spb, sizeof(spb));
	next_ok(cf, &p);
	/* PB on interface 0, ns resolution */
	want_pkt(&p, 1600000001, 0, 2, 2, 1, 0);
	ck_assert_uint_eq(p.data[1], 0xcd);
	want_end(cf, 0, NULL);
	ck_assert_int_eq(capfile_offset(cf), 344);
	st = capfile_stats(cf);
	ck_assert_uint_eq(st->records, 5);
	ck_assert_uint_eq(st->sections, 1);
	ck_assert_uint_eq(st->interfaces, 2);
	ck_assert_uint_eq(st->blocks_skipped, 3); /* 0xbad, NRB, ISB */
	ck_assert_uint_eq(st->ts_invalid, 0);
	ck_assert_uint_eq(st->caplen_over_snaplen, 0);
	ck_assert_uint_eq(st->caplen_clamped, 0);
	capfile_close(cf);
	free(copy);
}
END_TEST

START_TEST(ng_two_fields)
{
	char err[ERR_LEN];
	struct capfile_pkt p;
	uint8_t *copy;
	struct capfile *cf = open_exact(ng_two, sizeof(ng_two), &copy, err);

	ck_assert_msg(cf != NULL, "%s", err);
	ck_assert_int_eq(capfile_first_linktype(cf), 1);
	next_ok(cf, &p);
	/* big-endian section, microseconds: caplen 4 of 100 (snaplen 4) */
	want_pkt(&p, 1234567890, 123456000, 4, 100, 1, 0);
	ck_assert_uint_eq(p.data[3], 4);
	next_ok(cf, &p);
	/* little-endian section: its interface 0 is RAW, milliseconds */
	want_pkt(&p, 1700000000, 999000000, 1, 1, 101, 0);
	ck_assert_uint_eq(p.data[0], 0x45);
	want_end(cf, 0, NULL);
	ck_assert_uint_eq(capfile_stats(cf)->sections, 2);
	ck_assert_uint_eq(capfile_stats(cf)->interfaces, 2);
	ck_assert_int_eq(capfile_first_linktype(cf), 1); /* still the first */
	capfile_close(cf);
	free(copy);
}
END_TEST

/* ---- pcap oddities ---- */

/* pcap, LE, ns: invalid fractions and lengths beyond snaplen/wirelen. */
static const uint8_t pcap_odd[] = {
    0x4d, 0x3c, 0xb2, 0xa1, /* magic 0xa1b23c4d written LE: ns */
    LE16(2), LE16(4),       /* version 2.4 */
    LE32(0), LE32(0),       /* reserved */
    LE32(2),                /* snaplen 2 */
    LE32(113),              /* link type 113, Linux SLL */
    /* record, 24 */
    LE32(1418145370), /* seconds */
    LE32(1000000000), /* nanoseconds: one second, invalid */
    LE32(4),          /* caplen 4 > snaplen 2 */
    LE32(3),          /* wirelen 3 < caplen */
    1, 2, 3, 4,
    /* record, 44 */
    LE32(7),          /* seconds */
    LE32(0x80000000), /* nanoseconds 2^31, invalid */
    LE32(0), LE32(0), /* caplen, wirelen */
    /* record, 60 */
    LE32(8), LE32(0), LE32(262145), LE32(262145), /* caplen > 256 KiB */
};

START_TEST(pcap_odd_records)
{
	char err[ERR_LEN];
	struct capfile_pkt p;
	const struct capfile_stats *st;
	uint8_t *copy;
	struct capfile *cf = open_exact(pcap_odd, sizeof(pcap_odd), &copy, err);

	ck_assert_msg(cf != NULL, "%s", err);
	st = capfile_stats(cf);
	next_ok(cf, &p);
	/* clamped to the last nanosecond of the second; delivered whole */
	want_pkt(&p, 1418145370, 999999999, 4, 3, 113, 0);
	ck_assert_uint_eq(p.data[3], 4);
	ck_assert_uint_eq(st->ts_invalid, 1);
	ck_assert_uint_eq(st->caplen_over_snaplen, 1);
	ck_assert_uint_eq(st->caplen_over_wirelen, 1);
	next_ok(cf, &p);
	want_pkt(&p, 7, 999999999, 0, 0, 113, 0);
	ck_assert_uint_eq(st->ts_invalid, 2);
	/* the caplen field of the record at 60 is at byte 68 */
	want_end(cf, -1, "memory: byte 68: record caplen 262145 exceeds");
	ck_assert_uint_eq(st->records, 2);
	capfile_close(cf);
	free(copy);
}
END_TEST

/* pcap, LE, us: a fraction of 10^6 us is invalid too. */
static const uint8_t pcap_us_odd[] = {
    0xd4,
    0xc3,
    0xb2,
    0xa1,
    LE16(2),
    LE16(4), /* us, version 2.4 */
    LE32(0),
    LE32(0),
    LE32(0),
    LE32(1), /* snaplen 0: unknown; Ethernet */
    LE32(3),
    LE32(1000000),
    LE32(1),
    LE32(1),
    0x00, /* 10^6 us */
    /* a record of exactly 256 KiB whose data is missing */
    LE32(4),
    LE32(0),
    LE32(262144),
    LE32(262144),
};

START_TEST(pcap_us_odd_records)
{
	char err[ERR_LEN];
	struct capfile_pkt p;
	uint8_t *copy;
	struct capfile *cf =
	    open_exact(pcap_us_odd, sizeof(pcap_us_odd), &copy, err);

	ck_assert_msg(cf != NULL, "%s", err);
	next_ok(cf, &p);
	want_pkt(&p, 3, 999999000, 1, 1, 1, 0);
	ck_assert_uint_eq(capfile_stats(cf)->ts_invalid, 1);
	ck_assert_uint_eq(capfile_stats(cf)->caplen_over_snaplen, 0);
	want_end(cf, -1,
	         "memory: byte 41: file ends inside a record (0 of "
	         "262144 data bytes)");
	capfile_close(cf);
	free(copy);
}
END_TEST

/* pcap 2.2 and 2.3: the length fields in the old order (pcap-savefile(5)). */
static const uint8_t pcap_v22[] = {
    0xd4,     0xc3,     0xb2,
    0xa1,     LE16(2),  LE16(2), /* us, version 2.2 */
    LE32(0),  LE32(0),  LE32(65535),
    LE32(1),  LE32(10), LE32(0), /* 10.0 s */
    LE32(60),                    /* before 2.3: length on the wire first */
    LE32(2),                     /* then caplen */
    0xaa,     0xbb,
};
static const uint8_t
    pcap_v23[] =
        {
            0xd4,     0xc3,     0xb2,        0xa1,     LE16(2),
            LE16(3), /* us, version 2.3 */
            LE32(0),  LE32(0),  LE32(65535), LE32(1),  LE32(10),
            LE32(0),  LE32(60), LE32(2),     0xaa,     0xbb, /* old order */
            LE32(11), LE32(0),  LE32(2),     LE32(60), 0xcc,
            0xdd, /* new order */
};

START_TEST(pcap_old_length_order)
{
	char err[ERR_LEN];
	struct capfile_pkt p;
	uint8_t *copy;
	struct capfile *cf = open_exact(pcap_v22, sizeof(pcap_v22), &copy, err);

	ck_assert_msg(cf != NULL, "%s", err);
	next_ok(cf, &p);
	want_pkt(&p, 10, 0, 2, 60, 1, 0);
	ck_assert_uint_eq(p.data[1], 0xbb);
	want_end(cf, 0, NULL);
	ck_assert_uint_eq(capfile_stats(cf)->lengths_swapped, 1);
	capfile_close(cf);
	free(copy);

	cf = open_exact(pcap_v23, sizeof(pcap_v23), &copy, err);
	ck_assert_msg(cf != NULL, "%s", err);
	next_ok(cf, &p);
	want_pkt(&p, 10, 0, 2, 60, 1, 0);
	next_ok(cf, &p);
	want_pkt(&p, 11, 0, 2, 60, 1, 0);
	ck_assert_uint_eq(p.data[0], 0xcc);
	want_end(cf, 0, NULL);
	ck_assert_uint_eq(capfile_stats(cf)->lengths_swapped, 1);
	capfile_close(cf);
	free(copy);
}
END_TEST

/* Versions: pcap 2.0 .. 2.4 only. */
static const struct {
	uint16_t major, minor;
	bool ok;
} pcap_versions[] = {
    {2, 4, true},  {2, 0, true},  {2, 3, true},  {1, 4, false},
    {2, 5, false}, {3, 0, false}, {0, 0, false}, {543, 0, false},
};

START_TEST(pcap_version)
{
	char err[ERR_LEN], want[64];
	uint8_t *b = exact_copy(pcap_le_us, sizeof(pcap_le_us));
	struct capfile *cf;

	b[4] = (uint8_t)pcap_versions[_i].major;
	b[5] = (uint8_t)(pcap_versions[_i].major >> 8);
	b[6] = (uint8_t)pcap_versions[_i].minor;
	b[7] = 0;
	cf = capfile_open_mem(b, sizeof(pcap_le_us), err, sizeof(err));
	if (pcap_versions[_i].ok) {
		ck_assert_msg(cf != NULL, "%s", err);
	} else {
		ck_assert_ptr_null(cf);
		snprintf(want, sizeof(want),
		         "memory: byte 4: unsupported pcap version %u.%u",
		         pcap_versions[_i].major, pcap_versions[_i].minor);
		ck_assert_msg(strstr(err, want) != NULL, "%s", err);
	}
	capfile_close(cf);
	free(b);
}
END_TEST

START_TEST(not_a_capture)
{
	static const uint8_t text[] = "hello, world\n";
	char err[ERR_LEN];
	uint8_t *copy;

	ck_assert_ptr_null(open_exact(text, sizeof(text) - 1, &copy, err));
	ck_assert_str_eq(err, "memory: byte 0: not a pcap or pcapng file "
	                      "(magic 0x68656c6c)");
	free(copy);
	ck_assert_ptr_null(open_exact(text, 0, &copy, err));
	ck_assert_str_eq(err, "memory: byte 0: empty file");
	free(copy);
	ck_assert_ptr_null(capfile_open("/nonexistent/x.pcap", err, ERR_LEN));
	ck_assert_str_eq(err, "/nonexistent/x.pcap: No such file or directory");
	ck_assert_ptr_null(capfile_open(".", err, ERR_LEN));
	ck_assert_msg(strstr(err, ".: byte 0: read: Is a directory") != NULL,
	              "%s", err);
	capfile_close(NULL);
}
END_TEST

/* ---- damaged pcapng, patched from ng_le ---- */

static const struct {
	size_t at; /* byte of ng_le to overwrite (LE32) */
	uint32_t value;
	int opened;    /* 0: open fails */
	unsigned pkts; /* read before the error */
	const char *err;
} ng_patches[] = {
    /* EPB at 104 for interface 2 of 2 (0 and 1) */
    {112, 2, 1, 0,
     "memory: byte 112: EPB for interface 2, but the section has 2 "
     "interface(s)"},
    /* block at 144: total length 13, 8, then 16 MiB + 4 */
    {148, 13, 1, 1,
     "memory: byte 148: block type 0x00000bad of total "
     "length 13 (not a multiple of 4 of at least 12)"},
    {148, 8, 1, 1,
     "memory: byte 148: block type 0x00000bad of total "
     "length 8"},
    {148, 16 * 1024 * 1024 + 4, 1, 1,
     "memory: byte 148: block type 0x00000bad of 16777220 bytes, over "
     "the 16777216-byte limit"},
    /* trailer of the block at 144 */
    {156, 20, 1, 1,
     "memory: byte 156: block total length 16 in the header, 20 in the "
     "trailer"},
    /* IDB 0's if_tsresol: length 200 overruns, length 2, 10^-20, 2^-64 */
    {44, 9 | 200u << 16, 0, 0,
     "memory: byte 44: IDB: option 9 of length 200 overruns the block (8 "
     "bytes left)"},
    {44, 9 | 2u << 16, 0, 0,
     "memory: byte 44: IDB: if_tsresol of length 2, not 1"},
    {48, 20, 0, 0, "memory: byte 44: IDB: if_tsresol 0x14 out of range"},
    {48, 0xc0, 0, 0, "memory: byte 44: IDB: if_tsresol 0xc0 out of range"},
    /* EPB at 104: caplen 9 needs 12 bytes, 8 are there; 256 KiB + 4 */
    {124, 9, 1, 0,
     "memory: byte 124: EPB caplen 9 overruns the block (8 bytes left)"},
    {124, 262148, 1, 0,
     "memory: byte 124: EPB caplen 262148 exceeds the 262144-byte "
     "maximum"},
    /* caplen 8: the padding is data then, and no options are left */
    {124, 8, 1, 5, NULL},
    /* EPB at 176: its comment option runs over the end-of-options */
    {208, 1 | 12u << 16, 1, 1,
     "memory: byte 208: EPB: option 1 of length 12 overruns the block (8 "
     "bytes left)"},
    /* SHB: version 2.0, 1.1, 1.2 (read as 1.0), byte-order magic */
    {12, 2, 0, 0, "memory: byte 12: unsupported pcapng version 2.0"},
    {12, 1 | 1u << 16, 0, 0, "memory: byte 12: unsupported pcapng version 1.1"},
    {12, 1 | 2u << 16, 1, 5, NULL},
    {8, 0x11223344, 0, 0,
     "memory: byte 8: SHB byte-order magic 0x44332211 is not 0x1a2b3c4d "
     "in either order"},
    /* the 0xbad block becomes a second SHB of the wrong length */
    {144, 0x0a0d0d0a, 1, 1,
     "memory: byte 152: SHB byte-order magic 0x01020304 is not "
     "0x1a2b3c4d"},
};

START_TEST(ng_damage)
{
	char err[ERR_LEN] = "";
	uint8_t *b = exact_copy(ng_le, sizeof(ng_le));
	struct capfile *cf;
	unsigned n = 0;
	int r;

	put_le32(b + ng_patches[_i].at, ng_patches[_i].value);
	cf = capfile_open_mem(b, sizeof(ng_le), err, sizeof(err));
	if (!ng_patches[_i].opened) {
		ck_assert_ptr_null(cf);
		ck_assert_msg(strstr(err, ng_patches[_i].err) != NULL,
		              "patch %d: \"%s\"", _i, err);
		free(b);
		return;
	}
	ck_assert_msg(cf != NULL, "patch %d: %s", _i, err);
	r = drain(cf, &n, err);
	ck_assert_msg(n == ng_patches[_i].pkts, "patch %d: %u packets", _i, n);
	if (ng_patches[_i].err == NULL) {
		ck_assert_msg(r == 0, "patch %d: %s", _i, err);
	} else {
		ck_assert_int_eq(r, -1);
		ck_assert_msg(strstr(err, ng_patches[_i].err) != NULL,
		              "patch %d: \"%s\"", _i, err);
	}
	capfile_close(cf);
	free(b);
}
END_TEST

/* A second section with a bad version ends the file there. */
START_TEST(ng_second_section_version)
{
	char err[ERR_LEN];
	uint8_t *b = exact_copy(ng_two, sizeof(ng_two));
	struct capfile *cf;
	unsigned n;

	b[96] = 3; /* major version of the LE SHB at 84 */
	cf = capfile_open_mem(b, sizeof(ng_two), err, sizeof(err));
	ck_assert_msg(cf != NULL, "%s", err);
	ck_assert_int_eq(drain(cf, &n, err), -1);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(err, "memory: byte 96: unsupported pcapng version 3.0 "
	                      "(1.0 read)");
	capfile_close(cf);
	free(b);
}
END_TEST

/* Blocks that are wrong before any interface, or too short. */
static const uint8_t ng_spb_first[] = {
    LE32(0x0a0d0d0a), LE32(28), LE32(0x1a2b3c4d), LE16(1),  LE16(0),
    LE64(-1),         LE32(28),                             /* SHB */
    LE32(3),          LE32(16), LE32(0),          LE32(16), /* SPB, 28: no
                                                               interface */
};
static const uint8_t ng_epb_first[] = {
    LE32(0x0a0d0d0a), LE32(28), LE32(0x1a2b3c4d), LE16(1), LE16(0),
    LE64(-1),         LE32(28), /* SHB */
    LE32(6),          LE32(32), LE32(0),          LE32(0), LE32(0),
    LE32(0),          LE32(0),  LE32(32), /* EPB, 28: interface 0 */
};
static const uint8_t ng_shb_short[] = {
    LE32(0x0a0d0d0a), LE32(24), /* SHB of 24 bytes: no section length */
    LE32(0x1a2b3c4d), LE16(1),  LE16(0), LE32(0), LE32(24),
};
static const uint8_t ng_idb_short[] =
    {
        LE32(0x0a0d0d0a), LE32(28), LE32(0x1a2b3c4d), LE16(1),
        LE16(0),          LE64(-1), LE32(28), /* SHB */
        LE32(1),          LE32(16), LE16(1),          LE16(0),
        LE32(16), /* IDB, 28: no snaplen */
};
static const uint8_t ng_epb_short[] = {
    LE32(0x0a0d0d0a), LE32(28), LE32(0x1a2b3c4d), LE16(1),
    LE16(0),          LE64(-1), LE32(28), /* SHB */
    LE32(1),          LE32(20), LE16(1),          LE16(0),
    LE32(0),          LE32(20), /* IDB, 28 */
    LE32(6),          LE32(28), LE32(0),          LE32(0),
    LE32(0),          LE32(0),  LE32(28), /* EPB, 48: 16 of 20 */
};
static const uint8_t ng_shb_junk[] = {
    LE32(0x0a0d0d0a),
    LE32(36),
    LE32(0x1a2b3c4d),
    LE16(1),
    LE16(0),
    LE64(-1), /* SHB of 36 bytes */
    LE16(0),
    LE16(0), /* opt_endofopt */
    0xff,
    0xff,
    0xff,
    0xff, /* after the end: would overrun if read */
    LE32(36),
};
static const uint8_t ng_shb_only[] = {
    BE32(0x0a0d0d0a), BE32(28), BE32(0x1a2b3c4d), BE16(1),
    BE16(0),          BE64(-1), BE32(28), /* SHB, nothing else */
};

START_TEST(ng_early_blocks)
{
	char err[ERR_LEN];
	struct capfile_pkt p;
	uint8_t *copy;
	struct capfile *cf;
	unsigned n;

	ck_assert_ptr_null(
	    open_exact(ng_spb_first, sizeof(ng_spb_first), &copy, err));
	ck_assert_str_eq(err, "memory: byte 28: SPB, but the section has no "
	                      "interface");
	free(copy);
	ck_assert_ptr_null(
	    open_exact(ng_epb_first, sizeof(ng_epb_first), &copy, err));
	ck_assert_str_eq(err, "memory: byte 36: EPB for interface 0, but the "
	                      "section has 0 interface(s)");
	free(copy);
	ck_assert_ptr_null(
	    open_exact(ng_shb_short, sizeof(ng_shb_short), &copy, err));
	ck_assert_str_eq(err,
	                 "memory: byte 0: SHB of 24 bytes, shorter than 28");
	free(copy);
	ck_assert_ptr_null(
	    open_exact(ng_idb_short, sizeof(ng_idb_short), &copy, err));
	ck_assert_str_eq(err,
	                 "memory: byte 28: IDB of 16 bytes, shorter than 20");
	free(copy);
	cf = open_exact(ng_epb_short, sizeof(ng_epb_short), &copy, err);
	ck_assert_msg(cf != NULL, "%s", err);
	ck_assert_int_eq(drain(cf, &n, err), -1);
	ck_assert_str_eq(err,
	                 "memory: byte 48: EPB of 28 bytes, shorter than 32");
	capfile_close(cf);
	free(copy);
	/* nothing after opt_endofopt is read */
	cf = open_exact(ng_shb_junk, sizeof(ng_shb_junk), &copy, err);
	ck_assert_msg(cf != NULL, "%s", err);
	ck_assert_int_eq(capfile_next(cf, &p, err, sizeof(err)), 0);
	capfile_close(cf);
	free(copy);
	/* an SHB alone: opens, no link type, clean end */
	cf = open_exact(ng_shb_only, sizeof(ng_shb_only), &copy, err);
	ck_assert_msg(cf != NULL, "%s", err);
	ck_assert_int_eq(capfile_first_linktype(cf), -1);
	ck_assert_int_eq(capfile_next(cf, &p, err, sizeof(err)), 0);
	capfile_close(cf);
	free(copy);
}
END_TEST

/* Timestamps out of range are clamped and counted; 10^-12 resolution. */
#define TS_PS UINT64_C(1000000000123456789) /* ps: 1000000.000123456789 */
static const uint8_t ng_ts_odd[] = {
    LE32(0x0a0d0d0a),
    LE32(28),
    LE32(0x1a2b3c4d),
    LE16(1),
    LE16(0),
    LE64(-1),
    LE32(28), /* SHB */
    /* IDB 0, 28: seconds (10^0), if_tsoffset -2000000000 s */
    LE32(1),
    LE32(40), /* type IDB, total length */
    LE16(1),
    LE16(0),
    LE32(0),
    LE16(9),
    LE16(1),
    0,
    0,
    0,
    0, /* if_tsresol 10^0 */
    LE16(14),
    LE16(8),
    LE64(-2000000000), /* if_tsoffset */
    LE32(40),
    /* IDB 1, 68: picoseconds (10^-12) */
    LE32(1),
    LE32(28),
    LE16(1),
    LE16(0),
    LE32(0),
    LE16(9),
    LE16(1),
    12,
    0,
    0,
    0, /* if_tsresol 10^-12 */
    LE32(28),
    /* EPB, 96: interface 0, 5 s - 2000000000 s: before 1970 */
    LE32(6),
    LE32(32),
    LE32(0),
    TS_LE(5),
    LE32(0),
    LE32(0),
    LE32(32),
    /* EPB, 128: interface 0, 2^64 - 1 s - 2000000000 s: too late */
    LE32(6),
    LE32(32),
    LE32(0),
    TS_LE(UINT64_MAX),
    LE32(0),
    LE32(0),
    LE32(32),
    /* EPB, 160: interface 0, 3000000000 s - 2000000000 s */
    LE32(6),
    LE32(32),
    LE32(0),
    TS_LE(3000000000u),
    LE32(0),
    LE32(0),
    LE32(32),
    /* EPB, 192: interface 1 */
    LE32(6),
    LE32(32),
    LE32(1),
    TS_LE(TS_PS),
    LE32(0),
    LE32(0),
    LE32(32),
};

START_TEST(ng_ts_clamp)
{
	char err[ERR_LEN];
	struct capfile_pkt p;
	uint8_t *copy;
	struct capfile *cf =
	    open_exact(ng_ts_odd, sizeof(ng_ts_odd), &copy, err);

	ck_assert_msg(cf != NULL, "%s", err);
	next_ok(cf, &p);
	want_pkt(&p, 0, 0, 0, 0, 1, 0);
	ck_assert_uint_eq(capfile_stats(cf)->ts_invalid, 1);
	next_ok(cf, &p);
	want_pkt(&p, CAPFILE_MAX_SEC, 999999999, 0, 0, 1, 0);
	ck_assert_uint_eq(capfile_stats(cf)->ts_invalid, 2);
	next_ok(cf, &p);
	want_pkt(&p, 1000000000, 0, 0, 0, 1, 0);
	next_ok(cf, &p);
	/* 123456789 ps = 123456.789 ns, truncated */
	want_pkt(&p, 1000000, 123456, 0, 0, 1, 1);
	want_end(cf, 0, NULL);
	ck_assert_uint_eq(capfile_stats(cf)->ts_invalid, 2);
	capfile_close(cf);
	free(copy);
}
END_TEST

/* SPB: caplen is min(original length, snaplen, what the block holds). */
static const uint8_t ng_spb_cut[] = {
    LE32(0x0a0d0d0a),
    LE32(28),
    LE32(0x1a2b3c4d),
    LE16(1),
    LE16(0),
    LE64(-1),
    LE32(28), /* SHB */
    LE32(1),
    LE32(20),
    LE16(1),
    LE16(0),
    LE32(3),
    LE32(20), /* snaplen 3 */
    /* SPB, 48: original length 100, 3 bytes kept, padded */
    LE32(3),
    LE32(20),
    LE32(100),
    1,
    2,
    3,
    0,
    LE32(20),
    /* SPB, 68: original length 2 */
    LE32(3),
    LE32(20),
    LE32(2),
    4,
    5,
    0,
    0,
    LE32(20),
};

START_TEST(ng_spb_lengths)
{
	char err[ERR_LEN];
	struct capfile_pkt p;
	uint8_t *b = exact_copy(ng_spb_cut, sizeof(ng_spb_cut));
	struct capfile *cf =
	    capfile_open_mem(b, sizeof(ng_spb_cut), err, sizeof(err));

	ck_assert_msg(cf != NULL, "%s", err);
	next_ok(cf, &p);
	want_pkt(&p, 0, 0, 3, 100, 1, 0); /* no earlier packet: time 0 */
	next_ok(cf, &p);
	want_pkt(&p, 0, 0, 2, 2, 1, 0);
	ck_assert_uint_eq(p.data[1], 5);
	want_end(cf, 0, NULL);
	ck_assert_uint_eq(capfile_stats(cf)->caplen_clamped, 0);
	capfile_close(cf);
	/* snaplen 0 (none): the first SPB holds 4 of 100 bytes */
	put_le32(b + 40, 0);
	cf = capfile_open_mem(b, sizeof(ng_spb_cut), err, sizeof(err));
	ck_assert_msg(cf != NULL, "%s", err);
	next_ok(cf, &p);
	want_pkt(&p, 0, 0, 4, 100, 1, 0);
	ck_assert_uint_eq(capfile_stats(cf)->caplen_clamped, 1);
	capfile_close(cf);
	free(b);
}
END_TEST

/* Interfaces per section are capped. */
START_TEST(ng_too_many_interfaces)
{
	static const uint8_t shb[] = {
	    LE32(0x0a0d0d0a), LE32(28), LE32(0x1a2b3c4d), LE16(1),
	    LE16(0),          LE64(-1), LE32(28),
	};
	static const uint8_t idb[] = {
	    LE32(1), LE32(20), LE16(1), LE16(0), LE32(0), LE32(20),
	};
	size_t n_idb = CAPFILE_MAX_IF + 1, len = sizeof(shb) + n_idb * 20, i;
	uint8_t *b = malloc(len);
	char err[ERR_LEN], want[96];
	struct capfile *cf;
	unsigned n;

	ck_assert_ptr_nonnull(b);
	memcpy(b, shb, sizeof(shb));
	for (i = 0; i < n_idb; i++)
		memcpy(b + sizeof(shb) + i * sizeof(idb), idb, sizeof(idb));
	cf = capfile_open_mem(b, len, err, sizeof(err));
	ck_assert_msg(cf != NULL, "%s", err);
	ck_assert_int_eq(drain(cf, &n, err), -1);
	snprintf(want, sizeof(want),
	         "memory: byte %zu: more than 65536 interfaces in one section",
	         len - 20);
	ck_assert_str_eq(err, want);
	capfile_close(cf);
	free(b);
}
END_TEST

/* ---- through a file and a pipe: the buffered reader ---- */

static void
write_all(int fd, const uint8_t *b, size_t len)
{
	while (len > 0) {
		ssize_t r = write(fd, b, len);

		ck_assert_int_gt(r, 0);
		b += r;
		len -= (size_t)r;
	}
}

/*
 * A file bigger than the first buffer, read from a path: a 1 MiB block of
 * an unknown type, then an EPB of 256 KiB.
 */
START_TEST(file_big_blocks)
{
	static const uint8_t head[] = {
	    LE32(0x0a0d0d0a), LE32(28), LE32(0x1a2b3c4d), LE16(1),
	    LE16(0),          LE64(-1), LE32(28), /* SHB, 0 */
	    LE32(1),          LE32(20), LE16(1),          LE16(0),
	    LE32(0),          LE32(20), /* IDB */
	};
	const size_t skip_len = 1024 * 1024, epb_len = 32 + 262144;
	size_t len = sizeof(head) + skip_len + epb_len, i;
	uint8_t *b = calloc(1, len), *blk;
	char path[] = "/tmp/test_capfile_XXXXXX", err[ERR_LEN];
	struct capfile_pkt p;
	struct capfile *cf;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(b);
	memcpy(b, head, sizeof(head));
	blk = b + sizeof(head); /* unknown block type 0x40000bad */
	put_le32(blk, 0x40000bad);
	put_le32(blk + 4, (uint32_t)skip_len);
	put_le32(blk + skip_len - 4, (uint32_t)skip_len);
	blk += skip_len; /* EPB: interface 0, 10 s (us), 262144 bytes */
	put_le32(blk, 6);
	put_le32(blk + 4, (uint32_t)epb_len);
	put_le32(blk + 12, 0);
	put_le32(blk + 16, 10000000);
	put_le32(blk + 20, 262144);
	put_le32(blk + 24, 262144);
	for (i = 0; i < 262144; i++)
		blk[28 + i] = (uint8_t)i;
	put_le32(blk + epb_len - 4, (uint32_t)epb_len);
	write_all(fd, b, len);
	close(fd);

	cf = capfile_open(path, err, sizeof(err));
	ck_assert_msg(cf != NULL, "%s", err);
	next_ok(cf, &p);
	want_pkt(&p, 10, 0, 262144, 262144, 1, 0);
	ck_assert_uint_eq(p.data[0], 0);
	ck_assert_uint_eq(p.data[262143], 0xff);
	ck_assert_mem_eq(p.data, blk + 28, 262144);
	want_end(cf, 0, NULL);
	ck_assert_int_eq(capfile_offset(cf), (long long)len);
	ck_assert_uint_eq(capfile_stats(cf)->blocks_skipped, 1);
	capfile_close(cf);
	unlink(path);
	free(b);
}
END_TEST

/* "-" reads standard input, here a pipe: no seeking. */
START_TEST(stdin_pipe)
{
	char err[ERR_LEN];
	struct capfile *cf;
	unsigned n;
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	write_all(fds[1], ng_le, sizeof(ng_le)); /* fits the pipe buffer */
	close(fds[1]);
	ck_assert_int_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	cf = capfile_open("-", err, sizeof(err));
	ck_assert_msg(cf != NULL, "%s", err);
	ck_assert_int_eq(drain(cf, &n, err), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(capfile_offset(cf), (long long)sizeof(ng_le));
	capfile_close(cf);
	/* stdin stays open */
	ck_assert_int_ne(fcntl(STDIN_FILENO, F_GETFD), -1);
}
END_TEST

/* ---- the real captures in pcaps/ ---- */

struct pkt_sum {
	int64_t sec, nsec;
	uint32_t caplen, wirelen, if_id;
};

enum { END_CLEAN = 0, END_DAMAGE = -1, END_OPEN = -2 };

struct real_case {
	const char *file;
	int linktype; /* first link type */
	unsigned n;   /* packets read before the end */
	struct pkt_sum first, last;
	int end;         /* END_CLEAN, END_DAMAGE after n packets, END_OPEN */
	const char *err; /* part of our message */
	unsigned ts_invalid;
};

/*
 * Packets, then time, caplen, wirelen and interface of the first and the
 * last one, from tshark 4.0.17:
 *   tshark -r pcaps/FILE -T fields -e frame.time_epoch -e frame.cap_len \
 *       -e frame.len -e frame.interface_id
 * (number of lines, first line, last line; capinfos -c -a -e agrees).
 * Link type: the pcap header's field (bytes 20-23) masked with 0xffff, or
 * the first IDB's, read by hand (xxd). Where we and tshark disagree, the
 * row says why.
 */
static const struct real_case real_cases[] = {
    {"arkime__6-4-gre-ppp-udp-4-dns.pcap",
     1,
     2,
     {1417577703, 821897000, 197, 197, 0},
     {1417577704, 35791000, 268, 268, 0},
     END_CLEAN,
     NULL,
     0},
    {"arkime__80211http.pcap",
     127,
     26,
     {1523241953, 739049000, 132, 132, 0},
     {1523241984, 47399000, 124, 124, 0},
     END_CLEAN,
     NULL,
     0},
    {"arkime__ah-esp.pcap",
     1,
     10,
     {1214051926, 994809000, 194, 194, 0},
     {1214051927, 82820000, 194, 194, 0},
     END_CLEAN,
     NULL,
     0},
    {"arkime__bigendian.pcap",
     1,
     2,
     {1335958313, 152630000, 98, 98, 0},
     {1335958317, 529201000, 98, 98, 0},
     END_CLEAN,
     NULL,
     0},
    {"arkime__dot1ad.pcap",
     1,
     2,
     {1747224993, 81092000, 50, 50, 0},
     {1747224993, 82664000, 50, 50, 0},
     END_CLEAN,
     NULL,
     0},
    {"arkime__icmp-frame-relay.pcap",
     107,
     10,
     {1213470754, 490746000, 104, 104, 0},
     {1213470754, 604519000, 104, 104, 0},
     END_CLEAN,
     NULL,
     0},
    {"arkime__long-session.pcap",
     1,
     5,
     {1401385380, 102341000, 74, 74, 0},
     {1401386288, 597255000, 60, 60, 0},
     END_CLEAN,
     NULL,
     0},
    {"arkime__sctp-www.pcap",
     1,
     84,
     {1137034844, 756614000, 106, 106, 0},
     {1137034859, 213833000, 50, 50, 0},
     END_CLEAN,
     NULL,
     0},
    {"arkime__tcpdump-geneve.pcap",
     1,
     39,
     {1422828273, 817203000, 156, 156, 0},
     {1422828275, 817506000, 148, 148, 0},
     END_CLEAN,
     NULL,
     0},
    {"arkime__y2038-bgp.pcap",
     1,
     4,
     {1259261324, 435140000, 78, 78, 0},
     {1259261324, 451194000, 93, 93, 0},
     END_CLEAN,
     NULL,
     0},
    {"ipfixprobe__tls.pcap",
     1,
     206,
     {1445324973, 611190000, 66, 66, 0},
     {1678439059, 304938000, 1474, 1474, 0},
     END_CLEAN,
     NULL,
     0},
    /* tshark: pcap: major version 1 unsupported; libpcap: archaic pcap
     * savefile format */
    {"libpcap__pcap-invalid-version-1.pcap",
     1,
     0,
     {0},
     {0},
     END_OPEN,
     "byte 4: unsupported pcap version 1.4",
     0},
    /* tshark: pcapng: unknown SHB version 0.1 */
    {"libpcap__pcapng-invalid-vers-1.pcapng",
     1,
     0,
     {0},
     {0},
     END_OPEN,
     "byte 12: unsupported pcapng version 0.1",
     0},
    /* tshark: pcapng: Not enough data to handle option of length 12336;
     * libpcap, like us, sees the trailer first: block total length in
     * header and trailer don't match */
    {"libpcap__shb-option-too-long.pcapng",
     1,
     0,
     {0},
     {0},
     END_OPEN,
     "byte 48: block total length 52 in the header, 808464432 in the "
     "trailer",
     0},
    {"ndpi__1kxun.pcap",
     1,
     1723,
     {1470104373, 25824000, 68, 68, 0},
     {1654385236, 487007000, 500, 500, 0},
     END_CLEAN,
     NULL,
     0},
    {"ndpi__fuzz-2006-06-26-2594.pcap",
     1,
     691,
     {1120469540, 839312000, 92, 92, 0},
     {1120471107, 427770000, 86, 86, 0},
     END_CLEAN,
     NULL,
     0},
    /* tshark: 1 packet, then "cut short in the middle of a packet"; its
     * time 980658802.1882137472 has 1882137472 ns, which we clamp and
     * count. Version 2.0: lengths in the old order (tshark and libpcap
     * swap them too: caplen 197, wirelen 524501). */
    {"ndpi__fuzz-2021-10-13.pcap",
     0,
     1,
     {980658802, 999999999, 197, 524501, 0},
     {980658802, 999999999, 197, 524501, 0},
     END_DAMAGE,
     "byte 237: file ends inside a record header (2 of 16 bytes)",
     1},
    {"ndpi__netflix.pcap",
     1,
     1793,
     {1484319030, 789585000, 66, 66, 0},
     {1484319120, 726362000, 66, 66, 0},
     END_CLEAN,
     NULL,
     0},
    {"ndpi__reddit.pcap",
     1,
     1942,
     {1605291684, 451133000, 94, 94, 0},
     {1605291698, 602574000, 86, 86, 0},
     END_CLEAN,
     NULL,
     0},
    {"ndpi__srvloc.pcap",
     1,
     629,
     {1685617825, 174445000, 71, 71, 0},
     {1686919264, 737057000, 71, 71, 0},
     END_CLEAN,
     NULL,
     0},
    {"ndpi__telegram_videocall.pcapng",
     1,
     889,
     {1648032334, 213648644, 70, 70, 0},
     {1648032378, 336597885, 66, 66, 0},
     END_CLEAN,
     NULL,
     0},
    {"ndpi__zoom.pcap",
     1,
     781,
     {1569520466, 80774000, 265, 265, 0},
     {1673445056, 996306000, 167, 167, 0},
     END_CLEAN,
     NULL,
     0},
    {"nfstream__skype.pcap",
     1,
     3284,
     {1431969639, 825574000, 60, 60, 0},
     {1431969808, 951480000, 66, 66, 0},
     END_CLEAN,
     NULL,
     0},
    {"pcpp__example.pcap",
     1,
     4631,
     {1367526033, 491822000, 76, 76, 0},
     {1367526049, 137582000, 391, 391, 0},
     END_CLEAN,
     NULL,
     0},
    {"pcpp__frag_with_padding.pcap",
     1,
     8,
     {1671186538, 452161000, 1518, 1518, 0},
     {1671186538, 452873000, 60, 60, 0},
     END_CLEAN,
     NULL,
     0},
    {"pcpp__ip4_bad_fragment.pcap",
     1,
     1,
     {1739819881, 403089000, 60, 60, 0},
     {1739819881, 403089000, 60, 60, 0},
     END_CLEAN,
     NULL,
     0},
    {"pcpp__ip6_fragments.pcap",
     1,
     36,
     {1258148293, 936423000, 182, 182, 0},
     {1258196682, 542149000, 128, 128, 0},
     END_CLEAN,
     NULL,
     0},
    {"pcpp__many-protocols.pcap",
     1,
     4709,
     {1277840495, 135052000, 122, 122, 0},
     {1420290330, 99620000, 60, 60, 0},
     END_CLEAN,
     NULL,
     0},
    {"pcpp__many_interfaces-1.pcapng",
     1,
     64,
     {1439753725, 701607000, 178, 178, 0},
     {1439753728, 292345000, 195, 195, 0},
     END_CLEAN,
     NULL,
     0},
    {"pcpp__nanosecs_big_endian.pcap",
     1,
     10,
     {1766361926, 167647291, 74, 74, 0},
     {1766361926, 168451894, 66, 66, 0},
     END_CLEAN,
     NULL,
     0},
    {"pcpp__one_http_stream_fin.pcap",
     1,
     15,
     {1258133614, 430569000, 70, 70, 0},
     {1258133615, 239416000, 54, 54, 0},
     END_CLEAN,
     NULL,
     0},
    {"pcpp__one_tcp_stream_fin_rst_close_packet.pcap",
     1,
     13,
     {1622110650, 591424000, 60, 60, 0},
     {1622110713, 616802000, 60, 60, 0},
     END_CLEAN,
     NULL,
     0},
    {"pcpp__raw_ip.pcap",
     101,
     100,
     {1147551795, 526632000, 80, 80, 0},
     {1488848077, 767141000, 40, 40, 0},
     END_CLEAN,
     NULL,
     0},
    {"pcpp__sll.pcap",
     113,
     518,
     {1465939067, 790511000, 108, 108, 0},
     {1465939118, 808423000, 94, 94, 0},
     END_CLEAN,
     NULL,
     0},
    {"stopddos__amp-dns-rrsig-fragmented.pcap",
     1,
     4412,
     {1632239124, 430031000, 1490, 1490, 0},
     {1632239154, 175618000, 60, 60, 0},
     END_CLEAN,
     NULL,
     0},
    {"stopddos__amp-tcp-reflection-synack.pcap",
     1,
     8000,
     {1622865525, 551136000, 58, 58, 0},
     {1622865525, 697945000, 54, 54, 0},
     END_CLEAN,
     NULL,
     0},
    {"stopddos__amp-udp-snmp-src161.pcapng",
     1,
     4373,
     {1621090240, 35681000, 68, 68, 0},
     {1621090240, 59178000, 75, 75, 0},
     END_CLEAN,
     NULL,
     0},
    {"suricata__bug-5437-02-erspan.pcap",
     1,
     60,
     {1645021883, 329233000, 110, 110, 0},
     {1645021999, 771332000, 116, 116, 0},
     END_CLEAN,
     NULL,
     0},
    /* tshark reads 2 packets, then "File has 16711424-byte packet": it
     * guesses from the record lengths that this is the SuSE 6.3 variant
     * of pcap (24-byte record headers). We read standard pcap only, as
     * libpcap 1.10 does: 1 packet, then "invalid packet capture length
     * 1409179648". */
    {"suricata__bug-6875-01-fuzz.pcap",
     1,
     1,
     {1508525002, 992213000, 188, 188, 0},
     {1508525002, 992213000, 188, 188, 0},
     END_DAMAGE,
     "byte 236: record caplen 1409179648 exceeds the 262144-byte maximum",
     0},
    {"suricata__decode-sll2-02.pcap",
     276,
     159,
     {1736381483, 613927000, 80, 80, 0},
     {1736381483, 634085000, 72, 72, 0},
     END_CLEAN,
     NULL,
     0},
    {"suricata__decode-teredo-01.pcap",
     1,
     78,
     {1210953046, 591933000, 243, 243, 0},
     {1210953076, 58333000, 54, 54, 0},
     END_CLEAN,
     NULL,
     0},
    {"suricata__http-range-multiflows.pcap",
     0,
     614,
     {1626248509, 579093000, 68, 68, 0},
     {1626248509, 648420000, 56, 56, 0},
     END_CLEAN,
     NULL,
     0},
    {"suricata__vxlan-decoder-03.pcap",
     1,
     100,
     {1561644070, 47299000, 140, 140, 0},
     {1561644100, 877673000, 179, 179, 0},
     END_CLEAN,
     NULL,
     0},
    {"tcpdump__LINKTYPE_IPV4.pcap",
     228,
     1,
     {1751997572, 592885000, 57, 57, 0},
     {1751997572, 592885000, 57, 57, 0},
     END_CLEAN,
     NULL,
     0},
    {"tcpdump__LINKTYPE_IPV6.pcap",
     229,
     1,
     {1751997566, 204450000, 77, 77, 0},
     {1751997566, 204450000, 77, 77, 0},
     END_CLEAN,
     NULL,
     0},
    {"tcpdump__bigtcp-ipv6-vxlan-ipv6.pcap",
     1,
     1,
     {1759417864, 542102000, 80156, 80156, 0},
     {1759417864, 542102000, 80156, 80156, 0},
     END_CLEAN,
     NULL,
     0},
    /* tshark cannot read link type 281; from libpcap 1.10 instead
     * (pcap_next_ex: count, ts, caplen, len of the first and last) */
    {"tcpdump__brcm-tag.pcap",
     281,
     23,
     {7820, 634030000, 346, 346, 0},
     {7838, 321602000, 68, 68, 0},
     END_CLEAN,
     NULL,
     0},
    {"tcpdump__dccp_partial_csum_v4_longer.pcap",
     1,
     15,
     {1163168820, 816632000, 66, 66, 0},
     {1163168820, 833902000, 74, 74, 0},
     END_CLEAN,
     NULL,
     0},
    {"tcpdump__ipv6_frag6_negative_len.pcap",
     1,
     1,
     {184156160, 131862000, 70, 32896, 0},
     {184156160, 131862000, 70, 32896, 0},
     END_CLEAN,
     NULL,
     0},
    {"tcpdump__ipv6_jumbogram_1.pcap",
     1,
     1,
     {1659344995, 627421000, 65590, 65590, 0},
     {1659344995, 627421000, 65590, 65590, 0},
     END_CLEAN,
     NULL,
     0},
    {"tcpdump__mpls-traceroute.pcap",
     9,
     18,
     {1087208009, 315598000, 48, 48, 0},
     {1087208009, 611307000, 60, 60, 0},
     END_CLEAN,
     NULL,
     0},
    {"tcpdump__tcp-handshake-nano.pcap",
     113,
     3,
     {1418145369, 924505488, 76, 76, 0},
     {1418145370, 52115157, 68, 68, 0},
     END_CLEAN,
     NULL,
     0},
    {"tcpdump__time_2107.pcapng",
     1,
     1,
     {4323283200, 0, 98, 98, 0},
     {4323283200, 0, 98, 98, 0},
     END_CLEAN,
     NULL,
     0},
    /* tshark prints the last time as -1418145370.2147483648: its
     * nanoseconds are 2^31, the second's 10^9; both clamped, counted */
    {"tcpdump__timestamp_invalid_nano.pcap",
     113,
     3,
     {1418145369, 999999999, 76, 76, 0},
     {1418145370, 999999999, 68, 68, 0},
     END_CLEAN,
     NULL,
     2},
    {"tcpdump__various_gre.pcap",
     1,
     100,
     {1497606301, 394037000, 64, 64, 0},
     {1497606342, 185807000, 64, 64, 0},
     END_CLEAN,
     NULL,
     0},
    {"tcpreplay__test.pcap",
     1,
     179,
     {1278472579, 466743000, 93, 93, 0},
     {1278472582, 723492000, 144, 144, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__communityid-icmp6.pcap",
     1,
     49,
     {921159907, 494265000, 86, 86, 0},
     {921159966, 755968000, 78, 78, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__empty.pcap", 1, 0, {0}, {0}, END_CLEAN, NULL, 0},
    {"zeek__erspan.pcap",
     1,
     287,
     {1442309933, 472798000, 116, 116, 0},
     {1442310056, 333047000, 102, 102, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__gtp1_gn_normal_incl_fragmentation.pcap",
     1,
     108,
     {1333458850, 364667000, 102, 102, 0},
     {1333458850, 434480000, 90, 90, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__icmp-destunreach-udp.pcap",
     1,
     1,
     {1258568548, 135731000, 194, 194, 0},
     {1258568548, 135731000, 194, 194, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__icmp6-nd-options.pcap",
     1,
     20,
     {1219649643, 536057000, 78, 78, 0},
     {1219649684, 149686000, 86, 86, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__icmp6-toobig.pcap",
     1,
     1,
     {1334165838, 18052000, 114, 114, 0},
     {1334165838, 18052000, 114, 114, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__igmp-many-groups.pcap",
     1,
     450,
     {1785527442, 489028000, 42, 42, 0},
     {1785527442, 522082000, 42, 42, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__ip-bogus-header-len.pcap",
     1,
     1,
     {1622130530, 134967000, 60, 60, 0},
     {1622130530, 134967000, 60, 60, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__ip6_esp.pcap",
     1,
     121,
     {1140435026, 73862000, 130, 130, 0},
     {1140436074, 108524000, 130, 130, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__ipv4-fragmented-syn.pcap",
     1,
     2,
     {1756907829, 66973000, 58, 58, 0},
     {1756907829, 67038000, 50, 50, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__ipv6-http-atomic-frag.pcap",
     1,
     38,
     {1333039452, 484983000, 86, 86, 0},
     {1333039454, 350237000, 162, 162, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__localhost-bad-chksum.pcap",
     1,
     10,
     {1602707363, 476578000, 78, 78, 0},
     {1602707363, 568659000, 54, 54, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__mixed-vlan-mpls.pcap",
     1,
     47,
     {952109346, 874907000, 62, 62, 0},
     {1278600802, 74822000, 92, 92, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__nflog-http.pcap",
     239,
     13,
     {1470574779, 148133000, 108, 108, 0},
     {1470574780, 138288000, 72, 72, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__pbb.pcap",
     1,
     12,
     {1500987641, 440952000, 82, 82, 0},
     {1500987676, 10996000, 86, 86, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__pcapng-multi-interface.pcapng",
     1,
     6,
     {1767663089, 500330493, 96, 96, 0},
     {1767663437, 140942000, 182, 182, 1},
     END_CLEAN,
     NULL,
     0},
    {"zeek__pppoe.pcap",
     1,
     65,
     {1284385406, 780560000, 60, 60, 0},
     {1284385452, 499560000, 60, 60, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__tcp-missing-syn.pcap",
     1,
     21,
     {1128727435, 633408000, 74, 74, 0},
     {1128727437, 184931000, 66, 66, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__tcp-syn-then-stuff-then-rst.pcap",
     1,
     4,
     {1599865432, 160308000, 54, 54, 0},
     {1599865432, 160900000, 54, 54, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__tcp-timeout-with-pings.pcap",
     228,
     15,
     {1772474337, 92800000, 40, 40, 0},
     {1772474370, 95800000, 28, 28, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__tcp-truncated-header.pcap",
     1,
     24,
     {1103139821, 634774000, 68, 74, 0},
     {1103139823, 145958000, 54, 60, 0},
     END_CLEAN,
     NULL,
     0},
    /* snaplen 1, caplen 8: tshark gives 8 bytes, libpcap cuts to 1 */
    {"zeek__trunc-hdr.pcap",
     1,
     1,
     {1404148886, 981015000, 8, 78, 0},
     {1404148886, 981015000, 8, 78, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__trunc-icmp-payload.pcap",
     1,
     4,
     {1338324909, 690784000, 80, 98, 0},
     {1338324912, 702087000, 80, 98, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__trunc-ip4.pcap",
     1,
     1,
     {1334160095, 895421000, 20, 46, 0},
     {1334160095, 895421000, 20, 46, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__trunc-ip6.pcap",
     1,
     1,
     {1334156241, 519125000, 48, 74, 0},
     {1334156241, 519125000, 48, 74, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__tunnel-4in6.pcap",
     1,
     1,
     {1274368113, 185260000, 94, 94, 0},
     {1274368113, 185260000, 94, 94, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__tunnel-6in4.pcap",
     1,
     1,
     {1335203348, 428004000, 86, 86, 0},
     {1335203348, 428004000, 86, 86, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__tunnel-6in6in6.pcap",
     1,
     1,
     {1335200921, 654987000, 146, 146, 0},
     {1335200921, 654987000, 146, 146, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__unknown-ip-short-payload.pcap",
     1,
     4,
     {1780957890, 590632000, 38, 38, 0},
     {1780957890, 590853000, 46, 46, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__vlan-qinqinq.pcap",
     1,
     14,
     {1362692526, 869344000, 90, 90, 0},
     {1362692527, 80972000, 78, 78, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__vxlan-encapsulated-http.pcap",
     1,
     12,
     {1630165473, 690298000, 124, 124, 0},
     {1630165474, 317388000, 116, 116, 0},
     END_CLEAN,
     NULL,
     0},
    {"zeek__wikipedia.pcap",
     1,
     136,
     {1300475167, 96535000, 87, 87, 0},
     {1300475173, 475401000, 92, 92, 0},
     END_CLEAN,
     NULL,
     0},
};

static char *
pcap_path(const char *name)
{
	static char path[1024];
	const char *dir = getenv("TAPFLOW_PCAPS");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "pcaps", name);
	return path;
}

/* The whole file in an exact-size heap buffer. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long size;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	ck_assert_int_ge(size, 0);
	rewind(f);
	b = malloc(size ? (size_t)size : 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	*len = (size_t)size;
	return b;
}

static void
want_sum(const char *file, const char *which, const struct capfile_pkt *p,
         const struct pkt_sum *w)
{
	ck_assert_msg(
	    p->ts_sec == w->sec && p->ts_nsec == w->nsec &&
	        p->caplen == w->caplen && p->wirelen == w->wirelen &&
	        p->if_id == w->if_id,
	    "%s %s: %lld.%09lld %u %u if %u, tshark %lld.%09lld %u %u "
	    "if %u",
	    file, which, (long long)p->ts_sec, (long long)p->ts_nsec, p->caplen,
	    p->wirelen, p->if_id, (long long)w->sec, (long long)w->nsec,
	    w->caplen, w->wirelen, w->if_id);
}

/*
 * Read a real capture opened either way and compare with the row; every
 * message starts with the name the file was opened under.
 */
static void
check_real(const struct real_case *k, struct capfile *cf, const char *err,
           const char *name)
{
	struct capfile_pkt p, first = {0}, last = {0};
	char err2[ERR_LEN] = "";
	unsigned n = 0;
	int r;

	if (k->end == END_OPEN) {
		ck_assert_msg(cf == NULL, "%s: opened", k->file);
		ck_assert_msg(strstr(err, k->err) != NULL, "%s: \"%s\"",
		              k->file, err);
		ck_assert_msg(strncmp(err, name, strlen(name)) == 0, "%s", err);
		return;
	}
	ck_assert_msg(cf != NULL, "%s: %s", k->file, err);
	ck_assert_int_eq(capfile_first_linktype(cf), k->linktype);
	while ((r = capfile_next(cf, &p, err2, sizeof(err2))) == 1) {
		if (n == 0)
			first = p;
		last = p;
		n++;
	}
	ck_assert_msg(n == k->n, "%s: %u packets, tshark %u", k->file, n, k->n);
	ck_assert_msg(r == k->end, "%s: end %d: %s", k->file, r, err2);
	if (k->err != NULL)
		ck_assert_msg(strstr(err2, k->err) != NULL, "%s: \"%s\"",
		              k->file, err2);
	if (r < 0)
		ck_assert_msg(strncmp(err2, name, strlen(name)) == 0, "%s",
		              err2);
	if (n > 0) {
		want_sum(k->file, "first", &first, &k->first);
		want_sum(k->file, "last", &last, &k->last);
	}
	ck_assert_uint_eq(capfile_stats(cf)->records, n);
	ck_assert_msg(capfile_stats(cf)->ts_invalid == k->ts_invalid,
	              "%s: ts_invalid %llu", k->file,
	              (unsigned long long)capfile_stats(cf)->ts_invalid);
	if (r == 0) {
		size_t len;
		uint8_t *b = slurp(pcap_path(k->file), &len);

		ck_assert_int_eq(capfile_offset(cf), (long long)len);
		free(b);
	}
}

START_TEST(real_capture)
{
	const struct real_case *k = &real_cases[_i];
	char err[ERR_LEN] = "";
	struct capfile *cf;
	size_t len;
	uint8_t *b;

	/* through a file descriptor */
	cf = capfile_open(pcap_path(k->file), err, sizeof(err));
	check_real(k, cf, err, pcap_path(k->file));
	capfile_close(cf);
	/* and from an exact-size copy in memory */
	b = slurp(pcap_path(k->file), &len);
	err[0] = '\0';
	cf = capfile_open_mem(b, len, err, sizeof(err));
	check_real(k, cf, err, "memory: ");
	capfile_close(cf);
	free(b);
}
END_TEST

/* Every packet of the two-interface file, against tshark (same command). */
START_TEST(real_multi_interface)
{
	static const struct pkt_sum want[] = {
	    {1767663089, 500330493, 96, 96, 0}, /* if 0: if_tsresol 9 */
	    {1767663089, 514291940, 214, 214, 0},
	    {1767663437, 111897000, 70, 70, 1}, /* if 1: if_tsresol 6 */
	    {1767663437, 126460000, 166, 166, 1},
	    {1767663437, 128303000, 70, 70, 1},
	    {1767663437, 140942000, 182, 182, 1},
	};
	char err[ERR_LEN];
	struct capfile_pkt p;
	struct capfile *cf = capfile_open(
	    pcap_path("zeek__pcapng-multi-interface.pcapng"), err, sizeof(err));
	size_t i;

	ck_assert_msg(cf != NULL, "%s", err);
	for (i = 0; i < N_ELEMS(want); i++) {
		next_ok(cf, &p);
		want_sum("multi-interface", "packet", &p, &want[i]);
		ck_assert_int_eq(p.linktype, 1);
	}
	want_end(cf, 0, NULL);
	ck_assert_uint_eq(capfile_stats(cf)->interfaces, 2);
	capfile_close(cf);
}
END_TEST

/*
 * The file libpcap 1.10 refuses ("an interface has a type 0 different
 * from the type of the first interface"): 11 IDBs, link types 1, 0 (4
 * and 10) and 12 (8). tshark -r ... -e frame.number -e
 * frame.interface_id: frames 3 and 4 on interface 10, the other 62 on 0;
 * xxd: IDB 10 (at 1324) has link type 0, IDB 0 link type 1; 11 ISBs.
 */
START_TEST(real_many_interfaces)
{
	char err[ERR_LEN];
	struct capfile_pkt p;
	struct capfile *cf = capfile_open(
	    pcap_path("pcpp__many_interfaces-1.pcapng"), err, sizeof(err));
	unsigned n = 0, on10 = 0;

	ck_assert_msg(cf != NULL, "%s", err);
	while (capfile_next(cf, &p, err, sizeof(err)) == 1) {
		n++;
		if (n == 3 || n == 4) {
			ck_assert_uint_eq(p.if_id, 10);
			ck_assert_int_eq(p.linktype, 0);
			ck_assert_uint_eq(p.caplen, 168);
			on10++;
		} else {
			ck_assert_uint_eq(p.if_id, 0);
			ck_assert_int_eq(p.linktype, 1);
		}
	}
	ck_assert_uint_eq(n, 64);
	ck_assert_uint_eq(on10, 2);
	ck_assert_uint_eq(capfile_stats(cf)->interfaces, 11);
	ck_assert_uint_eq(capfile_stats(cf)->blocks_skipped, 11);
	capfile_close(cf);
}
END_TEST

/* Every file in pcaps/ and pcaps/regress/: sane packets, no crash. */
static void
walk_dir(const char *sub, unsigned *files)
{
	char dir[1024], name[1300], err[ERR_LEN];
	const char *top = getenv("TAPFLOW_PCAPS");
	struct dirent *e;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s%s", top ? top : "pcaps", sub);
	dp = opendir(dir);
	if (dp == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		struct capfile_pkt p;
		struct capfile *cf;
		unsigned sum = 0;
		int r;

		if (strstr(e->d_name, ".pcap") == NULL)
			continue;
		snprintf(name, sizeof(name), "%s/%s", dir, e->d_name);
		(*files)++;
		cf = capfile_open(name, err, sizeof(err));
		if (cf == NULL) {
			ck_assert_msg(strstr(err, name) == err, "%s", err);
			continue;
		}
		while ((r = capfile_next(cf, &p, err, sizeof(err))) == 1) {
			uint32_t i;

			ck_assert_uint_le(p.caplen, CAPFILE_MAX_CAPLEN);
			ck_assert(p.ts_nsec >= 0 && p.ts_nsec < 1000000000);
			ck_assert(p.ts_sec >= 0 && p.ts_sec <= CAPFILE_MAX_SEC);
			ck_assert(p.linktype >= 0 && p.linktype <= 0xffff);
			for (i = 0; i < p.caplen; i++) /* ASan sees each byte */
				sum += p.data[i];
		}
		ck_assert_msg(r == 0 || strstr(err, name) == err, "%s", err);
		(void)sum;
		capfile_close(cf);
	}
	closedir(dp);
}

START_TEST(all_captures)
{
	unsigned files = 0;

	walk_dir("", &files);
	walk_dir("/regress", &files);
	ck_assert_uint_ge(files, N_ELEMS(real_cases));
}
END_TEST

static Suite *
capfile_suite(void)
{
	Suite *s = suite_create("capfile");
	TCase *tc = tcase_create("hand-built");
	TCase *cut = tcase_create("cuts");
	TCase *real = tcase_create("captures");

	tcase_add_test(tc, pcap_le_us_fields);
	tcase_add_test(tc, pcap_be_ns_fields);
	tcase_add_test(tc, ng_le_fields);
	tcase_add_test(tc, ng_two_fields);
	tcase_add_test(tc, pcap_odd_records);
	tcase_add_test(tc, pcap_us_odd_records);
	tcase_add_test(tc, pcap_old_length_order);
	tcase_add_loop_test(tc, pcap_version, 0, (int)N_ELEMS(pcap_versions));
	tcase_add_test(tc, not_a_capture);
	tcase_add_loop_test(tc, ng_damage, 0, (int)N_ELEMS(ng_patches));
	tcase_add_test(tc, ng_second_section_version);
	tcase_add_test(tc, ng_early_blocks);
	tcase_add_test(tc, ng_ts_clamp);
	tcase_add_test(tc, ng_spb_lengths);
	tcase_add_test(tc, ng_too_many_interfaces);
	tcase_add_test(tc, file_big_blocks);
	tcase_add_test(tc, stdin_pipe);
	suite_add_tcase(s, tc);

	/* every length from 0 to the whole file */
	tcase_add_test(cut, cut_tables);
	tcase_add_loop_test(cut, cut_pcap_le_us, 0,
	                    (int)sizeof(pcap_le_us) + 1);
	tcase_add_loop_test(cut, cut_pcap_be_ns, 0,
	                    (int)sizeof(pcap_be_ns) + 1);
	tcase_add_loop_test(cut, cut_ng_le, 0, (int)sizeof(ng_le) + 1);
	tcase_add_loop_test(cut, cut_ng_two, 0, (int)sizeof(ng_two) + 1);
	suite_add_tcase(s, cut);

	tcase_set_timeout(real, 60);
	tcase_add_loop_test(real, real_capture, 0, (int)N_ELEMS(real_cases));
	tcase_add_test(real, real_multi_interface);
	tcase_add_test(real, real_many_interfaces);
	tcase_add_test(real, all_captures);
	suite_add_tcase(s, real);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(capfile_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
