/* SPDX-License-Identifier: MIT */
/*
 * JSON output through jansson, the same way for every program (lgbench,
 * lgtrace): keys in the order they were set, reals with
 * LG_JSON_REAL_PRECISION significant digits, text that is not UTF-8 made
 * valid.  Thread-safe as far as jansson and the FILE are.
 */
#ifndef LG_COMMON_JSON_H
#define LG_COMMON_JSON_H

#include <stdio.h>

#include <jansson.h>

/*
 * %.10g: every figure the programs write as a real (ops/s to 0.1 below
 * 1e9, seconds to the microsecond below 1e4, fractions to 9 digits) keeps
 * its digits, without the binary noise of jansson's default 17 ("0.1" not
 * "0.10000000000000001").
 */
#define LG_JSON_REAL_PRECISION 10

/*
 * Write JSON (any value, a number or a string too) to F on one line, ", "
 * and ": " between items, no newline after it: a record of lgbench's
 * streamed array, a line of lgtrace's document.  Returns 0, or -EIO when
 * writing fails.
 */
int lg_json_dump(const json_t *json, FILE *f);

/*
 * A JSON string of S.  json_string() refuses text that is not UTF-8 (a file
 * name, a kernel string); here each byte that is not part of valid UTF-8
 * becomes U+FFFD.  NULL only when out of memory.
 */
json_t *lg_json_string(const char *s);

#endif
