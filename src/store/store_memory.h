#ifndef PARLEY_STORE_STORE_MEMORY_H
#define PARLEY_STORE_STORE_MEMORY_H

/*
 * The memory backend's one knob beyond store_ops (store.h), for the unit tests: make
 * it fail as a broken disk would.
 */
struct store;

/* From now on every write of a store_memory store fails with status (-EIO, -ENOSPC)
 * and writes nothing; 0 makes writes work again.  Reads are not affected. */
void	store_memory_fail(struct store *st, int status);

#endif
