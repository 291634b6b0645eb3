/* Internal shape of a trust bundle. */
#ifndef MXTLS_TRUST_INT_H
#define MXTLS_TRUST_INT_H

/* The largest authorities file we read (a full distribution bundle is about 220 KiB). */
#define MX_TRUST_MAX_FILE (8u * 1024u * 1024u)

#include <mbedtls/x509_crt.h>

#include "mxtls_pkcs12_int.h"
#include "mxtls_warn.h"

struct mxtls_trust {
	mbedtls_x509_crt *list; /* every certificate, linked: what mbedTLS verifies against */
	mxtls_cert **certs;     /* views of the list's nodes, one per distinct certificate */
	size_t ncerts;
	struct mx_warnings warnings;
	char *source;
};

/* Append copies of the bundle's certificates to an mbedTLS list (for a context's CA chain). */
int mx_trust_append(const mxtls_trust *t, mbedtls_x509_crt *list);

#endif
