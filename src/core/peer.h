#ifndef PARLEY_CORE_PEER_H
#define PARLEY_CORE_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cluster.h"
#include "core/map.h"
#include "core/msg.h"
#include "core/vec.h"

/*
 * The core's side of a cluster, inside the core (core/cluster.h is the drivers' side).
 * cluster.c keeps the nodes, the users' network ids, the burst and the nick collision
 * rule; peer_send.c writes the node-to-node lines for what local users do; peer_cmd.c
 * applies the lines other nodes send.  docs/cluster-protocol.md describes the lines.
 *
 * Every hook below is called behind "if (core->cluster != NULL)": a single server
 * never reaches this code.
 */
struct core;
struct client;
struct channel;

/* A node line: IRC-shaped, parsed by msg_parse_long, its body longer than a client's
 * (a uid is longer than a nick, and the text must fit whole). */
#define PEER_BODY_MAX	2048
#define PEER_LINE_MAX	(MSG_TAGS_MAX + PEER_BODY_MAX)

#define CLUSTER_NODES_MAX	256	/* nodes remembered: a name beyond is not heard */

struct cluster_node {
	char		 name[CLUSTER_NODE_MAX + 1];
	bool		 up;		/* its HELLO came, or peer_up, since it was down */
	bool		 synced;	/* its end of burst came since */
	uint64_t	 mark;		/* cluster.serial: counted once per fanout */
};

struct cluster {
	char		 node[CLUSTER_NODE_MAX + 1];	/* this node's name */
	struct vec	 nodes;		/* struct cluster_node *, every node ever seen */
	struct map	 uids;		/* uid -> struct client *: registered users, all nodes */
	size_t		 nremote;	/* other nodes' users, in core->clients */
	uint64_t	 serial;	/* fanout marks (cluster_node.mark) */
	bool		 bursting;	/* a burst is being applied: no collision notices */
};

/* cluster.c */
/* The node called name, NULL when never seen. */
struct cluster_node	*cluster_node_find(struct core *core, const char *name);
/* The same, added when new; NULL for this node's name, a bad name, the
 * CLUSTER_NODES_MAX-th name or no memory. */
struct cluster_node	*cluster_node_get(struct core *core, const char *name);
/* The user whose network id is uid, local or remote; NULL when none. */
struct client		*cluster_user(struct core *core, const char *uid);
/* Local cl has registered: give it its network id.  Returns 0, or -1 out of memory. */
int			 cluster_user_add(struct core *core, struct client *cl);
/* cl is being freed: forget its network id. */
void			 cluster_forget(struct core *core, struct client *cl);
/* A remote user of node, registered, with no connection; NULL out of memory. */
struct client		*cluster_remote_new(struct core *core, struct cluster_node *node,
			    const char *uid, int64_t now);
/* The nick a collision's loser gets, derived from its uid alone (digit first: no
 * user can take it), into buf (CLIENT_NICK_MAX + 1 bytes). */
void			 cluster_uid_nick(const char *uid, char *buf, size_t cap);
/*
 * Remote user cl (already in the uid table, nick still unset or another one) claims
 * nick at ts.  Whoever loses the collision rule (older ts keeps it; equal ts: the
 * node whose name sorts first; the same node: the lower uid) takes its uid nick.
 * Returns 0 once cl holds a nick, or -1 when out of memory (the caller drops cl).
 */
int			 cluster_claim(struct core *core, struct client *cl,
			    const char *nick, int64_t ts);
/* Local cl's nick changed, its uid nick given by the rule or by the user. */
void			 cluster_renamed_notice(struct core *core, struct client *cl,
			    const char *lost);
/* Every user of node leaves with the netsplit reason. */
void			 cluster_split(struct core *core, struct cluster_node *node);
/* Send node this node's burst (users, channels, end of burst). */
void			 cluster_burst(struct core *core, const char *node);
/* The number of nodes up, this one aside. */
size_t			 cluster_nodes_up(const struct core *core);
void			 cluster_free(struct core *core);

/* cluster_query.c: the network's shape for LINKS (the nodes up that mask matches, as
 * RPL_LINKS), and an always-on user restored from the store, for the other nodes. */
void			 cluster_links(struct core *core, struct client *cl,
			    const char *mask);
void			 cluster_restored(struct core *core, struct client *cl);
/* Whether name is a node that is up (a server of the network, this one aside). */
bool			 cluster_node_known(struct core *core, const char *name);

/* peer_send.c: what a local user did, for the other nodes (NULL node: all). */
void	peer_send_user(struct core *core, struct client *cl, const char *node);
void	peer_send_quit(struct core *core, struct client *cl, const char *reason);
void	peer_send_nick(struct core *core, struct client *cl);
void	peer_send_umode(struct core *core, struct client *cl);
void	peer_send_away(struct core *core, struct client *cl, const char *node);
void	peer_send_setname(struct core *core, struct client *cl);
void	peer_send_account(struct core *core, struct client *cl);
/* PRIVMSG, NOTICE or TAGMSG (verb) from cl to channel ch (shown as target, with its
 * STATUSMSG prefix) or user to, text NULL for TAGMSG: once to each node with a
 * recipient, with the msgid and time of the tag event running now. */
void	peer_send_message(struct core *core, struct client *cl, const char *verb,
	    struct channel *ch, const char *target, struct client *to, const char *text);
/* A draft/multiline batch from cl to ch or to (as peer_send_message): its n lines
 * (texts, each concatenated to the one before or not), then its end, with the msgid
 * and time of the tag event running now. */
void	peer_send_multiline(struct core *core, struct client *cl, struct channel *ch,
	    struct client *to, const char *ref, unsigned n, const char *const *texts,
	    const bool *concat);
/* A METADATA change by setter on user who or channel ch (value NULL: deleted). */
void	peer_send_metadata(struct core *core, struct client *setter, struct client *who,
	    struct channel *ch, const char *key, const char *value);
void	peer_send_join(struct core *core, struct client *cl, struct channel *ch,
	    unsigned modes);
void	peer_send_part(struct core *core, struct client *cl, struct channel *ch,
	    const char *reason);
void	peer_send_kick(struct core *core, struct client *cl, struct channel *ch,
	    struct client *who, const char *reason);
void	peer_send_topic(struct core *core, struct client *cl, struct channel *ch);
/* An applied channel MODE change: modes ("+o-k") and its parameters, space first
 * (" nick *"), as the members were shown it. */
void	peer_send_mode(struct core *core, struct client *cl, struct channel *ch,
	    const char *modes, const char *params);
/* ChanServ gave or took who's status (flag MEMBER_OP or MEMBER_VOICE; dir + or -). */
void	peer_send_status(struct core *core, struct channel *ch, struct client *who,
	    char dir, unsigned flag);
/* KNOCK on ch by cl: to each node with an operator of ch. */
void	peer_send_knock(struct core *core, struct client *cl, struct channel *ch);
void	peer_send_invite(struct core *core, struct client *cl, struct client *to,
	    struct channel *ch);
void	peer_send_kill(struct core *core, struct client *cl, struct client *victim,
	    const char *comment);
void	peer_send_wallops(struct core *core, struct client *cl, const char *text);
/* The burst's METADATA lines for local user cl's keys, to node. */
void	peer_send_user_metadata(struct core *core, struct client *cl, const char *node);
/* The burst's lines for ch (members of this node, modes, lists, topic), to node. */
void	peer_send_channel(struct core *core, struct channel *ch, const char *node);
/* The burst's registrations, to node: every account name and registered channel with
 * its access list (those made while node was split off reach it; the rest are no-ops
 * there, as its store has them). */
void	peer_send_registrations(struct core *core, const char *node);
/* A node line of this node's own: fmt formatted, to node (NULL: all). */
void	peer_send_node(struct core *core, const char *node, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* peer_chan.c: the channel lines, for peer_cmd.c's table. */
struct cluster_node;
struct msg;
void	peer_join(struct core *, struct cluster_node *, struct msg *, int64_t);
void	peer_part(struct core *, struct cluster_node *, struct msg *, int64_t);
void	peer_kick(struct core *, struct cluster_node *, struct msg *, int64_t);
void	peer_topic(struct core *, struct cluster_node *, struct msg *, int64_t);
void	peer_mode(struct core *, struct cluster_node *, struct msg *, int64_t);
void	peer_invite(struct core *, struct cluster_node *, struct msg *, int64_t);
void	peer_status(struct core *, struct cluster_node *, struct msg *, int64_t);
void	peer_knock(struct core *, struct cluster_node *, struct msg *, int64_t);
void	peer_chan(struct core *, struct cluster_node *, struct msg *, int64_t);
void	peer_sjoin(struct core *, struct cluster_node *, struct msg *, int64_t);
void	peer_bmask(struct core *, struct cluster_node *, struct msg *, int64_t);
void	peer_tb(struct core *, struct cluster_node *, struct msg *, int64_t);
/* A decimal timestamp or count (>= 0) of a line; -1 when malformed. */
int64_t		 peer_number(const char *s);
/* peer_reg.c: registrations made through another node. */
void	peer_regacct(struct core *, struct cluster_node *, struct msg *, int64_t);
void	peer_dropacct(struct core *, struct cluster_node *, struct msg *, int64_t);
void	peer_chanreg(struct core *, struct cluster_node *, struct msg *, int64_t);
void	peer_chandrop(struct core *, struct cluster_node *, struct msg *, int64_t);
void	peer_chanacc(struct core *, struct cluster_node *, struct msg *, int64_t);
/* The user a line names by uid, when it is node's own; NULL otherwise. */
struct client	*peer_node_user(struct core *core, struct cluster_node *node,
		    const char *uid);

/* peer_chan.c: channel state a burst or a JOIN brings (ts: the channel's creation). */
/* ch meets a channel of the same name created at ts: the older one's state is kept
 * (the younger's modes, topic, lists and statuses dropped).  Returns -1 when the
 * other side is younger (its state does not count), 0 when both are as old (merge),
 * 1 when ch was younger and has just been reset to take the other's state. */
int	peer_channel_ts(struct core *core, struct channel *ch, int64_t ts);

#endif
