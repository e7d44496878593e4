/*
 * parleyd --upgrade PID (upgrade_cmd.h).  The new process is PID's child until PID
 * exits, so it is found among PID's children, those that were not there before the
 * signal (a fork model's relays).
 */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parleyd/upgrade_cmd.h"

#define UPGRADE_CMD_POLL_MS	20
#define UPGRADE_CMD_KIDS	64	/* children remembered from before the signal */

/* Whether pid runs (a zombie does not). */
static bool
alive(pid_t pid)
{
	char	 path[64], buf[512], *p;
	FILE	*f;
	bool	 zombie = false;

	if (kill(pid, 0) == -1 && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	if (fgets(buf, sizeof(buf), f) != NULL && (p = strrchr(buf, ')')) != NULL)
		zombie = p[1] == ' ' && p[2] == 'Z';
	fclose(f);
	return !zombie;
}

/* The parent of pid, or -1. */
static pid_t
parent_of(const char *pid)
{
	char	 path[300], buf[512], *p;
	FILE	*f;
	long	 ppid = -1;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	/* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
	if (fgets(buf, sizeof(buf), f) != NULL && (p = strrchr(buf, ')')) != NULL &&
	    sscanf(p + 1, " %*c %ld", &ppid) != 1)
		ppid = -1;
	fclose(f);
	return (pid_t)ppid;
}

/* A child of pid other than the old ones, or -1. */
static pid_t
new_child(pid_t pid, const pid_t *old, size_t nold)
{
	DIR		*d;
	struct dirent	*e;
	pid_t		 found = -1, kid;

	if ((d = opendir("/proc")) == NULL)
		return -1;
	while (found == -1 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' || parent_of(e->d_name) != pid)
			continue;
		kid = (pid_t)strtol(e->d_name, NULL, 10);
		found = kid;
		for (size_t i = 0; i < nold; i++)
			if (old[i] == kid)
				found = -1;
	}
	closedir(d);
	return found;
}

/* pid's children now, into old (at most UPGRADE_CMD_KIDS). */
static size_t
children(pid_t pid, pid_t *old)
{
	size_t	 n = 0;
	pid_t	 kid;

	while (n < UPGRADE_CMD_KIDS && (kid = new_child(pid, old, n)) != -1)
		old[n++] = kid;
	return n;
}

int
upgrade_cmd(pid_t pid)
{
	const struct timespec	 tick = { 0, UPGRADE_CMD_POLL_MS * 1000 * 1000 };
	pid_t			 old[UPGRADE_CMD_KIDS], kid = -1, k;
	size_t			 nold = children(pid, old);

	if (kill(pid, SIGUSR2) == -1) {
		fprintf(stderr, "parleyd: --upgrade: process %ld: %s\n", (long)pid,
		    strerror(errno));
		return 1;
	}
	for (int waited = 0; waited < UPGRADE_CMD_WAIT_MS; waited += UPGRADE_CMD_POLL_MS) {
		if ((k = new_child(pid, old, nold)) != -1)
			kid = k;
		if (!alive(pid)) {
			if (kid != -1 && alive(kid)) {
				printf("parleyd: upgraded: process %ld serves now\n", (long)kid);
				return 0;
			}
			fprintf(stderr, "parleyd: --upgrade: process %ld exited and no new "
			    "one runs\n", (long)pid);
			return 1;
		}
		if (kid != -1 && !alive(kid)) {
			fprintf(stderr, "parleyd: --upgrade: the new process failed; process "
			    "%ld carries on (its log says why)\n", (long)pid);
			return 1;
		}
		(void)nanosleep(&tick, NULL);
	}
	fprintf(stderr, "parleyd: --upgrade: no upgrade within %d s; process %ld carries on "
	    "(its log says why)\n", UPGRADE_CMD_WAIT_MS / 1000, (long)pid);
	return 1;
}
