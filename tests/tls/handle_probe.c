/*
 * handle_probe: the way runtimes call the libcurl hand-off, one new easy
 * handle per request (curl_easy_init, mxtls_curl_setup_runtime, perform,
 * mxtls_curl_release, curl_easy_cleanup), with the identities, pins and
 * authorities of the environment. Used by tests/tls/test_peers.py.
 *
 * usage: handle_probe [options] URL...
 *   Request k goes to URL k % n. Each prints one line:
 *   "request=K url=I status=S new_connections=C <body>" or "request=K url=I error=...".
 *   --requests N     requests in all (default: one per URL)
 *   --threads T      T threads, each making all the requests (default 1)
 *   --fresh          CURLOPT_FRESH_CONNECT and CURLOPT_FORBID_REUSE (a new TCP
 *                    connection each time: resumption shows)
 *   --own-connections  mxtls_curl_share_connections(h, 0) after each set-up
 *   --capath V / --cainfo V  the application sets CURLOPT_CAPATH / CAINFO to V
 *                    ("" for NULL) after the set-up
 *   --follow         CURLOPT_FOLLOWLOCATION
 *   --app-ssl-ctx    the application sets its own CURLOPT_SSL_CTX_FUNCTION after set-up
 *   --explicit-first I  request 0 is set up with identity I (mxtls_curl_setup), not by selection
 *   --other-thread   set the handle up in the main thread, perform it in another; on
 *                    failure print mxtls_curl_last_error()
 *   --pause-at K     before request K: print "paused", wait for a line on stdin,
 *                    then mxtls_runtime_reload() (the test has changed the files)
 *   --restart-at K   before request K: free the runtime (its last context),
 *                    print "restarted", wait for a line, and start a new one
 *   --dup            set a handle up for the URL and duplicate it; perform the copy
 *                    while the original is set up, then again after the original
 *                    is released and cleaned up
 *   --multi M        requests M at a time on one multi handle (curl_multi_perform)
 *   --cycle          one handle: set up and perform; release and perform with curl's
 *                    own CAINFO ($MXTLS_CERTIFICATE_AUTHORITIES_FILE); set up again and
 *                    perform (curl 7.88 leaked its session cache on this path)
 *   --resolve H:P:A  CURLOPT_RESOLVE (a test host name on 127.0.0.1)
 *   --features       print "IDN" if this libcurl converts international names, and stop
 * Exit 0 if every request got a 2xx answer.
 */
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtls/mxtls.h"
#include "mxtls/mxtls_curl.h"

static struct {
	const char *urls[8], *capath, *cainfo;
	struct curl_slist *resolve;
	int nurls, requests, threads, fresh, own, follow, pause_at, restart_at, dup, multi, app_ssl_ctx;
	int cycle, explicit_first, other_thread;
	int set_capath, set_cainfo;
} o = {.threads = 1, .pause_at = -1, .restart_at = -1, .explicit_first = -1};

static mxtls_runtime *rt;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

struct call {
	CURL *h;
	int k, url;
	char body[2048], err[CURL_ERROR_SIZE];
	size_t len;
};

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
	struct call *c = userp;
	size_t len = size * n, room = sizeof(c->body) - 1 - c->len;

	memcpy(c->body + c->len, p, len < room ? len : room);
	c->len += len < room ? len : room;
	c->body[c->len] = '\0';
	return len;
}

static void wait_line(const char *say)
{
	char line[16];

	printf("%s\n", say);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		exit(3);
}

/* An application's own TLS callback, which does nothing. */
static CURLcode app_ssl_ctx(CURL *h, void *ssl_ctx, void *userp)
{
	(void)h;
	(void)ssl_ctx;
	(void)userp;
	return CURLE_OK;
}

/* A new handle set up for request k, as a runtime's HTTP helper makes one. */
static int begin(struct call *c, int k)
{
	mxtls_error err;

	memset(c, 0, sizeof(*c));
	c->k = k;
	c->url = k % o.nurls;
	c->h = curl_easy_init();
	if (k == 0 && o.explicit_first >= 0) {
		mxtls_ctx *ctx = mxtls_runtime_ctx(rt);
		int rc = mxtls_curl_setup(c->h, ctx, (size_t)o.explicit_first, &err);
		mxtls_ctx_free(ctx);
		if (rc != 0) {
			fprintf(stderr, "handle_probe: %s\n", err.message);
			return -1;
		}
	} else if (c->h == NULL || mxtls_curl_setup_runtime(c->h, rt, NULL, o.urls[c->url], &err) != 0 ||
	    (o.own && mxtls_curl_share_connections(c->h, 0, &err) != 0)) {
		fprintf(stderr, "handle_probe: %s\n", err.message);
		return -1;
	}
	if (o.own && k == 0 && o.explicit_first >= 0 && mxtls_curl_share_connections(c->h, 0, &err) != 0)
		return -1;
	if (o.set_capath)
		curl_easy_setopt(c->h, CURLOPT_CAPATH, o.capath[0] ? o.capath : NULL);
	if (o.set_cainfo)
		curl_easy_setopt(c->h, CURLOPT_CAINFO, o.cainfo[0] ? o.cainfo : NULL);
	if (o.app_ssl_ctx) /* not built into every libcurl: then it is refused, and that is fine */
		curl_easy_setopt(c->h, CURLOPT_SSL_CTX_FUNCTION, app_ssl_ctx);
	curl_easy_setopt(c->h, CURLOPT_URL, o.urls[c->url]);
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->h, CURLOPT_ERRORBUFFER, c->err);
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->h, CURLOPT_FOLLOWLOCATION, (long)o.follow);
	curl_easy_setopt(c->h, CURLOPT_RESOLVE, o.resolve);
	if (o.fresh) {
		curl_easy_setopt(c->h, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(c->h, CURLOPT_FORBID_REUSE, 1L);
	}
	return 0;
}

/* Print the outcome and clean up; 1 if the request failed. */
static int end(struct call *c, CURLcode rc)
{
	long status = 0, conns = -1;
	int failed;

	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c->h, CURLINFO_NUM_CONNECTS, &conns);
	pthread_mutex_lock(&out_lock);
	if (rc != CURLE_OK) {
		printf("request=%d url=%d error=%s: %s\n", c->k, c->url, curl_easy_strerror(rc), c->err);
		failed = 1;
	} else {
		printf("request=%d url=%d status=%ld new_connections=%ld %s%s", c->k, c->url, status,
		       conns, c->body, c->len && c->body[c->len - 1] == '\n' ? "" : "\n");
		failed = status < 200 || status > 299;
	}
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
	mxtls_curl_release(c->h);
	curl_easy_cleanup(c->h);
	return failed;
}

static void *worker(void *arg)
{
	long failures = 0;
	struct call c;
	int k;

	(void)arg;
	for (k = 0; k < o.requests; k++) {
		if (begin(&c, k) != 0)
			return (void *)1L;
		failures += end(&c, curl_easy_perform(c.h));
	}
	return (void *)failures;
}

/* M transfers at a time on one multi handle, each on its own new handle. */
static long multi_requests(void)
{
	CURLM *m = curl_multi_init();
	struct call *calls = calloc((size_t)o.requests, sizeof(*calls));
	int next = 0, running = 0, done = 0, left;
	long failures = 0;
	CURLMsg *msg;

	while (done < o.requests) {
		while (running < o.multi && next < o.requests) {
			if (begin(&calls[next], next) != 0)
				return o.requests;
			curl_easy_setopt(calls[next].h, CURLOPT_PRIVATE, &calls[next]);
			curl_multi_add_handle(m, calls[next++].h);
			running++;
		}
		curl_multi_perform(m, &left);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct call *c;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
			curl_multi_remove_handle(m, c->h);
			failures += end(c, msg->data.result);
			running--;
			done++;
		}
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	curl_multi_cleanup(m);
	free(calls);
	return failures;
}

static void *perform_thread(void *arg)
{
	struct call *c = arg;

	return (void *)(intptr_t)curl_easy_perform(c->h);
}

/* --other-thread: set up here, performed in another thread. */
static long other_thread_request(void)
{
	struct call c;
	pthread_t th;
	void *rc;
	mxtls_error err;

	if (begin(&c, 0) != 0)
		return 1;
	pthread_create(&th, NULL, perform_thread, &c);
	pthread_join(th, &rc);
	if ((CURLcode)(intptr_t)rc != CURLE_OK && mxtls_curl_last_error(c.h, &err)) {
		long conns = -1;

		curl_easy_getinfo(c.h, CURLINFO_NUM_CONNECTS, &conns);
		printf("last_error=%s: %s\nconnections_made=%ld\n", mxtls_error_name(err.code),
		       err.message, conns);
	}
	return end(&c, (CURLcode)(intptr_t)rc);
}

static int report(struct call *c, CURLcode rc);

/* The copy of a handle set up by selection: while the original is set up, and after it is gone. */
static long dup_request(void)
{
	struct call c, copy;

	if (begin(&c, 0) != 0)
		return 1;
	copy = c;
	copy.h = curl_easy_duphandle(c.h);
	curl_easy_setopt(copy.h, CURLOPT_WRITEDATA, &copy);
	curl_easy_setopt(copy.h, CURLOPT_ERRORBUFFER, copy.err);
	report(&copy, curl_easy_perform(copy.h));
	mxtls_curl_release(c.h);
	curl_easy_cleanup(c.h);
	copy.len = 0, copy.body[0] = '\0', copy.err[0] = '\0', copy.k = 1;
	return end(&copy, curl_easy_perform(copy.h));
}

/* Print one transfer of the handle c->h (kept afterwards); 1 if it failed. */
static int report(struct call *c, CURLcode rc)
{
	long status = 0;

	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
		printf("request=%d url=0 error=%s\n", c->k, curl_easy_strerror(rc));
	else
		printf("request=%d url=0 status=%ld new_connections=0 %s%s", c->k, status, c->body,
		       c->len && c->body[c->len - 1] == '\n' ? "" : "\n");
	fflush(stdout);
	return rc != CURLE_OK;
}

/* --cycle: set-up, release and set-up again on one handle, with a transfer between each. */
static long cycle_requests(void)
{
	struct call c;
	mxtls_error err;
	long failures = 0;

	if (begin(&c, 0) != 0)
		return 1;
	failures += report(&c, curl_easy_perform(c.h));
	mxtls_curl_release(c.h);
	curl_easy_setopt(c.h, CURLOPT_CAINFO, getenv("MXTLS_CERTIFICATE_AUTHORITIES_FILE"));
	c.len = 0, c.body[0] = '\0', c.k = 1;
	failures += report(&c, curl_easy_perform(c.h)); /* no certificate: nginx answers 400 */
	if (mxtls_curl_setup_runtime(c.h, rt, NULL, o.urls[0], &err) != 0) {
		fprintf(stderr, "handle_probe: %s\n", err.message);
		failures++;
	}
	c.len = 0, c.body[0] = '\0', c.k = 2;
	failures += report(&c, curl_easy_perform(c.h));
	mxtls_curl_release(c.h);
	curl_easy_cleanup(c.h);
	return failures;
}

static void start_runtime(void)
{
	mxtls_error err;

	rt = mxtls_runtime_new(NULL, NULL, NULL, &err);
	if (rt == NULL) {
		fprintf(stderr, "handle_probe: %s (%s)\n", err.message, mxtls_error_name(err.code));
		exit(2);
	}
}

int main(int argc, char **argv)
{
	long failures = 0;
	pthread_t th[16];
	mxtls_error err;
	int i;

	/* libcurl converts international names from the locale's charset, as programs set it. */
	setlocale(LC_ALL, "");
	if (argc == 2 && !strcmp(argv[1], "--features")) {
		printf("%s\n", curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_IDN ? "IDN" : "");
		return 0;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--requests") && i + 1 < argc)
			o.requests = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			o.threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--fresh"))
			o.fresh = 1;
		else if (!strcmp(argv[i], "--own-connections"))
			o.own = 1;
		else if (!strcmp(argv[i], "--follow"))
			o.follow = 1;
		else if (!strcmp(argv[i], "--app-ssl-ctx"))
			o.app_ssl_ctx = 1;
		else if (!strcmp(argv[i], "--explicit-first") && i + 1 < argc)
			o.explicit_first = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--other-thread"))
			o.other_thread = 1;
		else if (!strcmp(argv[i], "--cycle"))
			o.cycle = 1;
		else if (!strcmp(argv[i], "--dup"))
			o.dup = 1;
		else if (!strcmp(argv[i], "--capath") && i + 1 < argc)
			o.capath = argv[++i], o.set_capath = 1;
		else if (!strcmp(argv[i], "--cainfo") && i + 1 < argc)
			o.cainfo = argv[++i], o.set_cainfo = 1;
		else if (!strcmp(argv[i], "--pause-at") && i + 1 < argc)
			o.pause_at = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--restart-at") && i + 1 < argc)
			o.restart_at = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--resolve") && i + 1 < argc)
			o.resolve = curl_slist_append(o.resolve, argv[++i]);
		else if (!strcmp(argv[i], "--multi") && i + 1 < argc)
			o.multi = atoi(argv[++i]);
		else if (argv[i][0] != '-' && o.nurls < 8)
			o.urls[o.nurls++] = argv[i];
		else {
			fprintf(stderr, "usage: see the comment at the top of handle_probe.c\n");
			return 2;
		}
	}
	if (o.requests == 0)
		o.requests = o.nurls;
	if (o.nurls == 0 || o.threads < 1 || o.threads > 16 || o.requests < 1) {
		fprintf(stderr, "usage: see the comment at the top of handle_probe.c\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	start_runtime();
	if (o.other_thread) {
		failures = other_thread_request();
	} else if (o.cycle) {
		failures = cycle_requests();
	} else if (o.dup) {
		failures = dup_request();
	} else if (o.multi > 0) {
		failures = multi_requests();
	} else if (o.pause_at >= 0 || o.restart_at >= 0) {
		struct call c;
		for (i = 0; i < o.requests; i++) {
			if (i == o.pause_at) {
				wait_line("paused");
				if (mxtls_runtime_reload(rt, &err) != 0)
					fprintf(stderr, "handle_probe: reload: %s\n", err.message);
			}
			if (i == o.restart_at) {
				mxtls_runtime_free(rt);
				wait_line("restarted");
				start_runtime();
			}
			if (begin(&c, i) != 0)
				return 1;
			failures += end(&c, curl_easy_perform(c.h));
		}
	} else {
		for (i = 0; i < o.threads; i++)
			pthread_create(&th[i], NULL, worker, NULL);
		for (i = 0; i < o.threads; i++) {
			void *r;
			pthread_join(th[i], &r);
			failures += (long)r;
		}
	}
	mxtls_runtime_free(rt);
	curl_slist_free_all(o.resolve);
	curl_global_cleanup();
	return failures ? 1 : 0;
}
