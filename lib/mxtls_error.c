/* Error codes, their stable names and messages, and the mxtls_error setters. */
#include <stdio.h>
#include <string.h>

#include "mxtls_error.h"
#include "mxtls_text.h"

struct code_info {
	const char *name;
	const char *text;
};

/* Indexed by mxtls_code; the names are the stable strings of the JSON output. */
static const struct code_info codes[] = {
	[MXTLS_OK] = {"ok", "success"},
	[MXTLS_ERR_USAGE] = {"usage", "invalid argument"},
	[MXTLS_ERR_NOMEM] = {"nomem", "out of memory"},
	[MXTLS_ERR_IO] = {"io", "input/output error"},
	[MXTLS_ERR_CORRUPT] = {"corrupt", "not a well-formed PKCS#12 container"},
	[MXTLS_ERR_WRONG_PASSWORD] = {"wrong_password", "the password does not open the container"},
	[MXTLS_ERR_UNSUPPORTED_ALGORITHM] = {"unsupported_algorithm", "unsupported algorithm"},
	[MXTLS_ERR_UNSUPPORTED_KEY] = {"unsupported_key", "unsupported private key type or size"},
	[MXTLS_ERR_NO_KEY] = {"no_key", "certificates but no private key"},
	[MXTLS_ERR_NO_CERTIFICATE] = {"no_certificate", "a private key but no certificate"},
	[MXTLS_ERR_KEY_MISMATCH] = {"key_mismatch", "no certificate matches the private key"},
	[MXTLS_ERR_LIMIT_EXCEEDED] = {"limit_exceeded", "a safety limit was exceeded"},
	[MXTLS_ERR_EMPTY] = {"empty", "the container holds nothing"},
	[MXTLS_ERR_NO_MAC] = {"no_mac", "the container has no integrity MAC"},
	[MXTLS_ERR_INTERNAL] = {"internal", "internal error"},
	[MXTLS_ERR_NOT_PINNED] = {"not_pinned", "the identity was not selected for this host"},
	[MXTLS_ERR_CONFIG] = {"config", "the configuration is malformed"},
	[MXTLS_ERR_EXPIRED] = {"expired", "a certificate has expired or is not yet valid"},
};

static const struct code_info *lookup(int code)
{
	if (code < 0 || (size_t)code >= sizeof(codes) / sizeof(codes[0]) || codes[code].name == NULL)
		return NULL;
	return &codes[code];
}

const char *mxtls_error_name(int code)
{
	const struct code_info *ci = lookup(code);
	return ci ? ci->name : "unknown";
}

const char *mxtls_strerror(int code)
{
	const struct code_info *ci = lookup(code);
	return ci ? ci->text : "unknown error";
}

int mxtls_error_code(const mxtls_error *err)
{
	return err ? err->code : MXTLS_ERR_USAGE;
}

const char *mxtls_error_message(const mxtls_error *err)
{
	return err ? err->message : "";
}

size_t mxtls_error_size(void)
{
	return sizeof(mxtls_error);
}

void mx_err_clear(mxtls_error *err)
{
	if (err == NULL)
		return;
	err->code = MXTLS_OK;
	err->message[0] = '\0';
}

static int set(mxtls_error *err, int code, const char *fmt, va_list ap) MX_PRINTF(3, 0);
static int set(mxtls_error *err, int code, const char *fmt, va_list ap)
{
	int n;

	if (err != NULL) {
		err->code = code;
		n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
		mx_text_clean(err->message, sizeof(err->message), n >= (int)sizeof(err->message));
	}
	return -code;
}

int mx_err(mxtls_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	if (err != NULL && err->code != MXTLS_OK)
		return -err->code;
	va_start(ap, fmt);
	ret = set(err, code, fmt, ap);
	va_end(ap);
	return ret;
}

int mx_err_replace(mxtls_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = set(err, code, fmt, ap);
	va_end(ap);
	return ret;
}

/*
 * The context goes first, the cause after it: "VAR: file.p12: cause". When
 * the whole does not fit, its middle gives way ("VAR: /very/long/...dir/
 * file.p12: cause"): the start says where, the end says what went wrong.
 */
void mx_err_prefix(mxtls_error *err, const char *fmt, ...)
{
	char all[1024 + MXTLS_ERROR_MESSAGE_MAX];
	size_t len, room = sizeof(err->message) - 1, head, tail_at;
	va_list ap;
	int n;

	if (err == NULL || err->code == MXTLS_OK)
		return;
	va_start(ap, fmt);
	n = vsnprintf(all, 1024, fmt, ap);
	va_end(ap);
	/* A prefix over 1023 bytes was cut by vsnprintf: cleaned, it ends in "...". */
	mx_text_clean(all, 1024, n >= 1024);
	len = strlen(all);
	memcpy(all + len, err->message, strlen(err->message) + 1);
	len = strlen(all);
	if (len <= room) {
		memcpy(err->message, all, len + 1);
		return;
	}
	head = mx_utf8_cut(all, room / 3);
	tail_at = len - (room - head - 3);
	while (tail_at < len && ((unsigned char)all[tail_at] & 0xc0) == 0x80)
		tail_at++; /* start on a character */
	snprintf(err->message, sizeof(err->message), "%.*s...%s", (int)head, all, all + tail_at);
}
