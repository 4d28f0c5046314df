/*
 * JSON lines flow output: one object per expired flow, keyed by IPFIX
 * information element names (RFC 7012 / IANA), written through jansson.
 * The values are the same accounting the v9 and IPFIX records carry.
 */
#ifndef TAPFLOW_JSON_H
#define TAPFLOW_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "../common/flowrec.h"

struct jsonout;

/* Open path for writing ("-" = standard output); NULL and err on failure. */
struct jsonout *jsonout_open(const char *path, char *err, size_t errlen);

/* Write one flow as a line. Returns 0, or -1 on a write error (counted). */
int jsonout_flow(struct jsonout *jo, const struct flow_record *rec);

/* Flows written and write errors so far. */
unsigned long long jsonout_written(const struct jsonout *jo);
unsigned long long jsonout_errors(const struct jsonout *jo);

/* Flush and close (standard output is flushed, not closed). 0 or -1. */
int jsonout_close(struct jsonout *jo);

/*
 * The same flow as one line of compact JSON text (no newline, no NUL)
 * into buf: byte for byte what json_dumpb(JSON_COMPACT) makes of
 * jsonout_flow_object(). Returns its length, or 0 if it did not fit.
 */
size_t jsonout_flow_text(const struct flow_record *rec, char *buf, size_t cap);

/*
 * Build the JSON object of one flow (the caller json_decref()s it). Used
 * by jsonout_flow and by the control socket's flow dump.
 */
struct json_t;
struct json_t *jsonout_flow_object(const struct flow_record *rec);

#endif
