/*
 * Fuzz the command line parser. The input is split at NUL and newline
 * bytes into at most FUZZ_MAX_ARGS arguments after "tapflow", each a heap
 * string of exactly its length plus the NUL, and given to cfg_parse() on a
 * fresh struct config; then cfg_free(). The first argument alone also
 * goes through cfg_parse_timeout(). Standard output (--help) is muted
 * with libFuzzer's -close_fd_mask=1.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/config.h"

#define FUZZ_MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * glibc's getopt keeps a pointer into the last argv between calls when a
 * parse stopped inside a cluster of short options ("-Zq"); cfg_parse()
 * resets optind to 1, which does not clear it. main() parses once, so
 * only a harness that parses many argvs must clear it: optind = 0 makes
 * getopt reinitialise.
 */
static void
reset_getopt(void)
{
	char arg0[] = "x";
	char *av[] = {arg0, NULL};

	optind = 0;
	opterr = 0;
	(void)getopt(1, av, "");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	char *argv[FUZZ_MAX_ARGS + 2];
	char arg0[] = "tapflow";
	char err[CFG_ERR_LEN];
	size_t i, start = 0;
	int argc = 1, j;

	if (size > 4096)
		return 0;
	argv[0] = arg0;
	for (i = 0; i <= size && argc <= FUZZ_MAX_ARGS; i++) {
		if (i < size && data[i] != '\0' && data[i] != '\n')
			continue;
		argv[argc] = malloc(i - start + 1);
		if (argv[argc] == NULL)
			break;
		memcpy(argv[argc], data + start, i - start);
		argv[argc][i - start] = '\0';
		argc++;
		start = i + 1;
	}
	argv[argc] = NULL;

	reset_getopt();
	cfg_defaults(&cfg);
	(void)cfg_parse(&cfg, argc, argv, err, sizeof(err));
	cfg_free(&cfg);
	reset_getopt();

	if (argc > 1) {
		cfg_defaults(&cfg);
		(void)cfg_parse_timeout(&cfg, argv[1], err, sizeof(err));
		cfg_free(&cfg);
	}
	for (j = 1; j < argc; j++)
		free(argv[j]);
	return 0;
}

#include "fuzz_main.h"
