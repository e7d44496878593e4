#ifndef PARLEY_CORE_VEC_H
#define PARLEY_CORE_VEC_H

#include <stddef.h>

/*
 * A growable array of pointers.  Order is not kept on removal: the last element moves
 * into the hole, so removal is O(1) when the caller knows the index.
 */
struct vec {
	void	**items;
	size_t	  len;
	size_t	  cap;
};

#define VEC_INIT	{ NULL, 0, 0 }

/* Append p.  Returns 0, or -1 when out of memory (the vector is unchanged). */
int	vec_push(struct vec *v, void *p);

/* Remove the element at i, moving the last one into its place. */
void	vec_remove_at(struct vec *v, size_t i);

/* Remove p if present (linear search).  Returns its old index, or (size_t)-1. */
size_t	vec_remove(struct vec *v, const void *p);

/* Free the storage (not the elements) and leave an empty vector. */
void	vec_clear(struct vec *v);

#endif
