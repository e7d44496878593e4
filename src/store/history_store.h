#ifndef PARLEY_STORE_HISTORY_STORE_H
#define PARLEY_STORE_HISTORY_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/job.h"

/*
 * The history jobs (core/job.h, core/history_rec.h) as every backend runs them
 * (history_sel.c): a query's selector becomes one or two ranges of a conversation,
 * which the backend reads.  Lines are ordered by (time, id).
 */
struct history_key {
	int64_t	time;
	int64_t	id;
};

/* What a backend gives history_sel_query. */
struct history_backend {
	/* The key of the line msgid in q's conversation: 0, -ENOENT, or -EIO. */
	int	(*find)(void *arg, const struct history_query *q, const char *msgid,
		    struct history_key *key);
	/* Append to out (room for limit more) the lines of q's conversation with
	 * lo < key < hi: the first limit of them, or the last limit when backward;
	 * oldest first either way.  0 or -EIO. */
	int	(*range)(void *arg, const struct history_query *q, struct history_key lo,
		    struct history_key hi, unsigned limit, bool backward,
		    struct job_lines *out);
};

/* Whether r belongs to q's conversation (and q's reader may read it). */
bool	history_sel_match(const struct history_query *q, const struct history_rec *r);

/* Run JOB_HISTORY_QUERY's q through the backend into out (allocated here, freed with
 * the job).  0, -ENOENT (no such msgid), -ENOMEM or -EIO. */
int	history_sel_query(const struct history_query *q, const struct history_backend *b,
	    void *arg, struct job_lines *out);

/* Sort a TARGETS result latest first and cut it to limit. */
void	history_sel_targets_sort(struct job_lines *out, unsigned limit);

/* The memory backend's history (history_memory.c), inside store_memory's store. */
struct history_memory;
struct history_memory	*history_memory_new(void);
void			 history_memory_free(struct history_memory *h);
/* Run a history job (JOB_HISTORY_*, JOB_MARKER_SET): its status; -ENOSYS for others. */
int			 history_memory_job(struct history_memory *h, struct job *job);
/* Visit every read marker (v->marker; NULL: none visited).  0 or the visitor's stop. */
struct store_visitor;
int			 history_memory_load(struct history_memory *h,
			    const struct store_visitor *v, void *arg);

#endif
