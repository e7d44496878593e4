#ifndef PARLEY_CORE_JOB_H
#define PARLEY_CORE_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/msg.h"

/*
 * Work the core hands off the loop (core_out.job): computation that takes too long to
 * run between two lines, such as a password hash.  A job has a kind, the connection it
 * is for, an input and a result; job_run() turns the one into the other.
 *
 * Ownership, in order:
 *   1. The core fills a job and passes it to out->job.  From then on the driver owns it.
 *      The core's record of whom it is for shares the allocation, past the fields below,
 *      and is touched on the core's thread alone.
 *   2. The driver calls job_run(job) once, on any thread.  job_run reads the input and
 *      writes the result and status; it touches no core state, so it may run while the
 *      core runs other events on its own thread.
 *   3. The driver passes the job back with core_job_done() on the core's thread, once,
 *      to the core that submitted it; the core frees it.  A driver that goes away with
 *      jobs not handed back frees them with job_free() instead, on the core's thread,
 *      before or after core_free.
 * The driver reads and writes no field but `next`.  The client may have gone between 1
 * and 3 (its connection id may even be in use again): the core then drops the result.
 */
enum job_kind {
	JOB_CRYPT_CHECK,	/* does password hash to hash (crypt(3))? */
};

struct job_crypt_check {
	char	password[MSG_BODY_MAX + 1];
	char	hash[CONFIG_HASH_MAX + 1];
};

struct job {
	uint64_t		 id;	/* from 1, per core: for logs */
	uint64_t		 conn;	/* the connection it is for, as the driver numbers it */
	enum job_kind		 kind;
	union {
		struct job_crypt_check	crypt_check;
	} in;
	union {
		bool			crypt_ok;	/* JOB_CRYPT_CHECK: it matches */
	} result;
	int			 status;	/* job_run: 0, or -errno (-ENOMEM) */
	struct job		*next;	/* the driver's, for its queues; the core ignores it */
};

/* Compute job's result from its input.  Pure computation, safe on any thread. */
void	job_run(struct job *job);

/* Free a job the driver will not hand back (its input is wiped: it may hold a secret). */
void	job_free(struct job *job);

#endif
