/*
 * parleyd --upgrade PID (upgrade_cmd.h).  The new process is PID's child until PID
 * exits: a child that appears and goes while PID runs is a failed upgrade.  Once PID
 * has gone, the new process is the one that holds PID's sockets (its listeners, the
 * connections): it may have taken over between two looks, so it is found by them.
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

/* The socket inode fd names ("socket:[N]"), or 0. */
static unsigned long
socket_inode(int dir, const char *fd)
{
	char		 link[64];
	ssize_t		 n;
	unsigned long	 inode = 0;

	if ((n = readlinkat(dir, fd, link, sizeof(link) - 1)) <= 0)
		return 0;
	link[n] = '\0';
	if (sscanf(link, "socket:[%lu]", &inode) != 1)
		return 0;
	return inode;
}

static int
inode_order(const void *a, const void *b)
{
	unsigned long	 x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Call fn for each socket pid (a /proc name) holds, until it returns true.  Whether
 * it did. */
static bool
sockets_each(const char *pid, bool (*fn)(void *, unsigned long), void *arg)
{
	char		 path[300];
	DIR		*d;
	struct dirent	*e;
	unsigned long	 inode;
	bool		 found = false;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	if ((d = opendir(path)) == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && (inode = socket_inode(dirfd(d), e->d_name)) != 0)
			found = fn(arg, inode);
	closedir(d);
	return found;
}

struct inodes {
	unsigned long	*v;
	size_t		 n;
	size_t		 cap;
};

static bool
inode_keep(void *arg, unsigned long inode)
{
	struct inodes	*in = arg;
	unsigned long	*grown;

	if (in->n == in->cap) {
		in->cap = in->cap > 0 ? 2 * in->cap : 64;
		if ((grown = realloc(in->v, in->cap * sizeof(*grown))) == NULL)
			return true;
		in->v = grown;
	}
	in->v[in->n++] = inode;
	return false;
}

static bool
inode_known(void *arg, unsigned long inode)
{
	const struct inodes	*in = arg;

	return bsearch(&inode, in->v, in->n, sizeof(*in->v), inode_order) != NULL;
}

/* The process, other than pid, that holds one of pid's sockets (in), or -1. */
static pid_t
holder(pid_t pid, const struct inodes *in)
{
	DIR		*d;
	struct dirent	*e;
	pid_t		 found = -1, p;

	if ((d = opendir("/proc")) == NULL)
		return -1;
	while (found == -1 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		p = (pid_t)strtol(e->d_name, NULL, 10);
		if (p != pid && sockets_each(e->d_name, inode_known, (void *)in))
			found = p;
	}
	closedir(d);
	return found;
}

/* PID has exited: who took over, said in one line.  0 or 1. */
static int
upgrade_outcome(pid_t pid, const struct inodes *in)
{
	pid_t	 now = holder(pid, in);

	if (now == -1) {
		fprintf(stderr, "parleyd: --upgrade: process %ld exited and no new one "
		    "runs\n", (long)pid);
		return 1;
	}
	printf("parleyd: upgraded: process %ld serves now\n", (long)now);
	return 0;
}

int
upgrade_cmd(pid_t pid)
{
	const struct timespec	 tick = { 0, UPGRADE_CMD_POLL_MS * 1000 * 1000 };
	pid_t			 old[UPGRADE_CMD_KIDS], kid = -1, k;
	size_t			 nold = children(pid, old);
	struct inodes		 in = { NULL, 0, 0 };
	char			 name[32];
	int			 rc = 1;

	snprintf(name, sizeof(name), "%ld", (long)pid);
	(void)sockets_each(name, inode_keep, &in);
	qsort(in.v, in.n, sizeof(*in.v), inode_order);
	if (kill(pid, SIGUSR2) == -1) {
		fprintf(stderr, "parleyd: --upgrade: process %ld: %s\n", (long)pid,
		    strerror(errno));
		free(in.v);
		return 1;
	}
	for (int waited = 0;; waited += UPGRADE_CMD_POLL_MS) {
		if ((k = new_child(pid, old, nold)) != -1)
			kid = k;
		if (!alive(pid)) {
			rc = upgrade_outcome(pid, &in);
			break;
		}
		if (kid != -1 && !alive(kid)) {
			fprintf(stderr, "parleyd: --upgrade: the new process failed; process "
			    "%ld carries on (its log says why)\n", (long)pid);
			break;
		}
		if (waited >= UPGRADE_CMD_WAIT_MS) {
			fprintf(stderr, "parleyd: --upgrade: no upgrade within %d s; process "
			    "%ld carries on (its log says why)\n", UPGRADE_CMD_WAIT_MS / 1000,
			    (long)pid);
			break;
		}
		(void)nanosleep(&tick, NULL);
	}
	free(in.v);
	return rc;
}
