/*
 * The embedded default connection limits.
 */
#include <string.h>

#include "core/msg.h"
#include "net/net.h"

void
net_config_defaults(struct net_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	/* Loopback only: exposing a server to the network is a decision, not a default. */
	strcpy(cfg->listen[0], "127.0.0.1:6667");
	cfg->nlisten = 1;
	cfg->model = NET_MODEL_EVENT;
	cfg->sendq = 1024 * 1024;
	/* Before registering a client gets little more than a few numerics and CAP LS. */
	cfg->sendq_unregistered = 16 * 1024;
	/* The longest line IRCv3 allows: a full tag section plus a classic 512-byte line. */
	cfg->line_max = MSG_LINE_MAX;
	cfg->max_clients = 0;
	/* Enough for a household or an office behind one NAT address, and a bouncer. */
	cfg->max_per_address = 32;
	/* A handshake costs a signature: half an address's slots may be in one at once. */
	cfg->handshakes_per_address = 16;
	/* A bouncer reconnects its users at once; a churn gets 6 connections a second. */
	cfg->connect_rate = 64;
	cfg->connect_window = 10000;
	/* One host has one IPv4 address, but a whole /64 of IPv6 ones. */
	cfg->ipv4_prefix = 32;
	cfg->ipv6_prefix = 64;
	cfg->max_handshakes = 1024;
	/* A bouncer or a web gateway on this host is normal: loopback is not limited. */
	(void)net_cidr_parse("127.0.0.0/8", &cfg->exempt.v[0]);
	(void)net_cidr_parse("::1", &cfg->exempt.v[1]);
	cfg->exempt.n = 2;
	/* No proxy is trusted until named; a balancer sends its header at once. */
	cfg->proxy_timeout = 5000;
	cfg->tls_handshake_timeout = 10000;
	cfg->sts = true;
	cfg->linger = 2000;
	cfg->shutdown_grace = 3000;
	cfg->upgrade_timeout = 10000;
	/* One thread per core of a small machine: the core's and one more. */
	cfg->io_threads = 2;
	/* Jobs are rare (an OPER's hash): two, so that one slow job holds up no other. */
	cfg->workers = 2;
	/* The web listener: a browser's request fits 8 KiB and 64 fields with room. */
	cfg->web_header_max = 8192;
	cfg->web_headers_max = 64;
	cfg->web_header_timeout = 10000;
	/* A node is gone after five missed heartbeats; a starting node waits as long for
	 * the others' bursts.  64 MiB of lines is a burst of some 200000 users. */
	cfg->cluster.heartbeat = 1000;
	cfg->cluster.timeout = 5000;
	cfg->cluster.sync_timeout = 5000;
	cfg->cluster.queue = 64 * 1024 * 1024;
}
