#ifndef PARLEY_CORE_JOB_OWNER_H
#define PARLEY_CORE_JOB_OWNER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/job.h"

/*
 * The core's side of jobs (job.h): who a job in flight belongs to, and what to do with
 * its result.  A client knows its jobs in flight and a job its client, so that a client
 * that goes (client_free) leaves its jobs ownerless rather than dangling.  While a
 * client has a job in flight its later lines wait (flood.c), so that they run in order
 * after the result, as if the job had run at once.
 */
struct core;
struct client;

/* What to do with a finished job's result; cl is the client it was for, still there
 * (NULL for a job of the core's own, job_new_core). */
typedef void	job_done_fn(struct core *core, struct client *cl, const struct job *job,
		    const char *label, int64_t now);

/* A new job of kind for cl, its input zeroed, or NULL out of memory.  label (at most
 * JOB_LABEL_MAX bytes kept) comes back to done with the result. */
#define JOB_LABEL_MAX	63
struct job	*job_new(struct core *core, struct client *cl, enum job_kind kind,
		    job_done_fn *done, const char *label);

/* A new job of kind for the core itself, owned by no client (history appends): done
 * gets cl NULL.  NULL out of memory. */
struct job	*job_new_core(struct core *core, enum job_kind kind, job_done_fn *done);

/* Run job: on the driver's pool, or here and now when the driver has none or refuses
 * it.  Either way the result reaches done through core_job_done, which frees the job. */
void		 job_submit(struct core *core, struct job *job, int64_t now);

/* Whether cl has a job in flight: one it asked for, as a user from its own connection
 * or as a session (multiclient: the job is its user's). */
bool		 job_pending(const struct client *cl);

/* cl is going: its jobs in flight lose their owner, and their results are dropped. */
void		 job_orphan(struct client *cl);

#endif
