/*
 * Timeouts without a timer heap.  Every timeout of one kind has the same duration
 * (registration, idle-before-PING, PING-to-reply), so a FIFO per kind is already in
 * deadline order: arming appends, cancelling unlinks, and only list heads are ever due.
 * A line from a registered client moves it to the tail of the idle FIFO: two pointer
 * updates, and the order stays exact.
 */
#include <stdio.h>

#include "core/client.h"
#include "core/core.h"
#include "core/flood.h"
#include "core/nickown.h"
#include "core/reply.h"
#include "core/server.h"
#include "core/timer.h"

void
timer_set(struct core *core, struct client *cl, enum client_timer kind, int64_t now)
{
	list_del(&cl->timer);
	cl->timer_kind = kind;
	cl->timer_since = now;
	if (kind != TIMER_NONE)
		list_add_tail(&core->timers[kind], &cl->timer);
}

void
timer_activity(struct core *core, struct client *cl, int64_t now)
{
	cl->last_active = now;
	/* Any line restarts the idle time, and answers a PING. */
	if (cl->timer_kind == TIMER_IDLE || cl->timer_kind == TIMER_PING)
		timer_set(core, cl, TIMER_IDLE, now);
}

static int64_t
timer_duration(const struct core *core, enum client_timer kind)
{
	switch (kind) {
	case TIMER_REGISTRATION:
		return core->cfg.registration_timeout;
	case TIMER_IDLE:
		return core->cfg.ping_interval;
	case TIMER_PING:
		return core->cfg.ping_timeout;
	default:
		return 0;
	}
}

/* The head of FIFO kind, or NULL. */
static struct client *
timer_head(struct core *core, enum client_timer kind)
{
	struct list	*head = &core->timers[kind];

	return list_empty(head) ? NULL : list_entry(head->next, struct client, timer);
}

/* Handle the head of one FIFO if it is due.  Returns false when nothing more is due. */
static bool
timer_fire(struct core *core, enum client_timer kind, int64_t now)
{
	struct client	*cl;
	char		 reason[64];

	cl = timer_head(core, kind);
	if (cl == NULL || cl->timer_since + timer_duration(core, kind) > now)
		return false;
	switch (kind) {
	case TIMER_REGISTRATION:
		client_exit(core, cl, "Registration timed out", true);
		break;
	case TIMER_IDLE:
		send_fmt(core, cl, "PING :%s", core->cfg.server_name);
		timer_set(core, cl, TIMER_PING, now);
		break;
	default:
		snprintf(reason, sizeof(reason), "Ping timeout: %lld seconds",
		    (long long)((now - cl->last_active) / 1000));
		client_exit(core, cl, reason, true);
		break;
	}
	return true;
}

int64_t
core_tick(struct core *core, int64_t now)
{
	int64_t	next, grace;

	tags_clock(core, now);
	/* Delayed lines first: one of them may end a client a timer would fire for. */
	next = flood_tick(core, now);
	/* This turn's lines go to the store as one job (history.c). */
	history_turn(core, now);
	grace = history_tick(core, now);
	if (grace != -1 && (next == -1 || grace < next))
		next = grace;
	grace = nickown_tick(core, now);
	if (grace != -1 && (next == -1 || grace < next))
		next = grace;
	for (int kind = TIMER_REGISTRATION; kind < TIMER_KINDS; kind++) {
		struct client	*cl;
		int64_t		 due;

		while (timer_fire(core, kind, now))
			;
		if ((cl = timer_head(core, kind)) == NULL)
			continue;
		due = cl->timer_since + timer_duration(core, kind);
		if (next == -1 || due < next)
			next = due;
	}
	return next;
}
