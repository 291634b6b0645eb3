/*
 * libFuzzer target: mxtls_pkcs12_load_mem() and every getter of what it returns.
 *
 * Input layout (make-seeds.sh writes seeds this way):
 *
 *   byte 0     selector: bit 0 set = MXTLS_LOAD_REQUIRE_MAC;
 *              bits 1-7 (sel >> 1) = index into passwords[] (taken modulo its size),
 *              except PW_INLINE (127): the password is in the input, see below
 *   [PW_INLINE only] byte 1 = password length n, then n password bytes
 *   rest       the container
 *
 * The inline form lets seeds carry any real-world vector's password and lets
 * the fuzzer mutate passwords (UTF-8 decoding, BMP and Latin-1 forms).
 *
 * On success every getter is called and every returned byte is read, so ASan
 * sees any out-of-bounds or freed memory behind them. A broken API contract
 * (see check()) prints what broke and abort()s, which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "mxtls/mxtls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PW_INLINE 127

struct pw {
	const char *s;
	int secret; /* 1: checked never to show up in an error message */
};

/* Order is part of the seed format: make-seeds.sh has the same table. Append only. */
static const struct pw passwords[] = {
    {"", 0},
    {NULL, 0},
    {"1234", 0},
    {"cryptography", 1},
    {"password", 0},
    {"test", 0},
    {"M\xc3\xb6tley Cr\xc3\xbc"
     "e",
     1}, /* "Motley Crue" with diaereses: non-ASCII UTF-8, Latin-1 representable */
};
#define NPASSWORDS (sizeof(passwords) / sizeof(passwords[0]))

static volatile uint64_t sink;

#define check(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_pkcs12: invariant violated: %s: ", #cond);           \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Read every byte, so ASan checks the whole range. */
static void touch(const void *p, size_t n)
{
	const volatile uint8_t *b = p;
	uint64_t h = 0;
	size_t i;

	for (i = 0; i < n; i++)
		h = h * 31 + b[i];
	sink += h;
}

static size_t touch_str(const char *s)
{
	size_t n = strlen(s);

	touch(s, n + 1);
	return n;
}

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int valid_utf8(const char *str)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t i = 0, n, k;
	uint32_t cp, min;

	while (s[i]) {
		uint8_t c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			n = 1, cp = c & 0x1f, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			n = 2, cp = c & 0x0f, min = 0x800;
		else if ((c & 0xf8) == 0xf0)
			n = 3, cp = c & 0x07, min = 0x10000;
		else
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/*
 * subject/issuer: a 1024-byte call, a 64 KiB one if that fails, and a too-small
 * one; each must leave a C string and agree with the others.
 *
 * Not checked: mxtls.h says -1 means "buf too small" and "1024 fit all we
 * allow", but a name longer than 1024 bytes loads fine, and mbedTLS refuses
 * to print a name with a NUL byte or a value over 255 bytes at any size.
 */
static void check_dn(const mxtls_cert *c, int issuer)
{
	int (*get)(const mxtls_cert *, char *, size_t) =
	    issuer ? mxtls_cert_issuer : mxtls_cert_subject;
	const char *what = issuer ? "issuer" : "subject";
	const size_t huge_size = 65536;
	/* Heap buffers of the exact size, so a write past size is an ASan report. */
	char *big = malloc(1024), *huge = malloc(huge_size), *small = malloc(8);
	int n, m;

	if (big == NULL || huge == NULL || small == NULL)
		goto out;
	n = get(c, big, 1024);
	check(n >= -1 && n < 1024, "%s into 1024 bytes returned %d", what, n);
	check(memchr(big, '\0', 1024) != NULL, "%s not NUL-terminated", what);
	if (n >= 0)
		check((size_t)n == touch_str(big), "%s: returned length %d != strlen", what, n);
	m = get(c, huge, huge_size);
	check(m >= -1 && (size_t)(m + 1) <= huge_size, "%s into 64 KiB returned %d", what, m);
	check(memchr(huge, '\0', huge_size) != NULL, "%s (64 KiB) not NUL-terminated", what);
	if (m >= 0)
		check((size_t)m == touch_str(huge), "%s: returned length %d != strlen", what, m);
	if (n >= 0)
		check(m == n && strcmp(big, huge) == 0, "%s differs with a bigger buffer", what);
	else
		check(m < 0 || m >= 1024, "%s of %d bytes did not fit 1024", what, m);
	n = get(c, small, 8);
	check(n >= -1 && n < 8, "%s into 8 bytes returned %d", what, n);
	check(memchr(small, '\0', 8) != NULL, "%s (8-byte buffer) not NUL-terminated", what);
	touch_str(small);
	check(get(c, NULL, 0) == -1, "%s with no buffer did not fail", what);
out:
	free(big);
	free(huge);
	free(small);
}

static void check_cert(const mxtls_cert *c)
{
	const uint8_t *der, *h;
	uint8_t want[32];
	size_t len = 12345;
	int ca;

	check(c != NULL, "NULL certificate in range");
	der = mxtls_cert_der(c, &len);
	check(der != NULL && len > 0, "certificate without DER (len %zu)", len);
	touch(der, len);
	check(mxtls_cert_der(c, NULL) == der, "cert_der(NULL len) differs");
	h = mxtls_cert_sha256(c);
	check(h != NULL, "no SHA-256");
	touch(h, 32);
	if (mbedtls_sha256(der, len, want, 0) == 0)
		check(memcmp(h, want, 32) == 0, "cert_sha256 is not SHA-256 of cert_der");
	check_dn(c, 0);
	check_dn(c, 1);
	sink += (uint64_t)mxtls_cert_not_before(c);
	sink += (uint64_t)mxtls_cert_not_after(c);
	ca = mxtls_cert_is_ca(c);
	check(ca == 0 || ca == 1, "is_ca returned %d", ca);
}

static void check_identity(const mxtls_identity *id)
{
	const char *name, *curve;
	size_t i, n, bits;
	int type;

	check(id != NULL, "NULL identity in range");
	check_cert(mxtls_identity_leaf(id));
	n = mxtls_identity_chain_count(id);
	for (i = 0; i < n; i++) {
		check(mxtls_identity_chain_cert(id, i) != mxtls_identity_leaf(id),
		      "leaf is its own issuer %zu", i);
		check_cert(mxtls_identity_chain_cert(id, i));
	}
	check(mxtls_identity_chain_cert(id, n) == NULL, "chain_cert(count) is not NULL");
	name = mxtls_identity_friendly_name(id);
	if (name) {
		touch_str(name);
		check(valid_utf8(name), "friendly name is not UTF-8");
	}
	type = mxtls_identity_key_type(id);
	bits = mxtls_identity_key_bits(id);
	curve = mxtls_identity_key_curve(id);
	if (type == MXTLS_KEY_RSA) {
		check(bits >= 1024 && bits <= 8192, "RSA key of %zu bits", bits);
		check(curve == NULL, "RSA key with curve %s", curve);
	} else {
		check(type == MXTLS_KEY_EC, "key type %d", type);
		check(curve != NULL, "EC key (%zu bits) without a curve name", bits);
		touch_str(curve);
		check((bits == 256 && strcmp(curve, "P-256") == 0) ||
		          (bits == 384 && strcmp(curve, "P-384") == 0) ||
		          (bits == 521 && strcmp(curve, "P-521") == 0),
		      "EC key of %zu bits on %s", bits, curve);
	}
}

static void check_container(const mxtls_pkcs12 *p)
{
	const char *s;
	size_t i, n;
	int kind;

	n = mxtls_pkcs12_identity_count(p);
	check(n >= 1, "a loaded container has no identity");
	for (i = 0; i < n; i++)
		check_identity(mxtls_pkcs12_identity(p, i));
	check(mxtls_pkcs12_identity(p, n) == NULL, "identity(count) is not NULL");

	n = mxtls_pkcs12_extra_cert_count(p);
	for (i = 0; i < n; i++)
		check_cert(mxtls_pkcs12_extra_cert(p, i));
	check(mxtls_pkcs12_extra_cert(p, n) == NULL, "extra_cert(count) is not NULL");

	s = mxtls_pkcs12_mac_algorithm(p);
	check(s != NULL && touch_str(s) > 0, "empty MAC algorithm");

	n = mxtls_pkcs12_encryption_count(p);
	for (i = 0; i < n; i++) {
		s = mxtls_pkcs12_encryption(p, i);
		check(s != NULL && touch_str(s) > 0, "encryption %zu is NULL or empty", i);
	}
	check(mxtls_pkcs12_encryption(p, n) == NULL, "encryption(count) is not NULL");

	n = mxtls_pkcs12_warning_count(p);
	for (i = 0; i < n; i++) {
		kind = mxtls_pkcs12_warning_kind(p, i);
		check(strcmp(mxtls_warning_name(kind), "unknown") != 0, "warning %zu of kind %d", i,
		      kind);
		s = mxtls_pkcs12_warning(p, i);
		check(s != NULL && touch_str(s) > 0, "warning %zu is NULL or empty", i);
	}
	check(mxtls_pkcs12_warning(p, n) == NULL, "warning(count) is not NULL");
	check(mxtls_pkcs12_warning_kind(p, n) == 0, "warning_kind(count) is not 0");
}

static void check_error(const mxtls_error *err, const struct pw *pw)
{
	const char *end = memchr(err->message, '\0', MXTLS_ERROR_MESSAGE_MAX);

	check(err->code != MXTLS_OK, "NULL returned with code ok");
	check(strcmp(mxtls_error_name(err->code), "unknown") != 0, "error code %d has no name",
	      err->code);
	check(strcmp(mxtls_strerror(err->code), "unknown error") != 0, "error code %d has no text",
	      err->code);
	check(end != NULL, "message not NUL-terminated within %d bytes", MXTLS_ERROR_MESSAGE_MAX);
	check(err->message[0] != '\0', "empty message for %s", mxtls_error_name(err->code));
	touch(err->message, (size_t)(end - err->message) + 1);
	check(mxtls_error_code(err) == err->code, "mxtls_error_code differs");
	check(mxtls_error_message(err) == err->message, "mxtls_error_message differs");
	if (pw && pw->secret)
		check(strstr(err->message, pw->s) == NULL, "the password is in the message: %s",
		      err->message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct pw *pw = NULL;
	char *inline_pw = NULL;
	const char *password;
	mxtls_pkcs12 *p;
	mxtls_error err;
	unsigned flags;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++, size--;
	flags = (sel & 1) ? MXTLS_LOAD_REQUIRE_MAC : 0;
	if ((sel >> 1) == PW_INLINE) {
		size_t n;
		if (size < 1)
			return 0;
		n = data[0];
		data++, size--;
		if (n > size)
			return 0;
		/* Exact-size heap copy: a read past the NUL is an ASan report. */
		inline_pw = malloc(n + 1);
		if (inline_pw == NULL)
			return 0;
		memcpy(inline_pw, data, n);
		inline_pw[n] = '\0';
		password = inline_pw;
		data += n, size -= n;
	} else {
		pw = &passwords[(size_t)(sel >> 1) % NPASSWORDS];
		password = pw->s;
	}

	/* Garbage in err: the loader must reset it. */
	memset(&err, 0xa5, sizeof(err));
	/* data + size is the end of libFuzzer's exact-size heap copy: overreads are caught. */
	p = mxtls_pkcs12_load_mem(size ? data : NULL, size, password, flags, &err);
	if (p == NULL) {
		check_error(&err, pw);
	} else {
		check(err.code == MXTLS_OK, "container returned with code %d (%s)", err.code,
		      mxtls_error_name(err.code));
		check(err.message[0] == '\0', "container returned with a message: %.*s",
		      MXTLS_ERROR_MESSAGE_MAX - 1, err.message);
		check_container(p);
		if (flags & MXTLS_LOAD_REQUIRE_MAC)
			check(strcmp(mxtls_pkcs12_mac_algorithm(p), "none") != 0,
			      "loaded without a MAC although one was required");
		mxtls_pkcs12_free(p);
	}
	free(inline_pw);
	return 0;
}
