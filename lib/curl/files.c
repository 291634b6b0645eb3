/*
 * Files for curl: a private directory per context and identity with the CA
 * file (or an empty CA directory), and the identity as sealed in-memory files
 * for backends that read it from files.
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "curl_int.h"

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
int mx_curl_make_dir(struct state *st, mxtls_error *err)
{
	char tmpl[256];
	const char *base = tmp_base(sizeof(tmpl) - sizeof("/mxtls-XXXXXX"));
	struct stat sb;

	snprintf(tmpl, sizeof(tmpl), "%s/mxtls-XXXXXX", base);
	if (mkdtemp(tmpl) == NULL)
		return mx_curl_err(err, MXTLS_ERR_IO, "cannot create a private directory", tmpl);
	st->dir_fd = open(tmpl, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (st->dir_fd < 0) {
		mx_curl_err(err, MXTLS_ERR_IO, "cannot open the private directory just made", tmpl);
		rmdir(tmpl); /* ours and empty; or a link put there, which rmdir refuses */
		return -1;
	}
	if (fstat(st->dir_fd, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid() ||
	    (sb.st_mode & 07777) != 0700) {
		close(st->dir_fd);
		st->dir_fd = -1; /* not ours: touch nothing in it */
		return mx_curl_err(err, MXTLS_ERR_IO,
			       "not a private directory (not ours, or not mode 0700)", tmpl);
	}
	st->tmpdir = strdup(tmpl);
	if (st->tmpdir == NULL) {
		close(st->dir_fd);
		st->dir_fd = -1;
		rmdir(tmpl);
		return mx_curl_err(err, MXTLS_ERR_NOMEM, "out of memory", NULL);
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
	return mx_curl_err(err, MXTLS_ERR_IO, "cannot write the CA file", detail);
}

/*
 * The entry curl is given: its name is unique for the process's lifetime (the
 * directory's suffix and a count), so that a state made after another one
 * freed, whose descriptor got the same number, never has the same path in
 * curl's eyes (connections, sessions, curl's CA cache). Under registry_lock.
 */
int mx_curl_make_entry(struct state *st, mxtls_error *err)
{
	static unsigned long made;
	const char *suffix = st->tmpdir + strlen(st->tmpdir) - 6;
	int mbedtls_path = mx_curl_mode() == MXTLS_CURL_MBEDTLS;
	struct stat ours, seen;

	made++;
	if (mbedtls_path) {
		snprintf(st->entry, sizeof(st->entry), "capath-%s-%lu", suffix, made);
		if (mkdirat(st->dir_fd, st->entry, 0700) != 0)
			return mx_curl_err(err, MXTLS_ERR_IO, "cannot make the CA directory",
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
		return mx_curl_err(err, MXTLS_ERR_IO,
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
void mx_curl_remove_dir(const struct state *st)
{
	struct stat pinned, named;

	if (st->dir_fd < 0)
		return;
	if (st->entry[0] != '\0')
		unlinkat(st->dir_fd, st->entry,
			 mx_curl_mode() == MXTLS_CURL_MBEDTLS ? AT_REMOVEDIR : 0);
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
		return mx_curl_err(err, MXTLS_ERR_IO,
			       "this libcurl's TLS backend reads the identity from files, and an "
			       "in-memory file cannot be made (memfd_create)",
			       strerror(errno));
	if (write_all(fd, data, len) != 0) {
		mx_curl_err(err, MXTLS_ERR_IO, "cannot write an in-memory file", strerror(errno));
		close(fd);
		return -1;
	}
	snprintf(path, path_size, "/proc/self/fd/%d", fd);
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0 ||
	    access(path, R_OK) != 0) {
		close(fd);
		return mx_curl_err(err, MXTLS_ERR_IO, "cannot seal or reach an in-memory file (is /proc mounted?)",
			       path);
	}
	*fd_out = fd;
	return 0;
}

/* File path: the identity as two in-memory files; the PEM copies are wiped at once. */
int mx_curl_identity_files(struct state *st, mxtls_error *err)
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

