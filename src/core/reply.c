/*
 * Formatting lines and handing them to the driver.  Every line leaves here at most
 * MSG_BODY_MAX bytes long, CR LF included, cut on a UTF-8 character boundary.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/channel.h"
#include "core/client.h"
#include "core/core.h"
#include "core/reply.h"
#include "core/session.h"

/* Lines leave untouched for a client without tag capabilities: one test, no copy.
 * The others get their tags (and labeled replies) from tags.c. */
void
send_conn(struct core *core, struct client *cl, const char *line, size_t len)
{
	if (!cl->local || (cl->flags & CLIENT_HOLLOW))
		return;
	if ((cl->caps & TAGS_CAPS) == 0)
		core->out.queue(core->out.ctx, cl->conn, line, len);
	else
		tags_send(core, cl, line, len);
}

/* A reply to the user whose command runs goes to the connection that sent it; any
 * other line for a user to each of its connections (session.h). */
void
send_line(struct core *core, struct client *cl, const char *line, size_t len)
{
	/* The replies to whoever's command runs, for its flood cost (command.c). */
	if (cl == core->running) {
		core->running_bytes += len;
		send_conn(core, core->session != NULL ? core->session : cl, line, len);
		return;
	}
	send_conn(core, cl, line, len);
	for (size_t i = 0; i < cl->sessions.len; i++)
		send_conn(core, cl->sessions.items[i], line, len);
}

/* send_conn for one recipient of a fanout: a tagged variant is formatted once per line
 * and reused for every recipient whose capabilities ask for the same tags. */
static inline void
send_fanout(struct core *core, struct tags_cache *tc, struct client *cl,
    const char *line, size_t len)
{
	if (!cl->local || (cl->flags & CLIENT_HOLLOW))
		return;
	if ((cl->caps & TAGS_CAPS) == 0)
		core->out.queue(core->out.ctx, cl->conn, line, len);
	else
		tags_send_cached(core, tc, cl, line, len);
}

/* Terminate a line formatted by vsnprintf (which reported `want` bytes) with CR LF. */
static size_t
line_finish(char *buf, size_t cap, int want)
{
	size_t	len;

	if (want < 0)
		return 0;
	len = (size_t)want;
	if (len > cap - 3) {
		len = cap - 3;
		/* Do not leave half of a UTF-8 sequence at the cut. */
		while (len > 0 && ((unsigned char)buf[len] & 0xc0) == 0x80)
			len--;
	}
	buf[len++] = '\r';
	buf[len++] = '\n';
	buf[len] = '\0';
	return len;
}

/* Format into buf + off (buf holds MSG_BODY_MAX + 1 bytes) and end the line. */
static size_t
format_vline(char *buf, size_t off, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static size_t
format_vline(char *buf, size_t off, const char *fmt, va_list ap)
{
	int	want;

	want = vsnprintf(buf + off, MSG_BODY_MAX + 1 - off, fmt, ap);
	if (want < 0)
		return 0;
	return line_finish(buf, MSG_BODY_MAX + 1, (int)off + want);
}

size_t
format_line(char *buf, const char *fmt, ...)
{
	va_list	ap;
	size_t	len;

	va_start(ap, fmt);
	len = format_vline(buf, 0, fmt, ap);
	va_end(ap);
	return len;
}

void
send_fmt(struct core *core, struct client *cl, const char *fmt, ...)
{
	char	buf[MSG_BODY_MAX + 1];
	size_t	len;
	va_list	ap;

	va_start(ap, fmt);
	len = format_vline(buf, 0, fmt, ap);
	va_end(ap);
	if (len > 0)
		send_line(core, cl, buf, len);
}

void
send_numeric(struct core *core, struct client *cl, enum numeric num, const char *fmt, ...)
{
	char	buf[MSG_BODY_MAX + 1];
	int	off;
	size_t	len;
	va_list	ap;

	off = snprintf(buf, sizeof(buf), ":%s %s %s ", core->cfg.server_name,
	    numeric_code(num), client_name(cl));
	if (off < 0 || (size_t)off >= sizeof(buf))
		return;
	va_start(ap, fmt);
	len = format_vline(buf, (size_t)off, fmt, ap);
	va_end(ap);
	if (len > 0)
		send_line(core, cl, buf, len);
}

/* The bytes are those send_numeric() makes of "params :text", cut at the same place. */
void
send_reply(struct core *core, struct client *cl, enum numeric num, const char *fmt, ...)
{
	char		 buf[MSG_BODY_MAX + 1];
	const char	*text = numeric_text(num), *sep = fmt != NULL ? " :" : ":";
	int		 want, n;
	size_t		 len;
	va_list		 ap;

	if (text == NULL)
		text = "";
	want = snprintf(buf, sizeof(buf), ":%s %s %s ", core->cfg.server_name,
	    numeric_code(num), client_name(cl));
	if (want < 0 || (size_t)want >= sizeof(buf))
		return;
	if (fmt != NULL) {
		va_start(ap, fmt);
		n = vsnprintf(buf + want, sizeof(buf) - (size_t)want, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		want += n;
	}
	if ((size_t)want < sizeof(buf))
		snprintf(buf + want, sizeof(buf) - (size_t)want, "%s%s", sep, text);
	want += (int)(strlen(sep) + strlen(text));
	len = line_finish(buf, sizeof(buf), want);
	if (len > 0)
		send_line(core, cl, buf, len);
}

size_t
format_msg(char *buf, size_t cap, const char *source, const char *verb,
    unsigned nparams, ...)
{
	const char	*params[MSG_MAX_PARAMS];
	va_list		 ap;

	if (nparams > MSG_MAX_PARAMS)
		nparams = MSG_MAX_PARAMS;
	va_start(ap, nparams);
	for (unsigned i = 0; i < nparams; i++)
		params[i] = va_arg(ap, const char *);
	va_end(ap);
	return msg_format(buf, cap, source, verb, nparams, params);
}

void
send_channel(struct core *core, struct channel *ch, struct client *except,
    const char *line, size_t len)
{
	send_channel_caps(core, ch, except, 0, 0, line, len);
}

/* Whether cl's capabilities include every bit of with and none of without. */
static bool
caps_match(const struct client *cl, capset with, capset without)
{
	return (cl->caps & with) == with && (cl->caps & without) == 0;
}

/* Room for n connection ids in core->fanout; false when out of memory. */
static bool
fanout_reserve(struct core *core, size_t n)
{
	size_t		 cap = core->fanout_cap ? core->fanout_cap : 64;
	uint64_t	*p;

	if (n <= core->fanout_cap)
		return true;
	while (cap < n)
		cap *= 2;
	if ((p = realloc(core->fanout, cap * sizeof(*p))) == NULL)
		return false;
	core->fanout = p;
	core->fanout_cap = cap;
	return true;
}

/* One connection of a fanout: to core->fanout (n of them so far) when the line goes
 * untouched and many has room, else on its own. */
static void
fanout_conn(struct core *core, struct tags_cache *tc, struct client *cl, capset with,
    capset without, bool many, size_t *n, const char *line, size_t len)
{
	if (!caps_match(cl, with, without))
		return;
	if (many && cl->local && !(cl->flags & CLIENT_HOLLOW) &&
	    (cl->caps & TAGS_CAPS) == 0)
		core->fanout[(*n)++] = cl->conn;
	else
		send_fanout(core, tc, cl, line, len);
}

/* Every connection of user cl: its own and its sessions'. */
static void
fanout_user(struct core *core, struct tags_cache *tc, struct client *cl, capset with,
    capset without, bool many, size_t *n, const char *line, size_t len)
{
	fanout_conn(core, tc, cl, with, without, many, n, line, len);
	for (size_t i = 0; i < cl->sessions.len; i++)
		fanout_conn(core, tc, cl->sessions.items[i], with, without, many, n, line,
		    len);
}

/* Members without tag capabilities get the line unchanged, all in one queue_many; the
 * others their tagged variants (or everyone one by one, when out of memory). */
void
send_channel_caps(struct core *core, struct channel *ch, struct client *except,
    capset with, capset without, const char *line, size_t len)
{
	struct tags_cache	tc;
	bool			many = fanout_reserve(core,
				    ch->members.len + core->nsessions);
	size_t			n = 0;

	tags_cache_init(&tc);
	for (size_t i = 0; i < ch->members.len; i++) {
		struct client	*cl = ((struct member *)ch->members.items[i])->client;

		if (cl != except)
			fanout_user(core, &tc, cl, with, without, many, &n, line, len);
	}
	if (n > 0)
		core->out.queue_many(core->out.ctx, core->fanout, n, line, len);
}

void
send_user_caps(struct core *core, struct client *cl, capset with,
    const char *line, size_t len)
{
	struct tags_cache	tc;

	tags_cache_init(&tc);
	fanout_user(core, &tc, cl, with, 0, false, NULL, line, len);
}

void
send_peers(struct core *core, struct client *cl, bool self, const char *line,
    size_t len)
{
	send_peers_caps(core, cl, self, 0, 0, line, len);
}

void
send_peers_caps(struct core *core, struct client *cl, bool self, capset with,
    capset without, const char *line, size_t len)
{
	uint64_t		serial = ++core->serial;
	struct tags_cache	tc;

	tags_cache_init(&tc);
	/* Stamp each recipient so a peer sharing several channels hears it once. */
	cl->seen = serial;
	if (self)
		fanout_user(core, &tc, cl, with, without, false, NULL, line, len);
	for (size_t i = 0; i < cl->channels.len; i++) {
		struct member	*m = cl->channels.items[i];
		struct channel	*ch = m->channel;

		for (size_t j = 0; j < ch->members.len; j++) {
			struct client	*peer = ((struct member *)ch->members.items[j])->client;

			if (peer->seen == serial)
				continue;
			peer->seen = serial;
			fanout_user(core, &tc, peer, with, without, false, NULL, line, len);
		}
	}
}

void
send_standard(struct core *core, struct client *cl, const char *kind, const char *command,
    const char *code, const char *context, const char *description)
{
	char	buf[MSG_BODY_MAX + 1];
	size_t	len;

	if (context != NULL)
		len = format_msg(buf, sizeof(buf), core->cfg.server_name, kind, 4, command,
		    code, context, description);
	else
		len = format_msg(buf, sizeof(buf), core->cfg.server_name, kind, 3, command,
		    code, description);
	if (len > 0)
		send_line(core, cl, buf, len);
}

void
core_log(struct core *core, enum log_level level, const char *fmt, ...)
{
	va_list	ap;

	if (core->out.log == NULL)
		return;
	va_start(ap, fmt);
	core->out.log(core->out.ctx, level, fmt, ap);
	va_end(ap);
}
