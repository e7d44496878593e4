#ifndef PARLEY_CORE_CHANMODE_H
#define PARLEY_CORE_CHANMODE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The channel modes of issue 20 that other commands consult: what a channel refuses
 * to relay (+C, +T, +c, the +q list), who may join (+z, +j) and where a refused join
 * goes (+f).  Each check is a flag test unless its mode is set.
 */
struct core;
struct client;
struct channel;

/* Why ch refuses this message from cl, as 404's text, or NULL when it takes it.
 * notice: a NOTICE; text: the message (NULL for TAGMSG). */
const char	*chanmode_send_refused(const struct channel *ch, const struct client *cl,
		    bool notice, const char *text);
/* Whether the +j throttle lets one more client join ch at now. */
bool		 chanmode_join_throttled(const struct channel *ch, int64_t now);
/* Count a join to ch at now against its +j throttle. */
void		 chanmode_join_count(struct channel *ch, int64_t now);
/* Parse +j's "joins:seconds" (each 1..1000).  Returns 0, or -1 when malformed. */
int		 chanmode_throttle_parse(const char *s, unsigned *joins, unsigned *secs);

#endif
