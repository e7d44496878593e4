/*
 * Signals through a signalfd.  A handler could only set a flag and write to a self-pipe;
 * reading the signals as data in the loop needs no handler at all, so nothing ever runs
 * at an unexpected moment.
 */
#include <sys/signalfd.h>

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "net/signals.h"

int
signals_open(void)
{
	sigset_t	 set, old;
	int		 fd, rc;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* An upgrade without dropping anyone (net/upgrade.c). */
	sigaddset(&set, SIGUSR2);
	/* The fork model's children end through the loop too: reaped, never zombies. */
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &old) == -1)
		return -errno;
	if ((fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1) {
		rc = -errno;
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		return rc;
	}
	return fd;
}

int
signals_read(int fd)
{
	struct signalfd_siginfo	 si;
	ssize_t			 n;

	do {
		n = read(fd, &si, sizeof(si));
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	/* The kernel hands out whole records only. */
	if (n != (ssize_t)sizeof(si))
		return -EIO;
	return (int)si.ssi_signo;
}

const char *
signals_name(int signo)
{
	switch (signo) {
	case SIGTERM:
		return "SIGTERM";
	case SIGINT:
		return "SIGINT";
	case SIGHUP:
		return "SIGHUP";
	case SIGCHLD:
		return "SIGCHLD";
	case SIGUSR2:
		return "SIGUSR2";
	default:
		return "unknown";
	}
}
