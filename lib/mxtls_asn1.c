/* Bounded BER/DER element reader: see mxtls_asn1.h for the contract. */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "mxtls_asn1.h"

void mx_asn1_init(struct mx_asn1 *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->end = p + len;
}

int mx_asn1_more(const struct mx_asn1 *c)
{
	return c->p < c->end;
}

int mx_asn1_done(const struct mx_asn1 *c)
{
	return c->p == c->end ? MX_ASN1_OK : MX_ASN1_ERR_FORMAT;
}

int mx_asn1_peek(const struct mx_asn1 *c)
{
	return c->p < c->end ? c->p[0] : -1;
}

static int read_element(const uint8_t **pp, const uint8_t *end, struct mx_tlv *t, int depth);

/*
 * Content length of an indefinite-length element starting at p: walk the
 * children until the end-of-contents octets 00 00.
 */
static int scan_indefinite(const uint8_t *p, const uint8_t *end, size_t *len, int depth)
{
	const uint8_t *start = p;
	struct mx_tlv child;
	int ret;

	if (depth > MX_ASN1_MAX_DEPTH)
		return MX_ASN1_ERR_DEPTH;
	for (;;) {
		if (end - p < 2)
			return MX_ASN1_ERR_FORMAT;
		if (p[0] == 0 && p[1] == 0) {
			*len = (size_t)(p - start);
			return MX_ASN1_OK;
		}
		ret = read_element(&p, end, &child, depth + 1);
		if (ret != MX_ASN1_OK)
			return ret;
	}
}

static int read_element(const uint8_t **pp, const uint8_t *end, struct mx_tlv *t, int depth)
{
	const uint8_t *p = *pp;
	size_t len;
	int ret;

	if (p >= end)
		return MX_ASN1_ERR_FORMAT;
	t->raw = p;
	t->tag = *p++;
	/* High-tag-number form never occurs in PKCS#12; EOC is not an element. */
	if ((t->tag & 0x1f) == 0x1f || t->tag == 0)
		return MX_ASN1_ERR_FORMAT;
	if (p >= end)
		return MX_ASN1_ERR_FORMAT;

	if (*p == 0x80) { /* indefinite: constructed only */
		p++;
		if (!(t->tag & MX_TAG_CONSTRUCTED))
			return MX_ASN1_ERR_FORMAT;
		ret = scan_indefinite(p, end, &len, depth);
		if (ret != MX_ASN1_OK)
			return ret;
		t->val = p;
		t->len = len;
		p += len + 2;
	} else {
		if (*p & 0x80) {
			size_t n = *p++ & 0x7fu;
			/* Four length octets cover anything we accept (<= 1 MiB input). */
			if (n == 0 || n > 4 || n > (size_t)(end - p))
				return MX_ASN1_ERR_FORMAT;
			len = 0;
			while (n-- > 0)
				len = (len << 8) | *p++;
		} else {
			len = *p++;
		}
		if (len > (size_t)(end - p))
			return MX_ASN1_ERR_FORMAT;
		t->val = p;
		t->len = len;
		p += len;
	}
	t->raw_len = (size_t)(p - t->raw);
	*pp = p;
	return MX_ASN1_OK;
}

int mx_asn1_next(struct mx_asn1 *c, struct mx_tlv *t)
{
	return read_element(&c->p, c->end, t, 0);
}

int mx_asn1_expect(struct mx_asn1 *c, uint8_t tag, struct mx_tlv *t)
{
	const uint8_t *save = c->p;
	int ret = mx_asn1_next(c, t);

	if (ret != MX_ASN1_OK)
		return ret;
	if (t->tag != tag) {
		c->p = save;
		return MX_ASN1_ERR_FORMAT;
	}
	return MX_ASN1_OK;
}

void mx_asn1_open(const struct mx_tlv *t, struct mx_asn1 *inner)
{
	mx_asn1_init(inner, t->val, t->len);
}

int mx_asn1_enter(struct mx_asn1 *c, uint8_t tag, struct mx_asn1 *inner)
{
	struct mx_tlv t;
	int ret = mx_asn1_expect(c, tag, &t);

	if (ret != MX_ASN1_OK)
		return ret;
	mx_asn1_open(&t, inner);
	return MX_ASN1_OK;
}

int mx_asn1_tlv_uint(const struct mx_tlv *t, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (t->tag != MX_TAG_INTEGER || t->len == 0 || (t->val[0] & 0x80))
		return MX_ASN1_ERR_FORMAT;
	while (i < t->len && t->val[i] == 0) /* leading zeros (BER tolerates extras) */
		i++;
	for (; i < t->len; i++) {
		if (v > (max >> 8))
			return MX_ASN1_ERR_FORMAT;
		v = (v << 8) | t->val[i];
	}
	if (v > max)
		return MX_ASN1_ERR_FORMAT;
	*out = v;
	return MX_ASN1_OK;
}

int mx_asn1_get_uint(struct mx_asn1 *c, uint64_t max, uint64_t *out)
{
	struct mx_tlv t;
	int ret = mx_asn1_expect(c, MX_TAG_INTEGER, &t);

	if (ret != MX_ASN1_OK)
		return ret;
	return mx_asn1_tlv_uint(&t, max, out);
}

/* Total length of the primitive segments of a constructed string. */
static int segments_len(const struct mx_tlv *t, size_t *total, int depth)
{
	struct mx_asn1 c;
	struct mx_tlv seg;
	int ret;

	if (depth > MX_ASN1_MAX_DEPTH)
		return MX_ASN1_ERR_DEPTH;
	mx_asn1_open(t, &c);
	while (mx_asn1_more(&c)) {
		ret = mx_asn1_next(&c, &seg);
		if (ret != MX_ASN1_OK)
			return ret;
		/* X.690 8.7.3: segments are OCTET STRINGs, themselves possibly constructed. */
		if (seg.tag == MX_TAG_OCTET_STRING) {
			*total += seg.len;
		} else if (seg.tag == (MX_TAG_OCTET_STRING | MX_TAG_CONSTRUCTED)) {
			ret = segments_len(&seg, total, depth + 1);
			if (ret != MX_ASN1_OK)
				return ret;
		} else {
			return MX_ASN1_ERR_FORMAT;
		}
	}
	return MX_ASN1_OK;
}

static void segments_copy(const struct mx_tlv *t, uint8_t **dst)
{
	struct mx_asn1 c;
	struct mx_tlv seg;

	/* Already validated by segments_len(). */
	mx_asn1_open(t, &c);
	while (mx_asn1_more(&c) && mx_asn1_next(&c, &seg) == MX_ASN1_OK) {
		if (seg.tag & MX_TAG_CONSTRUCTED) {
			segments_copy(&seg, dst);
		} else {
			memcpy(*dst, seg.val, seg.len);
			*dst += seg.len;
		}
	}
}

int mx_asn1_octets(const struct mx_tlv *t, const uint8_t **out, size_t *len, uint8_t **owned)
{
	size_t total = 0;
	uint8_t *buf, *w;
	int ret;

	*owned = NULL;
	if (!(t->tag & MX_TAG_CONSTRUCTED)) {
		*out = t->val;
		*len = t->len;
		return MX_ASN1_OK;
	}
	ret = segments_len(t, &total, 0);
	if (ret != MX_ASN1_OK)
		return ret;
	buf = malloc(total ? total : 1);
	if (buf == NULL)
		return MX_ASN1_ERR_NOMEM;
	w = buf;
	segments_copy(t, &w);
	*out = buf;
	*len = total;
	*owned = buf;
	return MX_ASN1_OK;
}

int mx_asn1_oid_eq(const struct mx_tlv *t, const uint8_t *oid, size_t oid_len)
{
	return t->tag == MX_TAG_OID && t->len == oid_len && memcmp(t->val, oid, oid_len) == 0;
}

void mx_asn1_oid_str(const struct mx_tlv *t, char *buf, size_t size)
{
	size_t off = 0, i;
	uint64_t v = 0;
	int first = 1, n;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (t->tag != MX_TAG_OID || t->len == 0 || t->len > 64) {
		snprintf(buf, size, "(not an OID)");
		return;
	}
	for (i = 0; i < t->len; i++) {
		if (v > (UINT64_MAX >> 7)) {
			snprintf(buf, size, "(malformed OID)");
			return;
		}
		v = (v << 7) | (t->val[i] & 0x7fu);
		if (t->val[i] & 0x80)
			continue;
		if (first) {
			unsigned arc0 = v < 40 ? 0 : v < 80 ? 1 : 2;
			n = snprintf(buf + off, size - off, "%u.%llu", arc0,
				     (unsigned long long)(v - 40u * arc0));
			first = 0;
		} else {
			n = snprintf(buf + off, size - off, ".%llu", (unsigned long long)v);
		}
		if (n < 0 || (size_t)n >= size - off)
			return;
		off += (size_t)n;
		v = 0;
	}
}
