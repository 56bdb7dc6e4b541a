/* SPDX-License-Identifier: MIT */
/* Helpers shared by the parser fuzz targets (tests/fuzz/fuzz_*.c). */
#ifndef LG_FUZZ_UTIL_H
#define LG_FUZZ_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Report a broken property and abort: libFuzzer saves the input. */
__attribute__((noreturn, format(printf, 1, 2))) static inline void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("CHECK FAILED: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* DATA as a NUL-terminated string (cut at its first NUL); free() it. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Split DATA at NUL bytes into at most MAX - 1 strings after ARGV0, each a
 * copy in BUF (size + 1 bytes), ARGV NULL-terminated.  Returns argc. */
static inline int fuzz_argv(const uint8_t *data, size_t size, const char *argv0, char *buf, char **argv,
			    int max)
{
	int argc = 0;
	size_t start = 0;

	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = (char *)argv0;
	for (size_t i = 0; i <= size && argc < max - 1; i++) {
		if (i == size || buf[i] == '\0') {
			if (i > start || i < size)
				argv[argc++] = buf + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	return argc;
}

#endif
