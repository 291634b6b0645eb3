/*
 * The host a URL connects to, as the libcurl hand-off selects identities by
 * it: curl's own URL parser with the flags curl parses a transfer's URL with
 * (a URL without a scheme is guessed, "api.example.com/x" connects to
 * api.example.com), so that we read the URL exactly as curl will.
 */
#include <stdlib.h>
#include <string.h>

#include "url.h"

#define URL_FLAGS (CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME)

/*
 * The host of url and curl's rewrite of the whole URL (*next), or NULL. curl
 * decodes and normalises as it goes, and not all in one pass: "0x%37f.1"
 * has the host "0x7f.1", whose rewrite "http://0x7f.1/" has 127.0.0.1, the
 * address curl connects to (and the host CURLINFO_EFFECTIVE_URL gives).
 */
static char *host_once(const char *url, char **next)
{
	CURLU *u = curl_url();
	char *host = NULL;

	*next = NULL;
	if (u == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, URL_FLAGS) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, next, 0) != CURLUE_OK) {
		curl_free(host);
		host = NULL;
	}
	curl_url_cleanup(u);
	return host;
}

/* The host, read again from curl's rewrite until it no longer changes (a few rounds). */
static char *stable_host(const char *url)
{
	char *next = NULL, *later, *again, *host = host_once(url, &next);
	int round;

	for (round = 0; host != NULL && next != NULL; round++) {
		later = NULL;
		again = host_once(next, &later);
		curl_free(next);
		next = later;
		if (again == NULL || strcmp(again, host) == 0) {
			curl_free(again);
			break;
		}
		curl_free(host);
		host = again;
		if (round == 3) { /* still changing: no host we can stand by */
			curl_free(host);
			host = NULL;
		}
	}
	curl_free(next);
	return host;
}

char *mx_curl_url_host(const char *url)
{
	char *host, *copy = NULL;
	size_t n;

	if (url == NULL || (host = stable_host(url)) == NULL)
		return NULL;
	n = strlen(host);
	/* "[::1]" connects to ::1, the form pins and selection compare. */
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
		copy = strndup(host + 1, n - 2);
	else
		copy = strdup(host);
	curl_free(host);
	/* curl decodes "%7f" in a host: no name to select by, and none to resolve. */
	for (n = 0; copy != NULL && copy[n]; n++) {
		if ((unsigned char)copy[n] < 0x20 || copy[n] == 0x7f) {
			free(copy);
			return NULL;
		}
	}
	return copy;
}
