#ifndef PARLEY_CORE_CLUSTER_H
#define PARLEY_CORE_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The core as one node of a network (issue 18).  The core decides what node-to-node
 * lines say and what they mean; the cluster driver (net/cluster.c) only carries them,
 * through out->peer, and reports which nodes are alive.  A core that was never started
 * as a node is the single server it always was: none of this is on its paths.
 *
 * Lines from one node are handed to core_peer_line in the order that node's core
 * passed them to out->peer, whichever destination they had.
 */
struct core;

#define CLUSTER_NODE_MAX	63	/* a node's name, a server name, without its NUL */

/* Make core the node named node (also its server name) before its first connection.
 * Returns 0, or -1 when out of memory. */
int	core_cluster_start(struct core *core, const char *node);

/* A line another node's core gave its out->peer, without CR LF, NUL-terminated at
 * line[len] and modifiable (not kept after the call).  A line that makes no sense is
 * logged and dropped; it never takes anything down. */
void	core_peer_line(struct core *core, const char *from, char *line, size_t len,
	    int64_t now);

/* Node is alive: seen for the first time, or again after core_peer_down.  The core
 * sends it (out->peer with that node) what its local users, their channels and its
 * registrations are, ending with an end-of-burst line. */
void	core_peer_up(struct core *core, const char *node, int64_t now);

/* Node is gone (missed heartbeats, a new boot of it, or the bus is lost): each of its
 * users quits with the netsplit reason "<this node> <node>", freeing its nick. */
void	core_peer_down(struct core *core, const char *node, int64_t now);

/* Whether every node reported up has finished its burst: the driver holds clients
 * back until it is (or a timeout passes). */
bool	core_peer_synced(const struct core *core);

#endif
