#ifndef PARLEY_CORE_CONFUSABLE_H
#define PARLEY_CORE_CONFUSABLE_H

#include <stdbool.h>

struct client;
struct core;

/*
 * Confusable nicks under rfc8265 (casemap_utf8.h): a nick whose UTS #39 skeleton is
 * another client's nick's, or a service's, is taken, as ergo does.  Each client with a nick in the nick
 * table keeps its skeleton in core->skeletons.  Under rfc1459 none of this runs.
 */

/* Open ICU's checker for an rfc8265 core.  Returns 0, or -1 (out of memory, or ICU
 * without its data). */
int	confusable_init(struct core *core);
void	confusable_free(struct core *core);

/* Whether nick looks like the nick of a client other than cl (433). */
bool	confusable_taken(struct core *core, const struct client *cl, const char *nick);

/* cl's nick is in the nick table now: keep its skeleton (out of memory: it is not
 * kept, and only the protection is lost). */
void	confusable_track(struct core *core, struct client *cl);
/* cl's nick leaves the nick table: drop its skeleton. */
void	confusable_forget(struct core *core, struct client *cl);

#endif
