/*
 * TLS through OpenSSL: the server context and the non-blocking calls of one connection.
 * OpenSSL's error queue is per thread and outlives the call that filled it, so every
 * call clears it first: a stale entry would make the next SSL_get_error lie.
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

#include "net/tls.h"

#define TLS_SESSION_ID	"parleyd"	/* resumption works only with a context id set */

struct tls_ctx {
	SSL_CTX	*ssl;
};

struct tls {
	SSL	*ssl;
	bool	 failed;	/* a fatal error: OpenSSL forbids a shutdown after it */
	char	 err[160];
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
	SSL_set_accept_state(t->ssl);
	return t;
}

void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	free(t);
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
		snprintf(t->err, sizeof(t->err), "%s", ERR_peek_error() != 0 ?
		    tls_reason("TLS error") : saved != 0 ? strerror(saved) :
		    "connection closed");
		break;
	default:
		snprintf(t->err, sizeof(t->err), "%s", tls_reason("TLS error"));
		break;
	}
	t->failed = true;
	return TLS_ERROR;
}

int
tls_handshake(struct tls *t)
{
	int	 ret, rc;

	ERR_clear_error();
	errno = 0;
	if ((ret = SSL_do_handshake(t->ssl)) == 1)
		return 0;
	if ((rc = tls_result(t, ret)) == 0) {
		/* The peer ended the stream before the handshake did. */
		snprintf(t->err, sizeof(t->err), "connection closed");
		t->failed = true;
		return TLS_ERROR;
	}
	return rc;
}

ssize_t
tls_read(struct tls *t, char *buf, size_t cap)
{
	int	 ret;

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

	if (len == 0)
		return 0;
	ERR_clear_error();
	errno = 0;
	if ((ret = SSL_write(t->ssl, buf, len > INT_MAX ? INT_MAX : (int)len)) > 0)
		return ret;
	if ((rc = tls_result(t, ret)) == 0) {
		snprintf(t->err, sizeof(t->err), "connection closed");
		t->failed = true;
		return TLS_ERROR;
	}
	return rc;
}

int
tls_shutdown(struct tls *t)
{
	int	 ret;

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
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 n = 0;
	X509			*x;

	if ((x = SSL_get0_peer_certificate(t->ssl)) == NULL ||
	    X509_digest(x, EVP_sha256(), md, &n) != 1 || n * 2 != TLS_FP_LEN)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		fp[2 * i] = hex[md[i] >> 4];
		fp[2 * i + 1] = hex[md[i] & 0xf];
	}
	fp[TLS_FP_LEN] = '\0';
	return 0;
}

const char *
tls_error(const struct tls *t)
{
	return t->err;
}
