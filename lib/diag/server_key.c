/* The server-key probe behind mxtls_server_key_explain() (see server_key.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>

#include "server_key.h"

#define TLS_RECORD_HEADER 5
#define TLS_RECORD_MAX (16384 + 2048) /* the largest ciphertext TLS 1.2 allows */
#define TLS_ALERT 21
#define TLS_HANDSHAKE 22
#define HS_HELLO_REQUEST 0
#define HS_SERVER_HELLO 2
#define HS_CERTIFICATE 11

/* ---- The server's first flight: records, then handshake messages. ---- */

void mx_sk_reader_init(struct mx_sk_reader *r, uint8_t *hs, size_t hs_size)
{
	memset(r, 0, sizeof(*r));
	r->hs = hs;
	r->hs_size = hs_size;
}

static size_t get16(const uint8_t *p)
{
	return (size_t)p[0] << 8 | p[1];
}

static size_t get24(const uint8_t *p)
{
	return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
}

/* ServerHello: a version TLS 1.2 or older, and a session id and suite that fit. */
static enum mx_sk_status server_hello(const uint8_t *p, const uint8_t *end)
{
	size_t sid;

	if (end - p < 2 + 32 + 1 || p[0] != 3 || p[1] > 3)
		return MX_SK_MALFORMED;
	p += 2 + 32;
	sid = *p++;
	if (sid > 32 || (size_t)(end - p) < sid + 2 + 1)
		return MX_SK_MALFORMED;
	return MX_SK_NEED_MORE; /* extensions do not matter: the certificate comes next */
}

/* Certificate: a list of 24-bit length-prefixed DER certificates; the first is the leaf. */
static enum mx_sk_status certificate(struct mx_sk_reader *r, const uint8_t *p, const uint8_t *end)
{
	size_t list, leaf;

	if (end - p < 3)
		return MX_SK_MALFORMED;
	list = get24(p);
	p += 3;
	if (list != (size_t)(end - p) || list < 3)
		return MX_SK_MALFORMED;
	leaf = get24(p);
	p += 3;
	if (leaf == 0 || leaf > (size_t)(end - p))
		return MX_SK_MALFORMED;
	r->cert = p;
	r->cert_len = leaf;
	return MX_SK_CERT;
}

/* One complete handshake message of type, body p..end. */
static enum mx_sk_status handshake_message(struct mx_sk_reader *r, uint8_t type, const uint8_t *p,
                                           const uint8_t *end)
{
	if (type == HS_HELLO_REQUEST) /* may come at any time; means nothing here */
		return p == end ? MX_SK_NEED_MORE : MX_SK_MALFORMED;
	if (!r->seen_hello) {
		r->seen_hello = 1;
		return type == HS_SERVER_HELLO ? server_hello(p, end) : MX_SK_MALFORMED;
	}
	/* Anything else before the certificate (anonymous or PSK suites): nothing to see. */
	return type == HS_CERTIFICATE ? certificate(r, p, end) : MX_SK_MALFORMED;
}

/* The complete handshake messages joined so far. */
static enum mx_sk_status handshake_messages(struct mx_sk_reader *r)
{
	enum mx_sk_status s = MX_SK_NEED_MORE;

	while (s == MX_SK_NEED_MORE && r->hs_len - r->hs_pos >= 4) {
		const uint8_t *m = r->hs + r->hs_pos;
		size_t len = get24(m + 1);

		if (len > r->hs_size - r->hs_pos - 4)
			return MX_SK_MALFORMED; /* could never be complete */
		if (len > r->hs_len - r->hs_pos - 4)
			break;
		r->hs_pos += 4 + len;
		s = handshake_message(r, m[0], m + 4, m + 4 + len);
	}
	return s;
}

/* One complete record of type, payload p..end. */
static enum mx_sk_status record(struct mx_sk_reader *r, uint8_t type, const uint8_t *p,
                                const uint8_t *end)
{
	size_t len = (size_t)(end - p);

	if (type == TLS_ALERT) {
		if (len != 2)
			return MX_SK_MALFORMED;
		if (p[0] == 1 && p[1] != 0) /* a warning, not close_notify: the handshake goes on */
			return MX_SK_NEED_MORE;
		r->alert_level = p[0];
		r->alert_desc = p[1];
		return MX_SK_ALERT;
	}
	/* Before ChangeCipherSpec only handshake and alert records; empty ones are forbidden. */
	if (type != TLS_HANDSHAKE || len == 0 || len > r->hs_size - r->hs_len)
		return MX_SK_MALFORMED;
	memcpy(r->hs + r->hs_len, p, len);
	r->hs_len += len;
	return handshake_messages(r);
}

enum mx_sk_status mx_sk_read(struct mx_sk_reader *r, const uint8_t *in, const uint8_t *end)
{
	if (r->status != MX_SK_NEED_MORE)
		return r->status;
	if (r->used > (size_t)(end - in))
		return r->status = MX_SK_MALFORMED; /* not the buffer we were given before */
	while (r->status == MX_SK_NEED_MORE && (size_t)(end - in) - r->used >= TLS_RECORD_HEADER) {
		const uint8_t *h = in + r->used;
		size_t len = get16(h + 3);

		if (h[1] != 3 || len > TLS_RECORD_MAX)
			return r->status = MX_SK_MALFORMED;
		if (len > (size_t)(end - h) - TLS_RECORD_HEADER)
			break;
		r->used += TLS_RECORD_HEADER + len;
		r->status = record(r, h[0], h + TLS_RECORD_HEADER, h + TLS_RECORD_HEADER + len);
	}
	return r->status;
}

/* ---- The leaf's SubjectPublicKeyInfo, read with mbedTLS's ASN.1 reader. ---- */

#define OID_IS(oid, lit)                                                                           \
	((oid)->len == sizeof(lit) - 1 && memcmp((oid)->p, (lit), sizeof(lit) - 1) == 0)
#define OID_DSA "\x2a\x86\x48\xce\x38\x04\x01" /* 1.2.840.10040.4.1 */

/* mbedtls_asn1_* take non-const pointers but only read through them. */
static unsigned char *unconst(const uint8_t *p)
{
	return (unsigned char *)(uintptr_t)p;
}

/* Skip one element with the given tag; 0 or an mbedTLS error. */
static int skip(unsigned char **p, const unsigned char *end, int tag)
{
	size_t len;
	int ret = mbedtls_asn1_get_tag(p, end, &len, tag);

	if (ret == 0)
		*p += len;
	return ret;
}

static void set_name(struct mx_sk_key *key, enum mx_sk_key_type type, int verifies,
                     const char *name)
{
	key->type = type;
	key->mbedtls_verifies = verifies;
	snprintf(key->name, sizeof(key->name), "%s", name);
}

/* The OID in dotted form (digits and dots only), or "unknown". */
static void dotted(const mbedtls_asn1_buf *oid, char *out, size_t size)
{
	if (mbedtls_oid_get_numeric_string(out, size, oid) <= 0)
		snprintf(out, size, "unknown");
}

/* Bits of a positive INTEGER's content (leading zero octets do not count). */
static size_t integer_bits(const unsigned char *p, size_t len)
{
	unsigned top;
	size_t bits;

	while (len > 0 && *p == 0)
		p++, len--;
	if (len == 0)
		return 0;
	for (bits = (len - 1) * 8, top = *p; top != 0; top >>= 1)
		bits++;
	return bits;
}

/* rsaEncryption and id-RSASSA-PSS keys: RSAPublicKey ::= SEQUENCE { modulus, publicExponent }. */
static void rsa_key(struct mx_sk_key *key, enum mx_sk_key_type type, int verifies,
                    const char *label, unsigned char *p, const unsigned char *end)
{
	size_t len, bits = 0;

	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) ==
	        0 &&
	    mbedtls_asn1_get_tag(&p, p + len, &len, MBEDTLS_ASN1_INTEGER) == 0)
		bits = integer_bits(p, len);
	set_name(key, type, verifies, label);
	if (bits > 0)
		snprintf(key->name, sizeof(key->name), "%s %zu-bit", label, bits);
}

/* id-ecPublicKey: the curve is a named-curve OID in the parameters. */
static void ec_key(struct mx_sk_key *key, const mbedtls_asn1_buf *params)
{
	static const struct {
		const char *oid, *name;
		int verifies; /* the curves mbedTLS 3.6 offers by default in TLS */
	} curves[] = {
	    {MBEDTLS_OID_EC_GRP_SECP256R1, "ECDSA P-256", 1},
	    {MBEDTLS_OID_EC_GRP_SECP384R1, "ECDSA P-384", 1},
	    {MBEDTLS_OID_EC_GRP_SECP521R1, "ECDSA P-521", 1},
	    {MBEDTLS_OID_EC_GRP_SECP192R1, "ECDSA P-192", -1},
	    {MBEDTLS_OID_EC_GRP_SECP224R1, "ECDSA P-224", -1},
	    {MBEDTLS_OID_EC_GRP_SECP256K1, "ECDSA secp256k1", -1},
	    {MBEDTLS_OID_EC_GRP_BP256R1, "ECDSA brainpoolP256r1", -1},
	    {MBEDTLS_OID_EC_GRP_BP384R1, "ECDSA brainpoolP384r1", -1},
	    {MBEDTLS_OID_EC_GRP_BP512R1, "ECDSA brainpoolP512r1", -1},
	};
	char oid[48];
	size_t i;

	if (params->tag != MBEDTLS_ASN1_OID) {
		set_name(key, MX_SK_KEY_EC, -1, "ECDSA (explicit curve parameters)");
		return;
	}
	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (params->len == strlen(curves[i].oid) &&
		    memcmp(params->p, curves[i].oid, params->len) == 0) {
			set_name(key, MX_SK_KEY_EC, curves[i].verifies, curves[i].name);
			return;
		}
	dotted(params, oid, sizeof(oid));
	set_name(key, MX_SK_KEY_EC, -1, "ECDSA on curve ");
	snprintf(key->name, sizeof(key->name), "ECDSA on curve %s", oid);
}

static void describe_alg(struct mx_sk_key *key, const mbedtls_asn1_buf *alg,
                         const mbedtls_asn1_buf *params, unsigned char *p, const unsigned char *end)
{
	char oid[48];

	if (OID_IS(alg, MBEDTLS_OID_ED25519))
		set_name(key, MX_SK_KEY_ED25519, 0, "Ed25519");
	else if (OID_IS(alg, MBEDTLS_OID_ED448))
		set_name(key, MX_SK_KEY_ED448, 0, "Ed448");
	else if (OID_IS(alg, MBEDTLS_OID_X25519)) /* cannot sign: never a TLS server key */
		set_name(key, MX_SK_KEY_X25519, 0, "X25519");
	else if (OID_IS(alg, MBEDTLS_OID_X448))
		set_name(key, MX_SK_KEY_X448, 0, "X448");
	else if (OID_IS(alg, OID_DSA))
		set_name(key, MX_SK_KEY_DSA, 0, "DSA");
	else if (OID_IS(alg, MBEDTLS_OID_PKCS1_RSA))
		rsa_key(key, MX_SK_KEY_RSA, 1, "RSA", p, end);
	else if (OID_IS(alg, MBEDTLS_OID_RSASSA_PSS))
		rsa_key(key, MX_SK_KEY_RSA_PSS, 0, "RSASSA-PSS", p, end);
	else if (OID_IS(alg, MBEDTLS_OID_EC_ALG_UNRESTRICTED))
		ec_key(key, params);
	else {
		dotted(alg, oid, sizeof(oid));
		set_name(key, MX_SK_KEY_UNKNOWN, -1, oid);
	}
}

/* Printable and harmless in a terminal and in a message: a host name or a few words. */
static int plain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == ' ' || c == '*' || c == '-' || c == '.' || c == '_';
}

/* An AttributeValue: kept if a plain string that fits, else the CN is left empty. */
static void take_cn(struct mx_sk_key *key, unsigned char *p, const unsigned char *end)
{
	size_t len, i;
	int tag = p < end ? *p : -1;

	key->subject_cn[0] = '\0';
	if ((tag != MBEDTLS_ASN1_UTF8_STRING && tag != MBEDTLS_ASN1_PRINTABLE_STRING &&
	     tag != MBEDTLS_ASN1_IA5_STRING) ||
	    mbedtls_asn1_get_tag(&p, end, &len, tag) != 0 || len >= sizeof(key->subject_cn))
		return;
	for (i = 0; i < len; i++)
		if (!plain_char(p[i]))
			return;
	memcpy(key->subject_cn, p, len);
	key->subject_cn[len] = '\0';
}

/* Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY }: the last CN wins. */
static void subject_cn(struct mx_sk_key *key, unsigned char *p, const unsigned char *end)
{
	const int set = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET;
	const int seq = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;

	while (p < end) {
		const unsigned char *set_end;
		size_t len;

		if (mbedtls_asn1_get_tag(&p, end, &len, set) != 0)
			return;
		for (set_end = p + len; p < set_end;) {
			const unsigned char *atv_end;
			mbedtls_asn1_buf oid;

			if (mbedtls_asn1_get_tag(&p, set_end, &len, seq) != 0)
				return;
			atv_end = p + len;
			if (mbedtls_asn1_get_tag(&p, atv_end, &oid.len, MBEDTLS_ASN1_OID) != 0)
				return;
			oid.p = p;
			if (OID_IS(&oid, MBEDTLS_OID_AT_CN))
				take_cn(key, p + oid.len, atv_end);
			p = unconst(atv_end);
		}
	}
}

int mx_sk_describe(const uint8_t *der, const uint8_t *end, struct mx_sk_key *key)
{
	const int seq = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;
	const int version = MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0;
	unsigned char *p = unconst(der);
	const unsigned char *tbs_end, *spki_end;
	mbedtls_asn1_buf alg, params;
	size_t len;
	int ret;

	memset(key, 0, sizeof(*key));
	set_name(key, MX_SK_KEY_UNKNOWN, -1, "unknown");
	/* Certificate ::= SEQUENCE { tbsCertificate, ... }: mbedTLS's X.509 parser would
	 * refuse the very keys we are after, so the TBSCertificate is walked here. */
	if (der == NULL || end < der || mbedtls_asn1_get_tag(&p, end, &len, seq) != 0 ||
	    mbedtls_asn1_get_tag(&p, p + len, &len, seq) != 0)
		return -1;
	tbs_end = p + len;
	ret = skip(&p, tbs_end, version); /* absent in v1 certificates */
	if ((ret != 0 && ret != MBEDTLS_ERR_ASN1_UNEXPECTED_TAG) ||
	    skip(&p, tbs_end, MBEDTLS_ASN1_INTEGER) != 0 || /* serialNumber */
	    skip(&p, tbs_end, seq) != 0 ||                  /* signature */
	    skip(&p, tbs_end, seq) != 0 ||                  /* issuer */
	    skip(&p, tbs_end, seq) != 0 ||                  /* validity */
	    mbedtls_asn1_get_tag(&p, tbs_end, &len, seq) != 0)
		return -1;
	subject_cn(key, p, p + len);
	p += len;
	if (mbedtls_asn1_get_tag(&p, tbs_end, &len, seq) != 0) /* subjectPublicKeyInfo */
		return -1;
	spki_end = p + len;
	if (mbedtls_asn1_get_alg(&p, spki_end, &alg, &params) != 0 ||
	    mbedtls_asn1_get_bitstring_null(&p, spki_end, &len) != 0)
		return -1;
	describe_alg(key, &alg, &params, p, p + len);
	return 0;
}

/* ---- The ClientHello. ---- */

struct out {
	uint8_t *p;
	const uint8_t *end;
	int full;
};

static void put(struct out *o, const void *b, size_t n)
{
	if (o->full || n > (size_t)(o->end - o->p)) {
		o->full = 1;
		return;
	}
	memcpy(o->p, b, n);
	o->p += n;
}

static void put16(struct out *o, unsigned v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put(o, b, 2);
}

static void put16s(struct out *o, const uint16_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put16(o, v[i]);
}

/* A length prefix of n bytes, filled in by close_len() once its content is written. */
static uint8_t *open_len(struct out *o, size_t n)
{
	static const uint8_t zero[3];
	uint8_t *at = o->p;

	put(o, zero, n);
	return at;
}

static void close_len(struct out *o, uint8_t *at, size_t n)
{
	size_t len, i;

	if (o->full)
		return;
	len = (size_t)(o->p - at) - n;
	for (i = n; i-- > 0; len >>= 8)
		at[i] = (uint8_t)len;
}

/* A host name SNI can carry: letters, digits, '-', '_' and dots; at most 253 bytes. */
static size_t sni_length(const char *sni)
{
	size_t n = strlen(sni), i;

	if (n > 0 && sni[n - 1] == '.') /* the trailing dot is not sent */
		n--;
	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++)
		if (!plain_char((unsigned char)sni[i]) || sni[i] == ' ' || sni[i] == '*')
			return 0;
	return n;
}

static void extension(struct out *o, unsigned type, const uint16_t *list, size_t n, int prefix)
{
	uint8_t *ext, *inner = NULL;

	put16(o, type);
	ext = open_len(o, 2);
	if (prefix)
		inner = open_len(o, 2);
	put16s(o, list, n);
	if (prefix)
		close_len(o, inner, 2);
	close_len(o, ext, 2);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

size_t mx_sk_client_hello(uint8_t *buf, const uint8_t *end, const char *sni,
                          const uint8_t random[32])
{
	/* Every key type a server may have, with the suites TLS 1.2 servers commonly pick;
	 * the renegotiation SCSV last (RFC 5746). */
	static const uint16_t suites[] = {
	    0xc02b, 0xc02c, 0xc02f, 0xc030, 0xcca9, 0xcca8, 0xc023, 0xc024, 0xc027, 0xc028,
	    0xc009, 0xc00a, 0xc013, 0xc014, 0x009e, 0x009f, 0xccaa, 0x0067, 0x006b, 0x0033,
	    0x0039, 0x009c, 0x009d, 0x003c, 0x003d, 0x002f, 0x0035, 0x000a, 0x00ff};
	/* x25519, secp256r1, secp384r1, secp521r1, x448, ffdhe2048..8192. */
	static const uint16_t groups[] = {0x001d, 0x0017, 0x0018, 0x0019, 0x001e,
	                                  0x0100, 0x0101, 0x0102, 0x0103, 0x0104};
	/* ed25519, ed448, rsa_pss_pss_*, rsa_pss_rsae_*, ecdsa_*, rsa_pkcs1_*, then SHA-1. */
	static const uint16_t sigalgs[] = {0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804,
	                                   0x0805, 0x0806, 0x0403, 0x0503, 0x0603, 0x0401,
	                                   0x0501, 0x0601, 0x0203, 0x0201};
	static const uint8_t record_header[] = {22, 3, 1}; /* handshake, TLS 1.0 for old servers */
	static const uint8_t hello_start[] = {1};          /* client_hello */
	static const uint8_t version[] = {3, 3};           /* TLS 1.2; no supported_versions */
	static const uint8_t no_session_null_compression[] = {0};
	static const uint8_t compression[] = {1, 0};
	static const uint8_t point_formats[] = {0, 11, 0, 2, 1, 0}; /* uncompressed */
	static const uint8_t extended_master_secret[] = {0, 23, 0, 0};
	struct out o = {buf, end, buf == NULL || end < buf};
	uint8_t *rec, *hello, *exts, *ext, *list;
	size_t sni_len = sni ? sni_length(sni) : 0;

	if (sni != NULL && sni_len == 0)
		return 0;
	put(&o, record_header, sizeof(record_header));
	rec = open_len(&o, 2);
	put(&o, hello_start, 1);
	hello = open_len(&o, 3);
	put(&o, version, 2);
	put(&o, random, 32);
	put(&o, no_session_null_compression, 1);
	put16(&o, (unsigned)(2 * COUNT(suites)));
	put16s(&o, suites, COUNT(suites));
	put(&o, compression, sizeof(compression));
	exts = open_len(&o, 2);
	if (sni != NULL) {
		put16(&o, 0); /* server_name */
		ext = open_len(&o, 2);
		list = open_len(&o, 2);
		put(&o, no_session_null_compression, 1); /* host_name */
		put16(&o, (unsigned)sni_len);
		put(&o, sni, sni_len);
		close_len(&o, list, 2);
		close_len(&o, ext, 2);
	}
	extension(&o, 10, groups, COUNT(groups), 1);
	put(&o, point_formats, sizeof(point_formats));
	extension(&o, 13, sigalgs, COUNT(sigalgs), 1);
	put(&o, extended_master_secret, sizeof(extended_master_secret));
	close_len(&o, exts, 2);
	close_len(&o, hello, 3);
	close_len(&o, rec, 2);
	return o.full ? 0 : (size_t)(o.p - buf);
}

/* ---- The connection: every step bounded by one deadline. ---- */

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Wait until fd is ready for events: 1, or 0 on timeout, error or a signal (give up). */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int64_t left = deadline - now_ms();

	if (left <= 0)
		return 0;
	return poll(&pfd, 1, left > 0x7fffffffL ? 0x7fffffff : (int)left) == 1;
}

static int connect_one(const struct addrinfo *ai, int64_t deadline)
{
	/* Close-on-exec from the start: another thread may fork and exec meanwhile. */
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			ai->ai_protocol),
	    err = 0;
	socklen_t err_len = sizeof(err);

	if (fd < 0)
		return -1;
	if ((connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) ||
	    !wait_fd(fd, POLLOUT, deadline) ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0 || err != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int connect_host(const char *host, int port, int64_t deadline)
{
	struct addrinfo hints, *res = NULL, *ai;
	char service[8];
	int fd = -1, left = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	/* No AI_ADDRCONFIG: it ignores loopback addresses, so "::1" on a host whose only
	 * other address is IPv4 would resolve to nothing. */
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%d", port);
	if (getaddrinfo(host, service, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next)
		left++;
	/* Each address gets its share of the time left: one that drops packets cannot
	 * take it all from the next. */
	for (ai = res; ai != NULL && fd < 0 && now_ms() < deadline; ai = ai->ai_next, left--)
		fd = connect_one(ai, now_ms() + (deadline - now_ms()) / left);
	freeaddrinfo(res);
	return fd;
}

static int send_all(int fd, const uint8_t *p, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) ||
		           !wait_fd(fd, POLLOUT, deadline)) {
			return -1;
		}
	}
	return 0;
}

/* Read until the reader has its answer, the server closes, or time or room runs out. */
static enum mx_sk_status read_answer(int fd, struct mx_sk_reader *r, uint8_t *in, int64_t deadline)
{
	enum mx_sk_status s = MX_SK_NEED_MORE;
	size_t total = 0;

	while (s == MX_SK_NEED_MORE && total < MX_SK_MAX_INPUT && wait_fd(fd, POLLIN, deadline)) {
		ssize_t n = recv(fd, in + total, MX_SK_MAX_INPUT - total, 0);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n <= 0)
			break;
		total += (size_t)n;
		s = mx_sk_read(r, in, in + total);
	}
	return s;
}

/* The ClientHello's random: it protects no secret here (no key exchange follows). */
static void hello_random(uint8_t random[32])
{
	int64_t t = now_ms();
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	size_t i;

	if (fd < 0 || read(fd, random, 32) != 32)
		for (i = 0; i < 32; i++)
			random[i] = (uint8_t)(t >> (i % 8 * 8)) ^ (uint8_t)(i * 151);
	if (fd >= 0)
		close(fd);
}

static int is_ip_literal(const char *host)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

enum mx_sk_probe_result mx_sk_probe(const char *host, int port, long timeout_ms,
                                    struct mx_sk_probe *out)
{
	int64_t deadline = now_ms() + timeout_ms;
	enum mx_sk_probe_result result = MX_SK_PROBE_FAILED;
	uint8_t hello[1024], random[32], *in = malloc(MX_SK_MAX_INPUT),
	                                 *hs = malloc(MX_SK_MAX_INPUT);
	const char *sni = is_ip_literal(host) || sni_length(host) == 0 ? NULL : host;
	struct mx_sk_reader r;
	size_t hello_len;
	int fd = -1;

	memset(out, 0, sizeof(*out));
	hello_random(random);
	hello_len = mx_sk_client_hello(hello, hello + sizeof(hello), sni, random);
	if (in == NULL || hs == NULL || hello_len == 0 || port <= 0 || port > 65535 ||
	    (fd = connect_host(host, port, deadline)) < 0 ||
	    send_all(fd, hello, hello_len, deadline) != 0)
		goto out;
	mx_sk_reader_init(&r, hs, MX_SK_MAX_INPUT);
	switch (read_answer(fd, &r, in, deadline)) {
	case MX_SK_CERT:
		if (mx_sk_describe(r.cert, r.cert + r.cert_len, &out->key) == 0)
			result = MX_SK_PROBE_CERT;
		break;
	case MX_SK_ALERT:
		out->alert_level = r.alert_level;
		out->alert_desc = r.alert_desc;
		result = MX_SK_PROBE_ALERT;
		break;
	default:
		break;
	}
out:
	if (fd >= 0)
		close(fd);
	free(in);
	free(hs);
	return result;
}
