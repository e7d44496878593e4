/*
 * MARKREAD (IRCv3 draft/read-marker): an account's last read time per target, kept on
 * the store, and sent to every connection of that account which has the capability
 * when it moves.  The core holds every marker (loaded at start), so a get and the
 * MARKREAD that follows a JOIN need no job; a set is answered once it is on disk.  A
 * client logged in to no account has no marker: "*".
 */
#include <string.h>

#include "core/casemap.h"
#include "core/client.h"
#include "core/command.h"
#include "core/core.h"
#include "core/history.h"
#include "core/history_replay.h"
#include "core/job_owner.h"
#include "core/names.h"
#include "core/reply.h"
#include "core/session.h"
#include "core/tags.h"

static void
markread_fail(struct core *core, struct client *cl, const char *code,
    const char *target, const char *text)
{
	char	buf[MSG_BODY_MAX + 1];
	size_t	len;

	if (target != NULL)
		len = format_msg(buf, sizeof(buf), core->cfg.server_name, "FAIL", 4,
		    "MARKREAD", code, target, text);
	else
		len = format_msg(buf, sizeof(buf), core->cfg.server_name, "FAIL", 3,
		    "MARKREAD", code, text);
	if (len > 0)
		send_line(core, cl, buf, len);
}

/* "MARKREAD target timestamp=..." (or "*" for no marker) to cl. */
static void
markread_send(struct core *core, struct client *cl, const char *target, int64_t time)
{
	char	when[48] = "*";

	if (time > 0) {
		memcpy(when, "timestamp=", 10);
		tags_time_format(when + 10, sizeof(when) - 10, time);
	}
	send_fmt(core, cl, ":%s MARKREAD %s %s", core->cfg.server_name, target, when);
}

static void
markread_done(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	const struct history_marker	*m = &job->result.marker;
	struct client			*other;
	struct list			*n;

	(void)now;
	if (job->status != 0 || history_marker_keep(core, m) != 0) {
		markread_fail(core, cl, "INTERNAL_ERROR", label,
		    "The read marker could not be kept");
		return;
	}
	markread_send(core, cl, label, m->time);
	/* The account's other connections follow (the requester got its answer). */
	for (n = core->clients.next; n != &core->clients; n = n->next) {
		struct session_saved	sv;

		other = list_entry(n, struct client, all);
		if (other == session_asker(core, cl) ||
		    !(other->caps & CAP_BIT(CAP_READ_MARKER)) ||
		    other->account[0] == '\0' ||
		    !names_eq(core, other->account, m->account))
			continue;
		/* Each connection of the account (multiclient: session.h) once. */
		session_only(core, other, &sv);
		markread_send(core, other, label, m->time);
		session_only_end(core, &sv);
	}
}

void
cmd_markread(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*target = m->nparams > 0 ? m->params[0] : "";
	char		 account[ACCOUNT_NAME_MAX + 1], folded[CONFIG_CHANNELLEN_MAX + 1];
	struct job	*job;
	int64_t		 time = 0;

	if (m->nparams == 0 || target[0] == '\0') {
		markread_fail(core, cl, "NEED_MORE_PARAMS", NULL, "Missing parameters");
		return;
	}
	if (strlen(target) > JOB_LABEL_MAX || !(casemap_channel_valid(target,
	    CONFIG_CHANNELLEN_MAX) ||
	    names_nick_valid(core, target, CONFIG_NICKLEN_MAX))) {
		markread_fail(core, cl, "INVALID_PARAMS", target, "Invalid target");
		return;
	}
	if (m->nparams > 1 && (strncmp(m->params[1], "timestamp=", 10) != 0 ||
	    history_time_parse(m->params[1] + 10, &time) != 0 || time <= 0)) {
		markread_fail(core, cl, "INVALID_PARAMS", target, "Invalid timestamp");
		return;
	}
	if (cl->account[0] == '\0' || !history_on(core)) {
		markread_send(core, cl, target, 0);
		return;
	}
	names_fold(core, account, sizeof(account), cl->account);
	names_fold(core, folded, sizeof(folded), target);
	if (m->nparams < 2) {
		markread_send(core, cl, target, history_marker(core, account, folded));
		return;
	}
	if ((job = job_new(core, cl, JOB_MARKER_SET, markread_done, target)) == NULL) {
		send_numeric(core, cl, ERR_UNKNOWNERROR, "MARKREAD " NUMERIC_NOMEM);
		return;
	}
	memcpy(job->in.marker.account, account, sizeof(account));
	memcpy(job->in.marker.target, folded, sizeof(folded));
	job->in.marker.time = time;
	job_submit(core, job, now);
}
