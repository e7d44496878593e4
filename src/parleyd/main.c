/*
 * parleyd: flags, the configuration file, then the server until SIGTERM/SIGINT.  Flags
 * win over the file, on every SIGHUP reload too, so they are kept and applied again.
 * An operator's RESTART ends the server like SIGTERM, then runs this program anew.
 */
#include <sys/resource.h>
#include <sys/types.h>

#include <crypt.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "net/iothreads.h"
#include "net/log.h"
#include "net/net.h"
#include "net/relay_main.h"
#include "parleyd/config.h"
#include "parleyd/config_cluster.h"
#include "parleyd/config_values.h"
#include "parleyd/storage.h"
#include "parleyd/upgrade_cmd.h"

#define PROGNAME	"parleyd"
#define OPT_LOG_LEVEL	256	/* long-only options take values past any char */
#define OPT_HASH	257
#define OPT_TLS_LISTEN	300	/* the TLS flags: 300 and up */
#define OPT_TLS_CERT	301
#define OPT_TLS_KEY	302
#define OPT_MODEL	320	/* the concurrency model's flags: 320 and up */
#define OPT_IO_THREADS	321
#define OPT_WEB_LISTEN	340	/* the web listener's flags: 340 and up */
#define OPT_WEB_TLS_LISTEN 341
#define PASSWORD_MAX	400	/* fits an OPER line with a long block name */
#define OPT_STORE	360	/* the store's flags: 360 and up */
#define OPT_BACKUP	361
#define OPT_UPGRADE	380	/* the upgrade's flags: 380 and up */
#define OPT_UPGRADE_FROM 381

/* What the command line says; NULL or 0 where it says nothing. */
struct flags {
	const char	*config;
	char		 listen[NET_LISTEN_MAX][SOCK_ADDR_MAX];
	unsigned	 nlisten;
	bool		 listen_tls[NET_LISTEN_MAX];	/* from --tls-listen */
	bool		 listen_web[NET_LISTEN_MAX];	/* from --web-(tls-)listen */
	const char	*tls_cert;
	const char	*tls_key;
	const char	*password;
	const char	*name;
	bool		 has_level;
	bool		 has_model;
	enum net_model	 model;
	unsigned	 io_threads;	/* 0: not given */
	enum log_level	 level;
	bool		 hash_password;
	const char	*store;		/* --store: a file, or "none" */
	const char	*backup;	/* --backup FILE */
	pid_t		 upgrade;	/* --upgrade PID; 0: not given */
	int		 upgrade_from;	/* --upgrade-from FD (internal); -1: not given */
};

/* The reload callback's argument: the flags and the configuration running now. */
struct state {
	struct flags	 flags;
	char		 created[CONFIG_DATE_MAX + 1];
	struct config	 cfg;
};

static const struct option options[] = {
	{ "config",	required_argument,	NULL,	'c' },
	{ "listen",	required_argument,	NULL,	'l' },
	{ "tls-listen",	required_argument,	NULL,	OPT_TLS_LISTEN },
	{ "web-listen",	required_argument,	NULL,	OPT_WEB_LISTEN },
	{ "web-tls-listen", required_argument,	NULL,	OPT_WEB_TLS_LISTEN },
	{ "tls-cert",	required_argument,	NULL,	OPT_TLS_CERT },
	{ "tls-key",	required_argument,	NULL,	OPT_TLS_KEY },
	{ "password",	required_argument,	NULL,	'p' },
	{ "name",	required_argument,	NULL,	'n' },
	{ "log-level",	required_argument,	NULL,	OPT_LOG_LEVEL },
	{ "model",	required_argument,	NULL,	OPT_MODEL },
	{ "io-threads",	required_argument,	NULL,	OPT_IO_THREADS },
	{ "hash-password", no_argument,		NULL,	OPT_HASH },
	{ "store",	required_argument,	NULL,	OPT_STORE },
	{ "backup",	required_argument,	NULL,	OPT_BACKUP },
	{ "upgrade",	required_argument,	NULL,	OPT_UPGRADE },
	{ "upgrade-from", required_argument,	NULL,	OPT_UPGRADE_FROM },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	'V' },
	{ NULL,		0,			NULL,	0 },
};

static void	usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
usage_error(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, PROGNAME ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '" PROGNAME " --help'.\n");
	exit(1);
}

/* Exit 0 once what --help or --version printed has really been written. */
static void
stdout_exit(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror(PROGNAME ": stdout");
		exit(1);
	}
	exit(0);
}

static void
usage(void)
{
	printf("Usage: " PROGNAME " [OPTION]...\n"
	    "Run the parley IRC server until SIGTERM or SIGINT; SIGHUP reloads the\n"
	    "configuration file and the MOTD.  Flags override the file, on reload too.\n"
	    "Operators (OPER) may also REHASH, DIE and RESTART the server.\n"
	    "\n"
	    "  -c, --config FILE       read settings from the INI file FILE\n"
	    "                          (default: none, the built-in defaults)\n"
	    "  -l, --listen ADDR:PORT  listen on ADDR:PORT: IPV4:PORT, [IPV6]:PORT or\n"
	    "                          localhost:PORT; port 0 picks a free port.  Repeat\n"
	    "                          for up to %d listeners; replaces the file's\n"
	    "                          addresses (default: 127.0.0.1:6667)\n"
	    "      --tls-listen ADDR:PORT\n"
	    "                          the same, a TLS listener (IRC's TLS port is 6697);\n"
	    "                          --listen and --tls-listen replace the file's\n"
	    "                          listeners together\n"
	    "      --web-listen ADDR:PORT\n"
	    "                          the same, a web listener: the web client over HTTP\n"
	    "                          and IRC over WebSocket (docs/web.md)\n"
	    "      --web-tls-listen ADDR:PORT\n"
	    "                          the same over TLS (HTTPS and wss://)\n"
	    "      --tls-cert FILE     the TLS certificate chain, PEM, leaf first\n"
	    "      --tls-key FILE      its private key, PEM, unencrypted\n"
	    "  -p, --password PASS     password clients must send with PASS (default: none;\n"
	    "                          other local users can see flags, prefer the file)\n"
	    "  -n, --name NAME         server name, hostname-like with a '.', at most %d\n"
	    "                          bytes (default: irc.localhost)\n"
	    "      --log-level LEVEL   error, warn, info or debug (default: info)\n"
	    "      --model MODEL       how connections are served: event (one thread,\n"
	    "                          epoll), fork (a process per connection) or threads\n"
	    "                          (I/O threads); see docs/models.md (default: event)\n"
	    "      --io-threads N      threads model: N threads read and write (the\n"
	    "                          core's thread among them), 1..%d; ignored by the\n"
	    "                          other models (default: 2)\n"
	    "      --hash-password     read a password from standard input (one line, not\n"
	    "                          echoed on a terminal), print its yescrypt hash for\n"
	    "                          an [oper NAME] block's password, and exit\n"
	    "      --store FILE        the store's SQLite file, created on first start\n"
	    "                          (default: " CONFIG_STORE_DEFAULT ");\n"
	    "                          none: no store, no accounts;\n"
	    "                          nats://HOST:PORT: NATS JetStream's, shared\n"
	    "                          by every server of the network there\n"
	    "      --backup FILE       write a consistent copy of the store (which a\n"
	    "                          running parleyd may be using) to FILE, and exit\n"
	    "      --upgrade PID       have the parleyd of process PID start its binary\n"
	    "                          anew without dropping anyone (SIGUSR2), wait for\n"
	    "                          the outcome, say it and exit 0 or 1\n"
	    "  -h, --help              show this help and exit\n"
	    "  -V, --version           show the version and exit\n",
	    NET_LISTEN_MAX, CONFIG_NAME_MAX, IOTHREADS_MAX);
	stdout_exit();
}

static const char *
option_name(int val)
{
	for (const struct option *o = options; o->name != NULL; o++)
		if (o->val == val)
			return o->name;
	return NULL;
}

/* getopt_long's '?' and ':' cases, said in one line each. */
static void
option_error(int c, const char *arg)
{
	const char	*name = option_name(optopt);

	if (c == ':')
		usage_error("option '--%s' needs a value", name);
	if (optopt == 0)
		usage_error("unknown or ambiguous option '%s'", arg);
	if (name != NULL)
		usage_error("option '--%s' takes no value", name);
	usage_error("unknown option '-%c'", optopt);
}

/* A decimal number from min to INT_MAX.  Returns 0, or -1. */
static int
number_parse(const char *s, long min, long *n)
{
	char	*end;

	errno = 0;
	*n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *n < min || *n > INT_MAX)
		return -1;
	return 0;
}

static void
flags_parse(int argc, char **argv, struct flags *fl)
{
	char	why[256];
	long	n;
	int	c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:l:p:n:hV", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (*optarg == '\0')
				usage_error("--config: empty file name");
			fl->config = optarg;
			break;
		case 'l':
		case OPT_TLS_LISTEN:
		case OPT_WEB_LISTEN:
		case OPT_WEB_TLS_LISTEN:
			if (config_listen_add(fl->listen, &fl->nlisten, optarg, why,
			    sizeof(why)) == -1)
				usage_error("--%s: %s", option_name(c), why);
			fl->listen_tls[fl->nlisten - 1] = c == OPT_TLS_LISTEN ||
			    c == OPT_WEB_TLS_LISTEN;
			fl->listen_web[fl->nlisten - 1] = c == OPT_WEB_LISTEN ||
			    c == OPT_WEB_TLS_LISTEN;
			break;
		case OPT_TLS_CERT:
		case OPT_TLS_KEY:
			if (*optarg == '\0' || strlen(optarg) >= PATH_MAX)
				usage_error("--%s: not a file name", option_name(c));
			*(c == OPT_TLS_CERT ? &fl->tls_cert : &fl->tls_key) = optarg;
			break;
		case 'p':
			if (config_password_check(optarg, why, sizeof(why)) == -1)
				usage_error("--password: %s", why);
			fl->password = optarg;
			break;
		case 'n':
			if (config_name_check(optarg, why, sizeof(why)) == -1)
				usage_error("--name: %s", why);
			fl->name = optarg;
			break;
		case OPT_HASH:
			fl->hash_password = true;
			break;
		case OPT_STORE:
		case OPT_BACKUP:
			if (*optarg == '\0' || strlen(optarg) >= PATH_MAX - 4)
				usage_error("--%s: not a file name", option_name(c));
			*(c == OPT_STORE ? &fl->store : &fl->backup) = optarg;
			break;
		case OPT_UPGRADE:
		case OPT_UPGRADE_FROM:
			if (number_parse(optarg, c == OPT_UPGRADE ? 1 : 0, &n) == -1)
				usage_error("--%s: not a %s", option_name(c),
				    c == OPT_UPGRADE ? "process id" : "descriptor");
			if (c == OPT_UPGRADE)
				fl->upgrade = (pid_t)n;
			else
				fl->upgrade_from = (int)n;
			break;
		case OPT_MODEL:
			if (config_model_check(optarg, &fl->model, why, sizeof(why)) == -1)
				usage_error("--model: %s", why);
			fl->has_model = true;
			break;
		case OPT_IO_THREADS:
			if (config_io_threads_check(optarg, &fl->io_threads, why,
			    sizeof(why)) == -1)
				usage_error("--io-threads: %s", why);
			break;
		case OPT_LOG_LEVEL:
			if (config_level_check(optarg, &fl->level, why, sizeof(why)) == -1)
				usage_error("--log-level: %s", why);
			fl->has_level = true;
			break;
		case 'h':
			usage();
			break;
		case 'V':
			printf(PROGNAME " %s\n", PARLEY_VERSION);
			stdout_exit();
			break;
		default:
			option_error(c, argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
}

/* Read one line from stdin into buf, without echo when stdin is a terminal. */
static int
password_read(char *buf, size_t cap)
{
	struct termios	 old, quiet;
	bool		 tty = isatty(STDIN_FILENO) == 1;
	bool		 got;

	if (tty) {
		if (tcgetattr(STDIN_FILENO, &old) == -1)
			return -1;
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		fprintf(stderr, "Password: ");
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == -1)
			return -1;
	}
	got = fgets(buf, (int)cap, stdin) != NULL;
	if (tty) {
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	if (!got)
		buf[0] = '\0';
	return ferror(stdin) ? -1 : 0;
}

/* --hash-password: print the yescrypt hash of the password on stdin, exit 0 or 1. */
static void
hash_password(void)
{
	char			 password[PASSWORD_MAX + 2], salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data	*data;
	const char		*hash;
	size_t			 len;

	if (password_read(password, sizeof(password)) == -1) {
		fprintf(stderr, PROGNAME ": --hash-password: stdin: %s\n", strerror(errno));
		exit(1);
	}
	len = strcspn(password, "\r\n");
	if (password[len] == '\0' && len > PASSWORD_MAX) {
		fprintf(stderr, PROGNAME ": --hash-password: longer than %d bytes\n",
		    PASSWORD_MAX);
		exit(1);
	}
	password[len] = '\0';
	if (len == 0) {
		fprintf(stderr, PROGNAME ": --hash-password: empty password\n");
		exit(1);
	}
	/* A NULL random buffer makes libcrypt draw the salt from the kernel. */
	if ((data = calloc(1, sizeof(*data))) == NULL ||
	    crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL ||
	    (hash = crypt_rn(password, salt, data, sizeof(*data))) == NULL ||
	    hash[0] == '*') {
		fprintf(stderr, PROGNAME ": --hash-password: %s\n", strerror(errno));
		exit(1);
	}
	printf("%s\n", hash);
	explicit_bzero(password, sizeof(password));
	explicit_bzero(data, sizeof(*data));
	free(data);
	stdout_exit();
}

/* --backup FILE: copy the configured store, exit 0 or 1 (one line on stderr). */
static void
backup(struct state *st)
{
	char	err[1024];
	int	rc;

	rc = storage_backup(&st->cfg, st->flags.backup, err, sizeof(err));
	config_free(&st->cfg);
	if (rc == -1) {
		fprintf(stderr, PROGNAME ": %s\n", err);
		exit(1);
	}
	exit(0);
}

/* RPL_CREATED's date: this process's start, e.g. "Sun Nov 29 2026 at 02:46:09 UTC". */
static void
created_format(char *buf, size_t cap)
{
	time_t		now = time(NULL);
	struct tm	tm;

	if (now == (time_t)-1 || gmtime_r(&now, &tm) == NULL ||
	    strftime(buf, cap, "%a %b %d %Y at %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, cap, "an unknown date");
}

/* The defaults, the file if there is one, then the flags: the whole configuration. */
static int
config_build(const struct state *st, struct config *cfg, char *err, size_t errlen)
{
	const struct flags	*fl = &st->flags;

	config_defaults(cfg);
	if (fl->config != NULL && config_load(cfg, fl->config, err, errlen) == -1)
		return -1;
	if (fl->nlisten > 0) {
		memcpy(cfg->net.listen, fl->listen, sizeof(fl->listen));
		memcpy(cfg->net.listen_tls, fl->listen_tls, sizeof(fl->listen_tls));
		memset(cfg->net.listen_proxy, 0, sizeof(cfg->net.listen_proxy));
		memcpy(cfg->net.listen_web, fl->listen_web, sizeof(fl->listen_web));
		cfg->net.nlisten = fl->nlisten;
	}
	if (fl->tls_cert != NULL)
		snprintf(cfg->net.tls_cert, sizeof(cfg->net.tls_cert), "%s", fl->tls_cert);
	if (fl->tls_key != NULL)
		snprintf(cfg->net.tls_key, sizeof(cfg->net.tls_key), "%s", fl->tls_key);
	if (fl->password != NULL)
		snprintf(cfg->core.password, sizeof(cfg->core.password), "%s", fl->password);
	if (fl->name != NULL)
		snprintf(cfg->core.server_name, sizeof(cfg->core.server_name), "%s", fl->name);
	if (fl->has_model)
		cfg->net.model = fl->model;
	if (fl->io_threads > 0)
		cfg->net.io_threads = fl->io_threads;
	if (fl->has_level)
		cfg->log_level = fl->level;
	if (fl->store != NULL)
		snprintf(cfg->store_path, sizeof(cfg->store_path), "%s",
		    strcmp(fl->store, "none") == 0 ? "" : fl->store);
	if (fl->config != NULL) {
		const char	*base = strrchr(fl->config, '/');

		snprintf(cfg->core.config_file, sizeof(cfg->core.config_file), "%s",
		    base != NULL && base[1] != '\0' ? base + 1 : fl->config);
	} else {
		snprintf(cfg->core.config_file, sizeof(cfg->core.config_file), "none");
	}
	snprintf(cfg->core.created, sizeof(cfg->core.created), "%s", st->created);
	/* history lives on the store: none without one. */
	if (cfg->store_path[0] == '\0')
		cfg->core.history_enabled = false;
	if (config_cluster_finish(cfg, err, errlen) == -1) {
		config_free(cfg);
		return -1;
	}
	cfg->core.accounts_shared = storage_shared(cfg);
	return 0;
}

/*
 * SIGHUP: build the configuration anew and swap it in.  The MOTD handed over last time
 * is freed only now, after the new one has replaced it (net.h's contract).
 */
static int
reload(void *arg, struct core_config *core, struct net_config *net, char *err,
    size_t errlen)
{
	struct state	*st = arg;
	struct config	 fresh, old = st->cfg;

	if (config_build(st, &fresh, err, errlen) == -1)
		return -1;
	/* The store stays open on the file it was started with. */
	if (strcmp(fresh.store_path, old.store_path) != 0)
		log_warnx("store changes take effect on restart");
	/* The nick table and the store are keyed by it. */
	if (fresh.core.casemapping != old.core.casemapping)
		log_warnx("casemapping changes take effect on restart");
	fresh.core.casemapping = old.core.casemapping;
	if (memcmp(&fresh.net.cluster, &old.net.cluster, sizeof(old.net.cluster)) != 0)
		log_warnx("[cluster] changes take effect on restart");
	st->cfg = fresh;
	*core = st->cfg.core;
	*net = st->cfg.net;
	config_free(&old);
	log_init(PROGNAME, st->cfg.log_level);
	return 0;
}

/*
 * RESTART: every descriptor is closed by now, so the new image binds the same listeners
 * at once (SO_REUSEADDR).  The signals stay blocked across exec: one that arrives
 * meanwhile waits for the new signalfd instead of killing the process.  Returns only if
 * exec failed.
 */
static void
restart(char **argv)
{
	log_info("restarting: exec %s", argv[0]);
	(void)fflush(NULL);
	execv("/proc/self/exe", argv);
	log_error(-errno, "restart failed: /proc/self/exe");
	execvp(argv[0], argv);
	log_error(-errno, "restart failed: %s", argv[0]);
}

/* Where this run's msgids start: the wall clock in microseconds, so that a later run
 * (a restart) never repeats an earlier run's msgids. */
static uint64_t
msgid_seed(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return (uint64_t)getpid();
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * The heap, with glibc.  Busy, parleyd frees and needs again megabytes of output blocks
 * every loop turn; glibc's default would give the top of the heap back to the system at
 * each turn and fault it in again at the next (a sixth of parleyd's time in the privmsg
 * benchmark).  So free heap is kept (up to HEAP_KEEP, the most glibc's own adaptive
 * threshold would), and the driver gives it back once its loop has been quiet for a
 * moment (net/driver.c), so that a burst's memory does not stay.
 */
#define HEAP_KEEP	(64 * 1024 * 1024)

static void
heap_policy(void)
{
#ifdef __GLIBC__
	/* Refused (another allocator, as under a sanitizer): glibc's default, no harm. */
	(void)mallopt(M_TRIM_THRESHOLD, HEAP_KEEP);
#endif
}

/*
 * Every client holds a descriptor: take every one the hard limit allows (the soft one is
 * often 1024).  Failing that, the soft limit stands.  Returns the limit now, for the
 * log; 0 when unknown or unlimited.
 */
static unsigned long long
descriptors_raise(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn(-errno, "getrlimit");
		return 0;
	}
	if (rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
			log_warn(-errno, "setrlimit: descriptors");
			(void)getrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	return rl.rlim_cur == RLIM_INFINITY ? 0 : (unsigned long long)rl.rlim_cur;
}

/* A start that fails says why, on stderr and to the old process of an upgrade. */
static int
start_failed(struct state *st, struct net_upgrade *up, const char *err)
{
	fprintf(stderr, PROGNAME ": %s\n", err);
	net_upgrade_fail(up, err);
	config_free(&st->cfg);
	return 1;
}

/* The upgraded process: the state first, before anything is opened.  NULL when there
 * is no upgrade; exits when the state cannot be read (the old process was told). */
static struct net_upgrade *
upgrade_receive(struct state *st)
{
	struct net_upgrade	*up;
	char			 err[1024];

	if (st->flags.upgrade_from < 0)
		return NULL;
	if ((up = net_upgrade_receive(st->flags.upgrade_from, st->cfg.net.upgrade_timeout,
	    err, sizeof(err))) == NULL)
		exit(start_failed(st, NULL, err));
	return up;
}

int
main(int argc, char **argv)
{
	struct state		 st;
	struct net_server	*srv;
	struct net_upgrade	*up;
	struct store		*store;
	char			 err[1024], exe[PATH_MAX];
	unsigned long long	 nofile;
	int			 rc;

	/* The fork model's relay children are this program run anew (net/relay_main.h). */
	if (argc > 0 && strcmp(argv[0], RELAY_ARGV0) == 0)
		return relay_main(argc, argv);
	/* What an upgrade starts: the file at this path then, whatever replaced it. */
	if (realpath("/proc/self/exe", exe) == NULL)
		exe[0] = '\0';
	memset(&st, 0, sizeof(st));
	st.flags.upgrade_from = -1;
	created_format(st.created, sizeof(st.created));
	flags_parse(argc, argv, &st.flags);
	if (st.flags.hash_password)
		hash_password();
	if (st.flags.upgrade > 0)
		return upgrade_cmd(st.flags.upgrade);
	if (config_build(&st, &st.cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, PROGNAME ": %s\n", err);
		if (st.flags.upgrade_from >= 0)
			(void)dprintf(st.flags.upgrade_from, "fail: %s\n", err);
		return 1;
	}
	log_init(PROGNAME, st.cfg.log_level);
	if (st.flags.backup != NULL)
		backup(&st);
	st.cfg.core.msgid_seed = msgid_seed();
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		perror(PROGNAME ": SIGPIPE");
		config_free(&st.cfg);
		return 1;
	}
	up = upgrade_receive(&st);
	heap_policy();
	nofile = descriptors_raise();
	/* Before the listeners: a store that cannot open stops the start at once. */
	if (storage_open(&st.cfg, &store, err, sizeof(err)) == -1)
		return start_failed(&st, up, err);
	if ((srv = up != NULL ? net_server_resume(&st.cfg.core, &st.cfg.net, reload, &st,
	    up, err, sizeof(err)) : net_server_new(&st.cfg.core, &st.cfg.net, reload, &st,
	    err, sizeof(err))) == NULL) {
		storage_close(store);
		return start_failed(&st, up, err);
	}
	if (exe[0] != '\0' && net_server_exe(srv, exe, argv) == -1) {
		snprintf(err, sizeof(err), "%s", strerror(ENOMEM));
		storage_close(store);
	} else if (storage_start(srv, store, st.cfg.store_path, err, sizeof(err)) == 0 &&
	    (up == NULL || net_server_resumed(srv, err, sizeof(err)) == 0))
		err[0] = '\0';
	if (err[0] != '\0') {
		net_server_free(srv);
		return start_failed(&st, up, err);
	}
	net_upgrade_free(up);
	/* After the server opened: a failure to start says one line only. */
	if (nofile > 0)
		log_info("descriptors: %llu", nofile);
	log_info("parleyd %s running as %s (configuration: %s)", PARLEY_VERSION,
	    st.cfg.core.server_name,
	    st.flags.config != NULL ? st.flags.config : "built-in defaults");
	rc = net_server_run(srv);
	net_server_free(srv);
	config_free(&st.cfg);
	if (rc == NET_RESTART)
		restart(argv);
	return rc == 0 ? 0 : 1;
}
