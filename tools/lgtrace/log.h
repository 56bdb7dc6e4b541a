/* SPDX-License-Identifier: MIT */
/* lgtrace's messages on stderr, "lgtrace: ..." */
#ifndef LGTRACE_LOG_H
#define LGTRACE_LOG_H

__attribute__((format(printf, 1, 2))) void lgt_warn(const char *fmt, ...);

#endif /* LGTRACE_LOG_H */
