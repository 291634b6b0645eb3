/*
 * What kind of file this is, from its first bytes: so that a certificate given
 * where a PKCS#12 container is wanted (or the reverse) is named as what it is,
 * instead of failing deep in a parser ("no version", "mbedTLS -0x21e2").
 * Only a guess for messages: the loaders still decide what they accept.
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/base64.h>

#include "mxtls_cli.h"

#define SNIFF_MAX 65536

/* One DER TLV at p[0..n): tag, content offset and length; 0, or -1 if malformed. */
struct tlv {
	unsigned tag;
	const uint8_t *val;
	size_t len, total;
	int whole; /* all of val is in the buffer (the file may be cut to SNIFF_MAX) */
};

static int tlv(const uint8_t *p, size_t n, struct tlv *t)
{
	size_t len, hdr = 2, k;

	if (n < 2)
		return -1;
	t->tag = p[0];
	len = p[1];
	if (len & 0x80) {
		k = len & 0x7f;
		if (k == 0 || k > 3 || n < 2 + k) /* indefinite (BER) or over 16 MB: not ours to name */
			return -1;
		for (len = 0; k; k--)
			len = (len << 8) | p[hdr++];
	}
	t->val = p + hdr;
	t->len = len;
	t->total = hdr + len;
	t->whole = hdr + len <= n;
	return 0;
}

/* The children of a constructed TLV, as far as they are present: up to max. */
static size_t children(const struct tlv *parent, const uint8_t *end, struct tlv *kids, size_t max)
{
	const uint8_t *p = parent->val, *stop = parent->val + parent->len;
	size_t n = 0;

	if (stop > end)
		stop = end;
	while (p < stop && n < max && tlv(p, (size_t)(stop - p), &kids[n]) == 0) {
		p += kids[n].total;
		n++;
	}
	return n;
}

static int is_oid(const struct tlv *t, const uint8_t *der, size_t n)
{
	return t->tag == 0x06 && t->whole && t->len == n && memcmp(t->val, der, n) == 0;
}

/* An INTEGER of one byte, v. */
static int is_small_int(const struct tlv *t, uint8_t v)
{
	return t->tag == 0x02 && t->whole && t->len == 1 && t->val[0] == v;
}

static const uint8_t OID_PKCS7_DATA[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
static const uint8_t OID_PKCS7_SIGNED[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};

static enum cli_kind sniff_der(const uint8_t *p, size_t n)
{
	struct tlv top, k[4], g[4];
	const uint8_t *end = p + n;
	size_t nk, ng;

	if (tlv(p, n, &top) != 0 || top.tag != 0x30)
		return CLI_KIND_UNKNOWN;
	nk = children(&top, end, k, 4);
	if (nk >= 2 && k[0].tag == 0x02 && k[1].tag == 0x30) {
		/* PFX: version 3, then a ContentInfo (data or signedData). */
		ng = children(&k[1], end, g, 1);
		if (is_small_int(&k[0], 3) && ng == 1 &&
		    (is_oid(&g[0], OID_PKCS7_DATA, sizeof(OID_PKCS7_DATA)) ||
		     is_oid(&g[0], OID_PKCS7_SIGNED, sizeof(OID_PKCS7_SIGNED))))
			return CLI_KIND_PKCS12;
		/* PrivateKeyInfo: version 0/1, AlgorithmIdentifier, OCTET STRING key. */
		if ((is_small_int(&k[0], 0) || is_small_int(&k[0], 1)) && nk >= 3 && k[2].tag == 0x04)
			return CLI_KIND_PKCS8_DER;
	}
	if (nk >= 3 && is_small_int(&k[0], 0) && k[1].tag == 0x02 && k[2].tag == 0x02)
		return CLI_KIND_RSA_KEY_DER; /* RSAPrivateKey: version, n, e, ... */
	if (nk >= 2 && is_small_int(&k[0], 1) && k[1].tag == 0x04)
		return CLI_KIND_EC_KEY_DER; /* ECPrivateKey: version 1, privateKey, ... */
	if (nk == 2 && k[0].tag == 0x30 && k[1].tag == 0x04)
		return CLI_KIND_PKCS8_ENC_DER; /* EncryptedPrivateKeyInfo */
	if (nk >= 2 && k[0].tag == 0x06 && is_oid(&k[0], OID_PKCS7_SIGNED, sizeof(OID_PKCS7_SIGNED)))
		return CLI_KIND_PKCS7_DER;
	if (nk >= 3 && k[0].tag == 0x30 && k[1].tag == 0x30 && k[2].tag == 0x03) {
		/* Signed structure: certificate or CSR, told apart by the TBS's first fields. */
		ng = children(&k[0], end, g, 3);
		if (ng >= 1 && g[0].tag == 0xa0)
			return CLI_KIND_X509_DER; /* [0] version */
		if (ng >= 3 && g[0].tag == 0x02 && g[1].tag == 0x30) {
			struct tlv h[1];
			/* CSR: INTEGER 0, Name (a SEQUENCE of SETs); v1 certificate: serial,
			 * AlgorithmIdentifier (starts with an OID). */
			if (children(&g[1], end, h, 1) == 1 && h[0].tag == 0x31)
				return CLI_KIND_CSR_DER;
			return CLI_KIND_X509_DER;
		}
	}
	return CLI_KIND_UNKNOWN;
}

static const struct {
	const char *label;
	enum cli_kind kind;
} pem_labels[] = {
	{"CERTIFICATE", CLI_KIND_PEM_CERT},
	{"TRUSTED CERTIFICATE", CLI_KIND_PEM_CERT},
	{"X509 CERTIFICATE", CLI_KIND_PEM_CERT},
	{"PRIVATE KEY", CLI_KIND_PEM_KEY},
	{"RSA PRIVATE KEY", CLI_KIND_PEM_RSA_KEY},
	{"EC PRIVATE KEY", CLI_KIND_PEM_EC_KEY},
	{"ENCRYPTED PRIVATE KEY", CLI_KIND_PEM_ENC_KEY},
	{"CERTIFICATE REQUEST", CLI_KIND_PEM_CSR},
	{"NEW CERTIFICATE REQUEST", CLI_KIND_PEM_CSR},
	{"PKCS7", CLI_KIND_PEM_PKCS7},
	{"CMS", CLI_KIND_PEM_PKCS7},
};

/* The first "-----BEGIN X-----" of the text: its kind (any other label: PEM_OTHER). */
static enum cli_kind sniff_pem(const char *s, size_t n)
{
	static const char begin[] = "-----BEGIN ";
	const char *p, *q;
	size_t i, len;

	for (p = s; (size_t)(p - s) + sizeof(begin) <= n; p++) {
		if (memcmp(p, begin, sizeof(begin) - 1) != 0)
			continue;
		p += sizeof(begin) - 1;
		q = memchr(p, '-', n - (size_t)(p - s));
		if (q == NULL)
			return CLI_KIND_PEM_OTHER;
		len = (size_t)(q - p);
		for (i = 0; i < sizeof(pem_labels) / sizeof(pem_labels[0]); i++)
			if (strlen(pem_labels[i].label) == len && memcmp(pem_labels[i].label, p, len) == 0)
				return pem_labels[i].kind;
		return CLI_KIND_PEM_OTHER;
	}
	return CLI_KIND_UNKNOWN;
}

static int is_text(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t')
			return 0;
	return 1;
}

enum cli_kind cli_sniff_mem(const uint8_t *p, size_t n)
{
	static uint8_t der[SNIFF_MAX];
	enum cli_kind k;
	size_t i = 0, olen;

	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) { /* a UTF-8 byte order mark */
		p += 3;
		n -= 3;
	}
	if (n == 0)
		return CLI_KIND_EMPTY;
	/* Java keystores: magic, then version 1 or 2 (big-endian). */
	if (n >= 8 && memcmp(p + 4, "\0\0\0", 3) == 0 && (p[7] == 1 || p[7] == 2)) {
		if (memcmp(p, "\xfe\xed\xfe\xed", 4) == 0)
			return CLI_KIND_JKS;
		if (memcmp(p, "\xce\xce\xce\xce", 4) == 0)
			return CLI_KIND_JCEKS;
	}
	if (p[0] == 0x30)
		return sniff_der(p, n);
	if (!is_text(p, n))
		return CLI_KIND_UNKNOWN;
	k = sniff_pem((const char *)p, n);
	if (k != CLI_KIND_UNKNOWN)
		return k;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i < n && (p[i] == '{' || p[i] == '['))
		return CLI_KIND_JSON;
	/* base64 of a container, as CLIENT_CERTIFICATES's "pfx" holds it: the first line decoded. */
	if (n - i >= 8 && mbedtls_base64_decode(der, sizeof(der), &olen, p + i, 8) == 0 && olen > 0 &&
	    der[0] == 0x30) {
		size_t m = 0;
		while (i + m < n && p[i + m] != '\n' && p[i + m] != '\r')
			m++;
		m -= m % 4;
		if (mbedtls_base64_decode(der, sizeof(der), &olen, p + i, m) == 0 &&
		    sniff_der(der, olen) == CLI_KIND_PKCS12)
			return CLI_KIND_BASE64_PKCS12;
	}
	return i == n ? CLI_KIND_EMPTY : CLI_KIND_TEXT;
}

enum cli_kind cli_sniff_file(const char *path)
{
	static uint8_t buf[SNIFF_MAX];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return CLI_KIND_UNKNOWN;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return cli_sniff_mem(buf, n);
}

static const struct {
	enum cli_kind kind;
	const char *id, *text;
} kinds[] = {
	{CLI_KIND_UNKNOWN, "unknown", "of an unknown kind"},
	{CLI_KIND_EMPTY, "empty", "empty"},
	{CLI_KIND_PKCS12, "pkcs12", "a PKCS#12 container"},
	{CLI_KIND_X509_DER, "x509-der", "an X.509 certificate (DER)"},
	{CLI_KIND_CSR_DER, "csr-der", "a certificate signing request (DER)"},
	{CLI_KIND_PKCS8_DER, "pkcs8-der", "a private key (PKCS#8, DER)"},
	{CLI_KIND_PKCS8_ENC_DER, "pkcs8-encrypted-der", "an encrypted private key (PKCS#8, DER)"},
	{CLI_KIND_RSA_KEY_DER, "rsa-key-der", "an RSA private key (PKCS#1, DER)"},
	{CLI_KIND_EC_KEY_DER, "ec-key-der", "an EC private key (SEC 1, DER)"},
	{CLI_KIND_PKCS7_DER, "pkcs7-der", "a PKCS#7 / CMS structure (DER)"},
	{CLI_KIND_PEM_CERT, "x509-pem", "PEM certificate text"},
	{CLI_KIND_PEM_KEY, "pkcs8-pem", "a private key (PEM, PRIVATE KEY)"},
	{CLI_KIND_PEM_RSA_KEY, "rsa-key-pem", "an RSA private key (PEM, RSA PRIVATE KEY)"},
	{CLI_KIND_PEM_EC_KEY, "ec-key-pem", "an EC private key (PEM, EC PRIVATE KEY)"},
	{CLI_KIND_PEM_ENC_KEY, "pkcs8-encrypted-pem",
	 "an encrypted private key (PEM, ENCRYPTED PRIVATE KEY)"},
	{CLI_KIND_PEM_CSR, "csr-pem", "a certificate signing request (PEM)"},
	{CLI_KIND_PEM_PKCS7, "pkcs7-pem", "a PKCS#7 / CMS structure (PEM)"},
	{CLI_KIND_PEM_OTHER, "pem-other", "PEM of another kind"},
	{CLI_KIND_BASE64_PKCS12, "pkcs12-base64", "a PKCS#12 container in base64"},
	{CLI_KIND_JSON, "json", "JSON"},
	{CLI_KIND_TEXT, "text", "text"},
	{CLI_KIND_JKS, "jks", "a Java keystore (JKS)"},
	{CLI_KIND_JCEKS, "jceks", "a Java keystore (JCEKS)"},
};

const char *cli_kind_text(enum cli_kind k)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == k)
			return kinds[i].text;
	return "of an unknown kind";
}

const char *cli_kind_id(enum cli_kind k)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == k)
			return kinds[i].id;
	return "unknown";
}

const char *cli_kind_hint(enum cli_kind k, const char *wanted)
{
	int want_p12 = strcmp(wanted, "pkcs12") == 0;

	switch (k) {
	case CLI_KIND_PKCS12:
		return want_p12 ? NULL : "use --identity";
	case CLI_KIND_BASE64_PKCS12:
		return "decode it first: base64 -d FILE > client.p12";
	case CLI_KIND_X509_DER:
	case CLI_KIND_PEM_CERT:
		return want_p12 ? "a CA certificate goes to --authorities; mxtls pack --cert CERT "
				  "--key KEY makes a .p12 of a certificate and its key"
				: NULL;
	case CLI_KIND_PKCS8_DER:
	case CLI_KIND_PKCS8_ENC_DER:
	case CLI_KIND_RSA_KEY_DER:
	case CLI_KIND_EC_KEY_DER:
	case CLI_KIND_PEM_KEY:
	case CLI_KIND_PEM_RSA_KEY:
	case CLI_KIND_PEM_EC_KEY:
	case CLI_KIND_PEM_ENC_KEY:
		return "a key and its certificate make a .p12 with mxtls pack --cert CERT --key KEY";
	case CLI_KIND_CSR_DER:
	case CLI_KIND_PEM_CSR:
		return "a request is not a certificate yet: have it signed first";
	case CLI_KIND_JSON:
		return "CLIENT_CERTIFICATES JSON goes in the environment; see mxtls help check";
	case CLI_KIND_JKS:
	case CLI_KIND_JCEKS:
		return want_p12 ? "mxtls pack --from STORE --alias NAME -o client.p12 makes a .p12 "
				  "of one of its keys"
				: NULL;
	default:
		return NULL;
	}
}
