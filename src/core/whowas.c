/*
 * The WHOWAS history: a bounded ring of departed nicks, newest first on lookup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/whowas.h"

const struct whowas_entry *
whowas_get(const struct whowas *w, size_t i)
{
	if (i >= w->len)
		return NULL;
	return &w->ring[(w->next + w->cap - 1 - i) % w->cap];
}

void
whowas_clear(struct whowas *w)
{
	for (size_t i = 0; i < w->len; i++)
		free(w->ring[(w->next + w->cap - 1 - i) % w->cap].realname);
	free(w->ring);
	w->ring = NULL;
	w->cap = w->len = w->next = 0;
}

/* Move to a ring of cap slots, keeping the newest entries that fit. */
static int
whowas_resize(struct whowas *w, size_t cap)
{
	struct whowas_entry	*ring;
	size_t			 keep = w->len < cap ? w->len : cap;

	if ((ring = calloc(cap, sizeof(*ring))) == NULL)
		return -1;
	/* Copy oldest-kept first so slot keep - 1 holds the newest. */
	for (size_t i = 0; i < keep; i++)
		ring[i] = *whowas_get(w, keep - 1 - i);
	for (size_t i = keep; i < w->len; i++)
		free(w->ring[(w->next + w->cap - 1 - i) % w->cap].realname);
	free(w->ring);
	w->ring = ring;
	w->cap = cap;
	w->len = keep;
	w->next = keep % cap;
	return 0;
}

int
whowas_add(struct whowas *w, size_t cap, const char *nick, const char *user,
    const char *host, const char *server, const char *realname, int64_t when)
{
	struct whowas_entry	*e;
	char			*rn;

	if (cap == 0) {
		whowas_clear(w);
		return 0;
	}
	if (cap != w->cap && whowas_resize(w, cap) == -1)
		return -1;
	if ((rn = strdup(realname != NULL ? realname : "")) == NULL)
		return -1;
	e = &w->ring[w->next];
	if (w->len == w->cap)
		free(e->realname);
	else
		w->len++;
	snprintf(e->nick, sizeof(e->nick), "%s", nick);
	snprintf(e->user, sizeof(e->user), "%s", user);
	snprintf(e->host, sizeof(e->host), "%s", host);
	snprintf(e->server, sizeof(e->server), "%s", server);
	e->realname = rn;
	e->when = when;
	w->next = (w->next + 1) % w->cap;
	return 0;
}
