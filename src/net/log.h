#ifndef PARLEY_NET_LOG_H
#define PARLEY_NET_LOG_H

#include <stdarg.h>

#include "core/out.h"	/* enum log_level */

/*
 * Logging to stderr, one line each: "parleyd: warn: message", or "<4>warn: message" when
 * stderr is the systemd journal.  log_init sets the program name and the most verbose
 * level that is printed, and looks whether stderr is the journal ($JOURNAL_STREAM).
 */
void	log_init(const char *progname, enum log_level max);
/* The level log_init set: what a process started anew is told to print. */
enum log_level	log_max_level(void);
void	log_vmsg(enum log_level level, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
void	log_msg(enum log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * One line at a level.  The plain forms take err, a negative errno value as net/'s
 * functions return it, and append ": " and its text ("accept: Too many open files");
 * the x forms log the message alone.
 */
void	log_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	log_errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse "error", "warn", "info" or "debug".  Returns 0, or -1 when unknown. */
int	log_level_parse(const char *text, enum log_level *level);

#endif
