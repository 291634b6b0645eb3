/*
 * libFuzzer target: the internal BER reader (lib/mxtls_asn1.h), directly.
 *
 * The input is walked as a sequence of elements; constructed ones are
 * entered recursively (up to MAX_WALK_DEPTH), string-like ones are joined
 * with mx_asn1_octets(), INTEGERs read with mx_asn1_tlv_uint() and OIDs
 * printed with mx_asn1_oid_str(). The reader's promises are checked along
 * the way: every element lies inside its parent, the cursor moves exactly
 * past it, a failed expect() does not move the cursor, an owned join has
 * the length of its segments. A broken promise abort()s.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_NAME "fuzz_asn1"
#include "fuzz_util.h"
#include "mxtls_asn1.h"

#define MAX_WALK_DEPTH 48 /* above MX_ASN1_MAX_DEPTH: the reader's own cap must hold */

static int stringish(uint8_t tag)
{
	switch (tag & ~MX_TAG_CONSTRUCTED) {
	case MX_TAG_BIT_STRING:
	case MX_TAG_OCTET_STRING:
	case MX_TAG_UTF8_STRING:
	case MX_TAG_BMP_STRING:
	case 0x13: /* PrintableString */
	case 0x14: /* T61String */
	case 0x16: /* IA5String */
		return 1;
	default:
		return (tag & 0xc0) == 0x80; /* context-specific: [n] IMPLICIT OCTET STRING */
	}
}

/* Independent count of the bytes a join must produce; -1 where the reader must refuse. */
static long segment_bytes(const uint8_t *p, size_t len, int depth)
{
	struct mx_asn1 c;
	struct mx_tlv t;
	long total = 0, sub;

	if (depth > MX_ASN1_MAX_DEPTH)
		return -1;
	mx_asn1_init(&c, p, len);
	while (mx_asn1_more(&c)) {
		if (mx_asn1_next(&c, &t) != MX_ASN1_OK)
			return -1;
		if (t.tag == MX_TAG_OCTET_STRING) {
			total += (long)t.len;
		} else if (t.tag == (MX_TAG_OCTET_STRING | MX_TAG_CONSTRUCTED)) {
			sub = segment_bytes(t.val, t.len, depth + 1);
			if (sub < 0)
				return -1;
			total += sub;
		} else {
			return -1;
		}
	}
	return total;
}

static void element(const struct mx_tlv *t, const uint8_t *start, const uint8_t *end)
{
	const uint8_t *out = NULL;
	uint8_t *owned = NULL;
	uint64_t v;
	size_t len = 0;
	char oid[128], small[6];
	int ret;
	static const uint64_t maxes[] = {
	    0, 1, 255, 256, 1u << 16, UINT32_MAX, UINT64_MAX >> 1, UINT64_MAX};
	size_t i;

	check(t->raw == start, "element does not start at the cursor");
	check(t->raw_len >= 2 && t->raw_len <= (size_t)(end - start), "raw_len %zu out of range",
	      t->raw_len);
	check(t->val > t->raw && t->val <= t->raw + t->raw_len, "val outside the element");
	check(t->len <= (size_t)(t->raw + t->raw_len - t->val), "len %zu past the element", t->len);
	check(t->tag == t->raw[0], "tag differs from the first octet");
	touch(t->raw, t->raw_len);

	if (t->tag == MX_TAG_INTEGER) {
		for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
			v = 0;
			if (mx_asn1_tlv_uint(t, maxes[i], &v) == MX_ASN1_OK)
				check(v <= maxes[i], "uint %llu over max %llu",
				      (unsigned long long)v, (unsigned long long)maxes[i]);
			fuzz_sink += v;
		}
	}
	/* Any tag: oid_str must cope (it refuses non-OIDs itself). */
	mx_asn1_oid_str(t, oid, sizeof(oid));
	check(memchr(oid, '\0', sizeof(oid)) != NULL, "oid_str not NUL-terminated");
	touch(oid, strlen(oid));
	mx_asn1_oid_str(t, small, sizeof(small));
	check(memchr(small, '\0', sizeof(small)) != NULL, "oid_str (small) not NUL-terminated");
	mx_asn1_oid_str(t, small, 0);
	fuzz_sink += (uint64_t)mx_asn1_oid_eq(t, t->val, t->len);

	if (stringish(t->tag)) {
		ret = mx_asn1_octets(t, &out, &len, &owned);
		if (!(t->tag & MX_TAG_CONSTRUCTED)) {
			check(ret == MX_ASN1_OK && out == t->val && len == t->len && owned == NULL,
			      "primitive string is not a view of its value");
		} else if (ret == MX_ASN1_OK) {
			long want = segment_bytes(t->val, t->len, 0);
			check(owned != NULL && out == owned, "joined string not owned");
			check(want >= 0 && (size_t)want == len,
			      "joined %zu bytes, segments hold %ld", len, want);
		} else {
			check(owned == NULL, "failed join left an owned buffer");
			check(ret == MX_ASN1_ERR_FORMAT || ret == MX_ASN1_ERR_DEPTH ||
			          ret == MX_ASN1_ERR_NOMEM,
			      "octets returned %d", ret);
		}
		if (ret == MX_ASN1_OK)
			touch(out, len);
		free(owned);
	}
}

static void walk(struct mx_asn1 *c, int depth)
{
	struct mx_asn1 inner, entered;
	struct mx_tlv t, t2;
	const uint8_t *before;
	int peek, ret;

	while (mx_asn1_more(c)) {
		before = c->p;
		peek = mx_asn1_peek(c);
		check(peek == c->p[0], "peek differs from the next octet");
		/* A mismatching expect() must leave the cursor where it was. */
		ret = mx_asn1_expect(c, (uint8_t)(peek ^ 0x01), &t2);
		check(ret != MX_ASN1_OK, "expect() accepted the wrong tag");
		check(c->p == before, "failed expect() moved the cursor");

		ret = mx_asn1_next(c, &t);
		if (ret != MX_ASN1_OK) {
			check(ret == MX_ASN1_ERR_FORMAT || ret == MX_ASN1_ERR_DEPTH,
			      "next() returned %d", ret);
			return;
		}
		check(t.tag == (uint8_t)peek, "tag differs from peek()");
		check(c->p == before + t.raw_len, "cursor did not move past the element");
		check(c->p <= c->end, "cursor past the end");
		element(&t, before, c->end);

		if ((t.tag & MX_TAG_CONSTRUCTED) && depth < MAX_WALK_DEPTH) {
			/* enter() on a fresh cursor at the same element must agree with next(). */
			struct mx_asn1 again = {before, c->end};
			check(mx_asn1_enter(&again, t.tag, &entered) == MX_ASN1_OK &&
			          entered.p == t.val && entered.end == t.val + t.len,
			      "enter() disagrees with next()");
			mx_asn1_open(&t, &inner);
			walk(&inner, depth + 1);
		}
	}
	check(mx_asn1_done(c) == MX_ASN1_OK, "done() refuses a consumed cursor");
	check(mx_asn1_peek(c) == -1, "peek() at the end is not -1");
	check(mx_asn1_next(c, &t) != MX_ASN1_OK, "next() at the end succeeded");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mx_asn1 c;
	uint64_t v;

	mx_asn1_init(&c, data, size);
	walk(&c, 0);

	/* The get_uint path on the raw input, as the PFX version is read. */
	mx_asn1_init(&c, data, size);
	if (mx_asn1_get_uint(&c, 255, &v) == MX_ASN1_OK)
		check(v <= 255, "get_uint over max");
	return 0;
}
