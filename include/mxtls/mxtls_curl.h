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
 * floor. On the mbedTLS path this holds even if the application later sets
 * CURLOPT_SSL_VERIFYPEER or VERIFYHOST to 0 or lowers CURLOPT_SSLVERSION; on
 * the other paths curl obeys the last setopt, so do not change those options
 * after mxtls_curl_setup().
 *
 * Sessions and connections live with the context, not with easy handles.
 * Each context and identity keeps TLS sessions and idle connections in curl
 * shares of its own, so an application that makes a new easy handle for
 * every call still resumes sessions and reuses connections:
 *   - TLS sessions are shared by every handle set up with the same context
 *     and identity;
 *   - idle connections are shared by those handles that were set up in the
 *     same thread, the same way (an explicit identity, by host, or by the
 *     same identifier: a handle whose connections are checked against the
 *     pins never gets one that was not). curl does not support sharing
 *     connections between threads that run transfers at once: so PERFORM A
 *     HANDLE IN THE THREAD THAT SET IT UP, or call
 *     mxtls_curl_share_connections(easy, 0, ...) to give it connections of its
 *     own (also for applications that count on one connection per handle). A
 *     request performed in another thread is refused before curl takes or
 *     opens a connection (CURLE_ABORTED_BY_CALLBACK; mxtls_curl_last_error()
 *     says why), so the misuse shows at once. A thread's shares close when it
 *     ends (or, if a handle still uses them then, when the last one leaves);
 *   - no session or connection is ever used by another identity, another
 *     context, or a context from before a rotation: each has its own shares;
 *   - when the last reference to the context goes (an mxtls_ctx_free(), or a
 *     runtime dropping an old context after a rotation once its last handle
 *     is released), its sessions, connections, files and directory go with it
 *     at once. The exception: a handle with connections of its own keeps them
 *     until curl_easy_cleanup() (on the mbedTLS path they point into the
 *     context, which mbedTLS no longer reads after the handshake): clean such
 *     a handle up right after releasing it.
 * curl before 8.12 leaks a handle's own session cache when a shared one is
 * attached after the handle ran a transfer without it; such a handle (set up
 * after it already ran transfers) keeps its own sessions and connections.
 *
 * Files: each context and identity handed to curl gets a private directory
 * (mkdtemp, mode 0700) under $TMPDIR when it is set and safe (owned by us or
 * root, and not writable by group or others without the sticky bit; set-up
 * fails if it does not exist), else /tmp. It holds one entry: on the mbedTLS
 * path an empty directory, CURLOPT_CAPATH; on the other two the CA file,
 * CURLOPT_CAINFO. Its path is unique to the context and identity. curl is
 * given it as /proc/self/fd/N/<name>, N being a descriptor of the directory
 * (close-on-exec) that libmxtls_curl holds: so whoever can rename entries
 * where the directory lives (or above it) cannot swap in their own CA file.
 * Hence /proc must be mounted (set-up fails otherwise), and the application
 * must not close descriptors it did not open. Entry and directory are
 * removed with the context, and at exit (a directory that was renamed
 * meanwhile stays, empty). A process killed by a signal leaves them: on
 * SIGTERM, say, stop the transfer and release the handle, as mxtls get does
 * (a flag set by the handler, returned by CURLOPT_XFERINFOFUNCTION).
 *
 * Redirects: the identity is chosen when the handle is set up. After
 * mxtls_curl_setup_for() or mxtls_curl_setup_runtime(), every new connection
 * (a redirect with CURLOPT_FOLLOWLOCATION, say) must select the same identity
 * for its host, or libmxtls_curl refuses it before the handshake completes:
 * curl fails with CURLE_SSL_CERTPROBLEM (or CURLE_ABORTED_BY_CALLBACK /
 * CURLE_COULDNT_CONNECT where the check runs in CURLOPT_SOCKOPTFUNCTION),
 * and mxtls_curl_last_error() says why (MXTLS_ERR_NOT_PINNED). So an
 * identity selected by host never reaches a host it is not pinned to. One
 * selected by identifier is for that service, wherever it redirects; and
 * mxtls_curl_setup() with an explicit identity is the caller's choice for
 * every host: neither is checked. Host names compare in one form on the URL,
 * the pins and what curl connects to: lower case, no trailing dot,
 * international names as punycode (IDNA, as libcurl converts them), IPv6
 * without brackets.
 *
 * Options the application must leave alone after set-up, and what happens
 * if it does not:
 *   - CURLOPT_SHARE: ours holds the sessions and connections; with another,
 *     curl keys them by CA path and certificate only;
 *   - CURLOPT_SSL_CTX_FUNCTION / _DATA: on the mbedTLS path ours installs the
 *     context, so replacing it leaves curl without trust (every connection
 *     fails verification); on the OpenSSL path the redirect check runs in
 *     CURLOPT_SOCKOPTFUNCTION too (for handles set up by selection), which
 *     keeps it;
 *   - CURLOPT_HSTSREADFUNCTION / _DATA and CURLOPT_HSTS_CTRL: set-up turns
 *     curl's in-memory HSTS on for the handle (empty at first: our read
 *     callback adds no entry; release turns it off) because curl calls that
 *     callback, with the handle, before each transfer takes a connection:
 *     ours checks the thread there and refuses copies on the GnuTLS path
 *     (below). An application that wants HSTS from a file sets CURLOPT_HSTS;
 *     one that replaces the callback loses those two checks (the thread is
 *     checked again later, in CURLOPT_PREREQFUNCTION);
 *   - CURLOPT_PREREQFUNCTION / _DATA, where connections are shared: ours
 *     checks the thread again, on each request (see above);
 *   - CURLOPT_SOCKOPTFUNCTION / _DATA, for handles set up by selection on the
 *     GnuTLS and OpenSSL paths: set-up takes it over; set your own before
 *     set-up and it is replaced, after and the check there is gone (on the
 *     GnuTLS flavour, the only one);
 *   - the certificate, key and CA options (CURLOPT_SSLCERT, _SSLKEY, their
 *     blobs, CURLOPT_CAINFO, CURLOPT_CAPATH): changing them changes what is
 *     presented or trusted, though never which identity's connections and
 *     sessions are used (those follow the shares).
 *
 * Handles you did not set up: curl copies the callback into its own DNS-
 * over-HTTPS handles, which get the context's trust and no identity. A
 * curl_easy_duphandle() copy carries no identity until it is set up itself:
 * on the OpenSSL path its connections are refused (curl copies the
 * certificate, which the callback sees), on the mbedTLS path it gets the
 * trust alone while the original is set up, and is refused after; on the
 * GnuTLS path its transfers are refused before they connect
 * (CURLE_ABORTED_BY_CALLBACK, from the HSTS read callback above), as its
 * in-memory file names are the original's. Set a copy up before using it.
 * curl_easy_reset()
 * clears our options but keeps the handle's share: set the handle up again,
 * or release it, before its next transfer (until then its connections carry
 * no certificate, and curl keeps them apart from ours by CA path).
 *
 * HTTPS proxies (CURLOPT_PROXY "https://..."): on the mbedTLS path curl
 * calls the same callback for the TLS connection to the proxy, so the proxy
 * too is verified with the context's trust and offered the identity (the
 * host check above is about the URL's host, not the proxy's: the identity
 * does reach a proxy host it is not pinned to). On the other paths the
 * proxy gets no identity and is verified with curl's own proxy CA settings.
 *
 * THREAD SAFETY: every function may be called from any thread. One easy
 * handle is used by one thread at a time, as libcurl requires. Easy handles
 * set up with the same context may run in different threads at once, each
 * in the thread that set it up (or with connections of its own, see above).
 * After a fork(), the child must not use handles or contexts set up in the
 * parent; its exit leaves the parent's files alone.
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
 * trust ctx's authorities, and join the context's sessions and connections
 * (see above). Takes a reference on ctx, held until mxtls_curl_release(easy)
 * or until the handle is set up again. Call it between transfers, not during
 * one, in the thread that will perform the handle. Returns 0, or -1 with err
 * filled; after a failure every new connection of the handle is refused
 * until a set-up succeeds or the handle is released.
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
 * Whether easy shares idle connections with other handles set up with the
 * same context and identity in the same thread (the default, enabled = 1),
 * or keeps its own (0): for applications that count on one connection per
 * handle, or perform handles in another thread than the one that set them
 * up. Call it after a set-up, between transfers; it holds until release.
 * TLS sessions are shared either way. Returns 0, or -1 with err filled.
 */
MXTLS_EXTERN int mxtls_curl_share_connections(CURL *easy, int enabled, mxtls_error *err);
/**
 * Forget easy: drops the context reference taken by mxtls_curl_setup(), and
 * unsets every option it set that names our material (CA file and
 * directory, certificate and key files or blobs, callbacks, share). The
 * context's sessions and idle connections stay for the next handle, as long
 * as the context lives.
 * Call it before curl_easy_cleanup(easy). NULL-safe; harmless if easy was
 * never set up.
 */
MXTLS_EXTERN void mxtls_curl_release(CURL *easy);

#ifdef __cplusplus
}
#endif

#endif /* MXTLS_MXTLS_CURL_H */
