/*
 * parley-bench's history scenario: CHATHISTORY queries, one in flight per client, each
 * timed to the PONG of the PING sent after it.  See history.h.
 */
#include <stdio.h>
#include <string.h>

#include "parley-bench/history.h"

bool
history_on_msg(struct bench *b, unsigned id, const struct msg *m)
{
	struct bconn		*c = &b->c[id];
	unsigned long long	 sent;

	if (strcmp(m->verb, "PONG") != 0)
		return false;
	if (c->ping_sent == 0 || m->nparams == 0 ||
	    sscanf(m->params[m->nparams - 1], "%llu", &sent) != 1 || sent != c->ping_sent)
		return true;
	if (b->phase == PH_MEASURE) {
		hist_record(&b->r->latency, b->now > sent ? b->now - sent : 0);
		b->r->delivered++;
	}
	c->ping_sent = 0;
	return true;
}

void
history_send(struct bench *b)
{
	char	line[1100];
	int	n;

	for (unsigned i = 0; i < b->o->clients; i++) {
		struct bconn	*c = &b->c[i];

		if (c->state != CS_READY || c->ping_sent != 0)
			continue;
		n = snprintf(line, sizeof(line), "CHATHISTORY %s\r\nPING :%llu\r\n",
		    b->o->query, (unsigned long long)b->now);
		if (n <= 0 || (size_t)n >= sizeof(line))
			continue;
		conn_queue(c, line, (size_t)n);
		c->ping_sent = b->now;
		b->r->sent++;
		conn_flush(b, i);
	}
}
