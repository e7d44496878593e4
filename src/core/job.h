#ifndef PARLEY_CORE_JOB_H
#define PARLEY_CORE_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include <stddef.h>

#include "core/config.h"
#include "core/history_rec.h"
#include "core/msg.h"
#include "core/records.h"

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
	/* Computation, on the worker pool: job_run() computes the result. */
	JOB_CRYPT_CHECK,	/* does password hash to hash (crypt(3))? */
	JOB_PASSWORD_HASH,	/* password -> argon2id string and SCRAM-SHA-256 keys */
	JOB_PASSWORD_CHECK,	/* does password match an argon2id string? */

	/*
	 * The store's (store/store.h), run on the store thread by a store backend, never
	 * by job_run().  status: 0, -ENOENT (no such record), -EEXIST (already there),
	 * -EIO or -ENOSPC (the disk failed: nothing was written), -ENOSYS (no store).  A
	 * write's status 0 means it is on disk.
	 */
	JOB_STORE_FIRST,
	JOB_ACCOUNT_GET = JOB_STORE_FIRST,	/* in.name -> result.account */
	JOB_ACCOUNT_BY_CERT,		/* in.name: a certificate fingerprint -> account */
	JOB_ACCOUNT_CREATE,		/* in.account (-EEXIST) */
	JOB_ACCOUNT_SET_PASSWORD,	/* in.account: name, pwhash and scram_* */
	JOB_ACCOUNT_SET_EMAIL,		/* in.account: name, email */
	JOB_ACCOUNT_VERIFIED,		/* in.account: name; its verify_code is cleared */
	JOB_ACCOUNT_DROP,		/* in.name; its certificates and channels go too */
	JOB_CERT_ADD,			/* in.cert (-EEXIST; -ENOSPC at ACCOUNT_CERTS_MAX) */
	JOB_CERT_DEL,			/* in.cert (-ENOENT) */
	JOB_CHANNEL_REGISTER,		/* in.chanreg (-EEXIST) */
	JOB_CHANNEL_UPDATE,		/* in.chanreg: every field but founder, registered */
	JOB_CHANNEL_DROP,		/* in.name; its entries go too */
	JOB_CHANNEL_ENTRY_ADD,		/* in.entry (-EEXIST) */
	JOB_CHANNEL_ENTRY_DEL,		/* in.entry: channel, kind, mask (-ENOENT) */
	/* history (history_rec.h); the core owns the appends, the clients the rest */
	JOB_HISTORY_APPEND,		/* in.append: the lines, kept in one transaction */
	JOB_HISTORY_QUERY,		/* in.query -> result.lines (-ENOENT: no msgid) */
	JOB_HISTORY_TARGETS,		/* in.targets -> result.lines */
	JOB_HISTORY_REDACT,		/* in.redact (-ENOENT, -EPERM) */
	JOB_HISTORY_PRUNE,		/* in.prune -> result.count */
	JOB_HISTORY_RENAME,		/* in.rename: every line of from is to's */
	JOB_MARKER_SET,			/* in.marker; a time older than the kept one is
					   not kept: result.marker is what is kept (the
					   core has every marker from load at start) */
	/* always-on (session.h): the core owns these */
	JOB_PRESENCE_SET,		/* in.presence: kept, replacing the account's */
	JOB_PRESENCE_DEL,		/* in.name: the account's, if any, goes */
	JOB_ACCOUNT_SET_OPTS,		/* in.opts: replaced (-ENOENT: no account);
					   they go with the account (DROP) */
	JOB_KIND_COUNT
};

/* Whether a job of kind is the store's (run on the store thread) or job_run()'s. */
#define JOB_IS_STORE(kind)	((kind) >= JOB_STORE_FIRST)

struct job_crypt_check {
	char	password[MSG_BODY_MAX + 1];
	char	hash[CONFIG_HASH_MAX + 1];
};

struct job_password {
	char		password[MSG_BODY_MAX + 1];
	char		pwhash[ACCOUNT_PWHASH_MAX + 1];	/* JOB_PASSWORD_CHECK */
	/* JOB_PASSWORD_HASH: the costs, from core_config's accounts settings. */
	uint64_t	argon2_ops;
	uint64_t	argon2_mem;			/* bytes */
	uint32_t	scram_iter;
};

struct job_cert {
	char	account[ACCOUNT_NAME_MAX + 1];
	char	certfp[CONFIG_CERTFP_MAX + 1];
};

/* Records behind a pointer the job owns (job_free frees it). */
struct job_lines {
	struct history_rec	*v;
	size_t			 n;
};

struct job {
	uint64_t		 id;	/* from 1, per core: for logs */
	uint64_t		 conn;	/* the connection it is for, as the driver numbers it */
	enum job_kind		 kind;
	union {
		struct job_crypt_check	crypt_check;
		struct job_password	password;	/* JOB_PASSWORD_* */
		char			name[CONFIG_CHANNELLEN_MAX + 1];
		struct account_rec	account;
		struct job_cert		cert;
		struct chanreg_rec	chanreg;
		struct chanreg_entry	entry;
		struct job_lines	append;		/* JOB_HISTORY_APPEND */
		struct history_query	query;
		struct history_targets	targets;
		struct history_redact	redact;
		struct history_prune	prune;
		struct history_rename	rename;
		struct history_marker	marker;		/* JOB_MARKER_SET */
		struct presence_rec	presence;	/* JOB_PRESENCE_SET */
		struct account_opts	opts;		/* JOB_ACCOUNT_SET_OPTS */
	} in;
	union {
		bool			crypt_ok;	/* JOB_CRYPT_CHECK: it matches */
		bool			password_ok;	/* JOB_PASSWORD_CHECK */
		struct account_rec	hashed;		/* JOB_PASSWORD_HASH: pwhash, scram_* */
		struct account_rec	account;	/* JOB_ACCOUNT_GET, _BY_CERT */
		struct job_lines	lines;		/* JOB_HISTORY_QUERY, _TARGETS:
							   allocated by the store */
		size_t			count;		/* JOB_HISTORY_PRUNE */
		struct history_marker	marker;		/* JOB_MARKER_SET */
	} result;
	int			 status;	/* job_run: 0, or -errno (-ENOMEM) */
	struct job		*next;	/* the driver's, for its queues; the core ignores it */
};

/* Compute job's result from its input.  Pure computation, safe on any thread. */
void	job_run(struct job *job);

/* Free a job the driver will not hand back (its input is wiped: it may hold a secret). */
void	job_free(struct job *job);

#endif
