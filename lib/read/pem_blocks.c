/* PEM blocks for the pack readers: every block, through the one scanner (lib/mxtls_pem.c). */
#include "mxtls_error.h"
#include "read_int.h"

/* The scanner's fault, in the words these readers have always used. */
static int say(const struct mx_pem_scan *s, int f, mxtls_error *err)
{
	const struct mx_pem_block *b = &s->block;

	switch ((enum mx_pem_fault)f) {
	case MX_PEM_BAD_BEGIN:
		return mx_err(err, MXTLS_ERR_CORRUPT, "line %zu: malformed BEGIN line", s->at);
	case MX_PEM_NO_END:
		return mx_err(err, MXTLS_ERR_CORRUPT,
		              "line %zu: \"BEGIN %s\" without its END line (truncated?)", b->line,
		              b->label);
	case MX_PEM_BAD_END:
		return mx_err(err, MXTLS_ERR_CORRUPT, "line %zu: malformed END line", s->at);
	case MX_PEM_END_MISMATCH:
		return mx_err(err, MXTLS_ERR_CORRUPT,
		              "line %zu: \"END %.*s\" closes \"BEGIN %s\" of line %zu", s->at,
		              (int)s->end_label_len, (const char *)s->end_label, b->label, b->line);
	case MX_PEM_BAD_BYTE:
		return mx_err(err, MXTLS_ERR_CORRUPT,
		              "line %zu: invalid base64 in \"%s\" block of line %zu", s->at,
		              b->label, b->line);
	case MX_PEM_EMPTY:
		return mx_err(err, MXTLS_ERR_CORRUPT, "line %zu: empty \"%s\" block", b->line,
		              b->label);
	case MX_PEM_BAD_BASE64:
		return mx_err(err, MXTLS_ERR_CORRUPT, "line %zu: invalid base64 in \"%s\" block",
		              b->line, b->label);
	case MX_PEM_LONG_HEADER:
		return mx_err(err, MXTLS_ERR_CORRUPT, "line %zu: DEK-Info header too long", s->at);
	case MX_PEM_TOO_MANY: /* no max is set */
	case MX_PEM_NOMEM:
		break;
	}
	return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
}

int mx_pem_blocks(const uint8_t *text, size_t len, mx_pem_block_cb cb, void *arg, size_t *nblocks,
                  mxtls_error *err)
{
	struct mx_pem_scan s = {.cb = cb, .arg = arg};
	int ret;

	if (nblocks)
		*nblocks = 0;
	if (cb == NULL || (text == NULL && len > 0))
		return mx_err(err, MXTLS_ERR_USAGE, "no text or callback");
	if (len > MX_READ_MAX_INPUT)
		return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED, "input of %zu bytes exceeds %zu", len,
		              MX_READ_MAX_INPUT);
	ret = mx_pem_scan(&s, text, len);
	if (nblocks)
		*nblocks = s.nblocks;
	return ret > 0 ? say(&s, ret, err) : ret;
}
