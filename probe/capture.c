#include "capture.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "decode.h"

void
cap_linktype_name(int linktype, char *buf, size_t len)
{
	const char *name = pcap_datalink_val_to_name(linktype);
	const char *desc = pcap_datalink_val_to_description(linktype);

	if (name != NULL && desc != NULL)
		(void)snprintf(buf, len, "%d (%s, %s)", linktype, name, desc);
	else
		(void)snprintf(buf, len, "%d (unknown)", linktype);
}

static int
set_filter(struct cap_source *src, const struct cap_options *opt, char *err,
           size_t errlen)
{
	struct bpf_program prog;

	if (opt->filter == NULL || opt->filter[0] == '\0')
		return 0;
	if (pcap_compile(src->pcap, &prog, opt->filter, 1,
	                 PCAP_NETMASK_UNKNOWN) != 0) {
		(void)snprintf(err, errlen, "filter \"%s\": %s", opt->filter,
		               pcap_geterr(src->pcap));
		return -1;
	}
	if (pcap_setfilter(src->pcap, &prog) != 0) {
		(void)snprintf(err, errlen, "filter \"%s\": %s", opt->filter,
		               pcap_geterr(src->pcap));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

static int
check_linktype(struct cap_source *src, char *err, size_t errlen)
{
	char lt[128];

	src->linktype = pcap_datalink(src->pcap);
	if (dec_linktype_supported(src->linktype))
		return 0;
	cap_linktype_name(src->linktype, lt, sizeof(lt));
	(void)snprintf(err, errlen, "%s: unsupported link type %s", src->name,
	               lt);
	return -1;
}

/* A kernel filter of one instruction, "ret #0": no packet passes. */
static int
set_reject_all(struct cap_source *src, char *err, size_t errlen)
{
	struct bpf_insn ins = BPF_STMT(BPF_RET | BPF_K, 0);
	struct bpf_program prog = {.bf_len = 1, .bf_insns = &ins};

	if (pcap_setfilter(src->pcap, &prog) != 0) {
		(void)snprintf(err, errlen, "interface %s: cannot hold: %s",
		               src->name, pcap_geterr(src->pcap));
		return -1;
	}
	return 0;
}

int
cap_open_live(struct cap_source *src, const char *ifname,
              const struct cap_options *opt, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	int rc;

	memset(src, 0, sizeof(*src));
	(void)snprintf(src->name, sizeof(src->name), "%s", ifname);
	src->live = true;
	src->pcap = pcap_create(ifname, perr);
	if (src->pcap == NULL) {
		(void)snprintf(err, errlen, "interface %s: %s", ifname, perr);
		return -1;
	}
	(void)pcap_set_snaplen(src->pcap, opt->snaplen);
	(void)pcap_set_promisc(src->pcap, opt->promisc ? 1 : 0);
	(void)pcap_set_timeout(src->pcap, opt->timeout_ms);
	/* batches: the kernel wakes us per filled (or timed-out) block */
	(void)pcap_set_immediate_mode(src->pcap, 0);
	if (opt->buffer_bytes > 0)
		(void)pcap_set_buffer_size(src->pcap, opt->buffer_bytes);
	(void)pcap_set_tstamp_precision(src->pcap, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcap_activate(src->pcap);
	if (rc < 0) {
		(void)snprintf(err, errlen, "interface %s: %s", ifname,
		               rc == PCAP_ERROR_NO_SUCH_DEVICE
		                   ? "no such interface"
		               : rc == PCAP_ERROR_PERM_DENIED
		                   ? "permission denied (run as root or "
		                     "give CAP_NET_RAW)"
		                   : pcap_geterr(src->pcap));
		cap_close(src);
		return -1;
	}
	if (check_linktype(src, err, errlen) != 0 ||
	    (opt->hold ? set_reject_all(src, err, errlen)
	               : set_filter(src, opt, err, errlen)) != 0) {
		cap_close(src);
		return -1;
	}
	return 0;
}

int
cap_fanout_join(struct cap_source *src, int *group_id, char *err, size_t errlen)
{
	int fd = pcap_fileno(src->pcap);
	int arg, got = 0;
	socklen_t len = sizeof(got);

	if (*group_id < 0) {
		/* id 0 + UNIQUEID: the kernel picks an id nobody uses */
		arg = (PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID) << 16;
		if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg,
		               sizeof(arg)) == 0) {
			if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &got,
			               &len) != 0) {
				(void)snprintf(err, errlen,
				               "interface %s: fanout id: %s",
				               src->name, strerror(errno));
				return -1;
			}
			*group_id = got & 0xffff;
			return 0;
		}
		if (errno != EINVAL) {
			(void)snprintf(err, errlen,
			               "interface %s: PACKET_FANOUT: %s",
			               src->name, strerror(errno));
			return -1;
		}
		/* kernel before 4.20: an id of our own */
		*group_id = (int)(getpid() & 0xffff);
	}
	arg = (*group_id & 0xffff) | PACKET_FANOUT_HASH << 16;
	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) != 0) {
		(void)snprintf(err, errlen,
		               "interface %s: PACKET_FANOUT group %d: %s",
		               src->name, *group_id, strerror(errno));
		return -1;
	}
	return 0;
}

int
cap_start(struct cap_source *src, const struct cap_options *opt, char *err,
          size_t errlen)
{
	struct bpf_program prog;
	int rc;

	if (opt->filter != NULL && opt->filter[0] != '\0')
		return set_filter(src, opt, err, errlen);
	/* the empty expression compiles to "accept everything" */
	if (pcap_compile(src->pcap, &prog, "", 1, PCAP_NETMASK_UNKNOWN) != 0) {
		(void)snprintf(err, errlen, "interface %s: cannot start: %s",
		               src->name, pcap_geterr(src->pcap));
		return -1;
	}
	rc = pcap_setfilter(src->pcap, &prog);
	pcap_freecode(&prog);
	if (rc != 0) {
		(void)snprintf(err, errlen, "interface %s: cannot start: %s",
		               src->name, pcap_geterr(src->pcap));
		return -1;
	}
	return 0;
}

void
cap_close(struct cap_source *src)
{
	if (src->pcap != NULL)
		pcap_close(src->pcap);
	src->pcap = NULL;
}
