/* mxtls: command-line front end of libmxtls. Dispatches subcommands; reads passwords safely. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

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

/*
 * The password file as the runtime reads MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE:
 * the whole file less one trailing newline (\n or \r\n), so that one file
 * gives the same password everywhere. Only a regular file: a directory would
 * read as "no password", and a FIFO nobody writes to would wait forever
 * (--password-env takes a password from a pipe).
 */
static char *read_password_file(const char *path)
{
	char buf[MXTLS_MAX_PASSWORD_BYTES + 3];
	size_t n = 0;
	ssize_t r;
	struct stat sb;
	char *out;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		fprintf(stderr, "mxtls: %s: cannot open password file: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fprintf(stderr, "mxtls: %s: the password file is %s\n", path,
			S_ISDIR(sb.st_mode)    ? "a directory"
			: S_ISFIFO(sb.st_mode) ? "a FIFO, not a regular file (use --password-env)"
					       : "not a regular file");
		close(fd);
		return NULL;
	}
	while (n < sizeof(buf) - 1 && ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0 ||
				       (r < 0 && errno == EINTR)))
		n += r > 0 ? (size_t)r : 0;
	close(fd);
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	if (n > MXTLS_MAX_PASSWORD_BYTES) {
		mbedtls_platform_zeroize(buf, sizeof(buf));
		fprintf(stderr, "mxtls: %s: the password file holds more than %u bytes\n", path,
			MXTLS_MAX_PASSWORD_BYTES);
		return NULL;
	}
	out = strdup(buf);
	mbedtls_platform_zeroize(buf, sizeof(buf));
	return out;
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
		pw->value = read_password_file(val);
		if (pw->value == NULL)
			return -1;
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
	if (pw->value) {
		mbedtls_platform_zeroize(pw->value, strlen(pw->value));
		free(pw->value);
	}
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
