/*
 * The interactive client: an ncurses (wide-character) screen over one IRC connection.
 * One poll loop over the terminal and the socket; no threads.  Window 0 is the status
 * window (server messages); the others are channels and private conversations.
 * This file: the loop, the keys and the user's commands; ui_win.c keeps the windows,
 * ui_draw.c draws them, ui_server.c handles the connection.
 */
#define NCURSES_WIDECHAR 1

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "core/casemap.h"
#include "parley/chat.h"
#include "parley/ui.h"

/* -- what the user types */

/* Send text to target, split on UTF-8 boundaries; shown at once unless the server
 * echoes it.  action wraps each piece as a CTCP ACTION. */
static void
say(struct ui *ui, const char *target, const char *text, bool action)
{
	size_t	 len = strlen(text), budget, n;
	int	 wi;

	if (!ui->connected || !ui->irc.registered) {
		ui_win_info(ui, ui->cur, "not connected");
		return;
	}
	budget = irc_text_budget(ui->irc.nick, target) - (action ? 9 : 0);
	while (len > 0) {
		n = irc_split_len(text, len, budget);
		if (irc_send(&ui->irc, action ? "PRIVMSG %s :\001ACTION %.*s\001" :
		    "PRIVMSG %s :%.*s", target, (int)n, text) < 0) {
			ui_server_disconnected(ui, "write to the server failed");
			return;
		}
		if (!(ui->irc.caps & IRC_CAP_ECHO_MESSAGE)) {
			char piece[MSG_BODY_MAX + 1];

			snprintf(piece, sizeof(piece), "%.*s", (int)n, text);
			wi = ui_win_open(ui, target);
			ui_win_add(ui, wi, time(NULL), action ? LINE_ACTION : LINE_MSG,
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
		ui_win_info(ui, ui->cur, "%s", help_lines[i]);
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
		ui_win_info(ui, 0, "usage: /part [#chan] [reason]");
		return;
	}
	if (!ui_win_is_channel(chan)) {
		ui_win_close(ui, ui->cur);	/* a private window: just close it */
		return;
	}
	if (*p != '\0')
		ui_server_send(ui, "PART %s :%s", chan, p);
	else
		ui_server_send(ui, "PART %s", chan);
}

static void
cmd_msg(struct ui *ui, const char *args, bool query)
{
	char		 target[UI_NAME_MAX + 1];
	const char	*p = args;

	if (!chat_word(&p, target, sizeof(target)) || (!query && *p == '\0')) {
		ui_win_info(ui, ui->cur, query ? "usage: /query NICK [text]" :
		    "usage: /msg TARGET text");
		return;
	}
	if (query)
		ui_win_switch(ui, ui_win_open(ui, target));
	if (*p != '\0')
		say(ui, target, p, false);
}

static void
cmd_nick(struct ui *ui, const char *args)
{
	if (!casemap_nick_valid(args, IRC_NICK_MAX)) {
		ui_win_info(ui, ui->cur, "usage: /nick NICK");
		return;
	}
	if (!ui->irc.registered) {
		snprintf(ui->irc.nick, sizeof(ui->irc.nick), "%s", args);
		snprintf(ui->irc.basenick, sizeof(ui->irc.basenick), "%s", args);
	}
	ui_server_send(ui, "NICK %s", args);
}

static void
cmd_current(struct ui *ui, const char *verb, const char *args)
{
	const char	*chan = ui->wins[ui->cur]->name;

	if (ui->cur == 0 || !ui_win_is_channel(chan)) {
		ui_win_info(ui, ui->cur, "/%s works in a channel window", verb);
		return;
	}
	if (strcmp(verb, "topic") == 0 && *args != '\0')
		ui_server_send(ui, "TOPIC %s :%s", chan, args);
	else if (strcmp(verb, "topic") == 0)
		ui_server_send(ui, "TOPIC %s", chan);
	else
		ui_server_send(ui, "NAMES %s", chan);
}

static void
command(struct ui *ui, const char *name, const char *args)
{
	if (strcmp(name, "join") == 0 && *args != '\0')
		ui_server_send(ui, "JOIN %s", args);
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
		ui_server_send(ui, "NAMES %s", args);
	else if (strcmp(name, "whois") == 0 && *args != '\0')
		ui_server_send(ui, "WHOIS %s", args);
	else if (strcmp(name, "away") == 0)
		if (*args != '\0')
			ui_server_send(ui, "AWAY :%s", args);
		else
			ui_server_send(ui, "AWAY");
	else if (strcmp(name, "raw") == 0 && *args != '\0')
		ui_server_send(ui, "%s", args);
	else if (strcmp(name, "win") == 0 && atoi(args) >= 0 && atoi(args) < ui->nwins)
		ui_win_switch(ui, atoi(args));
	else if (strcmp(name, "quit") == 0) {
		if (ui->connected)
			irc_send(&ui->irc, "QUIT :%s", *args != '\0' ? args : "parley");
		ui->quit = true;
	} else if (strcmp(name, "help") == 0)
		cmd_help(ui);
	else
		ui_win_info(ui, ui->cur,
		    "/%s: unknown command or missing argument (try /help)", name);
}

static void
submit(struct ui *ui)
{
	char		 line[INPUT_MAX * 4 + 1], name[32];
	const char	*args;

	if (input_take(&ui->in, line, sizeof(line)) < 0) {
		ui_win_info(ui, ui->cur, "the line cannot be encoded in this locale");
		return;
	}
	if (chat_command(line, name, sizeof(name), &args)) {
		command(ui, name, args);
		return;
	}
	if (*args == '\0')
		return;
	if (ui->cur == 0) {
		ui_win_info(ui, 0,
		    "this is the status window: /join #channel or /msg NICK text");
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
		ui_win_switch(ui, (int)(c - L'0'));
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
	case 14:	ui_win_switch(ui, (ui->cur + 1) % ui->nwins); break;
	case 16:	ui_win_switch(ui, (ui->cur + ui->nwins - 1) % ui->nwins); break;
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
		ui_draw(ui);
		now = time(NULL);
		if (!ui->connected && now >= ui->reconnect_at) {
			ui_server_connect(ui);
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
			ui_server_read(ui);
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
		ui_win_open(ui, chans[i]);
	if (nchans > 0)
		ui->cur = 1;
	setup_screen(ui);
	ui_win_info(ui, 0, "parley %s: type /help for the commands", PARLEY_VERSION);
	r = loop(ui);
	endwin();
	if (ui->connected)
		irc_close(&ui->irc);
	while (ui->nwins > 1)
		ui_win_close(ui, ui->nwins - 1);
	ui_win_free(ui->wins[0]);
	input_free(&ui->in);
	free(ui);
	return r;
}
