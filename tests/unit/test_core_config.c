/*
 * What the core publishes about a configuration: the welcome burst's size, which parleyd
 * checks the sendq against, must cover the burst the core really queues.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "fixture_core.h"

#define NICK64	"n123456789012345678901234567890123456789012345678901234567890123"

static char	motd[8192];

/* The longest names the configuration allows, and a MOTD of many short lines: the
 * per-line cost dominates. */
static void
big_burst(struct core_config *cfg)
{
	size_t	off = 0;

	memset(cfg->server_name, 's', CONFIG_NAME_MAX);
	cfg->server_name[CONFIG_NAME_MAX] = '\0';
	cfg->server_name[1] = '.';
	memset(cfg->network, 'N', CONFIG_NAME_MAX);
	cfg->network[CONFIG_NAME_MAX] = '\0';
	cfg->nicklen = CONFIG_NICKLEN_MAX;
	for (int i = 0; i < 100; i++)
		off += (size_t)snprintf(motd + off, sizeof(motd) - off, "%s\n",
		    i % 10 == 0 ? "" : "x");
	cfg->motd = motd;
}

static void
test_welcome_size_covers_burst(void **state)
{
	struct fx	*fx = fx_new(big_burst);
	unsigned	 c = fx_connect(fx);
	const char	*out;
	size_t		 need;

	(void)state;
	assert_int_equal(strlen(NICK64), CONFIG_NICKLEN_MAX);
	fx_line(fx, c, "NICK " NICK64);
	fx_line(fx, c, "USER u 0 * :Real Name");
	out = fx_take(fx, c);
	assert_non_null(strstr(out, " 376 " NICK64 " :End of /MOTD command.\r\n"));
	need = core_config_welcome_size(CONFIG_NICKLEN_MAX, motd);
	assert_true(strlen(out) <= need);
	fx_free(fx);
}

static void
test_welcome_size_grows_with_motd(void **state)
{
	size_t	none, one, two;

	(void)state;
	none = core_config_welcome_size(30, NULL);
	one = core_config_welcome_size(30, "hello");
	two = core_config_welcome_size(30, "hello\nworld");
	assert_true(none > 0);
	assert_true(one > none + strlen("hello"));
	assert_true(two > one + strlen("world"));
	/* A longer nick makes every MOTD line longer. */
	assert_true(core_config_welcome_size(64, "hello\nworld") > two);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_welcome_size_covers_burst),
		cmocka_unit_test(test_welcome_size_grows_with_motd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
