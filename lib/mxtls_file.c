/* Whole-file reads for containers, passwords and bundles (see mxtls_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mxtls_error.h"
#include "mxtls_file.h"
#include "mxtls_util.h"

/*
 * Open path for reading, only if it is a regular file. O_NONBLOCK: opening a
 * FIFO nobody writes to would otherwise wait forever (at start-up, or in a
 * reload that holds the reload lock); it changes nothing for regular files.
 */
static int open_regular(const char *path, int *fd_out)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return MX_FILE_ERR_IO;
	if (fstat(fd, &sb) != 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return MX_FILE_ERR_IO;
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		errno = S_ISDIR(sb.st_mode) ? EISDIR : EINVAL;
		return MX_FILE_ERR_NOT_REGULAR;
	}
	*fd_out = fd;
	return 0;
}

int mx_read_file(const char *path, size_t max, uint8_t **out, size_t *len, size_t *cap)
{
	uint8_t *buf = NULL, *nb;
	size_t have = 0, size = 0;
	ssize_t n;
	int fd, ret, saved;

	ret = open_regular(path, &fd);
	if (ret != 0)
		return ret;
	do {
		if (have + 1 >= size) {
			size_t ns = size ? size * 2 : 16384;
			nb = malloc(ns);
			if (nb == NULL) {
				close(fd);
				mx_freezero(buf, size);
				return MX_FILE_ERR_NOMEM;
			}
			if (buf != NULL)
				memcpy(nb, buf, have);
			mx_freezero(buf, size);
			buf = nb;
			size = ns;
		}
		n = read(fd, buf + have, size - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			have += (size_t)n;
	} while (n != 0 && (n > 0 || errno == EINTR) && have <= max);
	saved = errno;
	close(fd);
	if (n < 0 || have > max) {
		mx_freezero(buf, size);
		errno = saved;
		return n < 0 ? MX_FILE_ERR_IO : MX_FILE_ERR_TOO_BIG;
	}
	buf[have] = '\0';
	*out = buf;
	*len = have;
	*cap = size;
	return 0;
}

static const char *kind_of(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return "not a regular file";
	if (S_ISDIR(sb.st_mode))
		return "a directory, not a file";
	if (S_ISFIFO(sb.st_mode))
		return "a FIFO (named pipe), not a regular file";
	if (S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode))
		return "a device, not a regular file";
	if (S_ISSOCK(sb.st_mode))
		return "a socket, not a regular file";
	return "not a regular file";
}

/* err says why mx_read_file() returned ret (not 0) for path. Returns -1. */
static int file_error(int ret, const char *path, size_t max, const char *what, mxtls_error *err)
{
	if (ret == MX_FILE_ERR_TOO_BIG)
		mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED, "larger than %zu bytes, the limit for %s", max,
		       what);
	else if (ret == MX_FILE_ERR_NOMEM)
		mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	else if (ret == MX_FILE_ERR_NOT_REGULAR)
		mx_err(err, MXTLS_ERR_IO, "%s", kind_of(path));
	else
		mx_err(err, MXTLS_ERR_IO, "cannot open: %s", strerror(errno));
	/* The cause first, then the file: a long path is what gets shortened. */
	mx_err_prefix(err, "%s: ", path);
	return -1;
}

int mx_read_file_err(const char *path, size_t max, const char *what, uint8_t **out, size_t *len,
		     size_t *cap, mxtls_error *err)
{
	int ret = mx_read_file(path, max, out, len, cap);

	return ret == 0 ? 0 : file_error(ret, path, max, what, err);
}

int mx_read_password_file(const char *path, char **out, size_t *len, mxtls_error *err)
{
	uint8_t *buf, *nul;
	size_t n, cap;
	char *pw;
	/* Room for one line end ("\r\n") after the longest password. */
	int ret = mx_read_file(path, MXTLS_MAX_PASSWORD_BYTES + 2, &buf, &n, &cap);

	if (ret == MX_FILE_ERR_TOO_BIG)
		goto too_long;
	if (ret != 0)
		return file_error(ret, path, 0, "a password file", err);
	/* Secret files end in one newline more often than not. */
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n > MXTLS_MAX_PASSWORD_BYTES) {
		mx_freezero(buf, cap);
		goto too_long;
	}
	/* A password is NUL-terminated text: a NUL would silently cut it short. */
	nul = memchr(buf, '\0', n);
	if (nul != NULL) {
		size_t at = (size_t)(nul - buf);
		mx_freezero(buf, cap);
		mx_err(err, MXTLS_ERR_CONFIG, "the password file holds a NUL byte (offset %zu)", at);
		mx_err_prefix(err, "%s: ", path);
		return -1;
	}
	pw = malloc(n + 1);
	if (pw != NULL) {
		memcpy(pw, buf, n);
		pw[n] = '\0';
	}
	mx_freezero(buf, cap);
	if (pw == NULL) {
		mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		return -1;
	}
	*out = pw;
	*len = n;
	return 0;
too_long:
	mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED, "the password is longer than %u bytes, the limit",
	       MXTLS_MAX_PASSWORD_BYTES);
	mx_err_prefix(err, "%s: ", path);
	return -1;
}

char *mxtls_password_read_file(const char *path, mxtls_error *err)
{
	char *pw = NULL;
	size_t len;

	mx_err_clear(err);
	if (path == NULL) {
		mx_err(err, MXTLS_ERR_USAGE, "no password file given");
		return NULL;
	}
	return mx_read_password_file(path, &pw, &len, err) == 0 ? pw : NULL;
}

void mxtls_password_free(char *password)
{
	if (password != NULL)
		mx_freezero(password, strlen(password) + 1);
}
