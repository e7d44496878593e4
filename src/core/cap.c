/*
 * IRCv3 capability negotiation: the capability table and the CAP command (LS with
 * values and continuation lines for version 302, LIST, atomic REQ, END), and CAP
 * NEW/DEL for clients with cap-notify when a reload changes what is offered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cap.h"
#include "core/client.h"
#include "core/command.h"
#include "core/metadata.h"
#include "core/multiline.h"
#include "core/reply.h"
#include "core/sasl.h"

#define CAP_VALUE_MAX	64

struct cap_def {
	const char	*name;
	/* Offered only when this says so; NULL: always. */
	bool		(*offered)(const struct core *core);
	/* The value shown by CAP LS 302 into buf, or NULL for none; NULL: never one. */
	const char	*(*value)(const struct core *core, const struct client *cl,
			    char *buf, size_t cap);
};

/* STS: offered while the driver has a TLS listener to send clients to. */
static bool
cap_sts_offered(const struct core *core)
{
	return core->cfg.sts_port != 0;
}

/* The policy part for this connection's kind: where to upgrade from plaintext, how
 * long to keep the policy once on TLS (seconds). */
static const char *
cap_sts_value(const struct core *core, const struct client *cl, char *buf, size_t cap)
{
	if (cl->flags & CLIENT_SECURE)
		snprintf(buf, cap, "duration=%lld",
		    (long long)(core->cfg.sts_duration / 1000));
	else
		snprintf(buf, cap, "port=%u", core->cfg.sts_port);
	return buf;
}

/* draft/multiline: its limits (multiline.h). */
static const char *
cap_multiline_value(const struct core *core, const struct client *cl, char *buf,
    size_t cap)
{
	(void)core, (void)cl;
	snprintf(buf, cap, "max-bytes=%u,max-lines=%u", MULTILINE_MAX_BYTES,
	    MULTILINE_MAX_LINES);
	return buf;
}

/* draft/metadata-2: its limits (metadata.h). */
static const char *
cap_metadata_value(const struct core *core, const struct client *cl, char *buf,
    size_t cap)
{
	(void)core, (void)cl;
	snprintf(buf, cap, "maxsub=%u,maxkey=%u", METADATA_MAX_SUBS, METADATA_MAX_KEYS);
	return buf;
}

/* In enum cap order. */
static const struct cap_def caps[CAP_COUNT] = {
	[CAP_ACCOUNT_NOTIFY] =		{ "account-notify",	NULL,	NULL },
	[CAP_ACCOUNT_TAG] =		{ "account-tag",	NULL,	NULL },
	[CAP_AWAY_NOTIFY] =		{ "away-notify",	NULL,	NULL },
	[CAP_BATCH] =			{ "batch",		NULL,	NULL },
	[CAP_CAP_NOTIFY] =		{ "cap-notify",		NULL,	NULL },
	[CAP_CHGHOST] =			{ "chghost",		NULL,	NULL },
	[CAP_ECHO_MESSAGE] =		{ "echo-message",	NULL,	NULL },
	[CAP_EXTENDED_JOIN] =		{ "extended-join",	NULL,	NULL },
	[CAP_INVITE_NOTIFY] =		{ "invite-notify",	NULL,	NULL },
	[CAP_LABELED_RESPONSE] =	{ "labeled-response",	NULL,	NULL },
	[CAP_MESSAGE_TAGS] =		{ "message-tags",	NULL,	NULL },
	[CAP_MULTI_PREFIX] =		{ "multi-prefix",	NULL,	NULL },
	[CAP_SERVER_TIME] =		{ "server-time",	NULL,	NULL },
	[CAP_SETNAME] =			{ "setname",		NULL,	NULL },
	[CAP_STANDARD_REPLIES] =	{ "standard-replies",	NULL,	NULL },
	[CAP_STS] =			{ "sts", cap_sts_offered, cap_sts_value },
	[CAP_USERHOST_IN_NAMES] =	{ "userhost-in-names",	NULL,	NULL },
	/* h-proto (issue 20) */
	[CAP_EXTENDED_MONITOR] =	{ "extended-monitor",	NULL,	NULL },
	[CAP_NO_IMPLICIT_NAMES] =	{ "no-implicit-names",	NULL,	NULL },
	[CAP_PRE_AWAY] =		{ "draft/pre-away",	NULL,	NULL },
	[CAP_CHANNEL_RENAME] =		{ "draft/channel-rename", NULL,	NULL },
	[CAP_MULTILINE] =		{ "draft/multiline",	NULL,	cap_multiline_value },
	[CAP_METADATA] =		{ "draft/metadata-2",	NULL,	cap_metadata_value },
	/* history */
	[CAP_CHATHISTORY] =		{ "draft/chathistory", history_cap_offered, NULL },
	[CAP_READ_MARKER] =		{ "draft/read-marker", history_cap_offered, NULL },
	[CAP_MESSAGE_REDACTION] =	{ "draft/message-redaction", history_cap_offered,
					    NULL },
	[CAP_EVENT_PLAYBACK] =		{ "draft/event-playback", history_cap_offered, NULL },
	/* accounts */
	[CAP_ACCOUNT_REGISTRATION] =	{ "draft/account-registration",
					    cmd_account_cap_offered, cmd_account_cap_value },
	[CAP_SASL] =			{ "sasl", NULL, cmd_sasl_cap_value },
};

capset
cap_available(const struct core *core)
{
	capset		set = 0;

	for (unsigned i = 0; i < CAP_COUNT; i++)
		if (caps[i].offered == NULL || caps[i].offered(core))
			set |= CAP_BIT(i);
	return set;
}

const char *
cap_name(enum cap c)
{
	return caps[c].name;
}

int
cap_lookup(const char *name, size_t len)
{
	for (unsigned i = 0; i < CAP_COUNT; i++)
		if (strlen(caps[i].name) == len && strncmp(caps[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/*
 * Send "CAP nick SUB :names" for the set, split over as many lines as it takes.  Clients
 * of version 302 get values and a "*" on every line but the last; older clients get
 * plain names, in several lines only if they must.
 */
static void
cap_send_set(struct core *core, struct client *cl, const char *sub, capset set,
    bool values)
{
	char		 head[MSG_BODY_MAX], list[MSG_BODY_MAX];
	char		 value[CAP_VALUE_MAX];
	size_t		 room, used = 0;
	int		 n;
	bool		 v302 = cl->cap_version >= 302;

	n = snprintf(head, sizeof(head), ":%s CAP %s %s", core->cfg.server_name,
	    client_name(cl), sub);
	if (n < 0 || (size_t)n + 8 >= sizeof(head))
		return;
	/* Room for the names: the line less its head, " * :" and CR LF. */
	room = MSG_BODY_MAX - (size_t)n - 6;
	list[0] = '\0';
	for (unsigned i = 0; i < CAP_COUNT; i++) {
		const char	*val = NULL;
		size_t		 need;

		if (!(set & CAP_BIT(i)))
			continue;
		if (values && v302 && caps[i].value != NULL)
			val = caps[i].value(core, cl, value, sizeof(value));
		need = strlen(caps[i].name) + (val ? 1 + strlen(val) : 0);
		if (used > 0 && used + 1 + need > room) {
			send_fmt(core, cl, "%s%s:%s", head, v302 ? " * " : " ", list);
			used = 0;
		}
		n = snprintf(list + used, sizeof(list) - used, "%s%s%s%s",
		    used > 0 ? " " : "", caps[i].name, val ? "=" : "", val ? val : "");
		if (n > 0)
			used += (size_t)n;
	}
	send_fmt(core, cl, "%s :%s", head, list);
}

/* Parse the REQ list into bits to add and to remove.  Returns 0, or -1 when any entry
 * is unknown, not offered or not allowed: the whole request is then refused. */
static int
cap_parse_req(const struct core *core, const struct client *cl, const char *req,
    capset *add, capset *del)
{
	capset		 offered = cap_available(core);
	const char	*p = req;

	*add = *del = 0;
	while (*p != '\0') {
		bool	 minus = false;
		size_t	 len;
		int	 c;

		if (*p == ' ') {
			p++;
			continue;
		}
		if (*p == '-') {
			minus = true;
			p++;
		}
		len = strcspn(p, " ");
		if ((c = cap_lookup(p, len)) == -1 || !(offered & CAP_BIT(c)))
			return -1;
		/* Version 302 turns cap-notify on for good. */
		if (minus && c == CAP_CAP_NOTIFY && cl->cap_version >= 302)
			return -1;
		if (minus)
			*del |= CAP_BIT(c);
		else
			*add |= CAP_BIT(c);
		p += len;
	}
	return (*add & *del) ? -1 : 0;
}

static void
cap_req(struct core *core, struct client *cl, const char *req)
{
	capset		add, del;

	if (cl->state != CLIENT_REGISTERED)
		cl->flags |= CLIENT_CAP_HOLD;
	if (cap_parse_req(core, cl, req, &add, &del) == -1) {
		send_fmt(core, cl, ":%s CAP %s NAK :%s", core->cfg.server_name,
		    client_name(cl), req);
		return;
	}
	/* The ACK goes out under the old set: what it enables starts with the next line. */
	send_fmt(core, cl, ":%s CAP %s ACK :%s", core->cfg.server_name, client_name(cl),
	    req);
	cl->caps = (cl->caps | add) & ~del;
	/* draft/metadata-2: the client's stored metadata (none kept yet: empty). */
	if ((add & CAP_BIT(CAP_METADATA)) && !(del & CAP_BIT(CAP_METADATA)))
		metadata_cap_acked(core, cl);
}

void
cmd_cap(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*sub = m->params[0];

	if (strcasecmp(sub, "LS") == 0) {
		if (m->nparams > 1) {
			long	v = strtol(m->params[1], NULL, 10);

			if (v >= 302 && (unsigned)v > cl->cap_version) {
				cl->cap_version = v > 65535 ? 65535 : (unsigned)v;
				cl->caps |= CAP_BIT(CAP_CAP_NOTIFY);
			}
		}
		if (cl->state != CLIENT_REGISTERED)
			cl->flags |= CLIENT_CAP_HOLD;
		cap_send_set(core, cl, "LS", cap_available(core), true);
	} else if (strcasecmp(sub, "LIST") == 0) {
		cap_send_set(core, cl, "LIST", cl->caps, false);
	} else if (strcasecmp(sub, "REQ") == 0) {
		if (m->nparams < 2)
			send_reply(core, cl, ERR_NEEDMOREPARAMS, "CAP");
		else
			cap_req(core, cl, m->params[1]);
	} else if (strcasecmp(sub, "END") == 0) {
		if (cl->flags & CLIENT_CAP_HOLD) {
			/* A SASL exchange still open ends here (sasl 3.1). */
			sasl_abort(core, cl);
			cl->flags &= ~CLIENT_CAP_HOLD;
			client_register(core, cl, now);
		}
	} else {
		send_reply(core, cl, ERR_INVALIDCAPCMD, "%s", sub);
	}
}

void
cap_notify_changes(struct core *core, capset before)
{
	capset		 after = cap_available(core);
	capset		 added = after & ~before, gone = before & ~after;
	struct list	*n;

	if (added == 0 && gone == 0)
		return;
	for (n = core->clients.next; n != &core->clients; n = n->next) {
		struct client	*cl = list_entry(n, struct client, all);

		if (!(cl->caps & CAP_BIT(CAP_CAP_NOTIFY)))
			continue;
		if (added != 0)
			cap_send_set(core, cl, "NEW", added, true);
		if (gone != 0) {
			cl->caps &= ~gone;
			cap_send_set(core, cl, "DEL", gone, false);
		}
	}
}
