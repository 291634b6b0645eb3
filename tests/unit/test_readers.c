/*
 * The readers of what users bring (lib/read/): every key form openssl writes,
 * wrong passwords, damaged input with its line or offset, PKCS#7 bundles,
 * chains found by key and signature, and the hand-off to the writer.
 *
 * usage: test_readers [INPUT_DIR]   (files of tests/readers/make-inputs.sh; made in a
 * temporary directory when not given)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>
#include <mbedtls/cipher.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha1.h>

#include "mxtls/mxtls.h"
#include "read/read_int.h"

static char dir[512];
static const char PW[] = "s3cret";

static uint8_t *slurp(const char *name, size_t *len)
{
	char path[700];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Add a file of the input directory; returns the call's result with err filled. */
static int add(mxtls_bundle *b, const char *name, const char *pw, mxtls_error *err)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return mxtls_bundle_add_file(b, path, pw, pw ? strlen(pw) : 0, err);
}

static int add_mem(mxtls_bundle *b, const uint8_t *p, size_t n, const char *pw, mxtls_error *err)
{
	return mxtls_bundle_add_mem(b, p, n, "input", pw, pw ? strlen(pw) : 0, err);
}

/* PKCS#8 of the one key of a file. */
static void pkcs8_of(const char *name, const char *pw, unsigned char **der, size_t *len)
{
	mxtls_error err;
	mxtls_bundle *b = mxtls_bundle_new(&err);

	assert_non_null(b);
	if (add(b, name, pw, &err) != 0)
		fail_msg("%s: %s (%s)", name, err.message, mxtls_error_name(err.code));
	assert_int_equal(mxtls_bundle_key_count(b), 1);
	assert_int_equal(mxtls_key_pkcs8_der(mxtls_bundle_key(b, 0), der, len, &err), 0);
	mxtls_bundle_free(b);
}

static const struct form {
	const char *file, *pw, *form;
	int ec;
} forms[] = {
	{"leaf-key.pem", NULL, "PKCS#8", 0},
	{"key-pkcs1.pem", NULL, "PKCS#1", 0},
	{"key-pkcs1.der", NULL, "PKCS#1", 0},
	{"key-pkcs8.der", NULL, NULL, 0},
	{"key-pbes2-aes.pem", PW, "encrypted PKCS#8 (PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC", 0},
	{"key-pbes2-des3.pem", PW, "encrypted PKCS#8 (PBES2 PBKDF2-HMAC-SHA256 DES-EDE3-CBC", 0},
	{"key-pbe-sha1-3des.pem", PW, "encrypted PKCS#8 (pbeWithSHA1And3-KeyTripleDES-CBC", 0},
	{"key-pbes2-aes.der", PW, "encrypted PKCS#8 (PBES2", 0},
	{"key-legacy-aes256.pem", PW, "PKCS#1, legacy PEM encryption AES-256-CBC", 0},
	{"key-legacy-aes128.pem", PW, "PKCS#1, legacy PEM encryption AES-128-CBC", 0},
	{"key-legacy-des3.pem", PW, "PKCS#1, legacy PEM encryption DES-EDE3-CBC", 0},
	{"ecleaf-key.pem", NULL, "PKCS#8", 1},
	{"eckey-sec1.pem", NULL, "SEC1", 1},
	{"eckey-sec1.der", NULL, "SEC1", 1},
	{"eckey-legacy-aes256.pem", PW, "SEC1, legacy PEM encryption AES-256-CBC", 1},
};

/* Every form gives the same key (same PKCS#8), matching its leaf and only it. */
static void test_key_forms(void **state)
{
	unsigned char *rsa, *ec, *der;
	size_t rsa_len, ec_len, len, i;
	mxtls_error err;

	(void)state;
	pkcs8_of("leaf-key.pem", NULL, &rsa, &rsa_len);
	pkcs8_of("ecleaf-key.pem", NULL, &ec, &ec_len);
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		mxtls_bundle *b = mxtls_bundle_new(&err);
		const mxtls_key *k;
		assert_non_null(b);
		if (add(b, forms[i].file, forms[i].pw, &err) != 0)
			fail_msg("%s: %s", forms[i].file, err.message);
		assert_int_equal(add(b, forms[i].ec ? "ecleaf.pem" : "leaf.pem", NULL, &err), 0);
		assert_int_equal(add(b, forms[i].ec ? "leaf.pem" : "ecleaf.pem", NULL, &err), 0);
		k = mxtls_bundle_key(b, 0);
		assert_non_null(k);
		assert_int_equal(mxtls_key_kind(k), forms[i].ec ? MXTLS_KEY_EC : MXTLS_KEY_RSA);
		assert_int_equal(mxtls_key_bits(k), forms[i].ec ? 384 : 2048);
		if (forms[i].ec)
			assert_string_equal(mxtls_key_curve(k), "P-384");
		else
			assert_null(mxtls_key_curve(k));
		if (forms[i].form && strncmp(mxtls_key_form(k), forms[i].form, strlen(forms[i].form)))
			fail_msg("%s: form \"%s\"", forms[i].file, mxtls_key_form(k));
		assert_non_null(strstr(mxtls_key_source(k), forms[i].file));
		assert_int_equal(mxtls_key_matches_cert(k, mxtls_bundle_cert(b, 0)), 1);
		assert_int_equal(mxtls_key_matches_cert(k, mxtls_bundle_cert(b, 1)), 0);
		assert_int_equal(mxtls_key_pkcs8_der(k, &der, &len, &err), 0);
		assert_int_equal(len, forms[i].ec ? ec_len : rsa_len);
		assert_memory_equal(der, forms[i].ec ? ec : rsa, len);
		mxtls_free_secret(der, len);
		mxtls_bundle_free(b);
	}
	mxtls_free_secret(rsa, rsa_len);
	mxtls_free_secret(ec, ec_len);
}

/* A wrong or missing password is wrong_password for each encrypted form; the bundle is unchanged. */
static void test_wrong_password(void **state)
{
	const char *pws[] = {"wrong", NULL, "s3cret ", "S3cret"};
	mxtls_error err;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (forms[i].pw == NULL)
			continue;
		for (j = 0; j < sizeof(pws) / sizeof(pws[0]); j++) {
			mxtls_bundle *b = mxtls_bundle_new(&err);
			assert_non_null(b);
			assert_int_equal(add(b, forms[i].file, pws[j], &err), -1);
			if (err.code != MXTLS_ERR_WRONG_PASSWORD)
				fail_msg("%s / %s: %s (%s)", forms[i].file, pws[j] ? pws[j] : "none",
					 err.message, mxtls_error_name(err.code));
			assert_non_null(strstr(err.message, forms[i].file));
			assert_null(strstr(err.message, "s3cret"));
			assert_int_equal(mxtls_bundle_key_count(b), 0);
			mxtls_bundle_free(b);
		}
	}
}

static void expect_error(const uint8_t *p, size_t n, const char *pw, int code, const char *needle)
{
	mxtls_error err;
	mxtls_bundle *b = mxtls_bundle_new(&err);

	assert_non_null(b);
	assert_int_equal(add_mem(b, p, n, pw, &err), -1);
	if (err.code != code || (needle && strstr(err.message, needle) == NULL))
		fail_msg("expected %s with \"%s\", got %s: %s", mxtls_error_name(code),
			 needle ? needle : "", mxtls_error_name(err.code), err.message);
	assert_int_equal(mxtls_bundle_cert_count(b) + mxtls_bundle_key_count(b), 0);
	mxtls_bundle_free(b);
}

/* Damage: truncated or flipped PEM and DER is corrupt, with the line or the offset. */
static void test_corrupt(void **state)
{
	const char *pems[] = {"leaf-key.pem", "key-pkcs1.pem", "eckey-sec1.pem", "leaf.pem",
			      "chain.p7b"};
	uint8_t *p;
	size_t n, i;

	(void)state;
	for (i = 0; i < sizeof(pems) / sizeof(pems[0]); i++) {
		p = slurp(pems[i], &n);
		expect_error(p, n / 2, NULL, MXTLS_ERR_CORRUPT, "line 1: ");
		/* A base64 character changed to one that is not base64. */
		p[40] = '*';
		expect_error(p, n, NULL, MXTLS_ERR_CORRUPT, "line 2: invalid base64");
		free(p);
	}
	/* A multi-block file: the damaged block's own line. */
	p = slurp("chain-full.pem", &n);
	{
		char *second = strstr((char *)p + 1, "-----BEGIN");
		size_t line = 1;
		for (char *q = (char *)p; q < second; q++)
			line += *q == '\n';
		second[strlen("-----BEGIN CERTIFICATE-----\n") + 5] ^= 0x01; /* still base64 */
		char want[32];
		snprintf(want, sizeof(want), "line %zu", line);
		expect_error(p, n, NULL, MXTLS_ERR_CORRUPT, want);
	}
	free(p);
	/* DER, truncated: offsets. */
	p = slurp("key-pkcs1.der", &n);
	expect_error(p, n - 10, NULL, MXTLS_ERR_CORRUPT, "offset 0");
	p[4] = 0x04; /* the version INTEGER becomes an OCTET STRING */
	expect_error(p, n, NULL, MXTLS_ERR_CORRUPT, "offset");
	free(p);
	p = slurp("leaf.der", &n);
	expect_error(p, n - 1, NULL, MXTLS_ERR_CORRUPT, "offset 0");
	free(p);
	p = slurp("chain-der.p7b", &n);
	{
		mxtls_error err;
		mxtls_bundle *b = mxtls_bundle_new(&err);
		assert_int_equal(add_mem(b, p, n - 30, NULL, &err), -1);
		assert_int_equal(err.code, MXTLS_ERR_CORRUPT);
		assert_non_null(strstr(err.message, "offset"));
		mxtls_bundle_free(b);
	}
	free(p);
	/* Encrypted and damaged after a good decryption: the key inside is cut short. */
	expect_error((const uint8_t *)"", 0, NULL, MXTLS_ERR_EMPTY, "empty");
	expect_error((const uint8_t *)"hello\n", 6, NULL, MXTLS_ERR_CORRUPT, "neither PEM nor DER");
	expect_error((const uint8_t *)"x\n-----BEGIN CERTIFICATE-----\nAAAA\n", 35, NULL,
		     MXTLS_ERR_CORRUPT, "line 2: \"BEGIN CERTIFICATE\" without its END");
	expect_error((const uint8_t *)"-----BEGIN CERTIFICATE-----\nMAA=\n-----END PRIVATE KEY-----\n",
		     60, NULL, MXTLS_ERR_CORRUPT, "closes");
}

/*
 * Legacy PEM: the right password over a damaged key (the padding and the outer SEQUENCE
 * are right, the key inside is not) is corrupt, not wrong_password.
 */
static void test_decrypted_but_damaged(void **state)
{
	static const uint8_t iv[16] = {0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
				       1,    2,    3,    4,    5,    6,    7,    8};
	mbedtls_cipher_context_t ctx;
	uint8_t key[16], *plain, *ct, *b64;
	size_t n, padded, olen = 0, b64len = 0, i;
	char *pem;
	int off;

	(void)state;
	plain = slurp("key-pkcs1.der", &n);
	assert_int_equal(plain[4], 0x02); /* version */
	assert_int_equal(plain[7], 0x02); /* modulus */
	plain[7] = 0x04;
	padded = (n / 16 + 1) * 16;
	plain = realloc(plain, padded);
	for (i = n; i < padded; i++)
		plain[i] = (uint8_t)(padded - n);
	assert_int_equal(mx_evp_bytes_to_key_md5((const uint8_t *)PW, strlen(PW), iv, key, 16), 0);
	ct = malloc(padded);
	mbedtls_cipher_init(&ctx);
	assert_int_equal(mbedtls_cipher_setup(&ctx, mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_128_CBC)), 0);
	assert_int_equal(mbedtls_cipher_setkey(&ctx, key, 128, MBEDTLS_ENCRYPT), 0);
	assert_int_equal(mbedtls_cipher_set_padding_mode(&ctx, MBEDTLS_PADDING_NONE), 0);
	assert_int_equal(mbedtls_cipher_crypt(&ctx, iv, 16, plain, padded, ct, &olen), 0);
	mbedtls_cipher_free(&ctx);
	b64 = malloc(2 * padded + 16);
	assert_int_equal(mbedtls_base64_encode(b64, 2 * padded + 16, &b64len, ct, padded), 0);
	pem = malloc(b64len + 256);
	off = snprintf(pem, b64len + 256,
		       "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
		       "DEK-Info: AES-128-CBC,1032547698BADCFE0102030405060708\n\n");
	memcpy(pem + off, b64, b64len);
	off += (int)b64len;
	off += snprintf(pem + off, 64, "\n-----END RSA PRIVATE KEY-----\n");
	expect_error((const uint8_t *)pem, (size_t)off, PW, MXTLS_ERR_CORRUPT, "decrypted key");
	expect_error((const uint8_t *)pem, (size_t)off, "other", MXTLS_ERR_WRONG_PASSWORD, "line 1");
	free(pem);
	free(b64);
	free(ct);
	free(plain);
}

/* Unknown encryption OIDs and ciphers are named; key types we do not use too. */
static void test_unsupported(void **state)
{
	static const uint8_t pbes2[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d};
	static const uint8_t aes256[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a};
	uint8_t *p, *q;
	size_t n;

	(void)state;
	p = slurp("key-pbes2-aes.der", &n);
	q = memmem(p, n, pbes2, sizeof(pbes2));
	assert_non_null(q);
	q[10] = 0x0a;
	expect_error(p, n, PW, MXTLS_ERR_UNSUPPORTED_ALGORITHM, "1.2.840.113549.1.5.10");
	q[10] = 0x0d;
	q = memmem(p, n, aes256, sizeof(aes256));
	assert_non_null(q);
	q[10] = 0x2e; /* aes256-GCM */
	expect_error(p, n, PW, MXTLS_ERR_UNSUPPORTED_ALGORITHM, "2.16.840.1.101.3.4.1.46");
	free(p);
	p = slurp("key-legacy-aes256.pem", &n);
	q = memmem(p, n, "AES-256-CBC", 11);
	memcpy(q, "AES-256-CFB", 11);
	expect_error(p, n, PW, MXTLS_ERR_UNSUPPORTED_ALGORITHM, "AES-256-CFB");
	memcpy(q, "AES-256-CBC", 11);
	q = memmem(p, n, "DEK-Info", 8);
	memcpy(q, "DEK-Infx", 8);
	expect_error(p, n, PW, MXTLS_ERR_CORRUPT, "without a DEK-Info");
	free(p);
	p = slurp("ed25519-key.pem", &n);
	expect_error(p, n, NULL, MXTLS_ERR_UNSUPPORTED_KEY, "1.3.101.112");
	free(p);
	p = slurp("key-too-many-iterations.pem", &n);
	expect_error(p, n, PW, MXTLS_ERR_LIMIT_EXCEEDED, "5000001");
	free(p);
}

/* Certificates: multi-PEM, DER, .p7b (PEM and DER) give the same three; duplicates kept once. */
static void test_certificates(void **state)
{
	const char *files[] = {"chain-full.pem", "chain-shuffled.pem", "chain.p7b", "chain-der.p7b"};
	mxtls_error err;
	mxtls_bundle *b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		b = mxtls_bundle_new(&err);
		if (add(b, files[i], NULL, &err) != 0)
			fail_msg("%s: %s", files[i], err.message);
		assert_int_equal(mxtls_bundle_cert_count(b), 3);
		assert_int_equal(mxtls_bundle_key_count(b), 0);
		assert_int_equal(add(b, "leaf.der", NULL, &err), 0);
		assert_int_equal(add(b, "chain.p7b", NULL, &err), 0);
		assert_int_equal(mxtls_bundle_cert_count(b), 3);
		mxtls_bundle_free(b);
	}
	b = mxtls_bundle_new(&err);
	assert_int_equal(add(b, "leaf.der", NULL, &err), 0);
	assert_int_equal(mxtls_bundle_cert_count(b), 1);
	assert_int_equal(mxtls_cert_is_ca(mxtls_bundle_cert(b, 0)), 0);
	/* Other blocks are skipped with a warning; a failed add leaves the bundle as it was. */
	{
		static const char other[] = "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n";
		assert_int_equal(add_mem(b, (const uint8_t *)other, sizeof(other) - 1, NULL, &err), -1);
		assert_int_equal(err.code, MXTLS_ERR_EMPTY);
	}
	{
		uint8_t *p;
		size_t n;
		p = slurp("int.pem", &n);
		p = realloc(p, n + 60);
		memcpy(p + n, "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", 53);
		assert_int_equal(add_mem(b, p, n + 53, NULL, &err), 0);
		assert_int_equal(mxtls_bundle_warning_count(b), 1);
		assert_int_equal(mxtls_bundle_warning_kind(b, 0), MXTLS_WARN_SKIPPED_ENTRY);
		assert_non_null(strstr(mxtls_bundle_warning(b, 0), "X509 CRL"));
		free(p);
	}
	assert_int_equal(mxtls_bundle_cert_count(b), 2);
	assert_int_equal(add(b, "ed25519-key.pem", NULL, &err), -1);
	assert_int_equal(mxtls_bundle_cert_count(b), 2);
	assert_int_equal(mxtls_bundle_add_mem(b, "x", 1, NULL, "a\0b", 3, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	mxtls_bundle_free(b);
}

/* The leaf by its key, the chain by name and signature, whatever the order. */
static void test_chain(void **state)
{
	const mxtls_cert *chain[MXTLS_MAX_CHAIN];
	mxtls_bundle *b, *ref;
	mxtls_error err;
	size_t n, i;

	(void)state;
	ref = mxtls_bundle_new(&err);
	assert_int_equal(add(ref, "chain-full.pem", NULL, &err), 0); /* leaf, int, root */
	b = mxtls_bundle_new(&err);
	assert_int_equal(add(b, "chain-shuffled.pem", NULL, &err), 0);
	assert_int_equal(add(b, "ecleaf.pem", NULL, &err), 0);
	assert_int_equal(add(b, "key-legacy-des3.pem", PW, &err), 0);
	assert_int_equal(mxtls_bundle_chain(b, 0, chain, MXTLS_MAX_CHAIN, &n, &err), 1);
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++)
		assert_memory_equal(mxtls_cert_sha256(chain[i]),
				    mxtls_cert_sha256(mxtls_bundle_cert(ref, i)), 32);
	assert_int_equal(mxtls_bundle_chain(b, 0, chain, 2, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(mxtls_bundle_chain(b, 1, chain, MXTLS_MAX_CHAIN, &n, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	mxtls_bundle_free(b);

	/* Leaf + intermediate only: the chain stops short. */
	b = mxtls_bundle_new(&err);
	assert_int_equal(add(b, "int.pem", NULL, &err), 0);
	assert_int_equal(add(b, "leaf.pem", NULL, &err), 0);
	assert_int_equal(add(b, "leaf-key.pem", NULL, &err), 0);
	assert_int_equal(mxtls_bundle_chain(b, 0, chain, MXTLS_MAX_CHAIN, &n, &err), 0);
	assert_int_equal(n, 2);
	mxtls_bundle_free(b);

	/* A key no certificate holds. */
	b = mxtls_bundle_new(&err);
	assert_int_equal(add(b, "chain-full.pem", NULL, &err), 0);
	assert_int_equal(add(b, "other-key.pem", NULL, &err), 0);
	assert_int_equal(mxtls_bundle_chain(b, 0, chain, MXTLS_MAX_CHAIN, &n, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_KEY_MISMATCH);
	assert_non_null(strstr(err.message, "other-key.pem"));
	mxtls_bundle_free(b);

	/* An intermediate of the same name but another key is not taken as the issuer. */
	b = mxtls_bundle_new(&err);
	assert_int_equal(add(b, "leaf.pem", NULL, &err), 0);
	assert_int_equal(add(b, "leaf-key.pem", NULL, &err), 0);
	assert_int_equal(mxtls_bundle_chain(b, 0, chain, MXTLS_MAX_CHAIN, &n, &err), 0);
	assert_int_equal(n, 1);
	mxtls_bundle_free(b);
	mxtls_bundle_free(ref);
}

/* The hand-off to the writer: what loads back is the key, its leaf and chain. */
static void test_writer(void **state)
{
	mxtls_pkcs12_writer *w;
	mxtls_bundle *b;
	mxtls_pkcs12 *p;
	mxtls_error err;
	unsigned char *der;
	size_t len;

	(void)state;
	b = mxtls_bundle_new(&err);
	assert_int_equal(add(b, "chain.p7b", NULL, &err), 0);
	assert_int_equal(add(b, "key-pbes2-aes.pem", PW, &err), 0);
	w = mxtls_pkcs12_writer_new(0, &err);
	assert_non_null(w);
	assert_int_equal(mxtls_bundle_add_to_writer(b, 0, w, "client", &err), 0);
	assert_int_equal(mxtls_pkcs12_writer_finish(w, "pw", 2, &der, &len, &err), 0);
	p = mxtls_pkcs12_load_mem_n(der, len, "pw", 2, 0, &err);
	assert_non_null(p);
	assert_int_equal(mxtls_pkcs12_identity_count(p), 1);
	assert_int_equal(mxtls_identity_chain_count(mxtls_pkcs12_identity(p, 0)), 2);
	assert_string_equal(mxtls_identity_friendly_name(mxtls_pkcs12_identity(p, 0)), "client");
	assert_int_equal(mxtls_key_matches_cert(mxtls_bundle_key(b, 0),
						mxtls_identity_leaf(mxtls_pkcs12_identity(p, 0))),
			 1);
	mxtls_pkcs12_free(p);
	mxtls_free_secret(der, len);
	mxtls_pkcs12_writer_free(w);
	mxtls_bundle_free(b);
}

/* OpenSSL's EVP_BytesToKey(MD5, 1 iteration) against a known answer (openssl enc -P). */
static void test_bytes_to_key(void **state)
{
	/* openssl enc -aes-256-cbc -md md5 -pass pass:password -S 0102030405060708 -P */
	static const uint8_t salt[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t key[32];
	char hex[65];
	FILE *f;
	char cmd[] = "openssl enc -aes-256-cbc -md md5 -pass pass:password -S 0102030405060708 -P "
		     "2>/dev/null";
	char line[256], want[65] = "";
	size_t i;

	(void)state;
	assert_int_equal(mx_evp_bytes_to_key_md5((const uint8_t *)"password", 8, salt, key, 32), 0);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02X", key[i]);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "key=", 4) == 0)
			snprintf(want, sizeof(want), "%.64s", line + 4);
	pclose(f);
	if (want[0] == '\0')
		skip();
	assert_string_equal(hex, want);
}

/* ---- Java keystores (store.jks, store.jceks of make-inputs.sh) ---- */

static const char JKS_SP[] = "störe-pass€🔑", JKS_KP[] = "kéy-pass";
static const char JCEKS_SP[] = "store-pass", JCEKS_KP[] = "key-pass";
/* JKS_SP as Java chars, written out by hand: U+1F511 is the pair D83D DD11. */
static const uint8_t JKS_SP_UTF16BE[] = {0x00, 0x73, 0x00, 0x74, 0x00, 0xf6, 0x00, 0x72, 0x00,
                                         0x65, 0x00, 0x2d, 0x00, 0x70, 0x00, 0x61, 0x00, 0x73,
                                         0x00, 0x73, 0x20, 0xac, 0xd8, 0x3d, 0xdd, 0x11};

/* 1 if the input directory has the file (keystores need keytool). */
static int have(const char *name)
{
	char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f)
		fclose(f);
	return f != NULL;
}

static int ks_add(mxtls_bundle *b, const char *name, const char *sp, const char *kp,
                  mxtls_error *err)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return mxtls_bundle_add_keystore_file(b, path, sp, sp ? strlen(sp) : 0, kp,
	                                      kp ? strlen(kp) : 0, err);
}

static size_t key_by_alias(const mxtls_bundle *b, const char *alias)
{
	size_t i;

	for (i = 0; i < mxtls_bundle_key_count(b); i++)
		if (mxtls_key_alias(mxtls_bundle_key(b, i)) &&
		    strcmp(mxtls_key_alias(mxtls_bundle_key(b, i)), alias) == 0)
			return i;
	fail_msg("no key with alias \"%s\"", alias);
	return 0;
}

/* SHA-1(pw16 || "Mighty Aphrodite" || p[0..len-20)) into the last 20 bytes: the store's seal. */
static void reseal(uint8_t *p, size_t len, const uint8_t *pw16, size_t pw16len)
{
	mbedtls_sha1_context c;

	mbedtls_sha1_init(&c);
	assert_int_equal(mbedtls_sha1_starts(&c), 0);
	assert_int_equal(mbedtls_sha1_update(&c, pw16, pw16len), 0);
	assert_int_equal(mbedtls_sha1_update(&c, (const uint8_t *)"Mighty Aphrodite", 16), 0);
	assert_int_equal(mbedtls_sha1_update(&c, p, len - 20), 0);
	assert_int_equal(mbedtls_sha1_finish(&c, p + len - 20), 0);
	mbedtls_sha1_free(&c);
}

/* Java chars of an ASCII password. */
static size_t ascii16(const char *pw, uint8_t *out)
{
	size_t i;

	for (i = 0; pw[i]; i++)
		out[2 * i] = 0, out[2 * i + 1] = (uint8_t)pw[i];
	return 2 * i;
}

/* Each store: both keys (the PEM keys' PKCS#8), their chains, the root; the secret skipped. */
static void test_keystores(void **state)
{
	static const struct {
		const char *file, *sp, *kp, *form;
		size_t warnings;
	} stores[] = {
	    {"store.jks", JKS_SP, JKS_KP, "JKS, JDK key protector (SHA-1)", 0},
	    {"store.jceks", JCEKS_SP, JCEKS_KP, "JCEKS, PBEWithMD5AndTripleDES, 10000 iterations",
	     1},
	    {"store-utf8.jceks", "störe-pass", "kéy-päss€",
	     "JCEKS, PBEWithMD5AndTripleDES, 10000 iterations", 0},
	};
	const mxtls_cert *chain[MXTLS_MAX_CHAIN];
	unsigned char *rsa, *ec, *der;
	size_t rsa_len, ec_len, len, i, j, n;
	mxtls_bundle *ref;
	mxtls_error err;

	(void)state;
	if (!have("store.jks"))
		skip();
	pkcs8_of("leaf-key.pem", NULL, &rsa, &rsa_len);
	pkcs8_of("ecleaf-key.pem", NULL, &ec, &ec_len);
	ref = mxtls_bundle_new(&err);
	assert_int_equal(add(ref, "chain-full.pem", NULL, &err), 0); /* leaf, int, root */
	for (i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
		mxtls_bundle *b;
		const mxtls_key *k;
		size_t ki, nkeys = i == 2 ? 1 : 2;
		if (!have(stores[i].file)) {
			print_message("%s not made (no keytool of Java 21+): not checked\n",
			              stores[i].file);
			continue;
		}
		b = mxtls_bundle_new(&err);
		if (ks_add(b, stores[i].file, stores[i].sp, stores[i].kp, &err) != 0)
			fail_msg("%s: %s (%s)", stores[i].file, err.message,
			         mxtls_error_name(err.code));
		assert_int_equal(mxtls_bundle_key_count(b), nkeys);
		assert_int_equal(mxtls_bundle_cert_count(b), nkeys + 2); /* leaves, int, root */
		for (j = 0; j < nkeys; j++) {
			int is_ec = i == 2 || strcmp(mxtls_key_alias(mxtls_bundle_key(b, j)),
			                             "ec-client") == 0;
			ki = key_by_alias(b, is_ec ? "ec-client" : "client");
			k = mxtls_bundle_key(b, ki);
			assert_int_equal(mxtls_key_kind(k), is_ec ? MXTLS_KEY_EC : MXTLS_KEY_RSA);
			assert_int_equal(mxtls_key_bits(k), is_ec ? 384 : 2048);
			assert_string_equal(mxtls_key_form(k), stores[i].form);
			assert_non_null(strstr(mxtls_key_source(k), stores[i].file));
			assert_non_null(strstr(mxtls_key_source(k),
			                       is_ec ? "alias \"ec-client\"" : "alias \"client\""));
			assert_int_equal(mxtls_key_pkcs8_der(k, &der, &len, &err), 0);
			assert_int_equal(len, is_ec ? ec_len : rsa_len);
			assert_memory_equal(der, is_ec ? ec : rsa, len);
			mxtls_free_secret(der, len);
			/* The chain keytool stored: leaf, intermediate, root. */
			assert_int_equal(
			    mxtls_bundle_chain(b, ki, chain, MXTLS_MAX_CHAIN, &n, &err), 1);
			assert_int_equal(n, 3);
			assert_memory_equal(mxtls_cert_sha256(chain[1]),
			                    mxtls_cert_sha256(mxtls_bundle_cert(ref, 1)), 32);
			assert_memory_equal(mxtls_cert_sha256(chain[2]),
			                    mxtls_cert_sha256(mxtls_bundle_cert(ref, 2)), 32);
			if (!is_ec)
				assert_memory_equal(mxtls_cert_sha256(chain[0]),
				                    mxtls_cert_sha256(mxtls_bundle_cert(ref, 0)),
				                    32);
		}
		assert_int_equal(mxtls_bundle_warning_count(b), stores[i].warnings);
		if (stores[i].warnings) {
			assert_int_equal(mxtls_bundle_warning_kind(b, 0), MXTLS_WARN_SKIPPED_ENTRY);
			assert_non_null(strstr(mxtls_bundle_warning(b, 0), "alias \"aes-secret\""));
		}
		mxtls_bundle_free(b);
	}
	/* The key password defaults to the store password: here it is another, named by alias. */
	{
		mxtls_bundle *b = mxtls_bundle_new(&err);
		assert_int_equal(ks_add(b, "store.jceks", JCEKS_SP, NULL, &err), -1);
		assert_int_equal(err.code, MXTLS_ERR_WRONG_PASSWORD);
		assert_non_null(strstr(err.message, "alias \""));
		/* mxtls_bundle_add_file knows a keystore by its magic, with its one password. */
		assert_int_equal(add(b, "store.jceks", JCEKS_SP, &err), -1);
		assert_int_equal(err.code, MXTLS_ERR_WRONG_PASSWORD);
		assert_non_null(strstr(err.message, "alias \""));
		assert_int_equal(mxtls_bundle_cert_count(b) + mxtls_bundle_key_count(b), 0);
		assert_int_equal(mxtls_bundle_warning_count(b), 0);
		mxtls_bundle_free(b);
	}
	mxtls_bundle_free(ref);
	mxtls_free_secret(rsa, rsa_len);
	mxtls_free_secret(ec, ec_len);
}

/* A wrong store password fails the integrity check; a wrong key password names the alias. */
static void test_keystore_passwords(void **state)
{
	static const struct {
		const char *file, *sp, *kp, *needle;
	} cases[] = {
	    {"store.jks", "wrong-pass", JKS_KP, "integrity check"},
	    {"store.jks", "störe-pass€", JKS_KP, "integrity check"}, /* the last char matters */
	    {"store.jks", JKS_SP, "wrong-pass", "key password does not open"},
	    {"store.jks", JKS_SP, "", "no password was given"},
	    {"store.jceks", "wrong-pass", JCEKS_KP, "integrity check"},
	    {"store.jceks", JCEKS_SP, "key-pas", "key password does not open"},
	    {"store.jceks", JCEKS_SP, "Key-pass", "PBEWithMD5AndTripleDES"},
	    {"store.jceks", NULL, NULL, "no password was given"},
	};
	mxtls_error err;
	size_t i;

	(void)state;
	if (!have("store.jks"))
		skip();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mxtls_bundle *b = mxtls_bundle_new(&err);
		assert_int_equal(ks_add(b, cases[i].file, cases[i].sp, cases[i].kp, &err), -1);
		if (err.code != MXTLS_ERR_WRONG_PASSWORD || !strstr(err.message, cases[i].needle))
			fail_msg("case %zu: %s (%s)", i, err.message, mxtls_error_name(err.code));
		assert_non_null(strstr(err.message, cases[i].file));
		/* The store check names no alias; a key's failure does. */
		assert_true((strstr(err.message, "alias \"") != NULL) ==
		            (strstr(cases[i].needle, "integrity") == NULL));
		if (cases[i].sp && cases[i].sp[0])
			assert_null(strstr(err.message, cases[i].sp));
		if (cases[i].kp && cases[i].kp[0])
			assert_null(strstr(err.message, cases[i].kp));
		assert_int_equal(mxtls_bundle_cert_count(b) + mxtls_bundle_key_count(b) +
		                     mxtls_bundle_warning_count(b),
		                 0);
		mxtls_bundle_free(b);
	}
}

/* A JKS truststore of the certificates of chain-full.pem, made here (version 1 has no types). */
static uint8_t *make_truststore(int version, const char *pw, size_t *len)
{
	mxtls_error err;
	mxtls_bundle *b = mxtls_bundle_new(&err);
	uint8_t *p = malloc(16384), pw16[64];
	size_t n = 0, i, clen;
	const uint8_t *der;

	assert_int_equal(add(b, "chain-full.pem", NULL, &err), 0);
#define PUT32(v)                                                                                   \
	(p[n] = (uint8_t)((v) >> 24), p[n + 1] = (uint8_t)((v) >> 16),                             \
	 p[n + 2] = (uint8_t)((v) >> 8), p[n + 3] = (uint8_t)(v), n += 4)
	PUT32(0xfeedfeedu);
	PUT32((uint32_t)version);
	PUT32((uint32_t)mxtls_bundle_cert_count(b));
	for (i = 0; i < mxtls_bundle_cert_count(b); i++) {
		PUT32(2u);
		p[n++] = 0, p[n++] = 4, memcpy(p + n, "ca-", 3), p[n + 3] = (uint8_t)('0' + i),
		n += 4;
		memset(p + n, 0, 8), n += 8; /* date */
		if (version == 2)
			p[n++] = 0, p[n++] = 5, memcpy(p + n, "X.509", 5), n += 5;
		der = mxtls_cert_der(mxtls_bundle_cert(b, i), &clen);
		PUT32((uint32_t)clen);
		memcpy(p + n, der, clen), n += clen;
	}
#undef PUT32
	n += 20;
	reseal(p, n, pw16, ascii16(pw, pw16));
	mxtls_bundle_free(b);
	*len = n;
	return p;
}

/* Truststores: versions 1 and 2, read by mxtls_bundle_add_mem too; no password: a warning. */
static void test_truststore(void **state)
{
	mxtls_error err;
	mxtls_bundle *b;
	uint8_t *p;
	size_t n;
	int v;

	(void)state;
	for (v = 1; v <= 2; v++) {
		p = make_truststore(v, PW, &n);
		b = mxtls_bundle_new(&err);
		assert_int_equal(add_mem(b, p, n, PW, &err), 0);
		assert_int_equal(mxtls_bundle_cert_count(b), 3);
		assert_int_equal(mxtls_bundle_key_count(b), 0);
		assert_int_equal(mxtls_bundle_warning_count(b), 0);
		mxtls_bundle_free(b);
		/* Without the store password Java loads it unchecked; so do we, with a no_mac
		 * warning. */
		b = mxtls_bundle_new(&err);
		assert_int_equal(add_mem(b, p, n, NULL, &err), 0);
		assert_int_equal(mxtls_bundle_cert_count(b), 3);
		assert_int_equal(mxtls_bundle_warning_count(b), 1);
		assert_int_equal(mxtls_bundle_warning_kind(b, 0), MXTLS_WARN_NO_MAC);
		assert_non_null(strstr(mxtls_bundle_warning(b, 0), "integrity"));
		mxtls_bundle_free(b);
		expect_error(p, n, "wrong", MXTLS_ERR_WRONG_PASSWORD, "integrity check");
		free(p);
	}
	/* Sealed with the empty password: verified without one, no warning. */
	p = make_truststore(2, "", &n);
	b = mxtls_bundle_new(&err);
	assert_int_equal(
	    mxtls_bundle_add_keystore_mem(b, p, n, "trust.jks", NULL, 0, NULL, 0, &err), 0);
	assert_int_equal(mxtls_bundle_warning_count(b), 0);
	mxtls_bundle_free(b);
	free(p);
	/* A certificate type other than X.509. */
	p = make_truststore(2, PW, &n);
	memcpy(memmem(p, n, "X.509", 5), "X.510", 5);
	reseal(p, n, (const uint8_t *)"\0s\0\x33\0c\0r\0e\0t", 12);
	expect_error(p, n, PW, MXTLS_ERR_UNSUPPORTED_ALGORITHM, "certificate type \"X.510\"");
	free(p);
}

/* Damage: every truncation is corrupt with an offset; lengths, tags, trailing bytes too. */
static void test_keystore_corrupt(void **state)
{
	const char *files[] = {"store.jks", "store.jceks"};
	mxtls_error err;
	mxtls_bundle *b;
	uint8_t *p;
	size_t n, i, cut, step;

	(void)state;
	if (!have("store.jks"))
		skip();
	b = mxtls_bundle_new(&err);
	for (i = 0; i < 2; i++) {
		const char *sp = i ? JCEKS_SP : JKS_SP, *kp = i ? JCEKS_KP : JKS_KP;
		p = slurp(files[i], &n);
		/* Valgrind runs this too: every 13th length, and each of the last 24. */
		for (cut = 1; cut < n; cut += step) {
			step = cut + 24 >= n ? 1 : 13;
			assert_int_equal(mxtls_bundle_add_keystore_mem(b, p, cut, files[i], sp,
			                                               strlen(sp), kp, strlen(kp),
			                                               &err),
			                 -1);
			if (err.code != MXTLS_ERR_CORRUPT || strstr(err.message, "offset ") == NULL)
				fail_msg("%s cut to %zu: %s (%s)", files[i], cut, err.message,
				         mxtls_error_name(err.code));
		}
		/* One byte more. */
		p = realloc(p, n + 1);
		p[n] = 0;
		assert_int_equal(mxtls_bundle_add_keystore_mem(b, p, n + 1, files[i], sp,
		                                               strlen(sp), kp, strlen(kp), &err),
		                 -1);
		assert_int_equal(err.code, MXTLS_ERR_CORRUPT);
		assert_non_null(strstr(err.message, "after the keystore's integrity digest"));
		/* An entry count over the limit; an unknown tag; a certificate's length past the
		 * end. */
		p[8] = 0x7f;
		assert_int_equal(mxtls_bundle_add_keystore_mem(b, p, n, files[i], sp, strlen(sp),
		                                               kp, strlen(kp), &err),
		                 -1);
		assert_int_equal(err.code, MXTLS_ERR_LIMIT_EXCEEDED);
		p[8] = 0;
		p[15] = 9; /* the first entry's tag */
		assert_int_equal(mxtls_bundle_add_keystore_mem(b, p, n, files[i], sp, strlen(sp),
		                                               kp, strlen(kp), &err),
		                 -1);
		assert_int_equal(err.code, MXTLS_ERR_CORRUPT);
		assert_non_null(strstr(err.message, "offset 12: unknown entry tag 9"));
		free(p);
		assert_int_equal(mxtls_bundle_cert_count(b) + mxtls_bundle_key_count(b) +
		                     mxtls_bundle_warning_count(b),
		                 0);
	}
	/* Not a keystore at all, for the keystore call. */
	assert_int_equal(
	    mxtls_bundle_add_keystore_mem(b, "hello world", 11, "x", NULL, 0, NULL, 0, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_CORRUPT);
	assert_non_null(strstr(err.message, "x, offset 0: not a JKS or JCEKS keystore"));
	/* A changed byte inside a certificate: only the integrity check sees it. */
	p = slurp("store.jceks", &n);
	p[n / 2] ^= 0x01;
	assert_int_equal(mxtls_bundle_add_keystore_mem(b, p, n, "s", JCEKS_SP, strlen(JCEKS_SP),
	                                               JCEKS_KP, strlen(JCEKS_KP), &err),
	                 -1);
	assert_int_equal(err.code, MXTLS_ERR_WRONG_PASSWORD);
	assert_non_null(strstr(err.message, "or the file was changed"));
	free(p);
	mxtls_bundle_free(b);
}

/* Inside the seal: the secret key's serialized object damaged, an unknown protection OID. */
static void test_keystore_resealed(void **state)
{
	static const uint8_t pbe[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x13, 0x01};
	static const uint8_t jdk[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x11, 0x01, 0x01};
	static const uint8_t sealed[] = "javax.crypto.SealedObject";
	uint8_t *p, *q, pw16[64];
	size_t n, pwlen;

	(void)state;
	if (!have("store.jks"))
		skip();
	pwlen = ascii16(JCEKS_SP, pw16);
	p = slurp("store.jceks", &n);
	q = memmem(p, n, pbe, sizeof(pbe));
	assert_non_null(q);
	q[8] = 0x02;
	reseal(p, n, pw16, pwlen);
	{
		mxtls_error err;
		mxtls_bundle *b = mxtls_bundle_new(&err);
		assert_int_equal(mxtls_bundle_add_keystore_mem(b, p, n, "s.jceks", JCEKS_SP,
		                                               strlen(JCEKS_SP), JCEKS_KP,
		                                               strlen(JCEKS_KP), &err),
		                 -1);
		assert_int_equal(err.code, MXTLS_ERR_UNSUPPORTED_ALGORITHM);
		assert_non_null(strstr(err.message, "1.3.6.1.4.1.42.2.19.2"));
		assert_non_null(strstr(err.message, "alias \""));
		/* The secret key's object: its superclass name changed into a type code it is not.
		 */
		q[8] = 0x01;
		q = memmem(p, n, sealed, sizeof(sealed) - 1);
		assert_non_null(q);
		q[-3] = 0x55; /* TC_CLASSDESC of javax.crypto.SealedObject */
		reseal(p, n, pw16, pwlen);
		assert_int_equal(mxtls_bundle_add_keystore_mem(b, p, n, "s.jceks", JCEKS_SP,
		                                               strlen(JCEKS_SP), JCEKS_KP,
		                                               strlen(JCEKS_KP), &err),
		                 -1);
		assert_int_equal(err.code, MXTLS_ERR_CORRUPT);
		assert_non_null(strstr(err.message, "secret key \"aes-secret\""));
		mxtls_bundle_free(b);
	}
	free(p);
	/* JKS: another OID of the same length (17 -> 19: 1.3.6.1.4.1.42.2.19.1.1). */
	p = slurp("store.jks", &n);
	q = memmem(p, n, jdk, sizeof(jdk));
	assert_non_null(q);
	q[7] = 0x13;
	reseal(p, n, JKS_SP_UTF16BE, sizeof(JKS_SP_UTF16BE));
	{
		mxtls_error err;
		mxtls_bundle *b = mxtls_bundle_new(&err);
		assert_int_equal(mxtls_bundle_add_keystore_mem(b, p, n, "s.jks", JKS_SP,
		                                               strlen(JKS_SP), JKS_KP,
		                                               strlen(JKS_KP), &err),
		                 -1);
		if (err.code != MXTLS_ERR_UNSUPPORTED_ALGORITHM ||
		    !strstr(err.message, "key protection 1.3.6.1.4.1.42.2.19.1.1"))
			fail_msg("%s (%s)", err.message, mxtls_error_name(err.code));
		mxtls_bundle_free(b);
	}
	free(p);
}

/* PBEWithMD5AndTripleDES limits, on a hand-made EncryptedPrivateKeyInfo. */
static void test_keystore_limits(void **state)
{
	/* SEQUENCE { SEQUENCE { OID 1.3.6.1.4.1.42.2.19.1, SEQUENCE { salt[8], INTEGER 5000001 } },
	 * OCTET STRING[8] } */
	static const uint8_t epki[] = {
	    0x30, 0x28, 0x30, 0x1c, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x13,
	    0x01, 0x30, 0x0f, 0x04, 0x08, 1,    2,    3,    4,    5,    6,    7,    8,    0x02,
	    0x03, 0x4c, 0x4b, 0x41, 0x04, 0x08, 0,    0,    0,    0,    0,    0,    0,    0};
	uint8_t e[sizeof(epki)], *plain = NULL;
	struct mx_ks_pw pw = {(const uint8_t *)"", 0, (const uint8_t *)"", 0};
	uint64_t budget = MXTLS_MAX_KDF_BUDGET;
	mxtls_error err;
	size_t plen = 0;
	char desc[96];

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_true(mx_ks_unprotect(MX_KS_JCEKS, epki, sizeof(epki), &pw, &budget, &plain, &plen,
	                            desc, sizeof(desc), &err) < 0);
	assert_int_equal(err.code, MXTLS_ERR_LIMIT_EXCEEDED);
	assert_non_null(strstr(err.message, "5000001"));
	/* 1000 iterations, 1500 hash iterations left: over the load's budget. */
	memcpy(e, epki, sizeof(e));
	e[29] = 0x00, e[30] = 0x03, e[31] = 0xe8;
	budget = 1500;
	memset(&err, 0, sizeof(err));
	assert_true(mx_ks_unprotect(MX_KS_JCEKS, e, sizeof(e), &pw, &budget, &plain, &plen, desc,
	                            sizeof(desc), &err) < 0);
	assert_int_equal(err.code, MXTLS_ERR_LIMIT_EXCEEDED);
	/* Within it: the (random) ciphertext does not decrypt: wrong_password. */
	budget = 4000;
	memset(&err, 0, sizeof(err));
	assert_true(mx_ks_unprotect(MX_KS_JCEKS, e, sizeof(e), &pw, &budget, &plain, &plen, desc,
	                            sizeof(desc), &err) < 0);
	assert_int_equal(err.code, MXTLS_ERR_WRONG_PASSWORD);
	assert_int_equal(budget, 2000);
	/* JKS does not take this protection. */
	memset(&err, 0, sizeof(err));
	assert_true(mx_ks_unprotect(MX_KS_JKS, e, sizeof(e), &pw, &budget, &plain, &plen, desc,
	                            sizeof(desc), &err) < 0);
	assert_int_equal(err.code, MXTLS_ERR_UNSUPPORTED_ALGORITHM);
	assert_null(plain);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_forms),   cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_corrupt),     cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_decrypted_but_damaged),
		cmocka_unit_test(test_certificates), cmocka_unit_test(test_chain),
		cmocka_unit_test(test_writer),      cmocka_unit_test(test_bytes_to_key),
		cmocka_unit_test(test_keystores),   cmocka_unit_test(test_keystore_passwords),
		cmocka_unit_test(test_truststore),  cmocka_unit_test(test_keystore_corrupt),
		cmocka_unit_test(test_keystore_resealed), cmocka_unit_test(test_keystore_limits),
	};
	char tmpl[] = "/tmp/mxtls-readers-XXXXXX", cmd[1200];
	int ret, made = 0;

	if (argc > 1) {
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	} else {
		if (mkdtemp(tmpl) == NULL)
			return 1;
		snprintf(dir, sizeof(dir), "%s", tmpl);
		snprintf(cmd, sizeof(cmd), "%s %s >/dev/null", MXTLS_READERS_SCRIPT, dir);
		if (system(cmd) != 0)
			return 1;
		made = 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	if (made) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			ret = 1;
	}
	return ret;
}
