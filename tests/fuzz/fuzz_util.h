/*
 * Helpers shared by the fuzz targets: the invariant check, "read every byte" so that ASan sees
 * the whole of what a getter returns, and checks of certificates and errors
 * against the contracts of include/mxtls/mxtls.h.
 *
 * Define FUZZ_NAME ("fuzz_trust", ...) before including this file.
 */
#ifndef MXTLS_FUZZ_UTIL_H
#define MXTLS_FUZZ_UTIL_H

#include <stddef.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "mxtls/mxtls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken promise prints what broke and abort()s: libFuzzer reports a crash. */
#define check(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, FUZZ_NAME ": invariant violated: %s: ", #cond);            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static volatile uint64_t fuzz_sink;

/* Read every byte, so ASan checks the whole range. */
static inline void touch(const void *p, size_t n)
{
	const volatile uint8_t *b = p;
	uint64_t h = 0;
	size_t i;

	for (i = 0; i < n; i++)
		h = h * 31 + b[i];
	fuzz_sink += h;
}

static inline size_t touch_str(const char *s)
{
	size_t n = strlen(s);

	touch(s, n + 1);
	return n;
}

/* A C string that a getter returned: not NULL, not empty, readable to its NUL. */
static inline void check_text(const char *s, const char *what, size_t i)
{
	check(s != NULL, "%s %zu is NULL", what, i);
	check(touch_str(s) > 0, "%s %zu is empty", what, i);
}

/*
 * subject/issuer: a 1024-byte call, a 64 KiB one if that fails, and a too-small
 * one; each must leave a C string and agree with the others.
 *
 * Not checked: mxtls.h says -1 means "buf too small" and "1024 fit all we
 * allow", but a name longer than 1024 bytes loads fine, and mbedTLS refuses
 * to print a name with a NUL byte or a value over 255 bytes at any size.
 */
static inline void check_dn(const mxtls_cert *c, int issuer)
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
	/* No zero byte anywhere before the call: the NUL checks below see the getter's own. */
	memset(big, 'x', 1024);
	memset(huge, 'x', huge_size);
	memset(small, 'x', 8);
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
	/* NULL, 0 asks for the length: that of the whole name, which then fits exactly. */
	n = get(c, NULL, 0);
	check(n >= 0, "%s length asked returned %d", what, n);
	if (m >= 0)
		check(n == m, "%s length asked (%d) differs from the name's (%d)", what, n, m);
	if (n >= 0 && n < (int)huge_size) {
		char *exact = malloc((size_t)n + 1);
		if (exact != NULL) {
			memset(exact, 'x', (size_t)n + 1);
			m = get(c, exact, (size_t)n + 1);
			check(m == n && strlen(exact) == (size_t)n,
			      "%s into the asked %d + 1 bytes returned %d", what, n, m);
			free(exact);
		}
	}
	check(get(c, NULL, 5) == -1, "%s with no buffer but a size did not fail", what);
out:
	free(big);
	free(huge);
	free(small);
}

static inline void check_cert(const mxtls_cert *c)
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
	fuzz_sink += (uint64_t)mxtls_cert_not_before(c);
	fuzz_sink += (uint64_t)mxtls_cert_not_after(c);
	ca = mxtls_cert_is_ca(c);
	check(ca == 0 || ca == 1, "is_ca returned %d", ca);
}

/*
 * Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF);
 * controls_ok = 0 also refuses C0, DEL and C1 controls.
 */
static inline int valid_utf8(const char *str, int controls_ok)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t i = 0, n, k;
	uint32_t cp, min;

	while (s[i]) {
		uint8_t c = s[i];
		if (c < 0x80) {
			if (!controls_ok && (c < 0x20 || c == 0x7f))
				return 0;
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
		if (!controls_ok && cp <= 0x9f)
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Text fit for a log line: valid UTF-8 without control characters. */
static inline int clean_text(const char *str)
{
	return valid_utf8(str, 0);
}

/* A failed call: a named code and a non-empty message, NUL-terminated clean UTF-8. */
static inline void check_error(const mxtls_error *err)
{
	const char *end = memchr(err->message, '\0', MXTLS_ERROR_MESSAGE_MAX);

	check(err->code != MXTLS_OK, "failed with code ok");
	check(strcmp(mxtls_error_name(err->code), "unknown") != 0, "error code %d has no name",
	      err->code);
	check(end != NULL, "message not NUL-terminated within %d bytes", MXTLS_ERROR_MESSAGE_MAX);
	check(err->message[0] != '\0', "empty message for %s", mxtls_error_name(err->code));
	touch(err->message, (size_t)(end - err->message) + 1);
	check(clean_text(err->message), "message is not clean UTF-8: %s", err->message);
}

/* A successful call: code ok and an empty message. */
static inline void check_ok(const mxtls_error *err)
{
	check(err->code == MXTLS_OK && err->message[0] == '\0', "success with code %d (%s): %.*s",
	      err->code, mxtls_error_name(err->code), MXTLS_ERROR_MESSAGE_MAX - 1, err->message);
}

/*
 * mxtls_ctx_check_host() is selection as a check: it accepts exactly the
 * identity selected, and refuses another with a readable not_pinned message.
 */
static inline void check_host_agrees(const mxtls_ctx *ctx, const char *identifier,
				     const char *host, size_t selected)
{
	size_t n = mxtls_ctx_identity_count(ctx);
	size_t other = selected == MXTLS_NO_IDENTITY ? (n > 0 ? 0 : MXTLS_NO_IDENTITY)
						     : (selected + 1 < n ? selected + 1 : MXTLS_NO_IDENTITY);
	mxtls_error err;

	check(mxtls_ctx_check_host(ctx, selected, identifier, host, &err) == 0,
	      "check_host refuses the identity select(%s, %s) picked: %s",
	      identifier ? identifier : "NULL", host, err.message);
	check_ok(&err);
	if (other == selected)
		return;
	check(mxtls_ctx_check_host(ctx, other, identifier, host, &err) == -1 &&
	          err.code == MXTLS_ERR_NOT_PINNED,
	      "check_host accepts an identity select(%s, %s) did not pick",
	      identifier ? identifier : "NULL", host);
	check_text(err.message, "check_host message", 0);
}

/*
 * Every selection answers with an identity of the context or with none, and
 * the same answer twice (mxtls_ctx_select is documented allocation-free and
 * thread-safe, so it has no state to drift).
 */
static inline size_t checked_select(const mxtls_ctx *ctx, const char *identifier, const char *host)
{
	size_t a = mxtls_ctx_select(ctx, identifier, host);

	check(a == MXTLS_NO_IDENTITY || a < mxtls_ctx_identity_count(ctx),
	      "select(%s, %s) = %zu of %zu identities", identifier ? identifier : "NULL",
	      host ? host : "NULL", a, mxtls_ctx_identity_count(ctx));
	check(mxtls_ctx_select(ctx, identifier, host) == a, "select(%s, %s) changed its answer",
	      identifier ? identifier : "NULL", host ? host : "NULL");
	if (host != NULL)
		check_host_agrees(ctx, identifier, host, a);
	return a;
}

/* Every getter of a context (identities, their leaves and pins, warnings). */
static inline void check_ctx(const mxtls_ctx *ctx)
{
	size_t i, k, n = mxtls_ctx_identity_count(ctx);
	int min = 0, max = 0;

	for (i = 0; i < n; i++) {
		check_cert(mxtls_ctx_identity_leaf(ctx, i));
		for (k = 0; k < mxtls_ctx_identity_pin_count(ctx, i); k++)
			check_text(mxtls_ctx_identity_pin(ctx, i, k), "pin", k);
		check(mxtls_ctx_identity_pin(ctx, i, k) == NULL, "pin(count) is not NULL");
	}
	check(mxtls_ctx_identity_leaf(ctx, n) == NULL, "identity_leaf(count) is not NULL");
	for (i = 0; i < mxtls_ctx_warning_count(ctx); i++)
		check_text(mxtls_ctx_warning(ctx, i), "context warning", i);
	check(mxtls_ctx_warning(ctx, i) == NULL, "ctx_warning(count) is not NULL");
	mxtls_ctx_tls_versions(ctx, &min, &max);
	check(min >= MXTLS_TLS_1_2 && min <= max && max <= MXTLS_TLS_1_3, "TLS versions %#x-%#x",
	      min, max);
	fuzz_sink += mxtls_ctx_trust_count(ctx);
}

#endif
