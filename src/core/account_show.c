/*
 * A client's account change made visible: ACCOUNT to the peers that follow accounts
 * (account-notify), and user mode +r.  See account_show.h.
 */
#include "core/account_show.h"
#include "core/cap.h"
#include "core/client.h"
#include "core/core.h"
#include "core/msg.h"
#include "core/peer.h"
#include "core/reply.h"

/* +r follows cl->account; the MODE line only once cl is registered. */
static void
account_show_mode(struct core *core, struct client *cl)
{
	bool	logged_in = cl->account[0] != '\0';

	if (logged_in == !!(cl->flags & CLIENT_MODE_REGISTERED))
		return;
	cl->flags ^= CLIENT_MODE_REGISTERED;
	if (cl->state == CLIENT_REGISTERED)
		send_fmt(core, cl, ":%s MODE %s :%cr", cl->nick, cl->nick,
		    logged_in ? '+' : '-');
}

void
account_show_changed(struct core *core, struct client *cl)
{
	char	line[MSG_BODY_MAX + 1];
	char	prefix[CLIENT_PREFIX_MAX];
	size_t	len;

	if (cl->state == CLIENT_REGISTERED) {
		client_prefix(cl, prefix, sizeof(prefix));
		len = format_msg(line, sizeof(line), prefix, "ACCOUNT", 1,
		    cl->account[0] != '\0' ? cl->account : "*");
		send_peers_caps(core, cl, true, CAP_BIT(CAP_ACCOUNT_NOTIFY), 0, line,
		    len);
		if (core->cluster != NULL && cl->local)
			peer_send_account(core, cl);
	}
	account_show_mode(core, cl);
}

void
account_show_registered(struct core *core, struct client *cl)
{
	if (cl->flags & CLIENT_MODE_REGISTERED)
		send_fmt(core, cl, ":%s MODE %s :+r", cl->nick, cl->nick);
}
