/*
 * Private keys as users have them: PKCS#8 PrivateKeyInfo, PKCS#8
 * EncryptedPrivateKeyInfo (PBES2 or the PKCS#12 PBEs, through the loader's
 * mxtls_pbe.c), PKCS#1 RSAPrivateKey, SEC1 ECPrivateKey, and OpenSSL's legacy
 * "Proc-Type: 4,ENCRYPTED" PEM (EVP_BytesToKey-MD5 + AES-CBC / DES-EDE3-CBC).
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/cipher.h>
#include <mbedtls/md.h>

#include "mxtls_asn1.h"
#include "mxtls_error.h"
#include "mxtls_oid.h"
#include "mxtls_pbe.h"
#include "mxtls_pkcs12_int.h"
#include "mxtls_util.h"
#include "read_int.h"

#define PUBKEY_MAX 2600

void mx_key_clear(struct mxtls_key *k)
{
	if (k == NULL)
		return;
	mbedtls_pk_free(&k->pk); /* zeroizes */
	mbedtls_pk_init(&k->pk);
	free(k->alias);
	k->alias = NULL;
}

int mx_evp_bytes_to_key_md5(const uint8_t *pw, size_t pwlen, const uint8_t salt[8], uint8_t *key,
			    size_t keylen)
{
	const mbedtls_md_info_t *md5 = mbedtls_md_info_from_type(MBEDTLS_MD_MD5);
	mbedtls_md_context_t ctx;
	uint8_t d[16];
	size_t have = 0, n;
	int ret = 0, first = 1;

	if (md5 == NULL)
		return -1;
	mbedtls_md_init(&ctx);
	if (mbedtls_md_setup(&ctx, md5, 0) != 0) {
		mbedtls_md_free(&ctx);
		return -1;
	}
	/* D_i = MD5(D_{i-1} || password || salt); key = D_1 || D_2 || ... */
	while (have < keylen && ret == 0) {
		ret = mbedtls_md_starts(&ctx);
		if (ret == 0 && !first)
			ret = mbedtls_md_update(&ctx, d, sizeof(d));
		if (ret == 0 && pwlen)
			ret = mbedtls_md_update(&ctx, pw, pwlen);
		if (ret == 0)
			ret = mbedtls_md_update(&ctx, salt, 8);
		if (ret == 0)
			ret = mbedtls_md_finish(&ctx, d);
		first = 0;
		n = keylen - have < sizeof(d) ? keylen - have : sizeof(d);
		if (ret == 0)
			memcpy(key + have, d, n);
		have += n;
	}
	mx_wipe(d, sizeof(d));
	mbedtls_md_free(&ctx);
	return ret == 0 ? 0 : -1;
}

/* The named curve, from the SubjectPublicKeyInfo mbedTLS writes (its EC group is private in 3.6). */
static const char *curve_of(const mbedtls_pk_context *pk)
{
	static const struct {
		const uint8_t *oid;
		size_t len;
		const char *name;
	} curves[] = {{MX_OID_P256, sizeof(MX_OID_P256), "P-256"},
		      {MX_OID_P384, sizeof(MX_OID_P384), "P-384"},
		      {MX_OID_P521, sizeof(MX_OID_P521), "P-521"}};
	uint8_t buf[PUBKEY_MAX];
	struct mx_asn1 c, spki, alg;
	struct mx_tlv oid, curve;
	size_t i;
	int n = mbedtls_pk_write_pubkey_der((mbedtls_pk_context *)(uintptr_t)pk, buf, sizeof(buf));

	if (n <= 0)
		return NULL;
	mx_asn1_init(&c, buf + sizeof(buf) - n, (size_t)n);
	if (mx_asn1_enter(&c, MX_TAG_SEQUENCE, &spki) != 0 ||
	    mx_asn1_enter(&spki, MX_TAG_SEQUENCE, &alg) != 0 ||
	    mx_asn1_expect(&alg, MX_TAG_OID, &oid) != 0 ||
	    mx_asn1_expect(&alg, MX_TAG_OID, &curve) != 0)
		return NULL;
	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (mx_asn1_oid_eq(&curve, curves[i].oid, curves[i].len))
			return curves[i].name;
	return NULL;
}

/* Parse unencrypted DER (PKCS#8 / PKCS#1 / SEC1) with mbedTLS and describe the key. */
static int parse_plain(struct mxtls_key *k, const uint8_t *der, size_t len, const char *what,
		       mbedtls_ctr_drbg_context *rng, mxtls_error *err)
{
	uint8_t *copy;
	int ret;

	copy = malloc(len + 1);
	if (copy == NULL)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	memcpy(copy, der, len);
	copy[len] = 0;
	ret = mbedtls_pk_parse_key(&k->pk, copy, len, NULL, 0, mbedtls_ctr_drbg_random, rng);
	mx_freezero(copy, len + 1);
	if (ret == MBEDTLS_ERR_PK_UNKNOWN_PK_ALG || ret == MBEDTLS_ERR_PK_UNKNOWN_NAMED_CURVE ||
	    ret == MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE)
		return mx_err(err, MXTLS_ERR_UNSUPPORTED_KEY,
			      "%s: a key type or curve mbedTLS cannot use (-0x%04x)", what,
			      (unsigned)-ret);
	if (ret != 0)
		return mx_err(err, MXTLS_ERR_CORRUPT, "%s: malformed private key (mbedTLS -0x%04x)",
			      what, (unsigned)-ret);
	k->bits = mbedtls_pk_get_bitlen(&k->pk);
	if (mbedtls_pk_get_type(&k->pk) == MBEDTLS_PK_RSA) {
		k->type = MXTLS_KEY_RSA;
	} else if (mbedtls_pk_get_type(&k->pk) == MBEDTLS_PK_ECKEY) {
		k->type = MXTLS_KEY_EC;
		k->curve = curve_of(&k->pk);
		if (k->curve == NULL)
			return mx_err(err, MXTLS_ERR_UNSUPPORTED_KEY,
				      "%s: EC key not on P-256, P-384 or P-521", what);
	} else {
		return mx_err(err, MXTLS_ERR_UNSUPPORTED_KEY, "%s: neither an RSA nor an EC key",
			      what);
	}
	return 0;
}

/* PrivateKeyInfo: name the algorithm OID of a key type we do not use, before mbedTLS. */
static int pkcs8_algorithm(const uint8_t *der, size_t len, const char *what, mxtls_error *err)
{
	struct mx_asn1 c, seq, alg;
	struct mx_tlv t, oid;
	char s[96];

	mx_asn1_init(&c, der, len);
	if (mx_asn1_enter(&c, MX_TAG_SEQUENCE, &seq) != 0 ||
	    mx_asn1_expect(&seq, MX_TAG_INTEGER, &t) != 0 ||
	    mx_asn1_enter(&seq, MX_TAG_SEQUENCE, &alg) != 0 ||
	    mx_asn1_expect(&alg, MX_TAG_OID, &oid) != 0)
		return mx_err(err, MXTLS_ERR_CORRUPT, "%s: malformed PKCS#8 PrivateKeyInfo", what);
	if (MX_OID_EQ(&oid, MX_OID_RSA) || MX_OID_EQ(&oid, MX_OID_EC_PUBLIC_KEY))
		return 0;
	mx_asn1_oid_str(&oid, s, sizeof(s));
	return mx_err(err, MXTLS_ERR_UNSUPPORTED_KEY,
		      "%s: key algorithm %s%s (RSA and EC keys are used)", what, s,
		      MX_OID_EQ(&oid, MX_OID_ED25519)	? " (Ed25519)"
		      : MX_OID_EQ(&oid, MX_OID_ED448)	? " (Ed448)"
		      : MX_OID_EQ(&oid, MX_OID_RSA_PSS) ? " (RSASSA-PSS)"
		      : MX_OID_EQ(&oid, MX_OID_DSA)	? " (DSA)"
							: "");
}

/* EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET STRING } */
static int read_encrypted_pkcs8(struct mxtls_key *k, const uint8_t *der, size_t len,
				const char *password, size_t pwlen, mbedtls_ctr_drbg_context *rng,
				mxtls_error *err)
{
	struct mx_load ld;
	struct mx_asn1 c, seq;
	struct mx_tlv alg, data;
	const uint8_t *ct;
	uint8_t *plain = NULL;
	size_t ctlen, plen = 0;
	char *pw = NULL;
	int ret;

	mx_asn1_init(&c, der, len);
	if (mx_asn1_enter(&c, MX_TAG_SEQUENCE, &seq) != 0 ||
	    mx_asn1_expect(&seq, MX_TAG_SEQUENCE, &alg) != 0 || mx_asn1_next(&seq, &data) != 0 ||
	    mx_asn1_done(&seq) != 0 || mx_asn1_done(&c) != 0)
		return mx_err(err, MXTLS_ERR_CORRUPT, "malformed PKCS#8 EncryptedPrivateKeyInfo");
	memset(&ld, 0, sizeof(ld));
	ld.err = err;
	ld.out = calloc(1, sizeof(*ld.out)); /* collects the scheme's description and warnings */
	pw = malloc(pwlen + 1);
	if (ld.out == NULL || pw == NULL) {
		ret = mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (pwlen)
		memcpy(pw, password, pwlen);
	pw[pwlen] = '\0';
	ret = mx_password_init(&ld.pw, pw);
	if (ret != 0) {
		ret = mx_err(err, ret == -1 ? MXTLS_ERR_LIMIT_EXCEEDED : MXTLS_ERR_NOMEM,
			     "password too long or out of memory");
		goto out;
	}
	ret = mx_octets(&ld, &data, &ct, &ctlen, "encrypted PKCS#8 key");
	if (ret < 0)
		goto out;
	ret = mx_pbe_decrypt(&ld, &alg, ct, ctlen, &plain, &plen, "encrypted PKCS#8 key");
	if (ret < 0)
		goto out;
	/* Padding and one SEQUENCE matched: a key that does not parse now is damaged, not a wrong password. */
	ret = pkcs8_algorithm(plain, plen, "decrypted PKCS#8 key", err);
	if (ret == 0)
		ret = parse_plain(k, plain, plen, "decrypted PKCS#8 key", rng, err);
	if (ret == 0)
		snprintf(k->form, sizeof(k->form), "encrypted PKCS#8 (%s)",
			 ld.out->nenc ? ld.out->enc_algs[0] : "?");
out:
	if (plain)
		mx_freezero(plain, plen);
	if (pw)
		mx_freezero(pw, pwlen + 1);
	mx_password_free(&ld.pw);
	for (size_t i = 0; i < ld.nbufs; i++)
		mx_freezero(ld.bufs[i], ld.buf_lens[i]);
	free(ld.bufs);
	free(ld.buf_lens);
	mxtls_pkcs12_free(ld.out);
	return ret;
}

static int unhex(const char *s, size_t n, uint8_t *out)
{
	size_t i;

	for (i = 0; i < 2 * n; i++) {
		char ch = s[i];
		int v = ch >= '0' && ch <= '9'	 ? ch - '0'
			: ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
			: ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
						 : -1;
		if (v < 0)
			return -1;
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(v << 4);
		else
			out[i / 2] |= (uint8_t)v;
	}
	return s[2 * n] == '\0' ? 0 : -1;
}

/* "Proc-Type: 4,ENCRYPTED" + "DEK-Info: CIPHER,IVHEX": OpenSSL's traditional encrypted PEM. */
static int read_legacy(struct mxtls_key *k, enum mx_keyform form, const uint8_t *ct, size_t ctlen,
		       const char *dek_info, const char *password, size_t pwlen,
		       mbedtls_ctr_drbg_context *rng, mxtls_error *err)
{
	static const struct {
		const char *name;
		mbedtls_cipher_type_t type;
		size_t keylen, ivlen;
	} ciphers[] = {
		{"AES-128-CBC", MBEDTLS_CIPHER_AES_128_CBC, 16, 16},
		{"AES-192-CBC", MBEDTLS_CIPHER_AES_192_CBC, 24, 16},
		{"AES-256-CBC", MBEDTLS_CIPHER_AES_256_CBC, 32, 16},
		{"DES-EDE3-CBC", MBEDTLS_CIPHER_DES_EDE3_CBC, 24, 8},
	};
	const char *comma = strchr(dek_info, ',');
	mbedtls_cipher_context_t ctx;
	uint8_t key[32], iv[16];
	uint8_t *plain = NULL;
	size_t i, olen = 0, namelen, pad;
	int ret;

	namelen = comma ? (size_t)(comma - dek_info) : strlen(dek_info);
	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (strlen(ciphers[i].name) == namelen &&
		    memcmp(ciphers[i].name, dek_info, namelen) == 0)
			break;
	if (i == sizeof(ciphers) / sizeof(ciphers[0]))
		return mx_err(err, MXTLS_ERR_UNSUPPORTED_ALGORITHM,
			      "legacy PEM encryption \"%.*s\" (AES-128/192/256-CBC and DES-EDE3-CBC "
			      "are read)",
			      (int)(namelen > 40 ? 40 : namelen), dek_info);
	if (comma == NULL || strlen(comma + 1) != 2 * ciphers[i].ivlen ||
	    unhex(comma + 1, ciphers[i].ivlen, iv) != 0)
		return mx_err(err, MXTLS_ERR_CORRUPT, "malformed DEK-Info IV for %s", ciphers[i].name);
	if (ctlen == 0 || ctlen % ciphers[i].ivlen != 0)
		return mx_err(err, MXTLS_ERR_CORRUPT,
			      "encrypted key is not a whole number of %s blocks", ciphers[i].name);
	if (pwlen == 0)
		return mx_err(err, MXTLS_ERR_WRONG_PASSWORD,
			      "the key is encrypted (%s) and no password was given", ciphers[i].name);
	if (mx_evp_bytes_to_key_md5((const uint8_t *)password, pwlen, iv, key, ciphers[i].keylen))
		return mx_err(err, MXTLS_ERR_INTERNAL, "MD5 is not available");
	plain = malloc(ctlen);
	if (plain == NULL) {
		mx_wipe(key, sizeof(key));
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	}
	mbedtls_cipher_init(&ctx);
	ret = mbedtls_cipher_setup(&ctx, mbedtls_cipher_info_from_type(ciphers[i].type));
	if (ret == 0)
		ret = mbedtls_cipher_setkey(&ctx, key, (int)(ciphers[i].keylen * 8), MBEDTLS_DECRYPT);
	if (ret == 0)
		ret = mbedtls_cipher_set_padding_mode(&ctx, MBEDTLS_PADDING_NONE);
	if (ret == 0)
		ret = mbedtls_cipher_crypt(&ctx, iv, ciphers[i].ivlen, ct, ctlen, plain, &olen);
	mbedtls_cipher_free(&ctx);
	mx_wipe(key, sizeof(key));
	if (ret != 0 || olen != ctlen) {
		mx_freezero(plain, ctlen);
		return mx_err(err, MXTLS_ERR_INTERNAL, "%s decryption failed", ciphers[i].name);
	}
	/* A wrong key gives bad padding or bytes that are not one SEQUENCE. */
	pad = plain[ctlen - 1];
	ret = pad == 0 || pad > ciphers[i].ivlen;
	for (size_t j = ctlen - (ret ? 0 : pad); !ret && j < ctlen; j++)
		ret = plain[j] != pad;
	if (!ret) {
		struct mx_asn1 c;
		struct mx_tlv t;
		mx_asn1_init(&c, plain, ctlen - pad);
		ret = !(mx_asn1_next(&c, &t) == MX_ASN1_OK && t.tag == MX_TAG_SEQUENCE &&
			mx_asn1_done(&c) == MX_ASN1_OK);
	}
	if (ret) {
		mx_freezero(plain, ctlen);
		return mx_err(err, MXTLS_ERR_WRONG_PASSWORD,
			      "the password does not decrypt the key (legacy PEM %s)",
			      ciphers[i].name);
	}
	ret = parse_plain(k, plain, ctlen - pad, "decrypted key", rng, err);
	mx_freezero(plain, ctlen);
	if (ret == 0)
		snprintf(k->form, sizeof(k->form), "%s, legacy PEM encryption %s",
			 form == MX_KEYFORM_SEC1 ? "SEC1" : "PKCS#1", ciphers[i].name);
	return ret;
}

/* Which form a DER key is, by its structure (see mx_key_read). */
static enum mx_keyform classify(const uint8_t *der, size_t len, size_t *bad_offset)
{
	struct mx_asn1 c, seq;
	struct mx_tlv a, b;
	uint64_t v;

	*bad_offset = 0;
	mx_asn1_init(&c, der, len);
	if (mx_asn1_enter(&c, MX_TAG_SEQUENCE, &seq) != 0)
		return MX_KEYFORM_DER_ANY;
	if (mx_asn1_done(&c) != 0) {
		*bad_offset = (size_t)(c.p - der);
		return MX_KEYFORM_DER_ANY;
	}
	*bad_offset = (size_t)(seq.p - der);
	if (mx_asn1_next(&seq, &a) != 0)
		return MX_KEYFORM_DER_ANY;
	*bad_offset = (size_t)(seq.p - der);
	if (mx_asn1_next(&seq, &b) != 0)
		return MX_KEYFORM_DER_ANY;
	if (a.tag == MX_TAG_SEQUENCE && b.tag == MX_TAG_OCTET_STRING)
		return MX_KEYFORM_PKCS8_ENCRYPTED;
	if (a.tag != MX_TAG_INTEGER || mx_asn1_tlv_uint(&a, 255, &v) != 0)
		return MX_KEYFORM_DER_ANY;
	if (b.tag == MX_TAG_SEQUENCE)
		return MX_KEYFORM_PKCS8;
	if (v == 0 && b.tag == MX_TAG_INTEGER)
		return MX_KEYFORM_PKCS1;
	if (v == 1 && b.tag == MX_TAG_OCTET_STRING)
		return MX_KEYFORM_SEC1;
	return MX_KEYFORM_DER_ANY;
}

int mx_key_read(struct mxtls_key *k, enum mx_keyform form, const uint8_t *der, size_t len,
		const char *dek_info, const char *password, size_t pwlen,
		mbedtls_ctr_drbg_context *rng, mxtls_error *err)
{
	size_t off = 0;
	int ret;

	memset(k, 0, sizeof(*k));
	mbedtls_pk_init(&k->pk);
	if (len == 0)
		return mx_err(err, MXTLS_ERR_CORRUPT, "empty key");
	if (len > MX_READ_MAX_KEY_DER)
		return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED, "key of %zu bytes exceeds %u", len,
			      MX_READ_MAX_KEY_DER);
	if (dek_info != NULL && dek_info[0] != '\0')
		ret = read_legacy(k, form, der, len, dek_info, password, pwlen, rng, err);
	else {
		enum mx_keyform got = classify(der, len, &off);
		if (got == MX_KEYFORM_DER_ANY)
			return mx_err(err, MXTLS_ERR_CORRUPT,
				      "offset %zu: not a PKCS#8, PKCS#1 or SEC1 private key", off);
		if (form != MX_KEYFORM_DER_ANY && form != got &&
		    !(form == MX_KEYFORM_PKCS8 && got == MX_KEYFORM_PKCS8_ENCRYPTED))
			return mx_err(err, MXTLS_ERR_CORRUPT,
				      "the key's structure does not match its PEM label");
		form = got;
		if (form == MX_KEYFORM_PKCS8_ENCRYPTED) {
			ret = read_encrypted_pkcs8(k, der, len, password, pwlen, rng, err);
		} else {
			ret = form == MX_KEYFORM_PKCS8 ? pkcs8_algorithm(der, len, "PKCS#8 key", err)
						       : 0;
			if (ret == 0)
				ret = parse_plain(k, der, len,
						  form == MX_KEYFORM_PKCS8   ? "PKCS#8 key"
						  : form == MX_KEYFORM_PKCS1 ? "PKCS#1 RSA key"
									     : "SEC1 EC key",
						  rng, err);
			if (ret == 0)
				snprintf(k->form, sizeof(k->form), "%s",
					 form == MX_KEYFORM_PKCS8   ? "PKCS#8"
					 : form == MX_KEYFORM_PKCS1 ? "PKCS#1"
								    : "SEC1");
		}
	}
	if (ret != 0)
		mx_key_clear(k);
	return ret;
}

int mx_key_raw_der(const struct mxtls_key *k, uint8_t **der, size_t *len, mxtls_error *err)
{
	uint8_t *buf = malloc(MX_READ_MAX_KEY_DER);
	int n;

	*der = NULL;
	*len = 0;
	if (buf == NULL)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	n = mbedtls_pk_write_key_der((mbedtls_pk_context *)(uintptr_t)&k->pk, buf,
				     MX_READ_MAX_KEY_DER);
	if (n <= 0) {
		mx_freezero(buf, MX_READ_MAX_KEY_DER);
		return mx_err(err, MXTLS_ERR_INTERNAL, "cannot encode the private key (-0x%04x)",
			      (unsigned)-n);
	}
	memmove(buf, buf + MX_READ_MAX_KEY_DER - n, (size_t)n);
	mx_wipe(buf + n, MX_READ_MAX_KEY_DER - (size_t)n);
	*der = buf;
	*len = (size_t)n;
	return 0;
}

int mx_key_matches(const struct mxtls_key *k, const mbedtls_x509_crt *crt)
{
	uint8_t a[PUBKEY_MAX], b[PUBKEY_MAX];
	int na, nb;

	if (mbedtls_pk_get_type(&k->pk) != mbedtls_pk_get_type(&crt->pk))
		return 0;
	na = mbedtls_pk_write_pubkey_der((mbedtls_pk_context *)(uintptr_t)&k->pk, a, sizeof(a));
	nb = mbedtls_pk_write_pubkey_der((mbedtls_pk_context *)(uintptr_t)&crt->pk, b, sizeof(b));
	return na > 0 && na == nb && memcmp(a + sizeof(a) - na, b + sizeof(b) - nb, (size_t)na) == 0;
}
