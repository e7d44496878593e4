/*
 * SASL through the core, byte for byte: AUTHENTICATE's chunks, aborts and errors,
 * PLAIN, EXTERNAL, CAP END during an exchange, and the bad input each refuses
 * (SCRAM-SHA-256 is test_core_scram.c's).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/client.h"
#include "core/job.h"
#include "store/store.h"
#include "fixture_accounts.h"

#define S	":irc.localhost "
#define PW	FXA_PASSWORD
#define FP	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
plain_login(void **state)
{
	struct fx	*fx = fx_new(fxa_cheap);
	unsigned	 c;

	(void)state;
	fxa_account(fx, "alice");
	c = fxa_sasl_conn(fx, "bob");
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	assert_string_equal(fx_take(fx, c), "AUTHENTICATE +\r\n");
	fxa_send_b64(fx, c, "\0alice\0" PW, 7 + strlen(PW));
	assert_string_equal(fx_take(fx, c),
	    S "900 bob bob!u@127.0.0.1 alice :You are now logged in as alice\r\n"
	    S "903 bob :SASL authentication successful\r\n");
	/* Once per connection registration (sasl 3.1). */
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	assert_string_equal(fx_take(fx, c),
	    S "907 bob :You have already authenticated using SASL\r\n");
	fx_line(fx, c, "CAP END");
	assert_non_null(strstr(fx_take(fx, c), " 001 bob "));
	/* Registered, it may authenticate again (sasl 3.2), authzid given. */
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	assert_string_equal(fx_take(fx, c), "AUTHENTICATE +\r\n");
	fxa_send_b64(fx, c, "ALICE\0alice\0" PW, 12 + strlen(PW));
	assert_string_equal(fx_take(fx, c),
	    S "900 bob bob!u@127.0.0.1 alice :You are now logged in as alice\r\n"
	    S "903 bob :SASL authentication successful\r\n");
	fx_free(fx);
}

static void
plain_refused(void **state)
{
	struct fx	*fx = fx_new(fxa_cheap);
	unsigned	 c;

	(void)state;
	fxa_account(fx, "alice");
	c = fxa_sasl_conn(fx, "bob");
	/* A wrong password, another authzid, too few NULs, too many, no authcid. */
	static const struct { const char *msg; size_t len; } bad[] = {
		{ "\0alice\0sesame shut", 18 },
		{ "bob\0alice\0" PW, 10 + sizeof(PW) - 1 },
		{ "\0alice" PW, 6 + sizeof(PW) - 1 },
		{ "\0alice\0" PW "\0", 8 + sizeof(PW) },
		{ "\0\0" PW, 2 + sizeof(PW) - 1 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fx_line(fx, c, "AUTHENTICATE PLAIN");
		assert_string_equal(fx_take(fx, c), "AUTHENTICATE +\r\n");
		fxa_send_b64(fx, c, bad[i].msg, bad[i].len);
		assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
	}
	assert_string_equal(fx->conns[c].client->account, "");
	fx_free(fx);
}

static void
authenticate_errors(void **state)
{
	struct fx	*fx = fx_new(fxa_cheap);
	unsigned	 c = fx_client(fx, "carol"), d;
	char		 chunk[420];

	(void)state;
	/* Without the capability. */
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	assert_string_equal(fx_take(fx, c), S "904 carol :SASL authentication failed\r\n");
	d = fxa_sasl_conn(fx, "bob");
	fx_line(fx, d, "AUTHENTICATE DIGEST-MD5");
	assert_string_equal(fx_take(fx, d),
	    S "908 bob PLAIN,EXTERNAL,SCRAM-SHA-256 :are available SASL mechanisms\r\n"
	    S "904 bob :SASL authentication failed\r\n");
	fx_line(fx, d, "AUTHENTICATE plain");
	assert_string_equal(fx_take(fx, d), "AUTHENTICATE +\r\n");
	fx_line(fx, d, "AUTHENTICATE *");
	assert_string_equal(fx_take(fx, d), S "906 bob :SASL authentication aborted\r\n");
	/* Base64 garbage: a bad letter, missing padding. */
	fx_line(fx, d, "AUTHENTICATE PLAIN");
	fx_line(fx, d, "AUTHENTICATE AGFs!WNl");
	assert_string_equal(fx_take(fx, d),
	    "AUTHENTICATE +\r\n" S "904 bob :SASL authentication failed\r\n");
	fx_line(fx, d, "AUTHENTICATE PLAIN");
	fx_line(fx, d, "AUTHENTICATE AGFsaWNl");
	fx_line(fx, d, "AUTHENTICATE PLAIN");
	fx_line(fx, d, "AUTHENTICATE AGFsaWN");
	assert_string_equal(fx_take(fx, d),
	    "AUTHENTICATE +\r\n" S "904 bob :SASL authentication failed\r\n"
	    "AUTHENTICATE +\r\n" S "904 bob :SASL authentication failed\r\n");
	fx_advance(fx, 120 * 1000);
	fx_take(fx, d);
	/* A chunk over 400 bytes; a fifth chunk of 400. */
	memcpy(chunk, "AUTHENTICATE ", 13);
	memset(chunk + 13, 'A', 401);
	chunk[13 + 401] = '\0';
	fx_line(fx, d, "AUTHENTICATE PLAIN");
	fx_line(fx, d, chunk);
	assert_string_equal(fx_take(fx, d),
	    "AUTHENTICATE +\r\n" S "905 bob :SASL message too long\r\n");
	fx_advance(fx, 120 * 1000);
	chunk[13 + 400] = '\0';
	fx_line(fx, d, "AUTHENTICATE PLAIN");
	for (int i = 0; i < 4; i++)
		fx_line(fx, d, chunk);
	assert_string_equal(fx_take(fx, d), "AUTHENTICATE +\r\n");
	fx_line(fx, d, chunk);
	assert_string_equal(fx_take(fx, d), S "905 bob :SASL message too long\r\n");
	fx_free(fx);
}

/* CAP END while an exchange is open: 906, and registration goes on. */
static void
cap_end_aborts(void **state)
{
	struct fx	*fx = fx_new(fxa_cheap);
	unsigned	 c = fxa_sasl_conn(fx, "bob");
	const char	*out;

	(void)state;
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	fx_take(fx, c);
	fx_line(fx, c, "CAP END");
	out = fx_take(fx, c);
	assert_memory_equal(out, S "906 bob :SASL authentication aborted\r\n"
	    S "001 bob ", strlen(S "906 bob :SASL authentication aborted\r\n" S "001 bob "));
	fx_free(fx);
}

/* CAP END while the password check runs: registration waits for its result. */
static void
cap_end_waits_for_check(void **state)
{
	struct fx	*fx = fx_new(fxa_cheap);
	unsigned	 c;
	const char	*out, *welcome;

	(void)state;
	fxa_account(fx, "alice");
	c = fxa_sasl_conn(fx, "bob");
	fx->hold_jobs = true;
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	fxa_send_b64(fx, c, "\0alice\0" PW, 7 + strlen(PW));
	fx_line(fx, c, "CAP END");
	assert_string_equal(fx_take(fx, c), "AUTHENTICATE +\r\n");
	assert_false(fx->conns[c].registered);
	fx_jobs_run(fx);
	out = fx_take(fx, c);
	welcome = strstr(out, S "001 bob ");
	assert_non_null(welcome);
	assert_int_equal(welcome - out, strlen(
	    S "900 bob bob!u@127.0.0.1 alice :You are now logged in as alice\r\n"
	    S "903 bob :SASL authentication successful\r\n"));
	assert_memory_equal(out,
	    S "900 bob bob!u@127.0.0.1 alice :You are now logged in as alice\r\n"
	    S "903 bob :SASL authentication successful\r\n", welcome - out);
	fx_free(fx);
}

/* A 300-byte message: one chunk of exactly 400, then "+". */
static void
plain_chunked(void **state)
{
	struct fx	*fx = fx_new(fxa_cheap);
	char		 pw[294], msg[300], line[400];
	unsigned	 c;

	(void)state;
	memset(pw, 'x', sizeof(pw) - 1);
	pw[sizeof(pw) - 1] = '\0';
	c = fx_client(fx, "alice");
	snprintf(line, sizeof(line), "REGISTER * * :%s", pw);
	fx_line(fx, c, line);
	fx_drop(fx, c, "done");
	memcpy(msg, "\0alice\0", 7);
	memcpy(msg + 7, pw, 293);
	c = fxa_sasl_conn(fx, "bob");
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	fxa_send_b64(fx, c, msg, sizeof(msg));
	assert_string_equal(fx_take(fx, c), "AUTHENTICATE +\r\n");
	fx_line(fx, c, "AUTHENTICATE +");
	assert_string_equal(fx_take(fx, c),
	    S "900 bob bob!u@127.0.0.1 alice :You are now logged in as alice\r\n"
	    S "903 bob :SASL authentication successful\r\n");
	fx_free(fx);
}

/* Failed attempts from one address: past five, AUTHENTICATE is refused at once. */
static void
authenticate_flood(void **state)
{
	struct fx	*fx = fx_new(fxa_cheap);
	unsigned	 c = fxa_sasl_conn(fx, "bob");

	(void)state;
	for (int i = 0; i < 5; i++) {
		fx_line(fx, c, "AUTHENTICATE PLAIN");
		fx_line(fx, c, "AUTHENTICATE !!!!");
	}
	fx_take(fx, c);
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
	fx_free(fx);
}

/* Overlong input: a PLAIN password longer than any a hash was made from (three chunks),
 * a SCRAM name longer than an account's: 904, and no job runs for either. */
static void
overlong_input(void **state)
{
	struct fx	*fx = fx_new(fxa_cheap);
	char		 msg[1000], first[200];
	unsigned	 c;

	(void)state;
	fxa_account(fx, "alice");
	c = fxa_sasl_conn(fx, "bob");
	memcpy(msg, "\0alice\0", 7);
	memset(msg + 7, 'p', sizeof(msg) - 7);
	fx->hold_jobs = true;
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	fx_take(fx, c);
	fxa_send_chunks(fx, c, msg, sizeof(msg));
	assert_int_equal(fx->njobs, 0);
	assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
	snprintf(first, sizeof(first), "n,,n=%0*d,r=abc", ACCOUNT_NAME_MAX + 1, 7);
	fx_line(fx, c, "AUTHENTICATE SCRAM-SHA-256");
	fx_take(fx, c);
	fxa_send_b64(fx, c, first, strlen(first));
	assert_int_equal(fx->njobs, 0);
	assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
	fx_free(fx);
}

/* Add certificate FP to account name in the fixture's store. */
static void
cert_add(struct fx *fx, const char *name)
{
	struct job	 job = { .kind = JOB_CERT_ADD }, *jp = &job;

	snprintf(job.in.cert.account, sizeof(job.in.cert.account), "%s", name);
	snprintf(job.in.cert.certfp, sizeof(job.in.cert.certfp), "%s", FP);
	store_memory.run(fx->store, &jp, 1);
	assert_int_equal(job.status, 0);
}

static void
external_login(void **state)
{
	struct fx	*fx = fx_new(fxa_cheap);
	unsigned	 c;

	(void)state;
	fxa_account(fx, "alice");
	c = fxa_sasl_conn(fx, "bob");
	/* No certificate. */
	fx_line(fx, c, "AUTHENTICATE EXTERNAL");
	fx_line(fx, c, "AUTHENTICATE +");
	assert_string_equal(fx_take(fx, c),
	    "AUTHENTICATE +\r\n" S "904 bob :SASL authentication failed\r\n");
	/* A certificate nobody registered. */
	snprintf(fx->conns[c].client->certfp, sizeof(fx->conns[c].client->certfp), FP);
	fx_line(fx, c, "AUTHENTICATE EXTERNAL");
	fx_line(fx, c, "AUTHENTICATE +");
	assert_string_equal(fx_take(fx, c),
	    "AUTHENTICATE +\r\n" S "904 bob :SASL authentication failed\r\n");
	fx_advance(fx, 60 * 1000);
	cert_add(fx, "alice");
	/* Registered to alice: another authzid fails, hers or none logs in. */
	fx_line(fx, c, "AUTHENTICATE EXTERNAL");
	fxa_send_b64(fx, c, "carol", 5);
	assert_string_equal(fx_take(fx, c),
	    "AUTHENTICATE +\r\n" S "904 bob :SASL authentication failed\r\n");
	fx_advance(fx, 60 * 1000);
	fx_line(fx, c, "AUTHENTICATE EXTERNAL");
	fx_line(fx, c, "AUTHENTICATE +");
	assert_string_equal(fx_take(fx, c), "AUTHENTICATE +\r\n"
	    S "900 bob bob!u@127.0.0.1 alice :You are now logged in as alice\r\n"
	    S "903 bob :SASL authentication successful\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_login),
		cmocka_unit_test(plain_refused),
		cmocka_unit_test(authenticate_errors),
		cmocka_unit_test(cap_end_aborts),
		cmocka_unit_test(cap_end_waits_for_check),
		cmocka_unit_test(plain_chunked),
		cmocka_unit_test(authenticate_flood),
		cmocka_unit_test(overlong_input),
		cmocka_unit_test(external_login),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
