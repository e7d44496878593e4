/*
 * Drawing the client's screen with ncurses (wide characters): the current window's
 * lines wrapped to the width, the status bar, the input line.
 */
#define NCURSES_WIDECHAR 1

#include <curses.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "parley/chat.h"
#include "parley/ui.h"

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

void
ui_draw(struct ui *ui)
{
	erase();
	if (LINES >= 3 && COLS >= 10) {
		draw_lines(ui, LINES - 2);
		draw_status(ui, LINES - 2);
		draw_input(ui, LINES - 1);
	}
	refresh();
}
