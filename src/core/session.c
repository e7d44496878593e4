/*
 * Several connections, one user: attaching a connection that logs in to an account
 * whose user is on the network, routing its commands, and its leaving (session.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/casemap.h"
#include "core/account_show.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/core.h"
#include "core/flood.h"
#include "core/history.h"
#include "core/history_replay.h"
#include "core/peer.h"
#include "core/presence.h"
#include "core/reply.h"
#include "core/session.h"
#include "core/timer.h"
#include "core/welcome.h"

/* The verbs that concern the connection itself, never the user. */
static const char *const session_own_verbs[] = {
	"AUTHENTICATE", "CAP", "PASS", "PING", "PONG", "QUIT", "REGISTER", "USER", "VERIFY",
};

struct client *
session_target(struct client *cl, const char *verb)
{
	if (cl->parent == NULL)
		return cl;
	for (size_t i = 0; i < sizeof(session_own_verbs) / sizeof(session_own_verbs[0]);
	    i++)
		if (strcasecmp(verb, session_own_verbs[i]) == 0)
			return cl;
	return cl->parent;
}

size_t
session_conns(const struct client *cl)
{
	return cl->sessions.len + ((cl->flags & CLIENT_HOLLOW) ? 0 : 1);
}

capset
session_caps(const struct core *core, const struct client *cl)
{
	if (cl == core->running && core->session != NULL)
		return core->session->caps;
	return cl->caps;
}

struct client *
session_asker(const struct core *core, struct client *cl)
{
	return cl == core->running && core->session != NULL ? core->session : cl;
}

struct client *
session_by_id(struct client *user, uint64_t id)
{
	for (size_t i = 0; i < user->sessions.len; i++)
		if (((struct client *)user->sessions.items[i])->id == id)
			return user->sessions.items[i];
	return NULL;
}

void
session_only(struct core *core, struct client *cl, struct session_saved *saved)
{
	saved->running = core->running;
	saved->session = core->session;
	core->running = cl;
	core->session = NULL;
}

void
session_only_end(struct core *core, const struct session_saved *saved)
{
	core->running = saved->running;
	core->session = saved->session;
}

/* The user on the network logged in to account, other than cl; NULL when none. */
static struct client *
session_user_find(struct core *core, const char *account, const struct client *cl)
{
	for (struct list *n = core->clients.next; n != &core->clients; n = n->next) {
		struct client	*c = list_entry(n, struct client, all);

		/* cluster: a user's sessions stay on its node (a remote user's none). */
		if (c != cl && c->local && c->state == CLIENT_REGISTERED &&
		    !(c->flags & CLIENT_SESSION) &&
		    c->account[0] != '\0' && casemap_eq(c->account, account))
			return c;
	}
	return NULL;
}

bool
session_nick_pending(struct core *core, struct client *cl, const struct client *other,
    const char *nick)
{
	/* cluster: a user on another node is no user to attach to (its node's) */
	if (!other->local || other->state != CLIENT_REGISTERED ||
	    (other->flags & CLIENT_SESSION) || other->account[0] == '\0' ||
	    !session_multiclient(core, other->account))
		return false;
	if (cl->nick[0] != '\0' && map_get(&core->nicks, cl->nick) == cl)
		map_del(&core->nicks, cl->nick);
	snprintf(cl->nick, sizeof(cl->nick), "%s", nick);
	cl->flags |= CLIENT_NICK_PENDING;
	return true;
}

bool
session_nick_settle(struct core *core, struct client *cl)
{
	char	nick[sizeof(cl->nick)];

	if (!(cl->flags & CLIENT_NICK_PENDING))
		return true;
	memcpy(nick, cl->nick, sizeof(nick));
	cl->nick[0] = '\0';
	cl->flags &= ~CLIENT_NICK_PENDING;
	if (client_find(core, nick) == NULL && client_set_nick(core, cl, nick) == 0)
		return true;
	send_reply(core, cl, ERR_NICKNAMEINUSE, "%s", nick);
	return false;
}

/* Show the new session s what its user is in: each channel's JOIN, topic and names,
 * and its last lines to a client without chathistory, as the user's own JOIN would
 * have answered, while s's command runs on the user. */
static void
session_burst(struct core *core, struct client *user, struct client *s, int64_t now)
{
	char		 line[MSG_BODY_MAX + 1];
	char		 prefix[CLIENT_PREFIX_MAX];
	size_t		 len;

	client_prefix(user, prefix, sizeof(prefix));
	welcome_send(core, user);
	account_show_registered(core, user);
	if (user->away != NULL)
		send_reply(core, user, RPL_NOWAWAY, NULL);
	for (size_t i = 0; i < user->channels.len; i++) {
		struct channel	*ch = ((struct member *)user->channels.items[i])->channel;

		if (s->caps & CAP_BIT(CAP_EXTENDED_JOIN))
			len = format_msg(line, sizeof(line), prefix, "JOIN", 3, ch->name,
			    user->account, user->realname != NULL ? user->realname : "");
		else
			len = format_msg(line, sizeof(line), prefix, "JOIN", 1, ch->name);
		send_line(core, user, line, len);
		if (ch->topic != NULL)
			channel_topic_reply(core, user, ch);
		history_join_marker(core, user, ch);
		channel_names_reply(core, user, ch);
		/* What was said meanwhile, for a client that will not ask (history.h). */
		history_join(core, user, ch, now);
	}
}

/* Whether user cl stays on the network without a connection (always-on). */
static bool
session_always_on(const struct core *core, const struct client *cl)
{
	return cl->state == CLIENT_REGISTERED && cl->account[0] != '\0' &&
	    session_always_on_for(core, cl->account);
}

/* Away, or back (text NULL), shown to the peers with away-notify. */
static void
session_away_notify(struct core *core, struct client *cl, const char *text)
{
	char	line[MSG_BODY_MAX + 1];
	char	prefix[CLIENT_PREFIX_MAX];
	size_t	len;

	client_prefix(cl, prefix, sizeof(prefix));
	if (text != NULL)
		len = format_msg(line, sizeof(line), prefix, "AWAY", 1, text);
	else
		len = format_msg(line, sizeof(line), prefix, "AWAY", 0);
	send_peers_caps(core, cl, false, CAP_BIT(CAP_AWAY_NOTIFY), 0, line, len);
	if (core->cluster != NULL)
		peer_send_away(core, cl, NULL);
}

/* The always-on user's last connection went: away, unless it already is. */
static void
session_auto_away(struct core *core, struct client *cl)
{
	if (cl->away != NULL || core->cfg.accounts_auto_away[0] == '\0')
		return;
	if ((cl->away = strdup(core->cfg.accounts_auto_away)) == NULL) {
		core_log(core, PLOG_WARN, "out of memory for an auto-away");
		return;
	}
	cl->flags |= CLIENT_AUTO_AWAY;
	session_away_notify(core, cl, cl->away);
}

/* The always-on user was left without a connection: since when (session_missed.c). */
static void
session_gone(struct core *core, struct client *cl)
{
	cl->gone_since = core->tags.now + core->wall_offset;
	session_auto_away(core, cl);
	presence_save(core, cl);
}

/* A connection came back to a user that went away on its own: back. */
static void
session_back(struct core *core, struct client *cl)
{
	if (!(cl->flags & CLIENT_AUTO_AWAY))
		return;
	cl->flags &= ~CLIENT_AUTO_AWAY;
	free(cl->away);
	cl->away = NULL;
	session_away_notify(core, cl, NULL);
}

bool
session_attach(struct core *core, struct client *cl, int64_t now)
{
	struct client	*user, *running = core->running, *session = core->session;

	if (cl->account[0] == '\0' || !session_multiclient(core, cl->account) ||
	    (user = session_user_find(core, cl->account, cl)) == NULL)
		return false;
	if (session_conns(user) >= core->cfg.accounts_max_connections) {
		client_exit(core, cl, "Too many connections for this account", true);
		return true;
	}
	if (vec_push(&user->sessions, cl) == -1)
		return false;
	/* It takes the user's nick, whatever it asked for: the user's is the one shown. */
	if (cl->nick[0] != '\0' && map_get(&core->nicks, cl->nick) == cl)
		map_del(&core->nicks, cl->nick);
	memcpy(cl->nick, user->nick, sizeof(cl->nick));
	cl->parent = user;
	cl->flags = (cl->flags & ~CLIENT_NICK_PENDING) | CLIENT_SESSION;
	cl->state = CLIENT_REGISTERED;
	core->nsessions++;
	flood_registered(cl, now);
	if (core->out.registered != NULL)
		core->out.registered(core->out.ctx, cl->conn);
	timer_set(core, cl, TIMER_IDLE, now);
	session_back(core, user);
	core->running = user;
	core->session = cl;
	session_burst(core, user, cl, now);
	session_missed(core, user, cl, now);
	user->gone_since = 0;
	core->running = running;
	core->session = session;
	core_log(core, PLOG_DEBUG, "conn %llu: attached to %s (%zu connections)",
	    (unsigned long long)cl->conn, user->nick, session_conns(user));
	return true;
}

/* Take s out of its user's sessions. */
static void
session_detach(struct core *core, struct client *s)
{
	if (s->parent == NULL)
		return;
	vec_remove(&s->parent->sessions, s);
	s->parent = NULL;
	core->nsessions--;
}

/* The last words to cl's own connection, then the driver closes it. */
static void
session_close_conn(struct core *core, struct client *cl, const char *reason)
{
	char	line[MSG_BODY_MAX + 1];
	size_t	len;

	len = format_line(line, "ERROR :Closing Link: %s (%s)", cl->host, reason);
	send_conn(core, cl, line, len);
	tags_label_end(core, cl);
	core->out.hangup(core->out.ctx, cl->conn, reason);
}

/* The user's own connection is gone; its state that belonged to the connection goes. */
static void
session_hollow(struct core *core, struct client *cl)
{
	cl->flags |= CLIENT_HOLLOW;
	list_del(&cl->timer);
	flood_clear(cl);
	tags_forget(core, cl);
	core_log(core, PLOG_DEBUG, "conn %llu: %s keeps %zu other connections",
	    (unsigned long long)cl->conn, cl->nick, cl->sessions.len);
}

bool
session_exit(struct core *core, struct client *cl, const char *reason, bool error)
{
	struct client	*user = cl->parent;

	if (cl->flags & CLIENT_SESSION) {
		if (error && cl->local)
			session_close_conn(core, cl, reason);
		session_detach(core, cl);
		client_free(core, cl);
		if (user == NULL || !(user->flags & CLIENT_HOLLOW) || user->sessions.len > 0)
			return true;
		if (session_always_on(core, user))
			session_gone(core, user);
		else
			client_exit(core, user, reason, false);
		return true;
	}
	/* A hollow user goes for good (KILL, DROP), its sessions with it; a user goes
	 * with its connection unless it has others or is always-on. */
	if (cl->flags & CLIENT_HOLLOW) {
		session_end(core, cl, reason);
		presence_forget(core, cl);
		return false;
	}
	if (cl->sessions.len == 0 && !session_always_on(core, cl))
		return false;
	if (error && cl->local)
		session_close_conn(core, cl, reason);
	session_hollow(core, cl);
	if (cl->sessions.len == 0)
		session_gone(core, cl);
	return true;
}

void
session_end(struct core *core, struct client *user, const char *reason)
{
	while (user->sessions.len > 0) {
		struct client	*s = user->sessions.items[user->sessions.len - 1];

		session_close_conn(core, s, reason);
		session_detach(core, s);
		client_free(core, s);
	}
}

void
session_kill_user(struct core *core, struct client *user, const char *reason)
{
	session_end(core, user, reason);
	if (!(user->flags & CLIENT_HOLLOW)) {
		if (user->local)
			session_close_conn(core, user, reason);
		session_hollow(core, user);
	}
	client_exit(core, user, reason, false);
}

/* The connection numbered id: a session, or a user's own; NULL when none. */
static struct client *
session_conn_find(struct core *core, uint64_t id)
{
	for (struct list *n = core->clients.next; n != &core->clients; n = n->next) {
		struct client	*c = list_entry(n, struct client, all);

		if (c->id == id && c->local && c->state == CLIENT_REGISTERED &&
		    !(c->flags & CLIENT_HOLLOW))
			return c;
	}
	return NULL;
}

bool
session_kill_conn(struct core *core, struct client *oper, const char *target,
    const char *comment)
{
	char		 line[MSG_BODY_MAX + 1], prefix[CLIENT_PREFIX_MAX];
	char		 reason[MSG_BODY_MAX], *end;
	struct client	*c;
	size_t		 len;

	if (target[0] < '0' || target[0] > '9')
		return false;
	c = session_conn_find(core, strtoull(target, &end, 10));
	if (c == NULL || *end != '\0') {
		send_reply(core, oper, ERR_NOSUCHNICK, "%s", target);
		return true;
	}
	len = format_line(line, ":%s KILL %s :%s", client_prefix(oper, prefix,
	    sizeof(prefix)), c->nick, comment);
	send_conn(core, c, line, len);
	core_log(core, PLOG_INFO, "KILL %s (connection %s) by %s (%s)", c->nick, target,
	    oper->nick, comment);
	snprintf(reason, sizeof(reason), "Killed (%s (%s))", oper->nick, comment);
	client_exit(core, c, reason, true);
	return true;
}

void
session_account_gone(struct core *core, const char *account)
{
	struct list	*n;

	session_opts_forget(core, account);
	/* Each pass closes one session or one hollow user. */
again:
	for (n = core->clients.next; n != &core->clients; n = n->next) {
		struct client	*c = list_entry(n, struct client, all);

		if (!(c->flags & (CLIENT_SESSION | CLIENT_HOLLOW)) ||
		    c->account[0] == '\0' || !casemap_eq(c->account, account))
			continue;
		/* A hollow user's sessions first: it leaves with the last one. */
		if (c->flags & CLIENT_HOLLOW)
			session_end(core, c, "Account dropped");
		client_exit(core, c, "Account dropped", true);
		goto again;
	}
}

void
session_forget(struct core *core, struct client *cl)
{
	if (core->session == cl)
		core->session = NULL;
	session_detach(core, cl);
	for (size_t i = 0; i < cl->sessions.len; i++) {
		((struct client *)cl->sessions.items[i])->parent = NULL;
		core->nsessions--;
	}
	vec_clear(&cl->sessions);
}

void
session_nick_follow(struct client *cl)
{
	for (size_t i = 0; i < cl->sessions.len; i++)
		memcpy(((struct client *)cl->sessions.items[i])->nick, cl->nick,
		    sizeof(cl->nick));
}

void
session_echo(struct core *core, struct client *cl, capset with, const char *line,
    size_t len)
{
	struct client	*asking = session_asker(core, cl);

	if (cl != asking && !(cl->flags & CLIENT_HOLLOW) && (cl->caps & with) == with)
		send_conn(core, cl, line, len);
	for (size_t i = 0; i < cl->sessions.len; i++) {
		struct client	*s = cl->sessions.items[i];

		if (s != asking && (s->caps & with) == with)
			send_conn(core, s, line, len);
	}
}

/* The topic and names of ch to connection c of user cl, as replies to it. */
static void
session_channel_state(struct core *core, struct client *cl, struct client *c,
    struct channel *ch)
{
	core->running = cl;
	core->session = c != cl ? c : NULL;
	if (ch->topic != NULL)
		channel_topic_reply(core, cl, ch);
	history_join_marker(core, cl, ch);
	channel_names_reply(core, cl, ch);
}

void
session_joined(struct core *core, struct client *cl, struct channel *ch)
{
	struct client	*asking = session_asker(core, cl);
	struct client	*running = core->running, *session = core->session;

	if (cl->sessions.len == 0)
		return;
	if (cl != asking && !(cl->flags & CLIENT_HOLLOW))
		session_channel_state(core, cl, cl, ch);
	for (size_t i = 0; i < cl->sessions.len; i++)
		if (cl->sessions.items[i] != asking)
			session_channel_state(core, cl, cl->sessions.items[i], ch);
	core->running = running;
	core->session = session;
}

/* One connection of who's, for WHOIS: "nick host :connection N (since T)". */
static void
session_whois_one(struct core *core, struct client *viewer, struct client *who,
    const struct client *c)
{
	send_numeric(core, viewer, RPL_WHOISSPECIAL, "%s :is connected from %s "
	    "(connection %llu, since %lld)", who->nick, c->host, (unsigned long long)c->id,
	    (long long)c->signon);
}

void
session_whois(struct core *core, struct client *viewer, struct client *who)
{
	if (viewer != who && !(viewer->flags & CLIENT_MODE_OPER))
		return;
	if (who->sessions.len == 0)
		return;
	if (!(who->flags & CLIENT_HOLLOW))
		session_whois_one(core, viewer, who, who);
	for (size_t i = 0; i < who->sessions.len; i++)
		session_whois_one(core, viewer, who, who->sessions.items[i]);
}
