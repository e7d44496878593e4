#ifndef PARLEY_CORE_CLIENT_H
#define PARLEY_CORE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cap.h"
#include "core/config.h"
#include "core/list.h"
#include "core/records.h"
#include "core/timer.h"
#include "core/vec.h"

/*
 * Clients: a user of the network, its nick in the nick table, registration and leaving.
 */
struct core;
struct multiline;
struct account_flow;
struct sasl_session;
struct cluster_node;

#define CLIENT_NICK_MAX		CONFIG_NICKLEN_MAX	/* the configured limits sit below */
#define CLIENT_USER_MAX		CONFIG_USERLEN_MAX
#define CLIENT_HOST_MAX		CONFIG_HOST_MAX

enum client_state {
	CLIENT_UNREGISTERED,
	CLIENT_REGISTERED,
};

#define CLIENT_PASS_OK		0x01	/* PASS matched, or no password configured */
#define CLIENT_HAS_USER		0x02	/* USER received */
#define CLIENT_CAP_HOLD		0x04	/* CAP negotiation holds registration */
#define CLIENT_MODE_INVISIBLE	0x10	/* +i */
#define CLIENT_MODE_WALLOPS	0x20	/* +w */
#define CLIENT_MODE_OPER	0x40	/* +o: an IRC operator (OPER only) */
#define CLIENT_MODE_SNOTICE	0x80	/* +s: receives server notices */
#define CLIENT_SECURE		0x100	/* connected over TLS (WHOIS 671) */
#define CLIENT_MODE_BOT		0x200	/* +B: marked as a bot (IRCv3 bot-mode) */
/* Accounts (account_show.h). */
#define CLIENT_MODE_REGISTERED	0x400	/* +r: logged in to an account; the server's */
/* Multiclient (session.h). */
#define CLIENT_SESSION		0x800	/* a connection attached to another client, its user */
#define CLIENT_HOLLOW		0x1000	/* a user whose own connection is gone */
#define CLIENT_NICK_PENDING	0x2000	/* its nick is a user's, not in the nick table */
#define CLIENT_AUTO_AWAY	0x4000	/* always-on: away since its last connection went */
#define CLIENT_WEBIRC		0x100000 /* a WEBIRC gateway named its address (h-ops) */
#define CLIENT_CERTFP_MAX	64	/* a SHA-256 fingerprint in hex */

#define CLIENT_UID_MAX		84	/* "node/id": CLUSTER_NODE_MAX, '/', 20 digits */

/*
 * A user of the network.  A remote client (another node's: local false, node set,
 * conn 0) has no connection, and every send skips it; nothing of a connection (timers,
 * flood, jobs, sessions) ever holds one.
 */
struct client {
	uint64_t		 conn;		/* the driver's connection id */
	bool			 local;
	enum client_state	 state;
	unsigned		 flags;
	capset			 caps;		/* CAP_BIT(enum cap) for each one enabled */
	unsigned		 cap_version;	/* highest CAP LS version given (302) */
	char			 nick[CLIENT_NICK_MAX + 1];	/* "" until NICK */
	char			 user[CLIENT_USER_MAX + 1];
	char			 host[CLIENT_HOST_MAX + 1];
	char			 certfp[CLIENT_CERTFP_MAX + 1];	/* TLS client cert; "" */
	char			 account[ACCOUNT_NAME_MAX + 1];	/* logged in to; "" */
	char			*realname;
	struct vec		 channels;	/* struct member *, one per channel joined */

	struct list		 all;		/* core->clients */
	struct list		 timer;		/* on core->timers[timer_kind] */
	enum client_timer	 timer_kind;
	int64_t			 timer_since;	/* when it joined that FIFO */
	int64_t			 last_active;	/* last line received */
	uint64_t		 seen;		/* broadcast serial: sent once per event */
	char			*away;		/* AWAY message; NULL when present */
	int64_t			 signon;	/* wall clock seconds at connect (WHOIS 317) */
	int64_t			 last_message;	/* last PRIVMSG/NOTICE sent, for idle time */
	int64_t			 flood_clock;	/* flood.c: penalty clock */
	struct list		 flood_queue;	/* delayed lines (struct flood_line) */
	size_t			 flood_bytes;	/* their size as received */
	struct list		 flood_link;	/* on core->flooded while lines wait */
	struct vec		 monitoring;	/* monitor.c: struct monitor_target * */
	struct list		 jobs;		/* job.c: its jobs in flight */
	unsigned		 oper_failures;	/* failed OPERs in a row (flood cost) */
	uint64_t		 id;		/* unique in this core's life: invites */
	struct vec		 list_entries;	/* b/e/I entries it set that still exist */
	/* h-proto (issue 20) */
	struct vec		 silences;	/* silence.c: char * masks (SILENCE) */
	int64_t			 knock_at;	/* cmd_knock.c: its last KNOCK; 0: none */
	struct multiline	*multiline;	/* multiline.c: its open batch, or NULL */
	struct vec		 metadata;	/* metadata.c: its keys */
	struct vec		 metadata_subs;	/* metadata.c: char * keys subscribed */
	/* nickown.c: its nick is another account's, on core->nick_grace since then */
	struct list		 grace;
	int64_t			 grace_since;
	/* accounts: the flow in progress (account_flow.c: one at a time, as lines wait
	 * behind its jobs), failed logins in a row (flood cost), a SASL exchange */
	struct account_flow	*flow;
	unsigned		 login_failures;
	struct sasl_session	*sasl;
	/* multiclient (session.h): on a session, the user it speaks for (NULL once that
	 * is gone); on a user, its sessions (struct client *) */
	struct client		*parent;
	struct vec		 sessions;
	int64_t			 gone_since;	/* always-on: wall ms its last one went; 0 */
	/* cluster (peer.h): the node it is on (NULL: this one), its network id ("" on a
	 * single server and before registration), when its nick was taken (wall s) */
	struct cluster_node	*node;
	char			 uid[CLIENT_UID_MAX + 1];
	int64_t			 nick_ts;
};

/* A new client for connection conn from host; NULL out of memory.  client_free() frees
 * it without telling anyone. */
struct client	*client_new(struct core *core, uint64_t conn, const char *host,
		    int64_t now);
void		 client_free(struct core *core, struct client *cl);
/* "nick!user@host" into buf (size >= CLIENT_PREFIX_MAX). */
#define CLIENT_PREFIX_MAX	(CLIENT_NICK_MAX + CLIENT_USER_MAX + CLIENT_HOST_MAX + 3)
const char	*client_prefix(const struct client *cl, char *buf, size_t cap);
/* The server cl is on, for WHOIS and WHO: this one's name, or its node's (peer.h). */
const char	*client_server(const struct core *core, const struct client *cl);
/* The nick for numerics: the nick, or "*" before NICK. */
const char	*client_name(const struct client *cl);
/* Take nick as cl's nick in the nick table.  Returns 0, or -1 out of memory. */
int		 client_set_nick(struct core *core, struct client *cl, const char *nick);
/* Registered cl takes nick: the peers and cl see NICK, watchers follow.  Returns 0,
 * or -1 out of memory (cl keeps its nick). */
int		 client_rename(struct core *core, struct client *cl, const char *nick);
/* The client with that nick (any case), or NULL. */
struct client	*client_find(struct core *core, const char *nick);
/*
 * Take cl off the network: peers sharing a channel see QUIT :reason (once each), cl
 * leaves every channel and the nick table, and is freed.  With error set, cl first gets
 * "ERROR :Closing Link: host (reason)" and the driver is told to close the connection.
 */
void		 client_exit(struct core *core, struct client *cl, const char *reason,
		    bool error);
/* Complete cl's registration once it has a nick, USER, the password and no CAP hold:
 * the welcome burst, its watchers told, operators noticed.  Otherwise nothing; a wrong
 * password exits cl ("Bad password"). */
void		 client_register(struct core *core, struct client *cl, int64_t now);

#endif
