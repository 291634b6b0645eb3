/*
 * mxtls_server_key_explain(): after a handshake on mbedTLS failed, say whether
 * the server's key is one mbedTLS cannot verify (the probe: server_key.c).
 */
#include <stdio.h>
#include <string.h>

#include "mxtls/mxtls.h"
#include "server_key.h"

#define MAX_TIMEOUT_MS 60000L

/* "3.6" of the mbedTLS libmxtls runs on. */
static void mbedtls_series(char *buf, size_t size)
{
	const char *v = mxtls_mbedtls_version();
	const char *dot = strchr(v, '.');
	const char *end = dot ? strchr(dot + 1, '.') : NULL;

	snprintf(buf, size, "%.*s", end ? (int)(end - v) : (int)strlen(v), v);
}

int mxtls_server_key_explain(const char *host, int port, long timeout_ms, char *message,
			     size_t size)
{
	struct mx_sk_probe probe;
	enum mx_sk_probe_result res;
	char series[16];

	if (message == NULL || size == 0)
		return -1;
	message[0] = '\0';
	if (host == NULL || port <= 0 || port > 65535 || timeout_ms <= 0)
		return -1;
	if (timeout_ms > MAX_TIMEOUT_MS)
		timeout_ms = MAX_TIMEOUT_MS;
	mbedtls_series(series, sizeof(series));
	res = mx_sk_probe(host, port, timeout_ms, &probe);
	if (res == MX_SK_PROBE_CERT && probe.key.mbedtls_verifies == 0) {
		snprintf(message, size,
			 "the server's certificate has %s %s key, which is not supported by mbedTLS "
			 "%s: it verifies RSA and ECDSA (P-256, P-384, P-521) server keys only",
			 probe.key.type == MX_SK_KEY_DSA ? "a" : "an", probe.key.name, series);
		return MXTLS_SERVER_KEY_UNSUPPORTED;
	}
	/* A TLS 1.3-only server refuses the probe: OpenSSL says protocol_version,
	 * GnuTLS handshake_failure (no TLS 1.2 suite to pick). */
	if (res == MX_SK_PROBE_ALERT && probe.alert_desc == MX_SK_ALERT_PROTOCOL_VERSION) {
		snprintf(message, size,
			 "the server accepts only TLS 1.3, where its certificate is encrypted; if it "
			 "uses an Ed25519, Ed448 or RSASSA-PSS key, mbedTLS %s cannot verify it",
			 series);
		return MXTLS_SERVER_KEY_HIDDEN;
	}
	if (res == MX_SK_PROBE_ALERT && probe.alert_desc == MX_SK_ALERT_HANDSHAKE_FAILURE) {
		snprintf(message, size,
			 "the server refused a TLS 1.2 handshake offering every signature scheme as "
			 "well, so its certificate cannot be seen; if it accepts only TLS 1.3 and uses "
			 "an Ed25519, Ed448 or RSASSA-PSS key, mbedTLS %s cannot verify it",
			 series);
		return MXTLS_SERVER_KEY_HIDDEN;
	}
	/* Nothing to explain; what was seen, for a verbose log. */
	if (res == MX_SK_PROBE_CERT)
		snprintf(message, size, "certificate CN=%s, %s key",
			 probe.key.subject_cn[0] ? probe.key.subject_cn : "(none)", probe.key.name);
	else if (res == MX_SK_PROBE_ALERT)
		snprintf(message, size, "alert %u", probe.alert_desc);
	else
		snprintf(message, size, "no certificate seen");
	return MXTLS_SERVER_KEY_NOTHING;
}
