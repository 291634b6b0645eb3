/* Shared pieces of the mxtls command-line tool. */
#ifndef MXTLS_CLI_H
#define MXTLS_CLI_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <jansson.h>

/* Exit codes (documented in `mxtls help` and man/mxtls.1): every command uses 0, 1 and 2. */
#define EXIT_BAD_INPUT 1
#define EXIT_USAGE 2

/* Password from --password-file / --password-env / --password; NULL = none given. */
struct cli_password {
	char *value;
	int given;
};

/* Parse one password option at argv[*i]; 1 if consumed, 0 if not a password option, -1 on error. */
int cli_password_option(const char *cmd, int argc, char **argv, int *i, struct cli_password *pw);
void cli_password_free(struct cli_password *pw);

int cmd_inspect(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_pack(int argc, char **argv);

/* inspect's report of a loaded container (mxtls_inspect.c), which pack prints too. */
struct mxtls_pkcs12;
json_t *cli_p12_report_json(const struct mxtls_pkcs12 *p, const char *file);
void cli_p12_report_text(const struct mxtls_pkcs12 *p, const char *file);

/* --- help (mxtls_help.c): one table of commands and options, for usage, help and the man page --- */
int cli_is_help(const char *arg); /* -h or --help */
/* Full help of cmd (NULL: the overview) on stdout; 0, or 2 for an unknown command. */
int cli_help(const char *cmd);
int cli_help_to(const char *cmd, FILE *f);
/* The synopsis of cmd (NULL: every command) on f. */
void cli_synopsis(const char *cmd, FILE *f);
/* A usage error: in text, the message, the synopsis and a hint to `mxtls help CMD` on stderr;
 * with --json, one JSON object with the code "usage". Returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_print_version(void);

/* --- output (mxtls_out.c): text on stderr, or one JSON object on stdout --- */
void cli_set_json(int on);
int cli_json(void);
/* argv holds "--json" anywhere: known before any other option is looked at. */
int cli_wants_json(int argc, char **argv);
/* A JSON string of s; bytes that are not UTF-8 become '?'. */
json_t *cli_json_text(const char *s);
/* Print one object: {"code", "message"} and the members of data (taken; may be NULL); on
 * failure (code not "ok") also {"error": {"code", "message"}} as inspect always wrote. */
void cli_json_print(const char *code, const char *message, json_t *data);
/* t (seconds since the epoch) as a UTC date, with the time if with_time; the number if it cannot. */
void cli_utc(int64_t t, int with_time, char *buf, size_t size);
/* n bytes as lowercase hex into out (2n + 1 bytes). */
void cli_hex(const uint8_t *p, size_t n, char *out);
/* A failure: "mxtls CMD: message (code)" on stderr, or the JSON object; returns exit_code. */
int cli_fail(const char *cmd, int exit_code, const char *code, json_t *data, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* --- what a file is (mxtls_sniff.c), to name a file of the wrong kind --- */
enum cli_kind {
	CLI_KIND_UNKNOWN = 0,
	CLI_KIND_EMPTY,
	CLI_KIND_PKCS12,
	CLI_KIND_X509_DER,
	CLI_KIND_CSR_DER,
	CLI_KIND_PKCS8_DER,
	CLI_KIND_PKCS8_ENC_DER,
	CLI_KIND_RSA_KEY_DER,
	CLI_KIND_EC_KEY_DER,
	CLI_KIND_PKCS7_DER,
	CLI_KIND_PEM_CERT,
	CLI_KIND_PEM_KEY,
	CLI_KIND_PEM_RSA_KEY,
	CLI_KIND_PEM_EC_KEY,
	CLI_KIND_PEM_ENC_KEY,
	CLI_KIND_PEM_CSR,
	CLI_KIND_PEM_PKCS7,
	CLI_KIND_PEM_OTHER,
	CLI_KIND_BASE64_PKCS12,
	CLI_KIND_JSON,
	CLI_KIND_TEXT,
	CLI_KIND_JKS,
	CLI_KIND_JCEKS
};
/* The kind of the file's first bytes (CLI_KIND_UNKNOWN if unreadable or unrecognised). */
enum cli_kind cli_sniff_file(const char *path);
enum cli_kind cli_sniff_mem(const uint8_t *p, size_t n);
/* "an X.509 certificate (DER)", ... and a stable id for JSON ("x509-der"). */
const char *cli_kind_text(enum cli_kind k);
const char *cli_kind_id(enum cli_kind k);
/* What to use this kind for, as a hint ("use --authorities"), or NULL. */
const char *cli_kind_hint(enum cli_kind k, const char *wanted);

/* --- inspect on certificates, .p7b and keys (mxtls_inspect_file.c) --- */
/* 1 for the kinds the readers take (certificates, PKCS#7, keys; PEM or DER; Java keystores). */
int cli_kind_readable(enum cli_kind k);
/* Inspect such a file (password for an encrypted key or a keystore, or NULL); returns the exit code. */
int cli_inspect_other(const char *file, enum cli_kind kind, const char *password);

/* --- algorithm names (mxtls_oids.c) --- */
/* The name of a dotted OID ("md5" for "1.2.840.113549.2.5"), or NULL. */
const char *cli_oid_name(const char *dotted);
/* s with every known dotted OID written "name (oid)", into out (cut to size). */
void cli_oid_annotate(const char *s, char *out, size_t size);
/* The algorithms a library description names ("HMAC-SHA256 (PKCS#12 KDF, ...)"), as
 * "name (oid)" text joined by ", " (text) and as [{"name", "oid"}] (json); mac: the MAC line. */
void cli_algorithms_text(const char *desc, int mac, char *out, size_t size);
json_t *cli_algorithms_json(const char *desc, int mac);

#endif
