/*
 * Network layer: IPv4 (RFC 791) and IPv6 (RFC 8200) with its extension
 * headers, fragments and jumbograms (RFC 2675).
 */
#include <string.h>

#include "decode.h"
#include "decode_int.h"

/* Extension header: 0 next header  1 length (8-byte units, not the first) */
#define IP6_EXT_MIN  2
#define IP6_EXT_UNIT 8
/* AH (RFC 4302 2.2): length in 4-byte units, minus 2. */
#define AH_UNIT 4
/*
 * Fragment header (RFC 8200 4.5):
 *   0 next header  1 reserved  2 offset 13, res 2, M 1  4 identification
 */
#define IP6_FRAG_HLEN     8
#define IP6_FRAG_OFF_MASK 0xfff8
#define IP6_FRAG_M        0x0001

/* Jumbo Payload option (RFC 2675 2): type 0xc2, length 4, value 32 bits. */
#define IP6_OPT_PAD1  0x00
#define IP6_OPT_JUMBO 0xc2
#define IP6_JUMBO_LEN 4
#define IP6_JUMBO_MIN 65536u

enum dec_status
dec_ipv4(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m)
{
	const uint8_t *h = c->p;
	size_t hlen, tot_len;
	uint16_t frag;

	if (m->ip_seen == 0)
		m->ip_seen = 4;
	if (!cur_has(c, IP4_MIN_HLEN))
		return dec_drop(m, DEC_DROP_IP4_TRUNC);
	if (h[0] >> 4 != 4)
		return dec_drop(m, DEC_DROP_IP4_VERSION);
	hlen = (size_t)(h[0] & 0x0f) * 4;
	tot_len = ld_be16(h + IP4_OFF_LEN);
	if (hlen < IP4_MIN_HLEN)
		return dec_drop(m, DEC_DROP_IP4_BAD_IHL);
	if (tot_len < hlen)
		return dec_drop(m, DEC_DROP_IP4_BAD_LEN);
	if (!cur_has(c, hlen)) /* the options are covered too */
		return dec_drop(m, DEC_DROP_IP4_TRUNC);
	m->family = 4;
	m->octets = (uint32_t)tot_len; /* from the header, not caplen */
	m->tos = h[IP4_OFF_TOS];
	m->ttl = h[IP4_OFF_TTL];
	m->proto = h[IP4_OFF_PROTO];
	memcpy(m->src, h + IP4_OFF_SRC, 4);
	memcpy(m->dst, h + IP4_OFF_DST, 4);
	frag = ld_be16(h + IP4_OFF_FRAG);
	if (frag & (IP4_FLAG_MF | IP4_FRAG_OFF_MASK)) {
		m->is_frag = 1;
		m->frag_more = (frag & IP4_FLAG_MF) != 0;
		m->frag_off = (uint16_t)((frag & IP4_FRAG_OFF_MASK) * 8u);
		m->frag_first = m->frag_off == 0;
		m->frag_id = ld_be16(h + IP4_OFF_ID);
	}
	(void)cur_skip(c, hlen);
	cur_clip(c, tot_len - hlen); /* never parse link-layer padding */
	if (m->is_frag && !m->frag_first)
		return DEC_OK; /* no transport header in a later fragment */
	return dec_l4(cfg, c, m);
}

/*
 * Hop-by-hop options (RFC 8200 4.2), looking for a Jumbo Payload option.
 * opt/len: the options area, inside a range the caller checked. Sets
 * *jumbo to its value (0 if absent). Returns false for a malformed one.
 * The loop consumes at least one byte per turn within len (≤ 2046).
 */
static bool
ip6_find_jumbo(const uint8_t *opt, size_t len, uint32_t *jumbo)
{
	size_t i = 0;

	*jumbo = 0;
	while (i < len) {
		size_t olen;

		if (opt[i] == IP6_OPT_PAD1) {
			i++;
			continue;
		}
		if (len - i < 2)
			return true; /* ends in the middle of one: ignore */
		olen = opt[i + 1];
		if (len - i - 2 < olen)
			return true;
		if (opt[i] == IP6_OPT_JUMBO) {
			if (olen != IP6_JUMBO_LEN || *jumbo != 0)
				return false;
			*jumbo = ld_be32(opt + i + 2);
			if (*jumbo < IP6_JUMBO_MIN)
				return false;
		}
		i += 2 + olen;
	}
	return true;
}

/*
 * Walk the extension headers from c, starting with next header `next`.
 * Sets m->proto to the upper-layer protocol and the fragment fields.
 * Returns DEC_OK with the cursor on the upper-layer header, or a drop;
 * *stop is set when no transport header should be parsed.
 */
static enum dec_status
ip6_walk(struct pkt_cur *c, struct pkt_meta *m, uint8_t next, bool *stop)
{
	unsigned n;

	*stop = false;
	for (n = 0;; n++) {
		size_t len;
		uint16_t fo;

		m->proto = next;
		switch (next) {
		case IP_PROTO_HOPOPTS:
		case IP_PROTO_ROUTING:
		case IP_PROTO_DSTOPTS:
		case IP_PROTO_MOBILITY:
		case IP_PROTO_AH:
		case IP_PROTO_FRAGMENT:
			break;
		case IP_PROTO_ESP:  /* encrypted from here: no ports */
		case IP_PROTO_NONE: /* nothing follows */
			*stop = true;
			return DEC_OK;
		default:
			return DEC_OK; /* an upper-layer protocol */
		}
		if (n == DEC_MAX_IP6_EXT) {
			*stop = true;
			return dec_drop(m, DEC_DROP_IP6_EXT_TOO_MANY);
		}
		if (!cur_has(c, IP6_EXT_MIN)) {
			*stop = true;
			return dec_drop(m, DEC_DROP_IP6_EXT_TRUNC);
		}
		if (next == IP_PROTO_FRAGMENT)
			len = IP6_FRAG_HLEN;
		else if (next == IP_PROTO_AH)
			len = ((size_t)c->p[1] + 2) * AH_UNIT;
		else
			len = ((size_t)c->p[1] + 1) * IP6_EXT_UNIT;
		if (!cur_has(c, len)) {
			*stop = true;
			return dec_drop(m, DEC_DROP_IP6_EXT_TRUNC);
		}
		if (next == IP_PROTO_FRAGMENT) {
			fo = ld_be16(c->p + 2);
			/* RFC 6946: an atomic fragment (offset 0, M 0) is a
			 * whole packet, not part of a datagram */
			if (fo & (IP6_FRAG_OFF_MASK | IP6_FRAG_M)) {
				m->is_frag = 1;
				m->frag_off =
				    (uint16_t)(fo & IP6_FRAG_OFF_MASK);
				m->frag_more = (fo & IP6_FRAG_M) != 0;
				m->frag_first = m->frag_off == 0;
				m->frag_id = ld_be32(c->p + 4);
			}
		}
		next = c->p[0];
		(void)cur_skip(c, len);
		if (m->is_frag && !m->frag_first) {
			/* later fragment: what follows is not a header */
			m->proto = next;
			*stop = true;
			return DEC_OK;
		}
	}
}

enum dec_status
dec_ipv6(const struct dec_config *cfg, struct pkt_cur *c, struct pkt_meta *m)
{
	const uint8_t *h = c->p;
	uint32_t vtf, plen, jumbo = 0;
	uint8_t next;
	enum dec_status st;
	bool stop;

	if (m->ip_seen == 0)
		m->ip_seen = 6;
	if (!cur_has(c, IP6_HLEN))
		return dec_drop(m, DEC_DROP_IP6_TRUNC);
	vtf = ld_be32(h);
	if (vtf >> 28 != 6)
		return dec_drop(m, DEC_DROP_IP6_VERSION);
	plen = ld_be16(h + IP6_OFF_PLEN);
	next = h[IP6_OFF_NEXT];
	(void)cur_skip(c, IP6_HLEN);
	if (plen == 0 && next == IP_PROTO_HOPOPTS) {
		/* a jumbogram announces itself here (RFC 2675 2) */
		size_t len;

		if (!cur_has(c, IP6_EXT_MIN))
			return dec_drop(m, DEC_DROP_IP6_EXT_TRUNC);
		len = ((size_t)c->p[1] + 1) * IP6_EXT_UNIT;
		if (!cur_has(c, len))
			return dec_drop(m, DEC_DROP_IP6_EXT_TRUNC);
		if (!ip6_find_jumbo(c->p + IP6_EXT_MIN, len - IP6_EXT_MIN,
		                    &jumbo) ||
		    jumbo > UINT32_MAX - IP6_HLEN)
			return dec_drop(m, DEC_DROP_IP6_BAD_JUMBO);
	}
	m->family = 6;
	m->tos = (uint8_t)(vtf >> 20);
	m->flow_label = vtf & IP6_FLOW_MASK;
	m->ttl = h[IP6_OFF_HLIM];
	memcpy(m->src, h + IP6_OFF_SRC, 16);
	memcpy(m->dst, h + IP6_OFF_DST, 16);
	if (jumbo != 0) {
		m->octets = IP6_HLEN + jumbo;
		cur_clip(c, jumbo);
	} else if (plen == 0 && next != IP_PROTO_NONE) {
		/*
		 * Length 0 and no jumbo option: a GSO packet seen before
		 * segmentation (Linux BIG TCP strips the option). The frame
		 * tells the length: what is left captured plus what the
		 * capture cut.
		 */
		uint64_t len = IP6_HLEN + (uint64_t)c->left;

		if (m->wirelen > m->caplen)
			len += m->wirelen - m->caplen;
		m->octets = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	} else {
		m->octets = IP6_HLEN + plen;
		cur_clip(c, plen); /* never parse link-layer padding */
	}
	st = ip6_walk(c, m, next, &stop);
	if (st != DEC_OK || stop)
		return DEC_OK; /* the IP header is good: account it */
	return dec_l4(cfg, c, m);
}
