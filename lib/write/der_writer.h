/*
 * A growable DER writer for the PKCS#12 writer: definite lengths only.
 *
 * Elements are written front to back. mx_dw_open() writes a tag and a
 * one-byte length placeholder; mx_dw_close() fixes the length, moving the
 * content right when the length needs more than one byte. The buffer may
 * hold key material, so every growth copies into a new buffer and wipes the
 * old one, and mx_dw_free() wipes. Errors are sticky: after one failure every
 * call does nothing and mx_dw_finish() reports it, so callers may chain calls
 * and check once.
 */
#ifndef MXTLS_DER_WRITER_H
#define MXTLS_DER_WRITER_H

#include <stddef.h>
#include <stdint.h>

#define MX_DW_MAX_DEPTH 16

struct mx_dw {
	uint8_t *p;
	size_t len, cap;
	size_t open[MX_DW_MAX_DEPTH]; /* offset of each open element's content */
	int depth;
	int failed; /* 0, or MXTLS_ERR_NOMEM / MXTLS_ERR_INTERNAL */
};

void mx_dw_init(struct mx_dw *w);
/* Wipe and free the buffer. NULL-safe. */
void mx_dw_free(struct mx_dw *w);
/* Start a constructed element (SEQUENCE, SET, [n] EXPLICIT...). */
void mx_dw_open(struct mx_dw *w, uint8_t tag);
/* End the innermost open element. */
void mx_dw_close(struct mx_dw *w);
/* A primitive element: tag, DER length, n bytes. */
void mx_dw_prim(struct mx_dw *w, uint8_t tag, const void *p, size_t n);
/* Bytes already DER-encoded (a certificate, a nested structure). */
void mx_dw_raw(struct mx_dw *w, const void *p, size_t n);
void mx_dw_oid(struct mx_dw *w, const uint8_t *oid, size_t n);
/* A non-negative INTEGER, minimal encoding. */
void mx_dw_uint(struct mx_dw *w, uint64_t v);
void mx_dw_null(struct mx_dw *w);
/* Length of a DER length field for a content of n bytes. */
size_t mx_dw_len_size(size_t n);
/*
 * 0 when every call succeeded and every element is closed, else the mxtls
 * error code (NOMEM, or INTERNAL for unbalanced open/close).
 */
int mx_dw_finish(const struct mx_dw *w);

#define MX_DW_OID(w, oid) mx_dw_oid((w), (oid), sizeof(oid))

#endif
