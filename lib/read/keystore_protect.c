/*
 * The two ways Java keystores protect a private key, each inside an
 * EncryptedPrivateKeyInfo whose plaintext is a PKCS#8 PrivateKeyInfo:
 *
 *  - 1.3.6.1.4.1.42.2.17.1.1, Sun's JDK 1.2 key protector (JKS; JCEKS reads
 *    it too), sun.security.provider.KeyProtector: the data is
 *    salt(20) || key XOR keystream || check(20), where the keystream is
 *    D1 || D2 || ... with D1 = SHA-1(P || salt), Di = SHA-1(P || Di-1), and
 *    check = SHA-1(P || key); P is the password's Java chars as UTF-16BE.
 *    The check tells a wrong password for certain.
 *
 *  - 1.3.6.1.4.1.42.2.19.1, PBEWithMD5AndTripleDES (JCEKS),
 *    com.sun.crypto.provider.PBES1Core: parameters SEQUENCE { salt OCTET
 *    STRING (8), iterationCount INTEGER }. Each salt half h (the first one
 *    reversed when both halves are equal) gives 16 bytes: D = MD5(h || P),
 *    then iterationCount - 1 times D = MD5(D || P). Key = the first 24 of the
 *    32 bytes, IV = the last 8; 3DES-CBC with PKCS#5 padding. P is the
 *    password as bytes: Java 17 refuses any password that is not printable
 *    ASCII there ("Password is not ASCII"), Java 21 and later take its UTF-8,
 *    so the UTF-8 bytes serve both. JDKs before 8 swapped the equal halves
 *    with a typo ([3,0,1,3] instead of [3,2,1,0]); that form is tried when
 *    the first does not decrypt. A wrong password shows as bad padding or a
 *    plaintext that is not one SEQUENCE.
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/cipher.h>
#include <mbedtls/constant_time.h>
#include <mbedtls/md5.h>
#include <mbedtls/sha1.h>

#include "mxtls_asn1.h"
#include "mxtls_error.h"
#include "mxtls_util.h"
#include "read_int.h"

#define SALT_LEN 20
#define SHA1_LEN 20

static const uint8_t OID_JDK_KEY_PROTECTOR[] = {0x2b, 0x06, 0x01, 0x04, 0x01,
                                                0x2a, 0x02, 0x11, 0x01, 0x01};
static const uint8_t OID_PBE_MD5_3DES[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x13, 0x01};

/* JDK 1.2 key protector: *plain gets the key (klen bytes) or wrong_password. */
static int jdk_unprotect(const uint8_t *d, size_t n, const struct mx_ks_pw *pw, uint8_t **plain,
                         size_t *plen, mxtls_error *err)
{
	mbedtls_sha1_context sha;
	uint8_t dig[SHA1_LEN];
	size_t klen, off, j;
	uint8_t *out;
	int ret = 0;

	if (n <= SALT_LEN + SHA1_LEN)
		return mx_err(err, MXTLS_ERR_CORRUPT,
		              "protected key of %zu bytes (its salt and check take 40)", n);
	klen = n - SALT_LEN - SHA1_LEN;
	out = malloc(klen);
	if (out == NULL)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	memcpy(dig, d, SALT_LEN);
	mbedtls_sha1_init(&sha);
	for (off = 0; off < klen && ret == 0; off += SHA1_LEN) {
		ret = mbedtls_sha1_starts(&sha);
		if (ret == 0)
			ret = mbedtls_sha1_update(&sha, pw->utf16be, pw->utf16be_len);
		if (ret == 0)
			ret = mbedtls_sha1_update(&sha, dig, SHA1_LEN);
		if (ret == 0)
			ret = mbedtls_sha1_finish(&sha, dig);
		for (j = 0; ret == 0 && j < SHA1_LEN && off + j < klen; j++)
			out[off + j] = d[SALT_LEN + off + j] ^ dig[j];
	}
	if (ret == 0)
		ret = mbedtls_sha1_starts(&sha);
	if (ret == 0)
		ret = mbedtls_sha1_update(&sha, pw->utf16be, pw->utf16be_len);
	if (ret == 0)
		ret = mbedtls_sha1_update(&sha, out, klen);
	if (ret == 0)
		ret = mbedtls_sha1_finish(&sha, dig);
	mbedtls_sha1_free(&sha);
	if (ret != 0) {
		mx_wipe(dig, sizeof(dig));
		mx_freezero(out, klen);
		return mx_err(err, MXTLS_ERR_INTERNAL, "SHA-1 failed");
	}
	ret = mbedtls_ct_memcmp(dig, d + SALT_LEN + klen, SHA1_LEN);
	mx_wipe(dig, sizeof(dig));
	if (ret != 0) {
		mx_freezero(out, klen);
		return mx_err(err, MXTLS_ERR_WRONG_PASSWORD,
		              "the key password does not open the key (its SHA-1 check fails; "
		              "JKS key protector)");
	}
	*plain = out;
	*plen = klen;
	return 0;
}

/* PBES1Core's DESede key and IV (32 bytes) from the password; legacy: the pre-8 salt swap. */
static int md5_3des_derive(const uint8_t salt8[8], int legacy, const struct mx_ks_pw *pw,
                           uint32_t iter, uint8_t out[32])
{
	mbedtls_md5_context md5;
	uint8_t s[8], t;
	uint32_t j;
	int i, ret = 0;

	memcpy(s, salt8, 8);
	if (memcmp(s, s + 4, 4) == 0) {
		if (legacy) { /* salt[3 - 1] = tmp: [s3, s0, s1, s3] */
			t = s[0];
			s[0] = s[3];
			s[2] = s[1];
			s[1] = t;
		} else { /* reversed: [s3, s2, s1, s0] */
			t = s[0], s[0] = s[3], s[3] = t;
			t = s[1], s[1] = s[2], s[2] = t;
		}
	}
	mbedtls_md5_init(&md5);
	for (i = 0; i < 2 && ret == 0; i++) {
		ret = mbedtls_md5_starts(&md5);
		if (ret == 0)
			ret = mbedtls_md5_update(&md5, s + 4 * i, 4);
		if (ret == 0)
			ret = mbedtls_md5_update(&md5, pw->utf8, pw->utf8_len);
		if (ret == 0)
			ret = mbedtls_md5_finish(&md5, out + 16 * i);
		for (j = 1; j < iter && ret == 0; j++) {
			ret = mbedtls_md5_starts(&md5);
			if (ret == 0)
				ret = mbedtls_md5_update(&md5, out + 16 * i, 16);
			if (ret == 0)
				ret = mbedtls_md5_update(&md5, pw->utf8, pw->utf8_len);
			if (ret == 0)
				ret = mbedtls_md5_finish(&md5, out + 16 * i);
		}
	}
	mbedtls_md5_free(&md5);
	mx_wipe(s, sizeof(s));
	return ret == 0 ? 0 : -1;
}

/* 3DES-CBC decrypt ct into plain; 1 if the result has PKCS#5 padding around one SEQUENCE. */
static int md5_3des_try(const uint8_t key_iv[32], const uint8_t *ct, size_t n, uint8_t *plain,
                        size_t *plen)
{
	mbedtls_cipher_context_t c;
	struct mx_asn1 cur;
	struct mx_tlv t;
	size_t olen = 0, pad, i;
	int ret;

	mbedtls_cipher_init(&c);
	ret = mbedtls_cipher_setup(&c, mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_DES_EDE3_CBC));
	if (ret == 0)
		ret = mbedtls_cipher_setkey(&c, key_iv, 192, MBEDTLS_DECRYPT);
	if (ret == 0)
		ret = mbedtls_cipher_set_padding_mode(&c, MBEDTLS_PADDING_NONE);
	if (ret == 0)
		ret = mbedtls_cipher_crypt(&c, key_iv + 24, 8, ct, n, plain, &olen);
	mbedtls_cipher_free(&c);
	if (ret != 0 || olen != n)
		return -1;
	pad = plain[n - 1];
	if (pad == 0 || pad > 8)
		return 0;
	for (i = n - pad; i < n; i++)
		if (plain[i] != pad)
			return 0;
	mx_asn1_init(&cur, plain, n - pad);
	if (mx_asn1_next(&cur, &t) != MX_ASN1_OK || t.tag != MX_TAG_SEQUENCE ||
	    mx_asn1_done(&cur) != MX_ASN1_OK)
		return 0;
	*plen = n - pad;
	return 1;
}

/* PBEWithMD5AndTripleDES: params are the AlgorithmIdentifier's rest. */
static int md5_3des_unprotect(struct mx_asn1 *params, const uint8_t *ct, size_t n,
                              const struct mx_ks_pw *pw, uint64_t *budget, uint8_t **plain,
                              size_t *plen, char *desc, size_t descsize, mxtls_error *err)
{
	struct mx_asn1 seq;
	struct mx_tlv salt;
	uint8_t key_iv[32];
	uint64_t iter;
	uint8_t *out;
	int legacy, ok = 0;

	if (mx_asn1_enter(params, MX_TAG_SEQUENCE, &seq) != 0 ||
	    mx_asn1_expect(&seq, MX_TAG_OCTET_STRING, &salt) != 0 ||
	    mx_asn1_get_uint(&seq, UINT32_MAX, &iter) != 0 || mx_asn1_done(&seq) != 0 ||
	    mx_asn1_done(params) != 0)
		return mx_err(err, MXTLS_ERR_CORRUPT,
		              "malformed PBEWithMD5AndTripleDES parameters");
	if (salt.len != 8)
		return mx_err(err, MXTLS_ERR_CORRUPT,
		              "PBEWithMD5AndTripleDES salt of %zu bytes (8 expected)", salt.len);
	if (iter == 0)
		return mx_err(err, MXTLS_ERR_CORRUPT, "PBEWithMD5AndTripleDES with 0 iterations");
	if (iter > MXTLS_MAX_KDF_ITERATIONS)
		return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED,
		              "PBEWithMD5AndTripleDES with %llu iterations (the limit is %u)",
		              (unsigned long long)iter, MXTLS_MAX_KDF_ITERATIONS);
	if (n == 0 || n % 8 != 0)
		return mx_err(err, MXTLS_ERR_CORRUPT,
		              "encrypted key of %zu bytes is not a whole number of 3DES blocks", n);
	snprintf(desc, descsize, "PBEWithMD5AndTripleDES, %llu iterations",
	         (unsigned long long)iter);
	out = malloc(n);
	if (out == NULL)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	/* The second form only exists for equal salt halves. */
	for (legacy = 0; legacy < 2 && !ok; legacy++) {
		if (legacy && memcmp(salt.val, salt.val + 4, 4) != 0)
			break;
		/* Two MD5 chains of iter each, charged to the load as the PKCS#12 KDFs are. */
		if (2 * iter > *budget) {
			mx_freezero(out, n);
			return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED,
			              "the keystore's key derivations exceed %u hash iterations",
			              MXTLS_MAX_KDF_BUDGET);
		}
		*budget -= 2 * iter;
		if (md5_3des_derive(salt.val, legacy, pw, (uint32_t)iter, key_iv) != 0 ||
		    (ok = md5_3des_try(key_iv, ct, n, out, plen)) < 0) {
			mx_wipe(key_iv, sizeof(key_iv));
			mx_freezero(out, n);
			return mx_err(err, MXTLS_ERR_INTERNAL, "MD5 or 3DES failed");
		}
	}
	mx_wipe(key_iv, sizeof(key_iv));
	if (!ok) {
		mx_freezero(out, n);
		return mx_err(err, MXTLS_ERR_WRONG_PASSWORD,
		              "the key password does not open the key (PBEWithMD5AndTripleDES; "
		              "bad padding or structure)");
	}
	mx_wipe(out + *plen, n - *plen); /* the padding */
	*plain = out;
	return 0;
}

int mx_ks_unprotect(int format, const uint8_t *epki, size_t len, const struct mx_ks_pw *pw,
                    uint64_t *budget, uint8_t **plain, size_t *plen, char *desc, size_t descsize,
                    mxtls_error *err)
{
	struct mx_asn1 c, seq, alg;
	struct mx_tlv oid, data;
	char s[96];

	*plain = NULL;
	*plen = 0;
	snprintf(desc, descsize, "?");
	/* EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, encryptedData OCTET STRING }
	 */
	mx_asn1_init(&c, epki, len);
	if (mx_asn1_enter(&c, MX_TAG_SEQUENCE, &seq) != 0 || mx_asn1_done(&c) != 0 ||
	    mx_asn1_enter(&seq, MX_TAG_SEQUENCE, &alg) != 0 ||
	    mx_asn1_expect(&alg, MX_TAG_OID, &oid) != 0 ||
	    mx_asn1_expect(&seq, MX_TAG_OCTET_STRING, &data) != 0 || mx_asn1_done(&seq) != 0)
		return mx_err(err, MXTLS_ERR_CORRUPT, "malformed EncryptedPrivateKeyInfo");
	if (MX_OID_EQ(&oid, OID_JDK_KEY_PROTECTOR)) {
		/* Its parameters are NULL or absent; nothing in them is used. */
		snprintf(desc, descsize, "JDK key protector (SHA-1)");
		return jdk_unprotect(data.val, data.len, pw, plain, plen, err);
	}
	if (format == MX_KS_JCEKS && MX_OID_EQ(&oid, OID_PBE_MD5_3DES))
		return md5_3des_unprotect(&alg, data.val, data.len, pw, budget, plain, plen, desc,
		                          descsize, err);
	mx_asn1_oid_str(&oid, s, sizeof(s));
	return mx_err(err, MXTLS_ERR_UNSUPPORTED_ALGORITHM,
	              "key protection %s (%s reads 1.3.6.1.4.1.42.2.17.1.1%s)", s,
	              format == MX_KS_JCEKS ? "JCEKS" : "JKS",
	              format == MX_KS_JCEKS ? " and 1.3.6.1.4.1.42.2.19.1" : "");
}
