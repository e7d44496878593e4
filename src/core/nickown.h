#ifndef PARLEY_CORE_NICKOWN_H
#define PARLEY_CORE_NICKOWN_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Nick ownership: a nick that is a registered account's name belongs to the clients
 * logged in to that account.  Anyone else using it is told, then renamed to a guest
 * nick ([accounts] guest_prefix and digits) after [accounts] nick_grace; with a grace
 * of 0 a registered client's NICK to it is refused (433), and a client that registers
 * with it is renamed at once.  Logging in during the grace keeps the nick.  The grace
 * timers are one FIFO (every grace is as long), like timer.c's.
 */
struct core;
struct client;

/* Whether NICK nick from registered cl is refused at once (a grace of 0). */
bool	nickown_refused(const struct core *core, const struct client *cl, const char *nick);

/* cl has just registered or taken a new nick: start its grace when the nick is another
 * account's (a notice), or rename it at once with a grace of 0.  Any earlier grace of
 * cl's ends.  cl may be gone on return only when out of memory. */
void	nickown_check(struct core *core, struct client *cl, int64_t now);

/* cl is going: forget its grace. */
void	nickown_forget(struct client *cl);

/* Rename the clients whose grace ended at now.  Returns the next deadline, or -1. */
int64_t	nickown_tick(struct core *core, int64_t now);

#endif
