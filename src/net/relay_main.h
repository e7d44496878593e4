#ifndef PARLEY_NET_RELAY_MAIN_H
#define PARLEY_NET_RELAY_MAIN_H

/*
 * The fork model's child as a fresh image.  fork_spawn runs /proc/self/exe anew with
 * argv[0] RELAY_ARGV0 and the connection's descriptors on the fixed numbers below; the
 * program's main hands such a run to relay_main before it does anything else.  Nothing
 * of the hub's memory crosses the exec: what the child holds is its own client's bytes,
 * and on a TLS listener the certificate and key, which the hub writes to RELAY_FD_TLS.
 *
 *   argv: RELAY_ARGV0 LINGER_MS HANDSHAKE_MS LEVEL MODE
 *
 * LEVEL: enum log_level's number; MODE: "tls" or "plain".
 *
 * It is not a user's entry point: without the descriptors fork_spawn gives it (sockets
 * of the right kinds, connected), relay_main refuses and exits, having done nothing.
 */
#define RELAY_ARGV0	"parleyd-relay"
#define RELAY_ARGC	5
#define RELAY_FD_CLIENT	3	/* the client's connected stream socket */
#define RELAY_FD_HUB	4	/* the child's end of the hub's socketpair */
#define RELAY_FD_STATUS	5	/* the status channel (SOCK_SEQPACKET) */
#define RELAY_FD_TLS	6	/* MODE "tls": the context's PEM (tls_ctx_pem), a memfd */
#define RELAY_FD_END	7	/* no descriptor from here on */

/*
 * Run the relay child that argv and the descriptors describe, confined before it reads
 * a byte of its client's.  Returns only when the invocation is not fork_spawn's: 2, with
 * a line on stderr.
 */
int	relay_main(int argc, char **argv);

#endif
