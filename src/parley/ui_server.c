/*
 * The client's connection: connecting with backoff, and each line the server sends
 * turned into lines in the windows it concerns.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/casemap.h"
#include "parley/chat.h"
#include "parley/ui.h"

/* -- the connection */

void
ui_server_disconnected(struct ui *ui, const char *why)
{
	int	 i;

	if (ui->connected)
		irc_close(&ui->irc);
	ui->connected = false;
	ui->irc.registered = false;
	/* The rejoin's NAMES refills the member lists. */
	for (i = 1; i < ui->nwins; i++)
		ui_win_members_clear(ui->wins[i]);
	ui->reconnect_at = time(NULL) + ui->backoff;
	ui_win_info(ui, 0, "%s; reconnecting in %d s", why, ui->backoff);
	if (ui->cur != 0)
		ui_win_info(ui, ui->cur, "%s; reconnecting in %d s", why, ui->backoff);
	ui->backoff = ui->backoff * 2 > UI_BACKOFF_MAX ? UI_BACKOFF_MAX : ui->backoff * 2;
}

void
ui_server_connect(struct ui *ui)
{
	char	 err[512], nick[IRC_NICK_MAX + 1];
	bool	 timed_out;
	int	 fd;

	ui_win_info(ui, 0, "connecting to %s port %s", ui->o->host, ui->o->port);
	ui_draw(ui);
	fd = irc_connect(ui->o->host, ui->o->port, ui->o->timeout_ms, err, sizeof(err),
	    &timed_out);
	if (fd < 0) {
		ui_server_disconnected(ui, err);
		return;
	}
	/* Keep the nick the user settled on across reconnections. */
	snprintf(nick, sizeof(nick), "%s", ui->irc.basenick[0] != '\0' ?
	    ui->irc.basenick : ui->o->nick);
	irc_init(&ui->irc, fd, nick, IRC_CAP_ECHO_MESSAGE | IRC_CAP_SERVER_TIME |
	    IRC_CAP_MULTI_PREFIX | IRC_CAP_AWAY_NOTIFY);
	ui->connected = true;
	if (ui->o->tls && irc_tls_start(&ui->irc, ui->o->host, !ui->o->insecure,
	    ui->o->timeout_ms, err, sizeof(err), &timed_out) < 0) {
		ui_server_disconnected(ui, err);
		return;
	}
	if (irc_register(&ui->irc) < 0)
		ui_server_disconnected(ui, "write to the server failed");
}

/* Send a line, or say why not. */
void
ui_server_send(struct ui *ui, const char *fmt, ...)
{
	char	 line[MSG_BODY_MAX + 1];
	va_list	 ap;
	int	 n;

	if (!ui->connected) {
		ui_win_info(ui, ui->cur, "not connected");
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > MSG_BODY_MAX - 2) {
		ui_win_info(ui, ui->cur, "line too long for IRC: not sent");
		return;
	}
	if (irc_send(&ui->irc, "%s", line) < 0)
		ui_server_disconnected(ui, "write to the server failed");
}

static void
welcome(struct ui *ui)
{
	int	 i;

	ui->backoff = 1;
	ui_win_info(ui, 0, "registered as %s", ui->irc.nick);
	for (i = 1; i < ui->nwins; i++)
		if (ui_win_is_channel(ui->wins[i]->name))
			ui_server_send(ui, "JOIN %s", ui->wins[i]->name);
}

/* -- what the server says */

static time_t
msg_time(const struct msg *m)
{
	const char	*v = msg_tag_get(m, "time");
	time_t		 t;

	if (v != NULL && chat_parse_time(v, &t))
		return t;
	return time(NULL);
}

static void
on_privmsg(struct ui *ui, const struct msg *m, const char *nick)
{
	const char	*target = m->params[0], *text = m->params[1];
	char		 body[MSG_BODY_MAX + 1];
	bool		 notice = strcasecmp(m->verb, "NOTICE") == 0;
	bool		 mine = casemap_eq(nick, ui->irc.nick);
	enum line_kind	 kind = notice ? LINE_NOTICE : LINE_MSG;
	size_t		 len;
	int		 wi;

	if (text[0] == '\001') {
		len = strlen(text + 1);
		if (len > 0 && text[len] == '\001')
			len--;
		if (strncmp(text + 1, "ACTION ", 7) != 0 || len < 7) {
			if (!notice && strncmp(text + 1, "VERSION", 7) == 0 && !mine)
				ui_server_send(ui, "NOTICE %s :\001VERSION parley %s\001",
				    nick, PARLEY_VERSION);
			return;
		}
		snprintf(body, sizeof(body), "%.*s", (int)(len - 7), text + 8);
		text = body;
		kind = LINE_ACTION;
	}
	if (ui_win_is_channel(target))
		wi = ui_win_open(ui, target);
	else if (mine)
		wi = ui_win_open(ui, target);
	else if (m->source == NULL || strchr(m->source, '!') == NULL)
		wi = 0;		/* from the server itself */
	else
		wi = ui_win_open(ui, nick);
	ui_win_add(ui, wi, msg_time(m), kind, nick[0] != '\0' ? nick : "*", text);
}

static void
on_join_part(struct ui *ui, const struct msg *m, const char *nick)
{
	bool	 mine = casemap_eq(nick, ui->irc.nick), fresh;
	int	 wi;

	if (strcasecmp(m->verb, "JOIN") == 0) {
		fresh = ui_win_find(ui, m->params[0]) < 0;
		wi = ui_win_open(ui, m->params[0]);
		if (mine) {
			/* A /join opens and shows a window; a rejoin leaves the view alone. */
			if (fresh)
				ui_win_switch(ui, wi);
			ui_win_members_clear(ui->wins[wi]);	/* NAMES follows */
		}
		ui_win_member_add(ui->wins[wi], nick);
		ui_win_info(ui, wi, "%s has joined %s", nick, m->params[0]);
		return;
	}
	wi = ui_win_find(ui, m->params[0]);
	if (wi < 0)
		return;
	if (mine && strcasecmp(m->verb, "PART") == 0) {
		ui_win_close(ui, wi);
		return;
	}
	ui_win_member_del(ui->wins[wi], strcasecmp(m->verb, "KICK") == 0 && m->nparams > 1 ?
	    m->params[1] : nick);
	if (strcasecmp(m->verb, "KICK") == 0)
		ui_win_info(ui, wi, "%s was kicked by %s (%s)",
		    m->nparams > 1 ? m->params[1] : "?", nick,
		    m->nparams > 2 ? m->params[2] : "");
	else
		ui_win_info(ui, wi, "%s has left %s (%s)", nick, m->params[0],
		    m->nparams > 1 ? m->params[1] : "");
}

/* The window a numeric about a channel or nick (its second parameter) belongs to. */
static int
numeric_window(struct ui *ui, const struct msg *m)
{
	int	 code = atoi(m->verb), wi;
	const char *about = m->nparams > 1 ? m->params[1] : "";

	if (code == 353 && m->nparams > 2)
		about = m->params[2];
	if ((wi = ui_win_find(ui, about)) >= 0)
		return wi;
	if (code < 300 || (code >= 372 && code <= 376) || code == 422)
		return 0;	/* welcome, ISUPPORT, LUSERS, MOTD */
	return ui->cur;
}

/* A NAMES reply: every nick, its prefixes (one, or several with multi-prefix) off. */
static void
names(struct ui *ui, const char *chan, const char *list)
{
	char	 nick[IRC_NICK_MAX + 8];
	int	 wi = ui_win_find(ui, chan);

	if (wi <= 0)
		return;
	while (chat_word(&list, nick, sizeof(nick)))
		ui_win_member_add(ui->wins[wi], nick + strspn(nick, "~&@%+"));
}

/* A QUIT or NICK: say so in every window nick is in; true when there was one. */
static bool
tell_members(struct ui *ui, const char *nick, const char *newnick, const char *text)
{
	bool	 told = false;
	int	 i;

	for (i = 1; i < ui->nwins; i++) {
		if (!ui_win_member_del(ui->wins[i], nick) &&
		    !casemap_eq(ui->wins[i]->name, nick))
			continue;
		if (newnick != NULL && ui_win_is_channel(ui->wins[i]->name))
			ui_win_member_add(ui->wins[i], newnick);
		ui_win_info(ui, i, "%s", text);
		told = true;
	}
	return told;
}

static void
on_numeric(struct ui *ui, const struct msg *m)
{
	char		 buf[1024];
	size_t		 len = 0;
	unsigned	 i;

	if (strcmp(m->verb, "366") == 0 || strcmp(m->verb, "333") == 0)
		return;		/* end of NAMES, topic setter: noise */
	if (strcmp(m->verb, "353") == 0 && m->nparams > 3)
		names(ui, m->params[2], m->params[3]);
	buf[0] = '\0';
	for (i = 1; i < m->nparams && len < sizeof(buf) - 1; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i > 1 ? " " : "",
		    m->params[i]);
	ui_win_info(ui, numeric_window(ui, m), "%s", buf);
}

static void
on_other(struct ui *ui, const struct msg *m, const char *nick)
{
	const char	*last = m->nparams > 0 ? m->params[m->nparams - 1] : "";
	char		 text[1024];
	int		 wi;

	if (strcasecmp(m->verb, "NICK") == 0 && m->nparams > 0) {
		if (casemap_eq(nick, ui->irc.nick)) {
			snprintf(ui->irc.nick, sizeof(ui->irc.nick), "%s", m->params[0]);
			snprintf(ui->irc.basenick, sizeof(ui->irc.basenick), "%s", m->params[0]);
		}
		snprintf(text, sizeof(text), "%s is now known as %s", nick, m->params[0]);
		if (!tell_members(ui, nick, m->params[0], text))
			ui_win_info(ui, 0, "%s", text);
		if ((wi = ui_win_find(ui, nick)) > 0)
			snprintf(ui->wins[wi]->name, sizeof(ui->wins[wi]->name), "%s",
			    m->params[0]);
	} else if (strcasecmp(m->verb, "QUIT") == 0) {
		snprintf(text, sizeof(text), "%s has quit (%s)", nick, last);
		if (!tell_members(ui, nick, NULL, text))
			ui_win_info(ui, 0, "%s", text);
	} else if (strcasecmp(m->verb, "TOPIC") == 0 && m->nparams > 1) {
		ui_win_info(ui, ui_win_open(ui, m->params[0]), "%s changed the topic to: %s",
		    nick, last);
	} else if (strcasecmp(m->verb, "MODE") == 0 && m->nparams > 1) {
		wi = ui_win_find(ui, m->params[0]);
		ui_win_info(ui, wi > 0 ? wi : 0, "mode %s %s by %s", m->params[0],
		    m->params[1], nick);
	} else if (strcasecmp(m->verb, "INVITE") == 0 && m->nparams > 1) {
		ui_win_info(ui, ui->cur, "%s invites you to %s", nick, last);
	} else if (strcasecmp(m->verb, "AWAY") != 0 && strcasecmp(m->verb, "PONG") != 0 &&
	    strcasecmp(m->verb, "CAP") != 0) {
		ui_win_info(ui, 0, "%s %s", m->verb, last);
	}
}

static void
on_line(struct ui *ui, char *line, size_t len)
{
	struct msg	 m;
	char		 nick[IRC_NICK_MAX + 1];
	const char	*last;

	if (msg_parse(&m, line, len) != MSG_OK)
		return;
	last = m.nparams > 0 ? m.params[m.nparams - 1] : "";
	switch (irc_handle(&ui->irc, &m)) {
	case IRC_EV_NONE:
		return;
	case IRC_EV_WELCOME:
		welcome(ui);
		return;
	case IRC_EV_NICK_REJECTED:
		ui_win_info(ui, ui->cur, "nick %s rejected (%s): choose one with /nick",
		    ui->irc.nick, last);
		return;
	case IRC_EV_ERROR:
		ui_win_info(ui, 0, "server: %s", last);
		return;		/* the close follows */
	case IRC_EV_PASS:
		break;
	}
	irc_source_nick(m.source, nick, sizeof(nick));
	if ((strcasecmp(m.verb, "PRIVMSG") == 0 || strcasecmp(m.verb, "NOTICE") == 0) &&
	    m.nparams >= 2)
		on_privmsg(ui, &m, nick);
	else if ((strcasecmp(m.verb, "JOIN") == 0 || strcasecmp(m.verb, "PART") == 0 ||
	    strcasecmp(m.verb, "KICK") == 0) && m.nparams >= 1)
		on_join_part(ui, &m, nick);
	else if (strlen(m.verb) == 3 && m.verb[0] >= '0' && m.verb[0] <= '9')
		on_numeric(ui, &m);
	else
		on_other(ui, &m, nick);
}

void
ui_server_read(struct ui *ui)
{
	char	 line[MSG_TAGS_MAX + MSG_BODY_MAX + 1];
	long	 n;

	do {
		n = irc_read(&ui->irc);
		if (n <= 0) {
			ui_server_disconnected(ui, n < 0 ? "connection lost" :
			    "server closed the connection");
			return;
		}
		while (ui->connected &&
		    (n = irc_next_line(&ui->irc, line, sizeof(line))) >= 0)
			on_line(ui, line, (size_t)n);
	} while (ui->connected && irc_pending(&ui->irc));
}
