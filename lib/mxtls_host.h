/*
 * Host names in the one form that pins and requests are compared in:
 * lower case (ASCII), no trailing dot, international names as the ASCII
 * (punycode) name curl connects to, IPv6 literals without brackets and in
 * their shortest text form (RFC 5952, as inet_ntop writes it).
 */
#ifndef MXTLS_HOST_H
#define MXTLS_HOST_H

#include <stddef.h>

/*
 * Write the canonical form of host[0..len) into out (size bytes, NUL-
 * terminated). Returns 0; 1 if it has non-ASCII letters but is no valid
 * international name (kept as given, lower-cased where ASCII); -1 if it is
 * empty, too long for out, or a bracketed literal that is not IPv6.
 */
int mx_host_canon(const char *host, size_t len, char *out, size_t size);

/* Is the canonical host an IP address literal (wildcards never match those)? */
int mx_host_is_ip(const char *canon);

#endif
