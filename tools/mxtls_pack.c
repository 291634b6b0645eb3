/*
 * `mxtls pack`: a PKCS#12 container from what a CA hands out (certificates,
 * a .p7b chain, a key in any usual PEM/DER form), from one key entry of a Java
 * keystore (.jks/.jceks), or a legacy container re-encrypted. The leaf is
 * found by its key, the chain ordered and checked by signature; nothing is
 * written that has not been read back.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "mxtls/mxtls.h"
#include "mxtls_cli.h"

#define MAX_FILES 64
#define EXPIRING_DAYS 30 /* the runtime's default MXTLS_EXPIRY_WARNING_DAYS */

struct pack_pw {
	char *value;
	size_t len;
	int given;
};

struct pack_args {
	const char *certs[MAX_FILES], *chains[MAX_FILES];
	int ncerts, nchains;
	const char *key, *authorities, *from, *alias, *out;
	int profile, allow_empty;
	int keystore; /* --from is a JKS/JCEKS keystore */
	struct pack_pw pw, in_pw, in_key_pw;
};

/* Warnings of pack itself, printed with the container's. */
struct notes {
	json_t *arr;
};

static void note(struct notes *n, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(struct notes *n, const char *kind, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(n->arr, json_pack("{s:s, s:o}", "kind", kind, "message",
						cli_json_text(msg)));
}

static void pw_free(struct pack_pw *p)
{
	mxtls_password_free(p->value);
	p->value = NULL;
	p->len = 0;
	p->given = 0;
}

/* --password-file / --password-env (or the --in- forms): 1 consumed, 0 not one, -1 reported. */
static int pw_option(int argc, char **argv, int *i, const char *file_opt, const char *env_opt,
		     struct pack_pw *pw)
{
	const char *opt = argv[*i], *v;
	mxtls_error err;

	if (strcmp(opt, file_opt) != 0 && strcmp(opt, env_opt) != 0)
		return 0;
	if (*i + 1 >= argc)
		return cli_usage_error("pack", "%s needs a value", opt), -1;
	if (pw->given)
		return cli_usage_error("pack", "give %s or %s once", file_opt, env_opt), -1;
	v = argv[++*i];
	if (strcmp(opt, file_opt) == 0) {
		pw->value = mxtls_password_read_file(v, &err);
		if (pw->value == NULL) {
			cli_fail("pack", EXIT_USAGE, mxtls_error_name(err.code), NULL,
				 "password file %s", err.message);
			return -1;
		}
	} else {
		const char *e = getenv(v);
		if (e == NULL)
			return cli_usage_error("pack", "%s: environment variable %s is not set", opt, v),
			       -1;
		pw->value = strdup(e);
		if (pw->value == NULL)
			return cli_fail("pack", EXIT_BAD_INPUT, "nomem", NULL, "out of memory"), -1;
	}
	pw->len = strlen(pw->value);
	pw->given = 1;
	return 1;
}

static int parse(int argc, char **argv, struct pack_args *a)
{
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (cli_is_help(opt))
			return cli_help("pack") == 0 ? 3 : EXIT_USAGE;
		r = 0;
		if (strcmp(opt, "--password-file") == 0 || strcmp(opt, "--password-env") == 0)
			r = pw_option(argc, argv, &i, "--password-file", "--password-env", &a->pw);
		else if (strcmp(opt, "--in-password-file") == 0 ||
			 strcmp(opt, "--in-password-env") == 0)
			r = pw_option(argc, argv, &i, "--in-password-file", "--in-password-env",
				      &a->in_pw);
		else if (strcmp(opt, "--in-key-password-file") == 0 ||
			 strcmp(opt, "--in-key-password-env") == 0)
			r = pw_option(argc, argv, &i, "--in-key-password-file",
				      "--in-key-password-env", &a->in_key_pw);
		if (r < 0)
			return EXIT_USAGE;
		if (r == 1)
			continue;
		if (strcmp(opt, "--json") == 0 || strcmp(opt, "--allow-empty-password") == 0) {
			if (opt[2] == 'a')
				a->allow_empty = 1;
			continue;
		}
		if (strcmp(opt, "--cert") != 0 && strcmp(opt, "--key") != 0 &&
		    strcmp(opt, "--chain") != 0 && strcmp(opt, "--authorities") != 0 &&
		    strcmp(opt, "--from") != 0 && strcmp(opt, "--alias") != 0 &&
		    strcmp(opt, "--profile") != 0 && strcmp(opt, "-o") != 0 &&
		    strcmp(opt, "--output") != 0)
			return cli_usage_error("pack", opt[0] == '-' ? "unknown option %s"
								     : "unexpected operand %s",
					       opt);
		if (val == NULL)
			return cli_usage_error("pack", "%s needs a value", opt);
		i++;
		if (strcmp(opt, "--cert") == 0 || strcmp(opt, "--chain") == 0) {
			int *n = opt[2] == 'c' && opt[3] == 'e' ? &a->ncerts : &a->nchains;
			const char **list = n == &a->ncerts ? a->certs : a->chains;
			if (*n >= MAX_FILES)
				return cli_usage_error("pack", "more than %d %s files", MAX_FILES, opt);
			list[(*n)++] = val;
		} else if (strcmp(opt, "--key") == 0 || strcmp(opt, "--authorities") == 0 ||
			   strcmp(opt, "--from") == 0 || strcmp(opt, "--alias") == 0 ||
			   strcmp(opt, "-o") == 0 || strcmp(opt, "--output") == 0) {
			const char **slot = strcmp(opt, "--key") == 0	      ? &a->key
					    : strcmp(opt, "--authorities") == 0 ? &a->authorities
					    : strcmp(opt, "--from") == 0	      ? &a->from
					    : strcmp(opt, "--alias") == 0	      ? &a->alias
										      : &a->out;
			if (*slot)
				return cli_usage_error("pack", "%s given twice", opt);
			*slot = val;
		} else {
			a->profile = strcmp(val, "modern") == 0	  ? MXTLS_PKCS12_PROFILE_MODERN
				     : strcmp(val, "compat") == 0 ? MXTLS_PKCS12_PROFILE_COMPAT
				     : strcmp(val, "pbmac1") == 0 ? MXTLS_PKCS12_PROFILE_PBMAC1
								  : -1;
			if (a->profile < 0)
				return cli_usage_error("pack", "--profile is modern, compat or pbmac1");
		}
	}
	if (a->out == NULL)
		return cli_usage_error("pack", "-o OUT.p12 is missing");
	if (a->from) {
		enum cli_kind k = cli_sniff_file(a->from);
		a->keystore = k == CLI_KIND_JKS || k == CLI_KIND_JCEKS;
	}
	/* A keystore goes the way of certificate files: its chain may be completed. */
	if (a->from && a->keystore && (a->ncerts || a->key))
		return cli_usage_error("pack", "--from a keystore takes no --cert or --key");
	if (a->from && !a->keystore && (a->ncerts || a->key || a->nchains || a->authorities))
		return cli_usage_error("pack", "--from FILE.p12 takes no --cert, --key, --chain or "
					       "--authorities");
	if (a->in_key_pw.given && !a->keystore)
		return cli_usage_error("pack", "--in-key-password-file/-env are for --from a "
					       "keystore (.jks, .jceks)");
	if (!a->from && (a->ncerts == 0 || a->key == NULL))
		return cli_usage_error("pack", "--cert and --key are needed (or --from FILE.p12, "
					       "--from STORE.jks)");
	if (!a->pw.given)
		return cli_usage_error("pack", "the output password is missing: --password-file or "
					       "--password-env");
	if (a->pw.len == 0 && !a->allow_empty)
		return cli_usage_error("pack", "the output password is empty; "
					       "--allow-empty-password if that is what you want");
	if (a->profile == 0)
		a->profile = MXTLS_PKCS12_PROFILE_MODERN;
	return 0;
}

static const char *profile_name(int p)
{
	return p == MXTLS_PKCS12_PROFILE_COMPAT ? "compat"
	       : p == MXTLS_PKCS12_PROFILE_PBMAC1 ? "pbmac1"
						    : "modern";
}

static void subject(const mxtls_cert *c, char *buf, size_t size)
{
	if (mxtls_cert_subject(c, buf, size) < 0 && size > 0 && buf[0] == '\0')
		snprintf(buf, size, "?");
}

/* Input failed: the library's message names the file and where; exit 1. */
static int input_failed(const mxtls_error *err)
{
	char msg[1024];

	cli_oid_annotate(err->message, msg, sizeof(msg));
	return cli_fail("pack", EXIT_BAD_INPUT, mxtls_error_name(err->code), NULL, "%s", msg);
}

/* The identity to expect when reading the output back: leaf and chain SHA-256s. */
struct expect {
	uint8_t sha[MXTLS_MAX_CHAIN][32];
	size_t n;
};

static void expect_identity(const mxtls_identity *id, struct expect *e)
{
	size_t i;

	memcpy(e->sha[0], mxtls_cert_sha256(mxtls_identity_leaf(id)), 32);
	e->n = 1;
	for (i = 0; i < mxtls_identity_chain_count(id) && e->n < MXTLS_MAX_CHAIN; i++)
		memcpy(e->sha[e->n++], mxtls_cert_sha256(mxtls_identity_chain_cert(id, i)), 32);
}

static int same_identity(const mxtls_identity *id, const struct expect *e)
{
	struct expect got;

	expect_identity(id, &got);
	return got.n == e->n && memcmp(got.sha, e->sha, e->n * 32) == 0;
}

/*
 * Key key_index of a bundle with its chain into the writer; expect gets the identity.
 * Certificates [given_from, given_to) of the bundle were given to complete the chain:
 * those left out get a note. friendly: the friendlyName, or NULL.
 */
static int pack_bundle_key(const mxtls_bundle *b, size_t key_index, size_t given_from,
			   size_t given_to, const char *friendly, mxtls_pkcs12_writer *w,
			   struct expect *ex, struct notes *notes)
{
	const mxtls_cert *chain[MXTLS_MAX_CHAIN];
	char name[512], iss[512];
	size_t n = 0, i, j;
	mxtls_error err;
	int complete;

	complete = mxtls_bundle_chain(b, key_index, chain, MXTLS_MAX_CHAIN, &n, &err);
	if (complete < 0)
		return input_failed(&err);
	if (!complete) {
		subject(chain[n - 1], name, sizeof(name));
		if (mxtls_cert_issuer(chain[n - 1], iss, sizeof(iss)) < 0 && iss[0] == '\0')
			snprintf(iss, sizeof(iss), "?");
		note(notes, "incomplete_chain",
		     "the chain stops at \"%s\": its issuer \"%s\" was not given (--chain or "
		     "--authorities); servers that know that CA need only the intermediates",
		     name, iss);
	}
	for (i = given_from; i < given_to; i++) {
		const mxtls_cert *c = mxtls_bundle_cert(b, i);
		for (j = 0; j < n && chain[j] != c; j++)
			;
		if (j == n) {
			subject(c, name, sizeof(name));
			note(notes, "skipped_entry",
			     "certificate \"%s\" is not on the key's chain: left out", name);
		}
	}
	for (i = 0; i < mxtls_bundle_warning_count(b); i++)
		note(notes, mxtls_warning_name(mxtls_bundle_warning_kind(b, i)), "%s",
		     mxtls_bundle_warning(b, i));
	for (i = 0; i < n && i < MXTLS_MAX_CHAIN; i++)
		memcpy(ex->sha[i], mxtls_cert_sha256(chain[i]), 32);
	ex->n = n;
	if (mxtls_bundle_add_to_writer(b, key_index, w, friendly, &err) != 0)
		return input_failed(&err);
	return 0;
}

/* From certificates and a key: fill the writer; expect[0] gets the identity. */
static int from_files(const struct pack_args *a, mxtls_pkcs12_writer *w, struct expect *ex,
		      struct notes *notes)
{
	const char *pw = a->in_pw.given ? a->in_pw.value : NULL;
	size_t pwlen = a->in_pw.given ? a->in_pw.len : 0, nkeys, i, ngiven;
	mxtls_bundle *b;
	mxtls_error err;
	int ret;

	b = mxtls_bundle_new(&err);
	if (b == NULL)
		return input_failed(&err);
	for (i = 0; i < (size_t)a->ncerts; i++)
		if (mxtls_bundle_add_file(b, a->certs[i], pw, pwlen, &err) != 0)
			goto failed;
	for (i = 0; i < (size_t)a->nchains; i++)
		if (mxtls_bundle_add_file(b, a->chains[i], pw, pwlen, &err) != 0)
			goto failed;
	ngiven = mxtls_bundle_cert_count(b);
	nkeys = mxtls_bundle_key_count(b);
	if (mxtls_bundle_add_file(b, a->key, pw, pwlen, &err) != 0)
		goto failed;
	if (mxtls_bundle_key_count(b) != nkeys + 1) {
		mxtls_bundle_free(b);
		return cli_fail("pack", EXIT_BAD_INPUT, "usage", NULL,
				"%s: holds %zu private keys and certificates; --key takes one key",
				a->key, mxtls_bundle_key_count(b) - nkeys);
	}
	if (a->authorities && mxtls_bundle_add_file(b, a->authorities, NULL, 0, &err) != 0)
		goto failed;
	ret = pack_bundle_key(b, nkeys, 0, ngiven, a->alias, w, ex, notes);
	mxtls_bundle_free(b);
	return ret;
failed:
	mxtls_bundle_free(b);
	return input_failed(&err);
}

/* "a", "b", "c": the aliases of a bundle's keys, for a message. */
static void key_aliases(const mxtls_bundle *b, char *out, size_t size)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < mxtls_bundle_key_count(b) && o < size; i++) {
		const char *al = mxtls_key_alias(mxtls_bundle_key(b, i));
		int k = snprintf(out + o, size - o, "%s\"%s\"", i ? ", " : "", al ? al : "?");
		o += k > 0 ? (size_t)k : 0;
	}
}

/* The key entry --alias names (ASCII case ignored, as Java) or the only one; -1: *code set. */
static long pick_key(const struct pack_args *a, const mxtls_bundle *b, int *code)
{
	size_t i, n = mxtls_bundle_key_count(b);
	char list[1024];

	key_aliases(b, list, sizeof(list));
	if (n == 0)
		return *code = cli_fail("pack", EXIT_BAD_INPUT, "no_key", NULL,
					"%s: no private-key entry (only certificates)", a->from),
		       -1;
	if (a->alias == NULL) {
		if (n == 1)
			return 0;
		return *code = cli_fail("pack", EXIT_USAGE, "usage", NULL,
					"%s holds %zu private keys (%s): choose one with --alias",
					a->from, n, list),
		       -1;
	}
	for (i = 0; i < n; i++) {
		const char *al = mxtls_key_alias(mxtls_bundle_key(b, i));
		if (al && strcasecmp(al, a->alias) == 0)
			return (long)i;
	}
	return *code = cli_fail("pack", EXIT_USAGE, "usage", NULL,
				"--alias \"%s\": %s has no private key of that alias (its keys: "
				"%s)",
				a->alias, a->from, list),
	       -1;
}

/* From a keystore's key entry (--alias, or the only one), its chain completed by --chain etc. */
static int from_keystore(const struct pack_args *a, mxtls_pkcs12_writer *w, struct expect *ex,
			 struct notes *notes)
{
	const struct pack_pw *kp = a->in_key_pw.given ? &a->in_key_pw : NULL;
	size_t i, k, given;
	mxtls_bundle *b;
	mxtls_error err;
	long picked;
	int ret = EXIT_USAGE;

	b = mxtls_bundle_new(&err);
	if (b == NULL)
		return input_failed(&err);
	if (mxtls_bundle_add_keystore_file(b, a->from, a->in_pw.value, a->in_pw.len,
					   kp ? kp->value : NULL, kp ? kp->len : 0, &err) != 0)
		goto failed;
	picked = pick_key(a, b, &ret);
	if (picked < 0) {
		mxtls_bundle_free(b);
		return ret;
	}
	k = (size_t)picked;
	given = mxtls_bundle_cert_count(b);
	for (i = 0; i < (size_t)a->nchains; i++)
		if (mxtls_bundle_add_file(b, a->chains[i], NULL, 0, &err) != 0)
			goto failed;
	if (a->authorities && mxtls_bundle_add_file(b, a->authorities, NULL, 0, &err) != 0)
		goto failed;
	for (i = 0; i < mxtls_bundle_key_count(b); i++)
		if (i != k)
			note(notes, "skipped_entry", "private key \"%s\" of %s is left out",
			     mxtls_key_alias(mxtls_bundle_key(b, i)), a->from);
	/* Only what --chain gave gets a note: the store's other entries are not the user's list. */
	ret = pack_bundle_key(b, k, given, given, mxtls_key_alias(mxtls_bundle_key(b, k)), w, ex,
			      notes);
	mxtls_bundle_free(b);
	return ret;
failed:
	mxtls_bundle_free(b);
	return input_failed(&err);
}

/* Write data to path atomically: a 0600 temporary file beside it, fsync, rename. */
static int write_atomic(const char *path, const uint8_t *data, size_t len, char *why, size_t size)
{
	char *tmp = NULL, *dcopy = NULL;
	size_t off = 0;
	int fd = -1, dfd, ret = -1;

	tmp = malloc(strlen(path) + 8);
	if (tmp != NULL)
		snprintf(tmp, strlen(path) + 8, "%s.XXXXXX", path);
	if (tmp == NULL) {
		snprintf(why, size, "out of memory");
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(why, size, "cannot create a file beside %s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fchmod(fd, 0600) != 0)
		goto fail;
	while (off < len) {
		ssize_t k = write(fd, data + off, len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			goto fail;
		off += (size_t)k;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	dcopy = strdup(path);
	if (dcopy && (dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY)) >= 0) {
		(void)fsync(dfd); /* the rename itself */
		close(dfd);
	}
	free(dcopy);
	ret = 0;
	free(tmp);
	return ret;
fail:
	snprintf(why, size, "cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return ret;
}

int cmd_pack(int argc, char **argv)
{
	struct pack_args a;
	struct notes notes = {json_array()};
	struct expect ex[MXTLS_MAX_BAGS > 64 ? 64 : MXTLS_MAX_BAGS];
	mxtls_pkcs12_writer *w = NULL;
	mxtls_pkcs12 *src = NULL, *back = NULL;
	unsigned char *der = NULL;
	size_t der_len = 0, nids = 1, i;
	mxtls_error err;
	char why[600];
	int ret;

	memset(&a, 0, sizeof(a));
	cli_set_json(cli_wants_json(argc, argv));
	ret = parse(argc, argv, &a);
	if (ret != 0) {
		ret = ret == 3 ? 0 : ret;
		goto out;
	}
	w = mxtls_pkcs12_writer_new(a.profile, &err);
	if (w == NULL) {
		ret = input_failed(&err);
		goto out;
	}
	if (a.from && a.keystore) {
		ret = from_keystore(&a, w, &ex[0], &notes);
		if (ret != 0)
			goto out;
	} else if (a.from) {
		src = mxtls_pkcs12_load_file_n(a.from, a.in_pw.value, a.in_pw.len, 0, &err);
		if (src == NULL) {
			ret = input_failed(&err);
			goto out;
		}
		nids = mxtls_pkcs12_identity_count(src);
		if (nids > sizeof(ex) / sizeof(ex[0]))
			nids = sizeof(ex) / sizeof(ex[0]);
		for (i = 0; i < nids; i++) {
			expect_identity(mxtls_pkcs12_identity(src, i), &ex[i]);
			if (mxtls_pkcs12_writer_add_identity(w, src, i, a.alias, &err) != 0) {
				ret = input_failed(&err);
				goto out;
			}
		}
		for (i = 0; i < mxtls_pkcs12_extra_cert_count(src); i++) {
			size_t l;
			const uint8_t *d = mxtls_cert_der(mxtls_pkcs12_extra_cert(src, i), &l);
			if (mxtls_pkcs12_writer_add_cert_der(w, d, l, &err) != 0) {
				ret = input_failed(&err);
				goto out;
			}
		}
	} else {
		ret = from_files(&a, w, &ex[0], &notes);
		if (ret != 0)
			goto out;
	}
	if (mxtls_pkcs12_writer_finish(w, a.pw.value, a.pw.len, &der, &der_len, &err) != 0) {
		ret = input_failed(&err);
		goto out;
	}
	/* Never write what does not read back as the same identities. */
	back = mxtls_pkcs12_load_mem_n(der, der_len, a.pw.value, a.pw.len, 0, &err);
	if (back == NULL) {
		ret = cli_fail("pack", EXIT_BAD_INPUT, "internal", NULL,
			       "the container made does not load again (%s: %s); nothing written",
			       mxtls_error_name(err.code), err.message);
		goto out;
	}
	if (mxtls_pkcs12_identity_count(back) != nids) {
		ret = cli_fail("pack", EXIT_BAD_INPUT, "internal", NULL,
			       "the container made holds %zu identities, not %zu; nothing written",
			       mxtls_pkcs12_identity_count(back), nids);
		goto out;
	}
	for (i = 0; i < nids; i++) {
		if (!same_identity(mxtls_pkcs12_identity(back, i), &ex[i])) {
			ret = cli_fail("pack", EXIT_BAD_INPUT, "internal", NULL,
				       "identity %zu reads back with another leaf or chain; nothing "
				       "written",
				       i + 1);
			goto out;
		}
	}
	/* What `mxtls check` would report at start-up: a certificate about to expire. */
	for (i = 0; i < nids; i++) {
		const mxtls_identity *id = mxtls_pkcs12_identity(back, i);
		for (size_t j = 0; j <= mxtls_identity_chain_count(id); j++) {
			const mxtls_cert *c =
			    j == 0 ? mxtls_identity_leaf(id) : mxtls_identity_chain_cert(id, j - 1);
			int64_t now = (int64_t)time(NULL), end = mxtls_cert_not_after(c);
			char name[512] = "?";
			if (end >= now && end < now + (int64_t)EXPIRING_DAYS * 86400) {
				subject(c, name, sizeof(name));
				note(&notes, "expiring", "certificate \"%s\" expires within %d days",
				     name, EXPIRING_DAYS);
			}
		}
	}
	if (write_atomic(a.out, der, der_len, why, sizeof(why)) != 0) {
		ret = cli_fail("pack", EXIT_BAD_INPUT, "io", NULL, "%s", why);
		goto out;
	}
	if (cli_json()) {
		json_t *o = cli_p12_report_json(back, a.out);
		json_t *warn = json_object_get(o, "warnings");
		json_array_extend(warn, notes.arr);
		json_object_set_new(o, "profile", json_string(profile_name(a.profile)));
		json_object_set_new(o, "bytes", json_integer((json_int_t)der_len));
		cli_json_print("ok", "written", o);
	} else {
		printf("wrote %s (profile %s, %zu bytes, read back and verified)\n", a.out,
		       profile_name(a.profile), der_len);
		cli_p12_report_text(back, a.out);
		for (i = 0; i < json_array_size(notes.arr); i++) {
			json_t *n = json_array_get(notes.arr, i);
			printf("warning (%s): %s\n", json_string_value(json_object_get(n, "kind")),
			       json_string_value(json_object_get(n, "message")));
		}
	}
	ret = 0;
out:
	json_decref(notes.arr);
	if (der)
		mxtls_free_secret(der, der_len);
	mxtls_pkcs12_free(back);
	mxtls_pkcs12_free(src);
	mxtls_pkcs12_writer_free(w);
	pw_free(&a.pw);
	pw_free(&a.in_pw);
	pw_free(&a.in_key_pw);
	return ret;
}
