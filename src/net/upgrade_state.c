/*
 * The driver's state as bytes, for an upgrade (upgrade.h): the listeners, every
 * connection handed over, then the core's snapshot.  A connection carries what its
 * struct holds between turns: state and deadline, the framer's partial line, the bytes
 * its output queue still holds, the WebSocket decoder mid-frame, a TLS 1.3 session's
 * keys and counters (tls_export).  The descriptors themselves are inherited at the
 * same numbers.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/snapbuf.h"
#include "core/snapshot.h"
#include "net/addrs.h"
#include "net/conn.h"
#include "net/driver.h"
#include "net/log.h"
#include "net/loop.h"
#include "net/tls.h"
#include "net/upgrade.h"
#include "net/web.h"

#define UPGRADE_MAGIC	"parley net state"
/* A client the old process could not hand over (TLS 1.2) leaves the new one with this. */
#define UPGRADE_LEFT	"Server upgrading: please reconnect"

bool
upgrade_carried(const struct conn *c)
{
	unsigned char	 state[TLS_EXPORT_MAX];

	if (c->state != CONN_OPEN && c->state != CONN_CLOSING &&
	    c->state != CONN_LINGERING)
		return false;
	/* TLS 1.3 between records goes over; TLS 1.2, or a record half done, cannot. */
	return c->tls == NULL || tls_export(c->tls, state, sizeof(state)) > 0;
}

/*
 * Writing.
 */

static void
put_ws(struct snapbuf *b, const struct ws *ws)
{
	snapbuf_mem(b, ws->head, sizeof(ws->head));
	snapbuf_mem(b, ws->mask, sizeof(ws->mask));
	snapbuf_mem(b, ws->ctl, sizeof(ws->ctl));
	snapbuf_mem(b, ws->pong, sizeof(ws->pong));
	snapbuf_u64(b, ws->head_len);
	snapbuf_u64(b, ws->left);
	snapbuf_u64(b, ws->pos);
	snapbuf_mem(b, ws->msg, ws->msg_len);
	snapbuf_u64(b, ws->pong_len);
	snapbuf_u64(b, ws->close_code);
	snapbuf_u64(b, ws->opcode);
	snapbuf_u64(b, ws->msg_op);
	snapbuf_u64(b, ws->in_frame);
	snapbuf_u64(b, ws->fin);
	snapbuf_u64(b, ws->pong_due);
	snapbuf_u64(b, ws->over);
}

/* The output queue's bytes (outq_len of them), copied once. */
static int
put_outq(struct snapbuf *b, const struct outq *q)
{
	size_t	 n = outq_len(q);
	char	*bytes;

	if ((bytes = malloc(n + 1)) == NULL)
		return -1;
	snapbuf_mem(b, bytes, outq_peek(q, bytes, n));
	free(bytes);
	return 0;
}

static int
put_conn(struct net_server *srv, struct snapbuf *b, const struct conn *c)
{
	unsigned char	 tls[TLS_EXPORT_MAX];
	int		 n = 0;

	if (c->tls != NULL && (n = tls_export(c->tls, tls, sizeof(tls))) <= 0)
		return -1;
	snapbuf_i64(b, c->fd);
	snapbuf_u64(b, c->state);
	snapbuf_u64(b, loop_events(srv->loop, c->fd));
	snapbuf_i64(b, c->deadline);
	snapbuf_u64(b, c->registered);
	snapbuf_u64(b, c->via_tls);
	snapbuf_u64(b, c->discarded);
	snapbuf_u64(b, list_linked(&c->dirty));
	snapbuf_mem(b, tls, (size_t)n);
	snapbuf_u64(b, c->read_wants_write);
	snapbuf_u64(b, c->write_wants_read);
	if (c->proxied != NULL)
		snapbuf_mem(b, c->proxied, sizeof(*c->proxied));
	else
		snapbuf_mem(b, NULL, 0);
	snapbuf_u64(b, c->framer.discarding);
	snapbuf_mem(b, c->framer.buf, c->framer.len);
	if (put_outq(b, &c->outq) == -1)
		return -1;
	snapbuf_u64(b, c->web != NULL);
	if (c->web != NULL) {
		snapbuf_u64(b, c->web->text);
		snapbuf_u64(b, c->web->tls);
		snapbuf_str(b, c->web->fp);
		put_ws(b, &c->web->ws);
	}
	return 0;
}

int
upgrade_state_put(struct net_server *srv, struct snapbuf *b, int *fds, size_t cap,
    char *err, size_t errlen)
{
	struct conn	*c;
	char		*core;
	size_t		 ncarried = 0, ntimed = 0, len;
	int		 n = 0;

	snapbuf_str(b, UPGRADE_MAGIC);
	snapbuf_u64(b, UPGRADE_STATE_VERSION);
	snapbuf_u64(b, srv->activated);
	snapbuf_u64(b, srv->nlisten);
	for (unsigned i = 0; i < srv->nlisten; i++) {
		snapbuf_i64(b, srv->listen_fd[i]);
		snapbuf_u64(b, srv->listen_tls[i]);
		snapbuf_u64(b, srv->listen_web[i]);
		snapbuf_u64(b, srv->listen_proxy[i]);
		if ((size_t)n < cap)
			fds[n++] = srv->listen_fd[i];
	}
	snapbuf_i64(b, srv->metrics_fd);
	if (srv->metrics_fd >= 0 && (size_t)n < cap)
		fds[n++] = srv->metrics_fd;
	for (size_t fd = 0; fd < srv->conns.cap; fd++)
		if ((c = srv->conns.slot[fd]) != NULL && upgrade_carried(c))
			ncarried++;
	snapbuf_u64(b, ncarried);
	for (size_t fd = 0; fd < srv->conns.cap; fd++) {
		if ((c = srv->conns.slot[fd]) == NULL || !upgrade_carried(c))
			continue;
		if (put_conn(srv, b, c) == -1 || (size_t)n >= cap) {
			snprintf(err, errlen, "%s", strerror(ENOMEM));
			return -1;
		}
		fds[n++] = c->fd;
	}
	/* Closing and lingering connections, in their deadline order. */
	for (struct list *l = srv->timed.next; l != &srv->timed; l = l->next)
		if (upgrade_carried(list_entry(l, struct conn, link)))
			ntimed++;
	snapbuf_u64(b, ntimed);
	for (struct list *l = srv->timed.next; l != &srv->timed; l = l->next)
		if (upgrade_carried(c = list_entry(l, struct conn, link)))
			snapbuf_i64(b, c->fd);
	if (core_snapshot(srv->core, &core, &len) == -1) {
		snprintf(err, errlen, "core snapshot: %s", strerror(ENOMEM));
		return -1;
	}
	snapbuf_mem(b, core, len);
	free(core);
	if (b->failed) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	return n;
}

/*
 * Reading.
 */

int
upgrade_state_head(struct net_upgrade *up, char *err, size_t errlen)
{
	struct snapbuf	*b = &up->rest;
	char		 magic[sizeof(UPGRADE_MAGIC)];

	*b = snapbuf_reader(up->bytes, up->len);
	snapbuf_get_str(b, magic, sizeof(magic));
	if (b->failed || strcmp(magic, UPGRADE_MAGIC) != 0) {
		snprintf(err, errlen, "upgrade: not a parleyd state");
		return -1;
	}
	if (snapbuf_get_u64(b) != UPGRADE_STATE_VERSION) {
		snprintf(err, errlen, "upgrade: a state of another format version");
		return -1;
	}
	up->activated = snapbuf_get_max(b, 1) != 0;
	up->nlisten = (unsigned)snapbuf_get_max(b, NET_LISTEN_MAX);
	for (unsigned i = 0; i < up->nlisten; i++) {
		up->listen[i].fd = (int)snapbuf_get_max(b, INT32_MAX);
		up->listen[i].tls = snapbuf_get_max(b, 1) != 0;
		up->listen[i].web = snapbuf_get_max(b, 1) != 0;
		up->listen[i].proxy = snapbuf_get_max(b, 1) != 0;
	}
	up->metrics_fd = (int)snapbuf_get_i64(b);
	if (b->failed) {
		snprintf(err, errlen, "upgrade: a truncated or malformed state");
		return -1;
	}
	return 0;
}

static void
get_ws(struct snapbuf *b, struct ws *ws)
{
	const char	*p;
	size_t		 n;

#define GET_ARRAY(a)	do {						\
		if ((p = snapbuf_get_mem(b, &n)) != NULL && n == sizeof(a))	\
			memcpy((a), p, n);					\
		else								\
			b->failed = true;					\
	} while (0)
	GET_ARRAY(ws->head);
	GET_ARRAY(ws->mask);
	GET_ARRAY(ws->ctl);
	GET_ARRAY(ws->pong);
#undef GET_ARRAY
	ws->head_len = (size_t)snapbuf_get_max(b, sizeof(ws->head));
	ws->left = snapbuf_get_u64(b);
	ws->pos = snapbuf_get_u64(b);
	if ((p = snapbuf_get_mem(b, &n)) != NULL && n > 0) {
		if ((ws->msg = malloc(n)) == NULL) {
			b->failed = true;
			return;
		}
		memcpy(ws->msg, p, n);
		ws->msg_len = ws->msg_cap = n;
	}
	ws->pong_len = (size_t)snapbuf_get_max(b, sizeof(ws->pong));
	ws->close_code = (unsigned)snapbuf_get_max(b, UINT16_MAX);
	ws->opcode = (uint8_t)snapbuf_get_max(b, UINT8_MAX);
	ws->msg_op = (uint8_t)snapbuf_get_max(b, UINT8_MAX);
	ws->in_frame = snapbuf_get_max(b, 1) != 0;
	ws->fin = snapbuf_get_max(b, 1) != 0;
	ws->pong_due = snapbuf_get_max(b, 1) != 0;
	ws->over = snapbuf_get_max(b, 1) != 0;
}

static int
get_web(struct snapbuf *b, struct conn *c)
{
	if (snapbuf_get_max(b, 1) == 0)
		return 0;
	if ((c->web = web_new()) == NULL)
		return -1;
	c->web->text = snapbuf_get_max(b, 1) != 0;
	c->web->tls = snapbuf_get_max(b, 1) != 0;
	c->web->fp = snapbuf_get_strdup(b);
	get_ws(b, &c->web->ws);
	return 0;
}

/* Count c against its address, as accept did. */
static int
get_addr(struct net_server *srv, struct conn *c)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);

	if (c->proxied != NULL)
		ss = *c->proxied;
	else if (getpeername(c->fd, (struct sockaddr *)&ss, &len) == -1)
		/* Reset meanwhile: counted under no address, reaped at its first read. */
		return 0;
	c->addr = addrs_adopt(&srv->addrs, &srv->cfg, (struct sockaddr *)&ss,
	    server_now(srv));
	return c->addr != NULL ? 0 : -1;
}

/* One connection, as put_conn wrote it, into the table and the loop. */
static int
get_conn(struct net_server *srv, struct snapbuf *b)
{
	struct conn	*c;
	const char	*p;
	size_t		 n;
	int		 fd = (int)snapbuf_get_max(b, INT32_MAX);
	unsigned	 events;
	bool		 dirty;

	if (b->failed || (c = conn_new(fd)) == NULL)
		return -1;
	c->state = (enum conn_state)snapbuf_get_max(b, CONN_LINGERING);
	events = (unsigned)snapbuf_get_max(b, UINT32_MAX);
	c->deadline = snapbuf_get_i64(b);
	c->registered = snapbuf_get_max(b, 1) != 0;
	c->via_tls = snapbuf_get_max(b, 1) != 0;
	c->discarded = (size_t)snapbuf_get_u64(b);
	dirty = snapbuf_get_max(b, 1) != 0;
	if ((p = snapbuf_get_mem(b, &n)) != NULL && n > 0 &&
	    (c->tls = tls_import(fd, p, n)) == NULL)
		b->failed = true;
	c->read_wants_write = snapbuf_get_max(b, 1) != 0;
	c->write_wants_read = snapbuf_get_max(b, 1) != 0;
	if ((p = snapbuf_get_mem(b, &n)) != NULL && n == sizeof(*c->proxied) &&
	    (c->proxied = malloc(n)) != NULL)
		memcpy(c->proxied, p, n);
	c->framer.discarding = snapbuf_get_max(b, 1) != 0;
	if ((p = snapbuf_get_mem(b, &n)) != NULL && n > 0 &&
	    (c->framer.buf = malloc(n)) != NULL) {
		memcpy(c->framer.buf, p, n);
		c->framer.len = c->framer.cap = n;
	}
	if ((p = snapbuf_get_mem(b, &n)) != NULL && n > 0 && outq_push(&c->outq, p, n) == -1)
		b->failed = true;
	if (get_web(b, c) == -1 || b->failed || conn_table_put(&srv->conns, c) != 0) {
		conn_free(c, false);
		return -1;
	}
	srv->nconns++;
	list_init(&c->dirty);
	list_init(&c->link);
	if (get_addr(srv, c) == -1 || loop_watch(srv->loop, fd, events, session_event,
	    srv) < 0)
		return -1;
	if (dirty || outq_len(&c->outq) > 0)
		session_dirty(srv, c);
	return 0;
}

/* The core's client of a connection id: on its connection, or to leave (TLS 1.2). */
struct bind {
	struct net_server	*srv;
	struct client		**left;		/* clients without a connection here */
	size_t			 nleft;
	size_t			 cap;
	bool			 failed;
};

static void
bind_client(void *arg, uint64_t conn, struct client *cl)
{
	struct bind	*bd = arg;
	struct conn	*c = conn_table_get(&bd->srv->conns, conn);
	struct client	**grown;

	if (c != NULL && c->state == CONN_OPEN && c->client == NULL) {
		c->client = cl;
		return;
	}
	if (bd->nleft == bd->cap) {
		bd->cap = bd->cap > 0 ? 2 * bd->cap : 16;
		if ((grown = realloc(bd->left, bd->cap * sizeof(*grown))) == NULL) {
			bd->failed = true;
			return;
		}
		bd->left = grown;
	}
	bd->left[bd->nleft++] = cl;
}

int
upgrade_state_restore(struct net_server *srv, struct net_upgrade *up, char *err,
    size_t errlen)
{
	struct snapbuf	*b = &up->rest;
	struct bind	 bd = { srv, NULL, 0, 0, false };
	struct conn	*c;
	const char	*core;
	uint64_t	 n;
	size_t		 len;

	n = snapbuf_get_count(b);
	for (uint64_t i = 0; i < n; i++)
		if (get_conn(srv, b) == -1) {
			snprintf(err, errlen, "upgrade: connection %llu of %llu: %s",
			    (unsigned long long)i + 1, (unsigned long long)n, b->failed ?
			    "truncated or malformed" : strerror(errno != 0 ? errno : ENOMEM));
			return -1;
		}
	n = snapbuf_get_count(b);
	for (uint64_t i = 0; i < n && !b->failed; i++)
		if ((c = conn_table_get(&srv->conns, (uint64_t)snapbuf_get_i64(b))) != NULL)
			list_add_tail(&srv->timed, &c->link);
	core = snapbuf_get_mem(b, &len);
	if (b->failed || b->pos != b->len) {
		snprintf(err, errlen, "upgrade: a truncated or malformed state");
		return -1;
	}
	if (core_restore_snapshot(srv->core, core, len, server_now(srv), bind_client, &bd,
	    err, errlen) == -1 || bd.failed) {
		free(bd.left);
		if (bd.failed)
			snprintf(err, errlen, "upgrade: %s", strerror(ENOMEM));
		return -1;
	}
	for (size_t fd = 0; fd < srv->conns.cap; fd++)
		if ((c = srv->conns.slot[fd]) != NULL && c->state == CONN_OPEN &&
		    c->client == NULL) {
			free(bd.left);
			snprintf(err, errlen, "upgrade: connection %zu has no client", fd);
			return -1;
		}
	/* The clients the old process could not hand over: their peers see them go. */
	for (size_t i = 0; i < bd.nleft; i++)
		core_closed(srv->core, bd.left[i], UPGRADE_LEFT);
	free(bd.left);
	return 0;
}
