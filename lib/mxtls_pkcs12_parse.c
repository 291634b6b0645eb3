/*
 * The PKCS#12 container layers (RFC 7292 section 4): PFX, AuthenticatedSafe,
 * SafeContents and SafeBags.
 *
 * The walk runs twice over the plaintext parts: first to check structure
 * only, then, once the MAC has verified, to decrypt and collect. That order
 * is what lets us say `corrupt` for a damaged file and `wrong_password` only
 * for an intact one whose MAC does not verify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "mxtls_mac.h"
#include "mxtls_oid.h"
#include "mxtls_pbe.h"
#include "mxtls_util.h"

/* One element of the AuthenticatedSafe, as found by the structure pass. */
struct safe {
	int encrypted;
	const uint8_t *data; /* plaintext SafeContents, or ciphertext */
	size_t len;
	struct mx_tlv alg;   /* encrypted: contentEncryptionAlgorithm */
};

struct walk {
	struct mx_load *ld;
	int process; /* 0: structure only */
	size_t content;
	size_t bag;
	size_t total_bags;
};

struct attrs {
	const uint8_t *local_key_id;
	size_t local_key_id_len;
	const uint8_t *friendly_bmp;
	size_t friendly_len;
};

static int corrupt(struct mx_load *ld, const char *where, const char *detail)
{
	return mx_err(ld->err, MXTLS_ERR_CORRUPT, "%s: %s", where, detail);
}

static int asn1_fail(struct mx_load *ld, int ret, const char *where, const char *detail)
{
	if (ret == MX_ASN1_ERR_NOMEM)
		return mx_err(ld->err, MXTLS_ERR_NOMEM, "%s: out of memory", where);
	if (ret == MX_ASN1_ERR_DEPTH)
		return mx_err(ld->err, MXTLS_ERR_LIMIT_EXCEEDED, "%s: ASN.1 nesting too deep", where);
	return corrupt(ld, where, detail);
}

/*
 * bagAttributes SET OF PKCS12Attribute
 * PKCS12Attribute ::= SEQUENCE { attrId OID, attrValues SET OF ANY }
 * friendlyName is a BMPString, localKeyId an OCTET STRING: anything else is a
 * type confusion (OpenSSL CVE-2026-22795) and rejected.
 */
static int parse_attrs(struct mx_load *ld, struct mx_asn1 *bag, struct attrs *a, const char *where)
{
	struct mx_asn1 set, attr, vals;
	struct mx_tlv oid, v;

	memset(a, 0, sizeof(*a));
	if (!mx_asn1_more(bag))
		return 0;
	if (mx_asn1_enter(bag, MX_TAG_SET, &set) != 0)
		return corrupt(ld, where, "malformed bag attributes");
	while (mx_asn1_more(&set)) {
		if (mx_asn1_enter(&set, MX_TAG_SEQUENCE, &attr) != 0 ||
		    mx_asn1_expect(&attr, MX_TAG_OID, &oid) != 0 ||
		    mx_asn1_enter(&attr, MX_TAG_SET, &vals) != 0 || mx_asn1_done(&attr) != 0)
			return corrupt(ld, where, "malformed bag attribute");
		if (MX_OID_EQ(&oid, MX_OID_FRIENDLY_NAME)) {
			if (mx_asn1_expect(&vals, MX_TAG_BMP_STRING, &v) != 0 || v.len % 2 != 0)
				return corrupt(ld, where, "friendlyName is not a BMPString");
			a->friendly_bmp = v.val;
			a->friendly_len = v.len;
		} else if (MX_OID_EQ(&oid, MX_OID_LOCAL_KEY_ID)) {
			if (mx_asn1_expect(&vals, MX_TAG_OCTET_STRING, &v) != 0)
				return corrupt(ld, where, "localKeyId is not an OCTET STRING");
			a->local_key_id = v.val;
			a->local_key_id_len = v.len;
		}
		/* Other attributes (Microsoft CSP name, key usage...) are not ours to judge. */
	}
	return mx_asn1_done(bag) == 0 ? 0 : corrupt(ld, where, "trailing data after bag attributes");
}

static int add_key(struct mx_load *ld, const uint8_t *der, size_t len, const struct attrs *a,
		   const char *where)
{
	struct mx_raw_key *k, *keys;

	if (ld->nkeys >= MXTLS_MAX_BAGS)
		return mx_err(ld->err, MXTLS_ERR_LIMIT_EXCEEDED, "%s: too many keys", where);
	keys = realloc(ld->keys, (ld->nkeys + 1) * sizeof(*keys));
	if (keys == NULL)
		return mx_err(ld->err, MXTLS_ERR_NOMEM, "out of memory");
	ld->keys = keys;
	k = &keys[ld->nkeys];
	memset(k, 0, sizeof(*k));
	k->der = der;
	k->len = len;
	k->local_key_id = a->local_key_id;
	k->local_key_id_len = a->local_key_id_len;
	if (a->friendly_bmp) {
		k->friendly_name = mx_bmp_to_utf8(a->friendly_bmp, a->friendly_len);
		if (k->friendly_name == NULL)
			return mx_err(ld->err, MXTLS_ERR_NOMEM, "out of memory");
	}
	snprintf(k->where, sizeof(k->where), "%s", where);
	ld->nkeys++;
	return 0;
}

static int add_cert(struct mx_load *ld, const uint8_t *der, size_t len, const struct attrs *a,
		    const char *where)
{
	mxtls_pkcs12 *out = ld->out;
	mxtls_cert *c, **certs;
	uint8_t hash[32];
	size_t i;
	int ret;

	if (mbedtls_sha256(der, len, hash, 0) != 0)
		return mx_err(ld->err, MXTLS_ERR_INTERNAL, "%s: SHA-256 failed", where);
	for (i = 0; i < out->ncerts; i++) {
		c = out->certs[i];
		if (memcmp(c->sha256, hash, 32) != 0)
			continue;
		/* The same certificate again (one copy per key entry): merge, don't repeat. */
		if (c->local_key_id == NULL && a->local_key_id) {
			c->local_key_id = a->local_key_id;
			c->local_key_id_len = a->local_key_id_len;
		}
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return mx_err(ld->err, MXTLS_ERR_NOMEM, "out of memory");
	c->crt = calloc(1, sizeof(*c->crt));
	if (c->crt == NULL) {
		free(c);
		return mx_err(ld->err, MXTLS_ERR_NOMEM, "out of memory");
	}
	c->owns_crt = 1;
	mbedtls_x509_crt_init(c->crt);
	ret = mbedtls_x509_crt_parse_der(c->crt, der, len);
	if (ret != 0) {
		/* Authentic but unusable to us (post-quantum, odd curve): report, go on. */
		mx_cert_free(c);
		ld->skipped_certs++;
		mx_warn(ld, MXTLS_WARN_SKIPPED_ENTRY,
			"%s: certificate skipped: mbedTLS cannot parse it (-0x%04x)", where,
			(unsigned)-ret);
		return 0;
	}
	memcpy(c->sha256, hash, 32);
	c->local_key_id = a->local_key_id;
	c->local_key_id_len = a->local_key_id_len;
	if (a->friendly_bmp) {
		c->friendly_name = mx_bmp_to_utf8(a->friendly_bmp, a->friendly_len);
		if (c->friendly_name == NULL) {
			mx_cert_free(c);
			return mx_err(ld->err, MXTLS_ERR_NOMEM, "out of memory");
		}
	}
	certs = realloc(out->certs, (out->ncerts + 1) * sizeof(*certs));
	if (certs == NULL) {
		mx_cert_free(c);
		return mx_err(ld->err, MXTLS_ERR_NOMEM, "out of memory");
	}
	out->certs = certs;
	out->certs[out->ncerts++] = c;
	return 0;
}

/* CertBag ::= SEQUENCE { certId OID, certValue [0] EXPLICIT ANY } */
static int cert_bag(struct walk *w, const struct mx_tlv *value, const struct attrs *a,
		    const char *where)
{
	struct mx_asn1 c, explicit;
	struct mx_tlv oid, cert;
	const uint8_t *der;
	size_t len;
	char s[64];
	int ret;

	if (value->tag != MX_TAG_SEQUENCE)
		return corrupt(w->ld, where, "malformed CertBag");
	mx_asn1_open(value, &c);
	if (mx_asn1_expect(&c, MX_TAG_OID, &oid) != 0 ||
	    mx_asn1_enter(&c, MX_TAG_CTX_CONS(0), &explicit) != 0 || mx_asn1_done(&c) != 0 ||
	    mx_asn1_next(&explicit, &cert) != 0 || mx_asn1_done(&explicit) != 0)
		return corrupt(w->ld, where, "malformed CertBag");
	if (!MX_OID_EQ(&oid, MX_OID_X509_CERT)) {
		if (w->process) {
			mx_asn1_oid_str(&oid, s, sizeof(s));
			mx_warn(w->ld, MXTLS_WARN_SKIPPED_ENTRY,
				"%s: certificate of type %s skipped (only X.509 is used)", where, s);
		}
		return 0;
	}
	if ((cert.tag & ~MX_TAG_CONSTRUCTED) != MX_TAG_OCTET_STRING)
		return corrupt(w->ld, where, "x509Certificate is not an OCTET STRING");
	ret = mx_octets(w->ld, &cert, &der, &len, where);
	if (ret < 0 || !w->process)
		return ret;
	return add_cert(w->ld, der, len, a, where);
}

/* EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET STRING } */
static int shrouded_key_bag(struct walk *w, const struct mx_tlv *value, const struct attrs *a,
			    const char *where)
{
	struct mx_asn1 c;
	struct mx_tlv alg, enc;
	const uint8_t *ct;
	uint8_t *pt;
	size_t ctlen, ptlen;
	int ret;

	if (value->tag != MX_TAG_SEQUENCE)
		return corrupt(w->ld, where, "malformed EncryptedPrivateKeyInfo");
	mx_asn1_open(value, &c);
	if (mx_asn1_expect(&c, MX_TAG_SEQUENCE, &alg) != 0 || mx_asn1_next(&c, &enc) != 0 ||
	    (enc.tag & ~MX_TAG_CONSTRUCTED) != MX_TAG_OCTET_STRING || mx_asn1_done(&c) != 0)
		return corrupt(w->ld, where, "malformed EncryptedPrivateKeyInfo");
	ret = mx_octets(w->ld, &enc, &ct, &ctlen, where);
	if (ret < 0)
		return ret;
	if (!w->process)
		return mx_pbe_decrypt(w->ld, &alg, ct, ctlen, NULL, NULL, where);
	ret = mx_pbe_decrypt(w->ld, &alg, ct, ctlen, &pt, &ptlen, where);
	if (ret < 0)
		return ret;
	if (mx_keep_buffer(w->ld, pt, ptlen) != 0) {
		mx_freezero(pt, ptlen);
		return mx_err(w->ld->err, MXTLS_ERR_NOMEM, "out of memory");
	}
	return add_key(w->ld, pt, ptlen, a, where);
}

static int walk_safe_contents(struct walk *w, const uint8_t *p, size_t len, int depth);

static const char *bag_name(const struct mx_tlv *oid)
{
	if (MX_OID_EQ(oid, MX_OID_KEY_BAG))
		return "keyBag";
	if (MX_OID_EQ(oid, MX_OID_SHROUDED_KEY_BAG))
		return "pkcs8ShroudedKeyBag";
	if (MX_OID_EQ(oid, MX_OID_CERT_BAG))
		return "certBag";
	if (MX_OID_EQ(oid, MX_OID_CRL_BAG))
		return "crlBag";
	if (MX_OID_EQ(oid, MX_OID_SECRET_BAG))
		return "secretBag";
	if (MX_OID_EQ(oid, MX_OID_SAFE_CONTENTS_BAG))
		return "safeContentsBag";
	return NULL;
}

/* SafeBag ::= SEQUENCE { bagId OID, bagValue [0] EXPLICIT ANY, bagAttributes SET OF PKCS12Attribute OPTIONAL } */
static int walk_bag(struct walk *w, struct mx_asn1 *bag, int depth)
{
	struct mx_asn1 explicit;
	struct mx_tlv oid, value;
	struct attrs a;
	const char *name;
	char where[64], s[64];
	int ret;

	w->bag++;
	if (++w->total_bags > MXTLS_MAX_BAGS)
		return mx_err(w->ld->err, MXTLS_ERR_LIMIT_EXCEEDED,
			      "content %zu: more than %d bags", w->content, MXTLS_MAX_BAGS);
	snprintf(where, sizeof(where), "content %zu, bag %zu", w->content, w->bag);
	if (mx_asn1_expect(bag, MX_TAG_OID, &oid) != 0 ||
	    mx_asn1_enter(bag, MX_TAG_CTX_CONS(0), &explicit) != 0 ||
	    mx_asn1_next(&explicit, &value) != 0 || mx_asn1_done(&explicit) != 0)
		return corrupt(w->ld, where, "malformed SafeBag");
	name = bag_name(&oid);
	if (name)
		snprintf(where, sizeof(where), "content %zu, bag %zu (%s)", w->content, w->bag, name);
	ret = parse_attrs(w->ld, bag, &a, where);
	if (ret < 0)
		return ret;
	w->ld->bags_seen += w->process;

	if (MX_OID_EQ(&oid, MX_OID_KEY_BAG)) {
		if (value.tag != MX_TAG_SEQUENCE)
			return corrupt(w->ld, where, "malformed PrivateKeyInfo");
		return w->process ? add_key(w->ld, value.raw, value.raw_len, &a, where) : 0;
	}
	if (MX_OID_EQ(&oid, MX_OID_SHROUDED_KEY_BAG))
		return shrouded_key_bag(w, &value, &a, where);
	if (MX_OID_EQ(&oid, MX_OID_CERT_BAG))
		return cert_bag(w, &value, &a, where);
	if (MX_OID_EQ(&oid, MX_OID_SAFE_CONTENTS_BAG)) {
		if (value.tag != MX_TAG_SEQUENCE)
			return corrupt(w->ld, where, "malformed nested SafeContents");
		return walk_safe_contents(w, value.raw, value.raw_len, depth + 1);
	}
	if (MX_OID_EQ(&oid, MX_OID_CRL_BAG))
		return 0; /* revocation lists are the verifier's business, not the client's */
	if (w->process) {
		mx_asn1_oid_str(&oid, s, sizeof(s));
		mx_warn(w->ld, MXTLS_WARN_SKIPPED_ENTRY, "%s: %s %s skipped", where,
			name ? name : "unknown bag type", name ? "" : s);
	}
	return 0;
}

/* SafeContents ::= SEQUENCE OF SafeBag */
static int walk_safe_contents(struct walk *w, const uint8_t *p, size_t len, int depth)
{
	struct mx_asn1 c, seq, bag;
	int ret;

	if (depth > MXTLS_MAX_NESTING)
		return mx_err(w->ld->err, MXTLS_ERR_LIMIT_EXCEEDED,
			      "content %zu: safeContentsBag nested deeper than %d", w->content,
			      MXTLS_MAX_NESTING);
	mx_asn1_init(&c, p, len);
	ret = mx_asn1_enter(&c, MX_TAG_SEQUENCE, &seq);
	if (ret != MX_ASN1_OK || mx_asn1_done(&c) != 0) {
		char where[32];
		snprintf(where, sizeof(where), "content %zu", w->content);
		return asn1_fail(w->ld, ret, where, "malformed SafeContents");
	}
	while (mx_asn1_more(&seq)) {
		ret = mx_asn1_enter(&seq, MX_TAG_SEQUENCE, &bag);
		if (ret != MX_ASN1_OK) {
			char where[48];
			snprintf(where, sizeof(where), "content %zu, bag %zu", w->content, w->bag + 1);
			return asn1_fail(w->ld, ret, where, "malformed SafeBag");
		}
		ret = walk_bag(w, &bag, depth);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * EncryptedData ::= SEQUENCE { version INTEGER, encryptedContentInfo EncryptedContentInfo,
 *                              unprotectedAttrs [1] IMPLICIT ... OPTIONAL }
 * EncryptedContentInfo ::= SEQUENCE { contentType OID, contentEncryptionAlgorithm AlgorithmIdentifier,
 *                                     encryptedContent [0] IMPLICIT OCTET STRING OPTIONAL }
 */
static int encrypted_data(struct mx_load *ld, const struct mx_tlv *content, struct safe *s,
			  const char *where)
{
	struct mx_asn1 ed, eci;
	struct mx_tlv oid, enc;
	uint64_t version;

	if (content->tag != MX_TAG_SEQUENCE)
		return corrupt(ld, where, "malformed EncryptedData");
	mx_asn1_open(content, &ed);
	if (mx_asn1_get_uint(&ed, 255, &version) != 0 ||
	    mx_asn1_enter(&ed, MX_TAG_SEQUENCE, &eci) != 0 ||
	    mx_asn1_expect(&eci, MX_TAG_OID, &oid) != 0 ||
	    mx_asn1_expect(&eci, MX_TAG_SEQUENCE, &s->alg) != 0)
		return corrupt(ld, where, "malformed EncryptedData");
	if (mx_asn1_peek(&ed) == MX_TAG_CTX_CONS(1) && mx_asn1_next(&ed, &enc) != 0)
		return corrupt(ld, where, "malformed EncryptedData attributes");
	if (mx_asn1_done(&ed) != 0)
		return corrupt(ld, where, "trailing data in EncryptedData");
	/* CVE-2025-69421: the content may be missing or of another type; never assume it. */
	if (!mx_asn1_more(&eci) || mx_asn1_next(&eci, &enc) != 0 ||
	    (enc.tag != MX_TAG_CTX(0) && enc.tag != MX_TAG_CTX_CONS(0)) || mx_asn1_done(&eci) != 0)
		return corrupt(ld, where, "EncryptedData has no encrypted content OCTET STRING");
	if (!MX_OID_EQ(&oid, MX_OID_DATA))
		return corrupt(ld, where, "EncryptedData does not hold data");
	s->encrypted = 1;
	/* [0] IMPLICIT OCTET STRING: read it as the OCTET STRING it stands for (BER segments too). */
	enc.tag = enc.tag == MX_TAG_CTX_CONS(0) ? (MX_TAG_OCTET_STRING | MX_TAG_CONSTRUCTED)
						 : MX_TAG_OCTET_STRING;
	return mx_octets(ld, &enc, &s->data, &s->len, where);
}

/* ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY DEFINED BY contentType } */
static int content_info(struct mx_load *ld, struct mx_asn1 *ci, struct safe *s, size_t index,
			char *unsupported, size_t usize)
{
	struct mx_asn1 explicit;
	struct mx_tlv oid, content;
	char where[32], o[64];

	snprintf(where, sizeof(where), "content %zu", index);
	memset(s, 0, sizeof(*s));
	if (mx_asn1_expect(ci, MX_TAG_OID, &oid) != 0 ||
	    mx_asn1_enter(ci, MX_TAG_CTX_CONS(0), &explicit) != 0 || mx_asn1_done(ci) != 0 ||
	    mx_asn1_next(&explicit, &content) != 0 || mx_asn1_done(&explicit) != 0)
		return corrupt(ld, where, "malformed ContentInfo");
	if (MX_OID_EQ(&oid, MX_OID_DATA)) {
		if ((content.tag & ~MX_TAG_CONSTRUCTED) != MX_TAG_OCTET_STRING)
			return corrupt(ld, where, "data content is not an OCTET STRING");
		return mx_octets(ld, &content, &s->data, &s->len, where);
	}
	if (MX_OID_EQ(&oid, MX_OID_ENCRYPTED_DATA))
		return encrypted_data(ld, &content, s, where);
	/* Public-key privacy (envelopedData) needs the recipient's key, which we do not have. */
	if (MX_OID_EQ(&oid, MX_OID_ENVELOPED_DATA))
		snprintf(unsupported, usize,
			 "%s: envelopedData (public-key privacy mode) is not supported", where);
	else if (unsupported[0] == '\0') {
		mx_asn1_oid_str(&oid, o, sizeof(o));
		snprintf(unsupported, usize, "%s: unsupported content type %s", where, o);
	}
	s->data = NULL; /* skipped */
	return 0;
}

static int parse_authsafe(struct mx_load *ld, const uint8_t *p, size_t len, struct safe **safes,
			  size_t *nsafes, char *unsupported, size_t usize)
{
	struct mx_asn1 c, seq, ci;
	struct safe *arr = NULL, *tmp;
	size_t n = 0;
	int ret = 0;

	/* AuthenticatedSafe ::= SEQUENCE OF ContentInfo */
	mx_asn1_init(&c, p, len);
	ret = mx_asn1_enter(&c, MX_TAG_SEQUENCE, &seq);
	if (ret != MX_ASN1_OK || mx_asn1_done(&c) != 0)
		return asn1_fail(ld, ret, "authSafe", "malformed AuthenticatedSafe");
	while (mx_asn1_more(&seq)) {
		if (n >= MXTLS_MAX_BAGS) {
			ret = mx_err(ld->err, MXTLS_ERR_LIMIT_EXCEEDED, "authSafe: too many contents");
			break;
		}
		ret = mx_asn1_enter(&seq, MX_TAG_SEQUENCE, &ci);
		if (ret != MX_ASN1_OK) {
			ret = asn1_fail(ld, ret, "authSafe", "malformed ContentInfo");
			break;
		}
		tmp = realloc(arr, (n + 1) * sizeof(*arr));
		if (tmp == NULL) {
			ret = mx_err(ld->err, MXTLS_ERR_NOMEM, "out of memory");
			break;
		}
		arr = tmp;
		ret = content_info(ld, &ci, &arr[n], n + 1, unsupported, usize);
		if (ret < 0)
			break;
		n++;
	}
	if (ret < 0) {
		free(arr);
		return ret;
	}
	*safes = arr;
	*nsafes = n;
	return 0;
}

/* Walk every content: structure only, or decrypting and collecting. */
static int walk_all(struct mx_load *ld, struct safe *safes, size_t n, int process)
{
	struct walk w = {.ld = ld, .process = process};
	uint8_t *pt;
	size_t i, ptlen;
	char where[48];
	int ret;

	for (i = 0; i < n; i++) {
		w.content = i + 1;
		w.bag = 0;
		if (safes[i].data == NULL)
			continue; /* unsupported content type, reported later */
		snprintf(where, sizeof(where), "content %zu (encryptedData)", i + 1);
		if (!safes[i].encrypted) {
			ret = walk_safe_contents(&w, safes[i].data, safes[i].len, 0);
		} else if (!process) {
			ret = mx_pbe_decrypt(ld, &safes[i].alg, safes[i].data, safes[i].len, NULL,
					     NULL, where);
		} else {
			ret = mx_pbe_decrypt(ld, &safes[i].alg, safes[i].data, safes[i].len, &pt,
					     &ptlen, where);
			if (ret < 0)
				return ret;
			if (mx_keep_buffer(ld, pt, ptlen) != 0) {
				mx_freezero(pt, ptlen);
				return mx_err(ld->err, MXTLS_ERR_NOMEM, "out of memory");
			}
			ret = walk_safe_contents(&w, pt, ptlen, 0);
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * The size a file starting with a definite-length SEQUENCE says it has (header
 * included), or 0: a file shorter than that was cut off, which is worth
 * saying plainly (an interrupted upload or copy).
 */
static size_t outer_length(const uint8_t *der, size_t len)
{
	size_t n = 0, k, octets;

	if (len < 2 || der[0] != 0x30)
		return 0;
	if (der[1] < 0x80)
		return 2 + (size_t)der[1];
	octets = der[1] & 0x7f;
	if (octets == 0 || octets > 4 || len < 2 + octets)
		return 0; /* indefinite (BER), or no length to read */
	for (k = 0; k < octets; k++)
		n = (n << 8) | der[2 + k];
	return 2 + octets + n;
}

/* PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData MacData OPTIONAL } */
int mx_pkcs12_parse(struct mx_load *ld, const uint8_t *der, size_t len)
{
	struct mx_asn1 top, pfx, ci, explicit;
	struct mx_tlv oid, content, macdata;
	const uint8_t *as;
	size_t aslen, nsafes = 0;
	struct safe *safes = NULL;
	struct mx_mac mac;
	uint64_t version;
	char unsupported[160] = "";
	char o[64];
	int ret, have_mac = 0;

	mx_asn1_init(&top, der, len);
	ret = mx_asn1_enter(&top, MX_TAG_SEQUENCE, &pfx);
	if (ret != MX_ASN1_OK && outer_length(der, len) > len) {
		snprintf(o, sizeof(o), "truncated: %zu bytes of %zu", len, outer_length(der, len));
		return corrupt(ld, "PFX", o);
	}
	if (ret != MX_ASN1_OK)
		return asn1_fail(ld, ret, "PFX", "not a PKCS#12 container (no outer SEQUENCE)");
	/* Tolerate zero padding after the PFX (some decoders add it), nothing else. */
	for (; top.p < top.end; top.p++)
		if (*top.p != 0)
			return corrupt(ld, "PFX", "trailing data after the container");
	if (mx_asn1_get_uint(&pfx, 255, &version) != 0)
		return corrupt(ld, "PFX", "not a PKCS#12 container (no version)");
	if (version != 3) {
		snprintf(o, sizeof(o), "unsupported PFX version %llu (expected 3)",
			 (unsigned long long)version);
		return corrupt(ld, "PFX", o);
	}
	if (mx_asn1_enter(&pfx, MX_TAG_SEQUENCE, &ci) != 0 ||
	    mx_asn1_expect(&ci, MX_TAG_OID, &oid) != 0)
		return corrupt(ld, "PFX", "malformed authSafe ContentInfo");
	if (MX_OID_EQ(&oid, MX_OID_SIGNED_DATA))
		return mx_err(ld->err, MXTLS_ERR_UNSUPPORTED_ALGORITHM,
			      "PFX: public-key integrity mode (signedData) is not supported");
	if (!MX_OID_EQ(&oid, MX_OID_DATA)) {
		mx_asn1_oid_str(&oid, o, sizeof(o));
		return mx_err(ld->err, MXTLS_ERR_UNSUPPORTED_ALGORITHM,
			      "PFX: unsupported authSafe content type %s", o);
	}
	if (mx_asn1_enter(&ci, MX_TAG_CTX_CONS(0), &explicit) != 0 ||
	    mx_asn1_next(&explicit, &content) != 0 || mx_asn1_done(&explicit) != 0 ||
	    mx_asn1_done(&ci) != 0 || (content.tag & ~MX_TAG_CONSTRUCTED) != MX_TAG_OCTET_STRING)
		return corrupt(ld, "PFX", "malformed authSafe content");
	ret = mx_octets(ld, &content, &as, &aslen, "authSafe");
	if (ret < 0)
		return ret;
	if (mx_asn1_more(&pfx)) {
		if (mx_asn1_next(&pfx, &macdata) != 0)
			return corrupt(ld, "PFX", "malformed MacData");
		ret = mx_mac_parse(ld, &macdata, &mac);
		if (ret < 0)
			return ret;
		have_mac = 1;
	}
	if (mx_asn1_done(&pfx) != 0)
		return corrupt(ld, "PFX", "trailing data in PFX");

	/* 1. Structure of everything readable without the password. */
	ret = parse_authsafe(ld, as, aslen, &safes, &nsafes, unsupported, sizeof(unsupported));
	if (ret < 0)
		return ret;
	ret = walk_all(ld, safes, nsafes, 0);
	/* 2. Integrity. */
	if (ret == 0 && have_mac)
		ret = mx_mac_verify(ld, &mac, as, aslen);
	if (ret == 0 && !have_mac) {
		ld->out->mac_alg = strdup("none");
		if (ld->out->mac_alg == NULL)
			ret = mx_err(ld->err, MXTLS_ERR_NOMEM, "out of memory");
		else if (ld->flags & MXTLS_LOAD_REQUIRE_MAC)
			ret = mx_err(ld->err, MXTLS_ERR_NO_MAC,
				     "PFX: no integrity MAC, and one is required");
		else
			mx_warn(ld, MXTLS_WARN_NO_MAC,
				"no integrity MAC: the contents are not authenticated");
	}
	/* 3. Decrypt and collect. */
	if (ret == 0)
		ret = walk_all(ld, safes, nsafes, 1);
	/* Only fatal if nothing else is usable: mx_identities_build() decides. */
	if (ret == 0 && unsupported[0])
		snprintf(ld->unsupported_content, sizeof(ld->unsupported_content), "%s", unsupported);
	free(safes);
	return ret;
}
