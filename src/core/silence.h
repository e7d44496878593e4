#ifndef PARLEY_CORE_SILENCE_H
#define PARLEY_CORE_SILENCE_H

#include <stdbool.h>

/*
 * SILENCE: a client's list of nick!user@host masks whose private messages, notices,
 * TAGMSGs and invites it does not want.  Channel messages are not filtered: that would
 * cost a check per recipient of every channel message.
 */
struct client;

#define SILENCE_MAX	32	/* masks one client may hold (ISUPPORT SILENCE) */

/* Whether to has silenced from.  A length test unless to holds a list. */
bool	silence_blocks(const struct client *to, const struct client *from);
/* Free cl's list (client_free). */
void	silence_clear(struct client *cl);

#endif
