/*
 * The JetStream backend under test (fixture_store.h's fs_jetstream): one nats-server
 * for the whole test program, each test a network of its own on it.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>

#include "store/store_jetstream.h"

#include "fixture_store.h"

static pid_t	nats_pid;
static int	nats_port;
static char	nats_dir[64];

/* A port nothing listens on now (the kernel's choice), for nats-server's -p. */
static int
free_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	(void)close(fd);
	return port;
}

/* Whether the server takes connections yet. */
static int
nats_up(void)
{
	struct sockaddr_in	sin;
	int			fd, rc;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)nats_port);
	rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	(void)close(fd);
	return rc;
}

int
fs_nats_signal(int sig)
{
	int	status;

	if (nats_pid <= 0 || kill(nats_pid, sig) == -1)
		return -1;
	/* kill returns before the stop takes: wait until it has (the server is this
	 * process's child). */
	if (sig == SIGSTOP && (waitpid(nats_pid, &status, WUNTRACED) != nats_pid ||
	    !WIFSTOPPED(status)))
		return -1;
	return 0;
}

int
fs_nats_stop(void)
{
	if (nats_pid <= 0)
		return -1;
	(void)kill(nats_pid, SIGTERM);
	(void)waitpid(nats_pid, NULL, 0);
	nats_pid = 0;
	return 0;
}

static void
nats_stop(void)
{
	char	cmd[128];

	(void)fs_nats_stop();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", nats_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fixture_nats: %s left behind\n", nats_dir);
	nats_Close();
}

/* nats-server -js on nats_port and nats_dir; 0 once it takes connections, or -1. */
int
fs_nats_start(void)
{
	const struct timespec	tick = { 0, 20 * 1000 * 1000 };
	char			port[16], dir[80];
	int			fd;

	snprintf(port, sizeof(port), "%d", nats_port);
	snprintf(dir, sizeof(dir), "%s", nats_dir);
	if ((nats_pid = fork()) == -1)
		return -1;
	if (nats_pid == 0) {
		/* It goes with this process, however this one ends. */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if ((fd = open("/dev/null", O_WRONLY)) != -1) {
			(void)dup2(fd, STDOUT_FILENO);
			(void)dup2(fd, STDERR_FILENO);
		}
		execlp("nats-server", "nats-server", "-js", "-sd", dir, "-p", port, "-a",
		    "127.0.0.1", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 250 && !nats_up(); i++)
		(void)nanosleep(&tick, NULL);
	return nats_up() ? 0 : -1;
}

/* Start it the first time it is needed; 0 or -1. */
static int
nats_start(void)
{
	static bool	started;

	if (started)
		return nats_pid > 0 ? 0 : -1;
	started = true;
	snprintf(nats_dir, sizeof(nats_dir), "/tmp/parley-test-nats.XXXXXX");
	if (mkdtemp(nats_dir) == NULL || (nats_port = free_port()) <= 0)
		return -1;
	atexit(nats_stop);
	return fs_nats_start();
}

static char	network[32];	/* the last test's */

struct store *
fs_jetstream_peer(const char *node, const char *index, char *err, size_t errlen)
{
	struct store_jetstream_conf	 c;
	struct store			*st;
	natsOptions			*o;
	char				 url[64];

	snprintf(url, sizeof(url), "nats://127.0.0.1:%d", nats_port);
	/* Reconnecting soon and forever, as parleyd's options do (nats_conf.c). */
	if (natsOptions_Create(&o) != NATS_OK || natsOptions_SetURL(o, url) != NATS_OK ||
	    natsOptions_SetMaxReconnect(o, -1) != NATS_OK ||
	    natsOptions_SetReconnectWait(o, 50) != NATS_OK) {
		snprintf(err, errlen, "nats options");
		return NULL;
	}
	memset(&c, 0, sizeof(c));
	c.nats = o;
	c.network = network;
	c.node = node;
	c.index = index;
	st = store_jetstream_open(&c, err, errlen);
	natsOptions_Destroy(o);
	return st;
}

int
fs_nats_put(const char *suffix, const char *key, const char *value)
{
	natsConnection	*nc = NULL;
	jsCtx		*js = NULL;
	kvStore		*kv = NULL;
	uint64_t	 rev;
	char		 url[64], bucket[96];
	int		 rc = -1;

	snprintf(url, sizeof(url), "nats://127.0.0.1:%d", nats_port);
	snprintf(bucket, sizeof(bucket), "parley_%s_%s", network, suffix);
	if (natsConnection_ConnectTo(&nc, url) == NATS_OK &&
	    natsConnection_JetStream(&js, nc, NULL) == NATS_OK &&
	    js_KeyValue(&kv, js, bucket) == NATS_OK &&
	    kvStore_PutString(&rev, kv, key, value) == NATS_OK)
		rc = 0;
	kvStore_Destroy(kv);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	return rc;
}

static struct store *
fs_jetstream_open(struct fs_backend *b, char *err, size_t errlen)
{
	static unsigned	tests;

	if (nats_start() == -1) {
		snprintf(err, errlen, "cannot start nats-server");
		return NULL;
	}
	snprintf(network, sizeof(network), "t%ldn%u", (long)getpid(), ++tests);
	return fs_jetstream_peer("a", b->path, err, errlen);
}

struct fs_backend	fs_jetstream = { &store_jetstream, "", "", NULL, fs_jetstream_open };
