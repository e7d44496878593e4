/*
 * parley-store-bench: what one store job costs on each backend, the store thread's
 * view of a REGISTER and of a history append, with nothing else running: SQLite on a
 * file in DIR against JetStream on the NATS server at URL, in one run, the two
 * alternated in rounds so that a change in the machine's load falls on both.
 *
 *   ACCOUNT_CREATE   one job a batch (a REGISTER that waits for no other): SQLite's
 *                    transaction and fsync, JetStream's compare-and-set create and ack
 *   HISTORY_APPEND   one job of 100 lines a batch (a busy turn's lines): one
 *                    transaction; 100 asynchronous publishes and their acks
 *
 * and then how long a JetStream node starting without its index takes to open: the
 * index in memory built again from every line appended above.
 *
 * Usage: parley-store-bench DIR nats://HOST:PORT [ROUNDS]
 * Prints, per backend and job, the median and the p99 of a job's time in microseconds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nats/nats.h>

#include "core/job.h"
#include "store/store.h"
#include "store/store_jetstream.h"

#define PER_ROUND	100	/* jobs of each kind a round, on each backend */
#define LINES		100	/* lines an append job holds */

static int64_t
now_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp64(const void *a, const void *b)
{
	const int64_t	*x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* Run one job alone; its time in us, or -1 when it failed. */
static int64_t
timed(const struct store_ops *ops, struct store *st, struct job *job)
{
	int64_t	t0 = now_us();

	ops->run(st, &job, 1);
	return job->status == 0 ? now_us() - t0 : -1;
}

static void
account_fill(struct job *job, const char *backend, unsigned n)
{
	memset(job, 0, sizeof(*job));
	job->kind = JOB_ACCOUNT_CREATE;
	snprintf(job->in.account.name, sizeof(job->in.account.name), "%.1s%u", backend, n);
	snprintf(job->in.account.pwhash, sizeof(job->in.account.pwhash),
	    "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA");
	job->in.account.scram_iter = 4096;
	job->in.account.registered = 1700000000;
}

static void
append_fill(struct job *job, struct history_rec *v, unsigned n)
{
	memset(job, 0, sizeof(*job));
	job->kind = JOB_HISTORY_APPEND;
	for (unsigned i = 0; i < LINES; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		v[i].time = 1700000000000LL + n * LINES + i;
		snprintf(v[i].msgid, sizeof(v[i].msgid), "b%u-%u", n, i);
		snprintf(v[i].channel, sizeof(v[i].channel), "#bench");
		snprintf(v[i].from_nick, sizeof(v[i].from_nick), "n");
		snprintf(v[i].from_ident, sizeof(v[i].from_ident), "s:n");
		snprintf(v[i].line, sizeof(v[i].line), ":n!u@127.0.0.1 PRIVMSG #bench :%0*u",
		    64, n * LINES + i);
	}
	job->in.append.v = v;
	job->in.append.n = LINES;
}

struct backend {
	const char		*name;
	const struct store_ops	*ops;
	struct store		*st;
	int64_t			*create;	/* every round's times */
	int64_t			*append;
};

static void
report(const char *backend, const char *job, int64_t *t, size_t n)
{
	qsort(t, n, sizeof(*t), cmp64);
	printf("%-9s %-15s median %6lld us  p99 %6lld us  (%zu jobs)\n", backend, job,
	    (long long)t[n / 2], (long long)t[n * 99 / 100], n);
}

/* Open another node of the network, its index in memory: the rebuild's time. */
static int
rebuild(struct store_jetstream_conf *jc, const char *url, unsigned lines)
{
	struct store	*st;
	natsOptions	*o;
	char		 err[512];
	int64_t		 t0;

	if (natsOptions_Create(&o) != NATS_OK || natsOptions_SetURL(o, url) != NATS_OK)
		return -1;
	jc->nats = o;
	jc->node = "rebuild";
	t0 = now_us();
	st = store_jetstream_open(jc, err, sizeof(err));
	if (st == NULL) {
		fprintf(stderr, "parley-store-bench: %s\n", err);
		natsOptions_Destroy(o);
		return -1;
	}
	printf("jetstream index rebuilt at open: %u lines in %lld ms\n", lines,
	    (long long)(now_us() - t0) / 1000);
	store_jetstream.close(st);
	natsOptions_Destroy(o);
	return 0;
}

int
main(int argc, char **argv)
{
	struct store_jetstream_conf	 jc;
	struct backend			 b[2] = {
		{ "sqlite", &store_sqlite, NULL, NULL, NULL },
		{ "jetstream", &store_jetstream, NULL, NULL, NULL },
	};
	struct history_rec		*v;
	struct job			*job;
	natsOptions			*o;
	char				 path[4096], err[512], network[32];
	unsigned			 rounds, n = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: parley-store-bench DIR nats://HOST:PORT [ROUNDS]\n");
		return 2;
	}
	rounds = argc > 3 ? (unsigned)atoi(argv[3]) : 5;
	snprintf(path, sizeof(path), "%s/bench.db", argv[1]);
	snprintf(network, sizeof(network), "bench%lld", (long long)now_us());
	if ((b[0].st = store_sqlite.open(path, err, sizeof(err))) == NULL ||
	    natsOptions_Create(&o) != NATS_OK || natsOptions_SetURL(o, argv[2]) != NATS_OK) {
		fprintf(stderr, "parley-store-bench: %s\n", err);
		return 1;
	}
	memset(&jc, 0, sizeof(jc));
	jc.nats = o;
	jc.network = network;
	jc.node = "bench";
	jc.index = "";
	if ((b[1].st = store_jetstream_open(&jc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "parley-store-bench: %s\n", err);
		return 1;
	}
	natsOptions_Destroy(o);
	jc.nats = NULL;
	job = calloc(1, sizeof(*job));
	v = calloc(LINES, sizeof(*v));
	for (int i = 0; i < 2; i++) {
		b[i].create = calloc(rounds * PER_ROUND, sizeof(int64_t));
		b[i].append = calloc(rounds * PER_ROUND, sizeof(int64_t));
	}
	for (unsigned r = 0; r < rounds; r++)
		for (int i = 0; i < 2; i++)
			for (unsigned k = 0; k < PER_ROUND; k++, n++) {
				account_fill(job, b[i].name, n);
				b[i].create[r * PER_ROUND + k] = timed(b[i].ops, b[i].st, job);
				append_fill(job, v, n);
				b[i].append[r * PER_ROUND + k] = timed(b[i].ops, b[i].st, job);
				if (b[i].create[r * PER_ROUND + k] < 0 ||
				    b[i].append[r * PER_ROUND + k] < 0) {
					fprintf(stderr, "parley-store-bench: %s: a job failed\n",
					    b[i].name);
					return 1;
				}
			}
	for (int i = 0; i < 2; i++) {
		report(b[i].name, "ACCOUNT_CREATE", b[i].create, rounds * PER_ROUND);
		report(b[i].name, "HISTORY_APPEND", b[i].append, rounds * PER_ROUND);
	}
	if (rebuild(&jc, argv[2], rounds * PER_ROUND * LINES) == -1)
		return 1;
	for (int i = 0; i < 2; i++) {
		b[i].ops->close(b[i].st);
		free(b[i].create);
		free(b[i].append);
	}
	free(job);
	free(v);
	nats_Close();
	return 0;
}
