#ifndef PARLEY_CORE_CONFIG_H
#define PARLEY_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/casemap.h"

#define CONFIG_NAME_MAX		63	/* server and network names */
#define CONFIG_PASSWORD_MAX	127
#define CONFIG_DATE_MAX		63
#define CONFIG_HASH_MAX		255	/* a crypt(3) hash: yescrypt is about 73 bytes */
#define CONFIG_MASK_MAX		127	/* a user@host wildcard mask */
#define CONFIG_CERTFP_MAX	64	/* a SHA-256 fingerprint in lowercase hex */
#define CONFIG_GUEST_PREFIX_MAX	15	/* [accounts] guest_prefix */
#define CONFIG_AUTO_AWAY_MAX	200	/* [accounts] auto_away: AWAYLEN's default */

/* The ceilings the core's state is sized for: a configured nicklen, userlen or
 * channellen above its ceiling is clamped to it, so a configuration file should refuse
 * it.  CONFIG_HOST_MAX holds a client's host (numeric address text). */
#define CONFIG_NICKLEN_MAX	64
#define CONFIG_USERLEN_MAX	64
#define CONFIG_CHANNELLEN_MAX	200
#define CONFIG_HOST_MAX		63

/* An [oper NAME] block: who may become an IRC operator with OPER.  With both a hash
 * and a certfp, OPER needs both; with one, that one alone.  An account adds itself to
 * what OPER needs the same way, and may be the only thing a block asks for. */
struct core_oper {
	char	name[CONFIG_NAME_MAX + 1];
	char	hash[CONFIG_HASH_MAX + 1];	/* crypt(3) hash of the password; "" */
	char	host[CONFIG_MASK_MAX + 1];	/* user@host mask; "" = from anywhere */
	char	certfp[CONFIG_CERTFP_MAX + 1];	/* TLS client certificate; "" = none */
	/* Accounts (account_show.h). */
	char	account[CONFIG_NICKLEN_MAX + 1];	/* logged in to it; "" = none */
};

/* A [webirc NAME] block (h-ops): a web gateway that may name its users' addresses with
 * WEBIRC, from an address host matches, with the password that hashes to hash. */
struct core_webirc {
	char	name[CONFIG_NAME_MAX + 1];
	char	hash[CONFIG_HASH_MAX + 1];	/* crypt(3) hash of the password */
	char	host[CONFIG_MASK_MAX + 1];	/* mask of the gateway's address; "" = any */
};

/*
 * What the core needs to know about the server it runs.  Every default lives in
 * core_config_defaults(); every limit is advertised in ISUPPORT as configured.
 * Times are milliseconds.
 */
struct core_config {
	char		 server_name[CONFIG_NAME_MAX + 1];
	char		 network[CONFIG_NAME_MAX + 1];
	char		 password[CONFIG_PASSWORD_MAX + 1];	/* "" = none */
	char		 created[CONFIG_DATE_MAX + 1];		/* for RPL_CREATED */
	const char	*motd;		/* MOTD text, lines split on LF; NULL = none (422) */
	const struct core_oper *opers;	/* nopers operator blocks; copied like motd */
	size_t		 nopers;
	const struct core_webirc *webircs;	/* nwebircs gateway blocks; copied too */
	size_t		 nwebircs;
	char		 config_file[CONFIG_NAME_MAX + 1];	/* shown by REHASH (382) */
	bool		 allow_die;	/* DIE and RESTART for operators */
	bool		 allow_restart;
	/* ADMIN (256-259): free text, any bytes but control characters. */
	char		 admin_name[CONFIG_PASSWORD_MAX + 1];
	char		 admin_email[CONFIG_PASSWORD_MAX + 1];
	char		 admin_location[CONFIG_PASSWORD_MAX + 1];
	/* h-proto: the server's description (LINKS 364, WHOIS 312, VERSION 351). */
	char		 description[CONFIG_PASSWORD_MAX + 1];

	unsigned	 nicklen;
	unsigned	 channellen;
	unsigned	 topiclen;
	unsigned	 userlen;
	unsigned	 max_channels;	/* channels one user may be in (CHANLIMIT) */
	unsigned	 max_targets;	/* comma-separated targets per PRIVMSG/NOTICE */
	unsigned	 awaylen;	/* AWAY message bytes kept (AWAYLEN) */
	unsigned	 whowas_history;	/* departed nicks WHOWAS remembers */
	unsigned	 max_list;	/* entries per b/e/I list and pending invites (MAXLIST) */
	unsigned	 modes_per_line; /* parameterised changes per MODE (MODES) */
	unsigned	 kicklen;	/* KICK reason bytes kept (KICKLEN) */
	unsigned	 namelen;	/* realname bytes: USER cuts, SETNAME refuses (NAMELEN) */
	unsigned	 monitor_max;	/* nicks one client may MONITOR (MONITOR) */
	bool		 utf8_only;	/* refuse lines that are not UTF-8 (UTF8ONLY) */
	/* How names compare (CASEMAPPING; casemap.h): read by core_new only, since the
	 * name maps are keyed by it; core_configure (SIGHUP) logs a change, keeps it. */
	enum casemapping casemapping;

	/* What one query may cost (issue 22: no amplification).  Over max_matches entries
	 * (WHO with a mask, LIST) or match_work wildcard steps (WHO, LIST), a reply stops
	 * with 416 and its end numeric; WHOWAS lists at most whowas_max entries in all. */
	unsigned	 max_matches;
	unsigned	 whowas_max;
	unsigned	 match_work;
	/* b/e/I entries one client may have set in all channels at once (478 over it). */
	unsigned	 max_list_per_client;

	/* Flood control (flood.h): each line costs flood_interval; flood_burst lines may
	 * run at once (0: no flood control); delayed lines are held up to flood_queue
	 * bytes, then "Excess Flood". */
	unsigned	 flood_burst;
	int64_t		 flood_interval;
	size_t		 flood_queue;
	/* Where msgids start: the program gives each run its own (the time it started),
	 * so msgids stay unique across restarts; read by core_new only. */
	uint64_t	 msgid_seed;
	/* The secret key of the core's name maps (map.h, MAP_KEY_LEN bytes): the driver
	 * fills it with random bytes for each process, so that clients cannot choose
	 * names that collide; tests fill it with a fixed key.  Read by core_new only:
	 * core_configure (SIGHUP) ignores it, the maps keep the key they were made with. */
	uint8_t		 hash_key[16];

	/* IRCv3 STS: the TLS port plaintext clients are sent to (0: no STS offered; the
	 * driver sets it from its first TLS listener), and the policy's lifetime as told
	 * to TLS clients (0: forget any policy kept). */
	unsigned	 sts_port;
	int64_t		 sts_duration;

	/*
	 * accounts (account.h, cmd_account.c, cmd_sasl.c).  Failed logins are counted per
	 * account and per address over a window of accounts_fail_window ms that slides
	 * (each failure counts for one window); at accounts_fail_limit failures in it, a
	 * login is refused without a password check.  secret is the core's key for SASL
	 * nonces and SCRAM's fake salts: the driver fills it with random bytes for each
	 * process, tests with a fixed key; read by core_new only.
	 */
	bool		 accounts_registration;	/* REGISTER (and NickServ's) offered */
	bool		 accounts_email_required;
	unsigned	 accounts_password_min;	/* bytes */
	unsigned	 accounts_argon2_ops;	/* argon2id passes */
	size_t		 accounts_argon2_mem;	/* argon2id memory, bytes */
	unsigned	 accounts_scram_iterations;
	unsigned	 accounts_fail_limit;
	int64_t		 accounts_fail_window;
	uint8_t		 secret[32];

	int64_t		 registration_timeout;	/* connect to welcome */
	int64_t		 ping_interval;		/* idle time before we send PING */
	int64_t		 ping_timeout;		/* PING to missing reply: "Ping timeout" */

	/* Nick ownership (nickown.h): how long a client not logged in to the account
	 * its nick names keeps it (0: NICK to it is refused), and the guest nicks' prefix. */
	int64_t		 nick_grace;
	char		 guest_prefix[CONFIG_GUEST_PREFIX_MAX + 1];

	/* Multiclient (session.h): whether connections logged in to one account share
	 * one user, and how many connections an account may have at once. */
	bool		 accounts_multiclient;
	unsigned	 accounts_max_connections;
	/* Always-on: a logged-in user stays when its last connection goes, away with
	 * accounts_auto_away ("" = not away). */
	bool		 accounts_always_on;
	char		 accounts_auto_away[CONFIG_AUTO_AWAY_MAX + 1];
	/* The store is shared with other servers (a cluster's JetStream): a name this
	 * core does not know may have been registered through another, so logging in
	 * asks the store instead of refusing it unasked.  The driver sets it. */
	bool		 accounts_shared;

	/*
	 * history (history.h, cmd_chathistory.c; docs/history.md).  Kept on the store:
	 * the driver turns it off where there is none.  history_private says which private
	 * lines are kept (CONFIG_HISTORY_PRIVATE_*).
	 */
	bool		 history_enabled;
	int64_t		 history_max_age;	/* ms; 0 = kept forever */
	unsigned	 history_max_lines;	/* per channel; 0 = no cap */
	unsigned	 history_query_max;	/* lines one CHATHISTORY returns (ISUPPORT) */
	unsigned	 history_join_replay;	/* lines on JOIN without chathistory; 0 off */
	unsigned	 history_private;
};

#define CONFIG_HISTORY_PRIVATE_ALL	0	/* every private line */
#define CONFIG_HISTORY_PRIVATE_ACCOUNTS	1	/* only between two logged-in users */
#define CONFIG_HISTORY_PRIVATE_NONE	2	/* none */

/* Fill cfg with parley's defaults (the embedded default configuration). */
void	core_config_defaults(struct core_config *cfg);
/* About the most bytes the welcome burst queues at once for a client registering with
 * nicklen and this MOTD text (NULL: none): a sendq smaller than that cuts off every
 * client as it registers. */
size_t	core_config_welcome_size(unsigned nicklen, const char *motd);

#endif
