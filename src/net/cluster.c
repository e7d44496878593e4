/*
 * The cluster driver (issue 18, docs/cluster.md): this node's one NATS connection, the
 * nodes it hears, and the carrying of the core's node lines.  The core decides what
 * the lines say (core/cluster.h); this file only moves them and tells the core which
 * nodes are alive.
 *
 * Subjects, the network's and nodes' '.' written '_' (config_cluster.c keeps '_' out
 * of node names, so that no two nodes share a subject):
 *   parley.<network>.all          a line for every other node
 *   parley.<network>.node.<node>  a line for one node
 *   parley.<network>.hb           heartbeats: every heartbeat ms, and at once on
 *                                 hearing a node for the first time
 * Every message is "<node> <boot> <line>" (a heartbeat: "<node> <boot>", and
 * "<node> <boot> bye" from a node stopping), where boot is random at each start and
 * anew at each resynchronisation: a node heard with a new boot has lost what the
 * others had told it, so they split from it and send it their state again.
 *
 * Order: NATS delivers one connection's messages to a subscriber connection in the
 * order they were published, whatever their subjects, and the three subscriptions
 * share libnats' global delivery pool of one thread, so they reach the inbox, and the
 * core, in that order.  The inbox is bounded (cluster_queue.h); so are libnats' pending
 * messages and its reconnect buffer.
 *
 * A line lost anywhere (the inbox full, libnats dropping for a slow consumer, the
 * connection lost and back, a publish refused) cannot be asked for again: the node
 * resynchronises instead.  It splits from every node (core_peer_down each), takes a new
 * boot and says so in a heartbeat at once: the others split from it and, as each hears
 * the other again, core_peer_up sends its state both ways.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nats/nats.h>

#include "core/cluster.h"
#include "net/cluster_queue.h"
#include "net/driver.h"
#include "net/log.h"
#include "net/loop.h"
#include "net/random.h"

#define CLUSTER_NODES_MAX	64	/* nodes one node keeps track of */
#define CLUSTER_BOOT_LEN	16	/* hex digits of a boot id */
#define CLUSTER_SUBJECT_MAX	(sizeof("parley..node.") + 2 * NATS_NAME_MAX)
#define CLUSTER_BATCH		256	/* messages handed to the core per wakeup */
#define CLUSTER_HOLD_POLL_MS	20	/* how often a starting node looks at its sync */
#define CLUSTER_FLUSH_MS	500	/* stopping: for the last heartbeat to go */
#define CLUSTER_CLOSE_MS	5000	/* stopping: for libnats' threads to end */
#define CLUSTER_WARN_MS		10000	/* the same complaint at most this often */

struct cluster_node {
	char		 name[NATS_NAME_MAX];
	char		 boot[CLUSTER_BOOT_LEN + 1];
	int64_t		 seen;		/* loop time of its last message */
};

struct cluster {
	struct net_server	*srv;
	struct nats_conf	 conf;
	natsConnection		*nc;
	natsSubscription	*subs[3];
	char			 subj_all[CLUSTER_SUBJECT_MAX];
	char			 subj_hb[CLUSTER_SUBJECT_MAX];
	char			 subj_self[CLUSTER_SUBJECT_MAX];
	char			 boot[CLUSTER_BOOT_LEN + 1];
	struct cluster_queue	 inbox;
	/* Set by libnats' threads, taken by the loop. */
	atomic_bool		 connected;
	atomic_bool		 reconnected;	/* (re)connected since the loop looked */
	atomic_bool		 dropped;	/* libnats dropped messages (slow consumer) */
	atomic_bool		 closing;	/* cluster_close: losing NATS is the plan */
	/* The loop's. */
	bool			 unsent;	/* a publish was refused while connected */
	struct cluster_node	 nodes[CLUSTER_NODES_MAX];
	size_t			 nnodes;
	int64_t			 hb_at;		/* the next heartbeat */
	int64_t			 started;
	bool			 holding;	/* clients wait for the sync */
	int64_t			 warned_self;
	int64_t			 warned_full;
	struct cluster_stats	 stats;
	char			*in;		/* a line copied for the core */
	size_t			 incap;
	char			*out;		/* a message being published */
	size_t			 outcap;
};

/* name as one subject token: '.' becomes '_'. */
static void
subject_token(char *dst, const char *name)
{
	for (; *name != '\0'; name++)
		*dst++ = *name == '.' ? '_' : *name;
	*dst = '\0';
}

static void
subject_node(const struct cluster *cl, const char *node, char *subj, size_t cap)
{
	char	tok[2][NATS_NAME_MAX];

	subject_token(tok[0], cl->conf.network);
	subject_token(tok[1], node);
	snprintf(subj, cap, "parley.%s.node.%s", tok[0], tok[1]);
}

/* A fresh boot id into cl->boot.  Returns 0, or -1 with err set. */
static int
boot_new(struct cluster *cl, char *err, size_t errlen)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 b[CLUSTER_BOOT_LEN / 2];

	if (random_bytes(b, sizeof(b), err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(b); i++) {
		cl->boot[2 * i] = hex[b[i] >> 4];
		cl->boot[2 * i + 1] = hex[b[i] & 0xf];
	}
	cl->boot[CLUSTER_BOOT_LEN] = '\0';
	return 0;
}

/* buf holds at least need bytes.  Returns 0 or -1. */
static int
reserve(char **buf, size_t *cap, size_t need)
{
	char	*p;
	size_t	 n = *cap > 0 ? *cap : 4096;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if ((p = realloc(*buf, n)) == NULL)
		return -1;
	*buf = p;
	*cap = n;
	return 0;
}

/* Publish "<node> <boot>[ text]" (text len bytes) on subj.  Returns 0 or -1. */
static int
publish(struct cluster *cl, const char *subj, const char *text, size_t len)
{
	size_t		 head = strlen(cl->conf.node) + 1 + CLUSTER_BOOT_LEN;
	natsStatus	 s;

	if (reserve(&cl->out, &cl->outcap, head + 1 + len) == -1) {
		log_warn(-ENOMEM, "cluster: publish");
		cl->unsent = true;
		return -1;
	}
	snprintf(cl->out, cl->outcap, "%s %s", cl->conf.node, cl->boot);
	if (text != NULL) {
		cl->out[head++] = ' ';
		memcpy(cl->out + head, text, len);
		head += len;
	}
	if ((s = natsConnection_Publish(cl->nc, subj, cl->out, (int)head)) == NATS_OK)
		return 0;
	/* Unconnected, a refused line is covered by the resync that reconnecting brings;
	 * connected, it is a gap the others cannot see: resync now. */
	if (atomic_load(&cl->connected)) {
		log_warnx("cluster: publish on %s: %s", subj, natsStatus_GetText(s));
		cl->unsent = true;
	}
	return -1;
}

static void
heartbeat(struct cluster *cl, int64_t now)
{
	(void)publish(cl, cl->subj_hb, NULL, 0);
	cl->stats.heartbeats++;
	cl->hb_at = now + cl->conf.heartbeat;
}

static struct cluster_node *
node_find(struct cluster *cl, const char *name)
{
	/* Without regard to case, as the core compares server names. */
	for (size_t i = 0; i < cl->nnodes; i++)
		if (strcasecmp(cl->nodes[i].name, name) == 0)
			return &cl->nodes[i];
	return NULL;
}

/* Forget node i; its users are gone (core_peer_down). */
static void
node_drop(struct cluster *cl, size_t i, const char *why, int64_t now)
{
	char	name[NATS_NAME_MAX];

	memcpy(name, cl->nodes[i].name, sizeof(name));
	cl->nodes[i] = cl->nodes[--cl->nnodes];
	log_info("cluster: node %s is down (%s)", name, why);
	core_peer_down(cl->srv->core, name, now);
}

/*
 * A message from node name with boot: the node, heard now; up for the first time, or
 * down and up again after a new boot.  NULL when the table is full (logged).
 */
static struct cluster_node *
node_heard(struct cluster *cl, const char *name, const char *boot, int64_t now)
{
	struct cluster_node	*n = node_find(cl, name);

	if (n != NULL && strcmp(n->boot, boot) == 0) {
		n->seen = now;
		return n;
	}
	if (n != NULL) {
		log_info("cluster: node %s started again or resynchronises", name);
		core_peer_down(cl->srv->core, name, now);
	} else if (cl->nnodes == CLUSTER_NODES_MAX) {
		if (cl->warned_full < 0 || now - cl->warned_full >= CLUSTER_WARN_MS) {
			cl->warned_full = now;
			log_warnx("cluster: node %s ignored: %d nodes known already", name,
			    CLUSTER_NODES_MAX);
		}
		return NULL;
	} else {
		n = &cl->nodes[cl->nnodes++];
		snprintf(n->name, sizeof(n->name), "%s", name);
	}
	memcpy(n->boot, boot, sizeof(n->boot));
	n->seen = now;
	log_info("cluster: node %s is up", name);
	/* Tell the newcomer about this node at once rather than at the next beat.  The
	 * heartbeat goes first, so that it knows this node before its burst comes. */
	heartbeat(cl, now);
	core_peer_up(cl->srv->core, name, now);
	return n;
}

/*
 * Lose every node and come back as a new boot: see the top of the file.  Called
 * between core calls only.
 */
static void
resync(struct cluster *cl, const char *why, int64_t now)
{
	char	err[128];

	if (cl->nnodes > 0)
		log_warnx("cluster: %s: splitting from every node to join again", why);
	else
		log_info("cluster: %s: joining with a new boot", why);
	cl->stats.resyncs++;
	while (cl->nnodes > 0)
		node_drop(cl, cl->nnodes - 1, "resynchronising", now);
	/* Without randomness the old boot stays: the others then learn of the split
	 * only by their timeout. */
	if (boot_new(cl, err, sizeof(err)) == -1)
		log_warnx("cluster: %s", err);
	cl->unsent = false;
	heartbeat(cl, now);
}

/* Whether name is a node name as config_cluster.c allows (a peer may send anything). */
static bool
name_ok(const char *name, size_t len)
{
	return len > 0 && len < NATS_NAME_MAX && strspn(name,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") >= len;
}

static bool
boot_ok(const char *boot)
{
	return strspn(boot, "0123456789abcdef") >= CLUSTER_BOOT_LEN;
}

/* One message off the inbox. */
static void
message(struct cluster *cl, natsMsg *msg, int64_t now)
{
	const char		*data = natsMsg_GetData(msg), *sp, *text;
	size_t			 len = (size_t)natsMsg_GetDataLength(msg), nlen, tlen;
	bool			 hb = strcmp(natsMsg_GetSubject(msg), cl->subj_hb) == 0;
	char			 name[NATS_NAME_MAX], boot[CLUSTER_BOOT_LEN + 1];
	struct cluster_node	*n;

	if (data == NULL || (sp = memchr(data, ' ', len)) == NULL ||
	    !name_ok(data, nlen = (size_t)(sp - data)) ||
	    len - nlen - 1 < CLUSTER_BOOT_LEN || !boot_ok(sp + 1) ||
	    (len > nlen + 1 + CLUSTER_BOOT_LEN && sp[1 + CLUSTER_BOOT_LEN] != ' ')) {
		log_debug("cluster: a malformed message on %s dropped",
		    natsMsg_GetSubject(msg));
		return;
	}
	memcpy(name, data, nlen);
	name[nlen] = '\0';
	memcpy(boot, sp + 1, CLUSTER_BOOT_LEN);
	boot[CLUSTER_BOOT_LEN] = '\0';
	text = sp + 1 + CLUSTER_BOOT_LEN;
	tlen = len - nlen - 1 - CLUSTER_BOOT_LEN;
	if (tlen > 0) {
		text++;
		tlen--;
	}
	/* No echo: this node's name on a message is another process's mistake. */
	if (strcasecmp(name, cl->conf.node) == 0) {
		if (cl->warned_self < 0 || now - cl->warned_self >= CLUSTER_WARN_MS) {
			cl->warned_self = now;
			log_warnx("cluster: another process calls itself node %s (boot %s)",
			    name, boot);
		}
		return;
	}
	if (hb && tlen == 3 && memcmp(text, "bye", 3) == 0) {
		if ((n = node_find(cl, name)) != NULL && strcmp(n->boot, boot) == 0)
			node_drop(cl, (size_t)(n - cl->nodes), "stopped", now);
		return;
	}
	if ((n = node_heard(cl, name, boot, now)) == NULL || hb)
		return;
	if (reserve(&cl->in, &cl->incap, tlen + 1) == -1) {
		/* A line the core never saw is a gap like any other. */
		log_warn(-ENOMEM, "cluster: a line from %s", name);
		cl->unsent = true;
		return;
	}
	memcpy(cl->in, text, tlen);
	cl->in[tlen] = '\0';
	cl->stats.lines_in++;
	core_peer_line(cl->srv->core, name, cl->in, tlen, now);
}

/* What libnats' threads reported, acted on between core calls. */
static void
events(struct cluster *cl, int64_t now)
{
	if (atomic_exchange(&cl->reconnected, false))
		resync(cl, "connected to NATS (lines may have been missed)", now);
	if (atomic_exchange(&cl->dropped, false))
		resync(cl, "NATS dropped lines for this node (too slow)", now);
	if (cl->unsent)
		resync(cl, "a line could not be sent", now);
}

static void
cluster_event(struct loop *loop, int fd, unsigned ev, void *arg)
{
	struct net_server	*srv = arg;
	struct cluster		*cl = srv->cluster;
	natsMsg			*msgs[CLUSTER_BATCH];
	int64_t			 now = server_now(srv);
	size_t			 n;
	bool			 overflowed;

	(void)loop, (void)fd, (void)ev;
	events(cl, now);
	n = cluster_queue_take(&cl->inbox, msgs, CLUSTER_BATCH, &overflowed);
	if (overflowed)
		resync(cl, "this node fell behind: its queue of node lines is full", now);
	for (size_t i = 0; i < n; i++) {
		message(cl, msgs[i], now);
		natsMsg_Destroy(msgs[i]);
	}
	events(cl, now);
}

/* libnats' threads: the messages and the connection's events. */

static void
on_message(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *arg)
{
	(void)nc, (void)sub;
	cluster_queue_push(&((struct cluster *)arg)->inbox, msg);
}

static void
on_connected(natsConnection *nc, void *arg)
{
	struct cluster	*cl = arg;

	(void)nc;
	atomic_store(&cl->connected, true);
	atomic_store(&cl->reconnected, true);
	cluster_queue_wake(&cl->inbox);
}

static void
on_disconnected(natsConnection *nc, void *arg)
{
	struct cluster	*cl = arg;

	(void)nc;
	atomic_store(&cl->connected, false);
	if (!atomic_load(&cl->closing))
		log_warnx("cluster: NATS connection lost; reconnecting");
}

static void
on_error(natsConnection *nc, natsSubscription *sub, natsStatus err, void *arg)
{
	struct cluster	*cl = arg;

	(void)nc, (void)sub;
	if (err != NATS_SLOW_CONSUMER) {
		log_warnx("cluster: NATS: %s", natsStatus_GetText(err));
		return;
	}
	atomic_store(&cl->dropped, true);
	cluster_queue_wake(&cl->inbox);
}

/* Options on top of nats_conf_options: the callbacks, no echo, one delivery thread,
 * the bounds.  Returns them, or NULL with err set. */
static natsOptions *
options(struct cluster *cl, char *err, size_t errlen)
{
	char		 name[NATS_NAME_MAX + 16];
	natsOptions	*o;
	natsStatus	 s;
	int		 bytes = (int)cl->conf.queue;

	snprintf(name, sizeof(name), "parleyd %s", cl->conf.node);
	if ((o = nats_conf_options(&cl->conf, name, err, errlen)) == NULL)
		return NULL;
	/* A pool that has one thread: the subscriptions share it, so their messages keep
	 * the order they came in (it never shrinks: 1 is libnats' default). */
	if ((s = nats_SetMessageDeliveryPoolSize(1)) != NATS_OK ||
	    (s = natsOptions_UseGlobalMessageDelivery(o, true)) != NATS_OK ||
	    (s = natsOptions_SetNoEcho(o, true)) != NATS_OK ||
	    (s = natsOptions_SetReconnectBufSize(o, bytes)) != NATS_OK ||
	    /* A NATS server that stopped answering is noticed within the timeout. */
	    (s = natsOptions_SetPingInterval(o, cl->conf.timeout / 2 > 0 ?
	    cl->conf.timeout / 2 : 1)) != NATS_OK ||
	    (s = natsOptions_SetMaxPingsOut(o, 2)) != NATS_OK ||
	    (s = natsOptions_SetDisconnectedCB(o, on_disconnected, cl)) != NATS_OK ||
	    (s = natsOptions_SetReconnectedCB(o, on_connected, cl)) != NATS_OK ||
	    (s = natsOptions_SetErrorHandler(o, on_error, cl)) != NATS_OK ||
	    /* NATS unreachable at start: the node starts anyway and connects later. */
	    (s = natsOptions_SetRetryOnFailedConnect(o, true, on_connected, cl)) !=
	    NATS_OK) {
		snprintf(err, errlen, "nats: options: %s", natsStatus_GetText(s));
		natsOptions_Destroy(o);
		return NULL;
	}
	return o;
}

static int
subscribe(struct cluster *cl, int i, const char *subj, char *err, size_t errlen)
{
	natsStatus	 s;

	if ((s = natsConnection_Subscribe(&cl->subs[i], cl->nc, subj, on_message,
	    cl)) != NATS_OK || (s = natsSubscription_SetPendingLimits(cl->subs[i], -1,
	    (int)cl->conf.queue)) != NATS_OK) {
		snprintf(err, errlen, "nats: subscribe %s: %s", subj, natsStatus_GetText(s));
		return -1;
	}
	return 0;
}

int
cluster_open(struct net_server *srv, char *err, size_t errlen)
{
	struct cluster	*cl;
	natsOptions	*o;
	natsStatus	 s;
	char		 net[NATS_NAME_MAX];
	int		 rc;

	if ((cl = calloc(1, sizeof(*cl))) == NULL) {
		snprintf(err, errlen, "cluster: %s", strerror(ENOMEM));
		return -1;
	}
	srv->cluster = cl;
	cl->srv = srv;
	cl->conf = srv->cfg.cluster;
	cl->warned_self = cl->warned_full = -1;
	cl->inbox.efd = -1;
	subject_token(net, cl->conf.network);
	snprintf(cl->subj_all, sizeof(cl->subj_all), "parley.%s.all", net);
	snprintf(cl->subj_hb, sizeof(cl->subj_hb), "parley.%s.hb", net);
	subject_node(cl, cl->conf.node, cl->subj_self, sizeof(cl->subj_self));
	if (boot_new(cl, err, errlen) == -1)
		return -1;
	if (core_cluster_start(srv->core, cl->conf.node) == -1) {
		snprintf(err, errlen, "cluster: %s", strerror(ENOMEM));
		return -1;
	}
	if ((rc = cluster_queue_init(&cl->inbox, cl->conf.queue)) < 0 ||
	    (rc = loop_watch(srv->loop, cl->inbox.efd, LOOP_READ, cluster_event,
	    srv)) < 0) {
		snprintf(err, errlen, "cluster: %s", strerror(-rc));
		return -1;
	}
	if ((o = options(cl, err, errlen)) == NULL)
		return -1;
	s = natsConnection_Connect(&cl->nc, o);
	natsOptions_Destroy(o);
	if (s == NATS_OK)
		atomic_store(&cl->connected, true);
	else if (s == NATS_NOT_YET_CONNECTED)
		log_warnx("cluster: NATS not reachable yet; starting without it");
	else {
		snprintf(err, errlen, "nats: connect: %s", natsStatus_GetText(s));
		return -1;
	}
	if (subscribe(cl, 0, cl->subj_all, err, errlen) == -1 ||
	    subscribe(cl, 1, cl->subj_self, err, errlen) == -1 ||
	    subscribe(cl, 2, cl->subj_hb, err, errlen) == -1)
		return -1;
	/* The wait for the others starts with the loop (cluster_timers). */
	cl->started = -1;
	heartbeat(cl, server_now(srv));
	/* The listeners are bound; their clients wait until this node knows the network. */
	cl->holding = true;
	accept_hold(srv, true);
	log_info("cluster: node %s of network %s (boot %s); waiting up to %lld ms for the "
	    "other nodes", cl->conf.node, cl->conf.network, cl->boot,
	    (long long)cl->conf.sync_timeout);
	return 0;
}

void
cluster_peer(struct net_server *srv, const char *node, const char *line, size_t len)
{
	struct cluster	*cl = srv->cluster;
	char		 subj[CLUSTER_SUBJECT_MAX];

	if (cl == NULL)
		return;
	if (node != NULL)
		subject_node(cl, node, subj, sizeof(subj));
	cl->stats.lines_out++;
	(void)publish(cl, node != NULL ? subj : cl->subj_all, line, len);
}

/* A starting node accepts clients once it is connected and every node it heard has
 * sent its state, or when sync_timeout has passed; it hears the others within a
 * heartbeat. */
static void
hold_check(struct cluster *cl, int64_t now)
{
	int64_t	 waited = now - cl->started;
	int64_t	 listen = cl->conf.heartbeat < cl->conf.sync_timeout ?
		    cl->conf.heartbeat : cl->conf.sync_timeout;
	bool	 synced;

	if (waited < listen)
		return;
	/* Unconnected, it cannot have heard anyone: it waits for NATS, up to the end. */
	synced = atomic_load(&cl->connected) && core_peer_synced(cl->srv->core);
	if (!synced && waited < cl->conf.sync_timeout)
		return;
	cl->holding = false;
	accept_hold(cl->srv, false);
	if (synced)
		log_info("cluster: synchronised with %zu nodes; accepting clients",
		    cl->nnodes);
	else
		log_warnx("cluster: sync_timeout passed before every node's state came; "
		    "accepting clients");
	systemd_ready(cl->srv);
}

void
cluster_timers(struct net_server *srv)
{
	struct cluster	*cl = srv->cluster;
	int64_t		 now = server_now(srv);

	if (cl == NULL)
		return;
	if (cl->started < 0)
		cl->started = now;
	events(cl, now);
	if (now >= cl->hb_at)
		heartbeat(cl, now);
	for (size_t i = cl->nnodes; i-- > 0;)
		if (now - cl->nodes[i].seen >= cl->conf.timeout)
			node_drop(cl, i, "no heartbeat", now);
	if (cl->holding)
		hold_check(cl, now);
}

int64_t
cluster_deadline(const struct net_server *srv)
{
	const struct cluster	*cl = srv->cluster;
	int64_t			 next;

	if (cl == NULL)
		return -1;
	next = cl->hb_at;
	for (size_t i = 0; i < cl->nnodes; i++)
		if (cl->nodes[i].seen + cl->conf.timeout < next)
			next = cl->nodes[i].seen + cl->conf.timeout;
	if (cl->holding && server_now(srv) + CLUSTER_HOLD_POLL_MS < next)
		next = server_now(srv) + CLUSTER_HOLD_POLL_MS;
	return next;
}

void
cluster_stats(struct net_server *srv, struct cluster_stats *st)
{
	struct cluster	*cl = srv->cluster;

	*st = cl->stats;
	st->nodes = cl->nnodes;
	st->connected = atomic_load(&cl->connected);
	st->queued = cluster_queue_bytes(&cl->inbox);
}

void
cluster_close(struct net_server *srv)
{
	struct cluster	*cl = srv->cluster;
	natsStatus	 s;

	if (cl == NULL)
		return;
	if (cl->nc != NULL) {
		/* Gone at once for the others, rather than after their timeout. */
		if (atomic_load(&cl->connected) &&
		    publish(cl, cl->subj_hb, "bye", 3) == 0)
			(void)natsConnection_FlushTimeout(cl->nc, CLUSTER_FLUSH_MS);
		atomic_store(&cl->closing, true);
		/* Messages are the library's: destroyed before it closes.  The inbox
		 * destroys what it holds and what the drains below still deliver. */
		cluster_queue_close(&cl->inbox);
		/* A drain hands over what libnats still holds for the subscriptions (left
		 * in its delivery queue, a message would outlive the library), then closes
		 * the connection; unconnected, there is nothing more to come. */
		if (natsConnection_DrainTimeout(cl->nc, CLUSTER_FLUSH_MS) == NATS_OK)
			for (int i = 0; i < CLUSTER_CLOSE_MS / 10 &&
			    !natsConnection_IsClosed(cl->nc); i++)
				nats_Sleep(10);
		for (int i = 0; i < 3; i++)
			natsSubscription_Destroy(cl->subs[i]);
		natsConnection_Destroy(cl->nc);
		/* Its threads hold cl (the callbacks' closure): they must be gone before cl
		 * is.  Should they outlive the wait, cl is left to them. */
		if ((s = nats_CloseAndWait(CLUSTER_CLOSE_MS)) != NATS_OK) {
			log_warnx("cluster: NATS library still closing: %s",
			    natsStatus_GetText(s));
			srv->cluster = NULL;
			return;
		}
	}
	if (cl->inbox.efd >= 0)
		(void)loop_unwatch(srv->loop, cl->inbox.efd);
	cluster_queue_free(&cl->inbox);
	free(cl->in);
	free(cl->out);
	free(cl);
	srv->cluster = NULL;
}
