/* `mxtls inspect`: what a .p12/.pfx holds, as text or as one JSON object (jansson). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "mxtls/mxtls.h"
#include "mxtls_cli.h"

struct cert_text {
	char subject[1024], issuer[1024], not_before[32], not_after[32], sha256[65];
};

static void cert_text(const mxtls_cert *c, struct cert_text *t)
{
	if (mxtls_cert_subject(c, t->subject, sizeof(t->subject)) < 0)
		snprintf(t->subject, sizeof(t->subject), "?");
	if (mxtls_cert_issuer(c, t->issuer, sizeof(t->issuer)) < 0)
		snprintf(t->issuer, sizeof(t->issuer), "?");
	cli_utc(mxtls_cert_not_before(c), 1, t->not_before, sizeof(t->not_before));
	cli_utc(mxtls_cert_not_after(c), 1, t->not_after, sizeof(t->not_after));
	cli_hex(mxtls_cert_sha256(c), 32, t->sha256);
}

static json_t *cert_json(const mxtls_cert *c)
{
	struct cert_text t;

	cert_text(c, &t);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "subject", t.subject, "issuer", t.issuer,
			 "not_before", t.not_before, "not_after", t.not_after, "sha256", t.sha256,
			 "is_ca", mxtls_cert_is_ca(c));
}

/* Text from a file, shown on a terminal: control characters become '?'. */
static void print_safe(const char *s)
{
	for (; *s; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static const char *key_type_name(int type)
{
	return type == MXTLS_KEY_RSA ? "rsa" : type == MXTLS_KEY_EC ? "ec" : "unknown";
}

json_t *cli_p12_report_json(const mxtls_pkcs12 *p, const char *file)
{
	json_t *root = json_object(), *ids = json_array(), *enc = json_array(),
	       *warn = json_array(), *extra = json_array(), *enc_algs = json_array();
	size_t i, j;

	json_object_set_new(root, "file", cli_json_text(file));
	for (i = 0; i < mxtls_pkcs12_identity_count(p); i++) {
		const mxtls_identity *id = mxtls_pkcs12_identity(p, i);
		json_t *chain = json_array(), *key, *o;
		for (j = 0; j < mxtls_identity_chain_count(id); j++)
			json_array_append_new(chain, cert_json(mxtls_identity_chain_cert(id, j)));
		key = json_pack("{s:s, s:I}", "type", key_type_name(mxtls_identity_key_type(id)),
				"bits", (json_int_t)mxtls_identity_key_bits(id));
		if (mxtls_identity_key_curve(id))
			json_object_set_new(key, "curve", json_string(mxtls_identity_key_curve(id)));
		o = json_pack("{s:o, s:o, s:o}", "certificate", cert_json(mxtls_identity_leaf(id)),
			      "chain", chain, "key", key);
		if (mxtls_identity_friendly_name(id))
			json_object_set_new(o, "friendly_name",
					    json_string(mxtls_identity_friendly_name(id)));
		json_array_append_new(ids, o);
	}
	for (i = 0; i < mxtls_pkcs12_extra_cert_count(p); i++)
		json_array_append_new(extra, cert_json(mxtls_pkcs12_extra_cert(p, i)));
	for (i = 0; i < mxtls_pkcs12_encryption_count(p); i++) {
		json_array_append_new(enc, json_string(mxtls_pkcs12_encryption(p, i)));
		json_array_append_new(enc_algs, cli_algorithms_json(mxtls_pkcs12_encryption(p, i), 0));
	}
	for (i = 0; i < mxtls_pkcs12_warning_count(p); i++) {
		char msg[1024];
		cli_oid_annotate(mxtls_pkcs12_warning(p, i), msg, sizeof(msg));
		json_array_append_new(
		    warn, json_pack("{s:s, s:o}", "kind",
				    mxtls_warning_name(mxtls_pkcs12_warning_kind(p, i)), "message",
				    cli_json_text(msg)));
	}
	json_object_set_new(root, "identities", ids);
	json_object_set_new(root, "other_certificates", extra);
	json_object_set_new(root, "mac", json_string(mxtls_pkcs12_mac_algorithm(p)));
	json_object_set_new(root, "mac_algorithms", cli_algorithms_json(mxtls_pkcs12_mac_algorithm(p), 1));
	json_object_set_new(root, "encryption", enc);
	/* Parallel to "encryption": the algorithms of each scheme, named with their OIDs. */
	json_object_set_new(root, "encryption_algorithms", enc_algs);
	json_object_set_new(root, "warnings", warn);
	return root;
}

static void print_cert(const char *label, const mxtls_cert *c)
{
	struct cert_text t;

	cert_text(c, &t);
	printf("  %s: %s\n", label, t.subject);
	printf("      issuer:   %s\n", t.issuer);
	printf("      valid:    %s .. %s\n", t.not_before, t.not_after);
	printf("      sha256:   %s\n", t.sha256);
}

void cli_p12_report_text(const mxtls_pkcs12 *p, const char *file)
{
	size_t i, j;

	char algs[512];

	printf("%s\n", file);
	printf("MAC: %s\n", mxtls_pkcs12_mac_algorithm(p));
	cli_algorithms_text(mxtls_pkcs12_mac_algorithm(p), 1, algs, sizeof(algs));
	if (algs[0])
		printf("     %s\n", algs);
	for (i = 0; i < mxtls_pkcs12_encryption_count(p); i++) {
		printf("encryption: %s\n", mxtls_pkcs12_encryption(p, i));
		cli_algorithms_text(mxtls_pkcs12_encryption(p, i), 0, algs, sizeof(algs));
		if (algs[0])
			printf("            %s\n", algs);
	}
	if (mxtls_pkcs12_encryption_count(p) == 0)
		printf("encryption: none\n");
	for (i = 0; i < mxtls_pkcs12_identity_count(p); i++) {
		const mxtls_identity *id = mxtls_pkcs12_identity(p, i);
		printf("identity %zu", i + 1);
		if (mxtls_identity_friendly_name(id)) {
			printf(" \"");
			print_safe(mxtls_identity_friendly_name(id));
			putchar('"');
		}
		putchar('\n');
		printf("  key: %s %zu bits%s%s\n", key_type_name(mxtls_identity_key_type(id)),
		       mxtls_identity_key_bits(id), mxtls_identity_key_curve(id) ? " " : "",
		       mxtls_identity_key_curve(id) ? mxtls_identity_key_curve(id) : "");
		print_cert("certificate", mxtls_identity_leaf(id));
		for (j = 0; j < mxtls_identity_chain_count(id); j++)
			print_cert("chain", mxtls_identity_chain_cert(id, j));
	}
	for (i = 0; i < mxtls_pkcs12_extra_cert_count(p); i++)
		print_cert("other certificate (not sent)", mxtls_pkcs12_extra_cert(p, i));
	for (i = 0; i < mxtls_pkcs12_warning_count(p); i++) {
		cli_oid_annotate(mxtls_pkcs12_warning(p, i), algs, sizeof(algs));
		printf("warning (%s): %s\n", mxtls_warning_name(mxtls_pkcs12_warning_kind(p, i)), algs);
	}
}

/*
 * A load failed. A file of another kind (a certificate, a key, base64) is named
 * as what it is; otherwise the library's message, with algorithm OIDs named.
 */
static int load_failed(const char *file, const mxtls_error *err)
{
	enum cli_kind kind = CLI_KIND_UNKNOWN;
	const char *hint;
	char msg[1024];
	json_t *data;

	if (err->code == MXTLS_ERR_CORRUPT)
		kind = cli_sniff_file(file);
	data = json_pack("{s:o}", "file", cli_json_text(file));
	if (kind != CLI_KIND_UNKNOWN && kind != CLI_KIND_PKCS12 && kind != CLI_KIND_EMPTY) {
		hint = cli_kind_hint(kind, "pkcs12");
		json_object_set_new(data, "file_kind", json_string(cli_kind_id(kind)));
		json_object_set_new(data, "detail", cli_json_text(err->message));
		return cli_fail("inspect", EXIT_BAD_INPUT, mxtls_error_name(err->code), data,
				"%s: this is %s, not a PKCS#12 container%s%s%s", file, cli_kind_text(kind),
				hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	}
	cli_oid_annotate(err->message, msg, sizeof(msg));
	return cli_fail("inspect", EXIT_BAD_INPUT, mxtls_error_name(err->code), data, "%s", msg);
}

int cmd_inspect(int argc, char **argv)
{
	struct cli_password pw = {0};
	const char *file = NULL;
	unsigned flags = 0;
	mxtls_error err;
	mxtls_pkcs12 *p;
	int i, ret, operands = 0;

	cli_set_json(cli_wants_json(argc, argv));
	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			cli_password_free(&pw);
			return cli_help("inspect");
		}
		if (!operands) {
			ret = cli_password_option("inspect", argc, argv, &i, &pw);
			if (ret < 0)
				goto usage_reported;
			if (ret == 1)
				continue;
		}
		if (!operands && strcmp(argv[i], "--json") == 0) {
			/* seen by cli_wants_json() */
		} else if (!operands && strcmp(argv[i], "--require-mac") == 0) {
			flags |= MXTLS_LOAD_REQUIRE_MAC;
		} else if (!operands && strcmp(argv[i], "--") == 0) {
			operands = 1;
		} else if (!operands && argv[i][0] == '-' && argv[i][1] != '\0') {
			cli_password_free(&pw);
			return cli_usage_error("inspect", "unknown option %s", argv[i]);
		} else if (file == NULL) {
			file = argv[i];
		} else {
			cli_password_free(&pw);
			return cli_usage_error("inspect", "one FILE only");
		}
	}
	if (file == NULL) {
		cli_password_free(&pw);
		return cli_usage_error("inspect", "FILE is missing");
	}
	p = mxtls_pkcs12_load_file(file, pw.given ? pw.value : NULL, flags, &err);
	if (p == NULL && err.code == MXTLS_ERR_CORRUPT && cli_kind_readable(cli_sniff_file(file))) {
		/* A certificate, .p7b or key, as users upload them or hand them to pack. */
		ret = cli_inspect_other(file, cli_sniff_file(file), pw.given ? pw.value : NULL);
		cli_password_free(&pw);
		return ret;
	}
	cli_password_free(&pw);
	if (p == NULL)
		return load_failed(file, &err);
	if (cli_json()) {
		json_t *o = cli_p12_report_json(p, file);
		cli_json_print("ok", "loaded", o);
	} else {
		cli_p12_report_text(p, file);
	}
	mxtls_pkcs12_free(p);
	return 0;
usage_reported:
	cli_password_free(&pw);
	return EXIT_USAGE;
}
