/*
 * Logging to stderr.  The program name and level are the process's own settings, so
 * they live here as the one pair of globals net/ keeps.  When stderr is the systemd
 * journal ($JOURNAL_STREAM names its device and inode), each line starts with its
 * syslog priority instead of the program's name ("<6>info: ..."), so that the journal
 * files it at its level.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "net/log.h"

/*
 * Each line goes out in one write(2).  Up to PIPE_BUF bytes that is atomic on a pipe,
 * so lines from several processes (the fork driver) never interleave; longer messages
 * are cut to fit and end in "...".
 */
#define LOG_LINE_MAX	4096

static const char	*log_names[] = { "error", "warn", "info", "debug" };

/* syslog(3)'s priorities of the levels: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG. */
static const int	 log_priorities[] = { 3, 4, 6, 7 };

static const char	*log_progname = "parleyd";
static enum log_level	 log_max = PLOG_INFO;
static bool		 log_journal;	/* stderr is the journal: "<N>" prefixes */

/* $JOURNAL_STREAM is "DEVICE:INODE" of the journal's stream; is it stderr? */
static bool
log_to_journal(void)
{
	const char		*env = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;
	struct stat		 st;
	char			 end;

	if (env == NULL || sscanf(env, "%llu:%llu%c", &dev, &ino, &end) != 2 ||
	    fstat(STDERR_FILENO, &st) == -1)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* progname is kept, not copied: pass a string that outlives the process (argv[0]). */
void
log_init(const char *progname, enum log_level max)
{
	if (progname != NULL)
		log_progname = progname;
	log_max = max;
	log_journal = log_to_journal();
}

enum log_level
log_max_level(void)
{
	return log_max;
}

/* Hostile bytes from a client may reach a message: keep every record on one line. */
static void
log_sanitize(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = '?';
	}
}

static void
log_write(const char *s, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		w = write(STDERR_FILENO, s, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* The line "progname: level: message[: strerror(-err)]"; err 0 appends nothing. */
static void
log_emit(enum log_level level, int err, const char *fmt, va_list ap)
{
	char	 line[LOG_LINE_MAX];
	int	 saved = errno, head, body;
	size_t	 len;

	if (level > log_max || (size_t)level >= sizeof(log_names) / sizeof(log_names[0]))
		return;
	/* The name is bounded so that the message always has room. */
	if (log_journal)
		head = snprintf(line, sizeof(line), "<%d>%s: ", log_priorities[level],
		    log_names[level]);
	else
		head = snprintf(line, sizeof(line), "%.256s: %s: ", log_progname,
		    log_names[level]);
	if (head < 0)
		head = 0;
	body = vsnprintf(line + head, sizeof(line) - (size_t)head, fmt, ap);
	if (body < 0)
		body = 0;
	len = (size_t)head + (size_t)body;
	if (err != 0 && len < sizeof(line)) {
		body = snprintf(line + len, sizeof(line) - len, ": %s", strerror(-err));
		if (body > 0)
			len += (size_t)body;
	}
	if (len > sizeof(line) - 2) {
		len = sizeof(line) - 2;
		memcpy(line + len - 3, "...", 3);
	}
	log_sanitize(line + head, len - (size_t)head);
	line[len++] = '\n';
	log_write(line, len);
	errno = saved;
}

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	log_emit(level, 0, fmt, ap);
}

#define LOG_FORWARD(level, err) do {			\
	va_list	 ap;					\
	va_start(ap, fmt);				\
	log_emit((level), (err), fmt, ap);		\
	va_end(ap);					\
} while (0)

void
log_msg(enum log_level level, const char *fmt, ...)
{
	LOG_FORWARD(level, 0);
}

void
log_error(int err, const char *fmt, ...)
{
	LOG_FORWARD(PLOG_ERROR, err);
}

void
log_errorx(const char *fmt, ...)
{
	LOG_FORWARD(PLOG_ERROR, 0);
}

void
log_warn(int err, const char *fmt, ...)
{
	LOG_FORWARD(PLOG_WARN, err);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_FORWARD(PLOG_WARN, 0);
}

void
log_info(const char *fmt, ...)
{
	LOG_FORWARD(PLOG_INFO, 0);
}

void
log_debug(const char *fmt, ...)
{
	LOG_FORWARD(PLOG_DEBUG, 0);
}

int
log_level_parse(const char *text, enum log_level *level)
{
	if (text == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (strcasecmp(text, log_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}
