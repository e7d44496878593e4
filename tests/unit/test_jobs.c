/*
 * The job pool (net/jobs.c) under a real core: jobs run on worker threads, come back
 * through the eventfd and reach the core with core_job_done, as the event driver does.
 */
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/server.h"
#include "net/jobs.h"

/* crypt(3) SHA-512 hash of "s3cret": quick, so that the tests are. */
#define HASH_6	"$6$FhUpg214YVB0DRq5$VXqa2jJY1yo5TUQHiU1r7Dw583Jzs7.SjuqQzxD7jDP3.Iucbujk/" \
		"qikiW2MNhFfVwVE1jevt8jLyhxP1JCzy/"
#define CONNS	4

static const struct core_oper opers[] = {
	{ "admin", HASH_6, "", "", "" },
};

/* A driver: the core, the pool, and what was queued for each connection. */
struct drv {
	struct core	*core;
	struct jobs	*pool;
	struct client	*cl[CONNS + 1];
	char		 out[CONNS + 1][4096];
	uint64_t	 order[16];	/* the connection of each 381/464, in order */
	unsigned	 norder;
};

static void
drv_queue(void *ctx, uint64_t conn, const char *buf, size_t len)
{
	struct drv	*d = ctx;
	size_t		 have = strlen(d->out[conn]);

	assert_true(have + len < sizeof(d->out[conn]));
	memcpy(d->out[conn] + have, buf, len);
	d->out[conn][have + len] = '\0';
	if ((strstr(buf, " 381 ") != NULL || strstr(buf, " 464 ") != NULL) &&
	    d->norder < 16)
		d->order[d->norder++] = conn;
}

static void
drv_queue_many(void *ctx, const uint64_t *conns, size_t n, const char *buf, size_t len)
{
	for (size_t i = 0; i < n; i++)
		drv_queue(ctx, conns[i], buf, len);
}

static void
drv_hangup(void *ctx, uint64_t conn, const char *reason)
{
	(void)ctx, (void)conn, (void)reason;
}

static void
drv_request(void *ctx, enum core_request req, const char *reason)
{
	(void)ctx, (void)req, (void)reason;
}

static int
drv_job(void *ctx, struct job *job)
{
	return jobs_submit(((struct drv *)ctx)->pool, job);
}

static struct core_out	drv_out = { NULL, drv_queue, drv_queue_many, drv_hangup, NULL,
			    drv_request, drv_job, NULL, NULL };

static void
deliver(void *arg, struct job *job)
{
	core_job_done(((struct drv *)arg)->core, job, 0);
}

static struct drv *
drv_new(unsigned workers)
{
	struct drv		*d = calloc(1, sizeof(*d));
	struct core_config	 cfg;
	struct core_out		 out = drv_out;

	assert_non_null(d);
	core_config_defaults(&cfg);
	cfg.opers = opers;
	cfg.nopers = 1;
	out.ctx = d;
	assert_non_null(d->pool = jobs_new(workers));
	assert_non_null(d->core = core_new(&cfg, &out));
	return d;
}

/* Jobs first, as the driver does: then the core and its clients. */
static void
drv_free(struct drv *d)
{
	jobs_free(d->pool);
	core_free(d->core);
	free(d);
}

static void
drv_line(struct drv *d, unsigned c, const char *text)
{
	char	line[512];

	snprintf(line, sizeof(line), "%s", text);
	core_line(d->core, d->cl[c], line, strlen(line), 0);
}

static void
drv_client(struct drv *d, unsigned c, const char *nick)
{
	char	line[64];

	assert_non_null(d->cl[c] = core_open(d->core, c, "127.0.0.1", 0));
	snprintf(line, sizeof(line), "NICK %s", nick);
	drv_line(d, c, line);
	drv_line(d, c, "USER u 0 * :R");
	assert_non_null(strstr(d->out[c], " 001 "));
	d->out[c][0] = '\0';
}

/* Wait (bounded) for the eventfd, then hand finished jobs to the core, until n have come
 * back in all. */
static void
drv_drain(struct drv *d, size_t n)
{
	struct pollfd	pfd = { jobs_fd(d->pool), POLLIN, 0 };
	size_t		got = 0;

	for (int tries = 0; got < n && tries < 100; tries++) {
		assert_true(poll(&pfd, 1, 100) >= 0);
		got += jobs_drain(d->pool, deliver, d);
	}
	assert_int_equal(got, n);
}

static void
test_result_comes_back_through_the_eventfd(void **state)
{
	struct drv	*d = drv_new(2);

	(void)state;
	drv_client(d, 1, "alice");
	drv_line(d, 1, "OPER admin s3cret");
	drv_line(d, 1, "PING after");
	assert_string_equal(d->out[1], "");
	drv_drain(d, 1);
	assert_non_null(strstr(d->out[1], " 381 alice "));
	/* The line behind the job runs at the driver's next tick. */
	core_tick(d->core, 0);
	assert_non_null(strstr(d->out[1], "PONG irc.localhost after"));
	drv_free(d);
}

static void
test_result_for_a_client_gone_is_dropped(void **state)
{
	struct drv	*d = drv_new(2);

	(void)state;
	drv_client(d, 1, "alice");
	drv_line(d, 1, "OPER admin s3cret");
	core_closed(d->core, d->cl[1], "Connection closed");
	/* A newcomer may even get the same connection number. */
	drv_client(d, 1, "bob");
	drv_drain(d, 1);
	assert_string_equal(d->out[1], "");
	assert_int_equal(d->norder, 0);
	drv_free(d);
}

static void
test_one_worker_keeps_submission_order(void **state)
{
	struct drv	*d = drv_new(1);

	(void)state;
	for (unsigned c = 1; c <= CONNS; c++) {
		char	nick[8];

		snprintf(nick, sizeof(nick), "n%u", c);
		drv_client(d, c, nick);
	}
	for (unsigned c = 1; c <= CONNS; c++)
		drv_line(d, c, c % 2 ? "OPER admin s3cret" : "OPER admin wrong");
	drv_drain(d, CONNS);
	assert_int_equal(d->norder, CONNS);
	for (unsigned i = 0; i < CONNS; i++)
		assert_int_equal(d->order[i], i + 1);
	assert_non_null(strstr(d->out[1], " 381 "));
	assert_non_null(strstr(d->out[2], " 464 "));
	drv_free(d);
}

static void
test_free_with_jobs_in_flight(void **state)
{
	struct drv	*d = drv_new(1);

	(void)state;
	/* Queued, running and finished jobs at once: all freed (the sanitizer build
	 * checks that nothing leaks or is touched after it is freed). */
	for (unsigned c = 1; c <= CONNS; c++) {
		char	nick[8];

		snprintf(nick, sizeof(nick), "n%u", c);
		drv_client(d, c, nick);
		drv_line(d, c, "OPER admin s3cret");
	}
	drv_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_comes_back_through_the_eventfd),
		cmocka_unit_test(test_result_for_a_client_gone_is_dropped),
		cmocka_unit_test(test_one_worker_keeps_submission_order),
		cmocka_unit_test(test_free_with_jobs_in_flight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
