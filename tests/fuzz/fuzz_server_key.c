/*
 * libFuzzer target: the server-key probe behind mxtls_server_key_explain() (lib/diag/server_key.c),
 * without its socket: the record reader mx_sk_read(), the key description
 * mx_sk_describe() and the ClientHello writer mx_sk_client_hello().
 *
 * The input is what a server sends (seeds/server_key/: ServerHello and
 * Certificate flights captured from openssl s_server, alerts, cut records).
 * Invariants:
 *   - reading the input at once, and in pieces (growing prefixes of the same
 *     buffer, cut where the input's bytes say), gives the same status, and
 *     the same certificate bytes;
 *   - a certificate lies inside the reader's buffer, is not empty, and its
 *     description (and that of the raw input read as a certificate) is
 *     printable ASCII of the characters the tool prints, with a known verdict;
 *   - the ClientHello for an SNI taken from the input is either refused (0)
 *     or a single record whose lengths add up, inside the buffer given.
 * LLVMFuzzerInitialize also checks fixed cases: a cut record needs more, a
 * record claiming more than TLS allows is malformed, an alert is an alert.
 */
#define FUZZ_NAME "fuzz_server_key"
#include "fuzz_util.h"
#include "server_key.h"

static uint8_t hs_once[MX_SK_MAX_INPUT], hs_pieces[MX_SK_MAX_INPUT];

static enum mx_sk_status read_once(const uint8_t *in, size_t n, struct mx_sk_reader *r, uint8_t *hs)
{
	mx_sk_reader_init(r, hs, MX_SK_MAX_INPUT);
	return mx_sk_read(r, in, in + n);
}

static void expect(const char *what, const uint8_t *in, size_t n, enum mx_sk_status want)
{
	struct mx_sk_reader r;
	enum mx_sk_status got = read_once(in, n, &r, hs_once);

	check(got == want, "%s: status %d, expected %d", what, (int)got, (int)want);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* A handshake record announcing 100 bytes, 4 of them here. */
	static const uint8_t cut[] = {22, 3, 3, 0, 100, 2, 0, 0, 96};
	/* 0xffff bytes: more than any TLS 1.2 record may hold. */
	static const uint8_t huge[] = {22, 3, 3, 0xff, 0xff, 2, 0, 0, 96};
	/* A handshake message announcing 16 MiB, more than the reader keeps. */
	static const uint8_t huge_msg[] = {22, 3, 3, 0, 4, 2, 0xff, 0xff, 0xff};
	static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 70};
	static const uint8_t not_tls[] = "HTTP/1.1 400 Bad Request\r\n";
	struct mx_sk_reader r;

	(void)argc, (void)argv;
	expect("cut record", cut, sizeof(cut), MX_SK_NEED_MORE);
	expect("record header only", cut, 5, MX_SK_NEED_MORE);
	expect("huge record", huge, sizeof(huge), MX_SK_MALFORMED);
	expect("huge message", huge_msg, sizeof(huge_msg), MX_SK_MALFORMED);
	expect("not TLS", not_tls, sizeof(not_tls) - 1, MX_SK_MALFORMED);
	expect("alert", alert, sizeof(alert), MX_SK_ALERT);
	read_once(alert, sizeof(alert), &r, hs_once);
	check(r.alert_level == 2 && r.alert_desc == MX_SK_ALERT_PROTOCOL_VERSION, "alert %u %u",
	      r.alert_level, r.alert_desc);
	return 0;
}

/* Only what the tool's messages may contain. */
static void check_plain(const char *s, size_t size, const char *what)
{
	size_t n = strnlen(s, size), i;

	check(n < size, "%s not terminated", what);
	for (i = 0; i < n; i++)
		check((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		          (s[i] >= '0' && s[i] <= '9') || strchr(" *-._()", s[i]) != NULL,
		      "%s has byte 0x%02x: %s", what, (unsigned char)s[i], s);
}

static void check_describe(const uint8_t *der, size_t len)
{
	struct mx_sk_key key;
	int ret = mx_sk_describe(der, der + len, &key);

	check(ret == 0 || ret == -1, "describe returned %d", ret);
	check(key.mbedtls_verifies >= -1 && key.mbedtls_verifies <= 1, "verdict %d",
	      key.mbedtls_verifies);
	check(key.type >= MX_SK_KEY_UNKNOWN && key.type <= MX_SK_KEY_DSA, "type %d", (int)key.type);
	check_plain(key.name, sizeof(key.name), "name");
	check(key.name[0] != '\0', "empty name");
	check_plain(key.subject_cn, sizeof(key.subject_cn), "subject CN");
	/* The keys the tool reports as unsupported, and only those. */
	if (key.type == MX_SK_KEY_ED25519 || key.type == MX_SK_KEY_ED448 ||
	    key.type == MX_SK_KEY_RSA_PSS)
		check(key.mbedtls_verifies == 0, "%s: verdict %d", key.name, key.mbedtls_verifies);
	if (key.type == MX_SK_KEY_RSA)
		check(key.mbedtls_verifies == 1, "%s: verdict %d", key.name, key.mbedtls_verifies);
}

/* The same input in pieces: cut after 1 + (byte % 64) bytes, again and again. */
static enum mx_sk_status read_in_pieces(const uint8_t *in, size_t n, struct mx_sk_reader *r)
{
	enum mx_sk_status s = MX_SK_NEED_MORE;
	size_t have = 0;

	mx_sk_reader_init(r, hs_pieces, MX_SK_MAX_INPUT);
	while (s == MX_SK_NEED_MORE && have < n) {
		have += 1 + in[have] % 64;
		if (have > n)
			have = n;
		s = mx_sk_read(r, in, in + have);
		check(r->used <= have, "used %zu of %zu", r->used, have);
	}
	return s;
}

static void check_client_hello(const uint8_t *data, size_t size)
{
	static const uint8_t random[32];
	uint8_t out[600];
	char sni[300];
	size_t n = size < sizeof(sni) - 1 ? size : sizeof(sni) - 1, room, len;

	memcpy(sni, data, n);
	sni[n] = '\0';
	room = size > 0 ? data[0] * 3u : sizeof(out);
	if (room > sizeof(out))
		room = sizeof(out);
	len = mx_sk_client_hello(out, out + room, sni, random);
	check(len <= room, "hello of %zu bytes in %zu", len, room);
	if (len > 0)
		check(len >= 9 && out[0] == 22 && ((size_t)out[3] << 8 | out[4]) == len - 5 &&
		          ((size_t)out[6] << 16 | (size_t)out[7] << 8 | out[8]) == len - 9,
		      "hello lengths do not add up (%zu bytes)", len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mx_sk_reader once, pieces;
	enum mx_sk_status s1, s2;

	if (size > MX_SK_MAX_INPUT)
		size = MX_SK_MAX_INPUT; /* what the probe reads at most */
	s1 = read_once(data, size, &once, hs_once);
	s2 = read_in_pieces(data, size, &pieces);
	check(s1 == s2, "at once %d, in pieces %d", (int)s1, (int)s2);
	check(mx_sk_read(&once, data, data + size) == s1, "status changed on a second read");
	if (s1 == MX_SK_CERT) {
		check(once.cert_len > 0 && once.cert >= hs_once &&
		          once.cert_len <= (size_t)(hs_once + once.hs_len - once.cert),
		      "certificate outside the buffer");
		check(pieces.cert_len == once.cert_len &&
		          memcmp(pieces.cert, once.cert, once.cert_len) == 0,
		      "another certificate in pieces");
		check_describe(once.cert, once.cert_len);
	}
	if (s1 == MX_SK_ALERT)
		check(once.alert_level == pieces.alert_level &&
		          once.alert_desc == pieces.alert_desc,
		      "another alert in pieces");
	check_describe(data, size);
	check_client_hello(data, size);
	return 0;
}
