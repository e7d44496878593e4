/*
 * Flood control (fakelag): see flood.h.  Clients with delayed lines sit on
 * core->flooded; core_tick() runs what is due through flood_tick().
 */
#include <stdlib.h>
#include <string.h>

#include "core/client.h"
#include "core/core.h"
#include "core/flood.h"
#include "core/job_owner.h"

/* One delayed line: an owned copy, NUL-terminated at line[len] like the driver's. */
struct flood_line {
	struct list	link;		/* on cl->flood_queue */
	size_t		len;
	char		line[];
};

static bool
flood_exempt(const struct core *core, const struct client *cl)
{
	return core->cfg.flood_burst == 0 || (cl->flags & CLIENT_MODE_OPER);
}

/* How many lines cl may send at once. */
static unsigned
flood_burst(const struct core *core, const struct client *cl)
{
	if (cl->state != CLIENT_REGISTERED &&
	    core->cfg.flood_burst > FLOOD_UNREGISTERED_BURST)
		return FLOOD_UNREGISTERED_BURST;
	return core->cfg.flood_burst;
}

/* How many bytes of delayed lines cl may have waiting. */
static size_t
flood_queue_max(const struct core *core, const struct client *cl)
{
	if (cl->state != CLIENT_REGISTERED &&
	    core->cfg.flood_queue > FLOOD_UNREGISTERED_QUEUE)
		return FLOOD_UNREGISTERED_QUEUE;
	return core->cfg.flood_queue;
}

/* The time from which cl's next line may run. */
static int64_t
flood_due(const struct core *core, const struct client *cl)
{
	return cl->flood_clock -
	    (int64_t)(flood_burst(core, cl) - 1) * core->cfg.flood_interval;
}

void
flood_charge(struct core *core, struct client *cl, unsigned lines, int64_t now)
{
	if (flood_exempt(core, cl))
		return;
	if (cl->flood_clock < now)
		cl->flood_clock = now;
	cl->flood_clock += (int64_t)lines * core->cfg.flood_interval;
}

void
flood_registered(struct client *cl, int64_t now)
{
	if (cl->flood_clock > now)
		cl->flood_clock = now;
}

enum flood_verdict
flood_line(struct core *core, struct client *cl, const char *line, size_t len,
    int64_t now)
{
	struct flood_line	*fl;
	size_t			 cost = len + 2;	/* as received, with CR LF */

	/* Once lines wait, every later one waits behind them: order is kept even for a
	 * client that has just become an operator, and behind a job in flight. */
	if (list_empty(&cl->flood_queue) && !job_pending(cl)) {
		if (flood_exempt(core, cl))
			return FLOOD_RUN;
		if (flood_due(core, cl) <= now) {
			flood_charge(core, cl, 1, now);
			return FLOOD_RUN;
		}
	}
	if (cl->flood_bytes + cost > flood_queue_max(core, cl))
		return FLOOD_EXCESS;
	if ((fl = malloc(sizeof(*fl) + len + 1)) == NULL)
		return FLOOD_NOMEM;
	fl->len = len;
	memcpy(fl->line, line, len);
	fl->line[len] = '\0';
	list_add_tail(&cl->flood_queue, &fl->link);
	cl->flood_bytes += cost;
	core->counted.flood_delayed++;
	if (!list_linked(&cl->flood_link))
		list_add_tail(&core->flooded, &cl->flood_link);
	return FLOOD_QUEUED;
}

void
flood_each(const struct client *cl, void (*fn)(void *arg, const char *line, size_t len),
    void *arg)
{
	for (const struct list *n = cl->flood_queue.next; n != &cl->flood_queue; n = n->next) {
		const struct flood_line	*fl = list_entry(n, struct flood_line, link);

		fn(arg, fl->line, fl->len);
	}
}

int
flood_restore(struct core *core, struct client *cl, const char *line, size_t len)
{
	struct flood_line	*fl;

	if ((fl = malloc(sizeof(*fl) + len + 1)) == NULL)
		return -1;
	fl->len = len;
	memcpy(fl->line, line, len);
	fl->line[len] = '\0';
	list_add_tail(&cl->flood_queue, &fl->link);
	cl->flood_bytes += len + 2;
	if (!list_linked(&cl->flood_link))
		list_add_tail(&core->flooded, &cl->flood_link);
	return 0;
}

/* The head of cl's queue, unlinked and uncounted; the caller frees it. */
static struct flood_line *
flood_pop(struct client *cl)
{
	struct flood_line	*fl;

	fl = list_entry(cl->flood_queue.next, struct flood_line, link);
	list_del(&fl->link);
	cl->flood_bytes -= fl->len + 2;
	return fl;
}

/*
 * Running a line may free any client (QUIT, KILL), cl included: so each round takes
 * one due line off a client and settles where the client belongs (still due: back of
 * `due`; waiting: core->flooded; drained: no list) before the line runs, and never
 * touches the client afterwards.  client_free unlinks a freed client from either list.
 * A line may also give the client a job: the rest of its lines then wait for the result
 * (core_job_done), on core->flooded without a deadline.
 */
int64_t
flood_tick(struct core *core, int64_t now)
{
	struct list		 due, *n, *next;
	struct client		*cl;
	struct flood_line	*fl;
	int64_t			 when, first = -1;

	list_init(&due);
	for (n = core->flooded.next; n != &core->flooded; n = next) {
		next = n->next;
		cl = list_entry(n, struct client, flood_link);
		if (job_pending(cl))
			continue;
		if (flood_exempt(core, cl) || flood_due(core, cl) <= now)
			list_move_tail(&due, n);
	}
	while (!list_empty(&due)) {
		cl = list_entry(due.next, struct client, flood_link);
		if (job_pending(cl)) {
			list_move_tail(&core->flooded, &cl->flood_link);
			continue;
		}
		fl = flood_pop(cl);
		flood_charge(core, cl, 1, now);
		if (list_empty(&cl->flood_queue))
			list_del(&cl->flood_link);
		else if (flood_exempt(core, cl) || flood_due(core, cl) <= now)
			list_move_tail(&due, &cl->flood_link);
		else
			list_move_tail(&core->flooded, &cl->flood_link);
		core_line_run(core, cl, fl->line, fl->len, now);
		free(fl);
	}
	for (n = core->flooded.next; n != &core->flooded; n = n->next) {
		cl = list_entry(n, struct client, flood_link);
		/* Due once its job is done, and the driver calls core_tick then. */
		if (job_pending(cl))
			continue;
		/* Became exempt while its lines waited (OPER): they are due at once. */
		when = flood_exempt(core, cl) ? now : flood_due(core, cl);
		if (first == -1 || when < first)
			first = when;
	}
	return first;
}

void
flood_clear(struct client *cl)
{
	while (!list_empty(&cl->flood_queue))
		free(flood_pop(cl));
	list_del(&cl->flood_link);
}
