/*
 * Capture file reader for classic pcap and pcapng, without libpcap.
 *
 * Why our own: libpcap 1.10 refuses pcapng files whose interfaces have
 * different link types, and never says which pcapng interface a packet
 * came from. Capture files are hostile input (STYLE.md 3, rule 7): every
 * length, link type and timestamp is checked before use, and a damaged
 * file ends with an error that names the file, the byte offset and the
 * problem, never with an over-read.
 *
 * Formats:
 * - pcap (draft-ietf-opsawg-pcap, pcap-savefile(5)): both byte orders,
 *   microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d) magics, version
 *   2.0 to 2.4 (lengths swapped before 2.3, as libpcap reads them). The
 *   link type is the low 16 bits of the header field; the FCS bits above
 *   are ignored.
 * - pcapng (draft-ietf-opsawg-pcapng) version 1.0 (and 1.2, which some
 *   old writers put in the SHB; libpcap reads it as 1.0): any number of
 *   sections, each with its own byte order and interfaces; IDB with
 *   if_tsresol and if_tsoffset; EPB, SPB and the obsolete PB carry
 *   packets; every other block type is skipped by its length.
 *
 * Policy on doubtful records (the counters in struct capfile_stats):
 * - caplen above CAPFILE_MAX_CAPLEN: damage (-1), as libpcap and tshark.
 * - caplen above the declared snaplen: counted, packet delivered whole
 *   (tshark does the same; libpcap cuts it to the snaplen).
 * - caplen above wirelen: counted, delivered as is.
 * - timestamps outside 0 .. CAPFILE_MAX_SEC, or a pcap fraction at or
 *   above one second: counted in ts_invalid and clamped to the nearest
 *   valid value (fraction 999999999 ns; seconds 0 or CAPFILE_MAX_SEC).
 * - a pcapng packet for an interface the section has not described:
 *   damage (-1), as libpcap and tshark; nothing sane can be guessed for
 *   its link type.
 * - a later SHB with an unsupported version: damage (-1); its blocks
 *   cannot be framed without knowing the version.
 *
 * The reader never seeks, so it works on pipes; it allocates at open and
 * when a block larger than any before arrives (at most CAPFILE_MAX_BLOCK
 * plus its header), never per packet once warmed up.
 */
#ifndef TAPFLOW_CAPFILE_H
#define TAPFLOW_CAPFILE_H

#include <stddef.h>
#include <stdint.h>

/* Largest record caplen accepted (libpcap's MAXIMUM_SNAPLEN, tshark's
 * WTAP_MAX_PACKET_SIZE_STANDARD). */
#define CAPFILE_MAX_CAPLEN 262144u /* 256 KiB */
/* Largest pcapng block accepted; larger ones are damage. */
#define CAPFILE_MAX_BLOCK 16777216u /* 16 MiB */
/* Interfaces per pcapng section; one more IDB is damage. */
#define CAPFILE_MAX_IF 65536u
/* Latest second kept: sec * 10^9 + 999999999 still fits a uint64_t of
 * nanoseconds (struct pkt_meta's ts_ns). Year 2554. */
#define CAPFILE_MAX_SEC INT64_C(18446744072)

/* One packet, filled by capfile_next(). */
struct capfile_pkt {
	const uint8_t *data; /* caplen bytes; valid until the next
	                        capfile_next() or capfile_close() */
	uint32_t caplen;     /* bytes at data */
	uint32_t wirelen;    /* length on the wire, as the file says */
	int64_t ts_sec;      /* 0 .. CAPFILE_MAX_SEC */
	int64_t ts_nsec;     /* 0 .. 999999999 */
	int linktype;        /* LINKTYPE_ value of the packet's interface */
	uint32_t if_id; /* pcapng interface id in its section; 0 for pcap */
};

/* Counters: what the file held and what was odd about it. */
struct capfile_stats {
	uint64_t records;             /* packets returned */
	uint64_t sections;            /* pcapng SHBs read */
	uint64_t interfaces;          /* pcapng IDBs read, all sections */
	uint64_t blocks_skipped;      /* pcapng blocks of other types */
	uint64_t ts_invalid;          /* timestamps clamped (see above) */
	uint64_t caplen_over_snaplen; /* caplen > snaplen; kept whole */
	uint64_t caplen_over_wirelen; /* caplen > wirelen; kept */
	uint64_t caplen_clamped;      /* SPB whose original length exceeds
	                                 its block: caplen cut to the block */
	uint64_t lengths_swapped;     /* pcap < 2.3 records with caplen and
	                                 wirelen in the old order */
};

struct capfile;

/*
 * Open a capture file by path ("-" reads standard input, which is not
 * closed later). The format comes from the magic number, never from the
 * name. Reads the file header; for pcapng also every block up to the
 * first Interface Description Block, so capfile_first_linktype() is
 * known. Returns NULL with a message in err ("PATH: problem") if the
 * file cannot be opened or its header is damaged or unsupported.
 */
struct capfile *capfile_open(const char *path, char *err, size_t errlen);

/*
 * The same for a capture held in memory (tests, fuzzing). buf is not
 * copied: it is the caller's and must stay valid until capfile_close().
 * Packet data then points into buf, and nothing past buf + len is read.
 */
struct capfile *capfile_open_mem(const uint8_t *buf, size_t len, char *err,
                                 size_t errlen);

/*
 * Read the next packet into *pkt. Returns 1 for a packet, 0 at a clean
 * end of file (the file ends on a record or block boundary), -1 if the
 * file is damaged or cannot be read; err then says what and where
 * ("PATH: byte OFFSET: problem"). After 0 or -1 later calls return the
 * same without reading.
 */
int capfile_next(struct capfile *cf, struct capfile_pkt *pkt, char *err,
                 size_t errlen);

/* Link type of the pcap header or the first pcapng interface; -1 if the
 * file has no interface (yet). */
int capfile_first_linktype(const struct capfile *cf);

/* Bytes consumed from the start of the file (for progress reports). */
long long capfile_offset(const struct capfile *cf);

/* "pcap" or "pcapng". */
const char *capfile_format(const struct capfile *cf);

/* The counters; the pointer is valid until capfile_close(). */
const struct capfile_stats *capfile_stats(const struct capfile *cf);

/* Close the file (unless it is stdin) and free everything; NULL is a
 * no-op. */
void capfile_close(struct capfile *cf);

#endif
