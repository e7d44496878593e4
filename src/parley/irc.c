/*
 * One IRC connection as the client sees it: connecting, framing, registration.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "parley/irc.h"

#define SEND_TIMEOUT_SEC	10

int
irc_parse_target(const char *text, const char *defport, char *host, size_t hostcap,
    char *port, size_t portcap)
{
	const char	*colon, *hend, *hstart = text, *p = NULL;
	size_t		 hlen;

	if (text[0] == '[') {
		hend = strchr(text, ']');
		if (hend == NULL)
			return -1;
		hstart = text + 1;
		if (hend[1] == ':')
			p = hend + 2;
		else if (hend[1] != '\0')
			return -1;
	} else {
		colon = strchr(text, ':');
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			hend = colon;
			p = colon + 1;
		} else
			hend = text + strlen(text);	/* no port, or a bare IPv6 */
	}
	hlen = (size_t)(hend - hstart);
	if (hlen == 0 || hlen >= hostcap)
		return -1;
	memcpy(host, hstart, hlen);
	host[hlen] = '\0';
	if (p == NULL)
		p = defport;
	if (*p == '\0' || strlen(p) >= portcap || strspn(p, "0123456789") != strlen(p))
		return -1;
	snprintf(port, portcap, "%s", p);
	return 0;
}

static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* One non-blocking connect to ai, bounded by timeout_ms.  Returns fd or -errno. */
static int
connect_one(const struct addrinfo *ai, int timeout_ms)
{
	struct timespec	 t0;
	struct pollfd	 pfd;
	socklen_t	 slen;
	int		 fd, flags, r, soerr = 0;
	long		 left;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    ai->ai_protocol);
	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		goto connected;
	if (errno != EINPROGRESS) {
		r = -errno;
		close(fd);
		return r;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pfd.fd = fd;
	pfd.events = POLLOUT;
	for (;;) {
		left = timeout_ms - elapsed_ms(&t0);
		if (left <= 0) {
			close(fd);
			return -ETIMEDOUT;
		}
		r = poll(&pfd, 1, (int)left);
		if (r > 0)
			break;
		if (r < 0 && errno != EINTR) {
			r = -errno;
			close(fd);
			return r;
		}
	}
	slen = sizeof(soerr);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) < 0)
		soerr = errno;
	if (soerr != 0) {
		close(fd);
		return -soerr;
	}
connected:
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int
irc_connect(const char *host, const char *port, int timeout_ms, char *err,
    size_t errcap, bool *timed_out)
{
	struct addrinfo	 hints, *res, *ai;
	struct timeval	 tv = { SEND_TIMEOUT_SEC, 0 };
	int		 r, fd = -ETIMEDOUT;

	*timed_out = false;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	r = getaddrinfo(host, port, &hints, &res);
	if (r != 0) {
		snprintf(err, errcap, "cannot resolve %s: %s", host, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = connect_one(ai, timeout_ms);
		if (fd >= 0)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		*timed_out = fd == -ETIMEDOUT;
		snprintf(err, errcap, "cannot connect to %s port %s: %s", host, port,
		    strerror(-fd));
		return -1;
	}
	/* A server that stops reading must not hang the client forever. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static void
tls_error(const char *host, SSL *ssl, char *err, size_t errcap)
{
	long		 vr = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;
	unsigned long	 e = ERR_get_error();
	char		 why[256];

	if (vr != X509_V_OK)
		snprintf(why, sizeof(why), "certificate: %s", X509_verify_cert_error_string(vr));
	else if (e != 0)
		ERR_error_string_n(e, why, sizeof(why));
	else if (errno == EAGAIN || errno == EWOULDBLOCK)
		snprintf(why, sizeof(why), "no handshake within the timeout");
	else
		snprintf(why, sizeof(why), "%s", errno != 0 ? strerror(errno) :
		    "connection closed");
	ERR_clear_error();
	snprintf(err, errcap, "TLS with %s failed: %s", host, why);
}

int
irc_tls_start(struct irc *irc, const char *host, bool verify, int timeout_ms,
    char *err, size_t errcap, bool *timed_out)
{
	struct timeval	 tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	struct timeval	 none = { 0, 0 };
	unsigned char	 ip[16];
	bool		 literal;

	errno = 0;
	literal = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;
	irc->tls_ctx = SSL_CTX_new(TLS_client_method());
	if (irc->tls_ctx == NULL || (irc->tls = SSL_new(irc->tls_ctx)) == NULL)
		goto fail;
	SSL_CTX_set_min_proto_version(irc->tls_ctx, TLS1_2_VERSION);
	if (verify) {
		if (SSL_CTX_set_default_verify_paths(irc->tls_ctx) != 1)
			goto fail;
		SSL_set_verify(irc->tls, SSL_VERIFY_PEER, NULL);
		if (literal ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(irc->tls),
		    host) != 1 : SSL_set1_host(irc->tls, host) != 1)
			goto fail;
	}
	if ((!literal && SSL_set_tlsext_host_name(irc->tls, host) != 1) ||
	    SSL_set_fd(irc->tls, irc->fd) != 1)
		goto fail;
	/* The handshake is blocking: a silent server must not hold it forever. */
	setsockopt(irc->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	errno = 0;
	if (SSL_connect(irc->tls) != 1)
		goto fail;
	setsockopt(irc->fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
	return 0;
fail:
	*timed_out = errno == EAGAIN || errno == EWOULDBLOCK;
	tls_error(host, irc->tls, err, errcap);
	return -1;
}

bool
irc_pending(const struct irc *irc)
{
	return irc->tls != NULL && SSL_pending(irc->tls) > 0;
}

void
irc_close(struct irc *irc)
{
	if (irc->tls != NULL) {
		SSL_shutdown(irc->tls);
		SSL_free(irc->tls);
		irc->tls = NULL;
	}
	SSL_CTX_free(irc->tls_ctx);
	irc->tls_ctx = NULL;
	if (irc->fd >= 0)
		close(irc->fd);
	irc->fd = -1;
}

/* One write of n bytes, through TLS when it is on.  Returns bytes written or -1. */
static ssize_t
write_some(struct irc *irc, const char *buf, size_t n)
{
	int	 r;

	if (irc->tls == NULL)
		return send(irc->fd, buf, n, MSG_NOSIGNAL);
	r = SSL_write(irc->tls, buf, (int)n);
	if (r <= 0) {
		ERR_clear_error();
		errno = EIO;
		return -1;
	}
	return r;
}

void
irc_init(struct irc *irc, int fd, const char *nick, unsigned wanted_caps)
{
	memset(irc, 0, sizeof(*irc));
	irc->fd = fd;
	snprintf(irc->nick, sizeof(irc->nick), "%s", nick);
	snprintf(irc->basenick, sizeof(irc->basenick), "%s", nick);
	irc->wanted_caps = wanted_caps;
}

int
irc_send(struct irc *irc, const char *fmt, ...)
{
	char	 buf[MSG_BODY_MAX + 1];
	va_list	 ap;
	int	 n;
	size_t	 off = 0;
	ssize_t	 w;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > MSG_BODY_MAX - 2)
		return -1;
	memcpy(buf + n, "\r\n", 2);
	n += 2;
	while (off < (size_t)n) {
		w = write_some(irc, buf + off, (size_t)n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

int
irc_register(struct irc *irc)
{
	if (irc_send(irc, "CAP LS 302") < 0 ||
	    irc_send(irc, "NICK %s", irc->nick) < 0 ||
	    irc_send(irc, "USER parley 0 * :parley user") < 0)
		return -1;
	return 0;
}

long
irc_read(struct irc *irc)
{
	ssize_t	 r;
	size_t	 room = sizeof(irc->inbuf) - irc->inlen;

	if (room == 0) {
		/* A line longer than the whole buffer: drop it rather than stall. */
		irc->inlen = 0;
		irc->scan = 0;
		room = sizeof(irc->inbuf);
	}
	if (irc->tls != NULL) {
		r = SSL_read(irc->tls, irc->inbuf + irc->inlen, (int)room);
		if (r <= 0) {
			/* A clean close_notify or a peer that just went away: end of file. */
			r = SSL_get_error(irc->tls, (int)r) == SSL_ERROR_ZERO_RETURN ||
			    ERR_peek_error() == 0 ? 0 : -1;
			ERR_clear_error();
		}
	} else {
		do
			r = read(irc->fd, irc->inbuf + irc->inlen, room);
		while (r < 0 && errno == EINTR);
	}
	if (r > 0)
		irc->inlen += (size_t)r;
	return (long)r;
}

long
irc_next_line(struct irc *irc, char *line, size_t cap)
{
	char	*nl;
	size_t	 len, take, used;

	nl = memchr(irc->inbuf + irc->scan, '\n', irc->inlen - irc->scan);
	if (nl == NULL) {
		irc->scan = irc->inlen;
		return -1;
	}
	used = (size_t)(nl - irc->inbuf) + 1;
	len = used - 1;
	if (len > 0 && irc->inbuf[len - 1] == '\r')
		len--;
	take = len < cap - 1 ? len : cap - 1;
	memcpy(line, irc->inbuf, take);
	line[take] = '\0';
	memmove(irc->inbuf, irc->inbuf + used, irc->inlen - used);
	irc->inlen -= used;
	irc->scan = 0;
	return (long)take;
}

void
irc_source_nick(const char *source, char *buf, size_t cap)
{
	size_t	 n;

	if (source == NULL) {
		snprintf(buf, cap, "%s", "");
		return;
	}
	n = strcspn(source, "!@");
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, source, n);
	buf[n] = '\0';
}

void
irc_alt_nick(const char *base, int tries, char *buf, size_t cap)
{
	char	 suffix[16];
	size_t	 blen = strlen(base), limit, keep;

	/* A trailing underscore or two, as people expect, then numbered ones. */
	if (tries <= 2)
		snprintf(suffix, sizeof(suffix), "%.*s", tries, "__");
	else
		snprintf(suffix, sizeof(suffix), "%d", tries - 2);
	/* Until the server says otherwise (NICKLEN comes after 001), a nick of up to 9
	 * bytes is the only safe assumption; a longer base proves the server allows it. */
	limit = blen > IRC_NICK_SAFE ? IRC_NICK_MAX : IRC_NICK_SAFE;
	keep = blen;
	if (keep + strlen(suffix) > limit)
		keep = limit - strlen(suffix);
	snprintf(buf, cap, "%.*s%s", (int)keep, base, suffix);
}

static const struct {
	const char	*name;
	unsigned	 bit;
} cap_names[] = {
	{ "echo-message",	IRC_CAP_ECHO_MESSAGE },
	{ "server-time",	IRC_CAP_SERVER_TIME },
	{ "multi-prefix",	IRC_CAP_MULTI_PREFIX },
	{ "away-notify",	IRC_CAP_AWAY_NOTIFY },
};

/* The bits named in a space-separated list of "cap[=value]" words. */
static unsigned
cap_bits(const char *list)
{
	unsigned	 bits = 0;
	size_t		 i, n, len;
	const char	*p = list;

	while (*p != '\0') {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		len = strcspn(p, " =");
		if (len > n)
			len = n;
		if (*p == '-')		/* ACK of a removal */
			len = 0;
		for (i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
			if (strlen(cap_names[i].name) == len &&
			    strncmp(p, cap_names[i].name, len) == 0)
				bits |= cap_names[i].bit;
		p += n;
	}
	return bits;
}

static int
cap_request(struct irc *irc)
{
	char		 req[256] = "";
	unsigned	 offered, bits;
	size_t		 i;

	offered = cap_bits(irc->caps_offered);
	bits = offered & irc->wanted_caps;
	for (i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++) {
		if ((bits & cap_names[i].bit) == 0)
			continue;
		if (req[0] != '\0')
			strncat(req, " ", sizeof(req) - strlen(req) - 1);
		strncat(req, cap_names[i].name, sizeof(req) - strlen(req) - 1);
	}
	if (req[0] == '\0') {
		irc->cap_done = true;
		return irc_send(irc, "CAP END");
	}
	return irc_send(irc, "CAP REQ :%s", req);
}

static enum irc_event
handle_cap(struct irc *irc, const struct msg *m)
{
	const char	*sub, *list;
	bool		 more;

	if (m->nparams < 3)
		return IRC_EV_NONE;
	sub = m->params[1];
	more = m->nparams >= 4 && strcmp(m->params[2], "*") == 0;
	list = m->params[m->nparams - 1];
	if (strcasecmp(sub, "LS") == 0 && !irc->cap_done) {
		strncat(irc->caps_offered, " ",
		    sizeof(irc->caps_offered) - strlen(irc->caps_offered) - 1);
		strncat(irc->caps_offered, list,
		    sizeof(irc->caps_offered) - strlen(irc->caps_offered) - 1);
		if (!more)
			cap_request(irc);
	} else if (strcasecmp(sub, "ACK") == 0) {
		irc->caps |= cap_bits(list);
		if (!irc->cap_done) {
			irc->cap_done = true;
			irc_send(irc, "CAP END");
		}
	} else if (strcasecmp(sub, "NAK") == 0 && !irc->cap_done) {
		irc->cap_done = true;
		irc_send(irc, "CAP END");
	}
	return IRC_EV_NONE;
}

static enum irc_event
handle_nick_taken(struct irc *irc)
{
	if (irc->registered)
		return IRC_EV_PASS;	/* a /nick that failed: the UI says so */
	if (irc->nick_tries >= IRC_NICK_TRIES)
		return IRC_EV_NICK_REJECTED;
	irc->nick_tries++;
	irc_alt_nick(irc->basenick, irc->nick_tries, irc->nick, sizeof(irc->nick));
	irc_send(irc, "NICK %s", irc->nick);
	return IRC_EV_NONE;
}

enum irc_event
irc_handle(struct irc *irc, const struct msg *m)
{
	const char	*v = m->verb;

	if (strcasecmp(v, "PING") == 0) {
		irc_send(irc, "PONG :%s", m->nparams > 0 ? m->params[0] : "");
		return IRC_EV_NONE;
	}
	if (strcasecmp(v, "ERROR") == 0)
		return IRC_EV_ERROR;
	if (strcasecmp(v, "CAP") == 0)
		return handle_cap(irc, m);
	if (strcmp(v, "001") == 0) {
		irc->registered = true;
		if (m->nparams > 0)
			snprintf(irc->nick, sizeof(irc->nick), "%s", m->params[0]);
		return IRC_EV_WELCOME;
	}
	if (strcmp(v, "433") == 0 || strcmp(v, "436") == 0)
		return handle_nick_taken(irc);
	if (strcmp(v, "432") == 0)
		return irc->registered ? IRC_EV_PASS : IRC_EV_NICK_REJECTED;
	return IRC_EV_PASS;
}

size_t
irc_split_len(const char *text, size_t len, size_t max)
{
	const unsigned char	*t = (const unsigned char *)text;
	size_t			 cut, i;

	if (len <= max)
		return len;
	cut = max;
	/* Back off continuation bytes so a multi-byte character stays whole. */
	while (cut > 0 && (t[cut] & 0xC0) == 0x80)
		cut--;
	if (cut == 0) {
		/* Not even one character fits: take the first one whole. */
		cut = 1;
		while (cut < len && (t[cut] & 0xC0) == 0x80)
			cut++;
		return cut;
	}
	for (i = cut; i > cut - cut / 4; i--)
		if (t[i - 1] == ' ')
			return i;
	return cut;
}

size_t
irc_text_budget(const char *nick, const char *target)
{
	/* ":" nick "!" user(<=10) "@" host(<=63) " PRIVMSG " target " :" text CR LF */
	size_t	 overhead = 1 + strlen(nick) + 1 + 10 + 1 + 63 + 9 + strlen(target) + 2 + 2;

	if (overhead >= MSG_BODY_MAX - 16)
		return 16;
	return MSG_BODY_MAX - overhead;
}
