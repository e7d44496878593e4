#ifndef PARLEY_NET_WS_H
#define PARLEY_NET_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/http.h"

/*
 * The WebSocket protocol (RFC 6455) as the IRCv3 websocket specification uses it, sans
 * I/O: the opening handshake's checks, the decoding of client frames into messages, and
 * the heads of server frames.  One message is one IRC line without its CR LF.
 */

enum ws_opcode {
	WS_CONT = 0x0,
	WS_TEXT = 0x1,
	WS_BINARY = 0x2,
	WS_CLOSE = 0x8,
	WS_PING = 0x9,
	WS_PONG = 0xa,
};

/* Close codes (RFC 6455 section 7.4.1). */
#define WS_CLOSE_NORMAL		1000
#define WS_CLOSE_PROTOCOL	1002
#define WS_CLOSE_INVALID	1007	/* a text message that is not UTF-8 */
#define WS_CLOSE_TOO_BIG	1009

#define WS_CTL_MAX	125	/* the longest control frame payload */
#define WS_HEAD_MAX	10	/* the longest server frame head (unmasked) */
#define WS_ACCEPT_LEN	28	/* base64 of a SHA-1 */

/*
 * The opening handshake of req, a GET with "Upgrade: websocket": 0 with the
 * Sec-WebSocket-Accept value in accept (NUL-terminated) and the subprotocol in *text
 * (true: text.ircv3.net, also when the client asked for none; false: binary.ircv3.net)
 * and *named (the client asked for it: the answer names it); or -400 (no Connection:
 * upgrade, no or bad Sec-WebSocket-Key) or -426 (a version other than 13: answer with
 * Sec-WebSocket-Version: 13).
 */
int	ws_handshake(const struct http_request *req, char accept[WS_ACCEPT_LEN + 1],
	    bool *text, bool *named);

/* Whether req asks for a WebSocket upgrade (Upgrade: websocket). */
bool	ws_wanted(const struct http_request *req);

/*
 * A decoder of client frames.  Each connection has one; it holds a buffer only while a
 * message arrives in pieces (across reads, or in fragments).
 */
struct ws {
	unsigned char	 head[14];	/* the frame head read so far */
	unsigned char	 mask[4];
	unsigned char	 ctl[WS_CTL_MAX];	/* the control frame's payload */
	unsigned char	 pong[WS_CTL_MAX];	/* the payload of the ping to answer */
	size_t		 head_len;
	uint64_t	 left;		/* payload bytes of this frame still to come */
	uint64_t	 pos;		/* payload bytes of this frame seen */
	char		*msg;		/* the message so far, when in pieces */
	size_t		 msg_len;
	size_t		 msg_cap;
	size_t		 pong_len;
	unsigned	 close_code;	/* WS_PEER_CLOSED: the code to echo; WS_FAILED: to send */
	uint8_t		 opcode;	/* of the frame under way */
	uint8_t		 msg_op;	/* WS_TEXT or WS_BINARY: a message under way; 0: none */
	bool		 in_frame;	/* its head is complete */
	bool		 fin;
	bool		 pong_due;	/* a ping came: answer with pong[0 ..< pong_len] */
	bool		 over;		/* closed or failed: later input is ignored */
};

#define WS_INIT	{ .msg = NULL }

/* One line of a message: NUL-terminated at line[len], may be modified, valid only during
 * the call.  Return false to stop (the connection is no longer open). */
typedef bool	(*ws_line_fn)(void *arg, char *line, size_t len);

enum ws_result {
	WS_MORE,		/* everything taken: more may come */
	WS_STOPPED,		/* fn returned false */
	WS_PEER_CLOSED,		/* a close frame came: answer with close_code, then close */
	WS_FAILED,		/* bad input: close with close_code, then close */
};

/*
 * Decode data[0 ..< n] (unmasked in place).  Each complete message is split at CR and LF
 * into lines for fn, empty ones skipped: one IRC line per message, and never a line
 * break inside a line.  A message longer than max fails with 1009; an unmasked frame, a
 * bad opcode, reserved bits, a fragmented or long control frame, a stray continuation
 * fail with 1002; a text message (text: the text subprotocol) or a close reason that is
 * not UTF-8 fails with 1007.  Pings set pong_due, the last ping's payload to answer (one
 * pong however many pings came, as RFC 6455 allows).  Out of memory for a message in
 * pieces it fails with 1011.  After WS_PEER_CLOSED or WS_FAILED, input is ignored.
 */
enum ws_result	ws_feed(struct ws *ws, char *data, size_t n, size_t max, bool text,
		    ws_line_fn fn, void *arg);

/* Free the decoder's buffer. */
void		ws_clear(struct ws *ws);

/* The head of an unmasked, final server frame of len payload bytes in out; its length. */
size_t		ws_head(unsigned char out[WS_HEAD_MAX], enum ws_opcode op, size_t len);

#endif
