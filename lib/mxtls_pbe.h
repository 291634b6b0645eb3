/* Password-based decryption of PKCS#12 content: PBES2 (RFC 8018) and the PKCS#12 PBEs (RFC 7292 B/C). */
#ifndef MXTLS_PBE_H
#define MXTLS_PBE_H

#include "mxtls_pkcs12_int.h"

/*
 * Decrypt `in` under the AlgorithmIdentifier `alg`. The plaintext must be one
 * complete SEQUENCE (SafeContents or PrivateKeyInfo): that, with the padding,
 * tells a right password from a wrong one, and lets us retry the encodings of
 * known exporter bugs. `what` names the content in messages ("bag 2").
 * On success *out (malloc'd) is owned by the caller: mx_keep_buffer() or
 * mx_freezero(). Returns 0 or -code with ld->err set.
 *
 * With out == NULL only the algorithm and its parameters are checked (no key
 * derivation): the structure pass uses it so that an unsupported algorithm
 * or an absurd iteration count is reported before, and instead of, the MAC.
 */
int mx_pbe_decrypt(struct mx_load *ld, const struct mx_tlv *alg, const uint8_t *in, size_t inlen,
		   uint8_t **out, size_t *outlen, const char *what);

/* Parse PBKDF2-params (shared with PBMAC1). keylen is 0 when absent. */
struct mx_pbkdf2_params {
	const uint8_t *salt;
	size_t salt_len;
	uint64_t iterations;
	uint64_t keylen;
	int md; /* mbedtls_md_type_t of the PRF */
	const char *prf_name;
};
int mx_pbkdf2_params_parse(struct mx_load *ld, const struct mx_tlv *params,
			   struct mx_pbkdf2_params *out, const char *what);

/* Look up the HMAC PRF / digest named by an OID element; 0 if unknown. */
int mx_md_from_hmac_oid(const struct mx_tlv *oid, const char **name);
int mx_md_from_digest_oid(const struct mx_tlv *oid, const char **name);

#endif
