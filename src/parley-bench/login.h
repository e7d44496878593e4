#ifndef PARLEY_BENCH_LOGIN_H
#define PARLEY_BENCH_LOGIN_H

#include <stdbool.h>

#include "core/msg.h"
#include "parley-bench/conn.h"

/*
 * The login scenario: --accounts N accounts are registered first (REGISTER, one
 * connection each, closed once the server has answered), then --clients C clients
 * connect and log in with SASL PLAIN while registering, client i as account i % N.
 * Meanwhile one more client, the pinger (b->c[C]), sends a PING whenever none is in
 * flight, at most every LOGIN_PING_NS, and its PING to PONG times are the latency.
 */

/* Client id's line m, when it is one the login scenario answers (REGISTER's answer,
 * AUTHENTICATE +, 90x, PONG, the first 001 of an account's connection): handled, true.
 * False for the lines every scenario shares. */
bool	login_on_msg(struct bench *b, unsigned id, const struct msg *m);

/* The accounts are there: make clients 0 .. C - 1 the ones that log in. */
void	login_start(struct bench *b);

/* Once a turn while measuring: the pinger's next PING. */
void	login_ping(struct bench *b);

/* Every client that logs in has had its answer. */
bool	login_done(const struct bench *b);

#endif
