/*
 * draft/multiline: the BATCH command for client batches, the lines collected under the
 * limits of the cap value, and the delivery at BATCH -ref (the batch, or the fallback
 * line by line).  Client-only tags on the opening BATCH are not relayed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/casemap.h"
#include "core/chanmode.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/command.h"
#include "core/core.h"
#include "core/history.h"
#include "core/multiline.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/session.h"
#include "core/silence.h"

struct multiline_part {
	char	*text;
	bool	 concat;	/* draft/multiline-concat: joined without a line feed */
};

struct multiline {
	char			 ref[MULTILINE_REF_MAX + 1];
	char			 target[CHANNEL_NAME_MAX + 1];
	struct multiline_part	 parts[MULTILINE_MAX_LINES];
	unsigned		 nparts;
	size_t			 bytes;		/* the combined message's length */
	bool			 failed;	/* refused: its lines and end are dropped */
};

void
multiline_free(struct client *cl)
{
	struct multiline	*ml = cl->multiline;

	if (ml == NULL)
		return;
	for (unsigned i = 0; i < ml->nparts; i++)
		free(ml->parts[i].text);
	free(ml);
	cl->multiline = NULL;
}

/* Drop the lines collected, keeping the reference: the rest of a refused batch is
 * dropped without a word, up to its BATCH -ref. */
static void
multiline_refuse(struct multiline *ml)
{
	for (unsigned i = 0; i < ml->nparts; i++)
		free(ml->parts[i].text);
	ml->nparts = 0;
	ml->failed = true;
}

/* FAIL BATCH code [params] :description; the open batch, if any, is refused. */
static void
multiline_fail(struct core *core, struct client *cl, const char *code,
    const char *params, const char *description)
{
	if (params != NULL)
		send_fmt(core, cl, ":%s FAIL BATCH %s %s :%s", core->cfg.server_name, code,
		    params, description);
	else
		send_fmt(core, cl, ":%s FAIL BATCH %s :%s", core->cfg.server_name, code,
		    description);
	if (cl->multiline != NULL)
		multiline_refuse(cl->multiline);
}

/* A reference we can use as our own batch id: a short run of [A-Za-z0-9_-]. */
static bool
multiline_ref_valid(const char *ref)
{
	size_t	n = strlen(ref);

	return n > 0 && n <= MULTILINE_REF_MAX && strspn(ref, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

bool
multiline_line(struct core *core, struct client *cl, struct msg *m)
{
	struct multiline	*ml = cl->multiline;
	const char		*ref = msg_tag_get(m, "batch");
	const char		*text;
	char			 both[2 * CHANNEL_NAME_MAX + 2];
	bool			 concat;
	size_t			 add;

	if (ref == NULL)
		return false;
	if (ml == NULL || strcmp(ref, ml->ref) != 0) {
		send_fmt(core, cl, ":%s FAIL BATCH MULTILINE_INVALID :No such batch open",
		    core->cfg.server_name);
		return true;
	}
	if (ml->failed)
		return true;
	if (m->nparams < 2 || !casemap_eq(m->params[0], ml->target)) {
		snprintf(both, sizeof(both), "%s %s", ml->target,
		    m->nparams > 0 && m->params[0][0] != '\0' &&
		    strchr(m->params[0], ' ') == NULL ? m->params[0] : "*");
		multiline_fail(core, cl, "MULTILINE_INVALID_TARGET", both,
		    "Invalid multiline target");
		return true;
	}
	text = m->params[1];
	concat = msg_tag_get(m, "draft/multiline-concat") != NULL;
	if (concat && text[0] == '\0') {
		multiline_fail(core, cl, "MULTILINE_INVALID", NULL,
		    "A blank line cannot be concatenated");
		return true;
	}
	add = strlen(text) + (ml->nparts > 0 && !concat ? 1 : 0);
	if (ml->nparts == MULTILINE_MAX_LINES) {
		multiline_fail(core, cl, "MULTILINE_MAX_LINES", "24",
		    "Multiline batch max-lines exceeded");
		return true;
	}
	if (ml->bytes + add > MULTILINE_MAX_BYTES) {
		multiline_fail(core, cl, "MULTILINE_MAX_BYTES", "4096",
		    "Multiline batch max-bytes exceeded");
		return true;
	}
	if ((ml->parts[ml->nparts].text = strdup(text)) == NULL) {
		multiline_fail(core, cl, "MULTILINE_INVALID", NULL, "Out of memory");
		return true;
	}
	ml->parts[ml->nparts++].concat = concat;
	ml->bytes += add;
	return true;
}

/* BATCH +ref draft/multiline target: open cl's batch. */
static void
multiline_open(struct core *core, struct client *cl, struct msg *m)
{
	struct multiline	*ml;

	if (m->nparams < 3 || strcmp(m->params[1], "draft/multiline") != 0 ||
	    !multiline_ref_valid(m->params[0] + 1) ||
	    strlen(m->params[2]) > CHANNEL_NAME_MAX || m->params[2][0] == '\0') {
		send_fmt(core, cl, ":%s FAIL BATCH MULTILINE_INVALID :Invalid multiline "
		    "batch", core->cfg.server_name);
		return;
	}
	multiline_free(cl);
	if ((ml = calloc(1, sizeof(*ml))) == NULL) {
		send_numeric(core, cl, ERR_UNKNOWNERROR, "BATCH " NUMERIC_NOMEM);
		return;
	}
	snprintf(ml->ref, sizeof(ml->ref), "%s", m->params[0] + 1);
	snprintf(ml->target, sizeof(ml->target), "%s", m->params[2]);
	cl->multiline = ml;
}

/* One recipient's copy: the batch for those with draft/multiline and batch, the
 * fallback (no blank lines, the msgid on the first only) for the others. */
static void
multiline_send(struct core *core, struct client *cl, struct client *to,
    const struct multiline *ml, const char *shown)
{
	char		 line[MSG_BODY_MAX + 1], prefix[CLIENT_PREFIX_MAX];
	char		 first[MULTILINE_REF_MAX + 40];
	size_t		 len;
	bool		 batch, sent = false;
	const capset	 need = CAP_BIT(CAP_MULTILINE) | CAP_BIT(CAP_BATCH);

	if (!to->local || (to->flags & CLIENT_HOLLOW))
		return;
	batch = (to->caps & need) == need;
	client_prefix(cl, prefix, sizeof(prefix));
	if (batch) {
		len = format_line(line, ":%s BATCH +%s draft/multiline %s", prefix, ml->ref,
		    shown);
		send_conn(core, to, line, len);
	}
	for (unsigned i = 0; i < ml->nparts; i++) {
		const struct multiline_part	*p = &ml->parts[i];

		if (!batch && p->text[0] == '\0')
			continue;
		len = format_msg(line, sizeof(line), prefix, "PRIVMSG", 2, shown, p->text);
		if (batch) {
			snprintf(first, sizeof(first), "batch=%s%s", ml->ref,
			    p->concat ? ";draft/multiline-concat" : "");
			tags_send_plain_conn(core, to, first, line, len);
		} else if (!sent)
			send_conn(core, to, line, len);
		else
			tags_send_plain_conn(core, to, "", line, len);
		sent = true;
	}
	if (batch) {
		len = format_line(line, ":%s BATCH -%s", core->cfg.server_name, ml->ref);
		tags_send_plain_conn(core, to, "", line, len);
	}
}

/* Each connection of the user to but skip (multiclient, session.h) gets its copy. */
static void
multiline_user(struct core *core, struct client *cl, struct client *to,
    const struct client *skip, const struct multiline *ml, const char *shown)
{
	if (to != skip)
		multiline_send(core, cl, to, ml, shown);
	for (size_t i = 0; i < to->sessions.len; i++)
		if (to->sessions.items[i] != skip)
			multiline_send(core, cl, to->sessions.items[i], ml, shown);
}

/* Whether cl may send every line of ml to ch; says why not (404) otherwise. */
static bool
multiline_channel_ok(struct core *core, struct client *cl, struct channel *ch,
    const struct multiline *ml)
{
	const char	*why = NULL;

	if (!channel_can_send(ch, cl)) {
		send_reply(core, cl, ERR_CANNOTSENDTOCHAN, "%s", ch->name);
		return false;
	}
	for (unsigned i = 0; i < ml->nparts && why == NULL; i++)
		why = chanmode_send_refused(ch, cl, false, ml->parts[i].text);
	if (why == NULL)
		return true;
	send_numeric(core, cl, ERR_CANNOTSENDTOCHAN, "%s :%s", ch->name, why);
	return false;
}

/* history: the message is kept as its fallback lines (history.c), blank ones left out;
 * a silenced private message is not kept. */
static void
multiline_history(struct core *core, struct client *cl, struct channel *ch,
    struct client *to, const struct multiline *ml)
{
	char		 line[MSG_BODY_MAX + 1], prefix[CLIENT_PREFIX_MAX];
	size_t		 len;
	unsigned	 n = 0;

	if (ch == NULL && silence_blocks(to, cl))
		return;
	client_prefix(cl, prefix, sizeof(prefix));
	for (unsigned i = 0; i < ml->nparts; i++) {
		if (ml->parts[i].text[0] == '\0')
			continue;
		len = format_msg(line, sizeof(line), prefix, "PRIVMSG", 2,
		    ch != NULL ? ch->name : to->nick, ml->parts[i].text);
		history_note_part(core, cl, ch, to, n++, line, len);
	}
}

static void	multiline_peer_send(struct core *core, struct client *cl,
		    const struct multiline *ml, struct channel *ch, struct client *to);

/* BATCH -ref: deliver cl's batch to its target, echo it with echo-message. */
static void
multiline_close(struct core *core, struct client *cl, const char *ref, int64_t now)
{
	struct multiline	*ml = cl->multiline;
	struct channel		*ch = NULL;
	struct client		*to = NULL, *asker;
	char			 label[2 * TAGS_LABEL_MAX + 1];
	bool			 text = false;

	if (ml == NULL || strcmp(ref, ml->ref) != 0) {
		send_fmt(core, cl, ":%s FAIL BATCH MULTILINE_INVALID :No such batch open",
		    core->cfg.server_name);
		return;
	}
	if (ml->failed) {
		multiline_free(cl);
		return;
	}
	for (unsigned i = 0; i < ml->nparts; i++)
		text = text || ml->parts[i].text[0] != '\0';
	if (!text) {
		multiline_fail(core, cl, "MULTILINE_INVALID", NULL,
		    "A multiline batch needs a line that is not blank");
		multiline_free(cl);
		return;
	}
	if (ml->target[0] == '#') {
		ch = channel_find(core, ml->target);
		if (ch == NULL || (!channel_visible(ch, cl) && !channel_can_send(ch, cl)))
			send_reply(core, cl, ERR_NOSUCHNICK, "%s", ml->target);
		if (ch == NULL || !multiline_channel_ok(core, cl, ch, ml)) {
			multiline_free(cl);
			return;
		}
	} else if ((to = client_find(core, ml->target)) == NULL ||
	    to->state != CLIENT_REGISTERED) {
		send_reply(core, cl, ERR_NOSUCHNICK, "%s", ml->target);
		multiline_free(cl);
		return;
	}
	/* The batch's lines go out in order, none held for a label. */
	tags_label_take(core, cl, label, sizeof(label));
	cl->last_message = now;
	tags_message(core, cl, true);
	multiline_history(core, cl, ch, to, ml);	/* history */
	if (ch != NULL) {
		for (size_t i = 0; i < ch->members.len; i++) {
			struct client	*peer = ((struct member *)ch->members.items[i])->client;

			if (peer != cl)
				multiline_user(core, cl, peer, NULL, ml, ch->name);
		}
	} else if (to != cl && !silence_blocks(to, cl))
		multiline_user(core, cl, to, NULL, ml, to->nick);
	/* The sender's other connections see it (the self-message convention), the
	 * asking one with echo-message. */
	asker = session_asker(core, cl);
	multiline_user(core, cl, cl, asker, ml, ch != NULL ? ch->name : to->nick);
	if ((asker->caps & CAP_BIT(CAP_ECHO_MESSAGE)) || to == cl)
		multiline_send(core, cl, asker, ml, ch != NULL ? ch->name : to->nick);
	if (core->cluster != NULL)
		multiline_peer_send(core, cl, ml, ch, to);
	tags_message(core, NULL, false);
	multiline_free(cl);
}

/* cluster: the batch once to each node with a recipient, its msgid and time. */
static void
multiline_peer_send(struct core *core, struct client *cl, const struct multiline *ml,
    struct channel *ch, struct client *to)
{
	const char	*texts[MULTILINE_MAX_LINES];
	bool		 concat[MULTILINE_MAX_LINES];

	if (ch == NULL && silence_blocks(to, cl))
		return;
	for (unsigned i = 0; i < ml->nparts; i++) {
		texts[i] = ml->parts[i].text;
		concat[i] = ml->parts[i].concat;
	}
	peer_send_multiline(core, cl, ch, to, ml->ref, ml->nparts, texts, concat);
}

void
multiline_peer_part(struct client *cl, const char *ref, bool concat, const char *text)
{
	struct multiline	*ml = cl->multiline;
	size_t			 add;

	if (!multiline_ref_valid(ref))
		return;
	if (ml == NULL || strcmp(ml->ref, ref) != 0) {
		multiline_free(cl);
		if ((ml = calloc(1, sizeof(*ml))) == NULL)
			return;
		snprintf(ml->ref, sizeof(ml->ref), "%s", ref);
		cl->multiline = ml;
	}
	add = strlen(text) + (ml->nparts > 0 && !concat ? 1 : 0);
	if (ml->nparts == MULTILINE_MAX_LINES || ml->bytes + add > MULTILINE_MAX_BYTES ||
	    (concat && text[0] == '\0') ||
	    (ml->parts[ml->nparts].text = strdup(text)) == NULL)
		return;
	ml->parts[ml->nparts++].concat = concat;
	ml->bytes += add;
}

void
multiline_peer_end(struct core *core, struct client *cl, const char *ref,
    struct channel *ch, struct client *to)
{
	struct multiline	*ml = cl->multiline;

	if (ml == NULL || strcmp(ml->ref, ref) != 0 || ml->nparts == 0) {
		multiline_free(cl);
		return;
	}
	if (ch != NULL) {
		for (size_t i = 0; i < ch->members.len; i++) {
			struct client	*peer = ((struct member *)ch->members.items[i])->client;

			if (peer != cl)
				multiline_user(core, cl, peer, NULL, ml, ch->name);
		}
	} else if (to != NULL && to->local && !silence_blocks(to, cl))
		multiline_user(core, cl, to, NULL, ml, to->nick);
	multiline_free(cl);
}

/* BATCH +ref type params / BATCH -ref: only draft/multiline batches, only for clients
 * that negotiated it (to the others BATCH is an unknown command, as TAGMSG). */
void
cmd_batch(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	if (!(cl->caps & CAP_BIT(CAP_MULTILINE))) {
		send_reply(core, cl, ERR_UNKNOWNCOMMAND, "%s", m->verb);
		return;
	}
	if (m->params[0][0] == '+')
		multiline_open(core, cl, m);
	else if (m->params[0][0] == '-')
		multiline_close(core, cl, m->params[0] + 1, now);
	else
		send_fmt(core, cl, ":%s FAIL BATCH MULTILINE_INVALID :Invalid multiline "
		    "batch", core->cfg.server_name);
}
