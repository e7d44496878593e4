/*
 * libFuzzer target: the core's state snapshot reader (core/snapshot_restore.c).  The
 * bytes come from the process an upgrade replaces, not from a client, but a reader that
 * trusted them would turn one bad build into a crash of the new process.
 *
 * Any input restores into a fresh core or is refused with a reason; a core it restored
 * snapshots again, that snapshot restores into a third core, whose own snapshot is the
 * same bytes (the format is a fixed point after one trip), and the timers run and the
 * cores free cleanly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/server.h"
#include "core/snapshot.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

static void
out_queue(void *ctx, uint64_t conn, const char *buf, size_t len)
{
	(void)ctx, (void)conn, (void)buf;
	CHECK(len >= 2);
}

static void
out_queue_many(void *ctx, const uint64_t *conns, size_t n, const char *buf, size_t len)
{
	(void)ctx, (void)conns, (void)buf;
	CHECK(n > 0 && len >= 2);
}

static void
out_hangup(void *ctx, uint64_t conn, const char *reason)
{
	(void)ctx, (void)conn;
	CHECK(reason != NULL);
}

static void
out_request(void *ctx, enum core_request req, const char *reason)
{
	(void)ctx, (void)req, (void)reason;
}

static struct core *
fresh(const struct core_out *out)
{
	struct core_config	 cfg;

	core_config_defaults(&cfg);
	cfg.whowas_history = 4;
	return core_new(&cfg, out);
}

static void
bind_none(void *arg, uint64_t conn, struct client *cl)
{
	(void)arg, (void)conn;
	CHECK(cl != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct core_out	 out = { NULL, out_queue, out_queue_many, out_hangup, NULL,
				    out_request, NULL, NULL, NULL };
	struct core		*one, *two;
	char			 err[256], *a, *b;
	size_t			 alen, blen;

	if ((one = fresh(&out)) == NULL)
		return 0;
	err[0] = '\0';
	if (core_restore_snapshot(one, data, size, 1000000, bind_none, NULL, err,
	    sizeof(err)) == -1) {
		CHECK(strncmp(err, "state snapshot: ", 16) == 0);
		core_free(one);
		return 0;
	}
	CHECK(core_snapshot(one, &a, &alen) == 0);
	CHECK((two = fresh(&out)) != NULL);
	CHECK(core_restore_snapshot(two, a, alen, 1000000, bind_none, NULL, err,
	    sizeof(err)) == 0);
	CHECK(core_snapshot(two, &b, &blen) == 0);
	CHECK(alen == blen && memcmp(a, b, alen) == 0);
	(void)core_tick(two, 1000000 + 3600 * 1000);
	free(a);
	free(b);
	core_free(one);
	core_free(two);
	return 0;
}
