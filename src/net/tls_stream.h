#ifndef PARLEY_NET_TLS_STREAM_H
#define PARLEY_NET_TLS_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "net/tls_record.h"

/*
 * A TLS 1.3 connection after OpenSSL let go of it: net/tls_record.c's records over the
 * non-blocking socket fd.  net/tls.c's tls_read, tls_write and tls_shutdown land here
 * once a connection is detached, with their contracts (TLS_* codes, net/tls.h); reads
 * need cap >= TLS_RECORD_MAX.  Idle, a stream holds only its keys: a buffer exists while
 * a record is half read (in) or half written (out).
 */
struct tls_stream {
	struct tls_rec	 rec;
	int		 fd;
	bool		 eof;		/* the peer's close_notify came */
	bool		 closed;	/* our close_notify went */
	bool		 failed;
	const char	*why;		/* of failed: a static string */
	uint8_t		*in;		/* a record begun: inlen of its inneed bytes */
	size_t		 inlen, inneed;
	uint8_t		*out;		/* a record not all sent: outoff of outlen */
	size_t		 outoff, outlen, outplain;	/* outplain: what it carries */
};

/* Start s on fd with r's keys (taken: r is wiped). */
void	tls_stream_init(struct tls_stream *s, int fd, struct tls_rec *r);
/* Free s's buffers and zero its keys. */
void	tls_stream_free(struct tls_stream *s);

ssize_t	tls_stream_read(struct tls_stream *s, char *buf, size_t cap);
ssize_t	tls_stream_write(struct tls_stream *s, const char *buf, size_t len);
int	tls_stream_shutdown(struct tls_stream *s);

/* Whether s stands between records both ways with nothing gone wrong: what can move to
 * another process as its keys and counters alone. */
bool	tls_stream_quiet(const struct tls_stream *s);

#endif
