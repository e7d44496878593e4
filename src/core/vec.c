#include <stdint.h>
#include <stdlib.h>

#include "core/vec.h"

int
vec_push(struct vec *v, void *p)
{
	if (v->len == v->cap) {
		size_t	 cap = v->cap ? v->cap * 2 : 4;
		void	**items;

		if (cap > SIZE_MAX / sizeof(*items))
			return -1;
		items = realloc(v->items, cap * sizeof(*items));
		if (items == NULL)
			return -1;
		v->items = items;
		v->cap = cap;
	}
	v->items[v->len++] = p;
	return 0;
}

void
vec_remove_at(struct vec *v, size_t i)
{
	v->items[i] = v->items[--v->len];
	if (v->len == 0)
		vec_clear(v);
}

size_t
vec_remove(struct vec *v, const void *p)
{
	for (size_t i = 0; i < v->len; i++) {
		if (v->items[i] == p) {
			vec_remove_at(v, i);
			return i;
		}
	}
	return (size_t)-1;
}

void
vec_clear(struct vec *v)
{
	free(v->items);
	v->items = NULL;
	v->len = v->cap = 0;
}
