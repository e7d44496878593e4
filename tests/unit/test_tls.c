/*
 * net/tls.c: loading a context (and each way it fails), and a server connection over a
 * non-blocking socketpair driven against an in-process OpenSSL client: handshake,
 * fingerprint, reads, writes that must wait, the end of the stream, garbage.
 * Certificates are made here with OpenSSL's API, in a fresh temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>

#include <errno.h>
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

#include "net/outq.h"
#include "net/tls.h"

#define STEPS_MAX	1000	/* bound on every drive-both-sides loop */

struct files {
	char	dir[64];
	char	cert[128], key[128];		/* a matching pair */
	char	other_key[128];			/* another key */
	char	client_cert[128], client_key[128];
	char	locked_key[128];		/* the key, encrypted */
	char	junk[128];
	char	missing[128];
	char	client_fp[TLS_FP_LEN + 1];	/* of client_cert, by hand */
};

static struct files	 F;

static X509 *
make_cert(EVP_PKEY *pkey, const char *cn)
{
	X509		*x = X509_new();
	X509_NAME	*name;

	assert_non_null(x);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	assert_int_equal(X509_set_pubkey(x, pkey), 1);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
	    -1, 0);
	X509_set_issuer_name(x, name);
	assert_true(X509_sign(x, pkey, EVP_sha256()) > 0);
	return x;
}

static void
write_pem(const char *path, X509 *x, EVP_PKEY *pkey, const char *password)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	if (x != NULL)
		assert_int_equal(PEM_write_X509(fp, x), 1);
	if (pkey != NULL)
		assert_int_equal(PEM_write_PrivateKey(fp, pkey, password != NULL ?
		    EVP_aes_128_cbc() : NULL, (unsigned char *)password,
		    password != NULL ? (int)strlen(password) : 0, NULL, NULL), 1);
	assert_int_equal(fclose(fp), 0);
}

/* The fingerprint the hard way: SHA-256 over the DER encoding. */
static void
fingerprint_by_hand(X509 *x, char out[TLS_FP_LEN + 1])
{
	unsigned char	*der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0;
	int		 len = i2d_X509(x, &der);

	assert_true(len > 0);
	assert_int_equal(EVP_Digest(der, (size_t)len, md, &n, EVP_sha256(), NULL), 1);
	assert_int_equal(n, 32);
	for (unsigned int i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	OPENSSL_free(der);
}

static int
setup_files(void **state)
{
	EVP_PKEY	*key = EVP_EC_gen("P-256"), *other = EVP_EC_gen("P-256");
	EVP_PKEY	*ckey = EVP_EC_gen("P-256");
	X509		*cert, *ccert;
	FILE		*fp;

	(void)state;
	snprintf(F.dir, sizeof(F.dir), "/tmp/test_tls.XXXXXX");
	if (mkdtemp(F.dir) == NULL || key == NULL || other == NULL || ckey == NULL)
		return -1;
	snprintf(F.cert, sizeof(F.cert), "%s/cert.pem", F.dir);
	snprintf(F.key, sizeof(F.key), "%s/key.pem", F.dir);
	snprintf(F.other_key, sizeof(F.other_key), "%s/other.pem", F.dir);
	snprintf(F.client_cert, sizeof(F.client_cert), "%s/ccert.pem", F.dir);
	snprintf(F.client_key, sizeof(F.client_key), "%s/ckey.pem", F.dir);
	snprintf(F.locked_key, sizeof(F.locked_key), "%s/locked.pem", F.dir);
	snprintf(F.junk, sizeof(F.junk), "%s/junk.pem", F.dir);
	snprintf(F.missing, sizeof(F.missing), "%s/missing.pem", F.dir);
	cert = make_cert(key, "localhost");
	ccert = make_cert(ckey, "alice");
	write_pem(F.cert, cert, NULL, NULL);
	write_pem(F.key, NULL, key, NULL);
	write_pem(F.other_key, NULL, other, NULL);
	write_pem(F.client_cert, ccert, NULL, NULL);
	write_pem(F.client_key, NULL, ckey, NULL);
	write_pem(F.locked_key, NULL, key, "secret");
	if ((fp = fopen(F.junk, "w")) == NULL)
		return -1;
	fputs("-----BEGIN CERTIFICATE-----\nnot base64 at all\n", fp);
	fclose(fp);
	fingerprint_by_hand(ccert, F.client_fp);
	X509_free(cert);
	X509_free(ccert);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	EVP_PKEY_free(ckey);
	return 0;
}

static int
teardown_files(void **state)
{
	const char	*paths[] = { F.cert, F.key, F.other_key, F.client_cert, F.client_key,
			    F.locked_key, F.junk };

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		unlink(paths[i]);
	rmdir(F.dir);
	return 0;
}

/* ---- loading ---- */

static void
expect_load_error(const char *cert, const char *key, const char *want)
{
	char		 err[512] = "";
	struct tls_ctx	*ctx = tls_ctx_new(cert, key, err, sizeof(err));

	assert_null(ctx);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("error '%s' does not start with '%s'", err, want);
}

static void
test_ctx_loads(void **state)
{
	char		 err[512] = "";
	struct tls_ctx	*ctx = tls_ctx_new(F.cert, F.key, err, sizeof(err));

	(void)state;
	assert_non_null(ctx);
	assert_string_equal(err, "");
	tls_ctx_free(ctx);
	tls_ctx_free(NULL);
}

static void
test_ctx_missing_cert(void **state)
{
	char	want[256];

	(void)state;
	snprintf(want, sizeof(want), "%s: No such file or directory", F.missing);
	expect_load_error(F.missing, F.key, want);
}

static void
test_ctx_missing_key(void **state)
{
	char	want[256];

	(void)state;
	snprintf(want, sizeof(want), "%s: No such file or directory", F.missing);
	expect_load_error(F.cert, F.missing, want);
}

static void
test_ctx_mismatched_key(void **state)
{
	char	want[256];

	(void)state;
	snprintf(want, sizeof(want), "%s: does not match the certificate", F.other_key);
	expect_load_error(F.cert, F.other_key, want);
}

static void
test_ctx_junk_cert(void **state)
{
	char	want[256];

	(void)state;
	snprintf(want, sizeof(want), "%s: not a PEM certificate", F.junk);
	expect_load_error(F.junk, F.key, want);
	/* A key is not a certificate either. */
	snprintf(want, sizeof(want), "%s: not a PEM certificate", F.key);
	expect_load_error(F.key, F.key, want);
}

static void
test_ctx_junk_key(void **state)
{
	char	want[256];

	(void)state;
	snprintf(want, sizeof(want), "%s: not an unencrypted PEM private key", F.junk);
	expect_load_error(F.cert, F.junk, want);
}

/* An encrypted key is refused at once, never a passphrase prompt. */
static void
test_ctx_encrypted_key(void **state)
{
	char	want[256];

	(void)state;
	snprintf(want, sizeof(want), "%s: not an unencrypted PEM private key",
	    F.locked_key);
	expect_load_error(F.cert, F.locked_key, want);
}

/* ---- one connection ---- */

struct pair {
	struct tls_ctx	*ctx;
	struct tls	*srv;
	SSL_CTX		*cctx;
	SSL		*cli;
	int		 sfd, cfd;
};

static void
set_nonblock(int fd)
{
	int	flags = fcntl(fd, F_GETFL);

	assert_int_not_equal(flags, -1);
	assert_int_not_equal(fcntl(fd, F_SETFL, flags | O_NONBLOCK), -1);
}

static void
pair_open(struct pair *p, bool client_cert, int max_version)
{
	char	err[512];
	int	fds[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	p->sfd = fds[0];
	p->cfd = fds[1];
	set_nonblock(p->sfd);
	set_nonblock(p->cfd);
	p->ctx = tls_ctx_new(F.cert, F.key, err, sizeof(err));
	assert_non_null(p->ctx);
	p->srv = tls_new(p->ctx, p->sfd);
	assert_non_null(p->srv);
	p->cctx = SSL_CTX_new(TLS_client_method());
	assert_non_null(p->cctx);
	if (max_version != 0)
		SSL_CTX_set_max_proto_version(p->cctx, max_version);
	if (client_cert) {
		assert_int_equal(SSL_CTX_use_certificate_file(p->cctx, F.client_cert,
		    SSL_FILETYPE_PEM), 1);
		assert_int_equal(SSL_CTX_use_PrivateKey_file(p->cctx, F.client_key,
		    SSL_FILETYPE_PEM), 1);
	}
	p->cli = SSL_new(p->cctx);
	assert_non_null(p->cli);
	SSL_set_fd(p->cli, p->cfd);
	SSL_set_connect_state(p->cli);
}

static void
pair_close(struct pair *p)
{
	tls_free(p->srv);
	tls_ctx_free(p->ctx);
	SSL_free(p->cli);
	SSL_CTX_free(p->cctx);
	if (p->sfd >= 0)
		close(p->sfd);
	if (p->cfd >= 0)
		close(p->cfd);
}

/* Run both handshakes until the server's is over; returns its last result. */
static int
pair_handshake(struct pair *p)
{
	int	rc = TLS_WANT_READ;

	for (int i = 0; i < STEPS_MAX; i++) {
		(void)SSL_do_handshake(p->cli);
		ERR_clear_error();
		if ((rc = tls_handshake(p->srv)) != TLS_WANT_READ && rc != TLS_WANT_WRITE)
			break;
	}
	/* TLS 1.3: the client learns of the end (and takes its tickets) on a read. */
	for (int i = 0; i < 4 && rc == 0; i++) {
		char	c;

		(void)SSL_read(p->cli, &c, 1);
		ERR_clear_error();
	}
	return rc;
}

static void
test_handshake_and_fingerprint(void **state)
{
	struct pair	p;
	char		fp[TLS_FP_LEN + 1];

	(void)state;
	pair_open(&p, true, 0);
	assert_int_equal(pair_handshake(&p), 0);
	assert_int_equal(tls_fingerprint(p.srv, fp), 0);
	assert_string_equal(fp, F.client_fp);
	assert_string_equal(tls_error(p.srv), "");
	pair_close(&p);
}

static void
test_no_client_certificate(void **state)
{
	struct pair	p;
	char		fp[TLS_FP_LEN + 1];

	(void)state;
	pair_open(&p, false, 0);
	assert_int_equal(pair_handshake(&p), 0);
	assert_int_equal(tls_fingerprint(p.srv, fp), -1);
	pair_close(&p);
}

static void
test_tls12_client_certificate(void **state)
{
	struct pair	p;
	char		fp[TLS_FP_LEN + 1];

	(void)state;
	pair_open(&p, true, TLS1_2_VERSION);
	assert_int_equal(pair_handshake(&p), 0);
	assert_string_equal(SSL_get_version(p.cli), "TLSv1.2");
	assert_int_equal(tls_fingerprint(p.srv, fp), 0);
	assert_string_equal(fp, F.client_fp);
	pair_close(&p);
}

static void
test_tls11_refused(void **state)
{
	struct pair	p;

	(void)state;
	pair_open(&p, false, TLS1_1_VERSION);
	SSL_CTX_set_min_proto_version(p.cctx, TLS1_VERSION);
	SSL_set_min_proto_version(p.cli, TLS1_VERSION);
	SSL_set_security_level(p.cli, 0);
	assert_int_equal(pair_handshake(&p), TLS_ERROR);
	assert_true(tls_error(p.srv)[0] != '\0');
	pair_close(&p);
}

static void
test_handshake_garbage(void **state)
{
	struct pair	p;
	const char	junk[] = "NICK plaintext\r\nUSER x 0 * :x\r\n";

	(void)state;
	pair_open(&p, false, 0);
	assert_int_equal(write(p.cfd, junk, sizeof(junk) - 1), (ssize_t)sizeof(junk) - 1);
	assert_int_equal(tls_handshake(p.srv), TLS_ERROR);
	assert_true(tls_error(p.srv)[0] != '\0');
	/* After a fatal error, a shutdown is refused rather than attempted. */
	assert_int_equal(tls_shutdown(p.srv), TLS_ERROR);
	pair_close(&p);
}

static void
test_handshake_waits_then_eof(void **state)
{
	struct pair	p;

	(void)state;
	pair_open(&p, false, 0);
	assert_int_equal(tls_handshake(p.srv), TLS_WANT_READ);
	assert_int_equal(shutdown(p.cfd, SHUT_WR), 0);
	assert_int_equal(tls_handshake(p.srv), TLS_ERROR);
	assert_string_equal(tls_error(p.srv), "connection closed");
	pair_close(&p);
}

static void
test_read_and_write(void **state)
{
	struct pair	p;
	char		buf[TLS_RECORD_MAX];

	(void)state;
	pair_open(&p, false, 0);
	assert_int_equal(pair_handshake(&p), 0);
	assert_int_equal(tls_read(p.srv, buf, sizeof(buf)), TLS_WANT_READ);
	assert_int_equal(SSL_write(p.cli, "PING :x\r\n", 9), 9);
	assert_int_equal(tls_read(p.srv, buf, sizeof(buf)), 9);
	assert_memory_equal(buf, "PING :x\r\n", 9);
	assert_int_equal(tls_write(p.srv, "PONG :x\r\n", 9), 9);
	assert_int_equal(SSL_read(p.cli, buf, sizeof(buf)), 9);
	assert_memory_equal(buf, "PONG :x\r\n", 9);
	assert_int_equal(tls_write(p.srv, "", 0), 0);
	pair_close(&p);
}

/* A full record fits a TLS_RECORD_MAX buffer whole: nothing is left inside TLS. */
static void
test_read_whole_record(void **state)
{
	struct pair	 p;
	char		*big = malloc(TLS_RECORD_MAX), *buf = malloc(TLS_RECORD_MAX);

	(void)state;
	assert_non_null(big);
	assert_non_null(buf);
	memset(big, 'a', TLS_RECORD_MAX);
	pair_open(&p, false, 0);
	assert_int_equal(pair_handshake(&p), 0);
	assert_int_equal(SSL_write(p.cli, big, TLS_RECORD_MAX), TLS_RECORD_MAX);
	assert_int_equal(tls_read(p.srv, buf, TLS_RECORD_MAX), TLS_RECORD_MAX);
	assert_memory_equal(buf, big, TLS_RECORD_MAX);
	assert_int_equal(tls_read(p.srv, buf, TLS_RECORD_MAX), TLS_WANT_READ);
	pair_close(&p);
	free(big);
	free(buf);
}

/* A smaller buffer takes a record in pieces, call after call: on OpenSSL (TLS 1.2)
 * only, since a detached connection's reads need a whole record's room. */
static void
test_read_in_pieces(void **state)
{
	struct pair	p;
	char		big[3000], buf[1000];
	ssize_t		n;
	size_t		got = 0;

	(void)state;
	memset(big, 'a', sizeof(big));
	pair_open(&p, false, TLS1_2_VERSION);
	assert_int_equal(pair_handshake(&p), 0);
	assert_int_equal(SSL_write(p.cli, big, sizeof(big)), (int)sizeof(big));
	assert_int_equal(SSL_write(p.cli, big, sizeof(big)), (int)sizeof(big));
	while (got < 2 * sizeof(big) && (n = tls_read(p.srv, buf, sizeof(buf))) > 0) {
		assert_true(n <= (ssize_t)sizeof(buf));
		got += (size_t)n;
	}
	assert_int_equal(got, 2 * sizeof(big));
	pair_close(&p);
}

static void
test_read_close_notify_and_eof(void **state)
{
	struct pair	p;
	char		buf[TLS_RECORD_MAX];

	(void)state;
	pair_open(&p, false, 0);
	assert_int_equal(pair_handshake(&p), 0);
	assert_true(SSL_shutdown(p.cli) >= 0);
	assert_int_equal(tls_read(p.srv, buf, sizeof(buf)), 0);
	pair_close(&p);

	/* A bare FIN, as most clients leave, is an end too, not an error. */
	pair_open(&p, false, 0);
	assert_int_equal(pair_handshake(&p), 0);
	assert_int_equal(shutdown(p.cfd, SHUT_WR), 0);
	assert_int_equal(tls_read(p.srv, buf, sizeof(buf)), 0);
	/* Our close_notify still goes out. */
	assert_int_equal(tls_shutdown(p.srv), 0);
	pair_close(&p);
}

static void
test_read_garbage_after_handshake(void **state)
{
	struct pair	p;
	char		buf[TLS_RECORD_MAX];

	(void)state;
	pair_open(&p, false, 0);
	assert_int_equal(pair_handshake(&p), 0);
	assert_int_equal(write(p.cfd, "\x17\x03\x03\x00\x05hello", 10), 10);
	assert_int_equal(tls_read(p.srv, buf, sizeof(buf)), TLS_ERROR);
	assert_true(tls_error(p.srv)[0] != '\0');
	pair_close(&p);
}

/* Client reads everything it can; returns the bytes appended to out. */
static size_t
client_drain(struct pair *p, char *out, size_t cap)
{
	size_t	got = 0;
	int	n;

	while (got < cap && (n = SSL_read(p->cli, out + got, (int)(cap - got))) > 0)
		got += (size_t)n;
	ERR_clear_error();
	return got;
}

/*
 * The output queue through TLS: a backlog far larger than the socket buffer goes out
 * in order across many TLS_WANT_WRITE, retried with the same front as TLS requires.
 */
static void
test_outq_write_tls_backlog(void **state)
{
	enum { TOTAL = 600000 };
	struct pair	 p;
	struct outq	 q = OUTQ_INIT;
	char		*want = malloc(TOTAL), *got = malloc(TOTAL);
	size_t		 recvd = 0;
	ssize_t		 n;
	bool		 waited = false;

	(void)state;
	assert_non_null(want);
	assert_non_null(got);
	for (size_t i = 0; i < TOTAL; i++)
		want[i] = (char)('a' + i % 26);
	pair_open(&p, false, 0);
	assert_int_equal(pair_handshake(&p), 0);
	for (size_t off = 0; off < TOTAL - 1000; off += 1000)
		assert_int_equal(outq_push(&q, want + off, 1000), 0);
	for (int i = 0; i < STEPS_MAX * 10 && recvd < TOTAL; i++) {
		n = outq_write_tls(&q, p.srv);
		assert_true(n >= 0 || n == TLS_WANT_WRITE);
		waited = waited || n == TLS_WANT_WRITE || outq_len(&q) > 0;
		/* More arrives meanwhile: the retry's front stays, its length grows. */
		if (i == 3)
			assert_int_equal(outq_push(&q, want + TOTAL - 1000, 1000), 0);
		recvd += client_drain(&p, got + recvd, TOTAL - recvd);
	}
	assert_true(waited);
	assert_int_equal(recvd, TOTAL);
	assert_int_equal(outq_len(&q), 0);
	assert_memory_equal(got, want, TOTAL);
	assert_int_equal(outq_write_tls(&q, p.srv), 0);
	outq_clear(&q);
	pair_close(&p);
	free(want);
	free(got);
}

/* A reload-like swap: a connection made from a freed context keeps working. */
static void
test_connection_outlives_context(void **state)
{
	struct pair	p;
	char		buf[TLS_RECORD_MAX];

	(void)state;
	pair_open(&p, false, 0);
	tls_ctx_free(p.ctx);
	p.ctx = NULL;
	assert_int_equal(pair_handshake(&p), 0);
	assert_int_equal(SSL_write(p.cli, "hi", 2), 2);
	assert_int_equal(tls_read(p.srv, buf, sizeof(buf)), 2);
	pair_close(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctx_loads),
		cmocka_unit_test(test_ctx_missing_cert),
		cmocka_unit_test(test_ctx_missing_key),
		cmocka_unit_test(test_ctx_mismatched_key),
		cmocka_unit_test(test_ctx_junk_cert),
		cmocka_unit_test(test_ctx_junk_key),
		cmocka_unit_test(test_ctx_encrypted_key),
		cmocka_unit_test(test_handshake_and_fingerprint),
		cmocka_unit_test(test_no_client_certificate),
		cmocka_unit_test(test_tls12_client_certificate),
		cmocka_unit_test(test_tls11_refused),
		cmocka_unit_test(test_handshake_garbage),
		cmocka_unit_test(test_handshake_waits_then_eof),
		cmocka_unit_test(test_read_and_write),
		cmocka_unit_test(test_read_whole_record),
		cmocka_unit_test(test_read_in_pieces),
		cmocka_unit_test(test_read_close_notify_and_eof),
		cmocka_unit_test(test_read_garbage_after_handshake),
		cmocka_unit_test(test_outq_write_tls_backlog),
		cmocka_unit_test(test_connection_outlives_context),
	};

	return cmocka_run_group_tests(tests, setup_files, teardown_files);
}
