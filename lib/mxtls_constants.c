/*
 * The header's constants by name, for FFI bindings that cannot read macros
 * or enums (mxtls_constant). tests/abi/test_abi.py checks that every integer
 * macro and enum value of mxtls.h is here, with its value.
 */
#include <string.h>

#include "mxtls/mxtls.h"

#define C(name) {#name, (int64_t)(name)}
static const struct {
	const char *name;
	int64_t value;
} constants[] = {
	C(MXTLS_VERSION_MAJOR),
	C(MXTLS_VERSION_MINOR),
	C(MXTLS_VERSION_PATCH),
	C(MXTLS_ABI_VERSION),
	C(MXTLS_ERR_MAX),
	C(MXTLS_ERROR_MESSAGE_MAX),
	C(MXTLS_LOAD_REQUIRE_MAC),
	C(MXTLS_MAX_INPUT_BYTES),
	C(MXTLS_MAX_NESTING),
	C(MXTLS_MAX_BAGS),
	C(MXTLS_MAX_KDF_ITERATIONS),
	C(MXTLS_MAX_KDF_BUDGET),
	C(MXTLS_MAX_PASSWORD_BYTES),
	C(MXTLS_MAX_ENV_IDENTITIES),
	C(MXTLS_MAX_PINS),
	C(MXTLS_MAX_PIN_BYTES),
	C(MXTLS_CLOCK_SKEW_SECONDS),
	C(MXTLS_WARN_MAX),
	C(MXTLS_TLS_1_2),
	C(MXTLS_TLS_1_3),
	C(MXTLS_EVENT_MAX),
	C(MXTLS_OK),
	C(MXTLS_ERR_USAGE),
	C(MXTLS_ERR_NOMEM),
	C(MXTLS_ERR_IO),
	C(MXTLS_ERR_CORRUPT),
	C(MXTLS_ERR_WRONG_PASSWORD),
	C(MXTLS_ERR_UNSUPPORTED_ALGORITHM),
	C(MXTLS_ERR_UNSUPPORTED_KEY),
	C(MXTLS_ERR_NO_KEY),
	C(MXTLS_ERR_NO_CERTIFICATE),
	C(MXTLS_ERR_KEY_MISMATCH),
	C(MXTLS_ERR_LIMIT_EXCEEDED),
	C(MXTLS_ERR_EMPTY),
	C(MXTLS_ERR_NO_MAC),
	C(MXTLS_ERR_INTERNAL),
	C(MXTLS_ERR_NOT_PINNED),
	C(MXTLS_ERR_CONFIG),
	C(MXTLS_ERR_EXPIRED),
	C(MXTLS_KEY_RSA),
	C(MXTLS_KEY_EC),
	C(MXTLS_WARN_NO_MAC),
	C(MXTLS_WARN_LEGACY_ALGORITHM),
	C(MXTLS_WARN_WEAK_KEY),
	C(MXTLS_WARN_EXPIRED),
	C(MXTLS_WARN_NOT_YET_VALID),
	C(MXTLS_WARN_NO_CLIENT_AUTH),
	C(MXTLS_WARN_EXPORTER_QUIRK),
	C(MXTLS_WARN_SKIPPED_ENTRY),
	C(MXTLS_WARN_NOT_A_CA),
	C(MXTLS_WARN_AMBIGUOUS),
	C(MXTLS_WARN_EXPIRING),
	C(MXTLS_EVENT_LOADED),
	C(MXTLS_EVENT_RELOADED),
	C(MXTLS_EVENT_RELOAD_FAILED),
	C(MXTLS_EVENT_UNCHANGED),
	C(MXTLS_EVENT_EXPIRING),
	C(MXTLS_EVENT_EXPIRED),
	C(MXTLS_EVENT_WARNING),
	C(MXTLS_SERVER_KEY_NOTHING),
	C(MXTLS_SERVER_KEY_UNSUPPORTED),
	C(MXTLS_SERVER_KEY_HIDDEN),
};
#undef C

int mxtls_constant(const char *name, int64_t *value)
{
	size_t i;

	if (name == NULL || value == NULL)
		return -1;
	for (i = 0; i < sizeof(constants) / sizeof(constants[0]); i++) {
		if (strcmp(constants[i].name, name) == 0) {
			*value = constants[i].value;
			return 0;
		}
	}
	return -1;
}

size_t mxtls_no_identity(void)
{
	return MXTLS_NO_IDENTITY;
}

int mxtls_abi_version(void)
{
	return MXTLS_ABI_VERSION;
}
