/*
 * Writing PKCS#12 containers (RFC 7292), with PBES2 (RFC 8018), the PKCS#12
 * PBE (RFC 7292 appendix C) and PBMAC1 (RFC 9579).
 *
 * PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData MacData }
 * authSafe: ContentInfo { data, [0] EXPLICIT OCTET STRING (AuthenticatedSafe) }
 * AuthenticatedSafe ::= SEQUENCE OF ContentInfo, here, as OpenSSL writes it:
 *   1. encryptedData: SafeContents of the certBags (leaf with attributes, chain, extras)
 *   2. data: SafeContents of pkcs8ShroudedKeyBags, each with friendlyName and localKeyId
 * The key derivations, the MAC and the password encodings are the loader's
 * (mxtls_kdf.c, mxtls_password.c), so the writer and the reader cannot
 * disagree on them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/cipher.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha1.h>
#include <mbedtls/x509_crt.h>

#include "mxtls/mxtls.h"
#include "mxtls_error.h"
#include "mxtls_kdf.h"
#include "mxtls_oid.h"
#include "mxtls_password.h"
#include "mxtls_pkcs12_int.h"
#include "mxtls_util.h"
#include "write/der_writer.h"
#include "write/p12_writer_int.h"

mxtls_pkcs12_writer *mxtls_pkcs12_writer_new(int profile, mxtls_error *err)
{
	mxtls_pkcs12_writer *w;
	mxtls_error local;

	err = mx_writer_err(err, &local);
	mx_err_clear(err);
	if (profile == 0)
		profile = MXTLS_PKCS12_PROFILE_MODERN;
	if (profile < 1 || profile > MXTLS_PKCS12_PROFILE_MAX) {
		mx_err(err, MXTLS_ERR_USAGE, "unknown PKCS#12 profile %d", profile);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		return NULL;
	}
	w->profile = profile;
	w->iterations = MXTLS_PKCS12_DEFAULT_ITERATIONS;
	mbedtls_entropy_init(&w->entropy);
	mbedtls_ctr_drbg_init(&w->drbg);
	if (mbedtls_ctr_drbg_seed(&w->drbg, mbedtls_entropy_func, &w->entropy,
				  (const unsigned char *)"mxtls-pkcs12-writer", 19) != 0) {
		mx_err(err, MXTLS_ERR_INTERNAL, "cannot seed the random generator");
		mxtls_pkcs12_writer_free(w);
		return NULL;
	}
	return w;
}

void mxtls_pkcs12_writer_free(mxtls_pkcs12_writer *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->ncerts; i++)
		free(w->certs[i].der);
	free(w->certs);
	for (i = 0; i < w->nids; i++) {
		mx_freezero(w->ids[i].pkcs8, w->ids[i].pkcs8_len);
		free(w->ids[i].name_bmp);
	}
	free(w->ids);
	mbedtls_ctr_drbg_free(&w->drbg); /* zeroizes its state */
	mbedtls_entropy_free(&w->entropy);
	mx_freezero(w, sizeof(*w));
}

int mxtls_pkcs12_writer_set_iterations(mxtls_pkcs12_writer *w, unsigned iterations,
				       mxtls_error *err)
{
	mxtls_error local;

	err = mx_writer_err(err, &local);
	mx_err_clear(err);
	if (w == NULL)
		return mx_err(err, MXTLS_ERR_USAGE, "writer is NULL"), -1;
	if (iterations < MXTLS_PKCS12_DEFAULT_ITERATIONS)
		return mx_err(err, MXTLS_ERR_USAGE,
			      "%u iterations are below the floor of %u (OpenSSL 3's default)",
			      iterations, MXTLS_PKCS12_DEFAULT_ITERATIONS),
		       -1;
	if (iterations > MXTLS_MAX_KDF_ITERATIONS)
		return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED,
			      "%u iterations exceed the loader's limit of %u", iterations,
			      MXTLS_MAX_KDF_ITERATIONS),
		       -1;
	w->iterations = iterations;
	return 0;
}

/* ---- adding ---- */

/* Strict UTF-8 to UTF-16BE (surrogate pairs above U+FFFF, as OpenSSL writes BMPStrings). */
static int utf8_to_bmp(const char *s, uint8_t **out, size_t *outlen)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t len = strlen(s), i = 0, o = 0;
	uint8_t *b;

	b = malloc(len * 2 + 2); /* a UTF-8 byte never makes more than 2 bytes of UTF-16 */
	if (b == NULL)
		return -MXTLS_ERR_NOMEM;
	while (i < len) {
		unsigned long cp;
		size_t n, k;
		uint8_t c = p[i];
		if (c < 0x80)
			n = 0, cp = c;
		else if ((c & 0xe0) == 0xc0)
			n = 1, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			n = 2, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			n = 3, cp = c & 0x07;
		else
			goto bad;
		if (n > len - i - 1)
			goto bad;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		i += n + 1;
		if (cp > 0xffff) {
			unsigned long v = cp - 0x10000;
			unsigned long hi = 0xd800 | (v >> 10);
			b[o++] = (uint8_t)(hi >> 8);
			b[o++] = (uint8_t)hi;
			cp = 0xdc00 | (v & 0x3ff);
		}
		b[o++] = (uint8_t)(cp >> 8);
		b[o++] = (uint8_t)cp;
	}
	*out = b;
	*outlen = o;
	return 0;
bad:
	free(b);
	return -MXTLS_ERR_USAGE;
}

static int same_der(const struct wcert *c, const uint8_t *der, size_t len)
{
	return c->len == len && memcmp(c->der, der, len) == 0;
}

/* Index of a certificate already in the writer, or -1. */
static long find_cert(const mxtls_pkcs12_writer *w, const uint8_t *der, size_t len)
{
	size_t i;

	for (i = 0; i < w->ncerts; i++)
		if (same_der(&w->certs[i], der, len))
			return (long)i;
	return -1;
}

static int check_bag_room(const mxtls_pkcs12_writer *w, size_t more, mxtls_error *err)
{
	if (w->ncerts + w->nids + more > MXTLS_MAX_BAGS)
		return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED,
			      "more than %d bags: the loader would refuse the container",
			      MXTLS_MAX_BAGS);
	return 0;
}

/* Append a copy of a certificate (not deduplicated here). */
static int push_cert(mxtls_pkcs12_writer *w, const uint8_t *der, size_t len, int leaf_of,
		     mxtls_error *err)
{
	struct wcert *arr;
	uint8_t *copy;

	if (len > MXTLS_MAX_INPUT_BYTES - w->cert_bytes)
		return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED,
			      "certificates over %u bytes in all: the loader would refuse the container",
			      MXTLS_MAX_INPUT_BYTES);
	copy = malloc(len);
	arr = realloc(w->certs, (w->ncerts + 1) * sizeof(*arr));
	if (arr != NULL)
		w->certs = arr;
	if (copy == NULL || arr == NULL) {
		free(copy);
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	}
	memcpy(copy, der, len);
	w->certs[w->ncerts++] = (struct wcert){copy, len, leaf_of};
	w->cert_bytes += len;
	return 0;
}

/* Parse a certificate to check it is one mbedTLS (and so the loader) reads. */
static int parse_cert(mbedtls_x509_crt *crt, const void *der, size_t len, const char *what,
		      mxtls_error *err)
{
	int ret;

	if (der == NULL || len == 0)
		return mx_err(err, MXTLS_ERR_USAGE, "%s is NULL or empty", what);
	ret = mbedtls_x509_crt_parse_der(crt, der, len);
	if (ret != 0)
		return mx_err(err, MXTLS_ERR_CORRUPT,
			      "%s is not a DER certificate mbedTLS can parse (-0x%04x)", what,
			      (unsigned)-ret);
	return 0;
}

static int pubkey_der(const mbedtls_pk_context *pk, uint8_t *buf, const uint8_t **der,
		      size_t *len)
{
	int n = mbedtls_pk_write_pubkey_der((mbedtls_pk_context *)(uintptr_t)pk, buf, PUBKEY_MAX);

	if (n <= 0)
		return -1;
	*der = buf + PUBKEY_MAX - n;
	*len = (size_t)n;
	return 0;
}

/*
 * The key as PKCS#8 PrivateKeyInfo (RFC 5208): version 0, the algorithm
 * (rsaEncryption with NULL, or id-ecPublicKey with the named curve), and the
 * PKCS#1 / SEC1 key mbedTLS writes as the OCTET STRING. Only RSA 1024..8192
 * and P-256/P-384/P-521, as the loader accepts. Returns 0 or -code.
 */
static int key_to_pkcs8(const mbedtls_pk_context *pk, struct mx_dw *out, mxtls_error *err)
{
	uint8_t *buf = malloc(KEY_DER_MAX);
	const uint8_t *der;
	struct mx_asn1 c, seq, params;
	struct mx_tlv t, curve;
	size_t bits = mbedtls_pk_get_bitlen(pk);
	int n, ret = 0;

	if (buf == NULL)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	n = mbedtls_pk_write_key_der(pk, buf, KEY_DER_MAX);
	if (n <= 0) {
		ret = mx_err(err, MXTLS_ERR_INTERNAL, "cannot encode the private key (-0x%04x)",
			     (unsigned)-n);
		goto out;
	}
	der = buf + KEY_DER_MAX - n;
	mx_dw_open(out, MX_TAG_SEQUENCE);
	mx_dw_uint(out, 0);
	mx_dw_open(out, MX_TAG_SEQUENCE);
	if (mbedtls_pk_get_type(pk) == MBEDTLS_PK_RSA) {
		if (bits < 1024 || bits > 8192) {
			ret = mx_err(err, MXTLS_ERR_UNSUPPORTED_KEY,
				     "RSA-%zu key (1024 to 8192 bits are used)", bits);
			goto out;
		}
		MX_DW_OID(out, MX_OID_RSA);
		mx_dw_null(out);
	} else {
		/* ECPrivateKeyInfo ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] parameters, [1] publicKey } */
		mx_asn1_init(&c, der, (size_t)n);
		memset(&curve, 0, sizeof(curve));
		if (mx_asn1_enter(&c, MX_TAG_SEQUENCE, &seq) != 0 ||
		    mx_asn1_expect(&seq, MX_TAG_INTEGER, &t) != 0 ||
		    mx_asn1_expect(&seq, MX_TAG_OCTET_STRING, &t) != 0 ||
		    mx_asn1_enter(&seq, MX_TAG_CTX_CONS(0), &params) != 0 ||
		    mx_asn1_expect(&params, MX_TAG_OID, &curve) != 0 ||
		    !(MX_OID_EQ(&curve, MX_OID_P256) || MX_OID_EQ(&curve, MX_OID_P384) ||
		      MX_OID_EQ(&curve, MX_OID_P521))) {
			ret = mx_err(err, MXTLS_ERR_UNSUPPORTED_KEY,
				     "EC key not on P-256, P-384 or P-521");
			goto out;
		}
		MX_DW_OID(out, MX_OID_EC_PUBLIC_KEY);
		mx_dw_raw(out, curve.raw, curve.raw_len);
	}
	mx_dw_close(out);
	mx_dw_prim(out, MX_TAG_OCTET_STRING, der, (size_t)n);
	mx_dw_close(out);
	if (mx_dw_finish(out) != 0)
		ret = mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
out:
	mx_freezero(buf, KEY_DER_MAX);
	return ret;
}

/*
 * Add an identity: key pk, certificates ders[0] (leaf) .. ders[n-1] (chain).
 * Checks the leaf holds the key's public key, then copies everything.
 */
static int add_identity(mxtls_pkcs12_writer *w, const mbedtls_pk_context *pk,
			const uint8_t *const *ders, const size_t *lens, size_t n,
			const char *friendly_name, mxtls_error *err)
{
	mbedtls_x509_crt leaf;
	uint8_t kbuf[PUBKEY_MAX], cbuf[PUBKEY_MAX];
	const uint8_t *kder, *cder;
	size_t klen, clen, i, ncerts0 = w->ncerts;
	struct wident id, *ids;
	struct mx_dw p8;
	long at;
	int ret;

	memset(&id, 0, sizeof(id));
	mx_dw_init(&p8);
	mbedtls_x509_crt_init(&leaf);
	if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_RSA && mbedtls_pk_get_type(pk) != MBEDTLS_PK_ECKEY) {
		ret = mx_err(err, MXTLS_ERR_UNSUPPORTED_KEY,
			     "%s key (only RSA and EC keys are used for TLS)", mbedtls_pk_get_name(pk));
		goto out;
	}
	ret = parse_cert(&leaf, ders[0], lens[0], "the leaf certificate", err);
	if (ret != 0)
		goto out;
	for (i = 1; i < n; i++) {
		mbedtls_x509_crt chain;
		char what[48];
		snprintf(what, sizeof(what), "chain certificate %zu", i);
		mbedtls_x509_crt_init(&chain);
		ret = parse_cert(&chain, ders[i], lens[i], what, err);
		mbedtls_x509_crt_free(&chain);
		if (ret != 0)
			goto out;
	}
	if (pubkey_der(pk, kbuf, &kder, &klen) != 0 ||
	    pubkey_der(&leaf.pk, cbuf, &cder, &clen) != 0 || klen != clen ||
	    memcmp(kder, cder, klen) != 0) {
		char name[256];
		mx_crt_name(&leaf, name, sizeof(name));
		ret = mx_err(err, MXTLS_ERR_KEY_MISMATCH,
			     "the private key does not belong to certificate \"%s\"", name);
		goto out;
	}
	at = find_cert(w, ders[0], lens[0]);
	if (at >= 0 && w->certs[at].leaf_of >= 0) {
		ret = mx_err(err, MXTLS_ERR_USAGE, "this identity is already in the writer");
		goto out;
	}
	if (friendly_name != NULL) {
		if (strlen(friendly_name) > FRIENDLY_NAME_MAX) {
			ret = mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED,
				     "friendly name longer than %d bytes", FRIENDLY_NAME_MAX);
			goto out;
		}
		ret = utf8_to_bmp(friendly_name, &id.name_bmp, &id.name_len);
		if (ret != 0) {
			ret = mx_err(err, -ret, ret == -MXTLS_ERR_NOMEM ? "out of memory"
									  : "friendly name is not valid UTF-8");
			goto out;
		}
	}
	ret = check_bag_room(w, 1 + n, err);
	if (ret != 0)
		goto out;
	ret = key_to_pkcs8(pk, &p8, err);
	if (ret != 0)
		goto out;
	mbedtls_sha1(ders[0], lens[0], id.key_id);
	ids = realloc(w->ids, (w->nids + 1) * sizeof(*ids));
	if (ids == NULL) {
		ret = mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		goto out;
	}
	w->ids = ids;
	/* The leaf (a certificate added before as an extra becomes this leaf), then the chain. */
	if (at >= 0)
		w->certs[at].leaf_of = (int)w->nids;
	else
		ret = push_cert(w, ders[0], lens[0], (int)w->nids, err);
	for (i = 1; ret == 0 && i < n; i++)
		if (find_cert(w, ders[i], lens[i]) < 0)
			ret = push_cert(w, ders[i], lens[i], -1, err);
	if (ret != 0) {
		if (at >= 0)
			w->certs[at].leaf_of = -1;
		while (w->ncerts > ncerts0) {
			w->ncerts--;
			w->cert_bytes -= w->certs[w->ncerts].len;
			free(w->certs[w->ncerts].der);
		}
		goto out;
	}
	/* Hand the PKCS#8 buffer over to the identity; it is wiped on free. */
	id.pkcs8 = malloc(p8.len);
	if (id.pkcs8 == NULL) {
		if (at >= 0)
			w->certs[at].leaf_of = -1;
		while (w->ncerts > ncerts0) {
			w->ncerts--;
			w->cert_bytes -= w->certs[w->ncerts].len;
			free(w->certs[w->ncerts].der);
		}
		ret = mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(id.pkcs8, p8.p, p8.len);
	id.pkcs8_len = p8.len;
	w->ids[w->nids++] = id;
	memset(&id, 0, sizeof(id));
out:
	free(id.name_bmp);
	mx_dw_free(&p8);
	mbedtls_x509_crt_free(&leaf);
	mx_wipe(kbuf, sizeof(kbuf)); /* public, but cheap */
	return ret == 0 ? 0 : -1;
}

int mxtls_pkcs12_writer_add_key_der(mxtls_pkcs12_writer *w, const void *key_der, size_t key_len,
				    const void *const *cert_ders, const size_t *cert_lens,
				    size_t ncerts, const char *friendly_name, mxtls_error *err)
{
	mbedtls_pk_context pk;
	mxtls_error local;
	uint8_t *copy;
	size_t i;
	int ret;

	err = mx_writer_err(err, &local);
	mx_err_clear(err);
	if (w == NULL || key_der == NULL || key_len == 0 || cert_ders == NULL ||
	    cert_lens == NULL || ncerts == 0)
		return mx_err(err, MXTLS_ERR_USAGE,
			      "writer, key, or certificates (leaf first) missing"),
		       -1;
	for (i = 0; i < ncerts; i++)
		if (cert_ders[i] == NULL || cert_lens[i] == 0)
			return mx_err(err, MXTLS_ERR_USAGE, "certificate %zu is NULL or empty", i),
			       -1;
	if (key_len > KEY_DER_MAX)
		return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED, "private key of %zu bytes is too large",
			      key_len),
		       -1;
	/* DER only, as documented: mbedtls_pk_parse_key would take a PEM whose
	 * length counts its NUL, and then the API would quietly say more than it does. */
	if (key_len >= 10 && memcmp(key_der, "-----BEGIN", 10) == 0)
		return mx_err(err, MXTLS_ERR_USAGE, "the private key is PEM: give its DER"), -1;
	/* A copy: mbedTLS's parser may not write into the caller's buffer, and it is wiped below. */
	copy = malloc(key_len + 1);
	if (copy == NULL)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory"), -1;
	memcpy(copy, key_der, key_len);
	copy[key_len] = 0;
	mbedtls_pk_init(&pk);
	ret = mbedtls_pk_parse_key(&pk, copy, key_len, NULL, 0, mbedtls_ctr_drbg_random, &w->drbg);
	mx_freezero(copy, key_len + 1);
	if (ret != 0) {
		mbedtls_pk_free(&pk);
		return mx_err(err, MXTLS_ERR_CORRUPT,
			      "the private key is not an unencrypted PKCS#8, PKCS#1 or SEC1 key "
			      "(mbedTLS -0x%04x)",
			      (unsigned)-ret),
		       -1;
	}
	ret = add_identity(w, &pk, (const uint8_t *const *)cert_ders, cert_lens, ncerts,
			   friendly_name, err);
	mbedtls_pk_free(&pk); /* zeroizes */
	return ret;
}

int mxtls_pkcs12_writer_add_identity(mxtls_pkcs12_writer *w, const mxtls_pkcs12 *p12, size_t i,
				     const char *friendly_name, mxtls_error *err)
{
	const mxtls_identity *id;
	const uint8_t **ders = NULL;
	size_t *lens = NULL, k, n;
	mxtls_error local;
	int ret;

	err = mx_writer_err(err, &local);
	mx_err_clear(err);
	if (w == NULL || p12 == NULL || i >= p12->nids)
		return mx_err(err, MXTLS_ERR_USAGE, "no identity %zu in the container", i), -1;
	id = p12->ids[i];
	n = 1 + id->chain_len;
	ders = calloc(n, sizeof(*ders));
	lens = calloc(n, sizeof(*lens));
	if (ders == NULL || lens == NULL) {
		free(ders);
		free(lens);
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory"), -1;
	}
	ders[0] = id->leaf->crt->raw.p;
	lens[0] = id->leaf->crt->raw.len;
	for (k = 0; k < id->chain_len; k++) {
		ders[1 + k] = id->chain[k]->crt->raw.p;
		lens[1 + k] = id->chain[k]->crt->raw.len;
	}
	ret = add_identity(w, &id->key, ders, lens, n,
			   friendly_name ? friendly_name : id->friendly_name, err);
	free(ders);
	free(lens);
	return ret;
}

int mxtls_pkcs12_writer_add_cert_der(mxtls_pkcs12_writer *w, const void *cert_der,
				     size_t cert_len, mxtls_error *err)
{
	mbedtls_x509_crt crt;
	mxtls_error local;
	int ret;

	err = mx_writer_err(err, &local);
	mx_err_clear(err);
	if (w == NULL)
		return mx_err(err, MXTLS_ERR_USAGE, "writer is NULL"), -1;
	mbedtls_x509_crt_init(&crt);
	ret = parse_cert(&crt, cert_der, cert_len, "the certificate", err);
	mbedtls_x509_crt_free(&crt);
	if (ret != 0)
		return -1;
	if (find_cert(w, cert_der, cert_len) >= 0)
		return 0;
	if (check_bag_room(w, 1, err) != 0 || push_cert(w, cert_der, cert_len, -1, err) != 0)
		return -1;
	return 0;
}

