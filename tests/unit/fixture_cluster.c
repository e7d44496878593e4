/*
 * Three cores in one process as nodes n1, n2, n3 of one network, joined by a fake bus
 * (fixture_cluster.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cluster.h"
#include "fixture_cluster.h"

const char *const net_names[NODES] = { "n1", "n2", "n3" };

static void	(*net_edit)(struct core_config *);
static uint64_t	  net_seed;

static int
node_index(const char *name)
{
	for (int i = 0; i < NODES; i++)
		if (strcmp(net_names[i], name) == 0)
			return i;
	return NODES;	/* a node outside the test: the line goes nowhere */
}

static void
bus_peer(struct fx *fx, const char *node, const char *line, size_t len)
{
	struct net	*net = fx->peer_ctx;
	struct bus_line	*l;
	int		 from = -1;
	const char	*verb;

	for (int i = 0; i < NODES; i++)
		if (net->fx[i] == fx)
			from = i;
	assert_true(from >= 0 && net->n < QMAX);
	/* No line ever carries CR, LF or NUL: the bus frames nothing. */
	assert_null(memchr(line, '\r', len));
	assert_null(memchr(line, '\n', len));
	assert_null(memchr(line, '\0', len));
	net->sent[from]++;
	verb = line[0] == '@' ? strchr(line, ' ') + 1 : line;
	verb = strchr(verb, ' ') + 1;
	if (net->verb[0] != '\0' && strncmp(verb, net->verb, strlen(net->verb)) == 0 &&
	    verb[strlen(net->verb)] == ' ')
		net->counted++;
	if (net->cut[from])
		return;
	l = &net->q[net->n++];
	l->from = from;
	l->to = node != NULL ? node_index(node) : -1;
	l->line = strndup(line, len);
	l->len = len;
	assert_non_null(l->line);
}

/* Deliver every queued line, and those they cause, in order. */
void
net_run(struct net *net)
{
	while (net->head < net->n) {
		struct bus_line	*l = &net->q[net->head++];

		for (int i = 0; i < NODES; i++) {
			char	*copy;

			if (i == l->from || (l->to >= 0 && l->to != i) || net->cut[i])
				continue;
			copy = strndup(l->line, l->len);
			assert_non_null(copy);
			core_peer_line(net->fx[i]->core, net_names[l->from], copy, l->len,
			    net->fx[i]->now);
			free(copy);
		}
		free(l->line);
		l->line = NULL;
	}
	/* Reuse the queue from the start once it is drained. */
	net->head = net->n = 0;
}

/* Node i learns that node j is up (as the driver does on j's first heartbeat). */
void
net_up(struct net *net, int i, int j)
{
	core_peer_up(net->fx[i]->core, net_names[j], net->fx[i]->now);
}

void
net_link_all(struct net *net)
{
	for (int i = 0; i < NODES; i++)
		for (int j = 0; j < NODES; j++)
			if (i != j)
				net_up(net, i, j);
	net_run(net);
}

/* Each node its own msgid seed, as each server draws one: a msgid seen on two nodes
 * is the same message's, never a coincidence of counters. */
static void
node_config(struct core_config *cfg)
{
	cfg->msgid_seed = ++net_seed;
	if (net_edit != NULL)
		net_edit(cfg);
}

struct net *
net_new_edit(bool link, void (*edit)(struct core_config *))
{
	struct net	*net = calloc(1, sizeof(*net));

	assert_non_null(net);
	net_edit = edit;
	for (int i = 0; i < NODES; i++) {
		net->fx[i] = fx_new(node_config);
		net->fx[i]->peer = bus_peer;
		net->fx[i]->peer_ctx = net;
		assert_int_equal(core_cluster_start(net->fx[i]->core, net_names[i]), 0);
	}
	if (link)
		net_link_all(net);
	return net;
}

struct net *
net_new(bool link)
{
	return net_new_edit(link, NULL);
}

void
net_free(struct net *net)
{
	for (size_t i = net->head; i < net->n; i++)
		free(net->q[i].line);
	for (int i = 0; i < NODES; i++) {
		/* Nothing is ever queued for a remote user: conn 0 is theirs. */
		assert_int_equal(net->fx[i]->conns[0].len, 0);
		fx_free(net->fx[i]);
	}
	free(net);
}

/* Node i's connection c sends line; the bus then carries what follows. */
void
net_line(struct net *net, int i, unsigned c, const char *line)
{
	fx_line(net->fx[i], c, line);
	net_run(net);
}

unsigned
net_client(struct net *net, int i, const char *nick)
{
	unsigned	c = fx_client(net->fx[i], nick);

	net_run(net);
	return c;
}

void
net_drain(struct net *net)
{
	for (int i = 0; i < NODES; i++)
		fx_drain(net->fx[i]);
}

/* The value of tag key in the first line of s (into buf), or "" when absent. */
const char *
tag_of(const char *s, const char *key, char *buf, size_t cap)
{
	char		 pat[32];
	const char	*p, *end = strchr(s, ' ');

	snprintf(pat, sizeof(pat), "%s=", key);
	buf[0] = '\0';
	if (s[0] != '@' || (p = strstr(s, pat)) == NULL || p > end)
		return buf;
	p += strlen(pat);
	snprintf(buf, cap, "%.*s", (int)strcspn(p, "; "), p);
	return buf;
}

/* Cut node i off the bus, as the driver sees a split: both sides drop the other. */
void
net_split(struct net *net, int i)
{
	net->cut[i] = true;
	for (int j = 0; j < NODES; j++) {
		if (j == i)
			continue;
		core_peer_down(net->fx[i]->core, net_names[j], net->fx[i]->now);
		core_peer_down(net->fx[j]->core, net_names[i], net->fx[j]->now);
	}
	net_run(net);
}

void
net_heal(struct net *net, int i)
{
	net->cut[i] = false;
	for (int j = 0; j < NODES; j++) {
		if (j == i)
			continue;
		net_up(net, i, j);
		net_up(net, j, i);
	}
	net_run(net);
}
