#ifndef PARLEY_CORE_ACCOUNT_SHOW_H
#define PARLEY_CORE_ACCOUNT_SHOW_H

/*
 * Where a client's account shows when it changes: the ACCOUNT message to clients with
 * account-notify, and user mode +r.  Everything else reads cl->account where it shows:
 * account-tag (tags.c), extended-join (cmd_channel.c), WHOIS 330 and WHOX %a
 * (cmd_query.c), channel modes +R and +M and the $a extban (channel.c, extban.h), and
 * operator blocks bound to an account (cmd_oper.c).
 */
struct core;
struct client;

/*
 * cl->account has just changed (logged in, logged out): clients sharing a channel with
 * cl, and cl itself, that negotiated account-notify get ":nick!user@host ACCOUNT name"
 * ("*" once logged out), and cl gets +r or -r.  Before cl is registered only the +r
 * flag changes; account_show_registered() then shows it.
 */
void	account_show_changed(struct core *core, struct client *cl);

/* cl has just been welcomed: when it logged in before (SASL), ":nick MODE nick :+r". */
void	account_show_registered(struct core *core, struct client *cl);

#endif
