#ifndef PARLEY_NET_RELAY_H
#define PARLEY_NET_RELAY_H

#include <stdint.h>

#include "net/tls.h"

/*
 * The fork model's relay loop, which every child runs once it is confined: bytes between
 * its client and the hub, both ways, as model_fork.h describes.  It needs nothing but
 * read, write, poll, shutdown, close, the clock and (for TLS) memory and randomness.
 */

#define RELAY_BUF	16384	/* bytes a relay holds each way */
/* Input a client may send once the hub has closed before it is reset, as session.c's
 * SESSION_DISCARD_MAX: reading on only protects the ERROR line of a peer that stops. */
#define RELAY_DISCARD_MAX	(64 * 1024)

/*
 * Relay between client and hub (non-blocking stream sockets) until both are done.
 * tls: the client's side is TLS through it (handshake done), or NULL for plaintext.
 * hello: when not NULL, FORK_HELLO_LEN bytes for the hub before anything of the
 * client's.  status: the status channel for the client's error, or -1.  linger: ms a
 * closing client gets to read the end, and to send its FIN.  Closes client and hub.
 * Returns the exit code: 0, or 1 when poll itself failed.
 */
int	relay_run(int client, struct tls *tls, int hub, int status, int64_t linger,
	    const char *hello);

/* CLOCK_MONOTONIC in ms. */
int64_t	relay_now(void);

#endif
