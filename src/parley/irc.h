#ifndef PARLEY_CLIENT_IRC_H
#define PARLEY_CLIENT_IRC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/msg.h"

/*
 * The client's side of one IRC connection, shared by the scripted modes and the UI:
 * resolving and connecting, line framing, and registration (CAP negotiation, NICK/USER,
 * a taken nick retried with an alternative).  The socket stays blocking once connected,
 * with a send timeout; reads happen only when poll(2) says the socket is readable.
 */

#define IRC_NICK_MAX	30
#define IRC_NICK_SAFE	9	/* the nick length every server accepts */
#define IRC_HOST_MAX	256
#define IRC_PORT_MAX	8
#define IRC_DEFAULT_PORT "6667"
#define IRC_DEFAULT_TLS_PORT "6697"
#define IRC_NICK_TRIES	5	/* alternatives tried for a taken nick */

/* Capabilities the client asks for when the server offers them. */
enum irc_cap {
	IRC_CAP_ECHO_MESSAGE	= 1 << 0,
	IRC_CAP_SERVER_TIME	= 1 << 1,
	IRC_CAP_MULTI_PREFIX	= 1 << 2,
	IRC_CAP_AWAY_NOTIFY	= 1 << 3,
};

struct ssl_st;
struct ssl_ctx_st;

struct irc {
	int	 fd;
	struct ssl_ctx_st *tls_ctx;	/* NULL without TLS */
	struct ssl_st	*tls;
	char	 nick[IRC_NICK_MAX + 1];	/* wanted, then the one the server gave */
	char	 basenick[IRC_NICK_MAX + 1];	/* what alternatives are built from */
	int	 nick_tries;
	unsigned wanted_caps;		/* enum irc_cap bits to request */
	unsigned caps;			/* enum irc_cap bits acknowledged */
	bool	 cap_done;		/* CAP END sent (or never needed) */
	bool	 registered;		/* 001 seen */
	char	 inbuf[16384];
	size_t	 inlen;
	size_t	 scan;			/* bytes of inbuf already scanned for a line end */
	char	 caps_offered[1024];	/* CAP LS lines accumulated (302 multi-line) */
};

/* The outcome of a registration-time message, from irc_handle(). */
enum irc_event {
	IRC_EV_NONE = 0,	/* handled, nothing for the caller */
	IRC_EV_PASS,		/* not a registration matter: the caller's */
	IRC_EV_WELCOME,		/* 001: registered, irc->nick is final */
	IRC_EV_NICK_REJECTED,	/* no alternative left, or an erroneous nick */
	IRC_EV_ERROR,		/* the server sent ERROR */
};

/*
 * Split "HOST[:PORT]", "[V6]:PORT" or a bare IPv6 address into host and port (default
 * defport).  Returns 0, or -1 when the text is malformed.
 */
int	irc_parse_target(const char *text, const char *defport, char *host, size_t hostcap,
	    char *port, size_t portcap);

/*
 * Resolve host and connect to port, trying every address getaddrinfo gives (IPv6 and
 * IPv4), each with a non-blocking connect bounded by timeout_ms.  Returns the connected
 * descriptor (blocking, close-on-exec) or -1 with a message in err.  *timed_out tells a
 * timeout from a refusal or a resolver failure.
 */
int	irc_connect(const char *host, const char *port, int timeout_ms, char *err,
	    size_t errcap, bool *timed_out);

/* Start a session on a connected fd: nick is the wanted nick. */
void	irc_init(struct irc *irc, int fd, const char *nick, unsigned wanted_caps);

/*
 * Switch the session to TLS: a handshake bounded by timeout_ms, with SNI for a host
 * name; when verify is set, the server's certificate must chain to the system's trusted
 * roots (or SSL_CERT_FILE / SSL_CERT_DIR) and match host.  Returns 0, or -1 with a
 * message in err; *timed_out tells a silent server from a failed handshake.
 */
int	irc_tls_start(struct irc *irc, const char *host, bool verify, int timeout_ms,
	    char *err, size_t errcap, bool *timed_out);

/* True when TLS holds decrypted bytes that poll(2) cannot see: read again. */
bool	irc_pending(const struct irc *irc);

/* End the session: TLS state freed, the descriptor closed. */
void	irc_close(struct irc *irc);

/* Send one line (CR LF added; a line over MSG_BODY_MAX - 2 bytes is refused).  Returns
 * 0 or -1 on a write error. */
int	irc_send(struct irc *irc, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Send CAP LS 302, NICK and USER. */
int	irc_register(struct irc *irc);

/* Read what the socket has.  Returns bytes read, 0 at end of file, -1 on error. */
long	irc_read(struct irc *irc);

/*
 * The next complete line in the input buffer, NUL-terminated without its CR LF, into
 * line of size cap (a longer line is cut).  Returns its length, or -1 when no complete
 * line is buffered.
 */
long	irc_next_line(struct irc *irc, char *line, size_t cap);

/* Handle registration business (PING, CAP, 001, 432/433/436, ERROR) in m. */
enum irc_event irc_handle(struct irc *irc, const struct msg *m);

/* The nick part of a "nick!user@host" source, into buf of size cap. */
void	irc_source_nick(const char *source, char *buf, size_t cap);

/*
 * How many bytes of text (len bytes) fit in max bytes without cutting a UTF-8 sequence:
 * at most max, at least one whole character even when max is smaller.  When the text
 * does not fit, the cut is moved back to just after a space in the last quarter, if any.
 */
size_t	irc_split_len(const char *text, size_t len, size_t max);

/* The bytes a PRIVMSG to target may carry so that the relayed line (with the longest
 * source the server may prefix) still fits 512 bytes. */
size_t	irc_text_budget(const char *nick, const char *target);

/* The tries-th (from 1) nick to try after base was taken, into buf: "base_", "base__",
 * "base1"..., cut so it stays within IRC_NICK_SAFE bytes unless base is already longer. */
void	irc_alt_nick(const char *base, int tries, char *buf, size_t cap);

#endif
