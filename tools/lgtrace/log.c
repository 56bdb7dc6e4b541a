// SPDX-License-Identifier: MIT
/* lgtrace's messages on stderr. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

void lgt_vwarn(const char *fmt, va_list ap)
{
	fputs("lgtrace: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void lgt_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lgt_vwarn(fmt, ap);
	va_end(ap);
}
