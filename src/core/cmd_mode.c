/*
 * MODE: user modes (B, i, o, r, s, w) and channel modes (b, e, I, q, k, l, f, j, i, m, M,
 * n, p, R, s, t, C, T, c, z, P, o, v).  The reply or broadcast shows exactly the changes
 * that were applied, with their parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/casemap.h"
#include "core/chanmode.h"
#include "core/chanreg.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/command.h"
#include "core/history.h"
#include "core/extban.h"
#include "core/mask.h"
#include "core/peer.h"
#include "core/reply.h"

/* The changes applied so far, as a mode string and its parameters. */
struct mode_change {
	char	modes[2 * 64 + 1];
	size_t	nmodes;
	char	dir;
	char	params[MSG_BODY_MAX];
	size_t	nparams_len;
};

static void
mode_change_add(struct mode_change *mc, char dir, char mode, const char *param)
{
	if (mc->nmodes + 2 >= sizeof(mc->modes))
		return;
	if (mc->dir != dir)
		mc->modes[mc->nmodes++] = mc->dir = dir;
	mc->modes[mc->nmodes++] = mode;
	mc->modes[mc->nmodes] = '\0';
	if (param != NULL) {
		int	n;

		n = snprintf(mc->params + mc->nparams_len,
		    sizeof(mc->params) - mc->nparams_len, " %s", param);
		if (n > 0 && mc->nparams_len + (size_t)n < sizeof(mc->params))
			mc->nparams_len += (size_t)n;
		else
			mc->params[mc->nparams_len] = '\0';	/* no half parameter */
	}
}

static void
mode_user(struct core *core, struct client *cl, struct msg *m)
{
	struct client		*target = client_find(core, m->params[0]);
	struct mode_change	 mc = { .dir = 0 };
	char			 dir = '+';
	bool			 unknown = false;

	if (target == NULL) {
		send_reply(core, cl, ERR_NOSUCHNICK, "%s", m->params[0]);
		return;
	}
	if (target != cl) {
		send_reply(core, cl, ERR_USERSDONTMATCH, NULL);
		return;
	}
	if (m->nparams < 2) {
		send_numeric(core, cl, RPL_UMODEIS, "+%s%s%s%s%s%s",
		    cl->flags & CLIENT_MODE_BOT ? "B" : "",
		    cl->flags & CLIENT_MODE_INVISIBLE ? "i" : "",
		    cl->flags & CLIENT_MODE_OPER ? "o" : "",
		    cl->flags & CLIENT_MODE_REGISTERED ? "r" : "",
		    cl->flags & CLIENT_MODE_SNOTICE ? "s" : "",
		    cl->flags & CLIENT_MODE_WALLOPS ? "w" : "");
		return;
	}
	for (const char *p = m->params[1]; *p != '\0'; p++) {
		unsigned	flag;

		if (*p == '+' || *p == '-') {
			dir = *p;
			continue;
		}
		if (*p == 'B')
			flag = CLIENT_MODE_BOT;
		else if (*p == 'i')
			flag = CLIENT_MODE_INVISIBLE;
		else if (*p == 'w')
			flag = CLIENT_MODE_WALLOPS;
		else if (*p == 'o' && dir == '+')
			continue;	/* operator status comes from OPER only */
		else if (*p == 'o')
			flag = CLIENT_MODE_OPER;
		else if (*p == 'r')
			continue;	/* the server's: it follows logging in and out */
		else if (*p == 's' && dir == '+' && !(cl->flags & CLIENT_MODE_OPER))
			continue;	/* server notices are for operators */
		else if (*p == 's')
			flag = CLIENT_MODE_SNOTICE;
		else {
			unknown = true;
			continue;
		}
		if ((dir == '+') == !!(cl->flags & flag))
			continue;
		cl->flags ^= flag;
		mode_change_add(&mc, dir, *p, NULL);
	}
	if ((cl->flags & CLIENT_MODE_SNOTICE) && !(cl->flags & CLIENT_MODE_OPER)) {
		cl->flags &= ~CLIENT_MODE_SNOTICE;
		mode_change_add(&mc, '-', 's', NULL);
	}
	if (unknown)
		send_reply(core, cl, ERR_UMODEUNKNOWNFLAG, NULL);
	if (mc.nmodes > 0)
		send_fmt(core, cl, ":%s MODE %s :%s", cl->nick, cl->nick, mc.modes);
	if (mc.nmodes > 0 && core->cluster != NULL)
		peer_send_umode(core, cl);
}

/* Apply +o/-o/+v/-v for nick.  Returns the member's client when it changed, else NULL
 * (with an error sent when there is one). */
static struct client *
mode_member(struct core *core, struct client *cl, struct channel *ch, char dir,
    char mode, const char *nick)
{
	struct client	*who = client_find(core, nick);
	struct member	*mb;
	unsigned	 flag = mode == 'o' ? MEMBER_OP : MEMBER_VOICE;

	if (who == NULL || who->state != CLIENT_REGISTERED) {
		send_reply(core, cl, ERR_NOSUCHNICK, "%s", nick);
		return NULL;
	}
	if ((mb = channel_member(ch, who)) == NULL) {
		send_reply(core, cl, ERR_USERNOTINCHANNEL, "%s %s", who->nick, ch->name);
		return NULL;
	}
	if ((dir == '+') == !!(mb->modes & flag))
		return NULL;
	mb->modes ^= flag;
	return who;
}

/* The list a mode letter names, with its reply numerics; the quiet list's replies
 * name their mode letter too (728 nick #chan q mask setter time, as solanum and
 * InspIRCd send). */
struct mode_list {
	char		 letter;
	enum numeric	 item, end;
	const char	*tag;
};

static const struct mode_list mode_lists[] = {
	{ 'b', RPL_BANLIST, RPL_ENDOFBANLIST, "" },
	{ 'e', RPL_EXCEPTLIST, RPL_ENDOFEXCEPTLIST, "" },
	{ 'I', RPL_INVEXLIST, RPL_ENDOFINVEXLIST, "" },
	{ 'q', RPL_QUIETLIST, RPL_ENDOFQUIETLIST, "q " },
};

static const struct mode_list *
mode_list_find(char letter)
{
	for (size_t i = 0; i < sizeof(mode_lists) / sizeof(mode_lists[0]); i++)
		if (mode_lists[i].letter == letter)
			return &mode_lists[i];
	return NULL;
}

static struct vec *
mode_list_vec(struct channel *ch, char letter)
{
	if (letter == 'b')
		return &ch->bans;
	if (letter == 'e')
		return &ch->excepts;
	if (letter == 'q')
		return &ch->quiets;
	return &ch->invexes;
}

/* MODE #chan b|e|I: anyone who may see the channel may read the lists. */
static void
mode_list_show(struct core *core, struct client *cl, struct channel *ch,
    const struct mode_list *ml)
{
	struct vec	*v = mode_list_vec(ch, ml->letter);

	for (size_t i = 0; i < v->len; i++) {
		struct channel_entry	*e = v->items[i];

		send_numeric(core, cl, ml->item, "%s %s%s %s %lld", ch->name, ml->tag,
		    e->mask, e->setter, (long long)e->time);
	}
	send_reply(core, cl, ml->end, "%s%s%s", ch->name, ml->tag[0] ? " " : "",
	    ml->tag[0] ? "q" : "");
}

/* Add or remove mask on a list.  Returns true when the list changed; norm gets the
 * normalised mask. */
static bool
mode_list_edit(struct core *core, struct client *cl, struct channel *ch, char dir,
    char letter, const char *mask, char *norm, size_t cap, int64_t now)
{
	struct vec		*v = mode_list_vec(ch, letter);
	struct channel_entry	*e;
	char			 prefix[CLIENT_PREFIX_MAX];

	/* A mask goes into a broadcast as a middle parameter: no spaces, no leading ':'. */
	if (mask[0] == '\0' || mask[0] == ':' || strchr(mask, ' ') != NULL)
		return false;
	if (!extban_is(mask))
		mask_normalize(norm, cap, mask);
	else if (extban_normalize(norm, cap, mask) == -1) {
		send_numeric(core, cl, ERR_INVALIDMODEPARAM,
		    "%s %c %s :Unknown extended ban (this server has $a, $a:account)",
		    ch->name, letter, mask);
		return false;
	}
	for (size_t i = 0; i < v->len; i++) {
		e = v->items[i];
		if (!casemap_eq(e->mask, norm))
			continue;
		if (dir == '+')
			return false;
		snprintf(norm, cap, "%s", e->mask);
		channel_entry_free(e);
		vec_remove_at(v, i);
		return true;
	}
	if (dir == '-')
		return false;
	/* Each list is bounded, and so is what one client holds in all of them. */
	if (v->len >= core->cfg.max_list ||
	    cl->list_entries.len >= core->cfg.max_list_per_client) {
		send_reply(core, cl, ERR_BANLISTFULL, "%s %c", ch->name, letter);
		return false;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return false;
	e->mask = strdup(norm);
	e->setter = strdup(client_prefix(cl, prefix, sizeof(prefix)));
	e->time = core_wall_seconds(core, now);
	if (e->mask == NULL || e->setter == NULL || vec_push(&cl->list_entries, e) == -1) {
		channel_entry_free(e);
		return false;
	}
	e->owner = cl;
	if (vec_push(v, e) == -1) {
		channel_entry_free(e);
		return false;
	}
	return true;
}

unsigned
cmd_mode_flag(char letter)
{
	switch (letter) {
	case 'i':	return CHANNEL_INVITE_ONLY;
	case 'm':	return CHANNEL_MODERATED;
	case 'M':	return CHANNEL_REGMODERATED;
	case 'R':	return CHANNEL_REGONLY;
	case 'n':	return CHANNEL_NO_EXTERNAL;
	case 'p':	return CHANNEL_PRIVATE;
	case 's':	return CHANNEL_SECRET;
	case 't':	return CHANNEL_TOPIC_LOCK;
	case 'C':	return CHANNEL_NO_CTCP;
	case 'P':	return CHANNEL_PERMANENT;
	case 'T':	return CHANNEL_NO_NOTICE;
	case 'c':	return CHANNEL_NO_COLOUR;
	case 'z':	return CHANNEL_TLS_ONLY;
	/* history */
	case 'W':	return CHANNEL_NO_HISTORY;
	default:	return 0;
	}
}

/* RPL_CHANNELMODEIS and RPL_CREATIONTIME; the key only for members. */
static void
mode_show(struct core *core, struct client *cl, struct channel *ch)
{
	static const char	 letters[] = "CMPRTWcimnpstz";
	char			 modes[24], params[MSG_BODY_MAX];
	size_t			 n = 0, plen = 0;

	modes[n++] = '+';
	for (const char *p = letters; *p != '\0'; p++)
		if (ch->modes & cmd_mode_flag(*p))
			modes[n++] = *p;
	params[0] = '\0';
	if (ch->key[0] != '\0') {
		modes[n++] = 'k';
		plen += (size_t)snprintf(params + plen, sizeof(params) - plen, " %s",
		    channel_member(ch, cl) != NULL ? ch->key : "*");
	}
	if (ch->limit > 0) {
		modes[n++] = 'l';
		plen += (size_t)snprintf(params + plen, sizeof(params) - plen, " %u",
		    ch->limit);
	}
	if (ch->forward[0] != '\0') {
		modes[n++] = 'f';
		plen += (size_t)snprintf(params + plen, sizeof(params) - plen, " %s",
		    ch->forward);
	}
	if (ch->join_max > 0) {
		modes[n++] = 'j';
		snprintf(params + plen, sizeof(params) - plen, " %u:%u", ch->join_max,
		    ch->join_secs);
	}
	modes[n] = '\0';
	send_numeric(core, cl, RPL_CHANNELMODEIS, "%s %s%s", ch->name, modes, params);
	send_numeric(core, cl, RPL_CREATIONTIME, "%s %lld", ch->name,
	    (long long)ch->created);
}

/*
 * +k key: one word of at most KEYLEN bytes, no comma (JOIN's separator), no space or
 * control byte, not starting with ':'.  Anything else is refused, never truncated (the
 * modern document: a user must not end up with a key other than the one they typed).
 * Returns false after 696, which names a key it cannot quote as "*".
 */
static bool
mode_key_valid(struct core *core, struct client *cl, struct channel *ch, const char *key)
{
	bool	quotable = key[0] != '\0' && key[0] != ':';
	bool	ok = quotable && strlen(key) <= CHANNEL_KEY_MAX;

	for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++) {
		if (*p <= ' ' || *p == 0x7f)
			ok = quotable = false;
		else if (*p == ',')
			ok = false;
	}
	if (ok)
		return true;
	send_numeric(core, cl, ERR_INVALIDMODEPARAM, "%s k %s :Invalid key", ch->name,
	    quotable ? key : "*");
	return false;
}

/* +l n: a positive number.  Returns 0 after 696. */
static unsigned
mode_limit_parse(struct core *core, struct client *cl, struct channel *ch, const char *s)
{
	unsigned long	 n = 0;
	const char	*p;

	for (p = s; *p >= '0' && *p <= '9' && n <= 1000000000; p++)
		n = n * 10 + (unsigned long)(*p - '0');
	if (p != s && *p == '\0' && n > 0 && n <= 1000000000)
		return (unsigned)n;
	send_numeric(core, cl, ERR_INVALIDMODEPARAM, "%s l %s :Invalid limit", ch->name,
	    s[0] != '\0' && strchr(s, ' ') == NULL ? s : "*");
	return 0;
}

/* What one MODE line is doing as it walks its mode string. */
struct mode_walk {
	struct channel		*ch;
	struct msg		*m;
	struct mode_change	 mc;
	unsigned		 next;		/* the next parameter to use */
	unsigned		 nparam_modes;	/* parameterised changes so far */
	bool			 op;
	bool			 denied;	/* 482 sent */
	unsigned		 listed;	/* lists shown (1 << index in mode_lists) */
	int64_t			 now;
};

/* The next parameter, or NULL when there is none. */
static const char *
mode_param(struct mode_walk *w)
{
	if (w->next >= w->m->nparams)
		return NULL;
	return w->m->params[w->next++];
}

/* Whether the caller may make a change; says 482 once. */
static bool
mode_allowed(struct core *core, struct client *cl, struct mode_walk *w)
{
	if (w->op)
		return true;
	if (!w->denied)
		send_reply(core, cl, ERR_CHANOPRIVSNEEDED, "%s", w->ch->name);
	w->denied = true;
	return false;
}

/* +f channel: another valid channel name.  Returns false after 696. */
static bool
mode_forward_valid(struct core *core, struct client *cl, struct channel *ch,
    const char *target)
{
	if (casemap_channel_valid(target, core->cfg.channellen) &&
	    !casemap_eq(target, ch->name))
		return true;
	send_numeric(core, cl, ERR_INVALIDMODEPARAM,
	    "%s f %s :Invalid forward channel", ch->name,
	    target[0] != '\0' && target[0] != ':' && strchr(target, ' ') == NULL ?
	    target : "*");
	return false;
}

/* +j joins:seconds.  Returns false after 696. */
static bool
mode_throttle_set(struct core *core, struct client *cl, struct channel *ch,
    const char *s)
{
	unsigned	joins, secs;

	if (chanmode_throttle_parse(s, &joins, &secs) == -1) {
		send_numeric(core, cl, ERR_INVALIDMODEPARAM,
		    "%s j %s :Invalid join throttle (joins:seconds)", ch->name,
		    s[0] != '\0' && s[0] != ':' && strchr(s, ' ') == NULL ? s : "*");
		return false;
	}
	if (joins == ch->join_max && secs == ch->join_secs)
		return false;
	ch->join_max = joins;
	ch->join_secs = secs;
	ch->join_count = 0;
	return true;
}

/* One mode letter that takes a parameter: b, e, I, q, k, l, f, j (when set), o, v. */
static void
mode_with_param(struct core *core, struct client *cl, struct mode_walk *w, char dir,
    char letter)
{
	struct channel	*ch = w->ch;
	const char	*param;
	char		 norm[CLIENT_PREFIX_MAX];
	struct client	*who;
	unsigned	 limit;

	if (strchr("beIq", letter) != NULL && w->next >= w->m->nparams) {
		const struct mode_list	*ml = mode_list_find(letter);
		unsigned		 bit = 1u << (ml - mode_lists);

		/* "MODE #c bbbb": each list once, however often it is asked for. */
		if (!(w->listed & bit))
			mode_list_show(core, cl, ch, ml);
		w->listed |= bit;
		return;
	}
	if (!mode_allowed(core, cl, w))
		return;
	if (w->nparam_modes == core->cfg.modes_per_line || (param = mode_param(w)) == NULL) {
		if (letter == 'k' && dir == '-' && ch->key[0] != '\0') {
			ch->key[0] = '\0';
			mode_change_add(&w->mc, dir, letter, "*");
		}
		return;
	}
	w->nparam_modes++;
	switch (letter) {
	case 'b':
	case 'e':
	case 'I':
	case 'q':
		if (mode_list_edit(core, cl, ch, dir, letter, param, norm, sizeof(norm),
		    w->now))
			mode_change_add(&w->mc, dir, letter, norm);
		return;
	case 'k':
		if (dir == '-') {
			/* Any parameter will do: the key is private, so don't echo it. */
			if (ch->key[0] == '\0')
				return;
			ch->key[0] = '\0';
			mode_change_add(&w->mc, dir, letter, "*");
			return;
		}
		if (!mode_key_valid(core, cl, ch, param) || strcmp(ch->key, param) == 0)
			return;
		snprintf(ch->key, sizeof(ch->key), "%s", param);
		mode_change_add(&w->mc, dir, letter, param);
		return;
	case 'l':
		if ((limit = mode_limit_parse(core, cl, ch, param)) == 0 || limit == ch->limit)
			return;
		ch->limit = limit;
		mode_change_add(&w->mc, dir, letter, param);
		return;
	case 'f':
		if (!mode_forward_valid(core, cl, ch, param) ||
		    casemap_eq(ch->forward, param))
			return;
		snprintf(ch->forward, sizeof(ch->forward), "%s", param);
		mode_change_add(&w->mc, dir, letter, param);
		return;
	case 'j':
		if (mode_throttle_set(core, cl, ch, param))
			mode_change_add(&w->mc, dir, letter, param);
		return;
	default:
		if ((who = mode_member(core, cl, ch, dir, letter, param)) != NULL)
			mode_change_add(&w->mc, dir, letter, who->nick);
		return;
	}
}

/* -l, -f, -j: no parameter. */
static void
mode_unset(struct core *core, struct client *cl, struct mode_walk *w, char letter)
{
	struct channel	*ch = w->ch;

	if (!mode_allowed(core, cl, w))
		return;
	if (letter == 'l' && ch->limit > 0)
		ch->limit = 0;
	else if (letter == 'f' && ch->forward[0] != '\0')
		ch->forward[0] = '\0';
	else if (letter == 'j' && ch->join_max > 0)
		ch->join_max = ch->join_secs = ch->join_count = 0;
	else
		return;
	mode_change_add(&w->mc, '-', letter, NULL);
}

static void
mode_letter(struct core *core, struct client *cl, struct mode_walk *w, char dir,
    char letter)
{
	unsigned	flag;

	if (strchr("beIqkov", letter) != NULL || (strchr("lfj", letter) != NULL &&
	    dir == '+')) {
		mode_with_param(core, cl, w, dir, letter);
		return;
	}
	if (strchr("lfj", letter) != NULL) {
		mode_unset(core, cl, w, letter);
		return;
	}
	if ((flag = cmd_mode_flag(letter)) == 0) {
		send_reply(core, cl, ERR_UNKNOWNMODE, "%c", letter);
		return;
	}
	/* +P is for operators, who need not be the channel's operators. */
	if (letter == 'P' && !(cl->flags & CLIENT_MODE_OPER)) {
		send_reply(core, cl, ERR_NOPRIVILEGES, NULL);
		return;
	}
	if ((letter != 'P' && !mode_allowed(core, cl, w)) ||
	    (dir == '+') == !!(w->ch->modes & flag))
		return;
	w->ch->modes ^= flag;
	mode_change_add(&w->mc, dir, letter, NULL);
}

static void
mode_channel(struct core *core, struct client *cl, struct channel *ch, struct msg *m,
    int64_t now)
{
	struct member		*self = channel_member(ch, cl);
	struct mode_walk	 w = { .ch = ch, .m = m, .next = 2, .now = now };
	bool			 peer = core->cluster != NULL && !cl->local;
	char			 dir = '+', prefix[CLIENT_PREFIX_MAX];
	char			 line[MSG_BODY_MAX + 1];
	size_t			 len;

	if (m->nparams < 2) {
		mode_show(core, cl, ch);
		return;
	}
	/* cluster: another node's change, checked there (cmd_mode_peer) */
	w.op = peer || (self != NULL && (self->modes & MEMBER_OP));
	for (const char *p = m->params[1]; *p != '\0'; p++) {
		if (*p == '+' || *p == '-')
			dir = *p;
		else
			mode_letter(core, cl, &w, dir, *p);
	}
	if (w.mc.nmodes == 0)
		return;
	len = format_line(line, ":%s MODE %s %s%s",
	    client_prefix(cl, prefix, sizeof(prefix)), ch->name, w.mc.modes, w.mc.params);
	send_channel(core, ch, NULL, line, len);
	history_event(core, cl, ch, line, len);		/* history */
	if (core->cluster != NULL && cl->local)
		peer_send_mode(core, cl, ch, w.mc.modes, w.mc.params);
	if (!peer)
		chanreg_changed(core, ch, cl, now);
	/* An operator outside the channel changed +P: tell them, and let an empty
	 * channel that is no longer permanent go. */
	if (self == NULL)
		send_line(core, cl, line, len);
	channel_free_if_empty(core, ch);
}

void
cmd_mode_peer(struct core *core, struct client *cl, struct channel *ch, struct msg *m,
    int64_t now)
{
	if (m->nparams >= 2)
		mode_channel(core, cl, ch, m, now);
}

void
cmd_mode(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	struct channel	*ch;

	if (m->params[0][0] != '#') {
		mode_user(core, cl, m);
		return;
	}
	/* A +s channel's modes and lists are not there for those outside it. */
	if ((ch = channel_find_visible(core, m->params[0], cl)) == NULL) {
		send_reply(core, cl, ERR_NOSUCHCHANNEL, "%s", m->params[0]);
		return;
	}
	mode_channel(core, cl, ch, m, now);
}
