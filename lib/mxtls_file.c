/* Whole-file reads for containers, passwords and bundles (see mxtls_file.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtls_file.h"
#include "mxtls_util.h"

int mx_read_file(const char *path, size_t max, uint8_t **out, size_t *len, size_t *cap)
{
	uint8_t *buf = NULL, *nb;
	size_t have = 0, size = 0, n;
	int saved, failed;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return MX_FILE_ERR_IO;
	do {
		if (have + 1 >= size) {
			size_t ns = size ? size * 2 : 16384;
			nb = malloc(ns);
			if (nb == NULL) {
				fclose(f);
				mx_freezero(buf, size);
				return MX_FILE_ERR_NOMEM;
			}
			if (buf != NULL)
				memcpy(nb, buf, have);
			mx_freezero(buf, size);
			buf = nb;
			size = ns;
		}
		n = fread(buf + have, 1, size - 1 - have, f);
		have += n;
	} while (n > 0 && have <= max);
	failed = ferror(f);
	saved = errno;
	fclose(f);
	if (failed || have > max) {
		mx_freezero(buf, size);
		errno = saved;
		return failed ? MX_FILE_ERR_IO : MX_FILE_ERR_TOO_BIG;
	}
	buf[have] = '\0';
	*out = buf;
	*len = have;
	*cap = size;
	return 0;
}
