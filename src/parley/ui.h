/*
 * What the parts of the interactive client share: the screen's state (struct ui), its
 * windows and their lines.  Private to ui*.c; the rest of parley sees only ui_run().
 */
#ifndef PARLEY_CLIENT_UI_H
#define PARLEY_CLIENT_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

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

/* ui_win.c: the windows, their lines and their member lists */

/* The index of the window named name (not the status window), or -1. */
int	ui_win_find(struct ui *ui, const char *name);
/* The window for name, opened when missing; the status window (0) when none is left. */
int	ui_win_open(struct ui *ui, const char *name);
/* Free w, its lines and its members. */
void	ui_win_free(struct win *w);
/* Close window i and keep ui->cur on a window; the status window stays. */
void	ui_win_close(struct ui *ui, int i);
/* Show window i and clear its activity; out of range is ignored. */
void	ui_win_switch(struct ui *ui, int i);
/* Append a line (copied) to window wi, the oldest dropped when full; on no memory, none. */
void	ui_win_add(struct ui *ui, int wi, time_t t, enum line_kind kind,
	    const char *nick, const char *text);
/* Append a formatted LINE_INFO line, stamped now, to window wi. */
void	ui_win_info(struct ui *ui, int wi, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Add nick (copied) to w's members unless there; on no memory, not added. */
void	ui_win_member_add(struct win *w, const char *nick);
/* Remove nick from w's members; true when it was there. */
bool	ui_win_member_del(struct win *w, const char *nick);
/* Forget every member of w. */
void	ui_win_members_clear(struct win *w);
/* True when name is a channel's ('#' or '&'), not a nick's. */
bool	ui_win_is_channel(const char *name);

/* ui_draw.c: the screen */

/* Draw the current window, the status bar and the input line with ncurses. */
void	ui_draw(struct ui *ui);

/* ui_server.c: the connection and what the server says */

/* Connect, start TLS when asked and register; on failure, schedule a retry. */
void	ui_server_connect(struct ui *ui);
/* Close the connection, say why and schedule a reconnection with backoff. */
void	ui_server_disconnected(struct ui *ui, const char *why);
/* Send a formatted line, or say in the current window why not (not connected, too long). */
void	ui_server_send(struct ui *ui, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Read what the socket holds and put each line in its window; may disconnect. */
void	ui_server_read(struct ui *ui);

#endif
