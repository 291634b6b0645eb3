/*
 * mxtls_pkcs12_writer_finish(): the PFX, as OpenSSL lays it out (see
 * p12_writer.c): the certificate bags encrypted, the shrouded key bags, their
 * attributes in DER SET OF order, and the MAC of the profile.
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

/* ---- finishing ---- */

struct fin {
	mxtls_pkcs12_writer *w;
	struct mx_password pw;
	mxtls_error *err;
};

static int rnd(struct fin *f, uint8_t *buf, size_t n)
{
	if (mbedtls_ctr_drbg_random(&f->w->drbg, buf, n) != 0)
		return mx_err(f->err, MXTLS_ERR_INTERNAL, "the random generator failed");
	return 0;
}

/* CBC with PKCS#7 padding; out has room for inlen + block. Returns the length or -1. */
static long cbc_encrypt(mbedtls_cipher_type_t type, const uint8_t *key, size_t keybits,
			const uint8_t *iv, size_t ivlen, const uint8_t *in, size_t inlen, uint8_t *out)
{
	mbedtls_cipher_context_t ctx;
	size_t olen = 0;
	int ret;

	mbedtls_cipher_init(&ctx);
	ret = mbedtls_cipher_setup(&ctx, mbedtls_cipher_info_from_type(type));
	if (ret == 0)
		ret = mbedtls_cipher_setkey(&ctx, key, (int)keybits, MBEDTLS_ENCRYPT);
	if (ret == 0)
		ret = mbedtls_cipher_set_padding_mode(&ctx, MBEDTLS_PADDING_PKCS7);
	if (ret == 0)
		ret = mbedtls_cipher_crypt(&ctx, iv, ivlen, in, inlen, out, &olen);
	mbedtls_cipher_free(&ctx); /* zeroizes the key schedule */
	return ret == 0 ? (long)olen : -1;
}

/*
 * Encrypt in under the profile's scheme with a fresh salt (and IV), writing
 * the AlgorithmIdentifier, then the ciphertext as a primitive element with
 * tag ct_tag: OCTET STRING in EncryptedPrivateKeyInfo, [0] IMPLICIT in
 * EncryptedContentInfo.
 */
static int encrypt_to(struct fin *f, const uint8_t *in, size_t inlen, struct mx_dw *dst,
		      uint8_t ct_tag)
{
	uint8_t salt[MODERN_SALT], iv[16], key[32];
	uint8_t *ct;
	long n = -1;
	int ret = 0;

	ct = malloc(inlen + 16);
	if (ct == NULL)
		return mx_err(f->err, MXTLS_ERR_NOMEM, "out of memory");
	mx_dw_open(dst, MX_TAG_SEQUENCE); /* AlgorithmIdentifier */
	if (f->w->profile == MXTLS_PKCS12_PROFILE_COMPAT) {
		/* RFC 7292 C: pbeWithSHAAnd3-KeyTripleDES-CBC, key (ID 1) and IV (ID 2) from the PKCS#12 KDF over the BMPString. */
		ret = rnd(f, salt, COMPAT_SALT);
		if (ret == 0 &&
		    (mx_pkcs12_kdf(MBEDTLS_MD_SHA1, 1, f->pw.bmp.p, f->pw.bmp.len, salt, COMPAT_SALT,
				   f->w->iterations, key, 24) != 0 ||
		     mx_pkcs12_kdf(MBEDTLS_MD_SHA1, 2, f->pw.bmp.p, f->pw.bmp.len, salt, COMPAT_SALT,
				   f->w->iterations, iv, 8) != 0))
			ret = mx_err(f->err, MXTLS_ERR_INTERNAL, "key derivation failed");
		if (ret == 0)
			n = cbc_encrypt(MBEDTLS_CIPHER_DES_EDE3_CBC, key, 192, iv, 8, in, inlen, ct);
		MX_DW_OID(dst, MX_OID_PBE_SHA1_3DES);
		mx_dw_open(dst, MX_TAG_SEQUENCE); /* pkcs-12PbeParams */
		mx_dw_prim(dst, MX_TAG_OCTET_STRING, salt, COMPAT_SALT);
		mx_dw_uint(dst, f->w->iterations);
		mx_dw_close(dst);
	} else {
		/* RFC 8018 6.2: PBES2 with PBKDF2-HMAC-SHA256 (UTF-8 password) and AES-256-CBC. */
		ret = rnd(f, salt, MODERN_SALT);
		if (ret == 0)
			ret = rnd(f, iv, 16);
		if (ret == 0 && mx_pbkdf2_hmac(MBEDTLS_MD_SHA256, f->pw.utf8.p, f->pw.utf8.len, salt,
					       MODERN_SALT, f->w->iterations, key, 32) != 0)
			ret = mx_err(f->err, MXTLS_ERR_INTERNAL, "PBKDF2 failed");
		if (ret == 0)
			n = cbc_encrypt(MBEDTLS_CIPHER_AES_256_CBC, key, 256, iv, 16, in, inlen, ct);
		MX_DW_OID(dst, MX_OID_PBES2);
		mx_dw_open(dst, MX_TAG_SEQUENCE); /* PBES2-params */
		mx_dw_open(dst, MX_TAG_SEQUENCE); /* keyDerivationFunc */
		MX_DW_OID(dst, MX_OID_PBKDF2);
		mx_dw_open(dst, MX_TAG_SEQUENCE); /* PBKDF2-params; keyLength omitted: AES-256 fixes it */
		mx_dw_prim(dst, MX_TAG_OCTET_STRING, salt, MODERN_SALT);
		mx_dw_uint(dst, f->w->iterations);
		mx_dw_open(dst, MX_TAG_SEQUENCE); /* prf */
		MX_DW_OID(dst, MX_OID_HMAC_SHA256);
		mx_dw_null(dst);
		mx_dw_close(dst);
		mx_dw_close(dst);
		mx_dw_close(dst);
		mx_dw_open(dst, MX_TAG_SEQUENCE); /* encryptionScheme */
		MX_DW_OID(dst, MX_OID_AES256_CBC);
		mx_dw_prim(dst, MX_TAG_OCTET_STRING, iv, 16);
		mx_dw_close(dst);
		mx_dw_close(dst);
	}
	mx_dw_close(dst);
	if (ret == 0 && n < 0)
		ret = mx_err(f->err, MXTLS_ERR_INTERNAL, "encryption failed");
	if (ret == 0)
		mx_dw_prim(dst, ct_tag, ct, (size_t)n);
	mx_wipe(key, sizeof(key));
	mx_wipe(iv, sizeof(iv));
	mx_freezero(ct, inlen + 16);
	return ret;
}

/* X.690 11.6: SET OF components in ascending order, shorter ones padded with zeros. */
static int der_set_cmp(const struct mx_dw *a, const struct mx_dw *b)
{
	size_t n = a->len < b->len ? a->len : b->len, i;
	int c = memcmp(a->p, b->p, n);

	if (c != 0)
		return c;
	for (i = n; i < a->len; i++)
		if (a->p[i])
			return 1;
	for (i = n; i < b->len; i++)
		if (b->p[i])
			return -1;
	return 0;
}

/* bagAttributes SET OF PKCS12Attribute: friendlyName (BMPString) and localKeyId. */
static void write_attrs(struct mx_dw *dst, const struct wident *id)
{
	struct mx_dw a[2];
	int i, na = 0;

	mx_dw_init(&a[0]);
	mx_dw_init(&a[1]);
	if (id->name_bmp != NULL) {
		mx_dw_open(&a[na], MX_TAG_SEQUENCE);
		MX_DW_OID(&a[na], MX_OID_FRIENDLY_NAME);
		mx_dw_open(&a[na], MX_TAG_SET);
		mx_dw_prim(&a[na], MX_TAG_BMP_STRING, id->name_bmp, id->name_len);
		mx_dw_close(&a[na]);
		mx_dw_close(&a[na]);
		na++;
	}
	mx_dw_open(&a[na], MX_TAG_SEQUENCE);
	MX_DW_OID(&a[na], MX_OID_LOCAL_KEY_ID);
	mx_dw_open(&a[na], MX_TAG_SET);
	mx_dw_prim(&a[na], MX_TAG_OCTET_STRING, id->key_id, sizeof(id->key_id));
	mx_dw_close(&a[na]);
	mx_dw_close(&a[na]);
	na++;
	mx_dw_open(dst, MX_TAG_SET);
	for (i = 0; i < na; i++) {
		if (mx_dw_finish(&a[i]) != 0)
			dst->failed = MXTLS_ERR_NOMEM;
	}
	if (na == 2 && !dst->failed && der_set_cmp(&a[0], &a[1]) > 0) {
		mx_dw_raw(dst, a[1].p, a[1].len);
		mx_dw_raw(dst, a[0].p, a[0].len);
	} else {
		for (i = 0; i < na && !dst->failed; i++)
			mx_dw_raw(dst, a[i].p, a[i].len);
	}
	mx_dw_close(dst);
	mx_dw_free(&a[0]);
	mx_dw_free(&a[1]);
}

/* SafeContents of the certBags: the leaves with their attributes, chains and extras. */
static int cert_safe(struct fin *f, struct mx_dw *sc)
{
	size_t i;

	mx_dw_open(sc, MX_TAG_SEQUENCE);
	for (i = 0; i < f->w->ncerts; i++) {
		const struct wcert *c = &f->w->certs[i];
		mx_dw_open(sc, MX_TAG_SEQUENCE); /* SafeBag */
		MX_DW_OID(sc, MX_OID_CERT_BAG);
		mx_dw_open(sc, MX_TAG_CTX_CONS(0));
		mx_dw_open(sc, MX_TAG_SEQUENCE); /* CertBag */
		MX_DW_OID(sc, MX_OID_X509_CERT);
		mx_dw_open(sc, MX_TAG_CTX_CONS(0));
		mx_dw_prim(sc, MX_TAG_OCTET_STRING, c->der, c->len);
		mx_dw_close(sc);
		mx_dw_close(sc);
		mx_dw_close(sc);
		if (c->leaf_of >= 0)
			write_attrs(sc, &f->w->ids[c->leaf_of]);
		mx_dw_close(sc);
	}
	mx_dw_close(sc);
	return mx_dw_finish(sc) ? mx_err(f->err, MXTLS_ERR_NOMEM, "out of memory") : 0;
}

/* SafeContents of the pkcs8ShroudedKeyBags. */
static int key_safe(struct fin *f, struct mx_dw *sc)
{
	size_t i;
	int ret = 0;

	mx_dw_open(sc, MX_TAG_SEQUENCE);
	for (i = 0; i < f->w->nids && ret == 0; i++) {
		const struct wident *id = &f->w->ids[i];
		mx_dw_open(sc, MX_TAG_SEQUENCE); /* SafeBag */
		MX_DW_OID(sc, MX_OID_SHROUDED_KEY_BAG);
		mx_dw_open(sc, MX_TAG_CTX_CONS(0));
		mx_dw_open(sc, MX_TAG_SEQUENCE); /* EncryptedPrivateKeyInfo */
		ret = encrypt_to(f, id->pkcs8, id->pkcs8_len, sc, MX_TAG_OCTET_STRING);
		mx_dw_close(sc);
		mx_dw_close(sc);
		write_attrs(sc, id);
		mx_dw_close(sc);
	}
	mx_dw_close(sc);
	if (ret == 0 && mx_dw_finish(sc) != 0)
		ret = mx_err(f->err, MXTLS_ERR_NOMEM, "out of memory");
	return ret;
}

/* MacData over the authSafe content: classic HMAC (PKCS#12 KDF) or PBMAC1 (RFC 9579). */
static int mac_data(struct fin *f, const uint8_t *data, size_t len, struct mx_dw *dst)
{
	int compat = f->w->profile == MXTLS_PKCS12_PROFILE_COMPAT;
	int pbmac1 = f->w->profile == MXTLS_PKCS12_PROFILE_PBMAC1;
	mbedtls_md_type_t md = compat ? MBEDTLS_MD_SHA1 : MBEDTLS_MD_SHA256;
	size_t mdlen = compat ? 20 : 32, saltlen = compat ? COMPAT_SALT : MODERN_SALT;
	uint8_t salt[MODERN_SALT], key[32], mac[32];
	int ret;

	ret = rnd(f, salt, saltlen);
	if (ret != 0)
		return ret;
	if (pbmac1)
		/* RFC 9579: PBKDF2 over the UTF-8 password; keyLength 32 for HMAC-SHA256. */
		ret = mx_pbkdf2_hmac(md, f->pw.utf8.p, f->pw.utf8.len, salt, saltlen,
				     f->w->iterations, key, 32);
	else
		/* RFC 7292 B.2 with ID 3 over the BMPString, key as long as the digest. */
		ret = mx_pkcs12_kdf(md, 3, f->pw.bmp.p, f->pw.bmp.len, salt, saltlen,
				    f->w->iterations, key, mdlen);
	if (ret == 0)
		ret = mx_hmac(md, key, mdlen, data, len, mac);
	mx_wipe(key, sizeof(key));
	if (ret != 0)
		return mx_err(f->err, MXTLS_ERR_INTERNAL, "MAC computation failed");

	/* MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER } */
	mx_dw_open(dst, MX_TAG_SEQUENCE);
	mx_dw_open(dst, MX_TAG_SEQUENCE); /* DigestInfo */
	mx_dw_open(dst, MX_TAG_SEQUENCE); /* digestAlgorithm */
	if (pbmac1) {
		MX_DW_OID(dst, MX_OID_PBMAC1);
		mx_dw_open(dst, MX_TAG_SEQUENCE); /* PBMAC1-params */
		mx_dw_open(dst, MX_TAG_SEQUENCE); /* keyDerivationFunc */
		MX_DW_OID(dst, MX_OID_PBKDF2);
		mx_dw_open(dst, MX_TAG_SEQUENCE);
		mx_dw_prim(dst, MX_TAG_OCTET_STRING, salt, saltlen);
		mx_dw_uint(dst, f->w->iterations);
		mx_dw_uint(dst, 32); /* keyLength: required by RFC 9579 */
		mx_dw_open(dst, MX_TAG_SEQUENCE);
		MX_DW_OID(dst, MX_OID_HMAC_SHA256);
		mx_dw_null(dst);
		mx_dw_close(dst);
		mx_dw_close(dst);
		mx_dw_close(dst);
		mx_dw_open(dst, MX_TAG_SEQUENCE); /* messageAuthScheme */
		MX_DW_OID(dst, MX_OID_HMAC_SHA256);
		mx_dw_null(dst);
		mx_dw_close(dst);
		mx_dw_close(dst);
	} else if (compat) {
		MX_DW_OID(dst, MX_OID_SHA1);
		mx_dw_null(dst);
	} else {
		MX_DW_OID(dst, MX_OID_SHA256);
		mx_dw_null(dst);
	}
	mx_dw_close(dst);
	mx_dw_prim(dst, MX_TAG_OCTET_STRING, mac, mdlen);
	mx_dw_close(dst);
	/*
	 * RFC 9579 readers ignore macSalt and iterations; like OpenSSL 3.4 we
	 * repeat the PBKDF2 salt and count there, so older readers see sane values.
	 */
	mx_dw_prim(dst, MX_TAG_OCTET_STRING, salt, saltlen);
	mx_dw_uint(dst, f->w->iterations);
	mx_dw_close(dst);
	return 0;
}

/* Cost the loader charges to its MXTLS_MAX_KDF_BUDGET when it opens what we write. */
static uint64_t kdf_cost(const mxtls_pkcs12_writer *w)
{
	/* 3DES: two SHA-1 blocks of key plus one of IV; PBES2/AES-256: one SHA-256 block. */
	uint64_t per = w->profile == MXTLS_PKCS12_PROFILE_COMPAT ? 3 : 1;
	uint64_t n = w->nids * per + (w->ncerts ? per : 0) + 1;

	return n * w->iterations;
}

int mxtls_pkcs12_writer_finish(mxtls_pkcs12_writer *w, const char *password, size_t password_len,
			       unsigned char **der, size_t *der_len, mxtls_error *err)
{
	struct mx_dw keys, certs, as, pfx;
	struct fin f;
	mxtls_error local;
	char *pwcopy = NULL;
	int ret = 0;

	err = mx_writer_err(err, &local);
	mx_err_clear(err);
	if (der != NULL)
		*der = NULL;
	if (der_len != NULL)
		*der_len = 0;
	if (w == NULL || der == NULL || der_len == NULL || (password == NULL && password_len > 0))
		return mx_err(err, MXTLS_ERR_USAGE, "writer, der or der_len is NULL, or password "
						    "is NULL with a length"),
		       -1;
	if (password_len > MXTLS_MAX_PASSWORD_BYTES)
		return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED, "the password is longer than %u bytes",
			      MXTLS_MAX_PASSWORD_BYTES),
		       -1;
	if (password_len > 0 && memchr(password, 0, password_len) != NULL)
		return mx_err(err, MXTLS_ERR_USAGE, "the password contains a NUL byte"), -1;
	if (w->nids == 0)
		return mx_err(err, MXTLS_ERR_NO_KEY,
			      "no identity added: the loader needs a private key with its "
			      "certificate"),
		       -1;
	if (kdf_cost(w) > MXTLS_MAX_KDF_BUDGET)
		return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED,
			      "%zu identities at %u iterations exceed the loader's key-derivation "
			      "budget of %u",
			      w->nids, (unsigned)w->iterations, MXTLS_MAX_KDF_BUDGET),
		       -1;

	memset(&f, 0, sizeof(f));
	f.w = w;
	f.err = err;
	pwcopy = malloc(password_len + 1);
	if (pwcopy == NULL)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory"), -1;
	if (password_len)
		memcpy(pwcopy, password, password_len);
	pwcopy[password_len] = 0;
	ret = mx_password_init(&f.pw, pwcopy);
	mx_freezero(pwcopy, password_len + 1);
	if (ret != 0)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory"), -1;

	mx_dw_init(&keys);
	mx_dw_init(&certs);
	mx_dw_init(&as);
	mx_dw_init(&pfx);
	ret = cert_safe(&f, &certs);
	if (ret == 0)
		ret = key_safe(&f, &keys);
	if (ret != 0)
		goto out;

	/* AuthenticatedSafe: the certificates' EncryptedData, then the keys' Data. */
	mx_dw_open(&as, MX_TAG_SEQUENCE);
	mx_dw_open(&as, MX_TAG_SEQUENCE); /* ContentInfo */
	MX_DW_OID(&as, MX_OID_ENCRYPTED_DATA);
	mx_dw_open(&as, MX_TAG_CTX_CONS(0));
	mx_dw_open(&as, MX_TAG_SEQUENCE); /* EncryptedData */
	mx_dw_uint(&as, 0);
	mx_dw_open(&as, MX_TAG_SEQUENCE); /* EncryptedContentInfo */
	MX_DW_OID(&as, MX_OID_DATA);
	ret = encrypt_to(&f, certs.p, certs.len, &as, MX_TAG_CTX(0));
	mx_dw_close(&as);
	mx_dw_close(&as);
	mx_dw_close(&as);
	mx_dw_close(&as);
	mx_dw_open(&as, MX_TAG_SEQUENCE); /* ContentInfo */
	MX_DW_OID(&as, MX_OID_DATA);
	mx_dw_open(&as, MX_TAG_CTX_CONS(0));
	mx_dw_prim(&as, MX_TAG_OCTET_STRING, keys.p, keys.len);
	mx_dw_close(&as);
	mx_dw_close(&as);
	mx_dw_close(&as);
	if (ret == 0 && mx_dw_finish(&as) != 0)
		ret = mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	if (ret != 0)
		goto out;

	mx_dw_open(&pfx, MX_TAG_SEQUENCE);
	mx_dw_uint(&pfx, 3);
	mx_dw_open(&pfx, MX_TAG_SEQUENCE); /* authSafe ContentInfo */
	MX_DW_OID(&pfx, MX_OID_DATA);
	mx_dw_open(&pfx, MX_TAG_CTX_CONS(0));
	mx_dw_prim(&pfx, MX_TAG_OCTET_STRING, as.p, as.len);
	mx_dw_close(&pfx);
	mx_dw_close(&pfx);
	ret = mac_data(&f, as.p, as.len, &pfx);
	mx_dw_close(&pfx);
	if (ret == 0 && mx_dw_finish(&pfx) != 0)
		ret = mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	if (ret != 0)
		goto out;
	if (pfx.len > MXTLS_MAX_INPUT_BYTES) {
		ret = mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED,
			     "the container would be %zu bytes, over the loader's limit of %u",
			     pfx.len, MXTLS_MAX_INPUT_BYTES);
		goto out;
	}
	/* One byte more than the length: mxtls_free_secret() wipes len + 1 bytes. */
	*der = malloc(pfx.len + 1);
	if (*der == NULL) {
		ret = mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*der, pfx.p, pfx.len);
	(*der)[pfx.len] = 0;
	*der_len = pfx.len;
out:
	mx_dw_free(&keys);
	mx_dw_free(&certs);
	mx_dw_free(&as);
	mx_dw_free(&pfx);
	mx_password_free(&f.pw);
	return ret == 0 ? 0 : -1;
}
