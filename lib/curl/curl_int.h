/*
 * Internals of the libcurl hand-off (include/mxtls/mxtls_curl.h).
 *
 *   mode.c    which hand-off the running libcurl gets
 *   files.c   the private directory, the CA file, in-memory identity files
 *   state.c   per context and identity: files and curl shares ("pools"),
 *             kept with the context (mxtls_ctx_attach) until it is freed
 *   setup.c   easy handles: options, callbacks, the public functions
 *   url.c     the host of a URL, read with curl's parser
 */
#ifndef MXTLS_CURL_INT_H
#define MXTLS_CURL_INT_H

#include <pthread.h>
#include <stddef.h>

#include "mxtls/mxtls_curl.h"

/*
 * A curl share: the TLS session cache and, when it shares connections, the
 * pool of idle connections. curl does not support sharing connections
 * between threads that run transfers at once, so a pool that shares them
 * belongs to one thread: the one that sets handles up.
 */
struct pool {
	CURLSH *share;
	pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
	int connections;  /* shares idle connections (CURL_LOCK_DATA_CONNECT) */
	pthread_t thread; /* with connections: the only thread whose handles use it */
	/* How the handles in it chose the identity: NULL explicitly (mxtls_curl_setup),
	 * "" by host, else by this identifier. Connections in a by-host pool were all
	 * checked against the pins for their host; no other may serve such a handle. */
	char *key;
	int orphan;       /* its thread ended while handles used it: freed by the last */
	struct state *owner;
	int users;        /* easy handles attached; under the registry lock */
	struct pool *next;
};

/* Everything curl needs for one context and identity; lives as long as the context. */
struct state {
	mxtls_ctx *ctx; /* no reference: the state goes with the context */
	size_t identity;
	struct pool *pools;
	/* The private directory (files.c), pinned by dir_fd (-1 if none); tmpdir is
	 * the name it was made under, used only to remove it. In it, entry: the CA
	 * file (blob and file paths) or the empty CA directory (mbedTLS path),
	 * which curl is given as curl_path, /proc/self/fd/<dir_fd>/<entry>. */
	int dir_fd;
	char *tmpdir;
	char entry[48];
	char curl_path[96];
	char *chain_pem, *key_pem; /* blob path: exported once per state, wiped on free */
	size_t chain_len, key_len;
	int chain_fd, key_fd;         /* file path: sealed in-memory files, -1 if none */
	char chain_path[32], key_path[32]; /* their /proc/self/fd/N names */
	struct state *next;           /* every live state (the registry), for exit clean-up */
};

/* mode.c */
int mx_curl_mode(void);

/* files.c: all under the registry lock */
int mx_curl_make_dir(struct state *st, mxtls_error *err);
int mx_curl_make_entry(struct state *st, mxtls_error *err);
void mx_curl_remove_dir(const struct state *st);
int mx_curl_identity_files(struct state *st, mxtls_error *err);

/* state.c */
extern pthread_mutex_t mx_curl_registry_lock;
/* The state of (ctx, identity), made on first use; under the registry lock. */
struct state *mx_curl_state(mxtls_ctx *ctx, size_t identity, mxtls_error *err);
/* The pool a handle set up now should join (key: see struct pool); under the registry lock. */
struct pool *mx_curl_pool(struct state *st, int connections, const char *key, mxtls_error *err);
/* A handle left pool p (counted down here); under the registry lock.
 * Returns p if it is an orphan nobody uses now: free it with mx_curl_pool_free
 * after unlocking. */
struct pool *mx_curl_pool_left(struct pool *p);
void mx_curl_pool_free(struct pool *p);

/* setup.c */
int mx_curl_err(mxtls_error *err, int code, const char *msg, const char *detail);

#endif
