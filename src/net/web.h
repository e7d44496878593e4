#ifndef PARLEY_NET_WEB_H
#define PARLEY_NET_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include "net/ws.h"

/*
 * A connection of a web listener, for src/net only: its HTTP requests until it asks for
 * a WebSocket, then its WebSocket decoder.  web.c serves the HTTP phase (CONN_HTTP: the
 * web client's files, the upgrade); web_ws.c carries IRC lines over WebSocket once the
 * connection is an ordinary client (CONN_OPEN).  The functions on connections are
 * declared in driver.h with the driver's other pieces.
 */
struct web {
	struct ws	 ws;
	char		*req;		/* HTTP: bytes read and not answered yet */
	size_t		 req_len;
	char		*fp;		/* TLS: the client certificate's fingerprint, or
					   NULL */
	bool		 tls;		/* came through a TLS handshake (here or in a
					   fork model's relay) */
	bool		 text;		/* WebSocket: text.ircv3.net (else binary) */
};

/* A new web connection's state, or NULL out of memory. */
struct web	*web_new(void);
/* Free it and its buffers (NULL: nothing). */
void		 web_free(struct web *w);

#endif
