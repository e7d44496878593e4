/*
 * net/tls_stream.c and net/tls_record.c: a TLS 1.3 connection detached from OpenSSL
 * after its handshake, driven against an in-process OpenSSL client over a non-blocking
 * socketpair.  The client's records are caught in a memory BIO where a test needs their
 * exact bytes (to cut them anywhere, corrupt or hold them); records no OpenSSL client
 * would send are made with a record layer of our own keyed from the client's key log.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>

#include <poll.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "net/tls.h"
#include "net/tls_record.h"

#define STEPS_MAX	1000	/* bound on every drive-both-sides loop */

static char	 dir[64], cert[128], key[128];

static int
setup(void **state)
{
	EVP_PKEY	*pkey = EVP_EC_gen("P-256");
	X509		*x = X509_new();
	FILE		*fp;

	(void)state;
	assert_non_null(pkey);
	assert_non_null(x);
	snprintf(dir, sizeof(dir), "/tmp/test_tls_stream.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, pkey);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)"localhost", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	assert_true(X509_sign(x, pkey, EVP_sha256()) > 0);
	assert_non_null(fp = fopen(cert, "w"));
	assert_int_equal(PEM_write_X509(fp, x), 1);
	assert_int_equal(fclose(fp), 0);
	assert_non_null(fp = fopen(key, "w"));
	assert_int_equal(PEM_write_PrivateKey(fp, pkey, NULL, NULL, 0, NULL, NULL), 1);
	assert_int_equal(fclose(fp), 0);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(cert);
	unlink(key);
	rmdir(dir);
	return 0;
}

struct pair {
	struct tls_ctx	*ctx;
	struct tls	*srv;
	SSL_CTX		*cctx;
	SSL		*cli;
	BIO		*cap;		/* the client's records, once caught */
	int		 sfd, cfd;
	int		 key_updates;	/* KeyUpdate messages the client received */
	uint8_t		 secret[2][TLS_SECRET_MAX];	/* the client's key log */
};

static struct pair	*current;

/* The suite the client offers: each test runs under every one the layer does. */
static const struct {
	const char	*name;
	unsigned	 wire;
} suites[] = {
	{ "TLS_AES_128_GCM_SHA256", 0x1301 },
	{ "TLS_AES_256_GCM_SHA384", 0x1302 },
	{ "TLS_CHACHA20_POLY1305_SHA256", 0x1303 },
};
static size_t	 suite;

static void
client_msg(int write_p, int version, int type, const void *buf, size_t len, SSL *ssl,
    void *arg)
{
	const uint8_t	*m = buf;

	(void)version, (void)ssl, (void)arg;
	if (!write_p && type == SSL3_RT_HANDSHAKE && len > 0 && m[0] == SSL3_MT_KEY_UPDATE)
		current->key_updates++;
}

static void
client_keylog(const SSL *ssl, const char *line)
{
	int	 i = strncmp(line, "CLIENT_TRAFFIC_SECRET_0 ", 24) == 0 ? 0 :
		    strncmp(line, "SERVER_TRAFFIC_SECRET_0 ", 24) == 0 ? 1 : -1;
	long	 n;
	uint8_t	*b;

	(void)ssl;
	if (i < 0)
		return;
	assert_non_null(b = OPENSSL_hexstr2buf(strchr(line + 24, ' ') + 1, &n));
	assert_true(n == 32 || n == 48);
	memcpy(current->secret[i], b, (size_t)n);
	OPENSSL_free(b);
}

static void
pair_open(struct pair *p, int max_version)
{
	char	err[512];
	int	fds[2];

	memset(p, 0, sizeof(*p));
	current = p;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	p->sfd = fds[0];
	p->cfd = fds[1];
	for (int i = 0; i < 2; i++)
		assert_int_not_equal(fcntl(fds[i], F_SETFL, O_NONBLOCK), -1);
	assert_non_null(p->ctx = tls_ctx_new(cert, key, err, sizeof(err)));
	assert_non_null(p->srv = tls_new(p->ctx, p->sfd));
	assert_non_null(p->cctx = SSL_CTX_new(TLS_client_method()));
	if (max_version != 0)
		SSL_CTX_set_max_proto_version(p->cctx, max_version);
	assert_int_equal(SSL_CTX_set_ciphersuites(p->cctx, suites[suite].name), 1);
	SSL_CTX_set_keylog_callback(p->cctx, client_keylog);
	assert_non_null(p->cli = SSL_new(p->cctx));
	SSL_set_msg_callback(p->cli, client_msg);
	SSL_set_fd(p->cli, p->cfd);
	SSL_set_connect_state(p->cli);
	for (int i = 0, rc = TLS_WANT_READ; i < STEPS_MAX && rc != 0; i++) {
		(void)SSL_do_handshake(p->cli);
		ERR_clear_error();
		rc = tls_handshake(p->srv);
		assert_true(rc == 0 || rc == TLS_WANT_READ || rc == TLS_WANT_WRITE);
	}
	/* TLS 1.2: the server's Finished comes last. */
	for (int i = 0; i < 4 && !SSL_is_init_finished(p->cli); i++)
		(void)SSL_do_handshake(p->cli);
	assert_int_equal(SSL_is_init_finished(p->cli), 1);
	if (max_version == 0)
		assert_string_equal(SSL_CIPHER_get_name(SSL_get_current_cipher(p->cli)),
		    suites[suite].name);
	/* The client takes its session tickets, which come before our first record. */
	assert_int_equal(SSL_read(p->cli, (char[1]){0}, 1), -1);
	assert_int_equal(SSL_get_error(p->cli, -1), SSL_ERROR_WANT_READ);
	ERR_clear_error();
}

static void
pair_close(struct pair *p)
{
	tls_free(p->srv);
	tls_ctx_free(p->ctx);
	SSL_free(p->cli);
	BIO_free(p->cap);	/* our reference; the client held the other */
	SSL_CTX_free(p->cctx);
	close(p->sfd);
	close(p->cfd);
}

/* From now on the client's records go to p->cap instead of the socket. */
static void
catch_records(struct pair *p)
{
	assert_non_null(p->cap = BIO_new(BIO_s_mem()));
	assert_int_equal(BIO_up_ref(p->cap), 1);
	SSL_set0_wbio(p->cli, p->cap);
}

/* The records caught so far, taken out of p->cap into buf.  Returns their length. */
static size_t
caught(struct pair *p, uint8_t *buf, size_t cap)
{
	int	n = BIO_read(p->cap, buf, (int)cap);

	return n > 0 ? (size_t)n : 0;
}

static void
put(int fd, const void *buf, size_t len)
{
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
}

/* Everything the client can read now, appended at out + *got. */
static void
client_read(struct pair *p, char *out, size_t cap, size_t *got)
{
	int	n;

	while (*got < cap && (n = SSL_read(p->cli, out + *got, (int)(cap - *got))) > 0)
		*got += (size_t)n;
	ERR_clear_error();
}

/* A server read expecting want exactly. */
static void
expect_read(struct pair *p, const char *want)
{
	static char	 buf[TLS_RECORD_MAX];

	assert_int_equal(tls_read(p->srv, buf, sizeof(buf)), (ssize_t)strlen(want));
	assert_memory_equal(buf, want, strlen(want));
}

/* The first alert the client gets, as OpenSSL's reason, e.g. "bad record mac". */
static void
expect_client_alert(struct pair *p, const char *reason)
{
	char	buf[64];
	char	why[256];

	assert_true(SSL_read(p->cli, buf, sizeof(buf)) <= 0);
	ERR_error_string_n(ERR_peek_error(), why, sizeof(why));
	ERR_clear_error();
	assert_non_null(strstr(why, reason));
}

/* A TLS 1.3 connection leaves OpenSSL at the end of its handshake; a TLS 1.2 one stays. */
static void
test_detached_only_tls13(void **state)
{
	struct pair	p;
	uint8_t		blob[TLS_EXPORT_MAX];

	(void)state;
	pair_open(&p, 0);
	assert_true(tls_export(p.srv, blob, sizeof(blob)) > 0);
	pair_close(&p);
	pair_open(&p, TLS1_2_VERSION);
	assert_int_equal(tls_export(p.srv, blob, sizeof(blob)), -1);
	assert_int_equal(SSL_write(p.cli, "hi\r\n", 4), 4);
	expect_read(&p, "hi\r\n");
	pair_close(&p);
}

/* Lines both ways, many records, with a full record and several records per read. */
static void
test_many_lines_both_ways(void **state)
{
	enum { LINES = 300 };
	struct pair	 p;
	static char	 want[LINES * 64], got[LINES * 64], buf[TLS_RECORD_MAX];
	size_t		 len = 0, n = 0, sent = 0, recvd = 0;
	ssize_t		 r;

	(void)state;
	pair_open(&p, 0);
	for (int i = 0; i < LINES; i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len,
		    "PRIVMSG #c :line %d of the conversation\r\n", i);
	for (size_t off = 0; off < len; off += 100)
		assert_true(SSL_write(p.cli, want + off, len - off < 100 ? (int)(len - off) :
		    100) > 0);
	for (int i = 0; i < STEPS_MAX && n < len; i++) {
		r = tls_read(p.srv, buf, sizeof(buf));
		assert_true(r > 0);
		memcpy(got + n, buf, (size_t)r);
		n += (size_t)r;
	}
	assert_int_equal(n, len);
	assert_memory_equal(got, want, len);
	assert_int_equal(tls_read(p.srv, buf, sizeof(buf)), TLS_WANT_READ);
	for (int i = 0; i < STEPS_MAX && recvd < len; i++) {
		if (sent < len && (r = tls_write(p.srv, want + sent, len - sent)) > 0)
			sent += (size_t)r;
		client_read(&p, got, len, &recvd);
	}
	assert_int_equal(recvd, len);
	assert_memory_equal(got, want, len);
	pair_close(&p);
}

/* Two records cut at every byte: nothing comes before a record is whole. */
static void
test_records_split_everywhere(void **state)
{
	struct pair	 p;
	uint8_t		 rec[256];
	size_t		 len = 2, first;
	char		 buf[TLS_RECORD_MAX];

	(void)state;
	pair_open(&p, 0);
	catch_records(&p);
	for (size_t cut = 1; cut < len; cut++) {
		assert_int_equal(SSL_write(p.cli, "PING :1\r\n", 9), 9);
		first = caught(&p, rec, sizeof(rec));
		assert_int_equal(first, TLS_REC_OVERHEAD + 9);
		assert_int_equal(SSL_write(p.cli, "PONG :22\r\n", 10), 10);
		len = first + caught(&p, rec + first, sizeof(rec) - first);
		put(p.cfd, rec, cut);
		if (cut < first) {
			assert_int_equal(tls_read(p.srv, buf, sizeof(buf)), TLS_WANT_READ);
			put(p.cfd, rec + cut, len - cut);
			expect_read(&p, "PING :1\r\nPONG :22\r\n");
		} else {
			expect_read(&p, "PING :1\r\n");
			if (cut > first)
				assert_int_equal(tls_read(p.srv, buf, sizeof(buf)),
				    TLS_WANT_READ);
			put(p.cfd, rec + cut, len - cut);
			expect_read(&p, "PONG :22\r\n");
		}
	}
	assert_int_equal(len, 2 * TLS_REC_OVERHEAD + 19);
	pair_close(&p);
}

/* The client's KeyUpdate asking for ours: both sides move on and keep talking. */
static void
test_key_update_requested(void **state)
{
	struct pair	p;
	char		got[64];
	size_t		n = 0;

	(void)state;
	pair_open(&p, 0);
	assert_int_equal(SSL_write(p.cli, "one\r\n", 5), 5);
	expect_read(&p, "one\r\n");
	assert_int_equal(SSL_key_update(p.cli, SSL_KEY_UPDATE_REQUESTED), 1);
	assert_int_equal(SSL_write(p.cli, "two\r\n", 5), 5);
	expect_read(&p, "two\r\n");
	assert_int_equal(tls_write(p.srv, "three\r\n", 7), 7);
	client_read(&p, got, sizeof(got), &n);
	assert_int_equal(n, 7);
	assert_memory_equal(got, "three\r\n", 7);
	assert_int_equal(p.key_updates, 1);
	/* And again, not asking: ours stays. */
	assert_int_equal(SSL_key_update(p.cli, SSL_KEY_UPDATE_NOT_REQUESTED), 1);
	assert_int_equal(SSL_write(p.cli, "four\r\n", 6), 6);
	expect_read(&p, "four\r\n");
	assert_int_equal(tls_write(p.srv, "five\r\n", 6), 6);
	n = 0;
	client_read(&p, got, sizeof(got), &n);
	assert_int_equal(n, 6);
	assert_int_equal(p.key_updates, 1);
	pair_close(&p);
}

/* close_notify is the end; bytes before it in the same read come first. */
static void
test_close_notify(void **state)
{
	struct pair	p;
	char		buf[TLS_RECORD_MAX];

	(void)state;
	pair_open(&p, 0);
	assert_int_equal(SSL_write(p.cli, "QUIT\r\n", 6), 6);
	assert_true(SSL_shutdown(p.cli) >= 0);
	expect_read(&p, "QUIT\r\n");
	/* The socket is empty now, yet a poller must call again to learn of the end. */
	assert_int_equal(poll(&(struct pollfd){ .fd = p.sfd, .events = POLLIN }, 1, 0), 1);
	assert_int_equal(tls_read(p.srv, buf, sizeof(buf)), 0);
	assert_int_equal(tls_read(p.srv, buf, sizeof(buf)), 0);
	/* Ours goes back, and the client sees a clean end. */
	assert_int_equal(tls_shutdown(p.srv), 0);
	assert_int_equal(SSL_read(p.cli, buf, sizeof(buf)), 0);
	assert_int_equal(SSL_get_error(p.cli, 0), SSL_ERROR_ZERO_RETURN);
	pair_close(&p);
}

/* A corrupted byte anywhere in a record: an error, and bad_record_mac to the peer. */
static void
test_corrupted_record(void **state)
{
	struct pair	p;
	uint8_t		rec[64];
	size_t		len;

	(void)state;
	for (size_t at = TLS_REC_HEADER; at < 5 + 22; at += 7) {
		pair_open(&p, 0);
		catch_records(&p);
		assert_int_equal(SSL_write(p.cli, "hello\r\n", 7), 7);
		len = caught(&p, rec, sizeof(rec));
		rec[at] ^= 0x01;
		put(p.cfd, rec, len);
		assert_int_equal(tls_read(p.srv, (char[TLS_RECORD_MAX]){0}, TLS_RECORD_MAX),
		    TLS_ERROR);
		assert_string_equal(tls_error(p.srv), "bad record MAC");
		assert_int_equal(tls_write(p.srv, "x", 1), TLS_ERROR);
		expect_client_alert(&p, "bad record mac");
		pair_close(&p);
	}
}

/* A record longer than 2^14 + 256: record_overflow, before any of its body came. */
static void
test_oversized_record(void **state)
{
	struct pair	p;
	const uint8_t	hdr[5] = { 0x17, 0x03, 0x03, 0x41, 0x01 };

	(void)state;
	pair_open(&p, 0);
	put(p.cfd, hdr, sizeof(hdr));
	assert_int_equal(tls_read(p.srv, (char[TLS_RECORD_MAX]){0}, TLS_RECORD_MAX),
	    TLS_ERROR);
	expect_client_alert(&p, "record overflow");
	pair_close(&p);
}

/* A record layer speaking as the client, from the client's key log; p's client must
 * not write any more (its counters would be ours). */
static void
as_client(struct pair *p, struct tls_rec *r)
{
	assert_int_equal(tls_rec_start(r, tls_rec_suite(suites[suite].wire), p->secret[1],
	    p->secret[0]), 0);
}

/* What no client sends: each closes with unexpected_message (or decode_error). */
static void
test_unexpected_records(void **state)
{
	static const struct {
		uint8_t		 type;
		const char	*body;
		size_t		 len;
		const char	*reason;
	} cases[] = {
		{ TLS_CT_HANDSHAKE, "\x04\x00\x00\x01\x00", 5, "unexpected message" },
		{ TLS_CT_HANDSHAKE, "", 0, "unexpected message" },
		{ TLS_CT_HANDSHAKE, "\x18\x00\x00\x01\x00" "x", 6, "unexpected message" },
		{ TLS_CT_HANDSHAKE, "\x18\x00\x00\x01\x02", 5, "illegal parameter" },
		{ 20, "\x01", 1, "unexpected message" },
		{ TLS_CT_ALERT, "\x02", 1, "decode error" },
	};
	struct pair	 p;
	struct tls_rec	 r;
	uint8_t		 rec[64];
	ssize_t		 n;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pair_open(&p, 0);
		as_client(&p, &r);
		n = tls_rec_seal(&r, cases[i].type, cases[i].body, cases[i].len, rec);
		assert_true(n > 0);
		put(p.cfd, rec, (size_t)n);
		assert_int_equal(tls_read(p.srv, (char[TLS_RECORD_MAX]){0},
		    TLS_RECORD_MAX), TLS_ERROR);
		expect_client_alert(&p, cases[i].reason);
		tls_rec_wipe(&r);
		pair_close(&p);
	}
}

/* Records for TLS alone (empty application data, a KeyUpdate) give nothing to read;
 * the peer's fatal alert ends the connection, with nothing sent back. */
static void
test_records_without_data(void **state)
{
	struct pair	 p;
	struct tls_rec	 r;
	uint8_t		 rec[64];
	ssize_t		 n;
	char		 buf[TLS_RECORD_MAX];

	(void)state;
	pair_open(&p, 0);
	as_client(&p, &r);
	n = tls_rec_seal(&r, TLS_CT_APPDATA, "", 0, rec);
	put(p.cfd, rec, (size_t)n);
	assert_int_equal(tls_read(p.srv, buf, sizeof(buf)), TLS_WANT_READ);
	n = tls_rec_seal(&r, TLS_CT_ALERT, "\x02\x28", 2, rec);	/* handshake_failure */
	put(p.cfd, rec, (size_t)n);
	assert_int_equal(tls_read(p.srv, buf, sizeof(buf)), TLS_ERROR);
	assert_string_equal(tls_error(p.srv), "handshake failure");
	assert_int_equal(recv(p.cfd, buf, sizeof(buf), 0), -1);
	tls_rec_wipe(&r);
	pair_close(&p);
}

/* Records without data are bounded in a row: a line between them starts the count
 * again, and one too many closes the connection. */
static void
test_idle_records_bounded(void **state)
{
	struct pair	 p;
	struct tls_rec	 r;
	uint8_t		 rec[64];
	ssize_t		 n;
	char		 buf[TLS_RECORD_MAX];

	(void)state;
	pair_open(&p, 0);
	as_client(&p, &r);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < TLS_REC_IDLE_MAX; i++) {
			n = tls_rec_seal(&r, TLS_CT_APPDATA, "", 0, rec);
			put(p.cfd, rec, (size_t)n);
		}
		n = tls_rec_seal(&r, TLS_CT_APPDATA, "x\r\n", 3, rec);
		put(p.cfd, rec, (size_t)n);
		expect_read(&p, "x\r\n");
	}
	for (int i = 0; i <= TLS_REC_IDLE_MAX; i++) {
		n = tls_rec_seal(&r, TLS_CT_APPDATA, "", 0, rec);
		put(p.cfd, rec, (size_t)n);
	}
	assert_int_equal(tls_read(p.srv, buf, sizeof(buf)), TLS_ERROR);
	assert_string_equal(tls_error(p.srv), "too many records without data");
	expect_client_alert(&p, "unexpected message");
	tls_rec_wipe(&r);
	pair_close(&p);
}

/* The state moves to a new connection mid-conversation, after a KeyUpdate each way,
 * and the client never notices. */
static void
test_export_import(void **state)
{
	struct pair	 p;
	uint8_t		 blob[TLS_EXPORT_MAX];
	char		 got[64];
	size_t		 n = 0;
	int		 len;

	(void)state;
	pair_open(&p, 0);
	assert_int_equal(SSL_key_update(p.cli, SSL_KEY_UPDATE_REQUESTED), 1);
	assert_int_equal(SSL_write(p.cli, "before\r\n", 8), 8);
	expect_read(&p, "before\r\n");
	/* Our KeyUpdate is owed, not sent: the state carries that too. */
	assert_true((len = tls_export(p.srv, blob, sizeof(blob))) > 0);
	assert_int_equal(tls_export(p.srv, blob, (size_t)len - 1), -1);
	tls_free(p.srv);
	assert_null(tls_import(p.sfd, blob, (size_t)len - 1));
	blob[0]++;
	assert_null(tls_import(p.sfd, blob, (size_t)len));
	blob[0]--;
	assert_non_null(p.srv = tls_import(p.sfd, blob, (size_t)len));
	assert_int_equal(SSL_write(p.cli, "after\r\n", 7), 7);
	expect_read(&p, "after\r\n");
	assert_int_equal(tls_write(p.srv, "back\r\n", 6), 6);
	client_read(&p, got, sizeof(got), &n);
	assert_int_equal(n, 6);
	assert_memory_equal(got, "back\r\n", 6);
	assert_int_equal(p.key_updates, 1);
	pair_close(&p);
}

/* Half a record read: no state to move, until the rest came. */
static void
test_export_refused_mid_record(void **state)
{
	struct pair	 p;
	uint8_t		 rec[64], blob[TLS_EXPORT_MAX];
	size_t		 len;

	(void)state;
	pair_open(&p, 0);
	catch_records(&p);
	assert_int_equal(SSL_write(p.cli, "hello\r\n", 7), 7);
	len = caught(&p, rec, sizeof(rec));
	put(p.cfd, rec, 10);
	assert_int_equal(tls_read(p.srv, (char[TLS_RECORD_MAX]){0}, TLS_RECORD_MAX),
	    TLS_WANT_READ);
	assert_int_equal(tls_export(p.srv, blob, sizeof(blob)), -1);
	put(p.cfd, rec + 10, len - 10);
	expect_read(&p, "hello\r\n");
	assert_true(tls_export(p.srv, blob, sizeof(blob)) > 0);
	pair_close(&p);
}

int
main(void)
{
	int	 failed = 0;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detached_only_tls13),
		cmocka_unit_test(test_many_lines_both_ways),
		cmocka_unit_test(test_records_split_everywhere),
		cmocka_unit_test(test_key_update_requested),
		cmocka_unit_test(test_close_notify),
		cmocka_unit_test(test_corrupted_record),
		cmocka_unit_test(test_oversized_record),
		cmocka_unit_test(test_unexpected_records),
		cmocka_unit_test(test_records_without_data),
		cmocka_unit_test(test_idle_records_bounded),
		cmocka_unit_test(test_export_import),
		cmocka_unit_test(test_export_refused_mid_record),
	};

	for (suite = 0; suite < sizeof(suites) / sizeof(suites[0]); suite++)
		failed += _cmocka_run_group_tests(suites[suite].name, tests,
		    sizeof(tests) / sizeof(tests[0]), setup, teardown);
	return failed;
}
