/*
 * libFuzzer target: the PKCS#7 certificate-bundle reader (lib/read/pkcs7_reader.c,
 * .p7b/.p7c as CAs and `openssl crl2pkcs7` make them), directly and through
 * mxtls_bundle_add_mem() (DER, and the same bytes as a PEM "PKCS7" block).
 *
 * Invariants: mx_pkcs7_each_cert() returns a count >= 0 with one callback per
 * certificate, each a view inside the input, or a negative code with a named,
 * clean error; the bundle agrees (every certificate parses, or the add fails
 * and leaves nothing behind).
 */
#define FUZZ_NAME "fuzz_pkcs7"
#include "fuzz_util.h"

#include <mbedtls/base64.h>

#include "read/read_int.h"

struct span {
	const uint8_t *base;
	size_t len, calls;
};

static int on_cert(void *arg, const uint8_t *der, size_t len, size_t offset)
{
	struct span *s = arg;

	check(der >= s->base && len <= s->len && (size_t)(der - s->base) <= s->len - len,
	      "certificate outside the input");
	check(offset < s->len, "offset %zu past %zu", offset, s->len);
	touch(der, len);
	s->calls++;
	return 0;
}

static void via_bundle(const uint8_t *p, size_t n)
{
	mxtls_bundle *b;
	mxtls_error err;
	size_t i;

	b = mxtls_bundle_new(&err);
	check(b != NULL, "bundle_new");
	if (mxtls_bundle_add_mem(b, p, n, "p7", NULL, 0, &err) != 0) {
		check_error(&err);
		check(mxtls_bundle_cert_count(b) == 0 && mxtls_bundle_key_count(b) == 0,
		      "a failed add left something behind");
	} else {
		for (i = 0; i < mxtls_bundle_cert_count(b); i++)
			check_cert(mxtls_bundle_cert(b, i));
	}
	mxtls_bundle_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct span s = {data, size, 0};
	mxtls_error err;
	uint8_t *pem;
	size_t b64len = 0;
	int n;

	memset(&err, 0, sizeof(err));
	n = mx_pkcs7_each_cert(data, size, on_cert, &s, &err);
	if (n < 0)
		check_error(&err);
	else
		check((size_t)n == s.calls, "returned %d after %zu callbacks", n, s.calls);
	via_bundle(data, size);
	/* The same bytes as a PEM block. */
	if (size > 0 && size < 16384) {
		size_t cap = 4 * ((size + 2) / 3) + 64;
		pem = malloc(cap + 64);
		check(pem != NULL, "malloc");
		memcpy(pem, "-----BEGIN PKCS7-----\n", 22);
		check(mbedtls_base64_encode(pem + 22, cap, &b64len, data, size) == 0, "base64");
		memcpy(pem + 22 + b64len, "\n-----END PKCS7-----\n", 21);
		via_bundle(pem, 22 + b64len + 21);
		free(pem);
	}
	return 0;
}
