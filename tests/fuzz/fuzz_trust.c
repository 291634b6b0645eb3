/*
 * libFuzzer target: the trust-bundle reader, mxtls_trust_load_mem() (PEM with
 * text around it, base64 of PEM, DER, base64 of DER; lib/mxtls_pem.c and
 * lib/mxtls_trust.c), and every getter of what it returns.
 *
 * The input is the bundle, as is. Invariants (include/mxtls/mxtls.h):
 *   - failure: NULL with a named code (corrupt, empty, limit_exceeded, nomem)
 *     and a message;
 *   - success: code ok, at least one certificate, all distinct (SHA-256 of
 *     their DER), each with every getter working (cert_sha256 is the SHA-256 of
 *     cert_der, names are C strings of the length returned); source "memory";
 *     one not_a_ca warning per certificate that is not a CA; every warning has a
 *     named kind and a text; getters past the end give NULL / 0.
 * Every returned byte is read, so ASan sees what a getter points at.
 */
#define FUZZ_NAME "fuzz_trust"
#include "fuzz_util.h"

static void check_trust(const mxtls_trust *t)
{
	size_t i, j, n = mxtls_trust_cert_count(t), not_ca = 0, warned_not_ca = 0;
	const char *s;
	int kind;

	check(n >= 1, "a loaded bundle has no certificate");
	s = mxtls_trust_source(t);
	check(s != NULL && strcmp(s, "memory") == 0, "source \"%s\"", s ? s : "NULL");
	for (i = 0; i < n; i++) {
		check_cert(mxtls_trust_cert(t, i));
		not_ca += !mxtls_cert_is_ca(mxtls_trust_cert(t, i));
		for (j = 0; j < i; j++)
			check(memcmp(mxtls_cert_sha256(mxtls_trust_cert(t, i)),
			             mxtls_cert_sha256(mxtls_trust_cert(t, j)), 32) != 0,
			      "certificates %zu and %zu are the same", j, i);
	}
	check(mxtls_trust_cert(t, n) == NULL, "cert(count) is not NULL");

	n = mxtls_trust_warning_count(t);
	for (i = 0; i < n; i++) {
		kind = mxtls_trust_warning_kind(t, i);
		check(strcmp(mxtls_warning_name(kind), "unknown") != 0, "warning %zu of kind %d", i,
		      kind);
		check_text(mxtls_trust_warning(t, i), "warning", i);
		warned_not_ca += kind == MXTLS_WARN_NOT_A_CA;
	}
	check(mxtls_trust_warning(t, n) == NULL, "warning(count) is not NULL");
	check(mxtls_trust_warning_kind(t, n) == 0, "warning_kind(count) is not 0");
	check(warned_not_ca == not_ca,
	      "%zu not_a_ca warnings for %zu certificates that are not CAs", warned_not_ca, not_ca);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mxtls_trust *t;
	mxtls_error err;

	/* Garbage in err: the loader must reset it. */
	memset(&err, 0xa5, sizeof(err));
	/* data + size is the end of libFuzzer's exact-size heap copy: overreads are caught. */
	t = mxtls_trust_load_mem(size ? data : NULL, size, &err);
	if (t == NULL) {
		check_error(&err);
		check(err.code == MXTLS_ERR_CORRUPT || err.code == MXTLS_ERR_EMPTY ||
		          err.code == MXTLS_ERR_LIMIT_EXCEEDED || err.code == MXTLS_ERR_NOMEM,
		      "failed with %s: %s", mxtls_error_name(err.code), err.message);
		return 0;
	}
	check_ok(&err);
	check_trust(t);
	mxtls_trust_free(t);
	return 0;
}
