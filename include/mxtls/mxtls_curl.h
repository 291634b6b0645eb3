/*
 * libmxtls_curl: hand a libmxtls context to libcurl easy handles.
 *
 * A separate library so that users without curl need neither this header
 * nor libcurl. Like libcurl on Debian, it comes in two builds with the same
 * API: link -lmxtls_curl (pkg-config mxtls-curl) with libcurl.so.4, and
 * -lmxtls_curl-gnutls (pkg-config mxtls-curl-gnutls) with Debian's GnuTLS
 * flavour, libcurl-gnutls.so.4.
 *
 * Three paths, chosen at run time from curl_version_info():
 *   - libcurl on the same mbedTLS as libmxtls: the context's parsed trust,
 *     certificate and key are installed through CURLOPT_SSL_CTX_FUNCTION,
 *     and curl is told to load no CA file of its own, so nothing is parsed
 *     per connection;
 *   - OpenSSL and its forks (Debian's libcurl4): certificate chain and key
 *     as PEM blobs, authorities as one PEM file written once per context so
 *     that curl can cache it;
 *   - any other backend (Debian's GnuTLS flavour, NSS, ...), which ignore
 *     key blobs: the same authorities file, and the chain and key as two
 *     sealed in-memory files (memfd, opened as /proc/self/fd/N, close-on-
 *     exec), never written to a file system (like any process memory, they can
 *     still be swapped out). curl reads them on each new connection.
 * Every way, peer and host name verification are on and TLS 1.2 is the
 * floor, and TLS sessions are kept in a curl share that belongs to the
 * context and identity, so a session is never resumed with another identity
 * or an older context. On the mbedTLS path this holds even if the
 * application later sets CURLOPT_SSL_VERIFYPEER or VERIFYHOST to 0 or
 * lowers CURLOPT_SSLVERSION; on the other paths curl obeys the last setopt, so
 * do not change those options after mxtls_curl_setup().
 *
 * Files: each context and identity handed to curl gets a private directory
 * (mkdtemp, mode 0700) under $TMPDIR when it is set and safe (owned by us or
 * root, and not writable by group or others without the sticky bit; set-up
 * fails if it does not exist), else /tmp. It holds one entry: on the mbedTLS
 * path an empty directory, CURLOPT_CAPATH; on the other two the CA file,
 * CURLOPT_CAINFO. curl compares that path before it reuses a connection or a
 * session, and it is unique to the context and identity, which keeps
 * identities apart. curl is given it as /proc/self/fd/N/<name>, N being a
 * descriptor of the directory (close-on-exec) that libmxtls_curl holds: so
 * whoever can rename entries where the directory lives (or above it) cannot
 * swap in their own CA file. Hence /proc must be mounted (set-up fails
 * otherwise), and the application must not close descriptors it did not
 * open. Entry and directory are removed when the last easy handle set up with
 * that context and identity is released, and at exit (a directory that was
 * renamed meanwhile stays, empty). A process killed by a signal leaves them:
 * on SIGTERM, say, stop the transfer and release the handle, as mxtls get
 * does (a flag set by the handler, returned by CURLOPT_XFERINFOFUNCTION).
 *
 * Redirects: the identity is chosen when the handle is set up. After
 * mxtls_curl_setup_for() or mxtls_curl_setup_runtime(), every new connection
 * (a redirect with CURLOPT_FOLLOWLOCATION, say) must select the same identity
 * for its host, or libmxtls_curl refuses it before the handshake completes:
 * curl fails with CURLE_SSL_CERTPROBLEM (CURLE_ABORTED_BY_CALLBACK or
 * CURLE_COULDNT_CONNECT on libcurls without CURLOPT_SSL_CTX_FUNCTION, such as
 * the GnuTLS flavour, where the check runs in CURLOPT_SOCKOPTFUNCTION: do not
 * set your own there), and
 * mxtls_curl_last_error() says why (MXTLS_ERR_NOT_PINNED). So an identity
 * selected by host never reaches a host it is not pinned to. One selected by
 * identifier is for that service, wherever it redirects; and
 * mxtls_curl_setup() with an explicit identity is the caller's choice for
 * every host: neither is checked.
 *
 * Handles you did not set up: curl copies the callback into its own DNS-
 * over-HTTPS handles, which get the context's trust and no identity; a
 * curl_easy_duphandle() copy must be set up itself (until it is, on the
 * mbedTLS path its connections are refused once the original is released).
 *
 * HTTPS proxies (CURLOPT_PROXY "https://..."): on the mbedTLS path curl
 * calls the same callback for the TLS connection to the proxy, so the proxy
 * too is verified with the context's trust and offered the identity (the
 * host check above is about the URL's host, not the proxy's).
 *
 * THREAD SAFETY: every function may be called from any thread. One easy
 * handle is used by one thread at a time, as libcurl requires; easy handles
 * set up with the same context may run in different threads at once.
 */
#ifndef MXTLS_MXTLS_CURL_H
#define MXTLS_MXTLS_CURL_H

#include <curl/curl.h>

#include "mxtls.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Which hand-off the running libcurl gets. */
typedef enum mxtls_curl_mode {
	MXTLS_CURL_MBEDTLS = 1, /* same mbedTLS: shared parsed material via CURLOPT_SSL_CTX_FUNCTION */
	MXTLS_CURL_BLOB = 2,    /* OpenSSL and forks: PEM blobs and a cached CA file */
	MXTLS_CURL_FILE = 3     /* other backends (GnuTLS): in-memory PEM files and a CA file */
} mxtls_curl_mode;

/** The mode for the libcurl this process runs with. */
MXTLS_EXTERN int mxtls_curl_mode_get(void);
/** Human-readable name of the mode and curl's TLS backend, e.g.
 * "mbedtls (libcurl 8.14.1, mbedTLS/3.6.6)"; the mode is "mbedtls", "blob" or "file". Static. */
MXTLS_EXTERN const char *mxtls_curl_mode_name(void);

/**
 * Configure easy so that its HTTPS requests present identity `identity` of
 * ctx (0 = the default; past the last identity = no client certificate) and
 * trust ctx's authorities. Takes a reference on ctx, held until
 * mxtls_curl_release(easy) or until the handle is set up again. Call it
 * between transfers, not during one. Returns 0, or -1 with err filled.
 */
MXTLS_EXTERN int mxtls_curl_setup(CURL *easy, mxtls_ctx *ctx, size_t identity, mxtls_error *err);
/**
 * Per-request selection: set easy up with the identity that ctx selects for
 * this request (mxtls_ctx_select: identifier first, then the host of url,
 * else the default identity, or none). Call it before each request whose
 * identifier or URL may differ. identifier may be NULL. Returns 0 or -1.
 */
MXTLS_EXTERN int mxtls_curl_setup_for(CURL *easy, mxtls_ctx *ctx, const char *identifier,
				      const char *url, mxtls_error *err);
/**
 * As mxtls_curl_setup_for(), with the runtime's current context: after a
 * rotation, the next request set up this way uses the new material, while
 * requests in flight finish with the old.
 */
MXTLS_EXTERN int mxtls_curl_setup_runtime(CURL *easy, mxtls_runtime *rt, const char *identifier,
					  const char *url, mxtls_error *err);
/**
 * Why libmxtls_curl refused the newest connection of easy (a host its
 * identity was not selected for, or a failure to install the context):
 * returns 1 and fills err, or 0 with err cleared if it did not. Call it
 * from the thread that ran the transfer, when curl_easy_perform() failed
 * with one of the codes above: after other errors
 * (a failed DNS lookup, say) it may still hold an older refusal.
 */
MXTLS_EXTERN int mxtls_curl_last_error(CURL *easy, mxtls_error *err);
/**
 * Forget easy: drops the context reference taken by mxtls_curl_setup(), and
 * unsets every option it set that names our material (CA file and
 * directory, certificate and key files or blobs, callbacks, share).
 * Call it before curl_easy_cleanup(easy). NULL-safe; harmless if easy was
 * never set up.
 */
MXTLS_EXTERN void mxtls_curl_release(CURL *easy);

#ifdef __cplusplus
}
#endif

#endif /* MXTLS_MXTLS_CURL_H */
