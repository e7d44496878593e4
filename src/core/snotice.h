#ifndef PARLEY_CORE_SNOTICE_H
#define PARLEY_CORE_SNOTICE_H

struct core;
struct client;

/*
 * Server notices: ":server NOTICE nick :*** Notice -- text" to every local client with
 * user mode +s (operators only), except `except` (may be NULL).
 */
void	snotice_send(struct core *core, const struct client *except, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
