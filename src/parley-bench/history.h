#ifndef PARLEY_BENCH_HISTORY_H
#define PARLEY_BENCH_HISTORY_H

#include <stdbool.h>

#include "core/msg.h"
#include "parley-bench/conn.h"

/*
 * The history scenario: N clients join the channel, then each keeps one query in
 * flight: "CHATHISTORY <--query>" followed by a PING.  The server answers a client's
 * lines in order, its PING after the query's result, so the time from sending the pair
 * to the PONG is the query's latency.
 */

/* Client id's PONG to its query's PING: recorded, true.  False for other lines. */
bool	history_on_msg(struct bench *b, unsigned id, const struct msg *m);

/* Once a turn while measuring: the next query of every client that has none out. */
void	history_send(struct bench *b);

#endif
