/*
 * tls_probe: drive HTTPS requests through libcurl with a libmxtls context, the
 * way an app runtime does, and print each response body. Used by
 * tests/tls/test_peers.py against nginx and openssl s_server.
 *
 * usage: tls_probe [--identity F --password PW]... [--authorities F]
 *                  [--no-system-roots] [--requests N] [--threads T]
 *                  [--fresh] [--switch] URL
 *   --identity may repeat: with --switch, request k uses identity k % n on
 *   one easy handle (each identity in its own context, as after a rotation).
 *   --fresh: a new connection for every request (resumption shows).
 *   --usual-cainfo F: control case, curl's own CURLOPT_CAINFO instead of libmxtls.
 *   --usual-cert F --usual-key F: with --usual-cainfo, curl's own client
 *   certificate and key files too (the usual way, for comparisons).
 *   --insecure-after: set VERIFYPEER/VERIFYHOST to 0 after the libmxtls setup.
 *   --none-after-first: requests after the first are set up with no identity.
 *   --select: set up with mxtls_curl_setup_for(URL) (per-connection host check).
 *   --release-after-first: mxtls_curl_release() after the first request, then
 *   curl's own CURLOPT_CAINFO (--authorities): nothing of ours may stay.
 *   --pause URL2: request URL, print "paused", wait for a line on stdin, then
 *   request URL2 on a second easy handle set up with the same context and
 *   identity, while the first still holds them (so the files curl reads are
 *   the same ones, whatever the test did to them meanwhile).
 * Exit 0 if every request got a 2xx answer.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtls/mxtls.h"
#include "mxtls/mxtls_curl.h"

#define MAX_IDS 4

struct opts {
	const char *ids[MAX_IDS], *pws[MAX_IDS], *auth, *url, *usual_ca, *usual_cert, *usual_key,
		*pause_url;
	int nids, system_roots, requests, threads, fresh, do_switch, insecure_after, none_after_first,
	    select, release_after_first;
};

static struct opts o = {.system_roots = 1, .requests = 1, .threads = 1};
static mxtls_ctx *ctxs[MAX_IDS + 1];
static int nctx;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static mxtls_ctx *make_ctx(const char *id, const char *pw)
{
	mxtls_config *cfg = mxtls_config_new();
	mxtls_error err;
	mxtls_ctx *ctx;

	mxtls_config_set_system_roots(cfg, o.system_roots);
	if (id) {
		mxtls_pkcs12 *p = mxtls_pkcs12_load_file(id, pw, 0, &err);
		if (p == NULL || mxtls_config_add_identity(cfg, p, 0, &err) != 0) {
			fprintf(stderr, "tls_probe: %s\n", err.message);
			exit(2);
		}
		mxtls_pkcs12_free(p);
	}
	if (o.auth) {
		mxtls_trust *t = mxtls_trust_load_file(o.auth, &err);
		if (t == NULL || mxtls_config_add_trust(cfg, t, &err) != 0) {
			fprintf(stderr, "tls_probe: %s\n", err.message);
			exit(2);
		}
		mxtls_trust_free(t);
	}
	ctx = mxtls_ctx_new(cfg, &err);
	mxtls_config_free(cfg);
	if (ctx == NULL) {
		fprintf(stderr, "tls_probe: %s\n", err.message);
		exit(2);
	}
	return ctx;
}

struct body {
	char buf[4096];
	size_t len;
};

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
	struct body *b = userp;
	size_t len = size * n, room = sizeof(b->buf) - 1 - b->len;

	memcpy(b->buf + b->len, p, len < room ? len : room);
	b->len += len < room ? len : room;
	b->buf[b->len] = '\0';
	return len;
}

/* One request on h: prints "thread=T request=K status=S <body>" or an error; 1 if it failed. */
static long perform(CURL *h, long t, int k, const char *url)
{
	struct body b = {.len = 0};
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0, failed;
	CURLcode rc;

	if (o.insecure_after) {
		/* An app (or a wrapper) switching verification off after our setup. */
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, (long)o.fresh);
	curl_easy_setopt(h, CURLOPT_FORBID_REUSE, (long)o.fresh);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	pthread_mutex_lock(&out_lock);
	if (rc != CURLE_OK) {
		printf("thread=%ld request=%d error=%s: %s\n", t, k, curl_easy_strerror(rc),
		       errbuf);
		failed = 1;
	} else {
		printf("thread=%ld request=%d status=%ld %s", t, k, status, b.buf);
		if (b.len == 0 || b.buf[b.len - 1] != '\n')
			putchar('\n');
		failed = status < 200 || status > 299;
	}
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
	return failed;
}

static void *worker(void *arg)
{
	long failures = 0, t = (long)(intptr_t)arg;
	CURL *h = curl_easy_init();
	mxtls_error err;
	int k;

	for (k = 0; k < o.requests; k++) {
		mxtls_ctx *ctx = ctxs[o.do_switch ? k % nctx : 0];

		if (o.usual_ca) {
			/* Control: curl configured the usual way loads its CA file itself. */
			curl_easy_setopt(h, CURLOPT_CAINFO, o.usual_ca);
			curl_easy_setopt(h, CURLOPT_SSLCERT, o.usual_cert);
			curl_easy_setopt(h, CURLOPT_SSLKEY, o.usual_key);
		} else if (o.release_after_first && k >= 1) {
			if (k == 1) {
				mxtls_curl_release(h);
				curl_easy_setopt(h, CURLOPT_CAINFO, o.auth);
			}
		} else if (o.none_after_first && k == 1 &&
			   mxtls_curl_setup(h, ctx, MXTLS_NO_IDENTITY, &err) != 0) {
			fprintf(stderr, "tls_probe: %s\n", err.message);
			failures++;
			break;
		} else if ((k == 0 || o.do_switch) &&
			   (o.select ? mxtls_curl_setup_for(h, ctx, NULL, o.url, &err)
				     : mxtls_curl_setup(h, ctx, 0, &err)) != 0) {
			fprintf(stderr, "tls_probe: %s\n", err.message);
			failures++;
			break;
		}
		failures += perform(h, t, k, o.url);
	}
	mxtls_curl_release(h);
	curl_easy_cleanup(h);
	return (void *)(intptr_t)failures;
}

/*
 * --pause URL2: two easy handles on one context and identity, the first kept
 * set up (so the state and its files stay) while the test meddles with them.
 */
static long paused_requests(void)
{
	CURL *first = curl_easy_init(), *second = curl_easy_init();
	char line[16];
	mxtls_error err;
	long failures = 0;

	if (mxtls_curl_setup(first, ctxs[0], 0, &err) != 0 ||
	    mxtls_curl_setup(second, ctxs[0], 0, &err) != 0) {
		fprintf(stderr, "tls_probe: %s\n", err.message);
		failures = 1;
	} else {
		failures += perform(first, 0, 0, o.url);
		printf("paused\n");
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL)
			failures++;
		else
			failures += perform(second, 0, 1, o.pause_url);
	}
	mxtls_curl_release(first);
	mxtls_curl_release(second);
	curl_easy_cleanup(first);
	curl_easy_cleanup(second);
	return failures;
}

/* o.threads workers, each with its own easy handle; the number of failed requests. */
static long run_workers(void)
{
	pthread_t th[64];
	long failures = 0;
	int i;

	for (i = 0; i < o.threads; i++)
		pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
	for (i = 0; i < o.threads; i++) {
		void *r;
		pthread_join(th[i], &r);
		failures += (long)(intptr_t)r;
	}
	return failures;
}

int main(int argc, char **argv)
{
	long failures = 0, before = 0, (*count)(void);
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--identity") && i + 1 < argc && o.nids < MAX_IDS)
			o.ids[o.nids++] = argv[++i];
		else if (!strcmp(argv[i], "--password") && i + 1 < argc && o.nids > 0)
			o.pws[o.nids - 1] = argv[++i];
		else if (!strcmp(argv[i], "--authorities") && i + 1 < argc)
			o.auth = argv[++i];
		else if (!strcmp(argv[i], "--no-system-roots"))
			o.system_roots = 0;
		else if (!strcmp(argv[i], "--requests") && i + 1 < argc)
			o.requests = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			o.threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--fresh"))
			o.fresh = 1;
		else if (!strcmp(argv[i], "--switch"))
			o.do_switch = 1;
		else if (!strcmp(argv[i], "--none-after-first"))
			o.none_after_first = 1;
		else if (!strcmp(argv[i], "--select"))
			o.select = 1;
		else if (!strcmp(argv[i], "--release-after-first"))
			o.release_after_first = 1;
		else if (!strcmp(argv[i], "--insecure-after"))
			o.insecure_after = 1;
		else if (!strcmp(argv[i], "--pause") && i + 1 < argc)
			o.pause_url = argv[++i];
		else if (!strcmp(argv[i], "--usual-cainfo") && i + 1 < argc)
			o.usual_ca = argv[++i];
		else if (!strcmp(argv[i], "--usual-cert") && i + 1 < argc)
			o.usual_cert = argv[++i];
		else if (!strcmp(argv[i], "--usual-key") && i + 1 < argc)
			o.usual_key = argv[++i];
		else
			o.url = argv[i];
	}
	if (o.url == NULL || o.threads < 1 || o.threads > 64 || o.requests < 1) {
		fprintf(stderr, "usage: see the comment at the top of tls_probe.c\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (o.nids == 0)
		ctxs[nctx++] = make_ctx(NULL, NULL);
	for (i = 0; i < o.nids; i++)
		ctxs[nctx++] = make_ctx(o.ids[i], o.pws[i]);
	fprintf(stderr, "tls_probe: curl hand-off %s\n", mxtls_curl_mode_name());
	/* With tests/tls/count_parses preloaded: what is parsed from here on is per connection. */
	count = (long (*)(void))dlsym(RTLD_DEFAULT, "mxtls_test_config_parses");
	before = count ? count() : 0;
	failures = o.pause_url ? paused_requests() : run_workers();
	if (count)
		printf("config parses during requests: %ld\n", count() - before);
	for (i = 0; i < nctx; i++)
		mxtls_ctx_free(ctxs[i]);
	curl_global_cleanup();
	return failures ? 1 : 0;
}
