#include "filter.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"

#define BPF_SET_MAX 16 /* link types in one run; more pass nothing */

struct bpf_entry {
	int linktype;
	bool ok; /* compiled; false: the expression fails for it */
	struct bpf_program prog;
};

struct bpf_set {
	char *expr;
	int n;
	struct bpf_entry e[BPF_SET_MAX];
};

struct bpf_set *
bpf_set_create(const char *expr, char *err, size_t errlen)
{
	struct bpf_set *fs;

	if (expr == NULL || expr[0] == '\0')
		return NULL;
	fs = calloc(1, sizeof(*fs));
	if (fs != NULL)
		fs->expr = strdup(expr);
	if (fs == NULL || fs->expr == NULL) {
		free(fs);
		(void)snprintf(err, errlen, "filter: out of memory");
		return NULL;
	}
	return fs;
}

static struct bpf_entry *
find(struct bpf_set *fs, int linktype)
{
	int i;

	for (i = 0; i < fs->n; i++)
		if (fs->e[i].linktype == linktype)
			return &fs->e[i];
	return NULL;
}

int
bpf_set_prepare(struct bpf_set *fs, int linktype, char *err, size_t errlen)
{
	struct bpf_entry *e;
	pcap_t *dead;

	if (fs == NULL || find(fs, linktype) != NULL)
		return 0;
	if (fs->n == BPF_SET_MAX) {
		(void)snprintf(err, errlen,
		               "filter \"%s\": too many link types in one run",
		               fs->expr);
		return -1;
	}
	e = &fs->e[fs->n++];
	e->linktype = linktype;
	dead = pcap_open_dead(linktype, 262144);
	if (dead == NULL) {
		(void)snprintf(err, errlen, "filter \"%s\": out of memory",
		               fs->expr);
		return -1;
	}
	if (pcap_compile(dead, &e->prog, fs->expr, 1, PCAP_NETMASK_UNKNOWN) !=
	    0) {
		(void)snprintf(err, errlen, "filter \"%s\" (link type %d): %s",
		               fs->expr, linktype, pcap_geterr(dead));
		pcap_close(dead);
		return -1;
	}
	e->ok = true;
	pcap_close(dead);
	return 0;
}

bool
bpf_set_match(struct bpf_set *fs, int linktype, const uint8_t *data,
              uint32_t caplen, uint32_t wirelen)
{
	struct bpf_entry *e;

	if (fs == NULL)
		return true;
	e = find(fs, linktype);
	if (e == NULL) {
		char err[256];

		/* a link type first met mid-file: said once, then counted */
		if (bpf_set_prepare(fs, linktype, err, sizeof(err)) != 0) {
			log_msg(LOG_LVL_WARN, "%s; its packets are skipped",
			        err);
			return false;
		}
		e = find(fs, linktype);
	}
	return e != NULL && e->ok &&
	       bpf_filter(e->prog.bf_insns, data, wirelen, caplen) != 0;
}

void
bpf_set_destroy(struct bpf_set *fs)
{
	int i;

	if (fs == NULL)
		return;
	for (i = 0; i < fs->n; i++)
		if (fs->e[i].ok)
			pcap_freecode(&fs->e[i].prog);
	free(fs->expr);
	free(fs);
}
