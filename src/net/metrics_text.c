/*
 * What a scrape says: the driver's and the core's counters and gauges in Prometheus's
 * text format.  Gauges that need a walk (connections by transport and state, queued
 * output) walk the connection table here, once per scrape, never on the event path.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/server.h"
#include "net/driver.h"
#include "net/metrics_text.h"

void
metrics_append(struct metrics_buf *b, const char *s, size_t n)
{
	char	*p;
	size_t	 cap = b->cap > 0 ? b->cap : 4096;

	if (b->failed)
		return;
	while (cap - b->len <= n)
		cap *= 2;
	if (cap != b->cap) {
		if ((p = realloc(b->p, cap)) == NULL) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
metrics_printf(struct metrics_buf *b, const char *fmt, ...)
{
	char	 line[512];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		b->failed = true;
		return;
	}
	metrics_append(b, line, (size_t)n);
}

/* HELP and TYPE of one metric. */
static void
head(struct metrics_buf *b, const char *name, const char *type, const char *help)
{
	metrics_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
one(struct metrics_buf *b, const char *name, const char *type, const char *help,
    unsigned long long v)
{
	head(b, name, type, help);
	metrics_printf(b, "%s %llu\n", name, v);
}

static const char *const	 gone_names[CORE_GONE_KINDS] = {
	[CORE_GONE_QUIT] = "quit",
	[CORE_GONE_PING] = "ping_timeout",
	[CORE_GONE_SENDQ] = "sendq",
	[CORE_GONE_FLOOD] = "excess_flood",
	[CORE_GONE_KILLED] = "killed",
	[CORE_GONE_CLOSED] = "closed",
	[CORE_GONE_OTHER] = "other",
};

static const char *const	 model_names[] = { "event", "fork", "threads" };

/* Connections by transport and state, and the output they have queued.  A web
 * listener's connection is "websocket" (over TLS or not) from its accept on; its HTTP
 * phase, like a TLS handshake, is "handshake". */
static void
connections(struct net_server *srv, struct metrics_buf *b)
{
	static const char *const	 transports[] = { "plain", "tls", "websocket" };
	static const char *const	 states[] = { "handshake", "unregistered",
	    "registered", "closing" };
	unsigned long long		 n[3][4] = { { 0 } }, queued = 0;
	struct conn			*c;
	int				 st, t;

	for (size_t fd = 0; fd < srv->conns.cap; fd++) {
		if ((c = srv->conns.slot[fd]) == NULL)
			continue;
		if (c->state == CONN_HANDSHAKE || c->state == CONN_HTTP)
			st = 0;
		else if (c->state != CONN_OPEN)
			st = 3;
		else
			st = c->registered ? 2 : 1;
		t = c->web != NULL ? 2 : c->via_tls;
		n[t][st]++;
		queued += outq_len(&c->outq);
	}
	head(b, "parley_connections", "gauge", "Client connections by transport and state.");
	for (t = 0; t < 3; t++)
		for (int i = 0; i < 4; i++)
			metrics_printf(b, "parley_connections{transport=\"%s\",state=\"%s\"} "
			    "%llu\n", transports[t], states[i], n[t][i]);
	one(b, "parley_output_queue_bytes", "gauge",
	    "Bytes queued for clients and not yet written.", queued);
}

/* A histogram of n buckets (counts in v, bounds in ns) and their total in ns. */
static void
histogram(struct metrics_buf *b, const char *name, const char *help,
    const uint64_t *v, const int64_t *bounds, unsigned n, uint64_t total_ns)
{
	unsigned long long	 sum = 0;

	head(b, name, "histogram", help);
	for (unsigned i = 0; i < n; i++) {
		sum += v[i];
		if (i + 1 < n)
			metrics_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name,
			    (double)bounds[i] / 1e9, sum);
		else
			metrics_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, sum);
	}
	metrics_printf(b, "%s_sum %.9f\n", name, (double)total_ns / 1e9);
	metrics_printf(b, "%s_count %llu\n", name, sum);
}

/* A node's side of the network (cluster.c): only when it is one. */
static void
cluster(struct net_server *srv, struct metrics_buf *b)
{
	struct cluster_stats	 st;

	if (srv->cluster == NULL)
		return;
	cluster_stats(srv, &st);
	one(b, "parley_cluster_nodes_up", "gauge", "Other nodes of the network heard.",
	    st.nodes);
	one(b, "parley_cluster_nats_connected", "gauge",
	    "Whether this node's connection to NATS is up (1) or not (0).", st.connected);
	one(b, "parley_cluster_lines_in_total", "counter",
	    "Node lines received and handed to the core.", st.lines_in);
	one(b, "parley_cluster_lines_out_total", "counter",
	    "Node lines the core published: one per node subject, not per receiver.",
	    st.lines_out);
	one(b, "parley_cluster_queue_bytes", "gauge",
	    "Bytes of node messages waiting for the event loop.", st.queued);
	one(b, "parley_cluster_resyncs_total", "counter",
	    "Times this node split from every node to join again (a line was lost).",
	    st.resyncs);
}

void
metrics_text(struct net_server *srv, struct metrics_buf *b)
{
	const struct net_counters	*n = &srv->counted;
	struct core_stats		 st;

	core_stats(srv->core, &st);
	head(b, "parley_build_info", "gauge", "The running parleyd: version and model.");
	metrics_printf(b, "parley_build_info{version=\"%s\",model=\"%s\"} 1\n",
	    PARLEY_VERSION, model_names[srv->cfg.model]);
	head(b, "parley_clients", "gauge", "Clients the server knows, by state.");
	metrics_printf(b, "parley_clients{state=\"registered\"} %zu\n", st.registered);
	metrics_printf(b, "parley_clients{state=\"unregistered\"} %zu\n",
	    st.clients - st.registered);
	connections(srv, b);
	one(b, "parley_channels", "gauge", "Channels that exist.", st.channels);
	one(b, "parley_operators", "gauge", "Registered clients that are IRC operators.",
	    st.opers);
	one(b, "parley_lines_received_total", "counter", "Lines received from clients.",
	    st.lines_in);
	one(b, "parley_lines_sent_total", "counter",
	    "Lines queued for clients (messages delivered): one per receiver.",
	    n->lines_out);
	one(b, "parley_bytes_received_total", "counter",
	    "Bytes read from clients, after TLS.", n->bytes_in);
	one(b, "parley_bytes_sent_total", "counter",
	    "Bytes written to clients, before TLS.", n->bytes_out);
	one(b, "parley_registrations_total", "counter",
	    "Clients that completed registration.", st.registrations);
	head(b, "parley_disconnects_total", "counter", "Clients that left, by reason.");
	for (int i = 0; i < CORE_GONE_KINDS; i++)
		metrics_printf(b, "parley_disconnects_total{reason=\"%s\"} %llu\n",
		    gone_names[i], (unsigned long long)st.gone[i]);
	one(b, "parley_connections_refused_total", "counter",
	    "Connections turned away at accept (limits, full, untrusted proxies).",
	    n->refused);
	one(b, "parley_flood_delayed_lines_total", "counter",
	    "Lines flood control held back.", st.flood_delayed);
	one(b, "parley_tls_handshakes", "gauge", "TLS handshakes under way.",
	    srv->nhandshakes);
	one(b, "parley_proxy_headers_awaited", "gauge",
	    "Connections on PROXY listeners waiting for their header.", srv->nproxying);
	one(b, "parley_jobs_total", "counter",
	    "Jobs handed to the worker pool or the store thread.",
	    n->jobs_submitted);
	one(b, "parley_jobs_in_flight", "gauge", "Jobs submitted and not yet done.",
	    n->jobs_submitted - n->jobs_done);
	histogram(b, "parley_job_duration_seconds",
	    "Jobs from their submission to their result (the pool's queue included).",
	    n->job_times, metrics_job_bounds, NET_JOB_BUCKETS, n->job_ns);
	histogram(b, "parley_turn_duration_seconds",
	    "Event loop turns by the time from the wakeup to the next wait.", n->turns,
	    metrics_turn_bounds, NET_TURN_BUCKETS, n->turn_ns);
	cluster(srv, b);
}
