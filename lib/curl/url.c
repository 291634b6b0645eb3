/*
 * The host a URL connects to, as the libcurl hand-off selects identities by
 * it: curl's own URL parser with the flags curl parses a transfer's URL with
 * (a URL without a scheme is guessed, "api.example.com/x" connects to
 * api.example.com), so that we read the URL exactly as curl will.
 */
#include <stdlib.h>
#include <string.h>

#include "url.h"

char *mx_curl_url_host(const char *url)
{
	CURLU *u;
	char *host = NULL, *copy = NULL;
	size_t n;

	if (url == NULL || (u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME) ==
		    CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host != NULL) {
		n = strlen(host);
		/* "[::1]" connects to ::1, the form pins and selection compare. */
		if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
			copy = strndup(host + 1, n - 2);
		else
			copy = strdup(host);
	}
	curl_free(host);
	curl_url_cleanup(u);
	/* curl decodes "%7f" in a host: no name to select by, and none to resolve. */
	for (n = 0; copy != NULL && copy[n]; n++) {
		if ((unsigned char)copy[n] < 0x20 || copy[n] == 0x7f) {
			free(copy);
			return NULL;
		}
	}
	return copy;
}
