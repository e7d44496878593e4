/*
 * TLS through OpenSSL: the server context and the non-blocking calls of one connection.
 * OpenSSL's error queue is per thread and outlives the call that filled it, so every
 * call clears it first: a stale entry would make the next SSL_get_error lie.
 *
 * A live SSL holds about 14 KiB whatever the settings, so a TLS 1.3 connection leaves
 * OpenSSL once its handshake is over: the traffic secrets, which OpenSSL hands out only
 * through its key log callback, key net/tls_record.c, the SSL is freed, and
 * net/tls_stream.c does the records from then on.  TLS 1.2 stays with OpenSSL.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/hex.h"
#include "net/tls.h"
#include "net/tls_record.h"
#include "net/tls_stream.h"

#define TLS_SESSION_ID	"parleyd"	/* resumption works only with a context id set */
#define TLS_EXPORT_VERSION	1
#define TLS_FP_BYTES	(TLS_FP_LEN / 2)
#define TLS_EXPORT_HEAD	(2 + TLS_FP_BYTES)	/* version, has_fp, fp */

_Static_assert(TLS_EXPORT_HEAD + TLS_REC_EXPORT_MAX <= TLS_EXPORT_MAX,
    "TLS_EXPORT_MAX holds an export");

struct tls_ctx {
	SSL_CTX	*ssl;
};

/* Until the handshake is over the secrets the key log gave wait in s.rec. */
struct tls {
	SSL			*ssl;		/* NULL once detached: s does the records */
	struct tls_stream	 s;
	bool			 failed;	/* fatal: OpenSSL forbids a shutdown after it */
	bool			 has_fp;
	uint8_t			 secrets;	/* seen: 1 the client's, 2 ours */
	uint8_t			 tickets;	/* TLS 1.3 session tickets sent */
	uint8_t			 secret_len;
	uint8_t			 fp[TLS_FP_BYTES];	/* once detached */
	const char		*why;		/* the last error: a static string */
};

/* Accept every client certificate: it is a name (its fingerprint), not a credential
 * vouched for by anyone. */
static int
tls_verify_any(int ok, X509_STORE_CTX *store)
{
	(void)ok, (void)store;
	return 1;
}

/* Never prompt for a key's passphrase: a daemon has no one to ask. */
static int
tls_no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf, (void)size, (void)rwflag, (void)arg;
	return -1;
}

/* The reason of the oldest queued OpenSSL error, or fallback. */
static const char *
tls_reason(const char *fallback)
{
	const char	*why = ERR_reason_error_string(ERR_peek_error());

	return why != NULL ? why : fallback;
}

/* Open path for reading, so that a missing or unreadable file is reported as such. */
static FILE *
tls_open(const char *path, char *err, size_t errlen)
{
	FILE	*fp;

	if ((fp = fopen(path, "re")) == NULL)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return fp;
}

static int
tls_load_cert(SSL_CTX *ssl, const char *cert, char *err, size_t errlen)
{
	FILE	*fp;

	if ((fp = tls_open(cert, err, errlen)) == NULL)
		return -1;
	fclose(fp);
	ERR_clear_error();
	if (SSL_CTX_use_certificate_chain_file(ssl, cert) != 1) {
		snprintf(err, errlen, "%s: not a PEM certificate (%s)", cert,
		    tls_reason("unreadable"));
		return -1;
	}
	return 0;
}

static int
tls_load_key(SSL_CTX *ssl, const char *key, char *err, size_t errlen)
{
	EVP_PKEY	*pkey;
	FILE		*fp;
	int		 rc = -1;

	if ((fp = tls_open(key, err, errlen)) == NULL)
		return -1;
	ERR_clear_error();
	pkey = PEM_read_PrivateKey(fp, NULL, tls_no_passphrase, NULL);
	fclose(fp);
	if (pkey == NULL)
		snprintf(err, errlen, "%s: not an unencrypted PEM private key (%s)", key,
		    tls_reason("unreadable"));
	else if (SSL_CTX_use_PrivateKey(ssl, pkey) != 1 ||
	    SSL_CTX_check_private_key(ssl) != 1)
		snprintf(err, errlen, "%s: does not match the certificate", key);
	else
		rc = 0;
	EVP_PKEY_free(pkey);
	return rc;
}

/*
 * OpenSSL's key log (NSS's format, "LABEL <client random> <secret>" in hex): the
 * application traffic secrets are kept for the handover, everything else ignored.
 */
static void
tls_keylog(const SSL *ssl, const char *line)
{
	static const char	 client[] = "CLIENT_TRAFFIC_SECRET_0 ";
	static const char	 server[] = "SERVER_TRAFFIC_SECRET_0 ";
	struct tls		*t = SSL_get_app_data(ssl);
	const char		*hex;
	uint8_t			*to, bit;
	size_t			 n;
	int			 hi, lo;

	if (t == NULL)
		return;
	if (strncmp(line, client, sizeof(client) - 1) == 0)
		to = t->s.rec.rd.secret, bit = 1;
	else if (strncmp(line, server, sizeof(server) - 1) == 0)
		to = t->s.rec.wr.secret, bit = 2;
	else
		return;
	if ((hex = strchr(line + sizeof(client) - 1, ' ')) == NULL ||
	    (n = strlen(++hex)) % 2 != 0 || n / 2 > TLS_SECRET_MAX)
		return;
	for (size_t i = 0; i < n / 2; i++) {
		if ((hi = hex_digit(hex[2 * i])) < 0 || (lo = hex_digit(hex[2 * i + 1])) < 0)
			return;
		to[i] = (uint8_t)(hi << 4 | lo);
	}
	t->secret_len = (uint8_t)(n / 2);
	t->secrets |= bit;
}

/* Count the session tickets sent: each went in a record of its own under our
 * application key, so the handover starts our record count after them. */
static void
tls_msg(int write_p, int version, int type, const void *buf, size_t len, SSL *ssl,
    void *arg)
{
	struct tls	*t = SSL_get_app_data(ssl);

	(void)version, (void)arg;
	if (t != NULL && write_p && type == SSL3_RT_HANDSHAKE && len > 0 &&
	    *(const uint8_t *)buf == SSL3_MT_NEWSESSION_TICKET)
		t->tickets++;
}

/* TLS 1.2 and 1.3 with OpenSSL's default suites, which are the sane ones in 3.x. */
static void
tls_ctx_setup(SSL_CTX *ssl)
{
	SSL_CTX_set_min_proto_version(ssl, TLS1_2_VERSION);
	/* A bare FIN is how most IRC clients leave: an end, not an attack.  Client
	 * renegotiation would only let a peer make us compute. */
	SSL_CTX_set_options(ssl, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* The output queue writes block by block and retries from wherever the block now
	 * lives; idle connections give their buffers back. */
	SSL_CTX_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_verify(ssl, SSL_VERIFY_PEER, tls_verify_any);
	(void)SSL_CTX_set_session_id_context(ssl, (const unsigned char *)TLS_SESSION_ID,
	    sizeof(TLS_SESSION_ID) - 1);
	SSL_CTX_set_keylog_callback(ssl, tls_keylog);
}

struct tls_ctx *
tls_ctx_new(const char *cert, const char *key, char *err, size_t errlen)
{
	struct tls_ctx	*ctx;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	ERR_clear_error();
	if ((ctx->ssl = SSL_CTX_new(TLS_server_method())) == NULL) {
		snprintf(err, errlen, "OpenSSL: %s", tls_reason("cannot make a context"));
		free(ctx);
		return NULL;
	}
	tls_ctx_setup(ctx->ssl);
	tls_rec_prepare();
	if (tls_load_cert(ctx->ssl, cert, err, errlen) == -1 ||
	    tls_load_key(ctx->ssl, key, err, errlen) == -1) {
		tls_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

void
tls_ctx_free(struct tls_ctx *ctx)
{
	if (ctx == NULL)
		return;
	/* Drops our reference only: every SSL made from it holds one of its own. */
	SSL_CTX_free(ctx->ssl);
	free(ctx);
}

int
tls_ctx_pem(const struct tls_ctx *ctx, int fd)
{
	STACK_OF(X509)	*chain = NULL;
	X509		*leaf = SSL_CTX_get0_certificate(ctx->ssl);
	EVP_PKEY	*key = SSL_CTX_get0_privatekey(ctx->ssl);
	BIO		*out;
	int		 ok;

	if (leaf == NULL || key == NULL)
		return -EINVAL;
	ERR_clear_error();
	if ((out = BIO_new_fd(fd, BIO_NOCLOSE)) == NULL)
		return -ENOMEM;
	(void)SSL_CTX_get0_chain_certs(ctx->ssl, &chain);
	ok = PEM_write_bio_X509(out, leaf);
	for (int i = 0; ok && i < sk_X509_num(chain); i++)
		ok = PEM_write_bio_X509(out, sk_X509_value(chain, i));
	ok = ok && PEM_write_bio_PrivateKey(out, key, NULL, NULL, 0, NULL, NULL) &&
	    BIO_flush(out) == 1;
	BIO_free(out);
	return ok ? 0 : -EIO;
}

struct tls *
tls_new(struct tls_ctx *ctx, int fd)
{
	struct tls	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	ERR_clear_error();
	if ((t->ssl = SSL_new(ctx->ssl)) == NULL || SSL_set_fd(t->ssl, fd) != 1) {
		tls_free(t);
		return NULL;
	}
	SSL_set_app_data(t->ssl, t);
	SSL_set_msg_callback(t->ssl, tls_msg);
	SSL_set_accept_state(t->ssl);
	return t;
}

void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	tls_stream_free(&t->s);
	free(t);
}

/* The SHA-256 digest of ssl's peer certificate into md.  Returns 0, or -1 without one. */
static int
tls_peer_digest(SSL *ssl, uint8_t md[TLS_FP_BYTES])
{
	unsigned char	 buf[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0;
	X509		*x;

	if ((x = SSL_get0_peer_certificate(ssl)) == NULL ||
	    X509_digest(x, EVP_sha256(), buf, &n) != 1 || n != TLS_FP_BYTES)
		return -1;
	memcpy(md, buf, TLS_FP_BYTES);
	return 0;
}

/*
 * Hand a finished TLS 1.3 connection from OpenSSL to tls_stream when it can go: a
 * suite the record layer does, both secrets seen, nothing read ahead inside OpenSSL
 * (parleyd never turns read-ahead on: a record is read whole and alone).  Our first
 * record comes after the session tickets, the only ones sent so far under our
 * application key; the client has sent none under its own.  The fingerprint is taken
 * first.  Otherwise the connection stays with OpenSSL, no longer watched.
 */
static void
tls_detach(struct tls *t)
{
	uint8_t			 cs[TLS_SECRET_MAX], ss[TLS_SECRET_MAX];
	const SSL_CIPHER	*c;
	struct tls_rec		 rec;
	int			 suite = 0, fd = SSL_get_fd(t->ssl);

	if (SSL_version(t->ssl) == TLS1_3_VERSION &&
	    (c = SSL_get_current_cipher(t->ssl)) != NULL)
		suite = tls_rec_suite(SSL_CIPHER_get_protocol_id(c));
	memcpy(cs, t->s.rec.rd.secret, sizeof(cs));
	memcpy(ss, t->s.rec.wr.secret, sizeof(ss));
	tls_rec_wipe(&t->s.rec);
	if (suite != 0 && t->secrets == 3 && t->secret_len == tls_rec_secret_len(suite) &&
	    fd >= 0 && SSL_has_pending(t->ssl) == 0 && tls_rec_start(&rec, suite, cs, ss) == 0) {
		rec.wr.seq = t->tickets;
		t->has_fp = tls_peer_digest(t->ssl, t->fp) == 0;
		SSL_free(t->ssl);
		t->ssl = NULL;
		tls_stream_init(&t->s, fd, &rec);
	} else {
		SSL_set_msg_callback(t->ssl, NULL);
	}
	OPENSSL_cleanse(cs, sizeof(cs));
	OPENSSL_cleanse(ss, sizeof(ss));
}

/* Turn a failed call's return value into a TLS_* code (0 at a clean end). */
static int
tls_result(struct tls *t, int ret)
{
	int	 saved = errno;

	switch (SSL_get_error(t->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		return TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return TLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		t->why = ERR_peek_error() != 0 ? tls_reason("TLS error") : saved != 0 ?
		    strerror(saved) : "connection closed";
		break;
	default:
		t->why = tls_reason("TLS error");
		break;
	}
	t->failed = true;
	return TLS_ERROR;
}

int
tls_handshake(struct tls *t)
{
	int	 ret, rc;

	if (t->ssl == NULL)
		return 0;
	ERR_clear_error();
	errno = 0;
	if ((ret = SSL_do_handshake(t->ssl)) == 1) {
		tls_detach(t);
		return 0;
	}
	if ((rc = tls_result(t, ret)) == 0) {
		/* The peer ended the stream before the handshake did. */
		t->why = "connection closed";
		t->failed = true;
		return TLS_ERROR;
	}
	return rc;
}

ssize_t
tls_read(struct tls *t, char *buf, size_t cap)
{
	int	 ret;

	if (t->ssl == NULL)
		return tls_stream_read(&t->s, buf, cap);
	ERR_clear_error();
	errno = 0;
	if ((ret = SSL_read(t->ssl, buf, cap > INT_MAX ? INT_MAX : (int)cap)) > 0)
		return ret;
	return tls_result(t, ret);
}

ssize_t
tls_write(struct tls *t, const char *buf, size_t len)
{
	int	 ret, rc;

	if (t->ssl == NULL)
		return tls_stream_write(&t->s, buf, len);
	if (len == 0)
		return 0;
	ERR_clear_error();
	errno = 0;
	if ((ret = SSL_write(t->ssl, buf, len > INT_MAX ? INT_MAX : (int)len)) > 0)
		return ret;
	if ((rc = tls_result(t, ret)) == 0) {
		t->why = "connection closed";
		t->failed = true;
		return TLS_ERROR;
	}
	return rc;
}

int
tls_shutdown(struct tls *t)
{
	int	 ret;

	if (t->ssl == NULL)
		return tls_stream_shutdown(&t->s);
	if (t->failed)
		return TLS_ERROR;
	ERR_clear_error();
	errno = 0;
	/* 0: our close_notify is out, the peer's not in yet; that is all we wait for. */
	if ((ret = SSL_shutdown(t->ssl)) >= 0)
		return 0;
	return tls_result(t, ret);
}

int
tls_fingerprint(const struct tls *t, char fp[TLS_FP_LEN + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	uint8_t			 md[TLS_FP_BYTES];

	if (t->ssl != NULL ? tls_peer_digest(t->ssl, md) == -1 : !t->has_fp)
		return -1;
	if (t->ssl == NULL)
		memcpy(md, t->fp, sizeof(md));
	for (size_t i = 0; i < sizeof(md); i++) {
		fp[2 * i] = hex[md[i] >> 4];
		fp[2 * i + 1] = hex[md[i] & 0xf];
	}
	fp[TLS_FP_LEN] = '\0';
	return 0;
}

const char *
tls_error(const struct tls *t)
{
	if (t->ssl == NULL && t->s.why != NULL)
		return t->s.why;
	return t->why != NULL ? t->why : "";
}

/* version, has_fp, the fingerprint, then the record layer's state. */
int
tls_export(const struct tls *t, void *buf, size_t cap)
{
	uint8_t	 out[TLS_EXPORT_MAX];
	size_t	 n;

	if (t->ssl != NULL || !tls_stream_quiet(&t->s))
		return -1;
	out[0] = TLS_EXPORT_VERSION;
	out[1] = t->has_fp;
	memcpy(out + 2, t->fp, TLS_FP_BYTES);
	n = TLS_EXPORT_HEAD + tls_rec_export(&t->s.rec, out + TLS_EXPORT_HEAD);
	if (n <= cap)
		memcpy(buf, out, n);
	OPENSSL_cleanse(out, sizeof(out));
	return n <= cap ? (int)n : -1;
}

struct tls *
tls_import(int fd, const void *buf, size_t len)
{
	const uint8_t	*in = buf;
	struct tls_rec	 rec;
	struct tls	*t;

	if (len < TLS_EXPORT_HEAD || in[0] != TLS_EXPORT_VERSION || in[1] > 1 ||
	    tls_rec_import(&rec, in + TLS_EXPORT_HEAD, len - TLS_EXPORT_HEAD) == -1)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		tls_rec_wipe(&rec);
		return NULL;
	}
	t->has_fp = in[1];
	memcpy(t->fp, in + 2, TLS_FP_BYTES);
	tls_stream_init(&t->s, fd, &rec);
	return t;
}
