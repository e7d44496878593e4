#ifndef PARLEY_CORE_SESSION_H
#define PARLEY_CORE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cap.h"

/*
 * Several connections, one user (multiclient).  A connection that registers logged in
 * to an account whose user is already on the network attaches to that user as a
 * session: a struct client of its own for the connection's state (caps, labels, flood,
 * its queue), flagged CLIENT_SESSION, outside the nick table and the channels.  The
 * user's commands from it run on the user (session_target); replies to them go to that
 * connection only, and everything else the user receives goes to all its connections
 * (reply.c).  When the user's own connection goes while sessions remain, the user is
 * hollow (CLIENT_HOLLOW): it stays on the network, its sessions speak for it.
 */
struct core;
struct client;
struct channel;

/* The client a command `verb` from cl acts on: its user for a session's command, cl
 * itself for cl's own and for the per-connection verbs (CAP, PING, QUIT...). */
struct client	*session_target(struct client *cl, const char *verb);
/* Called as cl registers, logged in to an account: attach it to the account's user
 * when multiclient allows (its welcome, the user's channels and nick follow) and
 * return true; or refuse it when the account has its maximum of connections (cl
 * exits, true).  False: cl registers as a user of its own. */
bool		 session_attach(struct core *core, struct client *cl, int64_t now);
/* cl, not registered, asks for nick, which other holds: when other is a user logged in
 * to an account and multiclient is on, cl has it as a pending nick (outside the nick
 * table) and true is returned; false: the nick is in use. */
bool		 session_nick_pending(struct core *core, struct client *cl,
		    const struct client *other, const char *nick);
/* At registration, when cl did not attach: a pending nick becomes cl's when free
 * (true), else cl is told 433 and waits for another NICK (false).  True without one. */
bool		 session_nick_settle(struct core *core, struct client *cl);
/* client_exit's first step.  A session leaves alone (its user too, when that was the
 * user's last connection); a user with sessions loses only its own connection.  True
 * when that was done and cl must not exit as a user. */
bool		 session_exit(struct core *core, struct client *cl, const char *reason,
		    bool error);
/* KILL: user leaves the network with every connection, always-on or not. */
void		 session_kill_user(struct core *core, struct client *user,
		    const char *reason);
/* KILL target by oper when target is a connection's number (WHOIS 320): that one
 * connection is told and closed, and true is returned (401 when there is none).  False:
 * target is not a number. */
bool		 session_kill_conn(struct core *core, struct client *oper,
		    const char *target, const char *comment);
/* Close every session of user (ERROR :reason); the user itself is left as it is. */
void		 session_end(struct core *core, struct client *user, const char *reason);
/* An account is dropped: each of its sessions is closed (a hollow user leaves with
 * its last one).  Its users themselves are for the caller to log out. */
void		 session_account_gone(struct core *core, const char *account);
/* client_free's part: cl leaves its user's sessions, or its sessions lose it. */
void		 session_forget(struct core *core, struct client *cl);
/* The user cl took a new nick: its sessions follow. */
void		 session_nick_follow(struct client *cl);
/* What cl, the user whose command runs, sent is shown to its other connections with
 * the capabilities in `with` (the self-message convention). */
void		 session_echo(struct core *core, struct client *cl, capset with,
		    const char *line, size_t len);
/* The capabilities that apply to a line for cl: those of the connection whose command
 * runs on cl, else cl's own. */
capset		 session_caps(const struct core *core, const struct client *cl);
/* The connection a line for cl answers: the session whose command runs on cl, else
 * cl.  session_by_id(): user's session with that id (client.h's id), or NULL. */
struct client	*session_asker(const struct core *core, struct client *cl);
struct client	*session_by_id(struct client *user, uint64_t id);
/* Until session_only_end(), lines for cl go to cl's own connection alone, as replies
 * do (a loop over an account's connections, each its own line). */
struct session_saved {
	struct client	*running;
	struct client	*session;
};
void		 session_only(struct core *core, struct client *cl,
		    struct session_saved *saved);
void		 session_only_end(struct core *core, const struct session_saved *saved);
/* How many connections speak for user cl. */
size_t		 session_conns(const struct client *cl);
/* session_missed.c: s, a new session of always-on user, asks for no history: its
 * private conversations since the user was left alone come after the burst. */
void		 session_missed(struct core *core, struct client *user, struct client *s,
		    int64_t now);
/* session_opts.c: whether multiclient and always-on apply to account (its own choice
 * from NickServ SET, else the server's setting). */
bool		 session_multiclient(const struct core *core, const char *account);
bool		 session_always_on_for(const struct core *core, const char *account);
/* NickServ SET which value, for logged-in cl: false when which is neither MULTICLIENT
 * nor ALWAYS-ON; else true, once a notice or the store job is on its way. */
bool		 session_opts_set(struct core *core, struct client *cl, const char *which,
		    const char *value, int64_t now);
/* The account is dropped: its choices go.  _clear(): all of them (core_free). */
void		 session_opts_forget(struct core *core, const char *account);
void		 session_opts_clear(struct core *core);
/* User cl, whose command runs, joined ch: its other connections, which saw the JOIN,
 * get the topic and names too. */
void		 session_joined(struct core *core, struct client *cl, struct channel *ch);
/* WHOIS: the user's connections, for the user itself and operators. */
void		 session_whois(struct core *core, struct client *viewer,
		    struct client *who);

#endif
