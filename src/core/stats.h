#ifndef PARLEY_CORE_STATS_H
#define PARLEY_CORE_STATS_H

#include <stdbool.h>

/*
 * The core's counters for core_stats (server.h): kept in core->counted, one plain
 * increment where each thing happens.
 */
struct core;

/* A client leaves with reason: by the core's own decision (error: it was sent ERROR),
 * or because the driver reported its connection over. */
void	stats_gone(struct core *core, const char *reason, bool error);

#endif
