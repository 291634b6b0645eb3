/*
 * The look at a server's certificate after a failed handshake (mxtls_server_key_explain).
 *
 * When a server's key is one mbedTLS cannot verify (Ed25519, Ed448,
 * RSASSA-PSS), the server finds no signature scheme in common and aborts
 * before the client sees its certificate: all the user gets is "fatal alert".
 * The probe asks again with a hand-written TLS 1.2 ClientHello that offers
 * every common scheme, reads up to the server's Certificate message, and
 * closes. It sends no client certificate and no key share: only the server's
 * public certificate is looked at.
 *
 * The record reader and the key description are pure functions over p/end
 * pairs (fuzzed by tests/fuzz/fuzz_server_key.c); mx_sk_probe() does the I/O.
 */
#ifndef MXTLS_SERVER_KEY_H
#define MXTLS_SERVER_KEY_H

#include <stddef.h>
#include <stdint.h>

/* Bytes read from the server, at most: a certificate chain fits with room to spare. */
#define MX_SK_MAX_INPUT (256 * 1024)

#define MX_SK_ALERT_HANDSHAKE_FAILURE 40
#define MX_SK_ALERT_PROTOCOL_VERSION 70 /* refuses TLS 1.2: a TLS 1.3-only server */

enum mx_sk_status {
	MX_SK_NEED_MORE = 0,
	MX_SK_CERT,     /* the leaf certificate: cert, cert_len */
	MX_SK_ALERT,    /* a fatal alert (or close_notify): alert_level, alert_desc */
	MX_SK_MALFORMED /* not the TLS 1.2 flight expected, or no certificate in it */
};

/* Reading the server's first flight; the caller owns hs, where records' payloads are joined. */
struct mx_sk_reader {
	uint8_t *hs;
	size_t hs_size, hs_len;
	size_t hs_pos;  /* next handshake message in hs */
	size_t used;    /* input bytes consumed: whole records */
	int seen_hello; /* ServerHello read: Certificate comes next */
	enum mx_sk_status status;
	const uint8_t *cert; /* MX_SK_CERT: the leaf's DER, inside hs */
	size_t cert_len;
	uint8_t alert_level, alert_desc;
};

void mx_sk_reader_init(struct mx_sk_reader *r, uint8_t *hs, size_t hs_size);

/*
 * in..end is everything received so far, from the first byte (the caller's
 * buffer grows; the reader remembers how far it got). Returns the status,
 * which stays the same once it is no longer MX_SK_NEED_MORE.
 */
enum mx_sk_status mx_sk_read(struct mx_sk_reader *r, const uint8_t *in, const uint8_t *end);

enum mx_sk_key_type {
	MX_SK_KEY_UNKNOWN = 0, /* an algorithm not listed: name is its OID */
	MX_SK_KEY_RSA,
	MX_SK_KEY_RSA_PSS, /* id-RSASSA-PSS keys, not rsaEncryption keys used with PSS */
	MX_SK_KEY_EC,
	MX_SK_KEY_ED25519,
	MX_SK_KEY_ED448,
	MX_SK_KEY_X25519,
	MX_SK_KEY_X448,
	MX_SK_KEY_DSA
};

/* What a certificate's SubjectPublicKeyInfo says; the strings are printable ASCII made here. */
struct mx_sk_key {
	enum mx_sk_key_type type;
	int mbedtls_verifies; /* 1 yes, 0 no, -1 not known (other curves, other algorithms) */
	char name[64];        /* "Ed25519", "RSA 2048-bit", "ECDSA P-256", "EC 1.3.132.0.10", ... */
	char
	    subject_cn[65]; /* the subject's last CN if plain (letters, digits, " *-._"), else "" */
};

/* Describe the key of the DER certificate der..end: 0, or -1 if it cannot be read that far. */
int mx_sk_describe(const uint8_t *der, const uint8_t *end, struct mx_sk_key *key);

/*
 * A TLS 1.2 ClientHello record into buf..end, with SNI sni unless NULL;
 * random: 32 bytes. The length written, or 0 if it does not fit or sni is
 * not a plain host name.
 */
size_t mx_sk_client_hello(uint8_t *buf, const uint8_t *end, const char *sni,
                          const uint8_t random[32]);

enum mx_sk_probe_result {
	MX_SK_PROBE_FAILED = 0, /* no answer to read: connect, timeout, malformed */
	MX_SK_PROBE_CERT,       /* key */
	MX_SK_PROBE_ALERT       /* alert_level, alert_desc */
};

struct mx_sk_probe {
	struct mx_sk_key key;
	uint8_t alert_level, alert_desc;
};

/*
 * Connect to host (a name or an IP literal without brackets) and port, send the
 * ClientHello and read the answer, all within timeout_ms.
 */
enum mx_sk_probe_result mx_sk_probe(const char *host, int port, long timeout_ms,
                                    struct mx_sk_probe *out);

#endif
