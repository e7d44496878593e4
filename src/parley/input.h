#ifndef PARLEY_CLIENT_INPUT_H
#define PARLEY_CLIENT_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

/*
 * The input line: wide characters, a cursor, and a history of submitted lines.  Pure:
 * no terminal, so every key's effect is unit-tested.
 */

#define INPUT_MAX	1024	/* characters in one input line */
#define INPUT_HISTORY	100	/* lines kept */

struct input {
	wchar_t	 buf[INPUT_MAX + 1];	/* NUL-terminated */
	size_t	 len;
	size_t	 cur;			/* 0..len */
	wchar_t	*hist[INPUT_HISTORY];	/* oldest first, owned */
	size_t	 nhist;
	size_t	 hpos;			/* nhist while editing a new line */
	wchar_t	*draft;			/* the new line, saved while browsing history */
};

void	input_init(struct input *in);
/* Free the history. */
void	input_free(struct input *in);

/* Insert c at the cursor.  Returns false when the line is full. */
bool	input_insert(struct input *in, wchar_t c);
void	input_left(struct input *in);
void	input_right(struct input *in);
void	input_home(struct input *in);
void	input_end(struct input *in);
/* Delete the character before the cursor (Backspace) or under it (Delete). */
void	input_backspace(struct input *in);
void	input_delete(struct input *in);
/* Ctrl-U: delete from the start of the line to the cursor. */
void	input_kill_line(struct input *in);
/* Ctrl-W: delete the word before the cursor and the spaces after it. */
void	input_kill_word(struct input *in);
/* Up and Down: the previous and next line of the history. */
void	input_history_prev(struct input *in);
void	input_history_next(struct input *in);

/*
 * Take the line: convert it to the locale's multibyte form (UTF-8) into dst of size cap,
 * add it to the history (unless empty or equal to the last entry) and clear it.
 * Returns the length, or -1 when it cannot be converted (the line is kept).
 */
long	input_take(struct input *in, char *dst, size_t cap);

#endif
