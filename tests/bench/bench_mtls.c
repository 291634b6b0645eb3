/*
 * bench_mtls: the client driver of the mTLS speed benchmark (tests/bench/run-bench-mtls.sh).
 *
 * One measurement per process, so that peak RSS (ru_maxrss) belongs to that measurement
 * alone, and so that the script can pick the libcurl with LD_LIBRARY_PATH (Debian's
 * OpenSSL build or the one on libmxtls's mbedTLS share the SONAME libcurl.so.4).
 *
 *   bench_mtls run   --way W --url URL --n N [--fresh] [--no-session-cache] [options]
 *       N sequential requests on one easy handle after one untimed warm-up request.
 *       W = usual-p12  CURLOPT_SSLCERT=.p12, SSLCERTTYPE "P12", KEYPASSWD, CAINFO
 *           usual-pem  CURLOPT_SSLCERT/SSLKEY PEM files, CAINFO
 *           mxtls      mxtls_curl_setup() with a context built once
 *           direct     no curl: the context's mbedTLS configuration, one plain socket
 *                      and one mbedTLS handshake per request (reference for the floor)
 *       --fresh: a new connection per request (CURLOPT_FRESH_CONNECT + FORBID_REUSE);
 *       without it, keep-alive. --no-session-cache: CURLOPT_SSL_SESSIONID_CACHE 0
 *       (set after mxtls_curl_setup). --new-handle: a new easy handle for every
 *       request (init, set-up, perform, release, cleanup), as runtimes call curl.
 *   bench_mtls multi --way usual-p12|usual-pem|mxtls --url URL --conns K [options]
 *       One multi handle, K easy handles started at once, one request each; the
 *       connections stay open until all are done. Reports base, end and peak RSS.
 *   bench_mtls floor --p12 F --password PW --ca CA.pem --server-cert SRV.pem
 *       The asymmetric crypto a client must do in one full mTLS handshake, timed with
 *       mbedTLS's primitives: ECDHE key generation + shared secret, ECDSA verifications
 *       (server CertificateVerify / ServerKeyExchange and the CA's signature on the server
 *       certificate: the real signature is verified) and the client's own signature with
 *       the context's key (exported from the context and parsed: the same key).
 *
 * Options: --p12 F --password PW (identity for usual-p12, mxtls, direct, floor),
 *   --cert F --key F (usual-pem), --ca F (the server's authority: CAINFO, or the only
 *   trust of the mxtls context; system roots are off), --backend openssl|mbedtls|gnutls
 *   (refuse to run on another libcurl), --expect mbedtls|blob|file (the mxtls hand-off mode),
 *   --system-roots (mxtls: trust the system roots too, not only --ca),
 *   --label L, --min-sec S (floor: CPU seconds per timing round, default 0.3).
 *
 * The server (nginx) answers every request with
 *   "reused=$ssl_session_reused proto=$ssl_protocol curve=$ssl_curve cipher=... dn=$ssl_client_s_dn"
 * and the driver counts resumed sessions ("r") and checks the client certificate was seen.
 *
 * Output: one line "RESULT key=value ..." (run, multi) or "FLOOR ..." lines (floor) on
 * stdout; exit 0 only if every request got a 200 with a client certificate.
 * CPU is CLOCK_PROCESS_CPUTIME_ID (all threads, user + kernel) around the timed loop;
 * getrusage gives the user/system split and ru_maxrss the peak RSS of the process.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
/* mbedtls_x509_crt.sig / sig_md / sig_pk have no accessor in mbedTLS 3.6. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <curl/curl.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>

#include <mxtls/mxtls.h>
#include <mxtls/mxtls_curl.h>

struct opts {
	const char *cmd, *way, *url, *p12, *pw, *cert, *key, *ca, *server_cert;
	const char *backend, *expect, *label;
	int n, conns, fresh, no_cache, system_roots, new_handle;
	double min_sec;
};

static struct opts o = {.n = 100, .conns = 100, .min_sec = 0.3, .label = "-"};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench_mtls: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* ---- clocks and memory ---- */

static double ts_sec(const struct timespec *t)
{
	return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

static double now(clockid_t clk)
{
	struct timespec t;

	if (clock_gettime(clk, &t) != 0)
		die("clock_gettime failed");
	return ts_sec(&t);
}

static double tv_sec(const struct timeval *t)
{
	return (double)t->tv_sec + (double)t->tv_usec / 1e6;
}

struct meter {
	double wall, cpu, user, sys;
};

static void meter_read(struct meter *m)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	m->wall = now(CLOCK_MONOTONIC);
	m->cpu = now(CLOCK_PROCESS_CPUTIME_ID);
	m->user = tv_sec(&ru.ru_utime);
	m->sys = tv_sec(&ru.ru_stime);
}

static void meter_diff(struct meter *d, const struct meter *a, const struct meter *b)
{
	d->wall = b->wall - a->wall;
	d->cpu = b->cpu - a->cpu;
	d->user = b->user - a->user;
	d->sys = b->sys - a->sys;
}

static long peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static long current_rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

/* ---- what the server saw ---- */

struct body {
	char buf[1024];
	size_t len;
};

struct tally {
	long ok, fail, reused, conns;
	char proto[32], curve[32], cipher[64], err[256];
};

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
	struct body *b = userp;
	size_t len = size * n, room = sizeof(b->buf) - 1 - b->len;

	if (len < room)
		room = len;
	memcpy(b->buf + b->len, p, room);
	b->len += room;
	b->buf[b->len] = '\0';
	return len;
}

static void token(const char *body, const char *key, char *out, size_t size)
{
	const char *p = strstr(body, key);
	size_t i = 0;

	if (p != NULL)
		for (p += strlen(key); *p && *p != ' ' && *p != '\n' && i + 1 < size; p++)
			out[i++] = *p;
	out[i] = '\0';
}

/* One response body: count it and remember what was negotiated. */
static void tally_body(struct tally *t, const char *body, long status)
{
	char reused[8], dn[256];

	token(body, "reused=", reused, sizeof(reused));
	token(body, "dn=", dn, sizeof(dn));
	if (status != 200 || dn[0] == '\0') {
		t->fail++;
		if (t->err[0] == '\0')
			snprintf(t->err, sizeof(t->err), "status %ld, body: %.200s", status, body);
		return;
	}
	t->ok++;
	t->reused += reused[0] == 'r';
	token(body, "proto=", t->proto, sizeof(t->proto));
	token(body, "curve=", t->curve, sizeof(t->curve));
	token(body, "cipher=", t->cipher, sizeof(t->cipher));
}

static void tally_error(struct tally *t, const char *what, const char *detail)
{
	t->fail++;
	if (t->err[0] == '\0')
		snprintf(t->err, sizeof(t->err), "%s: %s", what, detail);
}

/* ---- libmxtls context ---- */

static mxtls_ctx *make_ctx(double *ms)
{
	mxtls_config *cfg;
	mxtls_pkcs12 *p12;
	mxtls_trust *trust;
	mxtls_ctx *ctx;
	mxtls_error err;
	double t0 = now(CLOCK_PROCESS_CPUTIME_ID);

	if (o.p12 == NULL || o.ca == NULL)
		die("--p12 and --ca are needed");
	cfg = mxtls_config_new();
	if (cfg == NULL)
		die("out of memory");
	/* Only the private authority, as CURLOPT_CAINFO gives the usual ways; with
	 * --system-roots the system's too, as curl on GnuTLS adds its CA directory. */
	mxtls_config_set_system_roots(cfg, o.system_roots);
	p12 = mxtls_pkcs12_load_file(o.p12, o.pw, 0, &err);
	if (p12 == NULL || mxtls_config_add_identity(cfg, p12, 0, &err) != 0)
		die("identity: %s", err.message);
	mxtls_pkcs12_free(p12);
	trust = mxtls_trust_load_file(o.ca, &err);
	if (trust == NULL || mxtls_config_add_trust(cfg, trust, &err) != 0)
		die("authorities: %s", err.message);
	mxtls_trust_free(trust);
	ctx = mxtls_ctx_new(cfg, &err);
	mxtls_config_free(cfg);
	if (ctx == NULL)
		die("context: %s", err.message);
	if (ms)
		*ms = (now(CLOCK_PROCESS_CPUTIME_ID) - t0) * 1e3;
	return ctx;
}

/* ---- libcurl ---- */

static const char *ssl_backend(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	return v && v->ssl_version ? v->ssl_version : "none";
}

static void check_backend(void)
{
	const char *b = ssl_backend();

	if (o.backend != NULL) {
		if (strcmp(o.backend, "openssl") == 0 && strncmp(b, "OpenSSL/", 8) != 0)
			die("libcurl runs on %s, not OpenSSL (LD_LIBRARY_PATH?)", b);
		if (strcmp(o.backend, "mbedtls") == 0 && strncmp(b, "mbedTLS/", 8) != 0)
			die("libcurl runs on %s, not mbedTLS (LD_LIBRARY_PATH?)", b);
		if (strcmp(o.backend, "gnutls") == 0 && strncmp(b, "GnuTLS/", 7) != 0)
			die("libcurl runs on %s, not GnuTLS", b);
	}
	if (o.expect != NULL && strcmp(o.way, "mxtls") == 0) {
		int want = strcmp(o.expect, "mbedtls") == 0 ? MXTLS_CURL_MBEDTLS
			   : strcmp(o.expect, "file") == 0  ? MXTLS_CURL_FILE
							    : MXTLS_CURL_BLOB;
		if (mxtls_curl_mode_get() != want)
			die("the mxtls hand-off is %s, not the one expected", mxtls_curl_mode_name());
	}
}

#define SET(h, opt, val)                                                                           \
	do {                                                                                       \
		if (curl_easy_setopt((h), (opt), (val)) != CURLE_OK)                               \
			die("curl_easy_setopt(%s) failed", #opt);                                  \
	} while (0)

static void setup_easy(CURL *h, mxtls_ctx *ctx, struct body *b, int fresh)
{
	mxtls_error err;

	if (strcmp(o.way, "usual-p12") == 0) {
		SET(h, CURLOPT_SSLCERT, o.p12);
		SET(h, CURLOPT_SSLCERTTYPE, "P12");
		SET(h, CURLOPT_KEYPASSWD, o.pw);
		SET(h, CURLOPT_CAINFO, o.ca);
	} else if (strcmp(o.way, "usual-pem") == 0) {
		if (o.cert == NULL || o.key == NULL)
			die("usual-pem needs --cert and --key");
		SET(h, CURLOPT_SSLCERT, o.cert);
		SET(h, CURLOPT_SSLKEY, o.key);
		if (o.pw != NULL)
			SET(h, CURLOPT_KEYPASSWD, o.pw);
		SET(h, CURLOPT_CAINFO, o.ca);
	} else if (strcmp(o.way, "mxtls") == 0) {
		if (mxtls_curl_setup(h, ctx, 0, &err) != 0)
			die("mxtls_curl_setup: %s", err.message);
	} else {
		die("unknown --way %s", o.way);
	}
	SET(h, CURLOPT_URL, o.url);
	SET(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1); /* same for every way */
	SET(h, CURLOPT_NOSIGNAL, 1L);
	SET(h, CURLOPT_WRITEFUNCTION, on_body);
	SET(h, CURLOPT_WRITEDATA, b);
	SET(h, CURLOPT_FRESH_CONNECT, (long)fresh);
	SET(h, CURLOPT_FORBID_REUSE, (long)fresh);
	if (o.no_cache)
		SET(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
}

static void one_request(CURL *h, struct body *b, struct tally *t)
{
	long status = 0, conns = 0;
	CURLcode rc;

	b->len = 0;
	b->buf[0] = '\0';
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		tally_error(t, "curl", curl_easy_strerror(rc));
		return;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns);
	t->conns += conns;
	tally_body(t, b->buf, status);
}

/* A request on a new easy handle, set up and released around it (--new-handle). */
static void handle_request(mxtls_ctx *ctx, struct body *b, struct tally *t)
{
	CURL *h = curl_easy_init();

	if (h == NULL)
		die("curl_easy_init failed");
	setup_easy(h, ctx, b, o.fresh);
	one_request(h, b, t);
	mxtls_curl_release(h); /* harmless for the usual ways */
	curl_easy_cleanup(h);
}

/* ---- direct: the context's mbedTLS configuration, no curl ---- */

struct target {
	char host[256], port[16];
};

static void parse_url(struct target *tg)
{
	const char *p = strstr(o.url, "://"), *colon, *slash;
	size_t n;

	p = p ? p + 3 : o.url;
	colon = strchr(p, ':');
	slash = strchr(p, '/');
	if (colon == NULL || (slash && slash < colon))
		die("--url needs an explicit port: %s", o.url);
	n = (size_t)(colon - p);
	if (n >= sizeof(tg->host))
		die("host too long");
	memcpy(tg->host, p, n);
	tg->host[n] = '\0';
	n = slash ? (size_t)(slash - colon - 1) : strlen(colon + 1);
	if (n == 0 || n >= sizeof(tg->port))
		die("bad port in %s", o.url);
	memcpy(tg->port, colon + 1, n);
	tg->port[n] = '\0';
}

static void direct_request(const mbedtls_ssl_config *conf, const struct target *tg,
			   struct tally *t)
{
	mbedtls_net_context net;
	mbedtls_ssl_context ssl;
	char req[512], resp[4096], msg[128];
	size_t len = 0;
	const char *body;
	int ret, n, one = 1;
	long status = 0;

	mbedtls_net_init(&net);
	mbedtls_ssl_init(&ssl);
	ret = mbedtls_ssl_setup(&ssl, conf);
	if (ret == 0)
		ret = mbedtls_ssl_set_hostname(&ssl, tg->host);
	if (ret == 0)
		ret = mbedtls_net_connect(&net, tg->host, tg->port, MBEDTLS_NET_PROTO_TCP);
	if (ret != 0)
		goto done;
	/* As curl does (CURLOPT_TCP_NODELAY is on by default). */
	setsockopt(net.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, mbedtls_net_recv, NULL);
	while ((ret = mbedtls_ssl_handshake(&ssl)) != 0)
		if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE)
			goto done;
	n = snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n",
		     tg->host, tg->port);
	do
		ret = mbedtls_ssl_write(&ssl, (const unsigned char *)req, (size_t)n);
	while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
	if (ret < 0)
		goto done;
	for (;;) {
		ret = mbedtls_ssl_read(&ssl, (unsigned char *)resp + len, sizeof(resp) - 1 - len);
		if (ret > 0) {
			len += (size_t)ret;
			if (len == sizeof(resp) - 1)
				break;
			continue;
		}
		if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE ||
		    ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
			continue;
		break;
	}
	if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_NET_CONN_RESET)
		ret = 0;
	mbedtls_ssl_close_notify(&ssl);
done:
	if (ret < 0) {
		mbedtls_strerror(ret, msg, sizeof(msg));
		tally_error(t, "mbedTLS", msg);
	} else {
		resp[len] = '\0';
		sscanf(resp, "HTTP/1.%*d %ld", &status);
		body = strstr(resp, "\r\n\r\n");
		t->conns++;
		tally_body(t, body ? body + 4 : "", status);
	}
	mbedtls_ssl_free(&ssl);
	mbedtls_net_free(&net);
}

/* ---- run: N sequential requests ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* " p50_ms=... p90_ms=... max_ms=..." of per-request wall times (sorted in place). */
static void latency_text(double *lat, int n, char *out, size_t size)
{
	qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
	snprintf(out, size, " p50_ms=%.3f p90_ms=%.3f max_ms=%.3f", lat[n / 2] * 1e3,
		 lat[(n * 9) / 10] * 1e3, lat[n - 1] * 1e3);
}

static void print_result(const char *extra, long n, const struct tally *t,
			 const struct meter *d, double setup_ms)
{
	printf("RESULT label=%s way=%s curl=%s backend=%s n=%ld ok=%ld fail=%ld reused=%ld conns=%ld "
	       "wall_s=%.4f rps=%.1f cpu_ms=%.4f user_ms=%.4f sys_ms=%.4f rss_kb=%ld setup_ms=%.2f "
	       "proto=%s curve=%s cipher=%s%s\n",
	       o.label, o.way, curl_version_info(CURLVERSION_NOW)->version,
	       strcmp(o.way, "direct") == 0 ? "none" : ssl_backend(), n, t->ok,
	       t->fail, t->reused, t->conns, d->wall, d->wall > 0 ? (double)n / d->wall : 0.0,
	       d->cpu * 1e3 / (double)n, d->user * 1e3 / (double)n, d->sys * 1e3 / (double)n,
	       peak_rss_kb(), setup_ms, t->proto[0] ? t->proto : "-",
	       t->curve[0] ? t->curve : "-", t->cipher[0] ? t->cipher : "-", extra);
	if (t->fail)
		fprintf(stderr, "bench_mtls: %s: %ld failed, first: %s\n", o.label, t->fail, t->err);
}

static int cmd_run(void)
{
	struct tally warm = {0}, t = {0};
	struct meter a, b, d;
	struct body body;
	mxtls_ctx *ctx = NULL;
	double setup_ms = 0;
	CURL *h = NULL;
	int i, direct = strcmp(o.way, "direct") == 0;
	struct target tg;
	double *lat = calloc((size_t)o.n, sizeof(*lat)), t0;
	char extra[160];

	if (lat == NULL)
		die("out of memory");
	if (direct || strcmp(o.way, "mxtls") == 0)
		ctx = make_ctx(&setup_ms);
	if (direct) {
		parse_url(&tg);
		direct_request(mxtls_ctx_mbedtls_config(ctx, 0), &tg, &warm);
	} else if (o.new_handle) {
		check_backend();
		handle_request(ctx, &body, &warm); /* warm-up: libraries, first session, first connection */
	} else {
		check_backend();
		h = curl_easy_init();
		if (h == NULL)
			die("curl_easy_init failed");
		setup_easy(h, ctx, &body, o.fresh);
		one_request(h, &body, &warm); /* warm-up: libraries, first session, first connection */
	}
	if (warm.fail) {
		fprintf(stderr, "bench_mtls: %s: warm-up request failed: %s\n", o.label, warm.err);
		return 1;
	}
	meter_read(&a);
	for (i = 0; i < o.n; i++) {
		t0 = now(CLOCK_MONOTONIC);
		if (direct)
			direct_request(mxtls_ctx_mbedtls_config(ctx, 0), &tg, &t);
		else if (o.new_handle)
			handle_request(ctx, &body, &t);
		else
			one_request(h, &body, &t);
		lat[i] = now(CLOCK_MONOTONIC) - t0;
	}
	meter_read(&b);
	meter_diff(&d, &a, &b);
	latency_text(lat, o.n, extra, sizeof(extra));
	free(lat);
	print_result(extra, o.n, &t, &d, setup_ms);
	if (h) {
		mxtls_curl_release(h);
		curl_easy_cleanup(h);
	}
	mxtls_ctx_free(ctx);
	return t.fail ? 1 : 0;
}

/* ---- multi: K concurrent connections ---- */

static int cmd_multi(void)
{
	CURLM *m;
	CURL **hs;
	struct body *bodies;
	struct tally t = {0};
	struct meter a, b, d;
	mxtls_ctx *ctx = NULL;
	double setup_ms = 0;
	long base_kb, end_kb, peak_kb;
	int i, running = 0, left;
	CURLMsg *msg;
	char extra[160];

	check_backend();
	if (strcmp(o.way, "mxtls") == 0)
		ctx = make_ctx(&setup_ms);
	base_kb = current_rss_kb();
	m = curl_multi_init();
	hs = calloc((size_t)o.conns, sizeof(*hs));
	bodies = calloc((size_t)o.conns, sizeof(*bodies));
	if (m == NULL || hs == NULL || bodies == NULL)
		die("out of memory");
	/* Keep every connection alive in the multi's pool until the end. */
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)o.conns * 2);
	meter_read(&a);
	for (i = 0; i < o.conns; i++) {
		hs[i] = curl_easy_init();
		if (hs[i] == NULL)
			die("curl_easy_init failed");
		setup_easy(hs[i], ctx, &bodies[i], 0);
		SET(hs[i], CURLOPT_PRIVATE, (void *)&bodies[i]);
		curl_multi_add_handle(m, hs[i]);
	}
	do {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			die("curl_multi_perform failed");
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	} while (running);
	while ((msg = curl_multi_info_read(m, &left)) != NULL) {
		char *priv = NULL;
		long status = 0, conns = 0;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		if (msg->data.result != CURLE_OK) {
			tally_error(&t, "curl", curl_easy_strerror(msg->data.result));
			continue;
		}
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(msg->easy_handle, CURLINFO_NUM_CONNECTS, &conns);
		t.conns += conns;
		tally_body(&t, ((struct body *)(void *)priv)->buf, status);
	}
	meter_read(&b);
	meter_diff(&d, &a, &b);
	end_kb = current_rss_kb(); /* all K connections still open */
	peak_kb = peak_rss_kb();
	snprintf(extra, sizeof(extra), " conc=%d base_kb=%ld end_kb=%ld per_conn_kb=%.1f", o.conns,
		 base_kb, end_kb, (double)(peak_kb - base_kb) / o.conns);
	print_result(extra, o.conns, &t, &d, setup_ms);
	for (i = 0; i < o.conns; i++) {
		curl_multi_remove_handle(m, hs[i]);
		mxtls_curl_release(hs[i]);
		curl_easy_cleanup(hs[i]);
	}
	curl_multi_cleanup(m);
	free(hs);
	free(bodies);
	mxtls_ctx_free(ctx);
	return t.fail || t.ok != o.conns ? 1 : 0;
}

/* ---- floor: the handshake's asymmetric crypto with mbedTLS's primitives ---- */

static mbedtls_ctr_drbg_context drbg;
static mbedtls_entropy_context entropy;

struct ecdhe {
	mbedtls_ecp_group grp;
	mbedtls_mpi d, z, peer_d;
	mbedtls_ecp_point q, peer_q;
	psa_key_type_t psa_type;
	size_t bits;
	unsigned char peer_pub[133];
	size_t peer_pub_len;
};

struct verify {
	mbedtls_pk_context *pk;
	mbedtls_md_type_t md;
	const mbedtls_x509_buf *tbs, *sig;
};

struct sign {
	mbedtls_pk_context *pk;
	mbedtls_pk_type_t type; /* MBEDTLS_PK_RSASSA_PSS, or MBEDTLS_PK_NONE = the key's default */
	unsigned char hash[32];
};

static int op_keygen(void *arg)
{
	struct ecdhe *e = arg;
	return mbedtls_ecp_gen_keypair(&e->grp, &e->d, &e->q, mbedtls_ctr_drbg_random, &drbg);
}

static int op_shared(void *arg)
{
	struct ecdhe *e = arg;
	/* d is the last generated key: a fresh one is not needed for the cost. */
	return mbedtls_ecdh_compute_shared(&e->grp, &e->z, &e->peer_q, &e->d,
					   mbedtls_ctr_drbg_random, &drbg);
}

/* What mbedTLS's TLS 1.3 code does for (EC)DHE: PSA generate + export, then raw agreement. */
static int op_psa_ecdhe(void *arg)
{
	struct ecdhe *e = arg;
	psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
	psa_key_id_t key = 0;
	unsigned char pub[133], secret[66];
	size_t len;
	psa_status_t st;

	psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE);
	psa_set_key_algorithm(&attr, PSA_ALG_ECDH);
	psa_set_key_type(&attr, e->psa_type);
	psa_set_key_bits(&attr, e->bits);
	st = psa_generate_key(&attr, &key);
	if (st == PSA_SUCCESS)
		st = psa_export_public_key(key, pub, sizeof(pub), &len);
	if (st == PSA_SUCCESS)
		st = psa_raw_key_agreement(PSA_ALG_ECDH, key, e->peer_pub, e->peer_pub_len, secret,
					   sizeof(secret), &len);
	psa_destroy_key(key);
	return st == PSA_SUCCESS ? 0 : -1;
}

static int op_verify(void *arg)
{
	struct verify *v = arg;
	unsigned char hash[32];
	int ret = mbedtls_sha256(v->tbs->p, v->tbs->len, hash, 0);

	return ret ? ret : mbedtls_pk_verify(v->pk, v->md, hash, 32, v->sig->p, v->sig->len);
}

static int op_sign(void *arg)
{
	struct sign *s = arg;
	unsigned char sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t len;

	if (s->type == MBEDTLS_PK_RSASSA_PSS)
		return mbedtls_pk_sign_ext(MBEDTLS_PK_RSASSA_PSS, s->pk, MBEDTLS_MD_SHA256, s->hash,
					   32, sig, sizeof(sig), &len, mbedtls_ctr_drbg_random,
					   &drbg);
	return mbedtls_pk_sign(s->pk, MBEDTLS_MD_SHA256, s->hash, 32, sig, sizeof(sig), &len,
			       mbedtls_ctr_drbg_random, &drbg);
}

/* Mean CPU microseconds of one call: best of 3 rounds of at least min_sec each. */
static double time_op(const char *name, int (*fn)(void *), void *arg)
{
	double best = 1e30;
	int round;

	for (round = 0; round < 3; round++) {
		double t0 = now(CLOCK_PROCESS_CPUTIME_ID), t;
		long it = 0;
		int ret;

		do {
			ret = fn(arg);
			if (ret != 0) {
				char msg[128];
				mbedtls_strerror(ret, msg, sizeof(msg));
				fprintf(stderr, "bench_mtls: %s failed: -0x%04x %s\n", name,
					(unsigned)-ret, msg);
				exit(1);
			}
			it++;
			t = now(CLOCK_PROCESS_CPUTIME_ID) - t0;
		} while (t < o.min_sec || it < 20);
		if (t / (double)it < best)
			best = t / (double)it;
	}
	printf("FLOOR op=%s us=%.1f\n", name, best * 1e6);
	fflush(stdout);
	return best * 1e6;
}

static void ecdhe_init(struct ecdhe *e, mbedtls_ecp_group_id id, psa_key_type_t type, size_t bits)
{
	memset(e, 0, sizeof(*e));
	mbedtls_ecp_group_init(&e->grp);
	mbedtls_mpi_init(&e->d);
	mbedtls_mpi_init(&e->z);
	mbedtls_mpi_init(&e->peer_d);
	mbedtls_ecp_point_init(&e->q);
	mbedtls_ecp_point_init(&e->peer_q);
	e->psa_type = type;
	e->bits = bits;
	if (mbedtls_ecp_group_load(&e->grp, id) != 0 ||
	    mbedtls_ecp_gen_keypair(&e->grp, &e->peer_d, &e->peer_q, mbedtls_ctr_drbg_random,
				    &drbg) != 0 ||
	    mbedtls_ecp_gen_keypair(&e->grp, &e->d, &e->q, mbedtls_ctr_drbg_random, &drbg) != 0 ||
	    mbedtls_ecp_point_write_binary(&e->grp, &e->peer_q, MBEDTLS_ECP_PF_UNCOMPRESSED,
					   &e->peer_pub_len, e->peer_pub,
					   sizeof(e->peer_pub)) != 0)
		die("ECDHE set-up failed");
}

static void ecdhe_free(struct ecdhe *e)
{
	mbedtls_ecp_group_free(&e->grp);
	mbedtls_mpi_free(&e->d);
	mbedtls_mpi_free(&e->z);
	mbedtls_mpi_free(&e->peer_d);
	mbedtls_ecp_point_free(&e->q);
	mbedtls_ecp_point_free(&e->peer_q);
}

static int cmd_floor(void)
{
	mxtls_ctx *ctx;
	mxtls_error err;
	char *chain = NULL, *key_pem = NULL;
	size_t chain_len = 0, key_len = 0;
	mbedtls_pk_context key;
	mbedtls_x509_crt ca, srv;
	struct ecdhe p256, x25519;
	struct verify v;
	struct sign s13, s12;
	double kg256, sh256, kgx, shx, ver, sign13, sign12;
	const char *id;
	int ret;

	if (o.server_cert == NULL)
		die("floor needs --server-cert");
	ctx = make_ctx(NULL);
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
				  (const unsigned char *)"bench", 5) != 0)
		die("cannot seed the DRBG");
	if (psa_crypto_init() != PSA_SUCCESS)
		die("psa_crypto_init failed");

	/* The context's private key, as the context exports it (the same key). */
	if (mxtls_ctx_export_identity_pem(ctx, 0, &chain, &chain_len, &key_pem, &key_len, &err) != 0)
		die("export: %s", err.message);
	mbedtls_pk_init(&key);
	ret = mbedtls_pk_parse_key(&key, (const unsigned char *)key_pem, key_len + 1, NULL, 0,
				   mbedtls_ctr_drbg_random, &drbg);
	mxtls_free_secret(key_pem, key_len);
	mxtls_free_secret(chain, chain_len);
	if (ret != 0)
		die("cannot parse the exported key");
	id = mbedtls_pk_get_type(&key) == MBEDTLS_PK_RSA ? "rsa" : "ec";

	mbedtls_x509_crt_init(&ca);
	mbedtls_x509_crt_init(&srv);
	if (mbedtls_x509_crt_parse_file(&ca, o.ca) != 0 ||
	    mbedtls_x509_crt_parse_file(&srv, o.server_cert) != 0)
		die("cannot parse --ca or --server-cert");
	if (srv.sig_pk != MBEDTLS_PK_ECDSA || srv.sig_md != MBEDTLS_MD_SHA256 ||
	    mbedtls_pk_get_type(&ca.pk) != MBEDTLS_PK_ECKEY)
		die("the server certificate must be ECDSA-with-SHA256 from an EC CA");
	v = (struct verify){&ca.pk, MBEDTLS_MD_SHA256, &srv.tbs, &srv.sig};

	ecdhe_init(&p256, MBEDTLS_ECP_DP_SECP256R1, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1),
		   256);
	ecdhe_init(&x25519, MBEDTLS_ECP_DP_CURVE25519,
		   PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY), 255);
	/* The X25519 peer key for PSA is the raw 32-byte u coordinate. */
	x25519.peer_pub_len = 32;
	if (mbedtls_ecp_point_write_binary(&x25519.grp, &x25519.peer_q, MBEDTLS_ECP_PF_UNCOMPRESSED,
					   &x25519.peer_pub_len, x25519.peer_pub, 32) != 0)
		die("X25519 export failed");

	s13.pk = s12.pk = &key;
	memset(s13.hash, 0x5a, 32);
	memset(s12.hash, 0xa5, 32);
	s13.type = strcmp(id, "rsa") == 0 ? MBEDTLS_PK_RSASSA_PSS : MBEDTLS_PK_NONE;
	s12.type = MBEDTLS_PK_NONE; /* TLS 1.2: PKCS#1 v1.5 for RSA, ECDSA for EC */

	printf("FLOOR info id=%s key_bits=%zu mbedtls=%s\n", id, mbedtls_pk_get_bitlen(&key),
	       mxtls_mbedtls_version());
	kg256 = time_op("ecdhe_keygen_p256", op_keygen, &p256);
	sh256 = time_op("ecdh_shared_p256", op_shared, &p256);
	kgx = time_op("ecdhe_keygen_x25519", op_keygen, &x25519);
	shx = time_op("ecdh_shared_x25519", op_shared, &x25519);
	time_op("psa_ecdhe_p256", op_psa_ecdhe, &p256);
	time_op("psa_ecdhe_x25519", op_psa_ecdhe, &x25519);
	ver = time_op("ecdsa_verify_p256", op_verify, &v);
	if (strcmp(id, "rsa") == 0) {
		sign13 = time_op("rsa2048_sign_pss", op_sign, &s13);
		sign12 = time_op("rsa2048_sign_pkcs1", op_sign, &s12);
	} else {
		sign13 = time_op("ecdsa_sign_p256", op_sign, &s13);
		sign12 = sign13;
	}
	/* 1 ECDHE keygen + 1 shared secret + 2 ECDSA verifies + 1 own signature. */
	printf("FLOOR sum id=%s tls=1.3 group=P-256 us=%.1f\n", id, kg256 + sh256 + 2 * ver + sign13);
	printf("FLOOR sum id=%s tls=1.2 group=P-256 us=%.1f\n", id, kg256 + sh256 + 2 * ver + sign12);
	printf("FLOOR sum id=%s tls=1.3 group=X25519 us=%.1f\n", id, kgx + shx + 2 * ver + sign13);
	printf("FLOOR sum id=%s tls=1.2 group=X25519 us=%.1f\n", id, kgx + shx + 2 * ver + sign12);

	ecdhe_free(&p256);
	ecdhe_free(&x25519);
	mbedtls_x509_crt_free(&ca);
	mbedtls_x509_crt_free(&srv);
	mbedtls_pk_free(&key);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	mxtls_ctx_free(ctx);
	return 0;
}

int main(int argc, char **argv)
{
	int i, ret;

	if (argc < 2) {
		fprintf(stderr, "usage: see the comment at the top of tests/bench/bench_mtls.c\n");
		return 2;
	}
	o.cmd = argv[1];
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--fresh"))
			o.fresh = 1;
		else if (!strcmp(a, "--no-session-cache"))
			o.no_cache = 1;
		else if (!strcmp(a, "--new-handle"))
			o.new_handle = 1;
		else if (v == NULL)
			die("%s needs a value (or is unknown)", a);
		else if (!strcmp(a, "--way"))
			o.way = v, i++;
		else if (!strcmp(a, "--url"))
			o.url = v, i++;
		else if (!strcmp(a, "--n"))
			o.n = atoi(v), i++;
		else if (!strcmp(a, "--conns"))
			o.conns = atoi(v), i++;
		else if (!strcmp(a, "--p12"))
			o.p12 = v, i++;
		else if (!strcmp(a, "--password"))
			o.pw = v, i++;
		else if (!strcmp(a, "--cert"))
			o.cert = v, i++;
		else if (!strcmp(a, "--key"))
			o.key = v, i++;
		else if (!strcmp(a, "--ca"))
			o.ca = v, i++;
		else if (!strcmp(a, "--server-cert"))
			o.server_cert = v, i++;
		else if (!strcmp(a, "--backend"))
			o.backend = v, i++;
		else if (!strcmp(a, "--expect"))
			o.expect = v, i++;
		else if (!strcmp(a, "--system-roots"))
			o.system_roots = 1;
		else if (!strcmp(a, "--label"))
			o.label = v, i++;
		else if (!strcmp(a, "--min-sec"))
			o.min_sec = atof(v), i++;
		else
			die("unknown option %s", a);
	}
	if (strcmp(o.cmd, "floor") == 0)
		return cmd_floor();
	if (o.way == NULL || o.url == NULL || o.n < 1 || o.conns < 1)
		die("need --way and --url (and N >= 1)");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die("curl_global_init failed");
	if (strcmp(o.cmd, "run") == 0)
		ret = cmd_run();
	else if (strcmp(o.cmd, "multi") == 0)
		ret = cmd_multi();
	else
		die("unknown command %s", o.cmd);
	curl_global_cleanup();
	return ret;
}
