// SPDX-License-Identifier: MIT
/* lgtrace's messages on stderr. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

void lgt_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("lgtrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
