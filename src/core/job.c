/*
 * Jobs: the work the core hands off the loop (job.h), and the core's record of whom
 * each job in flight is for (job_owner.h).  job_run() is the only function here that
 * may run on another thread; it reads and writes the job alone.
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client.h"
#include "core/core.h"
#include "core/job_owner.h"
#include "core/job_password.h"
#include "core/reply.h"
#include "core/server.h"
#include "core/session.h"

/* A job as the core allocates it: the driver's part first, the core's after it. */
struct job_owned {
	struct job	 job;
	struct list	 link;		/* on owner->jobs; unlinked once ownerless */
	struct client	*owner;		/* NULL once it went */
	bool		 core_owned;	/* job_new_core: for the core itself */
	job_done_fn	*done;
	char		 label[JOB_LABEL_MAX + 1];
	char		 reply_label[sizeof(((struct tags_event *)0)->label)];	/* IRCv3 */
	uint64_t	 session;	/* multiclient: the asking session's id; 0 */
};

static struct job_owned *
job_owned(struct job *job)
{
	return (struct job_owned *)(void *)job;
}

/* Does password hash to hash?  Compares every byte so the time says nothing.  Returns
 * 0 with *ok set, or -ENOMEM. */
static int
job_crypt_check(const struct job_crypt_check *in, bool *ok)
{
	struct crypt_data	*data;
	const char		*out;
	size_t			 len = strlen(in->hash);
	unsigned char		 diff = 0;

	*ok = false;
	/* struct crypt_data is 32 KiB: too much for a worker's stack. */
	if ((data = calloc(1, sizeof(*data))) == NULL)
		return -ENOMEM;
	out = crypt_rn(in->password, in->hash, data, sizeof(*data));
	if (out != NULL && out[0] != '*' && strlen(out) == len) {
		for (size_t i = 0; i < len; i++)
			diff |= (unsigned char)(out[i] ^ in->hash[i]);
		*ok = diff == 0;
	}
	explicit_bzero(data, sizeof(*data));
	free(data);
	return 0;
}

void
job_run(struct job *job)
{
	switch (job->kind) {
	case JOB_CRYPT_CHECK:
		job->status = job_crypt_check(&job->in.crypt_check, &job->result.crypt_ok);
		break;
	case JOB_PASSWORD_HASH:
		job_password_hash(job);
		break;
	case JOB_PASSWORD_CHECK:
		job_password_check(job);
		break;
	default:
		/* A store's job reaches job_run only where there is no store. */
		job->status = -ENOSYS;
		break;
	}
}

/* What a history job holds behind its pointers. */
static void
job_free_lines(struct job *job)
{
	struct job_lines	*l = NULL;

	if (job->kind == JOB_HISTORY_APPEND)
		l = &job->in.append;
	else if (job->kind == JOB_HISTORY_QUERY || job->kind == JOB_HISTORY_TARGETS)
		l = &job->result.lines;
	if (job->kind == JOB_HISTORY_PRUNE) {
		free(job->in.prune.channels);
		job->in.prune.channels = NULL;
		job->in.prune.nchannels = 0;
	}
	if (l == NULL)
		return;
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
job_free(struct job *job)
{
	if (job == NULL)
		return;
	job_free_lines(job);
	list_del(&job_owned(job)->link);
	explicit_bzero(&job->in, sizeof(job->in));
	free(job_owned(job));
}

struct job *
job_new(struct core *core, struct client *cl, enum job_kind kind, job_done_fn *done,
    const char *label)
{
	struct job_owned	*o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->job.id = ++core->job_serial;
	o->job.conn = cl->conn;
	o->job.kind = kind;
	o->owner = cl;
	o->done = done;
	snprintf(o->label, sizeof(o->label), "%s", label);
	/* multiclient: the result answers the session that asked, when it still is. */
	if (session_asker(core, cl) != cl)
		o->session = session_asker(core, cl)->id;
	/* labeled-response: the reply comes with the result, under the command's label. */
	tags_label_take(core, session_asker(core, cl), o->reply_label,
	    sizeof(o->reply_label));
	list_add_tail(&cl->jobs, &o->link);
	return &o->job;
}

struct job *
job_new_core(struct core *core, enum job_kind kind, job_done_fn *done)
{
	struct job_owned	*o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->job.id = ++core->job_serial;
	o->job.kind = kind;
	o->core_owned = true;
	o->done = done;
	list_init(&o->link);
	return &o->job;
}

void
job_submit(struct core *core, struct job *job, int64_t now)
{
	if (core->out.job != NULL && core->out.job(core->out.ctx, job) == 0)
		return;
	job_run(job);
	core_job_done(core, job, now);
}

bool
job_pending(const struct client *cl)
{
	const struct client	*owner = cl->parent != NULL ? cl->parent : cl;
	uint64_t		 asker = cl->parent != NULL ? cl->id : 0;

	for (const struct list *n = owner->jobs.next; n != &owner->jobs; n = n->next)
		if (list_entry(n, struct job_owned, link)->session == asker)
			return true;
	return false;
}

void
job_orphan(struct client *cl)
{
	struct job_owned	*o;

	while (!list_empty(&cl->jobs)) {
		o = list_entry(cl->jobs.next, struct job_owned, link);
		list_del(&o->link);
		o->owner = NULL;
	}
}

void
core_job_done(struct core *core, struct job *job, int64_t now)
{
	struct job_owned	*o = job_owned(job);
	struct client		*cl = o->owner, *s;
	struct client		*running = core->running, *session = core->session;

	if (o->core_owned) {
		o->done(core, NULL, job, o->label, now);
		job_free(job);
		return;
	}
	if (cl == NULL) {
		core_log(core, PLOG_DEBUG, "conn %llu: job %llu done after its client went",
		    (unsigned long long)job->conn, (unsigned long long)job->id);
		job_free(job);
		return;
	}
	list_del(&o->link);
	o->owner = NULL;
	/* done may free cl (a result that disconnects it): the job is already its own,
	 * and the tag event forgets a freed requester (tags_forget). */
	s = o->session != 0 ? session_by_id(cl, o->session) : NULL;
	tags_event_label(core, s != NULL ? s : cl, o->reply_label, now);
	if (s != NULL) {
		core->running = cl;
		core->session = s;
	}
	o->done(core, cl, job, o->label, now);
	if (s != NULL) {
		core->running = running;
		core->session = session;
	}
	tags_event_end(core);
	job_free(job);
}
