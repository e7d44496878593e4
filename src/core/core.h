#ifndef PARLEY_CORE_CORE_H
#define PARLEY_CORE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/history.h"
#include "core/list.h"
#include "core/map.h"
#include "core/msg.h"
#include "core/out.h"
#include "core/server.h"	/* struct core_stats */
#include "core/tags.h"
#include "core/throttle.h"
#include "core/timer.h"
#include "core/vec.h"
#include "core/whowas.h"

/*
 * The core's state, shared by its modules; each module's own header declares its
 * functions (client.h, channel.h, reply.h...).  Nothing outside src/core includes this
 * header: drivers see only core/server.h.
 */
struct client;
struct cluster;

#define ISUPPORT_LINES		4
#define CORE_COMMANDS_MAX	64	/* verbs counted for STATS m (command.c's table) */

struct core {
	struct core_config	 cfg;
	char			*motd;		/* owned copy of cfg.motd */
	struct core_oper	*opers;		/* owned copy of cfg.opers */
	struct core_webirc	*webircs;	/* owned copy of cfg.webircs */
	struct core_stats	 counted;	/* stats.c: the counters of core_stats */
	struct core_out		 out;
	struct map		 nicks;		/* folded nick -> struct client */
	struct map		 channels;	/* folded name -> struct channel */
	struct list		 clients;	/* every client, by connect order */
	size_t			 nclients;
	size_t			 nregistered;
	size_t			 max_registered;	/* highest nregistered seen */
	struct list		 timers[TIMER_KINDS];
	uint64_t		 serial;
	uint64_t		 client_ids;	/* the last struct client id given */
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
	struct tags_event	 tags;		/* this event's outgoing tags (tags.c) */
	struct map		 monitors;	/* nick -> its watchers (monitor.c) */
	uint64_t		 job_serial;	/* the last job's id (job.c) */
	struct client		*running;	/* whose command runs (command.c); NULL
						   once that client is freed meanwhile */
	size_t			 running_bytes;	/* what send_line queued for it */
	/* multiclient (session.h): the session whose command runs on core->running, and
	 * how many sessions are attached */
	struct client		*session;
	size_t			 nsessions;
	struct map		 account_opts;	/* folded name -> struct account_opts * */
	struct map		 accounts;	/* folded name -> registered name (account.c) */
	struct list		 nick_grace;	/* clients in their nick's grace (nickown.c) */
	struct list		 chanregs;	/* registered channels (chanreg.c) */
	/* accounts: failed logins (account_flow.c), registrations per address, and the
	 * secret with the counter of its stream (secret.c; from core_new's config) */
	struct throttle		 fail_accounts;
	struct throttle		 fail_hosts;
	struct throttle		 register_hosts;
	uint8_t			 secret[32];
	uint64_t		 secret_counter;
	struct history_state	 history;	/* lines for the store (history.c) */
	struct cluster		*cluster;	/* peer.h: NULL on a single server */
};

/* server.c: parse and dispatch one line, after flood control let it through. */
void	core_line_run(struct core *core, struct client *cl, char *line, size_t len,
	    int64_t now);

/* Texts more than one command family shows. */
#define QUERY_ELIST	"CMNTU"	/* LIST filters: creation time, channel masks, negated
				   masks, topic time, user counts */

/* The wall clock in seconds, from the driver's last core_clock(). */
int64_t	core_wall_seconds(const struct core *core, int64_t now);

#endif
