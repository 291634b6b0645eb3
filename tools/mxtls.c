/* mxtls: command-line front end of libmxtls. Dispatches subcommands; reads passwords safely. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtls/mxtls.h"
#include "mxtls_cli.h"

int cli_password_option(const char *cmd, int argc, char **argv, int *i, struct cli_password *pw)
{
	const char *opt = argv[*i], *val;

	if (strcmp(opt, "--password-file") != 0 && strcmp(opt, "--password-env") != 0 &&
	    strcmp(opt, "--password") != 0)
		return 0;
	if (*i + 1 >= argc) {
		cli_usage_error(cmd, "%s needs a value", opt);
		return -1;
	}
	if (pw->given) {
		cli_usage_error(cmd, "give only one password option");
		return -1;
	}
	val = argv[++*i];
	if (strcmp(opt, "--password-file") == 0) {
		/* The runtime's rule for MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE, so one file gives one password. */
		mxtls_error err;
		pw->value = mxtls_password_read_file(val, &err);
		if (pw->value == NULL) {
			/* The file's own code (io, limit_exceeded, ...); the exit status stays "usage". */
			cli_fail(cmd, EXIT_USAGE, mxtls_error_name(err.code), NULL, "password file %s%s",
				 err.message,
				 strstr(err.message, "FIFO") ? "; a password from a pipe goes through "
							       "--password-env"
							     : "");
			return -1;
		}
	} else if (strcmp(opt, "--password-env") == 0) {
		const char *v = getenv(val);
		if (v == NULL) {
			cli_usage_error(cmd, "--password-env: environment variable %s is not set", val);
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
	const char *cmd = argc >= 2 ? argv[1] : NULL;

	if (cmd == NULL) {
		cli_synopsis(NULL, stderr);
		fprintf(stderr, "Run 'mxtls help' for the commands, 'mxtls help COMMAND' for its options.\n");
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "inspect") == 0)
		return cmd_inspect(argc - 1, argv + 1);
	if (strcmp(cmd, "get") == 0)
		return cmd_get(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "pack") == 0)
		return cmd_pack(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		if (argc > 2)
			return cli_usage_error("version", "takes no argument");
		cli_print_version();
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || cli_is_help(cmd)) {
		if (argc > 3)
			return cli_usage_error("help", "one COMMAND at most");
		/* `mxtls help --help` is the overview too. */
		return cli_help(argc == 3 && !cli_is_help(argv[2]) ? argv[2] : NULL);
	}
	fprintf(stderr, "mxtls: unknown command '%s'\n", cmd);
	fprintf(stderr, "Run 'mxtls help' for the commands (inspect, get, check, pack, version, help).\n");
	return EXIT_USAGE;
}
