/*
 * KNOCK #chan [:message]: ask the operators of a channel one cannot join for an invite
 * (710 to each operator, 711 to the knocker; 713 when the channel is open, 714 when one
 * is in it already, 712 more often than once a KNOCK_INTERVAL).
 */
#include <string.h>

#include "core/channel.h"
#include "core/client.h"
#include "core/command.h"
#include "core/peer.h"
#include "core/reply.h"

#define KNOCK_INTERVAL	60000	/* ms between one client's KNOCKs */

/* Whether ch keeps cl out in a way an invite gets it past: +i, +k or a full +l. */
static bool
knock_closed(const struct channel *ch)
{
	return (ch->modes & CHANNEL_INVITE_ONLY) || ch->key[0] != '\0' ||
	    (ch->limit > 0 && ch->members.len >= ch->limit);
}

void
cmd_knock(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	struct channel	*ch = channel_find_visible(core, m->params[0], cl);
	char		 prefix[CLIENT_PREFIX_MAX];

	if (ch == NULL) {
		send_reply(core, cl, ERR_NOSUCHCHANNEL, "%s", m->params[0]);
		return;
	}
	if (channel_member(ch, cl) != NULL) {
		send_reply(core, cl, ERR_KNOCKONCHAN, "%s", ch->name);
		return;
	}
	if (!knock_closed(ch)) {
		send_reply(core, cl, ERR_CHANOPEN, "%s", ch->name);
		return;
	}
	/* A banned user is not to bother the operators. */
	if (channel_list_matches(&ch->bans, cl) && !channel_list_matches(&ch->excepts, cl)) {
		send_reply(core, cl, ERR_BANNEDFROMCHAN, "%s", ch->name);
		return;
	}
	if (cl->knock_at != 0 && now - cl->knock_at < KNOCK_INTERVAL) {
		send_reply(core, cl, ERR_TOOMANYKNOCK, "%s", ch->name);
		return;
	}
	cl->knock_at = now;
	client_prefix(cl, prefix, sizeof(prefix));
	for (size_t i = 0; i < ch->members.len; i++) {
		struct member	*mb = ch->members.items[i];

		if (mb->modes & MEMBER_OP)
			send_reply(core, mb->client, RPL_KNOCK, "%s %s", ch->name, prefix);
	}
	/* cluster: the operators on other nodes, once a node */
	if (core->cluster != NULL)
		peer_send_knock(core, cl, ch);
	send_reply(core, cl, RPL_KNOCKDLVR, "%s", ch->name);
}
