#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/job.h"
#include "store/store.h"
#include "store/store_memory.h"

#include "fixture_core.h"

static void
fx_queue(void *ctx, uint64_t conn, const char *buf, size_t len)
{
	struct fx	*fx = ctx;
	struct fx_conn	*c = &fx->conns[conn];
	char		*out;

	if (c->closed) {
		fprintf(stderr, "fixture: send to conn %u after close\n", (unsigned)conn);
		abort();
	}
	if ((out = realloc(c->out, c->len + len + 1)) == NULL)
		abort();
	memcpy(out + c->len, buf, len);
	c->len += len;
	out[c->len] = '\0';
	c->out = out;
}

static void
fx_queue_many(void *ctx, const uint64_t *conns, size_t n, const char *buf, size_t len)
{
	for (size_t i = 0; i < n; i++)
		fx_queue(ctx, conns[i], buf, len);
}

static void
fx_hangup(void *ctx, uint64_t conn, const char *reason)
{
	struct fx_conn	*c = &((struct fx *)ctx)->conns[conn];

	c->closed = true;
	c->client = NULL;
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
}

/* The core promises one call per connection, before the welcome. */
static void
fx_registered(void *ctx, uint64_t conn)
{
	struct fx_conn	*c = &((struct fx *)ctx)->conns[conn];

	if (c->registered || c->closed) {
		fprintf(stderr, "fixture: conn %u registered twice or after close\n",
		    (unsigned)conn);
		abort();
	}
	c->registered = true;
	c->registered_at = c->len;
}

static void
fx_request(void *ctx, enum core_request req, const char *reason)
{
	struct fx	*fx = ctx;

	fx->nrequests++;
	fx->request = req;
	snprintf(fx->request_reason, sizeof(fx->request_reason), "%s", reason);
}

static void
fx_peer(void *ctx, const char *node, const char *line, size_t len)
{
	struct fx	*fx = ctx;

	if (fx->peer != NULL)
		fx->peer(fx, node, line, len);
}

static int
fx_job(void *ctx, struct job *job)
{
	struct fx	*fx = ctx;

	if (fx->njobs == FX_JOBS)
		abort();
	fx->jobs[fx->njobs++] = job;
	return 0;
}

unsigned
fx_jobs_run(struct fx *fx)
{
	unsigned	n = 0;

	/* A result may submit another job: run until none is left. */
	store_memory_fail(fx->store, fx->store_fail);
	while (n < fx->njobs) {
		if (JOB_IS_STORE(fx->jobs[n]->kind))
			store_memory.run(fx->store, &fx->jobs[n], 1);
		else
			job_run(fx->jobs[n]);
		core_job_done(fx->core, fx->jobs[n], fx->now);
		n++;
	}
	fx->njobs = 0;
	core_tick(fx->core, fx->now);
	return n;
}

/* Jobs left to run at once, unless the test holds them. */
static void
fx_jobs_settle(struct fx *fx)
{
	if (!fx->hold_jobs && fx->njobs > 0)
		fx_jobs_run(fx);
}

struct fx *
fx_new(void (*edit)(struct core_config *))
{
	struct fx	*fx;
	char		 err[128];

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		abort();
	core_config_defaults(&fx->cfg);
	/* A fixed hash key: runs are reproducible (a server's is random). */
	memcpy(fx->cfg.hash_key, "parley fixture\0\1", sizeof(fx->cfg.hash_key));
	snprintf(fx->cfg.created, sizeof(fx->cfg.created), "today");
	if (edit != NULL)
		edit(&fx->cfg);
	fx->out.ctx = fx;
	fx->out.queue = fx_queue;
	fx->out.queue_many = fx_queue_many;
	fx->out.hangup = fx_hangup;
	fx->out.request = fx_request;
	fx->out.job = fx_job;
	fx->out.registered = fx_registered;
	fx->out.peer = fx_peer;
	fx->now = 1000000;
	if ((fx->store = store_memory.open(NULL, err, sizeof(err))) == NULL)
		abort();
	if ((fx->core = core_new(&fx->cfg, &fx->out)) == NULL)
		abort();
	core_clock(fx->core, fx->now, 1700000000000LL);
	return fx;
}

void
fx_free(struct fx *fx)
{
	core_free(fx->core);
	/* Never handed back (the test held them): the driver frees them. */
	for (unsigned i = 0; i < fx->njobs; i++)
		job_free(fx->jobs[i]);
	store_memory.close(fx->store);
	for (unsigned i = 0; i <= FX_CONNS; i++)
		free(fx->conns[i].out);
	free(fx->taken);
	free(fx);
}

unsigned
fx_connect(struct fx *fx)
{
	unsigned	c = ++fx->nconns;

	if (c > FX_CONNS)
		abort();
	fx->conns[c].client = core_open(fx->core, c, "127.0.0.1", fx->now);
	if (fx->conns[c].client == NULL)
		abort();
	return c;
}

void
fx_bytes(struct fx *fx, unsigned c, const char *line, size_t len)
{
	char	*copy;

	if (fx->conns[c].client == NULL) {
		fprintf(stderr, "fixture: line for closed conn %u\n", c);
		abort();
	}
	/* The driver's buffer is mutable and NUL-terminated at len. */
	if ((copy = malloc(len + 1)) == NULL)
		abort();
	memcpy(copy, line, len);
	copy[len] = '\0';
	core_line(fx->core, fx->conns[c].client, copy, len, fx->now);
	free(copy);
	fx_jobs_settle(fx);
}

void
fx_line(struct fx *fx, unsigned c, const char *line)
{
	fx_bytes(fx, c, line, strlen(line));
}

unsigned
fx_client(struct fx *fx, const char *nick)
{
	unsigned	c = fx_connect(fx);
	char		line[128];

	snprintf(line, sizeof(line), "NICK %s", nick);
	fx_line(fx, c, line);
	fx_line(fx, c, "USER u 0 * :Real Name");
	if (strstr(fx_take(fx, c), " 001 ") == NULL)
		abort();
	return c;
}

const char *
fx_take(struct fx *fx, unsigned c)
{
	struct fx_conn	*conn = &fx->conns[c];

	free(fx->taken);
	fx->taken = conn->out != NULL ? conn->out : strdup("");
	conn->out = NULL;
	conn->len = 0;
	return fx->taken;
}

void
fx_drain(struct fx *fx)
{
	for (unsigned i = 1; i <= fx->nconns; i++)
		fx_take(fx, i);
}

void
fx_drop(struct fx *fx, unsigned c, const char *reason)
{
	core_closed(fx->core, fx->conns[c].client, reason);
	fx->conns[c].client = NULL;
	fx->conns[c].closed = true;
}

void
fx_advance(struct fx *fx, int64_t ms)
{
	fx->now += ms;
	core_tick(fx->core, fx->now);
	fx_jobs_settle(fx);
}
