#ifndef PARLEY_BENCH_PROC_H
#define PARLEY_BENCH_PROC_H

/*
 * Memory figures of a process tree from /proc: what the connect scenario reports about
 * the server it loads.  Linux only; no state, every call reads the files afresh.
 */

/* Read "Key:   N kB" from a /proc file of pid (status or smaps_rollup); -1 if absent. */
long	bench_proc_kib(long pid, const char *file, const char *key);

/* The same summed over pid and all its descendants (a server that forks a process per
 * client, counted whole); -1 if pid's own file lacks it. */
long	bench_tree_kib(long pid, const char *file, const char *key);

#endif
