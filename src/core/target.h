#ifndef PARLEY_CORE_TARGET_H
#define PARLEY_CORE_TARGET_H

#include <stdbool.h>

/*
 * Target lists ("a,b,c") as command_next_item() splits them in place: whether an item
 * was named already, so a command answers each target once however often it repeats.
 */

struct core;

/*
 * True when item, a piece of the list that started at start and was split by
 * command_next_item() up to item, equals (the core's casemapping) an item before it.
 * Costs O(bytes before item); a line is at most 512 bytes.
 */
bool	target_repeated(const struct core *core, const char *start, const char *item);

#endif
