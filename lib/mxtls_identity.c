/*
 * From bags to identities: classify each private key, pair it with the
 * certificate holding its public key (localKeyId first, then the key itself,
 * never by position), order the issuer chain leaf to root, and note what a
 * user should know (weak key, expiry, no clientAuth).
 */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS /* ca_istrue has no accessor in mbedTLS 3.6 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>

#include "mxtls_oid.h"
#include "mxtls_pkcs12_int.h"
#include "mxtls_text.h"
#include "mxtls_util.h"

#define PUBKEY_MAX 2600 /* SubjectPublicKeyInfo of an RSA-8192 key fits */

/* Key algorithm check on PrivateKeyInfo before mbedTLS sees it; 0 = usable, else a description. */
static int classify_key(const struct mx_raw_key *k, char *why, size_t size)
{
	struct mx_asn1 c, pki, alg;
	struct mx_tlv oid, params;
	uint64_t version;
	char o[64];

	/* PrivateKeyInfo ::= SEQUENCE { version INTEGER, privateKeyAlgorithm AlgorithmIdentifier, privateKey OCTET STRING, ... } */
	mx_asn1_init(&c, k->der, k->len);
	if (mx_asn1_enter(&c, MX_TAG_SEQUENCE, &pki) != 0 || mx_asn1_get_uint(&pki, 1, &version) != 0 ||
	    mx_asn1_enter(&pki, MX_TAG_SEQUENCE, &alg) != 0 ||
	    mx_asn1_expect(&alg, MX_TAG_OID, &oid) != 0)
		return -1;
	memset(&params, 0, sizeof(params));
	if (mx_asn1_more(&alg) && mx_asn1_next(&alg, &params) != 0)
		return -1;
	if (MX_OID_EQ(&oid, MX_OID_RSA))
		return 0;
	if (MX_OID_EQ(&oid, MX_OID_EC_PUBLIC_KEY)) {
		if (params.tag == MX_TAG_OID &&
		    (MX_OID_EQ(&params, MX_OID_P256) || MX_OID_EQ(&params, MX_OID_P384) ||
		     MX_OID_EQ(&params, MX_OID_P521)))
			return 0;
		if (params.tag == MX_TAG_OID) {
			mx_asn1_oid_str(&params, o, sizeof(o));
			snprintf(why, size, "EC key on curve %s (only P-256, P-384 and P-521 are used for TLS)", o);
		} else {
			snprintf(why, size, "EC key with explicit curve parameters");
		}
		return 1;
	}
	if (MX_OID_EQ(&oid, MX_OID_RSA_PSS))
		snprintf(why, size, "RSA-PSS-only key (id-RSASSA-PSS)");
	else if (MX_OID_EQ(&oid, MX_OID_DSA))
		snprintf(why, size, "DSA key");
	else if (MX_OID_EQ(&oid, MX_OID_ED25519))
		snprintf(why, size, "Ed25519 key");
	else if (MX_OID_EQ(&oid, MX_OID_ED448))
		snprintf(why, size, "Ed448 key");
	else if (MX_OID_EQ(&oid, MX_OID_X25519))
		snprintf(why, size, "X25519 key");
	else {
		mx_asn1_oid_str(&oid, o, sizeof(o));
		snprintf(why, size, "key algorithm %s", o);
	}
	return 1;
}

static int add_unsupported(struct mx_load *ld, const char *where, const char *why)
{
	char buf[200], **arr;
	int n;

	/* A long entry name is cut, between characters: a warning, not an error. */
	n = snprintf(buf, sizeof(buf), "%s: unsupported %s", where, why);
	mx_text_clean(buf, sizeof(buf), n >= (int)sizeof(buf));
	mx_warn(ld, MXTLS_WARN_SKIPPED_ENTRY, "%s", buf);
	arr = realloc(ld->unsupported_keys, (ld->nunsupported + 1) * sizeof(*arr));
	if (arr == NULL)
		return -1;
	ld->unsupported_keys = arr;
	arr[ld->nunsupported] = strdup(buf);
	if (arr[ld->nunsupported] == NULL)
		return -1;
	ld->nunsupported++;
	return 0;
}

/* SubjectPublicKeyInfo re-encoded by mbedTLS, so point formats compare equal. */
static int pubkey_der(mbedtls_pk_context *pk, uint8_t *buf, const uint8_t **der, size_t *len)
{
	int n = mbedtls_pk_write_pubkey_der(pk, buf, PUBKEY_MAX);

	if (n <= 0)
		return -1;
	*der = buf + PUBKEY_MAX - n;
	*len = (size_t)n;
	return 0;
}

static int same_key_id(const mxtls_cert *c, const struct mx_raw_key *k)
{
	return c->local_key_id && k->local_key_id && c->local_key_id_len == k->local_key_id_len &&
	       memcmp(c->local_key_id, k->local_key_id, k->local_key_id_len) == 0;
}

/* The certificate for this key: localKeyId partners first, then any whose key matches. */
static mxtls_cert *find_leaf(mxtls_pkcs12 *p, const struct mx_raw_key *k, mbedtls_pk_context *pk)
{
	uint8_t kbuf[PUBKEY_MAX], cbuf[PUBKEY_MAX];
	const uint8_t *kder, *cder;
	size_t klen, clen, i;
	int pass;

	if (pubkey_der(pk, kbuf, &kder, &klen) != 0)
		return NULL;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < p->ncerts; i++) {
			mxtls_cert *c = p->certs[i];
			if (pass == 0 && !same_key_id(c, k))
				continue;
			if (mbedtls_pk_get_type(&c->crt->pk) != mbedtls_pk_get_type(pk))
				continue;
			if (pubkey_der(&c->crt->pk, cbuf, &cder, &clen) == 0 && clen == klen &&
			    memcmp(cder, kder, klen) == 0)
				return c;
		}
	}
	return NULL;
}

static int buf_eq(const mbedtls_x509_buf *a, const mbedtls_x509_buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

static int in_path(mxtls_cert *const *path, size_t n, const mxtls_cert *c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (path[i] == c)
			return 1;
	return 0;
}

/* Issuer of cur among the file's certificates: subject matches issuer, and key ids if both have them. */
static mxtls_cert *find_issuer(mxtls_pkcs12 *p, const mxtls_cert *cur, mxtls_cert *const *path,
			       size_t n)
{
	const mbedtls_x509_buf *aki = &cur->crt->authority_key_id.keyIdentifier;
	mxtls_cert *best = NULL;
	size_t i;

	if (buf_eq(&cur->crt->subject_raw, &cur->crt->issuer_raw))
		return NULL; /* self-issued: the root */
	for (i = 0; i < p->ncerts; i++) {
		mxtls_cert *c = p->certs[i];
		if (c == cur || in_path(path, n, c) || !buf_eq(&c->crt->subject_raw, &cur->crt->issuer_raw))
			continue;
		if (aki->len && c->crt->subject_key_id.len && !buf_eq(aki, &c->crt->subject_key_id))
			continue;
		if (best == NULL || (!best->crt->ca_istrue && c->crt->ca_istrue))
			best = c;
	}
	return best;
}

static int build_chain(mxtls_pkcs12 *p, mxtls_identity *id)
{
	mxtls_cert *cur = id->leaf, *next;

	id->chain = calloc(p->ncerts ? p->ncerts : 1, sizeof(*id->chain));
	if (id->chain == NULL)
		return -1;
	while ((next = find_issuer(p, cur, id->chain, id->chain_len)) != NULL && next != id->leaf) {
		id->chain[id->chain_len++] = next;
		next->used = 1;
		cur = next;
	}
	return 0;
}

static void name_of(const mxtls_cert *c, char *buf, size_t size)
{
	mx_crt_name(c->crt, buf, size);
}

static void validity_warnings(struct mx_load *ld, const mxtls_cert *c)
{
	char name[256];

	name_of(c, name, sizeof(name));
	if (mbedtls_x509_time_is_past(&c->crt->valid_to))
		mx_warn(ld, MXTLS_WARN_EXPIRED, "certificate \"%s\" expired on %04d-%02d-%02d", name,
			c->crt->valid_to.year, c->crt->valid_to.mon, c->crt->valid_to.day);
	if (mbedtls_x509_time_is_future(&c->crt->valid_from))
		mx_warn(ld, MXTLS_WARN_NOT_YET_VALID,
			"certificate \"%s\" is not valid before %04d-%02d-%02d", name,
			c->crt->valid_from.year, c->crt->valid_from.mon, c->crt->valid_from.day);
}

static void identity_warnings(struct mx_load *ld, const mxtls_identity *id)
{
	char name[256];
	size_t i;

	name_of(id->leaf, name, sizeof(name));
	if (id->key_type == MXTLS_KEY_RSA && id->key_bits < 2048)
		mx_warn(ld, MXTLS_WARN_WEAK_KEY,
			"identity \"%s\": RSA-%zu key is weak; servers may refuse it (use 2048 bits or more)",
			name, id->key_bits);
	if (mbedtls_x509_crt_check_extended_key_usage(id->leaf->crt, MBEDTLS_OID_CLIENT_AUTH,
						      MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)) != 0)
		mx_warn(ld, MXTLS_WARN_NO_CLIENT_AUTH,
			"identity \"%s\": extendedKeyUsage lacks clientAuth; servers may refuse it",
			name);
	validity_warnings(ld, id->leaf);
	for (i = 0; i < id->chain_len; i++)
		validity_warnings(ld, id->chain[i]);
}

static const char *curve_name(mbedtls_pk_context *pk, size_t bits)
{
	(void)pk;
	return bits == 256 ? "P-256" : bits == 384 ? "P-384" : bits == 521 ? "P-521" : NULL;
}

/*
 * PrivateKeyInfo rebuilt as DER with only version, algorithm and key: mbedTLS
 * 3.6 rejects the optional attributes Windows adds (key usage), and BER.
 */
static int clean_pkcs8(const struct mx_raw_key *k, uint8_t **out, size_t *outlen)
{
	struct mx_asn1 c, pki;
	struct mx_tlv ver, alg, key;
	size_t body, hdr, len;
	uint8_t *buf;

	mx_asn1_init(&c, k->der, k->len);
	if (mx_asn1_enter(&c, MX_TAG_SEQUENCE, &pki) != 0 ||
	    mx_asn1_expect(&pki, MX_TAG_INTEGER, &ver) != 0 ||
	    mx_asn1_expect(&pki, MX_TAG_SEQUENCE, &alg) != 0 ||
	    mx_asn1_expect(&pki, MX_TAG_OCTET_STRING, &key) != 0)
		return -1;
	body = ver.raw_len + alg.raw_len + key.raw_len;
	hdr = body < 0x80 ? 2 : body < 0x100 ? 3 : body < 0x10000 ? 4 : 5;
	len = hdr + body;
	buf = malloc(len);
	if (buf == NULL)
		return -2;
	buf[0] = MX_TAG_SEQUENCE;
	if (hdr == 2) {
		buf[1] = (uint8_t)body;
	} else {
		size_t i, n = hdr - 2;
		buf[1] = (uint8_t)(0x80 | n);
		for (i = 0; i < n; i++)
			buf[2 + i] = (uint8_t)(body >> (8 * (n - 1 - i)));
	}
	memcpy(buf + hdr, ver.raw, ver.raw_len);
	memcpy(buf + hdr + ver.raw_len, alg.raw, alg.raw_len);
	memcpy(buf + hdr + ver.raw_len + alg.raw_len, key.raw, key.raw_len);
	*out = buf;
	*outlen = len;
	return 0;
}

/* Parse one usable key; 0 ok, 1 skipped (unsupported size), <0 error. */
static int load_key(struct mx_load *ld, const struct mx_raw_key *k, mxtls_identity *id,
		    mbedtls_ctr_drbg_context *rng)
{
	uint8_t *der = NULL;
	size_t len = 0;
	char why[160];
	int ret;

	ret = clean_pkcs8(k, &der, &len);
	if (ret == -2)
		return mx_err(ld->err, MXTLS_ERR_NOMEM, "out of memory");
	if (ret == 0)
		ret = mbedtls_pk_parse_key(&id->key, der, len, NULL, 0, mbedtls_ctr_drbg_random, rng);
	mx_freezero(der, len);
	if (ret != 0)
		return mx_err(ld->err, MXTLS_ERR_CORRUPT,
			      "%s: the private key cannot be parsed (mbedTLS -0x%04x)", k->where,
			      (unsigned)-ret);
	id->key_bits = mbedtls_pk_get_bitlen(&id->key);
	if (mbedtls_pk_get_type(&id->key) == MBEDTLS_PK_RSA) {
		id->key_type = MXTLS_KEY_RSA;
		if (id->key_bits < 1024 || id->key_bits > 8192) {
			snprintf(why, sizeof(why), "RSA-%zu key (1024 to 8192 bits are used)",
				 id->key_bits);
			return add_unsupported(ld, k->where, why) == 0 ? 1 : -MXTLS_ERR_NOMEM;
		}
	} else {
		id->key_type = MXTLS_KEY_EC;
		id->curve = curve_name(&id->key, id->key_bits);
	}
	return 0;
}

/* Why no identity came out: the most specific reason wins. */
static int no_identity(struct mx_load *ld, size_t usable_keys)
{
	mxtls_pkcs12 *p = ld->out;

	if (ld->unsupported_content[0])
		return mx_err(ld->err, MXTLS_ERR_UNSUPPORTED_ALGORITHM, "%s", ld->unsupported_content);
	if (usable_keys == 0 && ld->nunsupported > 0)
		return mx_err(ld->err, MXTLS_ERR_UNSUPPORTED_KEY, "%s", ld->unsupported_keys[0]);
	if (usable_keys > 0 && p->ncerts == 0)
		return mx_err(ld->err, MXTLS_ERR_NO_CERTIFICATE,
			      "a private key but no certificate%s",
			      ld->skipped_certs ? " that mbedTLS can parse" : "");
	if (usable_keys > 0)
		return mx_err(ld->err, MXTLS_ERR_KEY_MISMATCH,
			      "%zu private key(s) and %zu certificate(s), but no certificate holds "
			      "the public key of a private key",
			      usable_keys, p->ncerts);
	if (p->ncerts > 0 || ld->skipped_certs > 0)
		return mx_err(ld->err, MXTLS_ERR_NO_KEY,
			      "%zu certificate(s) but no private key", p->ncerts + ld->skipped_certs);
	if (ld->bags_seen > 0)
		return mx_err(ld->err, MXTLS_ERR_NO_KEY,
			      "no private key or certificate, only other kinds of bags");
	return mx_err(ld->err, MXTLS_ERR_EMPTY, "the container holds no bags at all");
}

int mx_identities_build(struct mx_load *ld)
{
	mxtls_pkcs12 *p = ld->out;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context rng;
	mxtls_identity *id = NULL, **ids;
	size_t i, usable = 0;
	char why[160];
	int ret = 0;

	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&rng);
	if (ld->nkeys > 0 &&
	    mbedtls_ctr_drbg_seed(&rng, mbedtls_entropy_func, &entropy,
				  (const unsigned char *)"mxtls-load", 10) != 0) {
		ret = mx_err(ld->err, MXTLS_ERR_INTERNAL, "cannot seed the random generator");
		goto out;
	}
	for (i = 0; i < ld->nkeys; i++) {
		const struct mx_raw_key *k = &ld->keys[i];
		ret = classify_key(k, why, sizeof(why));
		if (ret < 0) {
			ret = mx_err(ld->err, MXTLS_ERR_CORRUPT, "%s: malformed PrivateKeyInfo",
				     k->where);
			goto out;
		}
		if (ret == 1) {
			if (add_unsupported(ld, k->where, why) != 0) {
				ret = mx_err(ld->err, MXTLS_ERR_NOMEM, "out of memory");
				goto out;
			}
			continue;
		}
		id = calloc(1, sizeof(*id));
		if (id == NULL) {
			ret = mx_err(ld->err, MXTLS_ERR_NOMEM, "out of memory");
			goto out;
		}
		mbedtls_pk_init(&id->key);
		ret = load_key(ld, k, id, &rng);
		if (ret != 0) {
			mx_identity_free(id);
			id = NULL;
			if (ret < 0)
				goto out;
			continue;
		}
		usable++;
		id->leaf = find_leaf(p, k, &id->key);
		if (id->leaf == NULL) {
			mx_identity_free(id);
			id = NULL;
			continue;
		}
		if (k->friendly_name)
			id->friendly_name = strdup(k->friendly_name);
		else if (id->leaf->friendly_name)
			id->friendly_name = strdup(id->leaf->friendly_name);
		ids = realloc(p->ids, (p->nids + 1) * sizeof(*ids));
		if (ids == NULL || build_chain(p, id) != 0) {
			if (ids)
				p->ids = ids;
			ret = mx_err(ld->err, MXTLS_ERR_NOMEM, "out of memory");
			goto out;
		}
		id->leaf->used = 1;
		p->ids = ids;
		p->ids[p->nids++] = id;
		id = NULL;
	}
	ret = 0;
	if (p->nids == 0) {
		ret = no_identity(ld, usable);
		goto out;
	}
	for (i = 0; i < p->nids; i++)
		identity_warnings(ld, p->ids[i]);
	if (ld->unsupported_content[0])
		mx_warn(ld, MXTLS_WARN_SKIPPED_ENTRY, "%s", ld->unsupported_content);
	p->extra = calloc(p->ncerts ? p->ncerts : 1, sizeof(*p->extra));
	if (p->extra == NULL) {
		ret = mx_err(ld->err, MXTLS_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < p->ncerts; i++)
		if (!p->certs[i]->used)
			p->extra[p->nextra++] = p->certs[i];
out:
	mx_identity_free(id);
	mbedtls_ctr_drbg_free(&rng);
	mbedtls_entropy_free(&entropy);
	return ret;
}

void mx_identity_free(mxtls_identity *id)
{
	if (id == NULL)
		return;
	mbedtls_pk_free(&id->key); /* mbedTLS zeroizes key material */
	free(id->chain);
	free(id->friendly_name);
	free(id);
}
