/*
 * Stored lines back to a client (history_replay.h): the query job and its answer, a
 * chathistory batch whose lines carry the tags they were first sent with, and the
 * replay on JOIN for classic clients.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/casemap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/core.h"
#include "core/history.h"
#include "core/history_replay.h"
#include "core/job_owner.h"
#include "core/names.h"
#include "core/reply.h"
#include "core/session.h"
#include "core/tags.h"

/* Digits of s from *i, exactly n of them, as a number; -1 if they are not there. */
static int
digits(const char *s, size_t *i, int n)
{
	int	v = 0;

	for (int k = 0; k < n; k++, (*i)++) {
		if (s[*i] < '0' || s[*i] > '9')
			return -1;
		v = v * 10 + (s[*i] - '0');
	}
	return v;
}

/* Whether s[*i] is c, stepping past it. */
static bool
sep(const char *s, size_t *i, char c)
{
	if (s[*i] != c)
		return false;
	(*i)++;
	return true;
}

int
history_time_parse(const char *s, int64_t *ms)
{
	size_t	i = 0;
	int	y, mo, d, h, mi, sec, frac = 0;

	if ((y = digits(s, &i, 4)) < 0 || !sep(s, &i, '-') ||
	    (mo = digits(s, &i, 2)) < 1 || mo > 12 || !sep(s, &i, '-') ||
	    (d = digits(s, &i, 2)) < 1 || d > 31 || !sep(s, &i, 'T') ||
	    (h = digits(s, &i, 2)) < 0 || h > 23 || !sep(s, &i, ':') ||
	    (mi = digits(s, &i, 2)) < 0 || mi > 59 || !sep(s, &i, ':') ||
	    (sec = digits(s, &i, 2)) < 0 || sec > 60)
		return -1;
	if (sep(s, &i, '.') && (frac = digits(s, &i, 3)) < 0)
		return -1;
	if (!sep(s, &i, 'Z') || s[i] != '\0')
		return -1;
	*ms = ((calendar_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) *
	    1000) + frac;
	return 0;
}

const char *
history_target_name(struct core *core, const char *channel, const char *peer)
{
	struct channel	*ch;
	struct client	*to;

	if (channel[0] != '\0')
		return (ch = channel_find(core, channel)) != NULL ? ch->name : channel;
	return (to = client_find(core, peer)) != NULL ? to->nick : peer;
}

/* Queue len bytes for cl as they are: the tags are already on the line. */
static void
replay_queue(struct core *core, struct client *cl, const char *buf, size_t len)
{
	if (cl->local)
		core->out.queue(core->out.ctx, cl->conn, buf, len);
}

/* Append "key=value" or "key" (value already escaped) to the tag data in buf. */
static size_t
tag_add(char *buf, size_t off, size_t cap, const char *key, const char *value)
{
	int	n;

	n = snprintf(buf + off, cap - off, "%s%s%s%s", off > 1 ? ";" : "", key,
	    value != NULL ? "=" : "", value != NULL ? value : "");
	if (n < 0 || (size_t)n >= cap - off)
		return off;
	return off + (size_t)n;
}

/* The tags a stored message had for cl: time, account, msgid, client tags. */
static size_t
replay_tags(const struct client *cl, const struct history_rec *r, char *buf, size_t off,
    size_t cap)
{
	char	when[32], account[2 * ACCOUNT_NAME_MAX + 1];

	if (cl->caps & CAP_BIT(CAP_SERVER_TIME)) {
		tags_time_format(when, sizeof(when), r->time);
		off = tag_add(buf, off, cap, "time", when);
	}
	if ((cl->caps & CAP_BIT(CAP_ACCOUNT_TAG)) && r->account[0] != '\0') {
		msg_tag_escape(account, sizeof(account), r->account);
		off = tag_add(buf, off, cap, "account", account);
	}
	if (cl->caps & CAP_BIT(CAP_MESSAGE_TAGS)) {
		off = tag_add(buf, off, cap, "msgid", r->msgid);
		if (r->tags[0] != '\0')
			off = tag_add(buf, off, cap, r->tags, NULL);
	}
	return off;
}

/* One line of a replay, in batch (NULL: none).  A line of the server's own (TARGETS)
 * has no msgid and gets only the batch tag. */
static void
replay_line(struct core *core, struct client *cl, const char *batch,
    const struct history_rec *r)
{
	char	buf[TAGS_LINE_MAX + 8];
	size_t	off = 1, cap = sizeof(buf) - HISTORY_LINE_MAX - 4;

	buf[0] = '@';
	buf[1] = '\0';
	if (batch != NULL)
		off = tag_add(buf, off, cap, "batch", batch);
	if (r->msgid[0] != '\0')
		off = replay_tags(cl, r, buf, off, cap);
	if (off == 1)
		off = 0;	/* no tag at all: a plain line */
	else
		buf[off++] = ' ';
	off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s\r\n", r->line);
	replay_queue(core, cl, buf, off);
}

void
history_replay(struct core *core, struct client *cl, const char *type,
    const char *param, const struct history_rec *v, size_t n)
{
	char	id[24], label[sizeof(core->tags.label)], line[MSG_BODY_MAX + 256];
	char	when[40];
	int	k;

	/* multiclient: the replay is for the connection that asked (session.h). */
	cl = session_asker(core, cl);
	if (!(cl->caps & CAP_BIT(CAP_BATCH))) {
		for (size_t i = 0; i < n; i++)
			replay_line(core, cl, NULL, &v[i]);
		return;
	}
	snprintf(id, sizeof(id), "h%" PRIx64, ++core->history.batch_next);
	/* labeled-response: the batch itself answers the label. */
	tags_label_take(core, cl, label, sizeof(label));
	when[0] = '\0';
	if (cl->caps & CAP_BIT(CAP_SERVER_TIME)) {
		memcpy(when, "time=", 6);
		tags_time_format(when + 5, sizeof(when) - 5,
		    core->tags.now + core->wall_offset);
	}
	k = snprintf(line, sizeof(line), "%s%s%s%s%s%s:%s BATCH +%s %s%s%s\r\n",
	    label[0] != '\0' || when[0] != '\0' ? "@" : "",
	    label[0] != '\0' ? "label=" : "", label,
	    label[0] != '\0' && when[0] != '\0' ? ";" : "", when,
	    label[0] != '\0' || when[0] != '\0' ? " " : "", core->cfg.server_name, id,
	    type, param != NULL ? " " : "", param != NULL ? param : "");
	if (k > 0 && (size_t)k < sizeof(line))
		replay_queue(core, cl, line, (size_t)k);
	for (size_t i = 0; i < n; i++)
		replay_line(core, cl, id, &v[i]);
	k = snprintf(line, sizeof(line), "%s%s%s:%s BATCH -%s\r\n",
	    when[0] != '\0' ? "@" : "", when, when[0] != '\0' ? " " : "",
	    core->cfg.server_name, id);
	if (k > 0 && (size_t)k < sizeof(line))
		replay_queue(core, cl, line, (size_t)k);
}

/* The result of a query: a batch, or the FAIL for a store that could not answer. */
static void
query_done(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	const struct history_query	*q = &job->in.query;
	const char			*target = history_target_name(core, q->channel,
					    q->peer);
	char				 buf[MSG_BODY_MAX + 1];
	size_t				 len;

	(void)now;
	if (job->status != 0 && job->status != -ENOENT) {
		if (label[0] == '\0')
			return;	/* a JOIN replay: nothing to say */
		len = format_msg(buf, sizeof(buf), core->cfg.server_name, "FAIL", 5,
		    "CHATHISTORY", "MESSAGE_ERROR", label, target,
		    "Messages could not be retrieved");
		if (len > 0)
			send_line(core, cl, buf, len);
		return;
	}
	history_replay(core, cl, "chathistory", target, job->result.lines.v,
	    job->status == 0 ? job->result.lines.n : 0);
}

int
history_query_submit(struct core *core, struct client *cl,
    const struct history_query *q, const char *sub, int64_t now)
{
	struct job	*job;

	/* Whatever this turn relayed is in the store before the query reads it. */
	history_flush(core, now);
	if ((job = job_new(core, cl, JOB_HISTORY_QUERY, query_done,
	    sub != NULL ? sub : "")) == NULL)
		return -1;
	job->in.query = *q;
	job_submit(core, job, now);
	return 0;
}

void
history_join(struct core *core, struct client *cl, struct channel *ch, int64_t now)
{
	struct history_query	q;

	if (core->cfg.history_join_replay == 0 ||
	    (session_caps(core, cl) & CAP_BIT(CAP_CHATHISTORY)) ||
	    !history_channel_on(core, ch))
		return;
	memset(&q, 0, sizeof(q));
	q.sel = HISTORY_LATEST;
	names_fold(core, q.channel, sizeof(q.channel), ch->name);
	q.a.time = INT64_MIN;
	q.limit = core->cfg.history_join_replay;
	if (q.limit > core->cfg.history_query_max)
		q.limit = core->cfg.history_query_max;
	(void)history_query_submit(core, cl, &q, NULL, now);
}
