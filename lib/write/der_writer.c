/* DER writer (see der_writer.h). */
#include <stdlib.h>
#include <string.h>

#include "mxtls/mxtls.h"
#include "mxtls_asn1.h"
#include "mxtls_util.h"
#include "write/der_writer.h"

void mx_dw_init(struct mx_dw *w)
{
	memset(w, 0, sizeof(*w));
}

void mx_dw_free(struct mx_dw *w)
{
	if (w == NULL)
		return;
	mx_freezero(w->p, w->cap);
	memset(w, 0, sizeof(*w));
}

/* Room for n more bytes; grows by copying so no unwiped copy is left behind. */
static int reserve(struct mx_dw *w, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (w->failed)
		return -1;
	if (n <= w->cap - w->len)
		return 0;
	if (n > SIZE_MAX / 2 - w->len) {
		w->failed = MXTLS_ERR_NOMEM;
		return -1;
	}
	cap = w->cap ? w->cap : 256;
	while (cap - w->len < n)
		cap *= 2;
	p = malloc(cap);
	if (p == NULL) {
		w->failed = MXTLS_ERR_NOMEM;
		return -1;
	}
	if (w->len)
		memcpy(p, w->p, w->len);
	mx_freezero(w->p, w->cap);
	w->p = p;
	w->cap = cap;
	return 0;
}

size_t mx_dw_len_size(size_t n)
{
	size_t k = 1;

	if (n < 0x80)
		return 1;
	while (n > 0) {
		k++;
		n >>= 8;
	}
	return k;
}

/* Write the length field of n at dst, which has mx_dw_len_size(n) bytes. */
static void put_len(uint8_t *dst, size_t n)
{
	size_t k = mx_dw_len_size(n), i;

	if (k == 1) {
		dst[0] = (uint8_t)n;
		return;
	}
	dst[0] = (uint8_t)(0x80 | (k - 1));
	for (i = 1; i < k; i++)
		dst[i] = (uint8_t)(n >> (8 * (k - 1 - i)));
}

void mx_dw_open(struct mx_dw *w, uint8_t tag)
{
	if (w->failed)
		return;
	if (w->depth >= MX_DW_MAX_DEPTH) {
		w->failed = MXTLS_ERR_INTERNAL;
		return;
	}
	if (reserve(w, 2) != 0)
		return;
	w->p[w->len++] = tag;
	w->p[w->len++] = 0; /* placeholder: a one-byte length */
	w->open[w->depth++] = w->len;
}

void mx_dw_close(struct mx_dw *w)
{
	size_t start, n, k;

	if (w->failed)
		return;
	if (w->depth == 0) {
		w->failed = MXTLS_ERR_INTERNAL;
		return;
	}
	start = w->open[--w->depth];
	n = w->len - start;
	k = mx_dw_len_size(n);
	if (k > 1) {
		if (reserve(w, k - 1) != 0)
			return;
		memmove(w->p + start + k - 1, w->p + start, n);
		w->len += k - 1;
	}
	put_len(w->p + start - 1, n);
}

void mx_dw_raw(struct mx_dw *w, const void *p, size_t n)
{
	if (n == 0 || reserve(w, n) != 0)
		return;
	memcpy(w->p + w->len, p, n);
	w->len += n;
}

void mx_dw_prim(struct mx_dw *w, uint8_t tag, const void *p, size_t n)
{
	size_t k = mx_dw_len_size(n);

	if (reserve(w, 1 + k + n) != 0)
		return;
	w->p[w->len++] = tag;
	put_len(w->p + w->len, n);
	w->len += k;
	if (n)
		memcpy(w->p + w->len, p, n);
	w->len += n;
}

void mx_dw_oid(struct mx_dw *w, const uint8_t *oid, size_t n)
{
	mx_dw_prim(w, MX_TAG_OID, oid, n);
}

void mx_dw_uint(struct mx_dw *w, uint64_t v)
{
	uint8_t b[9];
	size_t n = 0, i;

	/* Big-endian, minimal, with a leading 00 when the top bit is set. */
	for (i = 0; i < 8; i++) {
		uint8_t byte = (uint8_t)(v >> (8 * (7 - i)));
		if (n == 0 && byte == 0)
			continue;
		if (n == 0 && (byte & 0x80))
			b[n++] = 0;
		b[n++] = byte;
	}
	if (n == 0)
		b[n++] = 0;
	mx_dw_prim(w, MX_TAG_INTEGER, b, n);
}

void mx_dw_null(struct mx_dw *w)
{
	mx_dw_prim(w, MX_TAG_NULL, NULL, 0);
}

int mx_dw_finish(const struct mx_dw *w)
{
	if (w->failed)
		return w->failed;
	return w->depth == 0 ? 0 : MXTLS_ERR_INTERNAL;
}
