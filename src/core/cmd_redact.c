/*
 * REDACT (IRCv3 draft/message-redaction): an author takes back a message, or a
 * channel operator anyone's in the channel.  The line leaves the store first; once it
 * is gone, the REDACT is relayed to the conversation's clients that have the
 * capability, the sender included.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/casemap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/command.h"
#include "core/core.h"
#include "core/history.h"
#include "core/job_owner.h"
#include "core/names.h"
#include "core/reply.h"

static void
redact_fail(struct core *core, struct client *cl, const char *code, const char *target,
    const char *msgid, const char *text)
{
	char	buf[MSG_BODY_MAX + 1];
	size_t	len;

	if (msgid != NULL)
		len = format_msg(buf, sizeof(buf), core->cfg.server_name, "FAIL", 5,
		    "REDACT", code, target, msgid, text);
	else
		len = format_msg(buf, sizeof(buf), core->cfg.server_name, "FAIL", 4,
		    "REDACT", code, target, text);
	if (len > 0)
		send_line(core, cl, buf, len);
}

/* The line is gone from the store: tell the conversation. */
static void
redact_done(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	const struct history_redact	*r = &job->in.redact;
	char				 prefix[CLIENT_PREFIX_MAX], line[MSG_BODY_MAX + 1];
	const capset			 cap = CAP_BIT(CAP_MESSAGE_REDACTION);
	struct channel			*ch = NULL;
	struct client			*to = NULL;
	size_t				 len;

	(void)now, (void)label;
	if (r->channel[0] != '\0')
		ch = channel_find(core, r->channel);
	else
		to = client_find(core, r->peer);
	if (job->status != 0) {
		redact_fail(core, cl, job->status == -EPERM ? "REDACT_FORBIDDEN" :
		    "UNKNOWN_MSGID", ch != NULL ? ch->name : to != NULL ? to->nick : r->peer,
		    r->msgid, job->status == -EPERM ? "You may not redact that message" :
		    "No such message");
		return;
	}
	client_prefix(cl, prefix, sizeof(prefix));
	if (r->reason[0] != '\0')
		len = format_msg(line, sizeof(line), prefix, "REDACT", 3, ch != NULL ?
		    ch->name : r->peer, r->msgid, r->reason);
	else
		len = format_msg(line, sizeof(line), prefix, "REDACT", 2, ch != NULL ?
		    ch->name : r->peer, r->msgid);
	if (len == 0)
		return;
	if (ch != NULL)
		send_channel_caps(core, ch, cl, cap, 0, line, len);
	else if (to != NULL && to != cl && (to->caps & cap))
		send_line(core, to, line, len);
	if (cl->caps & cap)
		send_line(core, cl, line, len);
}

void
cmd_redact(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*target = m->params[0], *msgid = m->params[1];
	struct channel	*ch = NULL;
	struct member	*mb = NULL;
	struct job	*job;
	struct history_redact *r;

	if (!history_on(core) || (target[0] == '#' ?
	    (ch = channel_find(core, target)) == NULL ||
	    (mb = channel_member(ch, cl)) == NULL :
	    !names_nick_valid(core, target, CONFIG_NICKLEN_MAX))) {
		redact_fail(core, cl, "INVALID_TARGET", target, NULL,
		    "You cannot redact messages there");
		return;
	}
	if (msgid[0] == '\0' || strlen(msgid) > HISTORY_MSGID_MAX) {
		redact_fail(core, cl, "UNKNOWN_MSGID", target, msgid, "No such message");
		return;
	}
	/* The line may still wait in this turn's buffer. */
	history_flush(core, now);
	job = job_new(core, cl, JOB_HISTORY_REDACT, redact_done, "REDACT");
	if (job == NULL) {
		send_numeric(core, cl, ERR_UNKNOWNERROR, "REDACT " NUMERIC_NOMEM);
		return;
	}
	r = &job->in.redact;
	if (ch != NULL)
		names_fold(core, r->channel, sizeof(r->channel), ch->name);
	else {
		history_ident(core, cl, r->ident);
		names_fold(core, r->peer, sizeof(r->peer), target);
	}
	/* A channel operator redacts anyone's line there; others their own. */
	if (mb == NULL || !(mb->modes & MEMBER_OP))
		history_ident(core, cl, r->author);
	memcpy(r->msgid, msgid, strlen(msgid) + 1);
	if (m->nparams > 2)
		snprintf(r->reason, sizeof(r->reason), "%s", m->params[2]);
	job_submit(core, job, now);
}
