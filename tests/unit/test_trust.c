/*
 * Trust bundles and contexts through the public API: what users upload as
 * authorities loads (PEM with text around, CRLF, indented, base64, DER), a
 * broken block names its line, a non-CA is trusted directly with a warning,
 * system roots are found, and a context counts what it trusts.
 *
 * usage: test_trust HOSTILE_DIR   (files made by tests/corpus/make-hostile.py)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtls/mxtls.h"

static char dir[1024];

static mxtls_trust *load(const char *name, mxtls_error *err)
{
	char p[2048];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return mxtls_trust_load_file(p, err);
}

static int has_warning(const mxtls_trust *t, int kind)
{
	size_t i;

	for (i = 0; i < mxtls_trust_warning_count(t); i++)
		if (mxtls_trust_warning_kind(t, i) == kind)
			return 1;
	return 0;
}

static void subject(const mxtls_trust *t, size_t i, char *buf, size_t size)
{
	assert_true(mxtls_cert_subject(mxtls_trust_cert(t, i), buf, size) > 0);
}

static void test_bundle_with_text_and_crlf(void **state)
{
	mxtls_error err;
	mxtls_trust *t = load("trust-bundle.pem", &err);
	char s[256];

	(void)state;
	assert_non_null(t);
	assert_int_equal(mxtls_trust_cert_count(t), 2);
	subject(t, 0, s, sizeof(s));
	assert_string_equal(s, "CN=Chain Root");
	subject(t, 1, s, sizeof(s));
	assert_string_equal(s, "CN=Chain Intermediate");
	assert_int_equal(mxtls_trust_warning_count(t), 0);
	assert_non_null(strstr(mxtls_trust_source(t), "trust-bundle.pem"));
	mxtls_trust_free(t);
}

static void test_indented_base64_and_der(void **state)
{
	mxtls_error err;
	mxtls_trust *t;

	(void)state;
	t = load("trust-indented.pem", &err);
	assert_non_null(t);
	assert_int_equal(mxtls_trust_cert_count(t), 1);
	mxtls_trust_free(t);
	t = load("trust-base64.txt", &err);
	assert_non_null(t);
	assert_int_equal(mxtls_trust_cert_count(t), 2);
	mxtls_trust_free(t);
	t = load("trust-der.cer", &err);
	assert_non_null(t);
	assert_int_equal(mxtls_trust_cert_count(t), 1);
	mxtls_trust_free(t);
}

static void test_not_a_ca_is_trusted_with_warning(void **state)
{
	mxtls_error err;
	mxtls_trust *t = load("trust-leaf.pem", &err);

	(void)state;
	assert_non_null(t);
	assert_int_equal(mxtls_trust_cert_count(t), 1);
	assert_true(has_warning(t, MXTLS_WARN_NOT_A_CA));
	mxtls_trust_free(t);
}

static void test_broken_block_names_its_line(void **state)
{
	char p[2048], want[64], line[32] = "";
	mxtls_error err;
	FILE *f;

	(void)state;
	snprintf(p, sizeof(p), "%s/trust-broken.line", dir);
	f = fopen(p, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_null(load("trust-broken.pem", &err));
	assert_int_equal(err.code, MXTLS_ERR_CORRUPT);
	snprintf(want, sizeof(want), "line %d", atoi(line));
	if (strstr(err.message, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err.message, want);
	assert_non_null(strstr(err.message, "trust-broken.pem"));
}

static void test_empty_and_missing(void **state)
{
	mxtls_error err;

	(void)state;
	assert_null(load("trust-empty.pem", &err));
	assert_int_equal(err.code, MXTLS_ERR_EMPTY);
	assert_null(load("no-such-file.pem", &err));
	assert_int_equal(err.code, MXTLS_ERR_IO);
	assert_null(mxtls_trust_load_mem("", 0, &err));
	assert_int_equal(err.code, MXTLS_ERR_EMPTY);
}

static void test_system_roots(void **state)
{
	char p[2048];
	mxtls_error err;
	mxtls_trust *t;

	(void)state;
	unsetenv("SSL_CERT_FILE");
	unsetenv("SSL_CERT_DIR");
	t = mxtls_trust_load_system(&err);
	assert_non_null(t); /* ca-certificates is installed by scripts/setup.sh */
	assert_true(mxtls_trust_cert_count(t) > 50);
	mxtls_trust_free(t);
	/* SSL_CERT_FILE wins, as for OpenSSL-based tools. */
	snprintf(p, sizeof(p), "%s/trust-bundle.pem", dir);
	setenv("SSL_CERT_FILE", p, 1);
	t = mxtls_trust_load_system(&err);
	assert_non_null(t);
	assert_int_equal(mxtls_trust_cert_count(t), 2);
	assert_string_equal(mxtls_trust_source(t), p);
	mxtls_trust_free(t);
	unsetenv("SSL_CERT_FILE");
}

static void test_context_trust(void **state)
{
	mxtls_config *cfg = mxtls_config_new();
	mxtls_error err;
	mxtls_trust *t = load("trust-bundle.pem", &err);
	mxtls_ctx *ctx;
	size_t with_system;

	(void)state;
	assert_non_null(cfg);
	assert_non_null(t);
	assert_int_equal(mxtls_config_add_trust(cfg, t, &err), 0);
	mxtls_trust_free(t); /* copied */
	ctx = mxtls_ctx_new(cfg, &err);
	assert_non_null(ctx);
	with_system = mxtls_ctx_trust_count(ctx);
	assert_true(with_system > 50);
	assert_int_equal(mxtls_ctx_identity_count(ctx), 0);
	assert_non_null(mxtls_ctx_mbedtls_config(ctx, 0)); /* no identity: anonymous config */
	mxtls_ctx_free(ctx);

	mxtls_config_set_system_roots(cfg, 0);
	ctx = mxtls_ctx_new(cfg, &err);
	assert_non_null(ctx);
	assert_int_equal(mxtls_ctx_trust_count(ctx), 2);
	assert_ptr_equal(mxtls_ctx_ref(ctx), ctx);
	mxtls_ctx_free(ctx); /* one reference left */
	assert_int_equal(mxtls_ctx_trust_count(ctx), 2);
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);

	/* Nothing to verify servers with is refused, not silently accepted. */
	cfg = mxtls_config_new();
	mxtls_config_set_system_roots(cfg, 0);
	assert_null(mxtls_ctx_new(cfg, &err));
	assert_int_equal(err.code, MXTLS_ERR_EMPTY);
	/* TLS 1.2 is the floor. */
	assert_int_equal(mxtls_config_set_tls_versions(cfg, 0x0302, MXTLS_TLS_1_3, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_int_equal(mxtls_config_set_tls_versions(cfg, MXTLS_TLS_1_3, MXTLS_TLS_1_2, &err), -1);
	assert_int_equal(mxtls_config_set_tls_versions(cfg, MXTLS_TLS_1_3, MXTLS_TLS_1_3, &err), 0);
	mxtls_config_free(cfg);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundle_with_text_and_crlf),
		cmocka_unit_test(test_indented_base64_and_der),
		cmocka_unit_test(test_not_a_ca_is_trusted_with_warning),
		cmocka_unit_test(test_broken_block_names_its_line),
		cmocka_unit_test(test_empty_and_missing),
		cmocka_unit_test(test_system_roots),
		cmocka_unit_test(test_context_trust),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s HOSTILE_DIR\n", argv[0]);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
