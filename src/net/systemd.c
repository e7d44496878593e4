/*
 * The service manager's two protocols, spoken without libsystemd.  Readiness
 * (sd_notify): datagrams of "KEY=value" lines to the unix socket $NOTIFY_SOCKET names
 * (a leading '@' is Linux's abstract namespace): READY=1 once serving, RELOADING=1 and
 * READY=1 around a reload, STOPPING=1, and STATUS= with the clients and channels.
 * Socket activation: the listening sockets systemd passes as descriptors 3 and up
 * ($LISTEN_FDS, for the process $LISTEN_PID), named by $LISTEN_FDNAMES; a name holding
 * "tls" is a TLS listener, one holding "web" a web listener (HTTP and WebSocket), and
 * one holding "proxy" (and not "web") expects a PROXY header.  The LISTEN_
 * variables are unset once read: the descriptors are this process's alone (after an
 * operator's RESTART, parleyd binds the configured addresses).  NOTIFY_SOCKET stays,
 * so that parleyd run anew by RESTART (the same process to systemd) reports too.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/server.h"
#include "net/driver.h"
#include "net/log.h"
#include "net/sock.h"

#define SD_LISTEN_FDS_START	3
#define SD_STATUS_MS		10000	/* STATUS= at most this often, when it changed */

void
systemd_open(struct net_server *srv)
{
	const char		*path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un	*sun = &srv->notify_addr;
	size_t			 len;

	srv->notify_fd = -1;
	if (path == NULL)
		return;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len < 2 || len >= sizeof(sun->sun_path)) {
		log_warnx("NOTIFY_SOCKET: not a unix socket path: %s", path);
		return;
	}
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, len);
	if (path[0] == '@')
		sun->sun_path[0] = '\0';
	srv->notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
	    (path[0] == '/'));
	if ((srv->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		log_warn(-errno, "NOTIFY_SOCKET: socket");
}

void
systemd_notify(struct net_server *srv, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;
	int	 n;

	if (srv->notify_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return;
	while (sendto(srv->notify_fd, msg, (size_t)n, MSG_NOSIGNAL,
	    (const struct sockaddr *)&srv->notify_addr, srv->notify_len) == -1) {
		if (errno == EINTR)
			continue;
		log_warn(-errno, "NOTIFY_SOCKET: send");
		return;
	}
}

/* "STATUS=..." as the service manager shows it. */
static void
systemd_status_line(struct net_server *srv, const char *head)
{
	struct core_stats	 st;

	struct cluster_stats	 cs = { .nodes = 0 };

	core_stats(srv->core, &st);
	srv->status_clients = st.clients;
	srv->status_channels = st.channels;
	srv->status_at = server_now(srv);
	if (srv->cluster == NULL) {
		systemd_notify(srv, "%sSTATUS=%zu clients (%zu registered), %zu channels",
		    head, st.clients, st.registered, st.channels);
		return;
	}
	/* A node: the network it sees, as the metrics count it (cluster.c). */
	cluster_stats(srv, &cs);
	srv->status_nodes = cs.nodes;
	systemd_notify(srv, "%sSTATUS=%zu clients (%zu registered), %zu channels; %zu "
	    "other nodes, NATS %s", head, st.clients, st.registered, st.channels, cs.nodes,
	    cs.connected ? "connected" : "unreachable");
}

void
systemd_ready(struct net_server *srv)
{
	systemd_status_line(srv, "READY=1\n");
}

void
systemd_reloading(struct net_server *srv)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		ts.tv_sec = ts.tv_nsec = 0;
	systemd_notify(srv, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
}

void
systemd_status(struct net_server *srv)
{
	struct core_stats	 st;
	struct cluster_stats	 cs = { .nodes = 0 };

	if (srv->notify_fd < 0 || srv->stopping ||
	    server_now(srv) - srv->status_at < SD_STATUS_MS)
		return;
	/* Looked at every 10 s, whether or not it changed: core_stats walks the clients. */
	srv->status_at = server_now(srv);
	core_stats(srv->core, &st);
	if (srv->cluster != NULL)
		cluster_stats(srv, &cs);
	if (st.clients != srv->status_clients || st.channels != srv->status_channels ||
	    cs.nodes != srv->status_nodes)
		systemd_status_line(srv, "");
}

void
systemd_close(struct net_server *srv)
{
	if (srv->notify_fd >= 0)
		sock_close(srv->notify_fd);
	srv->notify_fd = -1;
}

/* Name i of the colon-separated names into buf; "" when there is none. */
static void
fd_name(const char *names, int i, char *buf, size_t cap)
{
	const char	*p = names;

	for (; p != NULL && i > 0; i--)
		if ((p = strchr(p, ':')) != NULL)
			p++;
	if (p == NULL) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, cap, "%.*s", (int)strcspn(p, ":"), p);
}

/* fd is a listening stream socket: made non-blocking and close-on-exec. */
static int
fd_take(int fd)
{
	int		 on = 0, type = 0, flags;
	socklen_t	 len = sizeof(on);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == -1)
		return -errno;
	len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1)
		return -errno;
	if (!on || type != SOCK_STREAM)
		return -EINVAL;
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return -errno;
	return 0;
}

int
systemd_listen_fds(struct net_config *cfg, int fds[NET_LISTEN_MAX], char *err,
    size_t errlen)
{
	const char		*pid = getenv("LISTEN_PID"), *nfds = getenv("LISTEN_FDS");
	const char		*names = getenv("LISTEN_FDNAMES");
	struct sockaddr_storage	 ss;
	char			 name[256], *end;
	long			 n;
	int			 rc;

	if (pid == NULL || nfds == NULL || strtol(pid, &end, 10) != (long)getpid() ||
	    *end != '\0')
		return 0;
	n = strtol(nfds, &end, 10);
	if (*end != '\0' || n < 1 || n > NET_LISTEN_MAX) {
		snprintf(err, errlen, "LISTEN_FDS=%s: 1 to %d listening sockets", nfds,
		    NET_LISTEN_MAX);
		return -1;
	}
	for (int i = 0; i < (int)n; i++) {
		fds[i] = SD_LISTEN_FDS_START + i;
		fd_name(names, i, name, sizeof(name));
		if ((rc = fd_take(fds[i])) < 0 || (rc = sock_local_addr(fds[i], &ss)) < 0) {
			snprintf(err, errlen, "LISTEN_FDS: descriptor %d: %s", fds[i],
			    rc == -EINVAL ? "not a listening stream socket" :
			    strerror(-rc));
			return -1;
		}
		sock_format_addr((const struct sockaddr *)&ss, cfg->listen[i],
		    sizeof(cfg->listen[i]));
		cfg->listen_tls[i] = strstr(name, "tls") != NULL;
		cfg->listen_web[i] = strstr(name, "web") != NULL;
		cfg->listen_proxy[i] = !cfg->listen_web[i] &&
		    strstr(name, "proxy") != NULL;
	}
	cfg->nlisten = (unsigned)n;
	(void)unsetenv("LISTEN_PID");
	(void)unsetenv("LISTEN_FDS");
	(void)unsetenv("LISTEN_FDNAMES");
	return (int)n;
}
