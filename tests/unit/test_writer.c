/*
 * The PKCS#12 writer: each profile written, loaded back by the loader with the
 * same password (same leaf, chain, key, friendly name, algorithms), wrong
 * passwords, key/certificate mismatch, empty passwords, iteration limits,
 * re-encrypting a legacy RC2 file, NULL and usage errors, strict DER output.
 *
 * Inputs come from the shared public vectors: MXTLS_VECTORS (environment) or
 * argv[1] is that directory (tests/CMakeLists.txt sets it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>

#include "mxtls/mxtls.h"
#include "mxtls_pkcs12_int.h"
#include "write/der_writer.h"

static char vectors[1024];

static mxtls_pkcs12 *load_vector(const char *name, const char *pw)
{
	char path[1200];
	mxtls_error err;
	mxtls_pkcs12 *p;

	snprintf(path, sizeof(path), "%s/%s", vectors, name);
	p = mxtls_pkcs12_load_file(path, pw, 0, &err);
	if (p == NULL)
		fail_msg("%s: %s", name, err.message);
	return p;
}

/* The key of an identity as mbedTLS writes it: PKCS#1 (RSA) or SEC1 (EC). Caller frees. */
static unsigned char *key_der(const mxtls_identity *id, size_t *len)
{
	unsigned char buf[8192], *out;
	int n = mbedtls_pk_write_key_der(&id->key, buf, sizeof(buf));

	assert_true(n > 0);
	out = malloc((size_t)n);
	assert_non_null(out);
	memcpy(out, buf + sizeof(buf) - n, (size_t)n);
	memset(buf, 0, sizeof(buf));
	*len = (size_t)n;
	return out;
}

/* Leaf then chain of an identity, as add_key_der takes them (borrowed from the container). */
static size_t certs_of(const mxtls_identity *id, const void **ders, size_t *lens, size_t max)
{
	size_t n = 0, i;

	ders[n] = mxtls_cert_der(mxtls_identity_leaf(id), &lens[n]);
	n++;
	for (i = 0; i < mxtls_identity_chain_count(id) && n < max; i++, n++)
		ders[n] = mxtls_cert_der(mxtls_identity_chain_cert(id, i), &lens[n]);
	return n;
}

/* Strict DER: definite, minimal lengths all the way down through constructed elements. */
static int der_ok(const unsigned char *p, size_t len, int depth)
{
	size_t i = 0;

	if (depth > 20)
		return 0;
	while (i < len) {
		unsigned char tag;
		size_t n, k, j;
		if (len - i < 2)
			return 0;
		tag = p[i++];
		if ((tag & 0x1f) == 0x1f)
			return 0; /* no high tag numbers in PKCS#12 */
		n = p[i++];
		if (n == 0x80)
			return 0; /* indefinite */
		if (n & 0x80) {
			k = n & 0x7f;
			if (k > 4 || len - i < k || p[i] == 0)
				return 0;
			for (n = 0, j = 0; j < k; j++)
				n = n << 8 | p[i++];
			if (n < 0x80 || (k > 1 && n < (1u << (8 * (k - 1)))))
				return 0; /* not minimal */
		}
		if (n > len - i)
			return 0;
		if ((tag & 0x20) && !der_ok(p + i, n, depth + 1))
			return 0;
		i += n;
	}
	return 1;
}

/* The authSafe content octets: PFX { version, ContentInfo { data, [0] { OCTET STRING } }, ... }. */
static const unsigned char *auth_safe(const unsigned char *p, size_t len, size_t *out_len)
{
	/* 30 L | 02 01 03 | 30 L | 06 09 <data> | a0 L | 04 L content */
	size_t i = 0, n;
	int step;

	for (step = 0; step < 6; step++) {
		unsigned char tag = p[i++];
		n = p[i++];
		if (n & 0x80) {
			size_t k = n & 0x7f, j;
			for (n = 0, j = 0; j < k; j++)
				n = n << 8 | p[i++];
		}
		if (tag == 0x04) {
			*out_len = n;
			return p + i;
		}
		if (tag == 0x02 || tag == 0x06)
			i += n; /* skip version and content type */
	}
	(void)len;
	return NULL;
}

static void expect_same_identity(const mxtls_identity *a, const mxtls_identity *b)
{
	size_t la, lb, i;
	unsigned char *ka = key_der(a, &la), *kb = key_der(b, &lb);

	assert_memory_equal(mxtls_cert_sha256(mxtls_identity_leaf(a)),
			    mxtls_cert_sha256(mxtls_identity_leaf(b)), 32);
	assert_int_equal(mxtls_identity_chain_count(a), mxtls_identity_chain_count(b));
	for (i = 0; i < mxtls_identity_chain_count(a); i++)
		assert_memory_equal(mxtls_cert_sha256(mxtls_identity_chain_cert(a, i)),
				    mxtls_cert_sha256(mxtls_identity_chain_cert(b, i)), 32);
	/* The very same private key, not just one matching the leaf. */
	assert_int_equal(la, lb);
	assert_memory_equal(ka, kb, la);
	memset(ka, 0, la);
	memset(kb, 0, lb);
	free(ka);
	free(kb);
}

static void test_profiles_round_trip(void **state)
{
	static const struct {
		int profile;
		const char *mac, *enc;
	} cases[] = {
		{MXTLS_PKCS12_PROFILE_MODERN, "HMAC-SHA256 (PKCS#12 KDF, 2048 iterations)",
		 "PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC (2048 iterations)"},
		{MXTLS_PKCS12_PROFILE_COMPAT, "HMAC-SHA1 (PKCS#12 KDF, 2048 iterations)",
		 "pbeWithSHA1And3-KeyTripleDES-CBC (2048 iterations)"},
		{MXTLS_PKCS12_PROFILE_PBMAC1,
		 "PBMAC1 HMAC-SHA256 (PBKDF2-HMAC-SHA256, 2048 iterations)",
		 "PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC (2048 iterations)"},
	};
	const char *pw = "p\xc3\xa4ssw\xc3\xb6rd \xe2\x9c\x93"; /* "pässwörd ✓" */
	const char *name = "Friendly \xe2\x9c\x93 \xf0\x9f\x94\x91"; /* BMP and a surrogate pair */
	mxtls_pkcs12 *src = load_vector("gnutls__pkcs12_5certs.p12", "1234");
	const mxtls_identity *sid = mxtls_pkcs12_identity(src, 0);
	const void *ders[8];
	size_t lens[8], n, klen, i;
	unsigned char *k = key_der(sid, &klen);
	(void)state;

	n = certs_of(sid, ders, lens, 8);
	assert_true(n >= 2); /* a leaf with a chain */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mxtls_pkcs12_writer *w;
		mxtls_pkcs12 *back;
		mxtls_error err;
		unsigned char *der = NULL, *der2 = NULL;
		size_t len = 0, len2 = 0, aslen = 0;
		const unsigned char *as;

		w = mxtls_pkcs12_writer_new(cases[i].profile, &err);
		assert_non_null(w);
		assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, k, klen, ders, lens, n, name, &err), 0);
		assert_int_equal(mxtls_pkcs12_writer_finish(w, pw, strlen(pw), &der, &len, &err), 0);
		assert_int_equal(err.code, MXTLS_OK);
		assert_true(der_ok(der, len, 0));
		as = auth_safe(der, len, &aslen);
		assert_non_null(as);
		assert_true(der_ok(as, aslen, 0));

		back = mxtls_pkcs12_load_mem_n(der, len, pw, strlen(pw), MXTLS_LOAD_REQUIRE_MAC, &err);
		if (back == NULL)
			fail_msg("profile %d: %s", cases[i].profile, err.message);
		assert_int_equal(mxtls_pkcs12_identity_count(back), 1);
		assert_int_equal(mxtls_pkcs12_extra_cert_count(back), 0);
		expect_same_identity(sid, mxtls_pkcs12_identity(back, 0));
		assert_string_equal(mxtls_identity_friendly_name(mxtls_pkcs12_identity(back, 0)), name);
		assert_string_equal(mxtls_pkcs12_mac_algorithm(back), cases[i].mac);
		assert_int_equal(mxtls_pkcs12_encryption_count(back), 1);
		assert_string_equal(mxtls_pkcs12_encryption(back, 0), cases[i].enc);
		mxtls_pkcs12_free(back);

		/* Wrong password: the MAC says so. */
		back = mxtls_pkcs12_load_mem_n(der, len, "wrong", 5, 0, &err);
		assert_null(back);
		assert_int_equal(err.code, MXTLS_ERR_WRONG_PASSWORD);

		/* Finishing again: fresh salts and IVs, same contents. */
		assert_int_equal(mxtls_pkcs12_writer_finish(w, pw, strlen(pw), &der2, &len2, &err), 0);
		assert_true(len2 == len);
		assert_true(memcmp(der, der2, len) != 0);
		mxtls_free_secret(der2, len2);
		mxtls_free_secret(der, len);
		mxtls_pkcs12_writer_free(w);
	}
	memset(k, 0, klen);
	free(k);
	mxtls_pkcs12_free(src);
}

static void test_key_mismatch(void **state)
{
	mxtls_pkcs12 *rsa = load_vector("gnutls__pkcs12_5certs.p12", "1234");
	mxtls_pkcs12 *ec1 = load_vector("pyca__cert-rc2-key-3des.p12", "cryptography");
	mxtls_pkcs12 *ec2 = load_vector("bc__sentrixHard.p12", "0000");
	mxtls_pkcs12_writer *w = mxtls_pkcs12_writer_new(0, NULL);
	const void *ders[8];
	size_t lens[8], n, klen;
	unsigned char *k = key_der(mxtls_pkcs12_identity(ec1, 0), &klen);
	mxtls_error err;
	(void)state;

	assert_non_null(w);
	/* An EC key against an RSA leaf, and against another EC leaf. */
	n = certs_of(mxtls_pkcs12_identity(rsa, 0), ders, lens, 8);
	assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, k, klen, ders, lens, n, NULL, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_KEY_MISMATCH);
	n = certs_of(mxtls_pkcs12_identity(ec2, 0), ders, lens, 8);
	assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, k, klen, ders, lens, n, NULL, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_KEY_MISMATCH);
	assert_non_null(strstr(err.message, "does not belong"));
	/* Nothing was added. */
	{
		unsigned char *der;
		size_t len;
		assert_int_equal(mxtls_pkcs12_writer_finish(w, "x", 1, &der, &len, &err), -1);
		assert_int_equal(err.code, MXTLS_ERR_NO_KEY);
		assert_null(der);
	}
	/* The right leaf (SEC1 key input) is accepted. */
	n = certs_of(mxtls_pkcs12_identity(ec1, 0), ders, lens, 8);
	assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, k, klen, ders, lens, n, NULL, &err), 0);
	/* ...once. */
	assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, k, klen, ders, lens, n, NULL, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	memset(k, 0, klen);
	free(k);
	mxtls_pkcs12_writer_free(w);
	mxtls_pkcs12_free(rsa);
	mxtls_pkcs12_free(ec1);
	mxtls_pkcs12_free(ec2);
}

static void test_empty_password(void **state)
{
	mxtls_pkcs12 *src = load_vector("pyca__cert-key-aes256cbc.p12", "cryptography"), *back;
	int profile;
	(void)state;

	for (profile = 1; profile <= MXTLS_PKCS12_PROFILE_MAX; profile++) {
		mxtls_pkcs12_writer *w = mxtls_pkcs12_writer_new(profile, NULL);
		unsigned char *der;
		size_t len;
		mxtls_error err;

		assert_int_equal(mxtls_pkcs12_writer_add_identity(w, src, 0, "e", &err), 0);
		assert_int_equal(mxtls_pkcs12_writer_finish(w, NULL, 0, &der, &len, &err), 0);
		back = mxtls_pkcs12_load_mem(der, len, NULL, MXTLS_LOAD_REQUIRE_MAC, &err);
		assert_non_null(back);
		mxtls_pkcs12_free(back);
		back = mxtls_pkcs12_load_mem(der, len, "", MXTLS_LOAD_REQUIRE_MAC, &err);
		assert_non_null(back);
		mxtls_pkcs12_free(back);
		back = mxtls_pkcs12_load_mem(der, len, "x", 0, &err);
		assert_null(back);
		assert_int_equal(err.code, MXTLS_ERR_WRONG_PASSWORD);
		mxtls_free_secret(der, len);
		/* "" with its length 0 is the same as NULL. */
		assert_int_equal(mxtls_pkcs12_writer_finish(w, "", 0, &der, &len, &err), 0);
		back = mxtls_pkcs12_load_mem(der, len, NULL, MXTLS_LOAD_REQUIRE_MAC, &err);
		assert_non_null(back);
		mxtls_pkcs12_free(back);
		mxtls_free_secret(der, len);
		mxtls_pkcs12_writer_free(w);
	}
	mxtls_pkcs12_free(src);
}

static void test_iterations(void **state)
{
	mxtls_pkcs12 *src = load_vector("pyca__cert-key-aes256cbc.p12", "cryptography"), *back;
	mxtls_pkcs12_writer *w = mxtls_pkcs12_writer_new(MXTLS_PKCS12_PROFILE_MODERN, NULL);
	unsigned char *der;
	size_t len;
	mxtls_error err;
	(void)state;

	assert_int_equal(mxtls_pkcs12_writer_set_iterations(w, 2047, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_int_equal(mxtls_pkcs12_writer_set_iterations(w, 0, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_int_equal(mxtls_pkcs12_writer_set_iterations(w, MXTLS_MAX_KDF_ITERATIONS + 1, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_LIMIT_EXCEEDED);
	assert_int_equal(mxtls_pkcs12_writer_set_iterations(w, MXTLS_MAX_KDF_ITERATIONS, &err), 0);
	assert_int_equal(mxtls_pkcs12_writer_set_iterations(w, 10000, &err), 0);
	assert_int_equal(mxtls_pkcs12_writer_add_identity(w, src, 0, NULL, &err), 0);
	assert_int_equal(mxtls_pkcs12_writer_finish(w, "pw", 2, &der, &len, &err), 0);
	back = mxtls_pkcs12_load_mem(der, len, "pw", 0, &err);
	assert_non_null(back);
	assert_string_equal(mxtls_pkcs12_mac_algorithm(back),
			    "HMAC-SHA256 (PKCS#12 KDF, 10000 iterations)");
	assert_string_equal(mxtls_pkcs12_encryption(back, 0),
			    "PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC (10000 iterations)");
	mxtls_pkcs12_free(back);
	mxtls_free_secret(der, len);
	mxtls_pkcs12_writer_free(w);

	/*
	 * At the loader's per-derivation cap, compat's 3DES (3 SHA-1 runs per
	 * encryption) over the key and the certificates plus the MAC would exceed
	 * the loader's budget for one file: refused before any derivation runs.
	 */
	w = mxtls_pkcs12_writer_new(MXTLS_PKCS12_PROFILE_COMPAT, NULL);
	assert_int_equal(mxtls_pkcs12_writer_set_iterations(w, MXTLS_MAX_KDF_ITERATIONS, &err), 0);
	assert_int_equal(mxtls_pkcs12_writer_add_identity(w, src, 0, NULL, &err), 0);
	assert_int_equal(mxtls_pkcs12_writer_finish(w, "pw", 2, &der, &len, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_LIMIT_EXCEEDED);
	assert_null(der);
	mxtls_pkcs12_writer_free(w);
	mxtls_pkcs12_free(src);
}

static void test_reencrypt_rc2(void **state)
{
	mxtls_pkcs12 *src = load_vector("pyca__cert-rc2-key-3des.p12", "cryptography"), *back;
	mxtls_pkcs12_writer *w = mxtls_pkcs12_writer_new(MXTLS_PKCS12_PROFILE_MODERN, NULL);
	const char *fn;
	unsigned char *der;
	size_t len, i;
	mxtls_error err;
	(void)state;

	assert_int_equal(mxtls_pkcs12_encryption_count(src), 2); /* RC2-40 and 3DES */
	assert_int_equal(mxtls_pkcs12_writer_add_identity(w, src, 0, NULL, &err), 0);
	assert_int_equal(mxtls_pkcs12_writer_finish(w, "new password", 12, &der, &len, &err), 0);
	back = mxtls_pkcs12_load_mem(der, len, "new password", MXTLS_LOAD_REQUIRE_MAC, &err);
	assert_non_null(back);
	expect_same_identity(mxtls_pkcs12_identity(src, 0), mxtls_pkcs12_identity(back, 0));
	fn = mxtls_identity_friendly_name(mxtls_pkcs12_identity(src, 0));
	if (fn != NULL)
		assert_string_equal(mxtls_identity_friendly_name(mxtls_pkcs12_identity(back, 0)), fn);
	assert_int_equal(mxtls_pkcs12_encryption_count(back), 1);
	assert_string_equal(mxtls_pkcs12_encryption(back, 0),
			    "PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC (2048 iterations)");
	for (i = 0; i < mxtls_pkcs12_warning_count(back); i++)
		assert_int_not_equal(mxtls_pkcs12_warning_kind(back, i), MXTLS_WARN_LEGACY_ALGORITHM);
	mxtls_pkcs12_free(back);
	mxtls_free_secret(der, len);
	mxtls_pkcs12_writer_free(w);
	mxtls_pkcs12_free(src);
}

static void test_multi_identity_and_extra_cert(void **state)
{
	mxtls_pkcs12 *multi = load_vector("dotnet__MultiPrivateKeyPfx.pfx", NULL);
	mxtls_pkcs12 *other = load_vector("pyca__cert-key-aes256cbc.p12", "cryptography"), *back;
	mxtls_pkcs12_writer *w = mxtls_pkcs12_writer_new(MXTLS_PKCS12_PROFILE_MODERN, NULL);
	const mxtls_cert *extra = mxtls_identity_leaf(mxtls_pkcs12_identity(other, 0));
	const unsigned char *edder;
	unsigned char *der;
	size_t len, elen, i, j;
	mxtls_error err;
	(void)state;

	assert_int_equal(mxtls_pkcs12_identity_count(multi), 2);
	for (i = 0; i < 2; i++)
		assert_int_equal(mxtls_pkcs12_writer_add_identity(w, multi, i, NULL, &err), 0);
	edder = mxtls_cert_der(extra, &elen);
	assert_int_equal(mxtls_pkcs12_writer_add_cert_der(w, edder, elen, &err), 0);
	assert_int_equal(mxtls_pkcs12_writer_add_cert_der(w, edder, elen, &err), 0); /* deduplicated */
	assert_int_equal(mxtls_pkcs12_writer_finish(w, "m", 1, &der, &len, &err), 0);
	back = mxtls_pkcs12_load_mem(der, len, "m", MXTLS_LOAD_REQUIRE_MAC, &err);
	assert_non_null(back);
	assert_int_equal(mxtls_pkcs12_identity_count(back), 2);
	for (i = 0; i < 2; i++) {
		/* Each key paired with its own leaf (localKeyId and the key agree). */
		int found = 0;
		for (j = 0; j < 2; j++)
			if (memcmp(mxtls_cert_sha256(mxtls_identity_leaf(mxtls_pkcs12_identity(multi, i))),
				   mxtls_cert_sha256(mxtls_identity_leaf(mxtls_pkcs12_identity(back, j))),
				   32) == 0) {
				expect_same_identity(mxtls_pkcs12_identity(multi, i),
						     mxtls_pkcs12_identity(back, j));
				found = 1;
			}
		assert_true(found);
	}
	assert_int_equal(mxtls_pkcs12_extra_cert_count(back), 1);
	assert_memory_equal(mxtls_cert_sha256(mxtls_pkcs12_extra_cert(back, 0)),
			    mxtls_cert_sha256(extra), 32);
	mxtls_pkcs12_free(back);
	mxtls_free_secret(der, len);
	mxtls_pkcs12_writer_free(w);
	mxtls_pkcs12_free(multi);
	mxtls_pkcs12_free(other);
}

static void test_usage_errors(void **state)
{
	mxtls_pkcs12 *src = load_vector("pyca__cert-key-aes256cbc.p12", "cryptography");
	const mxtls_identity *id = mxtls_pkcs12_identity(src, 0);
	mxtls_pkcs12_writer *w;
	const void *ders[8];
	size_t lens[8], n, klen;
	unsigned char *k = key_der(id, &klen), *der = (unsigned char *)"x", junk[64];
	size_t len = 7;
	char big[MXTLS_MAX_PASSWORD_BYTES + 2];
	int64_t v;
	mxtls_error err;
	(void)state;

	n = certs_of(id, ders, lens, 8);
	assert_null(mxtls_pkcs12_writer_new(4, &err));
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_null(mxtls_pkcs12_writer_new(-1, NULL));
	mxtls_pkcs12_writer_free(NULL);
	assert_int_equal(mxtls_pkcs12_writer_set_iterations(NULL, 4096, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_int_equal(mxtls_pkcs12_writer_add_identity(NULL, src, 0, NULL, &err), -1);
	assert_int_equal(mxtls_pkcs12_writer_add_cert_der(NULL, ders[0], lens[0], &err), -1);
	assert_int_equal(mxtls_pkcs12_writer_finish(NULL, "", 0, &der, &len, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_null(der);
	assert_int_equal(len, 0);

	w = mxtls_pkcs12_writer_new(0, &err);
	assert_non_null(w);
	assert_int_equal(mxtls_pkcs12_writer_add_identity(w, NULL, 0, NULL, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_int_equal(mxtls_pkcs12_writer_add_identity(w, src, 1, NULL, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, NULL, 0, ders, lens, n, NULL, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, k, klen, ders, lens, 0, NULL, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, k, klen, NULL, lens, 1, NULL, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	{ /* DER only: a PEM key, even one whose length counts its NUL, is refused by name */
		static const char pem[] = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n"
					  "-----END PRIVATE KEY-----\n";
		assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, pem, sizeof(pem), ders, lens, n,
								 NULL, &err),
				 -1);
		assert_int_equal(err.code, MXTLS_ERR_USAGE);
		assert_non_null(strstr(err.message, "PEM"));
	}
	/* Garbage key, garbage certificate. */
	memset(junk, 0x30, sizeof(junk));
	assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, junk, sizeof(junk), ders, lens, n, NULL, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_CORRUPT);
	assert_int_equal(mxtls_pkcs12_writer_add_cert_der(w, junk, sizeof(junk), &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_CORRUPT);
	{
		const void *bad[2] = {ders[0], junk};
		size_t blens[2] = {lens[0], sizeof(junk)};
		assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, k, klen, bad, blens, 2, NULL, &err), -1);
		assert_int_equal(err.code, MXTLS_ERR_CORRUPT);
	}
	/* Friendly name not UTF-8 (a lone continuation byte, an overlong form, a surrogate). */
	assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, k, klen, ders, lens, n, "a\x80", &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, k, klen, ders, lens, n, "\xc0\xaf", &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, k, klen, ders, lens, n, "\xed\xa0\x80", &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	/* No identity yet. */
	assert_int_equal(mxtls_pkcs12_writer_finish(w, "pw", 2, &der, &len, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_NO_KEY);
	assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, k, klen, ders, lens, n, NULL, &err), 0);
	/* Bad passwords and outputs. */
	assert_int_equal(mxtls_pkcs12_writer_finish(w, "p\0w", 3, &der, &len, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_int_equal(mxtls_pkcs12_writer_finish(w, NULL, 3, &der, &len, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_int_equal(mxtls_pkcs12_writer_finish(w, "pw", 2, NULL, &len, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_int_equal(mxtls_pkcs12_writer_finish(w, "pw", 2, &der, NULL, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	memset(big, 'a', sizeof(big));
	assert_int_equal(mxtls_pkcs12_writer_finish(w, big, MXTLS_MAX_PASSWORD_BYTES + 1, &der, &len, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_LIMIT_EXCEEDED);
	/* The longest password works (and the loader takes it). */
	big[MXTLS_MAX_PASSWORD_BYTES] = 0;
	assert_int_equal(mxtls_pkcs12_writer_finish(w, big, MXTLS_MAX_PASSWORD_BYTES, &der, &len, &err), 0);
	{
		mxtls_pkcs12 *back = mxtls_pkcs12_load_mem(der, len, big, 0, &err);
		assert_non_null(back);
		mxtls_pkcs12_free(back);
	}
	mxtls_free_secret(der, len);
	/* A NULL err is fine. */
	assert_int_equal(mxtls_pkcs12_writer_finish(w, "pw", 2, &der, &len, NULL), 0);
	mxtls_free_secret(der, len);
	mxtls_pkcs12_writer_free(w);

	/* Constants for bindings. */
	assert_int_equal(mxtls_constant("MXTLS_PKCS12_PROFILE_PBMAC1", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(mxtls_constant("MXTLS_PKCS12_DEFAULT_ITERATIONS", &v), 0);
	assert_int_equal(v, 2048);
	memset(k, 0, klen);
	free(k);
	mxtls_pkcs12_free(src);
}

/* The DER writer's length fields at every size boundary, nested. */
static void test_der_lengths(void **state)
{
	static const size_t sizes[] = {0, 1, 127, 128, 255, 256, 65535, 65536, 70000};
	unsigned char *payload = calloc(1, 70000);
	size_t i;
	(void)state;

	assert_non_null(payload);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct mx_dw w;
		size_t n = sizes[i];
		mx_dw_init(&w);
		mx_dw_open(&w, 0x30);
		mx_dw_open(&w, 0xa0);
		mx_dw_prim(&w, 0x04, payload, n);
		mx_dw_close(&w);
		mx_dw_uint(&w, n);
		mx_dw_close(&w);
		assert_int_equal(mx_dw_finish(&w), 0);
		assert_true(der_ok(w.p, w.len, 0));
		{
			/* Each level is tag + minimal length + content. */
			struct mx_dw u;
			size_t prim = 1 + mx_dw_len_size(n) + n, a0 = 1 + mx_dw_len_size(prim) + prim, seq;
			mx_dw_init(&u);
			mx_dw_uint(&u, n);
			seq = a0 + u.len;
			assert_int_equal(w.len, 1 + mx_dw_len_size(seq) + seq);
			assert_int_equal(mx_dw_len_size(n), n < 128 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 4);
			mx_dw_free(&u);
		}
		mx_dw_free(&w);
	}
	{
		/* Unbalanced use is an internal error, not a crash. */
		struct mx_dw w;
		mx_dw_init(&w);
		mx_dw_close(&w);
		assert_int_equal(mx_dw_finish(&w), MXTLS_ERR_INTERNAL);
		mx_dw_free(&w);
		mx_dw_init(&w);
		mx_dw_open(&w, 0x30);
		assert_int_equal(mx_dw_finish(&w), MXTLS_ERR_INTERNAL);
		mx_dw_free(&w);
	}
	{
		/* INTEGER encodings: minimal, with a 00 before a high bit. */
		static const struct {
			uint64_t v;
			unsigned char der[11];
			size_t len;
		} ints[] = {{0, {2, 1, 0}, 3},
			    {127, {2, 1, 0x7f}, 3},
			    {128, {2, 2, 0, 0x80}, 4},
			    {2048, {2, 2, 0x08, 0x00}, 4},
			    {5000000, {2, 3, 0x4c, 0x4b, 0x40}, 5},
			    {UINT64_MAX, {2, 9, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 11}};
		for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
			struct mx_dw w;
			mx_dw_init(&w);
			mx_dw_uint(&w, ints[i].v);
			assert_int_equal(w.len, ints[i].len);
			assert_memory_equal(w.p, ints[i].der, ints[i].len);
			mx_dw_free(&w);
		}
	}
	free(payload);
}

/* Damaged keys and certificates (bit flips, truncations) fail cleanly: run under ASan. */
static void test_damaged_inputs(void **state)
{
	mxtls_pkcs12 *src = load_vector("pyca__cert-key-aes256cbc.p12", "cryptography");
	const mxtls_identity *id = mxtls_pkcs12_identity(src, 0);
	mxtls_pkcs12_writer *w = mxtls_pkcs12_writer_new(0, NULL);
	const void *ders[8];
	size_t lens[8], n, klen, i, cut;
	unsigned char *k = key_der(id, &klen), *kc = malloc(klen), *cc;
	unsigned seed = 12345;
	mxtls_error err;
	(void)state;

	n = certs_of(id, ders, lens, 8);
	cc = malloc(lens[0]);
	assert_non_null(kc);
	assert_non_null(cc);
	for (cut = 1; cut < klen; cut++) {
		assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, k, cut, ders, lens, n, NULL, &err), -1);
		assert_int_not_equal(err.code, MXTLS_OK);
	}
	for (cut = 1; cut < lens[0]; cut++) {
		const void *d[1] = {ders[0]};
		size_t l[1] = {cut};
		assert_int_equal(mxtls_pkcs12_writer_add_key_der(w, k, klen, d, l, 1, NULL, &err), -1);
		assert_int_not_equal(err.code, MXTLS_OK);
	}
	for (i = 0; i < 3000; i++) {
		const void *d[1] = {cc};
		size_t l[1] = {lens[0]}, j;
		memcpy(kc, k, klen);
		memcpy(cc, ders[0], lens[0]);
		for (j = 0; j < 1 + i % 3; j++) {
			seed = seed * 1103515245u + 12345u;
			if (i % 2)
				kc[(seed >> 8) % klen] ^= (unsigned char)(1u << (seed % 8));
			else
				cc[(seed >> 8) % lens[0]] ^= (unsigned char)(1u << (seed % 8));
		}
		/* Either refused with a code, or accepted once (a flip the parsers do not see). */
		if (mxtls_pkcs12_writer_add_key_der(w, kc, klen, d, l, 1, NULL, &err) != 0)
			assert_int_not_equal(err.code, MXTLS_OK);
	}
	memset(k, 0, klen);
	memset(kc, 0, klen);
	free(k);
	free(kc);
	free(cc);
	mxtls_pkcs12_writer_free(w);
	mxtls_pkcs12_free(src);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profiles_round_trip),
		cmocka_unit_test(test_key_mismatch),
		cmocka_unit_test(test_empty_password),
		cmocka_unit_test(test_iterations),
		cmocka_unit_test(test_reencrypt_rc2),
		cmocka_unit_test(test_multi_identity_and_extra_cert),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_der_lengths),
		cmocka_unit_test(test_damaged_inputs),
	};
	const char *dir = argc > 1 ? argv[1] : getenv("MXTLS_VECTORS");

	if (dir == NULL)
		dir = "../shared/vectors/pkcs12/public";
	snprintf(vectors, sizeof(vectors), "%s", dir);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
