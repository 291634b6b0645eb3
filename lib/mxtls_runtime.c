/*
 * The runtime: the current context built from the environment, swapped
 * atomically on reload; expiry reports; and a watcher thread that reloads
 * when mounted files change or a chosen signal arrives.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "mxtls_ctx_int.h"
#include "mxtls_events.h"
#include "mxtls_util.h"

#define DAY 86400
#define DEBOUNCE_MS 150 /* editors and Kubernetes make several changes in a burst */

struct mxtls_runtime {
	pthread_mutex_t lock; /* guards ctx, generation, digest */
	mxtls_ctx *ctx;
	uint64_t generation;
	uint8_t digest[32];
	char **envp; /* snapshot, or NULL for the live environment */
	struct mx_events events;
	int64_t window;
	pthread_mutex_t reload_lock; /* one reload at a time */
	/* watcher */
	pthread_t thread;
	int watching;
	int inotify_fd;
	int wake[2];
	int signo;
	struct sigaction old_action; /* restored by mxtls_runtime_free */
};

const char *mxtls_event_name(int kind)
{
	static const char *const names[] = {
		[MXTLS_EVENT_LOADED] = "loaded",       [MXTLS_EVENT_RELOADED] = "reloaded",
		[MXTLS_EVENT_RELOAD_FAILED] = "reload_failed",
		[MXTLS_EVENT_UNCHANGED] = "unchanged", [MXTLS_EVENT_EXPIRING] = "expiring",
		[MXTLS_EVENT_EXPIRED] = "expired",     [MXTLS_EVENT_WARNING] = "warning",
	};
	if (kind <= 0 || (size_t)kind >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[kind];
}

static void emit(mxtls_runtime *rt, int kind, const char *fmt, ...) MX_PRINTF(3, 4);
static void emit(mxtls_runtime *rt, int kind, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Recorded only: handed out once the locks are released (mx_events_deliver). */
	mx_events_add(&rt->events, kind, msg);
}

static int64_t crt_not_after(const mbedtls_x509_crt *c)
{
	mxtls_cert view = {.crt = (mbedtls_x509_crt *)(uintptr_t)c};
	return mxtls_cert_not_after(&view);
}

static int64_t crt_not_before(const mbedtls_x509_crt *c)
{
	mxtls_cert view = {.crt = (mbedtls_x509_crt *)(uintptr_t)c};
	return mxtls_cert_not_before(&view);
}

/*
 * Report what expires. Returns the number of identity certificates (leaf or
 * chain) that servers would refuse now: expired, or not valid for more than
 * MXTLS_CLOCK_SKEW_SECONDS yet. Start-up and reload both refuse those, and
 * the first one's description goes to err.
 */
static int check_validity(mxtls_runtime *rt, const mxtls_ctx *ctx, mxtls_error *err)
{
	const mbedtls_x509_crt *c;
	int64_t now = (int64_t)time(NULL), end, start;
	char name[256], why[400];
	size_t i, k;
	int unusable = 0;

	for (i = 0; i < ctx->nids; i++) {
		for (c = &ctx->ids[i].chain, k = 0; c && c->raw.len; c = c->next, k++) {
			end = crt_not_after(c);
			start = crt_not_before(c);
			mx_crt_name(c, name, sizeof(name));
			why[0] = '\0'; /* set if servers would refuse this certificate now */
			if (end <= now)
				snprintf(why, sizeof(why), "identity %zu: %s \"%s\" expired %lld days ago", i,
					 k ? "chain certificate" : "certificate", name,
					 (long long)((now - end) / DAY));
			else if (start > now + MXTLS_CLOCK_SKEW_SECONDS)
				snprintf(why, sizeof(why),
					 "identity %zu: %s \"%s\" is not valid for another %lld minutes "
					 "(is this machine's clock right?)",
					 i, k ? "chain certificate" : "certificate", name,
					 (long long)((start - now + 59) / 60));
			if (why[0] != '\0') {
				unusable++;
				mx_err(err, MXTLS_ERR_EXPIRED, "%s", why); /* the first one */
				emit(rt, MXTLS_EVENT_EXPIRED, "%s", why);
			} else if (end - now <= rt->window) {
				emit(rt, MXTLS_EVENT_EXPIRING, "identity %zu: %s \"%s\" expires in %lld days",
				     i, k ? "chain certificate" : "certificate", name,
				     (long long)((end - now) / DAY));
			}
		}
	}
	/* Private authorities; the platform's own roots are not the user's to renew. */
	for (c = &ctx->ca, k = 0; c && c->raw.len; c = c->next, k++) {
		if (k < ctx->nsystem)
			continue;
		end = crt_not_after(c);
		mx_crt_name(c, name, sizeof(name));
		if (end <= now)
			emit(rt, MXTLS_EVENT_EXPIRED, "authority \"%s\" expired %lld days ago", name,
			     (long long)((now - end) / DAY));
		else if (end - now <= rt->window)
			emit(rt, MXTLS_EVENT_EXPIRING, "authority \"%s\" expires in %lld days", name,
			     (long long)((end - now) / DAY));
	}
	return unusable;
}

/* Build a context from the sources; NULL with err on failure. */
static mxtls_ctx *build(mxtls_runtime *rt, uint8_t digest[32], mxtls_config **cfg_out,
			mxtls_error *err)
{
	mxtls_config *cfg = mxtls_config_from_env((const char *const *)rt->envp, err);
	mxtls_ctx *ctx;
	int window_days;

	if (cfg == NULL)
		return NULL;
	memcpy(digest, cfg->source_digest, 32);
	window_days = cfg->expiry_warning_days >= 0 ? cfg->expiry_warning_days : 30;
	ctx = mxtls_ctx_new(cfg, err);
	if (ctx == NULL) {
		mxtls_config_free(cfg);
		return NULL;
	}
	*cfg_out = cfg;
	/* Under reload_lock (or before the runtime is shared): no reader races this. */
	rt->window = (int64_t)window_days * DAY;
	return ctx;
}

static void report_warnings(mxtls_runtime *rt, const mxtls_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->warnings.n; i++)
		emit(rt, MXTLS_EVENT_WARNING, "%s", ctx->warnings.v[i].text);
}

static void free_env(char **envp);

static char **copy_env(const char *const *envp)
{
	size_t n = 0, i;
	char **copy;

	while (envp[n])
		n++;
	copy = calloc(n + 1, sizeof(*copy));
	if (copy == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		copy[i] = strdup(envp[i]);
		if (copy[i] == NULL) {
			free_env(copy); /* may hold passwords: wiped */
			return NULL;
		}
	}
	return copy;
}

static void free_env(char **envp)
{
	size_t i;

	if (envp == NULL)
		return;
	for (i = 0; envp[i]; i++) {
		mx_wipe(envp[i], strlen(envp[i])); /* may hold passwords */
		free(envp[i]);
	}
	free(envp);
}

mxtls_runtime *mxtls_runtime_new(const char *const *envp, mxtls_event_fn fn, void *arg,
				 mxtls_error *err)
{
	mxtls_runtime *rt;
	mxtls_config *cfg = NULL;

	mx_err_clear(err);
	rt = calloc(1, sizeof(*rt));
	if (rt == NULL || (envp && (rt->envp = copy_env(envp)) == NULL)) {
		free(rt);
		mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&rt->lock, NULL);
	pthread_mutex_init(&rt->reload_lock, NULL);
	rt->inotify_fd = rt->wake[0] = rt->wake[1] = -1;
	if (mx_events_init(&rt->events, fn, arg) != 0) {
		mx_err(err, MXTLS_ERR_IO, "pipe: %s", strerror(errno));
		mx_events_free(&rt->events);
		pthread_mutex_destroy(&rt->lock);
		pthread_mutex_destroy(&rt->reload_lock);
		free_env(rt->envp);
		free(rt);
		return NULL;
	}
	rt->ctx = build(rt, rt->digest, &cfg, err);
	if (rt->ctx == NULL) {
		mxtls_runtime_free(rt);
		return NULL;
	}
	rt->generation = 1;
	report_warnings(rt, rt->ctx);
	/* As a reload would: a certificate servers refuse is no identity to start with. */
	if (check_validity(rt, rt->ctx, err) > 0) {
		mxtls_config_free(cfg);
		mxtls_runtime_free(rt);
		return NULL;
	}
	emit(rt, MXTLS_EVENT_LOADED, "%zu identit%s, %zu authorities", rt->ctx->nids,
	     rt->ctx->nids == 1 ? "y" : "ies", rt->ctx->nca);
	mxtls_config_free(cfg);
	mx_events_deliver(&rt->events);
	return rt;
}

mxtls_ctx *mxtls_runtime_ctx(mxtls_runtime *rt)
{
	mxtls_ctx *ctx;

	if (rt == NULL)
		return NULL;
	pthread_mutex_lock(&rt->lock);
	ctx = mxtls_ctx_ref(rt->ctx);
	pthread_mutex_unlock(&rt->lock);
	return ctx;
}

int mxtls_runtime_event_fd(mxtls_runtime *rt)
{
	return rt != NULL ? rt->events.fd[0] : -1;
}

int mxtls_runtime_next_event(mxtls_runtime *rt, int *kind, char *message, size_t size)
{
	int k;

	if (rt == NULL || !mx_events_next(&rt->events, &k, message, size))
		return 0;
	if (kind != NULL)
		*kind = k;
	return 1;
}

uint64_t mxtls_runtime_generation(mxtls_runtime *rt)
{
	uint64_t g;

	if (rt == NULL)
		return 0;
	pthread_mutex_lock(&rt->lock);
	g = rt->generation;
	pthread_mutex_unlock(&rt->lock);
	return g;
}

static int reload_locked(mxtls_runtime *rt, mxtls_error *err);

int mxtls_runtime_reload(mxtls_runtime *rt, mxtls_error *err)
{
	mxtls_error local;
	int ret;

	if (err == NULL)
		err = &local;
	mx_err_clear(err);
	if (rt == NULL) {
		mx_err(err, MXTLS_ERR_USAGE, "runtime is NULL");
		return -1;
	}
	pthread_mutex_lock(&rt->reload_lock);
	ret = reload_locked(rt, err);
	pthread_mutex_unlock(&rt->reload_lock);
	/* Outside every lock: the callback may reload, or take the context. */
	mx_events_deliver(&rt->events);
	return ret;
}

/* One reload at a time: under reload_lock. */
static int reload_locked(mxtls_runtime *rt, mxtls_error *err)
{
	mxtls_config *cfg = NULL;
	mxtls_ctx *ctx, *old;
	uint8_t digest[32];
	int same;

	/* Hash the sources first: unchanged sources cost no key derivation at all. */
	cfg = mx_env_sources((const char *const *)rt->envp, err);
	if (cfg != NULL) {
		pthread_mutex_lock(&rt->lock);
		same = memcmp(cfg->source_digest, rt->digest, 32) == 0;
		pthread_mutex_unlock(&rt->lock);
		mxtls_config_free(cfg);
		cfg = NULL;
		if (same) {
			emit(rt, MXTLS_EVENT_UNCHANGED, "the sources have not changed");
			return 0;
		}
	}
	ctx = build(rt, digest, &cfg, err);
	if (ctx == NULL) {
		emit(rt, MXTLS_EVENT_RELOAD_FAILED, "%s (%s); keeping the current context",
		     err->message, mxtls_error_name(err->code));
		return -1;
	}
	pthread_mutex_lock(&rt->lock);
	same = memcmp(digest, rt->digest, 32) == 0;
	pthread_mutex_unlock(&rt->lock);
	if (same) {
		emit(rt, MXTLS_EVENT_UNCHANGED, "the sources have not changed");
		goto out_free;
	}
	if (check_validity(rt, ctx, err) > 0) {
		emit(rt, MXTLS_EVENT_RELOAD_FAILED, "%s (%s); keeping the current context",
		     err->message, mxtls_error_name(err->code));
		goto out_fail;
	}
	report_warnings(rt, ctx);
	pthread_mutex_lock(&rt->lock);
	old = rt->ctx;
	rt->ctx = ctx;
	memcpy(rt->digest, digest, 32);
	rt->generation++;
	pthread_mutex_unlock(&rt->lock);
	/* Connections that hold the old context keep it alive until they end. */
	mxtls_ctx_free(old);
	emit(rt, MXTLS_EVENT_RELOADED, "%zu identit%s, %zu authorities", ctx->nids,
	     ctx->nids == 1 ? "y" : "ies", ctx->nca);
	mxtls_config_free(cfg);
	return 0;
out_free:
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);
	return 0;
out_fail:
	mxtls_ctx_free(ctx);
	mxtls_config_free(cfg);
	return -1;
}

/* ---- watching ---- */

/*
 * The write end of the watching runtime's wake pipe, for the signal handler
 * (one runtime per signal: the last mxtls_runtime_watch() with a signal).
 * Non-blocking, so a burst of signals during a long reload cannot block.
 */
static volatile sig_atomic_t signal_pipe = -1;

static void on_signal(int signo)
{
	unsigned char b = (unsigned char)signo;
	int saved = errno, fd = signal_pipe;

	if (fd >= 0)
		(void)!write(fd, &b, 1);
	errno = saved;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static void *watcher(void *arg)
{
	mxtls_runtime *rt = arg;
	struct pollfd p[2];
	int64_t due = -1;
	unsigned char b;
	int n, timeout;

	p[0].fd = rt->wake[0];
	p[0].events = POLLIN;
	p[1].fd = rt->inotify_fd;
	p[1].events = POLLIN;
	for (;;) {
		timeout = due < 0 ? -1 : (int)(due - now_ms() > 0 ? due - now_ms() : 0);
		n = poll(p, rt->inotify_fd >= 0 ? 2 : 1, timeout);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && (p[0].revents & POLLIN)) {
			if (read(rt->wake[0], &b, 1) == 1 && b == 0)
				break; /* stop */
			due = now_ms(); /* a signal: reload now */
		}
		if (n > 0 && rt->inotify_fd >= 0 && (p[1].revents & POLLIN)) {
			drain(rt->inotify_fd);
			due = now_ms() + DEBOUNCE_MS;
		}
		if (due >= 0 && now_ms() >= due) {
			due = -1;
			mxtls_runtime_reload(rt, NULL); /* reports through events */
		}
	}
	return NULL;
}

/* The directory part of a path ("." for a bare name). */
static void dir_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(out, size, ".");
	else if (slash == path)
		snprintf(out, size, "/");
	else
		snprintf(out, size, "%.*s", (int)(slash - path), path);
}

int mxtls_runtime_watch(mxtls_runtime *rt, int signo, mxtls_error *err)
{
	mxtls_config *cfg;
	char dir[PATH_MAX];
	size_t i;

	mx_err_clear(err);
	if (rt == NULL || rt->watching) {
		mx_err(err, MXTLS_ERR_USAGE, rt ? "already watching" : "runtime is NULL");
		return -1;
	}
	if (pipe(rt->wake) != 0) {
		rt->wake[0] = rt->wake[1] = -1;
		mx_err(err, MXTLS_ERR_IO, "pipe: %s", strerror(errno));
		return -1;
	}
	fcntl(rt->wake[0], F_SETFD, FD_CLOEXEC);
	fcntl(rt->wake[1], F_SETFD, FD_CLOEXEC);
	fcntl(rt->wake[1], F_SETFL, O_NONBLOCK);
	/* The file list comes from the sources, read without parsing anything. */
	cfg = mx_env_sources((const char *const *)rt->envp, err);
	if (cfg == NULL)
		goto fail;
	if (cfg->nwatch > 0) {
		rt->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (rt->inotify_fd < 0) {
			mx_err(err, MXTLS_ERR_IO, "inotify: %s", strerror(errno));
			goto fail;
		}
		/* Directories, not files: renames and symlink swaps replace the files themselves. */
		for (i = 0; i < cfg->nwatch; i++) {
			dir_of(cfg->watch_paths[i], dir, sizeof(dir));
			if (inotify_add_watch(rt->inotify_fd, dir,
					      IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |
						      IN_DELETE | IN_ATTRIB) < 0) {
				mx_err(err, MXTLS_ERR_IO, "inotify: %s: %s", dir, strerror(errno));
				goto fail;
			}
		}
	}
	mxtls_config_free(cfg);
	cfg = NULL;
	if (signo > 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		signal_pipe = rt->wake[1];
		if (sigaction(signo, &sa, &rt->old_action) != 0) {
			signal_pipe = -1;
			mx_err(err, MXTLS_ERR_USAGE, "sigaction(%d): %s", signo, strerror(errno));
			goto fail;
		}
		rt->signo = signo;
	}
	if (pthread_create(&rt->thread, NULL, watcher, rt) != 0) {
		mx_err(err, MXTLS_ERR_INTERNAL, "cannot start the watcher thread");
		goto fail;
	}
	rt->watching = 1;
	return 0;
fail:
	/* Undo everything: no handler pointing at a closed pipe, no descriptor left open. */
	mxtls_config_free(cfg);
	if (rt->signo > 0) {
		signal_pipe = -1;
		sigaction(rt->signo, &rt->old_action, NULL);
		rt->signo = 0;
	}
	if (rt->inotify_fd >= 0)
		close(rt->inotify_fd);
	close(rt->wake[0]);
	close(rt->wake[1]);
	rt->inotify_fd = rt->wake[0] = rt->wake[1] = -1;
	return -1;
}

void mxtls_runtime_free(mxtls_runtime *rt)
{
	unsigned char stop = 0;

	if (rt == NULL)
		return;
	if (rt->watching) {
		if (rt->signo > 0) {
			/* Give the application back the disposition it had. */
			if (signal_pipe == rt->wake[1])
				signal_pipe = -1;
			sigaction(rt->signo, &rt->old_action, NULL);
		}
		(void)!write(rt->wake[1], &stop, 1);
		pthread_join(rt->thread, NULL);
	}
	if (rt->inotify_fd >= 0)
		close(rt->inotify_fd);
	if (rt->wake[0] >= 0)
		close(rt->wake[0]);
	if (rt->wake[1] >= 0)
		close(rt->wake[1]);
	/* A failed start-up's events (why a certificate was refused) still reach the callback. */
	mx_events_deliver(&rt->events);
	mx_events_free(&rt->events);
	mxtls_ctx_free(rt->ctx);
	free_env(rt->envp);
	pthread_mutex_destroy(&rt->lock);
	pthread_mutex_destroy(&rt->reload_lock);
	free(rt);
}
