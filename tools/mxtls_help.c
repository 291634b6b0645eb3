/*
 * Usage and help of the mxtls tool: one table of commands and their options,
 * from which the synopses, `mxtls help CMD` and `mxtls CMD --help` are all
 * printed, so that they cannot disagree. tests/tools/test_cli.py checks that
 * every option a parser accepts is in this table, and the reverse.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "mxtls/mxtls.h"
#include "mxtls/mxtls_curl.h"
#include "mxtls_cli.h"

struct opt {
	const char *name, *alias, *arg, *text;
};

struct cmd {
	const char *name, *operand, *summary;
	const struct opt *opts;
	const char *exits, *notes, *examples;
};

#define PASSWORD_OPTS                                                                            \
	{"--password-file", NULL, "FILE",                                                        \
	 "the password: the file, less one trailing line end"},         \
	    {"--password-env", NULL, "VAR", "the password from environment variable VAR"},       \
	    {"--password", NULL, "PW", "the password itself (others see it in ps)"}

static const struct opt inspect_opts[] = {
	PASSWORD_OPTS,
	{"--json", NULL, NULL, "one JSON object on stdout, whatever happens"},
	{"--require-mac", NULL, NULL, "a container without a MAC is an error (no_mac)"},
	{"--help", "-h", NULL, "this help"},
	{NULL, NULL, NULL, NULL}};

static const struct opt get_opts[] = {
	{"--identity", NULL, "FILE", "the client certificate: a PKCS#12 (.p12) file"},
	PASSWORD_OPTS,
	{"--authorities", NULL, "FILE", "also trust the CAs of this PEM file (repeatable)"},
	{"--no-system-roots", NULL, NULL, "trust only --authorities, not the system roots"},
	{"--as", NULL, "IDENTIFIER", "select the identity pinned to IDENTIFIER"},
	{"--location", "-L", NULL, "follow redirects (https only, at most 10)"},
	{"--verbose", "-v", NULL, "TLS version, identity, server chain on stderr"},
	{"--connect-timeout", NULL, "SECONDS", "TCP connect and TLS handshake (default 30)"},
	{"--max-time", NULL, "SECONDS", "the whole request (default none)"},
	{"--help", "-h", NULL, "this help"},
	{NULL, NULL, NULL, NULL}};

static const struct opt check_opts[] = {
	{"--json", NULL, NULL, "one JSON object on stdout, whatever happens"},
	{"--help", "-h", NULL, "this help"},
	{NULL, NULL, NULL, NULL}};

static const struct opt pack_opts[] = {
	{"--cert", NULL, "FILE", "certificates: PEM, DER or .p7b (repeatable; the leaf is found by its key)"},
	{"--key", NULL, "FILE", "the private key: PKCS#8, encrypted PKCS#8, PKCS#1, SEC1, PEM or DER"},
	{"--chain", NULL, "FILE", "more intermediates/roots to complete the chain (repeatable)"},
	{"--authorities", NULL, "FILE", "a CA bundle to complete the chain from (only what is needed)"},
	{"--from", NULL, "FILE", "re-encrypt this PKCS#12 (.p12/.pfx), or a key of this Java keystore (.jks/.jceks)"},
	{"--alias", NULL, "NAME", "the friendlyName of the identity; with a keystore, the key entry to take"},
	{"--profile", NULL, "PROFILE", "modern (default), compat (old Java/Windows) or pbmac1"},
	{"--password-file", NULL, "FILE", "the output password: the file, less one trailing line end"},
	{"--password-env", NULL, "VAR", "the output password from environment variable VAR"},
	{"--in-password-file", NULL, "FILE", "the password of an encrypted key or of --from (a keystore's store password)"},
	{"--in-password-env", NULL, "VAR", "the same, from environment variable VAR"},
	{"--in-key-password-file", NULL, "FILE", "a keystore's key password (default: its store password)"},
	{"--in-key-password-env", NULL, "VAR", "the same, from environment variable VAR"},
	{"--allow-empty-password", NULL, NULL, "accept an empty output password"},
	{"--output", "-o", "FILE", "the container to write (atomically, mode 0600)"},
	{"--json", NULL, NULL, "one JSON object on stdout, whatever happens"},
	{"--help", "-h", NULL, "this help"},
	{NULL, NULL, NULL, NULL}};

static const struct opt no_opts[] = {{NULL, NULL, NULL, NULL}};

static const struct cmd cmds[] = {
	{"inspect", "FILE", "show what a PKCS#12 (.p12/.pfx) container holds", inspect_opts,
	 "0 loaded, 1 the file cannot be used (the code says why), 2 usage",
	 "Without a password option no password is used. With --json the object has\n"
	 "\"code\" (\"ok\", \"wrong_password\", \"io\", \"corrupt\", ..., \"usage\") and\n"
	 "\"message\" on every outcome. A certificate (PEM or DER), a .p7b, a private\n"
	 "key (never printed; the password option opens an encrypted one) or a Java\n"
	 "keystore (.jks/.jceks; the password opens the store and its keys) is read\n"
	 "too, with \"file_kind\"; a file of another kind (a request, base64, JSON) is\n"
	 "named as what it is. Algorithms are named with their OIDs.",
	 "mxtls inspect --password-file pw.txt client.p12\n"
	 "mxtls inspect --json --password-env P12_PASSWORD client.p12"},
	{"get", "URL", "one HTTPS GET through libcurl, with a libmxtls identity and trust", get_opts,
	 "0 2xx, 1 bad input (identity or authorities), 2 usage, 3 TLS verification or\n"
	 "handshake failure or a refused redirect (not_pinned), 4 other transfer error,\n"
	 "5 non-2xx HTTP status, 6 timeout",
	 "The body goes to stdout. Without --identity, --authorities, --no-system-roots\n"
	 "or a password option, the environment is used as an app runtime would (see\n"
	 "`mxtls help check`). SECONDS: 2, 0.5, ... from 0.001 to 86400. After a failed\n"
	 "verification, mxtls get connects once more (no client certificate, no\n"
	 "request, verification off) to read the server's certificate and say what is\n"
	 "wrong.",
	 "mxtls get --identity client.p12 --password-file pw.txt --authorities ca.pem \\\n"
	 "    https://api.example.com/\n"
	 "CLIENT_CERTIFICATES=\"$(cat certs.json)\" mxtls get -L https://api.example.com/"},
	{"check", NULL, "validate the platform environment exactly as start-up would", check_opts,
	 "0 valid, 1 start-up would fail (the code says why: config, io, expired,\n"
	 "...), 2 usage",
	 "Reads CLIENT_CERTIFICATES, CERTIFICATE_AUTHORITIES,\n"
	 "CERTIFICATE_AUTHORITIES_BASE64, MXTLS_CLIENT_CERTIFICATES_FILE,\n"
	 "MXTLS_CLIENT_CERTIFICATE_FILE, MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE,\n"
	 "MXTLS_CLIENT_CERTIFICATE_PIN_TO, MXTLS_CERTIFICATE_AUTHORITIES_FILE,\n"
	 "MXTLS_SYSTEM_ROOTS and MXTLS_EXPIRY_WARNING_DAYS (see man mxtls).",
	 "MXTLS_CLIENT_CERTIFICATE_FILE=client.p12 \\\n"
	 "    MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=pw.txt mxtls check\n"
	 "mxtls check --json"},
	{"pack", NULL,
	 "a PKCS#12 container from a certificate and its key, a Java keystore or a legacy .p12",
	 pack_opts,
	 "0 written, 1 bad input (the code says why: key_mismatch, wrong_password,\n"
	 "corrupt, ...), 2 usage (an empty password without --allow-empty-password;\n"
	 "a keystore of several keys without --alias)",
	 "The leaf is the certificate holding the key's public key, whatever the\n"
	 "order; a key that no certificate holds is key_mismatch. The chain is ordered\n"
	 "leaf to root by name and signature; if it does not reach a self-signed root a\n"
	 "warning says which issuer is missing. --from a JKS or JCEKS keystore takes\n"
	 "the key entry --alias names (or the only one; its alias becomes the\n"
	 "friendlyName), with the chain stored with it, completed from the store's\n"
	 "other entries, --chain and --authorities. The container is read back with the\n"
	 "same password and must give the same leaf and chain before it is written\n"
	 "(a temporary file beside OUT, mode 0600, fsync, rename). The report and\n"
	 "--json are those of `mxtls inspect`, with \"profile\" and pack's warnings.\n"
	 "Passwords are never echoed.",
	 "mxtls pack --cert client.pem --key client.key --chain ca-chain.p7b \\\n"
	 "    --password-file pw.txt -o client.p12\n"
	 "mxtls pack --from legacy.pfx --in-password-env OLD --password-env NEW -o new.p12\n"
	 "mxtls pack --from store.jks --alias client --in-password-env STOREPASS \\\n"
	 "    --in-key-password-env KEYPASS --password-env NEW -o client.p12"},
	{"version", NULL, "the versions of mxtls, libmxtls, mbedTLS and libcurl (also --version)",
	 no_opts, "0", NULL, "mxtls version"},
	{"help", "[COMMAND]", "this overview, or the full help of COMMAND (also COMMAND --help)",
	 no_opts, "0, 2 for an unknown command", NULL, "mxtls help get"},
};

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

int cli_is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* "[--identity FILE]" words, wrapped under "usage: mxtls get ". */
static void synopsis(const struct cmd *c, FILE *f, const char *lead)
{
	size_t col, indent = strlen(lead) + strlen(c->name) + 7; /* "mxtls " + ' ' */
	const struct opt *o;
	char word[96];

	col = (size_t)fprintf(f, "%smxtls %s", lead, c->name);
	for (o = c->opts; o->name; o++) {
		if (strcmp(o->name, "--help") == 0)
			continue;
		if (o->alias)
			snprintf(word, sizeof(word), " [%s|%s%s%s]", o->alias, o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		else
			snprintf(word, sizeof(word), " [%s%s%s]", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		if (col + strlen(word) > 78) {
			fprintf(f, "\n%*s", (int)indent - 1, "");
			col = indent - 1;
		}
		col += (size_t)fprintf(f, "%s", word);
	}
	if (c->operand)
		fprintf(f, " %s", c->operand);
	fputc('\n', f);
}

void cli_synopsis(const char *cmd, FILE *f)
{
	const struct cmd *c = find_cmd(cmd);
	size_t i;

	if (c) {
		synopsis(c, f, "usage: ");
		return;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		synopsis(&cmds[i], f, i == 0 ? "usage: " : "       ");
	fprintf(f, "       mxtls --version | mxtls --help\n");
}

static void print_block(FILE *f, const char *title, const char *text)
{
	const char *p = text, *nl;

	if (text == NULL)
		return;
	fprintf(f, "\n%s:\n", title);
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		fprintf(f, "  %.*s\n", (int)(nl - p), p);
		if (*nl == '\0')
			break;
	}
}

int cli_help_to(const char *cmd, FILE *f)
{
	const struct cmd *c = find_cmd(cmd);
	const struct opt *o;
	char left[64];
	size_t i;

	if (cmd == NULL) {
		fprintf(f, "mxtls: client certificates (PKCS#12) and private CAs for TLS clients\n\n");
		cli_synopsis(NULL, f);
		fprintf(f, "\nCommands:\n");
		for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
			fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
		fprintf(f, "\n`mxtls help COMMAND` or `mxtls COMMAND --help` lists a command's options;\n"
		       "`man mxtls` has the whole story.\n");
		return 0;
	}
	if (c == NULL) {
		fprintf(stderr, "mxtls help: unknown command '%s'\n", cmd);
		fprintf(stderr, "Run 'mxtls help' for the commands.\n");
		return EXIT_USAGE;
	}
	synopsis(c, f, "usage: ");
	fprintf(f, "%c%s.\n", toupper((unsigned char)c->summary[0]), c->summary + 1);
	if (c->opts[0].name) {
		fprintf(f, "\nOptions:\n");
		for (o = c->opts; o->name; o++) {
			snprintf(left, sizeof(left), "%s%s%s%s%s", o->alias ? o->alias : "",
				 o->alias ? ", " : "", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
			if (strlen(left) > 26) /* a long option: its text on the next line */
				fprintf(f, "  %s\n  %-26s %s\n", left, "", o->text);
			else
				fprintf(f, "  %-26s %s\n", left, o->text);
		}
	}
	print_block(f, "Notes", c->notes);
	print_block(f, "Exit status", c->exits);
	print_block(f, "Examples", c->examples);
	return 0;
}

int cli_help(const char *cmd)
{
	return cli_help_to(cmd, stdout);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli_json()) {
		char full[640];
		snprintf(full, sizeof(full), "%s; run 'mxtls help %s' for the options", msg,
			 cmd ? cmd : "");
		cli_json_print("usage", full, NULL);
		return EXIT_USAGE;
	}
	fprintf(stderr, "mxtls%s%s: %s\n", cmd ? " " : "", cmd ? cmd : "", msg);
	cli_synopsis(cmd, stderr);
	fprintf(stderr, "Run 'mxtls help%s%s' for the options.\n", cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
}

void cli_print_version(void)
{
	/* The tool's own version, then what it runs with (libraries can be swapped under it). */
	printf("mxtls %s\n", MXTLS_VERSION_STRING);
	printf("libmxtls %s (ABI %d)\n", mxtls_version(), mxtls_abi_version());
	printf("mbedTLS %s\n", mxtls_mbedtls_version());
	printf("curl hand-off: %s\n", mxtls_curl_mode_name());
}
