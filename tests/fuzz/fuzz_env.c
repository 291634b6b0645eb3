/*
 * libFuzzer target: the environment format, mxtls_config_from_env()
 * (lib/mxtls_env.c: jansson JSON, base64, containers, pins, authorities), the
 * context built from it, and mxtls_runtime_new() / _reload() on the same
 * environment.
 *
 * Input: an environment block, entries "NAME=value" separated by NUL bytes
 * (the one byte a value cannot hold; `tr '\0' '\n' < seed` shows a seed).
 * Passed on as envp (never setenv: nothing else in the process changes):
 *   CLIENT_CERTIFICATES, CERTIFICATE_AUTHORITIES, CERTIFICATE_AUTHORITIES_BASE64,
 *   MXTLS_CLIENT_CERTIFICATE_PIN_TO, MXTLS_EXPIRY_WARNING_DAYS, MXTLS_SYSTEM_ROOTS.
 * Every other name is dropped, the *_FILE variables too: the input never
 * names a file. Directives for this harness:
 *   @host=H, @id=I    hosts and identifiers to select for (up to 8 of each)
 *   @runtime          go through mxtls_runtime_new() and a reload instead
 *   @file[=cert|=password]  MXTLS_CLIENT_CERTIFICATE_FILE and/or _PASSWORD_FILE,
 *                     set to in-memory files this harness made at start
 *                     (memfd: the fixed container of fuzz_fixture.h and its
 *                     password): without a certificate file the library
 *                     refuses MXTLS_CLIENT_CERTIFICATE_PIN_TO unparsed.
 * Appended last (the library reads the first of a name): MXTLS_SYSTEM_ROOTS=0,
 * and the fixed CA of fuzz_fixture.h as CERTIFICATE_AUTHORITIES, so that a
 * context can be built without authorities in the input. System roots are
 * never turned on: MXTLS_SYSTEM_ROOTS=1 or =true in the input is dropped.
 * They are the platform's file, not input, and parsing its ~140 roots takes
 * ~15 ms here, as long as 100 typical runs, for no coverage of our own.
 *
 * Invariants:
 *   - failure: a named code and a clean message;
 *   - a configuration always builds a context (or fails for lack of memory);
 *     it has the configuration's identities; every getter works;
 *   - selections: checked_select() of fuzz_util.h on every host x identifier,
 *     and a pin of identity i as identifier or host never selects a later one;
 *   - no password that starts with "secret-fuzz" (the seeds' passwords, and the
 *     password file's) appears in an error, a warning or a runtime event,
 *     unless the input has it somewhere else (a key, a pin, a host);
 *   - a reload of unchanged sources swaps nothing (the sources' digest is
 *     deterministic).
 */
#define _GNU_SOURCE /* memfd_create */
#define FUZZ_NAME "fuzz_env"
#include <jansson.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_fixture.h"
#include "fuzz_util.h"

#define MAX_ENTRIES 64
#define MAX_QUERIES 8
/* Not a hex digit first: the "\xNN" escapes in messages cannot make it up from other bytes. */
#define SECRET_PREFIX "secret-fuzz"

static const char *const passed[] = {
    "CLIENT_CERTIFICATES=",
    "CERTIFICATE_AUTHORITIES=",
    "CERTIFICATE_AUTHORITIES_BASE64=",
    "MXTLS_CLIENT_CERTIFICATE_PIN_TO=",
    "MXTLS_EXPIRY_WARNING_DAYS=",
    "MXTLS_SYSTEM_ROOTS=",
};

static char cert_var[128], password_var[128], *ca_var;

struct run {
	const char *envp[MAX_ENTRIES + 6];
	size_t n;
	const char *hosts[MAX_QUERIES + 1], *ids[MAX_QUERIES + 1];
	size_t nhosts, nids;
	int runtime, password_file;
	const char *entries[MAX_ENTRIES]; /* every entry of the input, for the secret check */
	size_t nentries;
	const char *secrets[MAX_ENTRIES + 1];
	size_t nsecrets;
};

/* "NAME=/proc/self/fd/N" of a new in-memory file holding data. */
static void memfile(char *var, size_t size, const char *name, const void *data, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		perror(FUZZ_NAME ": memfd");
		abort();
	}
	snprintf(var, size, "%s=/proc/self/fd/%d", name, fd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	memfile(cert_var, sizeof(cert_var), "MXTLS_CLIENT_CERTIFICATE_FILE", fixture_p12,
	        sizeof(fixture_p12));
	memfile(password_var, sizeof(password_var), "MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE",
	        FIXTURE_P12_PASSWORD "\n", strlen(FIXTURE_P12_PASSWORD) + 1);
	ca_var = malloc(strlen(fixture_ca_pem) + 32);
	if (ca_var == NULL)
		abort();
	sprintf(ca_var, "CERTIFICATE_AUTHORITIES=%s", fixture_ca_pem);
	return 0;
}

/* Does p occur in a JSON string that is not a "password" value, or in a key? */
static int in_json(json_t *j, const char *p, int password)
{
	const char *key;
	size_t i;
	void *it;

	if (json_is_string(j))
		return !password && strstr(json_string_value(j), p) != NULL;
	for (i = 0; i < json_array_size(j); i++)
		if (in_json(json_array_get(j, i), p, 0))
			return 1;
	for (it = json_object_iter(j); it != NULL; it = json_object_iter_next(j, it)) {
		key = json_object_iter_key(it);
		if (strstr(key, p) ||
		    in_json(json_object_iter_value(it), p, strcmp(key, "password") == 0))
			return 1;
	}
	return 0;
}

/* A password is a secret to check unless the input has it elsewhere too. */
static void add_secret(struct run *r, json_t *root, const char *cc, const char *p)
{
	size_t i;

	if (strncmp(p, SECRET_PREFIX, strlen(SECRET_PREFIX)) != 0 || (root && in_json(root, p, 0)))
		return;
	for (i = 0; i < r->nentries; i++)
		if (r->entries[i] != cc && strstr(r->entries[i], p))
			return;
	r->secrets[r->nsecrets++] = p;
}

static void check_no_secret(const struct run *r, const char *text, const char *what)
{
	size_t i;

	for (i = 0; i < r->nsecrets; i++)
		check(strstr(text, r->secrets[i]) == NULL, "a password is in %s: %s", what, text);
}

static void on_event(void *arg, int kind, const char *message)
{
	check(strcmp(mxtls_event_name(kind), "unknown") != 0, "event of kind %d", kind);
	check_text(message, "event", (size_t)kind);
	check_no_secret(arg, message, "an event");
}

/* Split the input into envp, queries and directives. */
static void parse(struct run *r, char *text, size_t size)
{
	char *e, *end = text + size;
	size_t i;
	int cert = 0, password = 0;

	for (e = text; e < end && r->nentries < MAX_ENTRIES; e += strlen(e) + 1) {
		r->entries[r->nentries++] = e;
		if (strncmp(e, "@host=", 6) == 0 && r->nhosts < MAX_QUERIES)
			r->hosts[r->nhosts++] = e + 6;
		else if (strncmp(e, "@id=", 4) == 0 && r->nids < MAX_QUERIES)
			r->ids[r->nids++] = e + 4;
		else if (strcmp(e, "@runtime") == 0)
			r->runtime = 1;
		else if (strncmp(e, "@file", 5) == 0) {
			cert |= strcmp(e, "@file=password") != 0;
			password |= strcmp(e, "@file=cert") != 0;
		} else if (strcmp(e, "MXTLS_SYSTEM_ROOTS=1") == 0 ||
		           strcmp(e, "MXTLS_SYSTEM_ROOTS=true") == 0)
			continue;
		for (i = 0; i < sizeof(passed) / sizeof(passed[0]); i++)
			if (strncmp(e, passed[i], strlen(passed[i])) == 0)
				r->envp[r->n++] = e;
	}
	if (cert)
		r->envp[r->n++] = cert_var;
	if (password)
		r->envp[r->n++] = password_var;
	r->password_file = password;
	r->envp[r->n++] = "MXTLS_SYSTEM_ROOTS=0";
	r->envp[r->n++] = ca_var;
	r->envp[r->n] = NULL;
	r->hosts[r->nhosts++] = NULL;
	r->ids[r->nids++] = NULL;
}

/* The passwords of CLIENT_CERTIFICATES (the first one, as the library reads it) and the file. */
static json_t *find_secrets(struct run *r)
{
	const char *cc = NULL;
	json_t *root = NULL, *pw;
	size_t i;

	for (i = 0; i < r->n && cc == NULL; i++)
		if (strncmp(r->envp[i], "CLIENT_CERTIFICATES=", 20) == 0)
			cc = r->envp[i];
	if (cc != NULL)
		root = json_loads(cc + 20, JSON_REJECT_DUPLICATES, NULL);
	for (i = 0; i < json_array_size(root) && r->nsecrets < MAX_ENTRIES; i++) {
		pw = json_object_get(json_array_get(root, i), "password");
		if (json_is_string(pw))
			add_secret(r, root, cc, json_string_value(pw));
	}
	if (r->password_file)
		add_secret(r, root, cc, FIXTURE_P12_PASSWORD);
	return root;
}

static void check_selection(const struct run *r, const mxtls_ctx *ctx)
{
	size_t h, i, k, sel;
	const char *pin;

	check_ctx(ctx);
	for (i = 0; i < mxtls_ctx_warning_count(ctx); i++)
		check_no_secret(r, mxtls_ctx_warning(ctx, i), "a context warning");
	for (h = 0; h < r->nhosts; h++)
		for (i = 0; i < r->nids; i++)
			checked_select(ctx, r->ids[i], r->hosts[h]);
	for (i = 0; i < mxtls_ctx_identity_count(ctx); i++) {
		for (k = 0; k < mxtls_ctx_identity_pin_count(ctx, i); k++) {
			pin = mxtls_ctx_identity_pin(ctx, i, k);
			sel = checked_select(ctx, pin, NULL);
			check(sel == MXTLS_NO_IDENTITY || sel <= i,
			      "identifier %s of %zu selects %zu", pin, i, sel);
			sel = checked_select(ctx, NULL, pin);
			check(sel == MXTLS_NO_IDENTITY || sel <= i, "host %s of %zu selects %zu",
			      pin, i, sel);
		}
	}
}

static void via_config(const struct run *r)
{
	mxtls_config *cfg;
	mxtls_ctx *ctx;
	mxtls_error err;
	size_t i;

	memset(&err, 0xa5, sizeof(err));
	cfg = mxtls_config_from_env(r->envp, &err);
	if (cfg == NULL) {
		check_error(&err);
		check_no_secret(r, err.message, "the error");
		return;
	}
	check_ok(&err);
	for (i = 0; i < mxtls_config_warning_count(cfg); i++) {
		check_text(mxtls_config_warning(cfg, i), "config warning", i);
		check_no_secret(r, mxtls_config_warning(cfg, i), "a config warning");
	}
	check(mxtls_config_warning(cfg, i) == NULL, "config_warning(count) is not NULL");
	ctx = mxtls_ctx_new(cfg, &err);
	if (ctx == NULL) {
		check_error(&err);
		check(err.code == MXTLS_ERR_NOMEM, "a configuration from the environment fails: %s",
		      err.message);
	} else {
		check(mxtls_ctx_identity_count(ctx) == mxtls_config_identity_count(cfg),
		      "%zu identities in the context, %zu in the configuration",
		      mxtls_ctx_identity_count(ctx), mxtls_config_identity_count(cfg));
		check_selection(r, ctx);
		mxtls_ctx_free(ctx);
	}
	mxtls_config_free(cfg);
}

static void via_runtime(struct run *r)
{
	mxtls_runtime *rt;
	mxtls_ctx *ctx;
	mxtls_error err;

	rt = mxtls_runtime_new(r->envp, on_event, r, &err);
	if (rt == NULL) {
		check_error(&err);
		check_no_secret(r, err.message, "the error");
		return;
	}
	ctx = mxtls_runtime_ctx(rt);
	check(ctx != NULL && mxtls_runtime_generation(rt) == 1, "runtime without a first context");
	check_selection(r, ctx);
	check(mxtls_runtime_reload(rt, &err) == 0 && mxtls_runtime_generation(rt) == 1,
	      "a reload of unchanged sources: %s, generation %llu", err.message,
	      (unsigned long long)mxtls_runtime_generation(rt));
	mxtls_ctx_free(ctx);
	mxtls_runtime_free(rt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r = {0};
	char *text = malloc(size + 1);
	json_t *root;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	parse(&r, text, size);
	root = find_secrets(&r);
	if (r.runtime)
		via_runtime(&r);
	else
		via_config(&r);
	json_decref(root);
	free(text);
	return 0;
}
