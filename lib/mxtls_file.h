/* Reading a whole file that may hold a secret, without leaving copies behind. */
#ifndef MXTLS_FILE_H
#define MXTLS_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "mxtls/mxtls.h"

#define MX_FILE_ERR_IO (-1)     /* errno says why */
#define MX_FILE_ERR_NOMEM (-2)
#define MX_FILE_ERR_TOO_BIG (-3)
#define MX_FILE_ERR_NOT_REGULAR (-4) /* a directory, FIFO, device...: never read */

/*
 * Read path into a new NUL-terminated buffer: *len bytes of content, *cap
 * bytes allocated. The buffer grows by copy-and-wipe, never realloc, so no
 * freed copy of the content survives. Release with mx_freezero(buf, cap).
 * More than max bytes is MX_FILE_ERR_TOO_BIG; anything but a regular file
 * (after symbolic links) is MX_FILE_ERR_NOT_REGULAR, and is not opened for
 * long enough to block.
 */
int mx_read_file(const char *path, size_t max, uint8_t **out, size_t *len, size_t *cap);

/*
 * The same, reporting failures in err as "PATH: cause" (io, nomem or
 * limit_exceeded; what names the limit: "a PKCS#12 file"). Returns 0 or -1.
 */
int mx_read_file_err(const char *path, size_t max, const char *what, uint8_t **out, size_t *len,
		     size_t *cap, mxtls_error *err);

/*
 * A password file as everything in libmxtls reads one: the whole file less
 * one trailing line end (\n, \r\n or \r), at most MXTLS_MAX_PASSWORD_BYTES bytes,
 * no NUL byte, regular files only. *out: a new string of *len bytes; release
 * with mx_freezero(*out, *len + 1). Returns 0, or -1 with err as "PATH: cause".
 */
int mx_read_password_file(const char *path, char **out, size_t *len, mxtls_error *err);

#endif
