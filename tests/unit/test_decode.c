/*
 * Decoder on real captures from pcaps/ (see pcaps/SOURCES.md): packets per
 * family, fragments, ports and tunnels counted by dec_packet() and compared
 * with tshark 4.0's counts (the command is beside each number), plus every
 * capture decoded with and without decap under the invariants of
 * decode.h, so that ASan sees each packet. TAPFLOW_PCAPS overrides the
 * directory (default "pcaps", the tests run from the top of the tree).
 */
#include <check.h>
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../probe/decode.h"
#include "../../probe/decode_int.h"

struct counts {
	unsigned n, v4, v6, frag, ports, tunnel;
};

struct capture_case {
	const char *file;
	int linktype;
	bool decap;
	struct counts want; /* n, v4, v6, frag, ports, tunnel; ~0u: skip */
};

#define ANY (~0u)

/*
 * tshark -r pcaps/FILE -Y FILTER -T fields -e frame.number | wc -l, with
 * the filters: v4 "ip" (v6 "ipv6 and not ip"), frag "ip.flags.mf==1 or
 * ip.frag_offset>0" (IPv6: "ipv6.fraghdr.more==1 or
 * ipv6.fraghdr.offset>0"), ports "tcp.srcport or udp.srcport or icmp
 * or icmpv6" (for tunnels: of the inner packet, e.g. -T fields -e
 * frame.protocols | sort | uniq -c), tunnel the tunnel protocol's name
 * with -o ip.defragment:FALSE. ANY: not compared.
 */
static const struct capture_case cases[] = {
    /* 518 frames; -Y ip 510, -Y ipv6 1 */
    {"pcpp__sll.pcap", 113, false, {518, 510, 1, 0, ANY, 0}},
    /* -Y ip 159 */
    {"suricata__decode-sll2-02.pcap", 276, false, {159, 159, 0, 0, 159, 0}},
    /* -Y ip 614 (BSD loopback) */
    {"suricata__http-range-multiflows.pcap",
     0,
     false,
     {614, 614, 0, 0, 614, 0}},
    /* -Y ip 50, -Y ipv6 50 (DLT_RAW written as 12) */
    {"pcpp__raw_ip.pcap", 12, false, {100, 50, 50, 0, ANY, 0}},
    /* -Y ip 18 (PPP carrying MPLS) */
    {"tcpdump__mpls-traceroute.pcap", 9, false, {18, 18, 0, 0, ANY, 0}},
    /* -Y ipv6 25, -Y ip 0 (PPPoE) */
    {"zeek__pppoe.pcap", 1, false, {65, 0, 25, 0, ANY, 0}},
    /* -Y ip 166, -Y "ipv6 and not ip" 10 */
    {"tcpreplay__test.pcap", 1, false, {179, 166, 10, 0, ANY, 0}},
    /* -Y ip 14 (three stacked tags) */
    {"zeek__vlan-qinqinq.pcap", 1, false, {14, 14, 0, 0, 14, 0}},
    /* -Y ip 47 */
    {"zeek__mixed-vlan-mpls.pcap", 1, false, {47, 47, 0, 0, ANY, 0}},
    /* -Y ip 10 (802.1ah) */
    {"zeek__pbb.pcap", 1, false, {12, 10, 0, 0, ANY, 0}},
    /* IPv4 fragments 1209 */
    {"stopddos__amp-dns-rrsig-fragmented.pcap",
     1,
     false,
     {4412, ANY, ANY, 1209, ANY, 0}},
    /* IPv6 fragments 36; -o ipv6.defragment:FALSE -Y
     * "ipv6.fraghdr.offset==0" 4 (first fragments with ports) */
    {"pcpp__ip6_fragments.pcap", 1, false, {36, 0, 36, 36, 4, 0}},
    /* fragment headers 5, all atomic: 0 fragments */
    {"zeek__ipv6-http-atomic-frag.pcap", 1, false, {38, 0, 38, 0, 38, 0}},
    /* snaplen 68: -Y tcp.srcport 24 */
    {"zeek__tcp-truncated-header.pcap", 1, false, {24, 24, 0, 0, 24, 0}},
    /* -Y vxlan 100 */
    {"suricata__vxlan-decoder-03.pcap", 1, true, {100, 100, 0, 0, 100, 100}},
    /* -Y geneve 39 */
    {"arkime__tcpdump-geneve.pcap", 1, true, {39, 39, 0, 0, 39, 39}},
    /* -Y erspan 60 */
    {"suricata__bug-5437-02-erspan.pcap", 1, true, {60, 60, 0, 0, 60, 60}},
    /* -Y "gre and not arp" 238 (10 GRE frames carry ARP) */
    {"zeek__erspan.pcap", 1, true, {287, ANY, ANY, ANY, ANY, 238}},
    /* -o ip.defragment:FALSE -Y gtp 72 (40 of them first fragments) */
    {"zeek__gtp1_gn_normal_incl_fragmentation.pcap",
     1,
     true,
     {108, 108, 0, ANY, ANY, 72}},
    /* -Y "teredo and ipv6" 4 */
    {"suricata__decode-teredo-01.pcap", 1, true, {78, 74, 4, 0, ANY, 4}},
    /* one packet each, IPv6 in IPv6 in IPv6 / IPv6 in IPv4 / 4 in 6 */
    {"zeek__tunnel-6in6in6.pcap", 1, true, {1, 0, 1, 0, 1, 1}},
    {"zeek__tunnel-6in4.pcap", 1, true, {1, 0, 1, 0, 1, 1}},
    {"zeek__tunnel-4in6.pcap", 1, true, {1, 1, 0, 0, 1, 1}},
};

static pcap_t *
open_capture(const char *name)
{
	char err[PCAP_ERRBUF_SIZE], path[1024];
	const char *dir = getenv("TAPFLOW_PCAPS");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "pcaps", name);
	return pcap_open_offline(path, err);
}

/* Invariants of dec_packet() for any input. */
static void
check_meta(enum dec_status st, const struct pkt_meta *m)
{
	ck_assert(st == DEC_OK || st == DEC_SKIP || st == DEC_BAD);
	if (st == DEC_OK)
		ck_assert(m->family == 4 || m->family == 6);
	else
		ck_assert_uint_ne(m->drop, DEC_DROP_NONE);
	ck_assert_uint_lt(m->drop, DEC_DROP_COUNT);
	ck_assert_uint_le(m->depth, DEC_MAX_DEPTH);
	ck_assert_uint_le(m->n_mpls, PKT_MAX_MPLS);
	if (!m->has_ports) {
		ck_assert_uint_eq(m->sport, 0);
		ck_assert_uint_eq(m->dport, 0);
	}
	if (m->is_frag && !m->frag_first)
		ck_assert_uint_eq(m->has_ports, 0);
	if (m->depth == 0)
		ck_assert_uint_eq(m->tunnel, 0);
}

static void
count(pcap_t *p, bool decap, struct counts *c)
{
	struct dec_config cfg = {.decap = decap};
	struct pcap_pkthdr *h;
	const u_char *d;
	int r;

	memset(c, 0, sizeof(*c));
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		struct pkt_meta m = {.ts_ns = 1, .ifindex = 2};
		struct pkt_meta ref = m;
		enum dec_status st = dec_packet(&cfg, pcap_datalink(p), d,
		                                h->caplen, h->len, &m);

		check_meta(st, &m);
		/* the one-pass path, where it applies, equals the layers */
		ck_assert_int_eq(dec_packet_layers(&cfg, pcap_datalink(p), d,
		                                   h->caplen, h->len, &ref),
		                 st);
		ck_assert_msg(memcmp(&m, &ref, sizeof(m)) == 0,
		              "frame %u: one-pass and layer decode differ",
		              c->n + 1);
		c->n++;
		if (st != DEC_OK)
			continue;
		c->v4 += m.family == 4;
		c->v6 += m.family == 6;
		c->frag += m.is_frag;
		c->ports += m.has_ports;
		c->tunnel += m.depth > 0;
	}
}

static void
want_eq(const char *file, const char *what, unsigned got, unsigned want)
{
	if (want != ANY)
		ck_assert_msg(got == want, "%s: %s %u, tshark %u", file, what,
		              got, want);
}

START_TEST(capture_counts)
{
	const struct capture_case *k = &cases[_i];
	pcap_t *p = open_capture(k->file);
	struct counts c;

	ck_assert_msg(p != NULL, "cannot open %s", k->file);
	ck_assert_int_eq(pcap_datalink(p), k->linktype);
	ck_assert(dec_linktype_supported(k->linktype));
	count(p, k->decap, &c);
	pcap_close(p);
	want_eq(k->file, "frames", c.n, k->want.n);
	want_eq(k->file, "ipv4", c.v4, k->want.v4);
	want_eq(k->file, "ipv6", c.v6, k->want.v6);
	want_eq(k->file, "fragments", c.frag, k->want.frag);
	want_eq(k->file, "ports", c.ports, k->want.ports);
	want_eq(k->file, "tunnelled", c.tunnel, k->want.tunnel);
}
END_TEST

/* One packet's fields, against tshark -V of the same frame. */
START_TEST(capture_fields)
{
	/* tshark -r zeek__tunnel-6in6in6.pcap -V: outer 2001:4f8:4:7::2 ..,
	 * two IPv6-in-IPv6 layers, inner UDP; checked: depth 2 */
	struct dec_config cfg = {.decap = true};
	struct pcap_pkthdr *h;
	const u_char *d;
	struct pkt_meta m = {0};
	pcap_t *p = open_capture("zeek__tunnel-6in6in6.pcap");

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(pcap_next_ex(p, &h, &d), 1);
	ck_assert_int_eq(
	    dec_packet(&cfg, pcap_datalink(p), d, h->caplen, h->len, &m),
	    DEC_OK);
	ck_assert_uint_eq(m.depth, 2);
	ck_assert_uint_eq(m.tunnel, PKT_TUN_IPIP);
	ck_assert_uint_eq(m.proto, 17);
	pcap_close(p);
	/* tshark -r tcpdump__ipv6_jumbogram_1.pcap -V: Jumbo Payload
	 * Length 65536, ICMPv6 echo request (128/0) */
	p = open_capture("tcpdump__ipv6_jumbogram_1.pcap");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(pcap_next_ex(p, &h, &d), 1);
	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(
	    dec_packet(&cfg, pcap_datalink(p), d, h->caplen, h->len, &m),
	    DEC_OK);
	ck_assert_uint_eq(m.octets, 40 + 65536);
	ck_assert_uint_eq(m.proto, 58);
	ck_assert_uint_eq(m.dport, 128 * 256);
	ck_assert_uint_eq(m.ttl, 227);
	pcap_close(p);
}
END_TEST

/* Every capture in the directory (and regress/): no crash, invariants. */
static void
walk_dir(const char *sub)
{
	char dir[1024], name[1300];
	const char *top = getenv("TAPFLOW_PCAPS");
	struct dirent *e;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s%s", top ? top : "pcaps", sub);
	dp = opendir(dir);
	if (!dp)
		return;
	while ((e = readdir(dp)) != NULL) {
		char err[PCAP_ERRBUF_SIZE];
		struct counts c;
		pcap_t *p;

		if (!strstr(e->d_name, ".pcap"))
			continue;
		snprintf(name, sizeof(name), "%s/%s", dir, e->d_name);
		p = pcap_open_offline(name, err);
		if (!p)
			continue; /* damaged on purpose: libpcap says no */
		count(p, false, &c);
		pcap_close(p);
		p = pcap_open_offline(name, err);
		count(p, true, &c);
		pcap_close(p);
	}
	closedir(dp);
}

START_TEST(all_captures)
{
	walk_dir("");
	walk_dir("/regress");
}
END_TEST

/*
 * The one-pass path for common Ethernet frames against the layer
 * functions: frames built from a few templates (IPv4 or IPv6, TCP, UDP,
 * ICMP, ICMPv6, with and without a VLAN tag, padding), then header bytes
 * mutated and the capture cut at random, so that every check of the path
 * is hit on both sides. Both decodes must give the same status and the
 * same struct pkt_meta, byte for byte.
 */
static uint64_t
xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static size_t
build_frame(uint8_t *f, uint64_t r)
{
	static const uint8_t protos[] = {6, 17, 1, 58, 132, 47};
	size_t off = 12, ip, l4, n;
	bool v6 = (r & 1) != 0, vlan = (r & 2) != 0;
	uint8_t proto = protos[(r >> 2) % 6];
	size_t l4len = proto == 6 ? 20 : 8, plen;

	memset(f, 0, 160);
	for (n = 0; n < 12; n++)
		f[n] = (uint8_t)(0x10 + n);
	if (vlan) {
		f[off] = 0x81; /* 802.1Q, VID 0x123 */
		f[off + 2] = 0x31;
		f[off + 3] = 0x23;
		off += 4;
	}
	f[off] = v6 ? 0x86 : 0x08;
	f[off + 1] = v6 ? 0xdd : 0x00;
	ip = off + 2;
	plen = l4len + 6; /* a few payload bytes */
	if (v6) {
		f[ip] = 0x6a; /* traffic class 0xa5, flow label 0x5bcde */
		f[ip + 1] = 0x55;
		f[ip + 2] = 0xbc;
		f[ip + 3] = 0xde;
		f[ip + 5] = (uint8_t)plen;
		f[ip + 6] = proto;
		f[ip + 7] = 64;
		for (n = 8; n < 40; n++)
			f[ip + n] = (uint8_t)(0x20 + n);
		l4 = ip + 40;
	} else {
		f[ip] = 0x45;
		f[ip + 1] = 0xb8;
		f[ip + 3] = (uint8_t)(20 + plen);
		f[ip + 8] = 63;
		f[ip + 9] = proto;
		for (n = 12; n < 20; n++)
			f[ip + n] = (uint8_t)(0x40 + n);
		l4 = ip + 20;
	}
	f[l4] = 0x1f; /* ports 0x1f90, 0x0050; ICMP type 0x1f code 0x90 */
	f[l4 + 1] = 0x90;
	f[l4 + 3] = 0x50;
	if (proto == 6) {
		f[l4 + 12] = 0x50;
		f[l4 + 13] = 0x12;
	}
	n = l4 + plen;
	return n + ((r >> 5) & 1) * 10; /* sometimes link-layer padding */
}

START_TEST(fast_path_equals_layers)
{
	uint64_t s = 0x2545f4914f6cdd1dULL;
	unsigned ok = 0, i;

	for (i = 0; i < 200000; i++) {
		struct dec_config cfg = {.decap = (xs(&s) & 7) == 0};
		uint8_t f[160], *cut;
		uint64_t r = xs(&s);
		size_t len = build_frame(f, r), caplen, k, nmut;
		struct pkt_meta a = {.ts_ns = 5, .ifindex = 3}, b = a;
		enum dec_status sa, sb;

		/* up to 3 bytes of the headers (first 80) changed */
		nmut = (r >> 8) % 4;
		for (k = 0; k < nmut; k++) {
			uint64_t q = xs(&s);

			f[q % 80] = (uint8_t)(q >> 16);
		}
		caplen =
		    (r >> 12) % 3 == 0 ? (size_t)((r >> 16) % (len + 1)) : len;
		cut = malloc(caplen > 0 ? caplen : 1); /* exact size: ASan */
		ck_assert_ptr_nonnull(cut);
		memcpy(cut, f, caplen);
		sa = dec_packet(&cfg, 1, cut, (uint32_t)caplen, (uint32_t)len,
		                &a);
		sb = dec_packet_layers(&cfg, 1, cut, (uint32_t)caplen,
		                       (uint32_t)len, &b);
		free(cut);
		ck_assert_msg(sa == sb, "frame %u: status %d, layers %d", i,
		              (int)sa, (int)sb);
		if (memcmp(&a, &b, sizeof(a)) != 0)
			ck_abort_msg("frame %u: pkt_meta differs", i);
		ok += sa == DEC_OK && a.has_ports;
	}
	/* most frames are good ones: the path's success is compared too */
	ck_assert_uint_gt(ok, 100000);
}
END_TEST

static Suite *
decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("captures");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, capture_counts, 0,
	                    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, capture_fields);
	tcase_add_test(tc, all_captures);
	tcase_add_test(tc, fast_path_equals_layers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(decode_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
