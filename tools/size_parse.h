/* SPDX-License-Identifier: MIT */
/* Byte sizes on the command line: "512M", "4G", "65536", "1.5G" is not accepted. */
#ifndef LG_SIZE_PARSE_H
#define LG_SIZE_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse a size: decimal digits with an optional binary suffix K, M, G or T
 * (case-insensitive, optionally followed by "iB" or "B").  Returns 0 and
 * stores the byte count, or -1 when the text is not a size or overflows.
 */
int size_parse(const char *s, uint64_t *out);

/* Format bytes as a short human text ("512M", "1.5G", "4096"); returns buf. */
char *size_format(uint64_t bytes, char *buf, size_t len);

#endif
