/*
 * WebSocket (RFC 6455) for IRC, sans I/O: the opening handshake's checks, the decoder
 * of client frames and the heads of server frames.  A message that arrives whole in one
 * read is unmasked and handed out in place; only a message in pieces is copied, into a
 * buffer freed once it is complete.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/utf8.h"
#include "net/ws.h"

#define WS_GUID		"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_KEY_LEN	24	/* base64 of 16 bytes */

static const char	ws_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* A Sec-WebSocket-Key is base64 of 16 bytes: 22 digits (the last with its low 4 bits
 * zero) and "==". */
static bool
ws_key_valid(const struct http_str *key)
{
	const char	*d;

	if (key->len != WS_KEY_LEN || key->p[22] != '=' || key->p[23] != '=')
		return false;
	for (size_t i = 0; i < 22; i++)
		if (key->p[i] == '\0' || (d = strchr(ws_b64, key->p[i])) == NULL)
			return false;
	return ((d - ws_b64) & 0xf) == 0;
}

static int
ws_accept(const struct http_str *key, char accept[WS_ACCEPT_LEN + 1])
{
	char		 in[WS_KEY_LEN + sizeof(WS_GUID)];
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned	 mdlen;

	memcpy(in, key->p, WS_KEY_LEN);
	memcpy(in + WS_KEY_LEN, WS_GUID, sizeof(WS_GUID) - 1);
	if (EVP_Digest(in, WS_KEY_LEN + sizeof(WS_GUID) - 1, md, &mdlen, EVP_sha1(),
	    NULL) != 1 || mdlen != 20)
		return -500;
	(void)EVP_EncodeBlock((unsigned char *)accept, md, 20);
	return 0;
}

/* The client's most preferred subprotocol of ours, over every Sec-WebSocket-Protocol
 * field in order. */
static void
ws_subprotocol(const struct http_request *req, bool *text, bool *named)
{
	const struct http_field	*f = NULL;
	const char		*p, *end, *e;
	struct http_str		 t;

	*text = true;
	*named = false;
	while ((f = http_field_next(req, "Sec-WebSocket-Protocol", f)) != NULL) {
		p = f->value.p;
		end = p + f->value.len;
		while (p < end) {
			while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
				p++;
			for (e = p; e < end && *e != ',' && *e != ' ' && *e != '\t'; e++)
				;
			t = (struct http_str){ p, (size_t)(e - p) };
			if (http_str_is(&t, "text.ircv3.net") ||
			    http_str_is(&t, "binary.ircv3.net")) {
				*text = t.p[0] == 't' || t.p[0] == 'T';
				*named = true;
				return;
			}
			p = e;
		}
	}
}

bool
ws_wanted(const struct http_request *req)
{
	const struct http_str	*up = http_value(req, "Upgrade");

	return up != NULL && http_has_token(up, "websocket");
}

int
ws_handshake(const struct http_request *req, char accept[WS_ACCEPT_LEN + 1], bool *text,
    bool *named)
{
	const struct http_str	*conn = http_value(req, "Connection");
	const struct http_str	*key = http_value(req, "Sec-WebSocket-Key");
	const struct http_str	*ver = http_value(req, "Sec-WebSocket-Version");
	const struct http_field	*f;

	if (req->method != HTTP_GET || req->minor != 1 || conn == NULL ||
	    !http_has_token(conn, "upgrade"))
		return -400;
	if (ver == NULL || !http_str_is(ver, "13"))
		return -426;
	f = http_field_next(req, "Sec-WebSocket-Key", NULL);
	if (key == NULL || http_field_next(req, "Sec-WebSocket-Key", f) != NULL ||
	    !ws_key_valid(key))
		return -400;
	ws_subprotocol(req, text, named);
	return ws_accept(key, accept);
}

size_t
ws_head(unsigned char out[WS_HEAD_MAX], enum ws_opcode op, size_t len)
{
	out[0] = 0x80 | (unsigned char)op;
	if (len < 126) {
		out[1] = (unsigned char)len;
		return 2;
	}
	if (len <= 0xffff) {
		out[1] = 126;
		out[2] = (unsigned char)(len >> 8);
		out[3] = (unsigned char)len;
		return 4;
	}
	out[1] = 127;
	for (int i = 0; i < 8; i++)
		out[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
	return 10;
}

void
ws_clear(struct ws *ws)
{
	free(ws->msg);
	ws->msg = NULL;
	ws->msg_len = ws->msg_cap = 0;
}

static enum ws_result
ws_fail(struct ws *ws, unsigned code)
{
	ws->over = true;
	ws->close_code = code;
	ws_clear(ws);
	return WS_FAILED;
}

/*
 * The frame head, once head_len bytes are in: 0 while more are needed, 1 when it is
 * complete (and checked), or a close code.
 */
static unsigned
ws_head_check(struct ws *ws, size_t max, size_t *need)
{
	const unsigned char	*h = ws->head;
	uint64_t		 len = h[1] & 0x7f;
	size_t			 ext = len == 126 ? 2 : len == 127 ? 8 : 0;
	uint8_t			 op = h[0] & 0x0f;

	*need = 2 + ext + 4;
	if ((h[0] & 0x70) != 0 || !(h[1] & 0x80))
		return WS_CLOSE_PROTOCOL;
	if (op != WS_CONT && op != WS_TEXT && op != WS_BINARY && op != WS_CLOSE &&
	    op != WS_PING && op != WS_PONG)
		return WS_CLOSE_PROTOCOL;
	if ((op & 0x8) && (!(h[0] & 0x80) || len > WS_CTL_MAX))
		return WS_CLOSE_PROTOCOL;
	if ((op == WS_CONT && ws->msg_op == 0) ||
	    ((op == WS_TEXT || op == WS_BINARY) && ws->msg_op != 0))
		return WS_CLOSE_PROTOCOL;
	if (ws->head_len < *need)
		return 0;
	if (ext > 0) {
		len = 0;
		for (size_t i = 0; i < ext; i++)
			len = len << 8 | h[2 + i];
		/* The shortest form only, and the top bit clear. */
		if ((ext == 2 && len < 126) || (ext == 8 && (len <= 0xffff || len >> 63)))
			return WS_CLOSE_PROTOCOL;
	}
	if (!(op & 0x8) && len > max - (op == WS_CONT ? ws->msg_len : 0))
		return WS_CLOSE_TOO_BIG;
	memcpy(ws->mask, h + 2 + ext, 4);
	ws->left = len;
	ws->pos = 0;
	ws->opcode = op;
	ws->fin = (h[0] & 0x80) != 0;
	if (op == WS_TEXT || op == WS_BINARY) {
		ws->msg_op = op;
		ws->msg_len = 0;
	}
	return 1;
}

static void
ws_unmask(const struct ws *ws, unsigned char *dst, const unsigned char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] ^ ws->mask[(ws->pos + i) & 3];
}

/* A complete message: its lines to fn (msg[len] is writable). */
static enum ws_result
ws_message(struct ws *ws, char *msg, size_t len, bool text, ws_line_fn fn, void *arg)
{
	char	*p = msg, *end = msg + len, *e, save;
	bool	 go = true;

	if (text && ws->msg_op == WS_TEXT && !utf8_valid(msg, len))
		return ws_fail(ws, WS_CLOSE_INVALID);
	ws->msg_op = 0;
	while (go && p < end) {
		for (e = p; e < end && *e != '\r' && *e != '\n'; e++)
			;
		if (e > p) {
			save = *e;
			*e = '\0';
			go = fn(arg, p, (size_t)(e - p));
			*e = save;
		}
		p = e + 1;
	}
	return go ? WS_MORE : WS_STOPPED;
}

/* A valid close code to receive (RFC 6455 section 7.4). */
static bool
ws_close_code_valid(unsigned code)
{
	if (code >= 3000 && code <= 4999)
		return true;
	return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 &&
	    code != 1006;
}

/* A complete control frame, its payload in ctl. */
static enum ws_result
ws_control(struct ws *ws)
{
	size_t		 len = (size_t)ws->pos;
	unsigned	 code;

	if (ws->opcode == WS_PING) {
		memcpy(ws->pong, ws->ctl, len);
		ws->pong_len = len;
		ws->pong_due = true;
		return WS_MORE;
	}
	if (ws->opcode == WS_PONG)
		return WS_MORE;
	if (len == 1)
		return ws_fail(ws, WS_CLOSE_PROTOCOL);
	code = len == 0 ? WS_CLOSE_NORMAL : (unsigned)ws->ctl[0] << 8 | ws->ctl[1];
	if (!ws_close_code_valid(code))
		return ws_fail(ws, WS_CLOSE_PROTOCOL);
	if (len > 2 && !utf8_valid((const char *)ws->ctl + 2, len - 2))
		return ws_fail(ws, WS_CLOSE_INVALID);
	ws->over = true;
	ws->close_code = code;
	ws_clear(ws);
	return WS_PEER_CLOSED;
}

/* Append n payload bytes of a message in pieces.  Returns false out of memory. */
static bool
ws_append(struct ws *ws, const unsigned char *src, size_t n)
{
	size_t	 cap = ws->msg_cap > 0 ? ws->msg_cap : 256;
	char	*p;

	while (cap < ws->msg_len + n + 1)
		cap *= 2;
	if (cap != ws->msg_cap) {
		if ((p = realloc(ws->msg, cap)) == NULL)
			return false;
		ws->msg = p;
		ws->msg_cap = cap;
	}
	ws_unmask(ws, (unsigned char *)ws->msg + ws->msg_len, src, n);
	ws->msg_len += n;
	return true;
}

/* Payload bytes p[0 ..< take] of the frame under way; end is the input's end. */
static enum ws_result
ws_payload(struct ws *ws, unsigned char *p, size_t take, const unsigned char *end,
    bool text, ws_line_fn fn, void *arg)
{
	enum ws_result	 r;

	if (ws->opcode & 0x8) {
		ws_unmask(ws, ws->ctl + ws->pos, p, take);
	} else if (ws->pos == 0 && take == ws->left && ws->fin && ws->msg == NULL &&
	    p + take < end) {
		/* The whole message is here: in place (p[take], the next frame's first
		 * byte, stands in for the NUL and is put back). */
		ws_unmask(ws, p, p, take);
		ws->pos = ws->left;
		ws->left = 0;
		ws->in_frame = false;
		return ws_message(ws, (char *)p, take, text, fn, arg);
	} else if (!ws_append(ws, p, take)) {
		return ws_fail(ws, 1011);
	}
	ws->pos += take;
	if ((ws->left -= take) > 0)
		return WS_MORE;
	ws->in_frame = false;
	if (ws->opcode & 0x8)
		return ws_control(ws);
	if (!ws->fin)
		return WS_MORE;
	ws->msg[ws->msg_len] = '\0';
	r = ws_message(ws, ws->msg, ws->msg_len, text, fn, arg);
	ws_clear(ws);
	return r;
}

enum ws_result
ws_feed(struct ws *ws, char *data, size_t n, size_t max, bool text, ws_line_fn fn,
    void *arg)
{
	unsigned char	*p = (unsigned char *)data, *end = p + n;
	enum ws_result	 r = WS_MORE;
	size_t		 need, take;
	unsigned	 rc;

	while (!ws->over && r == WS_MORE && (p < end || (ws->in_frame && ws->left == 0))) {
		if (ws->in_frame) {
			take = ws->left < (uint64_t)(end - p) ? (size_t)ws->left :
			    (size_t)(end - p);
			r = ws_payload(ws, p, take, end, text, fn, arg);
			p += take;
			continue;
		}
		ws->head[ws->head_len++] = *p++;
		if (ws->head_len < 2)
			continue;
		if ((rc = ws_head_check(ws, max, &need)) > 1)
			return ws_fail(ws, rc);
		if (rc == 1) {
			ws->head_len = 0;
			ws->in_frame = true;
		}
	}
	return r;
}
