/*
 * Names for the algorithm OIDs that PKCS#12 files carry. The library's
 * messages give an unsupported algorithm as its dotted OID only (it names
 * what it supports, nothing else); users search for "md5", not for
 * 1.2.840.113549.2.5. A table of our own rather than mbedtls_oid_get_*():
 * those only know what this mbedTLS build enables, and nothing of scrypt,
 * GOST or PBMAC1. Names are the ASN.1 ones of the defining RFC.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "mxtls_cli.h"

struct oid_name {
	const char *oid, *name, *lib; /* lib: how libmxtls spells it in its descriptions */
};

static const struct oid_name names[] = {
	/* digests (the PKCS#12 MAC's digestAlgorithm) */
	{"1.2.840.113549.2.2", "md2", NULL},
	{"1.2.840.113549.2.4", "md4", NULL},
	{"1.2.840.113549.2.5", "md5", NULL},
	{"1.3.14.3.2.26", "sha1", "SHA1"},
	{"2.16.840.1.101.3.4.2.4", "sha224", "SHA224"},
	{"2.16.840.1.101.3.4.2.1", "sha256", "SHA256"},
	{"2.16.840.1.101.3.4.2.2", "sha384", "SHA384"},
	{"2.16.840.1.101.3.4.2.3", "sha512", "SHA512"},
	{"2.16.840.1.101.3.4.2.5", "sha512-224", NULL},
	{"2.16.840.1.101.3.4.2.6", "sha512-256", NULL},
	{"2.16.840.1.101.3.4.2.7", "sha3-224", NULL},
	{"2.16.840.1.101.3.4.2.8", "sha3-256", NULL},
	{"2.16.840.1.101.3.4.2.9", "sha3-384", NULL},
	{"2.16.840.1.101.3.4.2.10", "sha3-512", NULL},
	{"1.2.643.7.1.1.2.2", "id-tc26-gost3411-12-256 (Streebog-256)", NULL},
	{"1.2.643.7.1.1.2.3", "id-tc26-gost3411-12-512 (Streebog-512)", NULL},
	{"1.2.643.2.2.9", "id-GostR3411-94", NULL},
	{"1.2.156.10197.1.401", "sm3", NULL},
	/* HMACs (PBKDF2 PRFs, PBMAC1 schemes) */
	{"1.2.840.113549.2.7", "hmacWithSHA1", "HMAC-SHA1"},
	{"1.2.840.113549.2.8", "hmacWithSHA224", "HMAC-SHA224"},
	{"1.2.840.113549.2.9", "hmacWithSHA256", "HMAC-SHA256"},
	{"1.2.840.113549.2.10", "hmacWithSHA384", "HMAC-SHA384"},
	{"1.2.840.113549.2.11", "hmacWithSHA512", "HMAC-SHA512"},
	{"1.2.840.113549.2.12", "hmacWithSHA512-224", NULL},
	{"1.2.840.113549.2.13", "hmacWithSHA512-256", NULL},
	{"2.16.840.1.101.3.4.2.13", "hmacWithSHA3-224", NULL},
	{"2.16.840.1.101.3.4.2.14", "hmacWithSHA3-256", NULL},
	{"2.16.840.1.101.3.4.2.15", "hmacWithSHA3-384", NULL},
	{"2.16.840.1.101.3.4.2.16", "hmacWithSHA3-512", NULL},
	/* key derivation and password-based schemes (PKCS#5, RFC 8018; RFC 9579) */
	{"1.2.840.113549.1.5.12", "PBKDF2", "PBKDF2"},
	{"1.2.840.113549.1.5.13", "PBES2", "PBES2"},
	{"1.2.840.113549.1.5.14", "PBMAC1", "PBMAC1"},
	{"1.3.6.1.4.1.11591.4.11", "id-scrypt", NULL},
	{"1.2.840.113549.1.5.1", "pbeWithMD2AndDES-CBC", NULL},
	{"1.2.840.113549.1.5.3", "pbeWithMD5AndDES-CBC", NULL},
	{"1.2.840.113549.1.5.4", "pbeWithMD2AndRC2-CBC", NULL},
	{"1.2.840.113549.1.5.6", "pbeWithMD5AndRC2-CBC", NULL},
	{"1.2.840.113549.1.5.10", "pbeWithSHA1AndDES-CBC", NULL},
	{"1.2.840.113549.1.5.11", "pbeWithSHA1AndRC2-CBC", NULL},
	/* PKCS#12 PBE (RFC 7292 appendix C) */
	{"1.2.840.113549.1.12.1.1", "pbeWithSHAAnd128BitRC4", "pbeWithSHA1And128BitRC4"},
	{"1.2.840.113549.1.12.1.2", "pbeWithSHAAnd40BitRC4", "pbeWithSHA1And40BitRC4"},
	{"1.2.840.113549.1.12.1.3", "pbeWithSHAAnd3-KeyTripleDES-CBC",
	 "pbeWithSHA1And3-KeyTripleDES-CBC"},
	{"1.2.840.113549.1.12.1.4", "pbeWithSHAAnd2-KeyTripleDES-CBC",
	 "pbeWithSHA1And2-KeyTripleDES-CBC"},
	{"1.2.840.113549.1.12.1.5", "pbeWithSHAAnd128BitRC2-CBC", "pbeWithSHA1And128BitRC2-CBC"},
	{"1.2.840.113549.1.12.1.6", "pbewithSHAAnd40BitRC2-CBC", "pbeWithSHA1And40BitRC2-CBC"},
	/* ciphers (PBES2 encryptionScheme) */
	{"2.16.840.1.101.3.4.1.2", "aes128-CBC", "AES-128-CBC"},
	{"2.16.840.1.101.3.4.1.22", "aes192-CBC", "AES-192-CBC"},
	{"2.16.840.1.101.3.4.1.42", "aes256-CBC", "AES-256-CBC"},
	{"2.16.840.1.101.3.4.1.6", "aes128-GCM", NULL},
	{"2.16.840.1.101.3.4.1.26", "aes192-GCM", NULL},
	{"2.16.840.1.101.3.4.1.46", "aes256-GCM", NULL},
	{"2.16.840.1.101.3.4.1.7", "aes128-CCM", NULL},
	{"2.16.840.1.101.3.4.1.47", "aes256-CCM", NULL},
	{"1.2.840.113549.3.7", "des-EDE3-CBC", "DES-EDE3-CBC"},
	{"1.2.840.113549.3.2", "rc2-CBC", "RC2-CBC"},
	{"1.2.840.113549.3.9", "rc5-CBC-PAD", NULL},
	{"1.3.14.3.2.7", "desCBC", NULL},
	{"1.2.643.2.2.21", "id-Gost28147-89", NULL},
	{"1.2.156.10197.1.104.2", "sm4-cbc", NULL},
	/* PKCS#7 content types, PKCS#12 bags and PKCS#9 attributes */
	{"1.2.840.113549.1.7.1", "data", NULL},
	{"1.2.840.113549.1.7.2", "signedData", NULL},
	{"1.2.840.113549.1.7.3", "envelopedData", NULL},
	{"1.2.840.113549.1.7.4", "signedAndEnvelopedData", NULL},
	{"1.2.840.113549.1.7.5", "digestedData", NULL},
	{"1.2.840.113549.1.7.6", "encryptedData", NULL},
	{"1.2.840.113549.1.12.10.1.1", "keyBag", NULL},
	{"1.2.840.113549.1.12.10.1.2", "pkcs8ShroudedKeyBag", NULL},
	{"1.2.840.113549.1.12.10.1.3", "certBag", NULL},
	{"1.2.840.113549.1.12.10.1.4", "crlBag", NULL},
	{"1.2.840.113549.1.12.10.1.5", "secretBag", NULL},
	{"1.2.840.113549.1.12.10.1.6", "safeContentsBag", NULL},
	{"1.2.840.113549.1.9.22.1", "x509Certificate", NULL},
	{"1.2.840.113549.1.9.22.2", "sdsiCertificate", NULL},
	{"1.2.840.113549.1.9.23.1", "x509CRL", NULL},
	{"1.2.840.113549.1.9.20", "friendlyName", NULL},
	{"1.2.840.113549.1.9.21", "localKeyID", NULL},
	/* key algorithms and curves */
	{"1.2.840.113549.1.1.1", "rsaEncryption", NULL},
	{"1.2.840.113549.1.1.10", "id-RSASSA-PSS", NULL},
	{"1.2.840.10045.2.1", "id-ecPublicKey", NULL},
	{"1.2.840.10040.4.1", "id-dsa", NULL},
	{"1.2.840.10046.2.1", "dhpublicnumber", NULL},
	{"1.3.101.110", "id-X25519", NULL},
	{"1.3.101.111", "id-X448", NULL},
	{"1.3.101.112", "id-Ed25519", NULL},
	{"1.3.101.113", "id-Ed448", NULL},
	{"1.2.643.7.1.1.1.1", "id-tc26-gost3410-12-256", NULL},
	{"1.2.643.7.1.1.1.2", "id-tc26-gost3410-12-512", NULL},
	{"1.2.156.10197.1.301", "sm2", NULL},
	{"1.2.840.10045.3.1.7", "prime256v1 (P-256)", NULL},
	{"1.3.132.0.34", "secp384r1 (P-384)", NULL},
	{"1.3.132.0.35", "secp521r1 (P-521)", NULL},
	{"1.3.132.0.10", "secp256k1", NULL},
	{"1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1", NULL},
};

#define NNAMES (sizeof(names) / sizeof(names[0]))

const char *cli_oid_name(const char *dotted)
{
	size_t i;

	for (i = 0; i < NNAMES; i++)
		if (strcmp(names[i].oid, dotted) == 0)
			return names[i].name;
	return NULL;
}

static const struct oid_name *by_lib_name(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < NNAMES; i++)
		if (names[i].lib && strlen(names[i].lib) == n && strncmp(names[i].lib, s, n) == 0)
			return &names[i];
	return NULL;
}

/* Append to out[*len..size), always NUL-terminated. */
static void put(char *out, size_t size, size_t *len, const char *s, size_t n)
{
	if (*len + 1 >= size)
		return;
	if (n > size - 1 - *len)
		n = size - 1 - *len;
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
}

void cli_oid_annotate(const char *s, char *out, size_t size)
{
	size_t len = 0, n, dots;
	const char *name;
	char oid[128];

	if (size == 0)
		return;
	out[0] = '\0';
	while (*s) {
		/* A dotted OID: digits and dots, at least two dots, not inside a word or number. */
		for (n = 0, dots = 0; isdigit((unsigned char)s[n]) || (s[n] == '.' && isdigit((unsigned char)s[n + 1]));
		     n++)
			dots += s[n] == '.';
		if (n > 0 && dots >= 2 && n < sizeof(oid) && !(len > 0 && isalnum((unsigned char)out[len - 1]))) {
			memcpy(oid, s, n);
			oid[n] = '\0';
			name = cli_oid_name(oid);
			if (name) {
				put(out, size, &len, name, strlen(name));
				put(out, size, &len, " (", 2);
				put(out, size, &len, oid, n);
				put(out, size, &len, ")", 1);
				s += n;
				continue;
			}
		}
		if (n == 0)
			n = 1;
		put(out, size, &len, s, n);
		s += n;
	}
}

/*
 * The algorithms of a libmxtls description, in order. Words are split at
 * spaces, parentheses and commas; "PBKDF2-HMAC-SHA256" is PBKDF2 with its
 * PRF. In the classic MAC line "HMAC-SHA256 (PKCS#12 KDF, ...)", the file
 * names the digest (sha256), not an HMAC OID: report that one.
 */
static size_t algorithms(const char *desc, int mac, const struct oid_name **found, size_t max)
{
	const struct oid_name *e;
	const char *p = desc, *w;
	size_t n = 0, len;
	int first = 1, classic = mac && strncmp(desc, "HMAC-", 5) == 0;

	while (*p && n < max) {
		while (*p == ' ' || *p == '(' || *p == ')' || *p == ',')
			p++;
		for (w = p; *p && *p != ' ' && *p != '(' && *p != ')' && *p != ','; p++)
			;
		len = (size_t)(p - w);
		if (len == 0)
			break;
		if (len > 7 && strncmp(w, "PBKDF2-", 7) == 0) {
			found[n++] = by_lib_name("PBKDF2", 6);
			w += 7;
			len -= 7;
		}
		if (first && classic)
			e = by_lib_name(w + 5, len - 5); /* "HMAC-SHA256": the digest SHA256 */
		else
			e = by_lib_name(w, len);
		if (e && n < max)
			found[n++] = e;
		first = 0;
	}
	return n;
}

void cli_algorithms_text(const char *desc, int mac, char *out, size_t size)
{
	const struct oid_name *found[8];
	size_t i, n = algorithms(desc, mac, found, 8), len = 0;

	if (size)
		out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			put(out, size, &len, ", ", 2);
		put(out, size, &len, found[i]->name, strlen(found[i]->name));
		put(out, size, &len, " (", 2);
		put(out, size, &len, found[i]->oid, strlen(found[i]->oid));
		put(out, size, &len, ")", 1);
	}
}

json_t *cli_algorithms_json(const char *desc, int mac)
{
	const struct oid_name *found[8];
	size_t i, n = algorithms(desc, mac, found, 8);
	json_t *a = json_array();

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "name", found[i]->name, "oid",
						   found[i]->oid));
	return a;
}
