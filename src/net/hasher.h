#ifndef PARLEY_NET_HASHER_H
#define PARLEY_NET_HASHER_H

#include <sys/types.h>

#include <stdbool.h>

#include "core/job.h"

/*
 * The password jobs (JOB_PASSWORD_HASH, JOB_PASSWORD_CHECK) run in a process of their
 * own: argon2id maps, fills and unmaps tens of MiB per hash, and in the server's own
 * address space every unmapping stalls the loop thread's page faults and interrupts it
 * with TLB shootdowns.  Each job worker (jobs.c) keeps one hasher child, spawned on its
 * first password job: /proc/self/exe run anew with argv[0] HASHER_ARGV0 and its end of a
 * socketpair on HASHER_FD.  The worker writes a struct hasher_req and blocks for the
 * struct hasher_rep; the child exits at EOF, when the worker closes its end.
 */
#define HASHER_ARGV0	"parleyd-hash"
#define HASHER_FD	3	/* the child's end of the stream socketpair */

/* One request, the same size whatever the kind. */
struct hasher_req {
	enum job_kind		kind;	/* JOB_PASSWORD_HASH or JOB_PASSWORD_CHECK */
	struct job_password	in;
};

/* Its answer: job_run's status and result. */
struct hasher_rep {
	int			status;
	bool			password_ok;	/* JOB_PASSWORD_CHECK */
	struct account_rec	hashed;		/* JOB_PASSWORD_HASH: pwhash, scram_* */
};

/* A worker's child: none while pid is 0.  Waited for through pidfd (-1: by pid), so
 * that a pid the fork model's hub reaped first and reused is never waited for. */
struct hasher {
	pid_t	pid;
	int	pidfd;
	int	fd;
};

/* Whether a job of kind goes to a hasher child rather than job_run() in the thread. */
#define HASHER_KIND(kind) \
	((kind) == JOB_PASSWORD_HASH || (kind) == JOB_PASSWORD_CHECK)

/* A worker's hasher with no child yet. */
void	hasher_init(struct hasher *h);

/* Run job (HASHER_KIND) in h's child, spawning it first when there is none; a child
 * found dead before it took the job is replaced once.  Sets job->status and result as
 * job_run() would, or job->status -EIO when no child ran it (the child died running
 * it, or none could be spawned).  Blocks: a worker thread's call. */
void	hasher_run(struct hasher *h, struct job *job);

/* End h's child (EOF, then wait for it) and forget it. */
void	hasher_stop(struct hasher *h);

/*
 * The child's main: serve requests on HASHER_FD until EOF, confined.  Returns only
 * when the invocation is not hasher_run's (no socket on HASHER_FD): 2, with a line on
 * stderr.
 */
int	hasher_main(int argc, char **argv);

#endif
