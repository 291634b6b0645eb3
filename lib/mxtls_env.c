/*
 * The platform's environment format: what users upload reaches the runtime as
 * environment variables (inline values) or as mounted files. One call reads
 * it all into a configuration; every error names the variable and entry.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <mbedtls/base64.h>
#include <mbedtls/sha256.h>

#include "mxtls_ctx_int.h"
#include "mxtls_file.h"
#include "mxtls_trust_int.h"
#include "mxtls_util.h"

/* 64 entries of base64 (4/3) containers of at most 1 MiB, with room for JSON. */
#define ENV_MAX_JSON_FILE (96u * 1024u * 1024u)

extern char **environ;

struct env {
	const char *const *envp;
	mxtls_config *cfg;
	mxtls_error *err;
	mbedtls_sha256_context digest;
	int digest_only; /* read and hash the sources, parse nothing (cheap change check) */
};

/* Parse only when building a configuration, not when just hashing the sources. */
#define PARSE(e, call) ((e)->digest_only ? 0 : (call))

static const char *env_get(const struct env *e, const char *name)
{
	const char *const *p = e->envp ? e->envp : (const char *const *)environ;
	size_t n = strlen(name);

	for (; p && *p; p++)
		if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
			return *p + n + 1;
	return NULL;
}

/* Every input feeds the digest, so a reload can tell "nothing changed". */
static void digest_add(struct env *e, const char *label, const void *p, size_t n)
{
	mbedtls_sha256_update(&e->digest, (const unsigned char *)label, strlen(label) + 1);
	mbedtls_sha256_update(&e->digest, p, n);
}

static int remember_path(struct env *e, const char *path)
{
	char **v = realloc(e->cfg->watch_paths, (e->cfg->nwatch + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	e->cfg->watch_paths = v;
	v[e->cfg->nwatch] = strdup(path);
	if (v[e->cfg->nwatch] == NULL)
		return -1;
	e->cfg->nwatch++;
	return 0;
}

/*
 * A whole file, NUL-terminated; the caller wipes it with mx_freezero(buf, *len + 1).
 * max and what: the limit for this kind of file, and its name in messages.
 */
static int read_file(struct env *e, const char *var, const char *path, size_t max,
		     const char *what, uint8_t **out, size_t *len)
{
	uint8_t *buf, *exact;
	size_t cap;

	*len = 0;
	if (remember_path(e, path) != 0)
		return mx_err(e->err, MXTLS_ERR_NOMEM, "out of memory");
	if (mx_read_file_err(path, max, what, &buf, len, &cap, e->err) != 0) {
		mx_err_prefix(e->err, "%s: ", var);
		return -e->err->code;
	}
	/* An exact-size copy, so that every caller can wipe len + 1 bytes. */
	exact = malloc(*len + 1);
	if (exact != NULL)
		memcpy(exact, buf, *len + 1);
	mx_freezero(buf, cap);
	if (exact == NULL)
		return mx_err(e->err, MXTLS_ERR_NOMEM, "out of memory");
	digest_add(e, path, exact, *len);
	*out = exact;
	return 0;
}

/* The password file, by the one rule of mx_read_password_file(); wipe with mx_freezero(*out, *len + 1). */
static int read_password_file(struct env *e, const char *var, const char *path, char **out,
			      size_t *len)
{
	*len = 0;
	if (remember_path(e, path) != 0)
		return mx_err(e->err, MXTLS_ERR_NOMEM, "out of memory");
	if (mx_read_password_file(path, out, len, e->err) != 0) {
		mx_err_prefix(e->err, "%s: ", var);
		return -e->err->code;
	}
	digest_add(e, path, *out, *len);
	return 0;
}

/* Base64 with whitespace and line breaks anywhere, as users paste it. */
static int b64_decode(struct env *e, const char *where, const char *text, uint8_t **out,
		      size_t *outlen)
{
	size_t n = strlen(text), i, k = 0, dlen = 0;
	char *clean = malloc(n + 1);
	uint8_t *buf;
	int ret;

	if (clean == NULL)
		return mx_err(e->err, MXTLS_ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		char c = text[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/' || c == '=')) {
			mx_freezero(clean, n + 1);
			return mx_err(e->err, MXTLS_ERR_CONFIG,
				      "%s: invalid base64 (character 0x%02x at offset %zu)", where,
				      (unsigned char)c, i);
		}
		clean[k++] = c;
	}
	if (k == 0) {
		mx_freezero(clean, n + 1);
		return mx_err(e->err, MXTLS_ERR_CONFIG, "%s: invalid base64 (empty)", where);
	}
	buf = malloc(k / 4 * 3 + 3);
	if (buf == NULL) {
		mx_freezero(clean, n + 1);
		return mx_err(e->err, MXTLS_ERR_NOMEM, "out of memory");
	}
	ret = mbedtls_base64_decode(buf, k / 4 * 3 + 3, &dlen, (const unsigned char *)clean, k);
	/* An unencrypted container is a secret in both forms. */
	mx_freezero(clean, n + 1);
	if (ret != 0) {
		mx_freezero(buf, k / 4 * 3 + 3);
		return mx_err(e->err, MXTLS_ERR_CONFIG, "%s: invalid base64 (bad length or padding)",
			      where);
	}
	*out = buf;
	*outlen = dlen;
	return 0;
}

static int add_pins_json(struct env *e, const char *where, json_t *pins, const char ***out,
			 size_t *n)
{
	size_t i;

	*out = NULL;
	*n = 0;
	if (pins == NULL || json_is_null(pins))
		return 0;
	if (!json_is_array(pins))
		return mx_err(e->err, MXTLS_ERR_CONFIG, "%s.pin_to: expected an array of strings",
			      where);
	*out = calloc(json_array_size(pins) + 1, sizeof(**out));
	if (*out == NULL)
		return mx_err(e->err, MXTLS_ERR_NOMEM, "out of memory");
	for (i = 0; i < json_array_size(pins); i++) {
		json_t *p = json_array_get(pins, i);
		if (!json_is_string(p))
			return mx_err(e->err, MXTLS_ERR_CONFIG, "%s.pin_to[%zu]: expected a string",
				      where, i);
		(*out)[(*n)++] = json_string_value(p);
	}
	return 0;
}

/* A pin the caller's code would get "usage" for is, in the environment, bad configuration. */
static int config_error(struct env *e, const char *where)
{
	if (e->err->code == MXTLS_ERR_USAGE)
		e->err->code = MXTLS_ERR_CONFIG;
	mx_err_prefix(e->err, "%s: ", where);
	return -e->err->code;
}

/* One identity: a container and its password, with its pins. The container's warnings
 * (no MAC, legacy algorithms, weak key, validity...) become the configuration's. */
static int add_identity(struct env *e, const char *where, const uint8_t *der, size_t len,
			const char *password, const char *const *pins, size_t npins)
{
	mxtls_pkcs12 *p12;
	size_t i;
	int ret;

	p12 = mxtls_pkcs12_load_mem(der, len, password, 0, e->err);
	if (p12 == NULL) {
		mx_err_prefix(e->err, "%s: ", where);
		return -e->err->code;
	}
	for (i = 0; i < mxtls_pkcs12_warning_count(p12); i++)
		mx_warnings_add(&e->cfg->warnings, mxtls_pkcs12_warning_kind(p12, i), "%s: %s", where,
				mxtls_pkcs12_warning(p12, i));
	if (mxtls_pkcs12_identity_count(p12) > 1)
		mx_warnings_add(&e->cfg->warnings, MXTLS_WARN_AMBIGUOUS,
				"%s: the container holds %zu identities; the first is used", where,
				mxtls_pkcs12_identity_count(p12));
	ret = mxtls_config_add_identity_pinned(e->cfg, p12, 0, pins, npins, e->err);
	if (ret != 0)
		config_error(e, where);
	mxtls_pkcs12_free(p12);
	return ret;
}

static int entry(struct env *e, const char *var, size_t index, json_t *o)
{
	char where[96];
	const char **pins = NULL, *key, *password;
	json_t *pfx, *pw, *v;
	uint8_t *der = NULL;
	size_t npins = 0, len = 0;
	int ret;

	snprintf(where, sizeof(where), "%s[%zu]", var, index);
	if (!json_is_object(o))
		return mx_err(e->err, MXTLS_ERR_CONFIG, "%s: expected an object", where);
	json_object_foreach(o, key, v) {
		if (strcmp(key, "pfx") != 0 && strcmp(key, "password") != 0 &&
		    strcmp(key, "pin_to") != 0)
			mx_warnings_add(&e->cfg->warnings, MXTLS_WARN_SKIPPED_ENTRY,
					"%s: unknown key \"%s\" ignored", where, key);
	}
	pfx = json_object_get(o, "pfx");
	pw = json_object_get(o, "password");
	ret = add_pins_json(e, where, json_object_get(o, "pin_to"), &pins, &npins);
	if (ret != 0)
		goto out;
	/* {"pfx": null, "pin_to": [...]}: these hosts get no client certificate. */
	if (json_is_null(pfx)) {
		if (npins == 0)
			ret = mx_err(e->err, MXTLS_ERR_CONFIG,
				     "%s: \"pfx\": null (no certificate) needs \"pin_to\"", where);
		else if (mxtls_config_add_no_identity(e->cfg, pins, npins, e->err) != 0)
			ret = config_error(e, where);
		goto out;
	}
	if (pfx == NULL || !json_is_string(pfx)) {
		ret = mx_err(e->err, MXTLS_ERR_CONFIG, "%s: \"pfx\" %s", where,
			     pfx ? "must be a base64 string" : "is missing");
		goto out;
	}
	if (pw == NULL || !json_is_string(pw)) {
		ret = mx_err(e->err, MXTLS_ERR_CONFIG,
			     "%s: \"password\" %s (it may be empty: \"password\": \"\")", where,
			     pw ? "must be a string" : "is missing");
		goto out;
	}
	password = json_string_value(pw);
	snprintf(where, sizeof(where), "%s[%zu].pfx", var, index);
	ret = b64_decode(e, where, json_string_value(pfx), &der, &len);
	snprintf(where, sizeof(where), "%s[%zu]", var, index);
	if (ret == 0)
		ret = add_identity(e, where, der, len, password, pins, npins);
out:
	mx_freezero(der, len);
	free(pins);
	return ret;
}

/*
 * What went wrong, in fixed words: jansson's own text quotes the token it
 * stopped at, which may be part of a password.
 */
static const char *json_error_what(const json_error_t *jerr)
{
	switch (json_error_code(jerr)) {
	case json_error_premature_end_of_input:
		return "premature end of input";
	case json_error_end_of_input_expected:
		return "text after the end of the JSON value";
	case json_error_invalid_utf8:
		return "invalid UTF-8";
	case json_error_null_character:
		return "NUL character";
	case json_error_duplicate_key:
		return "duplicate object key";
	case json_error_numeric_overflow:
		return "number out of range";
	case json_error_stack_overflow:
		return "nested too deeply";
	case json_error_out_of_memory:
		return "out of memory";
	default:
		return "syntax error";
	}
}

/* CLIENT_CERTIFICATES: a JSON array of entries (len bytes of text). */
static int identities_json(struct env *e, const char *var, const char *text, size_t len)
{
	const char *nul;
	json_error_t jerr;
	json_t *root;
	size_t i;
	int ret = 0;

	/* Editors on Windows start UTF-8 files with a byte order mark. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		text += 3, len -= 3;
	/* jansson would stop there and never see the rest. */
	if ((nul = memchr(text, '\0', len)) != NULL)
		return mx_err(e->err, MXTLS_ERR_CONFIG, "%s: a NUL byte at offset %zu", var,
			      (size_t)(nul - text));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return mx_err(e->err, MXTLS_ERR_CONFIG, "%s: invalid JSON at line %d, column %d: %s",
			      var, jerr.line, jerr.column, json_error_what(&jerr));
	if (!json_is_array(root)) {
		json_decref(root);
		return mx_err(e->err, MXTLS_ERR_CONFIG, "%s: expected a JSON array of entries", var);
	}
	/* Each entry is a full container load with its own KDF budget: bound the product. */
	if (json_array_size(root) > MXTLS_MAX_ENV_IDENTITIES) {
		json_decref(root);
		return mx_err(e->err, MXTLS_ERR_LIMIT_EXCEEDED, "%s: more than %d entries", var,
			      MXTLS_MAX_ENV_IDENTITIES);
	}
	for (i = 0; i < json_array_size(root) && ret == 0; i++)
		ret = entry(e, var, i, json_array_get(root, i));
	/* The JSON holds passwords: wipe its strings before jansson frees them. */
	for (i = 0; i < json_array_size(root); i++) {
		json_t *pw = json_object_get(json_array_get(root, i), "password");
		if (json_is_string(pw))
			mx_wipe((void *)(uintptr_t)json_string_value(pw), json_string_length(pw));
	}
	json_decref(root);
	return ret;
}

/* path: the file var names, or NULL: errors read "VAR: path: line 3: ...". */
static int authorities(struct env *e, const char *var, const char *path, const uint8_t *data,
		       size_t len)
{
	mxtls_trust *t = mxtls_trust_load_mem(data, len, e->err);
	size_t i;
	int ret;

	if (t == NULL) {
		if (path != NULL)
			mx_err_prefix(e->err, "%s: %s: ", var, path);
		else
			mx_err_prefix(e->err, "%s: ", var);
		return -e->err->code;
	}
	for (i = 0; i < mxtls_trust_warning_count(t); i++)
		mx_warnings_add(&e->cfg->warnings, mxtls_trust_warning_kind(t, i), "%s: %s", var,
				mxtls_trust_warning(t, i));
	ret = mxtls_config_add_trust(e->cfg, t, e->err);
	mxtls_trust_free(t);
	return ret;
}

#define MAX_WARNING_DAYS 3650

/* "30": digits only, 0 to MAX_WARNING_DAYS. */
static int parse_days(const char *v, int *days)
{
	long n = 0;

	if (*v == '\0' || strspn(v, "0123456789") != strlen(v) || strlen(v) > 5)
		return -1;
	n = strtol(v, NULL, 10);
	if (n > MAX_WARNING_DAYS)
		return -1;
	*days = (int)n;
	return 0;
}

/* Comma- or space-separated pins of the single-file identity. */
static int split_pins(char *s, const char ***out, size_t *n)
{
	char *tok, *save = NULL;

	*n = 0;
	*out = calloc(strlen(s) / 2 + 2, sizeof(**out));
	if (*out == NULL)
		return -1;
	for (tok = strtok_r(s, ", \t\n", &save); tok; tok = strtok_r(NULL, ", \t\n", &save))
		(*out)[(*n)++] = tok;
	return 0;
}

static int read_env(struct env *e)
{
	const char *v, *file, *pwfile;
	uint8_t *buf = NULL;
	char *pw = NULL;
	size_t len = 0, pwlen = 0;
	int ret = 0;

	v = env_get(e, "MXTLS_SYSTEM_ROOTS");
	if (v != NULL) {
		digest_add(e, "MXTLS_SYSTEM_ROOTS", v, strlen(v));
		if (strcmp(v, "0") && strcmp(v, "1") && strcmp(v, "false") && strcmp(v, "true"))
			return mx_err(e->err, MXTLS_ERR_CONFIG,
				      "MXTLS_SYSTEM_ROOTS: expected 0 or 1, not \"%s\"", v);
		e->cfg->system_roots = !strcmp(v, "1") || !strcmp(v, "true");
	}
	v = env_get(e, "MXTLS_EXPIRY_WARNING_DAYS");
	if (v != NULL) {
		digest_add(e, "MXTLS_EXPIRY_WARNING_DAYS", v, strlen(v));
		if (parse_days(v, &e->cfg->expiry_warning_days) != 0)
			return mx_err(e->err, MXTLS_ERR_CONFIG,
				      "MXTLS_EXPIRY_WARNING_DAYS: expected a whole number of days from 0 "
				      "to %d, not \"%s\"", MAX_WARNING_DAYS, v);
	}
	v = env_get(e, "CLIENT_CERTIFICATES");
	if (v != NULL) {
		digest_add(e, "CLIENT_CERTIFICATES", v, strlen(v));
		ret = PARSE(e, identities_json(e, "CLIENT_CERTIFICATES", v, strlen(v)));
		if (ret != 0)
			return ret;
	}
	file = env_get(e, "MXTLS_CLIENT_CERTIFICATES_FILE");
	if (file != NULL) {
		ret = read_file(e, "MXTLS_CLIENT_CERTIFICATES_FILE", file, ENV_MAX_JSON_FILE,
				"a JSON file", &buf, &len);
		if (ret == 0)
			ret = PARSE(e, identities_json(e, "MXTLS_CLIENT_CERTIFICATES_FILE", (char *)buf,
						       len));
		mx_freezero(buf, len + 1);
		if (ret != 0)
			return ret;
	}
	file = env_get(e, "MXTLS_CLIENT_CERTIFICATE_FILE");
	pwfile = env_get(e, "MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE");
	if (pwfile != NULL && file == NULL)
		return mx_err(e->err, MXTLS_ERR_CONFIG,
			      "MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE is set without "
			      "MXTLS_CLIENT_CERTIFICATE_FILE");
	if (env_get(e, "MXTLS_CLIENT_CERTIFICATE_PIN_TO") != NULL && file == NULL)
		return mx_err(e->err, MXTLS_ERR_CONFIG,
			      "MXTLS_CLIENT_CERTIFICATE_PIN_TO is set without "
			      "MXTLS_CLIENT_CERTIFICATE_FILE (pins in CLIENT_CERTIFICATES go in "
			      "\"pin_to\")");
	if (file != NULL) {
		const char **pins = NULL;
		size_t npins = 0;
		char *pinbuf = NULL;

		ret = read_file(e, "MXTLS_CLIENT_CERTIFICATE_FILE", file, MXTLS_MAX_INPUT_BYTES,
				"a PKCS#12 file", &buf, &len);
		if (ret == 0 && pwfile != NULL)
			ret = read_password_file(e, "MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE", pwfile,
						 &pw, &pwlen);
		v = env_get(e, "MXTLS_CLIENT_CERTIFICATE_PIN_TO");
		if (ret == 0 && v != NULL) {
			digest_add(e, "MXTLS_CLIENT_CERTIFICATE_PIN_TO", v, strlen(v));
			pinbuf = strdup(v);
			if (pinbuf == NULL || split_pins(pinbuf, &pins, &npins) != 0)
				ret = mx_err(e->err, MXTLS_ERR_NOMEM, "out of memory");
		}
		if (ret == 0)
			ret = PARSE(e, add_identity(e, "MXTLS_CLIENT_CERTIFICATE_FILE", buf, len,
						    pw, pins, npins));
		free(pins);
		free(pinbuf);
		mx_freezero(pw, pwlen + 1);
		mx_freezero(buf, len + 1);
		buf = NULL;
		len = 0;
		if (ret != 0)
			return ret;
	}
	v = env_get(e, "CERTIFICATE_AUTHORITIES");
	if (v != NULL) {
		digest_add(e, "CERTIFICATE_AUTHORITIES", v, strlen(v));
		ret = PARSE(e, authorities(e, "CERTIFICATE_AUTHORITIES", NULL, (const uint8_t *)v, strlen(v)));
		if (ret != 0)
			return ret;
	}
	v = env_get(e, "CERTIFICATE_AUTHORITIES_BASE64");
	if (v != NULL) {
		digest_add(e, "CERTIFICATE_AUTHORITIES_BASE64", v, strlen(v));
		ret = PARSE(e, b64_decode(e, "CERTIFICATE_AUTHORITIES_BASE64", v, &buf, &len));
		if (ret == 0 && buf != NULL)
			ret = authorities(e, "CERTIFICATE_AUTHORITIES_BASE64", NULL, buf, len);
		mx_freezero(buf, len);
		buf = NULL;
		if (ret != 0)
			return ret;
	}
	file = env_get(e, "MXTLS_CERTIFICATE_AUTHORITIES_FILE");
	if (file != NULL) {
		ret = read_file(e, "MXTLS_CERTIFICATE_AUTHORITIES_FILE", file, MX_TRUST_MAX_FILE,
				"an authorities file", &buf, &len);
		if (ret == 0) {
			ret = PARSE(e, authorities(e, "MXTLS_CERTIFICATE_AUTHORITIES_FILE", file, buf,
						   len));
		}
		mx_freezero(buf, len + 1);
	}
	return ret;
}

static mxtls_config *from_env(const char *const *envp, int digest_only, mxtls_error *err)
{
	struct env e = {.envp = envp, .err = err, .digest_only = digest_only};
	mxtls_error local;
	int ret;

	if (err == NULL)
		e.err = err = &local;
	mx_err_clear(err);
	e.cfg = mxtls_config_new();
	if (e.cfg == NULL) {
		mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		return NULL;
	}
	mbedtls_sha256_init(&e.digest);
	mbedtls_sha256_starts(&e.digest, 0);
	ret = read_env(&e);
	mbedtls_sha256_finish(&e.digest, e.cfg->source_digest);
	mbedtls_sha256_free(&e.digest);
	if (ret != 0) {
		if (err->code == MXTLS_OK)
			mx_err(err, MXTLS_ERR_INTERNAL, "environment: failed without a reason (bug)");
		mxtls_config_free(e.cfg);
		return NULL;
	}
	return e.cfg;
}

mxtls_config *mxtls_config_from_env(const char *const *envp, mxtls_error *err)
{
	return from_env(envp, 0, err);
}

mxtls_config *mx_env_sources(const char *const *envp, mxtls_error *err)
{
	return from_env(envp, 1, err);
}

size_t mxtls_config_warning_count(const mxtls_config *cfg)
{
	return cfg ? cfg->warnings.n : 0;
}

const char *mxtls_config_warning(const mxtls_config *cfg, size_t i)
{
	return cfg ? mx_warnings_text(&cfg->warnings, i) : NULL;
}

size_t mxtls_config_identity_count(const mxtls_config *cfg)
{
	return cfg ? cfg->nids : 0;
}
