/*
 * The driver: one thread runs one level-triggered epoll loop and the core, every socket
 * non-blocking.  This file opens and frees the server, runs the timers and the turn;
 * the pieces it drives are listed in driver.h.  The model (event, fork or threads) is a
 * table of hooks chosen here once, at open; the event model's is below.
 *
 * A turn of net_server_run:
 *   1. the operators' requests of the last turn (control.c);
 *   2. timers: core_tick, then the deadlines of handshakes, closing and lingering
 *      connections, a pause of accepting, the quiet-time heap release;
 *   3. before sleeping: report dead connections to the core, then write every dirty
 *      connection's queue once (one sendmsg each, however many lines were queued);
 *   4. epoll_wait and the callbacks: accept, lines into the core, signals; then the
 *      model's events_done (the threads model reads and feeds there).
 */
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/server.h"
#include "net/addrs.h"
#include "net/conn.h"
#include "net/driver.h"
#include "net/jobs.h"
#include "net/log.h"
#include "net/loop.h"
#include "net/net.h"
#include "net/random.h"
#include "net/signals.h"
#include "net/sock.h"
#include "net/store_thread.h"
#include "net/tls.h"
#include "net/upgrade.h"
#include "store/store.h"

#define NET_QUIET_MS	500	/* this long without events: free heap goes back */
#define NET_SETTLE_POLL_MS 5	/* stopping: how often lingering peers are looked at */

/*
 * The models.
 */

void
model_nothing(struct net_server *srv)
{
	(void)srv;
}

const char *
model_no_reason(struct net_server *srv, int fd)
{
	(void)srv;
	(void)fd;
	return NULL;
}

static int
model_open_nothing(struct net_server *srv, char *err, size_t errlen)
{
	(void)srv;
	(void)err;
	(void)errlen;
	return 0;
}

/* The event model: the plain hooks, every read and write at its event. */
static const struct model_ops model_event_ops = {
	.open = model_open_nothing,
	.close = model_nothing,
	.adopt = accept_direct,
	.handshake_begin = handshake_tls_begin,
	.handshake_step = handshake_tls_step,
	.peer = handshake_peer,
	.gone = model_no_reason,
	.readable = session_readable,
	.events_done = model_nothing,
	.write_dirty = session_write_dirty,
	.child_exited = model_nothing,
};

static const struct model_ops *
model_ops_for(enum net_model model)
{
	switch (model) {
	case NET_MODEL_FORK:
		return &model_fork_hub_ops;
	case NET_MODEL_THREADS:
		return &model_threads_ops;
	case NET_MODEL_EVENT:
		break;
	}
	return &model_event_ops;
}

/*
 * Timers.
 */

/* The earlier of two deadlines, -1 meaning none. */
static int64_t
earliest(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0 || a < b)
		return a;
	return b;
}

/* The wall clock in ms, for the times the core shows users; -1 when unknown. */
static int64_t
wall_now(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return -1;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Close the connections whose deadline has come. */
static void
expire(struct net_server *srv)
{
	struct conn	*c;

	web_expire(srv);
	while (!list_empty(&srv->handshakes)) {
		c = list_entry(srv->handshakes.next, struct conn, link);
		if (c->deadline > server_now(srv))
			break;
		log_debug("close fd %d: TLS handshake timed out", c->fd);
		session_release(srv, c, true);
	}
	while (!list_empty(&srv->timed)) {
		c = list_entry(srv->timed.next, struct conn, link);
		if (c->deadline > server_now(srv))
			return;
		/* A closing peer did not read the rest: reset, do not leave it to the
		 * kernel.  A lingering one did not close in time. */
		session_release(srv, c, c->state == CONN_CLOSING);
	}
}

/*
 * Stopping: a lingering connection whose ERROR the peer has acknowledged and that has
 * sent nothing since is closed at once; waiting out the linger would only keep the
 * server from exiting.  One with unread input still waits, since closing it would reset.
 */
static void
expire_settled(struct net_server *srv)
{
	struct list	*n, *next;

	for (n = srv->timed.next; n != &srv->timed; n = next) {
		struct conn	*c = list_entry(n, struct conn, link);

		next = n->next;
		if (c->state == CONN_LINGERING && conn_settled(c))
			session_release(srv, c, false);
	}
}

/* Whether any connection lingers (the stopping server polls them, expire_settled). */
static bool
any_lingering(const struct net_server *srv)
{
	for (struct list *n = srv->timed.next; n != &srv->timed; n = n->next)
		if (list_entry(n, struct conn, link)->state == CONN_LINGERING)
			return true;
	return false;
}

/*
 * Free heap back to the system once the loop has been quiet for NET_QUIET_MS.  The
 * program keeps free heap while busy (parleyd/main.c's heap policy); only the loop knows
 * when it has gone quiet, so the giving back stays here, once per quiet spell.
 */
static void
heap_release(struct net_server *srv)
{
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
	srv->heap_held = false;
}

/* Run what is due now; returns the core's next deadline (-1: none). */
static int64_t
server_timers(struct net_server *srv)
{
	int64_t	 now = server_now(srv), wall = wall_now(), next;

	/* Read each turn, so that a wall clock set after startup shows at once. */
	if (wall >= 0)
		core_clock(srv->core, now, wall);
	next = core_tick(srv->core, now);
	session_reap(srv);
	expire(srv);
	proxy_wait_expire(srv);
	systemd_status(srv);
	metrics_expire(srv);
	cluster_timers(srv);
	if (srv->paused_until >= 0 && now >= srv->paused_until)
		accept_resume(srv);
	if (srv->heap_held && now - srv->active_at >= NET_QUIET_MS)
		heap_release(srv);
	return next;
}

static int
server_timeout(const struct net_server *srv, int64_t next)
{
	if (!list_empty(&srv->timed))
		next = earliest(next,
		    list_entry(srv->timed.next, struct conn, link)->deadline);
	if (!list_empty(&srv->handshakes))
		next = earliest(next,
		    list_entry(srv->handshakes.next, struct conn, link)->deadline);
	if (!list_empty(&srv->http))
		next = earliest(next,
		    list_entry(srv->http.next, struct conn, link)->deadline);
	if (srv->stopping)
		next = earliest(next, srv->stop_deadline);
	/* The peers' acknowledgements raise no event: look again soon. */
	if (srv->stopping && any_lingering(srv))
		next = earliest(next, server_now(srv) + NET_SETTLE_POLL_MS);
	next = earliest(next, srv->paused_until);
	next = earliest(next, proxy_wait_deadline(srv));
	next = earliest(next, metrics_deadline(srv));
	next = earliest(next, cluster_deadline(srv));
	if (srv->heap_held)
		next = earliest(next, srv->active_at + NET_QUIET_MS);
	return loop_timeout(srv->loop, next);
}

/*
 * The turn.
 */

int
net_server_run(struct net_server *srv)
{
	int64_t	 next;
	int	 rc;

	/* A node is ready once it has the network's state (cluster.c says so). */
	if (srv->cluster == NULL)
		systemd_ready(srv);
	for (;;) {
		control_requests(srv);
		next = server_timers(srv);
		session_flush_all(srv);
		metrics_turn(srv);
		if (srv->stopping)
			expire_settled(srv);
		if (srv->stopping && (srv->nconns == 0 ||
		    server_now(srv) >= srv->stop_deadline))
			break;
		if ((rc = loop_run(srv->loop, server_timeout(srv, next))) < 0) {
			log_error(rc, "epoll_wait");
			return -1;
		}
		if (rc > 0) {
			srv->active_at = server_now(srv);
			srv->heap_held = true;
		}
		srv->model->events_done(srv);
	}
	if (srv->nconns > 0)
		log_warnx("shutdown grace over: %zu connections cut", srv->nconns);
	if (srv->failed)
		return -1;
	return srv->restart ? NET_RESTART : 0;
}

/*
 * Lifetime.
 */

/*
 * What descriptors connections have (accept.c's share): the limit, and how many the
 * server holds for itself.  Every descriptor below the lowest free one is open.
 */
static void
descriptors_measure(struct net_server *srv)
{
	struct rlimit	 rl;
	int		 fd;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		srv->nofile = (size_t)rl.rlim_cur;
	if ((fd = fcntl(srv->reserve, F_DUPFD_CLOEXEC, 0)) >= 0) {
		srv->fds_base = (size_t)fd;
		sock_close(fd);
	}
}

/*
 * The new process of an upgrade serves the listeners it was handed, as they were
 * (their flags replace the configuration's, as socket activation's do): into fds.
 */
static int
upgrade_listen_fds(struct net_server *srv, int fds[NET_LISTEN_MAX])
{
	const struct net_upgrade	*up = srv->upgrade;

	srv->cfg.nlisten = up->nlisten;
	for (unsigned i = 0; i < up->nlisten; i++) {
		fds[i] = up->listen[i].fd;
		srv->cfg.listen_tls[i] = up->listen[i].tls;
		srv->cfg.listen_web[i] = up->listen[i].web;
		srv->cfg.listen_proxy[i] = up->listen[i].proxy;
	}
	return (int)up->nlisten;
}

/* Everything net_server_new sets up, in order.  Returns 0, or -1 with err set. */
static int
server_open(struct net_server *srv, const struct core_config *core, char *err,
    size_t errlen)
{
	struct core_config	 cc;
	uint8_t			 key[MAP_KEY_LEN];
	int			 fds[NET_LISTEN_MAX], nfds, rc;

	if ((srv->loop = loop_new()) == NULL) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		return -1;
	}
	/* Before the first "listening on": whoever waits for that line may signal at
	 * once, and a SIGTERM then must end the server cleanly, not kill it. */
	if ((rc = signals_open()) >= 0) {
		srv->sigfd = rc;
		rc = loop_watch(srv->loop, srv->sigfd, LOOP_READ, control_signal, srv);
	}
	if (rc < 0) {
		snprintf(err, errlen, "signalfd: %s", strerror(-rc));
		return -1;
	}
	systemd_open(srv);
	if (srv->upgrade != NULL)
		nfds = upgrade_listen_fds(srv, fds);
	else if ((nfds = systemd_listen_fds(&srv->cfg, fds, err, errlen)) == -1)
		return -1;
	srv->activated = srv->upgrade != NULL ? srv->upgrade->activated : nfds > 0;
	if (handshake_ctx_open(srv, err, errlen) == -1 ||
	    proxy_wait_check(&srv->cfg, err, errlen) == -1)
		return -1;
	for (unsigned i = 0; i < srv->cfg.nlisten && i < NET_LISTEN_MAX; i++) {
		if (srv->upgrade != NULL && accept_listen_inherited(srv, fds[i],
		    srv->cfg.listen_tls[i], srv->cfg.listen_web[i], err, errlen) == -1)
			return -1;
		if (srv->upgrade != NULL) {
			srv->listen_proxy[srv->nlisten - 1] = srv->cfg.listen_proxy[i];
			continue;
		}
		if ((nfds > 0 ? accept_listen_fd(srv, fds[i], srv->cfg.listen_tls[i],
		    srv->cfg.listen_web[i], err, errlen) : accept_listen(srv,
		    srv->cfg.listen[i], srv->cfg.listen_tls[i], srv->cfg.listen_web[i], err,
		    errlen)) == -1)
			return -1;
		srv->listen_proxy[srv->nlisten - 1] = srv->cfg.listen_proxy[i];
	}
	if (metrics_open(srv, err, errlen) == -1)
		return -1;
	if ((rc = accept_reserve_open(srv)) < 0) {
		snprintf(err, errlen, "/dev/null: %s", strerror(-rc));
		return -1;
	}
	/* After signals_open: SIGCHLD is blocked before the fork model's first child, and
	 * the threads model's threads inherit the blocked mask. */
	if (srv->model->open(srv, err, errlen) == -1)
		return -1;
	/* After signals_open: the workers block every signal too. */
	if ((srv->pool = jobs_new(srv->cfg.workers)) == NULL ||
	    (rc = loop_watch(srv->loop, jobs_fd(srv->pool), LOOP_READ, out_jobs_event,
	    srv)) < 0) {
		snprintf(err, errlen, "job pool: %s",
		    strerror(srv->pool == NULL ? errno : -rc));
		return -1;
	}
	srv->out = out_interface(srv);
	/* libsodium, for the core's accounts (its hashes, nonces), starts off the core:
	 * before the workers' first job. */
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium: cannot start");
		return -1;
	}
	cc = *core;
	cc.sts_port = srv->cfg.sts ? srv->tls_port : 0;
	if (random_bytes(cc.hash_key, sizeof(cc.hash_key), err, errlen) < 0 ||
	    random_bytes(cc.secret, sizeof(cc.secret), err, errlen) < 0 ||
	    random_bytes(key, sizeof(key), err, errlen) < 0)
		return -1;
	addrs_init(&srv->addrs, key);
	if ((srv->core = core_new(&cc, &srv->out)) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	descriptors_measure(srv);
	/* A node of a network (docs/cluster.md); without [cluster], nothing of NATS. */
	if (srv->cfg.cluster.nurls > 0 && cluster_open(srv, err, errlen) == -1)
		return -1;
	return 0;
}

static struct net_server *
server_new(const struct core_config *core, const struct net_config *net,
    net_reload_fn reload, void *arg, struct net_upgrade *up, char *err, size_t errlen)
{
	struct net_server	*srv;

	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	srv->cfg = *net;
	srv->reload = reload;
	srv->reload_arg = arg;
	srv->model = model_ops_for(net->model);
	srv->sigfd = srv->reserve = srv->notify_fd = srv->metrics_fd = -1;
	srv->metrics_paused = -1;
	list_init(&srv->scrapes);
	srv->paused_until = srv->warned_full = -1;
	srv->conns = (struct conn_table)CONN_TABLE_INIT;
	list_init(&srv->dirty);
	list_init(&srv->reap);
	list_init(&srv->timed);
	list_init(&srv->handshakes);
	list_init(&srv->proxying);
	list_init(&srv->http);
	srv->upgrade = up;
	if (server_open(srv, core, err, errlen) == -1) {
		net_server_free(srv);
		return NULL;
	}
	return srv;
}

struct net_server *
net_server_new(const struct core_config *core, const struct net_config *net,
    net_reload_fn reload, void *arg, char *err, size_t errlen)
{
	return server_new(core, net, reload, arg, NULL, err, errlen);
}

struct net_server *
net_server_resume(const struct core_config *core, const struct net_config *net,
    net_reload_fn reload, void *arg, struct net_upgrade *up, char *err, size_t errlen)
{
	return server_new(core, net, reload, arg, up, err, errlen);
}

int
net_server_exe(struct net_server *srv, const char *exe, char *const *argv)
{
	size_t	 n = 0, k = 0;

	while (argv[n] != NULL)
		n++;
	free(srv->upgrade_argv);
	if (strlen(exe) >= sizeof(srv->exe) ||
	    (srv->upgrade_argv = calloc(n + 3, sizeof(*srv->upgrade_argv))) == NULL)
		return -1;
	snprintf(srv->exe, sizeof(srv->exe), "%s", exe);
	for (size_t i = 0; i < n; i++) {
		/* The previous upgrade's descriptor means nothing to the next. */
		if (strcmp(argv[i], "--upgrade-from") == 0) {
			i++;
			continue;
		}
		if (strncmp(argv[i], "--upgrade-from=", 15) == 0)
			continue;
		srv->upgrade_argv[k++] = argv[i];
	}
	srv->upgrade_argv[k++] = "--upgrade-from";
	srv->upgrade_argv[k] = srv->upgrade_fd;
	return 0;
}

/* What load found, for the log line. */
struct store_count {
	struct net_server	*srv;
	size_t			 accounts;
	size_t			 channels;
};

static int
store_restore_account(void *arg, const char *name)
{
	struct store_count	*n = arg;

	n->accounts++;
	return core_restore_account(n->srv->core, name) == 0 ? 0 : -ENOMEM;
}

static int
store_restore_channel(void *arg, const struct chanreg_rec *rec)
{
	struct store_count	*n = arg;

	n->channels++;
	return core_restore_channel(n->srv->core, rec) == 0 ? 0 : -ENOMEM;
}

static int
store_restore_entry(void *arg, const struct chanreg_entry *entry)
{
	struct store_count	*n = arg;

	return core_restore_entry(n->srv->core, entry) == 0 ? 0 : -ENOMEM;
}

static int
store_restore_opts(void *arg, const struct account_opts *o)
{
	struct store_count	*n = arg;

	return core_restore_account_opts(n->srv->core, o) == 0 ? 0 : -ENOMEM;
}

static int
store_restore_presence(void *arg, const struct presence_rec *rec)
{
	struct store_count	*n = arg;

	/* After an upgrade, the always-on users are in the core's snapshot. */
	if (n->srv->upgrade != NULL)
		return 0;

	return core_restore_presence(n->srv->core, rec) == 0 ? 0 : -ENOMEM;
}

static int
store_restore_marker(void *arg, const struct history_marker *m)
{
	struct store_count	*n = arg;

	return core_restore_marker(n->srv->core, m) == 0 ? 0 : -ENOMEM;
}

int
net_server_store(struct net_server *srv, const struct store_ops *ops, struct store *st,
    char *err, size_t errlen)
{
	const struct store_visitor	 v = { store_restore_account, store_restore_channel,
					    store_restore_entry, store_restore_marker,
					    store_restore_presence, store_restore_opts };
	struct store_count		 n = { srv, 0, 0 };
	int				 rc;

	if ((rc = ops->load(st, &v, &n)) != 0) {
		snprintf(err, errlen, "store: loading: %s", strerror(-rc));
		ops->close(st);
		return -1;
	}
	if ((srv->store = store_thread_new(ops, st)) == NULL) {
		snprintf(err, errlen, "store thread: %s", strerror(errno));
		return -1;
	}
	if ((rc = loop_watch(srv->loop, store_thread_fd(srv->store), LOOP_READ,
	    out_store_event, srv)) < 0) {
		snprintf(err, errlen, "store thread: %s", strerror(-rc));
		store_thread_free(srv->store);
		srv->store = NULL;
		return -1;
	}
	log_info("store: %zu accounts and %zu channels loaded", n.accounts, n.channels);
	return 0;
}

void
net_server_free(struct net_server *srv)
{
	struct conn	*c;

	if (srv == NULL)
		return;
	/* Graceful closes: the kernel still sends what it holds. */
	for (size_t fd = 0; fd < srv->conns.cap; fd++)
		if ((c = srv->conns.slot[fd]) != NULL)
			session_release(srv, c, false);
	proxy_wait_free(srv);
	systemd_close(srv);
	metrics_close(srv);
	/* The fork model's children end here, after their hub ends were closed. */
	srv->model->close(srv);
	if (srv->pool != NULL)
		(void)loop_unwatch(srv->loop, jobs_fd(srv->pool));
	jobs_free(srv->pool);
	if (srv->store != NULL)
		(void)loop_unwatch(srv->loop, store_thread_fd(srv->store));
	store_thread_free(srv->store);
	/* After the store, which may have a NATS connection of its own. */
	cluster_close(srv);
	core_free(srv->core);
	accept_close_listeners(srv);
	sock_close(srv->reserve);
	if (srv->sigfd >= 0) {
		(void)loop_unwatch(srv->loop, srv->sigfd);
		sock_close(srv->sigfd);
	}
	loop_free(srv->loop);
	tls_ctx_free(srv->tls);
	conn_table_free(&srv->conns);
	addrs_free(&srv->addrs);
	outq_arena_free(&srv->shared);
	free(srv->upgrade_argv);
	free(srv);
}
