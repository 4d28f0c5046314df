/*
 * The corpus replay main() shared by the fuzz harnesses. Built without
 * libFuzzer (no -DFUZZ_LIBFUZZER), each harness becomes a program that
 * feeds every file named on the command line, or every regular file in a
 * named directory, to LLVMFuzzerTestOneInput() once, in a heap buffer of
 * exactly the file's size (so ASan sees a one-byte over-read). make check
 * runs the committed corpora this way; make fuzz links libFuzzer instead.
 * Include it once, after the harness's LLVMFuzzerTestOneInput(). A harness
 * may define FUZZ_EXTRA_MAIN(argc, argv) first: main() calls it and
 * returns its value unless it is -1.
 */
#ifndef TAPFLOW_FUZZ_MAIN_H
#define TAPFLOW_FUZZ_MAIN_H

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef FUZZ_LIBFUZZER

/* Run one file; 0, or -1 if it could not be read. */
static int
fuzz_run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;
	size_t got;

	if (f == NULL) {
		(void)fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		(void)fprintf(stderr, "%s: cannot size\n", path);
		(void)fclose(f);
		return -1;
	}
	/* malloc(0) may return NULL: keep one byte but pass size 0 */
	buf = malloc(len > 0 ? (size_t)len : 1);
	if (buf == NULL) {
		(void)fclose(f);
		return -1;
	}
	got = fread(buf, 1, (size_t)len, f);
	(void)fclose(f);
	if (got != (size_t)len) {
		(void)fprintf(stderr, "%s: short read\n", path);
		free(buf);
		return -1;
	}
	(void)LLVMFuzzerTestOneInput(buf, got);
	free(buf);
	return 0;
}

static int
fuzz_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of a directory, in name order; returns the count. */
static long
fuzz_run_dir(const char *dir, int *errors)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, i;
	long runs = 0;
	struct stat sb;

	if (d == NULL) {
		(void)fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		(*errors)++;
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn;

			cap = cap ? cap * 2 : 64;
			nn = realloc(names, cap * sizeof(*names));
			if (nn == NULL)
				break;
			names = nn;
		}
		names[n] = strdup(e->d_name);
		if (names[n] != NULL)
			n++;
	}
	(void)closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), fuzz_name_cmp);
	for (i = 0; i < n; i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			if (fuzz_run_file(path) == 0)
				runs++;
			else
				(*errors)++;
		}
		free(names[i]);
	}
	free(names);
	return runs;
}

int
main(int argc, char **argv)
{
	struct stat sb;
	long runs = 0;
	int i, errors = 0;

#ifdef FUZZ_EXTRA_MAIN
	/* a harness's own modes (fuzz_decode --split); -1: not handled */
	i = FUZZ_EXTRA_MAIN(argc, argv);
	if (i >= 0)
		return i;
#endif
	if (argc < 2) {
		(void)fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n",
		              argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			runs += fuzz_run_dir(argv[i], &errors);
		} else if (fuzz_run_file(argv[i]) == 0) {
			runs++;
		} else {
			errors++;
		}
	}
	(void)printf("%s: %ld inputs replayed, %d unreadable\n", argv[0], runs,
	             errors);
	return errors == 0 ? 0 : 1;
}

#endif /* !FUZZ_LIBFUZZER */
#endif
