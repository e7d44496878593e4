#ifndef PARLEY_NET_UPGRADE_H
#define PARLEY_NET_UPGRADE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/snapbuf.h"
#include "net/net.h"

/*
 * An upgrade without dropping anyone, for src/net only (net.h is the public face).
 *
 *   upgrade.c        the old process: SIGUSR2, the drain, fork and exec, the answer;
 *                    the new process: the state received, the answer sent
 *   upgrade_state.c  the driver's state as bytes: listeners and connections (their
 *                    framer's partial line, output queue, deadlines, WebSocket
 *                    decoder, TLS 1.3 state), around the core's snapshot
 *                    (core/snapshot.h)
 *
 * The descriptors cross by inheritance: the old process clears close-on-exec on the
 * listeners and the connections it hands over, in the child between fork and exec, so
 * the new program finds them at the same numbers, and a connection's id (its
 * descriptor) means the same in the core's snapshot on both sides.  Nothing is in
 * flight between the processes, so the descriptor count never exceeds RLIMIT_NOFILE in
 * either: each holds one copy of each.
 */
struct net_server;

#define UPGRADE_STATE_VERSION	1

/* A listener as handed over. */
struct upgrade_listener {
	int	 fd;
	bool	 tls;
	bool	 web;
	bool	 proxy;
};

/* What the new process received, parsed as far as it can be before the server exists. */
struct net_upgrade {
	int			 sock;		/* to the old process; -1 once answered */
	int64_t			 timeout;	/* ms for each exchange with it */
	char			*bytes;		/* everything it sent, owned */
	size_t			 len;
	struct upgrade_listener	 listen[NET_LISTEN_MAX];
	unsigned		 nlisten;
	int			 metrics_fd;	/* -1: none */
	bool			 activated;	/* the listeners came from systemd */
	struct snapbuf		 rest;		/* a reader at the connections */
};

/* upgrade_state.c. */

/* The old process's state into b: a header, listeners, the connections handed over
 * (their descriptors into fds, at most cap), the core's snapshot.  Returns how many
 * descriptors, or -1 with err set (out of memory). */
int	upgrade_state_put(struct net_server *srv, struct snapbuf *b, int *fds, size_t cap,
	    char *err, size_t errlen);
/* Parse up->bytes as far as the listeners (up->rest is left at the connections).
 * Returns 0, or -1 with err (another version, malformed). */
int	upgrade_state_head(struct net_upgrade *up, char *err, size_t errlen);
/* The connections and the core, into srv (opened with up's listeners, its store
 * loaded).  Returns 0, or -1 with err; srv is then to be freed without running. */
int	upgrade_state_restore(struct net_server *srv, struct net_upgrade *up, char *err,
	    size_t errlen);
/* Whether c is handed over (plain, TLS 1.3 between records, or WebSocket over either;
 * open, closing or lingering); the others (TLS 1.2, handshakes, HTTP requests, PROXY
 * headers awaited) stay with the old process. */
struct conn;
bool	upgrade_carried(const struct conn *c);

/* upgrade.c: the old process's side, run between turns (control.c). */
void	upgrade_run(struct net_server *srv);

#endif
