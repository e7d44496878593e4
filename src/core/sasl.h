#ifndef PARLEY_CORE_SASL_H
#define PARLEY_CORE_SASL_H

/*
 * A client's SASL exchange (cmd_sasl.c) as the rest of the core sees it.
 */
struct core;
struct client;

/* CAP END came while cl's exchange waits for its next message: 906, and it ends
 * (registration goes on without an account, as sasl 3.1 says). */
void	sasl_abort(struct core *core, struct client *cl);

/* cl is going: free its exchange, if any, wiping what it held. */
void	sasl_free(struct client *cl);

#endif
