/*
 * The public API as a user meets it: getters, NULL safety, ownership, error
 * names, file vs memory loading, and the dates and names a certificate shows.
 *
 * usage: test_api HOSTILE_DIR   (files made by tests/corpus/make-hostile.py)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mxtls/mxtls.h"

static char dir[1024];

static void path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static void test_error_names_are_stable(void **state)
{
	(void)state;
	assert_string_equal(mxtls_error_name(MXTLS_OK), "ok");
	assert_string_equal(mxtls_error_name(MXTLS_ERR_WRONG_PASSWORD), "wrong_password");
	assert_string_equal(mxtls_error_name(MXTLS_ERR_CORRUPT), "corrupt");
	assert_string_equal(mxtls_error_name(MXTLS_ERR_UNSUPPORTED_ALGORITHM), "unsupported_algorithm");
	assert_string_equal(mxtls_error_name(MXTLS_ERR_UNSUPPORTED_KEY), "unsupported_key");
	assert_string_equal(mxtls_error_name(MXTLS_ERR_NO_KEY), "no_key");
	assert_string_equal(mxtls_error_name(MXTLS_ERR_NO_CERTIFICATE), "no_certificate");
	assert_string_equal(mxtls_error_name(MXTLS_ERR_KEY_MISMATCH), "key_mismatch");
	assert_string_equal(mxtls_error_name(MXTLS_ERR_LIMIT_EXCEEDED), "limit_exceeded");
	assert_string_equal(mxtls_error_name(MXTLS_ERR_EMPTY), "empty");
	assert_string_equal(mxtls_error_name(MXTLS_ERR_IO), "io");
	assert_string_equal(mxtls_error_name(MXTLS_ERR_NO_MAC), "no_mac");
	assert_string_equal(mxtls_error_name(MXTLS_ERR_INTERNAL), "internal");
	assert_string_equal(mxtls_error_name(MXTLS_ERR_NOT_PINNED), "not_pinned");
	assert_int_equal(MXTLS_ERR_NOT_PINNED, 15);
	assert_string_equal(mxtls_error_name(MXTLS_ERR_CONFIG), "config");
	assert_int_equal(MXTLS_ERR_CONFIG, 16);
	assert_string_equal(mxtls_error_name(MXTLS_ERR_EXPIRED), "expired");
	assert_int_equal(MXTLS_ERR_EXPIRED, 17);
	assert_string_equal(mxtls_error_name(-1), "unknown");
	assert_string_equal(mxtls_error_name(9999), "unknown");
	assert_string_equal(mxtls_warning_name(MXTLS_WARN_WEAK_KEY), "weak_key");
	assert_string_equal(mxtls_warning_name(0), "unknown");
	assert_int_equal(mxtls_error_size(), sizeof(mxtls_error));
	assert_string_equal(mxtls_version(), MXTLS_VERSION_STRING);
}

static void test_null_safety(void **state)
{
	size_t len = 99;

	(void)state;
	mxtls_pkcs12_free(NULL);
	assert_int_equal(mxtls_pkcs12_identity_count(NULL), 0);
	assert_null(mxtls_pkcs12_identity(NULL, 0));
	assert_null(mxtls_identity_leaf(NULL));
	assert_null(mxtls_cert_der(NULL, &len));
	assert_int_equal(len, 0);
	assert_int_equal(mxtls_cert_subject(NULL, NULL, 0), -1);
	assert_string_equal(mxtls_pkcs12_mac_algorithm(NULL), "none");
	assert_int_equal(mxtls_error_code(NULL), MXTLS_ERR_USAGE);
	assert_string_equal(mxtls_error_message(NULL), "");
}

static void test_usage_and_io_errors(void **state)
{
	mxtls_error err;

	(void)state;
	assert_null(mxtls_pkcs12_load_mem(NULL, 10, "x", 0, &err));
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_null(mxtls_pkcs12_load_file(NULL, "x", 0, &err));
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_null(mxtls_pkcs12_load_file("/nonexistent/dir/x.p12", "x", 0, &err));
	assert_int_equal(err.code, MXTLS_ERR_IO);
	assert_non_null(strstr(err.message, "/nonexistent/dir/x.p12"));
	/* A NULL error report is allowed. */
	assert_null(mxtls_pkcs12_load_file("/nonexistent/dir/x.p12", "x", 0, NULL));
}

static void test_getters_on_a_chain(void **state)
{
	char p[2048], subject[256], issuer[256];
	mxtls_error err;
	mxtls_pkcs12 *c;
	const mxtls_identity *id;
	const mxtls_cert *leaf, *inter, *root;
	const uint8_t *der;
	size_t len;
	int64_t now = (int64_t)time(NULL);

	(void)state;
	path(p, sizeof(p), "chain-shuffled.p12");
	c = mxtls_pkcs12_load_file(p, "hostile-pw", 0, &err);
	assert_non_null(c);
	assert_int_equal(err.code, MXTLS_OK);
	assert_string_equal(err.message, "");
	assert_int_equal(mxtls_pkcs12_identity_count(c), 1);
	assert_null(mxtls_pkcs12_identity(c, 1));
	id = mxtls_pkcs12_identity(c, 0);
	leaf = mxtls_identity_leaf(id);
	assert_int_equal(mxtls_identity_chain_count(id), 2);
	inter = mxtls_identity_chain_cert(id, 0);
	root = mxtls_identity_chain_cert(id, 1);
	assert_null(mxtls_identity_chain_cert(id, 2));

	assert_true(mxtls_cert_subject(leaf, subject, sizeof(subject)) > 0);
	assert_string_equal(subject, "CN=chain leaf");
	assert_true(mxtls_cert_issuer(leaf, issuer, sizeof(issuer)) > 0);
	assert_string_equal(issuer, "CN=Chain Intermediate");
	assert_true(mxtls_cert_subject(inter, subject, sizeof(subject)) > 0);
	assert_string_equal(subject, "CN=Chain Intermediate");
	assert_true(mxtls_cert_subject(root, subject, sizeof(subject)) > 0);
	assert_string_equal(subject, "CN=Chain Root");
	assert_int_equal(mxtls_cert_subject(leaf, subject, 4), -1); /* too small */
	/* Issue 11: the size a caller needs, asked first. */
	assert_int_equal(mxtls_cert_subject(leaf, NULL, 0), (int)strlen("CN=chain leaf"));
	assert_int_equal(mxtls_cert_issuer(leaf, NULL, 0), (int)strlen("CN=Chain Intermediate"));
	assert_int_equal(mxtls_cert_subject(leaf, subject, strlen("CN=chain leaf") + 1),
			 (int)strlen("CN=chain leaf"));
	assert_int_equal(mxtls_cert_subject(leaf, subject, strlen("CN=chain leaf")), -1);
	assert_int_equal(mxtls_cert_subject(NULL, NULL, 0), -1);
	assert_int_equal(mxtls_cert_is_ca(leaf), 0);
	assert_int_equal(mxtls_cert_is_ca(inter), 1);

	/* Made just now with -days 3650. */
	assert_true(mxtls_cert_not_before(leaf) <= now + 60);
	assert_true(mxtls_cert_not_before(leaf) > now - 86400);
	assert_true(mxtls_cert_not_after(leaf) - mxtls_cert_not_before(leaf) == 3650 * 86400LL);

	der = mxtls_cert_der(leaf, &len);
	assert_non_null(der);
	assert_true(len > 100);
	assert_int_equal(der[0], 0x30);
	assert_int_equal(mxtls_identity_key_type(id), MXTLS_KEY_EC);
	assert_int_equal(mxtls_identity_key_bits(id), 256);
	assert_string_equal(mxtls_identity_key_curve(id), "P-256");
	assert_int_equal(mxtls_pkcs12_extra_cert_count(c), 1);
	assert_true(mxtls_cert_subject(mxtls_pkcs12_extra_cert(c, 0), subject, sizeof(subject)) > 0);
	assert_string_equal(subject, "CN=Unrelated Root");
	assert_string_equal(mxtls_pkcs12_mac_algorithm(c), "HMAC-SHA256 (PKCS#12 KDF, 2048 iterations)");
	assert_int_equal(mxtls_pkcs12_encryption_count(c), 1);
	assert_string_equal(mxtls_pkcs12_encryption(c, 0),
			    "PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC (2048 iterations)");
	assert_int_equal(mxtls_pkcs12_warning_count(c), 0);
	mxtls_pkcs12_free(c);
}

static void test_mem_equals_file_and_input_may_be_wiped(void **state)
{
	char p[2048], pw[] = "hostile-pw";
	uint8_t *buf;
	size_t len, l1, l2;
	mxtls_error err;
	mxtls_pkcs12 *a, *b;
	FILE *f;
	long n;

	(void)state;
	path(p, sizeof(p), "base-default.p12");
	f = fopen(p, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	len = (size_t)n;
	buf = malloc(len);
	assert_int_equal(fread(buf, 1, len, f), len);
	fclose(f);
	a = mxtls_pkcs12_load_mem(buf, len, pw, 0, &err);
	assert_non_null(a);
	/* The caller may wipe its copies right after the call. */
	memset(buf, 0, len);
	memset(pw, 0, sizeof(pw));
	free(buf);
	b = mxtls_pkcs12_load_file(p, "hostile-pw", 0, &err);
	assert_non_null(b);
	assert_memory_equal(mxtls_cert_sha256(mxtls_identity_leaf(mxtls_pkcs12_identity(a, 0))),
			    mxtls_cert_sha256(mxtls_identity_leaf(mxtls_pkcs12_identity(b, 0))), 32);
	{
		/* Separate statements: argument evaluation order is unspecified. */
		const uint8_t *da = mxtls_cert_der(mxtls_identity_leaf(mxtls_pkcs12_identity(a, 0)), &l1);
		const uint8_t *db = mxtls_cert_der(mxtls_identity_leaf(mxtls_pkcs12_identity(b, 0)), &l2);
		assert_int_equal(l1, l2);
		assert_memory_equal(da, db, l1);
	}
	assert_string_equal(mxtls_identity_friendly_name(mxtls_pkcs12_identity(a, 0)), "client");
	mxtls_pkcs12_free(a);
	mxtls_pkcs12_free(b);
}

static void test_error_message_names_context(void **state)
{
	char p[2048];
	mxtls_error err;

	(void)state;
	path(p, sizeof(p), "pbes2-aes-gcm.p12");
	assert_null(mxtls_pkcs12_load_file(p, "hostile-pw", 0, &err));
	assert_int_equal(err.code, MXTLS_ERR_UNSUPPORTED_ALGORITHM);
	assert_non_null(strstr(err.message, "pbes2-aes-gcm.p12"));      /* the file */
	assert_non_null(strstr(err.message, "content 1"));              /* where */
	assert_non_null(strstr(err.message, "2.16.840.1.101.3.4.1.46")); /* the OID */
	assert_null(strstr(err.message, "hostile-pw"));
	assert_true(strlen(err.message) < MXTLS_ERROR_MESSAGE_MAX);
}

/* What the cleanups of attachments saw, in order. */
static char cleaned[8];
static int ncleaned;
static mxtls_ctx *seen_ctx;

static void on_cleanup(void *value)
{
	/* The context is still whole: its getters work. */
	if (mxtls_ctx_trust_count(seen_ctx) > 0 && ncleaned < 8)
		cleaned[ncleaned++] = *(const char *)value;
}

static void test_attachments(void **state)
{
	static const char key_a = 0, key_b = 0;
	char va = 'a', vb = 'b', other = 'x', p[2048];
	mxtls_config *cfg = mxtls_config_new();
	mxtls_trust *t;
	mxtls_error err;
	mxtls_ctx *ctx;

	(void)state;
	path(p, sizeof(p), "trust-bundle.pem");
	t = mxtls_trust_load_file(p, &err);
	assert_non_null(t);
	assert_int_equal(mxtls_config_add_trust(cfg, t, &err), 0);
	mxtls_config_set_system_roots(cfg, 0);
	ctx = seen_ctx = mxtls_ctx_new(cfg, &err);
	assert_non_null(ctx);
	assert_null(mxtls_ctx_attachment(ctx, &key_a));
	assert_ptr_equal(mxtls_ctx_attach(ctx, &key_a, &va, on_cleanup), &va);
	/* One value per key: the earlier one stays, the new one is not taken. */
	assert_ptr_equal(mxtls_ctx_attach(ctx, &key_a, &other, on_cleanup), &va);
	assert_ptr_equal(mxtls_ctx_attach(ctx, &key_b, &vb, on_cleanup), &vb);
	assert_ptr_equal(mxtls_ctx_attachment(ctx, &key_a), &va);
	assert_null(mxtls_ctx_attach(ctx, NULL, &va, on_cleanup));
	/* Cleanups run once, with the last reference, never before. */
	mxtls_ctx_ref(ctx);
	mxtls_ctx_free(ctx);
	assert_int_equal(ncleaned, 0);
	mxtls_ctx_free(ctx);
	assert_int_equal(ncleaned, 2);
	assert_non_null(memchr(cleaned, 'a', 2));
	assert_non_null(memchr(cleaned, 'b', 2));
	mxtls_trust_free(t);
	mxtls_config_free(cfg);
}

/* Issue 11: a password with a length; a NUL inside is refused, not a silent cut. */
static void test_password_with_length(void **state)
{
	static const char pw[] = "hostile-pw", cut[] = "hostile-pw\0tail";
	char p[1100];
	mxtls_error err;
	mxtls_pkcs12 *a;

	(void)state;
	path(p, sizeof(p), "base-default.p12");
	a = mxtls_pkcs12_load_file_n(p, pw, strlen(pw), 0, &err);
	assert_non_null(a);
	mxtls_pkcs12_free(a);
	/* The C-string loader would open the file with the part before the NUL. */
	a = mxtls_pkcs12_load_file(p, cut, 0, &err);
	assert_non_null(a);
	mxtls_pkcs12_free(a);
	assert_null(mxtls_pkcs12_load_file_n(p, cut, sizeof(cut) - 1, 0, &err));
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_non_null(strstr(err.message, "NUL byte (offset 10)"));
	assert_null(strstr(err.message, "tail"));
	assert_null(mxtls_pkcs12_load_mem_n("x", 1, NULL, 3, 0, &err));
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	/* Length 0: no password, which this file does not take. */
	assert_null(mxtls_pkcs12_load_file_n(p, NULL, 0, 0, &err));
	assert_int_equal(err.code, MXTLS_ERR_WRONG_PASSWORD);
	assert_null(mxtls_pkcs12_load_mem_n("x", 1, pw, MXTLS_MAX_PASSWORD_BYTES + 1, 0, &err));
	assert_int_equal(err.code, MXTLS_ERR_LIMIT_EXCEEDED);
}

/* Write len bytes to a new file in a fresh temporary directory; returns its path. */
static const char *temp_file(char *tmpl, const void *data, size_t len)
{
	static char file[1100];
	FILE *f;

	assert_non_null(mkdtemp(tmpl));
	snprintf(file, sizeof(file), "%s/pw", tmpl);
	f = fopen(file, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return file;
}

/* The one password-file rule the runtime, the tool and bindings share. */
static void test_password_file(void **state)
{
	static const struct {
		const char *content;
		size_t len;
		const char *password; /* NULL: refused */
		int code;
	} cases[] = {
		{"s3cret\n", 7, "s3cret", 0},
		{"s3cret\r\n", 8, "s3cret", 0},
		{"s3cret", 6, "s3cret", 0},
		{"two\n\n", 5, "two\n", 0}, /* one line end only: the rest is the password */
		{"", 0, "", 0},
		{"a\0b", 3, NULL, MXTLS_ERR_CONFIG},
	};
	char tmpl[64], *pw, big[MXTLS_MAX_PASSWORD_BYTES + 3];
	const char *file;
	mxtls_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(tmpl, sizeof(tmpl), "/tmp/mxtls-pwtest-XXXXXX");
		file = temp_file(tmpl, cases[i].content, cases[i].len);
		pw = mxtls_password_read_file(file, &err);
		if (cases[i].password != NULL) {
			assert_non_null(pw);
			assert_string_equal(pw, cases[i].password);
		} else {
			assert_null(pw);
			assert_int_equal(err.code, cases[i].code);
			assert_non_null(strstr(err.message, file));
		}
		mxtls_password_free(pw);
		remove(file);
		/* A directory is refused at once: never "no password". */
		assert_null(mxtls_password_read_file(tmpl, &err));
		assert_int_equal(err.code, MXTLS_ERR_IO);
		assert_non_null(strstr(err.message, "directory"));
		rmdir(tmpl);
	}
	/* The longest password, with its line end, loads; one byte more does not. */
	memset(big, 'x', sizeof(big));
	big[MXTLS_MAX_PASSWORD_BYTES] = '\r';
	big[MXTLS_MAX_PASSWORD_BYTES + 1] = '\n';
	snprintf(tmpl, sizeof(tmpl), "/tmp/mxtls-pwtest-XXXXXX");
	file = temp_file(tmpl, big, MXTLS_MAX_PASSWORD_BYTES + 2);
	pw = mxtls_password_read_file(file, &err);
	assert_non_null(pw);
	assert_int_equal(strlen(pw), MXTLS_MAX_PASSWORD_BYTES);
	mxtls_password_free(pw);
	remove(file);
	rmdir(tmpl);
	big[MXTLS_MAX_PASSWORD_BYTES] = 'x';
	snprintf(tmpl, sizeof(tmpl), "/tmp/mxtls-pwtest-XXXXXX");
	file = temp_file(tmpl, big, MXTLS_MAX_PASSWORD_BYTES + 2);
	assert_null(mxtls_password_read_file(file, &err));
	assert_int_equal(err.code, MXTLS_ERR_LIMIT_EXCEEDED);
	assert_non_null(strstr(err.message, "4096"));
	remove(file);
	rmdir(tmpl);
	assert_null(mxtls_password_read_file(NULL, &err));
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	mxtls_password_free(NULL);
}

/* Bad arguments are refused before any connection; a closed port explains nothing. */
static void test_server_key_explain_arguments(void **state)
{
	char msg[64];

	(void)state;
	assert_int_equal(mxtls_server_key_explain(NULL, 443, 1000, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "");
	assert_int_equal(mxtls_server_key_explain("127.0.0.1", 0, 1000, msg, sizeof(msg)), -1);
	assert_int_equal(mxtls_server_key_explain("127.0.0.1", 65536, 1000, msg, sizeof(msg)), -1);
	assert_int_equal(mxtls_server_key_explain("127.0.0.1", 443, 0, msg, sizeof(msg)), -1);
	assert_int_equal(mxtls_server_key_explain("127.0.0.1", 443, 1000, NULL, 10), -1);
	/* Port 1 on the loopback: nothing listens, nothing to explain. */
	assert_int_equal(mxtls_server_key_explain("127.0.0.1", 1, 1000, msg, sizeof(msg)),
			 MXTLS_SERVER_KEY_NOTHING);
	assert_string_equal(msg, "no certificate seen");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_names_are_stable),
		cmocka_unit_test(test_null_safety),
		cmocka_unit_test(test_usage_and_io_errors),
		cmocka_unit_test(test_getters_on_a_chain),
		cmocka_unit_test(test_mem_equals_file_and_input_may_be_wiped),
		cmocka_unit_test(test_error_message_names_context),
		cmocka_unit_test(test_attachments),
		cmocka_unit_test(test_password_file),
		cmocka_unit_test(test_password_with_length),
		cmocka_unit_test(test_server_key_explain_arguments),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s HOSTILE_DIR\n", argv[0]);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
