/*
 * The libcurl hand-off (see include/mxtls/mxtls_curl.h). Per context and
 * identity it keeps one state: a curl share for TLS sessions, and for the
 * blob and file paths a CA file and the identity (PEM blobs, or sealed
 * in-memory files). Easy handles point at a state through a small registry,
 * which holds the context references.
 */
#define _GNU_SOURCE /* dl_iterate_phdr, memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mxtls/mxtls_curl.h"
#include "mxtls_curl_url.h"

struct state {
	mxtls_ctx *ctx;
	size_t identity;
	int refs; /* easy handles bound to it; under registry_lock */
	CURLSH *share;
	pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
	/* The private directory (see make_dir), pinned by dir_fd (-1 if none); tmpdir is
	 * the name it was made under, used only to remove it. In it, entry: the CA file
	 * (blob and file paths) or the empty CA directory (mbedTLS path), which curl is
	 * given as curl_path, /proc/self/fd/<dir_fd>/<entry>. */
	int dir_fd;
	char *tmpdir;
	char entry[48];
	char curl_path[96];
	char *chain_pem, *key_pem; /* blob path: exported once per state, wiped on free */
	size_t chain_len, key_len;
	int chain_fd, key_fd;         /* file path: sealed in-memory files, -1 if none */
	char chain_path[32], key_path[32]; /* their /proc/self/fd/N names */
	struct state *next;
};

struct binding {
	CURL *easy;
	struct state *st;
	struct binding *next;
	/* Set up by selection (mxtls_curl_setup_for): each new connection must
	 * select the same identity for its host, or it is refused. */
	int by_selection;
	char *identifier;
	int owns_sockopt;  /* CURLOPT_SOCKOPTFUNCTION is ours (no SSL_CTX_FUNCTION here) */
	mxtls_error last;  /* why the handle's last connection was refused; code 0 if none */
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct state *states;
static struct binding *bindings;

static int set_err(mxtls_error *err, int code, const char *msg, const char *detail)
{
	if (err != NULL) {
		err->code = code;
		snprintf(err->message, sizeof(err->message), "%s%s%s", msg, detail ? ": " : "",
			 detail ? detail : "");
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

/* ---- mode ---- */

struct dl_find {
	const void *addr;
	int found;
};

/* For the object that contains f->addr (libcurl), look for libmbedtls.so in DT_NEEDED. */
static int needs_mbedtls_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct dl_find *f = arg;
	const ElfW(Dyn) *dyn = NULL;
	const char *strtab = NULL;
	int i, inside = 0;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && (uintptr_t)f->addr >= lo &&
		    (uintptr_t)f->addr < lo + ph->p_memsz)
			inside = 1;
		if (ph->p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(info->dlpi_addr + ph->p_vaddr);
	}
	if (!inside || dyn == NULL)
		return 0;
	for (const ElfW(Dyn) *d = dyn; d->d_tag != DT_NULL; d++)
		if (d->d_tag == DT_STRTAB)
			strtab = (const char *)d->d_un.d_ptr;
	for (const ElfW(Dyn) *d = dyn; strtab && d->d_tag != DT_NULL; d++)
		if (d->d_tag == DT_NEEDED && strncmp(strtab + d->d_un.d_val, "libmbedtls.so", 13) == 0)
			f->found = 1;
	return 1; /* found libcurl: stop */
}

static const char *backend(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	return v && v->ssl_version ? v->ssl_version : "";
}

/* Does the loaded libcurl need a shared libmbedtls (DT_NEEDED)? A libcurl with
 * mbedTLS linked in statically has its own copy: our structures are not its. */
static int curl_needs_shared_mbedtls(void)
{
	struct dl_find f = {(const void *)(uintptr_t)curl_version_info, 0};
	return dl_iterate_phdr(needs_mbedtls_cb, &f) >= 0 && f.found;
}

/*
 * Backends that use CURLOPT_SSLCERT_BLOB and CURLOPT_SSLKEY_BLOB. Others
 * (curl's GnuTLS, NSS, ...) accept both options and then ignore them, so that
 * no certificate is sent: they get files instead.
 */
static int takes_key_blobs(const char *b)
{
	static const char *const family[] = {"OpenSSL/", "LibreSSL/", "BoringSSL", "quictls/",
					     "AWS-LC/"};
	size_t i;

	for (i = 0; i < sizeof(family) / sizeof(family[0]); i++)
		if (strncmp(b, family[i], strlen(family[i])) == 0)
			return 1;
	return 0;
}

static int mode;
static pthread_once_t mode_once_get = PTHREAD_ONCE_INIT;

static void mode_init(void)
{
	char want[48];

	/* Same version and a shared libmbedtls: the one library in this process. */
	snprintf(want, sizeof(want), "mbedTLS/%s", mxtls_mbedtls_version());
	if (strcmp(backend(), want) == 0 && curl_needs_shared_mbedtls())
		mode = MXTLS_CURL_MBEDTLS;
	else
		mode = takes_key_blobs(backend()) ? MXTLS_CURL_BLOB : MXTLS_CURL_FILE;
}

int mxtls_curl_mode_get(void)
{
	pthread_once(&mode_once_get, mode_init);
	return mode;
}

static char mode_name[160];
static pthread_once_t mode_once = PTHREAD_ONCE_INIT;

static void mode_name_init(void)
{
	snprintf(mode_name, sizeof(mode_name), "%s (libcurl %s, %s)",
		 mxtls_curl_mode_get() == MXTLS_CURL_MBEDTLS ? "mbedtls"
		 : mxtls_curl_mode_get() == MXTLS_CURL_BLOB  ? "blob"
							     : "file",
		 curl_version_info(CURLVERSION_NOW)->version, backend());
}

const char *mxtls_curl_mode_name(void)
{
	pthread_once(&mode_once, mode_name_init);
	return mode_name;
}

/* ---- the share ---- */

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *userp)
{
	struct state *st = userp;
	(void)h;
	(void)access;
	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&st->locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *userp)
{
	struct state *st = userp;
	(void)h;
	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&st->locks[data]);
}

/* ---- each new connection: the selection still holds; the mbedTLS path installs ---- */

/* Identity i of ctx for messages: its subject, or "no identity". */
static void identity_name(const mxtls_ctx *ctx, size_t i, char *out, size_t size)
{
	const mxtls_cert *leaf = mxtls_ctx_identity_leaf(ctx, i);

	if (leaf == NULL)
		snprintf(out, size, "no identity");
	else
		mxtls_cert_subject(leaf, out, size);
}

/*
 * A handle set up by selection was set up for the host of its URL. A new
 * connection to another host (CURLOPT_FOLLOWLOCATION) must select the same
 * identity, or the identity would reach a host it is not pinned to.
 */
static int selection_holds(CURL *easy, struct binding *b)
{
	const mxtls_ctx *ctx = b->st->ctx;
	size_t n = mxtls_ctx_identity_count(ctx), want;
	char *url = NULL, *host = NULL, have_name[128], want_name[128];

	b->last = (mxtls_error){MXTLS_OK, ""};
	if (!b->by_selection)
		return 1;
	if (curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK && url != NULL)
		host = mx_curl_url_host(url);
	if (host == NULL) {
		/* Not the URL itself in the message: it may hold user:password@. */
		set_err(&b->last, MXTLS_ERR_NOT_PINNED, "cannot tell the host of a new connection",
			NULL);
		return 0;
	}
	want = mxtls_ctx_select(ctx, b->identifier, host);
	if (want == b->st->identity || (want >= n && b->st->identity >= n)) {
		free(host);
		return 1;
	}
	identity_name(ctx, b->st->identity, have_name, sizeof(have_name));
	identity_name(ctx, want, want_name, sizeof(want_name));
	set_errf(&b->last, MXTLS_ERR_NOT_PINNED,
		 "refused a connection to %s (a redirect?): the handle was set up with %s, "
		 "and that host selects %s; set it up again for the new URL",
		 host, have_name, want_name);
	free(host);
	return 0;
}

/* Under registry_lock: the binding of easy, or NULL. */
static struct binding *binding_of(CURL *easy)
{
	struct binding *b;

	for (b = bindings; b && b->easy != easy; b = b->next)
		;
	return b;
}

/* Under registry_lock: is p a live binding? Callback data can outlive its handle. */
static int is_binding(const void *p)
{
	struct binding *b;

	for (b = bindings; b && (const void *)b != p; b = b->next)
		;
	return b != NULL;
}

/*
 * Each new TLS connection. curl copies the callback and its data into handles
 * we never set up: its own DoH lookups, and curl_easy_duphandle() copies. So
 * the handle is looked up, not trusted from userp. Such a handle gets the
 * trust of its parent's context, no identity, while the parent is bound;
 * otherwise (mbedTLS path) nothing is installed and the connection refused.
 */
static CURLcode ssl_ctx_cb(CURL *easy, void *ssl_ctx, void *userp)
{
	int mbedtls_path = mxtls_curl_mode_get() == MXTLS_CURL_MBEDTLS;
	CURLcode rc = CURLE_OK;
	struct binding *b;
	mxtls_error err;

	pthread_mutex_lock(&registry_lock);
	b = binding_of(easy);
	if (b != NULL) {
		if (!selection_holds(easy, b))
			rc = CURLE_SSL_CERTPROBLEM;
		/* On the mbedTLS path, ssl_ctx is curl's mbedtls_ssl_config for this connection. */
		else if (mbedtls_path && mxtls_ctx_apply_mbedtls(b->st->ctx, b->st->identity, ssl_ctx,
								 &b->last) != 0)
			rc = CURLE_SSL_CERTPROBLEM;
	} else if (mbedtls_path) {
		b = is_binding(userp) ? userp : NULL;
		if (b == NULL ||
		    mxtls_ctx_apply_mbedtls(b->st->ctx, MXTLS_NO_IDENTITY, ssl_ctx, &err) != 0)
			rc = CURLE_SSL_CERTPROBLEM;
	}
	pthread_mutex_unlock(&registry_lock);
	return rc;
}

/* The same check before connect, where CURLOPT_SSL_CTX_FUNCTION is not built in
 * (GnuTLS). Every scheme: ftp:// and STARTTLS protocols may turn to TLS later. */
static int sockopt_cb(void *userp, curl_socket_t fd, curlsocktype purpose)
{
	struct binding *b = userp;
	int ok = 1;

	(void)fd;
	(void)purpose;
	pthread_mutex_lock(&registry_lock);
	if (is_binding(b))
		ok = selection_holds(b->easy, b);
	pthread_mutex_unlock(&registry_lock);
	return ok ? CURL_SOCKOPT_OK : CURL_SOCKOPT_ERROR;
}

/* ---- the private directory and the CA file ---- */

/*
 * A private directory per context and identity, holding one entry that curl
 * is given by a path unique to the state: the CA file on the blob and file
 * paths, and on the mbedTLS path an empty CA directory, which curl lists on
 * every new connection (seven system calls, about 10 us under strace) and, as
 * it is empty, parses nothing. curl compares that path before it reuses a
 * connection or resumes a session, which keeps each identity's apart.
 *
 * curl reads the CA file again for new connections (GnuTLS on every one), so
 * nobody else may be able to change what the path leads to. Owning the
 * directory is not enough: whoever may write to the directory above it can
 * rename it and put their own in its place. So curl gets the path through a
 * descriptor of the directory, /proc/self/fd/N/entry, which renaming the
 * directory or any above it does not change.
 */

/*
 * $TMPDIR, unless the process runs set-uid, the value is not absolute or too
 * long, or another user can rename entries in it: it belongs to someone other
 * than us or root, or it is writable by group or others without the sticky
 * bit (ours or not). Then /tmp. Only defence in depth and tidiness now that
 * curl's path goes through the descriptor: a directory renamed away would be
 * left behind.
 */
static const char *tmp_base(size_t room)
{
	const char *base = secure_getenv("TMPDIR");
	struct stat sb;

	if (base == NULL || base[0] != '/' || strlen(base) > room)
		return "/tmp";
	if (stat(base, &sb) == 0 &&
	    ((sb.st_uid != geteuid() && sb.st_uid != 0) ||
	     ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (sb.st_mode & S_ISVTX) == 0)))
		return "/tmp";
	return base; /* a missing $TMPDIR is reported by mkdtemp */
}

/*
 * mkdtemp, then pin the directory with a descriptor. Between the two, another
 * user able to rename in the base could swap in a directory of their own: it
 * would not be ours with mode 0700, and we give up.
 */
static int make_dir(struct state *st, mxtls_error *err)
{
	char tmpl[256];
	const char *base = tmp_base(sizeof(tmpl) - sizeof("/mxtls-XXXXXX"));
	struct stat sb;

	snprintf(tmpl, sizeof(tmpl), "%s/mxtls-XXXXXX", base);
	if (mkdtemp(tmpl) == NULL)
		return set_err(err, MXTLS_ERR_IO, "cannot create a private directory", tmpl);
	st->dir_fd = open(tmpl, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (st->dir_fd < 0) {
		set_err(err, MXTLS_ERR_IO, "cannot open the private directory just made", tmpl);
		rmdir(tmpl); /* ours and empty; or a link put there, which rmdir refuses */
		return -1;
	}
	if (fstat(st->dir_fd, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid() ||
	    (sb.st_mode & 07777) != 0700) {
		close(st->dir_fd);
		st->dir_fd = -1; /* not ours: touch nothing in it */
		return set_err(err, MXTLS_ERR_IO,
			       "not a private directory (not ours, or not mode 0700)", tmpl);
	}
	st->tmpdir = strdup(tmpl);
	if (st->tmpdir == NULL) {
		close(st->dir_fd);
		st->dir_fd = -1;
		rmdir(tmpl);
		return set_err(err, MXTLS_ERR_NOMEM, "out of memory", NULL);
	}
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* Blob and file paths: the context's authorities in one file, which curl can cache
 * (CURLOPT_CA_CACHE_TIMEOUT). Authorities are public: a file on disk is fine. */
static int write_ca_file(struct state *st, mxtls_error *err)
{
	char *pem = NULL, detail[256]; /* fits the message after ours */
	size_t len = 0;
	int fd, ok, saved;

	if (mxtls_ctx_export_trust_pem(st->ctx, &pem, &len, err) != 0)
		return -1;
	/* A new file, never one planted there or a link. */
	fd = openat(st->dir_fd, st->entry, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	ok = fd >= 0 && write_all(fd, pem, len) == 0;
	saved = errno;
	if (fd >= 0 && close(fd) != 0 && ok) {
		ok = 0;
		saved = errno;
	}
	mxtls_free_secret(pem, len);
	if (ok)
		return 0;
	snprintf(detail, sizeof(detail), "%s/%s: %s", st->tmpdir, st->entry, strerror(saved));
	return set_err(err, MXTLS_ERR_IO, "cannot write the CA file", detail);
}

/*
 * The entry curl is given: its name is unique for the process's lifetime (the
 * directory's suffix and a count), so that a state made after another one
 * freed, whose descriptor got the same number, never has the same path in
 * curl's eyes (connections, sessions, curl's CA cache). Under registry_lock.
 */
static int make_entry(struct state *st, mxtls_error *err)
{
	static unsigned long made;
	const char *suffix = st->tmpdir + strlen(st->tmpdir) - 6;
	int mbedtls_path = mxtls_curl_mode_get() == MXTLS_CURL_MBEDTLS;
	struct stat ours, seen;

	made++;
	if (mbedtls_path) {
		snprintf(st->entry, sizeof(st->entry), "capath-%s-%lu", suffix, made);
		if (mkdirat(st->dir_fd, st->entry, 0700) != 0)
			return set_err(err, MXTLS_ERR_IO, "cannot make the CA directory",
				       strerror(errno));
	} else {
		snprintf(st->entry, sizeof(st->entry), "ca-%s-%lu.pem", suffix, made);
		if (write_ca_file(st, err) != 0)
			return -1;
	}
	snprintf(st->curl_path, sizeof(st->curl_path), "/proc/self/fd/%d/%s", st->dir_fd,
		 st->entry);
	if (fstatat(st->dir_fd, st->entry, &ours, AT_SYMLINK_NOFOLLOW) != 0 ||
	    stat(st->curl_path, &seen) != 0 || ours.st_dev != seen.st_dev ||
	    ours.st_ino != seen.st_ino)
		return set_err(err, MXTLS_ERR_IO,
			       "curl would reach the private directory through /proc/self/fd, which "
			       "does not lead to it (is /proc mounted?)",
			       st->curl_path);
	return 0;
}

/*
 * The entry through the descriptor, then the directory by its name, but only
 * if the name still leads to it: not a directory someone put in its place. If
 * ours was renamed away, it stays there, empty. Called at exit as well.
 */
static void remove_dir(const struct state *st)
{
	struct stat pinned, named;

	if (st->dir_fd < 0)
		return;
	if (st->entry[0] != '\0')
		unlinkat(st->dir_fd, st->entry,
			 mxtls_curl_mode_get() == MXTLS_CURL_MBEDTLS ? AT_REMOVEDIR : 0);
	if (st->tmpdir != NULL && fstat(st->dir_fd, &pinned) == 0 &&
	    lstat(st->tmpdir, &named) == 0 && pinned.st_dev == named.st_dev &&
	    pinned.st_ino == named.st_ino)
		rmdir(st->tmpdir);
}

/*
 * File path: PEM text in a sealed in-memory file, which curl opens as
 * /proc/self/fd/N. The key is never written to a file system; it goes with the fd.
 */
static int memory_file(const char *name, const char *data, size_t len, int *fd_out, char *path,
		       size_t path_size, mxtls_error *err)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return set_err(err, MXTLS_ERR_IO,
			       "this libcurl's TLS backend reads the identity from files, and an "
			       "in-memory file cannot be made (memfd_create)",
			       strerror(errno));
	if (write_all(fd, data, len) != 0) {
		set_err(err, MXTLS_ERR_IO, "cannot write an in-memory file", strerror(errno));
		close(fd);
		return -1;
	}
	snprintf(path, path_size, "/proc/self/fd/%d", fd);
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0 ||
	    access(path, R_OK) != 0) {
		close(fd);
		return set_err(err, MXTLS_ERR_IO, "cannot seal or reach an in-memory file (is /proc mounted?)",
			       path);
	}
	*fd_out = fd;
	return 0;
}

/* File path: the identity as two in-memory files; the PEM copies are wiped at once. */
static int write_identity_files(struct state *st, mxtls_error *err)
{
	char *chain = NULL, *key = NULL;
	size_t chain_len = 0, key_len = 0;
	int ret;

	if (mxtls_ctx_export_identity_pem(st->ctx, st->identity, &chain, &chain_len, &key, &key_len,
					  err) != 0)
		return -1;
	ret = memory_file("mxtls-chain", chain, chain_len, &st->chain_fd, st->chain_path,
			  sizeof(st->chain_path), err);
	if (ret == 0)
		ret = memory_file("mxtls-key", key, key_len, &st->key_fd, st->key_path,
				  sizeof(st->key_path), err);
	mxtls_free_secret(chain, chain_len);
	mxtls_free_secret(key, key_len);
	return ret;
}

static void state_free(struct state *st)
{
	int i;

	if (st == NULL)
		return;
	if (st->share)
		curl_share_cleanup(st->share);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&st->locks[i]);
	remove_dir(st);
	if (st->dir_fd >= 0)
		close(st->dir_fd);
	free(st->tmpdir);
	mxtls_free_secret(st->chain_pem, st->chain_len);
	mxtls_free_secret(st->key_pem, st->key_len);
	if (st->chain_fd >= 0)
		close(st->chain_fd);
	if (st->key_fd >= 0)
		close(st->key_fd);
	mxtls_ctx_free(st->ctx);
	free(st);
}

/* At exit, remove the directories of states an application never released. */
static void remove_dirs_at_exit(void)
{
	struct state *st;

	pthread_mutex_lock(&registry_lock);
	for (st = states; st; st = st->next)
		remove_dir(st);
	pthread_mutex_unlock(&registry_lock);
}

static pthread_once_t atexit_once = PTHREAD_ONCE_INIT;

static void register_atexit(void)
{
	atexit(remove_dirs_at_exit);
}

/* Under registry_lock. */
static struct state *state_get(mxtls_ctx *ctx, size_t identity, mxtls_error *err)
{
	struct state *st;
	int i, has_identity;

	pthread_once(&atexit_once, register_atexit);
	for (st = states; st; st = st->next)
		if (st->ctx == ctx && st->identity == identity)
			return st;
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		set_err(err, MXTLS_ERR_NOMEM, "out of memory", NULL);
		return NULL;
	}
	st->ctx = mxtls_ctx_ref(ctx);
	st->identity = identity;
	st->chain_fd = st->key_fd = st->dir_fd = -1;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&st->locks[i], NULL);
	st->share = curl_share_init();
	if (st->share == NULL ||
	    curl_share_setopt(st->share, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
	    curl_share_setopt(st->share, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
	    curl_share_setopt(st->share, CURLSHOPT_USERDATA, st) != CURLSHE_OK ||
	    curl_share_setopt(st->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) !=
		    CURLSHE_OK) {
		state_free(st);
		set_err(err, MXTLS_ERR_INTERNAL, "cannot create a curl share", NULL);
		return NULL;
	}
	has_identity = identity < mxtls_ctx_identity_count(ctx);
	if (make_dir(st, err) != 0 || make_entry(st, err) != 0 ||
	    (mxtls_curl_mode_get() == MXTLS_CURL_BLOB && has_identity &&
	     mxtls_ctx_export_identity_pem(ctx, identity, &st->chain_pem, &st->chain_len,
					   &st->key_pem, &st->key_len, err) != 0) ||
	    (mxtls_curl_mode_get() == MXTLS_CURL_FILE && has_identity &&
	     write_identity_files(st, err) != 0)) {
		state_free(st);
		return NULL;
	}
	st->next = states;
	states = st;
	return st;
}

/* Under registry_lock: drop one easy handle's hold; the last one frees the state. */
static void state_put(struct state *st)
{
	struct state **pp;

	if (--st->refs > 0)
		return;
	for (pp = &states; *pp; pp = &(*pp)->next) {
		if (*pp == st) {
			*pp = st->next;
			break;
		}
	}
	state_free(st);
}

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

/*
 * The per-connection check (selection_holds) on paths that do not need the
 * SSL_CTX callback themselves: that callback where this libcurl has it,
 * else CURLOPT_SOCKOPTFUNCTION.
 */
static CURLcode set_guard(CURL *easy, struct binding *b)
{
	CURLcode rc;

	if (!b->by_selection) {
		rc = unset_if_built_in(easy, CURLOPT_SSL_CTX_FUNCTION);
	} else {
		rc = curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, b);
		else if (rc == CURLE_NOT_BUILT_IN || rc == CURLE_UNKNOWN_OPTION) {
			rc = curl_easy_setopt(easy, CURLOPT_SOCKOPTFUNCTION, sockopt_cb);
			if (rc == CURLE_OK)
				rc = curl_easy_setopt(easy, CURLOPT_SOCKOPTDATA, b);
			b->owns_sockopt = rc == CURLE_OK;
			return rc;
		}
	}
	if (rc == CURLE_OK)
		drop_sockopt(easy, b);
	return rc;
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
	SETOPT(easy, CURLOPT_SHARE, st->share);
	/* Nothing of curl's own (no default CA file) or of a previous set-up. */
	if (rc == CURLE_OK)
		rc = unset_material(easy);
	if (mxtls_curl_mode_get() == MXTLS_CURL_MBEDTLS) {
		SETOPT(easy, CURLOPT_CAPATH, st->curl_path);
		SETOPT(easy, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
		SETOPT(easy, CURLOPT_SSL_CTX_DATA, b);
	} else {
		SETOPT(easy, CURLOPT_CAINFO, st->curl_path);
		if (rc == CURLE_OK)
			rc = set_guard(easy, b);
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
		return set_err(err, MXTLS_ERR_INTERNAL, "curl_easy_setopt failed",
			       curl_easy_strerror(rc));
	return 0;
}

/* Bind easy to (ctx, identity); by_selection: identity was selected for the URL's host
 * (with identifier, may be NULL), which each new connection must then match. */
static int setup(CURL *easy, mxtls_ctx *ctx, size_t identity, int by_selection,
		 const char *identifier, mxtls_error *err)
{
	struct binding *b;
	struct state *st, *old = NULL;
	char *id_copy = NULL;
	int ret;

	if (err) {
		err->code = MXTLS_OK;
		err->message[0] = '\0';
	}
	if (easy == NULL || ctx == NULL)
		return set_err(err, MXTLS_ERR_USAGE, "easy handle or context is NULL", NULL);
	if (by_selection && identifier != NULL && (id_copy = strdup(identifier)) == NULL)
		return set_err(err, MXTLS_ERR_NOMEM, "out of memory", NULL);
	pthread_mutex_lock(&registry_lock);
	st = state_get(ctx, identity, err);
	if (st == NULL) {
		pthread_mutex_unlock(&registry_lock);
		free(id_copy);
		return -1;
	}
	for (b = bindings; b && b->easy != easy; b = b->next)
		;
	if (b == NULL) {
		b = calloc(1, sizeof(*b));
		if (b == NULL) {
			if (st->refs == 0) { /* made just now for this call: undo */
				st->refs = 1;
				state_put(st);
			}
			pthread_mutex_unlock(&registry_lock);
			free(id_copy);
			return set_err(err, MXTLS_ERR_NOMEM, "out of memory", NULL);
		}
		b->easy = easy;
		b->next = bindings;
		bindings = b;
	} else {
		old = b->st;
	}
	if (old != st) {
		st->refs++;
		b->st = st;
	}
	free(b->identifier);
	b->identifier = id_copy;
	b->by_selection = by_selection;
	b->last = (mxtls_error){MXTLS_OK, ""};
	ret = configure_easy(easy, b, err);
	if (old != NULL && old != st)
		state_put(old);
	pthread_mutex_unlock(&registry_lock);
	return ret;
}

int mxtls_curl_setup(CURL *easy, mxtls_ctx *ctx, size_t identity, mxtls_error *err)
{
	return setup(easy, ctx, identity, 0, NULL, err);
}

int mxtls_curl_last_error(CURL *easy, mxtls_error *err)
{
	struct binding *b;
	int found = 0;

	if (err) {
		err->code = MXTLS_OK;
		err->message[0] = '\0';
	}
	pthread_mutex_lock(&registry_lock);
	for (b = bindings; b && b->easy != easy; b = b->next)
		;
	if (b != NULL && b->last.code != MXTLS_OK) {
		found = 1;
		if (err)
			*err = b->last;
	}
	pthread_mutex_unlock(&registry_lock);
	return found;
}

void mxtls_curl_release(CURL *easy)
{
	struct binding **pp, *b;

	if (easy == NULL)
		return;
	pthread_mutex_lock(&registry_lock);
	for (pp = &bindings; *pp; pp = &(*pp)->next) {
		if ((*pp)->easy == easy) {
			b = *pp;
			*pp = b->next;
			/* Detach the share first: curl refuses to free a share in use. */
			curl_easy_setopt(easy, CURLOPT_SHARE, NULL);
			curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, NULL);
			curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, NULL);
			unset_material(easy);
			drop_sockopt(easy, b);
			state_put(b->st);
			free(b->identifier);
			free(b);
			break;
		}
	}
	pthread_mutex_unlock(&registry_lock);
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
		return set_err(err, MXTLS_ERR_USAGE, "runtime is NULL", NULL);
	ret = mxtls_curl_setup_for(easy, ctx, identifier, url, err);
	mxtls_ctx_free(ctx); /* the setup holds its own reference */
	return ret;
}
