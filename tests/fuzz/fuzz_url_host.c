/*
 * libFuzzer target: the URL host reader of the libcurl hand-off,
 * mx_curl_url_host() (lib/curl/url.c, on curl's curl_url API), and the
 * selection it feeds, as mxtls_curl_setup_for() does.
 *
 * The input is the URL (NUL-terminated copy). Its host goes to
 * mxtls_ctx_select() on a small fixed context: identities pinned to names,
 * IPv6 and IPv4 literals and a wildcard, a default one, and "no certificate"
 * pins. Invariants:
 *   - a host, if any, is a C string not wrapped in "[...]" (IPv6 literals
 *     come without their brackets, the form pins are compared in) and
 *     without control characters (curl decodes "%7f" in hosts: refused);
 *   - the selection is an identity of the context or none, the same twice, and
 *     an identifier pinned to identity 0 selects 0 whatever the host;
 *   - when the URL has a host, curl's own rewrite of it (what
 *     CURLINFO_EFFECTIVE_URL returns, which the hand-off reads again for each
 *     new connection) selects the same identity, if it has a host: otherwise a
 *     connection would present another identity than mxtls_curl_setup_for()
 *     chose (refused, or worse), and it has a host. (Found by this target:
 *     curl normalises in several passes, "0x%37f.1" -> "0x7f.1" -> 127.0.0.1;
 *     mx_curl_url_host follows the rewrites until the host is stable.)
 * URLs without a scheme are read as curl reads them (it guesses the scheme).
 *
 * Only the library and this reader are instrumented; curl's parser is the
 * system's, so coverage inside it is not seen.
 */
#define FUZZ_NAME "fuzz_url_host"
#include <curl/curl.h>

#include "fuzz_fixture.h"
#include "fuzz_util.h"
#include "curl/url.h" /* lib/curl/url.h */

#define SERVICE "Svc.One" /* a pin of identity 0 */

static mxtls_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const pins0[] = {"api.example.com", "::1", SERVICE};
	static const char *const pins1[] = {"*.example.org", "10.0.0.1", "[fe80::1]",
	                                    "EXAMPLE.edu."};
	static const char *const none[] = {"public.example.com", "*.example.net", "127.0.0.1"};
	mxtls_config *cfg = mxtls_config_new();
	mxtls_pkcs12 *p12;
	mxtls_trust *trust;
	mxtls_error err = {0};

	(void)argc, (void)argv;
	p12 =
	    mxtls_pkcs12_load_mem(fixture_p12, sizeof(fixture_p12), FIXTURE_P12_PASSWORD, 0, &err);
	trust = mxtls_trust_load_mem(fixture_ca_pem, strlen(fixture_ca_pem), &err);
	if (cfg == NULL || p12 == NULL || trust == NULL ||
	    mxtls_config_add_identity_pinned(cfg, p12, 0, pins0, 3, &err) != 0 ||
	    mxtls_config_add_identity_pinned(cfg, p12, 0, pins1, 4, &err) != 0 ||
	    mxtls_config_add_identity(cfg, p12, 0, &err) != 0 ||
	    mxtls_config_add_no_identity(cfg, none, 3, &err) != 0 ||
	    mxtls_config_add_trust(cfg, trust, &err) != 0 ||
	    mxtls_config_set_system_roots(cfg, 0) || (ctx = mxtls_ctx_new(cfg, &err)) == NULL) {
		fprintf(stderr, FUZZ_NAME ": cannot build the context: %s\n", err.message);
		abort();
	}
	mxtls_config_free(cfg);
	mxtls_pkcs12_free(p12);
	mxtls_trust_free(trust);
	return 0;
}

/* The URL as curl itself rewrites it before connecting (its flags, lib/url.c), or NULL. */
static char *curl_rewrite(const char *url)
{
	CURLU *u = curl_url();
	char *out = NULL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url,
	                              CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK)
		curl_url_get(u, CURLUPART_URL, &out, 0);
	curl_url_cleanup(u);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = malloc(size + 1), *host, *again = NULL, *rewritten = NULL;
	size_t n, id;

	if (url == NULL)
		return 0;
	memcpy(url, data, size);
	url[size] = '\0';

	host = mx_curl_url_host(url);
	if (host != NULL) {
		n = touch_str(host);
		check(!(n >= 2 && host[0] == '[' && host[n - 1] == ']'), "host in brackets: %s",
		      host);
		for (size_t i = 0; i < n; i++)
			check((unsigned char)host[i] >= 0x20 && host[i] != 0x7f,
			      "control character in host %s", host);
	}
	id = checked_select(ctx, NULL, host);
	check(checked_select(ctx, SERVICE, host) == 0, "identifier %s lost to host %s", SERVICE,
	      host ? host : "NULL");

	if (host != NULL && (rewritten = curl_rewrite(url)) != NULL) {
		again = mx_curl_url_host(rewritten);
		check(again != NULL && checked_select(ctx, NULL, again) == id,
		      "host %s selects %zu, curl's rewrite %s (host %s) selects %zu", host, id,
		      rewritten, again, mxtls_ctx_select(ctx, NULL, again));
	}
	free(again);
	curl_free(rewritten);
	free(host);
	free(url);
	return 0;
}
