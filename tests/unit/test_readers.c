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

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_forms),   cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_corrupt),     cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_decrypted_but_damaged),
		cmocka_unit_test(test_certificates), cmocka_unit_test(test_chain),
		cmocka_unit_test(test_writer),      cmocka_unit_test(test_bytes_to_key),
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
