/*
 * The scripted modes: parley send and parley tail.  One state machine over one
 * connection; every wait on the server is bounded by the timeout.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/casemap.h"
#include "parley/parley.h"

#define SCRIPT_PING_EVERY	10		/* lines between progress PINGs */
#define PROGRESS_TOKEN		"parley-progress"

enum script_state {
	ST_REGISTERING,
	ST_JOINING,
	ST_READING,	/* joined, posting stdin's lines as they come */
	ST_CONFIRMING,	/* everything sent: waiting for the echoes or the PONG */
	ST_TAILING,
};

struct script {
	struct irc		 irc;
	const char		*chan;
	enum script_state	 state;
	bool			 tail;
	bool			 from_stdin;
	char			*text;		/* the message words, joined */
	unsigned long		 sent;		/* PRIVMSG lines sent */
	unsigned long		 echoed;	/* our own lines the server echoed */
	char			 token[32];	/* the PING token that confirms delivery */
	char			 inbuf[8192];	/* stdin not yet a whole line */
	size_t			 inlen;
	bool			 progress;	/* the server confirmed some lines */
	int			 result;	/* set when done: an enum parley_exit */
	bool			 done;
};

static volatile sig_atomic_t stop_signal;

static void
on_stop(int sig)
{
	stop_signal = sig;
}

static void
fail(struct script *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Report one line on stderr and end with code. */
static void
fail(struct script *s, int code, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "parley: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	s->result = code;
	s->done = true;
}

static long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Post one line of text, split into as many PRIVMSGs as it takes. */
static int
post_line(struct script *s, const char *text, size_t len)
{
	size_t	 budget, n;

	while (len > 0 && (text[len - 1] == '\r' || text[len - 1] == '\n'))
		len--;
	if (len == 0)
		return 0;	/* IRC has no empty messages */
	budget = irc_text_budget(s->irc.nick, s->chan);
	while (len > 0) {
		n = irc_split_len(text, len, budget);
		if (irc_send(&s->irc, "PRIVMSG %s :%.*s", s->chan, (int)n, text) < 0)
			return -1;
		s->sent++;
		/* A server that throttles (ngircd does) takes a while with many lines:
		 * a PING now and then shows it is getting through them. */
		if (!(s->irc.caps & IRC_CAP_ECHO_MESSAGE) && s->sent % SCRIPT_PING_EVERY == 0 &&
		    irc_send(&s->irc, "PING :%s", PROGRESS_TOKEN) < 0)
			return -1;
		text += n;
		len -= n;
	}
	return 0;
}

/* Everything is sent: ask the server to confirm it. */
static void
confirm(struct script *s)
{
	s->state = ST_CONFIRMING;
	if (s->irc.caps & IRC_CAP_ECHO_MESSAGE) {
		if (s->echoed >= s->sent)
			s->done = true;
		return;
	}
	/* The server answers in order: its PONG comes after it handled every line. */
	snprintf(s->token, sizeof(s->token), "parley-%ld-%ld", (long)getpid(), now_ms());
	if (irc_send(&s->irc, "PING :%s", s->token) < 0)
		fail(s, PARLEY_EXIT_SERVER, "write to the server failed");
}

static void
post_text(struct script *s)
{
	const char	*p = s->text, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (post_line(s, p, (size_t)(nl - p)) < 0) {
			fail(s, PARLEY_EXIT_SERVER, "write to the server failed");
			return;
		}
		p = *nl == '\0' ? nl : nl + 1;
	}
	confirm(s);
}

static void
joined(struct script *s)
{
	if (s->tail)
		s->state = ST_TAILING;
	else if (s->from_stdin)
		s->state = ST_READING;
	else
		post_text(s);
}

/* Post the whole lines stdin has; at its end, the rest and the confirmation. */
static void
read_stdin(struct script *s)
{
	ssize_t	 r;
	char	*nl;
	size_t	 used;

	do
		r = read(STDIN_FILENO, s->inbuf + s->inlen, sizeof(s->inbuf) - s->inlen);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		fail(s, PARLEY_EXIT_FAIL, "cannot read stdin: %s", strerror(errno));
		return;
	}
	s->inlen += (size_t)r;
	while ((nl = memchr(s->inbuf, '\n', s->inlen)) != NULL) {
		used = (size_t)(nl - s->inbuf) + 1;
		if (post_line(s, s->inbuf, used - 1) < 0)
			goto write_failed;
		memmove(s->inbuf, s->inbuf + used, s->inlen - used);
		s->inlen -= used;
	}
	/* A line longer than the buffer is posted in pieces, never dropped. */
	if (r == 0 || s->inlen == sizeof(s->inbuf)) {
		if (post_line(s, s->inbuf, s->inlen) < 0)
			goto write_failed;
		s->inlen = 0;
	}
	if (r == 0)
		confirm(s);
	return;
write_failed:
	fail(s, PARLEY_EXIT_SERVER, "write to the server failed");
}

static void
print_message(struct script *s, const struct msg *m, const char *nick)
{
	const char	*text = m->params[1];
	size_t		 len = strlen(text);
	int		 r;

	if (strcasecmp(m->verb, "NOTICE") == 0)
		r = printf("-%s- %s\n", nick, text);
	else if (strncmp(text, "\001ACTION ", 8) == 0) {
		len -= 8;
		if (len > 0 && text[8 + len - 1] == '\001')
			len--;
		r = printf("* %s %.*s\n", nick, (int)len, text + 8);
	} else if (text[0] == '\001')
		return;		/* other CTCP is not chat */
	else
		r = printf("<%s> %s\n", nick, text);
	if (r < 0 || fflush(stdout) == EOF) {
		/* The reader went away (a pipeline's head): that ends tail quietly. */
		s->result = errno == EPIPE ? PARLEY_EXIT_OK : PARLEY_EXIT_FAIL;
		s->done = true;
	}
}

static bool
is_join_error(const char *verb)
{
	static const char *const codes[] = {
		"403", "405", "471", "473", "474", "475", "476", "477", "489",
	};
	size_t	 i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(verb, codes[i]) == 0)
			return true;
	return false;
}

static void
handle_privmsg(struct script *s, const struct msg *m, const char *nick)
{
	if (m->nparams < 2 || !casemap_eq(m->params[0], s->chan))
		return;
	if (s->tail) {
		print_message(s, m, nick);
		return;
	}
	if (casemap_eq(nick, s->irc.nick) && strcasecmp(m->verb, "PRIVMSG") == 0) {
		s->echoed++;
		s->progress = true;
		if (s->state == ST_CONFIRMING && s->echoed >= s->sent)
			s->done = true;
	}
}

static void
handle_line(struct script *s, char *line, size_t len)
{
	struct msg	 m;
	char		 nick[IRC_NICK_MAX + 1];
	const char	*last;

	if (msg_parse(&m, line, len) != MSG_OK)
		return;
	last = m.nparams > 0 ? m.params[m.nparams - 1] : "";
	switch (irc_handle(&s->irc, &m)) {
	case IRC_EV_NONE:
		return;
	case IRC_EV_WELCOME:
		s->state = ST_JOINING;
		if (irc_send(&s->irc, "JOIN %s", s->chan) < 0)
			fail(s, PARLEY_EXIT_SERVER, "write to the server failed");
		return;
	case IRC_EV_NICK_REJECTED:
		fail(s, PARLEY_EXIT_SERVER, "nick %s rejected: %s", s->irc.nick, last);
		return;
	case IRC_EV_ERROR:
		fail(s, PARLEY_EXIT_SERVER, "server closed the connection: %s", last);
		return;
	case IRC_EV_PASS:
		break;
	}
	irc_source_nick(m.source, nick, sizeof(nick));
	if (strcasecmp(m.verb, "JOIN") == 0 && s->state == ST_JOINING && m.nparams > 0 &&
	    casemap_eq(nick, s->irc.nick) && casemap_eq(m.params[0], s->chan))
		joined(s);
	else if (strcasecmp(m.verb, "PRIVMSG") == 0 || strcasecmp(m.verb, "NOTICE") == 0)
		handle_privmsg(s, &m, nick);
	else if (strcasecmp(m.verb, "PONG") == 0 && s->state == ST_CONFIRMING &&
	    s->token[0] != '\0' && strcmp(last, s->token) == 0)
		s->done = true;
	else if (strcasecmp(m.verb, "PONG") == 0 && strcmp(last, PROGRESS_TOKEN) == 0)
		s->progress = true;
	else if ((is_join_error(m.verb) || strcmp(m.verb, "404") == 0) && m.nparams > 1 &&
	    casemap_eq(m.params[1], s->chan))
		fail(s, PARLEY_EXIT_SERVER, "%s: %s", s->chan, last);
}

/* Whether a deadline applies now: everything but waiting on stdin and tailing. */
static bool
bounded(const struct script *s)
{
	return s->state != ST_READING && s->state != ST_TAILING;
}

static void
run(struct script *s, int timeout_ms)
{
	struct pollfd	 pfd[2];
	char		 line[MSG_TAGS_MAX + MSG_BODY_MAX + 1];
	long		 deadline = now_ms() + timeout_ms, left, n, r;
	nfds_t		 nfds;
	enum script_state before;

	while (!s->done) {
		if (stop_signal) {
			s->result = PARLEY_EXIT_OK;
			break;
		}
		before = s->state;
		pfd[0].fd = s->irc.fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = STDIN_FILENO;
		pfd[1].events = POLLIN;
		nfds = s->state == ST_READING ? 2 : 1;
		left = bounded(s) ? deadline - now_ms() : -1;
		if (bounded(s) && left <= 0) {
			fail(s, PARLEY_EXIT_TIMEOUT, "timed out %s", s->state == ST_CONFIRMING ?
			    "waiting for the server to confirm delivery" :
			    "waiting for the server");
			break;
		}
		r = poll(pfd, nfds, (int)left);
		if (r < 0 && errno != EINTR) {
			fail(s, PARLEY_EXIT_FAIL, "poll: %s", strerror(errno));
			break;
		}
		if (r <= 0)
			continue;
		if (nfds == 2 && pfd[1].revents != 0)
			read_stdin(s);
		while (!s->done && (pfd[0].revents != 0 || irc_pending(&s->irc))) {
			pfd[0].revents = 0;
			n = irc_read(&s->irc);
			if (n <= 0) {
				fail(s, PARLEY_EXIT_SERVER, "server closed the connection%s%s",
				    n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
				break;
			}
			while (!s->done && (n = irc_next_line(&s->irc, line, sizeof(line))) >= 0)
				handle_line(s, line, (size_t)n);
		}
		/* Waiting on stdin has no deadline; what comes after it gets a fresh one,
		 * and so does every sign that the server is working through our lines:
		 * the timeout bounds a stall, not a long but moving delivery. */
		if ((before == ST_READING && s->state == ST_CONFIRMING) || s->progress)
			deadline = now_ms() + timeout_ms;
		s->progress = false;
	}
}

static int
session(struct script *s, const struct parley_opts *o)
{
	struct sigaction sa;
	char		 err[512];
	bool		 timed_out;
	int		 fd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_stop;	/* no SA_RESTART: poll returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	fd = irc_connect(o->host, o->port, o->timeout_ms, err, sizeof(err), &timed_out);
	if (fd < 0) {
		fprintf(stderr, "parley: %s\n", err);
		return timed_out ? PARLEY_EXIT_TIMEOUT : PARLEY_EXIT_CONNECT;
	}
	irc_init(&s->irc, fd, o->nick, IRC_CAP_ECHO_MESSAGE);
	if (o->tls && irc_tls_start(&s->irc, o->host, !o->insecure, o->timeout_ms, err,
	    sizeof(err), &timed_out) < 0) {
		fprintf(stderr, "parley: %s\n", err);
		irc_close(&s->irc);
		return timed_out ? PARLEY_EXIT_TIMEOUT : PARLEY_EXIT_CONNECT;
	}
	s->state = ST_REGISTERING;
	if (irc_register(&s->irc) < 0) {
		fprintf(stderr, "parley: write to the server failed\n");
		irc_close(&s->irc);
		return PARLEY_EXIT_SERVER;
	}
	run(s, o->timeout_ms);
	if (s->result == PARLEY_EXIT_OK)
		irc_send(&s->irc, "QUIT :parley");
	irc_close(&s->irc);
	return s->result;
}

/* The words of a message joined by single spaces; NULL when out of memory. */
static char *
join_words(int n, char *const *w)
{
	size_t	 len = 1;
	char	*out;
	int	 i;

	for (i = 0; i < n; i++)
		len += strlen(w[i]) + 1;
	out = malloc(len);
	if (out == NULL)
		return NULL;
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, " ");
		strcat(out, w[i]);
	}
	return out;
}

int
script_send(const struct parley_opts *o, const char *chan, int nmsg, char *const *msg)
{
	struct script	*s;
	int		 r;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		fprintf(stderr, "parley: out of memory\n");
		return PARLEY_EXIT_FAIL;
	}
	s->chan = chan;
	s->from_stdin = nmsg == 0;
	if (nmsg > 0 && (s->text = join_words(nmsg, msg)) == NULL) {
		free(s);
		fprintf(stderr, "parley: out of memory\n");
		return PARLEY_EXIT_FAIL;
	}
	r = session(s, o);
	free(s->text);
	free(s);
	return r;
}

int
script_tail(const struct parley_opts *o, const char *chan)
{
	struct script	*s;
	int		 r;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		fprintf(stderr, "parley: out of memory\n");
		return PARLEY_EXIT_FAIL;
	}
	s->chan = chan;
	s->tail = true;
	r = session(s, o);
	free(s);
	return r;
}
