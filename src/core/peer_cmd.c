/*
 * Applying the lines other nodes send (peer.h; docs/cluster-protocol.md has the
 * format).  A node's lines are trusted for authority (its core checked who may do
 * what) but not for sense: every line is parsed, every user it names must exist and
 * belong to the node that speaks for it, and anything else is dropped with a log line.
 * What a line changes is shown to this node's clients as the same command run here
 * would show it; nothing is sent back, and nothing is kept in history (the node the
 * line came from kept it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/account_show.h"
#include "core/casemap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/command.h"
#include "core/core.h"
#include "core/metadata.h"
#include "core/monitor.h"
#include "core/multiline.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/session.h"
#include "core/silence.h"
#include "core/snotice.h"
#include "core/tags.h"
#include "core/utf8.h"

typedef void	peer_fn(struct core *, struct cluster_node *, struct msg *, int64_t);

int64_t
peer_number(const char *s)
{
	char		*end;
	long long	 v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoll(s, &end, 10);
	return *end != '\0' || v < 0 ? -1 : (int64_t)v;
}

struct client *
peer_node_user(struct core *core, struct cluster_node *node, const char *uid)
{
	struct client	*cl = cluster_user(core, uid);

	return cl != NULL && cl->node == node ? cl : NULL;
}

/* The line's source as node's user, or NULL. */
static struct client *
source(struct core *core, struct cluster_node *node, const struct msg *m)
{
	return peer_node_user(core, node, m->source);
}

/* A name that is one parameter of a client line: no spaces, not empty, printable. */
static bool
word_ok(const char *s, size_t max)
{
	size_t	n = strlen(s);

	return n > 0 && n <= max && s[0] != ':' && strpbrk(s, " ,\a") == NULL;
}

/* Heap copy of text cut to max bytes on a character boundary; NULL out of memory. */
static char *
text_copy(const char *text, size_t max)
{
	return strndup(text, utf8_prefix(text, max));
}

/* User modes from a node line: what they mean for others (peer_send.c writes them). */
static unsigned
umode_flags(const char *s)
{
	unsigned	f = 0;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case 'B': f |= CLIENT_MODE_BOT; break;
		case 'i': f |= CLIENT_MODE_INVISIBLE; break;
		case 'o': f |= CLIENT_MODE_OPER; break;
		case 'r': f |= CLIENT_MODE_REGISTERED; break;
		case 's': f |= CLIENT_MODE_SNOTICE; break;
		case 'w': f |= CLIENT_MODE_WALLOPS; break;
		case 'Z': f |= CLIENT_SECURE; break;
		default: break;
		}
	}
	return f;
}

#define UMODE_FLAGS	(CLIENT_MODE_BOT | CLIENT_MODE_INVISIBLE | CLIENT_MODE_OPER | \
			 CLIENT_MODE_REGISTERED | CLIENT_MODE_SNOTICE | \
			 CLIENT_MODE_WALLOPS | CLIENT_SECURE)

/* A nick a node may give its user: a valid one, or the user's uid nick. */
static bool
nick_ok(const char *uid, const char *nick)
{
	char	mine[CLIENT_NICK_MAX + 1];

	if (casemap_nick_valid(nick, CLIENT_NICK_MAX))
		return true;
	cluster_uid_nick(uid, mine, sizeof(mine));
	return strcmp(nick, mine) == 0;
}

static void
peer_hello(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	(void)m, (void)now;
	/* Its view of us starts again: so does ours of it. */
	if (node->up)
		cluster_split(core, node);
	node->up = true;
	node->synced = false;
	cluster_burst(core, node->name);
}

static void
peer_eob(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	(void)core, (void)m, (void)now;
	node->synced = true;
}

/* UID uid nick nick_ts user host signon modes account :realname */
static void
peer_uid(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	const char	*uid = m->params[0], *nick = m->params[1];
	const char	*user = m->params[3], *host = m->params[4];
	int64_t		 ts = peer_number(m->params[2]), signon = peer_number(m->params[5]);
	size_t		 nlen = strlen(node->name);
	struct client	*cl;
	char		*realname;
	bool		 fresh = false;

	if (strncmp(uid, node->name, nlen) != 0 || uid[nlen] != '/' ||
	    !word_ok(uid, CLIENT_UID_MAX) || !nick_ok(uid, nick) || ts < 0 ||
	    signon < 0 || !word_ok(user, CLIENT_USER_MAX) ||
	    !word_ok(host, CLIENT_HOST_MAX) || strlen(m->params[7]) > ACCOUNT_NAME_MAX)
		return;
	if ((cl = cluster_user(core, uid)) != NULL && cl->node != node)
		return;
	if ((realname = text_copy(m->params[8], core->cfg.namelen)) == NULL)
		return;
	if (cl == NULL) {
		if ((cl = cluster_remote_new(core, node, uid, now)) == NULL) {
			free(realname);
			return;
		}
		fresh = true;
	}
	snprintf(cl->user, sizeof(cl->user), "%s", user);
	snprintf(cl->host, sizeof(cl->host), "%s", host);
	free(cl->realname);
	cl->realname = realname;
	cl->signon = signon;
	cl->flags = (cl->flags & ~UMODE_FLAGS) | umode_flags(m->params[6]);
	snprintf(cl->account, sizeof(cl->account), "%s",
	    strcmp(m->params[7], "*") == 0 ? "" : m->params[7]);
	if (cluster_claim(core, cl, nick, ts) == -1) {
		if (fresh)
			client_free(core, cl);
		else
			client_exit(core, cl, "Nick collision", false);
		return;
	}
	if (fresh)
		monitor_online(core, cl);
}

static void
peer_nick(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);
	int64_t		 ts = peer_number(m->params[1]);

	(void)now;
	if (cl == NULL || ts < 0 || !nick_ok(cl->uid, m->params[0]))
		return;
	if (casemap_eq(cl->nick, m->params[0])) {
		if (strcmp(cl->nick, m->params[0]) != 0 &&
		    client_rename(core, cl, m->params[0]) == -1)
			return;
		cl->nick_ts = ts;
		return;
	}
	if (cluster_claim(core, cl, m->params[0], ts) == -1)
		client_exit(core, cl, "Nick collision", false);
}

static void
peer_quit(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);

	(void)now;
	if (cl != NULL)
		client_exit(core, cl, m->params[0], false);
}

static void
peer_umode(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);

	(void)now;
	if (cl != NULL)
		cl->flags = (cl->flags & ~UMODE_FLAGS) | umode_flags(m->params[0]);
}

static void
peer_away(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);
	char		*away = NULL;

	(void)now;
	if (cl == NULL)
		return;
	if (m->nparams > 0 && m->params[0][0] != '\0' &&
	    (away = text_copy(m->params[0], core->cfg.awaylen)) == NULL)
		return;
	if (away == NULL && cl->away == NULL)
		return;
	free(cl->away);
	cl->away = away;
	cmd_away_notify(core, cl, away);
}

static void
peer_setname(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);
	char		 line[MSG_BODY_MAX + 1], prefix[CLIENT_PREFIX_MAX];
	char		*name;
	size_t		 len;

	(void)now;
	if (cl == NULL || (name = text_copy(m->params[0], core->cfg.namelen)) == NULL)
		return;
	free(cl->realname);
	cl->realname = name;
	len = format_msg(line, sizeof(line), client_prefix(cl, prefix, sizeof(prefix)),
	    "SETNAME", 1, name);
	send_peers_caps(core, cl, false, CAP_BIT(CAP_SETNAME), 0, line, len);
	monitor_notify(core, cl, CAP_BIT(CAP_SETNAME), line, len);
}

static void
peer_account(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);
	const char	*name = m->params[0];

	(void)now;
	if (cl == NULL || strlen(name) > ACCOUNT_NAME_MAX || !word_ok(name, 64))
		return;
	snprintf(cl->account, sizeof(cl->account), "%s", strcmp(name, "*") == 0 ? "" :
	    name);
	if (cl->account[0] != '\0')
		cl->flags |= CLIENT_MODE_REGISTERED;
	else
		cl->flags &= ~CLIENT_MODE_REGISTERED;
	account_show_changed(core, cl);
}

/* Keep a message's client-only tags, unescaped and escaped again as tags.c does for a
 * client's own, into buf: a node never passes a bad escape on. */
static void
client_tags(const struct msg *m, char *buf, size_t cap)
{
	char	value[MSG_TAGS_MAX_CLIENT + 1];
	size_t	len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < m->ntags; i++) {
		const struct msg_tag	*t = &m->tags[i];
		size_t			 klen = strlen(t->key), vlen, elen = 0;

		if (t->key[0] != '+')
			continue;
		if ((vlen = msg_tag_unescape(value, sizeof(value), t->value)) > 0)
			elen = msg_tag_escape(NULL, 0, value);
		if (len + 1 + klen + 1 + elen >= cap)
			break;
		if (len > 0)
			buf[len++] = ';';
		memcpy(buf + len, t->key, klen);
		len += klen;
		if (vlen > 0) {
			buf[len++] = '=';
			len += msg_tag_escape(buf + len, cap - len, value);
		}
		buf[len] = '\0';
	}
}

/* PRIVMSG, NOTICE, TAGMSG: target (#chan, @#chan, +#chan or a uid) [:text]. */
static void
peer_message(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m), *to = NULL;
	struct channel	*ch = NULL;
	bool		 tagmsg = strcmp(m->verb, "TAGMSG") == 0;
	capset		 with = tagmsg ? CAP_BIT(CAP_MESSAGE_TAGS) : 0;
	const char	*target = m->params[0], *name = target;
	const char	*msgid = msg_tag_get(m, "msgid"), *time = msg_tag_get(m, "time");
	char		 line[MSG_BODY_MAX + 1], prefix[CLIENT_PREFIX_MAX];
	char		 tags[MSG_TAGS_MAX_CLIENT + 1];
	unsigned	 status = 0;
	size_t		 len;

	(void)now;
	if (cl == NULL || (!tagmsg && m->nparams < 2))
		return;
	if ((target[0] == '@' || target[0] == '+') && target[1] == '#') {
		status = target[0] == '@' ? MEMBER_OP : MEMBER_OP | MEMBER_VOICE;
		name = target + 1;
	}
	if (name[0] == '#') {
		if ((ch = channel_find(core, name)) == NULL)
			return;
	} else if ((to = cluster_user(core, target)) == NULL || !to->local ||
	    to->state != CLIENT_REGISTERED || silence_blocks(to, cl))
		return;
	client_prefix(cl, prefix, sizeof(prefix));
	if (tagmsg)
		len = format_msg(line, sizeof(line), prefix, m->verb, 1,
		    to != NULL ? to->nick : target);
	else
		len = format_msg(line, sizeof(line), prefix, m->verb, 2,
		    to != NULL ? to->nick : target, m->params[1]);
	client_tags(m, tags, sizeof(tags));
	/* The msgid and time the message has everywhere: the origin's. */
	tags_message_peer(core, cl, msgid != NULL && word_ok(msgid, TAGS_MSGID_MAX - 1) ?
	    msgid : "", time != NULL && word_ok(time, 31) ? time : "", tags);
	if (to != NULL)
		send_user_caps(core, to, with, line, len);
	else if (status == 0)
		send_channel_caps(core, ch, cl, with, 0, line, len);
	else
		for (size_t i = 0; i < ch->members.len; i++) {
			struct member	*mb = ch->members.items[i];

			if (mb->client != cl && (mb->modes & status))
				send_user_caps(core, mb->client, with, line, len);
		}
	tags_message(core, NULL, false);
}

/* METADATA target key [:value]: a user's own key, or a channel's (set by one of its
 * members; in a burst, by one of the node's).  The value was checked where it was set. */
static void
peer_metadata(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*setter = source(core, node, m), *who = NULL;
	struct channel	*ch = NULL;
	const char	*value = m->nparams > 2 ? m->params[2] : NULL;

	(void)now;
	if (setter == NULL)
		return;
	if (m->params[0][0] == '#') {
		if ((ch = channel_find(core, m->params[0])) == NULL)
			return;
	} else if ((who = cluster_user(core, m->params[0])) != setter)
		return;
	metadata_peer(core, setter, who, ch, m->params[1], value);
}

/* MLPART ref c|- :text: one line of a draft/multiline batch. */
static void
peer_mlpart(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);

	(void)now;
	if (cl != NULL && m->nparams >= 3)
		multiline_peer_part(cl, m->params[0], strcmp(m->params[1], "c") == 0,
		    m->params[2]);
}

/* MLEND ref target, with the message's tags: the batch is whole, deliver it here. */
static void
peer_mlend(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m), *to = NULL;
	struct channel	*ch = NULL;
	const char	*msgid = msg_tag_get(m, "msgid"), *time = msg_tag_get(m, "time");

	(void)now;
	if (cl == NULL)
		return;
	if (m->params[1][0] == '#')
		ch = channel_find(core, m->params[1]);
	else
		to = cluster_user(core, m->params[1]);
	tags_message_peer(core, cl, msgid != NULL && word_ok(msgid, TAGS_MSGID_MAX - 1) ?
	    msgid : "", time != NULL && word_ok(time, 31) ? time : "", "");
	multiline_peer_end(core, cl, m->params[0], ch, to);
	tags_message(core, NULL, false);
}

static void
peer_wallops(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);
	char		 line[MSG_BODY_MAX + 1], prefix[CLIENT_PREFIX_MAX];
	size_t		 len;

	(void)now;
	if (cl == NULL)
		return;
	len = format_line(line, ":%s WALLOPS :%s", client_prefix(cl, prefix,
	    sizeof(prefix)), m->params[0]);
	for (struct list *n = core->clients.next; n != &core->clients; n = n->next) {
		struct client	*to = list_entry(n, struct client, all);

		if (to->local && to->state == CLIENT_REGISTERED &&
		    (to->flags & CLIENT_MODE_WALLOPS))
			send_line(core, to, line, len);
	}
}

/* KILL victim :comment, to the victim's node, which drops it (its QUIT follows). */
static void
peer_kill(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);
	struct client	*victim = cluster_user(core, m->params[0]);
	char		 line[MSG_BODY_MAX + 1], prefix[CLIENT_PREFIX_MAX];
	char		 reason[MSG_BODY_MAX];
	size_t		 len;

	(void)now;
	if (cl == NULL || victim == NULL || !victim->local)
		return;
	len = format_line(line, ":%s KILL %s :%s", client_prefix(cl, prefix,
	    sizeof(prefix)), victim->nick, m->params[1]);
	send_line(core, victim, line, len);
	snotice_send(core, NULL, "Received KILL message for %s from %s (%s)", victim->nick,
	    cl->nick, m->params[1]);
	core_log(core, PLOG_INFO, "KILL %s by %s of %s (%s)", victim->nick, cl->nick,
	    node->name, m->params[1]);
	snprintf(reason, sizeof(reason), "Killed (%s (%s))", cl->nick, m->params[1]);
	session_kill_user(core, victim, reason);
}

/* The verbs, their handlers, and the parameters each needs at least. */
static const struct {
	const char	*verb;
	peer_fn		*fn;
	unsigned	 min;
} peer_verbs[] = {
	{ "EOB",	peer_eob,	0 },
	{ "UID",	peer_uid,	9 },
	{ "NICK",	peer_nick,	2 },
	{ "QUIT",	peer_quit,	1 },
	{ "UMODE",	peer_umode,	1 },
	{ "AWAY",	peer_away,	0 },
	{ "SETNAME",	peer_setname,	1 },
	{ "ACCOUNT",	peer_account,	1 },
	{ "PRIVMSG",	peer_message,	2 },
	{ "NOTICE",	peer_message,	2 },
	{ "TAGMSG",	peer_message,	1 },
	{ "WALLOPS",	peer_wallops,	1 },
	{ "MLPART",	peer_mlpart,	3 },
	{ "MLEND",	peer_mlend,	2 },
	{ "METADATA",	peer_metadata,	2 },
	{ "KILL",	peer_kill,	2 },
	{ "JOIN",	peer_join,	3 },
	{ "PART",	peer_part,	2 },
	{ "KICK",	peer_kick,	3 },
	{ "TOPIC",	peer_topic,	5 },
	{ "MODE",	peer_mode,	3 },
	{ "INVITE",	peer_invite,	2 },
	{ "STATUS",	peer_status,	4 },
	{ "KNOCK",	peer_knock,	1 },
	{ "CHAN",	peer_chan,	8 },
	{ "SJOIN",	peer_sjoin,	3 },
	{ "BMASK",	peer_bmask,	6 },
	{ "TB",		peer_tb,	5 },
	{ "REGACCT",	peer_regacct,	1 },
	{ "DROPACCT",	peer_dropacct,	1 },
	{ "CHANREG",	peer_chanreg,	3 },
	{ "CHANDROP",	peer_chandrop,	1 },
	{ "CHANACC",	peer_chanacc,	6 },
};

void
core_peer_line(struct core *core, const char *from, char *line, size_t len, int64_t now)
{
	struct cluster_node	*node;
	struct msg		 m;
	enum msg_status		 st;

	if (core->cluster == NULL || (node = cluster_node_get(core, from)) == NULL)
		return;
	st = msg_parse_long(&m, line, len, PEER_BODY_MAX);
	if (st != MSG_OK || m.source == NULL) {
		core_log(core, PLOG_WARN, "node %s: dropped line: %s", node->name,
		    st != MSG_OK ? msg_status_str(st) : "no source");
		return;
	}
	tags_event_peer(core, now);
	if (strcmp(m.verb, "HELLO") == 0 && casemap_eq(m.source, node->name))
		peer_hello(core, node, &m, now);
	else if (node->up) {
		size_t	i;

		for (i = 0; i < sizeof(peer_verbs) / sizeof(peer_verbs[0]); i++)
			if (strcmp(m.verb, peer_verbs[i].verb) == 0)
				break;
		if (i == sizeof(peer_verbs) / sizeof(peer_verbs[0]) ||
		    m.nparams < peer_verbs[i].min)
			core_log(core, PLOG_WARN, "node %s: dropped %s line", node->name,
			    m.verb);
		else
			peer_verbs[i].fn(core, node, &m, now);
	}
	/* A node that is not up is heard again after its HELLO. */
	tags_event_end(core);
}
