/*
 * Unit tests for mx_pem_each_cert: every bundle shape we accept, every error, line numbers; and
 * for what the one PEM scanner under it changed for mx_pem_blocks, the pack readers' view.
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
#include <mbedtls/x509_crt.h>

#include "mxtls_error.h"
#include "mxtls_pem.h"
#include "read/read_int.h"

/*
 * Three small CAs, made once with
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
 *       -subj "/CN=Test CA N" -days 36500 -keyout /dev/null      (N = 1, 2, 3)
 * Each is 11 lines: BEGIN, 9 lines of base64, END.
 */
static const char pem1[] = "-----BEGIN CERTIFICATE-----\n"
                           "MIIBfzCCASWgAwIBAgIUM/6bxb5XfNlIAiP4cLJwi8RSPAIwCgYIKoZIzj0EAwIw\n"
                           "FDESMBAGA1UEAwwJVGVzdCBDQSAxMCAXDTI2MTEyOTE5MDk1NFoYDzIxMjYxMTA1\n"
                           "MTkwOTU0WjAUMRIwEAYDVQQDDAlUZXN0IENBIDEwWTATBgcqhkjOPQIBBggqhkjO\n"
                           "PQMBBwNCAAQXekg/YC48Dq6C2PUd5bCVHTL8p2u/jMiiT7lgtPqoPHz9wuTursQt\n"
                           "Bzi1SGFknu4pKBE8ogoDz2wQEUvj4s9zo1MwUTAdBgNVHQ4EFgQUFNy+uGDtLDdM\n"
                           "ctD47crcETLTiFowHwYDVR0jBBgwFoAUFNy+uGDtLDdMctD47crcETLTiFowDwYD\n"
                           "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA0J21ZA06P1L5qDGUi5/J\n"
                           "dMaqtj8RafKvWqEUffxwFYECIEfWNbOitAoTRTp2VvSiLhEKIFy4wKMQzyGusIi1\n"
                           "istb\n"
                           "-----END CERTIFICATE-----\n";

static const char pem2[] = "-----BEGIN CERTIFICATE-----\n"
                           "MIIBfzCCASWgAwIBAgIUe4s7j9SOf4UpvO8f4W8lVQZG9eswCgYIKoZIzj0EAwIw\n"
                           "FDESMBAGA1UEAwwJVGVzdCBDQSAyMCAXDTI2MTEyOTE5MDk1NFoYDzIxMjYxMTA1\n"
                           "MTkwOTU0WjAUMRIwEAYDVQQDDAlUZXN0IENBIDIwWTATBgcqhkjOPQIBBggqhkjO\n"
                           "PQMBBwNCAASGps9uGWGf6K4W0c3i/hCqUxeREuHrz4twf73CJQH6MQ/1SLyHjTTq\n"
                           "1Dogpz1qORGP89JNQxkFm0Cr+TN/9Nfgo1MwUTAdBgNVHQ4EFgQUQp0eJG5RMnL8\n"
                           "4kMT5uW+a2EBB+kwHwYDVR0jBBgwFoAUQp0eJG5RMnL84kMT5uW+a2EBB+kwDwYD\n"
                           "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEAkvyKv/X/7TDBF0aLLpNk\n"
                           "SsO+WyVP7f9UrssU/7badxECICXNHpDenrP7qn3Y6z2YIY8zmCdSFE+KYEXhq1HI\n"
                           "HMt1\n"
                           "-----END CERTIFICATE-----\n";

static const char pem3[] = "-----BEGIN CERTIFICATE-----\n"
                           "MIIBfjCCASWgAwIBAgIUaB/QY6f0tpJyPPbYIgKDFdpLZKgwCgYIKoZIzj0EAwIw\n"
                           "FDESMBAGA1UEAwwJVGVzdCBDQSAzMCAXDTI2MTEyOTE5MDk1NFoYDzIxMjYxMTA1\n"
                           "MTkwOTU0WjAUMRIwEAYDVQQDDAlUZXN0IENBIDMwWTATBgcqhkjOPQIBBggqhkjO\n"
                           "PQMBBwNCAARB+7YMqhUEmjTjUweGetUVcbeDNOL000G26uDkO/ySTW/efbh1dT3/\n"
                           "AU3wgQbeAPj82RVc1KefWLYEpZOCC9S9o1MwUTAdBgNVHQ4EFgQU8od2NC569DpS\n"
                           "malJKyfTeMQAjxwwHwYDVR0jBBgwFoAU8od2NC569DpSmalJKyfTeMQAjxwwDwYD\n"
                           "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiAO1SINdjkY0xPH2Tk2w/XG\n"
                           "TZ2WmdFm59t1Pn28JZ2BcwIgQaquqLncq0AB5uyehlTzJD019fYsDxzDKsDJ6ENG\n"
                           "+fA=\n"
                           "-----END CERTIFICATE-----\n";

/*
 * CA 1 with OpenSSL's trust settings appended (a second SEQUENCE after the certificate):
 *   openssl x509 -in ca1.pem -trustout -addtrust serverAuth
 */
static const char trusted1[] = "-----BEGIN TRUSTED CERTIFICATE-----\n"
                               "MIIBfzCCASWgAwIBAgIUM/6bxb5XfNlIAiP4cLJwi8RSPAIwCgYIKoZIzj0EAwIw\n"
                               "FDESMBAGA1UEAwwJVGVzdCBDQSAxMCAXDTI2MTEyOTE5MDk1NFoYDzIxMjYxMTA1\n"
                               "MTkwOTU0WjAUMRIwEAYDVQQDDAlUZXN0IENBIDEwWTATBgcqhkjOPQIBBggqhkjO\n"
                               "PQMBBwNCAAQXekg/YC48Dq6C2PUd5bCVHTL8p2u/jMiiT7lgtPqoPHz9wuTursQt\n"
                               "Bzi1SGFknu4pKBE8ogoDz2wQEUvj4s9zo1MwUTAdBgNVHQ4EFgQUFNy+uGDtLDdM\n"
                               "ctD47crcETLTiFowHwYDVR0jBBgwFoAUFNy+uGDtLDdMctD47crcETLTiFowDwYD\n"
                               "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA0J21ZA06P1L5qDGUi5/J\n"
                               "dMaqtj8RafKvWqEUffxwFYECIEfWNbOitAoTRTp2VvSiLhEKIFy4wKMQzyGusIi1\n"
                               "istbMAwwCgYIKwYBBQUHAwE=\n"
                               "-----END TRUSTED CERTIFICATE-----\n";

/* The start of `openssl x509 -text -noout` for CA 1: what users paste above the PEM. */
static const char openssl_text[] =
    "Certificate:\n"
    "    Data:\n"
    "        Version: 3 (0x2)\n"
    "        Serial Number:\n"
    "            33:fe:9b:c5:be:57:7c:d9:48:02:23:f8:70:b2:70:8b:c4:52:3c:02\n"
    "        Signature Algorithm: ecdsa-with-SHA256\n"
    "        Issuer: CN = Test CA 1\n"
    "        Validity\n"
    "            Not Before: Nov 29 19:09:54 2026 GMT\n"
    "            Not After : Nov  5 19:09:54 2126 GMT\n"
    "        Subject: CN = Test CA 1\n"
    "        Subject Public Key Info:\n"
    "            Public Key Algorithm: id-ecPublicKey\n"
    "                Public-Key: (256 bit)\n"
    "        X509v3 extensions:\n"
    "            X509v3 Basic Constraints: critical\n"
    "                CA:TRUE\n";

/* Blocks that are not certificates; their bodies are never decoded (the CRL's is not base64). */
static const char key_block[] = "-----BEGIN PRIVATE KEY-----\n"
                                "Tm90IGEgcmVhbCBrZXksIGp1c3QgYSBwbGFjZWhvbGRlcg==\n"
                                "-----END PRIVATE KEY-----\n";
static const char crl_block[] = "-----BEGIN X509 CRL-----\n"
                                "not base64 at all!\n"
                                "-----END X509 CRL-----\n";

static const char *const pems[3] = {pem1, pem2, pem3};

/* The DER of each CA, as mbedTLS parses it from the PEM. */
static struct {
	uint8_t der[1024];
	size_t len;
} ders[3];

static int setup_ders(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		mbedtls_x509_crt crt;

		mbedtls_x509_crt_init(&crt);
		if (mbedtls_x509_crt_parse(&crt, (const unsigned char *)pems[i],
		                           strlen(pems[i]) + 1) != 0 ||
		    crt.raw.len > sizeof(ders[i].der)) {
			mbedtls_x509_crt_free(&crt);
			return -1;
		}
		memcpy(ders[i].der, crt.raw.p, crt.raw.len);
		ders[i].len = crt.raw.len;
		mbedtls_x509_crt_free(&crt);
	}
	return 0;
}

/* ---- building inputs ---- */

struct buf {
	char *p;
	size_t len;
	size_t cap;
	size_t lines; /* newlines in it: inputs of 10000 certificates are built line by line */
};

static void put(struct buf *b, const void *data, size_t len)
{
	size_t i;

	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + len)
			cap *= 2;
		b->p = realloc(b->p, cap);
		assert_non_null(b->p);
		b->cap = cap;
	}
	if (len > 0)
		memcpy(b->p + b->len, data, len);
	for (i = 0; i < len; i++)
		b->lines += ((const char *)data)[i] == '\n';
	b->len += len;
}

static void put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Number of the line the next byte will be on. */
static size_t next_line_no(const struct buf *b)
{
	return b->lines + 1;
}

/* Append text line by line, each as indent + line + trail + eol. Returns its first line number. */
static size_t put_lines(struct buf *b, const char *text, const char *indent, const char *trail,
                        const char *eol)
{
	size_t first = next_line_no(b);
	const char *p = text, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		put_str(b, indent);
		put(b, p, nl ? (size_t)(nl - p) : strlen(p));
		put_str(b, trail);
		put_str(b, eol);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return first;
}

static size_t put_pem(struct buf *b, const char *pem)
{
	return put_lines(b, pem, "", "", "\n");
}

/* A block with another label around a PEM's base64 body (its lines 2 .. n-1). */
static size_t put_relabelled(struct buf *b, const char *label, const char *pem)
{
	size_t first = next_line_no(b);
	const char *body = strchr(pem, '\n') + 1;
	const char *end = strstr(pem, "-----END");

	put_str(b, "-----BEGIN ");
	put_str(b, label);
	put_str(b, "-----\n");
	put(b, body, (size_t)(end - body));
	put_str(b, "-----END ");
	put_str(b, label);
	put_str(b, "-----\n");
	return first;
}

/* Base64 of data, wrapped every wrap characters (0: one line), each line as indent + ... + eol. */
static void put_base64(struct buf *b, const void *data, size_t len, size_t wrap, const char *indent,
                       const char *eol)
{
	size_t need = 0, olen, i, n;
	unsigned char *enc;

	mbedtls_base64_encode(NULL, 0, &need, data, len);
	enc = malloc(need);
	assert_non_null(enc);
	assert_int_equal(mbedtls_base64_encode(enc, need, &olen, data, len), 0);
	if (wrap == 0)
		wrap = olen;
	for (i = 0; i < olen; i += n) {
		n = olen - i < wrap ? olen - i : wrap;
		put_str(b, indent);
		put(b, enc + i, n);
		put_str(b, eol);
	}
	free(enc);
}

/* A block of base64 of a CA's DER with extra bytes appended. Returns its first line number. */
static size_t put_der_block(struct buf *b, const char *label, size_t ca, const uint8_t *extra,
                            size_t extra_len)
{
	size_t first = next_line_no(b);
	uint8_t der[1100];

	assert_true(ders[ca].len + extra_len <= sizeof(der));
	memcpy(der, ders[ca].der, ders[ca].len);
	memcpy(der + ders[ca].len, extra, extra_len);
	put_str(b, "-----BEGIN ");
	put_str(b, label);
	put_str(b, "-----\n");
	put_base64(b, der, ders[ca].len + extra_len, 64, "", "\n");
	put_str(b, "-----END ");
	put_str(b, label);
	put_str(b, "-----\n");
	return first;
}

/* ---- running ---- */

#define MAX_SEEN 16

struct seen {
	size_t n;
	size_t line[MAX_SEEN];
	int which[MAX_SEEN]; /* index into ders, -1 for none of them */
	size_t fail_at;      /* the 1-based call that fails; 0: none */
	int fail_ret;
	mxtls_error *err; /* where the failing call reports, if not NULL */
};

static int collect(void *arg, const uint8_t *der, size_t len, size_t line)
{
	struct seen *s = arg;
	int i;

	if (s->n < MAX_SEEN) {
		s->line[s->n] = line;
		s->which[s->n] = -1;
		for (i = 0; i < 3; i++)
			if (len == ders[i].len && memcmp(der, ders[i].der, len) == 0)
				s->which[s->n] = i;
	}
	s->n++;
	if (s->fail_at == s->n) {
		if (s->err != NULL)
			mx_err(s->err, MXTLS_ERR_CORRUPT,
			       "line %zu: the certificate cannot be parsed", line);
		return s->fail_ret;
	}
	return 0;
}

/*
 * Run on an exact-size copy of the input (no NUL after it), so that the sanitizers and
 * valgrind see any read past len.
 */
static int run_mem(const void *in, size_t len, struct seen *s, size_t *skipped, mxtls_error *err)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	if (len > 0)
		memcpy(copy, in, len);
	mx_err_clear(err);
	ret = mx_pem_each_cert(copy, len, collect, s, skipped, err);
	free(copy);
	return ret;
}

static int run(const struct buf *b, struct seen *s, size_t *skipped, mxtls_error *err)
{
	return run_mem(b->p, b->len, s, skipped, err);
}

/* Success with these certificates (indexes into ders) at these lines. */
static void expect_certs(int ret, const mxtls_error *err, const struct seen *s, size_t n,
                         const int *which, const size_t *lines)
{
	size_t i;

	if (ret != 0)
		fprintf(stderr, "unexpected error %d: %s\n", ret, err->message);
	assert_int_equal(ret, 0);
	assert_int_equal(err->code, MXTLS_OK);
	assert_int_equal(s->n, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(s->which[i], which[i]);
		assert_int_equal(s->line[i], lines[i]);
	}
}

static void expect_error(int ret, const mxtls_error *err, int code, const char *needle)
{
	if (ret != -code || strstr(err->message, needle) == NULL)
		fprintf(stderr, "got %d \"%s\", want %d with \"%s\"\n", ret, err->message, -code,
		        needle);
	assert_int_equal(ret, -code);
	assert_int_equal(err->code, code);
	assert_non_null(strstr(err->message, needle));
}

static const int all3[3] = {0, 1, 2};

/* ---- PEM ---- */

static void test_plain_bundle(void **state)
{
	static const size_t lines[3] = {1, 12, 23};
	struct buf b = {0};
	struct seen s = {0};
	mxtls_error err;
	size_t skipped = 0;

	(void)state;
	put_pem(&b, pem1);
	put_pem(&b, pem2);
	put_pem(&b, pem3);
	expect_certs(run(&b, &s, &skipped, &err), &err, &s, 3, all3, lines);
	assert_int_equal(skipped, 0);

	/* No newline after the last END line; and skipped may be NULL. */
	memset(&s, 0, sizeof(s));
	b.len--;
	expect_certs(run(&b, &s, NULL, &err), &err, &s, 3, all3, lines);
	buf_free(&b);
}

static void test_text_around_blocks(void **state)
{
	struct buf b = {0};
	struct seen s = {0};
	size_t lines[3], i;
	mxtls_error err;
	char subject[64];

	(void)state;
	/* `openssl s_client -showcerts` style: the input starts with '0' (0x30, as DER does). */
	put_str(&b, "0 s:CN = Test CA 1\n   i:CN = Test CA 1\n");
	for (i = 0; i < 3; i++) {
		snprintf(subject, sizeof(subject), "subject=CN = Test CA %zu\n", i + 1);
		put_str(&b, subject);
		put_str(&b, "issuer=CN = Test CA 1\n\n");
		put_str(&b, openssl_text);
		lines[i] = put_pem(&b, pems[i]);
		put_str(&b, "\n");
	}
	put_str(&b, "trailing words -----END CERTIFICATE----- and more\n");
	expect_certs(run(&b, &s, NULL, &err), &err, &s, 3, all3, lines);
	assert_int_equal(lines[0], 23);
	buf_free(&b);
}

static void test_crlf(void **state)
{
	struct buf b = {0};
	struct seen s = {0};
	size_t lines[3], i;
	mxtls_error err;

	(void)state;
	put_str(&b, "# exported on Windows\r\n");
	for (i = 0; i < 3; i++)
		lines[i] = put_lines(&b, pems[i], "", "", "\r\n");
	expect_certs(run(&b, &s, NULL, &err), &err, &s, 3, all3, lines);
	assert_int_equal(lines[1], 13);
	buf_free(&b);
}

static void test_indented(void **state)
{
	static const char *const indents[][3] = {
	    {"    ", "", "\n"}, {"\t", "", "\n"}, {"\t\t", " \t ", "\n"}, {"  ", "  ", "\r\n"}};
	size_t k, i, lines[3];

	(void)state;
	for (k = 0; k < sizeof(indents) / sizeof(indents[0]); k++) {
		struct buf b = {0};
		struct seen s = {0};
		mxtls_error err;

		/* As in a Kubernetes ConfigMap or a Helm values file. */
		put_str(&b, "data:\n  ca.crt: |\n");
		for (i = 0; i < 3; i++)
			lines[i] =
			    put_lines(&b, pems[i], indents[k][0], indents[k][1], indents[k][2]);
		put_str(&b, "kind: ConfigMap\n");
		expect_certs(run(&b, &s, NULL, &err), &err, &s, 3, all3, lines);
		assert_int_equal(lines[0], 3);
		buf_free(&b);
	}
}

static void test_comment_lines(void **state)
{
	struct buf b = {0};
	struct seen s = {0};
	size_t lines[3];
	mxtls_error err;

	(void)state;
	put_str(&b, "# Our internal CAs\n# foo\n");
	lines[0] = put_pem(&b, pem1);
	put_str(&b, "# foo\n\n");
	lines[1] = put_pem(&b, pem2);
	put_str(&b, "# foo\n# bar: baz\n");
	lines[2] = put_pem(&b, pem3);
	put_str(&b, "# the end, no newline");
	expect_certs(run(&b, &s, NULL, &err), &err, &s, 3, all3, lines);
	assert_int_equal(lines[2], 29);
	buf_free(&b);
}

static void test_bom(void **state)
{
	static const size_t lines[2] = {1, 12};
	struct buf b = {0};
	struct seen s = {0};
	mxtls_error err;

	(void)state;
	put_str(&b, "\xef\xbb\xbf");
	put_pem(&b, pem1);
	put_pem(&b, pem2);
	expect_certs(run(&b, &s, NULL, &err), &err, &s, 2, all3, lines);
	buf_free(&b);
}

static void test_other_labels(void **state)
{
	static const int which[3] = {0, 1, 2};
	static const uint8_t aux[] = {0x30, 0x00};
	struct buf b = {0};
	struct seen s = {0};
	size_t lines[3];
	mxtls_error err;

	(void)state;
	/* OpenSSL's trust settings after the certificate are dropped: the callback gets the DER. */
	lines[0] = put_pem(&b, trusted1);
	lines[1] = put_relabelled(&b, "X509 CERTIFICATE", pem2);
	lines[2] = put_der_block(&b, "TRUSTED CERTIFICATE", 2, aux, sizeof(aux));
	expect_certs(run(&b, &s, NULL, &err), &err, &s, 3, which, lines);
	buf_free(&b);
}

static void test_skipped_blocks(void **state)
{
	struct buf b = {0};
	struct seen s = {0};
	size_t lines[3], skipped = 5;
	mxtls_error err;

	(void)state;
	lines[0] = put_pem(&b, pem1);
	put_str(&b, key_block);
	lines[1] = put_pem(&b, pem2);
	put_str(&b, crl_block);
	lines[2] = put_pem(&b, pem3);
	expect_certs(run(&b, &s, &skipped, &err), &err, &s, 3, all3, lines);
	assert_int_equal(skipped, 7); /* incremented, not reset */
	buf_free(&b);

	/* A key block whose END is missing does not swallow the next certificate. */
	memset(&s, 0, sizeof(s));
	skipped = 0;
	put_str(&b, "-----BEGIN RSA PRIVATE KEY-----\nTm90IGEga2V5\n");
	lines[0] = put_pem(&b, pem2);
	expect_certs(run(&b, &s, &skipped, &err), &err, &s, 1, &all3[1], lines);
	assert_int_equal(skipped, 1);
	buf_free(&b);

	/* Only a key: nothing to trust, and the message says what was skipped. */
	memset(&s, 0, sizeof(s));
	skipped = 0;
	put_str(&b, key_block);
	expect_error(run(&b, &s, &skipped, &err), &err, MXTLS_ERR_EMPTY,
	             "no certificate found (1 other PEM block skipped)");
	assert_int_equal(skipped, 1);
	assert_int_equal(s.n, 0);
	buf_free(&b);
}

/* ---- base64 and DER ---- */

static void test_base64_of_pem(void **state)
{
	static const struct {
		size_t wrap;
		const char *indent, *eol;
	} shapes[] = {
	    {0, "", ""}, {0, "", "\n"}, {76, "", "\n"}, {64, "  ", "\r\n"}, {76, "\t", " \n"}};
	struct buf pem = {0};
	size_t lines[3], k, skipped;

	(void)state;
	put_str(&pem, "subject=CN = Test CA 1\n");
	lines[0] = put_pem(&pem, pem1);
	put_str(&pem, key_block);
	lines[1] = put_pem(&pem, pem2);
	lines[2] = put_lines(&pem, pem3, "  ", "", "\r\n");
	assert_int_equal(lines[1], 16);
	for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
		struct buf b = {0};
		struct seen s = {0};
		mxtls_error err;

		put_base64(&b, pem.p, pem.len, shapes[k].wrap, shapes[k].indent, shapes[k].eol);
		skipped = 0;
		/* Lines are those of the decoded text. */
		expect_certs(run(&b, &s, &skipped, &err), &err, &s, 3, all3, lines);
		assert_int_equal(skipped, 1);
		buf_free(&b);
	}
	buf_free(&pem);
}

static void test_base64_of_pem_errors(void **state)
{
	struct buf pem = {0}, b = {0};
	struct seen s = {0};
	mxtls_error err;
	size_t skipped;

	(void)state;
	put_pem(&pem, pem1);
	put_str(&pem, "-----BEGIN CERTIFICATE-----\nMIIBfzCC\n");
	put_base64(&b, pem.p, pem.len, 76, "", "\n");
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 12 (in the base64-decoded text): BEGIN CERTIFICATE without END");
	assert_int_equal(s.n, 1);
	buf_free(&b);
	buf_free(&pem);

	/* Base64 of a lone key: the same answer as the key in clear. */
	memset(&s, 0, sizeof(s));
	put_str(&pem, key_block);
	put_base64(&b, pem.p, pem.len, 0, "", "\n");
	skipped = 0;
	expect_error(run(&b, &s, &skipped, &err), &err, MXTLS_ERR_EMPTY,
	             "no certificate found (1 other PEM block skipped)");
	assert_int_equal(skipped, 1);
	buf_free(&b);
	buf_free(&pem);
}

static void test_der(void **state)
{
	static const size_t line1 = 1;
	static const int ca2 = 1;
	struct seen s = {0};
	uint8_t der[1100];
	size_t len = ders[1].len;
	mxtls_error err;

	(void)state;
	expect_certs(run_mem(ders[1].der, len, &s, NULL, &err), &err, &s, 1, &ca2, &line1);

	/* One byte more or less is not exactly one SEQUENCE. */
	memcpy(der, ders[1].der, len);
	der[len] = '\n';
	memset(&s, 0, sizeof(s));
	expect_error(run_mem(der, len + 1, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "not exactly one complete DER SEQUENCE");
	expect_error(run_mem(der, len - 1, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "not exactly one complete DER SEQUENCE");
	/* Indefinite length (30 80 ... 00 00) is BER. */
	expect_error(run_mem("\x30\x80\x02\x01\x00\x00\x00", 7, &s, NULL, &err), &err,
	             MXTLS_ERR_CORRUPT, "not exactly one complete DER SEQUENCE");
	/* Two DER certificates back to back are not a bundle we read. */
	memcpy(der, ders[0].der, ders[0].len);
	memcpy(der + ders[0].len, ders[1].der, len);
	expect_error(run_mem(der, ders[0].len + len, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "not exactly one complete DER SEQUENCE");
	assert_int_equal(s.n, 0);
}

static void test_base64_of_der(void **state)
{
	static const size_t line1 = 1;
	static const int ca3 = 2;
	static const size_t wraps[] = {0, 76, 64};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(wraps) / sizeof(wraps[0]); k++) {
		struct buf b = {0};
		struct seen s = {0};
		mxtls_error err;

		put_str(&b, "\n");
		put_base64(&b, ders[2].der, ders[2].len, wraps[k], "  ", "\n");
		expect_certs(run(&b, &s, NULL, &err), &err, &s, 1, &ca3, &line1);
		buf_free(&b);
	}
}

static void test_base64_of_something_else(void **state)
{
	static const char *const inputs[] = {
	    "hello world\n",     /* letters and spaces are base64 characters */
	    "aGVsbG8gd29ybGQ=",  /* "hello world" */
	    "abcde",             /* not even valid base64 */
	    "MIIBfzCCASWgAwIB\n" /* the start of a DER certificate */
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(inputs) / sizeof(inputs[0]); k++) {
		struct seen s = {0};
		mxtls_error err;

		expect_error(run_mem(inputs[k], strlen(inputs[k]), &s, NULL, &err), &err,
		             MXTLS_ERR_CORRUPT, "neither PEM nor base64 of PEM");
		assert_int_equal(s.n, 0);
	}
}

/* ---- nothing there ---- */

static void test_empty(void **state)
{
	static const char *const inputs[] = {"", "\n", " \t\r\n\r\n", "\xef\xbb\xbf"};
	struct seen s = {0};
	mxtls_error err;
	size_t k;

	(void)state;
	mx_err_clear(&err);
	expect_error(mx_pem_each_cert(NULL, 0, collect, &s, NULL, &err), &err, MXTLS_ERR_EMPTY,
	             "no certificate found");
	for (k = 0; k < sizeof(inputs) / sizeof(inputs[0]); k++)
		expect_error(run_mem(inputs[k], strlen(inputs[k]), &s, NULL, &err), &err,
		             MXTLS_ERR_EMPTY, "no certificate found");
	assert_int_equal(s.n, 0);
}

static void test_only_text(void **state)
{
	struct buf b = {0};
	struct seen s = {0};
	mxtls_error err;

	(void)state;
	put_str(&b, "subject=CN = Test CA 1\n");
	put_str(&b, openssl_text);
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_EMPTY, "no certificate found");
	/* "-----BEGIN" in the middle of a line is not a block. */
	put_str(&b, "see -----BEGIN CERTIFICATE----- below\n");
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_EMPTY, "no certificate found");
	buf_free(&b);

	/* PEM saved as UTF-16 (PowerShell 5's `>`): the message says why nothing is found. */
	put(&b, "\xff\xfe-\0-\0-\0-\0-\0B\0E\0G\0I\0N\0", 22);
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_EMPTY,
	             "no certificate found (the text is UTF-16");
	assert_int_equal(s.n, 0);
	buf_free(&b);
}

/* ---- damaged blocks ---- */

static void test_begin_without_end(void **state)
{
	struct buf b = {0};
	struct seen s = {0};
	mxtls_error err;

	(void)state;
	put_pem(&b, pem1);
	put_str(&b, "-----BEGIN CERTIFICATE-----\n"
	            "MIIBfzCCASWgAwIBAgIUe4s7j9SOf4UpvO8f4W8lVQZG9eswCgYIKoZIzj0EAwIw\n");
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 12: BEGIN CERTIFICATE without END");
	assert_int_equal(s.n, 1); /* certificates before the damage were already handed over */
	assert_int_equal(err.code, MXTLS_ERR_CORRUPT);

	/* The next BEGIN comes before any END: the END was lost in a copy and paste. */
	memset(&s, 0, sizeof(s));
	put_pem(&b, pem3);
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 12: BEGIN CERTIFICATE without END");
	buf_free(&b);

	/* The same, indented and with the other labels. */
	memset(&s, 0, sizeof(s));
	put_str(&b, "\n\n   -----BEGIN TRUSTED CERTIFICATE-----   \n   MIIB\n");
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 3: BEGIN TRUSTED CERTIFICATE without END");
	buf_free(&b);
}

/* pem2 with byte `c` at column col of its line `line` (1 = BEGIN), after pem1. */
static void put_damaged(struct buf *b, size_t line, size_t col, char c)
{
	char copy[sizeof(pem2)];
	char *p = copy;

	put_pem(b, pem1);
	memcpy(copy, pem2, sizeof(pem2));
	while (--line > 0)
		p = strchr(p, '\n') + 1;
	p[col] = c;
	put(b, copy, sizeof(pem2) - 1);
}

static void test_bad_base64(void **state)
{
	static const struct {
		char c;
		const char *needle;
	} bad[] = {{'!', "(byte 0x21 on line 14)"},
	           {'\0', "(byte 0x00 on line 14)"},
	           {'-', "(byte 0x2d on line 14)"},
	           {'\x80', "(byte 0x80 on line 14)"}};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct buf b = {0};
		struct seen s = {0};
		mxtls_error err;

		/* Line 3 of the second block (line 14 of the file), whose BEGIN is line 12. */
		put_damaged(&b, 3, 10, bad[k].c);
		expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
		             "line 12: invalid base64 in certificate block");
		assert_non_null(strstr(err.message, bad[k].needle));
		assert_int_equal(s.n, 1);
		buf_free(&b);
	}
}

static void test_nul_outside_blocks(void **state)
{
	static const size_t lines[2] = {2, 14};
	struct buf b = {0};
	struct seen s = {0};
	mxtls_error err;

	(void)state;
	put(&b, "#\0 binary junk\xff\n", 16);
	put_pem(&b, pem1);
	put(&b, "\0\0\0\n", 4);
	put_pem(&b, pem2);
	put(&b, "\0", 1);
	expect_certs(run(&b, &s, NULL, &err), &err, &s, 2, all3, lines);
	buf_free(&b);
}

static void test_truncated_base64(void **state)
{
	static const uint8_t nothing[1] = {0};
	struct buf b = {0};
	struct seen s = {0};
	mxtls_error err;
	const char *cut;

	(void)state;
	/* Three lines short: still valid base64 (6 * 64 characters), but part of a SEQUENCE. */
	put_pem(&b, pem1);
	cut = strstr(pem2, "VR0TAQH/");
	put(&b, pem2, (size_t)(cut - pem2));
	put_str(&b, "-----END CERTIFICATE-----\n");
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 12: certificate block is not one complete DER SEQUENCE");
	assert_int_equal(s.n, 1);
	buf_free(&b);

	/* One character short: not valid base64 (mbedTLS refuses the length). */
	memset(&s, 0, sizeof(s));
	put_pem(&b, pem1);
	cut = strstr(pem2, "HMt1\n");
	put(&b, pem2, (size_t)(cut - pem2));
	put_str(&b, "HMt\n-----END CERTIFICATE-----\n");
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 12: invalid base64 in certificate block");
	buf_free(&b);

	/* Padding in the middle: two base64 strings glued together. */
	put_str(&b, "\n-----BEGIN CERTIFICATE-----\nMA==\nMA==\n-----END CERTIFICATE-----\n");
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 2: invalid base64 in certificate block");
	buf_free(&b);

	/* An empty block. */
	put_str(&b, "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n");
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 1: certificate block is not one complete DER SEQUENCE");
	buf_free(&b);

	/* A certificate with a byte after it, and trust settings that are not a SEQUENCE. */
	put_pem(&b, pem1);
	put_der_block(&b, "CERTIFICATE", 1, nothing, 1);
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 12: certificate block is not one complete DER SEQUENCE");
	buf_free(&b);
	put_pem(&b, pem1);
	put_der_block(&b, "TRUSTED CERTIFICATE", 1, (const uint8_t *)"\x05\x00", 2);
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 12: certificate block is not one complete DER SEQUENCE");
	buf_free(&b);

	/* Indefinite length is BER, never a certificate. */
	put_str(&b, "-----BEGIN CERTIFICATE-----\nMIACAQAAAA==\n-----END CERTIFICATE-----\n");
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 1: certificate block is not one complete DER SEQUENCE");
	buf_free(&b);

	/* Trust settings are only expected after a TRUSTED CERTIFICATE. */
	put_relabelled(&b, "CERTIFICATE", trusted1);
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 1: certificate block is not one complete DER SEQUENCE");
	buf_free(&b);
}

static void test_malformed_boundaries(void **state)
{
	static const struct {
		const char *begin, *end, *needle;
	} cases[] = {
	    {"-----BEGIN CERTIFICATE----", "-----END CERTIFICATE-----",
	     "line 12: malformed PEM BEGIN line"},
	    {"-----BEGIN CERTIFICATE----- MIIB", "-----END CERTIFICATE-----",
	     "line 12: malformed PEM BEGIN line"},
	    {"-----BEGIN -----", "-----END -----", "line 12: malformed PEM BEGIN line"},
	    {"-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE",
	     "line 12: malformed END line (line 22) in certificate block"},
	    {"-----BEGIN CERTIFICATE-----", "-----END X509 CERTIFICATE-----",
	     "line 12: BEGIN CERTIFICATE ended by END X509 CERTIFICATE"},
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct buf b = {0};
		struct seen s = {0};
		mxtls_error err;
		const char *body = strchr(pem2, '\n') + 1;

		put_pem(&b, pem1);
		put_str(&b, cases[k].begin);
		put_str(&b, "\n");
		put(&b, body, (size_t)(strstr(pem2, "-----END") - body));
		put_str(&b, cases[k].end);
		put_str(&b, "\n");
		expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT, cases[k].needle);
		buf_free(&b);
	}
}

/* ---- the callback ---- */

static void test_callback_error(void **state)
{
	struct buf b = {0}, enc = {0};
	struct seen s = {0};
	mxtls_error err;

	(void)state;
	put_pem(&b, pem1);
	put_pem(&b, pem2);
	put_pem(&b, pem3);

	/* The callback's value comes back as is and nothing more is read. */
	s.fail_at = 2;
	s.fail_ret = -1234;
	assert_int_equal(run(&b, &s, NULL, &err), -1234);
	assert_int_equal(s.n, 2);
	assert_int_equal(err.code, MXTLS_OK);

	/* Its message, with the line it was given, is kept. */
	memset(&s, 0, sizeof(s));
	s.fail_at = 2;
	s.fail_ret = -MXTLS_ERR_CORRUPT;
	s.err = &err;
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 12: the certificate cannot be parsed");
	assert_int_equal(s.n, 2);

	/* For base64 of PEM, it says whose line 12 it is. */
	put_base64(&enc, b.p, b.len, 76, "", "\n");
	memset(&s, 0, sizeof(s));
	s.fail_at = 2;
	s.fail_ret = -MXTLS_ERR_CORRUPT;
	s.err = &err;
	expect_error(run(&enc, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "in the base64-decoded text: line 12: the certificate cannot be parsed");

	/* A DER input stops the same way. */
	memset(&s, 0, sizeof(s));
	s.fail_at = 1;
	s.fail_ret = -99;
	assert_int_equal(run_mem(ders[0].der, ders[0].len, &s, NULL, &err), -99);
	assert_int_equal(s.n, 1);
	buf_free(&enc);
	buf_free(&b);
}

/* ---- limits and usage ---- */

static void test_limits(void **state)
{
	struct buf b = {0};
	struct seen s = {0};
	mxtls_error err;
	size_t i, skipped = 0;
	char filler[100];

	(void)state;
	/* 10000 certificates are fine, one more is refused before any callback. */
	for (i = 0; i < MX_PEM_MAX_CERTS; i++)
		put_pem(&b, pems[i % 3]);
	put_str(&b, key_block);
	assert_int_equal(run(&b, &s, &skipped, &err), 0);
	assert_int_equal(s.n, MX_PEM_MAX_CERTS);
	assert_int_equal(skipped, 1);
	memset(&s, 0, sizeof(s));
	put_pem(&b, pem1);
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_LIMIT_EXCEEDED,
	             "more than 10000 certificates");
	assert_int_equal(s.n, 0);
	buf_free(&b);

	/* Exactly 8 MiB is read; one byte more is refused. */
	memset(&s, 0, sizeof(s));
	put_pem(&b, pem1);
	memset(filler, '#', sizeof(filler) - 1);
	filler[sizeof(filler) - 1] = '\n';
	while (MX_PEM_MAX_INPUT - b.len > sizeof(filler))
		put(&b, filler, sizeof(filler));
	while (b.len < MX_PEM_MAX_INPUT - 1)
		put_str(&b, "#");
	put_str(&b, "\n");
	assert_int_equal(b.len, MX_PEM_MAX_INPUT);
	assert_int_equal(run(&b, &s, NULL, &err), 0);
	assert_int_equal(s.n, 1);
	put_str(&b, "\n");
	memset(&s, 0, sizeof(s));
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_LIMIT_EXCEEDED, "8388609 bytes");
	assert_int_equal(s.n, 0);
	buf_free(&b);
}

static void test_usage(void **state)
{
	struct seen s = {0};
	mxtls_error err;

	(void)state;
	mx_err_clear(&err);
	expect_error(
	    mx_pem_each_cert((const uint8_t *)pem1, sizeof(pem1) - 1, NULL, &s, NULL, &err), &err,
	    MXTLS_ERR_USAGE, "no callback");
	mx_err_clear(&err);
	expect_error(mx_pem_each_cert(NULL, 5, collect, &s, NULL, &err), &err, MXTLS_ERR_USAGE,
	             "no text");
	/* err may be NULL. */
	assert_int_equal(mx_pem_each_cert((const uint8_t *)"x", 1, collect, &s, NULL, NULL),
	                 -MXTLS_ERR_CORRUPT);
	assert_int_equal(mx_pem_each_cert((const uint8_t *)"#", 1, collect, &s, NULL, NULL),
	                 -MXTLS_ERR_EMPTY);
	assert_int_equal(s.n, 0);
}

/* ---- the one scanner: what it changed for either reader ---- */

/* pem1 with its line ends replaced by eol. */
static void put_pem_eol(struct buf *b, const char *pem, const char *eol)
{
	put_lines(b, pem, "", "", eol);
}

static void test_cr_line_ends(void **state)
{
	static const size_t lines[2] = {3, 14};
	struct buf b = {0};
	struct seen s = {0};
	mxtls_error err;

	(void)state;
	/* A lone CR ends a line (classic Mac OS), and so does CR CR LF (CRLF converted twice). */
	put_str(&b, "# one\r# two\r\r\n");
	put_pem_eol(&b, pem1, "\r");
	put_pem_eol(&b, pem2, "\r\r\n");
	expect_certs(run(&b, &s, NULL, &err), &err, &s, 2, all3, lines);
	buf_free(&b);

	/* Line numbers count them: the damage is reported on the line an editor shows. */
	memset(&s, 0, sizeof(s));
	put_str(&b, "#\r\r-----BEGIN CERTIFICATE-----\rMIIB!\r-----END CERTIFICATE-----\r");
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 3: invalid base64 in certificate block (byte 0x21 on line 4)");
	buf_free(&b);
}

static void test_headers_in_cert_block(void **state)
{
	static const size_t line1 = 2;
	struct buf b = {0};
	struct seen s = {0};
	mxtls_error err;
	char dek[200];

	(void)state;
	/* RFC 1421 header lines before the base64 are not base64: they are skipped. */
	put_str(&b, "\n-----BEGIN CERTIFICATE-----\nComment: our root\nFrom: pki@example.com\n\n");
	put(&b, strchr(pem1, '\n') + 1, strlen(strchr(pem1, '\n') + 1));
	expect_certs(run(&b, &s, NULL, &err), &err, &s, 1, all3, &line1);
	buf_free(&b);

	/* After the base64 has begun, a colon is damage as before. */
	memset(&s, 0, sizeof(s));
	put_str(&b, "-----BEGIN CERTIFICATE-----\nMIIB\nComment: late\n-----END CERTIFICATE-----\n");
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 1: invalid base64 in certificate block (byte 0x3a on line 3)");
	buf_free(&b);

	/* A DEK-Info value too long for the scanner is an error, not cut short. */
	memset(dek, 'A', sizeof(dek));
	memcpy(dek, "DEK-Info: ", 10);
	dek[sizeof(dek) - 2] = '\n';
	dek[sizeof(dek) - 1] = '\0';
	put_str(&b, "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n");
	put_str(&b, dek);
	put_str(&b, "\nMIIB\n-----END CERTIFICATE-----\n");
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "line 1: DEK-Info header too long (line 3) in certificate block");
	buf_free(&b);
}

static void test_bom_in_decoded_text(void **state)
{
	static const size_t lines[2] = {1, 12};
	struct buf pem = {0}, b = {0};
	struct seen s = {0};
	mxtls_error err;

	(void)state;
	/* Base64 of a file saved with a BOM: its first certificate is no longer lost. */
	put_str(&pem, "\xef\xbb\xbf");
	put_pem(&pem, pem1);
	put_pem(&pem, pem2);
	put_base64(&b, pem.p, pem.len, 76, "", "\n");
	expect_certs(run(&b, &s, NULL, &err), &err, &s, 2, all3, lines);
	buf_free(&b);
	buf_free(&pem);

	/* Decoded text must hold a "-----BEGIN " line to be read as PEM, as everywhere else. */
	memset(&s, 0, sizeof(s));
	put_base64(&b, "-----BEGINCERTIFICATE-----\n", 27, 0, "", "\n");
	expect_error(run(&b, &s, NULL, &err), &err, MXTLS_ERR_CORRUPT,
	             "neither PEM nor base64 of PEM");
	buf_free(&b);
}

/* mx_pem_blocks on text: the labels it handed over ("label@line", one per block) or the error. */
struct blocks_seen {
	char got[512];
};

static int collect_block(void *arg, const struct mx_pem_block *blk)
{
	struct blocks_seen *bs = arg;
	size_t n = strlen(bs->got);

	snprintf(bs->got + n, sizeof(bs->got) - n, "%s%s@%zu", n ? "," : "", blk->label,
	         blk->line);
	return 0;
}

static void expect_blocks(const char *text, size_t len, int code, const char *want)
{
	struct blocks_seen bs = {{0}};
	mxtls_error err;
	uint8_t *copy = malloc(len);
	int ret;

	assert_non_null(copy);
	memcpy(copy, text, len);
	mx_err_clear(&err);
	ret = mx_pem_blocks(copy, len, collect_block, &bs, NULL, &err);
	free(copy);
	if (ret != -code || strstr(code ? err.message : bs.got, want) == NULL)
		fprintf(stderr, "got %d \"%s\" [%s], want %d with \"%s\"\n", ret, err.message, bs.got,
		        -code, want);
	assert_int_equal(ret, -code);
	assert_non_null(strstr(code ? err.message : bs.got, want));
}

#define BLOCKS(text, code, want) expect_blocks(text, sizeof(text) - 1, code, want)

static void test_blocks_boundaries(void **state)
{
	char long_end[200];
	int n;

	(void)state;
	/* A label ends at the first "-----", which ends the line: nothing else hides a block. */
	BLOCKS("-----BEGIN CERTIFICATE------\nMA==\n-----END CERTIFICATE------\n",
	       MXTLS_ERR_CORRUPT, "line 1: malformed BEGIN line");
	BLOCKS("x\n-----BEGIN A-----B-----\nMA==\n-----END A-----B-----\n", MXTLS_ERR_CORRUPT,
	       "line 2: malformed BEGIN line");
	BLOCKS("-----BEGIN X-----\nMA==\n-----END -----\n", MXTLS_ERR_CORRUPT,
	       "line 3: malformed END line");
	/* An END label is compared whole: a long one or one with a NUL after it is another. */
	n = snprintf(long_end, sizeof(long_end), "-----BEGIN X-----\nMA==\n-----END X%070d-----\n",
	             0);
	expect_blocks(long_end, (size_t)n, MXTLS_ERR_CORRUPT, "\" closes \"BEGIN X\" of line 1");
	BLOCKS("-----BEGIN X-----\nMA==\n-----END X\0-----\n", MXTLS_ERR_CORRUPT,
	       "line 3: \"END X\" closes \"BEGIN X\" of line 1");
	/* What did not change: a long BEGIN label, read, is malformed; the usual is fine. */
	BLOCKS("-----BEGIN "
	       "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX-----\nMA==\n",
	       MXTLS_ERR_CORRUPT, "line 1: malformed BEGIN line");
	BLOCKS("\xef\xbb\xbf  -----BEGIN RSA PRIVATE KEY-----  \nProc-Type: 4,ENCRYPTED\n"
	       "DEK-Info: AES-128-CBC,00\n\nMA==\n-----END RSA PRIVATE KEY-----\n",
	       0, "RSA PRIVATE KEY@1");
}

static void test_blocks_line_ends_and_blanks(void **state)
{
	(void)state;
	/* Vertical tab and form feed are blanks, as they always were for trust bundles. */
	BLOCKS("\f-----BEGIN X-----\v\nMA\v==\n-----END X-----\n", 0, "X@1");
	/* Lone CR and CR CR LF end lines; CRLF still counts once. */
	BLOCKS("#\r\r\n#\r\n-----BEGIN X-----\rMA==\r-----END X-----\r-----BEGIN Y-----\r\r\nMA==\n"
	       "-----END Y-----",
	       0, "X@3,Y@6");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_bundle),
	    cmocka_unit_test(test_text_around_blocks),
	    cmocka_unit_test(test_crlf),
	    cmocka_unit_test(test_indented),
	    cmocka_unit_test(test_comment_lines),
	    cmocka_unit_test(test_bom),
	    cmocka_unit_test(test_other_labels),
	    cmocka_unit_test(test_skipped_blocks),
	    cmocka_unit_test(test_base64_of_pem),
	    cmocka_unit_test(test_base64_of_pem_errors),
	    cmocka_unit_test(test_der),
	    cmocka_unit_test(test_base64_of_der),
	    cmocka_unit_test(test_base64_of_something_else),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_only_text),
	    cmocka_unit_test(test_begin_without_end),
	    cmocka_unit_test(test_bad_base64),
	    cmocka_unit_test(test_nul_outside_blocks),
	    cmocka_unit_test(test_truncated_base64),
	    cmocka_unit_test(test_malformed_boundaries),
	    cmocka_unit_test(test_callback_error),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_usage),
	    cmocka_unit_test(test_cr_line_ends),
	    cmocka_unit_test(test_headers_in_cert_block),
	    cmocka_unit_test(test_bom_in_decoded_text),
	    cmocka_unit_test(test_blocks_boundaries),
	    cmocka_unit_test(test_blocks_line_ends_and_blanks),
	};

	return cmocka_run_group_tests(tests, setup_ders, NULL);
}
