#ifndef PARLEY_CORE_CORE_H
#define PARLEY_CORE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/list.h"
#include "core/map.h"
#include "core/msg.h"
#include "core/out.h"
#include "core/tags.h"
#include "core/vec.h"
#include "core/whowas.h"

/*
 * The core's state, shared by its modules (server.c and the cmd_*.c command families).
 * Nothing outside src/core includes this header: drivers see only core/server.h.
 */

#define CLIENT_NICK_MAX		64	/* hard ceilings; the configured limits sit below */
#define CLIENT_USER_MAX		64
#define CLIENT_HOST_MAX		63
#define CHANNEL_NAME_MAX	200
#define ISUPPORT_LINES		4
#define CORE_COMMANDS_MAX	64	/* verbs counted for STATS m (command.c's table) */

enum client_state {
	CLIENT_UNREGISTERED,
	CLIENT_REGISTERED,
};

/* Which timeout FIFO a client is on (see timer.c). */
enum client_timer {
	TIMER_NONE,
	TIMER_REGISTRATION,	/* connected, not registered yet */
	TIMER_IDLE,		/* registered, waiting for silence */
	TIMER_PING,		/* PING sent, waiting for any reply */
	TIMER_REFUSED,		/* over max_per_address: refused at the next tick */
	TIMER_KINDS,
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
#define CLIENT_CERTFP_MAX	64	/* a SHA-256 fingerprint in hex */

/*
 * A user of the network.  Only local clients exist for now; a remote client (another
 * node's, once clustering comes) has no connection, and every send skips it.
 */
struct client {
	uint64_t		 conn;		/* the driver's connection id */
	bool			 local;
	enum client_state	 state;
	unsigned		 flags;
	uint32_t		 caps;		/* CAP_BIT(enum cap) for each one enabled */
	unsigned		 cap_version;	/* highest CAP LS version given (302) */
	char			 nick[CLIENT_NICK_MAX + 1];	/* "" until NICK */
	char			 user[CLIENT_USER_MAX + 1];
	char			 host[CLIENT_HOST_MAX + 1];
	char			 certfp[CLIENT_CERTFP_MAX + 1];	/* TLS client cert; "" */
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
	bool			 counted;	/* holds a slot of its address's count */
	int64_t			 flood_clock;	/* flood.c: penalty clock */
	struct list		 flood_queue;	/* delayed lines (struct flood_line) */
	size_t			 flood_bytes;	/* their size as received */
	struct list		 flood_link;	/* on core->flooded while lines wait */
	struct vec		 monitoring;	/* monitor.c: struct monitor_target * */
	struct list		 jobs;		/* job.c: its jobs in flight */
	unsigned		 oper_failures;	/* failed OPERs in a row (flood cost) */
};

#define MEMBER_OP	0x01
#define MEMBER_VOICE	0x02

struct member {
	struct client	*client;
	struct channel	*channel;
	unsigned	 modes;
};

#define CHANNEL_NO_EXTERNAL	0x01	/* +n */
#define CHANNEL_TOPIC_LOCK	0x02	/* +t */
#define CHANNEL_MODERATED	0x04	/* +m: only voiced members and ops speak */
#define CHANNEL_INVITE_ONLY	0x08	/* +i */
#define CHANNEL_SECRET		0x10	/* +s: hidden from non-members */
#define CHANNEL_PRIVATE		0x20	/* +p */
#define CHANNEL_KEY_MAX		23	/* +k key bytes kept */

/* One entry of a ban (b), exception (e) or invite-exception (I) list. */
struct channel_entry {
	char	*mask;		/* normalised nick!user@host */
	char	*setter;	/* nick!user@host of who set it */
	int64_t	 time;		/* wall clock, seconds */
};

struct channel {
	char		 name[CHANNEL_NAME_MAX + 1];
	unsigned	 modes;
	char		*topic;		/* NULL when unset */
	char		*topic_setter;	/* nick!user@host */
	int64_t		 topic_time;	/* wall clock, seconds */
	struct vec	 members;	/* struct member * */
	char		 key[CHANNEL_KEY_MAX + 1];	/* +k; "" when unset */
	unsigned	 limit;		/* +l; 0 when unset */
	struct vec	 bans;		/* struct channel_entry * (+b) */
	struct vec	 excepts;	/* (+e) */
	struct vec	 invexes;	/* (+I) */
	struct vec	 invites;	/* folded nicks (char *) INVITEd, until they join */
	int64_t		 created;	/* wall clock seconds (329) */
};

struct core {
	struct core_config	 cfg;
	char			*motd;		/* owned copy of cfg.motd */
	struct core_oper	*opers;		/* owned copy of cfg.opers */
	struct core_out		 out;
	struct map		 nicks;		/* folded nick -> struct client */
	struct map		 channels;	/* folded name -> struct channel */
	struct list		 clients;	/* every client, by connect order */
	size_t			 nclients;
	size_t			 nregistered;
	size_t			 max_registered;	/* highest nregistered seen */
	struct list		 timers[TIMER_KINDS];
	uint64_t		 serial;
	uint64_t		*fanout;	/* send_channel_caps: the receivers of a line */
	size_t			 fanout_cap;
	int64_t			 wall_offset;	/* wall clock ms minus `now` */
	char			 isupport[ISUPPORT_LINES][MSG_BODY_MAX];
	unsigned		 nisupport;
	struct whowas		 whowas;	/* departed and renamed nicks (WHOWAS) */
	int64_t			 started;	/* wall seconds at the first core_clock() */
	bool			 clock_set;
	uint64_t		 command_counts[CORE_COMMANDS_MAX];	/* STATS m */
	struct list		 flooded;	/* clients with delayed lines (flood.c) */
	struct map		 addresses;	/* host -> connections (max_per_address) */
	struct tags_event	 tags;		/* this event's outgoing tags (tags.c) */
	struct map		 monitors;	/* nick -> its watchers (monitor.c) */
	uint64_t		 job_serial;	/* the last job's id (job.c) */
};

/* client.c */
struct client	*client_new(struct core *core, uint64_t conn, const char *host,
		    int64_t now);
void		 client_free(struct core *core, struct client *cl);
/* "nick!user@host" into buf (size >= CLIENT_PREFIX_MAX). */
#define CLIENT_PREFIX_MAX	(CLIENT_NICK_MAX + CLIENT_USER_MAX + CLIENT_HOST_MAX + 3)
const char	*client_prefix(const struct client *cl, char *buf, size_t cap);
/* The nick for numerics: the nick, or "*" before NICK. */
const char	*client_name(const struct client *cl);
/* Take nick as cl's nick in the nick table.  Returns 0, or -1 out of memory. */
int		 client_set_nick(struct core *core, struct client *cl, const char *nick);
struct client	*client_find(struct core *core, const char *nick);
/*
 * Take cl off the network: peers sharing a channel see QUIT :reason (once each), cl
 * leaves every channel and the nick table, and is freed.  With error set, cl first gets
 * "ERROR :Closing Link: host (reason)" and the driver is told to close the connection.
 */
void		 client_exit(struct core *core, struct client *cl, const char *reason,
		    bool error);

/* channel.c */
struct channel	*channel_find(struct core *core, const char *name);
struct channel	*channel_create(struct core *core, const char *name);
struct member	*channel_member(const struct channel *ch, const struct client *cl);
/* Add cl to ch with modes.  Returns the member, or NULL out of memory. */
struct member	*channel_join(struct core *core, struct channel *ch, struct client *cl,
		    unsigned modes);
/* Remove m from its channel and client; the channel is freed once empty. */
void		 channel_part(struct core *core, struct member *m);
/* Free ch if it has no members (a channel exists only while someone is in it). */
void		 channel_free_if_empty(struct core *core, struct channel *ch);
/* The prefix characters for a member's modes ("@", "+" or ""): highest first. */
const char	*channel_prefix(unsigned modes);
/* The prefixes viewer is shown for a member's modes: every one, highest first, when
 * viewer negotiated multi-prefix ("@+"), else the highest only. */
const char	*channel_prefixes(const struct client *viewer, unsigned modes);

/* reply.c: formatting and sending.  Lines are cut to the protocol's 512 bytes. */
void	send_line(struct core *core, struct client *cl, const char *line, size_t len);
void	send_fmt(struct core *core, struct client *cl, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Format a line with CR LF into buf (MSG_BODY_MAX + 1 bytes).  Returns its length. */
size_t	format_line(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ":server NUM nick " followed by fmt. */
void	send_numeric(struct core *core, struct client *cl, const char *num,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Format [":source "] verb params (last one trailing when needed) into a line. */
size_t	format_msg(char *buf, size_t cap, const char *source, const char *verb,
	    unsigned nparams, ...);
/* Send a line to every member of ch except `except` (may be NULL). */
void	send_channel(struct core *core, struct channel *ch, struct client *except,
	    const char *line, size_t len);
/* Send a line once to every client sharing a channel with cl, and to cl if self. */
void	send_peers(struct core *core, struct client *cl, bool self, const char *line,
	    size_t len);
/* The same, only to clients whose capabilities (CAP_BIT) include every bit of with and
 * none of without: e.g. an extended JOIN to those with extended-join, the plain one to
 * the others. */
void	send_channel_caps(struct core *core, struct channel *ch, struct client *except,
	    uint32_t with, uint32_t without, const char *line, size_t len);
void	send_peers_caps(struct core *core, struct client *cl, bool self, uint32_t with,
	    uint32_t without, const char *line, size_t len);
/* An IRCv3 standard reply: ":server KIND COMMAND CODE [CONTEXT] :description", KIND
 * being FAIL, WARN or NOTE; context may be NULL. */
void	send_standard(struct core *core, struct client *cl, const char *kind,
	    const char *command, const char *code, const char *context,
	    const char *description);
void	core_log(struct core *core, enum log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* timer.c: the timeout FIFOs. */
void	timer_set(struct core *core, struct client *cl, enum client_timer kind,
	    int64_t now);
void	timer_activity(struct core *core, struct client *cl, int64_t now);

/* server.c: parse and dispatch one line, after flood control let it through. */
void	core_line_run(struct core *core, struct client *cl, char *line, size_t len,
	    int64_t now);

/* command.c */
void	command_dispatch(struct core *core, struct client *cl, struct msg *m,
	    int64_t now);

/* cmd_register.c */
void	register_try(struct core *core, struct client *cl, int64_t now);

/* cmd_mode.c: channel mode state other commands consult. */
/* Free ch's lists, key and pending invites (channel.c, when the channel dies). */
void	mode_channel_clear(struct channel *ch);
/* True when cl's nick!user@host matches an entry of list (struct channel_entry *). */
bool	mode_list_matches(const struct vec *list, const struct client *cl);
/* True when cl may speak in ch: +n, +m and bans, with voice or op overriding the last two. */
bool	mode_can_send(const struct channel *ch, const struct client *cl);
/* Remember that cl was invited to ch (bounded by max_list).  Returns 0, or -1. */
int	mode_invite_add(struct core *core, struct channel *ch, const struct client *cl);
/* Whether cl has a pending invite to ch; with take set, the invite is used up. */
bool	mode_invite_pending(struct channel *ch, const struct client *cl, bool take);

/* cmd_query.c: the pieces of the welcome burst, also commands of their own. */
#define QUERY_ELIST	"MU"	/* LIST filters: channel masks, user counts */
#define QUERY_SERVER_INFO	"parley IRC server"	/* WHOIS 312, LINKS 364, VERSION 351 */
void	query_lusers(struct core *core, struct client *cl);
void	query_motd(struct core *core, struct client *cl);

/* cmd_info.c: "Sunday November 29 2026 -- 04:05:06 UTC" into buf; returns its length. */
size_t	info_time_string(char *buf, size_t cap, int64_t seconds);
/* a / b rounded toward minus infinity; the date of a day number (days since the epoch). */
int64_t	info_floor_div(int64_t a, int64_t b);
void	info_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* The wall clock in seconds, from the driver's last core_clock(). */
int64_t	core_wall_seconds(const struct core *core, int64_t now);

#endif
