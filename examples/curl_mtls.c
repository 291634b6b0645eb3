/*
 * Example: call a third-party HTTPS API with libcurl, presenting a client
 * certificate from a PKCS#12 file and trusting a private authority as well
 * as the public roots.
 *
 * usage: P12_PASSWORD=... curl_mtls URL IDENTITY.p12 [AUTHORITIES.pem]
 *
 * The password comes from the environment, never from argv (which other
 * users can see in the process list).
 */
#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>
#include <mxtls/mxtls.h>
#include <mxtls/mxtls_curl.h>

/* Load once at start-up: the context is immutable and shared by every request and thread. */
static mxtls_ctx *load_context(const char *p12_path, const char *password, const char *ca_path)
{
	mxtls_config *cfg = mxtls_config_new();
	mxtls_pkcs12 *p12 = NULL;
	mxtls_trust *trust = NULL;
	mxtls_ctx *ctx = NULL;
	mxtls_error err;

	p12 = mxtls_pkcs12_load_file(p12_path, password, 0, &err);
	if (p12 == NULL || mxtls_config_add_identity(cfg, p12, 0, &err) != 0)
		goto fail;
	if (ca_path != NULL) {
		trust = mxtls_trust_load_file(ca_path, &err);
		if (trust == NULL || mxtls_config_add_trust(cfg, trust, &err) != 0)
			goto fail;
	}
	ctx = mxtls_ctx_new(cfg, &err);
	if (ctx != NULL)
		goto out;
fail:
	/* err.code is stable (e.g. "wrong_password"); err.message says where and why. */
	fprintf(stderr, "curl_mtls: %s (%s)\n", err.message, mxtls_error_name(err.code));
out:
	mxtls_pkcs12_free(p12);
	mxtls_trust_free(trust);
	mxtls_config_free(cfg);
	return ctx;
}

int main(int argc, char **argv)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	mxtls_ctx *ctx;
	mxtls_error err;
	long status = 0;
	CURLcode rc;
	CURL *h;

	if (argc < 3) {
		fprintf(stderr, "usage: P12_PASSWORD=... %s URL IDENTITY.p12 [AUTHORITIES.pem]\n",
			argv[0]);
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ctx = load_context(argv[2], getenv("P12_PASSWORD"), argc > 3 ? argv[3] : NULL);
	if (ctx == NULL)
		return 1;

	h = curl_easy_init();
	/* One call: identity, trust, verification and the TLS 1.2 floor. */
	if (h == NULL || mxtls_curl_setup(h, ctx, 0, &err) != 0) {
		fprintf(stderr, "curl_mtls: %s\n", h ? err.message : "curl_easy_init failed");
		return 1;
	}
	curl_easy_setopt(h, CURLOPT_URL, argv[1]);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(h); /* the body goes to stdout */
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
		fprintf(stderr, "curl_mtls: %s: %s\n", curl_easy_strerror(rc), errbuf);

	mxtls_curl_release(h); /* before curl_easy_cleanup */
	curl_easy_cleanup(h);
	mxtls_ctx_free(ctx);
	curl_global_cleanup();
	return rc == CURLE_OK && status >= 200 && status < 300 ? 0 : 1;
}
