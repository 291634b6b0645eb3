/* Internal to the libcurl hand-off: reading a URL's host with curl's parser. */
#ifndef MXTLS_CURL_URL_INT_H
#define MXTLS_CURL_URL_INT_H

#include <curl/curl.h>

/* The host url connects to, IPv6 literals without brackets; NULL if it has
 * none, holds a control character, or on failure. Freed with free(). */
char *mx_curl_url_host(const char *url);

#endif
