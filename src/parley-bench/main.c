/*
 * parley-bench: a load generator for IRC servers, on loopback only.  Flags, the loopback
 * check, resource limits and the report; bench.c runs the clients.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/sock.h"
#include "parley-bench/bench.h"

#define PROGNAME	"parley-bench"

static const char *const scenario_names[] = { "fanout", "connect", "privmsg", "login",
    "history" };

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROGNAME " [options] SCENARIO\n"
	    "\n"
	    "Load an IRC server on loopback and report throughput and latency.\n"
	    "Scenarios:\n"
	    "  fanout    N clients join one channel; S of them send PRIVMSG to it, each\n"
	    "            with a bounded window of messages in flight; reports lines\n"
	    "            delivered per second (summed over receivers) and latency\n"
	    "  connect   C clients connect and register as fast as the pending bound\n"
	    "            allows; reports registrations/s and, with --server-pid, the\n"
	    "            server's memory per idle registered client\n"
	    "  privmsg   P pairs of clients message each other; reports messages/s and\n"
	    "            latency\n"
	    "  login     A accounts are registered (REGISTER), then C clients connect and\n"
	    "            log in with SASL PLAIN while registering; reports logins/s,\n"
	    "            and the PING latency of one more client meanwhile\n"
	    "  history   N clients join the channel, each with one CHATHISTORY query\n"
	    "            (--query) in flight; reports queries/s and their latency\n"
	    "\n"
	    "Options:\n"
	    "  -t, --target ADDR:PORT  the server: 127.x.x.x:PORT or [::1]:PORT; nothing\n"
	    "                          but loopback is accepted (default 127.0.0.1:6667).\n"
	    "                          Several, comma-separated or repeated (at most %d):\n"
	    "                          the nodes of one network, client i on the\n"
	    "                          (i mod count)th\n"
	    "  -n, --clients N         fanout: channel members (default 100); connect,\n"
	    "                          login: clients (default 1000)\n"
	    "  -a, --accounts A        login: accounts, 1..C; client i logs in as account\n"
	    "                          i %% A (default: C)\n"
	    "  -s, --senders S         fanout: members that send, fewer than N (default 10)\n"
	    "  -p, --pairs P           privmsg: pairs of clients (default 100)\n"
	    "  -w, --window W          messages in flight per sender (default 8)\n"
	    "      --pending K         handshakes under way at once (default 256)\n"
	    "      --size BYTES        padding in each message, 0..400 (default 64)\n"
	    "      --sources K         127.0.0.x source addresses, 1..250 (default: one\n"
	    "                          per 20000 clients)\n"
	    "  -d, --duration SECS     measurement length (default 5)\n"
	    "      --timeout SECS      time allowed to connect, register and join\n"
	    "                          (default 60); login: for the accounts, and again\n"
	    "                          for the logins\n"
	    "      --server-pid PID    connect: read the server's VmRSS and Pss before\n"
	    "                          and after, for memory per client (summed over\n"
	    "                          PID and its descendants: a forking server whole)\n"
	    "  -c, --channel NAME      fanout channel (default #bench)\n"
	    "      --ws                every client over WebSocket (text.ircv3.net; the\n"
	    "                          target is then a web listener, the upgrade is\n"
	    "                          part of connect's rate)\n"
	    "  -q, --query TEXT        history: CHATHISTORY's parameters (default\n"
	    "                          \"LATEST <channel> * 100\")\n"
	    "      --tls               every client over TLS (the handshake is part of\n"
	    "                          connect's rate); the certificate is not verified\n"
	    "      --json              print the result as one JSON object on stdout\n"
	    "  -h, --help              show this help and exit\n"
	    "\n"
	    "A live progress line goes to stderr when it is a terminal.  Exit status: 0\n"
	    "when every client got ready and none was disconnected, 1 otherwise, 2 on bad\n"
	    "arguments.\n", BENCH_TARGETS_MAX);
}

static void
usage_error(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, PROGNAME ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '" PROGNAME " --help'.\n");
	exit(2);
}

static unsigned
parse_uint(const char *flag, const char *s, unsigned lo, unsigned hi)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < lo || v > hi)
		usage_error("%s: '%s' is not a whole number in %u..%u", flag, s, lo, hi);
	return (unsigned)v;
}

static double
parse_secs(const char *flag, const char *s)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(v > 0 && v <= 86400))
		usage_error("%s: '%s' is not a number of seconds in (0, 86400]", flag, s);
	return v;
}

static bool
is_loopback(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	return ss->ss_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
}

static enum bench_scenario
parse_scenario(const char *s)
{
	unsigned	 i;

	for (i = 0; i < sizeof(scenario_names) / sizeof(scenario_names[0]); i++)
		if (strcmp(s, scenario_names[i]) == 0)
			return (enum bench_scenario)i;
	usage_error("unknown scenario '%s' (fanout, connect, privmsg, login or history)",
	    s);
	return BENCH_FANOUT;
}

static void
parse_args(int argc, char **argv, struct bench_opts *o, bool *json)
{
	static const struct option longopts[] = {
		{ "target",	required_argument, NULL, 't' },
		{ "clients",	required_argument, NULL, 'n' },
		{ "accounts",	required_argument, NULL, 'a' },
		{ "senders",	required_argument, NULL, 's' },
		{ "pairs",	required_argument, NULL, 'p' },
		{ "window",	required_argument, NULL, 'w' },
		{ "pending",	required_argument, NULL, 'K' },
		{ "size",	required_argument, NULL, 'B' },
		{ "sources",	required_argument, NULL, 'S' },
		{ "duration",	required_argument, NULL, 'd' },
		{ "timeout",	required_argument, NULL, 'T' },
		{ "server-pid",	required_argument, NULL, 'P' },
		{ "channel",	required_argument, NULL, 'c' },
		{ "query",	required_argument, NULL, 'q' },
		{ "json",	no_argument,	   NULL, 'j' },
		{ "tls",	no_argument,	   NULL, 'L' },
		{ "ws",		no_argument,	   NULL, 'W' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL,		0,		   NULL, 0 },
	};
	const char	*targets[BENCH_TARGETS_MAX] = { "127.0.0.1:6667" };
	char		*list, *tok, *save;
	unsigned	 clients = 0, pairs = 100, accounts = 0, ntargets = 0;
	int		 ch;

	while ((ch = getopt_long(argc, argv, "t:n:a:s:p:w:d:c:q:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			for (list = optarg; (tok = strtok_r(list, ",", &save)) != NULL;
			    list = NULL) {
				if (ntargets == BENCH_TARGETS_MAX)
					usage_error("--target: more than %d servers",
					    BENCH_TARGETS_MAX);
				targets[ntargets++] = tok;
			}
			break;
		case 'n': clients = parse_uint("--clients", optarg, 1, 1000000); break;
		case 'a': accounts = parse_uint("--accounts", optarg, 1, 1000000); break;
		case 's': o->senders = parse_uint("--senders", optarg, 1, 1000000); break;
		case 'p': pairs = parse_uint("--pairs", optarg, 1, 500000); break;
		case 'w': o->window = parse_uint("--window", optarg, 1, 100000); break;
		case 'K': o->pending = parse_uint("--pending", optarg, 1, 1000000); break;
		case 'B': o->size = parse_uint("--size", optarg, 0, 400); break;
		case 'S': o->sources = parse_uint("--sources", optarg, 1, 250); break;
		case 'd': o->duration = parse_secs("--duration", optarg); break;
		case 'T': o->timeout = parse_secs("--timeout", optarg); break;
		case 'P': o->server_pid = parse_uint("--server-pid", optarg, 1, 1u << 30);
			break;
		case 'c':
			if (optarg[0] != '#' || strlen(optarg) > 50 || strpbrk(optarg, " ,\a"))
				usage_error("--channel: '%s' is not a channel name", optarg);
			o->channel = optarg;
			break;
		case 'q':
			if (optarg[0] == '\0' || strlen(optarg) > 400 ||
			    strpbrk(optarg, "\r\n") != NULL)
				usage_error("--query: '%s' is not one line of parameters",
				    optarg);
			o->query = optarg;
			break;
		case 'j': *json = true; break;
		case 'L': o->tls = true; break;
		case 'W': o->ws = true; break;
		case 'h': usage(stdout); exit(fflush(stdout) == 0 ? 0 : 1);
		default: usage_error("bad option");
		}
	}
	if (optind != argc - 1)
		usage_error(optind >= argc ? "no scenario given" : "one scenario only");
	o->scenario = parse_scenario(argv[optind]);
	o->ntargets = ntargets > 0 ? ntargets : 1;
	for (unsigned t = 0; t < o->ntargets; t++) {
		if (sock_parse_addr(targets[t], &o->targets[t], &o->target_lens[t]) != 0)
			usage_error("--target: '%s' is not ADDR:PORT", targets[t]);
		if (!is_loopback(&o->targets[t]))
			usage_error("--target: %s is not a loopback address; parley-bench "
			    "only loads servers on this machine", targets[t]);
	}
	if (o->scenario == BENCH_PRIVMSG)
		o->clients = pairs * 2;
	else if (clients != 0)
		o->clients = clients;
	else
		o->clients = o->scenario == BENCH_FANOUT ? 100 :
		    o->scenario == BENCH_HISTORY ? 1 : 1000;
	if (o->scenario == BENCH_FANOUT && o->senders >= o->clients)
		usage_error("--senders: %u is not fewer than --clients %u", o->senders,
		    o->clients);
	if (accounts > o->clients)
		usage_error("--accounts: %u is more than --clients %u", accounts, o->clients);
	o->accounts = accounts != 0 ? accounts : o->clients;
	if (o->sources == 0)
		o->sources = o->clients / 20000 + 1;
	if (o->scenario == BENCH_HISTORY && o->query == NULL) {
		static char	query[80];

		snprintf(query, sizeof(query), "LATEST %s * 100", o->channel);
		o->query = query;
	}
}

/* Enough descriptors for every client: the soft limit up to the hard one. */
static int
raise_nofile(unsigned need)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -errno;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			return -errno;
	}
	return rl.rlim_cur >= (rlim_t)need + 16 ? 0 : -EMFILE;
}

static double
us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

static double
per_client_kib(const struct bench_result *r, long before, long after)
{
	if (before < 0 || after < 0 || r->registered == 0)
		return -1;
	return (double)(after - before) / (double)r->registered;
}

static void
report_json(const struct bench_opts *o, const struct bench_result *r)
{
	double	 secs = r->measured_s > 0 ? r->measured_s : 1;

	printf("{\"scenario\":\"%s\",\"clients\":%u,\"senders\":%u,\"window\":%u,"
	    "\"size\":%u,\"ready\":%s,\"registered\":%u,\"joined\":%u,\"setup_s\":%.3f,"
	    "\"measured_s\":%.3f,\"sent\":%llu,\"delivered\":%llu,\"lines_per_s\":%.1f,"
	    "\"latency_us\":{\"count\":%llu,\"p50\":%.1f,\"p99\":%.1f,\"max\":%.1f},"
	    "\"registrations_per_s\":%.1f,\"rss_before_kib\":%ld,\"rss_after_kib\":%ld,"
	    "\"rss_kib_per_client\":%.3f,\"pss_kib_per_client\":%.3f,"
	    "\"accounts\":%u,\"register_failures\":%u,\"logins\":%u,"
	    "\"login_failures\":%u,\"logins_per_s\":%.1f,"
	    "\"disconnects\":%llu,\"stalls\":%llu,\"errors\":%llu}\n",
	    scenario_names[o->scenario], o->clients,
	    o->scenario == BENCH_FANOUT ? o->senders : o->scenario == BENCH_PRIVMSG ?
	    o->clients : 0, o->window, o->size, r->setup_done ? "true" : "false",
	    r->registered, r->joined, r->setup_s, r->measured_s,
	    (unsigned long long)r->sent, (unsigned long long)r->delivered,
	    (double)r->delivered / secs, (unsigned long long)r->latency.count,
	    us(hist_percentile(&r->latency, 50)), us(hist_percentile(&r->latency, 99)),
	    us(r->latency.max), r->setup_s > 0 ? r->registered / r->setup_s : 0.0,
	    r->rss_before_kib, r->rss_after_kib,
	    per_client_kib(r, r->rss_before_kib, r->rss_after_kib),
	    per_client_kib(r, r->pss_before_kib, r->pss_after_kib),
	    r->accounts, r->register_failures, r->logins, r->login_failures,
	    r->logins / secs,
	    (unsigned long long)r->disconnects, (unsigned long long)r->stalls,
	    (unsigned long long)r->errors);
}

static void
report_human(const struct bench_opts *o, const struct bench_result *r)
{
	double	 secs = r->measured_s > 0 ? r->measured_s : 1;

	if (o->scenario == BENCH_LOGIN)
		printf("login: %u clients and a pinger, %u registered; accounts ready in "
		    "%.2fs%s\n", o->clients, r->registered, r->setup_s,
		    r->setup_done ? "" : " (did NOT complete)");
	else
		printf("%s: %u clients, %u registered, %u joined in %.2fs%s\n",
		    scenario_names[o->scenario], o->clients, r->registered, r->joined,
		    r->setup_s, r->setup_done ? "" : " (setup did NOT complete)");
	if (o->scenario == BENCH_LOGIN) {
		printf("  accounts         %u of %u registered first, %u refused\n",
		    r->accounts, o->accounts, r->register_failures);
		printf("  logins           %u in %.2fs: %.0f logins/s, %u failed\n",
		    r->logins, r->measured_s, r->logins / secs, r->login_failures);
		printf("  PING latency us  p50 %.0f  p99 %.0f  max %.0f (%llu pings)\n",
		    us(hist_percentile(&r->latency, 50)),
		    us(hist_percentile(&r->latency, 99)), us(r->latency.max),
		    (unsigned long long)r->latency.count);
	} else if (o->scenario == BENCH_HISTORY) {
		printf("  queries          %llu answered in %.2fs: %.0f queries/s\n",
		    (unsigned long long)r->delivered, r->measured_s,
		    (double)r->delivered / secs);
		printf("  latency us       p50 %.0f  p99 %.0f  max %.0f\n",
		    us(hist_percentile(&r->latency, 50)),
		    us(hist_percentile(&r->latency, 99)), us(r->latency.max));
	} else if (o->scenario == BENCH_CONNECT) {
		printf("  registrations/s  %.0f\n",
		    r->setup_s > 0 ? r->registered / r->setup_s : 0.0);
		if (o->server_pid > 0)
			printf("  server RSS       %ld -> %ld KiB: %.2f KiB per client "
			    "(PSS %.2f)\n", r->rss_before_kib, r->rss_after_kib,
			    per_client_kib(r, r->rss_before_kib, r->rss_after_kib),
			    per_client_kib(r, r->pss_before_kib, r->pss_after_kib));
	} else {
		printf("  sent %llu, delivered %llu in %.2fs: %.0f lines/s\n",
		    (unsigned long long)r->sent, (unsigned long long)r->delivered,
		    r->measured_s, (double)r->delivered / secs);
		printf("  latency us       p50 %.0f  p99 %.0f  max %.0f\n",
		    us(hist_percentile(&r->latency, 50)),
		    us(hist_percentile(&r->latency, 99)), us(r->latency.max));
	}
	printf("  disconnects %llu, stalls %llu, error numerics %llu\n",
	    (unsigned long long)r->disconnects, (unsigned long long)r->stalls,
	    (unsigned long long)r->errors);
}

int
main(int argc, char **argv)
{
	struct bench_opts	 o = {
		.senders = 10, .window = 8, .pending = 256, .size = 64,
		.duration = 5, .timeout = 60, .channel = "#bench",
	};
	struct bench_result	*r;
	bool			 json = false;
	int			 rv;

	parse_args(argc, argv, &o, &json);
	o.progress = isatty(STDERR_FILENO) == 1;
	if ((rv = raise_nofile(o.clients)) != 0) {
		fprintf(stderr, PROGNAME ": not enough file descriptors for %u clients "
		    "(raise ulimit -n)\n", o.clients);
		return 1;
	}
	if ((r = malloc(sizeof(*r))) == NULL) {
		fprintf(stderr, PROGNAME ": out of memory\n");
		return 1;
	}
	rv = bench_run(&o, r);
	if (rv != 0)
		fprintf(stderr, PROGNAME ": %s\n", strerror(-rv));
	if (json)
		report_json(&o, r);
	else
		report_human(&o, r);
	rv = rv != 0 || !r->setup_done || r->disconnects > 0;
	if (!r->setup_done)
		fprintf(stderr, PROGNAME ": setup did not complete: %u of %u clients ready, "
		    "%llu disconnected\n", o.scenario == BENCH_FANOUT ? r->joined :
		    r->registered, o.clients, (unsigned long long)r->disconnects);
	free(r);
	return rv;
}
