/*
 * The channel lines of other nodes (peer.h; docs/cluster-protocol.md): membership,
 * topic, modes and invites as they happen, and a burst's channel state, merged by the
 * creation timestamp.  The rule, the same on every node so that all end alike: the
 * older channel keeps its modes, lists, topic and statuses and the younger side's go;
 * two channels as old merge (modes ORed, the larger key, limit, forward and throttle,
 * the lists' union, the later topic).
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
#include "core/peer.h"
#include "core/reply.h"
#include "core/services.h"
#include "core/silence.h"
#include "core/utf8.h"

#define number	peer_number

static struct client *
source(struct core *core, struct cluster_node *node, const struct msg *m)
{
	return peer_node_user(core, node, m->source);
}

/* The channel a line names, created at ts when new: +nt as a JOIN makes it, or with
 * no modes for a burst (its CHAN line follows).  NULL for a bad name or no memory. */
static struct channel *
channel_get(struct core *core, const char *name, int64_t ts, bool burst)
{
	struct channel	*ch;

	if (ts < 0 || !casemap_channel_valid(name, CHANNEL_NAME_MAX))
		return NULL;
	if ((ch = channel_find(core, name)) != NULL)
		return ch;
	if ((ch = channel_create(core, name)) != NULL) {
		ch->created = ts;
		if (burst)
			ch->modes = 0;
	}
	return ch;
}

/* ":server MODE #chan +o nick" (or -o, +v, -v) to the local members: given by the
 * member's node, taken away by this one. */
static void
status_show(struct core *core, struct channel *ch, struct client *who, char dir,
    unsigned modes)
{
	const char	*server = dir == '+' ? client_server(core, who) :
			    core->cfg.server_name;
	char		 line[MSG_BODY_MAX + 1];
	size_t		 len;

	if (modes & MEMBER_OP) {
		len = format_line(line, ":%s MODE %s %co %s", server, ch->name, dir,
		    who->nick);
		send_channel(core, ch, NULL, line, len);
	}
	if (modes & MEMBER_VOICE) {
		len = format_line(line, ":%s MODE %s %cv %s", server, ch->name, dir,
		    who->nick);
		send_channel(core, ch, NULL, line, len);
	}
}

/* A channel's modes but its lists, to show what a netjoin changed. */
struct chan_modes {
	unsigned	modes, limit, join_max, join_secs;
	char		key[CHANNEL_KEY_MAX + 1];
	char		forward[CHANNEL_NAME_MAX + 1];
};

static void
chan_modes_get(const struct channel *ch, struct chan_modes *cm)
{
	cm->modes = ch->modes;
	cm->limit = ch->limit;
	cm->join_max = ch->join_max;
	cm->join_secs = ch->join_secs;
	snprintf(cm->key, sizeof(cm->key), "%s", ch->key);
	snprintf(cm->forward, sizeof(cm->forward), "%s", ch->forward);
}

/* ":server MODE #chan -x+y params" to the local members: what went from was to ch. */
static void
chan_modes_show(struct core *core, struct channel *ch, const char *server,
    const struct chan_modes *was)
{
	static const char	 letters[] = "CMPRTWcimnpstz";
	char			 modes[64], params[MSG_BODY_MAX], line[MSG_BODY_MAX + 1];
	size_t			 n = 0, plen = 0, len;
	char			 dir = 0;

	params[0] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		char	want = pass == 0 ? '-' : '+';

		for (const char *p = letters; *p != '\0'; p++) {
			unsigned	f = cmd_mode_flag(*p);

			if (!!(was->modes & f) == !!(ch->modes & f) ||
			    !!(ch->modes & f) != (want == '+'))
				continue;
			if (dir != want)
				modes[n++] = dir = want;
			modes[n++] = *p;
		}
	}
	if (strcmp(was->key, ch->key) != 0) {
		if (dir != (ch->key[0] != '\0' ? '+' : '-'))
			modes[n++] = dir = ch->key[0] != '\0' ? '+' : '-';
		modes[n++] = 'k';
		plen += (size_t)snprintf(params + plen, sizeof(params) - plen, " %s",
		    ch->key[0] != '\0' ? ch->key : "*");
	}
	if (was->limit != ch->limit) {
		if (dir != (ch->limit > 0 ? '+' : '-'))
			modes[n++] = dir = ch->limit > 0 ? '+' : '-';
		modes[n++] = 'l';
		if (ch->limit > 0)
			plen += (size_t)snprintf(params + plen, sizeof(params) - plen, " %u",
			    ch->limit);
	}
	if (n == 0)
		return;
	modes[n] = '\0';
	len = format_line(line, ":%s MODE %s %s%s", server, ch->name, modes, params);
	send_channel(core, ch, NULL, line, len);
}

static void
entries_clear(struct vec *v)
{
	for (size_t i = 0; i < v->len; i++)
		channel_entry_free(v->items[i]);
	vec_clear(v);
}

/* ch meets an older ts, or as old (0, nothing to do): ch was the younger and takes
 * the other's time, its own state gone.  Returns 1 then. */
static int
channel_reset(struct core *core, struct channel *ch, int64_t ts)
{
	struct chan_modes	was;

	if (ts == ch->created)
		return 0;
	chan_modes_get(ch, &was);
	/* Ours is the younger: its statuses, modes, lists and topic go. */
	for (size_t i = 0; i < ch->members.len; i++) {
		struct member	*mb = ch->members.items[i];

		if (mb->modes != 0)
			status_show(core, ch, mb->client, '-', mb->modes);
		mb->modes = 0;
	}
	ch->modes = 0;
	ch->key[0] = '\0';
	ch->limit = 0;
	ch->forward[0] = '\0';
	ch->join_max = ch->join_secs = ch->join_count = 0;
	entries_clear(&ch->bans);
	entries_clear(&ch->excepts);
	entries_clear(&ch->invexes);
	entries_clear(&ch->quiets);
	free(ch->topic);
	free(ch->topic_setter);
	ch->topic = ch->topic_setter = NULL;
	ch->topic_time = 0;
	ch->created = ts;
	chan_modes_show(core, ch, core->cfg.server_name, &was);
	return 1;
}

int
peer_channel_ts(struct core *core, struct channel *ch, int64_t ts)
{
	if (ts > ch->created)
		return -1;
	return channel_reset(core, ch, ts);
}

/* "@", "+", "@+" (or "+@") before a uid: the member's statuses; *s moves past them. */
static unsigned
statuses(const char **s)
{
	unsigned	modes = 0;

	for (;; (*s)++) {
		if (**s == '@')
			modes |= MEMBER_OP;
		else if (**s == '+')
			modes |= MEMBER_VOICE;
		else
			return modes;
	}
}

/* cl joins ch with modes (0 when its side's statuses do not count). */
static void
member_add(struct core *core, struct channel *ch, struct client *cl, unsigned modes,
    int64_t now)
{
	struct member	*mb;

	if ((mb = channel_member(ch, cl)) != NULL) {
		/* Met again in a burst: statuses as both sides have them. */
		if ((modes & ~mb->modes) != 0)
			status_show(core, ch, cl, '+', modes & ~mb->modes);
		mb->modes |= modes;
		return;
	}
	if (channel_join(core, ch, cl, modes) == NULL)
		return;
	channel_invite_pending(ch, cl, true);
	chanmode_join_count(ch, now);
	channel_join_announce(core, cl, ch);
	if (modes != 0)
		status_show(core, ch, cl, '+', modes);
}

/* JOIN #chan ts statuses */
void
peer_join(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);
	struct channel	*ch;
	const char	*s = m->params[2];
	unsigned	 modes = statuses(&s);
	int64_t		 ts = number(m->params[1]);

	if (cl == NULL || (ch = channel_get(core, m->params[0], ts, false)) == NULL)
		return;
	if (peer_channel_ts(core, ch, ts) < 0)
		modes = 0;
	member_add(core, ch, cl, modes, now);
}

/* PART #chan :reason */
void
peer_part(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);
	struct channel	*ch = channel_find(core, m->params[0]);
	struct member	*mb;
	char		 line[MSG_BODY_MAX + 1], prefix[CLIENT_PREFIX_MAX];
	size_t		 len;

	(void)now;
	if (cl == NULL || ch == NULL || (mb = channel_member(ch, cl)) == NULL)
		return;
	client_prefix(cl, prefix, sizeof(prefix));
	if (m->params[1][0] != '\0')
		len = format_msg(line, sizeof(line), prefix, "PART", 2, ch->name,
		    m->params[1]);
	else
		len = format_msg(line, sizeof(line), prefix, "PART", 1, ch->name);
	send_channel(core, ch, NULL, line, len);
	channel_part(core, mb);
}

/* KICK #chan uid :reason; the member kicked may be anyone's, this node's too. */
void
peer_kick(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);
	struct client	*who = cluster_user(core, m->params[1]);
	struct channel	*ch = channel_find(core, m->params[0]);
	struct member	*mb;
	char		 line[MSG_BODY_MAX + 1], prefix[CLIENT_PREFIX_MAX];
	size_t		 len;

	(void)now;
	if (cl == NULL || who == NULL || ch == NULL ||
	    (mb = channel_member(ch, who)) == NULL)
		return;
	len = format_msg(line, sizeof(line), client_prefix(cl, prefix, sizeof(prefix)),
	    "KICK", 3, ch->name, who->nick, m->params[2]);
	send_channel(core, ch, NULL, line, len);
	channel_part(core, mb);
}

/* Set ch's topic (text "" unsets it), by setter at when. */
static void
topic_set(struct core *core, struct channel *ch, const char *text, const char *setter,
    int64_t when)
{
	char	*topic = NULL, *by;

	if (text[0] != '\0' && (topic = strndup(text, utf8_prefix(text,
	    core->cfg.topiclen))) == NULL)
		return;
	if ((by = strdup(setter)) == NULL) {
		free(topic);
		return;
	}
	free(ch->topic);
	free(ch->topic_setter);
	ch->topic = topic;
	ch->topic_setter = by;
	ch->topic_time = when;
}

/* TOPIC #chan ts topic_time setter :topic */
void
peer_topic(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);
	struct channel	*ch = channel_find(core, m->params[0]);
	int64_t		 ts = number(m->params[1]), when = number(m->params[2]);
	char		 line[MSG_BODY_MAX + 1], prefix[CLIENT_PREFIX_MAX];
	size_t		 len;

	(void)now;
	if (cl == NULL || ch == NULL || ts < 0 || when < 0 || ts > ch->created)
		return;
	client_prefix(cl, prefix, sizeof(prefix));
	topic_set(core, ch, m->params[4], prefix, when);
	len = format_msg(line, sizeof(line), prefix, "TOPIC", 2, ch->name,
	    ch->topic != NULL ? ch->topic : "");
	send_channel(core, ch, NULL, line, len);
}

/* MODE #chan ts modes params...: o and v name uids, which become nicks here. */
void
peer_mode(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);
	struct channel	*ch = channel_find(core, m->params[0]);
	int64_t		 ts = number(m->params[1]);
	struct msg	 mm = { .nparams = 2 };
	char		 modes[2 * 64 + 1], dir = '+', shown = 0;
	size_t		 n = 0;
	unsigned	 next = 3;

	if (cl == NULL || ch == NULL || ts < 0 || ts > ch->created)
		return;
	for (const char *p = m->params[2]; *p != '\0' && n + 2 < sizeof(modes); p++) {
		const char	*param = NULL;
		struct client	*who;

		if (*p == '+' || *p == '-') {
			dir = *p;
			continue;
		}
		if (strchr("beIqkov", *p) != NULL || (strchr("lfj", *p) != NULL &&
		    dir == '+')) {
			if (next >= m->nparams || mm.nparams >= MSG_MAX_PARAMS)
				break;
			param = m->params[next++];
			if (*p == 'o' || *p == 'v') {
				if ((who = cluster_user(core, param)) == NULL)
					continue;
				param = who->nick;
			}
		}
		if (shown != dir)
			modes[n++] = shown = dir;
		modes[n++] = *p;
		if (param != NULL)
			mm.params[mm.nparams++] = param;
	}
	modes[n] = '\0';
	mm.verb = "MODE";
	mm.params[0] = ch->name;
	mm.params[1] = modes;
	cmd_mode_peer(core, cl, ch, &mm, now);
}

/* STATUS #chan ts +o|-o|+v|-v uid: ChanServ gave or took a member's status there. */
void
peer_status(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct channel	*ch = channel_find(core, m->params[0]);
	struct client	*who = cluster_user(core, m->params[3]);
	const char	*change = m->params[2];
	int64_t		 ts = peer_number(m->params[1]);
	char		 line[MSG_BODY_MAX + 1], prefix[CLIENT_PREFIX_MAX];
	struct member	*mb;
	unsigned	 flag;
	size_t		 len;

	(void)now;
	if (!casemap_eq(m->source, node->name) || ch == NULL ||
	    who == NULL || ts < 0 || ts > ch->created || strlen(change) != 2 ||
	    (change[0] != '+' && change[0] != '-') ||
	    (change[1] != 'o' && change[1] != 'v') ||
	    (mb = channel_member(ch, who)) == NULL)
		return;
	flag = change[1] == 'o' ? MEMBER_OP : MEMBER_VOICE;
	if ((change[0] == '+') == !!(mb->modes & flag))
		return;
	mb->modes ^= flag;
	len = format_line(line, ":%s MODE %s %s %s", services_prefix(core, &chanserv,
	    prefix, sizeof(prefix)), ch->name, change, who->nick);
	send_channel(core, ch, NULL, line, len);
}

/* KNOCK #chan: to this node's operators of it (710). */
void
peer_knock(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);
	struct channel	*ch = channel_find(core, m->params[0]);
	char		 prefix[CLIENT_PREFIX_MAX];

	(void)now;
	if (cl == NULL || ch == NULL)
		return;
	client_prefix(cl, prefix, sizeof(prefix));
	for (size_t i = 0; i < ch->members.len; i++) {
		struct member	*mb = ch->members.items[i];

		if (mb->modes & MEMBER_OP)
			send_reply(core, mb->client, RPL_KNOCK, "%s %s", ch->name, prefix);
	}
}

/* INVITE uid #chan, to the invited user's node. */
void
peer_invite(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct client	*cl = source(core, node, m);
	struct client	*who = cluster_user(core, m->params[0]);
	struct channel	*ch = channel_find(core, m->params[1]);
	char		 line[MSG_BODY_MAX + 1], prefix[CLIENT_PREFIX_MAX];
	size_t		 len;

	(void)now;
	if (cl == NULL || who == NULL || !who->local || ch == NULL ||
	    channel_invite_add(core, ch, who) == -1)
		return;
	len = format_msg(line, sizeof(line), client_prefix(cl, prefix, sizeof(prefix)),
	    "INVITE", 2, who->nick, ch->name);
	if (!silence_blocks(who, cl))
		send_line(core, who, line, len);
}

/* The larger of two strings ("" the smallest), for a merge every node makes alike. */
static void
merge_max(char *ours, size_t cap, const char *theirs)
{
	if (strcmp(theirs, "*") != 0 && strcmp(theirs, ours) > 0)
		snprintf(ours, cap, "%s", theirs);
}

/* CHAN #chan ts modes(hex) key limit forward join_max join_secs: a burst's channel,
 * after its SJOIN lines. */
void
peer_chan(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	int64_t		 ts = number(m->params[1]), limit = number(m->params[4]);
	int64_t		 jmax = number(m->params[6]), jsecs = number(m->params[7]);
	struct channel	*ch = channel_find(core, m->params[0]);
	struct chan_modes was;
	unsigned long	 modes;
	char		*end;
	int		 r;

	(void)node, (void)now;
	modes = strtoul(m->params[2], &end, 16);
	if (*end != '\0' || limit < 0 || limit > 1000000 || jmax < 0 || jmax > 1000 ||
	    jsecs < 0 || jsecs > 1000 || strlen(m->params[3]) > CHANNEL_KEY_MAX ||
	    (strcmp(m->params[5], "*") != 0 &&
	    !casemap_channel_valid(m->params[5], CHANNEL_NAME_MAX)) || ch == NULL ||
	    ts < 0 || (r = peer_channel_ts(core, ch, ts)) < 0)
		return;
	/* After its members (SJOIN): a reset or new channel has no modes of its own.
	 * The local members see what the merge changed, as the node's MODE. */
	chan_modes_get(ch, &was);
	ch->modes |= (unsigned)modes;
	merge_max(ch->key, sizeof(ch->key), m->params[3]);
	if ((unsigned)limit > ch->limit)
		ch->limit = (unsigned)limit;
	merge_max(ch->forward, sizeof(ch->forward), m->params[5]);
	if ((unsigned)jmax > ch->join_max ||
	    ((unsigned)jmax == ch->join_max && (unsigned)jsecs > ch->join_secs)) {
		ch->join_max = (unsigned)jmax;
		ch->join_secs = (unsigned)jsecs;
	}
	chan_modes_show(core, ch, node->name, &was);
}

/* SJOIN #chan ts :[@+]uid ...: a burst's members of the sending node. */
void
peer_sjoin(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	int64_t		 ts = number(m->params[1]);
	struct channel	*ch = channel_get(core, m->params[0], ts, true);
	char		*list = (char *)m->params[2], *word;
	bool		 counts;

	if (ch == NULL)
		return;
	counts = peer_channel_ts(core, ch, ts) >= 0;
	while ((word = strsep(&list, " ")) != NULL) {
		const char	*uid = word;
		unsigned	 modes = statuses(&uid);
		struct client	*cl = peer_node_user(core, node, uid);

		if (cl != NULL)
			member_add(core, ch, cl, counts ? modes : 0, now);
	}
	channel_free_if_empty(core, ch);
}

/* BMASK #chan ts letter mask setter time: one list entry of a burst. */
void
peer_bmask(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct channel		*ch = channel_find(core, m->params[0]);
	int64_t			 ts = number(m->params[1]), when = number(m->params[5]);
	const char		*letter = m->params[2], *mask = m->params[3];
	struct vec		*v;
	struct channel_entry	*e;

	(void)node, (void)now;
	if (ch == NULL || ts != ch->created || when < 0 || strlen(letter) != 1 ||
	    strlen(mask) >= CLIENT_PREFIX_MAX)
		return;
	switch (letter[0]) {
	case 'b': v = &ch->bans; break;
	case 'e': v = &ch->excepts; break;
	case 'I': v = &ch->invexes; break;
	case 'q': v = &ch->quiets; break;
	default: return;
	}
	if (v->len >= core->cfg.max_list)
		return;
	for (size_t i = 0; i < v->len; i++)
		if (casemap_eq(((struct channel_entry *)v->items[i])->mask, mask))
			return;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return;
	e->mask = strdup(mask);
	e->setter = strdup(m->params[4]);
	e->time = when;
	if (e->mask == NULL || e->setter == NULL || vec_push(v, e) == -1)
		channel_entry_free(e);
}

/* TB #chan ts topic_time setter :topic: a burst's topic; the later one stays. */
void
peer_tb(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct channel	*ch = channel_find(core, m->params[0]);
	int64_t		 ts = number(m->params[1]), when = number(m->params[2]);
	const char	*text = m->params[4];
	char		 line[MSG_BODY_MAX + 1];
	size_t		 len;

	(void)node, (void)now;
	if (ch == NULL || ts != ch->created || when < 0 || text[0] == '\0' ||
	    strlen(m->params[3]) >= CLIENT_PREFIX_MAX)
		return;
	if (ch->topic != NULL && (when < ch->topic_time || (when == ch->topic_time &&
	    strcmp(text, ch->topic) <= 0)))
		return;
	topic_set(core, ch, text, m->params[3], when);
	if (ch->topic == NULL)
		return;
	len = format_msg(line, sizeof(line), m->params[3], "TOPIC", 2, ch->name, ch->topic);
	send_channel(core, ch, NULL, line, len);
}
