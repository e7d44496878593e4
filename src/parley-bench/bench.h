#ifndef PARLEY_BENCH_BENCH_H
#define PARLEY_BENCH_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "parley-bench/hist.h"

/*
 * parley-bench: one process, one epoll loop, many non-blocking IRC clients.  main.c reads
 * the flags into a bench_opts; bench.c runs the scenario and fills a bench_result.
 */

enum bench_scenario {
	BENCH_FANOUT,
	BENCH_CONNECT,
	BENCH_PRIVMSG,
	BENCH_LOGIN,
	BENCH_HISTORY,
};

#define BENCH_TARGETS_MAX	16	/* servers (a network's nodes) loaded at once */

struct bench_opts {
	enum bench_scenario	 scenario;
	/* The servers: client i connects to targets[i % ntargets]. */
	struct sockaddr_storage	 targets[BENCH_TARGETS_MAX];
	socklen_t		 target_lens[BENCH_TARGETS_MAX];
	unsigned		 ntargets;
	unsigned		 clients;	/* fanout N, connect C, privmsg 2 * P, login C */
	unsigned		 accounts;	/* login: accounts registered first, <= C */
	unsigned		 senders;	/* fanout S; privmsg: every client sends */
	unsigned		 window;	/* messages in flight per sender */
	unsigned		 pending;	/* handshakes under way at once */
	unsigned		 size;		/* bytes of message text */
	unsigned		 sources;	/* 127.0.0.x source addresses used */
	double			 duration;	/* seconds of measurement */
	double			 timeout;	/* seconds allowed for setup and for the drain */
	long			 server_pid;	/* connect: RSS measured when > 0 */
	const char		*channel;
	const char		*query;		/* history: CHATHISTORY's parameters */
	bool			 progress;	/* live line on stderr */
	bool			 tls;		/* every client over TLS, unverified */
	bool			 ws;		/* every client over WebSocket */
};

struct bench_result {
	unsigned	 registered;	/* clients that got 001 */
	unsigned	 joined;	/* fanout: clients that got 366 */
	uint64_t	 sent;		/* messages sent while measuring */
	uint64_t	 delivered;	/* lines received while measuring */
	double		 setup_s;	/* from first connect to ready */
	double		 measured_s;	/* measurement length */
	uint64_t	 disconnects;	/* connections the server closed or lost */
	uint64_t	 stalls;	/* windows reset after the server dropped messages */
	uint64_t	 errors;	/* 4xx/5xx numerics seen */
	bool		 setup_done;	/* every client reached the ready state in time */
	long		 rss_before_kib, rss_after_kib;	/* connect with server_pid */
	long		 pss_before_kib, pss_after_kib;
	struct hist	 latency;	/* nanoseconds; login: the pinger's PING to PONG */
	unsigned	 accounts;	/* login: accounts registered (or there already) */
	unsigned	 register_failures;	/* login: REGISTERs refused otherwise */
	unsigned	 logins;	/* login: 903 RPL_SASLSUCCESS */
	unsigned	 login_failures;	/* login: 902, 904-907 */
};

/* Run the scenario.  Returns 0, or -errno when the loop itself failed (the result then
 * holds what was measured so far); a setup that did not finish is result->setup_done. */
int	bench_run(const struct bench_opts *o, struct bench_result *r);

/* The monotonic clock in nanoseconds. */
uint64_t	bench_now(void);

#endif
