#ifndef PARLEY_CORE_REPLY_H
#define PARLEY_CORE_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cap.h"
#include "core/numeric.h"
#include "core/out.h"

/*
 * Formatting lines and sending them through the output interface.  Lines are cut to the
 * protocol's 512 bytes, on a UTF-8 character boundary.
 */
struct core;
struct client;
struct channel;

/* Queue one whole line (CR LF included) for cl, with the tags cl negotiated.  A line
 * for the client whose command runs counts toward that command's flood cost. */
void	send_line(struct core *core, struct client *cl, const char *line, size_t len);
/* Multiclient (session.h): the line to cl's own connection only, with its tags. */
void	send_conn(struct core *core, struct client *cl, const char *line, size_t len);
void	send_fmt(struct core *core, struct client *cl, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Format a line with CR LF into buf (MSG_BODY_MAX + 1 bytes).  Returns its length. */
size_t	format_line(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ":server CODE nick " followed by fmt: for the replies each caller words itself. */
void	send_numeric(struct core *core, struct client *cl, enum numeric num,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* ":server CODE nick params :text" with num's fixed text (numeric.c), params formatted
 * from fmt; with fmt NULL, ":server CODE nick :text". */
void	send_reply(struct core *core, struct client *cl, enum numeric num,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Format [":source "] verb params (last one trailing when needed) into a line. */
size_t	format_msg(char *buf, size_t cap, const char *source, const char *verb,
	    unsigned nparams, ...);
/* Send a line to every member of ch except `except` (may be NULL). */
void	send_channel(struct core *core, struct channel *ch, struct client *except,
	    const char *line, size_t len);
/* Send a line once to every client sharing a channel with cl, and to cl if self. */
void	send_peers(struct core *core, struct client *cl, bool self, const char *line,
	    size_t len);
/* The same, only to clients whose capabilities (CAP_BIT) include every bit of with and
 * none of without: e.g. an extended JOIN to those with extended-join, the plain one to
 * the others. */
void	send_channel_caps(struct core *core, struct channel *ch, struct client *except,
	    capset with, capset without, const char *line, size_t len);
void	send_peers_caps(struct core *core, struct client *cl, bool self, capset with,
	    capset without, const char *line, size_t len);
/* Multiclient (session.h): the line to each connection of user cl whose capabilities
 * include every bit of with. */
void	send_user_caps(struct core *core, struct client *cl, capset with,
	    const char *line, size_t len);
/* An IRCv3 standard reply: ":server KIND COMMAND CODE [CONTEXT] :description", KIND
 * being FAIL, WARN or NOTE; context may be NULL. */
void	send_standard(struct core *core, struct client *cl, const char *kind,
	    const char *command, const char *code, const char *context,
	    const char *description);
/* A line for the driver's log, when it has one. */
void	core_log(struct core *core, enum log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
