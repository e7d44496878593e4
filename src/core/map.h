#ifndef PARLEY_CORE_MAP_H
#define PARLEY_CORE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/casemap.h"
#include "core/siphash.h"

/*
 * A hash map from names (compared under the map's casemapping, rfc1459 unless set) to
 * pointers: nicks to clients, channel names to channels.  Open addressing; the map
 * does not own the keys, which must stay valid while the entry exists (keep the key
 * inside the value).
 * Names are hashed with SipHash-1-3 under the map's own key, so that a client who does
 * not know it cannot pick names that all land on one probe chain.
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
	struct siphash_key	 key;	/* set by map_init; kept by map_clear */
	enum casemapping	 cm;	/* map_set_casemap; kept by map_clear */
};

/* An empty map under the all-zero key: for tests and maps no client can fill. */
#define MAP_INIT	{ NULL, 0, 0, 0, { 0, 0 }, CASEMAP_RFC1459 }
#define MAP_KEY_LEN	SIPHASH_KEY_LEN

/* An empty map whose names hash under key (MAP_KEY_LEN bytes, secret and random in a
 * server: see core_config.hash_key). */
void	 map_init(struct map *m, const uint8_t key[MAP_KEY_LEN]);

/* Compare names under cm from now on: only while the map is empty. */
void	 map_set_casemap(struct map *m, enum casemapping cm);

/* The value stored under key, or NULL. */
void	*map_get(const struct map *m, const char *key);

/* Store value under key, replacing any value there.  Returns 0, or -1 when out of
 * memory (the map is unchanged). */
int	 map_put(struct map *m, const char *key, void *value);

/* Remove key; returns the value it had, or NULL. */
void	*map_del(struct map *m, const char *key);

size_t	 map_len(const struct map *m);

/* Free the table (not the keys or values) and leave an empty map, under the same key. */
void	 map_clear(struct map *m);

/* Iterate: start with *pos = 0; returns false at the end.  The map must not change
 * during an iteration. */
bool	 map_next(const struct map *m, size_t *pos, const char **key, void **value);

#endif
