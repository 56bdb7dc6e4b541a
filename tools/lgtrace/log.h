/* SPDX-License-Identifier: MIT */
/* lgtrace's messages on stderr, "lgtrace: ..." */
#ifndef LGTRACE_LOG_H
#define LGTRACE_LOG_H

#include <stdarg.h>

__attribute__((format(printf, 1, 2))) void lgt_warn(const char *fmt, ...);
/* The same with the arguments in AP (for functions that take their own "..."). */
__attribute__((format(printf, 1, 0))) void lgt_vwarn(const char *fmt, va_list ap);

#endif /* LGTRACE_LOG_H */
