/*
 * Clients: creation, the nick table, and leaving the network.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/account.h"
#include "core/account_show.h"
#include "core/casemap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/confusable.h"
#include "core/core.h"
#include "core/history.h"
#include "core/flood.h"
#include "core/job_owner.h"
#include "core/metadata.h"
#include "core/monitor.h"
#include "core/multiline.h"
#include "core/names.h"
#include "core/silence.h"
#include "core/nickown.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/sasl.h"
#include "core/session.h"
#include "core/snotice.h"
#include "core/stats.h"
#include "core/timer.h"
#include "core/welcome.h"

struct client *
client_new(struct core *core, uint64_t conn, const char *host, int64_t now)
{
	struct client	*cl;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return NULL;
	cl->conn = conn;
	cl->id = ++core->client_ids;
	cl->local = true;
	cl->state = CLIENT_UNREGISTERED;
	if (core->cfg.password[0] == '\0')
		cl->flags |= CLIENT_PASS_OK;
	/* "::1" would start a parameter with ':' and turn the rest of a WHO reply into
	 * its trailing parameter: write it as "0::1", as IRC servers do. */
	snprintf(cl->host, sizeof(cl->host), "%s%s", host[0] == ':' ? "0" : "", host);
	cl->last_active = now;
	cl->last_message = now;
	cl->signon = core_wall_seconds(core, now);
	list_init(&cl->timer);
	list_init(&cl->flood_queue);
	list_init(&cl->flood_link);
	list_init(&cl->jobs);
	list_init(&cl->grace);
	list_add_tail(&core->clients, &cl->all);
	core->nclients++;
	timer_set(core, cl, TIMER_REGISTRATION, now);
	return cl;
}

/* Forget cl entirely: channels, nick, lists, memory.  Sends nothing. */
void
client_free(struct core *core, struct client *cl)
{
	if (core->running == cl)
		core->running = NULL;
	while (cl->channels.len > 0)
		channel_part(core, cl->channels.items[cl->channels.len - 1]);
	vec_clear(&cl->channels);
	channel_entries_disown(cl);
	if (cl->nick[0] != '\0' && map_get(&core->nicks, cl->nick) == cl)
		map_del(&core->nicks, cl->nick);
	confusable_forget(core, cl);
	list_del(&cl->timer);
	flood_clear(cl);
	job_orphan(cl);
	nickown_forget(cl);
	account_flow_free(cl);
	sasl_free(cl);
	monitor_clear(core, cl);
	session_forget(core, cl);
	silence_clear(cl);
	multiline_free(cl);
	metadata_clear(&cl->metadata);
	for (size_t i = 0; i < cl->metadata_subs.len; i++)
		free(cl->metadata_subs.items[i]);
	vec_clear(&cl->metadata_subs);
	list_del(&cl->all);
	tags_forget(core, cl);
	if (core->cluster != NULL)
		cluster_forget(core, cl);
	/* A remote user (peer.h) was never counted among the connections. */
	if (cl->local) {
		core->nclients--;
		if (cl->state == CLIENT_REGISTERED && !(cl->flags & CLIENT_SESSION))
			core->nregistered--;
	}
	free(cl->realname);
	free(cl->away);
	free(cl);
}

const char *
client_prefix(const struct client *cl, char *buf, size_t cap)
{
	const char	*part[] = { client_name(cl), "!", cl->user[0] ? cl->user : "*", "@",
			    cl->host };
	size_t		 len = 0, n;

	/* Every message carries it: copied, not formatted by snprintf. */
	if (cap == 0)
		return buf;
	for (size_t i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
		n = strlen(part[i]);
		if (n > cap - 1 - len)
			n = cap - 1 - len;
		memcpy(buf + len, part[i], n);
		len += n;
	}
	buf[len] = '\0';
	return buf;
}

const char *
client_server(const struct core *core, const struct client *cl)
{
	return cl->node != NULL ? cl->node->name : core->cfg.server_name;
}

const char *
client_name(const struct client *cl)
{
	return cl->nick[0] != '\0' ? cl->nick : "*";
}

struct client *
client_find(struct core *core, const char *nick)
{
	return map_get(&core->nicks, nick);
}

/* Keep cl's current nick for WHOWAS, with the server it is on, stamped with its last
 * line (the one that gave the nick up, unless it timed out).  Out of memory only loses
 * the history entry. */
static void
client_remember(struct core *core, const struct client *cl)
{
	if (cl->state != CLIENT_REGISTERED || cl->nick[0] == '\0')
		return;
	if (whowas_add(&core->whowas, core->cfg.whowas_history, cl->nick, cl->user,
	    cl->host, client_server(core, cl), cl->realname,
	    core_wall_seconds(core, cl->last_active)) == -1)
		core_log(core, PLOG_WARN, "out of memory for WHOWAS history");
}

int
client_set_nick(struct core *core, struct client *cl, const char *nick)
{
	char	old[sizeof(cl->nick)];

	client_remember(core, cl);
	/* The map's key points into cl->nick, so drop the entry before rewriting it. */
	memcpy(old, cl->nick, sizeof(old));
	/* A pending nick (session.h) is another client's entry. */
	if (old[0] != '\0' && map_get(&core->nicks, old) == cl)
		map_del(&core->nicks, old);
	cl->flags &= ~CLIENT_NICK_PENDING;
	snprintf(cl->nick, sizeof(cl->nick), "%s", nick);
	cl->nick_ts = core_wall_seconds(core, core->tags.now);	/* cluster: collisions */
	if (map_put(&core->nicks, cl->nick, cl) == -1) {
		memcpy(cl->nick, old, sizeof(old));
		if (old[0] != '\0' && map_put(&core->nicks, cl->nick, cl) == -1)
			cl->nick[0] = '\0';
		return -1;
	}
	confusable_track(core, cl);
	session_nick_follow(cl);
	return 0;
}

void
client_exit(struct core *core, struct client *cl, const char *reason, bool error)
{
	char	line[MSG_BODY_MAX + 1];
	char	prefix[CLIENT_PREFIX_MAX];
	size_t	len;

	/* A remote user (peer.h) has no sessions: it goes when its node says so. */
	if (cl->local && session_exit(core, cl, reason, error))
		return;
	if (core->cluster != NULL && cl->local && cl->state == CLIENT_REGISTERED)
		peer_send_quit(core, cl, reason);
	if (cl->state == CLIENT_REGISTERED && cl->local)
		snotice_send(core, cl, "Client exiting: %s (%s@%s) [%s]", cl->nick, cl->user,
		    cl->host, reason);
	if (cl->state == CLIENT_REGISTERED && cl->channels.len > 0) {
		len = format_msg(line, sizeof(line), client_prefix(cl, prefix, sizeof(prefix)),
		    "QUIT", 1, reason);
		send_peers(core, cl, false, line, len);
		history_event_channels(core, cl, line, len);	/* history */
	}
	if (cl->state == CLIENT_REGISTERED)
		monitor_offline(core, cl);
	if (error && cl->local && !(cl->flags & CLIENT_HOLLOW)) {
		send_fmt(core, cl, "ERROR :Closing Link: %s (%s)", cl->host, reason);
		/* Leaving during its own labeled command: the reply goes out first. */
		tags_label_end(core, cl);
		core->out.hangup(core->out.ctx, cl->conn, reason);
	}
	core_log(core, PLOG_DEBUG, "conn %llu: %s exits: %s", (unsigned long long)cl->conn,
	    client_name(cl), reason);
	stats_gone(core, reason, error);
	client_remember(core, cl);
	client_free(core, cl);
}

void
client_register(struct core *core, struct client *cl, int64_t now)
{
	if (cl->state == CLIENT_REGISTERED || cl->nick[0] == '\0' ||
	    !(cl->flags & CLIENT_HAS_USER) || (cl->flags & CLIENT_CAP_HOLD))
		return;
	if (!(cl->flags & CLIENT_PASS_OK)) {
		send_reply(core, cl, ERR_PASSWDMISMATCH, NULL);
		client_exit(core, cl, "Bad password", true);
		return;
	}
	if (session_attach(core, cl, now) || !session_nick_settle(core, cl))
		return;
	cl->state = CLIENT_REGISTERED;
	flood_registered(cl, now);
	if (core->out.registered != NULL)
		core->out.registered(core->out.ctx, cl->conn);
	core->counted.registrations++;
	if (++core->nregistered > core->max_registered)
		core->max_registered = core->nregistered;
	timer_set(core, cl, TIMER_IDLE, now);
	/* cluster: the other nodes meet the user before anything it does */
	if (core->cluster != NULL && cluster_user_add(core, cl) == 0) {
		peer_send_user(core, cl, NULL);
		if (cl->away != NULL)	/* draft/pre-away */
			peer_send_away(core, cl, NULL);
	}
	welcome_send(core, cl);
	account_show_registered(core, cl);
	monitor_online(core, cl);
	snotice_send(core, cl, "Client connecting: %s (%s@%s)", cl->nick, cl->user,
	    cl->host);
	nickown_check(core, cl, now);
}

int
client_rename(struct core *core, struct client *cl, const char *nick)
{
	char	line[MSG_BODY_MAX + 1];
	char	prefix[CLIENT_PREFIX_MAX];
	size_t	len;
	bool	renamed;

	client_prefix(cl, prefix, sizeof(prefix));
	/* Watchers see the old nick go and the new one come, unless only its case
	 * changes: to them it is the same nick, still online. */
	renamed = !names_eq(core, cl->nick, nick);
	if (renamed)
		monitor_offline(core, cl);
	if (client_set_nick(core, cl, nick) == -1)
		return -1;
	if (core->cluster != NULL && cl->local)
		peer_send_nick(core, cl);
	len = format_msg(line, sizeof(line), prefix, "NICK", 1, nick);
	send_peers(core, cl, true, line, len);
	history_event_channels(core, cl, line, len);	/* history */
	if (renamed)
		monitor_online(core, cl);
	return 0;
}
