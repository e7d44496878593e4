#ifndef PARLEY_NET_NET_H
#define PARLEY_NET_NET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "net/cidr.h"
#include "net/nats_conf.h"
#include "net/sock.h"

/*
 * A running parleyd: listeners, the event loop and one core.  net/ owns descriptors,
 * signals and the clock; the core owns every IRC decision.
 */

#define NET_LISTEN_MAX	16
#define NET_WEB_LIST_MAX	16	/* [web] origins, trusted_proxies */
#define NET_WEB_ITEM_MAX	256	/* one of them, NUL included */

/* How connections are served; every model runs the same core (docs/models.md). */
enum net_model {
	NET_MODEL_EVENT,	/* one thread, epoll, non-blocking sockets */
	NET_MODEL_FORK,		/* a child process per connection relays to the hub */
	NET_MODEL_THREADS,	/* I/O threads read and write, one thread runs the core */
};

/* Connection-level limits.  Every default lives in net_config_defaults(). */
struct net_config {
	char		 listen[NET_LISTEN_MAX][SOCK_ADDR_MAX];	/* "ADDR:PORT" each */
	unsigned	 nlisten;
	enum net_model	 model;		/* fixed at start: a change takes effect on restart */
	bool		 listen_tls[NET_LISTEN_MAX];	/* listen[i] speaks TLS */
	char		 tls_cert[PATH_MAX];	/* PEM chain, leaf first; "" = none */
	char		 tls_key[PATH_MAX];	/* its PEM private key */
	int64_t		 tls_handshake_timeout;	/* ms from accept to a finished handshake */
	bool		 sts;		/* offer IRCv3 STS with the first TLS listener's port */
	size_t		 sendq;		/* bytes queued for one client before "SendQ exceeded" */
	size_t		 sendq_unregistered;	/* the same before it registers (at most
						   sendq) */
	size_t		 line_max;	/* longest input line, CR LF and tags included */
	unsigned	 max_clients;	/* 0: as many as descriptors allow */
	/* Per address (src/net/addrs.h), from accept to close; 0: no limit. */
	unsigned	 max_per_address;	/* connections held at once */
	unsigned	 handshakes_per_address; /* of them in the TLS handshake */
	unsigned	 connect_rate;	/* connections per connect_window */
	int64_t		 connect_window; /* ms */
	unsigned	 ipv4_prefix;	/* bits of an address that name it (1 .. 32) */
	unsigned	 ipv6_prefix;	/* (1 .. 128): 64, one /64 is one address */
	unsigned	 max_handshakes; /* TLS handshakes under way in all; 0: no limit */
	/* Connection policy (h-ops): sources the per-address limits above never refuse. */
	struct net_cidrs exempt;
	/* PROXY protocol (h-ops): listen[i] expects a PROXY header first; the sources that
	 * may send one; how long one may take, in ms. */
	bool		 listen_proxy[NET_LISTEN_MAX];
	struct net_cidrs proxy_trusted;
	int64_t		 proxy_timeout;
	/* Metrics (h-ops): the Prometheus endpoint's "ADDR:PORT"; "": none. */
	char		 metrics_address[SOCK_ADDR_MAX];
	int64_t		 linger;	/* ms to drain a closing client's input after our FIN */
	int64_t		 shutdown_grace; /* ms to flush every client on SIGTERM/SIGINT */
	int64_t		 upgrade_timeout; /* ms for an upgrade's drain, and for the new
					   process to take over (SIGUSR2) */
	unsigned	 io_threads;	/* threads model: workers for reads and writes, the
					   core's thread included (1 .. 64) */
	unsigned	 workers;	/* threads that run the core's jobs, such as OPER's
					   password hash, off the loop (1 .. 64) */
	/* The web listener (src/net/web.c): HTTP, the web client, WebSocket. */
	bool		 listen_web[NET_LISTEN_MAX];	/* listen[i] speaks HTTP */
	size_t		 web_header_max;	/* request line and headers, bytes */
	unsigned	 web_headers_max;	/* header fields of a request */
	int64_t		 web_header_timeout;	/* ms for a request's headers, and
						   the wait for the next one */
	char		 web_origins[NET_WEB_LIST_MAX][NET_WEB_ITEM_MAX];
	unsigned	 nweb_origins;	/* 0: only the listener's own origin; "*": any */
	struct net_cidrs web_proxies;	/* whose X-Forwarded-For and Forwarded are
					   believed */
	/* [cluster] (issue 18, net/cluster.c): nurls 0, a single server.  Fixed at
	 * start: a change takes effect on restart. */
	struct nats_conf cluster;
};

void	net_config_defaults(struct net_config *cfg);

/*
 * Reload the configuration (SIGHUP): fill *core and *net anew.  core->motd must stay
 * valid until the next call.  Returns 0, or -1 with a one-line reason in err; the running
 * configuration is then kept.
 */
typedef int	(*net_reload_fn)(void *arg, struct core_config *core, struct net_config *net,
		    char *err, size_t errlen);

struct net_server;

/*
 * Load the TLS certificate and key when a listener speaks TLS (err then says e.g.
 * "tls: /k.pem: does not match the certificate"), bind every listener (logging
 * "listening on ADDR:PORT" for each, "listening on ADDR:PORT (tls)" for TLS ones,
 * ephemeral ports resolved), block and take TERM/INT/HUP (and CHLD, to reap the fork
 * model's children) through a signalfd, and create the core.  Returns NULL with a
 * one-line reason in err (e.g. "127.0.0.1:6667: Address already in use").  Call
 * before any thread exists.
 */
struct net_server	*net_server_new(const struct core_config *core,
			    const struct net_config *net, net_reload_fn reload, void *arg,
			    char *err, size_t errlen);

/* Run the event loop until SIGTERM/SIGINT or an operator's DIE, then send every client
 * ERROR, flush (bounded by shutdown_grace) and return 0; NET_RESTART when an operator's
 * RESTART ended it (the caller frees the server, closing every listener, and runs the
 * program anew); -1 on a fatal loop error (logged).  An operator's REHASH reloads as
 * SIGHUP does. */
#define NET_RESTART	1
int			 net_server_run(struct net_server *srv);

/*
 * Give srv the open store st of ops (store/store.h), which it owns from now on, also
 * when this fails: the core learns what the store holds (load), and from now on a
 * store thread runs the core's store jobs.  Without it, store jobs fail with -ENOSYS.
 * Call once, after net_server_new and before net_server_run.  Returns 0, or -1 with a
 * one-line reason in err.
 */
struct store;
struct store_ops;
int			 net_server_store(struct net_server *srv,
			    const struct store_ops *ops, struct store *st, char *err,
			    size_t errlen);

/*
 * Upgrades without dropping anyone (SIGUSR2; docs/operations.md).  The old process:
 * exe (an absolute path, resolved at start so that a replaced file is the one started)
 * and argv (NULL-terminated, argv[0] first; copied, the strings must outlive srv) are
 * what SIGUSR2 starts, with --upgrade-from FD added (an earlier one left out).
 * Returns 0, or -1 out of memory.
 */
int			 net_server_exe(struct net_server *srv, const char *exe,
			    char *const *argv);

/*
 * The new process, given --upgrade-from FD: first receive the state (each exchange
 * with the old process bounded by timeout ms), then open the server on its listeners
 * with net_server_resume (as net_server_new), give it its store (net_server_store),
 * and take over with net_server_resumed, which answers the old process "ready".  Any
 * failure before that: net_upgrade_fail tells the old process why (it carries on).
 * NULL from net_upgrade_receive: err says why, and the old process was told.
 */
struct net_upgrade;
struct net_upgrade	*net_upgrade_receive(int fd, int64_t timeout, char *err,
			    size_t errlen);
struct net_server	*net_server_resume(const struct core_config *core,
			    const struct net_config *net, net_reload_fn reload, void *arg,
			    struct net_upgrade *up, char *err, size_t errlen);
/* Restore the connections and the core, answer "ready".  Returns 0, or -1 with err
 * (then net_upgrade_fail, and free srv without running it). */
int			 net_server_resumed(struct net_server *srv, char *err,
			    size_t errlen);
/* Tell the old process "fail: reason" (once), and free up (NULL is fine). */
void			 net_upgrade_fail(struct net_upgrade *up, const char *reason);
/* Free up without a word (after net_server_resumed). */
void			 net_upgrade_free(struct net_upgrade *up);

/* Close every descriptor and free the core. */
void			 net_server_free(struct net_server *srv);

#endif
