/*
 * consumer_curl: the libcurl hand-off from an installed libmxtls_curl: build a
 * context, set up an easy handle with it and print the hand-off mode.
 *
 * usage: consumer_curl FILE.p12 PASSWORD CA.pem
 */
#include <stdio.h>

#include <curl/curl.h>
#include <mxtls/mxtls.h>
#include <mxtls/mxtls_curl.h>

static mxtls_ctx *make_ctx(const char *file, const char *password, const char *ca,
			   mxtls_error *err)
{
	mxtls_pkcs12 *p12 = mxtls_pkcs12_load_file(file, password, 0, err);
	mxtls_trust *trust = p12 ? mxtls_trust_load_file(ca, err) : NULL;
	mxtls_config *cfg = trust ? mxtls_config_new() : NULL;
	mxtls_ctx *ctx = NULL;

	if (cfg != NULL) {
		mxtls_config_set_system_roots(cfg, 0);
		if (mxtls_config_add_identity(cfg, p12, 0, err) == 0 &&
		    mxtls_config_add_trust(cfg, trust, err) == 0)
			ctx = mxtls_ctx_new(cfg, err);
	}
	mxtls_config_free(cfg);
	mxtls_trust_free(trust);
	mxtls_pkcs12_free(p12);
	return ctx;
}

int main(int argc, char **argv)
{
	mxtls_error err = {0, ""};
	mxtls_ctx *ctx;
	CURL *easy;
	int rc = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: consumer_curl FILE.p12 PASSWORD CA.pem\n");
		return 2;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	ctx = make_ctx(argv[1], argv[2], argv[3], &err);
	easy = curl_easy_init();
	if (ctx == NULL || easy == NULL) {
		fprintf(stderr, "consumer_curl: %s (%s)\n", err.message, mxtls_error_name(err.code));
	} else if (mxtls_curl_setup(easy, ctx, 0, &err) != 0) {
		fprintf(stderr, "consumer_curl: setup: %s (%s)\n", err.message,
			mxtls_error_name(err.code));
	} else {
		printf("mode=%d %s\n", mxtls_curl_mode_get(), mxtls_curl_mode_name());
		rc = 0;
	}
	mxtls_curl_release(easy);
	if (easy != NULL)
		curl_easy_cleanup(easy);
	mxtls_ctx_free(ctx);
	curl_global_cleanup();
	return rc;
}
