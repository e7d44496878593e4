#ifndef PARLEY_CLIENT_PARLEY_H
#define PARLEY_CLIENT_PARLEY_H

#include <stdbool.h>

#include "parley/irc.h"

/* Exit codes of every mode (docs/parley.md lists them). */
enum parley_exit {
	PARLEY_EXIT_OK		= 0,
	PARLEY_EXIT_FAIL	= 1,	/* local failure: out of memory, terminal, stdout */
	PARLEY_EXIT_USAGE	= 2,	/* bad command line */
	PARLEY_EXIT_CONNECT	= 3,	/* the host did not resolve or refused the connection */
	PARLEY_EXIT_SERVER	= 4,	/* the server refused us or closed the connection */
	PARLEY_EXIT_TIMEOUT	= 5,	/* no answer in time */
};

#define PARLEY_TIMEOUT_SEC	30	/* default for connecting, registering, confirming */

/* What the command line asked for. */
struct parley_opts {
	char		 host[IRC_HOST_MAX];
	char		 port[IRC_PORT_MAX];
	char		 nick[IRC_NICK_MAX + 1];
	int		 timeout_ms;
	bool		 tls;		/* --tls */
	bool		 insecure;	/* --insecure: no certificate verification */
};

/* A default nick: "parley" and three digits of the process id, within 9 bytes. */
void	parley_default_nick(char *buf, unsigned long cap);

/*
 * parley send: post nmsg words (joined by spaces), or stdin's lines when nmsg is 0, to
 * chan.  Returns an enum parley_exit.
 */
int	script_send(const struct parley_opts *o, const char *chan, int nmsg,
	    char *const *msg);

/* parley tail: print chan's messages on stdout, one per line.  Returns an enum
 * parley_exit. */
int	script_tail(const struct parley_opts *o, const char *chan);

/* The interactive terminal client: join every channel in chans.  Returns an enum
 * parley_exit. */
int	ui_run(const struct parley_opts *o, int nchans, char *const *chans);

#endif
