/*
 * The account tests' shared steps (fixture_accounts.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/base64.h"
#include "fixture_accounts.h"

#define S	":irc.localhost "

void
fxa_cheap(struct core_config *cfg)
{
	cfg->flood_burst = 0;
	cfg->registration_timeout = 24 * 3600 * 1000;
	cfg->ping_interval = 24 * 3600 * 1000;
	cfg->accounts_argon2_ops = 1;
	cfg->accounts_argon2_mem = 8192;
	cfg->accounts_scram_iterations = 16;
}

void
fxa_send_b64(struct fx *fx, unsigned c, const char *msg, size_t len)
{
	char	line[2048] = "AUTHENTICATE ";

	assert_true(base64_encode(line + 13, sizeof(line) - 13, msg, len) >= 0);
	fx_line(fx, c, line);
}

void
fxa_send_chunks(struct fx *fx, unsigned c, const char *msg, size_t len)
{
	char	text[4096], line[420];
	int	n = base64_encode(text, sizeof(text), msg, len);

	assert_true(n >= 0);
	for (int off = 0; off < n; off += 400) {
		snprintf(line, sizeof(line), "AUTHENTICATE %.*s", n - off < 400 ? n - off : 400,
		    text + off);
		fx_line(fx, c, line);
	}
	if (n % 400 == 0)
		fx_line(fx, c, "AUTHENTICATE +");
}

void
fxa_account(struct fx *fx, const char *nick)
{
	unsigned	c = fx_client(fx, nick);
	char		want[256];

	fx_line(fx, c, "REGISTER * * :" FXA_PASSWORD);
	snprintf(want, sizeof(want), S "REGISTER SUCCESS %s :Account created\r\n", nick);
	assert_non_null(strstr(fx_take(fx, c), want));
	fx_drop(fx, c, "done");
}

unsigned
fxa_sasl_conn(struct fx *fx, const char *nick)
{
	unsigned	c = fx_connect(fx);
	char		line[64];

	fx_line(fx, c, "CAP LS 302");
	fx_line(fx, c, "CAP REQ :sasl");
	snprintf(line, sizeof(line), "NICK %s", nick);
	fx_line(fx, c, line);
	fx_line(fx, c, "USER u 0 * :R");
	fx_take(fx, c);
	return c;
}

