/*
 * A bounded reader for BER/DER, the encoding of PKCS#12.
 *
 * Real exporters (OpenSSL, BouncyCastle, NSS, Windows) use BER: indefinite
 * lengths and constructed OCTET STRINGs. The reader accepts those, keeps all
 * pointer arithmetic in mxtls_asn1.c, checks every length as
 * `len > (size_t)(end - p)`, and caps the nesting depth so a hostile file
 * cannot recurse without bound. It never owns or copies memory, except
 * mx_asn1_octets() joining a constructed OCTET STRING.
 */
#ifndef MXTLS_ASN1_H
#define MXTLS_ASN1_H

#include <stddef.h>
#include <stdint.h>

/* Universal tags (first identifier octet). */
#define MX_TAG_BOOLEAN 0x01
#define MX_TAG_INTEGER 0x02
#define MX_TAG_BIT_STRING 0x03
#define MX_TAG_OCTET_STRING 0x04
#define MX_TAG_NULL 0x05
#define MX_TAG_OID 0x06
#define MX_TAG_UTF8_STRING 0x0c
#define MX_TAG_SEQUENCE 0x30
#define MX_TAG_SET 0x31
#define MX_TAG_BMP_STRING 0x1e
#define MX_TAG_CONSTRUCTED 0x20
#define MX_TAG_CTX(n) (0x80 | (n))           /* [n] IMPLICIT, primitive */
#define MX_TAG_CTX_CONS(n) (0xa0 | (n))      /* [n] EXPLICIT or constructed */

/* Outcomes; mapped to mxtls codes by the caller that knows the context. */
#define MX_ASN1_OK 0
#define MX_ASN1_ERR_FORMAT (-1)   /* malformed or unexpected element */
#define MX_ASN1_ERR_DEPTH (-2)    /* nesting deeper than the budget */
#define MX_ASN1_ERR_NOMEM (-3)

/* Nesting budget for indefinite-length scanning and constructed strings. */
#define MX_ASN1_MAX_DEPTH 32

/* A cursor over consecutive elements: the value of a constructed element. */
struct mx_asn1 {
	const uint8_t *p;
	const uint8_t *end;
};

/* One element. val/len is the content without the end-of-contents octets. */
struct mx_tlv {
	uint8_t tag;
	const uint8_t *val;
	size_t len;
	const uint8_t *raw;     /* first identifier octet, for hashing encodings */
	size_t raw_len;         /* whole element, including EOC when indefinite */
};

void mx_asn1_init(struct mx_asn1 *c, const uint8_t *p, size_t len);
int mx_asn1_more(const struct mx_asn1 *c);
/* Error unless the cursor has consumed everything (trailing bytes). */
int mx_asn1_done(const struct mx_asn1 *c);
/* Read the next element of any tag. */
int mx_asn1_next(struct mx_asn1 *c, struct mx_tlv *t);
/* Tag of the next element without consuming it; -1 at the end. */
int mx_asn1_peek(const struct mx_asn1 *c);
/* Read the next element and require its tag. */
int mx_asn1_expect(struct mx_asn1 *c, uint8_t tag, struct mx_tlv *t);
/* Read a constructed element with the given tag and return a cursor over its value. */
int mx_asn1_enter(struct mx_asn1 *c, uint8_t tag, struct mx_asn1 *inner);
/* Cursor over the value of an element already read. */
void mx_asn1_open(const struct mx_tlv *t, struct mx_asn1 *inner);

/* A small non-negative INTEGER; MX_ASN1_ERR_FORMAT if negative, empty or > max. */
int mx_asn1_get_uint(struct mx_asn1 *c, uint64_t max, uint64_t *out);
int mx_asn1_tlv_uint(const struct mx_tlv *t, uint64_t max, uint64_t *out);

/*
 * The bytes of a string-like element: primitive (tag & 0x20 == 0) gives a
 * view of val; constructed concatenates its primitive segments (BER) into a
 * new buffer, returned in *owned too, that the caller frees (wiping if
 * secret); *owned is NULL for a view.
 */
int mx_asn1_octets(const struct mx_tlv *t, const uint8_t **out, size_t *len, uint8_t **owned);

/* 1 if the element is an OBJECT IDENTIFIER equal to oid (content bytes). */
int mx_asn1_oid_eq(const struct mx_tlv *t, const uint8_t *oid, size_t oid_len);
#define MX_OID_EQ(t, oid) mx_asn1_oid_eq((t), (oid), sizeof(oid))

/* Dotted text of an OID element for messages ("1.2.840.113549.1.12.1.6"). */
void mx_asn1_oid_str(const struct mx_tlv *t, char *buf, size_t size);

#endif
