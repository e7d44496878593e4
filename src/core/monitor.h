#ifndef PARLEY_CORE_MONITOR_H
#define PARLEY_CORE_MONITOR_H

/*
 * MONITOR (IRCv3): clients watch nicks and hear when they come online (730) or go
 * offline (731).  core->monitors maps each watched nick (casemapped) to the clients
 * watching it, and client->monitoring lists what a client watches, so an event costs
 * one lookup and one message per watcher, never a scan of all clients.
 */
#include <stddef.h>

#include "core/cap.h"

struct core;
struct client;

/* cl has just registered or taken a new nick: its watchers get 730 nick!user@host. */
void	monitor_online(struct core *core, struct client *cl);
/* cl is leaving the network (or giving up its nick): watchers of cl's current nick
 * get 731 nick, except cl itself. */
void	monitor_offline(struct core *core, struct client *cl);
/* extended-monitor: after send_peers_caps() sent cl's line (AWAY, SETNAME...) to the
 * peers with the capabilities `with`, the watchers of cl's nick that negotiated
 * extended-monitor and `with` and have not had it get it too.  Registered cl only. */
void	monitor_notify(struct core *core, struct client *cl, capset with,
	    const char *line, size_t len);
/* Add nick to cl's list, silently.  Returns 0 (also when it was there), or -1 out of
 * memory. */
int	monitor_add(struct core *core, struct client *cl, const char *nick);
/* The i-th nick of cl's list (i < cl->monitoring.len). */
const char *monitor_nick(const struct client *cl, size_t i);
/* Empty cl's watch list (MONITOR C, and when cl is freed). */
void	monitor_clear(struct core *core, struct client *cl);

#endif
