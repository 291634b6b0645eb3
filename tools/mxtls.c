/* mxtls: command-line front end of libmxtls. Dispatches subcommands; reads passwords safely. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtls/mxtls.h"
#include "mxtls_cli.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: mxtls inspect [--password-file F | --password-env VAR | --password PW]\n"
		   "                     [--json] [--require-mac] FILE\n"
		   "       mxtls get [--identity FILE [password option]] [--authorities FILE]...\n"
		   "                 [--no-system-roots] [--as IDENTIFIER] [-v] URL\n"
		   "       mxtls check\n"
		   "       mxtls version\n");
}

int cli_password_option(int argc, char **argv, int *i, struct cli_password *pw)
{
	const char *opt = argv[*i], *val;

	if (strcmp(opt, "--password-file") != 0 && strcmp(opt, "--password-env") != 0 &&
	    strcmp(opt, "--password") != 0)
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "mxtls: %s needs a value\n", opt);
		return -1;
	}
	if (pw->given) {
		fprintf(stderr, "mxtls: give only one password option\n");
		return -1;
	}
	val = argv[++*i];
	if (strcmp(opt, "--password-file") == 0) {
		/* The runtime's rule for MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE, so one file gives one password. */
		mxtls_error err;
		pw->value = mxtls_password_read_file(val, &err);
		if (pw->value == NULL) {
			fprintf(stderr, "mxtls: password file %s (%s)%s\n", err.message,
				mxtls_error_name(err.code),
				strstr(err.message, "FIFO") ? "; a password from a pipe goes through "
							      "--password-env"
							    : "");
			return -1;
		}
	} else if (strcmp(opt, "--password-env") == 0) {
		const char *v = getenv(val);
		if (v == NULL) {
			fprintf(stderr, "mxtls: environment variable %s is not set\n", val);
			return -1;
		}
		pw->value = strdup(v);
	} else {
		pw->value = strdup(val);
	}
	if (pw->value == NULL)
		return -1;
	pw->given = 1;
	return 1;
}

void cli_password_free(struct cli_password *pw)
{
	mxtls_password_free(pw->value); /* wipes; takes strdup()ed values as well */
	pw->value = NULL;
	pw->given = 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "inspect") == 0)
		return cmd_inspect(argc - 1, argv + 1);
	if (strcmp(argv[1], "get") == 0)
		return cmd_get(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("mxtls %s\n", mxtls_version());
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "mxtls: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
