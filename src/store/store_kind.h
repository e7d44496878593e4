#ifndef PARLEY_STORE_STORE_KIND_H
#define PARLEY_STORE_STORE_KIND_H

#include <stdbool.h>

#include "core/job.h"

/*
 * What every backend needs to know about a store job's kind, beside its meaning in
 * core/job.h.
 */

/* Whether a job of kind changes the store (a write: on disk once its status is 0). */
static inline bool
store_kind_writes(enum job_kind kind)
{
	return JOB_IS_STORE(kind) && kind != JOB_ACCOUNT_GET &&
	    kind != JOB_ACCOUNT_BY_CERT && kind != JOB_HISTORY_QUERY &&
	    kind != JOB_HISTORY_TARGETS;
}

#endif
