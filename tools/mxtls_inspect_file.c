/*
 * `mxtls inspect` on the other files users upload or hand to `mxtls pack`: PEM
 * or DER certificates, .p7b bundles, private keys (never printed), Java
 * keystores (JKS, JCEKS; the one password opens the store and its keys). Read with
 * the library's readers (mxtls_bundle); reported in inspect's shape: identities
 * (a key with its certificate and chain), other certificates, keys without a
 * certificate, and warnings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include "mxtls/mxtls.h"
#include "mxtls_cli.h"

#define EXPIRING_DAYS 30

int cli_kind_readable(enum cli_kind k)
{
	switch (k) {
	case CLI_KIND_X509_DER:
	case CLI_KIND_PKCS8_DER:
	case CLI_KIND_PKCS8_ENC_DER:
	case CLI_KIND_RSA_KEY_DER:
	case CLI_KIND_EC_KEY_DER:
	case CLI_KIND_PKCS7_DER:
	case CLI_KIND_PEM_CERT:
	case CLI_KIND_PEM_KEY:
	case CLI_KIND_PEM_RSA_KEY:
	case CLI_KIND_PEM_EC_KEY:
	case CLI_KIND_PEM_ENC_KEY:
	case CLI_KIND_PEM_PKCS7:
	case CLI_KIND_JKS:
	case CLI_KIND_JCEKS:
		return 1;
	default:
		return 0;
	}
}

static json_t *cert_json(const mxtls_cert *c)
{
	char subject[1024] = "?", issuer[1024] = "?", nb[32], na[32], sha[65];

	if (mxtls_cert_subject(c, subject, sizeof(subject)) < 0 && subject[0] == '\0')
		snprintf(subject, sizeof(subject), "?");
	if (mxtls_cert_issuer(c, issuer, sizeof(issuer)) < 0 && issuer[0] == '\0')
		snprintf(issuer, sizeof(issuer), "?");
	cli_utc(mxtls_cert_not_before(c), 1, nb, sizeof(nb));
	cli_utc(mxtls_cert_not_after(c), 1, na, sizeof(na));
	cli_hex(mxtls_cert_sha256(c), 32, sha);
	return json_pack("{s:o, s:o, s:s, s:s, s:s, s:b}", "subject", cli_json_text(subject), "issuer",
			 cli_json_text(issuer), "not_before", nb, "not_after", na, "sha256", sha,
			 "is_ca", mxtls_cert_is_ca(c));
}

static void warn(json_t *arr, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void warn(json_t *arr, const char *kind, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(arr, json_pack("{s:s, s:o}", "kind", kind, "message", cli_json_text(msg)));
}

/* The library's validity rules (expired, not_yet_valid with its clock skew, expiring). */
static void validity(json_t *w, const mxtls_cert *c)
{
	int64_t now = (int64_t)time(NULL);
	char name[512] = "?", when[32];

	if (mxtls_cert_subject(c, name, sizeof(name)) < 0 && name[0] == '\0')
		snprintf(name, sizeof(name), "?");
	if (mxtls_cert_not_after(c) < now) {
		cli_utc(mxtls_cert_not_after(c), 0, when, sizeof(when));
		warn(w, "expired", "certificate \"%s\" expired on %s", name, when);
	} else if (mxtls_cert_not_before(c) > now + MXTLS_CLOCK_SKEW_SECONDS) {
		cli_utc(mxtls_cert_not_before(c), 0, when, sizeof(when));
		warn(w, "not_yet_valid", "certificate \"%s\" is not valid before %s", name, when);
	} else if (mxtls_cert_not_after(c) < now + (int64_t)EXPIRING_DAYS * 86400) {
		cli_utc(mxtls_cert_not_after(c), 0, when, sizeof(when));
		warn(w, "expiring", "certificate \"%s\" expires on %s (within %d days)", name, when,
		     EXPIRING_DAYS);
	}
}

/* A leaf whose extendedKeyUsage lacks clientAuth (no extension: any use). */
static void client_auth(json_t *w, const mxtls_cert *c)
{
	mbedtls_x509_crt crt;
	size_t len;
	const uint8_t *der = mxtls_cert_der(c, &len);
	char name[512] = "?";

	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse_der(&crt, der, len) == 0 &&
	    mbedtls_x509_crt_check_extended_key_usage(&crt, MBEDTLS_OID_CLIENT_AUTH,
						      MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)) != 0) {
		if (mxtls_cert_subject(c, name, sizeof(name)) < 0 && name[0] == '\0')
			snprintf(name, sizeof(name), "?");
		warn(w, "no_client_auth", "certificate \"%s\": extendedKeyUsage lacks clientAuth", name);
	}
	mbedtls_x509_crt_free(&crt);
}

static json_t *key_json(const mxtls_key *k)
{
	json_t *o = json_pack("{s:s, s:I}", "type",
			      mxtls_key_kind(k) == MXTLS_KEY_RSA ? "rsa" : "ec", "bits",
			      (json_int_t)mxtls_key_bits(k));

	if (mxtls_key_curve(k))
		json_object_set_new(o, "curve", json_string(mxtls_key_curve(k)));
	json_object_set_new(o, "form", cli_json_text(mxtls_key_form(k)));
	if (mxtls_key_alias(k))
		json_object_set_new(o, "alias", cli_json_text(mxtls_key_alias(k)));
	return o;
}

static void print_cert(const char *label, json_t *c)
{
	printf("  %s: %s\n", label, json_string_value(json_object_get(c, "subject")));
	printf("      issuer:   %s\n", json_string_value(json_object_get(c, "issuer")));
	printf("      valid:    %s .. %s\n", json_string_value(json_object_get(c, "not_before")),
	       json_string_value(json_object_get(c, "not_after")));
	printf("      sha256:   %s\n", json_string_value(json_object_get(c, "sha256")));
}

int cli_inspect_other(const char *file, enum cli_kind kind, const char *password)
{
	const mxtls_cert *chain[MXTLS_MAX_CHAIN];
	json_t *ids = json_array(), *other = json_array(), *keys = json_array(), *w = json_array();
	json_t *root;
	mxtls_bundle *b;
	mxtls_error err;
	size_t i, j, n, *used;
	int r;

	b = mxtls_bundle_new(&err);
	if (b == NULL || mxtls_bundle_add_file(b, file, password, password ? strlen(password) : 0,
					       &err) != 0) {
		char msg[1024];
		mxtls_bundle_free(b);
		json_decref(ids), json_decref(other), json_decref(keys), json_decref(w);
		cli_oid_annotate(err.message, msg, sizeof(msg));
		return cli_fail("inspect", EXIT_BAD_INPUT, mxtls_error_name(err.code),
				json_pack("{s:o, s:s}", "file", cli_json_text(file), "file_kind",
					  cli_kind_id(kind)),
				"%s", msg);
	}
	used = calloc(mxtls_bundle_cert_count(b) + 1, sizeof(*used));
	for (i = 0; used && i < mxtls_bundle_key_count(b); i++) {
		const mxtls_key *k = mxtls_bundle_key(b, i);
		r = mxtls_bundle_chain(b, i, chain, MXTLS_MAX_CHAIN, &n, &err);
		if (r < 0) {
			json_t *o = key_json(k);
			json_object_set_new(o, "source", cli_json_text(mxtls_key_source(k)));
			json_array_append_new(keys, o);
			continue;
		}
		json_t *cj = json_array(), *id;
		for (j = 1; j < n; j++)
			json_array_append_new(cj, cert_json(chain[j]));
		id = json_pack("{s:o, s:o, s:o}", "certificate", cert_json(chain[0]), "chain", cj,
			       "key", key_json(k));
		/* A keystore entry's alias: what pack writes as the friendlyName, as in a .p12. */
		if (mxtls_key_alias(k))
			json_object_set_new(id, "friendly_name", cli_json_text(mxtls_key_alias(k)));
		json_array_append_new(ids, id);
		client_auth(w, chain[0]);
		if (mxtls_key_kind(k) == MXTLS_KEY_RSA && mxtls_key_bits(k) < 2048)
			warn(w, "weak_key", "RSA key of %zu bits (2048 or more is expected)",
			     mxtls_key_bits(k));
		for (j = 0; j < n; j++)
			for (size_t m = 0; m < mxtls_bundle_cert_count(b); m++)
				if (mxtls_bundle_cert(b, m) == chain[j])
					used[m] = 1;
	}
	for (i = 0; i < mxtls_bundle_cert_count(b); i++) {
		validity(w, mxtls_bundle_cert(b, i));
		if (!used || !used[i])
			json_array_append_new(other, cert_json(mxtls_bundle_cert(b, i)));
	}
	for (i = 0; i < mxtls_bundle_warning_count(b); i++)
		warn(w, mxtls_warning_name(mxtls_bundle_warning_kind(b, i)), "%s",
		     mxtls_bundle_warning(b, i));
	free(used);
	mxtls_bundle_free(b);
	root = json_pack("{s:o, s:s, s:o, s:o, s:o, s:o}", "file", cli_json_text(file), "file_kind",
			 cli_kind_id(kind), "identities", ids, "other_certificates", other,
			 "keys_without_certificate", keys, "warnings", w);
	if (cli_json()) {
		cli_json_print("ok", "loaded", root);
		return 0;
	}
	printf("%s\n%s\n", file, cli_kind_text(kind));
	for (i = 0; i < json_array_size(ids); i++) {
		json_t *id = json_array_get(ids, i), *k = json_object_get(id, "key");
		const char *fn = json_string_value(json_object_get(id, "friendly_name"));
		printf("identity %zu", i + 1);
		if (fn) { /* from the file: control characters shown as '?' */
			printf(" \"");
			for (; *fn; fn++)
				putchar((unsigned char)*fn < 0x20 || *fn == 0x7f ? '?' : *fn);
			putchar('"');
		}
		putchar('\n');
		printf("  key: %s %lld bits%s%s (%s)\n",
		       json_string_value(json_object_get(k, "type")),
		       (long long)json_integer_value(json_object_get(k, "bits")),
		       json_object_get(k, "curve") ? " " : "",
		       json_object_get(k, "curve") ? json_string_value(json_object_get(k, "curve")) : "",
		       json_string_value(json_object_get(k, "form")));
		print_cert("certificate", json_object_get(id, "certificate"));
		for (j = 0; j < json_array_size(json_object_get(id, "chain")); j++)
			print_cert("chain", json_array_get(json_object_get(id, "chain"), j));
	}
	for (i = 0; i < json_array_size(keys); i++) {
		json_t *k = json_array_get(keys, i);
		printf("private key (no certificate here): %s %lld bits%s%s (%s)\n",
		       json_string_value(json_object_get(k, "type")),
		       (long long)json_integer_value(json_object_get(k, "bits")),
		       json_object_get(k, "curve") ? " " : "",
		       json_object_get(k, "curve") ? json_string_value(json_object_get(k, "curve")) : "",
		       json_string_value(json_object_get(k, "form")));
	}
	for (i = 0; i < json_array_size(other); i++)
		print_cert("certificate", json_array_get(other, i));
	for (i = 0; i < json_array_size(w); i++)
		printf("warning (%s): %s\n",
		       json_string_value(json_object_get(json_array_get(w, i), "kind")),
		       json_string_value(json_object_get(json_array_get(w, i), "message")));
	json_decref(root);
	return 0;
}
