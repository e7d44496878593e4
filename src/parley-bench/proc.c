/*
 * Memory figures of a process tree: one key of a /proc file, for a process and summed
 * over its descendants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parley-bench/proc.h"

long
bench_proc_kib(long pid, const char *file, const char *key)
{
	char	 path[64], line[256];
	size_t	 klen = strlen(key);
	long	 v = -1;
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%ld/%s", pid, file);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* Add key's value for each descendant of pid (its threads' children, recursively). */
static void
bench_children_kib(long pid, const char *file, const char *key, int depth, long *sum)
{
	char	 path[64];
	long	 child, v;
	FILE	*f;

	/* Bounded: a server's processes are a parent and its children, never a deep tree. */
	if (depth > 8)
		return;
	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", pid, pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fscanf(f, "%ld", &child) == 1) {
		if ((v = bench_proc_kib(child, file, key)) > 0)
			*sum += v;
		bench_children_kib(child, file, key, depth + 1, sum);
	}
	fclose(f);
}

long
bench_tree_kib(long pid, const char *file, const char *key)
{
	long	 sum = bench_proc_kib(pid, file, key);

	if (sum >= 0)
		bench_children_kib(pid, file, key, 0, &sum);
	return sum;
}
