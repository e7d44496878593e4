/*
 * The input line's editing and history.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "parley/input.h"

void
input_init(struct input *in)
{
	memset(in, 0, sizeof(*in));
}

void
input_free(struct input *in)
{
	size_t	 i;

	for (i = 0; i < in->nhist; i++)
		free(in->hist[i]);
	free(in->draft);
	input_init(in);
}

bool
input_insert(struct input *in, wchar_t c)
{
	if (in->len >= INPUT_MAX)
		return false;
	wmemmove(in->buf + in->cur + 1, in->buf + in->cur, in->len - in->cur);
	in->buf[in->cur++] = c;
	in->buf[++in->len] = L'\0';
	return true;
}

void
input_left(struct input *in)
{
	if (in->cur > 0)
		in->cur--;
}

void
input_right(struct input *in)
{
	if (in->cur < in->len)
		in->cur++;
}

void
input_home(struct input *in)
{
	in->cur = 0;
}

void
input_end(struct input *in)
{
	in->cur = in->len;
}

/* Delete n characters starting at from. */
static void
cut(struct input *in, size_t from, size_t n)
{
	wmemmove(in->buf + from, in->buf + from + n, in->len - from - n);
	in->len -= n;
	in->buf[in->len] = L'\0';
	if (in->cur > from + n)
		in->cur -= n;
	else if (in->cur > from)
		in->cur = from;
}

void
input_backspace(struct input *in)
{
	if (in->cur > 0)
		cut(in, in->cur - 1, 1);
}

void
input_delete(struct input *in)
{
	if (in->cur < in->len)
		cut(in, in->cur, 1);
}

void
input_kill_line(struct input *in)
{
	cut(in, 0, in->cur);
}

void
input_kill_word(struct input *in)
{
	size_t	 i = in->cur;

	while (i > 0 && iswspace((wint_t)in->buf[i - 1]))
		i--;
	while (i > 0 && !iswspace((wint_t)in->buf[i - 1]))
		i--;
	cut(in, i, in->cur - i);
}

static void
load(struct input *in, const wchar_t *s)
{
	size_t	 n = s != NULL ? wcslen(s) : 0;

	if (n > INPUT_MAX)
		n = INPUT_MAX;
	if (n > 0)
		wmemcpy(in->buf, s, n);
	in->buf[n] = L'\0';
	in->len = in->cur = n;
}

void
input_history_prev(struct input *in)
{
	if (in->hpos == 0)
		return;
	if (in->hpos == in->nhist) {
		free(in->draft);
		in->draft = wcsdup(in->buf);	/* NULL on no memory: the draft is lost */
	}
	in->hpos--;
	load(in, in->hist[in->hpos]);
}

void
input_history_next(struct input *in)
{
	if (in->hpos >= in->nhist)
		return;
	in->hpos++;
	if (in->hpos == in->nhist) {
		load(in, in->draft);
		free(in->draft);
		in->draft = NULL;
	} else
		load(in, in->hist[in->hpos]);
}

static void
remember(struct input *in)
{
	wchar_t	*copy;

	if (in->len == 0 ||
	    (in->nhist > 0 && wcscmp(in->hist[in->nhist - 1], in->buf) == 0))
		return;
	if ((copy = wcsdup(in->buf)) == NULL)
		return;
	if (in->nhist == INPUT_HISTORY) {
		free(in->hist[0]);
		memmove(in->hist, in->hist + 1, (INPUT_HISTORY - 1) * sizeof(in->hist[0]));
		in->nhist--;
	}
	in->hist[in->nhist++] = copy;
}

long
input_take(struct input *in, char *dst, size_t cap)
{
	mbstate_t	 st;
	const wchar_t	*src = in->buf;
	size_t		 n;

	memset(&st, 0, sizeof(st));
	n = wcsrtombs(dst, &src, cap, &st);
	if (n == (size_t)-1 || src != NULL)
		return -1;	/* unconvertible, or does not fit */
	remember(in);
	free(in->draft);
	in->draft = NULL;
	in->hpos = in->nhist;
	load(in, NULL);
	return (long)n;
}
