/*
 * Node lines for what this node's users do (peer.h; the format is in
 * docs/cluster-protocol.md).  Each goes out once: to every other node (node NULL) when
 * all of them need it, else once to each node that has a recipient.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/chanreg.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/metadata.h"
#include "core/core.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/tags.h"

#define PEER_PARAMS	16

/* Append s (n bytes) to buf at *off, within cap - 1 bytes. */
static void
put(char *buf, size_t cap, size_t *off, const char *s, size_t n)
{
	if (*off >= cap - 1)
		return;
	if (n > cap - 1 - *off)
		n = cap - 1 - *off;
	memcpy(buf + *off, s, n);
	*off += n;
	buf[*off] = '\0';
}

/*
 * "[@tags ]:source VERB p1 p2 ... :last" to node (NULL: every other node).  A middle
 * parameter that is empty or holds a space goes as "*": middle parameters are ids,
 * names and numbers, never text; the last is always trailing.
 */
static void
peer_vput(struct core *core, const char *node, const char *tags, const char *source,
    const char *verb, unsigned n, va_list ap)
{
	char	buf[PEER_LINE_MAX + 1];
	size_t	off = 0;

	if (tags != NULL && tags[0] != '\0') {
		put(buf, sizeof(buf), &off, "@", 1);
		put(buf, sizeof(buf), &off, tags, strlen(tags));
		put(buf, sizeof(buf), &off, " ", 1);
	}
	put(buf, sizeof(buf), &off, ":", 1);
	put(buf, sizeof(buf), &off, source, strlen(source));
	put(buf, sizeof(buf), &off, " ", 1);
	put(buf, sizeof(buf), &off, verb, strlen(verb));
	for (unsigned i = 0; i < n && i < PEER_PARAMS; i++) {
		const char	*p = va_arg(ap, const char *);

		put(buf, sizeof(buf), &off, " ", 1);
		if (i + 1 == n)
			put(buf, sizeof(buf), &off, ":", 1);
		else if (p[0] == '\0' || p[0] == ':' || strchr(p, ' ') != NULL)
			p = "*";
		put(buf, sizeof(buf), &off, p, strlen(p));
	}
	core->out.peer(core->out.ctx, node, buf, off);
}

static void
peer_put(struct core *core, const char *node, const char *tags, const char *source,
    const char *verb, unsigned n, ...)
{
	va_list	ap;

	va_start(ap, n);
	peer_vput(core, node, tags, source, verb, n, ap);
	va_end(ap);
}

/* ":source body" to node, body's parameters as they are. */
static void
peer_raw(struct core *core, const char *node, const char *source, const char *body,
    size_t n)
{
	char	buf[PEER_LINE_MAX + 1];
	size_t	off = 0;

	put(buf, sizeof(buf), &off, ":", 1);
	put(buf, sizeof(buf), &off, source, strlen(source));
	put(buf, sizeof(buf), &off, " ", 1);
	put(buf, sizeof(buf), &off, body, n);
	core->out.peer(core->out.ctx, node, buf, off);
}

void
peer_send_node(struct core *core, const char *node, const char *fmt, ...)
{
	char	body[PEER_BODY_MAX];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(body))
		peer_raw(core, node, core->cluster->node, body, (size_t)n);
}

/* cl's user modes that others see, "+" and letters (Z: connected over TLS). */
static void
umodes(const struct client *cl, char *buf, size_t cap)
{
	snprintf(buf, cap, "+%s%s%s%s%s%s%s",
	    cl->flags & CLIENT_MODE_BOT ? "B" : "",
	    cl->flags & CLIENT_MODE_INVISIBLE ? "i" : "",
	    cl->flags & CLIENT_MODE_OPER ? "o" : "",
	    cl->flags & CLIENT_MODE_REGISTERED ? "r" : "",
	    cl->flags & CLIENT_MODE_SNOTICE ? "s" : "",
	    cl->flags & CLIENT_MODE_WALLOPS ? "w" : "",
	    cl->flags & CLIENT_SECURE ? "Z" : "");
}

void
peer_send_user(struct core *core, struct client *cl, const char *node)
{
	char	ts[24], signon[24], modes[16];

	snprintf(ts, sizeof(ts), "%lld", (long long)cl->nick_ts);
	snprintf(signon, sizeof(signon), "%lld", (long long)cl->signon);
	umodes(cl, modes, sizeof(modes));
	peer_put(core, node, NULL, core->cluster->node, "UID", 9, cl->uid, cl->nick, ts,
	    cl->user, cl->host, signon, modes, cl->account[0] != '\0' ? cl->account : "*",
	    cl->realname != NULL ? cl->realname : "");
}

void
peer_send_quit(struct core *core, struct client *cl, const char *reason)
{
	peer_put(core, NULL, NULL, cl->uid, "QUIT", 1, reason);
}

void
peer_send_nick(struct core *core, struct client *cl)
{
	char	ts[24];

	snprintf(ts, sizeof(ts), "%lld", (long long)cl->nick_ts);
	peer_put(core, NULL, NULL, cl->uid, "NICK", 2, cl->nick, ts);
}

void
peer_send_umode(struct core *core, struct client *cl)
{
	char	modes[16];

	umodes(cl, modes, sizeof(modes));
	peer_put(core, NULL, NULL, cl->uid, "UMODE", 1, modes);
}

void
peer_send_away(struct core *core, struct client *cl, const char *node)
{
	if (cl->away != NULL)
		peer_put(core, node, NULL, cl->uid, "AWAY", 1, cl->away);
	else
		peer_put(core, node, NULL, cl->uid, "AWAY", 0);
}

void
peer_send_setname(struct core *core, struct client *cl)
{
	peer_put(core, NULL, NULL, cl->uid, "SETNAME", 1,
	    cl->realname != NULL ? cl->realname : "");
}

void
peer_send_account(struct core *core, struct client *cl)
{
	peer_put(core, NULL, NULL, cl->uid, "ACCOUNT", 1,
	    cl->account[0] != '\0' ? cl->account : "*");
}

/* Mark the nodes of ch's members whose modes include one of status (0: every member);
 * returns how many nodes were marked. */
static size_t
channel_nodes(struct core *core, struct channel *ch, unsigned status)
{
	uint64_t	serial = ++core->cluster->serial;
	size_t		n = 0;

	for (size_t i = 0; i < ch->members.len; i++) {
		struct member	*mb = ch->members.items[i];
		struct cluster_node *node = mb->client->node;

		if (node == NULL || node->mark == serial ||
		    (status != 0 && !(mb->modes & status)))
			continue;
		node->mark = serial;
		n++;
	}
	return n;
}

#define PEER_DESTS	32

/* Where a line for ch's members (per channel_nodes) goes, into dests: each node with
 * one, or NULL alone (every other node) when all have one or there are too many to
 * name.  Returns how many destinations (0: no node needs it). */
static size_t
channel_dests(struct core *core, struct channel *ch, unsigned status,
    const char *dests[PEER_DESTS])
{
	struct cluster	*c = core->cluster;
	size_t		 nodes = channel_nodes(core, ch, status), n = 0;

	if (nodes == 0)
		return 0;
	if (nodes == cluster_nodes_up(core) || nodes > PEER_DESTS) {
		dests[0] = NULL;
		return 1;
	}
	for (size_t i = 0; i < c->nodes.len && n < nodes; i++) {
		struct cluster_node	*node = c->nodes.items[i];

		if (node->mark == c->serial)
			dests[n++] = node->name;
	}
	return n;
}

/* The line for ch once per node with a member, or once to all. */
static void
channel_vput(struct core *core, struct channel *ch, unsigned status, const char *tags,
    const char *source, const char *verb, unsigned n, ...)
{
	const char	*dests[PEER_DESTS];
	size_t		 ndests = channel_dests(core, ch, status, dests);
	va_list		 ap;

	for (size_t i = 0; i < ndests; i++) {
		va_start(ap, n);
		peer_vput(core, dests[i], tags, source, verb, n, ap);
		va_end(ap);
	}
}

/* The tags a relayed message carries: its msgid and time, the sender's client tags. */
static void
message_tags(struct core *core, char *buf, size_t cap)
{
	snprintf(buf, cap, "msgid=%s;time=%s%s%s", tags_msgid(core), tags_time(core),
	    core->tags.client_len > 0 ? ";" : "", core->tags.client);
}

void
peer_send_message(struct core *core, struct client *cl, const char *verb,
    struct channel *ch, const char *target, struct client *to, const char *text)
{
	char		 tags[TAGS_DATA_MAX + 1];
	unsigned	 status = 0;

	if (ch == NULL && (to == NULL || to->local))
		return;
	message_tags(core, tags, sizeof(tags));
	if (ch == NULL) {
		if (text != NULL)
			peer_put(core, to->node->name, tags, cl->uid, verb, 2, to->uid, text);
		else
			peer_put(core, to->node->name, tags, cl->uid, verb, 1, to->uid);
		return;
	}
	if (target[0] == '@')
		status = MEMBER_OP;
	else if (target[0] == '+')
		status = MEMBER_OP | MEMBER_VOICE;
	if (text != NULL)
		channel_vput(core, ch, status, tags, cl->uid, verb, 2, target, text);
	else
		channel_vput(core, ch, status, tags, cl->uid, verb, 1, target);
}

void
peer_send_multiline(struct core *core, struct client *cl, struct channel *ch,
    struct client *to, const char *ref, unsigned n, const char *const *texts,
    const bool *concat)
{
	char		 tags[TAGS_DATA_MAX + 1];
	const char	*dests[PEER_DESTS];
	size_t		 ndests;

	if (ch != NULL)
		ndests = channel_dests(core, ch, 0, dests);
	else if (to != NULL && !to->local) {
		dests[0] = to->node->name;
		ndests = 1;
	} else
		return;
	message_tags(core, tags, sizeof(tags));
	for (size_t d = 0; d < ndests; d++) {
		for (unsigned i = 0; i < n; i++)
			peer_put(core, dests[d], NULL, cl->uid, "MLPART", 3, ref,
			    concat[i] ? "c" : "-", texts[i]);
		peer_put(core, dests[d], tags, cl->uid, "MLEND", 2, ref,
		    ch != NULL ? ch->name : to->uid);
	}
}

void
peer_send_metadata(struct core *core, struct client *setter, struct client *who,
    struct channel *ch, const char *key, const char *value)
{
	const char	*target = ch != NULL ? ch->name : who->uid;

	if (value != NULL)
		peer_put(core, NULL, NULL, setter->uid, "METADATA", 3, target, key, value);
	else
		peer_put(core, NULL, NULL, setter->uid, "METADATA", 2, target, key);
}

/* A burst's METADATA lines: one key of a user (set by itself) or a channel (by one of
 * this node's members, whoever set it). */
struct burst_meta {
	struct core	*core;
	const char	*node, *source, *target;
};

static void
burst_meta_one(void *ctx, const char *key, const char *value)
{
	struct burst_meta	*b = ctx;

	peer_put(b->core, b->node, NULL, b->source, "METADATA", 3, b->target, key, value);
}

void
peer_send_user_metadata(struct core *core, struct client *cl, const char *node)
{
	struct burst_meta	b = { core, node, cl->uid, cl->uid };

	metadata_each(&cl->metadata, burst_meta_one, &b);
}

/* A member's statuses as the burst and JOIN write them: "@", "+", "@+"; "" none. */
static const char *
statuses(unsigned modes)
{
	if ((modes & MEMBER_OP) && (modes & MEMBER_VOICE))
		return "@+";
	return modes & MEMBER_OP ? "@" : modes & MEMBER_VOICE ? "+" : "";
}

void
peer_send_join(struct core *core, struct client *cl, struct channel *ch,
    unsigned modes)
{
	char	ts[24];

	snprintf(ts, sizeof(ts), "%lld", (long long)ch->created);
	peer_put(core, NULL, NULL, cl->uid, "JOIN", 3, ch->name, ts, statuses(modes));
}

void
peer_send_part(struct core *core, struct client *cl, struct channel *ch,
    const char *reason)
{
	peer_put(core, NULL, NULL, cl->uid, "PART", 2, ch->name,
	    reason != NULL ? reason : "");
}

void
peer_send_kick(struct core *core, struct client *cl, struct channel *ch,
    struct client *who, const char *reason)
{
	peer_put(core, NULL, NULL, cl->uid, "KICK", 3, ch->name, who->uid, reason);
}

/* TOPIC and the burst's TB: "#chan ts topic_time setter :topic" from source. */
static void
topic_put(struct core *core, const char *node, const char *source, const char *verb,
    struct channel *ch)
{
	char	ts[24], when[24];

	snprintf(ts, sizeof(ts), "%lld", (long long)ch->created);
	snprintf(when, sizeof(when), "%lld", (long long)ch->topic_time);
	peer_put(core, node, NULL, source, verb, 5, ch->name, ts, when,
	    ch->topic_setter != NULL ? ch->topic_setter : "*",
	    ch->topic != NULL ? ch->topic : "");
}

void
peer_send_topic(struct core *core, struct client *cl, struct channel *ch)
{
	topic_put(core, NULL, cl->uid, "TOPIC", ch);
}

void
peer_send_mode(struct core *core, struct client *cl, struct channel *ch,
    const char *modes, const char *params)
{
	char		 body[PEER_BODY_MAX], copy[MSG_BODY_MAX];
	char		*p = copy, *word;
	char		 dir = '+';
	size_t		 off = 0;
	int		 n;

	/* The members' nicks become uids: a nick may change on its way. */
	snprintf(copy, sizeof(copy), "%s", params);
	n = snprintf(body, sizeof(body), "MODE %s %lld %s", ch->name,
	    (long long)ch->created, modes);
	if (n < 0 || (size_t)n >= sizeof(body))
		return;
	off = (size_t)n;
	for (const char *m = modes; *m != '\0'; m++) {
		struct client	*who;

		if (*m == '+' || *m == '-') {
			dir = *m;
			continue;
		}
		if (strchr("beIqkov", *m) == NULL && (strchr("lfj", *m) == NULL ||
		    dir == '-'))
			continue;
		while (*p == ' ')
			p++;
		word = p;
		p += strcspn(p, " ");
		if (*p != '\0')
			*p++ = '\0';
		if ((*m == 'o' || *m == 'v') && (who = client_find(core, word)) != NULL)
			word = who->uid;
		n = snprintf(body + off, sizeof(body) - off, " %s", word[0] ? word : "*");
		if (n < 0 || (size_t)n >= sizeof(body) - off)
			return;
		off += (size_t)n;
	}
	peer_raw(core, NULL, cl->uid, body, off);
}

void
peer_send_status(struct core *core, struct channel *ch, struct client *who, char dir,
    unsigned flag)
{
	peer_send_node(core, NULL, "STATUS %s %lld %c%c %s", ch->name,
	    (long long)ch->created, dir, flag == MEMBER_OP ? 'o' : 'v', who->uid);
}

void
peer_send_knock(struct core *core, struct client *cl, struct channel *ch)
{
	channel_vput(core, ch, MEMBER_OP, NULL, cl->uid, "KNOCK", 1, ch->name);
}

void
peer_send_invite(struct core *core, struct client *cl, struct client *to,
    struct channel *ch)
{
	if (to->node != NULL)
		peer_put(core, to->node->name, NULL, cl->uid, "INVITE", 2, to->uid,
		    ch->name);
}

void
peer_send_kill(struct core *core, struct client *cl, struct client *victim,
    const char *comment)
{
	peer_put(core, victim->node->name, NULL, cl->uid, "KILL", 2, victim->uid,
	    comment);
}

void
peer_send_wallops(struct core *core, struct client *cl, const char *text)
{
	peer_put(core, NULL, NULL, cl->uid, "WALLOPS", 1, text);
}

/* The SJOIN lines for ch's members of this node, a few hundred bytes each. */
static void
channel_members(struct core *core, struct channel *ch, const char *node,
    const char *ts)
{
	char	list[1024];
	size_t	len = 0;

	for (size_t i = 0; i < ch->members.len; i++) {
		struct member	*mb = ch->members.items[i];
		int		 n;

		if (!mb->client->local || mb->client->uid[0] == '\0')
			continue;
		if (len > 600) {
			peer_put(core, node, NULL, core->cluster->node, "SJOIN", 3, ch->name,
			    ts, list);
			len = 0;
		}
		n = snprintf(list + len, sizeof(list) - len, "%s%s%s", len > 0 ? " " : "",
		    statuses(mb->modes), mb->client->uid);
		if (n > 0 && (size_t)n < sizeof(list) - len)
			len += (size_t)n;
	}
	if (len > 0)
		peer_put(core, node, NULL, core->cluster->node, "SJOIN", 3, ch->name, ts,
		    list);
}

static void
channel_list(struct core *core, struct channel *ch, const char *node, const char *ts,
    const char *letter, const struct vec *list)
{
	char	when[24];

	for (size_t i = 0; i < list->len; i++) {
		const struct channel_entry	*e = list->items[i];

		snprintf(when, sizeof(when), "%lld", (long long)e->time);
		peer_put(core, node, NULL, core->cluster->node, "BMASK", 6, ch->name, ts,
		    letter, e->mask, e->setter, when);
	}
}

void
peer_send_channel(struct core *core, struct channel *ch, const char *node)
{
	char	ts[24], modes[16], limit[16], jmax[16], jsecs[16];
	bool	local = false;

	for (size_t i = 0; i < ch->members.len && !local; i++)
		local = ((struct member *)ch->members.items[i])->client->local;
	if (!local)
		return;
	snprintf(ts, sizeof(ts), "%lld", (long long)ch->created);
	snprintf(modes, sizeof(modes), "%x", ch->modes);
	snprintf(limit, sizeof(limit), "%u", ch->limit);
	snprintf(jmax, sizeof(jmax), "%u", ch->join_max);
	snprintf(jsecs, sizeof(jsecs), "%u", ch->join_secs);
	/* Members first: the channel exists once they are in. */
	channel_members(core, ch, node, ts);
	peer_put(core, node, NULL, core->cluster->node, "CHAN", 8, ch->name, ts, modes,
	    ch->key[0] != '\0' ? ch->key : "*", limit,
	    ch->forward[0] != '\0' ? ch->forward : "*", jmax, jsecs);
	channel_list(core, ch, node, ts, "b", &ch->bans);
	channel_list(core, ch, node, ts, "e", &ch->excepts);
	channel_list(core, ch, node, ts, "I", &ch->invexes);
	channel_list(core, ch, node, ts, "q", &ch->quiets);
	if (ch->topic != NULL)
		topic_put(core, node, core->cluster->node, "TB", ch);
	/* Its keys, as set by a member of this node (every node has them all). */
	for (size_t i = 0; i < ch->members.len; i++) {
		struct client		*cl = ((struct member *)ch->members.items[i])->client;
		struct burst_meta	 b = { core, node, cl->uid, ch->name };

		if (cl->local && cl->uid[0] != '\0') {
			metadata_each(&ch->metadata, burst_meta_one, &b);
			break;
		}
	}
}

void
peer_send_registrations(struct core *core, const char *node)
{
	size_t		 pos = 0;
	const char	*key;
	void		*value;

	while (map_next(&core->accounts, &pos, &key, &value))
		peer_send_node(core, node, "REGACCT %s", (const char *)value);
	for (struct list *l = core->chanregs.next; l != &core->chanregs; l = l->next) {
		const struct chanreg	*reg = list_entry(l, const struct chanreg, link);

		peer_send_node(core, node, "CHANREG %s %s %lld", reg->channel->name,
		    reg->rec.founder, (long long)reg->rec.registered);
		for (size_t i = 0; i < reg->entries.len; i++) {
			const struct chanreg_entry	*e = reg->entries.items[i];

			if (e->kind == 'o' || e->kind == 'v')
				peer_send_node(core, node, "CHANACC %s + %c %s %s %lld",
				    reg->channel->name, e->kind, e->mask,
				    e->setter[0] != '\0' ? e->setter : "*", (long long)e->time);
		}
	}
}
