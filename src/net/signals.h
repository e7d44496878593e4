#ifndef PARLEY_NET_SIGNALS_H
#define PARLEY_NET_SIGNALS_H

/*
 * SIGTERM, SIGINT, SIGHUP, SIGUSR2 and SIGCHLD as readable events: blocked, then read from a
 * signalfd (non-blocking, close-on-exec) that the event loop watches.  Nothing runs in
 * a signal handler.  Open before any thread exists, so that every thread inherits the
 * mask.
 */

/*
 * Block the five signals and open the signalfd.  Returns the descriptor, or -errno with
 * the mask as it was.  The signals stay blocked after the descriptor is closed:
 * unblocking them would let one that arrived late (a second SIGTERM during shutdown)
 * kill the process on its default action.
 */
int		 signals_open(void);

/* The next pending signal's number from fd, 0 when none is pending, or -errno. */
int		 signals_read(int fd);

/* "SIGTERM", "SIGINT", "SIGHUP", "SIGUSR2", "SIGCHLD", or "unknown". */
const char	*signals_name(int signo);

#endif
