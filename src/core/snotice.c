/*
 * Server notices to operators who set user mode +s.
 */
#include <stdarg.h>
#include <stdio.h>

#include "core/client.h"
#include "core/core.h"
#include "core/reply.h"
#include "core/snotice.h"

void
snotice_send(struct core *core, const struct client *except, const char *fmt, ...)
{
	char		 text[MSG_BODY_MAX];
	struct list	*n;
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (n = core->clients.next; n != &core->clients; n = n->next) {
		struct client	*cl = list_entry(n, struct client, all);

		if (cl == except || !(cl->flags & CLIENT_MODE_SNOTICE))
			continue;
		send_fmt(core, cl, ":%s NOTICE %s :*** Notice -- %s", core->cfg.server_name,
		    cl->nick, text);
	}
}
