#ifndef PARLEY_NET_LOG_H
#define PARLEY_NET_LOG_H

#include <stdarg.h>

#include "core/out.h"	/* enum log_level */

/*
 * Logging to stderr, one line each: "parleyd: warn: message".  log_init sets the program
 * name and the most verbose level that is printed.
 */
void	log_init(const char *progname, enum log_level max);
void	log_vmsg(enum log_level level, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
void	log_msg(enum log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Parse "error", "warn", "info" or "debug".  Returns 0, or -1 when unknown. */
int	log_level_parse(const char *text, enum log_level *level);

#endif
