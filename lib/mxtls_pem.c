/*
 * PEM text: the one block scanner (mx_pem_scan), and the trust-bundle reader built on it that
 * finds the certificates in PEM, base64 of PEM, DER or base64 of DER.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>

#include "mxtls_asn1.h"
#include "mxtls_error.h"
#include "mxtls_pem.h"
#include "mxtls_util.h"

#define BEGIN "-----BEGIN "
#define END "-----END "
#define DECODED_WHERE " (in the base64-decoded text)"

/* ---- the scanner ---- */

/* A cursor over lines; a plain value, so a caller can save it and step back a line. */
struct line {
	const uint8_t *p, *end; /* the line, without its line end and the blanks around it */
	const uint8_t *next, *text_end;
	size_t no; /* 1-based; 0 before the first line */
};

/* One mx_pem_scan call. */
struct reader {
	struct mx_pem_scan *s;
	struct line l;
	uint8_t *b64; /* a block's base64 characters: never more than the text */
	uint8_t *der; /* the block decoded */
	size_t der_size;
};

enum boundary { NOT_BOUNDARY, BOUNDARY, MALFORMED };

static int is_blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

static int is_b64(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=';
}

/* LF, CRLF and a lone CR end a line; so does CR CR LF (a CRLF file converted once more). */
static int next_line(struct line *l)
{
	const uint8_t *q = l->next, *r;

	if (q >= l->text_end)
		return 0;
	for (l->p = q; q < l->text_end && *q != '\n' && *q != '\r'; q++)
		;
	for (r = q; r < l->text_end && *r == '\r'; r++)
		;
	l->next = r < l->text_end && *r == '\n' ? r + 1 : q + (q < l->text_end);
	for (l->end = q; l->end > l->p && is_blank(l->end[-1]); l->end--)
		;
	while (l->p < l->end && is_blank(l->p[0]))
		l->p++;
	l->no++;
	return 1;
}

static int starts(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(l->end - l->p) >= n && memcmp(l->p, prefix, n) == 0;
}

/*
 * Is the line kw (BEGIN or END) "label-----"? The label runs up to the first "-----"; an empty
 * one, a missing "-----" or anything after it is MALFORMED: such a line must not silently
 * hide a block.
 */
static enum boundary boundary(const struct line *l, const char *kw, const uint8_t **label,
                              size_t *len)
{
	const uint8_t *q;

	if (!starts(l, kw))
		return NOT_BOUNDARY;
	*label = l->p + strlen(kw);
	for (q = *label; l->end - q >= 5 && memcmp(q, "-----", 5) != 0; q++)
		;
	*len = (size_t)(q - *label);
	return l->end - q == 5 && *len > 0 ? BOUNDARY : MALFORMED;
}

static int equals(const uint8_t *label, size_t len, const char *s)
{
	return len == strlen(s) && memcmp(label, s, len) == 0;
}

static int fault(struct mx_pem_scan *s, enum mx_pem_fault f, size_t at)
{
	s->at = at;
	return (int)f;
}

/* Wanted BEGIN lines, counted first: a hostile text costs no decoding. */
static size_t count_wanted(const struct mx_pem_scan *s, struct line l)
{
	const uint8_t *label;
	size_t len, n = 0;

	while (next_line(&l))
		if (boundary(&l, BEGIN, &label, &len) == BOUNDARY && s->want(label, len))
			n++;
	return n;
}

/* Skip a block nobody wants: up to its END line, or to the next BEGIN line (left for later). */
static void skip_block(struct line *l)
{
	struct line save = *l;

	while (next_line(l) && !starts(l, END)) {
		if (starts(l, BEGIN)) {
			*l = save;
			return;
		}
		save = *l;
	}
}

/* An RFC 1421 header, value at v: Proc-Type and DEK-Info matter (legacy encrypted keys). */
static int read_header(struct mx_pem_block *b, const struct line *l, const uint8_t *v)
{
	size_t n;

	while (v < l->end && is_blank(*v))
		v++;
	n = (size_t)(l->end - v);
	if (starts(l, "Proc-Type:") && equals(v, n, "4,ENCRYPTED"))
		b->proc_encrypted = 1;
	if (!starts(l, "DEK-Info:"))
		return 0; /* Comment:, ... */
	if (n >= sizeof(b->dek_info))
		return MX_PEM_LONG_HEADER;
	memcpy(b->dek_info, v, n);
	b->dek_info[n] = '\0';
	return 0;
}

/* The base64 of the block whose BEGIN line was just read, up to its END line, into r->b64. */
static int read_body(struct reader *r, size_t *nb)
{
	struct mx_pem_scan *s = r->s;
	struct line *l = &r->l;
	const uint8_t *p, *colon;
	int in_headers = 1, ret;

	for (;;) {
		if (!next_line(l) || starts(l, BEGIN))
			return fault(s, MX_PEM_NO_END, s->block.line);
		ret = boundary(l, END, &s->end_label, &s->end_label_len);
		if (ret == MALFORMED)
			return fault(s, MX_PEM_BAD_END, l->no);
		if (ret == BOUNDARY && !equals(s->end_label, s->end_label_len, s->block.label))
			return fault(s, MX_PEM_END_MISMATCH, l->no);
		if (ret == BOUNDARY)
			return 0;
		colon = memchr(l->p, ':', (size_t)(l->end - l->p));
		if (in_headers && *nb == 0 && colon != NULL) {
			if ((ret = read_header(&s->block, l, colon + 1)) != 0)
				return fault(s, ret, l->no);
			continue;
		}
		in_headers = 0; /* a blank line ends the headers, as base64 does */
		for (p = l->p; p < l->end; p++) {
			if (is_b64(*p)) {
				r->b64[(*nb)++] = *p; /* *nb < the text's length, b64's size */
			} else if (!is_blank(*p)) {
				s->byte = *p;
				return fault(s, MX_PEM_BAD_BYTE, l->no);
			}
		}
	}
}

/* Read the block whose BEGIN line was just read, decode it and hand it over. */
static int read_block(struct reader *r)
{
	struct mx_pem_scan *s = r->s;
	size_t nb = 0, len = 0;
	int ret = read_body(r, &nb);

	/* mbedTLS checks the padding and the length; every blank is already gone. */
	if (ret == 0 && nb == 0)
		ret = fault(s, MX_PEM_EMPTY, s->block.line);
	else if (ret == 0 && mbedtls_base64_decode(r->der, r->der_size, &len, r->b64, nb) != 0)
		ret = fault(s, MX_PEM_BAD_BASE64, s->block.line);
	mx_wipe(r->b64, nb); /* a private key's, perhaps */
	if (ret != 0)
		return ret;
	s->block.der = r->der;
	s->block.der_len = len;
	ret = s->cb(s->arg, &s->block);
	mx_wipe(r->der, len);
	s->block.der = NULL;
	if (ret < 0)
		return ret;
	s->nblocks++;
	return 0;
}

/* A BEGIN line: read its block, or skip it. */
static int on_begin(struct reader *r, const uint8_t *label, size_t len)
{
	struct mx_pem_scan *s = r->s;

	memset(&s->block, 0, sizeof(s->block));
	if (s->want != NULL && !s->want(label, len)) {
		s->nskipped++;
		skip_block(&r->l);
		return 0;
	}
	if (len >= sizeof(s->block.label))
		return fault(s, MX_PEM_BAD_BEGIN, r->l.no);
	memcpy(s->block.label, label, len);
	s->block.line = r->l.no;
	return read_block(r);
}

int mx_pem_scan(struct mx_pem_scan *s, const uint8_t *text, size_t len)
{
	struct reader r = {.s = s, .der_size = len / 4 * 3 + 3};
	const uint8_t *label;
	size_t label_len;
	int ret = 0;

	if (len == 0)
		return 0;
	r.l.next = text;
	r.l.text_end = text + len;
	/* Windows editors save UTF-8 with a BOM, which would hide the first BEGIN line. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		r.l.next += 3;
	if (s->want != NULL && s->max > 0 && count_wanted(s, r.l) > s->max)
		return fault(s, MX_PEM_TOO_MANY, 0);
	/* A block's base64 is shorter than the text, and decodes to 3/4 of its length. */
	r.b64 = malloc(len);
	r.der = malloc(r.der_size);
	if (r.b64 == NULL || r.der == NULL)
		ret = fault(s, MX_PEM_NOMEM, 0);
	while (ret == 0 && next_line(&r.l)) {
		switch (boundary(&r.l, BEGIN, &label, &label_len)) {
		case NOT_BOUNDARY:
			break; /* text around blocks: comments, openssl -text output */
		case MALFORMED:
			ret = fault(s, MX_PEM_BAD_BEGIN, r.l.no);
			break;
		case BOUNDARY:
			ret = on_begin(&r, label, label_len);
			break;
		}
	}
	mx_freezero(r.b64, len);
	mx_freezero(r.der, r.der_size);
	return ret;
}

int mx_pem_looks_like(const uint8_t *text, size_t len)
{
	size_t i, n = strlen(BEGIN);

	for (i = 0; text != NULL && i + n <= len; i++)
		if (text[i] == '-' && memcmp(text + i, BEGIN, n) == 0)
			return 1;
	return 0;
}

/* ---- the trust-bundle reader ---- */

/* One mx_pem_each_cert call. */
struct certs {
	mx_pem_cert_cb cb;
	void *arg;
	mxtls_error *err;
	const char *where; /* "" or DECODED_WHERE, after the line number in messages */
};

static int is_cert_label(const uint8_t *label, size_t len)
{
	return equals(label, len, "CERTIFICATE") || equals(label, len, "TRUSTED CERTIFICATE") ||
	       equals(label, len, "X509 CERTIFICATE");
}

/* Length of the complete, definite-length SEQUENCE that starts at p, or 0 if there is none. */
static size_t der_sequence(const uint8_t *p, size_t len)
{
	struct mx_asn1 c;
	struct mx_tlv t;

	if (len < 2) /* also keeps NULL + 0 away from the reader */
		return 0;
	mx_asn1_init(&c, p, len);
	if (mx_asn1_expect(&c, MX_TAG_SEQUENCE, &t) != MX_ASN1_OK)
		return 0;
	if (t.raw[1] == 0x80) /* indefinite length is BER: never a certificate */
		return 0;
	return t.raw_len;
}

/*
 * Length of the certificate in a decoded block, or 0 if the block is not one complete
 * SEQUENCE. OpenSSL's TRUSTED CERTIFICATE appends its trust settings (X509_CERT_AUX, one
 * SEQUENCE) after the certificate; we take the certificate and ignore them.
 */
static size_t block_cert(const uint8_t *der, size_t len, int trusted)
{
	size_t n = der_sequence(der, len);

	if (n == 0 || n == len)
		return n;
	if (trusted && der_sequence(der + n, len - n) == len - n)
		return n;
	return 0;
}

static int deliver(struct certs *c, const uint8_t *der, size_t len, size_t line)
{
	int had_error = c->err != NULL && c->err->code != MXTLS_OK;
	int ret = c->cb(c->arg, der, len, line);

	if (ret < 0 && c->where[0] != '\0' && !had_error)
		mx_err_prefix(c->err, "in the base64-decoded text: ");
	return ret < 0 ? ret : 0;
}

static int not_one_sequence(const struct certs *c, size_t line)
{
	return mx_err(c->err, MXTLS_ERR_CORRUPT,
	              "line %zu%s: certificate block is not one complete DER SEQUENCE", line,
	              c->where);
}

static int on_cert_block(void *arg, const struct mx_pem_block *b)
{
	struct certs *c = arg;
	size_t n = block_cert(b->der, b->der_len, strcmp(b->label, "TRUSTED CERTIFICATE") == 0);

	return n == 0 ? not_one_sequence(c, b->line) : deliver(c, b->der, n, b->line);
}

/* The scanner's fault, in the words this reader has always used. */
static int say(const struct certs *c, const struct mx_pem_scan *s, int f, size_t len)
{
	const struct mx_pem_block *b = &s->block;
	const char *w = c->where;

	switch ((enum mx_pem_fault)f) {
	case MX_PEM_BAD_BEGIN:
		return mx_err(c->err, MXTLS_ERR_CORRUPT, "line %zu%s: malformed PEM BEGIN line",
		              s->at, w);
	case MX_PEM_NO_END:
		return mx_err(c->err, MXTLS_ERR_CORRUPT, "line %zu%s: BEGIN %s without END",
		              b->line, w, b->label);
	case MX_PEM_BAD_END:
		return mx_err(c->err, MXTLS_ERR_CORRUPT,
		              "line %zu%s: malformed END line (line %zu) in certificate block",
		              b->line, w, s->at);
	case MX_PEM_END_MISMATCH:
		return mx_err(c->err, MXTLS_ERR_CORRUPT, "line %zu%s: BEGIN %s ended by END %.*s",
		              b->line, w, b->label, (int)s->end_label_len,
		              (const char *)s->end_label);
	case MX_PEM_BAD_BYTE:
		return mx_err(
		    c->err, MXTLS_ERR_CORRUPT,
		    "line %zu%s: invalid base64 in certificate block (byte 0x%02x on line "
		    "%zu)",
		    b->line, w, s->byte, s->at);
	case MX_PEM_EMPTY:
		return not_one_sequence(c, b->line);
	case MX_PEM_BAD_BASE64:
		return mx_err(c->err, MXTLS_ERR_CORRUPT,
		              "line %zu%s: invalid base64 in certificate block", b->line, w);
	case MX_PEM_LONG_HEADER:
		return mx_err(
		    c->err, MXTLS_ERR_CORRUPT,
		    "line %zu%s: DEK-Info header too long (line %zu) in certificate block", b->line,
		    w, s->at);
	case MX_PEM_TOO_MANY:
		return mx_err(c->err, MXTLS_ERR_LIMIT_EXCEEDED,
		              "the bundle holds more than %u certificates", MX_PEM_MAX_CERTS);
	case MX_PEM_NOMEM:
		break;
	}
	return mx_err(c->err, MXTLS_ERR_NOMEM, "out of memory reading %zu bytes of PEM", len);
}

static int read_pem(struct certs *c, const uint8_t *text, size_t len, size_t *skipped)
{
	struct mx_pem_scan s = {
	    .cb = on_cert_block, .arg = c, .want = is_cert_label, .max = MX_PEM_MAX_CERTS};
	int ret = mx_pem_scan(&s, text, len);

	if (skipped != NULL)
		*skipped += s.nskipped;
	if (ret > 0)
		return say(c, &s, ret, len);
	if (ret < 0 || s.nblocks > 0)
		return ret;
	if (s.nskipped > 0)
		return mx_err(c->err, MXTLS_ERR_EMPTY,
		              "no certificate found (%zu other PEM block%s skipped)", s.nskipped,
		              s.nskipped == 1 ? "" : "s");
	return mx_err(c->err, MXTLS_ERR_EMPTY, "no certificate found");
}

static int all_base64(const uint8_t *text, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (is_b64(text[i]))
			n++;
		else if (text[i] != '\n' && text[i] != '\r' && !is_blank(text[i]))
			return 0;
	}
	return n > 0;
}

/* The whole input is base64: of PEM text (read it, once) or of one DER certificate. */
static int read_base64(struct certs *c, const uint8_t *text, size_t len, size_t *skipped)
{
	uint8_t *b64, *dec = NULL;
	size_t i, n = 0, dec_size = 0, dec_len;
	int ret;

	b64 = malloc(len);
	if (b64 == NULL)
		return mx_err(c->err, MXTLS_ERR_NOMEM, "out of memory decoding %zu bytes", len);
	for (i = 0; i < len; i++)
		if (is_b64(text[i]))
			b64[n++] = text[i];
	/* mbedTLS takes spaces only before a newline and no tabs: hand it the bare characters. */
	dec_size = n / 4 * 3 + 3;
	dec = malloc(dec_size);
	if (dec == NULL) {
		ret = mx_err(c->err, MXTLS_ERR_NOMEM, "out of memory decoding %zu bytes", len);
		goto out;
	}
	if (mbedtls_base64_decode(dec, dec_size, &dec_len, b64, n) != 0) {
		ret = mx_err(c->err, MXTLS_ERR_CORRUPT,
		             "neither PEM nor base64 of PEM (not valid base64 either)");
		goto out;
	}
	/* Any PEM, not only certificates: a lone key gets the same answer as unencoded. */
	if (mx_pem_looks_like(dec, dec_len)) {
		c->where = DECODED_WHERE;
		ret = read_pem(c, dec, dec_len, skipped); /* never back here: depth 1 */
	} else if (dec_len > 0 && dec[0] == MX_TAG_SEQUENCE &&
	           der_sequence(dec, dec_len) == dec_len) {
		ret = deliver(c, dec, dec_len, 1);
	} else {
		ret = mx_err(c->err, MXTLS_ERR_CORRUPT,
		             "neither PEM nor base64 of PEM (the base64 decodes to %zu bytes of "
		             "something else)",
		             dec_len);
	}
out:
	/* The text may hold a private key pasted by mistake, encoded or decoded. */
	mx_freezero(b64, len);
	mx_freezero(dec, dec_size);
	return ret;
}

int mx_pem_each_cert(const uint8_t *text, size_t len, mx_pem_cert_cb cb, void *arg, size_t *skipped,
                     mxtls_error *err)
{
	struct certs c = {cb, arg, err, ""};

	if (cb == NULL || (text == NULL && len > 0))
		return mx_err(err, MXTLS_ERR_USAGE, "mx_pem_each_cert: no callback or no text");
	if (len > MX_PEM_MAX_INPUT)
		return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED,
		              "trust bundle of %zu bytes is over the %zu-byte limit", len,
		              MX_PEM_MAX_INPUT);
	if (len == 0)
		return mx_err(err, MXTLS_ERR_EMPTY, "no certificate found (empty input)");

	/* DER first: it is binary. But '0' is 0x30 too, so text may start the same way. */
	if (text[0] == MX_TAG_SEQUENCE) {
		if (der_sequence(text, len) == len)
			return deliver(&c, text, len, 1);
		/* A long-form or indefinite length next (never text): a damaged certificate. */
		if (len >= 2 && text[1] >= 0x80 && text[1] <= 0x84)
			return mx_err(
			    err, MXTLS_ERR_CORRUPT,
			    "the input starts like a DER certificate but is not exactly one "
			    "complete DER SEQUENCE");
	}
	if (mx_pem_looks_like(text, len))
		return read_pem(&c, text, len, skipped);
	/* The BOM would hide base64 (the scanner skips it in PEM itself). */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	if (all_base64(text, len))
		return read_base64(&c, text, len, skipped);
	/* PowerShell 5's `>` writes UTF-16: say so rather than just "nothing here". */
	if (len >= 2 &&
	    ((text[0] == 0xff && text[1] == 0xfe) || (text[0] == 0xfe && text[1] == 0xff)))
		return mx_err(
		    err, MXTLS_ERR_EMPTY,
		    "no certificate found (the text is UTF-16: save it as UTF-8 or ASCII)");
	return mx_err(err, MXTLS_ERR_EMPTY, "no certificate found");
}
