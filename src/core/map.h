#ifndef PARLEY_CORE_MAP_H
#define PARLEY_CORE_MAP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A hash map from names (compared under rfc1459 casemapping) to pointers: nicks to
 * clients, channel names to channels.  Open addressing; the map does not own the keys,
 * which must stay valid while the entry exists (keep the key inside the value).
 */
struct map_entry {
	const char	*key;
	void		*value;
	size_t		 hash;
};

struct map {
	struct map_entry	*slots;
	size_t			 cap;	/* power of two, or 0 */
	size_t			 len;
	size_t			 used;	/* live entries plus tombstones */
};

#define MAP_INIT	{ NULL, 0, 0, 0 }

/* The value stored under key, or NULL. */
void	*map_get(const struct map *m, const char *key);

/* Store value under key, replacing any value there.  Returns 0, or -1 when out of
 * memory (the map is unchanged). */
int	 map_put(struct map *m, const char *key, void *value);

/* Remove key; returns the value it had, or NULL. */
void	*map_del(struct map *m, const char *key);

size_t	 map_len(const struct map *m);

/* Free the table (not the keys or values) and leave an empty map. */
void	 map_clear(struct map *m);

/* Iterate: start with *pos = 0; returns false at the end.  The map must not change
 * during an iteration. */
bool	 map_next(const struct map *m, size_t *pos, const char **key, void **value);

#endif
