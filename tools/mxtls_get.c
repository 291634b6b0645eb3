/* `mxtls get URL`: one HTTPS request through libcurl with a libmxtls identity and trust. */
#define _GNU_SOURCE /* strsignal */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mxtls/mxtls.h"
#include "mxtls/mxtls_curl.h"
#include "mxtls_cli.h"
#include "mxtls_tlserr.h"

#define EXIT_TIMEOUT 6
#define MAX_TIMEOUT_MS 86400000L /* a day: more is a typo, not a wish */
#define PROBE_MAX_MS 10000L      /* the server-key probe after a failed handshake */

struct get_opts {
	const char *url, *identity, *as;
	const char **authorities;
	size_t nauth;
	int system_roots, verbose, follow;
	struct cli_password pw;
	/* Milliseconds (max_ms 0: none), and the arguments as given, for messages. */
	long connect_ms, max_ms;
	const char *connect_arg, *max_arg;
};

/*
 * SECONDS of --connect-timeout and --max-time: digits, then optionally a point
 * and digits (past milliseconds ignored), from 0.001 to 86400. Not strtod: no
 * signs, exponents, hex, "inf" or "nan", and no locale. Milliseconds, or -1.
 */
static long parse_seconds(const char *s)
{
	static const long scale[] = {100, 10, 1};
	long ms = 0;
	int n;

	for (n = 0; *s >= '0' && *s <= '9'; s++, n++) {
		if (n == 6) /* 1000000 s or more */
			return -1;
		ms = ms * 10 + (*s - '0');
	}
	if (n == 0)
		return -1;
	ms *= 1000;
	if (*s == '.') {
		for (s++, n = 0; *s >= '0' && *s <= '9'; s++, n++)
			if (n < 3)
				ms += (*s - '0') * scale[n];
		if (n == 0)
			return -1;
	}
	return *s == '\0' && ms >= 1 && ms <= MAX_TIMEOUT_MS ? ms : -1;
}

/* --connect-timeout or --max-time at argv[*i]: 1 if taken, 0 if not one of them, -1 if bad. */
static int timeout_option(int argc, char **argv, int *i, struct get_opts *o)
{
	int is_connect = strcmp(argv[*i], "--connect-timeout") == 0;
	long ms;

	if (!is_connect && strcmp(argv[*i], "--max-time") != 0)
		return 0;
	if (*i + 1 >= argc) {
		cli_usage_error("get", "%s needs SECONDS", argv[*i]);
		return -1;
	}
	ms = parse_seconds(argv[*i + 1]);
	if (ms < 0) {
		/* Not the value itself: a stray argument may be anything (a password). */
		cli_usage_error("get", "%s wants a number of seconds from 0.001 to 86400", argv[*i]);
		return -1;
	}
	if (is_connect) {
		o->connect_ms = ms;
		o->connect_arg = argv[*i + 1];
	} else {
		o->max_ms = ms;
		o->max_arg = argv[*i + 1];
	}
	*i += 1;
	return 1;
}

/*
 * SIGINT, SIGTERM and SIGHUP: the handler only notes the signal; the progress
 * callback then stops the transfer, everything is released as usual (which
 * removes the private directory of libmxtls_curl), and the signal is raised
 * again with its default action. Doing the removal in the handler instead
 * would need the library's lock, which is not async-signal-safe.
 */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static void catch_stop_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		/* One ignored on purpose (nohup) stays ignored. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

static int progress_cb(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)p;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return stop_signal != 0; /* non-zero: curl stops with CURLE_ABORTED_BY_CALLBACK */
}

/* After cleanup: die of the signal that stopped us, as if we had not caught it. */
static int die_of_stop_signal(int exit_code)
{
	int sig = stop_signal;

	if (sig == 0)
		return exit_code;
	fprintf(stderr, "mxtls get: stopped by signal %d (%s)\n", sig, strsignal(sig));
	signal(sig, SIG_DFL);
	raise(sig);
	return 128 + sig;
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* CURLE_OPERATION_TIMEDOUT: which of the two ran out (the one that ran out first). */
static void report_timeout(const struct get_opts *o, long took_ms, const char *detail)
{
	if (o->max_ms > 0 && took_ms >= o->max_ms)
		fprintf(stderr,
			"mxtls get: timed out: the request took longer than --max-time %s s (%s)\n",
			o->max_arg, detail);
	else
		fprintf(stderr,
			"mxtls get: timed out: no connection within --connect-timeout %s s%s "
			"(TCP connect and TLS handshake; %s)\n",
			o->connect_arg ? o->connect_arg : "30",
			o->connect_arg ? "" : ", the default", detail);
}

static int contains(const char *data, size_t size, const char *word)
{
	size_t n = strlen(word), i;

	for (i = 0; i + n <= size; i++)
		if (memcmp(data + i, word, n) == 0)
			return 1;
	return 0;
}

/* In -v mode, curl's own lines about the TLS handshake go to stderr. */
static int debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *userp)
{
	(void)h;
	(void)userp;
	if (type == CURLINFO_TEXT &&
	    (contains(data, size, "SSL") || contains(data, size, "TLS") ||
	     contains(data, size, "Connected to") || contains(data, size, "session")))
		fprintf(stderr, "* %.*s", (int)size, data);
	return 0;
}

/* Is curl's TLS library mbedTLS? Only there does the server-key look explain anything. */
static int curl_on_mbedtls(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	return v && v->ssl_version && strncmp(v->ssl_version, "mbedTLS/", 8) == 0;
}

/* A proxy from the environment: the probe would not reach the server the way curl did. */
static int proxy_in_env(void)
{
	static const char *const vars[] = {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (getenv(vars[i]) && getenv(vars[i])[0] != '\0')
			return 1;
	return 0;
}

#ifndef CURLU_PUNYCODE /* before curl 7.88: the host as given */
#define CURLU_PUNYCODE 0
#endif

/* Host (IPv6 without brackets) and port of url, for mxtls_server_key_explain(); 0 or -1. */
static int url_host_port(const char *url, char **host, int *port)
{
	CURLU *u = curl_url();
	char *p = NULL;
	int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_HOST, host, CURLU_PUNYCODE) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) == CURLUE_OK;
	size_t n;

	*port = ok ? atoi(p) : 0;
	curl_free(p);
	curl_url_cleanup(u);
	if (ok && (n = strlen(*host)) >= 2 && (*host)[0] == '[' && (*host)[n - 1] == ']') {
		memmove(*host, *host + 1, n - 2);
		(*host)[n - 2] = '\0';
	}
	return ok ? 0 : -1;
}

/*
 * A handshake on curl's mbedTLS failed: mbedTLS never saw the server's
 * certificate, so mxtls_server_key_explain() looks at it and names a key type
 * mbedTLS cannot verify. One line, and only when it says something.
 */
static void explain_handshake_failure(CURL *h, const struct get_opts *o, const char *errbuf,
				      const struct timespec *started)
{
	char *url = NULL, *host = NULL, message[512];
	long budget = o->connect_ms < PROBE_MAX_MS ? o->connect_ms : PROBE_MAX_MS;
	long left = o->max_ms - elapsed_ms(started);
	int port, verdict;

	/* --max-time bounds the whole command, the look included. */
	if (o->max_ms > 0 && left < budget)
		budget = left;
	if (budget <= 0 || !curl_on_mbedtls() || proxy_in_env() ||
	    curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &url) != CURLE_OK || url == NULL ||
	    url_host_port(url, &host, &port) != 0) {
		curl_free(host);
		return;
	}
	verdict = mxtls_server_key_explain(host, port, budget, message, sizeof(message));
	curl_free(host);
	if (verdict == MXTLS_SERVER_KEY_UNSUPPORTED ||
	    /* -0x7780: mbedTLS received a fatal alert, the server's answer to what we offered. */
	    (verdict == MXTLS_SERVER_KEY_HIDDEN && strstr(errbuf, "-0x7780") != NULL))
		fprintf(stderr, "mxtls get: %s\n", message);
	else if (o->verbose && verdict >= 0)
		fprintf(stderr, "* server key probe: %s\n", message);
}

static void print_identity(const mxtls_ctx *ctx, size_t id)
{
	char subject[512], issuer[512];
	const mxtls_cert *leaf = mxtls_ctx_identity_leaf(ctx, id);

	if (leaf == NULL) {
		fprintf(stderr, "* identity: none (no client certificate)\n");
		return;
	}
	mxtls_cert_subject(leaf, subject, sizeof(subject));
	mxtls_cert_issuer(leaf, issuer, sizeof(issuer));
	fprintf(stderr, "* identity presented: %s (issuer %s)\n", subject, issuer);
}

static void print_server_chain(CURL *h)
{
	struct curl_certinfo *ci = NULL;
	struct curl_slist *s;
	int i;

	if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &ci) != CURLE_OK || ci == NULL ||
	    ci->num_of_certs == 0) {
		fprintf(stderr, "* server chain: (not reported by this libcurl)\n");
		return;
	}
	fprintf(stderr, "* verified server chain:\n");
	for (i = 0; i < ci->num_of_certs; i++)
		for (s = ci->certinfo[i]; s; s = s->next)
			if (strncmp(s->data, "Subject:", 8) == 0 || strncmp(s->data, "Issuer:", 7) == 0)
				fprintf(stderr, "*   %d %s\n", i, s->data);
}

/* Start-up events: expiry and warnings always, the rest with -v. */
static void on_event(void *arg, int kind, const char *message)
{
	int verbose = *(const int *)arg;

	if (verbose || kind == MXTLS_EVENT_EXPIRED || kind == MXTLS_EVENT_EXPIRING ||
	    kind == MXTLS_EVENT_WARNING)
		fprintf(stderr, "* %s: %s\n", mxtls_event_name(kind), message);
}

/*
 * A file that did not load: if it is of another kind than wanted (a .p12 given
 * as authorities, a certificate as the identity), say what it is and what to
 * do; else the library's message.
 */
static void wrong_kind_or(const char *file, const char *wanted, const char *wanted_text,
			  const mxtls_error *err, const char *what)
{
	enum cli_kind k = err->code == MXTLS_ERR_IO ? CLI_KIND_UNKNOWN : cli_sniff_file(file);
	int fits = strcmp(wanted, "pkcs12") == 0
		       ? k == CLI_KIND_PKCS12
		       : k == CLI_KIND_PEM_CERT || k == CLI_KIND_X509_DER || k == CLI_KIND_TEXT;
	const char *hint = cli_kind_hint(k, wanted);
	char msg[1024];

	if (k != CLI_KIND_UNKNOWN && !fits) {
		fprintf(stderr, "mxtls get: %s: this is %s, not %s%s%s (%s)\n", file, cli_kind_text(k),
			wanted_text, hint ? "; " : "", hint ? hint : "", mxtls_error_name(err->code));
		return;
	}
	cli_oid_annotate(err->message, msg, sizeof(msg));
	fprintf(stderr, "mxtls get: %s: %s (%s)\n", what, msg, mxtls_error_name(err->code));
}

static mxtls_ctx *build_ctx(struct get_opts *o)
{
	mxtls_config *cfg = mxtls_config_new();
	mxtls_ctx *ctx = NULL;
	mxtls_error err;
	size_t i;

	if (cfg == NULL)
		return NULL;
	mxtls_config_set_system_roots(cfg, o->system_roots);
	if (o->identity) {
		mxtls_pkcs12 *p = mxtls_pkcs12_load_file(o->identity, o->pw.given ? o->pw.value : NULL,
							 0, &err);
		if (p == NULL) {
			wrong_kind_or(o->identity, "pkcs12", "a PKCS#12 container for --identity", &err,
				      "identity");
			goto out;
		}
		if (mxtls_config_add_identity(cfg, p, 0, &err) != 0) {
			mxtls_pkcs12_free(p);
			fprintf(stderr, "mxtls get: %s\n", err.message);
			goto out;
		}
		mxtls_pkcs12_free(p);
	}
	for (i = 0; i < o->nauth; i++) {
		mxtls_trust *t = mxtls_trust_load_file(o->authorities[i], &err);
		if (t == NULL) {
			wrong_kind_or(o->authorities[i], "authorities", "PEM authorities",
				      &err, "authorities");
			goto out;
		}
		mxtls_config_add_trust(cfg, t, &err);
		mxtls_trust_free(t);
	}
	ctx = mxtls_ctx_new(cfg, &err);
	if (ctx == NULL)
		fprintf(stderr, "mxtls get: %s (%s)\n", err.message, mxtls_error_name(err.code));
out:
	mxtls_config_free(cfg);
	return ctx;
}

/* The body goes to stdout as it comes; its first bytes are kept to read an error page. */
struct body {
	char head[2048];
	size_t used;
};

static size_t write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	size_t len = size * n, keep = sizeof(b->head) - 1 - b->used;

	if (keep > len)
		keep = len;
	memcpy(b->head + b->used, data, keep);
	b->used += keep;
	b->head[b->used] = '\0';
	return fwrite(data, 1, len, stdout) == len ? len : 0;
}

/* The subject of the certificate this request presents, or NULL for none. */
static const char *sent_subject(const mxtls_ctx *ctx, const struct get_opts *o, const char *host)
{
	static char subject[512];
	const mxtls_cert *leaf = mxtls_ctx_identity_leaf(ctx, mxtls_ctx_select(ctx, o->as, host));

	if (leaf == NULL || mxtls_cert_subject(leaf, subject, sizeof(subject)) < 0)
		return NULL;
	return subject;
}

/*
 * A failed transfer: what went wrong in our words (server, certificate,
 * problem), then curl's own line, then for a handshake on curl's mbedTLS the
 * server-key look (its line is last, as it always was).
 */
static void report_failure(CURL *h, const struct get_opts *o, const mxtls_ctx *ctx, CURLcode rc,
			   const char *errbuf, const struct timespec *started)
{
	char *effective = NULL, *host = NULL;
	const char *url, *sent;
	long budget = o->connect_ms < PROBE_MAX_MS ? o->connect_ms : PROBE_MAX_MS;
	int port = 0, known;

	if (o->max_ms > 0 && o->max_ms - elapsed_ms(started) < budget)
		budget = o->max_ms - elapsed_ms(started);
	if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective) != CURLE_OK || effective == NULL)
		url = o->url;
	else
		url = effective;
	known = url_host_port(url, &host, &port) == 0;
	sent = known ? sent_subject(ctx, o, host) : NULL;
	if (known && rc == CURLE_PEER_FAILED_VERIFICATION)
		cli_explain_verify_failure(h, ctx, url, host, port, budget, errbuf);
	else if (known && !cli_explain_client_cert(host, port, errbuf, sent, 0, NULL) &&
		 rc == CURLE_SSL_CONNECT_ERROR)
		fprintf(stderr, "mxtls get: the TLS handshake with %s:%d failed (we %s%s)\n", host,
			port, sent ? "offered the client certificate " : "sent no client certificate",
			sent ? sent : "");
	curl_free(host);
	fprintf(stderr, "mxtls get: curl: %s: %s\n", curl_easy_strerror(rc),
		errbuf[0] ? errbuf : "(no detail)");
	if (rc == CURLE_SSL_CONNECT_ERROR)
		explain_handshake_failure(h, o, errbuf, started);
}

int cmd_get(int argc, char **argv)
{
	struct get_opts o = {.system_roots = 1, .connect_ms = 30000};
	struct body body = {.used = 0};
	struct timespec started;
	char errbuf[CURL_ERROR_SIZE] = "";
	mxtls_ctx *ctx = NULL;
	mxtls_error err;
	CURL *h = NULL;
	CURLcode rc;
	long status = 0;
	int i, ret, exit_code = EXIT_BAD_INPUT;

	o.authorities = calloc((size_t)argc, sizeof(*o.authorities));
	if (o.authorities == NULL)
		return EXIT_BAD_INPUT;
	if (argc == 1) {
		/* Bare `mxtls get`: the whole help, as a usage error. */
		free(o.authorities);
		cli_help_to("get", stderr);
		return EXIT_USAGE;
	}
	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			cli_password_free(&o.pw);
			free(o.authorities);
			return cli_help("get");
		}
		ret = cli_password_option("get", argc, argv, &i, &o.pw);
		if (ret < 0)
			goto usage_reported;
		if (ret == 1)
			continue;
		ret = timeout_option(argc, argv, &i, &o);
		if (ret < 0)
			goto usage_reported;
		if (ret == 1)
			continue;
		if (strcmp(argv[i], "--identity") == 0 && i + 1 < argc) {
			o.identity = argv[++i];
		} else if (strcmp(argv[i], "--authorities") == 0 && i + 1 < argc) {
			o.authorities[o.nauth++] = argv[++i];
		} else if (strcmp(argv[i], "--no-system-roots") == 0) {
			o.system_roots = 0;
		} else if (strcmp(argv[i], "--as") == 0 && i + 1 < argc) {
			o.as = argv[++i];
		} else if (strcmp(argv[i], "-L") == 0 || strcmp(argv[i], "--location") == 0) {
			o.follow = 1;
		} else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
			o.verbose = 1;
		} else if (argv[i][0] == '-') {
			int known = strcmp(argv[i], "--identity") == 0 ||
				    strcmp(argv[i], "--authorities") == 0 || strcmp(argv[i], "--as") == 0;
			cli_usage_error("get", known ? "%s needs a value" : "unknown option %s", argv[i]);
			goto usage_reported;
		} else if (o.url == NULL) {
			o.url = argv[i];
		} else {
			cli_usage_error("get", "one URL only");
			goto usage_reported;
		}
	}
	if (o.url == NULL) {
		cli_usage_error("get", "URL is missing");
		goto usage_reported;
	}
	if (strncmp(o.url, "https://", 8) != 0) {
		cli_usage_error("get", "only https:// URLs (the point is TLS)");
		goto usage_reported;
	}
	catch_stop_signals();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (o.identity == NULL && o.nauth == 0 && o.system_roots && !o.pw.given) {
		/* No flags: start up from the environment, as the app runtime does. */
		mxtls_runtime *rt = mxtls_runtime_new(NULL, on_event, &o.verbose, &err);
		if (rt == NULL) {
			fprintf(stderr, "mxtls get: environment: %s (%s)\n", err.message,
				mxtls_error_name(err.code));
			goto out;
		}
		ctx = mxtls_runtime_ctx(rt);
		mxtls_runtime_free(rt);
	} else {
		ctx = build_ctx(&o);
	}
	cli_password_free(&o.pw);
	if (ctx == NULL)
		goto out;
	h = curl_easy_init();
	if (h == NULL || mxtls_curl_setup_for(h, ctx, o.as, o.url, &err) != 0) {
		fprintf(stderr, "mxtls get: %s\n", h ? err.message : "curl_easy_init failed");
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_URL, o.url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "mxtls/" MXTLS_VERSION_STRING);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	/* The connect timeout covers the TLS handshake too: a peer that accepts and never
	 * answers does not hold us for ever. */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o.connect_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o.max_ms);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	if (o.follow) {
		/* Redirects within https only; libmxtls_curl refuses hosts that select another identity. */
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
		curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	}
	if (o.verbose) {
		fprintf(stderr, "* libmxtls %s on mbedTLS %s; curl hand-off: %s\n", mxtls_version(),
			mxtls_mbedtls_version(), mxtls_curl_mode_name());
		fprintf(stderr, "* trusted authorities: %zu%s\n", mxtls_ctx_trust_count(ctx),
			o.system_roots ? " (system roots + added)" : " (added only)");
		{
			CURLU *u = curl_url();
			char *host = NULL;
			if (u && curl_url_set(u, CURLUPART_URL, o.url, 0) == CURLUE_OK)
				curl_url_get(u, CURLUPART_HOST, &host, 0);
			print_identity(ctx, mxtls_ctx_select(ctx, o.as, host));
			curl_free(host);
			curl_url_cleanup(u);
		}
		curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
	}
	if (stop_signal)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &started);
	rc = curl_easy_perform(h);
	if (stop_signal)
		goto out;
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		report_timeout(&o, elapsed_ms(&started), errbuf[0] ? errbuf : "no detail");
		exit_code = EXIT_TIMEOUT;
		goto out;
	}
	if ((rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_ABORTED_BY_CALLBACK ||
	     rc == CURLE_COULDNT_CONNECT) &&
	    mxtls_curl_last_error(h, &err)) {
		fprintf(stderr, "mxtls get: %s (%s)\n", err.message, mxtls_error_name(err.code));
		exit_code = 3;
		goto out;
	}
	if (rc != CURLE_OK) {
		report_failure(h, &o, ctx, rc, errbuf, &started);
		exit_code = rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ||
				    rc == CURLE_SSL_CERTPROBLEM
			    ? 3
			    : 4;
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (o.verbose)
		print_server_chain(h);
	if (status < 200 || status > 299) {
		char *host = NULL;
		int port = 0;
		/* nginx answers 400 when a required client certificate is missing or bad. */
		if (status == 400 && url_host_port(o.url, &host, &port) == 0)
			cli_explain_client_cert(host, port, "", sent_subject(ctx, &o, host), status,
						body.head);
		curl_free(host);
		fprintf(stderr, "mxtls get: HTTP status %ld\n", status);
		exit_code = 5;
		goto out;
	}
	exit_code = 0;
out:
	if (h) {
		mxtls_curl_release(h);
		curl_easy_cleanup(h);
	}
	mxtls_ctx_free(ctx);
	free(o.authorities);
	curl_global_cleanup();
	return die_of_stop_signal(exit_code);
usage_reported:
	cli_password_free(&o.pw);
	free(o.authorities);
	return EXIT_USAGE;
}
