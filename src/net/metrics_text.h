#ifndef PARLEY_NET_METRICS_TEXT_H
#define PARLEY_NET_METRICS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The metrics in Prometheus's text exposition format (version 0.0.4): every metric with
 * its HELP and TYPE, as docs/operations.md lists them.
 */
struct net_server;

/* A growing text; failed once an allocation failed (the text is then incomplete). */
struct metrics_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	bool	 failed;
};

void	metrics_append(struct metrics_buf *b, const char *s, size_t n);
void	metrics_printf(struct metrics_buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Every metric of srv, as a scrape reads them, appended to b (the caller frees b->p). */
void	metrics_text(struct net_server *srv, struct metrics_buf *b);

#endif
