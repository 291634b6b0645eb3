/*
 * rotation_load: requests under load while the identity rotates. Starts a
 * runtime from the environment, watches its files, and runs T threads that
 * each make requests through libcurl (keep-alive on) until SIGTERM, setting
 * the handle up from the runtime before every request, as an app would.
 * Prints one line per request ("subject=..." from the server) and, at the
 * end, "requests=N failures=F". Exit 0 if no request failed.
 *
 * usage: rotation_load URL THREADS
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mxtls/mxtls.h"
#include "mxtls/mxtls_curl.h"

static atomic_int stop;
static atomic_long requests, failures;
static mxtls_runtime *rt;
static const char *url;
static pthread_mutex_t out = PTHREAD_MUTEX_INITIALIZER;

static void on_event(void *arg, int kind, const char *message)
{
	(void)arg;
	pthread_mutex_lock(&out);
	fprintf(stderr, "event %s: %s\n", mxtls_event_name(kind), message);
	pthread_mutex_unlock(&out);
}

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
	char *buf = userp;
	size_t len = size * n, have = strlen(buf);

	if (have + len < 512) {
		memcpy(buf + have, p, len);
		buf[have + len] = '\0';
	}
	return len;
}

static void *worker(void *arg)
{
	CURL *h = curl_easy_init();
	mxtls_error err;

	(void)arg;
	while (!atomic_load(&stop)) {
		char body[512] = "", errbuf[CURL_ERROR_SIZE] = "";
		long status = 0;
		CURLcode rc;

		if (mxtls_curl_setup_runtime(h, rt, NULL, url, &err) != 0) {
			atomic_fetch_add(&failures, 1);
			fprintf(stderr, "setup: %s\n", err.message);
			continue;
		}
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		rc = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		atomic_fetch_add(&requests, 1);
		pthread_mutex_lock(&out);
		if (rc != CURLE_OK || status != 200) {
			atomic_fetch_add(&failures, 1);
			printf("FAILED rc=%d status=%ld %s\n", (int)rc, status, errbuf);
		} else {
			printf("%s", body);
		}
		fflush(stdout);
		pthread_mutex_unlock(&out);
	}
	mxtls_curl_release(h);
	curl_easy_cleanup(h);
	return NULL;
}

static void on_term(int sig)
{
	(void)sig;
	atomic_store(&stop, 1);
}

int main(int argc, char **argv)
{
	pthread_t th[32];
	mxtls_error err;
	int i, n;

	if (argc != 3 || (n = atoi(argv[2])) < 1 || n > 32) {
		fprintf(stderr, "usage: rotation_load URL THREADS\n");
		return 2;
	}
	url = argv[1];
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rt = mxtls_runtime_new(NULL, on_event, NULL, &err);
	if (rt == NULL || mxtls_runtime_watch(rt, SIGHUP, &err) != 0) {
		fprintf(stderr, "rotation_load: %s\n", err.message);
		return 2;
	}
	for (i = 0; i < n; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	printf("requests=%ld failures=%ld generation=%llu\n", atomic_load(&requests),
	       atomic_load(&failures), (unsigned long long)mxtls_runtime_generation(rt));
	mxtls_runtime_free(rt);
	curl_global_cleanup();
	return atomic_load(&failures) ? 1 : 0;
}
