/* Shared pieces of the mxtls command-line tool. */
#ifndef MXTLS_CLI_H
#define MXTLS_CLI_H

#define EXIT_BAD_INPUT 1
#define EXIT_USAGE 2

/* Password from --password-file / --password-env / --password; NULL = none given. */
struct cli_password {
	char *value;
	int given;
};

/* Parse one password option at argv[*i]; 1 if consumed, 0 if not a password option, -1 on error. */
int cli_password_option(int argc, char **argv, int *i, struct cli_password *pw);
void cli_password_free(struct cli_password *pw);

int cmd_inspect(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_check(int argc, char **argv);

#endif
