/*
 * The interactive client: an ncurses (wide-character) screen over one IRC connection.
 * One poll loop over the terminal and the socket; no threads.  Window 0 is the status
 * window (server messages); the others are channels and private conversations.
 */
#define NCURSES_WIDECHAR 1

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "core/casemap.h"
#include "parley/chat.h"
#include "parley/input.h"
#include "parley/parley.h"

#define UI_WINDOWS	20	/* status window included */
#define UI_LINES	1000	/* lines kept per window */
#define UI_NCOLORS	6	/* nick colours */
#define UI_BACKOFF_MAX	60	/* seconds between reconnection attempts, at most */
#define UI_NAME_MAX	200

enum line_kind {
	LINE_MSG,	/* <nick> text */
	LINE_ACTION,	/* * nick text */
	LINE_NOTICE,	/* -nick- text */
	LINE_INFO,	/* -!- text */
};

struct line {
	time_t		 t;
	enum line_kind	 kind;
	char		*nick;		/* NULL for LINE_INFO */
	char		*text;
};

struct win {
	char		 name[UI_NAME_MAX + 1];	/* channel or nick; the server for 0 */
	struct line	 lines[UI_LINES];	/* a ring */
	size_t		 first, n;
	bool		 activity;
	char		**members;	/* a channel's nicks, without prefixes */
	size_t		 nmembers;
};

struct ui {
	const struct parley_opts *o;
	struct irc	 irc;
	bool		 connected;
	struct win	*wins[UI_WINDOWS];
	int		 nwins;
	int		 cur;
	struct input	 in;
	time_t		 reconnect_at;
	int		 backoff;
	bool		 quit;
	bool		 esc;		/* ESC seen: the next key is Alt+key */
	bool		 colors;
};

/* -- windows and lines */

static void
line_free(struct line *l)
{
	free(l->nick);
	free(l->text);
}

static int
win_find(struct ui *ui, const char *name)
{
	int	 i;

	for (i = 1; i < ui->nwins; i++)
		if (casemap_eq(ui->wins[i]->name, name))
			return i;
	return -1;
}

/* The window for name, opened when missing; the status window when no room is left. */
static int
win_open(struct ui *ui, const char *name)
{
	struct win	*w;
	int		 i = win_find(ui, name);

	if (i >= 0)
		return i;
	if (ui->nwins == UI_WINDOWS || (w = calloc(1, sizeof(*w))) == NULL)
		return 0;
	snprintf(w->name, sizeof(w->name), "%s", name);
	ui->wins[ui->nwins] = w;
	return ui->nwins++;
}

/* -- who is in a channel: to show a QUIT or NICK in the windows it concerns */

static int
member_find(const struct win *w, const char *nick)
{
	size_t	 i;

	for (i = 0; i < w->nmembers; i++)
		if (casemap_eq(w->members[i], nick))
			return (int)i;
	return -1;
}

static void
member_add(struct win *w, const char *nick)
{
	char	**grown, *copy;

	if (member_find(w, nick) >= 0)
		return;
	grown = realloc(w->members, (w->nmembers + 1) * sizeof(w->members[0]));
	if (grown == NULL)
		return;
	w->members = grown;
	if ((copy = strdup(nick)) != NULL)
		w->members[w->nmembers++] = copy;
}

/* Remove nick; true when it was there. */
static bool
member_del(struct win *w, const char *nick)
{
	int	 i = member_find(w, nick);

	if (i < 0)
		return false;
	free(w->members[i]);
	w->members[i] = w->members[--w->nmembers];
	return true;
}

static void
members_clear(struct win *w)
{
	while (w->nmembers > 0)
		free(w->members[--w->nmembers]);
}

static void
win_free(struct win *w)
{
	size_t	 k;

	for (k = 0; k < w->n; k++)
		line_free(&w->lines[(w->first + k) % UI_LINES]);
	members_clear(w);
	free(w->members);
	free(w);
}

/* Close window i; the status window stays. */
static void
win_close(struct ui *ui, int i)
{
	if (i == 0)
		return;
	win_free(ui->wins[i]);
	memmove(ui->wins + i, ui->wins + i + 1, (size_t)(ui->nwins - i - 1) *
	    sizeof(ui->wins[0]));
	ui->nwins--;
	if (ui->cur >= i)
		ui->cur = ui->cur > 0 ? ui->cur - 1 : 0;
}

static void
win_switch(struct ui *ui, int i)
{
	if (i < 0 || i >= ui->nwins)
		return;
	ui->cur = i;
	ui->wins[i]->activity = false;
}

static void
win_add(struct ui *ui, int wi, time_t t, enum line_kind kind, const char *nick,
    const char *text)
{
	struct win	*w = ui->wins[wi];
	struct line	*l;

	if (w->n == UI_LINES) {
		line_free(&w->lines[w->first]);
		w->first = (w->first + 1) % UI_LINES;
		w->n--;
	}
	l = &w->lines[(w->first + w->n) % UI_LINES];
	l->t = t;
	l->kind = kind;
	l->nick = nick != NULL ? strdup(nick) : NULL;
	l->text = strdup(text);
	if (l->text == NULL) {
		free(l->nick);
		return;
	}
	w->n++;
	if (wi != ui->cur && kind != LINE_INFO)
		w->activity = true;
}

static void
info(struct ui *ui, int wi, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
info(struct ui *ui, int wi, const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	win_add(ui, wi, time(NULL), LINE_INFO, NULL, buf);
}

/* -- drawing */

/* Convert text to wide characters into dst (cap), dropping IRC formatting codes and
 * showing undecodable bytes as '?'.  Returns the count. */
static size_t
widen(const char *s, wchar_t *dst, size_t cap)
{
	mbstate_t	 st;
	size_t		 n = 0, r;
	wchar_t		 wc;

	memset(&st, 0, sizeof(st));
	while (*s != '\0' && n + 1 < cap) {
		if (*s == '\003') {	/* colour: \003[fg[,bg]] */
			s++;
			s += strspn(s, "0123456789") > 2 ? 2 : strspn(s, "0123456789");
			if (*s == ',' && s[1] >= '0' && s[1] <= '9')
				s += 1 + (s[2] >= '0' && s[2] <= '9' ? 2 : 1);
			continue;
		}
		r = mbrtowc(&wc, s, strlen(s), &st);
		if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
			memset(&st, 0, sizeof(st));
			wc = L'?';
			r = 1;
		}
		s += r;
		if (wc < 0x20 || wc == 0x7f)
			continue;
		dst[n++] = wc;
	}
	dst[n] = L'\0';
	return n;
}

static int
width_of(wchar_t c)
{
	int	 w = wcwidth(c);

	return w < 0 ? 1 : w;
}

/*
 * Lay out w (n chars) from row y on a width-wide area of rows [0, bottom), the chars in
 * [hl_from, hl_to) in attribute hl.  Draws only when draw is set.  Returns the rows the
 * line takes.
 */
static int
layout(const wchar_t *w, size_t n, int y, int width, int bottom, bool draw,
    size_t hl_from, size_t hl_to, attr_t hl, short pair)
{
	cchar_t	 cc;
	wchar_t	 one[2] = { 0, 0 };
	size_t	 i;
	int	 row = 0, col = 0, cw;

	for (i = 0; i < n; i++) {
		cw = width_of(w[i]);
		if (col + cw > width && col > 0) {
			row++;
			col = 0;
		}
		if (draw && y + row >= 0 && y + row < bottom) {
			one[0] = wcwidth(w[i]) < 0 ? L'?' : w[i];
			if (i >= hl_from && i < hl_to)
				setcchar(&cc, one, hl, pair, NULL);
			else
				setcchar(&cc, one, A_NORMAL, 0, NULL);
			mvadd_wch(y + row, col, &cc);
		}
		col += cw;
	}
	return row + 1;
}

/* Render line l as wide text into buf; the nick's span goes to *from, *to. */
static size_t
render(const struct line *l, wchar_t *buf, size_t cap, size_t *from, size_t *to)
{
	struct tm	 tm;
	char		 head[64];
	size_t		 n, nn;

	localtime_r(&l->t, &tm);
	strftime(head, sizeof(head), "%H:%M ", &tm);
	n = widen(head, buf, cap);
	if (l->kind == LINE_INFO) {
		n += widen("-!- ", buf + n, cap - n);
		*from = *to = 0;
	} else {
		n += widen(l->kind == LINE_MSG ? "<" : l->kind == LINE_ACTION ? "* " : "-",
		    buf + n, cap - n);
		*from = n;
		nn = widen(l->nick, buf + n, cap - n);
		n += nn;
		*to = n;
		n += widen(l->kind == LINE_MSG ? "> " : l->kind == LINE_ACTION ? " " : "- ",
		    buf + n, cap - n);
	}
	n += widen(l->text, buf + n, cap - n);
	return n;
}

static void
draw_lines(struct ui *ui, int height)
{
	static wchar_t	 buf[2048];
	struct win	*w = ui->wins[ui->cur];
	const struct line *l;
	size_t		 k, n, from, to;
	int		 total = 0, y;
	short		 pair;

	/* Walk back from the newest line until the area is full, then draw forward. */
	for (k = w->n; k > 0 && total < height; k--) {
		l = &w->lines[(w->first + k - 1) % UI_LINES];
		n = render(l, buf, sizeof(buf) / sizeof(buf[0]), &from, &to);
		total += layout(buf, n, 0, COLS, height, false, 0, 0, 0, 0);
	}
	y = height - total;
	for (; k < w->n; k++) {
		l = &w->lines[(w->first + k) % UI_LINES];
		n = render(l, buf, sizeof(buf) / sizeof(buf[0]), &from, &to);
		pair = ui->colors && l->nick != NULL ?
		    (short)(1 + chat_nick_color(l->nick, UI_NCOLORS)) : 0;
		y += layout(buf, n, y, COLS, height, true, from, to, A_BOLD, pair);
	}
}

static void
draw_status(struct ui *ui, int y)
{
	char	 buf[1024];
	wchar_t	 wbuf[1024];
	size_t	 len, n;
	int	 i;

	len = (size_t)snprintf(buf, sizeof(buf), "[%s:%s%s] [%s%s] [%d:%s]", ui->o->host,
	    ui->o->port, ui->connected ? "" : " disconnected", ui->irc.nick,
	    ui->irc.registered ? "" : " (registering)", ui->cur, ui->wins[ui->cur]->name);
	for (i = 0; i < ui->nwins && len < sizeof(buf) - 16; i++)
		if (ui->wins[i]->activity)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%d",
			    len > 0 && buf[len - 1] == ']' ? " [act: " : ",", i);
	if (len < sizeof(buf) - 2 && buf[len - 1] != ']')
		snprintf(buf + len, sizeof(buf) - len, "]");
	n = widen(buf, wbuf, sizeof(wbuf) / sizeof(wbuf[0]));
	attron(A_REVERSE);
	mvhline(y, 0, ' ', COLS);
	layout(wbuf, n, y, COLS, y + 1, true, 0, 0, 0, 0);
	attroff(A_REVERSE);
}

static void
draw_input(struct ui *ui, int y)
{
	struct input	*in = &ui->in;
	size_t		 start = 0, i;
	int		 cols = 0, x = 0;

	/* Scroll sideways so the cursor stays on the screen. */
	for (i = 0; i < in->cur; i++)
		cols += width_of(in->buf[i]);
	while (cols >= COLS - 1 && start < in->cur)
		cols -= width_of(in->buf[start++]);
	move(y, 0);
	clrtoeol();
	for (i = start; i < in->len; i++) {
		if (x + width_of(in->buf[i]) > COLS)
			break;
		mvaddnwstr(y, x, &in->buf[i], 1);
		x += width_of(in->buf[i]);
	}
	move(y, cols);
}

static void
draw(struct ui *ui)
{
	erase();
	if (LINES >= 3 && COLS >= 10) {
		draw_lines(ui, LINES - 2);
		draw_status(ui, LINES - 2);
		draw_input(ui, LINES - 1);
	}
	refresh();
}

/* -- the connection */

static void
disconnected(struct ui *ui, const char *why)
{
	int	 i;

	if (ui->connected)
		irc_close(&ui->irc);
	ui->connected = false;
	ui->irc.registered = false;
	for (i = 1; i < ui->nwins; i++)
		members_clear(ui->wins[i]);	/* the rejoin's NAMES refills them */
	ui->reconnect_at = time(NULL) + ui->backoff;
	info(ui, 0, "%s; reconnecting in %d s", why, ui->backoff);
	if (ui->cur != 0)
		info(ui, ui->cur, "%s; reconnecting in %d s", why, ui->backoff);
	ui->backoff = ui->backoff * 2 > UI_BACKOFF_MAX ? UI_BACKOFF_MAX : ui->backoff * 2;
}

static void
connect_server(struct ui *ui)
{
	char	 err[512], nick[IRC_NICK_MAX + 1];
	bool	 timed_out;
	int	 fd;

	info(ui, 0, "connecting to %s port %s", ui->o->host, ui->o->port);
	draw(ui);
	fd = irc_connect(ui->o->host, ui->o->port, ui->o->timeout_ms, err, sizeof(err),
	    &timed_out);
	if (fd < 0) {
		disconnected(ui, err);
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
		disconnected(ui, err);
		return;
	}
	if (irc_register(&ui->irc) < 0)
		disconnected(ui, "write to the server failed");
}

static void
send_or_drop(struct ui *ui, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Send a line, or say why not. */
static void
send_or_drop(struct ui *ui, const char *fmt, ...)
{
	char	 line[MSG_BODY_MAX + 1];
	va_list	 ap;
	int	 n;

	if (!ui->connected) {
		info(ui, ui->cur, "not connected");
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > MSG_BODY_MAX - 2) {
		info(ui, ui->cur, "line too long for IRC: not sent");
		return;
	}
	if (irc_send(&ui->irc, "%s", line) < 0)
		disconnected(ui, "write to the server failed");
}

static bool
is_channel(const char *name)
{
	return name[0] == '#' || name[0] == '&';
}

static void
welcome(struct ui *ui)
{
	int	 i;

	ui->backoff = 1;
	info(ui, 0, "registered as %s", ui->irc.nick);
	for (i = 1; i < ui->nwins; i++)
		if (is_channel(ui->wins[i]->name))
			send_or_drop(ui, "JOIN %s", ui->wins[i]->name);
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
				send_or_drop(ui, "NOTICE %s :\001VERSION parley %s\001", nick,
				    PARLEY_VERSION);
			return;
		}
		snprintf(body, sizeof(body), "%.*s", (int)(len - 7), text + 8);
		text = body;
		kind = LINE_ACTION;
	}
	if (is_channel(target))
		wi = win_open(ui, target);
	else if (mine)
		wi = win_open(ui, target);
	else if (m->source == NULL || strchr(m->source, '!') == NULL)
		wi = 0;		/* from the server itself */
	else
		wi = win_open(ui, nick);
	win_add(ui, wi, msg_time(m), kind, nick[0] != '\0' ? nick : "*", text);
}

static void
on_join_part(struct ui *ui, const struct msg *m, const char *nick)
{
	bool	 mine = casemap_eq(nick, ui->irc.nick), fresh;
	int	 wi;

	if (strcasecmp(m->verb, "JOIN") == 0) {
		fresh = win_find(ui, m->params[0]) < 0;
		wi = win_open(ui, m->params[0]);
		if (mine) {
			/* A /join opens and shows a window; a rejoin leaves the view alone. */
			if (fresh)
				win_switch(ui, wi);
			members_clear(ui->wins[wi]);	/* NAMES follows */
		}
		member_add(ui->wins[wi], nick);
		info(ui, wi, "%s has joined %s", nick, m->params[0]);
		return;
	}
	wi = win_find(ui, m->params[0]);
	if (wi < 0)
		return;
	if (mine && strcasecmp(m->verb, "PART") == 0) {
		win_close(ui, wi);
		return;
	}
	member_del(ui->wins[wi], strcasecmp(m->verb, "KICK") == 0 && m->nparams > 1 ?
	    m->params[1] : nick);
	if (strcasecmp(m->verb, "KICK") == 0)
		info(ui, wi, "%s was kicked by %s (%s)", m->nparams > 1 ? m->params[1] : "?",
		    nick, m->nparams > 2 ? m->params[2] : "");
	else
		info(ui, wi, "%s has left %s (%s)", nick, m->params[0],
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
	if ((wi = win_find(ui, about)) >= 0)
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
	int	 wi = win_find(ui, chan);

	if (wi <= 0)
		return;
	while (chat_word(&list, nick, sizeof(nick)))
		member_add(ui->wins[wi], nick + strspn(nick, "~&@%+"));
}

/* A QUIT or NICK: say so in every window nick is in; true when there was one. */
static bool
tell_members(struct ui *ui, const char *nick, const char *newnick, const char *text)
{
	bool	 told = false;
	int	 i;

	for (i = 1; i < ui->nwins; i++) {
		if (!member_del(ui->wins[i], nick) && !casemap_eq(ui->wins[i]->name, nick))
			continue;
		if (newnick != NULL && is_channel(ui->wins[i]->name))
			member_add(ui->wins[i], newnick);
		info(ui, i, "%s", text);
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
	info(ui, numeric_window(ui, m), "%s", buf);
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
			info(ui, 0, "%s", text);
		if ((wi = win_find(ui, nick)) > 0)
			snprintf(ui->wins[wi]->name, sizeof(ui->wins[wi]->name), "%s",
			    m->params[0]);
	} else if (strcasecmp(m->verb, "QUIT") == 0) {
		snprintf(text, sizeof(text), "%s has quit (%s)", nick, last);
		if (!tell_members(ui, nick, NULL, text))
			info(ui, 0, "%s", text);
	} else if (strcasecmp(m->verb, "TOPIC") == 0 && m->nparams > 1) {
		info(ui, win_open(ui, m->params[0]), "%s changed the topic to: %s", nick, last);
	} else if (strcasecmp(m->verb, "MODE") == 0 && m->nparams > 1) {
		wi = win_find(ui, m->params[0]);
		info(ui, wi > 0 ? wi : 0, "mode %s %s by %s", m->params[0], m->params[1],
		    nick);
	} else if (strcasecmp(m->verb, "INVITE") == 0 && m->nparams > 1) {
		info(ui, ui->cur, "%s invites you to %s", nick, last);
	} else if (strcasecmp(m->verb, "AWAY") != 0 && strcasecmp(m->verb, "PONG") != 0 &&
	    strcasecmp(m->verb, "CAP") != 0) {
		info(ui, 0, "%s %s", m->verb, last);
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
		info(ui, ui->cur, "nick %s rejected (%s): choose one with /nick", ui->irc.nick,
		    last);
		return;
	case IRC_EV_ERROR:
		info(ui, 0, "server: %s", last);
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

static void
read_server(struct ui *ui)
{
	char	 line[MSG_TAGS_MAX + MSG_BODY_MAX + 1];
	long	 n;

	do {
		n = irc_read(&ui->irc);
		if (n <= 0) {
			disconnected(ui, n < 0 ? "connection lost" :
			    "server closed the connection");
			return;
		}
		while (ui->connected &&
		    (n = irc_next_line(&ui->irc, line, sizeof(line))) >= 0)
			on_line(ui, line, (size_t)n);
	} while (ui->connected && irc_pending(&ui->irc));
}

/* -- what the user types */

/* Send text to target, split on UTF-8 boundaries; shown at once unless the server
 * echoes it.  action wraps each piece as a CTCP ACTION. */
static void
say(struct ui *ui, const char *target, const char *text, bool action)
{
	size_t	 len = strlen(text), budget, n;
	int	 wi;

	if (!ui->connected || !ui->irc.registered) {
		info(ui, ui->cur, "not connected");
		return;
	}
	budget = irc_text_budget(ui->irc.nick, target) - (action ? 9 : 0);
	while (len > 0) {
		n = irc_split_len(text, len, budget);
		if (irc_send(&ui->irc, action ? "PRIVMSG %s :\001ACTION %.*s\001" :
		    "PRIVMSG %s :%.*s", target, (int)n, text) < 0) {
			disconnected(ui, "write to the server failed");
			return;
		}
		if (!(ui->irc.caps & IRC_CAP_ECHO_MESSAGE)) {
			char piece[MSG_BODY_MAX + 1];

			snprintf(piece, sizeof(piece), "%.*s", (int)n, text);
			wi = win_open(ui, target);
			win_add(ui, wi, time(NULL), action ? LINE_ACTION : LINE_MSG,
			    ui->irc.nick, piece);
		}
		text += n;
		len -= n;
	}
}

static const char *const help_lines[] = {
	"/join #chan [key]   join a channel",
	"/part [#chan] [why] leave a channel (or close a private window)",
	"/msg NICK|#chan TEXT  send a message",
	"/query NICK [TEXT]  open a private window",
	"/me TEXT            an action in this window",
	"/nick NICK          change your nick",
	"/topic [TEXT]       show or set this channel's topic",
	"/names [#chan]      who is in a channel",
	"/whois NICK         who someone is",
	"/away [TEXT]        mark yourself away (no text: back)",
	"/raw LINE           send a raw IRC line",
	"/win N              go to window N (also Alt+N, Ctrl-N, Ctrl-P)",
	"/quit [TEXT]        leave",
};

static void
cmd_help(struct ui *ui)
{
	size_t	 i;

	for (i = 0; i < sizeof(help_lines) / sizeof(help_lines[0]); i++)
		info(ui, ui->cur, "%s", help_lines[i]);
}

static void
cmd_part(struct ui *ui, const char *args)
{
	char		 chan[UI_NAME_MAX + 1];
	const char	*p = args;

	if (args[0] == '#' || args[0] == '&')
		chat_word(&p, chan, sizeof(chan));
	else if (ui->cur > 0)
		snprintf(chan, sizeof(chan), "%s", ui->wins[ui->cur]->name);
	else {
		info(ui, 0, "usage: /part [#chan] [reason]");
		return;
	}
	if (!is_channel(chan)) {
		win_close(ui, ui->cur);	/* a private window: just close it */
		return;
	}
	if (*p != '\0')
		send_or_drop(ui, "PART %s :%s", chan, p);
	else
		send_or_drop(ui, "PART %s", chan);
}

static void
cmd_msg(struct ui *ui, const char *args, bool query)
{
	char		 target[UI_NAME_MAX + 1];
	const char	*p = args;

	if (!chat_word(&p, target, sizeof(target)) || (!query && *p == '\0')) {
		info(ui, ui->cur, query ? "usage: /query NICK [text]" :
		    "usage: /msg TARGET text");
		return;
	}
	if (query)
		win_switch(ui, win_open(ui, target));
	if (*p != '\0')
		say(ui, target, p, false);
}

static void
cmd_nick(struct ui *ui, const char *args)
{
	if (!casemap_nick_valid(args, IRC_NICK_MAX)) {
		info(ui, ui->cur, "usage: /nick NICK");
		return;
	}
	if (!ui->irc.registered) {
		snprintf(ui->irc.nick, sizeof(ui->irc.nick), "%s", args);
		snprintf(ui->irc.basenick, sizeof(ui->irc.basenick), "%s", args);
	}
	send_or_drop(ui, "NICK %s", args);
}

static void
cmd_current(struct ui *ui, const char *verb, const char *args)
{
	const char	*chan = ui->wins[ui->cur]->name;

	if (ui->cur == 0 || !is_channel(chan)) {
		info(ui, ui->cur, "/%s works in a channel window", verb);
		return;
	}
	if (strcmp(verb, "topic") == 0 && *args != '\0')
		send_or_drop(ui, "TOPIC %s :%s", chan, args);
	else if (strcmp(verb, "topic") == 0)
		send_or_drop(ui, "TOPIC %s", chan);
	else
		send_or_drop(ui, "NAMES %s", chan);
}

static void
command(struct ui *ui, const char *name, const char *args)
{
	if (strcmp(name, "join") == 0 && *args != '\0')
		send_or_drop(ui, "JOIN %s", args);
	else if (strcmp(name, "part") == 0 || strcmp(name, "close") == 0)
		cmd_part(ui, args);
	else if (strcmp(name, "msg") == 0 || strcmp(name, "query") == 0)
		cmd_msg(ui, args, name[0] == 'q');
	else if (strcmp(name, "me") == 0 && *args != '\0' && ui->cur > 0)
		say(ui, ui->wins[ui->cur]->name, args, true);
	else if (strcmp(name, "nick") == 0)
		cmd_nick(ui, args);
	else if ((strcmp(name, "topic") == 0 || strcmp(name, "names") == 0) &&
	    (*args == '\0' || name[0] == 't'))
		cmd_current(ui, name, args);
	else if (strcmp(name, "names") == 0)
		send_or_drop(ui, "NAMES %s", args);
	else if (strcmp(name, "whois") == 0 && *args != '\0')
		send_or_drop(ui, "WHOIS %s", args);
	else if (strcmp(name, "away") == 0)
		if (*args != '\0')
			send_or_drop(ui, "AWAY :%s", args);
		else
			send_or_drop(ui, "AWAY");
	else if (strcmp(name, "raw") == 0 && *args != '\0')
		send_or_drop(ui, "%s", args);
	else if (strcmp(name, "win") == 0 && atoi(args) >= 0 && atoi(args) < ui->nwins)
		win_switch(ui, atoi(args));
	else if (strcmp(name, "quit") == 0) {
		if (ui->connected)
			irc_send(&ui->irc, "QUIT :%s", *args != '\0' ? args : "parley");
		ui->quit = true;
	} else if (strcmp(name, "help") == 0)
		cmd_help(ui);
	else
		info(ui, ui->cur, "/%s: unknown command or missing argument (try /help)",
		    name);
}

static void
submit(struct ui *ui)
{
	char		 line[INPUT_MAX * 4 + 1], name[32];
	const char	*args;

	if (input_take(&ui->in, line, sizeof(line)) < 0) {
		info(ui, ui->cur, "the line cannot be encoded in this locale");
		return;
	}
	if (chat_command(line, name, sizeof(name), &args)) {
		command(ui, name, args);
		return;
	}
	if (*args == '\0')
		return;
	if (ui->cur == 0) {
		info(ui, 0, "this is the status window: /join #channel or /msg NICK text");
		return;
	}
	say(ui, ui->wins[ui->cur]->name, args, false);
}

static void
key(struct ui *ui, int type, wint_t c)
{
	bool	 alt = ui->esc;

	ui->esc = false;
	if (type == KEY_CODE_YES) {
		switch (c) {
		case KEY_LEFT:		input_left(&ui->in); break;
		case KEY_RIGHT:		input_right(&ui->in); break;
		case KEY_HOME:		input_home(&ui->in); break;
		case KEY_END:		input_end(&ui->in); break;
		case KEY_BACKSPACE:	input_backspace(&ui->in); break;
		case KEY_DC:		input_delete(&ui->in); break;
		case KEY_UP:		input_history_prev(&ui->in); break;
		case KEY_DOWN:		input_history_next(&ui->in); break;
		case KEY_ENTER:		submit(ui); break;
		case KEY_RESIZE:	clearok(curscr, TRUE); break;
		default:		break;
		}
		return;
	}
	if (alt && c >= L'0' && c <= L'9') {
		win_switch(ui, (int)(c - L'0'));
		return;
	}
	switch (c) {
	case 27:	ui->esc = true; break;
	case L'\r':
	case L'\n':	submit(ui); break;
	case 1:		input_home(&ui->in); break;		/* Ctrl-A */
	case 5:		input_end(&ui->in); break;		/* Ctrl-E */
	case 8:
	case 127:	input_backspace(&ui->in); break;
	case 4:		input_delete(&ui->in); break;		/* Ctrl-D */
	case 21:	input_kill_line(&ui->in); break;	/* Ctrl-U */
	case 23:	input_kill_word(&ui->in); break;	/* Ctrl-W */
	case 14:	win_switch(ui, (ui->cur + 1) % ui->nwins); break;
	case 16:	win_switch(ui, (ui->cur + ui->nwins - 1) % ui->nwins); break;
	case 12:	clearok(curscr, TRUE); break;		/* Ctrl-L */
	default:
		if (c >= 0x20 && c != 0x7f)
			input_insert(&ui->in, (wchar_t)c);
		break;
	}
}

static void
read_keys(struct ui *ui)
{
	wint_t	 c;
	int	 type;

	while ((type = get_wch(&c)) != ERR)
		key(ui, type, c);
}

/* -- the loop */

static int
loop(struct ui *ui)
{
	struct pollfd	 pfd[2];
	time_t		 now;
	int		 r, wait_ms;

	while (!ui->quit) {
		draw(ui);
		now = time(NULL);
		if (!ui->connected && now >= ui->reconnect_at) {
			connect_server(ui);
			continue;
		}
		wait_ms = ui->connected ? -1 : (int)(ui->reconnect_at - now) * 1000;
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = ui->connected ? ui->irc.fd : -1;
		pfd[1].events = POLLIN;
		r = poll(pfd, 2, wait_ms);
		if (r < 0 && errno != EINTR)
			return PARLEY_EXIT_FAIL;
		/* A signal (SIGWINCH) interrupts poll: ncurses then reports KEY_RESIZE. */
		if (r < 0 || pfd[0].revents != 0)
			read_keys(ui);
		if (r > 0 && ui->connected && pfd[1].revents != 0)
			read_server(ui);
	}
	return PARLEY_EXIT_OK;
}

static void
setup_screen(struct ui *ui)
{
	static const short colors[UI_NCOLORS] = {
		COLOR_RED, COLOR_GREEN, COLOR_YELLOW, COLOR_BLUE, COLOR_MAGENTA, COLOR_CYAN,
	};
	short	 i;

	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	if (has_colors()) {
		start_color();
		use_default_colors();
		for (i = 0; i < UI_NCOLORS; i++)
			init_pair((short)(i + 1), colors[i], -1);
		ui->colors = true;
	}
}

int
ui_run(const struct parley_opts *o, int nchans, char *const *chans)
{
	struct sigaction sa;
	struct ui	*ui;
	int		 i, r;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "parley: the interactive client needs a terminal "
		    "(for scripts: parley send, parley tail)\n");
		return PARLEY_EXIT_USAGE;
	}
	if ((ui = calloc(1, sizeof(*ui))) == NULL ||
	    (ui->wins[0] = calloc(1, sizeof(*ui->wins[0]))) == NULL) {
		free(ui);
		fprintf(stderr, "parley: out of memory\n");
		return PARLEY_EXIT_FAIL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	setlocale(LC_ALL, "");
	ui->o = o;
	ui->backoff = 1;
	ui->nwins = 1;
	snprintf(ui->wins[0]->name, sizeof(ui->wins[0]->name), "%.200s", o->host);
	snprintf(ui->irc.nick, sizeof(ui->irc.nick), "%s", o->nick);
	snprintf(ui->irc.basenick, sizeof(ui->irc.basenick), "%s", o->nick);
	input_init(&ui->in);
	for (i = 0; i < nchans; i++)
		win_open(ui, chans[i]);
	if (nchans > 0)
		ui->cur = 1;
	setup_screen(ui);
	info(ui, 0, "parley %s: type /help for the commands", PARLEY_VERSION);
	r = loop(ui);
	endwin();
	if (ui->connected)
		irc_close(&ui->irc);
	while (ui->nwins > 1)
		win_close(ui, ui->nwins - 1);
	win_free(ui->wins[0]);
	input_free(&ui->in);
	free(ui);
	return r;
}
