/*
 * Fuzz the control socket's request parser, ctl_parse_request(): any bytes,
 * not NUL-terminated (the input is an exactly sized heap buffer). An
 * accepted request must name a command in range whose name, parsed again,
 * gives the same command (the parser and the name table agree).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../probe/control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum ctl_cmd cmd, again;
	const char *name;

	if (ctl_parse_request((const char *)data, size, &cmd) != 0)
		return 0;
	if ((unsigned)cmd >= CTL_COUNT) {
		(void)fprintf(stderr, "fuzz: command %d out of range\n",
		              (int)cmd);
		abort();
	}
	name = ctl_cmd_name(cmd);
	if (ctl_parse_request(name, strlen(name), &again) != 0 ||
	    again != cmd) {
		(void)fprintf(stderr, "fuzz: %s does not parse back\n", name);
		abort();
	}
	if (size > CTL_MAX_REQUEST) {
		(void)fprintf(stderr, "fuzz: %zu-byte request accepted\n",
		              size);
		abort();
	}
	return 0;
}

#include "fuzz_main.h"
