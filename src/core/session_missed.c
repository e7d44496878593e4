/*
 * What an always-on user missed, for a connection that will not ask (no chathistory):
 * the private conversations it had while it had no connection, replayed after its
 * burst as JOIN's replay does a channel's lines (session.h; the channels' lines come
 * with their JOINs).
 */
#include <stdint.h>
#include <string.h>

#include "core/casemap.h"
#include "core/client.h"
#include "core/core.h"
#include "core/history.h"
#include "core/history_replay.h"
#include "core/job_owner.h"
#include "core/reply.h"
#include "core/session.h"

/* TARGETS since the user went: each private peer's lines from then on. */
static void
missed_targets(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	const struct history_targets	*t = &job->in.targets;
	const struct history_rec	*v = job->result.lines.v;
	struct history_query		 q;

	(void)label;
	if (job->status != 0) {
		core_log(core, PLOG_WARN, "history: what %s missed could not be read",
		    cl->nick);
		return;
	}
	for (size_t i = 0; i < job->result.lines.n; i++) {
		if (v[i].channel[0] != '\0' || v[i].from_nick[0] == '\0')
			continue;
		memset(&q, 0, sizeof(q));
		q.sel = HISTORY_LATEST;
		memcpy(q.ident, t->ident, sizeof(q.ident));
		memcpy(q.peer, v[i].from_nick, sizeof(q.peer));
		q.a.time = t->from;
		q.limit = core->cfg.history_query_max;
		if (history_query_submit(core, cl, &q, NULL, now) == -1)
			return;
	}
}

void
session_missed(struct core *core, struct client *user, struct client *s, int64_t now)
{
	struct history_targets	*t;
	struct job		*job;

	if (user->gone_since == 0 || !history_on(core) ||
	    (s->caps & CAP_BIT(CAP_CHATHISTORY)))
		return;
	history_flush(core, now);
	if ((job = job_new(core, user, JOB_HISTORY_TARGETS, missed_targets, "")) == NULL)
		return;
	t = &job->in.targets;
	history_ident(core, user, t->ident);
	t->from = user->gone_since - 1;	/* exclusive: a line of that very ms counts */
	t->to = core->tags.now + core->wall_offset + 1;
	t->limit = core->cfg.history_query_max;
	job_submit(core, job, now);
}
