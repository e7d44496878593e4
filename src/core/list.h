#ifndef PARLEY_CORE_LIST_H
#define PARLEY_CORE_LIST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Intrusive circular doubly-linked list.  A node is embedded in its owner; the owner is
 * found with list_entry().  An unlinked node points at itself, so list_del() is safe to
 * call twice and list_linked() answers whether a node is on a list.
 */
struct list {
	struct list	*prev;
	struct list	*next;
};

#define list_entry(node, type, member) \
	((type *)(void *)((char *)(node) - offsetof(type, member)))

static inline void
list_init(struct list *l)
{
	l->prev = l->next = l;
}

static inline bool
list_empty(const struct list *l)
{
	return l->next == l;
}

static inline bool
list_linked(const struct list *n)
{
	return n->next != n;
}

/* Append n at the tail of head's list. */
static inline void
list_add_tail(struct list *head, struct list *n)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

static inline void
list_del(struct list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	list_init(n);
}

/* Move n (linked or not) to the tail of head's list. */
static inline void
list_move_tail(struct list *head, struct list *n)
{
	list_del(n);
	list_add_tail(head, n);
}

#endif
