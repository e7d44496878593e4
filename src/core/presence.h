#ifndef PARLEY_CORE_PRESENCE_H
#define PARLEY_CORE_PRESENCE_H

/*
 * Always-on users in the store (session.h): their presence is written when the last
 * connection goes and when the server stops, dropped when they leave for good, and
 * put back at start (core_restore_presence, server.h).  Store failures are logged.
 */
struct core;
struct client;

/* Keep user cl's presence (nick, channels, away) in the store. */
void	presence_save(struct core *core, const struct client *cl);
/* Drop user cl's account's presence from the store. */
void	presence_forget(struct core *core, const struct client *cl);
/* The server stops: keep every always-on user's presence as it is now. */
void	presence_shutdown(struct core *core);

#endif
