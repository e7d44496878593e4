#ifndef PARLEY_CORE_WELCOME_H
#define PARLEY_CORE_WELCOME_H

struct core;
struct client;

/* 001-004, ISUPPORT (005), LUSERS and MOTD to cl, just registered. */
void	welcome_send(struct core *core, struct client *cl);
/* The LUSERS replies (251-255, 265, 266): user, operator and channel counts. */
void	welcome_lusers(struct core *core, struct client *cl);
/* The MOTD (375, 372 a line, 376), or 422 when none is configured. */
void	welcome_motd(struct core *core, struct client *cl);

#endif
