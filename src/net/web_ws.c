/*
 * IRC over WebSocket, once a web connection has upgraded (web.c): its frames become
 * lines for core_line, the core's lines become one message each, and the close
 * handshake ends it.  The connection is an ordinary client otherwise: the same sendq,
 * per-address counts and flood control apply, and its queue is written like any other
 * (once per turn, by every model).
 *
 * The core's lines for many (queue_many) are framed once per subprotocol, into the
 * turn's arena, and every WebSocket receiver's queue refers to that frame, as a TCP
 * receiver's refers to the line: the cost per receiver is the same.  For the text
 * subprotocol a
 * line that is not UTF-8 gets U+FFFD for each bad byte, as the IRCv3 specification
 * allows (a browser would drop the connection on the bytes themselves).
 */
#include <string.h>

#include "core/server.h"
#include "core/utf8.h"
#include "net/driver.h"
#include "net/log.h"
#include "net/web.h"
#include "net/ws.h"

static const char	web_fffd[] = "\xef\xbf\xbd";

struct web_feed {
	struct net_server	*srv;
	struct conn		*conn;
};

static bool
web_line(void *arg, char *line, size_t len)
{
	struct web_feed		*f = arg;
	struct net_server	*srv = f->srv;

	core_line(srv->core, f->conn->client, line, len, server_now(srv));
	return f->conn->state == CONN_OPEN;
}

/* Queue one control frame, within the sendq.  Returns 0, or -1 when c was killed. */
static int
web_control(struct net_server *srv, struct conn *c, enum ws_opcode op, const void *p,
    size_t len)
{
	unsigned char	 head[WS_HEAD_MAX];
	size_t		 hl = ws_head(head, op, len);

	if (outq_held(&c->outq) + hl + len > srv->cfg.sendq) {
		session_kill(srv, c, "SendQ exceeded");
		return -1;
	}
	if (outq_push(&c->outq, (const char *)head, hl) == -1 ||
	    (len > 0 && outq_push(&c->outq, p, len) == -1)) {
		session_kill(srv, c, "Out of memory");
		return -1;
	}
	session_dirty(srv, c);
	return 0;
}

static void
web_close_frame(struct net_server *srv, struct conn *c, unsigned code)
{
	unsigned char	 p[2] = { (unsigned char)(code >> 8), (unsigned char)code };

	(void)web_control(srv, c, WS_CLOSE, p, sizeof(p));
}

/* The WebSocket ended (the peer's close or its protocol error): answer, then the core
 * lets the client go. */
static void
web_ws_end(struct net_server *srv, struct conn *c, enum ws_result r)
{
	struct client	*cl = c->client;
	const char	*why = r == WS_PEER_CLOSED ? "WebSocket closed" :
			    "WebSocket protocol error";

	web_close_frame(srv, c, c->web->ws.close_code);
	if (c->state != CONN_OPEN)
		return;
	log_debug("close fd %d: %s (%u)", c->fd, why, c->web->ws.close_code);
	session_closing(srv, c);
	core_closed(srv->core, cl, why);
}

void
web_ws_feed(struct net_server *srv, struct conn *c, char *buf, size_t n)
{
	struct web_feed	 f = { srv, c };
	struct ws	*ws = &c->web->ws;
	enum ws_result	 r;

	r = ws_feed(ws, buf, n, srv->cfg.line_max, c->web->text, web_line, &f);
	if (c->state != CONN_OPEN)
		return;
	if (ws->pong_due) {
		ws->pong_due = false;
		if (web_control(srv, c, WS_PONG, ws->pong, ws->pong_len) == -1)
			return;
	}
	if (r == WS_PEER_CLOSED || r == WS_FAILED)
		web_ws_end(srv, c, r);
}

void
web_ws_readable(struct net_server *srv, struct conn *c)
{
	ssize_t	 n = conn_recv(c, srv->buf, sizeof(srv->buf));

	if (session_read_done(srv, c, n))
		web_ws_feed(srv, c, srv->buf, (size_t)n);
	session_reap(srv);
}

void
web_ws_hangup(struct net_server *srv, struct conn *c)
{
	if (c->web != NULL && c->state == CONN_OPEN)
		web_close_frame(srv, c, WS_CLOSE_NORMAL);
}

/* The length of p[0 ..< n] with each byte of a bad sequence as U+FFFD. */
static size_t
web_fixed_len(const char *p, size_t n)
{
	size_t	 len = 0, k;

	for (size_t i = 0; i < n; i += k) {
		k = utf8_sequence((const unsigned char *)p + i, n - i);
		len += k > 0 ? k : sizeof(web_fffd) - 1;
		k = k > 0 ? k : 1;
	}
	return len;
}

/* Queue p[0 ..< n] with each byte of a bad sequence as U+FFFD.  Returns 0 or -1. */
static int
web_push_fixed(struct outq *q, const char *p, size_t n)
{
	size_t	 run = 0, k;

	for (size_t i = 0; i < n; i += k) {
		if ((k = utf8_sequence((const unsigned char *)p + i, n - i)) > 0) {
			run += k;
			continue;
		}
		if ((run > 0 && outq_push(q, p + i - run, run) == -1) ||
		    outq_push(q, web_fffd, sizeof(web_fffd) - 1) == -1)
			return -1;
		run = 0;
		k = 1;
	}
	return run > 0 ? outq_push(q, p + n - run, run) : 0;
}

/* One line (without its CR LF) as one message. */
static int
web_push_line(struct conn *c, const char *p, size_t n)
{
	unsigned char	 head[WS_HEAD_MAX];
	bool		 fix = c->web->text && !utf8_valid(p, n);
	size_t		 len = fix ? web_fixed_len(p, n) : n;
	size_t		 hl = ws_head(head, c->web->text ? WS_TEXT : WS_BINARY, len);

	if (outq_push(&c->outq, (const char *)head, hl) == -1)
		return -1;
	if (fix)
		return web_push_fixed(&c->outq, p, n);
	return outq_push(&c->outq, p, n);
}

int
web_ws_queue(struct conn *c, const char *buf, size_t len)
{
	const char	*p = buf, *end = buf + len, *lf;
	size_t		 n;

	for (; p < end; p = lf + 1) {
		if ((lf = memchr(p, '\n', (size_t)(end - p))) == NULL)
			lf = end;
		n = (size_t)(lf - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0 && web_push_line(c, p, n) == -1)
			return -1;
	}
	return 0;
}

/* Line p[0 ..< n] as one frame for the subprotocol text at dst (cap bytes): the
 * frame's length, or 0 when it does not fit. */
static size_t
web_frame_line(char *dst, size_t cap, const char *p, size_t n, bool text)
{
	unsigned char	 head[WS_HEAD_MAX];
	bool		 fix = text && !utf8_valid(p, n);
	size_t		 len = fix ? web_fixed_len(p, n) : n, k;
	size_t		 hl = ws_head(head, text ? WS_TEXT : WS_BINARY, len);

	if (hl + len > cap)
		return 0;
	memcpy(dst, head, hl);
	dst += hl;
	if (!fix) {
		memcpy(dst, p, n);
		return hl + n;
	}
	for (size_t i = 0; i < n; i += k) {
		if ((k = utf8_sequence((const unsigned char *)p + i, n - i)) > 0) {
			memcpy(dst, p + i, k);
			dst += k;
			continue;
		}
		memcpy(dst, web_fffd, sizeof(web_fffd) - 1);
		dst += sizeof(web_fffd) - 1;
		k = 1;
	}
	return hl + len;
}

/* The frames of the lines buf[0 ..< len] for the subprotocol text, copied once into
 * the turn's arena; NULL when they do not fit srv->web_frames or memory ran out. */
static const char *
web_frames(struct net_server *srv, const char *buf, size_t len, bool text,
    size_t *flen)
{
	const char	*p = buf, *end = buf + len, *lf;
	size_t		 n, k, off = 0;

	for (; p < end; p = lf + 1) {
		if ((lf = memchr(p, '\n', (size_t)(end - p))) == NULL)
			lf = end;
		n = (size_t)(lf - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if ((k = web_frame_line(srv->web_frames + off, sizeof(srv->web_frames) - off,
		    p, n, text)) == 0)
			return NULL;
		off += k;
	}
	*flen = off;
	return off > 0 ? outq_arena_copy(&srv->shared, srv->web_frames, off) : NULL;
}

int
web_ws_queue_shared(struct net_server *srv, struct conn *c, const char *line,
    size_t len, struct web_shared *sh)
{
	unsigned	 t = c->web->text ? 1 : 0;

	if (!sh->tried[t]) {
		sh->tried[t] = true;
		sh->frames[t] = web_frames(srv, line, len, t == 1, &sh->len[t]);
	}
	if (sh->frames[t] == NULL)
		return web_ws_queue(c, line, len);
	return outq_push_shared(&c->outq, sh->frames[t], sh->len[t]);
}
