#ifndef PARLEY_TESTS_FIXTURE_CLUSTER_H
#define PARLEY_TESTS_FIXTURE_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "fixture_core.h"

/*
 * Three cores in one process as nodes n1, n2, n3 of one network, joined by a fake bus:
 * each out->peer line is queued as (from, to) and delivered in order by net_run, as the
 * cluster driver would carry it.  A node that is cut gets and sends nothing.  Each
 * node's fixture has its own msgid seed, as each server draws one.  Lines for nodes
 * outside the test go nowhere.
 */
#define NODES	3
#define QMAX	4096

#define NODES	3
#define QMAX	4096

struct bus_line {
	int	 from, to;	/* to -1: every other node */
	char	*line;
	size_t	 len;
};

struct net {
	struct fx	*fx[NODES];
	struct bus_line	 q[QMAX];
	size_t		 head, n;
	bool		 cut[NODES];	/* the node is off the bus: nothing in or out */
	unsigned	 sent[NODES];	/* lines each node gave out->peer */
	char		 verb[16];	/* counted: lines with this verb */
	unsigned	 counted;
};

extern const char *const net_names[NODES];

/* A network of three nodes (linked: each has seen the others up), each fixture made
 * with edit (may be NULL); net_free() checks that nothing was queued for conn 0. */
struct net	*net_new(bool link);
struct net	*net_new_edit(bool link, void (*edit)(struct core_config *));
void		 net_free(struct net *net);
/* Deliver every queued line, and those they cause, in order. */
void		 net_run(struct net *net);
/* Node i learns that node j is up (as the driver does on j's first heartbeat). */
void		 net_up(struct net *net, int i, int j);
void		 net_link_all(struct net *net);
/* Node i cuts off the bus: both sides see the other down; net_heal: both up again. */
void		 net_split(struct net *net, int i);
void		 net_heal(struct net *net, int i);
/* Node i's connection c sends line, then the bus carries what follows. */
void		 net_line(struct net *net, int i, unsigned c, const char *line);
/* A registered client nick on node i, the others told. */
unsigned	 net_client(struct net *net, int i, const char *nick);
void		 net_drain(struct net *net);
/* The value of tag key in the first line of s (into buf), or "" when absent. */
const char	*tag_of(const char *s, const char *key, char *buf, size_t cap);

#endif
