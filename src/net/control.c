/*
 * Control of the running server: signals (TERM and INT stop it, HUP reloads the
 * configuration, USR2 upgrades it, CHLD goes to the model), the operators' requests (REHASH, DIE and
 * RESTART, recorded by core_out.c during the turn), the reload itself and the stop.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "core/server.h"
#include "net/conn.h"
#include "net/driver.h"
#include "net/log.h"
#include "net/loop.h"
#include "net/signals.h"
#include "net/upgrade.h"

/* Stop accepting, have the core send every client ERROR and close it; run then returns
 * once they are flushed, or the grace is over. */
void
control_stop(struct net_server *srv, const char *reason)
{
	/* Handshakes under way have no client to say goodbye to. */
	while (!list_empty(&srv->handshakes))
		session_release(srv, list_entry(srv->handshakes.next, struct conn, link),
		    true);
	systemd_notify(srv, "STOPPING=1\nSTATUS=%s", reason);
	/* Nor have connections still waiting for their PROXY header. */
	proxy_wait_free(srv);
	/* Nor have web connections before their upgrade. */
	while (!list_empty(&srv->http))
		session_release(srv, list_entry(srv->http.next, struct conn, link), false);
	accept_close_listeners(srv);
	srv->paused_until = -1;
	srv->stopping = true;
	srv->stop_deadline = server_now(srv) + srv->cfg.shutdown_grace;
	core_shutdown(srv->core, reason);
	session_reap(srv);
}

static bool
listeners_same(const struct net_config *a, const struct net_config *b)
{
	if (a->nlisten != b->nlisten)
		return false;
	for (unsigned i = 0; i < a->nlisten && i < NET_LISTEN_MAX; i++)
		if (strcmp(a->listen[i], b->listen[i]) != 0 ||
		    a->listen_tls[i] != b->listen_tls[i] ||
		    a->listen_proxy[i] != b->listen_proxy[i] ||
		    a->listen_web[i] != b->listen_web[i])
			return false;
	return true;
}

static void
control_reload(struct net_server *srv)
{
	struct core_config	 core;
	struct net_config	 net;
	char			 err[512] = "nothing to reload from";

	log_info("reloading configuration");
	systemd_reloading(srv);
	if (srv->reload == NULL ||
	    srv->reload(srv->reload_arg, &core, &net, err, sizeof(err)) == -1) {
		log_warnx("reload failed: %s; keeping the running configuration",
		    err);
		systemd_ready(srv);
		return;
	}
	core.sts_port = net.sts ? srv->tls_port : 0;
	if (core_configure(srv->core, &core) == -1) {
		log_warnx("reload failed: %s; keeping the running configuration",
		    strerror(ENOMEM));
		systemd_ready(srv);
		return;
	}
	if (!srv->activated && !listeners_same(&srv->cfg, &net))
		log_warnx("listener changes take effect on restart");
	if (net.model != srv->cfg.model)
		log_warnx("model changes take effect on restart");
	handshake_ctx_reload(srv, &net);
	srv->cfg.sendq = net.sendq;
	srv->cfg.sendq_unregistered = net.sendq_unregistered;
	srv->cfg.line_max = net.line_max;
	srv->cfg.max_clients = net.max_clients;
	srv->cfg.max_per_address = net.max_per_address;
	srv->cfg.handshakes_per_address = net.handshakes_per_address;
	srv->cfg.connect_rate = net.connect_rate;
	srv->cfg.connect_window = net.connect_window;
	srv->cfg.max_handshakes = net.max_handshakes;
	/* Connections counted under the old prefixes keep their entries until they go. */
	srv->cfg.ipv4_prefix = net.ipv4_prefix;
	srv->cfg.ipv6_prefix = net.ipv6_prefix;
	srv->cfg.linger = net.linger;
	srv->cfg.tls_handshake_timeout = net.tls_handshake_timeout;
	srv->cfg.shutdown_grace = net.shutdown_grace;
	/* Connection policy and proxies (h-ops). */
	srv->cfg.exempt = net.exempt;
	srv->cfg.proxy_trusted = net.proxy_trusted;
	srv->cfg.proxy_timeout = net.proxy_timeout;
	web_config_reload(&srv->cfg, &net);
	log_info("configuration reloaded");
	systemd_ready(srv);
}

void
control_signal(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct net_server	*srv = arg;
	int			 signo;

	(void)events;
	while ((signo = signals_read(fd)) > 0) {
		if (signo == SIGCHLD) {
			srv->model->child_exited(srv);
		} else if (signo == SIGHUP) {
			control_reload(srv);
		} else if (signo == SIGUSR2) {
			/* Between turns, where no line is half handled (control_requests). */
			srv->upgrade_wanted = !srv->stopping;
		} else if (!srv->stopping) {
			log_info("shutting down (signal %s)", signals_name(signo));
			control_stop(srv, "Server shutting down");
		} else {
			/* A signal during a RESTART's shutdown: stop for good. */
			srv->restart = false;
		}
	}
	if (signo == 0)
		return;
	/* Without signals the server could not be stopped cleanly: stop now. */
	log_errorx("signalfd: %s; shutting down", strerror(-signo));
	(void)loop_unwatch(loop, fd);
	srv->failed = true;
	if (!srv->stopping)
		control_stop(srv, "Server shutting down");
}

/*
 * The operators' requests recorded during the last turn.  REHASH takes SIGHUP's path;
 * DIE and RESTART take SIGTERM's, and RESTART then has run return NET_RESTART so that
 * the program runs itself anew once every descriptor is closed.
 */
void
control_requests(struct net_server *srv)
{
	char		 reason[sizeof(srv->request_reason) + 32];
	unsigned	 req = srv->requests;

	srv->requests = 0;
	if (srv->upgrade_wanted) {
		srv->upgrade_wanted = false;
		upgrade_run(srv);
	}
	if (req & (1u << CORE_REQUEST_REHASH))
		control_reload(srv);
	if (srv->stopping || !(req & (1u << CORE_REQUEST_DIE |
	    1u << CORE_REQUEST_RESTART)))
		return;
	/* Both in one turn: stopping for good is the safer reading. */
	srv->restart = !(req & (1u << CORE_REQUEST_DIE));
	log_info("%s (%s)", srv->restart ? "restarting" : "shutting down",
	    srv->request_reason);
	snprintf(reason, sizeof(reason), "%s (%s)", srv->restart ? "Server restarting" :
	    "Server shutting down", srv->request_reason);
	control_stop(srv, reason);
}
