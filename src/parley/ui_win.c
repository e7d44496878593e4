/*
 * The client's windows: the status window (0) and one per channel or private
 * conversation, each a ring of lines and, for a channel, the nicks in it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/casemap.h"
#include "parley/ui.h"

static void
line_free(struct line *l)
{
	free(l->nick);
	free(l->text);
}

int
ui_win_find(struct ui *ui, const char *name)
{
	int	 i;

	for (i = 1; i < ui->nwins; i++)
		if (casemap_eq(ui->wins[i]->name, name))
			return i;
	return -1;
}

/* The window for name, opened when missing; the status window when no room is left. */
int
ui_win_open(struct ui *ui, const char *name)
{
	struct win	*w;
	int		 i = ui_win_find(ui, name);

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

void
ui_win_member_add(struct win *w, const char *nick)
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
bool
ui_win_member_del(struct win *w, const char *nick)
{
	int	 i = member_find(w, nick);

	if (i < 0)
		return false;
	free(w->members[i]);
	w->members[i] = w->members[--w->nmembers];
	return true;
}

void
ui_win_members_clear(struct win *w)
{
	while (w->nmembers > 0)
		free(w->members[--w->nmembers]);
}

void
ui_win_free(struct win *w)
{
	size_t	 k;

	for (k = 0; k < w->n; k++)
		line_free(&w->lines[(w->first + k) % UI_LINES]);
	ui_win_members_clear(w);
	free(w->members);
	free(w);
}

/* Close window i; the status window stays. */
void
ui_win_close(struct ui *ui, int i)
{
	if (i == 0)
		return;
	ui_win_free(ui->wins[i]);
	memmove(ui->wins + i, ui->wins + i + 1, (size_t)(ui->nwins - i - 1) *
	    sizeof(ui->wins[0]));
	ui->nwins--;
	if (ui->cur >= i)
		ui->cur = ui->cur > 0 ? ui->cur - 1 : 0;
}

void
ui_win_switch(struct ui *ui, int i)
{
	if (i < 0 || i >= ui->nwins)
		return;
	ui->cur = i;
	ui->wins[i]->activity = false;
}

void
ui_win_add(struct ui *ui, int wi, time_t t, enum line_kind kind, const char *nick,
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

void
ui_win_info(struct ui *ui, int wi, const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ui_win_add(ui, wi, time(NULL), LINE_INFO, NULL, buf);
}

bool
ui_win_is_channel(const char *name)
{
	return name[0] == '#' || name[0] == '&';
}
