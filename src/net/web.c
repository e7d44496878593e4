/*
 * The web listener's HTTP phase (CONN_HTTP): read requests, serve the web client's
 * files (net/web_assets.h) with their validators and the security headers, refuse what
 * is not a plain GET or HEAD, and upgrade to WebSocket (then web_ws.c carries the
 * connection).  A connection here is not a client yet: the core meets it at the upgrade,
 * with the address a trusted proxy vouches for.  Every request must arrive whole within
 * web_header_timeout of the previous answer (or of accept): slow senders are closed.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/server.h"
#include "net/driver.h"
#include "net/http.h"
#include "net/log.h"
#include "net/web.h"
#include "net/web_assets.h"
#include "net/ws.h"

/* Scripts, styles and the WebSocket from this origin only; nothing inline, no frames. */
#define WEB_SECURITY \
	"Content-Security-Policy: default-src 'self'; script-src 'self'; " \
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; " \
	"object-src 'none'; base-uri 'none'; form-action 'none'; " \
	"frame-ancestors 'none'\r\n" \
	"X-Content-Type-Options: nosniff\r\n" \
	"Referrer-Policy: no-referrer\r\n"

#define WEB_HEAD_MAX	2048	/* a response's head */

static void	web_upgrade(struct net_server *, struct conn *,
		    const struct http_request *, size_t);

struct web *
web_new(void)
{
	struct web	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->ws = (struct ws)WS_INIT;
	return w;
}

void
web_free(struct web *w)
{
	if (w == NULL)
		return;
	ws_clear(&w->ws);
	free(w->req);
	free(w->fp);
	free(w);
}

static void
web_forget_request(struct web *w)
{
	free(w->req);
	w->req = NULL;
	w->req_len = 0;
}

/* The wait for the next request starts now; the list stays in deadline order. */
static void
web_wait(struct net_server *srv, struct conn *c)
{
	c->deadline = server_now(srv) + srv->cfg.web_header_timeout;
	list_move_tail(&srv->http, &c->link);
}

/* Close c once its answers are out. */
static void
web_close(struct net_server *srv, struct conn *c)
{
	web_forget_request(c->web);
	session_closing(srv, c);
}

void
web_begin(struct net_server *srv, struct conn *c)
{
	c->state = CONN_HTTP;
	web_wait(srv, c);
}

void
web_expire(struct net_server *srv)
{
	struct conn	*c;

	while (!list_empty(&srv->http)) {
		c = list_entry(srv->http.next, struct conn, link);
		if (c->deadline > server_now(srv))
			return;
		log_debug("close fd %d: HTTP request timed out", c->fd);
		session_release(srv, c, true);
	}
}

/* Whether the request being answered is a HEAD, known or not to the parser. */
static bool
web_is_head(const struct web *w)
{
	return w->req_len >= 5 && memcmp(w->req, "HEAD ", 5) == 0;
}

/* The Date field of a response now ("" when the clock cannot say). */
static const char *
web_date(char *buf, size_t cap)
{
	struct tm	 tm;
	time_t		 t = time(NULL);

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, cap, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm) == 0)
		return "";
	return buf;
}

/* Queue a response head (and body when body is not NULL).  Returns 0, or -1 when out
 * of memory c was released. */
static int
web_respond(struct net_server *srv, struct conn *c, const char *head, size_t hlen,
    const void *body, size_t blen)
{
	if (outq_push(&c->outq, head, hlen) == -1 ||
	    (body != NULL && blen > 0 && outq_push(&c->outq, body, blen) == -1)) {
		log_warn(-ENOMEM, "fd %d", c->fd);
		session_release(srv, c, true);
		return -1;
	}
	session_dirty(srv, c);
	return 0;
}

/* Answer with the error status (and a body unless the request is a HEAD) and close c
 * once it is out: after a request that was not understood, nothing that follows can be
 * trusted to be one. */
static void
web_refuse(struct net_server *srv, struct conn *c, int status)
{
	char		 head[WEB_HEAD_MAX], body[64], date[64];
	const char	*extra = "";
	int		 n, blen;

	if (status == 405)
		extra = "Allow: GET, HEAD\r\n";
	else if (status == 426)
		extra = "Sec-WebSocket-Version: 13\r\nUpgrade: websocket\r\n";
	blen = snprintf(body, sizeof(body), "%d %s\n", status, http_reason(status));
	n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n%s%s"
	    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n"
	    "Cache-Control: no-store\r\n" WEB_SECURITY "Connection: close\r\n\r\n",
	    status, http_reason(status), web_date(date, sizeof(date)), extra, blen);
	log_debug("fd %d: HTTP %d", c->fd, status);
	if (web_respond(srv, c, head, (size_t)n, web_is_head(c->web) ? NULL : body,
	    (size_t)blen) == 0)
		web_close(srv, c);
}

/* Whether the parameters p[0 ..< n] of a coding say q=0: not acceptable. */
static bool
web_q_zero(const char *p, size_t n)
{
	const char	*q = memmem(p, n, "q=", 2), *end = p + n;

	if (q == NULL)
		return false;
	for (q += 2; q < end && *q != ';' && *q != ' '; q++)
		if (*q != '0' && *q != '.')
			return false;
	return true;
}

/* Whether the request's Accept-Encoding takes gzip. */
static bool
web_gzip_ok(const struct http_request *req)
{
	const struct http_str	*ae = http_value(req, "Accept-Encoding");
	const char		*p, *end, *e, *semi;
	struct http_str		 name;

	if (ae == NULL)
		return false;
	for (p = ae->p, end = ae->p + ae->len; p < end; p = e + 1) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((e = memchr(p, ',', (size_t)(end - p))) == NULL)
			e = end;
		semi = memchr(p, ';', (size_t)(e - p));
		name = (struct http_str){ p, (size_t)((semi != NULL ? semi : e) - p) };
		while (name.len > 0 && (p[name.len - 1] == ' ' || p[name.len - 1] == '\t'))
			name.len--;
		if (http_str_is(&name, "gzip"))
			return semi == NULL || !web_q_zero(semi, (size_t)(e - semi));
	}
	return false;
}

/* Whether the request's If-None-Match names etag (or is "*"). */
static bool
web_not_modified(const struct http_request *req, const char *etag)
{
	const struct http_str	*inm = http_value(req, "If-None-Match");

	if (inm == NULL)
		return false;
	return http_str_is(inm, "*") || http_has_token(inm, etag);
}

/* Whether the connection stays open after the answer to req. */
static bool
web_keep_alive(const struct http_request *req)
{
	const struct http_str	*conn = http_value(req, "Connection");

	if (conn != NULL && http_has_token(conn, "close"))
		return false;
	return req->minor == 1 || (conn != NULL && http_has_token(conn, "keep-alive"));
}

/* A file of the web client, or 404.  Returns 0, or -1 when c is no longer served
 * (released, or closing after a 500). */
static int
web_serve(struct net_server *srv, struct conn *c, const struct http_request *req,
    bool keep)
{
	char			 path[HTTP_TARGET_MAX + 1], head[WEB_HEAD_MAX], date[64];
	char			 length[64];
	const char		*q, *conn = keep ? "" : "Connection: close\r\n";
	const struct web_asset	*a;
	const unsigned char	*body;
	size_t			 plen, blen;
	bool			 gz, nm;
	int			 n;

	q = memchr(req->target.p, '?', req->target.len);
	plen = q != NULL ? (size_t)(q - req->target.p) : req->target.len;
	memcpy(path, req->target.p, plen);
	path[plen] = '\0';
	if ((a = web_asset_find(path)) == NULL) {
		n = snprintf(head, sizeof(head), "HTTP/1.1 404 Not Found\r\n%s"
		    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 14\r\n"
		    "Cache-Control: no-store\r\n" WEB_SECURITY "%s\r\n",
		    web_date(date, sizeof(date)), conn);
		return web_respond(srv, c, head, (size_t)n,
		    req->method == HTTP_GET ? "404 Not Found\n" : NULL, 14);
	}
	nm = web_not_modified(req, a->etag);
	gz = a->gzip != NULL && web_gzip_ok(req);
	body = gz ? a->gzip : a->body;
	blen = gz ? a->gzip_len : a->len;
	/* A 304 has no body, and names no length but the 200's: none. */
	length[0] = '\0';
	if (!nm)
		(void)snprintf(length, sizeof(length), "Content-Length: %zu\r\n", blen);
	n = snprintf(head, sizeof(head), "HTTP/1.1 %s\r\n%sContent-Type: %s\r\n"
	    "%sETag: %s\r\nCache-Control: no-cache\r\nVary: Accept-Encoding\r\n%s"
	    WEB_SECURITY "%s\r\n", nm ? "304 Not Modified" : "200 OK",
	    web_date(date, sizeof(date)), a->type, length, a->etag,
	    gz && !nm ? "Content-Encoding: gzip\r\n" : "", conn);
	if (n < 0 || (size_t)n >= sizeof(head)) {
		web_refuse(srv, c, 500);
		return -1;
	}
	return web_respond(srv, c, head, (size_t)n,
	    req->method == HTTP_GET && !nm ? body : NULL, blen);
}

/* Answer every complete request read so far, until one upgrades or ends the
 * connection.  Past a sendq of answers waiting, the connection is closed after them. */
static void
web_requests(struct net_server *srv, struct conn *c)
{
	const struct http_limits	 lim = { srv->cfg.web_header_max,
					     srv->cfg.web_headers_max };
	struct web			*w = c->web;
	struct http_request		*req = &srv->http_req;
	long				 n;
	bool				 keep;

	while (w->req_len > 0) {
		if ((n = http_parse(w->req, w->req_len, &lim, req)) == 0)
			return;
		if (n < 0) {
			web_refuse(srv, c, (int)-n);
			return;
		}
		if (ws_wanted(req)) {
			web_upgrade(srv, c, req, (size_t)n);
			return;
		}
		keep = web_keep_alive(req) && outq_len(&c->outq) < srv->cfg.sendq;
		if (web_serve(srv, c, req, keep) == -1)
			return;
		if (!keep) {
			web_close(srv, c);
			return;
		}
		memmove(w->req, w->req + n, w->req_len - (size_t)n);
		w->req_len -= (size_t)n;
		web_wait(srv, c);
	}
	/* An idle connection holds no buffer. */
	web_forget_request(w);
}

/* Append n bytes read to the request buffer.  Between reads it holds less than
 * header_max bytes (an unfinished request that long is refused with 431), so at most
 * that and one read.  Returns 0, or -1 out of memory. */
static int
web_append(struct web *w, const char *buf, size_t n)
{
	char	*p;

	if ((p = realloc(w->req, w->req_len + n)) == NULL)
		return -1;
	memcpy(p + w->req_len, buf, n);
	w->req = p;
	w->req_len += n;
	return 0;
}

void
web_http_readable(struct net_server *srv, struct conn *c)
{
	ssize_t	 n = conn_recv(c, srv->buf, sizeof(srv->buf));

	if (n == -EAGAIN) {
		if (c->read_wants_write)
			session_dirty(srv, c);
		return;
	}
	if (n <= 0) {
		log_debug("close fd %d: %s", c->fd, n == 0 ? "Connection closed" :
		    strerror((int)-n));
		/* A peer that only stopped sending still gets the answers queued. */
		if (n == 0 && outq_len(&c->outq) > 0)
			web_close(srv, c);
		else
			session_release(srv, c, n < 0);
		return;
	}
	srv->counted.bytes_in += (size_t)n;
	if (web_append(c->web, srv->buf, (size_t)n) == -1) {
		log_warn(-ENOMEM, "fd %d", c->fd);
		session_release(srv, c, true);
		return;
	}
	web_requests(srv, c);
}

void
web_config_reload(struct net_config *run, const struct net_config *net)
{
	run->web_header_max = net->web_header_max;
	run->web_headers_max = net->web_headers_max;
	run->web_header_timeout = net->web_header_timeout;
	memcpy(run->web_origins, net->web_origins, sizeof(run->web_origins));
	run->nweb_origins = net->nweb_origins;
	run->web_proxies = net->web_proxies;
}

/* Whether req's target is the WebSocket endpoint, "/" (a query string allowed). */
static bool
web_endpoint(const struct http_request *req)
{
	return req->target.len == 1 || req->target.p[1] == '?';
}

/* The 101 and its fields.  Returns the head's length. */
static int
web_switching(char *head, size_t cap, const char *accept, const struct web *w,
    bool named)
{
	return snprintf(head, cap, "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
	    "%s%s%s\r\n", accept, named ? "Sec-WebSocket-Protocol: " : "",
	    named ? (w->text ? "text.ircv3.net" : "binary.ircv3.net") : "",
	    named ? "\r\n" : "");
}

/* req (n bytes of c's buffer) asks for a WebSocket: the 101, and c becomes a client;
 * or the refusal (404 off "/", 403 for a forbidden Origin, 400, 426). */
static void
web_upgrade(struct net_server *srv, struct conn *c, const struct http_request *req,
    size_t n)
{
	struct web		*w = c->web;
	struct sockaddr_storage	 ss;
	char			 accept[WS_ACCEPT_LEN + 1], head[WEB_HEAD_MAX];
	char			*rest;
	size_t			 rest_len;
	bool			 named;
	int			 rc;

	if (!web_endpoint(req)) {
		web_refuse(srv, c, 404);
		return;
	}
	if (!web_origin_ok(srv, c, req)) {
		web_refuse(srv, c, 403);
		return;
	}
	if ((rc = ws_handshake(req, accept, &w->text, &named)) < 0) {
		web_refuse(srv, c, -rc);
		return;
	}
	if ((rc = srv->model->peer(srv, c, &ss)) < 0) {
		log_debug("close fd %d: %s", c->fd, strerror(-rc));
		session_release(srv, c, true);
		return;
	}
	web_client_addr(srv, req, &ss);
	rc = web_switching(head, sizeof(head), accept, w, named);
	if (web_respond(srv, c, head, (size_t)rc, NULL, 0) == -1)
		return;
	/* What came after the request is the first frames. */
	rest = w->req;
	rest_len = w->req_len - n;
	memmove(rest, rest + n, rest_len);
	w->req = NULL;
	w->req_len = 0;
	list_del(&c->link);
	c->state = CONN_OPEN;
	if (session_introduce(srv, c, &ss) == -1) {
		free(rest);
		return;
	}
	log_debug("fd %d: WebSocket, %s", c->fd, w->text ? "text" : "binary");
	if (w->tls)
		core_secure(srv->core, c->client, w->fp);
	if (rest_len > 0)
		web_ws_feed(srv, c, rest, rest_len);
	free(rest);
}
