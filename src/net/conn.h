#ifndef PARLEY_NET_CONN_H
#define PARLEY_NET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/list.h"
#include "net/framer.h"
#include "net/outq.h"

struct client;

/*
 * One client connection of the event driver.  One exists for every idle client, so it
 * holds no buffer while there is nothing to buffer (framer and outq allocate on demand).
 * Being on the dirty list is list_linked(&dirty); whether output is awaited is the
 * loop's mask (loop_events).
 */
enum conn_state {
	CONN_OPEN,		/* lines go to the core */
	CONN_DEAD,		/* over (error, sendq): to tell the core, then reset */
	CONN_CLOSING,		/* the core is done with it: flush, then shut down our side */
	CONN_LINGERING,		/* our FIN is out: discard input until EOF or the deadline */
};

struct conn {
	struct list	 dirty;		/* on the driver's dirty list: write before sleeping */
	struct list	 link;		/* reap list (dead) or timed list (closing, lingering) */
	struct framer	 framer;
	struct outq	 outq;
	struct client	*client;	/* the core's handle; NULL once the core forgot it */
	const char	*reason;	/* why it is dead; a string that outlives the conn */
	int64_t		 deadline;	/* closing, lingering: closed by then at the latest */
	int		 fd;
	enum conn_state	 state;
};

/* A new open connection on fd (not taken over until this succeeds), or NULL when out of
 * memory. */
struct conn	*conn_new(int fd);

/*
 * Close the descriptor and free everything.  reset: abort the connection (SO_LINGER 0,
 * an RST) instead of leaving unsent bytes to the kernel, for peers that do not read.
 * The caller has taken c off every list and out of the loop.
 */
void		 conn_free(struct conn *c, bool reset);

/* Read once into buf.  Returns the bytes read, 0 at EOF, or -errno (-EAGAIN when there
 * is nothing to read).  EINTR is retried. */
ssize_t		 conn_recv(struct conn *c, char *buf, size_t cap);

/* Send our FIN: shutdown(SHUT_WR).  Returns 0 or -errno. */
int		 conn_shutdown(struct conn *c);

/* Connections by descriptor, grown as descriptors grow. */
struct conn_table {
	struct conn	**slot;
	size_t		  cap;
};

#define CONN_TABLE_INIT	{ NULL, 0 }

/* Put c at c->fd.  Returns 0 or -ENOMEM. */
int		 conn_table_put(struct conn_table *t, struct conn *c);
/* The connection on fd, or NULL. */
struct conn	*conn_table_get(const struct conn_table *t, uint64_t fd);
void		 conn_table_del(struct conn_table *t, int fd);
/* Free the table, not the connections. */
void		 conn_table_free(struct conn_table *t);

#endif
