#ifndef PARLEY_CORE_TIMER_H
#define PARLEY_CORE_TIMER_H

#include <stdint.h>

/*
 * The timeout FIFOs: one per kind, every timeout of a kind the same length (core_tick()
 * in server.h runs what is due).
 */
struct core;
struct client;

/* Which timeout FIFO a client is on (see timer.c). */
enum client_timer {
	TIMER_NONE,
	TIMER_REGISTRATION,	/* connected, not registered yet */
	TIMER_IDLE,		/* registered, waiting for silence */
	TIMER_PING,		/* PING sent, waiting for any reply */
	TIMER_KINDS,
};

/* Put cl on kind's FIFO from now (leaving the one it was on); TIMER_NONE: on none. */
void	timer_set(struct core *core, struct client *cl, enum client_timer kind,
	    int64_t now);
/* A line arrived from cl at now: the idle time restarts, a pending PING is answered. */
void	timer_activity(struct core *core, struct client *cl, int64_t now);

#endif
