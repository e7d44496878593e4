#ifndef PARLEY_CORE_SNAPSHOT_H
#define PARLEY_CORE_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The core's state as bytes, for an upgrade without dropping anyone (net/upgrade.c):
 * users, channels, memberships, whowas, sessions, timers and flood queues.  Pure: no
 * descriptors, no clock.  What the store holds (accounts, registrations, markers) is
 * not in it: the new process loads that from the store first, as at start, and the
 * snapshot is restored over it.  Versioned: magic, format version and the sizes it was
 * built with; a snapshot of any other version or sizes is refused, never guessed at.
 */
struct core;
struct client;

#define SNAPSHOT_VERSION	1

/* The format's header, for snapshot.c and snapshot_restore.c: the magic, and the sizes
 * (nick, host, channel lengths...) a snapshot was built with. */
#define SNAPSHOT_MAGIC		"parley core snapshot"
#define SNAPSHOT_NSIZES		11
extern const uint64_t	snapshot_sizes[SNAPSHOT_NSIZES];

/* The snapshot of core into *bytes (malloc'd, the caller frees) and *len.  Call between
 * events with no job in flight (the drained server of an upgrade).  Returns 0, or -1
 * out of memory. */
int	core_snapshot(struct core *core, char **bytes, size_t *len);

/* Called once for each local client with a connection that a restore created: conn is
 * the connection id it had, cl its new handle. */
typedef void	(*core_bind_fn)(void *arg, uint64_t conn, struct client *cl);

/*
 * Restore bytes[0 ..< len] into core, which has no client yet (only what the store
 * loaded).  now is the driver's monotonic clock (deadlines in the snapshot are on it).
 * Returns 0, or -1 with a one-line reason in err (a wrong version, truncated or
 * malformed bytes, out of memory); core then holds what was restored so far, to be
 * freed, not run.
 */
int	core_restore_snapshot(struct core *core, const void *bytes, size_t len,
	    int64_t now, core_bind_fn bind, void *arg, char *err, size_t errlen);

#endif
