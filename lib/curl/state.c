/*
 * One state per context and identity: the files curl reads and the curl
 * shares that hold its TLS sessions and idle connections. A state lives as
 * long as its context (it is attached with mxtls_ctx_attach), so sessions
 * and connections outlive the easy handles that made them; when the last
 * reference to the context goes, its states go at once with everything in
 * them. Easy handles hold the context references (setup.c), states none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "curl_int.h"

pthread_mutex_t mx_curl_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct state *states; /* every live state */
static const char attach_key; /* our mxtls_ctx_attach key: its address */

/* ---- pools ---- */

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *userp)
{
	struct pool *p = userp;
	(void)h;
	(void)access;
	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&p->locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *userp)
{
	struct pool *p = userp;
	(void)h;
	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&p->locks[data]);
}

/*
 * Close the share (and its idle connections). curl refuses while a handle
 * still uses it; then the pool must stay, as curl holds its lock functions'
 * data: returns -1 and the caller keeps it.
 */
static int pool_free(struct pool *p)
{
	int i;

	if (p->share != NULL && curl_share_cleanup(p->share) != CURLSHE_OK)
		return -1;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&p->locks[i]);
	free(p->key);
	free(p);
	return 0;
}

void mx_curl_pool_free(struct pool *p)
{
	if (p != NULL && pool_free(p) != 0)
		fprintf(stderr, "mxtls: a curl share is still in use as it is freed; it is left open\n");
}

static struct pool *pool_new(int connections, const char *key, mxtls_error *err)
{
	struct pool *p = calloc(1, sizeof(*p));
	int i;

	if (p != NULL && key != NULL && (p->key = strdup(key)) == NULL) {
		free(p);
		p = NULL;
	}
	if (p == NULL) {
		mx_curl_err(err, MXTLS_ERR_NOMEM, "out of memory", NULL);
		return NULL;
	}
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&p->locks[i], NULL);
	p->connections = connections;
	p->thread = pthread_self();
	p->share = curl_share_init();
	if (p->share == NULL ||
	    curl_share_setopt(p->share, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
	    curl_share_setopt(p->share, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
	    curl_share_setopt(p->share, CURLSHOPT_USERDATA, p) != CURLSHE_OK ||
	    curl_share_setopt(p->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK ||
	    (connections &&
	     curl_share_setopt(p->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK)) {
		pool_free(p);
		mx_curl_err(err, MXTLS_ERR_INTERNAL, "cannot create a curl share", NULL);
		return NULL;
	}
	return p;
}

/*
 * A thread that set handles up ends: its pools close (threads made per
 * request would otherwise pile up idle connections). They are unlinked under
 * the lock and closed after it, since closing connections may run the
 * application's callbacks. A pool a handle still uses becomes an orphan,
 * never joined again and freed when its last handle leaves.
 */
static pthread_key_t thread_key;
static int thread_key_ok;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

static void thread_gone(void *unused)
{
	pthread_t self = pthread_self();
	struct pool **pp, *p, *gone = NULL;
	struct state *st;

	(void)unused;
	pthread_mutex_lock(&mx_curl_registry_lock);
	for (st = states; st; st = st->next) {
		for (pp = &st->pools; (p = *pp) != NULL;) {
			if (!p->connections || p->orphan || !pthread_equal(p->thread, self)) {
				pp = &p->next;
			} else if (p->users > 0) {
				p->orphan = 1;
				pp = &p->next;
			} else {
				*pp = p->next;
				p->next = gone;
				gone = p;
			}
		}
	}
	pthread_mutex_unlock(&mx_curl_registry_lock);
	for (; gone; gone = p) {
		p = gone->next;
		mx_curl_pool_free(gone);
	}
}

static void make_thread_key(void)
{
	thread_key_ok = pthread_key_create(&thread_key, thread_gone) == 0;
}

struct pool *mx_curl_pool(struct state *st, int connections, const char *key, mxtls_error *err)
{
	pthread_t self = pthread_self();
	struct pool *p;

	/* Without a way to learn that threads end, pools of connections would pile up. */
	pthread_once(&thread_key_once, make_thread_key);
	if (connections && !thread_key_ok)
		connections = 0;
	for (p = st->pools; p; p = p->next)
		if (p->connections == connections && !p->orphan &&
		    (p->key == NULL ? key == NULL : key != NULL && strcmp(p->key, key) == 0) &&
		    (!connections || pthread_equal(p->thread, self)))
			break;
	if (p == NULL) {
		p = pool_new(connections, key, err);
		if (p == NULL)
			return NULL;
		p->owner = st;
		p->next = st->pools;
		st->pools = p;
	}
	if (connections) /* thread_gone runs at this thread's end (set again: ids are reused) */
		(void)pthread_setspecific(thread_key, (void *)1);
	return p;
}

struct pool *mx_curl_pool_left(struct pool *p)
{
	struct pool **pp;

	p->users--;
	if (!p->orphan || p->users > 0)
		return NULL;
	for (pp = &p->owner->pools; *pp && *pp != p; pp = &(*pp)->next)
		;
	if (*pp == p)
		*pp = p->next;
	return p;
}

/* ---- states ---- */

static void state_free(struct state *st)
{
	struct pool *p, *next;

	for (p = st->pools; p; p = next) {
		next = p->next;
		mx_curl_pool_free(p);
	}
	mx_curl_remove_dir(st);
	if (st->dir_fd >= 0)
		close(st->dir_fd);
	free(st->tmpdir);
	mxtls_free_secret(st->chain_pem, st->chain_len);
	mxtls_free_secret(st->key_pem, st->key_len);
	if (st->chain_fd >= 0)
		close(st->chain_fd);
	if (st->key_fd >= 0)
		close(st->key_fd);
	free(st);
}

/*
 * The context's last reference is going: its states go with it, before the
 * context's memory (pooled connections on the mbedTLS path point into it).
 */
static void ctx_gone(void *value)
{
	mxtls_ctx *ctx = value;
	struct state **pp, *st, *mine = NULL;

	pthread_mutex_lock(&mx_curl_registry_lock);
	for (pp = &states; (st = *pp) != NULL;) {
		if (st->ctx == ctx) {
			*pp = st->next;
			st->next = mine;
			mine = st;
		} else {
			pp = &st->next;
		}
	}
	pthread_mutex_unlock(&mx_curl_registry_lock);
	for (; mine; mine = st) {
		st = mine->next;
		state_free(mine);
	}
}

static pid_t owner_pid; /* a forked child must not remove its parent's directories */

/* At exit, remove the directories of contexts never freed. */
static void remove_dirs_at_exit(void)
{
	struct state *st;

	if (getpid() != owner_pid)
		return;
	pthread_mutex_lock(&mx_curl_registry_lock);
	for (st = states; st; st = st->next)
		mx_curl_remove_dir(st);
	pthread_mutex_unlock(&mx_curl_registry_lock);
}

static pthread_once_t atexit_once = PTHREAD_ONCE_INIT;

static void register_atexit(void)
{
	owner_pid = getpid();
	atexit(remove_dirs_at_exit);
}

struct state *mx_curl_state(mxtls_ctx *ctx, size_t identity, mxtls_error *err)
{
	int mode = mx_curl_mode(), has_identity;
	struct state *st;

	pthread_once(&atexit_once, register_atexit);
	for (st = states; st; st = st->next)
		if (st->ctx == ctx && st->identity == identity)
			return st;
	/* The first state of this context: be told when the context goes. The
	 * context pointer itself is the value (it is all ctx_gone needs). */
	if (mxtls_ctx_attachment(ctx, &attach_key) == NULL &&
	    mxtls_ctx_attach(ctx, &attach_key, ctx, ctx_gone) != ctx) {
		mx_curl_err(err, MXTLS_ERR_NOMEM, "out of memory", NULL);
		return NULL;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		mx_curl_err(err, MXTLS_ERR_NOMEM, "out of memory", NULL);
		return NULL;
	}
	st->ctx = ctx;
	st->identity = identity;
	st->chain_fd = st->key_fd = st->dir_fd = -1;
	has_identity = identity < mxtls_ctx_identity_count(ctx);
	if (mx_curl_make_dir(st, err) != 0 || mx_curl_make_entry(st, err) != 0 ||
	    (mode == MXTLS_CURL_BLOB && has_identity &&
	     mxtls_ctx_export_identity_pem(ctx, identity, &st->chain_pem, &st->chain_len,
					   &st->key_pem, &st->key_len, err) != 0) ||
	    (mode == MXTLS_CURL_FILE && has_identity && mx_curl_identity_files(st, err) != 0)) {
		state_free(st);
		return NULL;
	}
	st->next = states;
	states = st;
	return st;
}
