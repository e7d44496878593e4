/*
 * The JetStream backend (store_jetstream.h): the connection, the buckets and the
 * stream, and a batch of jobs run against them.  A bucket or stream is named from the
 * network (parley_NETWORK_accounts, ..., parley_NETWORK_history), so that networks
 * can share one NATS; JetStream keeps each in file storage.
 *
 * There is no transaction across keys: each write is its own compare-and-set, and a
 * job's status 0 means JetStream acknowledged its every write, which it does once its
 * file storage holds them.  A batch's appends are acknowledged together at its end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/jetstream.h"
#include "store/store_jetstream.h"

static const char *const bucket_suffix[JS_BUCKETS] = {
	[JS_ACCOUNTS] = "accounts",
	[JS_CERTS] = "certs",
	[JS_CHANNELS] = "channels",
	[JS_MARKERS] = "markers",
	[JS_PRESENCE] = "presence",
};

#define JS_WAIT_DEFAULT		2000	/* ms */
#define JS_APPENDS_IN_FLIGHT	65536	/* history lines published, not yet acked */

/* parley_NETWORK_suffix; a name NATS does not allow has its other bytes as '_'. */
static void
js_name(char *dst, size_t cap, const char *network, const char *suffix)
{
	snprintf(dst, cap, "parley_%s_%s", network, suffix);
	for (char *p = dst; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			*p = '_';
}

/* The client's report of an append the server refused (on the client's thread). */
static void
js_puberr(jsCtx *js, jsPubAckErr *pae, void *closure)
{
	struct store	*st = closure;

	(void)js, (void)pae;
	atomic_fetch_add(&st->puberr, 1);
}

static int
js_bucket(struct store *st, enum jetstream_bucket b, const char *network, char *err,
    size_t errlen)
{
	char		name[JS_NAME_MAX];
	kvConfig	c;
	natsStatus	s;

	js_name(name, sizeof(name), network, bucket_suffix[b]);
	if ((s = js_KeyValue(&st->kv[b], st->js, name)) == NATS_NOT_FOUND) {
		kvConfig_Init(&c);
		c.Bucket = name;
		c.History = 1;
		c.StorageType = js_FileStorage;
		s = js_CreateKeyValue(&st->kv[b], st->js, &c);
	}
	if (s != NATS_OK) {
		st->kv[b] = NULL;
		snprintf(err, errlen, "bucket %s: %s", name, natsStatus_GetText(s));
		return -1;
	}
	return 0;
}

static void
js_close(struct store *st)
{
	if (st == NULL)
		return;
	jetstream_history_close(st->history);
	for (int b = 0; b < JS_BUCKETS; b++)
		kvStore_Destroy(st->kv[b]);
	jsCtx_Destroy(st->js);
	natsConnection_Destroy(st->nc);
	free(st);
}

struct store *
store_jetstream_open(const struct store_jetstream_conf *c, char *err, size_t errlen)
{
	char		 name[JS_NAME_MAX];
	struct store	*st;
	jsOptions	 o;
	natsStatus	 s;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	atomic_init(&st->puberr, 0);
	st->wait = c->wait > 0 ? c->wait : JS_WAIT_DEFAULT;
	snprintf(st->node, sizeof(st->node), "%s", c->node != NULL ? c->node : "");
	if ((s = natsConnection_Connect(&st->nc, c->nats)) != NATS_OK) {
		snprintf(err, errlen, "nats: %s", natsStatus_GetText(s));
		goto fail;
	}
	jsOptions_Init(&o);
	o.Wait = st->wait;
	/* A batch's appends all in flight at once (the core holds up to 4096 lines
	 * for one), rather than stalling for acks every 4,000: the client's default. */
	o.PublishAsync.MaxPending = JS_APPENDS_IN_FLIGHT;
	o.PublishAsync.StallWait = st->wait;
	o.PublishAsync.ErrHandler = js_puberr;
	o.PublishAsync.ErrHandlerClosure = st;
	if ((s = natsConnection_JetStream(&st->js, st->nc, &o)) != NATS_OK) {
		snprintf(err, errlen, "nats: JetStream: %s", natsStatus_GetText(s));
		goto fail;
	}
	for (int b = 0; b < JS_BUCKETS; b++)
		if (js_bucket(st, b, c->network, err, errlen) == -1)
			goto fail;
	js_name(name, sizeof(name), c->network, "history");
	if ((st->history = jetstream_history_open(st, name, c->index, c->history_max_age,
	    err, errlen)) == NULL)
		goto fail;
	return st;
fail:
	js_close(st);
	return NULL;
}

static bool
js_is_history(enum job_kind kind)
{
	return kind >= JOB_HISTORY_APPEND && kind <= JOB_HISTORY_RENAME;
}

static int64_t
js_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * NATS away (the client reconnects meanwhile), or there but not answering (a job
 * failed after waiting as long as a request may): the batch's jobs fail at once, as
 * a broken disk's would, rather than each after its own timeout.
 */
static void
js_run(struct store *st, struct job **jobs, size_t n)
{
	bool	down = !jetstream_connected(st);
	int64_t	t0;

	if (!down)
		jetstream_history_poll(st->history);
	for (size_t i = 0; i < n; i++) {
		if (down) {
			jobs[i]->status = -EIO;
			continue;
		}
		t0 = js_ms();
		jobs[i]->status = js_is_history(jobs[i]->kind) ?
		    jetstream_history_job(st->history, jobs[i]) :
		    jetstream_kv_job(st, jobs[i]);
		down = jobs[i]->status == -EIO && (!jetstream_connected(st) ||
		    js_ms() - t0 >= st->wait);
	}
	jetstream_history_acked(st->history);
}

static int
js_load(struct store *st, const struct store_visitor *v, void *arg)
{
	return jetstream_load(st, v, arg);
}

/* casemap's walk: every key what cm folds its record's name to. */
struct keyed {
	struct store		*st;
	enum jetstream_bucket	 b;
	char			*err;
	size_t			 errlen;
};

static int
js_key_check(void *arg, kvEntry *e)
{
	struct keyed			*k = arg;
	struct jetstream_account	*acc;
	struct jetstream_channel	 ch;
	char				 key[JS_KEY_MAX], name[CONFIG_CHANNELLEN_MAX + 1];
	int				 rc;

	if (k->b == JS_ACCOUNTS) {
		if ((acc = malloc(sizeof(*acc))) == NULL)
			return -ENOMEM;
		rc = jetstream_account_decode(kvEntry_Value(e),
		    (size_t)kvEntry_ValueLen(e), 0, acc);
		snprintf(name, sizeof(name), "%s", acc->a.name);
		free(acc);
	} else {
		rc = jetstream_channel_decode(kvEntry_Value(e),
		    (size_t)kvEntry_ValueLen(e), 0, &ch);
		snprintf(name, sizeof(name), "%s", ch.c.name);
		free(ch.e);
	}
	if (rc != 0)
		return rc;
	jetstream_key(k->st, key, name);
	if (strcmp(key, kvEntry_Key(e)) == 0)
		return 0;
	snprintf(k->err, k->errlen, "%s was kept under another casemapping than %s: keep "
	    "the casemapping it was written with", name,
	    k->st->cm == CASEMAP_RFC8265 ? "rfc8265" : "rfc1459");
	return -EINVAL;
}

/* Keys under cm from now on, if every account and channel already is. */
static int
js_casemap(struct store *st, enum casemapping cm, char *err, size_t errlen)
{
	enum casemapping	was = st->cm;
	struct keyed		k = { st, JS_ACCOUNTS, err, errlen };
	int			rc;

	st->cm = cm;
	if ((rc = jetstream_walk(st, JS_ACCOUNTS, js_key_check, &k)) == 0) {
		k.b = JS_CHANNELS;
		rc = jetstream_walk(st, JS_CHANNELS, js_key_check, &k);
	}
	if (rc == 0)
		return 0;
	if (rc != -EINVAL)
		snprintf(err, errlen, "%s", strerror(-rc));
	st->cm = was;
	return -1;
}

static int
js_backup(struct store *st, const char *file, char *err, size_t errlen)
{
	(void)st, (void)file;
	snprintf(err, errlen, "--backup: the store is NATS JetStream; back up its streams "
	    "with NATS's tools (nats stream backup, or nats account backup)");
	return -ENOTSUP;
}

const struct store_ops store_jetstream = {
	"jetstream", NULL, js_run, js_load, js_backup, js_close, js_casemap
};
