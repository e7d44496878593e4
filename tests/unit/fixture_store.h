#ifndef PARLEY_TESTS_FIXTURE_STORE_H
#define PARLEY_TESTS_FIXTURE_STORE_H

#include <stddef.h>

#include "core/job.h"
#include "store/store.h"

/*
 * A store backend driven by hand, for tests/unit/test_store*.c: one backend's store
 * open on a fresh temporary directory per test (cmocka's setup and teardown, the
 * backend as the test's state), and helpers that fill one job, run it alone and
 * return its status.
 */

/* One backend under test, and the store it has open. */
struct fs_backend {
	const struct store_ops	*ops;
	char			 dir[64];	/* a temporary directory for the file */
	char			 path[96];	/* the store's file in it */
	struct store		*st;
	/* Open it, when a path is not enough (NULL: ops->open(path)). */
	struct store		*(*open)(struct fs_backend *b, char *err, size_t errlen);
};

extern struct fs_backend	fs_memory;
extern struct fs_backend	fs_sqlite;
/* JetStream (store_jetstream.h) on a nats-server this process starts on a loopback
 * port with a temporary storage directory, the first time it is asked for, and kills
 * (by its pid) when the process exits; each test a network of its own, so fresh
 * buckets and stream, and its history index in the test's directory. */
extern struct fs_backend	fs_jetstream;
/* A node's store on the network of the last fs_jetstream opened (whose node is "a"),
 * its history index on the file index ("": in memory).  NULL with a reason in err. */
struct store	*fs_jetstream_peer(const char *node, const char *index, char *err,
		    size_t errlen);
/* Stop the nats-server (SIGTERM, waited for); start it again on the same port and
 * storage.  0 or -1. */
int		 fs_nats_stop(void);
int		 fs_nats_start(void);
/* Send the nats-server sig (SIGSTOP: there but not answering, once stopped, on
 * return; SIGCONT).  0 or -1. */
int		 fs_nats_signal(int sig);
/* Put value under key in the test network's bucket parley_NETWORK_suffix, straight
 * through a connection of its own (what a node stopped half-way leaves): 0 or -1. */
int		 fs_nats_put(const char *suffix, const char *key, const char *value);

/* cmocka setup and teardown: open the backend (*state) on a new directory; close it
 * and remove the directory with the store's files (fs_remove alone). */
int	fs_setup(void **state);
int	fs_teardown(void **state);
void	fs_remove(struct fs_backend *b);

/* The job the helpers fill and run, one at a time: its result stays for the test. */
extern struct job	fs_job;

/* fs_job, cleared, of kind, with a status run must replace. */
struct job	*fs_job_of(enum job_kind kind);
/* Run job alone in b's store; its status. */
int	fs_run(struct fs_backend *b, struct job *job);
/* A job whose input is in.name (GET, BY_CERT, the DROPs); its status. */
int	fs_by_name(struct fs_backend *b, enum job_kind kind, const char *name);
/* A full account record, every field set from name so that a test tells them apart. */
void	fs_account_fill(struct account_rec *a, const char *name);
int	fs_create(struct fs_backend *b, const char *name);
/* CERT_ADD or CERT_DEL. */
int	fs_cert(struct fs_backend *b, enum job_kind kind, const char *account,
	    const char *certfp);
/* A full channel record: topic "the topic of NAME", limit 10, key "key", modes 0x15. */
void	fs_chanreg_fill(struct chanreg_rec *c, const char *name, const char *founder);
int	fs_chan_register(struct fs_backend *b, const char *name, const char *founder);
/* ENTRY_ADD or ENTRY_DEL, set by "op!u@h". */
int	fs_entry(struct fs_backend *b, enum job_kind kind, const char *channel, char k,
	    const char *mask);

/*
 * load, written out into fs_loaded: "a NAME" per account, "c NAME FOUNDER LIMIT TOPIC"
 * per channel, "e CHANNEL KIND MASK SETTER" per entry, one a line.  fs_load returns it;
 * the visitors append to it.
 */
extern char				fs_loaded[4096];
extern const struct store_visitor	fs_visitor;
const char	*fs_load(struct fs_backend *b);
int		 fs_visit_account(void *arg, const char *name);
int		 fs_visit_channel(void *arg, const struct chanreg_rec *c);
int		 fs_visit_entry(void *arg, const struct chanreg_entry *e);
int		 fs_visit_presence(void *arg, const struct presence_rec *p);
int		 fs_visit_opts(void *arg, const struct account_opts *o);

#endif
