/* PEM blocks (RFC 7468, with RFC 1421 headers) as users paste them: bounded, line-numbered. */
#include <string.h>

#include <mbedtls/base64.h>

#include "mxtls_error.h"
#include "mxtls_util.h"
#include "read_int.h"

/* One line of [p, end): its trimmed bounds, and where the next one starts. */
struct line {
	const uint8_t *s, *e, *next;
};

static void get_line(const uint8_t *p, const uint8_t *end, struct line *l)
{
	const uint8_t *q = p;

	while (q < end && *q != '\n' && *q != '\r')
		q++;
	l->next = q;
	if (l->next < end && *l->next == '\r')
		l->next++;
	if (l->next < end && *l->next == '\n')
		l->next++;
	l->s = p;
	l->e = q;
	while (l->s < l->e && (*l->s == ' ' || *l->s == '\t'))
		l->s++;
	while (l->e > l->s && (l->e[-1] == ' ' || l->e[-1] == '\t'))
		l->e--;
}

static int starts(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(l->e - l->s) >= n && memcmp(l->s, prefix, n) == 0;
}

/* "-----BEGIN X-----" / "-----END X-----": the label X into buf; 1 if so, 0 if not, -1 malformed. */
static int marker(const struct line *l, const char *kind, char *buf, size_t size)
{
	size_t n = strlen(kind), lablen;
	const uint8_t *lab;

	if (!starts(l, kind))
		return 0;
	lab = l->s + n;
	if (l->e - lab < 5 || memcmp(l->e - 5, "-----", 5) != 0)
		return -1;
	lablen = (size_t)(l->e - 5 - lab);
	if (lablen >= size)
		return -1;
	memcpy(buf, lab, lablen);
	buf[lablen] = '\0';
	return 1;
}

int mx_pem_looks_like(const uint8_t *text, size_t len)
{
	static const char begin[] = "-----BEGIN ";
	size_t i;

	if (text == NULL || len < sizeof(begin) - 1)
		return 0;
	for (i = 0; i + sizeof(begin) - 1 <= len; i++)
		if (text[i] == '-' && memcmp(text + i, begin, sizeof(begin) - 1) == 0)
			return 1;
	return 0;
}

static int is_b64(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=';
}

/* Read one block whose BEGIN line was l (label in b->label); *pp moves past its END line. */
static int read_block(const uint8_t **pp, const uint8_t *end, size_t *lineno, struct mx_pem_block *b,
		      uint8_t *b64, mx_pem_block_cb cb, void *arg, mxtls_error *err)
{
	const uint8_t *p = *pp;
	struct line l;
	char endlab[MX_PEM_LABEL_MAX];
	size_t nb = 0, olen = 0, start = b->line;
	int in_headers = 1, m, ret;
	uint8_t *der;

	for (;;) {
		if (p >= end)
			return mx_err(err, MXTLS_ERR_CORRUPT,
				      "line %zu: \"BEGIN %s\" without its END line (truncated?)", start,
				      b->label);
		get_line(p, end, &l);
		p = l.next;
		(*lineno)++;
		m = marker(&l, "-----END ", endlab, sizeof(endlab));
		if (m < 0)
			return mx_err(err, MXTLS_ERR_CORRUPT, "line %zu: malformed END line", *lineno);
		if (m > 0) {
			if (strcmp(endlab, b->label) != 0)
				return mx_err(err, MXTLS_ERR_CORRUPT,
					      "line %zu: \"END %s\" closes \"BEGIN %s\" of line %zu",
					      *lineno, endlab, b->label, start);
			break;
		}
		if (starts(&l, "-----BEGIN "))
			return mx_err(err, MXTLS_ERR_CORRUPT,
				      "line %zu: \"BEGIN %s\" without its END line (truncated?)", start,
				      b->label);
		if (l.s == l.e) {
			in_headers = 0;
			continue;
		}
		if (in_headers && nb == 0 && memchr(l.s, ':', (size_t)(l.e - l.s)) != NULL) {
			if (starts(&l, "Proc-Type:")) {
				const uint8_t *v = l.s + 10;
				while (v < l.e && (*v == ' ' || *v == '\t'))
					v++;
				if (l.e - v == 11 && memcmp(v, "4,ENCRYPTED", 11) == 0)
					b->proc_encrypted = 1;
			} else if (starts(&l, "DEK-Info:")) {
				const uint8_t *v = l.s + 9;
				while (v < l.e && (*v == ' ' || *v == '\t'))
					v++;
				if ((size_t)(l.e - v) >= sizeof(b->dek_info))
					return mx_err(err, MXTLS_ERR_CORRUPT,
						      "line %zu: DEK-Info header too long", *lineno);
				memcpy(b->dek_info, v, (size_t)(l.e - v));
				b->dek_info[l.e - v] = '\0';
			}
			continue; /* other headers (Comment:, ...) are ignored */
		}
		in_headers = 0;
		for (const uint8_t *q = l.s; q < l.e; q++) {
			if (*q == ' ' || *q == '\t')
				continue;
			if (!is_b64(*q))
				return mx_err(err, MXTLS_ERR_CORRUPT,
					      "line %zu: invalid base64 in \"%s\" block of line %zu",
					      *lineno, b->label, start);
			b64[nb++] = *q; /* nb < total input length: b64 is that big */
		}
	}
	*pp = p;
	if (nb == 0)
		return mx_err(err, MXTLS_ERR_CORRUPT, "line %zu: empty \"%s\" block", start, b->label);
	der = malloc(nb);
	if (der == NULL)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	ret = mbedtls_base64_decode(der, nb, &olen, b64, nb);
	mx_wipe(b64, nb);
	if (ret != 0 || olen == 0) {
		mx_freezero(der, nb);
		return mx_err(err, MXTLS_ERR_CORRUPT, "line %zu: invalid base64 in \"%s\" block", start,
			      b->label);
	}
	b->der = der;
	b->der_len = olen;
	ret = cb(arg, b);
	mx_freezero(der, nb);
	b->der = NULL;
	return ret < 0 ? ret : 0;
}

int mx_pem_blocks(const uint8_t *text, size_t len, mx_pem_block_cb cb, void *arg, size_t *nblocks,
		  mxtls_error *err)
{
	const uint8_t *p = text, *end = text + len;
	struct mx_pem_block b;
	struct line l;
	size_t lineno = 0, n = 0;
	uint8_t *b64;
	int m, ret = 0;

	if (nblocks)
		*nblocks = 0;
	if (cb == NULL || (text == NULL && len > 0))
		return mx_err(err, MXTLS_ERR_USAGE, "no text or callback");
	if (len > MX_READ_MAX_INPUT)
		return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED, "input of %zu bytes exceeds %zu", len,
			      MX_READ_MAX_INPUT);
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	b64 = malloc(len + 1); /* a block's base64 is never longer than the input */
	if (b64 == NULL)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	while (p < end) {
		get_line(p, end, &l);
		p = l.next;
		lineno++;
		memset(&b, 0, sizeof(b));
		m = marker(&l, "-----BEGIN ", b.label, sizeof(b.label));
		if (m == 0)
			continue;
		if (m < 0) {
			ret = mx_err(err, MXTLS_ERR_CORRUPT, "line %zu: malformed BEGIN line", lineno);
			break;
		}
		b.line = lineno;
		ret = read_block(&p, end, &lineno, &b, b64, cb, arg, err);
		if (ret < 0)
			break;
		n++;
	}
	mx_freezero(b64, len + 1);
	if (nblocks)
		*nblocks = n;
	return ret;
}
