/*
 * CHATHISTORY (IRCv3 draft/chathistory): the request checked and turned into a query
 * job for the store thread, whose answer history_replay.c sends as a batch.  A client
 * reads a channel it is in, and its own private conversations (history.h's identities);
 * anything else is INVALID_TARGET, as for a target that does not exist.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/casemap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/command.h"
#include "core/core.h"
#include "core/history.h"
#include "core/history_replay.h"
#include "core/job_owner.h"
#include "core/names.h"
#include "core/reply.h"

static const struct {
	const char		*name;
	enum history_sel	 sel;
	unsigned		 nrefs;
} subcommands[] = {
	{ "LATEST",	HISTORY_LATEST,		1 },
	{ "BEFORE",	HISTORY_BEFORE,		1 },
	{ "AFTER",	HISTORY_AFTER,		1 },
	{ "AROUND",	HISTORY_AROUND,		1 },
	{ "BETWEEN",	HISTORY_BETWEEN,	2 },
};

/* FAIL CHATHISTORY code sub [target] :text */
static void
chathistory_fail(struct core *core, struct client *cl, const char *code, const char *sub,
    const char *target, const char *text)
{
	char	buf[MSG_BODY_MAX + 1];
	size_t	len;

	if (target != NULL)
		len = format_msg(buf, sizeof(buf), core->cfg.server_name, "FAIL", 5,
		    "CHATHISTORY", code, sub, target, text);
	else
		len = format_msg(buf, sizeof(buf), core->cfg.server_name, "FAIL", 4,
		    "CHATHISTORY", code, sub, text);
	if (len > 0)
		send_line(core, cl, buf, len);
}

/* A message reference into *p: "timestamp=...", "msgid=..." or, when star, "*". */
static int
parse_ref(const char *s, bool star, struct history_point *p)
{
	size_t	len;

	memset(p, 0, sizeof(*p));
	if (star && strcmp(s, "*") == 0) {
		p->time = INT64_MIN;
		return 0;
	}
	if (strncmp(s, "timestamp=", 10) == 0)
		return history_time_parse(s + 10, &p->time);
	if (strncmp(s, "msgid=", 6) != 0)
		return -1;
	len = strlen(s + 6);
	if (len == 0 || len > HISTORY_MSGID_MAX)
		return -1;
	memcpy(p->msgid, s + 6, len + 1);
	return 0;
}

/* A limit: a positive number, capped at the advertised CHATHISTORY=n. */
static int
parse_limit(const struct core *core, const char *s, unsigned *limit)
{
	char		*end;
	unsigned long	 v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v == 0 || strlen(s) > 9)
		return -1;
	*limit = v > core->cfg.history_query_max ? core->cfg.history_query_max :
	    (unsigned)v;
	return 0;
}

/* The conversation cl asks for with target, into q: -1 when cl may not read it. */
static int
conversation(struct core *core, struct client *cl, const char *target,
    struct history_query *q)
{
	struct channel	*ch;

	if (target[0] == '#') {
		if ((ch = channel_find(core, target)) == NULL ||
		    channel_member(ch, cl) == NULL)
			return -1;
		names_fold(core, q->channel, sizeof(q->channel), ch->name);
		return 0;
	}
	if (!names_nick_valid(core, target, CONFIG_NICKLEN_MAX))
		return -1;
	history_ident(core, cl, q->ident);
	names_fold(core, q->peer, sizeof(q->peer), target);
	return 0;
}

/* TARGETS' answer: one "CHATHISTORY TARGETS name time" line a conversation. */
static void
targets_done(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	struct history_rec	*v = job->result.lines.v;
	char			 when[32];

	(void)label, (void)now;
	if (job->status != 0) {
		chathistory_fail(core, cl, "MESSAGE_ERROR", "TARGETS", "*",
		    "Messages could not be retrieved");
		return;
	}
	for (size_t i = 0; i < job->result.lines.n; i++) {
		tags_time_format(when, sizeof(when), v[i].time);
		format_line(v[i].line, ":%s CHATHISTORY TARGETS %s %s",
		    core->cfg.server_name,
		    history_target_name(core, v[i].channel, v[i].from_nick), when);
		/* format_line ends it with CR LF; the replay adds its own. */
		v[i].line[strcspn(v[i].line, "\r")] = '\0';
		v[i].msgid[0] = '\0';
	}
	history_replay(core, cl, "draft/chathistory-targets", NULL, v,
	    job->result.lines.n);
}

/* TARGETS timestamp=a timestamp=b limit: the conversations with lines between. */
static void
chathistory_targets(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	struct history_point	 a, b;
	struct history_targets	*t;
	struct job		*job;
	unsigned		 limit;

	if (m->nparams < 4) {
		chathistory_fail(core, cl, "NEED_MORE_PARAMS", "TARGETS", NULL,
		    "Missing parameters");
		return;
	}
	if (parse_ref(m->params[1], false, &a) != 0 || a.msgid[0] != '\0' ||
	    parse_ref(m->params[2], false, &b) != 0 || b.msgid[0] != '\0' ||
	    parse_limit(core, m->params[3], &limit) != 0) {
		chathistory_fail(core, cl, "INVALID_PARAMS", "TARGETS", NULL,
		    "TARGETS takes two timestamps and a limit");
		return;
	}
	history_flush(core, now);
	if ((job = job_new(core, cl, JOB_HISTORY_TARGETS, targets_done, "TARGETS")) ==
	    NULL)
		return;
	t = &job->in.targets;
	history_ident(core, cl, t->ident);
	t->from = a.time < b.time ? a.time : b.time;
	t->to = a.time < b.time ? b.time : a.time;
	t->limit = limit;
	for (size_t i = 0; i < cl->channels.len &&
	    t->nchannels < HISTORY_TARGETS_CHANNELS; i++) {
		struct member	*mb = cl->channels.items[i];

		if (history_channel_on(core, mb->channel))
			names_fold(core, t->channels[t->nchannels++],
			    sizeof(t->channels[0]), mb->channel->name);
	}
	job_submit(core, job, now);
}

void
cmd_chathistory(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	struct history_query	q;
	const char		*sub = m->nparams > 0 ? m->params[0] : "*";
	size_t			 i, n = sizeof(subcommands) / sizeof(subcommands[0]);

	if (m->nparams > 0 && strcasecmp(sub, "TARGETS") == 0) {
		chathistory_targets(core, cl, m, now);
		return;
	}
	for (i = 0; i < n && strcasecmp(sub, subcommands[i].name) != 0; i++)
		;
	if (m->nparams == 0 || i == n) {
		chathistory_fail(core, cl, m->nparams == 0 ? "NEED_MORE_PARAMS" :
		    "UNKNOWN_COMMAND", sub, NULL, m->nparams == 0 ?
		    "Missing parameters" : "Unknown subcommand");
		return;
	}
	sub = subcommands[i].name;
	if (m->nparams < 3 + subcommands[i].nrefs) {
		chathistory_fail(core, cl, "NEED_MORE_PARAMS", sub, NULL,
		    "Missing parameters");
		return;
	}
	memset(&q, 0, sizeof(q));
	q.sel = subcommands[i].sel;
	q.events = (cl->caps & CAP_BIT(CAP_EVENT_PLAYBACK)) != 0;
	if (!history_on(core) || conversation(core, cl, m->params[1], &q) != 0) {
		chathistory_fail(core, cl, "INVALID_TARGET", sub, m->params[1],
		    "Messages could not be retrieved");
		return;
	}
	if (parse_ref(m->params[2], q.sel == HISTORY_LATEST, &q.a) != 0 ||
	    (subcommands[i].nrefs == 2 && parse_ref(m->params[3], false, &q.b) != 0) ||
	    parse_limit(core, m->params[2 + subcommands[i].nrefs], &q.limit) != 0) {
		chathistory_fail(core, cl, "INVALID_PARAMS", sub, NULL,
		    "Bad message reference or limit");
		return;
	}
	if (history_query_submit(core, cl, &q, sub, now) != 0)
		send_numeric(core, cl, ERR_UNKNOWNERROR, "CHATHISTORY " NUMERIC_NOMEM);
}
