#ifndef PARLEY_NET_DRIVER_H
#define PARLEY_NET_DRIVER_H

/*
 * The driver's private header, for src/net only: struct net_server and what its pieces
 * share.  net.h is the public face.
 *
 *   driver.c          net_server_new/run/free, opening, timers, the turn
 *   session.c         a connection's states, its input and the flushing of its output
 *   core_out.c        the core's output interface: queue, queue_many, hangup, log, request
 *   accept.c          listeners, the reserve descriptor, shedding and pausing
 *   addrs.c           connections by address: counts, handshakes, connect rate
 *   proxy_wait.c      PROXY listeners: the load balancer's header, before accepting
 *   systemd.c         sd_notify and socket activation
 *   metrics.c         the Prometheus endpoint, metrics_text.c what it says
 *   handshake.c       TLS handshakes in the driver, and TLS reload
 *   control.c         stop, reload, signals and the operators' requests
 *   model_threads.c   the threads model's hooks: reads and writes in parallel phases
 *   model_fork_hub.c  the fork model's hooks: the hub's side of model_fork.h
 *   web.c, web_peer.c the web listener's HTTP phase, origins and proxies
 *   web_ws.c          IRC over WebSocket after the upgrade
 *   cluster.c         a node of a network: NATS, heartbeats, the core's node lines
 *                     (cluster_queue.c its inbox)
 *
 * A model is a table of hooks (struct model_ops), chosen once when the server opens;
 * the event model's hooks are the plain ones the other files export.  The driver calls
 * hooks per turn, per accepted connection or per connection event, never per line.
 */

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/server.h"
#include "net/addrs.h"
#include "net/conn.h"
#include "net/http.h"
#include "net/loop.h"
#include "net/net.h"
#include "net/tls.h"

#define NET_READ_MAX	16384	/* bytes read per wakeup of a connection */
#define WEB_FRAMES_MAX	32768	/* a line for many framed for WebSocket: a longest
				   line, each byte maybe 3 (U+FFFD) */
_Static_assert(NET_READ_MAX >= TLS_RECORD_MAX, "a TLS read must take a whole record");

/* What the driver counts for the metrics: plain increments on the loop thread. */
#define NET_TURN_BUCKETS	10
#define NET_JOB_BUCKETS		10
#define NET_JOBS_TIMED		256	/* jobs in flight whose submission time is kept */
struct net_counters {
	uint64_t	 bytes_in;	/* read from clients (decrypted) */
	uint64_t	 bytes_out;	/* written to them (before encryption) */
	uint64_t	 lines_out;	/* lines queued for clients, a line to many counted
					   once per receiver */
	uint64_t	 refused;	/* connections turned away at accept */
	uint64_t	 jobs_submitted;
	uint64_t	 jobs_done;
	uint64_t	 turns[NET_TURN_BUCKETS];	/* turns by duration (metrics.c) */
	uint64_t	 turn_ns;	/* their total duration */
	uint64_t	 job_times[NET_JOB_BUCKETS];	/* jobs by submit-to-result time */
	uint64_t	 job_ns;	/* their total */
};

/* When each job in flight was submitted (by its address: the driver may not write into
 * a job); a job submitted while all are taken is not timed. */
struct net_job_time {
	const struct job	*job;
	int64_t			 at_ns;
};

/* The cluster driver's counters and state, for the metrics (cluster.c). */
struct cluster_stats {
	uint64_t	 lines_in;	/* node lines handed to the core */
	uint64_t	 lines_out;	/* the core's node lines published */
	uint64_t	 heartbeats;	/* sent */
	uint64_t	 resyncs;	/* splits from every node to join again */
	size_t		 nodes;		/* other nodes up */
	size_t		 queued;	/* bytes of messages waiting for the loop */
	bool		 connected;	/* to NATS */
};

struct net_server;
struct cluster;
struct fork;
struct threads;
struct jobs;
struct store_thread;

/*
 * How a model serves connections: the points where models differ, called by the driver.
 * Every hook is set (a model without business at a point has a hook that does nothing).
 */
struct model_ops {
	/* Set the model up (after signals_open, so threads and children inherit the
	 * blocked mask).  Returns 0, or -1 with err set. */
	int		 (*open)(struct net_server *, char *err, size_t errlen);
	/* Undo open; also called after a failed open. */
	void		 (*close)(struct net_server *);
	/* A connection accepted on fd from ss: the descriptor the driver is to serve it
	 * on, or -1 when it was refused (fd closed). */
	int		 (*adopt)(struct net_server *, int fd, const struct sockaddr_storage *ss,
			    bool tls);
	/* Ready c for its TLS handshake.  Returns 0, or -1 out of memory. */
	int		 (*handshake_begin)(struct net_server *, struct conn *c);
	/* c's handshake can make progress; it ends in handshake_done or c's release. */
	void		 (*handshake_step)(struct net_server *, struct conn *c);
	/* The peer address of c's client, its handshake done.  Returns 0 or -errno. */
	int		 (*peer)(struct net_server *, struct conn *c, struct sockaddr_storage *ss);
	/* fd's stream has ended (EOF or an error): why its peer went, as a string that
	 * outlives the connection, or NULL when the model knows no more than the stream. */
	const char	*(*gone)(struct net_server *, int fd);
	/* Open c is readable: read it (or leave it for events_done) and feed the core. */
	void		 (*readable)(struct net_server *, struct conn *c);
	/* After a turn's event callbacks. */
	void		 (*events_done)(struct net_server *);
	/* Before sleeping: write every dirty connection once (session_write_dirty). */
	void		 (*write_dirty)(struct net_server *);
	/* SIGCHLD came. */
	void		 (*child_exited)(struct net_server *);
};

/* The models other than the event model (whose table is in driver.c). */
extern const struct model_ops	model_threads_ops;
extern const struct model_ops	model_fork_hub_ops;

/* Hooks for the points where a model has nothing to do (driver.c). */
void		 model_nothing(struct net_server *);
const char	*model_no_reason(struct net_server *, int fd);

struct net_server {
	struct loop		*loop;
	struct core		*core;
	struct core_out		 out;
	struct net_config	 cfg;
	net_reload_fn		 reload;
	void			*reload_arg;
	const struct model_ops	*model;

	int			 listen_fd[NET_LISTEN_MAX];
	bool			 listen_tls[NET_LISTEN_MAX];	/* listen_fd[i] speaks TLS */
	bool			 listen_web[NET_LISTEN_MAX];	/* listen_fd[i] speaks HTTP */
	unsigned		 nlisten;
	struct tls_ctx		*tls;		/* NULL: no TLS listener */
	struct jobs		*pool;		/* runs the core's jobs, for every model */
	struct store_thread	*store;		/* runs its store jobs; NULL: no store */
	struct cluster		*cluster;	/* this node's NATS side; NULL: a single
						   server (cluster.c) */
	bool			 accept_held;	/* a starting node's listeners wait */
	unsigned		 tls_port;	/* of the first TLS listener; 0: none */
	int			 sigfd;
	int			 reserve;	/* /dev/null, given up when out of fds */
	int64_t			 paused_until;	/* accepting stopped until then; -1: not */
	int64_t			 warned_full;	/* last "refusing connections"; -1: never */
	int64_t			 active_at;	/* the last turn with events */
	bool			 heap_held;	/* busy since free heap last went back */

	struct conn_table	 conns;
	size_t			 nconns;
	struct list		 dirty;		/* output to write before sleeping */
	struct outq_arena	 shared;	/* this turn's lines for many (queue_many) */
	struct list		 reap;		/* dead: to report to the core */
	struct list		 timed;		/* closing and lingering, by deadline */
	struct list		 handshakes;	/* TLS handshakes under way, by deadline */
	size_t			 nhandshakes;
	struct list		 http;		/* web connections before the upgrade, by
						   deadline */
	struct http_request	 http_req;	/* the request being answered (web.c) */
	struct addrs		 addrs;		/* connections by address (accept.c) */
	/* PROXY listeners (h-ops): listen_proxy[i], listen_fd[i] expects a PROXY header;
	 * the connections waiting for theirs (proxy_wait.c). */
	bool			 listen_proxy[NET_LISTEN_MAX];
	struct list		 proxying;
	size_t			 nproxying;
	/* systemd (h-ops, systemd.c): $NOTIFY_SOCKET, and the last STATUS= sent. */
	int			 notify_fd;	/* -1: not run by a service manager */
	struct sockaddr_un	 notify_addr;
	socklen_t		 notify_len;
	int64_t			 status_at;
	size_t			 status_clients;
	size_t			 status_channels;
	size_t			 status_nodes;	/* other nodes up (a cluster's) */
	bool			 activated;	/* the listeners came from systemd */
	/* Metrics (h-ops, metrics.c): its listener, scrapes under way, the counters. */
	int			 metrics_fd;	/* -1: no [metrics] address */
	struct list		 scrapes;	/* by deadline */
	size_t			 nscrapes;
	int64_t			 metrics_paused;	/* not accepting until then; -1 */
	struct net_counters	 counted;
	struct net_job_time	 job_times[NET_JOBS_TIMED];
	size_t			 nofile;	/* RLIMIT_NOFILE at open; 0: unknown */
	size_t			 fds_base;	/* descriptors open before any connection */

	bool			 stopping;
	bool			 failed;	/* run returns -1 */
	bool			 restart;	/* run returns NET_RESTART */
	unsigned		 requests;	/* 1 << enum core_request, not acted on yet */
	char			 request_reason[128];	/* of the last DIE or RESTART */
	int64_t			 stop_deadline;

	char			 buf[NET_READ_MAX];	/* every read goes here */
	char			 web_frames[WEB_FRAMES_MAX];	/* web_ws.c: a line for many,
							   framed, before the arena */

	/* upgrade.c: what SIGUSR2 starts (net_server_exe), its --upgrade-from value, an
	 * upgrade asked for and not acted on yet; the new process: what it received, until
	 * it has taken over. */
	char			 exe[PATH_MAX];
	char			**upgrade_argv;
	char			 upgrade_fd[16];
	bool			 upgrade_wanted;
	struct net_upgrade	*upgrade;

	/* The models' own state, each touched only by its model's file; NULL otherwise. */
	struct fork		*fork;		/* model_fork_hub.c: the children */
	struct threads		*threads;	/* model_threads.c: workers and phases */
};

static inline int64_t
server_now(const struct net_server *srv)
{
	return loop_now(srv->loop);
}

/* session.c: a connection's states, input and output. */

/* Write c's queue before sleeping.  Inline: the core's output calls it for every line. */
static inline void
session_dirty(struct net_server *srv, struct conn *c)
{
	if (!list_linked(&c->dirty))
		list_add_tail(&srv->dirty, &c->dirty);
}

/* Forget c and close it (reset: with an RST): out of the loop, the table, every list. */
void	session_release(struct net_server *, struct conn *c, bool reset);
/* Open c is over while the core may be in a call: drop its output, reap it later. */
void	session_kill(struct net_server *, struct conn *c, const char *reason);
/* Watch c for events.  Returns 0, or -1 when epoll refused and c was given up. */
int	session_watch(struct net_server *, struct conn *c, unsigned events);
/* The core has let c go: flush what is queued, then linger. */
void	session_closing(struct net_server *, struct conn *c);
/* Report every dead connection to the core, then reset them. */
void	session_reap(struct net_server *);
/* Hand c (in the table already) to the core.  Returns 0, or -1 when c was given up. */
int	session_introduce(struct net_server *, struct conn *c,
	    const struct sockaddr_storage *ss);
/* Act on n, what a read of open c returned.  Returns true when it brought bytes. */
bool	session_read_done(struct net_server *, struct conn *c, ssize_t n);
/* Read open c once and hand the complete lines to the core. */
void	session_read_lines(struct net_server *, struct conn *c);
/* The event model's readable hook: read c's lines, then reap. */
void	session_readable(struct net_server *, struct conn *c);
/* c's queue was written once and n is what that returned: watch, linger or fail. */
void	session_flushed(struct net_server *, struct conn *c, ssize_t n);
/* The event model's write_dirty hook: write each dirty connection once, in turn. */
void	session_write_dirty(struct net_server *);
/* Before sleeping: report the dead, write the dirty, until nobody died. */
void	session_flush_all(struct net_server *);
/* The loop callback of every connection. */
void	session_event(struct loop *, int fd, unsigned events, void *srv);

/* core_out.c: the core's output interface over srv. */
struct core_out	out_interface(struct net_server *);
/* The loop callback of the job pool's eventfd: hand finished jobs to the core. */
void		out_jobs_event(struct loop *, int fd, unsigned events, void *srv);
/* The same for the store thread's eventfd (store_thread.h). */
void		out_store_event(struct loop *, int fd, unsigned events, void *srv);

/* accept.c: listeners and accepting. */

/* Bind one listener for text ("ADDR:PORT"), TLS and/or web, and log it.  Returns 0,
 * or -1 with err. */
int	accept_listen(struct net_server *, const char *text, bool tls, bool web, char *err,
	    size_t errlen);
void	accept_close_listeners(struct net_server *);
/* Open the reserve descriptor.  Returns 0 or -errno. */
int	accept_reserve_open(struct net_server *);
/* Tell the peer of fd the server is full and close fd; warn (rate-limited) why. */
void	accept_refuse(struct net_server *, int fd, const char *why);
/* Accept again after a pause. */
void	accept_resume(struct net_server *);
/* Hold every listener (its clients wait in the backlog), or let them be accepted again
 * (unless a pause holds them still). */
void	accept_hold(struct net_server *, bool hold);
/* The event model's adopt hook: serve fd itself. */
int	accept_direct(struct net_server *, int fd, const struct sockaddr_storage *ss,
	    bool tls);

/* Turn fd's connection away at once: line (len bytes) in one short write, our FIN, the
 * close; warn (rate-limited) why. */
void	accept_turn_away(struct net_server *, int fd, const char *line, size_t len,
	    const char *why);
/* A connection whose PROXY header named ss as its client (proxied; else ss is the
 * proxy's own address): accepted from ss, every limit checked. */
void	accept_proxied(struct net_server *, int fd, const struct sockaddr_storage *ss,
	    bool tls, bool proxied);

/* proxy_wait.c: connections on PROXY listeners, before their header is whole. */

/* A PROXY listener with no trusted source: -1 with err set.  Else 0. */
int	proxy_wait_check(const struct net_config *net, char *err, size_t errlen);
/* fd was accepted from ss on a PROXY listener: refused unless ss is trusted, else
 * watched until its header is whole (then accept_proxied), bad or late. */
void	proxy_wait_begin(struct net_server *, int fd, const struct sockaddr_storage *ss,
	    bool tls);
/* Refuse the connections whose header is late. */
void	proxy_wait_expire(struct net_server *);
/* The first deadline of a header awaited; -1: none. */
int64_t	proxy_wait_deadline(const struct net_server *);
/* Close every connection still waiting. */
void	proxy_wait_free(struct net_server *);

/* Serve the listening socket fd (from socket activation) like one accept_listen bound
 * (TLS and/or web); logged as "listening on ADDR:PORT (systemd)".  Returns 0, or -1 with err. */
int	accept_listen_fd(struct net_server *, int fd, bool tls, bool web, char *err,
	    size_t errlen);
/* The same for a listener an upgrade handed over: "listening on ADDR:PORT (upgrade)". */
int	accept_listen_inherited(struct net_server *, int fd, bool tls, bool web,
	    char *err, size_t errlen);

/* systemd.c: the service manager's protocols, spoken without libsystemd. */

/* Read $NOTIFY_SOCKET; without it every notification does nothing. */
void	systemd_open(struct net_server *);
void	systemd_close(struct net_server *);
/* One datagram of "KEY=value" lines to the service manager; failures are logged. */
void	systemd_notify(struct net_server *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* READY=1 with a STATUS= of the clients and channels. */
void	systemd_ready(struct net_server *);
/* RELOADING=1 with MONOTONIC_USEC= (systemd_ready follows once reloaded). */
void	systemd_reloading(struct net_server *);
/* A new STATUS= when the counts changed, at most every 10 s. */
void	systemd_status(struct net_server *);
/*
 * Socket activation: when $LISTEN_PID is this process, take the $LISTEN_FDS sockets
 * from descriptor 3 on into fds, and describe them in cfg's listener list (their
 * addresses; tls and proxy from $LISTEN_FDNAMES).  Returns how many (0: not activated),
 * or -1 with err (a descriptor that is not a listening stream socket).
 */
int	systemd_listen_fds(struct net_config *cfg, int fds[NET_LISTEN_MAX], char *err,
	    size_t errlen);

/* metrics.c: the Prometheus endpoint. */

/* Listen on cfg.metrics_address, when set.  Returns 0, or -1 with err. */
int	metrics_open(struct net_server *, char *err, size_t errlen);
void	metrics_close(struct net_server *);
/* Close the scrapes past their deadline. */
void	metrics_expire(struct net_server *);
/* The first deadline of a scrape under way; -1: none. */
int64_t	metrics_deadline(const struct net_server *);
/* A turn is over: count its duration, from the wakeup to now. */
void	metrics_turn(struct net_server *);
/* The upper bounds of the turn buckets in ns; the last is INT64_MAX (+Inf). */
extern const int64_t	metrics_turn_bounds[NET_TURN_BUCKETS];
/* job was handed to the pool, or is back: its latency is counted. */
void	metrics_job_submitted(struct net_server *, const struct job *job);
void	metrics_job_done(struct net_server *, const struct job *job);
/* The upper bounds of the job latency buckets in ns; the last is INT64_MAX. */
extern const int64_t	metrics_job_bounds[NET_JOB_BUCKETS];

/* handshake.c: TLS in the driver. */

/* Load the certificate and key when some listener speaks TLS.  Returns 0, or -1 with
 * err set. */
int	handshake_ctx_open(struct net_server *, char *err, size_t errlen);
/* A new certificate and key for new connections, from net; kept on failure. */
void	handshake_ctx_reload(struct net_server *, const struct net_config *net);
/* Accepted c on a TLS listener: its handshake starts (or c is released). */
void	handshake_begin(struct net_server *, struct conn *c);
/* c's handshake is over: c becomes open with a client whose certificate has the
 * fingerprint fp (NULL: none). */
void	handshake_done(struct net_server *, struct conn *c, const char *fp);
/* The event model's hooks: a TLS object for c, a step of its handshake, its peer. */
int	handshake_tls_begin(struct net_server *, struct conn *c);
void	handshake_tls_step(struct net_server *, struct conn *c);
int	handshake_peer(struct net_server *, struct conn *c, struct sockaddr_storage *ss);

/* web.c, web_peer.c, web_ws.c: the web listener. */

/* Take the [web] settings of a reloaded configuration. */
void	web_config_reload(struct net_config *run, const struct net_config *net);
/* c (with its c->web) came on a web listener, its TLS handshake done if any (then
 * c->web->tls and fp are set): wait for its first request. */
void	web_begin(struct net_server *, struct conn *c);
/* Close the web connections whose request did not come in time. */
void	web_expire(struct net_server *);
/* CONN_HTTP c is readable: read, answer the complete requests, maybe upgrade. */
void	web_http_readable(struct net_server *, struct conn *c);
/* Whether req's Origin may open a WebSocket on c's listener (web_peer.c). */
bool	web_origin_ok(const struct net_server *, const struct conn *c,
	    const struct http_request *req);
/* The client's address: *ss (its peer) unless trusted proxies speak for it. */
void	web_client_addr(const struct net_server *, const struct http_request *req,
	    struct sockaddr_storage *ss);
/* Open WebSocket c's bytes buf[0 ..< n] (modified): its lines to the core. */
void	web_ws_feed(struct net_server *, struct conn *c, char *buf, size_t n);
/* Open WebSocket c is readable: read once and feed. */
void	web_ws_readable(struct net_server *, struct conn *c);
/* The core lets open c go: a close frame (1000) after its last lines. */
void	web_ws_hangup(struct net_server *, struct conn *c);
/* Queue the core's lines buf[0 ..< len] for c as one message each (copied).  Returns 0
 * or -1. */
int	web_ws_queue(struct conn *c, const char *buf, size_t len);
/* One queue_many call's frames, made once per subprotocol (zeroed for each call). */
struct web_shared {
	const char	*frames[2];	/* [0] binary, [1] text; in the turn's arena */
	size_t		 len[2];
	bool		 tried[2];
};
/* A line for many, for WebSocket c: its frames, made into sh (in the turn's arena)
 * once per subprotocol, referred to by c's queue; copied when they could not be made.
 * Returns 0 or -1. */
int	web_ws_queue_shared(struct net_server *, struct conn *c, const char *line,
	    size_t len, struct web_shared *sh);

/* upgrade.c and upgrade_state.c: see upgrade.h. */
/* cluster.c: this process as a node of a network (issue 18, docs/cluster.md). */

/* Make srv's core the node srv->cfg.cluster names, connect to NATS (or start trying
 * to), subscribe, and hold the listeners until the others' state came.  Call after
 * the core exists.  Returns 0, or -1 with err (cluster_close undoes the rest). */
int	cluster_open(struct net_server *, char *err, size_t errlen);
/* Publish, disconnect, free; nothing without a cluster. */
void	cluster_close(struct net_server *);
/* The core's out->peer: line (len bytes) to node, or to every node when NULL. */
void	cluster_peer(struct net_server *, const char *node, const char *line,
	    size_t len);
/* Heartbeats, silent nodes, the start's hold; and what libnats reported. */
void	cluster_timers(struct net_server *);
/* The next of those; -1: none (no cluster). */
int64_t	cluster_deadline(const struct net_server *);
/* The counters, for the metrics.  Cluster only. */
void	cluster_stats(struct net_server *, struct cluster_stats *st);

/* control.c: stop, reload, signals and requests. */

/* Stop accepting, say goodbye to every client; run returns once they are flushed. */
void	control_stop(struct net_server *, const char *reason);
/* Act on the operators' requests of the last turn. */
void	control_requests(struct net_server *);
/* The signalfd's loop callback. */
void	control_signal(struct loop *, int fd, unsigned events, void *srv);

#endif
