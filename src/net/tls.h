#ifndef PARLEY_NET_TLS_H
#define PARLEY_NET_TLS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * OpenSSL for parleyd: a server context made from a certificate and its key, and the
 * non-blocking handshake, read, write and shutdown of one connection.  Outcomes are
 * values: a count of bytes, 0 at the end of the stream, or one of the TLS_* codes.
 *
 * TLS 1.2 and 1.3 only.  A client certificate is asked for but never required nor
 * verified: parleyd uses it only for its fingerprint (WHOIS, operator blocks), which
 * identifies the certificate whoever signed it.
 *
 * A TLS 1.3 connection is detached from OpenSSL when its handshake completes: from then
 * on parleyd does its records itself (net/tls_stream.c), holding only keys while idle.
 * The calls below behave the same either way; TLS 1.2 stays with OpenSSL.
 */

#define TLS_WANT_READ	(-1)	/* retry once the socket is readable */
#define TLS_WANT_WRITE	(-2)	/* retry once the socket is writable */
#define TLS_ERROR	(-3)	/* the connection is unusable; tls_error() says why */

#define TLS_FP_LEN	64	/* a SHA-256 fingerprint in lowercase hex */
#define TLS_RECORD_MAX	16384	/* plaintext bytes in one TLS record, at most */
#define TLS_EXPORT_MAX	160	/* bytes of tls_export's state, at most */

struct tls_ctx;
struct tls;

/*
 * A server context from the PEM files cert (the chain, leaf first) and key.  Returns
 * NULL with one line in err naming the file at fault, e.g. "/etc/k.pem: does not match
 * the certificate".  Connections made from a context keep it alive after tls_ctx_free,
 * so a reload builds a new one and frees the old without touching them.
 */
struct tls_ctx	*tls_ctx_new(const char *cert, const char *key, char *err, size_t errlen);
void		 tls_ctx_free(struct tls_ctx *ctx);

/* Write ctx's certificate chain, leaf first, then its private key, as PEM to fd, for
 * tls_ctx_new to read back (one file as both arguments).  Returns 0 or -errno. */
int		 tls_ctx_pem(const struct tls_ctx *ctx, int fd);

/* Server-side TLS over the connected non-blocking socket fd (not owned: closing it is
 * the caller's job).  Returns NULL when out of memory. */
struct tls	*tls_new(struct tls_ctx *ctx, int fd);
void		 tls_free(struct tls *t);

/* Advance the handshake.  Returns 0 once it is complete, TLS_WANT_READ, TLS_WANT_WRITE
 * or TLS_ERROR (garbage, plaintext, a closed or reset connection). */
int		 tls_handshake(struct tls *t);

/*
 * Decrypted bytes into buf: the rest of one record at most.  Returns the count, 0 at
 * the end of the stream (close_notify or a bare TCP FIN), or a TLS_* code.  A record
 * is read from the socket whole, so with cap >= TLS_RECORD_MAX nothing stays behind
 * inside TLS, where a poller cannot see it; with less, call again until TLS_WANT_READ.
 * A detached connection needs cap >= TLS_RECORD_MAX (TLS_ERROR with less), and
 * returns the bytes of as many whole records as the socket had and cap holds.
 */
ssize_t		 tls_read(struct tls *t, char *buf, size_t cap);

/* Encrypt and send up to len bytes.  Returns how many went (possibly fewer than len), or
 * a TLS_* code.  After TLS_WANT_*, call again with the same bytes at the front of buf
 * (buf may move, len may grow). */
ssize_t		 tls_write(struct tls *t, const char *buf, size_t len);

/* Send our close_notify, best effort.  Returns 0, or a TLS_* code. */
int		 tls_shutdown(struct tls *t);

/* The peer certificate's SHA-256 fingerprint as TLS_FP_LEN lowercase hex digits and a
 * NUL into fp.  Returns 0, or -1 when the peer sent no certificate. */
int		 tls_fingerprint(const struct tls *t, char fp[TLS_FP_LEN + 1]);

/* Why the last TLS_ERROR happened, one line ("" when none did). */
const char	*tls_error(const struct tls *t);

/*
 * A detached connection's state (keys, counters, fingerprint: secret) into buf, for
 * tls_import in another process over the same socket.  Returns the bytes written (at
 * most TLS_EXPORT_MAX), or -1 when t is still on OpenSSL, between records it is not (a
 * record half read or half written), has ended or failed, or cap is too small.  t stays
 * usable; whoever imports the state must be the only one to go on with it.
 */
int		 tls_export(const struct tls *t, void *buf, size_t cap);
/* A connection over fd (not owned) from tls_export's len bytes.  Returns NULL for a
 * malformed state or one of another version, or when out of memory. */
struct tls	*tls_import(int fd, const void *buf, size_t len);

#endif
