/* Trust-bundle reader: finds the certificates in PEM, base64 of PEM, DER or base64 of DER. */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>

#include "mxtls_asn1.h"
#include "mxtls_error.h"
#include "mxtls_pem.h"
#include "mxtls_util.h"

#define DECODED_WHERE " (in the base64-decoded text)"

/* One line of the input, without its end of line and the blanks around it. */
struct line {
	const uint8_t *p;
	const uint8_t *end;
	size_t no; /* 1-based */
};

/* A cursor over lines; a plain value, so a caller can save it and step back a line. */
struct lines {
	const uint8_t *p;
	const uint8_t *end;
	size_t no; /* number of the next line */
};

/* State of one reading of PEM text. */
struct scan {
	mx_pem_cert_cb cb;
	void *arg;
	size_t *skipped;
	mxtls_error *err;
	const char *where; /* "" or DECODED_WHERE, after the line number in messages */
	size_t nskipped;
	uint8_t *b64; /* a block's base64 characters, blanks removed */
	uint8_t *der; /* the block decoded */
	size_t der_size;
};

enum boundary { NOT_BOUNDARY, BOUNDARY, MALFORMED };

static int is_blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int is_b64(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=';
}

/* memmem is not C11 nor POSIX 2008; inputs are at most 8 MiB, needles short. */
static int contains(const uint8_t *p, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	size_t i;

	if (n > len)
		return 0;
	for (i = 0; i <= len - n; i++)
		if (p[i] == (uint8_t)needle[0] && memcmp(p + i, needle, n) == 0)
			return 1;
	return 0;
}

static int starts_with(const uint8_t *p, const uint8_t *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return n <= (size_t)(end - p) && memcmp(p, prefix, n) == 0;
}

static void lines_init(struct lines *it, const uint8_t *p, size_t len)
{
	it->p = p;
	it->end = p + len;
	it->no = 1;
}

static int next_line(struct lines *it, struct line *l)
{
	const uint8_t *nl;

	if (it->p >= it->end)
		return 0;
	nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	l->p = it->p;
	l->end = nl != NULL ? nl : it->end;
	l->no = it->no++;
	it->p = nl != NULL ? nl + 1 : it->end;
	/* CR of CRLF, indentation (YAML) and trailing blanks all go. */
	while (l->p < l->end && is_blank(l->p[0]))
		l->p++;
	while (l->end > l->p && is_blank(l->end[-1]))
		l->end--;
	return 1;
}

/*
 * Is the line "-----<kw> label-----" (kw "BEGIN " or "END ")? The label is what lies between,
 * up to the first "-----"; anything after that is MALFORMED, as is a missing "-----": such a
 * line must not silently hide a certificate.
 */
static enum boundary boundary(const struct line *l, const char *kw, const uint8_t **label,
                              size_t *label_len)
{
	const uint8_t *p = l->p;
	const uint8_t *q;

	if (!starts_with(p, l->end, "-----") || !starts_with(p + 5, l->end, kw))
		return NOT_BOUNDARY;
	p += 5 + strlen(kw);
	for (q = p; q < l->end; q++)
		if (starts_with(q, l->end, "-----"))
			break;
	if (q == l->end || q == p || l->end - q != 5)
		return MALFORMED;
	*label = p;
	*label_len = (size_t)(q - p);
	return BOUNDARY;
}

static int label_is(const uint8_t *label, size_t len, const char *s)
{
	return len == strlen(s) && memcmp(label, s, len) == 0;
}

static int is_cert_label(const uint8_t *label, size_t len)
{
	return label_is(label, len, "CERTIFICATE") || label_is(label, len, "TRUSTED CERTIFICATE") ||
	       label_is(label, len, "X509 CERTIFICATE");
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

static int deliver(struct scan *s, const uint8_t *der, size_t len, size_t line)
{
	int had_error = s->err != NULL && s->err->code != MXTLS_OK;
	int ret = s->cb(s->arg, der, len, line);

	if (ret < 0 && s->where[0] != '\0' && !had_error)
		mx_err_prefix(s->err, "in the base64-decoded text: ");
	return ret < 0 ? ret : 0;
}

/* Skip a non-certificate block: up to its END, or to the next BEGIN (left for the caller). */
static void skip_block(struct scan *s, struct lines *it)
{
	struct lines save = *it;
	struct line l;
	const uint8_t *label;
	size_t label_len;

	s->nskipped++;
	if (s->skipped != NULL)
		(*s->skipped)++;
	while (next_line(it, &l)) {
		if (boundary(&l, "BEGIN ", &label, &label_len) != NOT_BOUNDARY) {
			*it = save;
			return;
		}
		if (boundary(&l, "END ", &label, &label_len) != NOT_BOUNDARY)
			return;
		save = *it;
	}
}

/* Read one certificate block whose BEGIN line (begin) was just read, and hand it over. */
static int cert_block(struct scan *s, struct lines *it, const struct line *begin,
                      const uint8_t *label, size_t label_len)
{
	int trusted = label_is(label, label_len, "TRUSTED CERTIFICATE");
	const uint8_t *end_label;
	size_t end_label_len, n = 0, der_len, cert_len;
	struct line l;
	const uint8_t *p;
	enum boundary b;

	for (;;) {
		if (!next_line(it, &l) ||
		    boundary(&l, "BEGIN ", &end_label, &end_label_len) != NOT_BOUNDARY)
			return mx_err(s->err, MXTLS_ERR_CORRUPT,
			              "line %zu%s: BEGIN %.*s without END", begin->no, s->where,
			              (int)label_len, (const char *)label);
		b = boundary(&l, "END ", &end_label, &end_label_len);
		if (b == MALFORMED)
			return mx_err(
			    s->err, MXTLS_ERR_CORRUPT,
			    "line %zu%s: malformed END line (line %zu) in certificate block",
			    begin->no, s->where, l.no);
		if (b == BOUNDARY)
			break;
		for (p = l.p; p < l.end; p++) {
			if (is_blank(*p))
				continue;
			if (!is_b64(*p))
				return mx_err(s->err, MXTLS_ERR_CORRUPT,
				              "line %zu%s: invalid base64 in certificate block "
				              "(byte 0x%02x on line %zu)",
				              begin->no, s->where, *p, l.no);
			s->b64[n++] = *p; /* n < input length: b64 is that big */
		}
	}
	if (end_label_len != label_len || memcmp(end_label, label, label_len) != 0)
		return mx_err(s->err, MXTLS_ERR_CORRUPT, "line %zu%s: BEGIN %.*s ended by END %.*s",
		              begin->no, s->where, (int)label_len, (const char *)label,
		              (int)end_label_len, (const char *)end_label);

	/* mbedTLS checks the padding and the length; all blanks are already gone. */
	if (mbedtls_base64_decode(s->der, s->der_size, &der_len, s->b64, n) != 0)
		return mx_err(s->err, MXTLS_ERR_CORRUPT,
		              "line %zu%s: invalid base64 in certificate block", begin->no,
		              s->where);
	cert_len = block_cert(s->der, der_len, trusted);
	if (cert_len == 0)
		return mx_err(s->err, MXTLS_ERR_CORRUPT,
		              "line %zu%s: certificate block is not one complete DER SEQUENCE",
		              begin->no, s->where);
	return deliver(s, s->der, cert_len, begin->no);
}

/* Count certificate BEGIN lines first, so a hostile bundle costs no X.509 parsing. */
static size_t count_cert_blocks(const uint8_t *text, size_t len)
{
	struct lines it;
	struct line l;
	const uint8_t *label;
	size_t label_len, n = 0;

	lines_init(&it, text, len);
	while (next_line(&it, &l))
		if (boundary(&l, "BEGIN ", &label, &label_len) == BOUNDARY &&
		    is_cert_label(label, label_len))
			n++;
	return n;
}

static int read_pem(const uint8_t *text, size_t len, struct scan *s)
{
	struct lines it;
	struct line l;
	const uint8_t *label;
	size_t label_len, ncerts = 0;
	int ret = 0;

	if (count_cert_blocks(text, len) > MX_PEM_MAX_CERTS)
		return mx_err(s->err, MXTLS_ERR_LIMIT_EXCEEDED,
		              "the bundle holds more than %u certificates", MX_PEM_MAX_CERTS);
	/* A block's base64 is shorter than the text, and decodes to 3/4 of its length. */
	s->b64 = malloc(len);
	s->der_size = len / 4 * 3 + 3;
	s->der = malloc(s->der_size);
	if (s->b64 == NULL || s->der == NULL) {
		ret =
		    mx_err(s->err, MXTLS_ERR_NOMEM, "out of memory reading %zu bytes of PEM", len);
		goto out;
	}
	lines_init(&it, text, len);
	while (next_line(&it, &l)) {
		switch (boundary(&l, "BEGIN ", &label, &label_len)) {
		case NOT_BOUNDARY:
			continue; /* text around blocks: comments, openssl -text output */
		case MALFORMED:
			ret = mx_err(s->err, MXTLS_ERR_CORRUPT,
			             "line %zu%s: malformed PEM BEGIN line", l.no, s->where);
			goto out;
		case BOUNDARY:
			break;
		}
		if (is_cert_label(label, label_len)) {
			ret = cert_block(s, &it, &l, label, label_len);
			ncerts++;
		} else {
			skip_block(s, &it);
		}
		if (ret < 0)
			goto out;
	}
	if (ncerts == 0) {
		if (s->nskipped > 0)
			ret = mx_err(s->err, MXTLS_ERR_EMPTY,
			             "no certificate found (%zu other PEM block%s skipped)",
			             s->nskipped, s->nskipped == 1 ? "" : "s");
		else
			ret = mx_err(s->err, MXTLS_ERR_EMPTY, "no certificate found");
	}
out:
	free(s->b64);
	free(s->der);
	s->b64 = s->der = NULL;
	return ret;
}

static int all_base64(const uint8_t *text, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (is_b64(text[i]))
			n++;
		else if (text[i] != '\n' && !is_blank(text[i]))
			return 0;
	}
	return n > 0;
}

/* The whole input is base64: of PEM text (read it, once) or of one DER certificate. */
static int read_base64(const uint8_t *text, size_t len, struct scan *s)
{
	uint8_t *b64, *dec = NULL;
	size_t i, n = 0, dec_size = 0, dec_len;
	int ret;

	b64 = malloc(len);
	if (b64 == NULL)
		return mx_err(s->err, MXTLS_ERR_NOMEM, "out of memory decoding %zu bytes", len);
	for (i = 0; i < len; i++)
		if (is_b64(text[i]))
			b64[n++] = text[i];
	/* mbedTLS takes spaces only before a newline and no tabs: hand it the bare characters. */
	dec_size = n / 4 * 3 + 3;
	dec = malloc(dec_size);
	if (dec == NULL) {
		ret = mx_err(s->err, MXTLS_ERR_NOMEM, "out of memory decoding %zu bytes", len);
		goto out;
	}
	if (mbedtls_base64_decode(dec, dec_size, &dec_len, b64, n) != 0) {
		ret = mx_err(s->err, MXTLS_ERR_CORRUPT,
		             "neither PEM nor base64 of PEM (not valid base64 either)");
		goto out;
	}
	/* Any PEM, not only certificates: a lone key gets the same answer as unencoded. */
	if (contains(dec, dec_len, "-----BEGIN")) {
		s->where = DECODED_WHERE;
		ret = read_pem(dec, dec_len, s); /* never back here: depth 1 */
	} else if (dec_len > 0 && dec[0] == MX_TAG_SEQUENCE &&
	           der_sequence(dec, dec_len) == dec_len) {
		ret = deliver(s, dec, dec_len, 1);
	} else {
		ret = mx_err(s->err, MXTLS_ERR_CORRUPT,
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
	struct scan s = {cb, arg, skipped, err, "", 0, NULL, NULL, 0};

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
			return deliver(&s, text, len, 1);
		/* A long-form or indefinite length next (never text): a damaged certificate. */
		if (len >= 2 && text[1] >= 0x80 && text[1] <= 0x84)
			return mx_err(
			    err, MXTLS_ERR_CORRUPT,
			    "the input starts like a DER certificate but is not exactly one "
			    "complete DER SEQUENCE");
	}
	/* Windows editors save UTF-8 with a BOM, which would hide the first BEGIN line. */
	if (len >= 3 && text[0] == 0xef && text[1] == 0xbb && text[2] == 0xbf) {
		text += 3;
		len -= 3;
	}
	if (contains(text, len, "-----BEGIN"))
		return read_pem(text, len, &s);
	if (all_base64(text, len))
		return read_base64(text, len, &s);
	/* PowerShell 5's `>` writes UTF-16: say so rather than just "nothing here". */
	if (len >= 2 &&
	    ((text[0] == 0xff && text[1] == 0xfe) || (text[0] == 0xfe && text[1] == 0xff)))
		return mx_err(
		    err, MXTLS_ERR_EMPTY,
		    "no certificate found (the text is UTF-16: save it as UTF-8 or ASCII)");
	return mx_err(err, MXTLS_ERR_EMPTY, "no certificate found");
}
