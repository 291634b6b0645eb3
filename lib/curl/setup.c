/*
 * Easy handles: each one set up is bound to a state (context and identity)
 * and a pool, and holds a reference to the context until it is released or
 * set up again. The options and callbacks it gets depend on the mode.
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curl_int.h"
#include "url.h"

struct binding {
	CURL *easy;
	struct state *st;
	struct pool *pool;   /* NULL: the handle keeps its own sessions and connections */
	mxtls_ctx *ctx;      /* the reference this handle holds */
	/* Set up by selection (mxtls_curl_setup_for): each new connection must
	 * select the same identity for its host, or it is refused. */
	int by_selection;
	char *identifier;
	int owns_sockopt;    /* CURLOPT_SOCKOPTFUNCTION is ours (no SSL_CTX_FUNCTION here) */
	int own_connections; /* mxtls_curl_share_connections(easy, 0) */
	int broken;          /* the last set-up failed: every new connection is refused */
	mxtls_error last;    /* why the handle's last connection was refused; code 0 if none */
	struct binding *next;
};

static struct binding *bindings; /* under mx_curl_registry_lock */

int mx_curl_err(mxtls_error *err, int code, const char *msg, const char *detail)
{
	if (err != NULL) {
		err->code = code;
		snprintf(err->message, sizeof(err->message), "%s%s%.*s", msg, detail ? ": " : "",
			 (int)(sizeof(err->message) / 2), detail ? detail : "");
	}
	return -1;
}

/* A message made to measure; a long one is cut at the buffer's end. */
static void set_errf(mxtls_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_errf(mxtls_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

/* ---- each new connection: the selection still holds; the mbedTLS path installs ---- */

/*
 * A handle set up by selection was set up for the host of its URL. A new
 * connection to another host (CURLOPT_FOLLOWLOCATION) must select the same
 * identity, or the identity would reach a host it is not pinned to.
 */
static int selection_holds(CURL *easy, struct binding *b)
{
	char *url = NULL, *host = NULL;
	mxtls_error why;
	int rc;

	b->last = (mxtls_error){MXTLS_OK, ""};
	if (!b->by_selection)
		return 1;
	if (curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK && url != NULL)
		host = mx_curl_url_host(url);
	if (host == NULL) {
		/* Not the URL itself in the message: it may hold user:password@. */
		mx_curl_err(&b->last, MXTLS_ERR_NOT_PINNED,
			    "cannot tell the host of a new connection", NULL);
		return 0;
	}
	rc = mxtls_ctx_check_host(b->st->ctx, b->st->identity, b->identifier, host, &why);
	free(host);
	if (rc == 0)
		return 1;
	set_errf(&b->last, why.code, "%s (a redirect?); set the handle up again for the new URL",
		 why.message);
	return 0;
}

/* Under the registry lock: the binding of easy, or NULL. */
static struct binding *binding_of(CURL *easy)
{
	struct binding *b;

	for (b = bindings; b && b->easy != easy; b = b->next)
		;
	return b;
}

/* Under the registry lock: is p a live binding? Callback data can outlive its handle. */
static int is_binding(const void *p)
{
	struct binding *b;

	for (b = bindings; b && (const void *)b != p; b = b->next)
		;
	return b != NULL;
}

/*
 * OpenSSL family: does this SSL_CTX already hold a client certificate? curl
 * loads the certificate before it calls CURLOPT_SSL_CTX_FUNCTION (7.88
 * openssl.c ossl_connect_step1). Looked up at run time: we do not link
 * OpenSSL, the libcurl in this process does. Unknown: assume it does.
 */
static void *(*get0_certificate)(const void *);
static pthread_once_t get0_once = PTHREAD_ONCE_INIT;

/* In libcurl's own dependencies: another OpenSSL may be loaded beside it. */
static void find_get0_certificate(void)
{
	void *curl = NULL, *f = NULL;
	Dl_info info;

	if (dladdr((void *)(uintptr_t)curl_easy_init, &info) != 0 && info.dli_fname != NULL)
		curl = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
	if (curl != NULL) {
		f = dlsym(curl, "SSL_CTX_get0_certificate");
		dlclose(curl);
	}
	memcpy(&get0_certificate, &f, sizeof(f));
}

static int ossl_has_certificate(void *ssl_ctx)
{
	pthread_once(&get0_once, find_get0_certificate);
	return get0_certificate == NULL || get0_certificate(ssl_ctx) != NULL;
}

/*
 * Each new TLS connection. curl copies the callback and its data into handles
 * we never set up: its own DNS-over-HTTPS handles, and curl_easy_duphandle()
 * copies. So the handle is looked up, not trusted from userp.
 *   - A bound handle: the selection must still hold; the mbedTLS path then
 *     installs the context's material.
 *   - Another handle (DoH, or a copy): on the mbedTLS path it gets the trust
 *     of its parent's context and no identity while the parent is bound, else
 *     it is refused; on the blob path a copy that carries the parent's
 *     certificate is refused (a copy must be set up itself), a DoH handle,
 *     which curl gives no certificate, goes on.
 */
static CURLcode ssl_ctx_cb(CURL *easy, void *ssl_ctx, void *userp)
{
	int mode = mx_curl_mode();
	CURLcode rc = CURLE_OK;
	struct binding *b;
	mxtls_error err;

	pthread_mutex_lock(&mx_curl_registry_lock);
	b = binding_of(easy);
	if (b != NULL) {
		if (b->broken || !selection_holds(easy, b))
			rc = CURLE_SSL_CERTPROBLEM;
		/* On the mbedTLS path, ssl_ctx is curl's mbedtls_ssl_config for this connection. */
		else if (mode == MXTLS_CURL_MBEDTLS &&
			 mxtls_ctx_apply_mbedtls(b->st->ctx, b->st->identity, ssl_ctx, &b->last) != 0)
			rc = CURLE_SSL_CERTPROBLEM;
	} else if (mode == MXTLS_CURL_MBEDTLS) {
		b = is_binding(userp) ? userp : NULL;
		if (b == NULL ||
		    mxtls_ctx_apply_mbedtls(b->st->ctx, MXTLS_NO_IDENTITY, ssl_ctx, &err) != 0)
			rc = CURLE_SSL_CERTPROBLEM;
	} else if (mode == MXTLS_CURL_BLOB && ossl_has_certificate(ssl_ctx)) {
		rc = CURLE_SSL_CERTPROBLEM;
	}
	pthread_mutex_unlock(&mx_curl_registry_lock);
	return rc;
}

/*
 * Under the registry lock: a handle that shares idle connections must run in
 * the thread that set it up. curl does not support one pool of connections in
 * threads that run transfers at once: refuse, and say why, so that the misuse
 * shows at once instead of as a rare crash. 1 if b may go on.
 */
static int in_its_thread(struct binding *b)
{
	if (b->pool == NULL || !b->pool->connections || pthread_equal(pthread_self(), b->pool->thread))
		return 1;
	mx_curl_err(&b->last, MXTLS_ERR_USAGE,
		    "refused a request in another thread than the one that set the handle up: "
		    "it shares connections with that thread's handles, which curl does not "
		    "support across threads; set it up in this thread, or call "
		    "mxtls_curl_share_connections(easy, 0, &err)",
		    NULL);
	return 0;
}

/*
 * Before each transfer, before curl takes a connection. curl calls its HSTS
 * read callback there with the handle that starts (and fails the transfer on
 * CURLSTS_FAIL since 7.79.1), and curl_easy_duphandle() calls it with the
 * copy. It is the one callback that names the handle on every libcurl flavour:
 *   - a handle set up here is checked for its thread before it can take a
 *     shared connection (prereq_cb checks again, later, if the application
 *     replaced this callback);
 *   - on the GnuTLS path, a copy carries the original's in-memory file names,
 *     which present its identity now and may name another identity's files
 *     once the original is released: refused until it is set up itself. The
 *     other paths tell copies apart in ssl_ctx_cb.
 * It gives curl no HSTS entry.
 */
static CURLSTScode pretransfer_cb(CURL *easy, struct curl_hstsentry *entry, void *userp)
{
	struct binding *b;
	int ok;

	(void)entry, (void)userp;
	pthread_mutex_lock(&mx_curl_registry_lock);
	b = binding_of(easy);
	ok = b != NULL ? in_its_thread(b) : mx_curl_mode() != MXTLS_CURL_FILE;
	pthread_mutex_unlock(&mx_curl_registry_lock);
	return ok ? CURLSTS_DONE : CURLSTS_FAIL;
}

/* Before each request, on a new or a reused connection: the thread check again. */
static int prereq_cb(void *userp, char *ip, char *local_ip, int port, int local_port)
{
	struct binding *b = userp;
	int ok;

	(void)ip, (void)local_ip, (void)port, (void)local_port;
	pthread_mutex_lock(&mx_curl_registry_lock);
	ok = !is_binding(b) || in_its_thread(b);
	pthread_mutex_unlock(&mx_curl_registry_lock);
	return ok ? CURL_PREREQFUNC_OK : CURL_PREREQFUNC_ABORT;
}

/* The same check before connect, where CURLOPT_SSL_CTX_FUNCTION is not built in
 * (GnuTLS). Every scheme: ftp:// and STARTTLS protocols may turn to TLS later. */
static int sockopt_cb(void *userp, curl_socket_t fd, curlsocktype purpose)
{
	struct binding *b = userp;
	int ok = 1;

	(void)fd;
	(void)purpose;
	pthread_mutex_lock(&mx_curl_registry_lock);
	if (is_binding(b))
		ok = !b->broken && selection_holds(b->easy, b);
	pthread_mutex_unlock(&mx_curl_registry_lock);
	return ok ? CURL_SOCKOPT_OK : CURL_SOCKOPT_ERROR;
}

/* ---- options ---- */

#define SETOPT(h, o, v)                                                                            \
	do {                                                                                       \
		if (rc == CURLE_OK)                                                                \
			rc = curl_easy_setopt((h), (o), (v));                                      \
	} while (0)

/* Unset an option that this libcurl may not have at all (CURLOPT_SSL_CTX_FUNCTION
 * and CURLOPT_CAINFO_BLOB are not built into Debian's GnuTLS flavour, for one). */
static CURLcode unset_if_built_in(CURL *easy, CURLoption opt)
{
	CURLcode rc = curl_easy_setopt(easy, opt, NULL);

	return rc == CURLE_NOT_BUILT_IN || rc == CURLE_UNKNOWN_OPTION ? CURLE_OK : rc;
}

/*
 * Unset every option that names TLS material, ours or curl's own: CA file and
 * directory, certificate and key files and blobs. A set-up starts from here
 * (a handle moved to "no identity" must not keep presenting the last one),
 * and a release ends here (the in-memory file numbers may soon name another
 * identity's files, and the CA file goes with the state).
 */
static CURLcode unset_material(CURL *easy)
{
	static const CURLoption files[] = {CURLOPT_SSLCERT, CURLOPT_SSLKEY, CURLOPT_CAINFO,
					   CURLOPT_CAPATH};
	static const CURLoption blobs[] = {CURLOPT_SSLCERT_BLOB, CURLOPT_SSLKEY_BLOB,
					   CURLOPT_CAINFO_BLOB};
	CURLcode rc = CURLE_OK;
	size_t i;

	for (i = 0; rc == CURLE_OK && i < sizeof(files) / sizeof(files[0]); i++)
		rc = curl_easy_setopt(easy, files[i], NULL);
	for (i = 0; rc == CURLE_OK && i < sizeof(blobs) / sizeof(blobs[0]); i++)
		rc = unset_if_built_in(easy, blobs[i]);
	return rc;
}

/* Give CURLOPT_SOCKOPTFUNCTION back, if the guard took it. */
static void drop_sockopt(CURL *easy, struct binding *b)
{
	if (b->owns_sockopt) {
		curl_easy_setopt(easy, CURLOPT_SOCKOPTFUNCTION, NULL);
		curl_easy_setopt(easy, CURLOPT_SOCKOPTDATA, NULL);
		b->owns_sockopt = 0;
	}
}

/* The selection check before connect, for handles set up by selection. */
static CURLcode set_sockopt_guard(CURL *easy, struct binding *b)
{
	CURLcode rc = curl_easy_setopt(easy, CURLOPT_SOCKOPTFUNCTION, sockopt_cb);

	if (rc == CURLE_OK)
		rc = curl_easy_setopt(easy, CURLOPT_SOCKOPTDATA, b);
	b->owns_sockopt = rc == CURLE_OK;
	return rc;
}

/*
 * Our callback where this libcurl has CURLOPT_SSL_CTX_FUNCTION: the mbedTLS
 * path installs the context there, every path checks the selection and
 * refuses copies of the handle (ssl_ctx_cb). For handles set up by
 * selection the check also runs in CURLOPT_SOCKOPTFUNCTION: where curl has
 * no SSL_CTX callback (GnuTLS), and on the blob path, where an application
 * that sets its own SSL_CTX callback would otherwise switch the check off
 * (on the mbedTLS path that leaves curl with no trust: nothing verifies).
 */
static CURLcode set_guard(CURL *easy, struct binding *b)
{
	CURLcode rc = curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
	int has_ssl_ctx = rc == CURLE_OK;

	if (rc == CURLE_OK)
		rc = curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, b);
	else if (rc == CURLE_NOT_BUILT_IN || rc == CURLE_UNKNOWN_OPTION)
		rc = CURLE_OK;
	if (rc != CURLE_OK)
		return rc;
	if (b->by_selection && (!has_ssl_ctx || mx_curl_mode() == MXTLS_CURL_BLOB))
		return set_sockopt_guard(easy, b);
	drop_sockopt(easy, b);
	return CURLE_OK;
}

/*
 * pretransfer_cb, through HSTS: in memory, per handle, and empty at first (the
 * callback adds nothing). A libcurl built without HSTS keeps only the later
 * checks; curl before 7.79.1 ignores the callback's answer.
 */
static CURLcode set_pretransfer_guard(CURL *easy, struct binding *b)
{
	CURLcode rc = curl_easy_setopt(easy, CURLOPT_HSTSREADFUNCTION, pretransfer_cb);

	if (rc == CURLE_OK)
		rc = curl_easy_setopt(easy, CURLOPT_HSTSREADDATA, (void *)b);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(easy, CURLOPT_HSTS_CTRL, (long)CURLHSTS_ENABLE);
	return rc == CURLE_UNKNOWN_OPTION || rc == CURLE_NOT_BUILT_IN ? CURLE_OK : rc;
}

static void drop_pretransfer_guard(CURL *easy)
{
	unset_if_built_in(easy, CURLOPT_HSTSREADFUNCTION);
	unset_if_built_in(easy, CURLOPT_HSTSREADDATA);
	curl_easy_setopt(easy, CURLOPT_HSTS_CTRL, 0L);
}

static int configure_easy(CURL *easy, struct binding *b, mxtls_error *err)
{
	struct state *st = b->st;
	CURLcode rc = CURLE_OK;
	struct curl_blob blob;
	int min, max;

	mxtls_ctx_tls_versions(st->ctx, &min, &max);
	SETOPT(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	SETOPT(easy, CURLOPT_SSLVERSION,
	       (long)((min == MXTLS_TLS_1_3 ? CURL_SSLVERSION_TLSv1_3 : CURL_SSLVERSION_TLSv1_2) |
		      (max == MXTLS_TLS_1_2 ? CURL_SSLVERSION_MAX_TLSv1_2 : CURL_SSLVERSION_MAX_TLSv1_3)));
	SETOPT(easy, CURLOPT_SHARE, b->pool ? b->pool->share : NULL);
	/* Nothing of curl's own (no default CA file) or of a previous set-up. */
	if (rc == CURLE_OK)
		rc = unset_material(easy);
	if (rc == CURLE_OK)
		rc = set_guard(easy, b);
	/* The thread check, where connections are shared (curl >= 7.80 has the option). */
	if (rc == CURLE_OK) {
		int shared = b->pool != NULL && b->pool->connections;
		rc = curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, shared ? prereq_cb : NULL);
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(easy, CURLOPT_PREREQDATA, shared ? (void *)b : NULL);
		if (rc == CURLE_UNKNOWN_OPTION || rc == CURLE_NOT_BUILT_IN)
			rc = CURLE_OK;
	}
	if (rc == CURLE_OK)
		rc = set_pretransfer_guard(easy, b);
	if (mx_curl_mode() == MXTLS_CURL_MBEDTLS) {
		/* Unique to the state: curl compares it before reusing a session or connection. */
		SETOPT(easy, CURLOPT_CAPATH, st->curl_path);
	} else {
		SETOPT(easy, CURLOPT_CAINFO, st->curl_path);
		if (st->key_fd >= 0) {
			/* curl reads these files on every new connection. */
			SETOPT(easy, CURLOPT_SSLCERT, st->chain_path);
			SETOPT(easy, CURLOPT_SSLCERTTYPE, "PEM");
			SETOPT(easy, CURLOPT_SSLKEY, st->key_path);
			SETOPT(easy, CURLOPT_SSLKEYTYPE, "PEM");
		} else if (st->key_pem != NULL) {
			/* curl copies the blobs; ours stay in the state, exported once. */
			blob = (struct curl_blob){st->chain_pem, st->chain_len, CURL_BLOB_COPY};
			SETOPT(easy, CURLOPT_SSLCERT_BLOB, &blob);
			SETOPT(easy, CURLOPT_SSLCERTTYPE, "PEM");
			blob = (struct curl_blob){st->key_pem, st->key_len, CURL_BLOB_COPY};
			SETOPT(easy, CURLOPT_SSLKEY_BLOB, &blob);
			SETOPT(easy, CURLOPT_SSLKEYTYPE, "PEM");
		}
	}
	if (rc != CURLE_OK)
		return mx_curl_err(err, MXTLS_ERR_INTERNAL, "curl_easy_setopt failed",
				   curl_easy_strerror(rc));
	return 0;
}

/*
 * curl before 8.12 leaks a handle's own TLS session cache when a share that
 * holds sessions is attached after the handle has run a transfer without one
 * (setopt.c, CURLOPT_SHARE). Such a handle keeps its own cache instead.
 */
static int may_have_own_cache(CURL *easy)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	curl_off_t t = 0;

	if (v == NULL || v->version_num >= 0x080c00)
		return 0;
	return curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &t) != CURLE_OK || t > 0;
}

/*
 * Under the registry lock: the pool the handle joins. Idle connections are
 * shared with the handles set up in this thread (curl does not support
 * sharing them across threads running at once), unless the handle keeps its
 * own (mxtls_curl_share_connections). A handle that keeps its own cache
 * (may_have_own_cache) keeps it until it is released.
 */
static int choose_pool(CURL *easy, struct binding *b, int new_binding, struct pool **gone,
		       mxtls_error *err)
{
	const char *key = !b->by_selection ? NULL : b->identifier ? b->identifier : "";
	struct pool *p;

	if (b->pool == NULL && (!new_binding || may_have_own_cache(easy)))
		return 0;
	p = mx_curl_pool(b->st, !b->own_connections, key, err);
	if (p == NULL)
		return -1;
	if (p != b->pool) {
		if (b->pool != NULL)
			*gone = mx_curl_pool_left(b->pool);
		p->users++;
		b->pool = p;
	}
	return 0;
}

/* Bind easy to (ctx, identity); by_selection: identity was selected for the URL's host
 * (with identifier, may be NULL), which each new connection must then match. */
static int setup(CURL *easy, mxtls_ctx *ctx, size_t identity, int by_selection,
		 const char *identifier, mxtls_error *err)
{
	struct binding *b;
	struct state *st;
	struct pool *gone = NULL;
	mxtls_ctx *drop = NULL;
	char *id_copy = NULL;
	int ret, new_binding = 0;

	if (err) {
		err->code = MXTLS_OK;
		err->message[0] = '\0';
	}
	if (easy == NULL || ctx == NULL)
		return mx_curl_err(err, MXTLS_ERR_USAGE, "easy handle or context is NULL", NULL);
	if (by_selection && identifier != NULL && (id_copy = strdup(identifier)) == NULL)
		return mx_curl_err(err, MXTLS_ERR_NOMEM, "out of memory", NULL);
	/* Every value past the last identity means "none": one state for all of them. */
	if (identity >= mxtls_ctx_identity_count(ctx))
		identity = MXTLS_NO_IDENTITY;
	pthread_mutex_lock(&mx_curl_registry_lock);
	st = mx_curl_state(ctx, identity, err);
	b = st ? binding_of(easy) : NULL;
	if (st != NULL && b == NULL) {
		b = calloc(1, sizeof(*b));
		if (b == NULL) {
			mx_curl_err(err, MXTLS_ERR_NOMEM, "out of memory", NULL);
		} else {
			b->easy = easy;
			b->next = bindings;
			bindings = b;
			new_binding = 1;
		}
	}
	if (b == NULL) {
		/* A handle still bound to an older set-up must not go on as if nothing failed. */
		if ((b = binding_of(easy)) != NULL)
			b->broken = 1;
		pthread_mutex_unlock(&mx_curl_registry_lock);
		free(id_copy);
		return -1;
	}
	if (b->ctx != ctx) {
		drop = b->ctx; /* freed below, outside the lock: it may free states */
		b->ctx = mxtls_ctx_ref(ctx);
	}
	b->st = st;
	free(b->identifier);
	b->identifier = id_copy;
	b->by_selection = by_selection;
	b->last = (mxtls_error){MXTLS_OK, ""};
	ret = choose_pool(easy, b, new_binding, &gone, err);
	if (ret == 0)
		ret = configure_easy(easy, b, err);
	b->broken = ret != 0;
	pthread_mutex_unlock(&mx_curl_registry_lock);
	mx_curl_pool_free(gone);
	mxtls_ctx_free(drop);
	return ret;
}

int mxtls_curl_setup(CURL *easy, mxtls_ctx *ctx, size_t identity, mxtls_error *err)
{
	return setup(easy, ctx, identity, 0, NULL, err);
}

int mxtls_curl_setup_for(CURL *easy, mxtls_ctx *ctx, const char *identifier, const char *url,
			 mxtls_error *err)
{
	char *host = url ? mx_curl_url_host(url) : NULL;
	size_t id = mxtls_ctx_select(ctx, identifier, host);

	free(host);
	/* MXTLS_NO_IDENTITY is past the last identity: no client certificate. */
	return setup(easy, ctx, id, 1, identifier, err);
}

int mxtls_curl_setup_runtime(CURL *easy, mxtls_runtime *rt, const char *identifier,
			     const char *url, mxtls_error *err)
{
	mxtls_ctx *ctx = mxtls_runtime_ctx(rt);
	int ret;

	if (ctx == NULL)
		return mx_curl_err(err, MXTLS_ERR_USAGE, "runtime is NULL", NULL);
	ret = mxtls_curl_setup_for(easy, ctx, identifier, url, err);
	mxtls_ctx_free(ctx); /* the set-up holds its own reference */
	return ret;
}

int mxtls_curl_share_connections(CURL *easy, int enabled, mxtls_error *err)
{
	struct pool *gone = NULL;
	struct binding *b;
	int ret = -1;

	pthread_mutex_lock(&mx_curl_registry_lock);
	b = binding_of(easy);
	if (b == NULL) {
		mx_curl_err(err, MXTLS_ERR_USAGE, "the handle is not set up (mxtls_curl_setup first)",
			    NULL);
	} else if (b->pool == NULL && enabled) {
		mx_curl_err(err, MXTLS_ERR_USAGE,
			    "this handle keeps its own sessions and connections (it ran transfers before "
			    "its set-up, and this libcurl is older than 8.12)",
			    NULL);
	} else {
		b->own_connections = !enabled;
		ret = choose_pool(easy, b, 0, &gone, err);
		/* All options again: the share, and the thread check that goes with it. */
		if (ret == 0)
			ret = configure_easy(easy, b, err);
	}
	pthread_mutex_unlock(&mx_curl_registry_lock);
	mx_curl_pool_free(gone);
	return ret;
}

int mxtls_curl_last_error(CURL *easy, mxtls_error *err)
{
	struct binding *b;
	int found = 0;

	if (err) {
		err->code = MXTLS_OK;
		err->message[0] = '\0';
	}
	pthread_mutex_lock(&mx_curl_registry_lock);
	b = binding_of(easy);
	if (b != NULL && b->last.code != MXTLS_OK) {
		found = 1;
		if (err)
			*err = b->last;
	}
	pthread_mutex_unlock(&mx_curl_registry_lock);
	return found;
}

void mxtls_curl_release(CURL *easy)
{
	struct binding **pp, *b = NULL;
	struct pool *gone = NULL;

	if (easy == NULL)
		return;
	pthread_mutex_lock(&mx_curl_registry_lock);
	for (pp = &bindings; *pp; pp = &(*pp)->next) {
		if ((*pp)->easy == easy) {
			b = *pp;
			*pp = b->next;
			/* Detach the share first: curl refuses to free a share in use. */
			curl_easy_setopt(easy, CURLOPT_SHARE, NULL);
			unset_if_built_in(easy, CURLOPT_SSL_CTX_DATA);
			unset_if_built_in(easy, CURLOPT_SSL_CTX_FUNCTION);
			unset_if_built_in(easy, CURLOPT_PREREQFUNCTION);
			unset_if_built_in(easy, CURLOPT_PREREQDATA);
			drop_pretransfer_guard(easy);
			unset_material(easy);
			drop_sockopt(easy, b);
			if (b->pool != NULL)
				gone = mx_curl_pool_left(b->pool);
			break;
		}
	}
	pthread_mutex_unlock(&mx_curl_registry_lock);
	mx_curl_pool_free(gone);
	if (b != NULL) {
		/* The context and its sessions and connections stay while others hold it. */
		mxtls_ctx_free(b->ctx);
		free(b->identifier);
		free(b);
	}
}
