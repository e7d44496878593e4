#ifndef PARLEY_STORE_JETSTREAM_H
#define PARLEY_STORE_JETSTREAM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <nats/nats.h>

#include "core/casemap.h"
#include "core/job.h"
#include "store/store.h"

/*
 * Inside the JetStream backend (store_jetstream.h): the open store, shared by its
 * files, each of which runs some of the jobs.  Every function runs on the store
 * thread (or before it starts), the only user of the connection's handles.
 */
enum jetstream_bucket {
	JS_ACCOUNTS,	/* folded name -> account_rec, certificates, account_opts */
	JS_CERTS,	/* fingerprint -> the account's key */
	JS_CHANNELS,	/* folded name -> chanreg_rec and its entries */
	JS_MARKERS,	/* account.target -> a read marker's time */
	JS_PRESENCE,	/* account -> presence_rec */
	JS_BUCKETS
};

#define JS_NAME_MAX	128	/* a bucket's or stream's name */
#define JS_KEY_MAX	1024	/* names in hex, two of them for a marker */

struct jetstream_history;

struct store {
	natsConnection			*nc;
	jsCtx				*js;
	kvStore				*kv[JS_BUCKETS];
	struct jetstream_history	*history;	/* jetstream_history.c */
	int64_t				 wait;		/* ms, for every request */
	char				 node[JS_NAME_MAX];	/* this server: an
							   always-on user's owner */
	atomic_int			 puberr;	/* appends the server refused,
							   counted on the client's thread */
	enum casemapping		 cm;		/* how names are keyed */
};

/* A NATS status as a job's: not found -ENOENT; anything else (the server is not
 * there, did not answer, refused) -EIO: nothing was written. */
int	jetstream_status(natsStatus s);

/* Whether the connection is up now: a batch fails at once, rather than waiting for a
 * timeout per job, while the client reconnects. */
bool	jetstream_connected(const struct store *st);

/*
 * The buckets' values (jetstream_kv.c): an account with its certificates and its
 * choices; a channel with its entries.  created orders load as SQLite's row ids do:
 * the revision a record was first written at, carried over by every update.
 */
struct jetstream_account {
	struct account_rec	 a;
	bool			 has_opts;	/* SET_OPTS was run */
	struct account_opts	 o;
	int64_t			 created;
};

struct jetstream_channel {
	struct chanreg_rec	 c;
	struct chanreg_entry	*e;		/* n entries, in the order added */
	size_t			 n;
	int64_t			 created;
};

/* The value of a bucket's key: 0 with *rev and the record (a channel's entries
 * allocated: free(ch->e)), -ENOENT, -ENOMEM or -EIO. */
int	jetstream_account_get(struct store *st, const char *key,
	    struct jetstream_account *acc, uint64_t *rev);
int	jetstream_channel_get(struct store *st, const char *key,
	    struct jetstream_channel *ch, uint64_t *rev);
/* The records from an entry's bytes, as above (created: the entry's revision when
 * the value does not say). */
int	jetstream_account_decode(const char *p, size_t len, uint64_t rev,
	    struct jetstream_account *acc);
int	jetstream_channel_decode(const char *p, size_t len, uint64_t rev,
	    struct jetstream_channel *ch);
/* A presence and the node that wrote it last (owner, JS_NAME_MAX bytes). */
void	jetstream_presence_decode(const char *p, size_t len, struct presence_rec *rec,
	    char *owner);
int64_t	jetstream_marker_time(kvEntry *e);
/* A name's key: its fold under the store's casemapping, in hex (dst of JS_KEY_MAX). */
void	jetstream_key(const struct store *st, char *dst, const char *name);

/*
 * Every entry of bucket b (deleted keys skipped), to fn(arg, entry) in the stream's
 * order; the first nonzero return stops the walk and is returned.  0, or -EIO.
 */
int	jetstream_walk(struct store *st, enum jetstream_bucket b,
	    int (*fn)(void *arg, kvEntry *e), void *arg);

/* jetstream_kv.c: the buckets' jobs (accounts, certificates, channels and their
 * entries, markers, presences, options): the job's status. */
int	jetstream_kv_job(struct store *st, struct job *job);
/* jetstream_channel.c: CHANNEL_* (and ACCOUNT_DROP's channels): the status. */
int	jetstream_channel_job(struct store *st, struct job *job);
/* Delete every channel founded by the account of folded key akey: 0 or -EIO. */
int	jetstream_channel_drop_founded(struct store *st, const char *founder);
/*
 * Writes (jetstream_kv.c).  Each returns once JetStream acknowledged it: the ack
 * comes after the server has written the entry to its file storage, so a status of
 * 0 means it is on disk.  create fails with -EEXIST when the key has a value (the
 * compare-and-set that makes a name impossible to register twice, from any node);
 * update with -EAGAIN when the key changed since revision rev (read again and retry,
 * JS_TRIES times at most).  -EIO otherwise.
 */
#define JS_TRIES	8
struct jc_buf;
int	jetstream_kv_create(struct store *st, enum jetstream_bucket b, const char *key,
	    const struct jc_buf *v);
int	jetstream_kv_update(struct store *st, enum jetstream_bucket b, const char *key,
	    const struct jc_buf *v, uint64_t rev);
int	jetstream_kv_delete(struct store *st, enum jetstream_bucket b, const char *key);

/* jetstream_load.c: load's walk of the buckets: accounts, channels, entries, options, presences,
 * markers, each only if v has a visitor for it.  0, -EIO, or the visitor's stop. */
int	jetstream_load(struct store *st, const struct store_visitor *v, void *arg);

/* jetstream_history.c: the stream and this node's index of it. */
struct jetstream_history *jetstream_history_open(struct store *st, const char *stream,
			    const char *index, int64_t max_age, char *err, size_t errlen);
void			 jetstream_history_close(struct jetstream_history *h);
/* A history job (JOB_HISTORY_*): its status, except an append's, which is known
 * once jetstream_history_acked returns. */
int			 jetstream_history_job(struct jetstream_history *h,
			    struct job *job);
/* Wait for the acknowledgements of every append since the last call and set those
 * jobs' status: 0 only when JetStream has stored each line. */
void			 jetstream_history_acked(struct jetstream_history *h);
/* Take in what the consumer delivered meanwhile, without waiting (each batch). */
void			 jetstream_history_poll(struct jetstream_history *h);

#endif
