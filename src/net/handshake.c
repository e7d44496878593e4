/*
 * TLS in the driver: the server's certificate and key (loaded at open, replaced on
 * reload), and the handshakes under way.  A TLS connection meets the core only once its
 * handshake is over, so that the core sees no line before it knows the connection is
 * secure and whose certificate it has.  Handshakes wait on srv->handshakes in deadline
 * order, bounded by tls_handshake_timeout (driver.c expires them).  Where the handshake
 * runs is the model's: here for the event and threads models, in the relay child for
 * the fork model (model_fork_hub.c).
 */
#include <sys/socket.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/server.h"
#include "net/conn.h"
#include "net/driver.h"
#include "net/log.h"
#include "net/loop.h"
#include "net/tls.h"
#include "net/web.h"

int
handshake_ctx_open(struct net_server *srv, char *err, size_t errlen)
{
	const struct net_config	*cfg = &srv->cfg;
	char			 why[PATH_MAX + 128];
	bool			 any = false;

	for (unsigned i = 0; i < cfg->nlisten && i < NET_LISTEN_MAX; i++)
		any = any || cfg->listen_tls[i];
	if (!any)
		return 0;
	if (cfg->tls_cert[0] == '\0' || cfg->tls_key[0] == '\0') {
		snprintf(err, errlen, "tls: a TLS listener needs a certificate and its key "
		    "(--tls-cert and --tls-key, or [tls] cert and key)");
		return -1;
	}
	if ((srv->tls = tls_ctx_new(cfg->tls_cert, cfg->tls_key, why, sizeof(why))) ==
	    NULL) {
		snprintf(err, errlen, "tls: %s", why);
		return -1;
	}
	return 0;
}

/* The established connections keep theirs. */
void
handshake_ctx_reload(struct net_server *srv, const struct net_config *net)
{
	struct tls_ctx	*ctx;
	char		 err[PATH_MAX + 128];

	if (srv->tls == NULL)
		return;
	if (net->tls_cert[0] == '\0' || net->tls_key[0] == '\0') {
		log_warnx("tls: no certificate and key configured; keeping the "
		    "running ones");
		return;
	}
	if ((ctx = tls_ctx_new(net->tls_cert, net->tls_key, err, sizeof(err))) == NULL) {
		log_warnx("tls: %s; keeping the running certificate", err);
		return;
	}
	tls_ctx_free(srv->tls);
	srv->tls = ctx;
	log_info("tls: certificate reloaded from %s", net->tls_cert);
}

void
handshake_begin(struct net_server *srv, struct conn *c)
{
	if (srv->model->handshake_begin(srv, c) == -1) {
		log_warn(-ENOMEM, "fd %d", c->fd);
		session_release(srv, c, false);
		return;
	}
	c->state = CONN_HANDSHAKE;
	c->deadline = server_now(srv) + srv->cfg.tls_handshake_timeout;
	list_add_tail(&srv->handshakes, &c->link);
	srv->nhandshakes++;
	addrs_handshake(c->addr, 1);
}

/* A web connection's handshake is over: its HTTP requests come next.  The first may
 * have come with the handshake's last flight. */
static void
handshake_web(struct net_server *srv, struct conn *c, const char *fp)
{
	c->web->tls = true;
	if (fp != NULL && (c->web->fp = strdup(fp)) == NULL) {
		log_warn(-ENOMEM, "fd %d", c->fd);
		session_release(srv, c, true);
		return;
	}
	web_begin(srv, c);
	if (session_watch(srv, c, LOOP_READ) == 0)
		web_http_readable(srv, c);
}

void
handshake_done(struct net_server *srv, struct conn *c, const char *fp)
{
	struct sockaddr_storage	 ss;
	int			 rc;

	list_del(&c->link);
	srv->nhandshakes--;
	addrs_handshake(c->addr, -1);
	c->state = CONN_OPEN;
	if (c->web != NULL) {
		handshake_web(srv, c, fp);
		return;
	}
	if (c->proxied != NULL)
		ss = *c->proxied;
	else if ((rc = srv->model->peer(srv, c, &ss)) < 0) {
		log_debug("close fd %d: %s", c->fd, strerror(-rc));
		session_release(srv, c, true);
		return;
	}
	if (session_watch(srv, c, LOOP_READ) == -1 || session_introduce(srv, c, &ss) == -1)
		return;
	log_debug("fd %d: TLS established%s%s", c->fd,
	    fp != NULL ? ", client certificate " : "", fp != NULL ? fp : "");
	core_secure(srv->core, c->client, fp);
	/* Lines may have come with the handshake's last flight, and wait inside TLS. */
	session_read_lines(srv, c);
	session_reap(srv);
}

int
handshake_tls_begin(struct net_server *srv, struct conn *c)
{
	if ((c->tls = tls_new(srv->tls, c->fd)) == NULL)
		return -1;
	return 0;
}

void
handshake_tls_step(struct net_server *srv, struct conn *c)
{
	char	 fp[TLS_FP_LEN + 1];
	int	 rc;

	rc = tls_handshake(c->tls);
	if (rc == TLS_WANT_READ || rc == TLS_WANT_WRITE) {
		(void)session_watch(srv, c, rc == TLS_WANT_READ ? LOOP_READ : LOOP_WRITE);
		return;
	}
	if (rc == TLS_ERROR) {
		log_debug("close fd %d: TLS handshake failed: %s", c->fd,
		    tls_error(c->tls));
		session_release(srv, c, false);
		return;
	}
	handshake_done(srv, c, tls_fingerprint(c->tls, fp) == 0 ? fp : NULL);
}

int
handshake_peer(struct net_server *srv, struct conn *c, struct sockaddr_storage *ss)
{
	socklen_t	 len = sizeof(*ss);

	(void)srv;
	if (getpeername(c->fd, (struct sockaddr *)ss, &len) == -1)
		return -errno;
	return 0;
}
