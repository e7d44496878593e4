/*
 * KICK and INVITE: channel operators removing members and letting users in.
 */
#include <stdio.h>
#include <string.h>

#include "core/cap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/command.h"
#include "core/history.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/silence.h"
#include "core/utf8.h"

/* The channel cl acts on as an operator: NULL after 403, 442 or 482. */
static struct channel *
kick_channel(struct core *core, struct client *cl, const char *name)
{
	struct channel	*ch = channel_find_visible(core, name, cl);
	struct member	*mb;

	if (ch == NULL) {
		send_reply(core, cl, ERR_NOSUCHCHANNEL, "%s", name);
		return NULL;
	}
	if ((mb = channel_member(ch, cl)) == NULL) {
		send_reply(core, cl, ERR_NOTONCHANNEL, "%s", ch->name);
		return NULL;
	}
	if (!(mb->modes & MEMBER_OP)) {
		send_reply(core, cl, ERR_CHANOPRIVSNEEDED, "%s", ch->name);
		return NULL;
	}
	return ch;
}

/* Remove nick from ch; every member, the target included, sees the KICK. */
static void
kick_one(struct core *core, struct client *cl, struct channel *ch, const char *nick,
    const char *reason)
{
	struct client	*who = client_find(core, nick);
	struct member	*mb;
	char		 line[MSG_BODY_MAX + 1];
	char		 prefix[CLIENT_PREFIX_MAX];
	size_t		 len;

	if (who == NULL || who->state != CLIENT_REGISTERED) {
		send_reply(core, cl, ERR_NOSUCHNICK, "%s", nick);
		return;
	}
	if ((mb = channel_member(ch, who)) == NULL) {
		send_reply(core, cl, ERR_USERNOTINCHANNEL, "%s %s", who->nick, ch->name);
		return;
	}
	len = format_msg(line, sizeof(line), client_prefix(cl, prefix, sizeof(prefix)),
	    "KICK", 3, ch->name, who->nick, reason);
	send_channel(core, ch, NULL, line, len);
	history_event(core, cl, ch, line, len);		/* history */
	if (core->cluster != NULL)
		peer_send_kick(core, cl, ch, who, reason);
	channel_part(core, mb);
}

/* KICK #chan nick[,nick...] [:reason]; the reason defaults to the kicker's nick. */
void
cmd_kick(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	struct channel	*ch;
	char		 reason[MSG_BODY_MAX + 1];
	char		*list = (char *)m->params[1];
	char		*nick;
	const char	*text;
	unsigned	 n = 0;

	(void)now;
	if ((ch = kick_channel(core, cl, m->params[0])) == NULL)
		return;
	text = m->nparams > 2 && m->params[2][0] != '\0' ? m->params[2] : cl->nick;
	/* Cut at KICKLEN, never inside a UTF-8 sequence. */
	snprintf(reason, sizeof(reason), "%.*s",
	    (int)utf8_prefix(text, core->cfg.kicklen), text);
	/* The channel goes away with its last member: stop kicking then.  At most
	 * TARGMAX KICK nicks; the first one over gets 407. */
	while ((nick = command_next_item(&list)) != NULL &&
	    channel_find(core, m->params[0]) == ch) {
		if (++n > core->cfg.max_targets) {
			send_reply(core, cl, ERR_TOOMANYTARGETS, "%s", nick);
			return;
		}
		kick_one(core, cl, ch, nick, reason);
	}
}

/* INVITE with no parameters: the channels cl has a pending invite to. */
static void
invite_list(struct core *core, struct client *cl)
{
	size_t		 pos = 0;
	const char	*key;
	void		*value;

	while (map_next(&core->channels, &pos, &key, &value)) {
		struct channel	*ch = value;

		if (channel_invite_pending(ch, cl, false))
			send_numeric(core, cl, RPL_INVITELIST, "%s", ch->name);
	}
	send_reply(core, cl, RPL_ENDOFINVITELIST, NULL);
}

/*
 * invite-notify: the INVITE also goes to the members that negotiated it and could have
 * sent it themselves (on a +i channel the operators, else everyone), as the
 * specification allows, so an invite-only channel's guest list stays with its ops.
 */
static void
invite_notify(struct core *core, struct client *cl, struct channel *ch,
    const char *line, size_t len)
{
	for (size_t i = 0; i < ch->members.len; i++) {
		struct member	*mb = ch->members.items[i];

		if (mb->client == cl || !(mb->client->caps & CAP_BIT(CAP_INVITE_NOTIFY)))
			continue;
		if ((ch->modes & CHANNEL_INVITE_ONLY) && !(mb->modes & MEMBER_OP))
			continue;
		send_line(core, mb->client, line, len);
	}
}

/* INVITE nick #chan: members invite; on a +i channel only operators do. */
void
cmd_invite(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	struct client	*who;
	struct channel	*ch;
	struct member	*mb;
	char		 line[MSG_BODY_MAX + 1];
	char		 prefix[CLIENT_PREFIX_MAX];
	size_t		 len;

	(void)now;
	if (m->nparams == 0) {
		invite_list(core, cl);
		return;
	}
	if (m->nparams < 2) {
		send_reply(core, cl, ERR_NEEDMOREPARAMS, "INVITE");
		return;
	}
	who = client_find(core, m->params[0]);
	if (who == NULL || who->state != CLIENT_REGISTERED) {
		send_reply(core, cl, ERR_NOSUCHNICK, "%s", m->params[0]);
		return;
	}
	if ((ch = channel_find_visible(core, m->params[1], cl)) == NULL) {
		send_reply(core, cl, ERR_NOSUCHCHANNEL, "%s", m->params[1]);
		return;
	}
	if ((mb = channel_member(ch, cl)) == NULL) {
		send_reply(core, cl, ERR_NOTONCHANNEL, "%s", ch->name);
		return;
	}
	if ((ch->modes & CHANNEL_INVITE_ONLY) && !(mb->modes & MEMBER_OP)) {
		send_reply(core, cl, ERR_CHANOPRIVSNEEDED, "%s", ch->name);
		return;
	}
	if (channel_member(ch, who) != NULL) {
		send_reply(core, cl, ERR_USERONCHANNEL, "%s %s", who->nick, ch->name);
		return;
	}
	/* cluster: the invite is kept where who joins from, its node */
	if (core->cluster != NULL && !who->local)
		peer_send_invite(core, cl, who, ch);
	else if (channel_invite_add(core, ch, who) == -1) {
		send_numeric(core, cl, ERR_UNKNOWNERROR, "INVITE " NUMERIC_NOMEM);
		return;
	}
	send_numeric(core, cl, RPL_INVITING, "%s %s", who->nick, ch->name);
	if (who->away != NULL)
		send_numeric(core, cl, RPL_AWAY, "%s :%s", who->nick, who->away);
	len = format_msg(line, sizeof(line), client_prefix(cl, prefix, sizeof(prefix)),
	    "INVITE", 2, who->nick, ch->name);
	/* SILENCE: the invite stands, but a silenced inviter does not reach who. */
	if (!silence_blocks(who, cl))
		send_line(core, who, line, len);
	invite_notify(core, cl, ch, line, len);
}
