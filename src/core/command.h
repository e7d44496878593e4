#ifndef PARLEY_CORE_COMMAND_H
#define PARLEY_CORE_COMMAND_H

#include <stdint.h>

#include "core/core.h"

/*
 * The verb table.  Each command says which registration state it runs in and how many
 * parameters it needs, so no handler re-checks either.
 */
struct channel;

typedef void	command_fn(struct core *core, struct client *cl, struct msg *m,
		    int64_t now);

#define CMD_UNREGISTERED	0x01	/* allowed before registration */
#define CMD_REGISTERED		0x02	/* allowed after registration */
#define CMD_ANY			(CMD_UNREGISTERED | CMD_REGISTERED)

struct command {
	const char	*verb;		/* upper case */
	command_fn	*fn;
	unsigned	 min_params;
	unsigned	 flags;
	unsigned	 cost;		/* flood cost in lines (flood.h), at least 1 */
};

/* Run m's command for cl: check its registration state and parameter count (421, 451,
 * 462, 461 otherwise), count it for STATS m, charge its flood cost, call its handler. */
void		 command_dispatch(struct core *core, struct client *cl, struct msg *m,
		    int64_t now);
/* Split the comma-separated list at *s (modified in place): the next non-empty item, or
 * NULL at the end. */
char		*command_next_item(char **s);
/* The verb table (sorted) and its length; core->command_counts follows its order. */
const struct command *command_table(size_t *n);
/* h-proto: HELP's text for verb (any case): the usage line, then what it does, lines
 * split on '\n'; NULL when there is none.  Static storage. */
const char	*command_help(const char *verb);

/* cmd_register.c */
command_fn	cmd_pass, cmd_nick, cmd_user, cmd_quit, cmd_ping, cmd_pong;
/* cap.c */
command_fn	cmd_cap;
/* history: cmd_chathistory.c, cmd_markread.c, cmd_redact.c */
command_fn	cmd_chathistory, cmd_markread, cmd_redact;
/* cmd_message.c */
command_fn	cmd_privmsg, cmd_notice, cmd_tagmsg;
/* cmd_channel.c */
command_fn	cmd_join, cmd_part, cmd_topic, cmd_names, cmd_mode;
/* The CHANNEL_* bit of a flag mode letter (i, m, n, s, t, C, P...), or 0. */
unsigned	cmd_mode_flag(char letter);
/* cluster (peer.h): a channel MODE change another node applied, with remote cl as its
 * source, applied here without an authority check and shown to the local members. */
void		cmd_mode_peer(struct core *core, struct client *cl, struct channel *ch,
		    struct msg *m, int64_t now);
/* cmd_kick.c */
command_fn	cmd_kick, cmd_invite;
/* cmd_oper.c */
command_fn	cmd_oper, cmd_kill, cmd_wallops, cmd_rehash, cmd_die, cmd_restart;
/* cmd_query.c */
command_fn	cmd_motd, cmd_lusers, cmd_who, cmd_list, cmd_whois, cmd_whowas;
/* cmd_info.c */
command_fn	cmd_map;	/* cluster_query.c */
command_fn	cmd_version, cmd_time, cmd_admin, cmd_info, cmd_stats, cmd_links,
		cmd_users, cmd_summon, cmd_ison, cmd_userhost;
/* cmd_away.c */
command_fn	cmd_away;
/* Tell cl's peers that negotiated away-notify, and its watchers; text NULL: back. */
void		cmd_away_notify(struct core *core, struct client *cl, const char *text);
/* cmd_setname.c */
command_fn	cmd_setname;
/* monitor.c */
command_fn	cmd_monitor;
/* h-proto: cmd_help.c, cmd_knock.c, silence.c */
command_fn	cmd_help, cmd_knock, cmd_silence, cmd_rename;
/* h-proto: multiline.c, metadata.c */
command_fn	cmd_batch, cmd_metadata;
/* services.c: NICKSERV (NS), CHANSERV (CS) */
command_fn	cmd_nickserv, cmd_chanserv;
/* cmd_account.c (REGISTER), cmd_sasl.c */
command_fn	cmd_register_account, cmd_verify;
command_fn	cmd_authenticate;
/* cmd_webirc.c (h-ops) */
command_fn	cmd_webirc;

#endif
