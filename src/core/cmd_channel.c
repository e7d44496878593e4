/*
 * Channel commands: JOIN (with the checks channel modes make), PART, TOPIC, NAMES,
 * RENAME (draft/channel-rename, with its PART and JOIN fallback).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cap.h"
#include "core/casemap.h"
#include "core/chanmode.h"
#include "core/chanreg.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/command.h"
#include "core/history.h"
#include "core/history_replay.h"
#include "core/metadata.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/session.h"
#include "core/target.h"
#include "core/utf8.h"

/* RPL_NAMREPLY lines for ch, as many as the names need.  With multi-prefix every
 * prefix shows, with userhost-in-names every nick!user@host. */
static void
names_lines(struct core *core, struct client *cl, struct channel *ch)
{
	char	head[MSG_BODY_MAX];
	char	names[MSG_BODY_MAX];
	size_t	room, len = 0;
	int	n;

	n = snprintf(head, sizeof(head), ":%s %s %s %c %s :", core->cfg.server_name,
	    numeric_code(RPL_NAMREPLY), client_name(cl), ch->modes & CHANNEL_SECRET ? '@' :
	    ch->modes & CHANNEL_PRIVATE ? '*' : '=', ch->name);
	if (n < 0 || (size_t)n >= sizeof(head))
		return;
	room = MSG_BODY_MAX - 2 - (size_t)n;
	for (size_t i = 0; i < ch->members.len; i++) {
		struct member	*m = ch->members.items[i];
		char		 name[CLIENT_PREFIX_MAX + 2];
		char		 full[CLIENT_PREFIX_MAX];
		size_t		 nlen;

		nlen = (size_t)snprintf(name, sizeof(name), "%s%s",
		    channel_prefixes(cl, m->modes),
		    (session_caps(core, cl) & CAP_BIT(CAP_USERHOST_IN_NAMES)) ?
		    client_prefix(m->client, full, sizeof(full)) : m->client->nick);
		if (len > 0 && len + 1 + nlen > room) {
			send_fmt(core, cl, "%s%.*s", head, (int)len, names);
			len = 0;
		}
		if (len > 0)
			names[len++] = ' ';
		memcpy(names + len, name, nlen);
		len += nlen;
	}
	if (len > 0)
		send_fmt(core, cl, "%s%.*s", head, (int)len, names);
}

void
channel_names_reply(struct core *core, struct client *cl, struct channel *ch)
{
	names_lines(core, cl, ch);
	send_reply(core, cl, RPL_ENDOFNAMES, "%s", ch->name);
}

void
channel_topic_reply(struct core *core, struct client *cl, struct channel *ch)
{
	if (ch->topic == NULL) {
		send_reply(core, cl, RPL_NOTOPIC, "%s", ch->name);
		return;
	}
	send_numeric(core, cl, RPL_TOPIC, "%s :%s", ch->name, ch->topic);
	send_numeric(core, cl, RPL_TOPICWHOTIME, "%s %s %lld", ch->name, ch->topic_setter,
	    (long long)ch->topic_time);
}

static void
part_one(struct core *core, struct client *cl, struct member *m, const char *reason)
{
	char	line[MSG_BODY_MAX + 1];
	char	prefix[CLIENT_PREFIX_MAX];
	size_t	len;

	client_prefix(cl, prefix, sizeof(prefix));
	if (reason != NULL && reason[0] != '\0')
		len = format_msg(line, sizeof(line), prefix, "PART", 2, m->channel->name,
		    reason);
	else
		len = format_msg(line, sizeof(line), prefix, "PART", 1, m->channel->name);
	send_channel(core, m->channel, NULL, line, len);
	history_event(core, cl, m->channel, line, len);		/* history */
	if (core->cluster != NULL)
		peer_send_part(core, cl, m->channel, reason);
	channel_part(core, m);
}

#define JOIN_OK		NUMERIC_COUNT	/* join_refusal: no refusal */

/*
 * The checks a channel's modes put on joining, in the order the protocol gives: a ban
 * (unless an exception matches), +R (an account, whatever invites say), TLS only (+z),
 * invite-only (unless invited or an invite exception matches), the key, the limit
 * (unless invited), the join throttle (+j).  Returns the error numeric, or JOIN_OK.
 */
static enum numeric
join_refusal(struct client *cl, struct channel *ch, const char *key, int64_t now)
{
	if (channel_list_matches(&ch->bans, cl) && !channel_list_matches(&ch->excepts, cl))
		return ERR_BANNEDFROMCHAN;
	if ((ch->modes & CHANNEL_REGONLY) && cl->account[0] == '\0')
		return ERR_NEEDREGGEDNICK;
	if ((ch->modes & CHANNEL_TLS_ONLY) && !(cl->flags & CLIENT_SECURE))
		return ERR_SECUREONLYCHAN;
	if ((ch->modes & CHANNEL_INVITE_ONLY) && !channel_invite_pending(ch, cl, false) &&
	    !channel_list_matches(&ch->invexes, cl))
		return ERR_INVITEONLYCHAN;
	if (ch->key[0] != '\0' && (key == NULL || strcmp(key, ch->key) != 0))
		return ERR_BADCHANNELKEY;
	if (ch->limit > 0 && ch->members.len >= ch->limit &&
	    !channel_invite_pending(ch, cl, false))
		return ERR_CHANNELISFULL;
	if (chanmode_join_throttled(ch, now))
		return ERR_THROTTLE;
	return JOIN_OK;
}

/* Whether a refusal sends cl on to ch's +f channel (solanum's rule: +i, +l, +j). */
static bool
join_forwards(const struct channel *ch, enum numeric why)
{
	return ch->forward[0] != '\0' && (why == ERR_INVITEONLYCHAN ||
	    why == ERR_CHANNELISFULL || why == ERR_THROTTLE);
}

/*
 * Tell the members (cl included) that cl joined: extended-join's form, with the account
 * ("*" when cl is logged in to none) and realname, to those that asked for it; and to
 * those with away-notify, cl's AWAY when it is away.
 */
void
channel_join_announce(struct core *core, struct client *cl, struct channel *ch)
{
	char		line[MSG_BODY_MAX + 1];
	char		prefix[CLIENT_PREFIX_MAX];
	size_t		len;
	capset		ext = CAP_BIT(CAP_EXTENDED_JOIN);

	client_prefix(cl, prefix, sizeof(prefix));
	len = format_msg(line, sizeof(line), prefix, "JOIN", 1, ch->name);
	send_channel_caps(core, ch, NULL, 0, ext, line, len);
	history_event(core, cl, ch, line, len);		/* history */
	len = format_msg(line, sizeof(line), prefix, "JOIN", 3, ch->name,
	    cl->account[0] != '\0' ? cl->account : "*",
	    cl->realname != NULL ? cl->realname : "");
	send_channel_caps(core, ch, NULL, ext, 0, line, len);
	if (cl->away == NULL)
		return;
	len = format_msg(line, sizeof(line), prefix, "AWAY", 1, cl->away);
	send_channel_caps(core, ch, cl, CAP_BIT(CAP_AWAY_NOTIFY), 0, line, len);
}

static void
join_one(struct core *core, struct client *cl, const char *name, const char *key,
    bool forwarded, int64_t now)
{
	struct channel	*ch;
	bool		 created = false;
	enum numeric	 why;
	char		 forward[CHANNEL_NAME_MAX + 1];

	if (!casemap_channel_valid(name, core->cfg.channellen)) {
		send_reply(core, cl, ERR_NOSUCHCHANNEL, "%s", name);
		return;
	}
	ch = channel_find(core, name);
	if (ch != NULL && channel_member(ch, cl) != NULL)
		return;
	if (cl->channels.len >= core->cfg.max_channels) {
		send_reply(core, cl, ERR_TOOMANYCHANNELS, "%s", name);
		return;
	}
	if (ch != NULL && (why = join_refusal(cl, ch, key, now)) != JOIN_OK) {
		/* Forwarded once: the second channel's own refusal is final. */
		if (!forwarded && join_forwards(ch, why)) {
			snprintf(forward, sizeof(forward), "%s", ch->forward);
			send_reply(core, cl, ERR_LINKCHANNEL, "%s %s", ch->name, forward);
			join_one(core, cl, forward, NULL, true, now);
		} else
			send_reply(core, cl, why, "%s", ch->name);
		return;
	}
	if (ch == NULL) {
		if ((ch = channel_create(core, name)) == NULL)
			goto nomem;
		ch->created = core_wall_seconds(core, now);
		created = true;
	}
	if (channel_join(core, ch, cl, created ? MEMBER_OP : 0) == NULL) {
		if (created)
			channel_free_if_empty(core, ch);
		goto nomem;
	}
	channel_invite_pending(ch, cl, true);
	chanmode_join_count(ch, now);
	if (core->cluster != NULL)
		peer_send_join(core, cl, ch, created ? MEMBER_OP : 0);
	channel_join_announce(core, cl, ch);
	if (ch->topic != NULL)
		channel_topic_reply(core, cl, ch);
	history_join_marker(core, cl, ch);	/* history: draft/read-marker */
	/* no-implicit-names: the client asks for NAMES itself when it wants them. */
	if (!(session_caps(core, cl) & CAP_BIT(CAP_NO_IMPLICIT_NAMES)))
		channel_names_reply(core, cl, ch);
	metadata_join(core, cl, ch);
	session_joined(core, cl, ch);
	chanreg_join(core, ch, cl);
	/* history: the last lines for a client that cannot ask (history_replay.c) */
	history_join(core, cl, ch, now);
	return;
nomem:
	send_numeric(core, cl, ERR_UNKNOWNERROR, "JOIN " NUMERIC_NOMEM);
}

void
cmd_join(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	char	*list = (char *)m->params[0];
	char	*keys = m->nparams > 1 ? (char *)m->params[1] : NULL;
	char	*name, *key;

	/* "JOIN 0" leaves every channel. */
	if (strcmp(list, "0") == 0) {
		while (cl->channels.len > 0)
			part_one(core, cl, cl->channels.items[cl->channels.len - 1], NULL);
		return;
	}
	while ((name = command_next_item(&list)) != NULL) {
		/* Keys pair with channels by position; an empty key is none. */
		key = NULL;
		if (keys != NULL) {
			key = keys;
			keys += strcspn(keys, ",");
			if (*keys == ',')
				*keys++ = '\0';
			else
				keys = NULL;
			if (key[0] == '\0')
				key = NULL;
		}
		join_one(core, cl, name, key, false, now);
	}
}

void
cmd_part(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	char		*list = (char *)m->params[0];
	char		*name;
	const char	*reason = m->nparams > 1 ? m->params[1] : NULL;

	(void)now;
	while ((name = command_next_item(&list)) != NULL) {
		struct channel	*ch = channel_find_visible(core, name, cl);
		struct member	*mb;

		if (ch == NULL)
			send_reply(core, cl, ERR_NOSUCHCHANNEL, "%s", name);
		else if ((mb = channel_member(ch, cl)) == NULL)
			send_reply(core, cl, ERR_NOTONCHANNEL, "%s", ch->name);
		else
			part_one(core, cl, mb, reason);
	}
}

void
cmd_topic(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	struct channel	*ch = channel_find_visible(core, m->params[0], cl);
	struct member	*mb;
	char		 line[MSG_BODY_MAX + 1];
	char		 prefix[CLIENT_PREFIX_MAX];
	char		*topic = NULL, *setter;
	size_t		 len;

	if (ch == NULL) {
		send_reply(core, cl, ERR_NOSUCHCHANNEL, "%s", m->params[0]);
		return;
	}
	mb = channel_member(ch, cl);
	if (m->nparams < 2) {
		channel_topic_reply(core, cl, ch);
		return;
	}
	if (mb == NULL) {
		send_reply(core, cl, ERR_NOTONCHANNEL, "%s", ch->name);
		return;
	}
	if ((ch->modes & CHANNEL_TOPIC_LOCK) && !(mb->modes & MEMBER_OP)) {
		send_reply(core, cl, ERR_CHANOPRIVSNEEDED, "%s", ch->name);
		return;
	}
	client_prefix(cl, prefix, sizeof(prefix));
	if (m->params[1][0] != '\0' &&
	    (topic = strndup(m->params[1], utf8_prefix(m->params[1],
	    core->cfg.topiclen))) == NULL)
		return;
	if ((setter = strdup(prefix)) == NULL) {
		free(topic);
		return;
	}
	free(ch->topic);
	free(ch->topic_setter);
	ch->topic = topic;
	ch->topic_setter = setter;
	ch->topic_time = core_wall_seconds(core, now);
	len = format_msg(line, sizeof(line), prefix, "TOPIC", 2, ch->name,
	    topic != NULL ? topic : "");
	send_channel(core, ch, NULL, line, len);
	history_event(core, cl, ch, line, len);		/* history */
	if (core->cluster != NULL)
		peer_send_topic(core, cl, ch);
	chanreg_changed(core, ch, cl, now);
}

/*
 * NAMES #a,#b: the 353s of each channel cl may see, then one 366 naming the list as
 * given (as ergo and InspIRCd do).  NAMES alone lists nothing: one 366 "*", which the
 * modern document allows.
 */
void
cmd_names(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	char	 given[MSG_BODY_MAX];
	char	*list, *name, *start;

	(void)now;
	if (m->nparams == 0 || m->params[0][0] == '\0') {
		send_reply(core, cl, RPL_ENDOFNAMES, "*");
		return;
	}
	snprintf(given, sizeof(given), "%s", m->params[0]);
	list = (char *)m->params[0];
	start = list;
	while ((name = command_next_item(&list)) != NULL) {
		/* A secret channel is not there for those outside it, as none is.  A
		 * channel named twice is listed once. */
		struct channel	*ch = channel_find_visible(core, name, cl);

		if (!target_repeated(start, name) && ch != NULL)
			names_lines(core, cl, ch);
	}
	send_reply(core, cl, RPL_ENDOFNAMES, "%s", given);
}

/* A member's connection without draft/channel-rename sees the member leave the old
 * name and join the new one, with the topic and names a JOIN brings. */
static void
rename_fallback(struct core *core, struct client *cl, struct client *conn,
    struct channel *ch, const char *old, const char *reason)
{
	char			 line[MSG_BODY_MAX + 1];
	char			 prefix[CLIENT_PREFIX_MAX];
	size_t			 len;
	struct session_saved	 sv;

	if (!conn->local || (conn->flags & CLIENT_HOLLOW) ||
	    (conn->caps & CAP_BIT(CAP_CHANNEL_RENAME)))
		return;
	session_only(core, conn, &sv);	/* multiclient: this connection alone */
	client_prefix(cl, prefix, sizeof(prefix));
	if (reason[0] != '\0')
		len = format_msg(line, sizeof(line), prefix, "PART", 2, old, reason);
	else
		len = format_msg(line, sizeof(line), prefix, "PART", 1, old);
	send_line(core, conn, line, len);
	len = format_msg(line, sizeof(line), prefix, "JOIN", 1, ch->name);
	send_line(core, conn, line, len);
	if (ch->topic != NULL)
		channel_topic_reply(core, conn, ch);
	channel_names_reply(core, conn, ch);
	session_only_end(core, &sv);
}

/* FAIL RENAME code #old #new :description; a new name that cannot be a middle
 * parameter shows as "*". */
static void
rename_fail(struct core *core, struct client *cl, const char *code, const char *old,
    const char *to, const char *description)
{
	char	line[MSG_BODY_MAX + 1];
	size_t	len;

	if (to[0] == '\0' || to[0] == ':' || strchr(to, ' ') != NULL)
		to = "*";
	len = format_msg(line, sizeof(line), core->cfg.server_name, "FAIL", 5, "RENAME",
	    code, old, to, description);
	send_line(core, cl, line, len);
}

/* Give ch the name to (its map key is the name).  Returns 0, or -1 out of memory,
 * when ch keeps its name. */
static int
rename_channel(struct core *core, struct channel *ch, const char *to)
{
	char	old[CHANNEL_NAME_MAX + 1];

	snprintf(old, sizeof(old), "%s", ch->name);
	map_del(&core->channels, ch->name);
	snprintf(ch->name, sizeof(ch->name), "%s", to);
	if (map_put(&core->channels, ch->name, ch) == 0)
		return 0;
	snprintf(ch->name, sizeof(ch->name), "%s", old);
	(void)map_put(&core->channels, ch->name, ch);
	return -1;
}

/* RENAME #old #new [:reason]: a channel operator renames the channel; members with
 * draft/channel-rename see RENAME, the others the fallback unless only the case
 * changes.  Errors: 403, 442, 482, FAIL RENAME CHANNEL_NAME_IN_USE / CANNOT_RENAME. */
void
cmd_rename(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	struct channel	*ch = channel_find_visible(core, m->params[0], cl);
	struct channel	*other;
	struct member	*mb;
	const char	*to = m->params[1];
	const char	*reason = m->nparams > 2 ? m->params[2] : "";
	char		 old[CHANNEL_NAME_MAX + 1], line[MSG_BODY_MAX + 1];
	char		 prefix[CLIENT_PREFIX_MAX];
	size_t		 len;
	bool		 case_only;

	if (ch == NULL) {
		send_reply(core, cl, ERR_NOSUCHCHANNEL, "%s", m->params[0]);
		return;
	}
	if ((mb = channel_member(ch, cl)) == NULL) {
		send_reply(core, cl, ERR_NOTONCHANNEL, "%s", ch->name);
		return;
	}
	if (!(mb->modes & MEMBER_OP)) {
		send_reply(core, cl, ERR_CHANOPRIVSNEEDED, "%s", ch->name);
		return;
	}
	snprintf(old, sizeof(old), "%s", ch->name);
	/* cluster: a rename would have to meet every node's JOINs on the way */
	if (core->cluster != NULL) {
		rename_fail(core, cl, "CANNOT_RENAME", old, to,
		    "Channels are not renamed on a network of several servers");
		return;
	}
	if (!casemap_channel_valid(to, core->cfg.channellen)) {
		rename_fail(core, cl, "CANNOT_RENAME", old, to,
		    "That is not a valid channel name");
		return;
	}
	if ((other = channel_find(core, to)) != NULL && other != ch) {
		rename_fail(core, cl, "CHANNEL_NAME_IN_USE", old, to,
		    "The channel name is already taken");
		return;
	}
	if (strcmp(old, to) == 0)
		return;
	case_only = casemap_eq(old, to);
	if (rename_channel(core, ch, to) == -1) {
		send_numeric(core, cl, ERR_UNKNOWNERROR, "RENAME " NUMERIC_NOMEM);
		return;
	}
	len = format_msg(line, sizeof(line), client_prefix(cl, prefix, sizeof(prefix)),
	    "RENAME", 3, old, ch->name, reason);
	send_channel_caps(core, ch, NULL, CAP_BIT(CAP_CHANNEL_RENAME), 0, line, len);
	if (case_only)
		return;
	history_rename(core, old, ch->name, now);	/* history */
	for (size_t i = 0; i < ch->members.len; i++) {
		struct client	*peer = ((struct member *)ch->members.items[i])->client;

		rename_fallback(core, peer, peer, ch, old, reason);
		for (size_t j = 0; j < peer->sessions.len; j++)
			rename_fallback(core, peer, peer->sessions.items[j], ch, old, reason);
	}
}
