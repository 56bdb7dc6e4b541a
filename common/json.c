// SPDX-License-Identifier: MIT
/* JSON output of json.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"

int lg_json_dump(const json_t *json, FILE *f)
{
	size_t flags = JSON_ENCODE_ANY | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(LG_JSON_REAL_PRECISION);

	return json_dumpf(json, f, flags) ? -EIO : 0;
}

/* Length of the valid UTF-8 sequence at S, or 0 when there is none. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and code points above U+10FFFF are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

json_t *lg_json_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	json_t *j = json_string(s);
	char *buf, *d;

	if (j)
		return j;
	/* At most 3 bytes (U+FFFD) for each byte of S. */
	buf = malloc(3 * strlen(s) + 1);
	if (!buf)
		return NULL;
	for (d = buf; *p;) {
		size_t n = utf8_len(p);

		if (n) {
			memcpy(d, p, n);
			d += n;
			p += n;
		} else {
			memcpy(d, "\xef\xbf\xbd", 3);
			d += 3;
			p++;
		}
	}
	*d = '\0';
	j = json_string(buf);
	free(buf);
	return j;
}
