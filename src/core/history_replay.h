#ifndef PARLEY_CORE_HISTORY_REPLAY_H
#define PARLEY_CORE_HISTORY_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/history_rec.h"
#include "core/job.h"

/*
 * Stored lines back to a client (history_replay.c): the query job, the chathistory
 * batch with each line's original time, msgid, account and client tags, and the
 * replay on JOIN for clients without draft/chathistory.
 */
struct core;
struct client;
struct channel;

/* "YYYY-MM-DDThh:mm:ss[.sss]Z" as wall ms into *ms: 0, or -1 when it is not one. */
int	history_time_parse(const char *s, int64_t *ms);

/*
 * Run q for cl (after the lines buffered so far are stored), then send what it finds
 * as a chathistory batch for target (the name shown in the batch).  sub is the
 * CHATHISTORY subcommand its FAIL names, or NULL for a JOIN replay (no FAIL).  0, or
 * -1 out of memory.
 */
int	history_query_submit(struct core *core, struct client *cl,
	    const struct history_query *q, const char *sub, int64_t now);

/* Send lines (oldest first) to cl: in a batch of type with param when cl has batch,
 * else plain lines with the tags its capabilities ask for. */
void	history_replay(struct core *core, struct client *cl, const char *type,
	    const char *param, const struct history_rec *v, size_t n);

/* cl joined ch: replay its last lines when configured and cl has no chathistory. */
void	history_join(struct core *core, struct client *cl, struct channel *ch,
	    int64_t now);

/* The name to show for a conversation: the channel's or the peer's as known now. */
const char *history_target_name(struct core *core, const char *channel,
	    const char *peer);

#endif
