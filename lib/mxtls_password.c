/* Password encodings for the PKCS#12 KDF and PBKDF2 (see mxtls_password.h). */
#include <stdlib.h>
#include <string.h>

#include "mxtls/mxtls.h"
#include "mxtls_password.h"
#include "mxtls_util.h"

/* Decode one UTF-8 sequence at s[*i]; returns the code point or -1 if invalid. */
static long utf8_next(const uint8_t *s, size_t len, size_t *i)
{
	uint8_t c = s[*i];
	size_t n, k;
	long cp, min;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 1, cp = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 2, cp = c & 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 3, cp = c & 0x07, min = 0x10000;
	} else {
		return -1;
	}
	if (n > len - *i - 1)
		return -1;
	for (k = 1; k <= n; k++) {
		if ((s[*i + k] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[*i + k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*i += n + 1;
	return cp;
}

static int alloc_bytes(struct mx_bytes *b, size_t len)
{
	b->p = malloc(len ? len : 1);
	if (b->p == NULL)
		return -2;
	b->len = len;
	b->valid = 1;
	return 0;
}

/* UTF-16BE with surrogate pairs, as OpenSSL's OPENSSL_utf82uni; invalid UTF-8 is widened byte by byte. */
static int make_bmp(struct mx_password *pw)
{
	const uint8_t *s = pw->utf8.p;
	size_t len = pw->utf8.len, i = 0, units = 0, o = 0;
	int valid_utf8 = 1;
	long cp;

	while (i < len) {
		cp = utf8_next(s, len, &i);
		if (cp < 0) {
			valid_utf8 = 0;
			break;
		}
		units += cp > 0xffff ? 2 : 1;
	}
	if (!valid_utf8)
		units = len;
	if (alloc_bytes(&pw->bmp, units * 2 + 2) != 0)
		return -2;
	for (i = 0; i < len;) {
		if (!valid_utf8) {
			cp = s[i++];
		} else {
			cp = utf8_next(s, len, &i);
		}
		if (cp > 0xffff) {
			long v = cp - 0x10000;
			long hi = 0xd800 | (v >> 10), lo = 0xdc00 | (v & 0x3ff);
			pw->bmp.p[o++] = (uint8_t)(hi >> 8);
			pw->bmp.p[o++] = (uint8_t)hi;
			cp = lo;
		}
		pw->bmp.p[o++] = (uint8_t)(cp >> 8);
		pw->bmp.p[o++] = (uint8_t)cp;
	}
	pw->bmp.p[o++] = 0;
	pw->bmp.p[o++] = 0;
	return 0;
}

/* ISO-8859-1 form, only when it differs from UTF-8 and can represent the password. */
static int make_latin1(struct mx_password *pw)
{
	const uint8_t *s = pw->utf8.p;
	size_t len = pw->utf8.len, i = 0, o = 0;
	int high = 0;
	long cp;

	while (i < len) {
		cp = utf8_next(s, len, &i);
		if (cp < 0 || cp > 0xff)
			return 0;
		high |= cp > 0x7f;
	}
	if (!high)
		return 0;
	if (alloc_bytes(&pw->latin1, len) != 0)
		return -2;
	for (i = 0; i < len;)
		pw->latin1.p[o++] = (uint8_t)utf8_next(s, len, &i);
	pw->latin1.len = o;
	return 0;
}

int mx_password_init(struct mx_password *pw, const char *password)
{
	size_t len;

	memset(pw, 0, sizeof(*pw));
	pw->absent = password == NULL;
	len = password ? strlen(password) : 0;
	pw->empty = len == 0;
	if (len > MXTLS_MAX_PASSWORD_BYTES)
		return -1;
	if (alloc_bytes(&pw->utf8, len) != 0)
		return -2;
	if (len)
		memcpy(pw->utf8.p, password, len);
	if (make_bmp(pw) != 0 || make_latin1(pw) != 0) {
		mx_password_free(pw);
		return -2;
	}
	return 0;
}

static void free_bytes(struct mx_bytes *b)
{
	mx_freezero(b->p, b->len);
	memset(b, 0, sizeof(*b));
}

void mx_password_free(struct mx_password *pw)
{
	free_bytes(&pw->utf8);
	free_bytes(&pw->bmp);
	free_bytes(&pw->latin1);
}

char *mx_bmp_to_utf8(const uint8_t *bmp, size_t len)
{
	size_t i, o = 0;
	char *out;

	if (len % 2 != 0)
		return NULL;
	out = malloc(len / 2 * 3 + 1); /* a UTF-16 unit makes at most 3 UTF-8 bytes */
	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i += 2) {
		unsigned long cp = (unsigned long)bmp[i] << 8 | bmp[i + 1];
		if (cp >= 0xd800 && cp <= 0xdbff && i + 3 < len) {
			unsigned long lo = (unsigned long)bmp[i + 2] << 8 | bmp[i + 3];
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			}
		}
		if (cp == 0 && i + 2 == len)
			break; /* some exporters include the terminator */
		if (cp >= 0xd800 && cp <= 0xdfff)
			cp = 0xfffd; /* lone surrogate */
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xc0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out[o++] = (char)(0xe0 | (cp >> 12));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | (cp >> 18));
			out[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	out[o] = '\0';
	return out;
}
