#ifndef PARLEY_CORE_SERVICES_H
#define PARLEY_CORE_SERVICES_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The built-in services, NickServ and ChanServ: pseudo-clients that are not in the nick
 * table but whose nicks nobody may take.  A user talks to them with PRIVMSG or with the
 * NICKSERV/NS and CHANSERV/CS commands; they answer with NOTICEs from
 * "NickServ!NickServ@services.<server name>".  Each service is a table of subcommands
 * (struct service_cmd), which its HELP reads too.
 */
struct core;
struct client;

#define SERVICES_ARGS_MAX	8	/* words a subcommand line is split into */
/* Flood costs in lines, by command or PRIVMSG: NickServ may hash a password. */
#define SERVICES_NICKSERV_COST	4
#define SERVICES_CHANSERV_COST	2

/* One subcommand line, split into words: argv[0] is the subcommand. */
struct service_args {
	unsigned	 argc;
	char		*argv[SERVICES_ARGS_MAX];
};

typedef void	service_fn(struct core *core, struct client *cl,
		    const struct service_args *a, int64_t now);

struct service_cmd {
	const char	*name;		/* upper case */
	service_fn	*fn;
	unsigned	 min_args;	/* words after the name */
	const char	*syntax;	/* the arguments, for HELP and a missing one */
	const char	*help;		/* one line */
};

struct service {
	const char			*nick;
	const struct service_cmd	*cmds;
	unsigned			 ncmds;
	unsigned			 cost;	/* flood cost of a line to it */
};

extern const struct service nickserv;	/* nickserv.c */
extern const struct service chanserv;	/* chanserv.c */

/* Whether nick (any case) is a service's: NICK refuses it with 433. */
bool	services_reserved(const char *nick);

/* PRIVMSG to target: when target is a service, run text as its command and return
 * true; otherwise false, and nothing is sent. */
bool	services_message(struct core *core, struct client *cl, const char *target,
	    const char *text, int64_t now);

/* WHOIS nick: when nick is a service's, send its WHOIS lines (not 318) and return true. */
bool	services_whois(struct core *core, struct client *cl, const char *nick);

/* A NOTICE to cl from service sv.  Lines longer than a message are cut. */
void	services_notice(struct core *core, struct client *cl, const struct service *sv,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "Service!Service@services.<server name>" into buf (CLIENT_PREFIX_MAX bytes). */
const char *services_prefix(const struct core *core, const struct service *sv, char *buf,
	    size_t cap);

#endif
