/*
 * The JetStream store's load (jetstream.h): each bucket read whole by a watcher of
 * every key, whose initial values end with an empty entry.  Accounts and channels are
 * visited in the order they were first written (their created revision), as SQLite's
 * rows are.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/jetstream.h"

int
jetstream_walk(struct store *st, enum jetstream_bucket b,
    int (*fn)(void *arg, kvEntry *e), void *arg)
{
	kvWatchOptions	 o;
	kvWatcher	*w;
	kvEntry		*e;
	natsStatus	 s;
	int		 rc = 0;

	kvWatchOptions_Init(&o);
	o.IgnoreDeletes = true;
	if (kvStore_WatchAll(&w, st->kv[b], &o) != NATS_OK)
		return -EIO;
	while (rc == 0) {
		if ((s = kvWatcher_Next(&e, w, st->wait)) != NATS_OK) {
			rc = -EIO;
			break;
		}
		if (e == NULL)
			break;
		if (kvEntry_Operation(e) == kvOp_Put)
			rc = fn(arg, e);
		kvEntry_Destroy(e);
	}
	kvWatcher_Destroy(w);
	return rc;
}

/* What a walk gathers, to be sorted and visited. */
struct gathered {
	void	*v;
	size_t	 n;
	size_t	 size;
};

static void *
gathered_push(struct gathered *g)
{
	void	*v;

	if ((v = reallocarray(g->v, g->n + 1, g->size)) == NULL)
		return NULL;
	g->v = v;
	return (char *)g->v + g->size * g->n++;
}

static int
gather_account(void *arg, kvEntry *e)
{
	struct jetstream_account	*acc;

	if ((acc = gathered_push(arg)) == NULL)
		return -ENOMEM;
	return jetstream_account_decode(kvEntry_Value(e), (size_t)kvEntry_ValueLen(e),
	    kvEntry_Revision(e), acc);
}

static int
gather_channel(void *arg, kvEntry *e)
{
	struct jetstream_channel	*ch;

	if ((ch = gathered_push(arg)) == NULL)
		return -ENOMEM;
	return jetstream_channel_decode(kvEntry_Value(e), (size_t)kvEntry_ValueLen(e),
	    kvEntry_Revision(e), ch);
}

static int
account_cmp(const void *a, const void *b)
{
	const struct jetstream_account	*x = a, *y = b;

	return x->created < y->created ? -1 : x->created > y->created;
}

static int
channel_cmp(const void *a, const void *b)
{
	const struct jetstream_channel	*x = a, *y = b;

	return x->created < y->created ? -1 : x->created > y->created;
}

/* The visitors of presences and markers, walking their buckets directly. */
struct visit {
	struct store			*st;
	const struct store_visitor	*v;
	void				*arg;
};

/* An always-on user is put back by the node that kept it last, not by every node. */
static int
visit_presence(void *arg, kvEntry *e)
{
	struct visit		*w = arg;
	struct presence_rec	*p;
	char			 owner[JS_NAME_MAX];
	int			 rc = 0;

	if ((p = malloc(sizeof(*p))) == NULL)
		return -ENOMEM;
	jetstream_presence_decode(kvEntry_Value(e), (size_t)kvEntry_ValueLen(e), p, owner);
	if (owner[0] == '\0' || strcmp(owner, w->st->node) == 0)
		rc = w->v->presence(w->arg, p);
	free(p);
	return rc;
}

/* A marker's key is the account's hex, a dot, the target's hex. */
static int
unhex(char *dst, size_t cap, const char *hex, size_t len)
{
	size_t	n = 0;

	if (len % 2 != 0)
		return -1;
	for (size_t i = 0; i + 2 <= len; i += 2) {
		unsigned	v;

		if (n + 1 >= cap || sscanf(hex + i, "%2x", &v) != 1)
			return -1;
		dst[n++] = (char)v;
	}
	dst[n] = '\0';
	return 0;
}

static int
visit_marker(void *arg, kvEntry *e)
{
	struct visit		*w = arg;
	struct history_marker	 m;
	const char		*key = kvEntry_Key(e), *dot;

	memset(&m, 0, sizeof(m));
	if ((dot = strchr(key, '.')) == NULL ||
	    unhex(m.account, sizeof(m.account), key, (size_t)(dot - key)) == -1 ||
	    unhex(m.target, sizeof(m.target), dot + 1, strlen(dot + 1)) == -1)
		return 0;
	m.time = jetstream_marker_time(e);
	return w->v->marker(w->arg, &m);
}

/* Accounts, then (if wanted) channels and their entries, then choices: sorted. */
static int
load_sorted(struct store *st, const struct store_visitor *v, void *arg)
{
	struct gathered			 accs = { NULL, 0, sizeof(struct jetstream_account) };
	struct gathered			 chans = { NULL, 0, sizeof(struct jetstream_channel) };
	struct jetstream_account	*a;
	struct jetstream_channel	*c;
	int				 rc;

	rc = jetstream_walk(st, JS_ACCOUNTS, gather_account, &accs);
	if (rc == 0 && (v->channel != NULL || v->entry != NULL))
		rc = jetstream_walk(st, JS_CHANNELS, gather_channel, &chans);
	a = accs.v;
	c = chans.v;
	if (rc == 0 && accs.n > 1)
		qsort(a, accs.n, sizeof(*a), account_cmp);
	if (rc == 0 && chans.n > 1)
		qsort(c, chans.n, sizeof(*c), channel_cmp);
	for (size_t i = 0; rc == 0 && i < accs.n; i++)
		rc = v->account(arg, a[i].a.name);
	for (size_t i = 0; rc == 0 && v->channel != NULL && i < chans.n; i++)
		rc = v->channel(arg, &c[i].c);
	for (size_t i = 0; rc == 0 && v->entry != NULL && i < chans.n; i++)
		for (size_t j = 0; rc == 0 && j < c[i].n; j++)
			rc = v->entry(arg, &c[i].e[j]);
	for (size_t i = 0; rc == 0 && v->opts != NULL && i < accs.n; i++)
		if (a[i].has_opts)
			rc = v->opts(arg, &a[i].o);
	for (size_t i = 0; i < chans.n; i++)
		free(c[i].e);
	free(accs.v);
	free(chans.v);
	return rc;
}

int
jetstream_load(struct store *st, const struct store_visitor *v, void *arg)
{
	struct visit	w = { st, v, arg };
	int		rc;

	if ((rc = load_sorted(st, v, arg)) != 0)
		return rc;
	if (v->presence != NULL &&
	    (rc = jetstream_walk(st, JS_PRESENCE, visit_presence, &w)) != 0)
		return rc;
	if (v->marker != NULL)
		return jetstream_walk(st, JS_MARKERS, visit_marker, &w);
	return 0;
}
