#ifndef PARLEY_NET_MODEL_FORK_H
#define PARLEY_NET_MODEL_FORK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "net/tls.h"

/*
 * The fork model: a child process per connection, the classic concurrent server.  The
 * parent (the hub) accepts, spawns a child that relays bytes between its client and the
 * hub over a socketpair, closes the connected socket and runs the event driver over the
 * socketpair ends: to the hub a client is its end of a socketpair.  The child is the
 * program run anew (relay_main.h), not a copy of the hub: it holds no other client's
 * lines, no operator's password hash, and its descriptors are its client's socket, its
 * socketpair end, the status channel and stderr.  It locks itself into
 * read/write/poll/close/exit with seccomp (confine.h) before it reads a byte from its
 * client, so that a fault in handling one client's input stays inside one process that
 * knows nothing of anyone else.
 *
 * The socketpair (SOCK_STREAM) carries the client's bytes verbatim both ways, so that
 * anything the hub layers on a connection (TLS, say) works through the relay unchanged:
 *   - the client's FIN: the child shuts down its side (SHUT_WR); the hub reads EOF;
 *   - the hub's FIN (shutdown after its last line): the child writes what it holds,
 *     sends the client its own FIN and lingers, reading and dropping input until the
 *     client's FIN or the linger deadline, as the event driver does; a hub that closes
 *     without a FIN (a reset) makes the child reset the client;
 *   - an error on the client's socket (a reset, say): the child says which errno in a
 *     record on the status channel, then exits.  The status channel is one SEQPACKET
 *     socketpair that every child shares; the hub reads it with SO_PASSCRED, so a record
 *     names its sender by the kernel's word, not its own.  A child sends its record
 *     before it exits, and its exit is what ends the hub's stream, so the hub that sees
 *     the end and then reads the status channel always finds the record (fork_reason).
 * Why not one SOCK_SEQPACKET socketpair with a kind byte per record: the hub writes a
 * client's whole queue in one sendmsg, and a seqpacket record must fit the socket buffer
 * whole; and TLS in the hub needs a plain byte stream.
 *
 * Children are reaped from the loop (SIGCHLD through the signalfd, then fork_reap).
 * Errors are -errno values.
 */

/*
 * TLS: for a TLS listener the child, not the hub, does the handshake and all encryption,
 * so the hub never holds a connection's keys.  The hub hands the child the listener's
 * certificate and key (the context it runs now, as PEM in a memfd); the child loads
 * them, confines itself, then does the handshake, bounded by the handshake timeout; a
 * handshake that fails or stalls ends the child, and the hub reads EOF.  Once it is
 * done, the child's first bytes to the hub, before any of the client's, are the hello:
 * 'T' and the client certificate's SHA-256 fingerprint (TLS_FP_LEN lowercase hex
 * digits), or TLS_FP_LEN '-' without a certificate.  Then the stream carries plaintext.
 */
#define FORK_HELLO_LEN	(1 + TLS_FP_LEN)

struct fork;

/* The children of one server, none yet, and the status channel.  Returns NULL with
 * errno set. */
struct fork	*fork_new(void);

/*
 * End and reap every child: SIGTERM, a bounded wait, then SIGKILL for the rest; close
 * the status channel and free f (NULL is fine).  No zombie is left.
 */
void		 fork_free(struct fork *f);

/*
 * A child for the accepted connection tcpfd, whose peer is ss.  linger: ms the child
 * waits for a client that does not read the end, and drains its input after its FIN.
 * tls: the context for a TLS listener's connection (the child does the handshake,
 * bounded by handshake_timeout ms, and sends the hello first), or NULL.  Returns the
 * hub's end of the socketpair (non-blocking, close-on-exec), with tcpfd closed in this
 * process; or -errno (-EMFILE, -EAGAIN from the spawn...) with tcpfd still open, for
 * the caller to refuse.  The child runs /proc/self/exe: the calling program's main must
 * hand relay_main.h's invocations to relay_main.
 */
int		 fork_spawn(struct fork *f, int tcpfd, const struct sockaddr_storage *ss,
		    int64_t linger, struct tls_ctx *tls, int64_t handshake_timeout);

/* Parse a hello from the hub's side: returns 1 with the fingerprint in fp, 0 for a
 * client without a certificate, -1 for bytes that are no hello. */
int		 fork_hello_parse(const char hello[FORK_HELLO_LEN], char fp[TLS_FP_LEN + 1]);

/*
 * The hub's stream fd has ended (EOF or an error): why the client went, as a string
 * that outlives the connection ("Connection reset by peer"), or NULL when its child
 * reported no error (the client closed, or the child died: the caller says "Connection
 * closed").
 */
const char	*fork_reason(struct fork *f, int fd);

/* The peer address of the client behind the hub's fd.  Returns 0, or -ENOENT. */
int		 fork_peer(const struct fork *f, int fd, struct sockaddr_storage *ss);

/* Reap every child that has exited (after SIGCHLD), logging the abnormal ends. */
void		 fork_reap(struct fork *f);

/* Live children: connections, lingering ones included. */
size_t		 fork_count(const struct fork *f);

#endif
