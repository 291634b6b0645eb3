/* Runtime events, recorded under locks and delivered after them (see mxtls_events.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mxtls_events.h"

/* The marker bindings pass as the callback: events wait in the queue. Never called by us. */
void mxtls_event_queue(void *arg, int kind, const char *message)
{
	(void)arg, (void)kind, (void)message;
}

static int queue_mode(const struct mx_events *ev)
{
	return ev->fn == mxtls_event_queue;
}

int mx_events_init(struct mx_events *ev, mxtls_event_fn fn, void *arg)
{
	memset(ev, 0, sizeof(*ev));
	pthread_mutex_init(&ev->lock, NULL);
	ev->fn = fn;
	ev->arg = arg;
	ev->fd[0] = ev->fd[1] = -1;
	if (!queue_mode(ev))
		return 0;
	if (pipe(ev->fd) != 0) {
		ev->fd[0] = ev->fd[1] = -1;
		return -1;
	}
	/* Never block: neither the writer under our lock nor the drain. */
	for (int i = 0; i < 2; i++) {
		fcntl(ev->fd[i], F_SETFD, FD_CLOEXEC);
		fcntl(ev->fd[i], F_SETFL, O_NONBLOCK);
	}
	return 0;
}

static struct mx_event *pop(struct mx_events *ev)
{
	struct mx_event *e = ev->head;

	if (e != NULL) {
		ev->head = e->next;
		if (ev->head == NULL)
			ev->tail = NULL;
		ev->count--;
	}
	return e;
}

void mx_events_add(struct mx_events *ev, int kind, const char *message)
{
	struct mx_event *e = malloc(sizeof(*e));
	int was_idle;

	pthread_mutex_lock(&ev->lock);
	was_idle = ev->head == NULL && ev->dropped == 0;
	if (e == NULL) {
		ev->dropped++; /* the reader is told how many it missed */
	} else {
		/* Nobody is reading the queue: the oldest goes. (Callback mode hands events
		 * out after each load, so its list holds one load's events, all kept.) */
		if (queue_mode(ev) && ev->count == MX_EVENTS_MAX) {
			free(pop(ev));
			ev->dropped++;
		}
		e->kind = kind;
		snprintf(e->message, sizeof(e->message), "%s", message);
		e->next = NULL;
		if (ev->tail)
			ev->tail->next = e;
		else
			ev->head = e;
		ev->tail = e;
		ev->count++;
	}
	/* Readable while events wait: one byte marks "not empty". */
	if (queue_mode(ev) && was_idle)
		(void)!write(ev->fd[1], "", 1);
	pthread_mutex_unlock(&ev->lock);
}

static void call_out(struct mx_events *ev, int kind, const char *message)
{
	if (ev->fn != NULL)
		ev->fn(ev->arg, kind, message);
	else
		fprintf(stderr, "mxtls: %s: %s\n", mxtls_event_name(kind), message);
}

void mx_events_deliver(struct mx_events *ev)
{
	struct mx_event *e;
	unsigned long dropped;
	char note[128];

	if (queue_mode(ev))
		return;
	pthread_mutex_lock(&ev->lock);
	/* Another thread is calling out: it takes these too, in order. */
	if (ev->delivering) {
		pthread_mutex_unlock(&ev->lock);
		return;
	}
	ev->delivering = 1;
	for (;;) {
		dropped = ev->dropped;
		ev->dropped = 0;
		e = pop(ev);
		if (e == NULL && dropped == 0)
			break;
		pthread_mutex_unlock(&ev->lock);
		if (dropped > 0) {
			snprintf(note, sizeof(note), "%lu events were dropped (too many waiting, or out of memory)", dropped);
			call_out(ev, MXTLS_EVENT_WARNING, note);
		}
		if (e != NULL)
			call_out(ev, e->kind, e->message);
		free(e);
		pthread_mutex_lock(&ev->lock);
	}
	ev->delivering = 0;
	pthread_mutex_unlock(&ev->lock);
}

static void drain(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

int mx_events_next(struct mx_events *ev, int *kind, char *message, size_t size)
{
	struct mx_event *e;
	int got = 0;

	if (!queue_mode(ev))
		return 0;
	if (message == NULL)
		size = 0;
	pthread_mutex_lock(&ev->lock);
	if (ev->dropped > 0) {
		*kind = MXTLS_EVENT_WARNING;
		if (size > 0)
			snprintf(message, size,
				 "%lu events were dropped (too many waiting, or out of memory)",
				 ev->dropped);
		ev->dropped = 0;
		got = 1;
	} else if ((e = pop(ev)) != NULL) {
		*kind = e->kind;
		if (size > 0)
			snprintf(message, size, "%s", e->message);
		free(e);
		got = 1;
	}
	if (ev->head == NULL && ev->dropped == 0)
		drain(ev->fd[0]);
	pthread_mutex_unlock(&ev->lock);
	return got;
}

void mx_events_free(struct mx_events *ev)
{
	struct mx_event *e;

	while ((e = pop(ev)) != NULL)
		free(e);
	if (ev->fd[0] >= 0)
		close(ev->fd[0]);
	if (ev->fd[1] >= 0)
		close(ev->fd[1]);
	pthread_mutex_destroy(&ev->lock);
}
