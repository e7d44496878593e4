/*
 * Queries about the server's users and channels: LUSERS, MOTD, LIST, WHO (with WHOX),
 * WHOIS and WHOWAS.  What a user may see: invisible (+i) users only by those sharing a
 * channel with them, secret channels only by their members.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/casemap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/command.h"
#include "core/mask.h"
#include "core/names.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/services.h"
#include "core/session.h"
#include "core/target.h"
#include "core/welcome.h"

static bool
query_is_mask(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

static bool
query_shares_channel(const struct client *a, const struct client *b)
{
	for (size_t i = 0; i < a->channels.len; i++) {
		const struct member	*m = a->channels.items[i];

		if (channel_member(m->channel, b) != NULL)
			return true;
	}
	return false;
}

/* Whether cl may see who in a WHO listing that did not name them exactly. */
static bool
query_user_visible(const struct client *cl, const struct client *who)
{
	return who == cl || !(who->flags & CLIENT_MODE_INVISIBLE) ||
	    query_shares_channel(cl, who);
}

void
cmd_lusers(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	(void)m, (void)now;
	welcome_lusers(core, cl);
}

void
cmd_motd(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	(void)m, (void)now;
	welcome_motd(core, cl);
}

/* ---- LIST ---- */

#define LIST_FILTERS	16	/* comma-separated filters one LIST honours */

struct list_filter {
	size_t		 min_users, max_users;	/* from ">n" and "<n" */
	const char	*masks[LIST_FILTERS];
	unsigned	 nmasks;
	/* ELIST C, T, N: creation and topic ages (wall seconds), masks none may match. */
	int64_t		 created_min, created_max;	/* from "C>n" and "C<n" */
	int64_t		 topic_min, topic_max;	/* from "T>n" and "T<n" */
	const char	*nots[LIST_FILTERS];	/* from "!mask" */
	unsigned	 nnots;
	int64_t		 wall;
};

/* Parse "n" after '>' or '<'.  Returns false when it is not a plain decimal number. */
static bool
list_number(const char *s, size_t *out)
{
	char			*end;
	unsigned long long	 v;

	if (*s < '0' || *s > '9')
		return false;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		return false;
	*out = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
	return true;
}

/* "C<n"/"C>n"/"T<n"/"T>n" (minutes ago): the bounds on a time it sets.  Times older
 * than n minutes are below wall - 60n; a channel "C>n" was created before that. */
static bool
list_age(struct list_filter *f, const char *item)
{
	size_t		 n;
	int64_t		 at, *min, *max;

	if ((item[0] != 'C' && item[0] != 'T') || (item[1] != '<' && item[1] != '>') ||
	    !list_number(item + 2, &n))
		return false;
	min = item[0] == 'C' ? &f->created_min : &f->topic_min;
	max = item[0] == 'C' ? &f->created_max : &f->topic_max;
	at = n > (size_t)(INT64_MAX / 120) ? INT64_MIN / 2 : f->wall - (int64_t)n * 60;
	if (item[1] == '<' && at > *min)
		*min = at;	/* less than n minutes ago: after `at` */
	else if (item[1] == '>' && at < *max)
		*max = at;	/* more than n minutes ago: before `at` */
	return true;
}

static void
list_parse(struct list_filter *f, char *spec, int64_t wall)
{
	char	*item;
	size_t	 n;

	f->min_users = 0;
	f->max_users = SIZE_MAX;
	f->nmasks = f->nnots = 0;
	f->created_min = f->topic_min = INT64_MIN;
	f->created_max = f->topic_max = INT64_MAX;
	f->wall = wall;
	while (spec != NULL && (item = command_next_item(&spec)) != NULL) {
		if (list_age(f, item))
			continue;
		if (item[0] == '!' && item[1] != '\0') {
			if (f->nnots < LIST_FILTERS)
				f->nots[f->nnots++] = item + 1;
		} else if (item[0] == '>' && list_number(item + 1, &n)) {
			if (n == SIZE_MAX)
				f->min_users = SIZE_MAX;
			else if (n + 1 > f->min_users)
				f->min_users = n + 1;
		} else if (item[0] == '<' && list_number(item + 1, &n)) {
			if (n == 0)
				f->max_users = 0;
			else if (n - 1 < f->max_users)
				f->max_users = n - 1;
		} else if (f->nmasks < LIST_FILTERS) {
			f->masks[f->nmasks++] = item;
		}
	}
}

/* 1 when ch passes the filter, 0 when not, -1 when *work ran out deciding. */
static int
list_wanted(const struct list_filter *f, const struct channel *ch, size_t *work)
{
	if (ch->members.len < f->min_users || ch->members.len > f->max_users)
		return 0;
	if (ch->created <= f->created_min || ch->created >= f->created_max)
		return 0;
	/* A topic filter leaves out the channels without a topic. */
	if ((f->topic_min != INT64_MIN || f->topic_max != INT64_MAX) &&
	    (ch->topic == NULL || ch->topic_time <= f->topic_min ||
	    ch->topic_time >= f->topic_max))
		return 0;
	for (unsigned i = 0; i < f->nnots; i++) {
		int	r = mask_match_work(f->nots[i], ch->name, work);

		if (r != 0)
			return r < 0 ? r : 0;
	}
	if (f->nmasks == 0)
		return 1;
	for (unsigned i = 0; i < f->nmasks; i++) {
		int	r = mask_match_work(f->masks[i], ch->name, work);

		if (r != 0)
			return r;
	}
	return 0;
}

/* LIST [filter{,filter}]: ">n" and "<n" bound the user count, "C<n"/"C>n" the
 * creation and "T<n"/"T>n" the topic's age in minutes, "!mask" leaves a mask out,
 * anything else is a channel mask; a channel is listed when it passes every bound and
 * negated mask, and some mask.  At most max_matches channels and match_work steps of
 * matching: then 416 before 323. */
void
cmd_list(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	struct list_filter	 f;
	size_t			 pos = 0, work = core->cfg.match_work;
	unsigned		 found = 0;
	const char		*key;
	void			*value;
	int			 r;

	list_parse(&f, m->nparams > 0 ? (char *)m->params[0] : NULL,
	    core_wall_seconds(core, now));
	send_reply(core, cl, RPL_LISTSTART, "Channel");
	while (map_next(&core->channels, &pos, &key, &value)) {
		struct channel	*ch = value;

		if (!channel_visible(ch, cl) || (r = list_wanted(&f, ch, &work)) == 0)
			continue;
		if (r < 0 || found == core->cfg.max_matches) {
			send_reply(core, cl, ERR_TOOMANYMATCHES, "LIST");
			break;
		}
		found++;
		send_numeric(core, cl, RPL_LIST, "%s %zu :%s", ch->name, ch->members.len,
		    ch->topic != NULL ? ch->topic : "");
	}
	send_reply(core, cl, RPL_LISTEND, NULL);
}

/* ---- WHO ---- */

#define WHOX_FIELDS	"tcuihsnfdlaor"	/* the order 354 gives the fields in */
#define WHOX_TOKEN_MAX	3		/* digits in a query token */

struct who_query {
	bool		 opers_only;	/* "o": IRC operators only */
	bool		 whox;		/* answer 354 with `fields` */
	char		 fields[sizeof(WHOX_FIELDS)];
	char		 token[WHOX_TOKEN_MAX + 1];
};

/* Parse WHO's second parameter: "o", or WHOX's "[o]%fields[,token]". */
static void
who_options(struct who_query *q, const char *opt)
{
	const char	*fields, *comma;
	size_t		 n = 0, tlen;

	memset(q, 0, sizeof(*q));
	strcpy(q->token, "0");
	if (opt == NULL)
		return;
	fields = strchr(opt, '%');
	q->opers_only = memchr(opt, 'o', fields != NULL ? (size_t)(fields - opt) :
	    strlen(opt)) != NULL;
	if (fields == NULL)
		return;
	q->whox = true;
	comma = strchr(fields, ',');
	/* Keep the requested letters in WHOX order, each once, unknown ones ignored. */
	for (const char *f = WHOX_FIELDS; *f != '\0'; f++) {
		const char	*hit = strchr(fields + 1, *f);

		if (hit != NULL && (comma == NULL || hit < comma))
			q->fields[n++] = *f;
	}
	q->fields[n] = '\0';
	if (comma != NULL && (tlen = strlen(comma + 1)) > 0 && tlen <= WHOX_TOKEN_MAX &&
	    strspn(comma + 1, "0123456789") == tlen)
		strcpy(q->token, comma + 1);
}

/* "H" or "G" (away), "*" for an operator, "B" for a bot, then the channel prefix (all
 * of them for a viewer with multi-prefix). */
static void
who_flags(char *buf, size_t cap, const struct client *cl, const struct client *who,
    unsigned modes)
{
	snprintf(buf, cap, "%c%s%s%s", who->away != NULL ? 'G' : 'H',
	    (who->flags & CLIENT_MODE_OPER) ? "*" : "",
	    (who->flags & CLIENT_MODE_BOT) ? "B" : "", channel_prefixes(cl, modes));
}

/* Append " value" to the 354 reply being built; the realname is the trailing one. */
static void
whox_add(char *buf, size_t cap, size_t *len, const char *value, bool trailing)
{
	int	n;

	if (*len >= cap)
		return;
	n = snprintf(buf + *len, cap - *len, " %s%s", trailing ? ":" : "", value);
	if (n > 0)
		*len = (size_t)n + *len >= cap ? cap - 1 : *len + (size_t)n;
}

static void
whox_reply(struct core *core, struct client *cl, const struct who_query *q,
    const char *channel, const struct client *who, const char *flags, int64_t now)
{
	char	buf[MSG_BODY_MAX + 1];
	char	idle[24];
	size_t	len = 0;

	buf[0] = '\0';
	snprintf(idle, sizeof(idle), "%lld", (long long)((now - who->last_message) / 1000));
	for (const char *f = q->fields; *f != '\0'; f++) {
		const char	*v = "";

		switch (*f) {
		case 't':
			v = q->token;
			break;
		case 'c':
			v = channel;
			break;
		case 'u':
			v = who->user;
			break;
		case 'i':	/* the host is the numeric address */
		case 'h':
			v = who->host;
			break;
		case 's':
			v = client_server(core, who);
			break;
		case 'n':
			v = who->nick;
			break;
		case 'f':
			v = flags;
			break;
		case 'd':	/* hop count */
			v = "0";
			break;
		case 'a':	/* account: "0" for none */
			v = who->account[0] != '\0' ? who->account : "0";
			break;
		case 'l':
			v = idle;
			break;
		case 'o':	/* channel op level: not used */
			v = "n/a";
			break;
		default:	/* 'r' */
			v = who->realname != NULL ? who->realname : "";
			break;
		}
		whox_add(buf, sizeof(buf), &len, v, *f == 'r');
	}
	send_numeric(core, cl, RPL_WHOSPCRPL, "%s", len > 0 ? buf + 1 : "");
}

static void
who_reply(struct core *core, struct client *cl, const struct who_query *q,
    const char *channel, const struct client *who, unsigned modes, int64_t now)
{
	char	flags[8];

	if (q->opers_only && !(who->flags & CLIENT_MODE_OPER))
		return;
	who_flags(flags, sizeof(flags), cl, who, modes);
	if (q->whox) {
		whox_reply(core, cl, q, channel, who, flags, now);
		return;
	}
	send_numeric(core, cl, RPL_WHOREPLY, "%s %s %s %s %s %s :0 %s", channel, who->user,
	    who->host, client_server(core, who), who->nick, flags,
	    who->realname != NULL ? who->realname : "");
}

static void
who_channel(struct core *core, struct client *cl, const struct who_query *q,
    struct channel *ch, int64_t now)
{
	bool	member = channel_member(ch, cl) != NULL;

	if (!channel_visible(ch, cl))
		return;
	for (size_t i = 0; i < ch->members.len; i++) {
		struct member	*mb = ch->members.items[i];

		/* Outsiders see a channel's invisible members only if they share another. */
		if (member || query_user_visible(cl, mb->client))
			who_reply(core, cl, q, ch->name, mb->client, mb->modes, now);
	}
}

/* 1 when mask matches who's nick, user, host or realname, 0 when not, -1 when *work
 * ran out deciding. */
static int
who_matches(const char *mask, const struct client *who, size_t *work)
{
	const char	*fields[] = { who->nick, who->user, who->host,
			    who->realname != NULL ? who->realname : "" };
	int		 r;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if ((r = mask_match_work(mask, fields[i], work)) != 0)
			return r;
	}
	return 0;
}

/*
 * WHO mask: every visible user whose nick, user, host or realname matches, or everyone
 * when the server's name does.  At most max_matches replies and match_work steps of
 * matching (a crafted mask against crafted realnames costs the most): then 416.
 */
static void
who_mask(struct core *core, struct client *cl, const struct who_query *q,
    const char *mask, int64_t now)
{
	size_t		 work = core->cfg.match_work;
	unsigned	 found = 0;
	int		 all, r = 1;

	all = mask_match_work(mask, core->cfg.server_name, &work);
	for (struct list *n = core->clients.next; n != &core->clients && all >= 0;
	    n = n->next) {
		struct client	*who = list_entry(n, struct client, all);

		if (who->state != CLIENT_REGISTERED || (who->flags & CLIENT_SESSION) ||
		    !query_user_visible(cl, who) ||
		    (q->opers_only && !(who->flags & CLIENT_MODE_OPER)))
			continue;
		if (!all && (r = who_matches(mask, who, &work)) <= 0) {
			if (r < 0)
				break;
			continue;
		}
		if (found == core->cfg.max_matches) {
			r = -1;
			break;
		}
		found++;
		who_reply(core, cl, q, "*", who, 0, now);
	}
	if (all < 0 || r < 0)
		send_reply(core, cl, ERR_TOOMANYMATCHES, "WHO");
}

/*
 * WHO #channel, WHO nick, or WHO mask (matched against nick, user, host, server and
 * realname; "0" and no mask mean everyone visible), with "o" for operators only and
 * WHOX's "%fields[,token]".
 */
void
cmd_who(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*asked = m->nparams > 0 && m->params[0][0] != '\0' ?
			    m->params[0] : "*";
	const char	*mask = strcmp(asked, "0") == 0 ? "*" : asked;
	struct who_query q;
	struct channel	*ch;
	struct client	*who;

	who_options(&q, m->nparams > 1 ? m->params[1] : NULL);
	if (mask[0] == '#') {
		if ((ch = channel_find(core, mask)) != NULL)
			who_channel(core, cl, &q, ch, now);
	} else if (!query_is_mask(mask)) {
		/* An exact nick names its user, invisible or not. */
		if ((who = client_find(core, mask)) != NULL && who->state == CLIENT_REGISTERED)
			who_reply(core, cl, &q, "*", who, 0, now);
	} else
		who_mask(core, cl, &q, mask, now);
	send_reply(core, cl, RPL_ENDOFWHO, "%s", asked);
}

/* ---- WHOIS and WHOWAS ---- */

/* 319: the channels of who that cl may see, with prefixes, over as many lines as need. */
static void
whois_channels(struct core *core, struct client *cl, const struct client *who)
{
	char	list[MSG_BODY_MAX - CONFIG_NAME_MAX - 2 * CLIENT_NICK_MAX - 16];
	size_t	len = 0;

	for (size_t i = 0; i < who->channels.len; i++) {
		const struct member	*mb = who->channels.items[i];
		const char		*pfx = channel_prefixes(cl, mb->modes);
		size_t			 need;

		if (!channel_visible(mb->channel, cl))
			continue;
		need = (len > 0) + strlen(pfx) + strlen(mb->channel->name);
		if (len > 0 && len + need >= sizeof(list)) {
			send_numeric(core, cl, RPL_WHOISCHANNELS, "%s :%s", who->nick,
			    list);
			len = 0;
		}
		snprintf(list + len, sizeof(list) - len, "%s%s%s", len > 0 ? " " : "", pfx,
		    mb->channel->name);
		len = strlen(list);
	}
	if (len > 0)
		send_numeric(core, cl, RPL_WHOISCHANNELS, "%s :%s", who->nick, list);
}

static void
whois_one(struct core *core, struct client *cl, const char *nick, int64_t now)
{
	struct client	*who = client_find(core, nick);

	if (services_whois(core, cl, nick)) {
		send_reply(core, cl, RPL_ENDOFWHOIS, "%s", nick);
		return;
	}
	if (who == NULL || who->state != CLIENT_REGISTERED) {
		send_reply(core, cl, ERR_NOSUCHNICK, "%s", nick);
		send_reply(core, cl, RPL_ENDOFWHOIS, "%s", nick);
		return;
	}
	send_numeric(core, cl, RPL_WHOISUSER, "%s %s %s * :%s", who->nick, who->user,
	    who->host, who->realname != NULL ? who->realname : "");
	whois_channels(core, cl, who);
	send_numeric(core, cl, RPL_WHOISSERVER, "%s %s :%s", who->nick,
	    client_server(core, who), core->cfg.description);
	if (who->flags & CLIENT_MODE_OPER)
		send_reply(core, cl, RPL_WHOISOPERATOR, "%s", who->nick);
	if (who->away != NULL)
		send_numeric(core, cl, RPL_AWAY, "%s :%s", who->nick, who->away);
	if (who->flags & CLIENT_MODE_BOT)
		send_reply(core, cl, RPL_WHOISBOT, "%s", who->nick);
	if (who->account[0] != '\0')
		send_reply(core, cl, RPL_WHOISACCOUNT, "%s %s", who->nick, who->account);
	if (who->flags & CLIENT_SECURE)
		send_reply(core, cl, RPL_WHOISSECURE, "%s", who->nick);
	session_whois(core, cl, who);
	/* A fingerprint links a person across nicks: for them and the operators only. */
	if (who->certfp[0] != '\0' && (who == cl || (cl->flags & CLIENT_MODE_OPER)))
		send_numeric(core, cl, RPL_WHOISCERTFP,
		    "%s :has client certificate fingerprint %s", who->nick, who->certfp);
	/* cluster: another node's user's idle time is not known here */
	if (who->local)
		send_reply(core, cl, RPL_WHOISIDLE, "%s %lld %lld", who->nick,
		    (long long)((now - who->last_message) / 1000),
		    (long long)who->signon);
	send_reply(core, cl, RPL_ENDOFWHOIS, "%s", who->nick);
}

/* WHOIS nick{,nick} or WHOIS server nick{,nick}: every user is on this server. */
void
cmd_whois(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	char	*list, *nick, *start;

	if (m->nparams == 0 || m->params[m->nparams > 1][0] == '\0') {
		send_reply(core, cl, ERR_NONICKNAMEGIVEN, NULL);
		return;
	}
	if (m->nparams > 1 && !casemap_eq(m->params[0], core->cfg.server_name) &&
	    client_find(core, m->params[0]) == NULL &&
	    (core->cluster == NULL || !cluster_node_known(core, m->params[0]))) {
		send_reply(core, cl, ERR_NOSUCHSERVER, "%s", m->params[0]);
		return;
	}
	list = start = (char *)m->params[m->nparams > 1];
	for (unsigned n = 0; (nick = command_next_item(&list)) != NULL; ) {
		if (target_repeated(core, start, nick))
			continue;	/* each nick answered once */
		if (n++ == core->cfg.max_targets) {
			send_reply(core, cl, ERR_TOOMANYTARGETS, "%s", nick);
			return;
		}
		whois_one(core, cl, nick, now);
	}
}

/* The entries for nick, at most count (0: any number) and *left, which counts down
 * what the whole WHOWAS may still list: 416 when it cut the listing short. */
static void
whowas_one(struct core *core, struct client *cl, const char *nick, size_t count,
    size_t *left)
{
	const struct whowas_entry	*e;
	char				 when[64];
	size_t				 found = 0;
	bool				 cut = false;

	for (size_t i = 0; (e = whowas_get(&core->whowas, i)) != NULL; i++) {
		if (count > 0 && found == count)
			break;
		if (!names_eq(core, e->nick, nick))
			continue;
		if (*left == 0) {
			cut = true;
			break;
		}
		(*left)--;
		found++;
		calendar_time_string(when, sizeof(when), e->when);
		send_numeric(core, cl, RPL_WHOWASUSER, "%s %s %s * :%s", e->nick, e->user,
		    e->host, e->realname);
		send_numeric(core, cl, RPL_WHOISSERVER, "%s %s :%s", e->nick, e->server,
		    when);
	}
	if (cut)
		send_reply(core, cl, ERR_TOOMANYMATCHES, "WHOWAS");
	else if (found == 0)
		send_reply(core, cl, ERR_WASNOSUCHNICK, "%s", nick);
	send_reply(core, cl, RPL_ENDOFWHOWAS, "%s", nick);
}

/* WHOWAS nick{,nick} [count [server]]: newest first, at most count entries a nick
 * (count 0 or less, or none, is all of them) and whowas_max in all; a nick named
 * twice is answered once. */
void
cmd_whowas(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	char	*list, *nick, *end, *start;
	long	 count = 0;
	size_t	 left = core->cfg.whowas_max;

	(void)now;
	if (m->nparams == 0 || m->params[0][0] == '\0') {
		send_reply(core, cl, ERR_NONICKNAMEGIVEN, NULL);
		return;
	}
	if (m->nparams > 1) {
		count = strtol(m->params[1], &end, 10);
		if (*end != '\0' || count < 0)
			count = 0;
	}
	list = start = (char *)m->params[0];
	for (unsigned n = 0; (nick = command_next_item(&list)) != NULL; ) {
		if (target_repeated(core, start, nick))
			continue;
		if (n++ == core->cfg.max_targets) {
			send_reply(core, cl, ERR_TOOMANYTARGETS, "%s", nick);
			return;
		}
		whowas_one(core, cl, nick, (size_t)count, &left);
	}
}
