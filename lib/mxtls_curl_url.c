/*
 * The host a URL connects to, as the libcurl hand-off selects identities by
 * it: curl's own URL parser, so that we read the URL exactly as curl will.
 */
#include <stdlib.h>
#include <string.h>

#include "mxtls_curl_url.h"

char *mx_curl_url_host(const char *url)
{
	CURLU *u;
	char *host = NULL, *copy = NULL;
	size_t n;

	if (url == NULL || (u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
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
	return copy;
}
