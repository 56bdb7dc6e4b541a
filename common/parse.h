/* SPDX-License-Identifier: MIT */
/*
 * Command-line values: byte sizes ("512M"), unsigned integers in a range,
 * seconds, and membership in a separated list.  Pure functions of their
 * arguments: thread-safe, no allocation, nothing printed.
 */
#ifndef LG_COMMON_PARSE_H
#define LG_COMMON_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIZE_FORMAT_LEN 32 /* enough for any size_format() text */

/*
 * Parse a byte size: decimal digits with an optional binary suffix K, M, G
 * or T (powers of 1024, case-insensitive, optionally followed by "B" or
 * "iB": "4G", "4g", "4GiB").  "1.5G", "-1" and "" are not sizes.  Returns 0
 * and stores the byte count in *OUT, -EINVAL when S is not a size, -ERANGE
 * when it does not fit in 64 bits.
 */
int size_parse(const char *s, uint64_t *out);

/* How size_format() writes a size. */
enum size_style {
	SIZE_SHORT, /* lgrun: "512M", "1.5G", "100" (what size_parse() reads) */
	SIZE_IEC,   /* lgbench: "512 MiB", "1.5 GiB", "100 B" */
};

/*
 * Format BYTES in the largest unit it reaches (at most T): whole when it is
 * a whole number of that unit, else with one decimal ("1.5G", "4.0G" for a
 * little more than 4 GiB).  The one size format of the tools and lgbench,
 * in STYLE.  Returns BUF (SIZE_FORMAT_LEN bytes are enough).
 */
char *size_format(uint64_t bytes, enum size_style style, char *buf, size_t len);

/*
 * Parse an unsigned decimal integer (digits only, no sign, no blanks) in
 * [MIN, MAX].  Returns 0 and stores it in *OUT, -EINVAL when S is not a
 * number, -ERANGE when it is outside the range.
 */
int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/*
 * Parse a positive number of seconds (strtod syntax: "2", "0.5", "1e-3") no
 * greater than MAX.  Returns 0 and stores it in *OUT, -EINVAL when S is not
 * a number or is not above 0, -ERANGE when it is above MAX.
 */
int parse_seconds(const char *s, double max, double *out);

/*
 * Whether the SEP-separated LIST holds WORD as a whole item ("rw,memory"
 * holds "memory", not "mem").  A trailing newline of LIST is ignored; an
 * empty WORD is never held.  LIST may be NULL (holds nothing).
 */
bool list_has(const char *list, char sep, const char *word);

#endif
