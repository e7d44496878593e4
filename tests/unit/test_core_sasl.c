/*
 * REGISTER, VERIFY and SASL through the core, byte for byte: the capabilities'
 * values, draft/account-registration's replies and FAIL codes, AUTHENTICATE's chunks,
 * aborts and errors, PLAIN, EXTERNAL and a whole SCRAM-SHA-256 exchange played by the
 * test as the client, and the bad input each of them refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/base64.h"
#include "core/client.h"
#include "core/job.h"
#include "core/job_password.h"
#include "store/store.h"
#include "fixture_core.h"

#define S	":irc.localhost "
#define PW	"sesame open"
#define FP	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Cheap hashes, no flood control (the throttle alone: its flood cost is
 * test_core_account.c's), and timeouts that let a test wait out the throttle. */
static void
cheap(struct core_config *cfg)
{
	cfg->flood_burst = 0;
	cfg->registration_timeout = 24 * 3600 * 1000;
	cfg->ping_interval = 24 * 3600 * 1000;
	cfg->accounts_argon2_ops = 1;
	cfg->accounts_argon2_mem = 8192;
	cfg->accounts_scram_iterations = 16;
}

static void
cheap_email(struct core_config *cfg)
{
	cheap(cfg);
	cfg->accounts_email_required = true;
}

static void
cheap_password(struct core_config *cfg)
{
	cheap(cfg);
	strcpy(cfg->password, "letmein");
}

static void
no_registration(struct core_config *cfg)
{
	cheap(cfg);
	cfg->accounts_registration = false;
}

/* "AUTHENTICATE <base64 of len bytes of msg>". */
static void
send_b64(struct fx *fx, unsigned c, const char *msg, size_t len)
{
	char	line[2048] = "AUTHENTICATE ";

	assert_true(base64_encode(line + 13, sizeof(line) - 13, msg, len) >= 0);
	fx_line(fx, c, line);
}

/* The same in chunks of 400, as a client sends a long message (and "+" after a full
 * last chunk). */
static void
send_chunks(struct fx *fx, unsigned c, const char *msg, size_t len)
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

/* Register account nick with PW, as a registered client, then drop it. */
static void
make_account(struct fx *fx, const char *nick)
{
	unsigned	c = fx_client(fx, nick);
	char		want[256];

	fx_line(fx, c, "REGISTER * * :" PW);
	snprintf(want, sizeof(want), S "REGISTER SUCCESS %s :Account created\r\n", nick);
	assert_non_null(strstr(fx_take(fx, c), want));
	fx_drop(fx, c, "done");
}

/* A connection that asked for sasl and gave NICK and USER, waiting at CAP END. */
static unsigned
sasl_conn(struct fx *fx, const char *nick)
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

static void
caps_offered(void **state)
{
	struct fx	*fx = fx_new(cheap_email);
	unsigned	 c = fx_connect(fx);
	const char	*out;

	(void)state;
	fx_line(fx, c, "CAP LS 302");
	out = fx_take(fx, c);
	assert_non_null(strstr(out, " draft/account-registration=before-connect,"
	    "email-required "));
	assert_non_null(strstr(out, " sasl=PLAIN,EXTERNAL,SCRAM-SHA-256\r\n"));
	fx_free(fx);

	/* With a server password to pass first: no before-connect, no value at all. */
	fx = fx_new(cheap_password);
	c = fx_connect(fx);
	fx_line(fx, c, "CAP LS 302");
	out = fx_take(fx, c);
	assert_non_null(strstr(out, " draft/account-registration "));
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
	struct fx	*fx = fx_new(cheap);
	unsigned	 c = fx_client(fx, "alice"), d = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, c, "REGISTER * * :" PW);
	assert_string_equal(fx_take(fx, c),
	    S "900 alice alice!u@127.0.0.1 alice :You are now logged in as alice\r\n"
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
	struct fx	*fx = fx_new(cheap);
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
	struct fx	*fx = fx_new(cheap);
	char		 nick[16], want[128];
	unsigned	 c;

	(void)state;
	for (int i = 0; i < 5; i++) {
		snprintf(nick, sizeof(nick), "user%d", i);
		make_account(fx, nick);
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
	    S "VERIFY SUCCESS alice :Account verified\r\n");
	fx_line(fx, c, line);
	assert_string_equal(fx_take(fx, c), S "FAIL VERIFY ALREADY_AUTHENTICATED alice "
	    ":You are already logged in\r\n");
	fx_free(fx);
}

static void
plain_login(void **state)
{
	struct fx	*fx = fx_new(cheap);
	unsigned	 c;

	(void)state;
	make_account(fx, "alice");
	c = sasl_conn(fx, "bob");
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	assert_string_equal(fx_take(fx, c), "AUTHENTICATE +\r\n");
	send_b64(fx, c, "\0alice\0" PW, 7 + strlen(PW));
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
	send_b64(fx, c, "ALICE\0alice\0" PW, 12 + strlen(PW));
	assert_string_equal(fx_take(fx, c),
	    S "900 bob bob!u@127.0.0.1 alice :You are now logged in as alice\r\n"
	    S "903 bob :SASL authentication successful\r\n");
	fx_free(fx);
}

static void
plain_refused(void **state)
{
	struct fx	*fx = fx_new(cheap);
	unsigned	 c;

	(void)state;
	make_account(fx, "alice");
	c = sasl_conn(fx, "bob");
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
		send_b64(fx, c, bad[i].msg, bad[i].len);
		assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
	}
	assert_string_equal(fx->conns[c].client->account, "");
	fx_free(fx);
}

static void
authenticate_errors(void **state)
{
	struct fx	*fx = fx_new(cheap);
	unsigned	 c = fx_client(fx, "carol"), d;
	char		 chunk[420];

	(void)state;
	/* Without the capability. */
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	assert_string_equal(fx_take(fx, c), S "904 carol :SASL authentication failed\r\n");
	d = sasl_conn(fx, "bob");
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
	struct fx	*fx = fx_new(cheap);
	unsigned	 c = sasl_conn(fx, "bob");
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
	struct fx	*fx = fx_new(cheap);
	unsigned	 c;
	const char	*out, *welcome;

	(void)state;
	make_account(fx, "alice");
	c = sasl_conn(fx, "bob");
	fx->hold_jobs = true;
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	send_b64(fx, c, "\0alice\0" PW, 7 + strlen(PW));
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
	struct fx	*fx = fx_new(cheap);
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
	c = sasl_conn(fx, "bob");
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	send_b64(fx, c, msg, sizeof(msg));
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
	struct fx	*fx = fx_new(cheap);
	unsigned	 c = sasl_conn(fx, "bob");

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
	struct fx	*fx = fx_new(cheap);
	char		 msg[1000], first[200];
	unsigned	 c;

	(void)state;
	make_account(fx, "alice");
	c = sasl_conn(fx, "bob");
	memcpy(msg, "\0alice\0", 7);
	memset(msg + 7, 'p', sizeof(msg) - 7);
	fx->hold_jobs = true;
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	fx_take(fx, c);
	send_chunks(fx, c, msg, sizeof(msg));
	assert_int_equal(fx->njobs, 0);
	assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
	snprintf(first, sizeof(first), "n,,n=%0*d,r=abc", ACCOUNT_NAME_MAX + 1, 7);
	fx_line(fx, c, "AUTHENTICATE SCRAM-SHA-256");
	fx_take(fx, c);
	send_b64(fx, c, first, strlen(first));
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
	struct fx	*fx = fx_new(cheap);
	unsigned	 c;

	(void)state;
	make_account(fx, "alice");
	c = sasl_conn(fx, "bob");
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
	send_b64(fx, c, "carol", 5);
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

/* ---- SCRAM-SHA-256, the test as the client ---- */

struct scram_client {
	char	first_bare[256];
	char	server_first[512];
	char	nonce[256];
	uint8_t	salt[64];
	int	saltlen;
	unsigned iter;
};

/* The last AUTHENTICATE line's argument in out, decoded into buf. */
static void
take_authenticate(struct fx *fx, unsigned c, char *buf, size_t cap)
{
	const char	*out = fx_take(fx, c);
	int		 n;

	assert_memory_equal(out, "AUTHENTICATE ", 13);
	n = base64_decode(buf, cap - 1, out + 13, strcspn(out + 13, "\r"));
	assert_true(n >= 0);
	buf[n] = '\0';
}

/* Begin an exchange as user: client-first, then parse server-first. */
static void
scram_begin(struct fx *fx, unsigned c, const char *user, struct scram_client *sc)
{
	char	first[300], *p;

	fx_line(fx, c, "AUTHENTICATE SCRAM-SHA-256");
	assert_string_equal(fx_take(fx, c), "AUTHENTICATE +\r\n");
	snprintf(sc->first_bare, sizeof(sc->first_bare), "n=%s,r=fyko+d2lbbFgONRv9qkxdawL",
	    user);
	snprintf(first, sizeof(first), "n,,%s", sc->first_bare);
	send_b64(fx, c, first, strlen(first));
	take_authenticate(fx, c, sc->server_first, sizeof(sc->server_first));
	assert_memory_equal(sc->server_first, "r=fyko+d2lbbFgONRv9qkxdawL", 26);
	p = strstr(sc->server_first, ",s=");
	assert_non_null(p);
	snprintf(sc->nonce, sizeof(sc->nonce), "%.*s", (int)(p - sc->server_first - 2),
	    sc->server_first + 2);
	assert_int_equal(strlen(sc->nonce), 24 + 24);
	sc->saltlen = base64_decode(sc->salt, sizeof(sc->salt), p + 3,
	    strcspn(p + 3, ","));
	assert_int_equal(sc->saltlen, SCRAM_SALT_LEN);
	p = strstr(p, ",i=");
	assert_non_null(p);
	sc->iter = (unsigned)strtoul(p + 3, NULL, 10);
}

/* client-final for password with nonce; the expected v= into verifier. */
static void
scram_final(const struct scram_client *sc, const char *password, const char *nonce,
    char *msg, size_t cap, char *verifier)
{
	uint8_t		salted[32], ckey[32], stored[32], skey[32], sig[32], proof[32];
	char		auth[1200], noproof[300], proof64[64];

	password_pbkdf2(password, strlen(password), sc->salt, (size_t)sc->saltlen, sc->iter,
	    salted);
	crypto_auth_hmacsha256(ckey, (const uint8_t *)"Client Key", 10, salted);
	crypto_hash_sha256(stored, ckey, 32);
	crypto_auth_hmacsha256(skey, (const uint8_t *)"Server Key", 10, salted);
	snprintf(noproof, sizeof(noproof), "c=biws,r=%s", nonce);
	snprintf(auth, sizeof(auth), "%s,%s,%s", sc->first_bare, sc->server_first, noproof);
	crypto_auth_hmacsha256(sig, (const uint8_t *)auth, strlen(auth), stored);
	for (int i = 0; i < 32; i++)
		proof[i] = ckey[i] ^ sig[i];
	base64_encode(proof64, sizeof(proof64), proof, 32);
	snprintf(msg, cap, "%s,p=%s", noproof, proof64);
	crypto_auth_hmacsha256(sig, (const uint8_t *)auth, strlen(auth), skey);
	memcpy(verifier, "v=", 2);
	base64_encode(verifier + 2, 60, sig, 32);
}

static void
scram_login(void **state)
{
	struct fx		*fx = fx_new(cheap);
	struct scram_client	 sc;
	char			 msg[512], verifier[64], got[128];
	unsigned		 c;

	(void)state;
	make_account(fx, "alice");
	c = sasl_conn(fx, "bob");
	scram_begin(fx, c, "alice", &sc);
	assert_int_equal(sc.iter, 16);
	scram_final(&sc, PW, sc.nonce, msg, sizeof(msg), verifier);
	send_b64(fx, c, msg, strlen(msg));
	take_authenticate(fx, c, got, sizeof(got));
	assert_string_equal(got, verifier);
	fx_line(fx, c, "AUTHENTICATE +");
	assert_string_equal(fx_take(fx, c),
	    S "900 bob bob!u@127.0.0.1 alice :You are now logged in as alice\r\n"
	    S "903 bob :SASL authentication successful\r\n");
	fx_free(fx);
}

/* Each bad message fails with 904; an unknown account looks like a real one until
 * its proof, with the same salt each time. */
static void
scram_refused(void **state)
{
	struct fx		*fx = fx_new(cheap);
	struct scram_client	 sc, again;
	char			 msg[512], verifier[64];
	unsigned		 c;
	static const char *const bad_first[] = {
		"p=tls-unique,,n=alice,r=abc",	/* channel binding: not offered */
		"x,,n=alice,r=abc",		/* no such gs2 flag */
		"n,,r=abc",			/* no name */
		"n,,n=alice",			/* no nonce */
		"n,,n=al=2Xice,r=abc",		/* a bad escape */
		"n,a=bob,n=alice,r=abc",	/* another authzid */
		"n,,m=ext,n=alice,r=abc",	/* a mandatory extension */
	};

	(void)state;
	make_account(fx, "alice");
	c = sasl_conn(fx, "bob");
	for (size_t i = 0; i < sizeof(bad_first) / sizeof(bad_first[0]); i++) {
		fx_line(fx, c, "AUTHENTICATE SCRAM-SHA-256");
		send_b64(fx, c, bad_first[i], strlen(bad_first[i]));
		assert_string_equal(fx_take(fx, c),
		    "AUTHENTICATE +\r\n" S "904 bob :SASL authentication failed\r\n");
		fx_advance(fx, 120 * 1000);
		fx_take(fx, c);
	}
	/* A wrong password, a wrong nonce, a proof cut short, no proof. */
	scram_begin(fx, c, "alice", &sc);
	scram_final(&sc, "sesame shut", sc.nonce, msg, sizeof(msg), verifier);
	send_b64(fx, c, msg, strlen(msg));
	assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
	fx_advance(fx, 120 * 1000);
	scram_begin(fx, c, "alice", &sc);
	scram_final(&sc, PW, "fyko+d2lbbFgONRv9qkxdawLxxxxxxxxxxxxxxxxxxxxxxxx", msg,
	    sizeof(msg), verifier);
	send_b64(fx, c, msg, strlen(msg));
	assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
	fx_advance(fx, 120 * 1000);
	scram_begin(fx, c, "alice", &sc);
	scram_final(&sc, PW, sc.nonce, msg, sizeof(msg), verifier);
	msg[strlen(msg) - 4] = '\0';
	send_b64(fx, c, msg, strlen(msg));
	assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
	fx_advance(fx, 120 * 1000);
	scram_begin(fx, c, "alice", &sc);
	snprintf(msg, sizeof(msg), "c=biws,r=%s", sc.nonce);
	send_b64(fx, c, msg, strlen(msg));
	assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
	fx_advance(fx, 120 * 1000);
	/* Nobody: a salt and the same count of rounds, the same salt again; no proof
	 * passes. */
	scram_begin(fx, c, "nobody", &sc);
	assert_int_equal(sc.iter, 16);
	fx_line(fx, c, "AUTHENTICATE *");
	assert_string_equal(fx_take(fx, c), S "906 bob :SASL authentication aborted\r\n");
	scram_begin(fx, c, "NOBODY", &again);
	assert_memory_equal(sc.salt, again.salt, SCRAM_SALT_LEN);
	scram_final(&again, PW, again.nonce, msg, sizeof(msg), verifier);
	send_b64(fx, c, msg, strlen(msg));
	assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
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
		cmocka_unit_test(plain_login),
		cmocka_unit_test(plain_refused),
		cmocka_unit_test(authenticate_errors),
		cmocka_unit_test(cap_end_aborts),
		cmocka_unit_test(cap_end_waits_for_check),
		cmocka_unit_test(plain_chunked),
		cmocka_unit_test(authenticate_flood),
		cmocka_unit_test(overlong_input),
		cmocka_unit_test(external_login),
		cmocka_unit_test(scram_login),
		cmocka_unit_test(scram_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
