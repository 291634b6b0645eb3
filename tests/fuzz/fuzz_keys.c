/*
 * libFuzzer target: the readers of what users bring to `mxtls pack`
 * (lib/read/: PEM blocks with RFC 1421 headers, PKCS#8 plain and encrypted,
 * PKCS#1, SEC1, OpenSSL's legacy DEK-Info encryption, DER certificates) through
 * mxtls_bundle_add_mem(), and every getter of what it returns.
 *
 * Input: one selector byte (password: 0 none, 1 "s3cret", else "wrong"), then
 * the file. Invariants (include/mxtls/mxtls.h):
 *   - failure: -1, a named code and a clean message, the bundle unchanged
 *     (empty);
 *   - success: at least one certificate or key; each key is RSA or EC with
 *     bits, a form and a source; its PKCS#8 DER reads back as the same key;
 *     mxtls_bundle_chain() gives the leaf first or key_mismatch/no_certificate.
 */
#define FUZZ_NAME "fuzz_keys"
#include "fuzz_util.h"

static void check_key(const mxtls_bundle *b, size_t i)
{
	const mxtls_key *k = mxtls_bundle_key(b, i), *k2;
	const mxtls_cert *chain[MXTLS_MAX_CHAIN];
	unsigned char *der = NULL, *der2 = NULL;
	size_t len = 0, len2 = 0, n = 0;
	mxtls_bundle *again;
	mxtls_error err;
	int r;

	check(k != NULL, "key %zu is NULL", i);
	check(mxtls_key_kind(k) == MXTLS_KEY_RSA || mxtls_key_kind(k) == MXTLS_KEY_EC, "kind %d",
	      mxtls_key_kind(k));
	check(mxtls_key_bits(k) > 0, "0 bits");
	check((mxtls_key_curve(k) != NULL) == (mxtls_key_kind(k) == MXTLS_KEY_EC), "curve");
	touch_str(mxtls_key_form(k));
	touch_str(mxtls_key_source(k));
	check(mxtls_key_pkcs8_der(k, &der, &len, &err) == 0, "pkcs8: %s", err.message);
	touch(der, len);
	again = mxtls_bundle_new(&err);
	check(again != NULL, "bundle_new: %s", err.message);
	check(mxtls_bundle_add_mem(again, der, len, NULL, NULL, 0, &err) == 0,
	      "own PKCS#8 does not read back: %s", err.message);
	k2 = mxtls_bundle_key(again, 0);
	check(k2 && mxtls_key_kind(k2) == mxtls_key_kind(k) && mxtls_key_bits(k2) == mxtls_key_bits(k),
	      "PKCS#8 reads back as another key");
	check(mxtls_key_pkcs8_der(k2, &der2, &len2, &err) == 0 && len2 == len &&
		  memcmp(der, der2, len) == 0,
	      "PKCS#8 is not stable");
	mxtls_free_secret(der, len);
	mxtls_free_secret(der2, len2);
	mxtls_bundle_free(again);
	r = mxtls_bundle_chain(b, i, chain, MXTLS_MAX_CHAIN, &n, &err);
	if (r < 0) {
		check_error(&err);
		check(err.code == MXTLS_ERR_KEY_MISMATCH || err.code == MXTLS_ERR_NO_CERTIFICATE,
		      "chain: %s", mxtls_error_name(err.code));
	} else {
		check(n >= 1 && n <= MXTLS_MAX_CHAIN, "chain of %zu", n);
		check(mxtls_key_matches_cert(k, chain[0]) == 1, "leaf does not hold the key");
		for (size_t j = 0; j < n; j++)
			check_cert(chain[j]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const pws[] = {NULL, "s3cret", "wrong"};
	const char *pw;
	mxtls_bundle *b;
	mxtls_error err;
	size_t i;

	if (size < 1)
		return 0;
	pw = pws[data[0] < 2 ? data[0] : 2];
	b = mxtls_bundle_new(&err);
	check(b != NULL, "bundle_new: %s", err.message);
	memset(&err, 0xa5, sizeof(err));
	if (mxtls_bundle_add_mem(b, size > 1 ? data + 1 : NULL, size - 1, "fuzz", pw,
				 pw ? strlen(pw) : 0, &err) != 0) {
		check_error(&err);
		check(mxtls_bundle_cert_count(b) == 0 && mxtls_bundle_key_count(b) == 0 &&
			  mxtls_bundle_warning_count(b) == 0,
		      "a failed add left something behind");
		mxtls_bundle_free(b);
		return 0;
	}
	check_ok(&err);
	check(mxtls_bundle_cert_count(b) + mxtls_bundle_key_count(b) >= 1, "nothing found");
	for (i = 0; i < mxtls_bundle_cert_count(b); i++)
		check_cert(mxtls_bundle_cert(b, i));
	check(mxtls_bundle_cert(b, i) == NULL, "cert(count) is not NULL");
	for (i = 0; i < mxtls_bundle_key_count(b); i++)
		check_key(b, i);
	check(mxtls_bundle_key(b, i) == NULL, "key(count) is not NULL");
	for (i = 0; i < mxtls_bundle_warning_count(b); i++)
		check_text(mxtls_bundle_warning(b, i), "warning", i);
	mxtls_bundle_free(b);
	return 0;
}
