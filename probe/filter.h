/*
 * BPF filters for capture files: one expression compiled once per link
 * type met (pcapng files mix them), run with libpcap's bpf_filter().
 */
#ifndef TAPFLOW_FILTER_H
#define TAPFLOW_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpf_set;

/* NULL (and no error) when expr is NULL or empty: everything matches. */
struct bpf_set *bpf_set_create(const char *expr, char *err, size_t errlen);

/*
 * Compile for a link type unless done; 0, or -1 with a message naming the
 * expression and the link type.
 */
int bpf_set_prepare(struct bpf_set *fs, int linktype, char *err, size_t errlen);

/*
 * Does the packet pass? A link type the expression does not compile for
 * passes nothing (bpf_set_prepare() said why, once).
 */
bool bpf_set_match(struct bpf_set *fs, int linktype, const uint8_t *data,
                   uint32_t caplen, uint32_t wirelen);

void bpf_set_destroy(struct bpf_set *fs);

#endif
