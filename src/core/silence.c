/*
 * SILENCE [+mask|-mask]: show or edit the caller's silence list (271/272, 511), and
 * the check PRIVMSG, NOTICE, TAGMSG and INVITE make before delivering to a user.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/casemap.h"
#include "core/client.h"
#include "core/command.h"
#include "core/mask.h"
#include "core/reply.h"
#include "core/silence.h"

bool
silence_blocks(const struct client *to, const struct client *from)
{
	char	who[CLIENT_PREFIX_MAX];

	if (to->silences.len == 0)
		return false;
	client_prefix(from, who, sizeof(who));
	for (size_t i = 0; i < to->silences.len; i++)
		if (mask_match(to->silences.items[i], who))
			return true;
	return false;
}

void
silence_clear(struct client *cl)
{
	for (size_t i = 0; i < cl->silences.len; i++)
		free(cl->silences.items[i]);
	vec_clear(&cl->silences);
}

static void
silence_list(struct core *core, struct client *cl)
{
	for (size_t i = 0; i < cl->silences.len; i++)
		send_numeric(core, cl, RPL_SILELIST, "%s %s", cl->nick,
		    (const char *)cl->silences.items[i]);
	send_reply(core, cl, RPL_ENDOFSILELIST, NULL);
}

/* Add (+) or remove (-) one mask; the change is echoed as a SILENCE line. */
static void
silence_edit(struct core *core, struct client *cl, char dir, const char *mask)
{
	char	 norm[CLIENT_PREFIX_MAX], prefix[CLIENT_PREFIX_MAX];
	char	*copy;
	size_t	 i;

	if (mask[0] == '\0' || mask[0] == ':' || strchr(mask, ' ') != NULL)
		return;
	mask_normalize(norm, sizeof(norm), mask);
	for (i = 0; i < cl->silences.len; i++)
		if (casemap_eq(cl->silences.items[i], norm))
			break;
	if (dir == '-') {
		if (i == cl->silences.len)
			return;
		snprintf(norm, sizeof(norm), "%s", (const char *)cl->silences.items[i]);
		free(cl->silences.items[i]);
		vec_remove_at(&cl->silences, i);
	} else {
		if (i < cl->silences.len)
			return;
		if (cl->silences.len >= SILENCE_MAX) {
			send_reply(core, cl, ERR_SILELISTFULL, "%s", norm);
			return;
		}
		if ((copy = strdup(norm)) == NULL || vec_push(&cl->silences, copy) == -1) {
			free(copy);
			send_numeric(core, cl, ERR_UNKNOWNERROR, "SILENCE " NUMERIC_NOMEM);
			return;
		}
	}
	send_fmt(core, cl, ":%s SILENCE %c%s", client_prefix(cl, prefix, sizeof(prefix)),
	    dir, norm);
}

/* SILENCE, SILENCE +mask[,...] or -mask; a mask without a sign is added. */
void
cmd_silence(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	char	*list, *item;

	(void)now;
	if (m->nparams == 0) {
		silence_list(core, cl);
		return;
	}
	list = (char *)m->params[0];
	while ((item = command_next_item(&list)) != NULL) {
		if (item[0] == '+' || item[0] == '-')
			silence_edit(core, cl, item[0], item + 1);
		else
			silence_edit(core, cl, '+', item);
	}
}
