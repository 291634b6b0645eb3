/*
 * libmxtls: outbound TLS identity and trust for app runtimes.
 *
 * This header is the whole public C API for loading client identities
 * from PKCS#12 containers (.p12/.pfx). It needs no mbedTLS or curl header.
 *
 * CONVENTIONS
 *   - Every handle is opaque. Objects returned by a _new or _load function
 *     are owned by the caller and released with the matching _free function, which
 *     accepts NULL. Pointers returned by getters ("borrowed") stay valid
 *     until the object they came from is freed.
 *   - Input buffers and strings are copied or fully consumed before a call
 *     returns: the caller may wipe or free them right after.
 *   - Errors: a function that can fail fills a caller-provided
 *     mxtls_error (which may be NULL) with a stable code and a message
 *     that names the context (file, content, bag, algorithm OID) and never
 *     contains a password or key material.
 *
 * THREAD SAFETY
 *   Loaded objects are immutable: any number of threads may call getters on
 *   the same object at once. Loading from different threads at once is safe.
 *   Freeing an object while another thread uses it is not.
 */
#ifndef MXTLS_MXTLS_H
#define MXTLS_MXTLS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#if defined(MXTLS_BUILDING_SHARED)
#define MXTLS_EXTERN __declspec(dllexport)
#else
#define MXTLS_EXTERN
#endif
#elif defined(__GNUC__)
#define MXTLS_EXTERN __attribute__((visibility("default")))
#else
#define MXTLS_EXTERN
#endif

#if defined(__GNUC__)
#define MXTLS_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define MXTLS_WARN_UNUSED
#endif

#define MXTLS_VERSION_MAJOR 0
#define MXTLS_VERSION_MINOR 1
#define MXTLS_VERSION_PATCH 0
#define MXTLS_VERSION_STRING "0.1.0"
/* The number in the shared library's SONAME (libmxtls.so.0); CMake takes it from here. */
#define MXTLS_ABI_VERSION 0

/** Library version string, e.g. "0.1.0" (static storage). */
MXTLS_EXTERN const char *mxtls_version(void);
/** MXTLS_ABI_VERSION of the library actually loaded: bindings refuse one they do not know. */
MXTLS_EXTERN int mxtls_abi_version(void);
/**
 * The value of a constant of this header by its name ("MXTLS_TLS_1_2",
 * "MXTLS_LOAD_REQUIRE_MAC", "MXTLS_MAX_PASSWORD_BYTES", "MXTLS_ERR_EXPIRED",
 * "MXTLS_EVENT_MAX", ...), for bindings that cannot read macros and enums
 * through an FFI. Returns 0 with *value set, or -1 for a name it does not
 * know. Every integer macro and enum value of this header is known, except
 * MXTLS_NO_IDENTITY (see mxtls_no_identity()). Thread-safe.
 */
MXTLS_EXTERN int mxtls_constant(const char *name, int64_t *value);

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/**
 * Stable error codes. Values never change; new codes are only appended.
 * mxtls_error_name() gives the stable lower-case name used in JSON output
 * ("wrong_password", ...), which bindings can map to exception classes.
 */
typedef enum mxtls_code {
	MXTLS_OK = 0,
	MXTLS_ERR_USAGE = 1,                 /* "usage": bad argument from the caller */
	MXTLS_ERR_NOMEM = 2,                 /* "nomem": out of memory */
	MXTLS_ERR_IO = 3,                    /* "io": a file could not be read */
	MXTLS_ERR_CORRUPT = 4,               /* "corrupt": not a well-formed PKCS#12 container */
	MXTLS_ERR_WRONG_PASSWORD = 5,        /* "wrong_password": intact file, password does not open it */
	MXTLS_ERR_UNSUPPORTED_ALGORITHM = 6, /* "unsupported_algorithm": an encryption/MAC/content type we do not do */
	MXTLS_ERR_UNSUPPORTED_KEY = 7,       /* "unsupported_key": a private key type or size we cannot use for TLS */
	MXTLS_ERR_NO_KEY = 8,                /* "no_key": certificates but no private key */
	MXTLS_ERR_NO_CERTIFICATE = 9,        /* "no_certificate": a private key but no certificate */
	MXTLS_ERR_KEY_MISMATCH = 10,         /* "key_mismatch": keys and certificates, none matching */
	MXTLS_ERR_LIMIT_EXCEEDED = 11,       /* "limit_exceeded": size, nesting, bag count or KDF cost over a limit */
	MXTLS_ERR_EMPTY = 12,                /* "empty": a valid container with nothing in it */
	MXTLS_ERR_NO_MAC = 13,               /* "no_mac": no integrity MAC while MXTLS_LOAD_REQUIRE_MAC is set */
	MXTLS_ERR_INTERNAL = 14,             /* "internal": a bug or an unexpected library failure */
	MXTLS_ERR_NOT_PINNED = 15,           /* "not_pinned": a connection to a host its identity was not selected for */
	MXTLS_ERR_CONFIG = 16,               /* "config": the environment's configuration is malformed (variable, JSON, pin) */
	MXTLS_ERR_EXPIRED = 17               /* "expired": an identity certificate has expired or is not yet valid */
} mxtls_code;
#define MXTLS_ERR_MAX 17 /* the highest code: bindings map 1..MXTLS_ERR_MAX to their error types */

/** Size of the message buffer in mxtls_error, including the NUL. */
#define MXTLS_ERROR_MESSAGE_MAX 320

/**
 * Error report filled by failing calls. Caller-allocated (on the stack is
 * fine); its layout is part of the ABI. code is MXTLS_OK and message empty
 * after success. message is NUL-terminated, valid UTF-8 without control
 * characters (bytes that are neither, from file names or pins, appear as
 * "\xNN"; a message too long for the buffer ends in "..."), and never holds
 * a secret.
 */
typedef struct mxtls_error {
	int code;
	char message[MXTLS_ERROR_MESSAGE_MAX];
} mxtls_error;

/** Stable name of a code ("wrong_password"); "unknown" for other values. Static storage. */
MXTLS_EXTERN const char *mxtls_error_name(int code);
/** Generic English description of a code. Static storage. */
MXTLS_EXTERN const char *mxtls_strerror(int code);
/** For bindings that cannot read structs: accessors of an mxtls_error. NULL-safe. */
MXTLS_EXTERN int mxtls_error_code(const mxtls_error *err);
MXTLS_EXTERN const char *mxtls_error_message(const mxtls_error *err);
/** sizeof(mxtls_error), for bindings that allocate it as raw bytes. */
MXTLS_EXTERN size_t mxtls_error_size(void);

/* ------------------------------------------------------------------ */
/* Certificates (borrowed views)                                       */
/* ------------------------------------------------------------------ */

typedef struct mxtls_cert mxtls_cert;

/** DER bytes of the certificate; *len receives the length. Borrowed. */
MXTLS_EXTERN const uint8_t *mxtls_cert_der(const mxtls_cert *cert, size_t *len);
/**
 * Subject / issuer distinguished name as text ("CN=client, O=Example"),
 * written NUL-terminated into buf. Returns the length written, or -1 if
 * buf is too small: buf then holds as much of the name as fits, ending in
 * "..." (256 bytes fit almost every name). With buf NULL and size 0, returns
 * the length the whole name needs (without the NUL), so a caller can size
 * its buffer first. -1 for a NULL cert. Bytes that are not printable ASCII
 * are written as '?'.
 */
MXTLS_EXTERN int mxtls_cert_subject(const mxtls_cert *cert, char *buf, size_t size);
MXTLS_EXTERN int mxtls_cert_issuer(const mxtls_cert *cert, char *buf, size_t size);
/** Validity bounds as seconds since the Unix epoch (UTC). */
MXTLS_EXTERN int64_t mxtls_cert_not_before(const mxtls_cert *cert);
MXTLS_EXTERN int64_t mxtls_cert_not_after(const mxtls_cert *cert);
/** SHA-256 of the DER, computed once at load time. Borrowed, 32 bytes. */
MXTLS_EXTERN const uint8_t *mxtls_cert_sha256(const mxtls_cert *cert);
/** 1 if the certificate is a CA (basicConstraints cA=TRUE), else 0. */
MXTLS_EXTERN int mxtls_cert_is_ca(const mxtls_cert *cert);

/* ------------------------------------------------------------------ */
/* Identities: one private key with its leaf certificate and chain     */
/* ------------------------------------------------------------------ */

typedef struct mxtls_identity mxtls_identity;

typedef enum mxtls_key_type {
	MXTLS_KEY_RSA = 1,
	MXTLS_KEY_EC = 2
} mxtls_key_type;

/** The certificate whose public key matches the identity's private key. Borrowed. */
MXTLS_EXTERN const mxtls_cert *mxtls_identity_leaf(const mxtls_identity *id);
/** Number of issuer certificates found for the leaf (leaf excluded). */
MXTLS_EXTERN size_t mxtls_identity_chain_count(const mxtls_identity *id);
/** Issuer i of the leaf, ordered leaf-to-root (0 = the leaf's issuer). Borrowed; NULL if out of range. */
MXTLS_EXTERN const mxtls_cert *mxtls_identity_chain_cert(const mxtls_identity *id, size_t i);
/** friendlyName attribute (UTF-8) of the key or leaf bag, or NULL. Borrowed. */
MXTLS_EXTERN const char *mxtls_identity_friendly_name(const mxtls_identity *id);
/** Key type (mxtls_key_type) and size in bits (RSA modulus / EC curve size). */
MXTLS_EXTERN int mxtls_identity_key_type(const mxtls_identity *id);
MXTLS_EXTERN size_t mxtls_identity_key_bits(const mxtls_identity *id);
/** Curve name for EC keys ("P-256", "P-384", "P-521"); NULL for RSA. Static storage. */
MXTLS_EXTERN const char *mxtls_identity_key_curve(const mxtls_identity *id);

/* ------------------------------------------------------------------ */
/* PKCS#12 containers                                                  */
/* ------------------------------------------------------------------ */

typedef struct mxtls_pkcs12 mxtls_pkcs12;

/** Load flags (bitwise OR). */
#define MXTLS_LOAD_REQUIRE_MAC 0x1u /* a container without an integrity MAC is an error (no_mac) */

/** Limits applied to every load (hostile-input protection). Exposed for bindings and docs. */
#define MXTLS_MAX_INPUT_BYTES (1024u * 1024u)  /* larger input: limit_exceeded */
#define MXTLS_MAX_NESTING 8                    /* levels of nested safeContentsBag (real files use 1) */
#define MXTLS_MAX_BAGS 256                     /* SafeBags in one container */
#define MXTLS_MAX_KDF_ITERATIONS 5000000u      /* iterations of any one key derivation */
#define MXTLS_MAX_KDF_BUDGET 20000000u         /* hash iterations x output blocks, all derivations of one load */
#define MXTLS_MAX_PASSWORD_BYTES 4096u         /* UTF-8 bytes of a password */
#define MXTLS_MAX_ENV_IDENTITIES 64            /* entries of CLIENT_CERTIFICATES */
#define MXTLS_MAX_PINS 10000                   /* pins of all identities of one configuration */
#define MXTLS_MAX_PIN_BYTES 255                /* bytes of one pin (a DNS name is at most 253) */
#define MXTLS_CLOCK_SKEW_SECONDS 300           /* a certificate this close to its start counts as valid */

/**
 * Load a PKCS#12 container from memory (DER or BER).
 *
 * password: UTF-8, NUL-terminated, or NULL for "no password". An empty or
 * NULL password tries both encodings real tools use for "no password".
 * Quirks of known exporters (NSS, JSafe) are tolerated and reported as
 * warnings. flags: MXTLS_LOAD_*.
 *
 * Returns a new container holding at least one identity, or NULL with err
 * filled. Owned by the caller: release with mxtls_pkcs12_free(). The input
 * and password are copied where needed and wiped; the caller may reuse them.
 */
MXTLS_EXTERN MXTLS_WARN_UNUSED mxtls_pkcs12 *mxtls_pkcs12_load_mem(const void *data, size_t len,
								   const char *password,
								   unsigned flags,
								   mxtls_error *err);
/** As mxtls_pkcs12_load_mem(), reading the file at path; the message names the file. */
MXTLS_EXTERN MXTLS_WARN_UNUSED mxtls_pkcs12 *mxtls_pkcs12_load_file(const char *path,
								    const char *password,
								    unsigned flags, mxtls_error *err);
/**
 * As mxtls_pkcs12_load_mem() / _load_file(), with the password given as
 * password_len bytes (no NUL needed): what FFI bindings use. A NUL byte
 * inside the password is refused (MXTLS_ERR_USAGE) instead of cutting it
 * short; password_len 0 means "no password". The copy is wiped.
 */
MXTLS_EXTERN MXTLS_WARN_UNUSED mxtls_pkcs12 *mxtls_pkcs12_load_mem_n(const void *data, size_t len,
								     const char *password,
								     size_t password_len,
								     unsigned flags,
								     mxtls_error *err);
MXTLS_EXTERN MXTLS_WARN_UNUSED mxtls_pkcs12 *mxtls_pkcs12_load_file_n(const char *path,
								      const char *password,
								      size_t password_len,
								      unsigned flags,
								      mxtls_error *err);
/** Release a container and wipe its key material. NULL-safe. */
MXTLS_EXTERN void mxtls_pkcs12_free(mxtls_pkcs12 *p12);

/**
 * Read a password file the way the runtime reads
 * MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE, so that one file gives one password
 * everywhere (runtime, tools, bindings): the whole file less one trailing line
 * end (\n, \r\n or \r), at most MXTLS_MAX_PASSWORD_BYTES bytes, no NUL byte.
 * Only a regular file: a directory or a FIFO is refused at once, never read
 * or waited on.
 *
 * Returns a new NUL-terminated string (empty for an empty file), or NULL with
 * err filled ("PATH: cause": io, limit_exceeded, config, nomem). Owned by the
 * caller: release with mxtls_password_free(), which wipes it. Thread-safe.
 */
MXTLS_EXTERN MXTLS_WARN_UNUSED char *mxtls_password_read_file(const char *path, mxtls_error *err);
/** Wipe and free a string from mxtls_password_read_file(). NULL-safe. */
MXTLS_EXTERN void mxtls_password_free(char *password);

/** Identities (key + leaf + chain), in the order their keys appear in the file. */
MXTLS_EXTERN size_t mxtls_pkcs12_identity_count(const mxtls_pkcs12 *p12);
MXTLS_EXTERN const mxtls_identity *mxtls_pkcs12_identity(const mxtls_pkcs12 *p12, size_t i);
/** Certificates in the file that are on no identity's issuer path (listed, never sent). */
MXTLS_EXTERN size_t mxtls_pkcs12_extra_cert_count(const mxtls_pkcs12 *p12);
MXTLS_EXTERN const mxtls_cert *mxtls_pkcs12_extra_cert(const mxtls_pkcs12 *p12, size_t i);

/**
 * How the container is protected, as short text (static or container-owned):
 * MAC e.g. "HMAC-SHA256 (PKCS#12 KDF, 2048 iterations)", "PBMAC1 HMAC-SHA256
 * (PBKDF2-HMAC-SHA256, 2048 iterations)" or "none"; encryption e.g.
 * "PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC (2048 iterations)", one per
 * distinct scheme, or "none" for unencrypted bags.
 */
MXTLS_EXTERN const char *mxtls_pkcs12_mac_algorithm(const mxtls_pkcs12 *p12);
MXTLS_EXTERN size_t mxtls_pkcs12_encryption_count(const mxtls_pkcs12 *p12);
MXTLS_EXTERN const char *mxtls_pkcs12_encryption(const mxtls_pkcs12 *p12, size_t i);

/** Warning kinds, stable values; mxtls_warning_name() gives "no_mac", ... */
typedef enum mxtls_warning_kind {
	MXTLS_WARN_NO_MAC = 1,           /* no integrity MAC: contents are not authenticated */
	MXTLS_WARN_LEGACY_ALGORITHM = 2, /* RC2, RC4, DES/3DES or a SHA-1 MAC */
	MXTLS_WARN_WEAK_KEY = 3,         /* RSA below 2048 bits */
	MXTLS_WARN_EXPIRED = 4,          /* a leaf or chain certificate is past notAfter */
	MXTLS_WARN_NOT_YET_VALID = 5,    /* a leaf or chain certificate is before notBefore */
	MXTLS_WARN_NO_CLIENT_AUTH = 6,   /* leaf extendedKeyUsage lacks clientAuth */
	MXTLS_WARN_EXPORTER_QUIRK = 7,   /* a known exporter bug had to be worked around */
	MXTLS_WARN_SKIPPED_ENTRY = 8,    /* an entry was skipped (unsupported key, CRL, secret...) */
	MXTLS_WARN_NOT_A_CA = 9,         /* an authority that is not a CA: trusted directly */
	MXTLS_WARN_AMBIGUOUS = 10,       /* several default identities, or a pin claimed twice */
	MXTLS_WARN_EXPIRING = 11         /* a certificate expires within the warning window */
} mxtls_warning_kind;
#define MXTLS_WARN_MAX 11 /* the highest warning kind */

MXTLS_EXTERN const char *mxtls_warning_name(int kind);
/** Warnings found while loading, in the order found. Text is container-owned. */
MXTLS_EXTERN size_t mxtls_pkcs12_warning_count(const mxtls_pkcs12 *p12);
MXTLS_EXTERN int mxtls_pkcs12_warning_kind(const mxtls_pkcs12 *p12, size_t i);
MXTLS_EXTERN const char *mxtls_pkcs12_warning(const mxtls_pkcs12 *p12, size_t i);

/* ------------------------------------------------------------------ */
/* Trust: certificate authorities users upload                         */
/* ------------------------------------------------------------------ */

typedef struct mxtls_trust mxtls_trust;

/**
 * Parse certificate authorities as users upload them: PEM text with any
 * number of certificates (text before, between and after the blocks is
 * ignored; CRLF and indented lines are fine), the same text base64-encoded,
 * or a single DER certificate. A damaged block fails the whole load with its
 * line number (corrupt); no certificate at all is `empty`. A certificate that
 * is not a CA is accepted as a directly trusted certificate, with a warning.
 *
 * Returns a new, immutable bundle owned by the caller (mxtls_trust_free), or
 * NULL with err filled. Thread safety: as for containers.
 */
MXTLS_EXTERN MXTLS_WARN_UNUSED mxtls_trust *mxtls_trust_load_mem(const void *data, size_t len,
								 mxtls_error *err);
/** As mxtls_trust_load_mem(), reading the file at path; messages name the file. */
MXTLS_EXTERN MXTLS_WARN_UNUSED mxtls_trust *mxtls_trust_load_file(const char *path,
								  mxtls_error *err);
/**
 * The platform's public roots, found as OpenSSL-based tools find them:
 * SSL_CERT_FILE, then SSL_CERT_DIR (colon-separated directories), then the
 * usual distribution bundles (/etc/ssl/certs/ca-certificates.crt, ...).
 * Certificates mbedTLS cannot parse are skipped. `io` if none is found.
 */
MXTLS_EXTERN MXTLS_WARN_UNUSED mxtls_trust *mxtls_trust_load_system(mxtls_error *err);
/** Release a bundle. NULL-safe. */
MXTLS_EXTERN void mxtls_trust_free(mxtls_trust *trust);
/** Where the bundle came from ("/etc/ssl/certs/ca-certificates.crt", "memory"). Borrowed. */
MXTLS_EXTERN const char *mxtls_trust_source(const mxtls_trust *trust);
/** Distinct certificates in the bundle, in the order given. Borrowed. */
MXTLS_EXTERN size_t mxtls_trust_cert_count(const mxtls_trust *trust);
MXTLS_EXTERN const mxtls_cert *mxtls_trust_cert(const mxtls_trust *trust, size_t i);
/** Warnings found while loading (not_a_ca, expired, skipped_entry...). Borrowed text. */
MXTLS_EXTERN size_t mxtls_trust_warning_count(const mxtls_trust *trust);
MXTLS_EXTERN int mxtls_trust_warning_kind(const mxtls_trust *trust, size_t i);
MXTLS_EXTERN const char *mxtls_trust_warning(const mxtls_trust *trust, size_t i);

/* ------------------------------------------------------------------ */
/* TLS client context                                                  */
/* ------------------------------------------------------------------ */

/**
 * A configuration collects identities, authorities and options; a context
 * is built from it once and is then immutable and reference-counted.
 *
 * Thread safety: a configuration is used by one thread at a time. A context
 * may be used by any number of threads and connections at once (mbedTLS is
 * built with MBEDTLS_THREADING_C, which guards the shared RSA blinding
 * state). mxtls_ctx_ref/mxtls_ctx_free are atomic.
 */
typedef struct mxtls_config mxtls_config;
typedef struct mxtls_ctx mxtls_ctx;

/** TLS protocol versions (wire values). TLS 1.2 is the floor. */
#define MXTLS_TLS_1_2 0x0303
#define MXTLS_TLS_1_3 0x0304

/** A new, empty configuration (system roots on, TLS 1.2 to 1.3). NULL if out of memory. */
MXTLS_EXTERN MXTLS_WARN_UNUSED mxtls_config *mxtls_config_new(void);
/** Release a configuration and wipe the key material it holds. NULL-safe. */
MXTLS_EXTERN void mxtls_config_free(mxtls_config *cfg);
/**
 * Add identity i of a loaded container. Its certificates and key are copied:
 * the container may be freed afterwards. The first identity added is the
 * default one. Returns 0, or -1 with err filled.
 */
MXTLS_EXTERN int mxtls_config_add_identity(mxtls_config *cfg, const mxtls_pkcs12 *p12, size_t i,
					   mxtls_error *err);
/**
 * As mxtls_config_add_identity(), for the hosts or services listed in pins:
 * host names (exact, case-insensitive, no scheme or port; "*.example.com"
 * matches exactly one more label) or logical identifiers ("Module.Service",
 * any text without spaces, matched exactly). An identity without pins is a
 * default one. Host names are compared lower case, without a trailing dot,
 * and IPv6 literals with or without brackets in their shortest form.
 * Returns 0, or -1 with err filled: a pin with a scheme, a port, a path,
 * spaces, control characters or a misplaced wildcard is a usage error; more
 * than MXTLS_MAX_PINS in the configuration, or one over MXTLS_MAX_PIN_BYTES,
 * is limit_exceeded.
 */
MXTLS_EXTERN int mxtls_config_add_identity_pinned(mxtls_config *cfg, const mxtls_pkcs12 *p12,
						  size_t i, const char *const *pins, size_t npins,
						  mxtls_error *err);
/** Hosts or identifiers that must get no client certificate at all. Returns 0 or -1. */
MXTLS_EXTERN int mxtls_config_add_no_identity(mxtls_config *cfg, const char *const *pins,
					      size_t npins, mxtls_error *err);
/** Trust the authorities of a bundle too (copied). Returns 0, or -1 with err filled. */
MXTLS_EXTERN int mxtls_config_add_trust(mxtls_config *cfg, const mxtls_trust *trust,
					mxtls_error *err);
/**
 * A configuration from the platform's environment, as the runtime receives
 * what users uploaded (README, "Environment"): CLIENT_CERTIFICATES (JSON
 * array of {"pfx": base64, "password": "...", "pin_to": [...]}),
 * CERTIFICATE_AUTHORITIES (PEM, or base64 of it), CERTIFICATE_AUTHORITIES_BASE64,
 * and the file forms for mounted secrets: MXTLS_CLIENT_CERTIFICATES_FILE,
 * MXTLS_CLIENT_CERTIFICATE_FILE + MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE
 * (+ MXTLS_CLIENT_CERTIFICATE_PIN_TO), MXTLS_CERTIFICATE_AUTHORITIES_FILE,
 * and MXTLS_SYSTEM_ROOTS=0.
 *
 * envp: a NULL-terminated array of "NAME=value" strings, or NULL for the
 * process environment. Every error names the variable, the entry and the
 * cause (JSON line and column, base64, wrong password for entry 2...), never
 * a password. Nothing set at all gives an empty configuration (no client
 * certificate, system roots). Returns a new configuration or NULL.
 */
MXTLS_EXTERN MXTLS_WARN_UNUSED mxtls_config *mxtls_config_from_env(const char *const *envp,
								   mxtls_error *err);
/** Warnings found while reading the environment (unknown keys, extra identities...). Borrowed. */
MXTLS_EXTERN size_t mxtls_config_warning_count(const mxtls_config *cfg);
MXTLS_EXTERN const char *mxtls_config_warning(const mxtls_config *cfg, size_t i);
/** Number of identities in the configuration. */
MXTLS_EXTERN size_t mxtls_config_identity_count(const mxtls_config *cfg);
/**
 * Whether the platform's public roots are trusted besides the added
 * authorities (default 1). With 0, only the added authorities are trusted.
 */
MXTLS_EXTERN int mxtls_config_set_system_roots(mxtls_config *cfg, int enabled);
/**
 * Protocol range, MXTLS_TLS_1_2 or MXTLS_TLS_1_3 for each bound (default
 * 1.2 to 1.3). Anything below TLS 1.2 is refused: returns -1, usage.
 */
MXTLS_EXTERN int mxtls_config_set_tls_versions(mxtls_config *cfg, int min, int max,
					       mxtls_error *err);

/**
 * Build an immutable client context: parses the trust (system roots once,
 * plus added authorities) and every identity once, and prepares an mbedTLS
 * client configuration per identity: TLS 1.2-1.3, peer and hostname
 * verification required, session tickets and resumption, no renegotiation,
 * mbedTLS's secure cipher defaults, secp256r1 offered first.
 * Returns a context with one reference, owned by the caller, or NULL with
 * err filled. The configuration may be freed or changed afterwards.
 */
MXTLS_EXTERN MXTLS_WARN_UNUSED mxtls_ctx *mxtls_ctx_new(const mxtls_config *cfg,
							mxtls_error *err);
/** Take one more reference; returns ctx. */
MXTLS_EXTERN mxtls_ctx *mxtls_ctx_ref(mxtls_ctx *ctx);
/**
 * Drop one reference; the last one frees the context and wipes its keys,
 * after running the cleanups of its attachments (mxtls_ctx_attach). NULL-safe.
 */
MXTLS_EXTERN void mxtls_ctx_free(mxtls_ctx *ctx);

/** Frees what mxtls_ctx_attach() attached, when the context goes. */
typedef void (*mxtls_cleanup_fn)(void *value);
/**
 * For libraries built on libmxtls (the libcurl hand-off, language
 * bindings): keep value with ctx for as long as the context lives, under a
 * key of the caller's own (the address of one of its statics). When the last
 * reference goes, cleanup(value) runs once, before anything of the context is
 * freed; it may still read the context, but must not take a reference to it.
 * Returns the value attached under key: value if none was, or the earlier
 * one (then value is not attached and cleanup is not called for it); NULL on
 * a NULL argument or out of memory. An attachment holds no reference to the
 * context. Thread-safe.
 */
MXTLS_EXTERN void *mxtls_ctx_attach(mxtls_ctx *ctx, const void *key, void *value,
				    mxtls_cleanup_fn cleanup);
/** The value attached to ctx under key, or NULL. Thread-safe. */
MXTLS_EXTERN void *mxtls_ctx_attachment(const mxtls_ctx *ctx, const void *key);
/** Identities in the context, in the order added; and their leaf certificates. */
MXTLS_EXTERN size_t mxtls_ctx_identity_count(const mxtls_ctx *ctx);
MXTLS_EXTERN const mxtls_cert *mxtls_ctx_identity_leaf(const mxtls_ctx *ctx, size_t i);
/** "No identity": the result of a selection that presents no client certificate. */
#define MXTLS_NO_IDENTITY ((size_t)-1)
/** MXTLS_NO_IDENTITY as a function: SIZE_MAX, which some FFIs cannot spell as a constant. */
MXTLS_EXTERN size_t mxtls_no_identity(void);
/**
 * The identity a request should present: by identifier first (exact pin),
 * then by the host it connects to (exact pin, then wildcard), else the first
 * unpinned identity (the default), else MXTLS_NO_IDENTITY. A pin mapped to
 * no identity (mxtls_config_add_no_identity) gives MXTLS_NO_IDENTITY, even
 * where an identity claims the same pin. host may be an IPv6 literal with or
 * without brackets. identifier and host may be NULL. Thread-safe,
 * allocation-free, O(log n) in the number of pins.
 */
MXTLS_EXTERN size_t mxtls_ctx_select(const mxtls_ctx *ctx, const char *identifier,
				     const char *host);
/**
 * Whether a connection to host may present identity (an index, or
 * MXTLS_NO_IDENTITY) for a request selected with identifier: 0 when
 * mxtls_ctx_select(ctx, identifier, host) picks that identity ("no
 * identity" matches "no identity"), else -1 with MXTLS_ERR_NOT_PINNED and a
 * message naming the host and both identities (MXTLS_ERR_USAGE for a NULL
 * ctx or host, or an identity out of range). For TLS objects chosen for one
 * host that may be reused for another (redirects, pooled contexts in
 * bindings): libmxtls_curl makes the same check on every new connection.
 * Thread-safe.
 */
MXTLS_EXTERN int mxtls_ctx_check_host(const mxtls_ctx *ctx, size_t identity,
				      const char *identifier, const char *host, mxtls_error *err);
/** Pins of identity i, in the order given. Borrowed. */
MXTLS_EXTERN size_t mxtls_ctx_identity_pin_count(const mxtls_ctx *ctx, size_t i);
MXTLS_EXTERN const char *mxtls_ctx_identity_pin(const mxtls_ctx *ctx, size_t i, size_t k);
/** Warnings about the context (several default identities, a pin claimed twice). Borrowed. */
MXTLS_EXTERN size_t mxtls_ctx_warning_count(const mxtls_ctx *ctx);
MXTLS_EXTERN const char *mxtls_ctx_warning(const mxtls_ctx *ctx, size_t i);
/** Number of trusted authorities (system roots + added ones). */
MXTLS_EXTERN size_t mxtls_ctx_trust_count(const mxtls_ctx *ctx);
/**
 * How many of them are the platform's roots: 0 when the context trusts only
 * the added authorities (mxtls_config_set_system_roots(cfg, 0),
 * MXTLS_SYSTEM_ROOTS=0). They come first; an added authority that is also a
 * system root is counted there once.
 */
MXTLS_EXTERN size_t mxtls_ctx_system_root_count(const mxtls_ctx *ctx);
/**
 * Trusted authority i (i < mxtls_ctx_trust_count()), or NULL. Borrowed from
 * the context. Thread-safe; the views are made on the first call (hashing
 * every root), not at start-up.
 */
MXTLS_EXTERN const mxtls_cert *mxtls_ctx_trust_cert(const mxtls_ctx *ctx, size_t i);
/** The protocol range of the context (MXTLS_TLS_1_2 / MXTLS_TLS_1_3). */
MXTLS_EXTERN void mxtls_ctx_tls_versions(const mxtls_ctx *ctx, int *min, int *max);

/* ------------------------------------------------------------------ */
/* Runtime: start-up from the environment, and rotation                */
/* ------------------------------------------------------------------ */

/**
 * A runtime owns the current context built from the environment and
 * replaces it, atomically, when the sources change: new connections use the
 * new context, connections in flight keep the one they started with (each
 * holds a reference). A failed reload (bad file, wrong password, expired
 * certificate) keeps the current context and reports why.
 *
 * Thread safety: every function may be called from any thread.
 */
typedef struct mxtls_runtime mxtls_runtime;

/** What the event callback is told. */
typedef enum mxtls_event_kind {
	MXTLS_EVENT_LOADED = 1,        /* start-up built the first context */
	MXTLS_EVENT_RELOADED = 2,      /* a new context replaced the old one */
	MXTLS_EVENT_RELOAD_FAILED = 3, /* the old context stays; the message says why */
	MXTLS_EVENT_UNCHANGED = 4,     /* a reload found the same sources: nothing swapped */
	MXTLS_EVENT_EXPIRING = 5,      /* an identity or authority expires within the window */
	MXTLS_EVENT_EXPIRED = 6,       /* an identity or authority has expired, or an identity is not valid yet */
	MXTLS_EVENT_WARNING = 7        /* anything else worth knowing (ambiguous pins...) */
} mxtls_event_kind;
#define MXTLS_EVENT_MAX 7 /* the highest event kind */

/**
 * Event callback: kind and a message without secrets. Called once a load is
 * over, outside every lock of the library, one call at a time and in order,
 * from a thread that loads: the caller of mxtls_runtime_new/reload or the
 * watcher thread. When two loads overlap, the thread already calling out
 * delivers the other's events too, so a reload may return before its own
 * events have been delivered, and they may arrive on the watcher thread. The
 * callback may call mxtls_runtime_reload() or mxtls_runtime_ctx(); it must
 * not call mxtls_runtime_free() on the same runtime (the watcher thread may
 * be the caller, and free waits for it). Without a callback (NULL), events
 * go to stderr as "mxtls: kind: message".
 *
 * Languages whose callbacks must run on their own event loop pass
 * mxtls_event_queue instead: then nothing is ever called from a library
 * thread, and events wait (at most 256; older ones are dropped and counted)
 * until mxtls_runtime_next_event() takes them.
 */
typedef void (*mxtls_event_fn)(void *arg, int kind, const char *message);
MXTLS_EXTERN const char *mxtls_event_name(int kind);
/** Pass as the callback to receive events by polling (see above); does nothing if called. */
MXTLS_EXTERN void mxtls_event_queue(void *arg, int kind, const char *message);

/**
 * Read the environment (see mxtls_config_from_env), build the first context,
 * and report expiry within the warning window (MXTLS_EXPIRY_WARNING_DAYS, or
 * 30 days). envp is copied; NULL means the live process environment, read
 * again on every reload. Malformed configuration fails here, loudly:
 * returns NULL with err filled rather than running without an identity
 * (MXTLS_ERR_CONFIG for the variables' format; MXTLS_ERR_EXPIRED for an
 * identity certificate that has expired or starts more than
 * MXTLS_CLOCK_SKEW_SECONDS from now, which a reload would refuse too).
 */
MXTLS_EXTERN MXTLS_WARN_UNUSED mxtls_runtime *mxtls_runtime_new(const char *const *envp,
								mxtls_event_fn fn, void *arg,
								mxtls_error *err);
/** The current context, with a new reference the caller drops with mxtls_ctx_free(). */
MXTLS_EXTERN mxtls_ctx *mxtls_runtime_ctx(mxtls_runtime *rt);
/**
 * With mxtls_event_queue as the callback: a descriptor that polls readable
 * while events wait, and only then. Owned by the runtime: do not read or
 * close it; take events with mxtls_runtime_next_event() until it returns 0
 * (the descriptor is one level, not one edge per event: an edge-triggered
 * loop must drain). mxtls_runtime_free() closes it and discards waiting
 * events: remove it from your poller first. -1 in the other modes.
 */
MXTLS_EXTERN int mxtls_runtime_event_fd(mxtls_runtime *rt);
/**
 * Take the oldest waiting event (queue mode): returns 1 with *kind and
 * message (cut to size, NUL-terminated) filled, or 0 when none wait (and in
 * the other modes). kind may be NULL; message may be NULL if size is 0.
 * After a drop, the next event is an MXTLS_EVENT_WARNING saying how many
 * were lost. Thread-safe.
 */
MXTLS_EXTERN int mxtls_runtime_next_event(mxtls_runtime *rt, int *kind, char *message,
					  size_t size);
/** How many contexts have been installed (1 after start-up; 64 bits on every platform). */
MXTLS_EXTERN uint64_t mxtls_runtime_generation(mxtls_runtime *rt);
/**
 * Build a complete new context from the same sources and swap it in.
 * Returns 0 (swapped, or unchanged sources), or -1 with err filled and the
 * current context kept. An identity whose certificate has expired, or is not
 * valid yet, fails with MXTLS_ERR_EXPIRED.
 */
MXTLS_EXTERN int mxtls_runtime_reload(mxtls_runtime *rt, mxtls_error *err);
/**
 * Reload automatically: a thread watches the directories of the files the
 * configuration was read from (surviving Kubernetes' ..data symlink swap and
 * editors' rename-over-write) and, if signo > 0, reloads on that signal too
 * (its handler is replaced until mxtls_runtime_free() restores the previous
 * one; one runtime per signal). Returns 0, or -1 with nothing left behind.
 * Programs whose language runtime owns signal handling (Python, Node, the
 * JVM) pass 0 and call mxtls_runtime_reload() from their own handler: a
 * handler installed here would be invisible to that runtime.
 */
MXTLS_EXTERN int mxtls_runtime_watch(mxtls_runtime *rt, int signo, mxtls_error *err);
/** Stop watching, drop the runtime's reference to its context. NULL-safe. */
MXTLS_EXTERN void mxtls_runtime_free(mxtls_runtime *rt);

/* ------------------------------------------------------------------ */
/* Explaining a failed handshake on mbedTLS                            */
/* ------------------------------------------------------------------ */

/** What mxtls_server_key_explain() found. */
typedef enum mxtls_server_key_verdict {
	MXTLS_SERVER_KEY_NOTHING = 0,     /* a key mbedTLS verifies, or nothing seen: no explanation */
	MXTLS_SERVER_KEY_UNSUPPORTED = 1, /* the server's key is one mbedTLS cannot verify; named */
	MXTLS_SERVER_KEY_HIDDEN = 2       /* the server speaks TLS 1.3 only: its key cannot be seen */
} mxtls_server_key_verdict;

/**
 * A server whose certificate key mbedTLS 3.6 cannot verify (Ed25519, Ed448,
 * RSASSA-PSS) aborts the handshake before the client sees that certificate:
 * mbedTLS only reports a fatal alert (-0x7780). Called after such a failure,
 * this connects to host:port again, sends one TLS 1.2 ClientHello offering
 * every signature scheme (no client certificate, no key exchange), reads the
 * server's certificate, and closes.
 *
 * Returns MXTLS_SERVER_KEY_UNSUPPORTED with message naming the key ("the
 * server's certificate has an Ed25519 key, which is not supported by mbedTLS
 * 3.6: ..."), MXTLS_SERVER_KEY_HIDDEN with a hedged explanation (worth
 * showing after a fatal alert), MXTLS_SERVER_KEY_NOTHING with what was seen
 * (for a verbose log), or -1 on a bad argument. message: printable ASCII
 * cut to size, made by the library; of the server's bytes only a CN made of
 * letters, digits and " *-._" is quoted. host: a name or an IP literal without
 * brackets; it is not a proxy-aware connection (do not call it for requests
 * that went through a proxy). Blocks for at most timeout_ms (at most 60 s;
 * the name lookup is not bounded). Thread-safe.
 */
MXTLS_EXTERN int mxtls_server_key_explain(const char *host, int port, long timeout_ms,
					  char *message, size_t size);

/* mbedTLS hand-off: for applications that drive mbedTLS themselves. */
struct mbedtls_ssl_config;
/**
 * The ready mbedTLS client configuration of identity i (0 = default; an
 * index past the last identity, or a context without identities, gives the
 * configuration without a client certificate). Pass it to mbedtls_ssl_setup()
 * and call mbedtls_ssl_set_hostname() on each connection (mbedTLS refuses a
 * verified handshake without a hostname). Session tickets are on: in TLS
 * 1.3, mbedtls_ssl_read() may return MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET,
 * which means "call again" (examples/mbedtls_client.c shows the loop).
 * Borrowed: valid while the context lives; do not modify it. The application must use the same mbedTLS
 * library as libmxtls (see mxtls_mbedtls_version()).
 */
MXTLS_EXTERN const struct mbedtls_ssl_config *mxtls_ctx_mbedtls_config(const mxtls_ctx *ctx,
									 size_t i);
/**
 * Apply identity i and the trust of the context to an application's own
 * mbedTLS client configuration (already set up with mbedtls_ssl_config_defaults):
 * CA chain, own certificate, verification required, TLS 1.2 floor, session
 * tickets, groups. It also removes any verify callback, so that nothing can
 * clear a verification failure. The configuration then points into the
 * context: keep a reference until every connection using it has ended.
 */
MXTLS_EXTERN int mxtls_ctx_apply_mbedtls(const mxtls_ctx *ctx, size_t i,
					 struct mbedtls_ssl_config *conf, mxtls_error *err);
/*
 * PEM export, for TLS stacks that take PEM (libcurl on OpenSSL or GnuTLS,
 * other runtimes). Each returns 0 and a new NUL-terminated buffer the caller
 * releases with mxtls_free_secret() (which wipes it), or -1 with err filled.
 */
/**
 * Leaf then chain certificates of identity i, and its private key as
 * unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY", RFC 5208/5958), for RSA and
 * EC keys alike: the form OpenSSL, GnuTLS, Java and Go all read.
 */
MXTLS_EXTERN int mxtls_ctx_export_identity_pem(const mxtls_ctx *ctx, size_t i, char **chain_pem,
					       size_t *chain_len, char **key_pem, size_t *key_len,
					       mxtls_error *err);
/** Every trusted authority of the context (system roots + added) as one PEM bundle. */
MXTLS_EXTERN int mxtls_ctx_export_trust_pem(const mxtls_ctx *ctx, char **pem, size_t *len,
					    mxtls_error *err);
/**
 * Only the authorities added to the system roots, as one PEM bundle ("" when
 * none): for TLS stacks that load the platform's roots themselves and add
 * these (a few KB instead of some 220 KB of roots to parse again).
 */
MXTLS_EXTERN int mxtls_ctx_export_added_trust_pem(const mxtls_ctx *ctx, char **pem, size_t *len,
						  mxtls_error *err);
/**
 * Wipe and free a buffer this library returned with its length: the PEM
 * exports, mxtls_pkcs12_writer_finish(), mxtls_key_pkcs8_der(). Each holds
 * one byte more than its length (a NUL), which is wiped too: never pass a
 * buffer of your own. NULL-safe.
 */
MXTLS_EXTERN void mxtls_free_secret(void *p, size_t len);

/** The mbedTLS version libmxtls runs on, e.g. "3.6.6". Static storage. */
MXTLS_EXTERN const char *mxtls_mbedtls_version(void);

/* ------------------------------------------------------------------ */
/* Writing PKCS#12 containers                                          */
/* ------------------------------------------------------------------ */

/**
 * A writer collects identities (private key + leaf + chain) and extra
 * certificates, then encrypts them into a new PKCS#12 container (RFC 7292,
 * DER, definite lengths) that mxtls_pkcs12_load_mem() and the usual tools
 * read. Keys are copied on add, held as PKCS#8, and wiped by
 * mxtls_pkcs12_writer_free().
 *
 * Thread safety: a writer is used by one thread at a time; different
 * writers may be used from different threads at once.
 */
typedef struct mxtls_pkcs12_writer mxtls_pkcs12_writer;

/** What the container is encrypted and authenticated with. */
typedef enum mxtls_pkcs12_profile {
	/*
	 * Default (0 selects it too). Keys in PKCS#8 shrouded key bags and
	 * certificates in EncryptedData, both PBES2 (PBKDF2-HMAC-SHA256,
	 * AES-256-CBC, 16-byte salt); HMAC-SHA256 MAC (PKCS#12 KDF, 16-byte
	 * salt). What OpenSSL 3 writes by default: OpenSSL >= 1.1.1, Java 8u301+
	 * and 11+, Windows 10 1709+, GnuTLS, NSS, Node.
	 */
	MXTLS_PKCS12_PROFILE_MODERN = 1,
	/*
	 * For old readers (Java 8 before 8u301, Windows before 10 1709, OpenSSL
	 * 1.0): pbeWithSHAAnd3-KeyTripleDES-CBC for keys and certificates,
	 * HMAC-SHA1 MAC, 8-byte salts as those readers' own writers made them.
	 */
	MXTLS_PKCS12_PROFILE_COMPAT = 2,
	/*
	 * MODERN encryption with an RFC 9579 PBMAC1 MAC (PBKDF2-HMAC-SHA256,
	 * HMAC-SHA256, keyLength 32), as OpenSSL 3.4+ writes with -pbmac1_pbkdf2.
	 * Readers without RFC 9579 (OpenSSL before 3.4, Java, GnuTLS, NSS as of
	 * 2025) cannot verify the MAC; some refuse the file.
	 */
	MXTLS_PKCS12_PROFILE_PBMAC1 = 3
} mxtls_pkcs12_profile;
#define MXTLS_PKCS12_PROFILE_MAX 3 /* the highest profile */
/** Iterations of every key derivation unless raised (OpenSSL 3's default); also the floor. */
#define MXTLS_PKCS12_DEFAULT_ITERATIONS 2048u

/**
 * A new, empty writer for a profile (mxtls_pkcs12_profile; 0 means
 * MXTLS_PKCS12_PROFILE_MODERN). Returns NULL with err filled (usage for an
 * unknown profile, nomem, internal if the random generator cannot be
 * seeded). Owned by the caller: release with mxtls_pkcs12_writer_free().
 */
MXTLS_EXTERN MXTLS_WARN_UNUSED mxtls_pkcs12_writer *mxtls_pkcs12_writer_new(int profile,
									  mxtls_error *err);
/**
 * Iterations of every key derivation of the container (each PBES2/PKCS#12
 * PBE key and the MAC): from MXTLS_PKCS12_DEFAULT_ITERATIONS (below it:
 * usage) to MXTLS_MAX_KDF_ITERATIONS (above it: limit_exceeded), the
 * loader's cap. mxtls_pkcs12_writer_finish() also refuses a container whose
 * derivations together exceed the loader's MXTLS_MAX_KDF_BUDGET
 * (limit_exceeded), so everything written here loads again. Returns 0 or -1.
 */
MXTLS_EXTERN int mxtls_pkcs12_writer_set_iterations(mxtls_pkcs12_writer *w, unsigned iterations,
						    mxtls_error *err);
/**
 * Add identity i of a loaded container: its key, leaf and chain (to
 * re-encrypt a legacy file under this writer's profile). friendly_name:
 * UTF-8 (at most 1024 bytes), or NULL to keep the identity's own (if any).
 * Returns 0 or -1 (usage for a bad index, an identity already added, or
 * invalid UTF-8; limit_exceeded past MXTLS_MAX_BAGS bags or
 * MXTLS_MAX_INPUT_BYTES of certificates, which the loader would refuse).
 * The container may be freed afterwards.
 */
MXTLS_EXTERN int mxtls_pkcs12_writer_add_identity(mxtls_pkcs12_writer *w, const mxtls_pkcs12 *p12,
						  size_t i, const char *friendly_name,
						  mxtls_error *err);
/**
 * Add an identity from DER: key_der is a private key as PKCS#8
 * PrivateKeyInfo, PKCS#1 RSAPrivateKey or SEC1 ECPrivateKey (unencrypted;
 * RSA 1024 to 8192 bits, or EC P-256/P-384/P-521, as the loader accepts);
 * cert_ders/cert_lens the leaf certificate first, then its chain (ncerts >=
 * 1). friendly_name: UTF-8 or NULL (no friendlyName attribute).
 * Returns 0, or -1 with err filled: key_mismatch when the leaf does not hold
 * the key's public key; corrupt for a key or certificate that does not
 * parse; unsupported_key for another key type or size; usage for NULL
 * arguments, a PEM key, invalid UTF-8 or an identity already added; limit_exceeded as
 * for mxtls_pkcs12_writer_add_identity(). Everything is copied; the copies of the key
 * are wiped on free, the caller may wipe key_der at once.
 */
MXTLS_EXTERN int mxtls_pkcs12_writer_add_key_der(mxtls_pkcs12_writer *w, const void *key_der,
						 size_t key_len, const void *const *cert_ders,
						 const size_t *cert_lens, size_t ncerts,
						 const char *friendly_name, mxtls_error *err);
/**
 * Add a certificate that belongs to no identity (an extra CA, say); it is
 * written without attributes. A certificate already in the writer is not
 * written twice. Returns 0 or -1 (corrupt if it does not parse).
 */
MXTLS_EXTERN int mxtls_pkcs12_writer_add_cert_der(mxtls_pkcs12_writer *w, const void *cert_der,
						  size_t cert_len, mxtls_error *err);
/**
 * Encrypt and encode the container under password (password_len UTF-8
 * bytes, no NUL needed; a NUL byte inside is refused as usage; NULL with 0
 * is the empty password, which the API allows). PBKDF2 takes the UTF-8
 * bytes, the PKCS#12 KDF their BMPString (RFC 7292 B.1), exactly as the
 * loader and OpenSSL 3 do. Fresh random salts and IVs on every call: the
 * writer may be finished again. At least one identity is needed (no_key).
 *
 * Returns 0 with *der (*der_len bytes, owned by the caller: release with
 * mxtls_free_secret(*der, *der_len)), or -1 with err filled and *der NULL.
 * Every intermediate buffer holding a key or the password is wiped.
 */
MXTLS_EXTERN int mxtls_pkcs12_writer_finish(mxtls_pkcs12_writer *w, const char *password,
					    size_t password_len, unsigned char **der,
					    size_t *der_len, mxtls_error *err);
/** Release a writer and wipe the keys it holds. NULL-safe. */
MXTLS_EXTERN void mxtls_pkcs12_writer_free(mxtls_pkcs12_writer *w);


/* ------------------------------------------------------------------ */
/* Reading certificates and keys users bring                          */
/* ------------------------------------------------------------------ */

/**
 * A bundle collects the certificates and private keys of the files a user
 * has (what a CA hands out, what `openssl` wrote), to build a PKCS#12
 * container from them with the writer above. Each add reads one input:
 *  - certificates: PEM ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED
 *    CERTIFICATE"; any number of blocks, text around them ignored) or one
 *    DER certificate;
 *  - PKCS#7 certificate bundles (.p7b/.p7c): PEM "PKCS7" or DER SignedData
 *    (certificates only; CRLs and signers are ignored);
 *  - private keys: PKCS#8 "PRIVATE KEY"; "ENCRYPTED PRIVATE KEY" under
 *    PBES2 (PBKDF2 + AES-CBC or DES-EDE3-CBC) or the PKCS#12 PBEs; PKCS#1
 *    "RSA PRIVATE KEY" and SEC1 "EC PRIVATE KEY", also with OpenSSL's
 *    legacy "Proc-Type: 4,ENCRYPTED" + "DEK-Info:" (AES-128/192/256-CBC,
 *    DES-EDE3-CBC); or the same keys as DER. RSA and EC (P-256, P-384,
 *    P-521) keys only.
 *  - Java keystores: JKS and JCEKS (see mxtls_bundle_add_keystore_mem()),
 *    recognised by their magic number.
 * Other PEM blocks (CRLs, requests, public keys) are skipped with a
 * warning. The same certificate given twice is kept once.
 *
 * Errors name the input and where in it: "key.pem, line 12: ..." (PEM) or
 * "chain.p7b, offset 1234: ..." (DER): corrupt, wrong_password (an
 * encrypted key the password does not open; the padding and the decrypted
 * key's structure tell it from damage), unsupported_algorithm (the
 * encryption's OID or cipher name), unsupported_key (the key algorithm's
 * OID: Ed25519, DSA...), limit_exceeded (size, KDF iterations as for
 * PKCS#12), empty (nothing usable in the input), usage (a PKCS#12 file:
 * load it with mxtls_pkcs12_load_file).
 *
 * Thread safety: a bundle is used by one thread at a time.
 */
typedef struct mxtls_bundle mxtls_bundle;
/** A private key read into a bundle (opaque; borrowed from the bundle). */
typedef struct mxtls_key mxtls_key;

/** Certificates of one chain, leaf included, that mxtls_bundle_chain() follows. */
#define MXTLS_MAX_CHAIN 16

/** A new, empty bundle, or NULL with err filled (nomem, internal). Free with mxtls_bundle_free(). */
MXTLS_EXTERN MXTLS_WARN_UNUSED mxtls_bundle *mxtls_bundle_new(mxtls_error *err);
/**
 * Add the certificates and keys of one input of len bytes (PEM or DER, see
 * above). name: how messages call it ("chain.pem"), or NULL for "memory".
 * password: password_len bytes of UTF-8 (no NUL needed; a NUL inside is
 * usage), used for encrypted keys only; NULL with 0 for none. Returns 0, or
 * -1 with err filled and the bundle as it was before the call. The input
 * and password are not kept; decrypted copies are wiped.
 */
MXTLS_EXTERN int mxtls_bundle_add_mem(mxtls_bundle *b, const void *data, size_t len,
				      const char *name, const char *password,
				      size_t password_len, mxtls_error *err);
/** As mxtls_bundle_add_mem(), reading the file at path (messages name it); the read copy is wiped. */
MXTLS_EXTERN int mxtls_bundle_add_file(mxtls_bundle *b, const char *path, const char *password,
				       size_t password_len, mxtls_error *err);
/**
 * Add the entries of a Java keystore of len bytes: JKS (magic 0xFEEDFEED)
 * or JCEKS (0xCECECECE), versions 1 and 2, as keytool writes them.
 * mxtls_bundle_add_mem() reads the same when it sees the magic, with its one
 * password as store and key password.
 *  - private-key entries: the key (RSA or EC; other key types are skipped
 *    with a skipped_entry warning) and its certificate chain.
 *    mxtls_key_alias() gives the entry's alias, mxtls_key_source()
 *    "store.jks, alias \"client\"", mxtls_key_form() the protection
 *    ("JKS, JDK key protector (SHA-1)", "JCEKS, PBEWithMD5AndTripleDES, N
 *    iterations");
 *  - trusted-certificate entries: their certificate;
 *  - secret-key entries (JCEKS): skipped with a skipped_entry warning naming
 *    the alias.
 * store_password: store_password_len bytes of UTF-8 (no NUL needed; a NUL
 * inside is usage), hashed as Java chars (UTF-16BE) for the store's
 * integrity check. With none (NULL or empty) the check is made with the
 * empty password and, if it fails, skipped with a no_mac warning, as Java
 * loads a store without a password. key_password: for the private keys;
 * NULL means the store password (keytool's default). The JDK key protector
 * takes the key password as UTF-16BE, PBEWithMD5AndTripleDES as its UTF-8
 * bytes (Java 21 and later; Java 17 and older accept printable ASCII only,
 * which is the same bytes).
 *
 * Returns 0, or -1 with err filled and the bundle as it was before the
 * call: corrupt ("offset N: ..."), wrong_password (the integrity check
 * fails with a store password given; or a key's check or padding fails, the
 * message naming its alias), unsupported_algorithm (a key protection other
 * than the JDK key protector 1.3.6.1.4.1.42.2.17.1.1 and, in JCEKS,
 * PBEWithMD5AndTripleDES 1.3.6.1.4.1.42.2.19.1, named by its OID; a
 * certificate type other than X.509), limit_exceeded (entries, alias,
 * chain or certificate sizes; KDF iterations and budget as for PKCS#12),
 * empty (no certificate or usable key). The input and passwords are not
 * kept; decrypted keys are wiped. Thread safety: as every bundle call.
 */
MXTLS_EXTERN int mxtls_bundle_add_keystore_mem(mxtls_bundle *b, const void *data, size_t len,
					       const char *name, const char *store_password,
					       size_t store_password_len,
					       const char *key_password, size_t key_password_len,
					       mxtls_error *err);
/** As mxtls_bundle_add_keystore_mem(), reading the file at path (messages name it). */
MXTLS_EXTERN int mxtls_bundle_add_keystore_file(mxtls_bundle *b, const char *path,
						const char *store_password,
						size_t store_password_len,
						const char *key_password, size_t key_password_len,
						mxtls_error *err);
/** Release a bundle and wipe its keys. NULL-safe. */
MXTLS_EXTERN void mxtls_bundle_free(mxtls_bundle *b);
/** Distinct certificates, in the order read. Borrowed; NULL if out of range. */
MXTLS_EXTERN size_t mxtls_bundle_cert_count(const mxtls_bundle *b);
MXTLS_EXTERN const mxtls_cert *mxtls_bundle_cert(const mxtls_bundle *b, size_t i);
/** Private keys, in the order read. Borrowed; NULL if out of range. */
MXTLS_EXTERN size_t mxtls_bundle_key_count(const mxtls_bundle *b);
MXTLS_EXTERN const mxtls_key *mxtls_bundle_key(const mxtls_bundle *b, size_t i);
/** Warnings (skipped_entry for blocks and entries that are neither certificates nor usable keys,
 *  no_mac for a keystore read without its integrity check). Borrowed text. */
MXTLS_EXTERN size_t mxtls_bundle_warning_count(const mxtls_bundle *b);
MXTLS_EXTERN int mxtls_bundle_warning_kind(const mxtls_bundle *b, size_t i);
MXTLS_EXTERN const char *mxtls_bundle_warning(const mxtls_bundle *b, size_t i);
/** Key type (an mxtls_key_type value), size in bits, curve ("P-256"...; NULL for RSA). */
MXTLS_EXTERN int mxtls_key_kind(const mxtls_key *k);
MXTLS_EXTERN size_t mxtls_key_bits(const mxtls_key *k);
MXTLS_EXTERN const char *mxtls_key_curve(const mxtls_key *k);
/** How the key was stored ("PKCS#1, legacy PEM encryption AES-256-CBC", "encrypted PKCS#8 (PBES2 ...)"). Borrowed. */
MXTLS_EXTERN const char *mxtls_key_form(const mxtls_key *k);
/** Where it was read ("key.pem, line 1"). Borrowed. */
MXTLS_EXTERN const char *mxtls_key_source(const mxtls_key *k);
/** The alias of the keystore entry it came from (UTF-8), or NULL for other inputs. Borrowed. */
MXTLS_EXTERN const char *mxtls_key_alias(const mxtls_key *k);
/** 1 if the certificate holds the key's public key, else 0. */
MXTLS_EXTERN int mxtls_key_matches_cert(const mxtls_key *k, const mxtls_cert *c);
/**
 * The key as unencrypted PKCS#8 PrivateKeyInfo DER: 0 with *der (*len
 * bytes; release with mxtls_free_secret(*der, *len)), or -1 with err filled.
 */
MXTLS_EXTERN int mxtls_key_pkcs8_der(const mxtls_key *k, unsigned char **der, size_t *len,
				     mxtls_error *err);
/**
 * The chain of key key_index: the certificate holding its public key (found
 * by the key, never by order), then its issuers, each checked by name and
 * signature, leaf to root, into certs[0..*n) (borrowed; at most max, and
 * MXTLS_MAX_CHAIN). Returns 1 if the chain ends in a self-signed
 * certificate, 0 if it stops short (the issuer of certs[*n-1] is not in the
 * bundle), or -1 with err filled: key_mismatch when no certificate holds the
 * key, no_certificate when the bundle has none, usage for a bad index.
 */
MXTLS_EXTERN int mxtls_bundle_chain(const mxtls_bundle *b, size_t key_index,
				    const mxtls_cert **certs, size_t max, size_t *n,
				    mxtls_error *err);
/**
 * Add key key_index with its chain (as mxtls_bundle_chain() finds it) to a
 * writer, as mxtls_pkcs12_writer_add_key_der() does. friendly_name: UTF-8
 * or NULL. Returns 0, or -1 with err filled. The bundle may be freed after.
 */
MXTLS_EXTERN int mxtls_bundle_add_to_writer(const mxtls_bundle *b, size_t key_index,
					    mxtls_pkcs12_writer *w, const char *friendly_name,
					    mxtls_error *err);

#ifdef __cplusplus
}
#endif

#endif /* MXTLS_MXTLS_H */
