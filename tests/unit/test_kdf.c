/* Unit tests for mxtls_kdf: published vectors plus cross-checks against mbedTLS's own KDFs. */
/* The SHA-NI cross-check loads arbitrary chaining states into mbedTLS SHA contexts. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/pkcs12.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>

#include "mxtls_kdf.h"
#include "mxtls_sha_x86.h"

static const mbedtls_md_type_t all_mds[] = {MBEDTLS_MD_SHA1, MBEDTLS_MD_SHA224, MBEDTLS_MD_SHA256,
                                            MBEDTLS_MD_SHA384, MBEDTLS_MD_SHA512};
#define N_MDS (sizeof(all_mds) / sizeof(all_mds[0]))

/* Decode a hex literal from a vector table; returns the byte count. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2, i;
	unsigned int b;

	assert_true(n <= cap);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
	return n;
}

/* Deterministic xorshift32, so a failing cross-check case can be replayed. */
static uint32_t rng_state = 0x9e3779b9u;

static uint32_t rnd(uint32_t bound)
{
	/* Masked before shifting so even clang's -fsanitize=integer sees no bits shifted out. */
	rng_state ^= (rng_state & 0x0007ffffu) << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= (rng_state & 0x07ffffffu) << 5;
	return rng_state % bound;
}

static void fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd(256);
}

/* ASCII to BMPString with the two-byte terminator, as PKCS#12 encodes passwords. */
static size_t bmp(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s), i;

	assert_true(2 * n + 2 <= cap);
	for (i = 0; i < n; i++) {
		out[2 * i] = 0;
		out[2 * i + 1] = (uint8_t)s[i];
	}
	out[2 * n] = 0;
	out[2 * n + 1] = 0;
	return 2 * n + 2;
}

struct pbkdf2_vec {
	mbedtls_md_type_t md;
	const char *pw;
	size_t pwlen;
	const char *salt;
	size_t saltlen;
	uint32_t iterations;
	const char *dk;
};

static void check_pbkdf2_vecs(const struct pbkdf2_vec *v, size_t n)
{
	uint8_t want[128], got[128];
	size_t i, len;

	for (i = 0; i < n; i++) {
		len = unhex(v[i].dk, want, sizeof(want));
		memset(got, 0xaa, sizeof(got));
		assert_int_equal(mx_pbkdf2_hmac(v[i].md, (const uint8_t *)v[i].pw, v[i].pwlen,
		                                (const uint8_t *)v[i].salt, v[i].saltlen,
		                                v[i].iterations, got, len),
		                 0);
		assert_memory_equal(got, want, len);
		assert_int_equal(got[len], 0xaa); /* nothing written past outlen */
	}
}

/*
 * RFC 6070 section 2 (PBKDF2-HMAC-SHA1); the 16777216-iteration case is left out for time.
 * Bytes as carried by mbedTLS's test_suite_pkcs5.data, re-checked with Python's hashlib.
 */
static void test_pbkdf2_rfc6070(void **state)
{
	static const struct pbkdf2_vec v[] = {
	    {MBEDTLS_MD_SHA1, "password", 8, "salt", 4, 1,
	     "0c60c80f961f0e71f3a9b524af6012062fe037a6"},
	    {MBEDTLS_MD_SHA1, "password", 8, "salt", 4, 2,
	     "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"},
	    {MBEDTLS_MD_SHA1, "password", 8, "salt", 4, 4096,
	     "4b007901b765489abead49d926f721d065a429c1"},
	    {MBEDTLS_MD_SHA1, "passwordPASSWORDpassword", 24,
	     "saltSALTsaltSALTsaltSALTsaltSALTsalt", 36, 4096,
	     "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"},
	    {MBEDTLS_MD_SHA1, "pass\0word", 9, "sa\0lt", 5, 4096,
	     "56fa6aa75548099dcc37d7f03425e0c3"},
	};
	(void)state;
	check_pbkdf2_vecs(v, sizeof(v) / sizeof(v[0]));
}

/* RFC 7914 section 11 (PBKDF2-HMAC-SHA256), same provenance as above. */
static void test_pbkdf2_rfc7914(void **state)
{
	static const struct pbkdf2_vec v[] = {
	    {MBEDTLS_MD_SHA256, "passwd", 6, "salt", 4, 1,
	     "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
	     "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"},
	    {MBEDTLS_MD_SHA256, "Password", 8, "NaCl", 4, 80000,
	     "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
	     "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"},
	};
	(void)state;
	check_pbkdf2_vecs(v, sizeof(v) / sizeof(v[0]));
}

static void pbkdf2_crosscheck(mbedtls_md_type_t md, size_t pwlen, size_t saltlen,
                              uint32_t iterations, size_t outlen)
{
	uint8_t pw[200], salt[64], want[200], got[200];

	assert_true(pwlen <= sizeof(pw) && saltlen <= sizeof(salt) && outlen <= sizeof(got));
	fill(pw, pwlen);
	fill(salt, saltlen);
	assert_int_equal(mbedtls_pkcs5_pbkdf2_hmac_ext(md, pw, pwlen, salt, saltlen, iterations,
	                                               (uint32_t)outlen, want),
	                 0);
	assert_int_equal(mx_pbkdf2_hmac(md, pw, pwlen, salt, saltlen, iterations, got, outlen), 0);
	if (memcmp(got, want, outlen) != 0)
		fail_msg("PBKDF2 mismatch: md %d pwlen %zu saltlen %zu iter %u outlen %zu", (int)md,
		         pwlen, saltlen, (unsigned)iterations, outlen);
}

/* Every md against mbedtls_pkcs5_pbkdf2_hmac_ext, over edges and a random spread. */
static void test_pbkdf2_vs_mbedtls(void **state)
{
	/* Key sizes around both block sizes (hashed-key path) and output around digest sizes. */
	static const size_t pwlens[] = {0, 1, 63, 64, 65, 127, 128, 129, 200};
	static const size_t outlens[] = {1, 19, 20, 21, 28, 32, 33, 48, 64, 65, 129, 200};
	size_t m, i;

	(void)state;
	for (m = 0; m < N_MDS; m++) {
		for (i = 0; i < sizeof(pwlens) / sizeof(pwlens[0]); i++)
			pbkdf2_crosscheck(all_mds[m], pwlens[i], 16, 3, 40);
		for (i = 0; i < sizeof(outlens) / sizeof(outlens[0]); i++)
			pbkdf2_crosscheck(all_mds[m], 10, 8, 2, outlens[i]);
		pbkdf2_crosscheck(all_mds[m], 0, 0, 1, 1);
		pbkdf2_crosscheck(all_mds[m], 8, 64, 3000, 200);
		for (i = 0; i < 30; i++)
			pbkdf2_crosscheck(all_mds[m], rnd(201), rnd(65),
			                  i % 5 == 0 ? 1 + rnd(3000) : 1 + rnd(40), 1 + rnd(200));
	}
}

static void test_pbkdf2_null_password(void **state)
{
	uint8_t want[32], got[32];
	const uint8_t empty[1] = {0};

	(void)state;
	assert_int_equal(mbedtls_pkcs5_pbkdf2_hmac_ext(MBEDTLS_MD_SHA256, empty, 0,
	                                               (const uint8_t *)"salt", 4, 5, 32, want),
	                 0);
	assert_int_equal(
	    mx_pbkdf2_hmac(MBEDTLS_MD_SHA256, NULL, 0, (const uint8_t *)"salt", 4, 5, got, 32), 0);
	assert_memory_equal(got, want, 32);
	assert_int_equal(mx_pbkdf2_hmac(MBEDTLS_MD_SHA256, empty, 0, NULL, 0, 5, got, 32), 0);
}

static void pkcs12_crosscheck(mbedtls_md_type_t md, uint8_t id, const char *pw, size_t saltlen,
                              uint32_t iterations, size_t outlen)
{
	uint8_t bpw[64], salt[64], want[128], got[128];
	size_t pwlen = pw != NULL ? bmp(pw, bpw, sizeof(bpw)) : 0;

	fill(salt, saltlen);
	assert_int_equal(mbedtls_pkcs12_derivation(want, outlen, bpw, pwlen, salt, saltlen, md, id,
	                                           (int)iterations),
	                 0);
	assert_int_equal(mx_pkcs12_kdf(md, id, bpw, pwlen, salt, saltlen, iterations, got, outlen),
	                 0);
	if (memcmp(got, want, outlen) != 0)
		fail_msg(
		    "PKCS#12 KDF mismatch: md %d id %u pw \"%s\" saltlen %zu iter %u outlen %zu",
		    (int)md, id, pw != NULL ? pw : "(none)", saltlen, (unsigned)iterations, outlen);
}

/*
 * Every md and id against mbedtls_pkcs12_derivation. That function caps the (BMP) password
 * and the salt at 64 bytes and the output at 128, so passwords stay at <= 31 characters.
 */
static void test_pkcs12_vs_mbedtls(void **state)
{
	static const char *const pws[] = {
	    NULL, "", "a", "smeg", "password", "correct horse", "0123456789012345678901234567890"};
	static const size_t outlens[] = {1, 8, 20, 24, 32, 41, 64, 65, 100, 128};
	size_t m, i, p;
	uint8_t id;

	(void)state;
	for (m = 0; m < N_MDS; m++) {
		for (id = 1; id <= 3; id++) {
			for (p = 0; p < sizeof(pws) / sizeof(pws[0]); p++)
				pkcs12_crosscheck(all_mds[m], id, pws[p], 8, 3, 128);
			for (i = 0; i < sizeof(outlens) / sizeof(outlens[0]); i++)
				pkcs12_crosscheck(all_mds[m], id, "pw", 20, 2, outlens[i]);
			pkcs12_crosscheck(all_mds[m], id, "salt-less", 0, 5, 70);
			pkcs12_crosscheck(all_mds[m], id, "longest salt", 64, 2048, 128);
			for (i = 0; i < 8; i++)
				pkcs12_crosscheck(all_mds[m], id, pws[1 + rnd(6)], rnd(65),
				                  1 + rnd(1000), 1 + rnd(128));
		}
	}
}

/*
 * Published SHA-1 vectors: drh-consultancy test.txt from the OpenSSL PKCS#12 FAQ, as carried
 * by Bouncy Castle's PKCS12Test and Crypto++'s validat1.cpp (ValidatePBKDF); OpenSSL 3's
 * PKCS12KDF gives the same bytes. Passwords "smeg" and "queeg" as BMPStrings.
 */
static void test_pkcs12_known_answers(void **state)
{
	static const struct {
		uint8_t id;
		uint32_t iterations;
		const char *pw, *salt, *key;
	} v[] = {
	    {1, 1, "smeg", "0A58CF64530D823F", "8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3"},
	    {2, 1, "smeg", "0A58CF64530D823F", "79993DFE048D3B76"},
	    {1, 1, "smeg", "642B99AB44FB4B1F", "F3A95FEC48D7711E985CFE67908C5AB79FA3D7C5CAA5D966"},
	    {2, 1, "smeg", "642B99AB44FB4B1F", "C0A38D64A79BEA1D"},
	    {3, 1, "smeg", "3D83C0E4546AC140", "8D967D88F6CAA9D714800AB3D48051D63F73A312"},
	    {1, 1000, "queeg", "05DEC959ACFF72F7",
	     "ED2034E36328830FF09DF1E1A07DD357185DAC0D4F9EB3D4"},
	    {2, 1000, "queeg", "05DEC959ACFF72F7", "11DEDAD7758D4860"},
	    {1, 1000, "queeg", "1682C0FC5B3F7EC5",
	     "483DD6E919D7DE2E8E648BA8F862F3FBFBDC2BCB2C02957F"},
	    {2, 1000, "queeg", "1682C0FC5B3F7EC5", "9D461D1B00355C50"},
	    {3, 1000, "queeg", "263216FCC2FAB31C", "5EC4C7A80DF652294C3925B6489A7AB857C83476"},
	};
	uint8_t pw[16], salt[8], want[24], got[24];
	size_t i, pwlen, saltlen, len;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		pwlen = bmp(v[i].pw, pw, sizeof(pw));
		saltlen = unhex(v[i].salt, salt, sizeof(salt));
		len = unhex(v[i].key, want, sizeof(want));
		assert_int_equal(mx_pkcs12_kdf(MBEDTLS_MD_SHA1, v[i].id, pw, pwlen, salt, saltlen,
		                               v[i].iterations, got, len),
		                 0);
		assert_memory_equal(got, want, len);
	}
}

/*
 * A 1000-byte password, far past mbedtls_pkcs12_derivation's 64-byte cap, so I spans many
 * blocks and the step 6 update runs over each. The expected bytes were made by
 * tests/unit/pkcs12_kdf_ref.py (an independent Python reading of RFC 7292 B.2; run it to
 * reprint them) and agree with `openssl kdf -kdfopt digest:<md> -kdfopt hexpass:<pw>
 * -kdfopt hexsalt:0102030405060708 -kdfopt iter:2048 -kdfopt id:<id> PKCS12KDF` (OpenSSL 3.0).
 */
static void test_pkcs12_long_password(void **state)
{
	static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	static const struct {
		mbedtls_md_type_t md;
		uint8_t id;
		const char *dk;
	} v[] = {
	    {MBEDTLS_MD_SHA1, 1,
	     "b438f5ca6eee9f46e07f0b48f8dca4b6b0d22733adf21fcd7f704ce83c761811b319de8fb0f250e4"
	     "c31e0fb21872448eb41cfdd5e7bbc1caa516863517fe894b4d34adcf727e"},
	    {MBEDTLS_MD_SHA256, 1,
	     "3f3810d1a50eac7cd6015981a45ec69e58b78bf951ea47b34206013bf04075571d0411e0eebc9c32"
	     "bfa67206bad36e29438310517983560093d1d6100e5443294b39698f6806"},
	    {MBEDTLS_MD_SHA512, 3,
	     "71054a51ff4559c751afbc3c53d728d6cb05b8f192bc47d99086374f95ff48aad6000b3bccdd9071"
	     "2c039f0a503fadc479a8d00d2b883a969bad119c19355138efb3a47870c2202da2514526d31d46bc"
	     "1283a503cb09dc1c815c621e50500187140a8e20bbf7594092278a4008b8658f74904e7c0cbc9033"
	     "54bd74239da5622333cf7b1ebae6b9a7d1723a5263582fe2e9f73e08ee15"},
	};
	static const uint8_t salt[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t pw[1000], want[150], got[150];
	size_t i, len;

	(void)state;
	/* 499 BMP characters cycling over 0-9a-z, then the 00 00 terminator. */
	for (i = 0; i < 499; i++) {
		pw[2 * i] = 0;
		pw[2 * i + 1] = (uint8_t)alphabet[i % 36];
	}
	pw[998] = pw[999] = 0;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		len = unhex(v[i].dk, want, sizeof(want));
		assert_int_equal(mx_pkcs12_kdf(v[i].md, v[i].id, pw, sizeof(pw), salt, sizeof(salt),
		                               2048, got, len),
		                 0);
		assert_memory_equal(got, want, len);
	}
}

/* RFC 2202 / RFC 4231 test case 2 ("Jefe"), then mbedtls_md_hmac over key and message sizes. */
static void test_hmac(void **state)
{
	static const struct {
		mbedtls_md_type_t md;
		const char *mac;
	} v[] = {
	    {MBEDTLS_MD_SHA1, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
	    {MBEDTLS_MD_SHA256, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
	    {MBEDTLS_MD_SHA512, "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	                        "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
	};
	static const char msg[] = "what do ya want for nothing?";
	static const size_t keylens[] = {0, 1, 20, 63, 64, 65, 127, 128, 129, 300};
	static const size_t msglens[] = {0, 1, 55, 56, 64, 111, 112, 128, 1000};
	uint8_t key[300], data[1000], want[64], got[64];
	const mbedtls_md_info_t *info;
	size_t i, k, j, len;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		len = unhex(v[i].mac, want, sizeof(want));
		assert_int_equal(mx_hmac(v[i].md, (const uint8_t *)"Jefe", 4, (const uint8_t *)msg,
		                         strlen(msg), got),
		                 0);
		assert_memory_equal(got, want, len);
	}
	fill(key, sizeof(key));
	fill(data, sizeof(data));
	for (i = 0; i < N_MDS; i++) {
		info = mbedtls_md_info_from_type(all_mds[i]);
		assert_non_null(info);
		len = mbedtls_md_get_size(info);
		for (k = 0; k < sizeof(keylens) / sizeof(keylens[0]); k++) {
			for (j = 0; j < sizeof(msglens) / sizeof(msglens[0]); j++) {
				assert_int_equal(
				    mbedtls_md_hmac(info, key, keylens[k], data, msglens[j], want),
				    0);
				assert_int_equal(
				    mx_hmac(all_mds[i], key, keylens[k], data, msglens[j], got), 0);
				assert_memory_equal(got, want, len);
			}
		}
	}
	assert_int_equal(mx_hmac(MBEDTLS_MD_SHA256, NULL, 0, NULL, 0, got), 0);
}

static void test_bad_arguments(void **state)
{
	uint8_t out[32], buf[8] = {0};

	(void)state;
	/* Unsupported digests. */
	assert_int_equal(mx_pbkdf2_hmac(MBEDTLS_MD_MD5, buf, 8, buf, 8, 1, out, 16), -1);
	assert_int_equal(mx_pbkdf2_hmac(MBEDTLS_MD_NONE, buf, 8, buf, 8, 1, out, 16), -1);
	assert_int_equal(mx_pkcs12_kdf(MBEDTLS_MD_MD5, 1, buf, 8, buf, 8, 1, out, 16), -1);
	assert_int_equal(mx_pkcs12_kdf(MBEDTLS_MD_SHA3_256, 1, buf, 8, buf, 8, 1, out, 16), -1);
	assert_int_equal(mx_hmac(MBEDTLS_MD_RIPEMD160, buf, 8, buf, 8, out), -1);
	/* Zero iterations / output, missing buffers. */
	assert_int_equal(mx_pbkdf2_hmac(MBEDTLS_MD_SHA1, buf, 8, buf, 8, 0, out, 16), -1);
	assert_int_equal(mx_pbkdf2_hmac(MBEDTLS_MD_SHA1, buf, 8, buf, 8, 1, out, 0), -1);
	assert_int_equal(mx_pbkdf2_hmac(MBEDTLS_MD_SHA1, buf, 8, buf, 8, 1, NULL, 16), -1);
	assert_int_equal(mx_pbkdf2_hmac(MBEDTLS_MD_SHA1, NULL, 1, buf, 8, 1, out, 16), -1);
	assert_int_equal(mx_pbkdf2_hmac(MBEDTLS_MD_SHA1, buf, 8, NULL, 1, 1, out, 16), -1);
	assert_int_equal(mx_pkcs12_kdf(MBEDTLS_MD_SHA1, 1, buf, 8, buf, 8, 0, out, 16), -1);
	assert_int_equal(mx_pkcs12_kdf(MBEDTLS_MD_SHA1, 1, buf, 8, buf, 8, 1, out, 0), -1);
	assert_int_equal(mx_pkcs12_kdf(MBEDTLS_MD_SHA1, 1, buf, 8, buf, 8, 1, NULL, 16), -1);
	assert_int_equal(mx_pkcs12_kdf(MBEDTLS_MD_SHA1, 1, NULL, 2, buf, 8, 1, out, 16), -1);
	assert_int_equal(mx_pkcs12_kdf(MBEDTLS_MD_SHA1, 1, buf, 8, NULL, 8, 1, out, 16), -1);
	assert_int_equal(mx_pkcs12_kdf(MBEDTLS_MD_SHA1, 0, buf, 8, buf, 8, 1, out, 16), -1);
	assert_int_equal(mx_pkcs12_kdf(MBEDTLS_MD_SHA1, 4, buf, 8, buf, 8, 1, out, 16), -1);
	assert_int_equal(mx_hmac(MBEDTLS_MD_SHA1, NULL, 1, buf, 8, out), -1);
	assert_int_equal(mx_hmac(MBEDTLS_MD_SHA1, buf, 8, NULL, 1, out), -1);
	assert_int_equal(mx_hmac(MBEDTLS_MD_SHA1, buf, 8, buf, 8, NULL), -1);
	/* No password and no salt is still a valid derivation (D alone is hashed). */
	assert_int_equal(mx_pkcs12_kdf(MBEDTLS_MD_SHA1, 1, NULL, 0, NULL, 0, 1, out, 32), 0);
}

/*
 * xorshift64 (13, 7, 17) with its own state per test, so the SHA-NI tests do not depend on
 * which tests ran before. Masked like rnd(): no wrapping arithmetic, no bits shifted out.
 */
static uint64_t sm_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= (x & 0x0007ffffffffffffu) << 13;
	x ^= x >> 7;
	x ^= (x & 0x00007fffffffffffu) << 17;
	return *s = x;
}

static void sm_fill(uint64_t *s, uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(sm_next(s) >> 56);
}

static void sm_words(uint64_t *s, uint32_t *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		w[i] = (uint32_t)(sm_next(s) >> 32);
}

#define SHA_X86_CASES 10000

/*
 * mx_sha256_x86_compress / mx_sha1_x86_compress against mbedTLS's C compression on random
 * chaining states and blocks (plus all-zero and all-ones ones), one block at a time, and on
 * the real IVs via the public API. Skipped where the CPU (or the build) has no SHA-NI.
 */
static void test_sha_x86_compress(void **state)
{
#if MX_HAVE_SHA_X86
	uint64_t seed = 0x243f6a8885a308d3u;
	mbedtls_sha256_context c256;
	mbedtls_sha1_context c1;
	uint32_t st[8];
	uint8_t blk[64];
	int i;

	(void)state;
	if (!mx_sha_x86_available()) {
		print_message("CPU has no SHA-NI/SSSE3/SSE4.1: x86 compression not tested\n");
		skip();
	}
	mbedtls_sha256_init(&c256);
	mbedtls_sha1_init(&c1);
	for (i = 0; i < SHA_X86_CASES; i++) {
		if (i < 4) { /* edge patterns first: 0/0, 0/ff, ff/0, ff/ff */
			memset(st, i & 1 ? 0xff : 0, sizeof(st));
			memset(blk, i & 2 ? 0xff : 0, sizeof(blk));
		} else {
			sm_words(&seed, st, 8);
			sm_fill(&seed, blk, sizeof(blk));
		}
		memcpy(c256.state, st, sizeof(c256.state));
		assert_int_equal(mbedtls_internal_sha256_process(&c256, blk), 0);
		mx_sha256_x86_compress(st, blk);
		if (memcmp(st, c256.state, sizeof(c256.state)) != 0)
			fail_msg("SHA-256 SHA-NI compression differs from mbedTLS, case %d", i);

		if (i >= 4) {
			sm_words(&seed, st, 5);
			sm_fill(&seed, blk, sizeof(blk));
		}
		memcpy(c1.state, st, sizeof(c1.state));
		assert_int_equal(mbedtls_internal_sha1_process(&c1, blk), 0);
		mx_sha1_x86_compress(st, blk);
		if (memcmp(st, c1.state, sizeof(c1.state)) != 0)
			fail_msg("SHA-1 SHA-NI compression differs from mbedTLS, case %d", i);
	}

	/* From the SHA-256, SHA-224 and SHA-1 IVs (as starts sets them) over a chain of blocks. */
	assert_int_equal(mbedtls_sha256_starts(&c256, 0), 0);
	memcpy(st, c256.state, sizeof(c256.state));
	for (i = 0; i < 100; i++) {
		sm_fill(&seed, blk, sizeof(blk));
		assert_int_equal(mbedtls_internal_sha256_process(&c256, blk), 0);
		mx_sha256_x86_compress(st, blk);
	}
	assert_memory_equal(st, c256.state, sizeof(c256.state));
	assert_int_equal(mbedtls_sha256_starts(&c256, 1), 0);
	memcpy(st, c256.state, sizeof(c256.state));
	sm_fill(&seed, blk, sizeof(blk));
	assert_int_equal(mbedtls_internal_sha256_process(&c256, blk), 0);
	mx_sha256_x86_compress(st, blk);
	assert_memory_equal(st, c256.state, sizeof(c256.state));
	assert_int_equal(mbedtls_sha1_starts(&c1), 0);
	memcpy(st, c1.state, sizeof(c1.state));
	for (i = 0; i < 100; i++) {
		sm_fill(&seed, blk, sizeof(blk));
		assert_int_equal(mbedtls_internal_sha1_process(&c1, blk), 0);
		mx_sha1_x86_compress(st, blk);
	}
	assert_memory_equal(st, c1.state, sizeof(c1.state));
	mbedtls_sha256_free(&c256);
	mbedtls_sha1_free(&c1);
#else
	(void)state;
	print_message("not an x86-64 GCC/clang build: no SHA-NI code to test\n");
	skip();
#endif
}

/* One PBKDF2 and one PKCS#12 KDF output per md, pinned to one compression path. */
struct kdf_case {
	mbedtls_md_type_t md;
	size_t pwlen, saltlen, outlen;
	uint32_t iterations;
	uint8_t id;
};

static void kdf_outputs(const struct kdf_case *c, const uint8_t *pw, const uint8_t *salt,
                        uint8_t *pbkdf2, uint8_t *pkcs12, int *rc)
{
	rc[0] =
	    mx_pbkdf2_hmac(c->md, pw, c->pwlen, salt, c->saltlen, c->iterations, pbkdf2, c->outlen);
	rc[1] = mx_pkcs12_kdf(c->md, c->id, pw, c->pwlen, salt, c->saltlen, c->iterations, pkcs12,
	                      c->outlen);
}

/*
 * The KDFs give identical bytes with the SHA-NI path and with it forced off
 * (mx_kdf_force_portable), over every md (SHA-384/512 never use SHA-NI, as a control), key
 * sizes around the block size, multi-block outputs and iteration counts from 1 up.
 */
static void test_kdf_x86_matches_portable(void **state)
{
	static const uint32_t iters[] = {1, 2, 3, 17, 1000, 2048};
	static const size_t pwlens[] = {0, 2, 20, 63, 64, 65, 130, 300};
	uint64_t seed = 0x13198a2e03707344u;
	uint8_t pw[300], salt[64];
	uint8_t p_pb[200], p_12[200], x_pb[200], x_12[200];
	struct kdf_case c;
	int rc_p[2], rc_x[2];
	size_t m, i;

	(void)state;
	if (!mx_sha_x86_available()) {
		print_message(
		    "CPU has no SHA-NI/SSSE3/SSE4.1: one KDF path only, nothing to compare\n");
		skip();
	}
	for (m = 0; m < N_MDS; m++) {
		for (i = 0; i < 40; i++) {
			c.md = all_mds[m];
			c.pwlen = i < 8 ? pwlens[i] : (size_t)(sm_next(&seed) % 301);
			c.saltlen = (size_t)(sm_next(&seed) % 65);
			c.outlen = 1 + (size_t)(sm_next(&seed) % 200);
			c.iterations = iters[i % 6];
			c.id = (uint8_t)(1 + i % 3);
			sm_fill(&seed, pw, c.pwlen);
			sm_fill(&seed, salt, c.saltlen);

			mx_kdf_force_portable(1);
			kdf_outputs(&c, pw, salt, p_pb, p_12, rc_p);
			mx_kdf_force_portable(0); /* restored before any assert can longjmp out */
			kdf_outputs(&c, pw, salt, x_pb, x_12, rc_x);

			assert_int_equal(rc_p[0], 0);
			assert_int_equal(rc_p[1], 0);
			assert_int_equal(rc_x[0], 0);
			assert_int_equal(rc_x[1], 0);
			if (memcmp(p_pb, x_pb, c.outlen) != 0 || memcmp(p_12, x_12, c.outlen) != 0)
				fail_msg(
				    "SHA-NI and portable KDF differ: md %d pwlen %zu saltlen %zu "
				    "iter %u outlen %zu id %u",
				    (int)c.md, c.pwlen, c.saltlen, (unsigned)c.iterations, c.outlen,
				    c.id);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pbkdf2_rfc6070),
	    cmocka_unit_test(test_pbkdf2_rfc7914),
	    cmocka_unit_test(test_pbkdf2_vs_mbedtls),
	    cmocka_unit_test(test_pbkdf2_null_password),
	    cmocka_unit_test(test_pkcs12_vs_mbedtls),
	    cmocka_unit_test(test_pkcs12_known_answers),
	    cmocka_unit_test(test_pkcs12_long_password),
	    cmocka_unit_test(test_hmac),
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_sha_x86_compress),
	    cmocka_unit_test(test_kdf_x86_matches_portable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
