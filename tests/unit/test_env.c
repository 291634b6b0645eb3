/*
 * The platform's environment format and identity selection, through the
 * public API: every malformed case fails with its code and a message naming
 * the variable and entry (never the password), and requests pick the right
 * identity by identifier, host, wildcard, or default.
 *
 * usage: test_env HOSTILE_DIR   (files made by tests/corpus/make-hostile.py)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/base64.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "mxtls/mxtls.h"

#define PW "hostile-pw"

static char dir[1024];
static char *b64_default, *b64_chain; /* base64 of two containers with different identities */

static char *file_b64(const char *name)
{
	char path[2048];
	unsigned char buf[65536];
	size_t n, olen = 0;
	char *out;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	out = malloc(n * 2 + 4);
	if (out && mbedtls_base64_encode((unsigned char *)out, n * 2 + 4, &olen, buf, n) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* Load a configuration from up to 4 NAME=value strings. */
static mxtls_config *from(mxtls_error *err, const char *a, const char *b, const char *c,
			  const char *d)
{
	const char *envp[5] = {a, b, c, d, NULL};
	return mxtls_config_from_env(envp, err);
}

static char *cc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *cc(const char *fmt, ...)
{
	static char bufs[16][262144];
	static int k;
	va_list ap;
	char *b = bufs[k++ % 16];

	va_start(ap, fmt);
	vsnprintf(b, sizeof(bufs[0]), fmt, ap);
	va_end(ap);
	return b;
}

struct bad {
	const char *name;
	const char *env;
	int code;
	const char *must; /* must appear in the message */
};

static void test_malformed(void **state)
{
	const struct bad cases[] = {
		{"invalid JSON", "CLIENT_CERTIFICATES=[{\"pfx\": ", MXTLS_ERR_CONFIG,
		 "CLIENT_CERTIFICATES: invalid JSON at line 1, column"},
		{"not an array", "CLIENT_CERTIFICATES={}", MXTLS_ERR_CONFIG, "expected a JSON array"},
		{"entry not an object", "CLIENT_CERTIFICATES=[1]", MXTLS_ERR_CONFIG,
		 "CLIENT_CERTIFICATES[0]: expected an object"},
		{"pfx missing", "CLIENT_CERTIFICATES=[{\"password\": \"\"}]", MXTLS_ERR_CONFIG,
		 "\"pfx\" is missing"},
		{"pfx not a string", "CLIENT_CERTIFICATES=[{\"pfx\": 5, \"password\": \"\"}]",
		 MXTLS_ERR_CONFIG, "\"pfx\" must be a base64 string"},
		{"password missing", cc("CLIENT_CERTIFICATES=[{\"pfx\": \"%s\"}]", b64_default),
		 MXTLS_ERR_CONFIG, "\"password\" is missing"},
		{"password not a string", cc("CLIENT_CERTIFICATES=[{\"pfx\": \"%s\", \"password\": 1}]", b64_default),
		 MXTLS_ERR_CONFIG, "\"password\" must be a string"},
		{"bad base64", "CLIENT_CERTIFICATES=[{\"pfx\": \"MII*\", \"password\": \"\"}]",
		 MXTLS_ERR_CONFIG, "CLIENT_CERTIFICATES[0].pfx: invalid base64"},
		{"base64 of garbage", "CLIENT_CERTIFICATES=[{\"pfx\": \"aGVsbG8gd29ybGQ=\", \"password\": \"\"}]",
		 MXTLS_ERR_CORRUPT, "CLIENT_CERTIFICATES[0]: PFX"},
		{"wrong password for entry 1",
		 cc("CLIENT_CERTIFICATES=[{\"pfx\": \"%s\", \"password\": \"" PW "\"}, {\"pfx\": \"%s\", \"password\": \"secret-wrong\"}]",
		    b64_default, b64_chain),
		 MXTLS_ERR_WRONG_PASSWORD, "CLIENT_CERTIFICATES[1]"},
		{"pin_to not an array",
		 cc("CLIENT_CERTIFICATES=[{\"pfx\": \"%s\", \"password\": \"" PW "\", \"pin_to\": \"a.com\"}]", b64_default),
		 MXTLS_ERR_CONFIG, "pin_to: expected an array"},
		{"pin with scheme",
		 cc("CLIENT_CERTIFICATES=[{\"pfx\": \"%s\", \"password\": \"" PW "\", \"pin_to\": [\"https://a.com\"]}]", b64_default),
		 MXTLS_ERR_CONFIG, "without scheme"},
		{"pin with port",
		 cc("CLIENT_CERTIFICATES=[{\"pfx\": \"%s\", \"password\": \"" PW "\", \"pin_to\": [\"a.com:443\"]}]", b64_default),
		 MXTLS_ERR_CONFIG, "without port"},
		{"no certificate without pins", "CLIENT_CERTIFICATES=[{\"pfx\": null}]", MXTLS_ERR_CONFIG,
		 "needs \"pin_to\""},
		{"duplicate key", "CLIENT_CERTIFICATES=[{\"pfx\": null, \"pfx\": null}]", MXTLS_ERR_CONFIG,
		 "invalid JSON"},
		{"authorities corrupt", "CERTIFICATE_AUTHORITIES=-----BEGIN CERTIFICATE-----\nMIIB!!\n-----END CERTIFICATE-----\n",
		 MXTLS_ERR_CORRUPT, "CERTIFICATE_AUTHORITIES: line 1"},
		{"authorities empty", "CERTIFICATE_AUTHORITIES=nothing here.", MXTLS_ERR_EMPTY,
		 "CERTIFICATE_AUTHORITIES"},
		{"authorities base64 bad", "CERTIFICATE_AUTHORITIES_BASE64=%%%", MXTLS_ERR_CONFIG,
		 "CERTIFICATE_AUTHORITIES_BASE64: invalid base64"},
		{"certificate file missing", "MXTLS_CLIENT_CERTIFICATE_FILE=/nonexistent/tls.p12", MXTLS_ERR_IO,
		 "MXTLS_CLIENT_CERTIFICATE_FILE: /nonexistent/tls.p12"},
		{"password file alone", "MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=/x", MXTLS_ERR_CONFIG,
		 "without MXTLS_CLIENT_CERTIFICATE_FILE"},
		{"system roots bogus", "MXTLS_SYSTEM_ROOTS=maybe", MXTLS_ERR_CONFIG, "MXTLS_SYSTEM_ROOTS"},
		{"pins without the file", "MXTLS_CLIENT_CERTIFICATE_PIN_TO=a.example.com", MXTLS_ERR_CONFIG,
		 "MXTLS_CLIENT_CERTIFICATE_PIN_TO is set without MXTLS_CLIENT_CERTIFICATE_FILE"},
		{"expiry days not a number", "MXTLS_EXPIRY_WARNING_DAYS=abc", MXTLS_ERR_CONFIG,
		 "MXTLS_EXPIRY_WARNING_DAYS: expected a whole number"},
		{"expiry days negative", "MXTLS_EXPIRY_WARNING_DAYS=-5", MXTLS_ERR_CONFIG,
		 "MXTLS_EXPIRY_WARNING_DAYS"},
		{"expiry days empty", "MXTLS_EXPIRY_WARNING_DAYS=", MXTLS_ERR_CONFIG,
		 "MXTLS_EXPIRY_WARNING_DAYS"},
		{"pin *..",
		 cc("CLIENT_CERTIFICATES=[{\"pfx\": \"%s\", \"password\": \"" PW "\", \"pin_to\": [\"*..\"]}]", b64_default),
		 MXTLS_ERR_CONFIG, "a wildcard is only allowed as \"*.domain\""},
		{"pin [::1]:443",
		 cc("CLIENT_CERTIFICATES=[{\"pfx\": \"%s\", \"password\": \"" PW "\", \"pin_to\": [\"[::1]:443\"]}]", b64_default),
		 MXTLS_ERR_CONFIG, "without port"},
		{"pin [not-v6]",
		 cc("CLIENT_CERTIFICATES=[{\"pfx\": \"%s\", \"password\": \"" PW "\", \"pin_to\": [\"[host]\"]}]", b64_default),
		 MXTLS_ERR_CONFIG, "brackets hold an IPv6 address"},
		{"pin with an escape code",
		 cc("CLIENT_CERTIFICATES=[{\"pfx\": \"%s\", \"password\": \"" PW "\", \"pin_to\": [\"a\\u001b[31m\"]}]", b64_default),
		 MXTLS_ERR_CONFIG, "a\\x1b[31m"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mxtls_error err;
		mxtls_config *cfg = from(&err, cases[i].env, NULL, NULL, NULL);
		if (cfg != NULL)
			fail_msg("%s: loaded", cases[i].name);
		if (err.code != cases[i].code || strstr(err.message, cases[i].must) == NULL)
			fail_msg("%s: got %s \"%s\", expected %s containing \"%s\"", cases[i].name,
				 mxtls_error_name(err.code), err.message, mxtls_error_name(cases[i].code),
				 cases[i].must);
		assert_null(strstr(err.message, PW));
		assert_null(strstr(err.message, "secret-wrong"));
	}
}

static void test_nothing_set(void **state)
{
	mxtls_error err;
	mxtls_config *cfg = from(&err, "PATH=/bin", NULL, NULL, NULL);

	(void)state;
	assert_non_null(cfg);
	assert_int_equal(mxtls_config_identity_count(cfg), 0);
	mxtls_config_free(cfg);
}

static void test_valid_forms(void **state)
{
	char pem[8192], p12path[2048], pwpath[2048];
	mxtls_config *cfg;
	mxtls_error err;
	mxtls_ctx *ctx;
	FILE *f;
	size_t n;

	(void)state;
	/* Inline JSON with pins, an unknown key (warned about), and a no-certificate entry. */
	cfg = from(&err,
		   cc("CLIENT_CERTIFICATES=[\n {\"pfx\": \"%.40s\\n  %s\", \"password\": \"" PW "\", \"pin_to\": [\"api.example.com\"], \"pin-to\": 1},\n"
		      " {\"pfx\": null, \"pin_to\": [\"public.example.com\"]}]",
		      b64_default, b64_default + 40),
		   NULL, NULL, NULL);
	if (cfg == NULL)
		fail_msg("%s", err.message);
	assert_int_equal(mxtls_config_identity_count(cfg), 1);
	assert_int_equal(mxtls_config_warning_count(cfg), 1);
	assert_non_null(strstr(mxtls_config_warning(cfg, 0), "unknown key \"pin-to\""));
	ctx = mxtls_ctx_new(cfg, &err);
	assert_non_null(ctx);
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "api.example.com"), 0);
	assert_true(mxtls_ctx_select(ctx, NULL, "public.example.com") == MXTLS_NO_IDENTITY);
	assert_true(mxtls_ctx_select(ctx, NULL, "other.example.com") == MXTLS_NO_IDENTITY);
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);

	/* Files, as mounted secrets: password file with a trailing newline, pins, PEM authorities. */
	snprintf(p12path, sizeof(p12path), "%s/base-default.p12", dir);
	snprintf(pwpath, sizeof(pwpath), "%s/env-password.txt", dir);
	f = fopen(pwpath, "w");
	assert_non_null(f);
	fputs(PW "\n", f);
	fclose(f);
	snprintf(pem, sizeof(pem), "%s/trust-bundle.pem", dir);
	cfg = from(&err, cc("MXTLS_CLIENT_CERTIFICATE_FILE=%s", p12path),
		   cc("MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=%s", pwpath),
		   "MXTLS_CLIENT_CERTIFICATE_PIN_TO=a.example.com, Billing.Service",
		   cc("MXTLS_CERTIFICATE_AUTHORITIES_FILE=%s", pem));
	if (cfg == NULL)
		fail_msg("%s", err.message);
	mxtls_config_set_system_roots(cfg, 0);
	ctx = mxtls_ctx_new(cfg, &err);
	assert_non_null(ctx);
	assert_int_equal(mxtls_ctx_identity_pin_count(ctx, 0), 2);
	assert_string_equal(mxtls_ctx_identity_pin(ctx, 0, 1), "Billing.Service");
	assert_int_equal(mxtls_ctx_trust_count(ctx), 2);
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);

	/* CERTIFICATE_AUTHORITIES as base64 of the PEM text, and the explicit _BASE64 form. */
	f = fopen(pem, "r");
	assert_non_null(f);
	n = fread(pem, 1, sizeof(pem) - 1, f);
	pem[n] = '\0';
	fclose(f);
	{
		unsigned char b64[12000];
		size_t olen;
		assert_int_equal(mbedtls_base64_encode(b64, sizeof(b64), &olen,
						       (const unsigned char *)pem, n), 0);
		cfg = from(&err, cc("CERTIFICATE_AUTHORITIES=%s", b64), "MXTLS_SYSTEM_ROOTS=0", NULL, NULL);
		assert_non_null(cfg);
		ctx = mxtls_ctx_new(cfg, &err);
		assert_int_equal(mxtls_ctx_trust_count(ctx), 2);
		mxtls_ctx_free(ctx);
		mxtls_config_free(cfg);
		cfg = from(&err, cc("CERTIFICATE_AUTHORITIES_BASE64=%s", b64), "MXTLS_SYSTEM_ROOTS=0", NULL, NULL);
		assert_non_null(cfg);
		ctx = mxtls_ctx_new(cfg, &err);
		assert_int_equal(mxtls_ctx_trust_count(ctx), 2);
		mxtls_ctx_free(ctx);
		mxtls_config_free(cfg);
	}
}

static mxtls_pkcs12 *load(const char *name)
{
	char path[2048];
	mxtls_error err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return mxtls_pkcs12_load_file(path, PW, 0, &err);
}

static void test_selection(void **state)
{
	const char *a[] = {"api.example.com", "Billing.Service"};
	const char *b[] = {"*.partner.example"};
	const char *d[] = {"x.partner.example"};
	const char *none[] = {"public.example.com", "Open.Data"};
	mxtls_pkcs12 *p = load("base-default.p12");
	mxtls_config *cfg = mxtls_config_new();
	mxtls_error err;
	mxtls_ctx *ctx;

	(void)state;
	assert_non_null(p);
	assert_int_equal(mxtls_config_add_identity_pinned(cfg, p, 0, a, 2, &err), 0); /* 0 */
	assert_int_equal(mxtls_config_add_identity_pinned(cfg, p, 0, b, 1, &err), 0); /* 1 */
	assert_int_equal(mxtls_config_add_identity(cfg, p, 0, &err), 0);              /* 2: default */
	assert_int_equal(mxtls_config_add_identity_pinned(cfg, p, 0, d, 1, &err), 0); /* 3 */
	assert_int_equal(mxtls_config_add_identity(cfg, p, 0, &err), 0);              /* 4: unpinned too */
	assert_int_equal(mxtls_config_add_no_identity(cfg, none, 2, &err), 0);
	ctx = mxtls_ctx_new(cfg, &err);
	assert_non_null(ctx);
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "api.example.com"), 0);
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "API.Example.COM."), 0);   /* case, trailing dot */
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "y.partner.example"), 1);  /* wildcard */
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "x.partner.example"), 3);  /* exact beats wildcard */
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "a.b.partner.example"), 2); /* one label only */
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "partner.example"), 2);
	assert_int_equal(mxtls_ctx_select(ctx, "Billing.Service", "y.partner.example"), 0); /* id first */
	assert_int_equal(mxtls_ctx_select(ctx, "billing.service", "y.partner.example"), 1); /* ids exact */
	assert_int_equal(mxtls_ctx_select(ctx, "Unknown.Thing", "api.example.com"), 0);
	assert_true(mxtls_ctx_select(ctx, NULL, "public.example.com") == MXTLS_NO_IDENTITY);
	assert_true(mxtls_ctx_select(ctx, "Open.Data", "api.example.com") == MXTLS_NO_IDENTITY);
	assert_int_equal(mxtls_ctx_select(ctx, NULL, NULL), 2);
	/* The same rule as a check, for TLS objects chosen for one host and offered to another. */
	assert_int_equal(mxtls_ctx_check_host(ctx, 0, NULL, "API.example.com", &err), 0);
	assert_int_equal(err.code, MXTLS_OK);
	assert_int_equal(mxtls_ctx_check_host(ctx, 1, NULL, "y.partner.example", &err), 0);
	assert_int_equal(mxtls_ctx_check_host(ctx, 0, "Billing.Service", "y.partner.example", &err), 0);
	assert_int_equal(mxtls_ctx_check_host(ctx, MXTLS_NO_IDENTITY, NULL, "public.example.com", &err), 0);
	assert_int_equal(mxtls_ctx_check_host(ctx, 0, NULL, "y.partner.example", &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_NOT_PINNED);
	assert_non_null(strstr(err.message, "y.partner.example"));
	assert_non_null(strstr(err.message, "that host selects"));
	assert_int_equal(mxtls_ctx_check_host(ctx, 2, NULL, "public.example.com", &err), -1);
	assert_non_null(strstr(err.message, "selects no identity"));
	assert_int_equal(mxtls_ctx_check_host(ctx, MXTLS_NO_IDENTITY, NULL, "api.example.com", &err), -1);
	assert_non_null(strstr(err.message, "without a client certificate"));
	assert_int_equal(mxtls_ctx_check_host(ctx, 5, NULL, "api.example.com", &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_int_equal(mxtls_ctx_check_host(ctx, 0, NULL, NULL, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_USAGE);
	assert_int_equal(mxtls_ctx_check_host(NULL, 0, NULL, "a", NULL), -1);
	/* Two unpinned identities: deterministic (the first) and warned about. */
	assert_true(mxtls_ctx_warning_count(ctx) >= 1);
	assert_non_null(strstr(mxtls_ctx_warning(ctx, 0), "have no pins"));
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);

	/* Nothing unpinned: unpinned hosts get no certificate. */
	cfg = mxtls_config_new();
	assert_int_equal(mxtls_config_add_identity_pinned(cfg, p, 0, a, 1, &err), 0);
	ctx = mxtls_ctx_new(cfg, &err);
	assert_true(mxtls_ctx_select(ctx, NULL, "elsewhere.example") == MXTLS_NO_IDENTITY);
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);
	mxtls_pkcs12_free(p);
}

static atomic_int events[8]; /* written by the watcher thread too */

static void on_event(void *arg, int kind, const char *message)
{
	(void)arg;
	(void)message;
	if (kind > 0 && kind < 8)
		events[kind]++;
}

static void test_runtime_reload_keeps_old_on_failure(void **state)
{
	char path[2048], pwpath[2048], src[8192];
	const char *envp[4];
	mxtls_runtime *rt;
	mxtls_error err;
	mxtls_ctx *first, *now;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/env-rt.p12", dir);
	snprintf(pwpath, sizeof(pwpath), "%s/env-rt.pw", dir);
	snprintf(src, sizeof(src), "cp %s/base-default.p12 %s", dir, path);
	assert_int_equal(system(src), 0);
	f = fopen(pwpath, "w");
	fputs(PW, f);
	fclose(f);
	envp[0] = cc("MXTLS_CLIENT_CERTIFICATE_FILE=%s", path);
	envp[1] = cc("MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=%s", pwpath);
	envp[2] = "MXTLS_EXPIRY_WARNING_DAYS=3650"; /* a 10-year certificate "expires soon" */
	envp[3] = NULL;
	rt = mxtls_runtime_new(envp, on_event, NULL, &err);
	assert_non_null(rt);
	assert_int_equal(events[MXTLS_EVENT_LOADED], 1);
	assert_true(events[MXTLS_EVENT_EXPIRING] >= 1);
	first = mxtls_runtime_ctx(rt);
	/* Same sources: nothing swapped. */
	assert_int_equal(mxtls_runtime_reload(rt, &err), 0);
	assert_int_equal(events[MXTLS_EVENT_UNCHANGED], 1);
	assert_int_equal(mxtls_runtime_generation(rt), 1);
	/* A damaged file: the reload fails and the old context stays. */
	f = fopen(path, "wb");
	fputs("not a container", f);
	fclose(f);
	assert_int_equal(mxtls_runtime_reload(rt, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_CORRUPT);
	assert_int_equal(events[MXTLS_EVENT_RELOAD_FAILED], 1);
	now = mxtls_runtime_ctx(rt);
	assert_ptr_equal(now, first);
	mxtls_ctx_free(now);
	/* Another identity: swapped; the old context lives on while referenced. */
	snprintf(src, sizeof(src), "cp %s/chain-shuffled.p12 %s", dir, path);
	assert_int_equal(system(src), 0);
	assert_int_equal(mxtls_runtime_reload(rt, &err), 0);
	assert_int_equal(events[MXTLS_EVENT_RELOADED], 1);
	assert_int_equal(mxtls_runtime_generation(rt), 2);
	now = mxtls_runtime_ctx(rt);
	assert_ptr_not_equal(now, first);
	assert_int_equal(mxtls_ctx_identity_count(first), 1); /* still usable */
	mxtls_ctx_free(now);
	mxtls_ctx_free(first);
	mxtls_runtime_free(rt);
	/* Start-up with a broken source fails loudly. */
	f = fopen(path, "wb");
	fputs("broken", f);
	fclose(f);
	assert_null(mxtls_runtime_new(envp, on_event, NULL, &err));
	assert_int_equal(err.code, MXTLS_ERR_CORRUPT);
	assert_non_null(strstr(err.message, "MXTLS_CLIENT_CERTIFICATE_FILE"));
}

static void nap(void)
{
	struct timespec ts = {0, 50000000};

	nanosleep(&ts, NULL);
}

static int wait_generation(mxtls_runtime *rt, unsigned long want)
{
	int i;

	for (i = 0; i < 100 && mxtls_runtime_generation(rt) < want; i++)
		nap();
	return mxtls_runtime_generation(rt) >= want;
}

/*
 * A runtime's sources of its own: base-default.p12 copied to dir/name (path gets
 * its path, which the test may then replace) and the password file of
 * test_runtime_reload_keeps_old_on_failure, as a NULL-terminated envp.
 */
static void runtime_sources(const char *name, char *path, size_t size, const char *envp[3])
{
	char cmd[8192];

	snprintf(path, size, "%s/%s", dir, name);
	snprintf(cmd, sizeof(cmd), "cp %s/base-default.p12 %s", dir, path);
	assert_int_equal(system(cmd), 0);
	envp[0] = cc("MXTLS_CLIENT_CERTIFICATE_FILE=%s", path);
	envp[1] = cc("MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=%s/env-rt.pw", dir);
	envp[2] = NULL;
}

static void test_watch_files_and_signal(void **state)
{
	char path[2048], cmd[8192];
	const char *envp[3];
	struct sigaction before, after;
	mxtls_runtime *rt;
	mxtls_error err;

	(void)state;
	runtime_sources("env-watch.p12", path, sizeof(path), envp);
	signal(SIGUSR1, SIG_IGN); /* the application's own disposition */
	rt = mxtls_runtime_new(envp, on_event, NULL, &err);
	assert_non_null(rt);
	assert_int_equal(mxtls_runtime_watch(rt, SIGUSR1, &err), 0);
	/* An editor's rename-over-write in the watched directory. */
	snprintf(cmd, sizeof(cmd), "cp %s/chain-shuffled.p12 %s.tmp && mv %s.tmp %s", dir, path, path,
		 path);
	assert_int_equal(system(cmd), 0);
	assert_true(wait_generation(rt, 2));
	/* The signal reloads too (same sources: unchanged, so count the event). */
	events[MXTLS_EVENT_UNCHANGED] = 0;
	raise(SIGUSR1);
	for (int i = 0; i < 100 && events[MXTLS_EVENT_UNCHANGED] == 0; i++)
		nap();
	assert_true(events[MXTLS_EVENT_UNCHANGED] >= 1);
	mxtls_runtime_free(rt);
	/* The application's disposition is back. */
	sigaction(SIGUSR1, NULL, &after);
	before.sa_handler = SIG_IGN;
	assert_ptr_equal(after.sa_handler, before.sa_handler);
}

/* A callback that reloads the runtime it is told about, once, and takes its context. */
static mxtls_runtime *reentrant_rt;
static atomic_int reentrant_calls, reentrant_reloads;

static void reload_from_callback(void *arg, int kind, const char *message)
{
	mxtls_error err;
	mxtls_ctx *ctx;

	(void)arg, (void)message;
	reentrant_calls++;
	if (reentrant_rt == NULL || kind != MXTLS_EVENT_RELOADED || reentrant_reloads > 0)
		return;
	reentrant_reloads++;
	assert_int_equal(mxtls_runtime_reload(reentrant_rt, &err), 0); /* unchanged */
	ctx = mxtls_runtime_ctx(reentrant_rt);
	assert_non_null(ctx);
	mxtls_ctx_free(ctx);
}

/* Issue 11: events are handed out after the reload, outside the library's locks. */
static void test_callback_may_reload(void **state)
{
	char path[2048], cmd[8192];
	const char *envp[3];
	mxtls_error err;

	(void)state;
	runtime_sources("env-reentrant.p12", path, sizeof(path), envp);
	alarm(20); /* the old code deadlocked on its reload lock here */
	reentrant_rt = mxtls_runtime_new(envp, reload_from_callback, NULL, &err);
	assert_non_null(reentrant_rt);
	snprintf(cmd, sizeof(cmd), "cp %s/chain-shuffled.p12 %s", dir, path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mxtls_runtime_reload(reentrant_rt, &err), 0);
	alarm(0);
	assert_int_equal(reentrant_reloads, 1);
	assert_int_equal(mxtls_runtime_generation(reentrant_rt), 2);
	/* loaded, reloaded, then the nested reload's unchanged: in order, each once. */
	assert_int_equal(reentrant_calls, 3);
	mxtls_runtime_free(reentrant_rt);
	reentrant_rt = NULL;
}

static int readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* Issue 11: events by polling, for languages whose callbacks run on their own loop. */
static void test_event_queue(void **state)
{
	char path[2048], cmd[8192], msg[64];
	const char *envp[3];
	mxtls_runtime *rt;
	mxtls_error err;
	int kind, fd, i;

	(void)state;
	runtime_sources("env-queue.p12", path, sizeof(path), envp);
	rt = mxtls_runtime_new(envp, mxtls_event_queue, NULL, &err);
	assert_non_null(rt);
	fd = mxtls_runtime_event_fd(rt);
	assert_true(fd >= 0);
	assert_true(readable(fd, 0));
	assert_int_equal(mxtls_runtime_next_event(rt, &kind, msg, sizeof(msg)), 1);
	assert_int_equal(kind, MXTLS_EVENT_LOADED);
	assert_memory_equal(msg, "1 identity, ", 12);
	assert_false(readable(fd, 0));
	assert_int_equal(mxtls_runtime_next_event(rt, &kind, msg, sizeof(msg)), 0);
	/* Nobody reads 300 events: the newest 256 wait, after a note of how many were lost. */
	for (i = 0; i < 300; i++)
		assert_int_equal(mxtls_runtime_reload(rt, &err), 0);
	assert_true(readable(fd, 0));
	assert_int_equal(mxtls_runtime_next_event(rt, &kind, msg, sizeof(msg)), 1);
	assert_int_equal(kind, MXTLS_EVENT_WARNING);
	assert_non_null(strstr(msg, "44 events were dropped"));
	for (i = 0; i < 256; i++) {
		assert_int_equal(mxtls_runtime_next_event(rt, &kind, msg, 4), 1);
		assert_int_equal(kind, MXTLS_EVENT_UNCHANGED);
		assert_string_equal(msg, "the"); /* cut to the caller's size */
	}
	assert_int_equal(mxtls_runtime_next_event(rt, &kind, msg, sizeof(msg)), 0);
	assert_false(readable(fd, 0));
	/* The watcher's reload wakes a poller; no callback ran on the watcher thread. */
	assert_int_equal(mxtls_runtime_watch(rt, 0, &err), 0);
	snprintf(cmd, sizeof(cmd), "cp %s/chain-shuffled.p12 %s.tmp && mv %s.tmp %s", dir, path, path,
		 path);
	assert_int_equal(system(cmd), 0);
	/* The watcher may reload between the cp and the mv (unchanged, then reloaded). */
	kind = 0;
	for (i = 0; i < 3 && kind != MXTLS_EVENT_RELOADED; i++) {
		assert_true(readable(fd, 5000));
		assert_int_equal(mxtls_runtime_next_event(rt, &kind, NULL, 0), 1);
		assert_true(kind == MXTLS_EVENT_RELOADED || kind == MXTLS_EVENT_UNCHANGED);
	}
	assert_int_equal(kind, MXTLS_EVENT_RELOADED);
	mxtls_runtime_free(rt);

	/* Other modes have no queue. */
	rt = mxtls_runtime_new(envp, on_event, NULL, &err);
	assert_non_null(rt);
	assert_int_equal(mxtls_runtime_event_fd(rt), -1);
	assert_int_equal(mxtls_runtime_next_event(rt, &kind, msg, sizeof(msg)), 0);
	mxtls_runtime_free(rt);
}

/* The PEM bundle's certificates, parsed back (-1 if it does not parse). */
static long bundle_count(const char *pem, size_t len)
{
	mxtls_error err;
	mxtls_trust *t;
	long n;

	if (len == 0)
		return 0;
	t = mxtls_trust_load_mem(pem, len, &err);
	if (t == NULL)
		return -1;
	n = (long)mxtls_trust_cert_count(t);
	mxtls_trust_free(t);
	return n;
}

/* Issue 11: a binding reads back the trust, and exports only what it adds to its own roots. */
static void test_trust_read_back(void **state)
{
	const char *file = cc("MXTLS_CERTIFICATE_AUTHORITIES_FILE=%s/trust-bundle.pem", dir);
	size_t i, all, sys, len;
	const uint8_t *der;
	uint8_t want[32];
	mxtls_config *cfg;
	mxtls_error err;
	mxtls_ctx *ctx;
	char *pem;

	(void)state;
	/* System roots on: they come first, the two added ones after. */
	cfg = from(&err, file, NULL, NULL, NULL);
	assert_non_null(cfg);
	ctx = mxtls_ctx_new(cfg, &err);
	assert_non_null(ctx);
	all = mxtls_ctx_trust_count(ctx);
	sys = mxtls_ctx_system_root_count(ctx);
	assert_true(sys > 0);
	assert_int_equal(all - sys, 2);
	for (i = 0; i < all; i++) {
		const mxtls_cert *c = mxtls_ctx_trust_cert(ctx, i);
		assert_non_null(c);
		der = mxtls_cert_der(c, &len);
		assert_int_equal(mbedtls_sha256(der, len, want, 0), 0);
		assert_memory_equal(mxtls_cert_sha256(c), want, 32);
	}
	assert_ptr_equal(mxtls_ctx_trust_cert(ctx, 0), mxtls_ctx_trust_cert(ctx, 0)); /* made once */
	assert_null(mxtls_ctx_trust_cert(ctx, all));
	assert_int_equal(mxtls_ctx_export_added_trust_pem(ctx, &pem, &len, &err), 0);
	assert_int_equal(bundle_count(pem, len), 2);
	mxtls_free_secret(pem, len);
	assert_int_equal(mxtls_ctx_export_trust_pem(ctx, &pem, &len, &err), 0);
	assert_int_equal(bundle_count(pem, len), (long)all);
	mxtls_free_secret(pem, len);
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);

	/* Only the added ones: no system root, and both exports agree. */
	cfg = from(&err, file, "MXTLS_SYSTEM_ROOTS=0", NULL, NULL);
	assert_non_null(cfg);
	ctx = mxtls_ctx_new(cfg, &err);
	assert_non_null(ctx);
	assert_int_equal(mxtls_ctx_system_root_count(ctx), 0);
	assert_int_equal(mxtls_ctx_trust_count(ctx), 2);
	assert_int_equal(mxtls_ctx_export_added_trust_pem(ctx, &pem, &len, &err), 0);
	assert_int_equal(bundle_count(pem, len), 2);
	mxtls_free_secret(pem, len);
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);

	/* Nothing added: an empty bundle, not NULL. */
	cfg = mxtls_config_new();
	ctx = mxtls_ctx_new(cfg, &err);
	assert_non_null(ctx);
	assert_int_equal(mxtls_ctx_export_added_trust_pem(ctx, &pem, &len, &err), 0);
	assert_non_null(pem);
	assert_int_equal(len, 0);
	assert_string_equal(pem, "");
	mxtls_free_secret(pem, len);
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);
	assert_int_equal(mxtls_ctx_system_root_count(NULL), 0);
	assert_null(mxtls_ctx_trust_cert(NULL, 0));
}

/* Blinding values for mbedtls_pk_check_pair(): any will do in a test. */
static int test_rng(void *ctx, unsigned char *out, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		out[i] = (unsigned char)rand();
	return 0;
}

/* Issue 11: the key export is PKCS#8, which every stack reads (Java's and Go's only that). */
static void test_key_export_is_pkcs8(void **state)
{
	char *chain, *key;
	size_t chain_len, key_len, der_len;
	const uint8_t *der;
	mbedtls_x509_crt leaf;
	mbedtls_pk_context pk;
	mxtls_config *cfg;
	mxtls_error err;
	mxtls_ctx *ctx;

	(void)state;
	cfg = from(&err, cc("MXTLS_CLIENT_CERTIFICATE_FILE=%s/base-default.p12", dir),
		   cc("MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=%s/env-rt.pw", dir), NULL, NULL);
	assert_non_null(cfg);
	ctx = mxtls_ctx_new(cfg, &err);
	assert_non_null(ctx);
	assert_int_equal(mxtls_ctx_export_identity_pem(ctx, 0, &chain, &chain_len, &key, &key_len,
							&err), 0);
	assert_memory_equal(key, "-----BEGIN PRIVATE KEY-----\n", 28);
	assert_non_null(strstr(key, "-----END PRIVATE KEY-----\n"));
	/* mbedTLS reads it back (as PKCS#8: the label says so), and it is the leaf's key. */
	mbedtls_pk_init(&pk);
	mbedtls_x509_crt_init(&leaf);
	assert_int_equal(mbedtls_pk_parse_key(&pk, (const unsigned char *)key, key_len + 1, NULL, 0,
					      NULL, NULL),
			 0);
	der = mxtls_cert_der(mxtls_ctx_identity_leaf(ctx, 0), &der_len);
	assert_int_equal(mbedtls_x509_crt_parse_der(&leaf, der, der_len), 0);
	assert_int_equal(mbedtls_pk_check_pair(&leaf.pk, &pk, test_rng, NULL), 0);
	mbedtls_pk_free(&pk);
	mbedtls_x509_crt_free(&leaf);
	mxtls_free_secret(key, key_len);
	mxtls_free_secret(chain, chain_len);
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);
}

/* A file in the fixture directory with this content. */
static const char *fixture(const char *name, const void *data, size_t len)
{
	static char paths[4][2048];
	static int k;
	char *path = paths[k++ % 4];
	FILE *f;

	snprintf(path, sizeof(paths[0]), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

/* Is every byte of s valid UTF-8 without control characters? */
static int clean_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;

	while (*p) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3
		      : (*p & 0xf8) == 0xf0 ? 4 : 0;
		if (len == 0)
			return 0;
		for (size_t i = 1; i < len; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += len;
	}
	return 1;
}

static int has_warning(const mxtls_config *cfg, const char *a, const char *b)
{
	for (size_t i = 0; i < mxtls_config_warning_count(cfg); i++)
		if (strstr(mxtls_config_warning(cfg, i), a) && strstr(mxtls_config_warning(cfg, i), b))
			return 1;
	return 0;
}

/* Issue 8, item 2: what inspect warns about, the environment warns about too. */
static void test_container_warnings_reach_the_config(void **state)
{
	char *nomac = file_b64("base-nomac.p12");
	mxtls_config *cfg;
	mxtls_error err;

	(void)state;
	cfg = from(&err, cc("CLIENT_CERTIFICATES=[{\"pfx\": \"%s\", \"password\": \"" PW "\"}]", nomac),
		   NULL, NULL, NULL);
	assert_non_null(cfg);
	assert_true(has_warning(cfg, "CLIENT_CERTIFICATES[0]: ", "MAC"));
	mxtls_config_free(cfg);
	cfg = from(&err, cc("MXTLS_CLIENT_CERTIFICATE_FILE=%s/base-nomac.p12", dir),
		   cc("MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=%s", fixture("w-pw", PW, strlen(PW))), NULL,
		   NULL);
	assert_non_null(cfg);
	assert_true(has_warning(cfg, "MXTLS_CLIENT_CERTIFICATE_FILE: ", "MAC"));
	mxtls_config_free(cfg);
	cfg = from(&err, cc("MXTLS_CLIENT_CERTIFICATE_FILE=%s/validity-future.p12", dir),
		   cc("MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=%s", fixture("w-pw", PW, strlen(PW))), NULL,
		   NULL);
	assert_non_null(cfg);
	assert_true(has_warning(cfg, "MXTLS_CLIENT_CERTIFICATE_FILE: ", "not valid before"));
	mxtls_config_free(cfg);
	free(nomac);
}

static mxtls_runtime *runtime_for(const char *p12, mxtls_error *err)
{
	const char *envp[3];

	envp[0] = cc("MXTLS_CLIENT_CERTIFICATE_FILE=%s", p12);
	envp[1] = cc("MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=%s", fixture("v-pw", PW, strlen(PW)));
	envp[2] = NULL;
	return mxtls_runtime_new(envp, on_event, NULL, err);
}

/* Issue 8, item 2: expired and not-yet-valid refused alike, at start-up and on reload. */
static void test_validity_start_and_reload(void **state)
{
	char live[2048], cmd[8192];
	mxtls_runtime *rt;
	mxtls_error err;
	mxtls_ctx *before, *after;

	(void)state;
	assert_null(runtime_for(cc("%s/validity-expired.p12", dir), &err));
	assert_int_equal(err.code, MXTLS_ERR_EXPIRED);
	assert_non_null(strstr(err.message, "expired"));
	assert_null(runtime_for(cc("%s/validity-future.p12", dir), &err));
	assert_int_equal(err.code, MXTLS_ERR_EXPIRED);
	assert_non_null(strstr(err.message, "is not valid for another"));
	/* Within the clock-skew allowance it loads. */
	rt = runtime_for(cc("%s/validity-skew.p12", dir), &err);
	if (rt == NULL)
		fail_msg("%s", err.message);
	mxtls_runtime_free(rt);
	/* A reload to a not-yet-valid certificate keeps the working one. */
	snprintf(live, sizeof(live), "%s/validity-live.p12", dir);
	snprintf(cmd, sizeof(cmd), "cp %s/validity-soon.p12 %s", dir, live);
	assert_int_equal(system(cmd), 0);
	rt = runtime_for(live, &err);
	assert_non_null(rt);
	before = mxtls_runtime_ctx(rt);
	snprintf(cmd, sizeof(cmd), "cp %s/validity-future.p12 %s", dir, live);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mxtls_runtime_reload(rt, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_EXPIRED);
	after = mxtls_runtime_ctx(rt);
	assert_ptr_equal(before, after);
	mxtls_ctx_free(after);
	/* And to an expired one, with the same code. */
	snprintf(cmd, sizeof(cmd), "cp %s/validity-expired.p12 %s", dir, live);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mxtls_runtime_reload(rt, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_EXPIRED);
	mxtls_ctx_free(before);
	mxtls_runtime_free(rt);
}

static char expired_events[2][512];
static int nexpired;

static void keep_expired(void *arg, int kind, const char *message)
{
	(void)arg;
	if (kind == MXTLS_EVENT_EXPIRED && nexpired < 2)
		snprintf(expired_events[nexpired++], sizeof(expired_events[0]), "%s", message);
}

/* Each refused certificate's event describes that certificate, not the first refused one. */
static void test_validity_events_each_their_own(void **state)
{
	char *expired = file_b64("validity-expired.p12"), *future = file_b64("validity-future.p12");
	const char *envp[4];
	mxtls_error err;

	(void)state;
	envp[0] = cc("CLIENT_CERTIFICATES=[{\"pfx\": \"%s\", \"password\": \"" PW "\"},"
		     "{\"pfx\": \"%s\", \"password\": \"" PW "\", \"pin_to\": [\"b.example\"]}]",
		     expired, future);
	envp[1] = "MXTLS_SYSTEM_ROOTS=0";
	envp[2] = cc("MXTLS_CERTIFICATE_AUTHORITIES_FILE=%s/trust-bundle.pem", dir);
	envp[3] = NULL;
	assert_null(mxtls_runtime_new(envp, keep_expired, NULL, &err));
	assert_int_equal(err.code, MXTLS_ERR_EXPIRED);
	assert_non_null(strstr(err.message, "identity 0"));
	assert_int_equal(nexpired, 2);
	assert_non_null(strstr(expired_events[0], "identity 0"));
	assert_non_null(strstr(expired_events[0], "expired"));
	assert_non_null(strstr(expired_events[1], "identity 1"));
	assert_non_null(strstr(expired_events[1], "is not valid for another"));
	free(expired);
	free(future);
}

/* Issue 8, item 3: "no certificate" and an identity on the same host: said, and no certificate. */
static void test_no_certificate_conflict(void **state)
{
	mxtls_config *cfg;
	mxtls_error err;
	mxtls_ctx *ctx;
	int warned = 0;

	(void)state;
	cfg = from(&err,
		   cc("CLIENT_CERTIFICATES=[{\"pfx\": null, \"pin_to\": [\"api.example.com\"]},"
		      "{\"pfx\": \"%s\", \"password\": \"" PW "\", \"pin_to\": [\"api.example.com\"]}]",
		      b64_default),
		   "MXTLS_SYSTEM_ROOTS=0", "CERTIFICATE_AUTHORITIES_BASE64=", NULL);
	if (cfg == NULL) /* an empty base64 value is refused; try without it */
		cfg = from(&err,
			   cc("CLIENT_CERTIFICATES=[{\"pfx\": null, \"pin_to\": [\"api.example.com\"]},"
			      "{\"pfx\": \"%s\", \"password\": \"" PW "\", \"pin_to\": [\"api.example.com\"]}]",
			      b64_default),
			   NULL, NULL, NULL);
	assert_non_null(cfg);
	ctx = mxtls_ctx_new(cfg, &err);
	assert_non_null(ctx);
	assert_true(mxtls_ctx_select(ctx, NULL, "api.example.com") == MXTLS_NO_IDENTITY);
	for (size_t i = 0; i < mxtls_ctx_warning_count(ctx); i++)
		warned |= strstr(mxtls_ctx_warning(ctx, i), "\"api.example.com\" is claimed by") != NULL &&
			  strstr(mxtls_ctx_warning(ctx, i), "no certificate") != NULL;
	assert_true(warned);
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);
}

/*
 * Issue 8, item 4 and issue 9: pins and hosts compare in one form, whatever
 * their spelling: IPv6 with or without brackets, international names as
 * written or as the punycode name curl connects to.
 */
static void test_host_forms(void **state)
{
	const char *brackets[] = {"[::1]"}, *bare[] = {"2001:db8::1"};
	const char *puny[] = {"xn--bcher-kva.test"}, *utf8[] = {"M\xc3\xbcnchen.test"};
	mxtls_pkcs12 *p = load("base-default.p12");
	mxtls_config *cfg = mxtls_config_new();
	mxtls_error err;
	mxtls_ctx *ctx;

	(void)state;
	assert_int_equal(mxtls_config_add_identity_pinned(cfg, p, 0, brackets, 1, &err), 0);
	assert_int_equal(mxtls_config_add_identity_pinned(cfg, p, 0, bare, 1, &err), 0);
	ctx = mxtls_ctx_new(cfg, &err);
	assert_non_null(ctx);
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "::1"), 0);
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "[::1]"), 0);
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "0:0:0:0:0:0:0:1"), 0);
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "[2001:DB8:0::1]"), 1);
	assert_true(mxtls_ctx_select(ctx, NULL, "::2") == MXTLS_NO_IDENTITY);
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);
	cfg = mxtls_config_new();
	assert_int_equal(mxtls_config_add_identity_pinned(cfg, p, 0, puny, 1, &err), 0);
	assert_int_equal(mxtls_config_add_identity_pinned(cfg, p, 0, utf8, 1, &err), 0);
	ctx = mxtls_ctx_new(cfg, &err);
	assert_non_null(ctx);
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "b\xc3\xbc" "cher.test"), 0);
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "B\xc3\x9c" "CHER.test."), 0);
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "XN--BCHER-KVA.test"), 0);
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "xn--mnchen-3ya.test"), 1);
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "m\xc3\xbcnchen.TEST"), 1);
	assert_true(mxtls_ctx_select(ctx, NULL, "bucher.test") == MXTLS_NO_IDENTITY);
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);
	mxtls_pkcs12_free(p);
}

/* Issue 8, item 9: pins are bounded, and many pins stay cheap (sorted index, no pairs). */
static void test_many_pins(void **state)
{
	enum { N = MXTLS_MAX_PINS / 2 };
	char **names = calloc(N, sizeof(*names));
	mxtls_pkcs12 *p = load("base-default.p12");
	mxtls_config *cfg = mxtls_config_new();
	const char *one[] = {"one-more.example"};
	mxtls_error err;
	mxtls_ctx *ctx;
	size_t i, ambiguous = 0;

	(void)state;
	for (i = 0; i < N; i++)
		names[i] = strdup(cc("host-%zu.example", i));
	/* Two identities claim the same N pins: the first keeps each, the warnings are capped. */
	assert_int_equal(mxtls_config_add_identity_pinned(cfg, p, 0, (const char *const *)names, N, &err), 0);
	assert_int_equal(mxtls_config_add_identity_pinned(cfg, p, 0, (const char *const *)names, N, &err), 0);
	assert_int_equal(mxtls_config_add_identity_pinned(cfg, p, 0, one, 1, &err), -1);
	assert_int_equal(err.code, MXTLS_ERR_LIMIT_EXCEEDED);
	ctx = mxtls_ctx_new(cfg, &err);
	assert_non_null(ctx);
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "HOST-4999.example."), 0);
	assert_int_equal(mxtls_ctx_select(ctx, NULL, "host-0.example"), 0);
	for (i = 0; i < mxtls_ctx_warning_count(ctx); i++)
		ambiguous++;
	assert_true(ambiguous >= 2 && ambiguous <= 20);
	assert_non_null(strstr(mxtls_ctx_warning(ctx, mxtls_ctx_warning_count(ctx) - 1), "more pins"));
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);
	for (i = 0; i < N; i++)
		free(names[i]);
	free(names);
	mxtls_pkcs12_free(p);
}

/* Issue 8, items 6 and 11: messages are valid UTF-8 and keep file name, separator and cause. */
static void test_messages_stay_readable(void **state)
{
	char path[1200], name[600];
	mxtls_error err;
	mxtls_config *cfg;
	size_t i;

	(void)state;
	/* A long path of two-byte characters: cut in its middle, never inside a character. */
	for (i = 0; i + 2 < 400; i += 2)
		memcpy(name + i, "\xc3\xa9", 2);
	name[i] = '\0';
	snprintf(path, sizeof(path), "/nonexistent/%s/end-of-path.p12", name);
	assert_null(mxtls_pkcs12_load_file(path, PW, 0, &err));
	assert_int_equal(err.code, MXTLS_ERR_IO);
	assert_true(clean_utf8(err.message));
	assert_non_null(strstr(err.message, "end-of-path.p12: cannot open: No such file"));
	assert_non_null(strstr(err.message, "/nonexistent/"));
	/* Not UTF-8 at all: escaped. */
	assert_null(mxtls_pkcs12_load_file("/nonexistent/\xff\xfe.p12", PW, 0, &err));
	assert_true(clean_utf8(err.message));
	assert_non_null(strstr(err.message, "\\xff\\xfe.p12"));
	/* The same through the environment, with the variable's name in front. */
	cfg = from(&err, cc("MXTLS_CLIENT_CERTIFICATE_FILE=%s", path), NULL, NULL, NULL);
	assert_null(cfg);
	assert_true(clean_utf8(err.message));
	assert_non_null(strstr(err.message, "MXTLS_CLIENT_CERTIFICATE_FILE: /nonexistent/"));
	assert_non_null(strstr(err.message, "end-of-path.p12: cannot open"));
	/* A truncated container says so. */
	assert_null(mxtls_pkcs12_load_file(cc("%s/truncated-1.p12", dir), PW, 0, &err));
	assert_int_equal(err.code, MXTLS_ERR_CORRUPT);
	assert_non_null(strstr(err.message, "truncated"));
	/* Unknown JSON keys with escape codes are shown escaped. */
	cfg = from(&err, "CLIENT_CERTIFICATES=[{\"pfx\": null, \"pin_to\": [\"a.example\"], \"\\u001b[2J\": 1}]",
		   NULL, NULL, NULL);
	assert_non_null(cfg);
	assert_true(has_warning(cfg, "unknown key", "\\x1b[2J"));
	for (i = 0; i < mxtls_config_warning_count(cfg); i++)
		assert_true(clean_utf8(mxtls_config_warning(cfg, i)));
	mxtls_config_free(cfg);
}

/* Issue 8, item 7: what is not a regular file is refused at once, never waited on. */
static void test_special_files_refused(void **state)
{
	const char *vars[] = {"MXTLS_CLIENT_CERTIFICATES_FILE", "MXTLS_CLIENT_CERTIFICATE_FILE",
			      "MXTLS_CERTIFICATE_AUTHORITIES_FILE"};
	char fifo[2048];
	mxtls_error err;
	size_t i;

	(void)state;
	snprintf(fifo, sizeof(fifo), "%s/a-fifo", dir);
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	alarm(20); /* a hang fails the test instead of blocking CI */
	for (i = 0; i < 3; i++) {
		assert_null(from(&err, cc("%s=%s", vars[i], fifo), NULL, NULL, NULL));
		assert_int_equal(err.code, MXTLS_ERR_IO);
		assert_non_null(strstr(err.message, "FIFO"));
		assert_null(from(&err, cc("%s=%s", vars[i], dir), NULL, NULL, NULL));
		assert_non_null(strstr(err.message, "a directory"));
	}
	assert_null(from(&err, cc("MXTLS_CLIENT_CERTIFICATE_FILE=%s/base-default.p12", dir),
			 cc("MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=%s", fifo), NULL, NULL));
	assert_non_null(strstr(err.message, "MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE: "));
	assert_non_null(strstr(err.message, "FIFO"));
	/* /dev/zero: named once, as a device. */
	assert_null(from(&err, "MXTLS_CERTIFICATE_AUTHORITIES_FILE=/dev/zero", NULL, NULL, NULL));
	assert_string_equal(err.message,
			    "MXTLS_CERTIFICATE_AUTHORITIES_FILE: /dev/zero: a device, not a regular file");
	/* A file that is read but does not parse: the variable, then the file, then the cause. */
	assert_null(from(&err, cc("MXTLS_CERTIFICATE_AUTHORITIES_FILE=%s/base-default.p12", dir), NULL,
			 NULL, NULL));
	assert_non_null(strstr(err.message, cc("MXTLS_CERTIFICATE_AUTHORITIES_FILE: %s/base-default.p12: ",
					      dir)));
	alarm(0);
	unlink(fifo);
}

/* Issue 8, item 8: the password file is the whole file less one line end. */
static void test_password_file_is_whole_file(void **state)
{
	mxtls_config *cfg;
	mxtls_error err;

	(void)state;
	cfg = from(&err, cc("MXTLS_CLIENT_CERTIFICATE_FILE=%s/base-default.p12", dir),
		   cc("MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=%s", fixture("pw-crlf", PW "\r\n", strlen(PW) + 2)),
		   NULL, NULL);
	assert_non_null(cfg);
	mxtls_config_free(cfg);
	/* A second line is part of the password, not ignored. */
	cfg = from(&err, cc("MXTLS_CLIENT_CERTIFICATE_FILE=%s/base-default.p12", dir),
		   cc("MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=%s", fixture("pw-2lines", PW "\nmore\n", strlen(PW) + 6)),
		   NULL, NULL);
	assert_null(cfg);
	assert_int_equal(err.code, MXTLS_ERR_WRONG_PASSWORD);
}

/* Issue 8, item 11: a BOM is fine, a NUL is not, and the same CA twice counts once. */
static void test_json_file_and_trust_details(void **state)
{
	char json[65536], pem[16384];
	mxtls_config *cfg;
	mxtls_error err;
	mxtls_ctx *ctx;
	FILE *f;
	size_t n;

	(void)state;
	n = (size_t)snprintf(json, sizeof(json), "\xef\xbb\xbf[{\"pfx\": \"%s\", \"password\": \"" PW "\"}]",
			     b64_default);
	cfg = from(&err, cc("MXTLS_CLIENT_CERTIFICATES_FILE=%s", fixture("bom.json", json, n)), NULL,
		   NULL, NULL);
	if (cfg == NULL)
		fail_msg("%s", err.message);
	assert_int_equal(mxtls_config_identity_count(cfg), 1);
	mxtls_config_free(cfg);
	n = (size_t)snprintf(json, sizeof(json), "[]");
	memcpy(json + n, "\0[1]", 4);
	assert_null(from(&err, cc("MXTLS_CLIENT_CERTIFICATES_FILE=%s", fixture("nul.json", json, n + 4)),
			 NULL, NULL, NULL));
	assert_int_equal(err.code, MXTLS_ERR_CONFIG);
	assert_non_null(strstr(err.message, "a NUL byte at offset 2"));
	/* The same bundle inline and as a file: two authorities, not four. */
	f = fopen(cc("%s/trust-bundle.pem", dir), "r");
	assert_non_null(f);
	n = fread(pem, 1, sizeof(pem) - 1, f);
	pem[n] = '\0';
	fclose(f);
	cfg = from(&err, cc("CERTIFICATE_AUTHORITIES=%s", pem),
		   cc("MXTLS_CERTIFICATE_AUTHORITIES_FILE=%s/trust-bundle.pem", dir), "MXTLS_SYSTEM_ROOTS=0",
		   NULL);
	assert_non_null(cfg);
	ctx = mxtls_ctx_new(cfg, &err);
	assert_non_null(ctx);
	assert_int_equal(mxtls_ctx_trust_count(ctx), 2);
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);
}

/* Issue 8, item 11: a long subject is shown cut, never replaced by a placeholder. */
static void test_long_subject(void **state)
{
	mxtls_pkcs12 *p = load("long-subject.p12");
	char small[256], big[2048];

	(void)state;
	assert_non_null(p);
	assert_int_equal(mxtls_cert_subject(mxtls_identity_leaf(mxtls_pkcs12_identity(p, 0)), small,
					    sizeof(small)),
			 -1);
	assert_int_equal(strncmp(small, "O=OOOO", 6), 0);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_string_equal(small + sizeof(small) - 4, "...");
	assert_true(mxtls_cert_subject(mxtls_identity_leaf(mxtls_pkcs12_identity(p, 0)), big,
				       sizeof(big)) > 600);
	assert_non_null(strstr(big, "CN=long-subject"));
	mxtls_pkcs12_free(p);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_set),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_valid_forms),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_runtime_reload_keeps_old_on_failure),
		cmocka_unit_test(test_watch_files_and_signal),
		cmocka_unit_test(test_callback_may_reload),
		cmocka_unit_test(test_event_queue),
		cmocka_unit_test(test_trust_read_back),
		cmocka_unit_test(test_key_export_is_pkcs8),
		cmocka_unit_test(test_container_warnings_reach_the_config),
		cmocka_unit_test(test_validity_start_and_reload),
		cmocka_unit_test(test_validity_events_each_their_own),
		cmocka_unit_test(test_no_certificate_conflict),
		cmocka_unit_test(test_host_forms),
		cmocka_unit_test(test_many_pins),
		cmocka_unit_test(test_messages_stay_readable),
		cmocka_unit_test(test_special_files_refused),
		cmocka_unit_test(test_password_file_is_whole_file),
		cmocka_unit_test(test_json_file_and_trust_details),
		cmocka_unit_test(test_long_subject),
	};
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s HOSTILE_DIR\n", argv[0]);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	b64_default = file_b64("base-default.p12");
	b64_chain = file_b64("chain-shuffled.p12");
	if (b64_default == NULL || b64_chain == NULL) {
		fprintf(stderr, "test_env: fixture files missing in %s\n", dir);
		return 2;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	free(b64_default);
	free(b64_chain);
	return ret;
}
