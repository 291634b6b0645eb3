/* Error codes, their stable names and messages, and the mxtls_error setters. */
#include <stdio.h>
#include <string.h>

#include "mxtls_error.h"

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
	if (err != NULL) {
		err->code = code;
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
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

void mx_err_prefix(mxtls_error *err, const char *fmt, ...)
{
	char prefix[160];
	char old[MXTLS_ERROR_MESSAGE_MAX];
	va_list ap;

	if (err == NULL || err->code == MXTLS_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->message, sizeof(old));
	/* Truncation is fine: the message stays NUL-terminated. */
	if (snprintf(err->message, sizeof(err->message), "%.*s%.*s", (int)sizeof(prefix), prefix,
		     (int)(sizeof(err->message) - 1), old) < 0)
		err->message[0] = '\0';
}
