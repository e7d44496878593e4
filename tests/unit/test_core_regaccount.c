/*
 * REGISTER and VERIFY through the core, byte for byte (IRCv3 draft/account-registration):
 * the capability's value, the replies and FAIL codes, before and after connection
 * registration, verification codes, and the per-address limit on registrations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/job.h"
#include "store/store.h"
#include "fixture_accounts.h"

#define S	":irc.localhost "
#define PW	FXA_PASSWORD

static void
cheap_email(struct core_config *cfg)
{
	fxa_cheap(cfg);
	cfg->accounts_email_required = true;
}

static void
cheap_password(struct core_config *cfg)
{
	fxa_cheap(cfg);
	strcpy(cfg->password, "letmein");
}

static void
no_registration(struct core_config *cfg)
{
	fxa_cheap(cfg);
	cfg->accounts_registration = false;
}

static void
caps_offered(void **state)
{
	struct fx	*fx = fx_new(cheap_email);
	unsigned	 c = fx_connect(fx);
	const char	*out, *value;

	(void)state;
	fx_line(fx, c, "CAP LS 302");
	out = fx_take(fx, c);
	/* The whole value, at the end of its line or not. */
	value = strstr(out, "draft/account-registration=before-connect,email-required");
	assert_non_null(value);
	assert_true(value[-1] == ' ' || value[-1] == ':');
	assert_true(value[56] == ' ' || value[56] == '\r');
	assert_non_null(strstr(out, " sasl=PLAIN,EXTERNAL,SCRAM-SHA-256\r\n"));
	fx_free(fx);

	/* With a server password to pass first: no before-connect, no value at all. */
	fx = fx_new(cheap_password);
	c = fx_connect(fx);
	fx_line(fx, c, "CAP LS 302");
	out = fx_take(fx, c);
	value = strstr(out, " draft/account-registration");
	assert_non_null(value);
	assert_true(value[27] == ' ' || value[27] == '\r');
	fx_line(fx, c, "NICK alice");
	fx_line(fx, c, "REGISTER * * :" PW);
	assert_string_equal(fx_take(fx, c), S "FAIL REGISTER COMPLETE_CONNECTION_REQUIRED "
	    ":Register your connection first\r\n");
	fx_free(fx);

	/* Registration off: not offered, and REGISTER says so. */
	fx = fx_new(no_registration);
	c = fx_connect(fx);
	fx_line(fx, c, "CAP LS 302");
	assert_null(strstr(fx_take(fx, c), "draft/account-registration"));
	fx_line(fx, c, "NICK alice");
	fx_line(fx, c, "REGISTER * * :" PW);
	assert_string_equal(fx_take(fx, c), S "FAIL REGISTER TEMPORARILY_UNAVAILABLE * "
	    ":Registration is disabled on this server\r\n");
	fx_free(fx);
}

static void
register_after_connect(void **state)
{
	struct fx	*fx = fx_new(fxa_cheap);
	unsigned	 c = fx_client(fx, "alice"), d = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, c, "REGISTER * * :" PW);
	assert_string_equal(fx_take(fx, c),
	    S "900 alice alice!u@127.0.0.1 alice :You are now logged in as alice\r\n"
	    ":alice MODE alice :+r\r\n"
	    S "REGISTER SUCCESS alice :Account created\r\n");
	fx_line(fx, c, "REGISTER alice * :" PW);
	assert_string_equal(fx_take(fx, c), S "FAIL REGISTER ALREADY_AUTHENTICATED alice "
	    ":You are already logged in\r\n");
	/* The name is the nick's. */
	fx_line(fx, d, "REGISTER carol * :" PW);
	assert_string_equal(fx_take(fx, d), S "FAIL REGISTER ACCOUNT_NAME_MUST_BE_NICK "
	    "carol :The account is named for your current nick\r\n");
	fx_line(fx, d, "NICK Alice2");
	fx_take(fx, d);
	fx_line(fx, d, "REGISTER * * short");
	assert_string_equal(fx_take(fx, d), S "FAIL REGISTER WEAK_PASSWORD Alice2 "
	    ":That password is too short\r\n");
	fx_line(fx, d, "REGISTER * a@b@c :" PW);
	assert_string_equal(fx_take(fx, d), S "FAIL REGISTER INVALID_EMAIL Alice2 "
	    ":That email address is not valid\r\n");
	fx_line(fx, d, "REGISTER");
	assert_string_equal(fx_take(fx, d), S "461 Alice2 REGISTER :Not enough parameters\r\n");
	fx_free(fx);
}

/* alice registers before her connection does, then carol takes the nick "alice"
 * elsewhere and cannot register it again. */
static void
register_before_connect(void **state)
{
	struct fx	*fx = fx_new(fxa_cheap);
	unsigned	 c = fx_connect(fx), d;

	(void)state;
	fx_line(fx, c, "CAP LS 302");
	fx_take(fx, c);
	fx_line(fx, c, "REGISTER * * :" PW);
	assert_string_equal(fx_take(fx, c), S "FAIL REGISTER NEED_NICK * "
	    ":Send NICK first: the account is named for it\r\n");
	fx_line(fx, c, "NICK alice");
	fx_line(fx, c, "REGISTER * * :" PW);
	assert_string_equal(fx_take(fx, c),
	    S "900 alice alice!*@127.0.0.1 alice :You are now logged in as alice\r\n"
	    S "REGISTER SUCCESS alice :Account created\r\n");
	fx_line(fx, c, "USER u 0 * :R");
	fx_line(fx, c, "CAP END");
	assert_non_null(strstr(fx_take(fx, c), " 001 alice "));
	fx_drop(fx, c, "gone");
	d = fx_client(fx, "ALICE");
	fx_line(fx, d, "REGISTER * * :" PW);
	assert_string_equal(fx_take(fx, d), S "FAIL REGISTER ACCOUNT_EXISTS ALICE "
	    ":That account already exists\r\n");
	fx_free(fx);
}

/* Six registrations from one address: the sixth is refused before any hashing. */
static void
register_flood(void **state)
{
	struct fx	*fx = fx_new(fxa_cheap);
	char		 nick[16], want[128];
	unsigned	 c;

	(void)state;
	for (int i = 0; i < 5; i++) {
		snprintf(nick, sizeof(nick), "user%d", i);
		fxa_account(fx, nick);
	}
	c = fx_client(fx, "user5");
	fx->hold_jobs = true;
	fx_line(fx, c, "REGISTER * * :" PW);
	assert_int_equal(fx->njobs, 0);
	snprintf(want, sizeof(want), S "FAIL REGISTER TEMPORARILY_UNAVAILABLE user5 "
	    ":Too many registrations from your address, try again later\r\n");
	assert_string_equal(fx_take(fx, c), want);
	fx_free(fx);
}

/* The VERIFY code from the store, as an operator reads it from the log. */
static void
verify_code(struct fx *fx, const char *name, char *code, size_t cap)
{
	struct job	 job = { .kind = JOB_ACCOUNT_GET }, *jp = &job;

	snprintf(job.in.name, sizeof(job.in.name), "%s", name);
	store_memory.run(fx->store, &jp, 1);
	assert_int_equal(job.status, 0);
	snprintf(code, cap, "%s", job.result.account.verify_code);
}

static void
register_verify(void **state)
{
	struct fx	*fx = fx_new(cheap_email);
	unsigned	 c = fx_client(fx, "alice");
	char		 code[ACCOUNT_CODE_MAX + 1], line[128];

	(void)state;
	fx_line(fx, c, "REGISTER * * :" PW);
	assert_string_equal(fx_take(fx, c), S "FAIL REGISTER INVALID_EMAIL alice "
	    ":A valid email address is required\r\n");
	fx_line(fx, c, "REGISTER * alice@example.org :" PW);
	assert_string_equal(fx_take(fx, c), S "REGISTER VERIFICATION_REQUIRED alice "
	    ":Account created: ask the server's operators for its verification code, "
	    "then send VERIFY with it\r\n");
	verify_code(fx, "alice", code, sizeof(code));
	assert_int_equal(strlen(code), 16);
	fx_line(fx, c, "VERIFY alice 0000");
	assert_string_equal(fx_take(fx, c), S "FAIL VERIFY INVALID_CODE alice "
	    ":That code is not valid for that account\r\n");
	fx_line(fx, c, "VERIFY nobody 0000");
	assert_string_equal(fx_take(fx, c), S "FAIL VERIFY INVALID_CODE nobody "
	    ":That code is not valid for that account\r\n");
	snprintf(line, sizeof(line), "VERIFY alice %s", code);
	fx_line(fx, c, line);
	assert_string_equal(fx_take(fx, c),
	    S "900 alice alice!u@127.0.0.1 alice :You are now logged in as alice\r\n"
	    ":alice MODE alice :+r\r\n"
	    S "VERIFY SUCCESS alice :Account verified\r\n");
	fx_line(fx, c, line);
	assert_string_equal(fx_take(fx, c), S "FAIL VERIFY ALREADY_AUTHENTICATED alice "
	    ":You are already logged in\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(caps_offered),
		cmocka_unit_test(register_after_connect),
		cmocka_unit_test(register_before_connect),
		cmocka_unit_test(register_flood),
		cmocka_unit_test(register_verify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
