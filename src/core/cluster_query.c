/*
 * The network's shape as users ask for it: LINKS and MAP list the nodes that are up
 * (each node is a server of the network, one hop away: NATS joins them all).
 */
#include <stdio.h>

#include "core/channel.h"
#include "core/client.h"
#include "core/command.h"
#include "core/core.h"
#include "core/mask.h"
#include "core/peer.h"
#include "core/reply.h"

void
cluster_links(struct core *core, struct client *cl, const char *mask)
{
	for (size_t i = 0; i < core->cluster->nodes.len; i++) {
		const struct cluster_node	*n = core->cluster->nodes.items[i];

		if (n->up && mask_match(mask, n->name))
			send_numeric(core, cl, RPL_LINKS, "%s %s :1 %s", n->name,
			    core->cfg.server_name, core->cfg.description);
	}
}

bool
cluster_node_known(struct core *core, const char *name)
{
	const struct cluster_node	*n = cluster_node_find(core, name);

	return n != NULL && n->up;
}

/* How many users node has (NULL: this one), its sessions aside. */
static size_t
node_users(const struct core *core, const struct cluster_node *node)
{
	size_t	n = 0;

	for (const struct list *l = core->clients.next; l != &core->clients; l = l->next) {
		const struct client	*c = list_entry(l, const struct client, all);

		if (c->node == node && c->state == CLIENT_REGISTERED &&
		    !(c->flags & CLIENT_SESSION))
			n++;
	}
	return n;
}

/* MAP: this server, then each node up, with its users; a single server lists itself. */
void
cmd_map(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	(void)m, (void)now;
	send_numeric(core, cl, RPL_MAP, ":%s [%zu users]", core->cfg.server_name,
	    node_users(core, NULL));
	for (size_t i = 0; core->cluster != NULL && i < core->cluster->nodes.len; i++) {
		const struct cluster_node	*n = core->cluster->nodes.items[i];

		if (n->up)
			send_numeric(core, cl, RPL_MAP, ":`- %s [%zu users]", n->name,
			    node_users(core, n));
	}
	send_reply(core, cl, RPL_MAPEND, NULL);
}

void
cluster_restored(struct core *core, struct client *cl)
{
	if (cluster_user_add(core, cl) == -1 || cluster_nodes_up(core) == 0)
		return;
	/* Restored after the bursts went: the other nodes meet it now. */
	peer_send_user(core, cl, NULL);
	if (cl->away != NULL)
		peer_send_away(core, cl, NULL);
	for (size_t i = 0; i < cl->channels.len; i++) {
		struct member	*mb = cl->channels.items[i];

		peer_send_join(core, cl, mb->channel, mb->modes);
	}
}
