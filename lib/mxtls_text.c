/* User-facing text: valid UTF-8, no control characters (see mxtls_text.h). */
#include <stdio.h>
#include <string.h>

#include "mxtls_text.h"

size_t mx_utf8_char(const unsigned char *s, size_t n)
{
	unsigned int c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF. */
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

/* A control character: C0, DEL, or C1 (U+0080..U+009F, two bytes C2 80..C2 9F). */
static int is_control(const unsigned char *s, size_t len)
{
	return (len == 1 && (s[0] < 0x20 || s[0] == 0x7f)) || (len == 2 && s[0] == 0xc2 && s[1] < 0xa0);
}

int mx_text_is_clean(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;

	while (n > 0) {
		len = mx_utf8_char(p, n);
		if (len == 0 || is_control(p, len))
			return 0;
		p += len;
		n -= len;
	}
	return 1;
}

size_t mx_utf8_cut(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), at = 0, len;

	while (at < n) {
		len = mx_utf8_char(p + at, n - at);
		if (len == 0)
			len = 1; /* an invalid byte is one unit */
		if (at + len > max)
			break;
		at += len;
	}
	return at;
}

/*
 * One pass of mx_text_clean: the clean text of p[0..n) into out, as much as
 * fits in limit bytes, whole characters and escapes only. Returns the bytes
 * written; *stopped tells whether something was left out.
 */
static size_t clean_pass(const unsigned char *p, size_t n, int truncated, char *out, size_t limit,
			 int *stopped)
{
	size_t at = 0, o = 0, len, need, k;
	int escape;

	*stopped = 0;
	while (at < n) {
		len = mx_utf8_char(p + at, n - at);
		/* The formatter cut this character in half: drop the rest of it. */
		if (len == 0 && truncated && n - at < 4 && p[at] >= 0xc2 && p[at] <= 0xf4)
			break;
		escape = len == 0 || is_control(p + at, len);
		if (len == 0)
			len = 1; /* an invalid byte is escaped alone */
		need = escape ? 4 * len : len;
		if (o + need > limit) {
			*stopped = 1;
			break;
		}
		if (escape)
			for (k = 0; k < len; k++)
				snprintf(out + o + 4 * k, 5, "\\x%02x", p[at + k]);
		else
			memcpy(out + o, p + at, len);
		o += need;
		at += len;
	}
	return o;
}

void mx_text_clean(char *buf, size_t size, int truncated)
{
	char out[1024];
	const unsigned char *p = (const unsigned char *)buf;
	size_t n = strlen(buf), o;
	int stopped;

	if (size < 5)
		return;
	if (size > sizeof(out))
		size = sizeof(out);
	o = clean_pass(p, n, truncated, out, size - 1, &stopped);
	if (stopped || truncated) {
		/* Cut: again with room for the "..." mark. */
		o = clean_pass(p, n, truncated, out, size - 4, &stopped);
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	memcpy(buf, out, o + 1);
}
