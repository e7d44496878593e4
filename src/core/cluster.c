/*
 * The core as one node of a network (core/cluster.h, issue 18): the nodes and their
 * state, the users' network ids, the burst, the split, and the nick collision rule.
 * The lines themselves are written by peer_send.c and applied by peer_cmd.c;
 * docs/cluster-protocol.md describes them, with the rules summed up here:
 *
 * - Every node's core holds every user of the network.  A user of another node is a
 *   struct client with local false, its node set and no connection (conn 0).
 * - A user's network id (uid) is "<node>/<n>", n its client id on its node: unique
 *   because node names are.  Every line about a user names it by uid.
 * - A node's lines are trusted (authority was checked where the command ran) but
 *   checked for sense: a line about a user must come from that user's node, anything
 *   unknown or malformed is dropped.
 * - A node starts its view of another with HELLO, then its burst, then EOB.  HELLO
 *   from a node means "forget what you knew of me": its users quit (the netsplit
 *   reason) and come back with the burst, so a user that left while the bus was down
 *   is never a ghost.  A HELLO is answered with a burst (not another HELLO).
 * - Nick collisions (no round trip): the user with the older nick timestamp keeps the
 *   nick; on equal timestamps the user on the node whose name sorts first; the loser
 *   takes its uid nick (a digit first, which no user can choose).  Every node applies
 *   the rule to the same claims and so ends with the same nicks.
 * - Channels: the older creation timestamp wins; the younger side's modes, lists,
 *   topic and statuses go; equal timestamps merge (peer_cmd.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/casemap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/core.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/timer.h"

int
core_cluster_start(struct core *core, const char *node)
{
	struct cluster	*c;

	if (core->cluster != NULL)
		return 0;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	snprintf(c->node, sizeof(c->node), "%s", node);
	map_init(&c->uids, core->cfg.hash_key);
	core->cluster = c;
	/* The node's name is its server name: numerics, WHOIS 312, the split reason. */
	snprintf(core->cfg.server_name, sizeof(core->cfg.server_name), "%s", c->node);
	return 0;
}

void
cluster_free(struct core *core)
{
	struct cluster	*c = core->cluster;

	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nodes.len; i++)
		free(c->nodes.items[i]);
	vec_clear(&c->nodes);
	map_clear(&c->uids);
	free(c);
	core->cluster = NULL;
}

struct cluster_node *
cluster_node_find(struct core *core, const char *name)
{
	struct cluster	*c = core->cluster;

	for (size_t i = 0; i < c->nodes.len; i++) {
		struct cluster_node	*n = c->nodes.items[i];

		if (casemap_eq(n->name, name))
			return n;
	}
	return NULL;
}

struct cluster_node *
cluster_node_get(struct core *core, const char *name)
{
	struct cluster_node	*n;

	if (name[0] == '\0' || strlen(name) > CLUSTER_NODE_MAX ||
	    strpbrk(name, " /,*?!@") != NULL || casemap_eq(name, core->cluster->node))
		return NULL;
	if ((n = cluster_node_find(core, name)) != NULL)
		return n;
	if (core->cluster->nodes.len >= CLUSTER_NODES_MAX ||
	    (n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	snprintf(n->name, sizeof(n->name), "%s", name);
	if (vec_push(&core->cluster->nodes, n) == -1) {
		free(n);
		return NULL;
	}
	return n;
}

size_t
cluster_nodes_up(const struct core *core)
{
	size_t	up = 0;

	for (size_t i = 0; i < core->cluster->nodes.len; i++)
		up += ((struct cluster_node *)core->cluster->nodes.items[i])->up;
	return up;
}

struct client *
cluster_user(struct core *core, const char *uid)
{
	return map_get(&core->cluster->uids, uid);
}

int
cluster_user_add(struct core *core, struct client *cl)
{
	snprintf(cl->uid, sizeof(cl->uid), "%s/%llu", core->cluster->node,
	    (unsigned long long)cl->id);
	if (map_put(&core->cluster->uids, cl->uid, cl) == -1) {
		cl->uid[0] = '\0';
		return -1;
	}
	return 0;
}

void
cluster_forget(struct core *core, struct client *cl)
{
	if (cl->uid[0] != '\0' && map_get(&core->cluster->uids, cl->uid) == cl)
		map_del(&core->cluster->uids, cl->uid);
	if (!cl->local)
		core->cluster->nremote--;
}

struct client *
cluster_remote_new(struct core *core, struct cluster_node *node, const char *uid,
    int64_t now)
{
	struct client	*cl;

	if ((cl = client_new(core, 0, "", now)) == NULL)
		return NULL;
	/* No connection: off the timers, out of the connection counts. */
	cl->local = false;
	core->nclients--;
	core->cluster->nremote++;
	timer_set(core, cl, TIMER_NONE, now);
	cl->node = node;
	cl->state = CLIENT_REGISTERED;
	cl->flags |= CLIENT_HAS_USER | CLIENT_PASS_OK;
	snprintf(cl->uid, sizeof(cl->uid), "%s", uid);
	if (map_put(&core->cluster->uids, cl->uid, cl) == -1) {
		client_free(core, cl);
		return NULL;
	}
	return cl;
}

void
cluster_uid_nick(const char *uid, char *buf, size_t cap)
{
	static const char	 digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	uint64_t		 h = 14695981039346656037ull;	/* FNV-1a */
	char			 tmp[16];
	size_t			 n = 0;

	for (const char *p = uid; *p != '\0'; p++)
		h = (h ^ (unsigned char)casemap_lower((unsigned char)*p)) * 1099511628211ull;
	do {
		tmp[n++] = digits[h % 36];
		h /= 36;
	} while (h > 0 && n < sizeof(tmp));
	if (cap < n + 2)
		return;
	buf[0] = '0';
	for (size_t i = 0; i < n; i++)
		buf[1 + i] = tmp[n - 1 - i];
	buf[n + 1] = '\0';
}

/* The name of the node cl is on. */
static const char *
node_of(const struct core *core, const struct client *cl)
{
	return cl->node != NULL ? cl->node->name : core->cluster->node;
}

/* Whether holder keeps its nick against a claim by cl at ts. */
static bool
holder_wins(const struct core *core, const struct client *holder,
    const struct client *cl, int64_t ts)
{
	int	cmp;

	if (holder->nick_ts != ts)
		return holder->nick_ts < ts;
	if ((cmp = casemap_cmp(node_of(core, holder), node_of(core, cl))) != 0)
		return cmp < 0;
	return casemap_cmp(holder->uid, cl->uid) < 0;
}

void
cluster_renamed_notice(struct core *core, struct client *cl, const char *lost)
{
	send_fmt(core, cl, ":%s NOTICE %s :*** Nick collision: %s was taken on another "
	    "server first; you are now %s", core->cfg.server_name, cl->nick, lost,
	    cl->nick);
}

/* Registered loser takes its uid nick on this node; false when even that is taken
 * (the loser is then gone). */
static bool
collision_lose(struct core *core, struct client *loser)
{
	char		 nick[CLIENT_NICK_MAX + 1], lost[CLIENT_NICK_MAX + 1];
	struct client	*other;

	cluster_uid_nick(loser->uid, nick, sizeof(nick));
	snprintf(lost, sizeof(lost), "%s", loser->nick);
	other = client_find(core, nick);
	if ((other != NULL && other != loser) || client_rename(core, loser, nick) == -1) {
		client_exit(core, loser, "Nick collision", true);
		return false;
	}
	if (loser->local)
		cluster_renamed_notice(core, loser, lost);
	return true;
}

int
cluster_claim(struct core *core, struct client *cl, const char *nick, int64_t ts)
{
	struct client	*holder = client_find(core, nick);
	char		 mine[CLIENT_NICK_MAX + 1];
	int		 r;

	if (holder != NULL && holder != cl && holder->state != CLIENT_REGISTERED) {
		/* Not on the network yet: it chooses again, as if it had lost a race. */
		send_reply(core, holder, ERR_NICKNAMEINUSE, "%s", nick);
		map_del(&core->nicks, holder->nick);
		holder->nick[0] = '\0';
		holder = NULL;
	}
	if (holder != NULL && holder != cl && holder_wins(core, holder, cl, ts)) {
		cluster_uid_nick(cl->uid, mine, sizeof(mine));
		nick = mine;
		if ((holder = client_find(core, nick)) != NULL && holder != cl)
			return -1;
	} else if (holder != NULL && holder != cl && !collision_lose(core, holder))
		holder = NULL;
	if (cl->nick[0] == '\0')
		r = client_set_nick(core, cl, nick);
	else
		r = strcmp(cl->nick, nick) == 0 ? 0 : client_rename(core, cl, nick);
	cl->nick_ts = ts;
	return r;
}

void
cluster_split(struct core *core, struct cluster_node *node)
{
	char		 reason[2 * CLUSTER_NODE_MAX + 2];
	struct list	*n, *next;

	snprintf(reason, sizeof(reason), "%s %s", core->cluster->node, node->name);
	for (n = core->clients.next; n != &core->clients; n = next) {
		struct client	*cl = list_entry(n, struct client, all);

		next = n->next;
		if (cl->node == node)
			client_exit(core, cl, reason, false);
	}
}

void
cluster_burst(struct core *core, const char *node)
{
	size_t		 pos = 0;
	const char	*key;
	void		*value;

	for (struct list *n = core->clients.next; n != &core->clients; n = n->next) {
		struct client	*cl = list_entry(n, struct client, all);

		if (!cl->local || cl->state != CLIENT_REGISTERED ||
		    (cl->flags & CLIENT_SESSION))
			continue;
		/* Users registered before the node started (always-on ones, restored). */
		if (cl->uid[0] == '\0' && cluster_user_add(core, cl) == -1)
			continue;
		peer_send_user(core, cl, node);
		if (cl->away != NULL)
			peer_send_away(core, cl, node);
		peer_send_user_metadata(core, cl, node);
	}
	while (map_next(&core->channels, &pos, &key, &value))
		peer_send_channel(core, value, node);
	peer_send_registrations(core, node);
	peer_send_node(core, node, "EOB");
}

void
core_peer_up(struct core *core, const char *node, int64_t now)
{
	struct cluster_node	*n;

	if (core->cluster == NULL || (n = cluster_node_get(core, node)) == NULL)
		return;
	tags_clock(core, now);
	/* Up already: its HELLO came first and was answered with a burst. */
	if (n->up)
		return;
	n->up = true;
	n->synced = false;
	peer_send_node(core, n->name, "HELLO");
	cluster_burst(core, n->name);
}

void
core_peer_down(struct core *core, const char *node, int64_t now)
{
	struct cluster_node	*n;

	if (core->cluster == NULL || (n = cluster_node_find(core, node)) == NULL)
		return;
	tags_clock(core, now);
	n->up = false;
	n->synced = false;
	cluster_split(core, n);
}

bool
core_peer_synced(const struct core *core)
{
	if (core->cluster == NULL)
		return true;
	for (size_t i = 0; i < core->cluster->nodes.len; i++) {
		const struct cluster_node	*n = core->cluster->nodes.items[i];

		if (n->up && !n->synced)
			return false;
	}
	return true;
}
