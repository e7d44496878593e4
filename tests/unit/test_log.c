/*
 * Logging: the line format, the defaults, level filtering, one line per record whatever
 * the message holds, level names, and syslog priorities when stderr is the journal.
 * stderr is captured through a pipe.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/log.h"

static int	 saved_stderr = -1;
static int	 pipe_r = -1;

/* Send stderr into a non-blocking pipe until stop(), so that failures still show. */
static void
start(void)
{
	int	 p[2];

	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_int_equal(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
	close(p[1]);
	pipe_r = p[0];
}

/* Restore stderr; what was logged, NUL-terminated, in buf. */
static const char *
stop(char *buf, size_t cap)
{
	ssize_t	 n = read(pipe_r, buf, cap - 1);

	if (n == -1 && errno == EAGAIN)
		n = 0;
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	close(pipe_r);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

/* Runs first: nothing has called log_init yet. */
static void
test_defaults(void **state)
{
	char	 buf[256];

	(void)state;
	start();
	log_msg(PLOG_INFO, "listening on %s", "127.0.0.1:6667");
	log_msg(PLOG_DEBUG, "not shown");
	assert_string_equal(stop(buf, sizeof(buf)),
	    "parleyd: info: listening on 127.0.0.1:6667\n");
}

static void
test_format_and_filter(void **state)
{
	char	 buf[256];

	(void)state;
	log_init("prog", PLOG_WARN);
	start();
	log_msg(PLOG_ERROR, "e%d", 1);
	log_msg(PLOG_WARN, "w");
	log_msg(PLOG_INFO, "i");
	log_msg(PLOG_DEBUG, "d");
	assert_string_equal(stop(buf, sizeof(buf)), "prog: error: e1\nprog: warn: w\n");
	log_init("prog", PLOG_DEBUG);
	start();
	log_msg(PLOG_DEBUG, "d");
	assert_string_equal(stop(buf, sizeof(buf)), "prog: debug: d\n");
}

static void
test_errno_kept(void **state)
{
	char	 buf[256];
	int	 after;

	(void)state;
	log_init("prog", PLOG_INFO);
	start();
	errno = EMFILE;
	log_msg(PLOG_WARN, "accept: %s", strerror(errno));
	after = errno;
	assert_string_equal(stop(buf, sizeof(buf)),
	    "prog: warn: accept: Too many open files\n");
	assert_int_equal(after, EMFILE);
}

/* A client's bytes in a message cannot forge a second record. */
/* The level helpers: log_warn and log_error append the error's text, the x forms do not. */
static void
test_helpers(void **state)
{
	char	 buf[512];

	(void)state;
	log_init("prog", PLOG_DEBUG);
	start();
	log_warn(-EMFILE, "accept: fd %d", 7);
	log_warnx("plain %s", "warning");
	log_error(-ENOMEM, "epoll_wait");
	log_errorx("fatal");
	log_info("i");
	log_debug("d");
	assert_string_equal(stop(buf, sizeof(buf)),
	    "prog: warn: accept: fd 7: Too many open files\n"
	    "prog: warn: plain warning\n"
	    "prog: error: epoll_wait: Cannot allocate memory\n"
	    "prog: error: fatal\n"
	    "prog: info: i\n"
	    "prog: debug: d\n");
}

static void
test_control_bytes_one_line(void **state)
{
	char	 buf[256];

	(void)state;
	log_init("prog", PLOG_INFO);
	start();
	log_msg(PLOG_INFO, "bad line: %s", "a\r\nprog: error: forged\x1b[0m\x7f");
	assert_string_equal(stop(buf, sizeof(buf)),
	    "prog: info: bad line: a??prog: error: forged?[0m?\n");
}

static void
test_long_message_cut(void **state)
{
	char	 big[10000], buf[8192];
	size_t	 n;

	(void)state;
	log_init("prog", PLOG_INFO);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	start();
	log_msg(PLOG_INFO, "%s", big);
	stop(buf, sizeof(buf));
	n = strlen(buf);
	assert_int_equal(n, 4095);
	assert_memory_equal(buf, "prog: info: xxx", 15);
	assert_string_equal(buf + n - 4, "...\n");
	assert_null(memchr(buf, '\n', n - 1));
}

static void
test_level_parse(void **state)
{
	static const char	*bad[] = { "", "warning", "inf", "debug ", "trace", "0" };
	enum log_level		 level = PLOG_ERROR;

	(void)state;
	assert_int_equal(log_level_parse("debug", &level), 0);
	assert_int_equal(level, PLOG_DEBUG);
	assert_int_equal(log_level_parse("WARN", &level), 0);
	assert_int_equal(level, PLOG_WARN);
	assert_int_equal(log_level_parse("Info", &level), 0);
	assert_int_equal(level, PLOG_INFO);
	assert_int_equal(log_level_parse("error", &level), 0);
	assert_int_equal(level, PLOG_ERROR);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		level = PLOG_DEBUG;
		assert_int_equal(log_level_parse(bad[i], &level), -1);
		assert_int_equal(level, PLOG_DEBUG);
	}
	assert_int_equal(log_level_parse(NULL, &level), -1);
}

/* $JOURNAL_STREAM names stderr: "<N>level: message", the priority syslog's; naming
 * another stream changes nothing. */
static void
test_journal_priorities(void **state)
{
	char		 buf[256], env[64];
	struct stat	 st;

	(void)state;
	start();
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	assert_int_equal(setenv("JOURNAL_STREAM", env, 1), 0);
	log_init("prog", PLOG_DEBUG);
	log_msg(PLOG_ERROR, "e");
	log_msg(PLOG_WARN, "w");
	log_msg(PLOG_INFO, "i");
	log_msg(PLOG_DEBUG, "d");
	assert_string_equal(stop(buf, sizeof(buf)),
	    "<3>error: e\n<4>warn: w\n<6>info: i\n<7>debug: d\n");
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev + 1,
	    (unsigned long long)st.st_ino);
	assert_int_equal(setenv("JOURNAL_STREAM", env, 1), 0);
	start();
	log_init("prog", PLOG_DEBUG);
	log_msg(PLOG_INFO, "i");
	assert_string_equal(stop(buf, sizeof(buf)), "prog: info: i\n");
	assert_int_equal(unsetenv("JOURNAL_STREAM"), 0);
	log_init("prog", PLOG_DEBUG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_format_and_filter),
		cmocka_unit_test(test_errno_kept),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_control_bytes_one_line),
		cmocka_unit_test(test_long_message_cut),
		cmocka_unit_test(test_level_parse),
		cmocka_unit_test(test_journal_priorities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
