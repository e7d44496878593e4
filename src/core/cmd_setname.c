/*
 * SETNAME (IRCv3 setname): change one's realname.  Accepted with or without the
 * capability, as the specification asks; the SETNAME message itself goes only to
 * clients that negotiated it, the sender included.
 */
#include <stdlib.h>
#include <string.h>

#include "core/cap.h"
#include "core/client.h"
#include "core/command.h"
#include "core/monitor.h"
#include "core/peer.h"
#include "core/reply.h"

void
cmd_setname(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*name = m->params[0];
	char		 line[MSG_BODY_MAX + 1];
	char		 prefix[CLIENT_PREFIX_MAX];
	char		*copy;
	size_t		 len;

	(void)now;
	/* Too long is refused, not cut: the client must know what others see. */
	if (name[0] == '\0' || strlen(name) > core->cfg.namelen) {
		send_standard(core, cl, "FAIL", "SETNAME", "INVALID_REALNAME", NULL,
		    "Realname is not valid");
		return;
	}
	if ((copy = strdup(name)) == NULL) {
		send_standard(core, cl, "FAIL", "SETNAME", "CANNOT_CHANGE_REALNAME", NULL,
		    "Out of memory, try again");
		return;
	}
	free(cl->realname);
	cl->realname = copy;
	len = format_msg(line, sizeof(line), client_prefix(cl, prefix, sizeof(prefix)),
	    "SETNAME", 1, copy);
	send_peers_caps(core, cl, true, CAP_BIT(CAP_SETNAME), 0, line, len);
	monitor_notify(core, cl, CAP_BIT(CAP_SETNAME), line, len);
	if (core->cluster != NULL)
		peer_send_setname(core, cl);
}
