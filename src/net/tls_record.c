/*
 * TLS 1.3 records in memory (RFC 8446 §5.2, §5.3, §7.1, §7.3, §4.6.3).  A record is
 * header || AEAD(content || type || zeros) under the nonce iv XOR the padded sequence
 * number, with the header as additional data.
 *
 * A cipher context costs about 1.1 KiB, more than the rest of an idle connection, so
 * connections hold only their keys: each thread has one context per suite and
 * direction, and keys it again when a record belongs to another key than the last one
 * it did (the key's id, never reused, tells; a pointer could be).
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/ssl.h>

#include "net/tls_record.h"

#define SUITES		3
#define HS_KEY_UPDATE	24	/* the handshake message type (§4) */
#define INNER_MAX	(16384 + 1)	/* TLSInnerPlaintext, padding included (§5.4) */

static const struct suite {
	unsigned	 wire;
	const char	*cipher, *digest;
	size_t		 keylen, hashlen;
} suites[SUITES] = {
	{ 0x1301, "AES-128-GCM", "SHA256", 16, 32 },
	{ 0x1302, "AES-256-GCM", "SHA384", 32, 48 },
	{ 0x1303, "ChaCha20-Poly1305", "SHA256", 32, 32 },
};

/* Fetched once per process: a fetch per record would take a lock and a lookup. */
static EVP_CIPHER	*ciphers[SUITES];
static EVP_KDF		*hkdf;
static pthread_once_t	 fetch_once = PTHREAD_ONCE_INIT;

/* A thread's cipher contexts, [suite][encrypting], and the key each holds. */
struct thread_ctx {
	EVP_CIPHER_CTX	*ctx[SUITES][2];
	uint64_t	 id[SUITES][2];
};

static pthread_key_t	 ctx_key;
static bool		 ctx_key_ok;
static _Atomic uint64_t	 next_id = 1;

static void
thread_ctx_free(void *arg)
{
	struct thread_ctx	*tc = arg;

	for (int s = 0; s < SUITES; s++)
		for (int e = 0; e < 2; e++)
			EVP_CIPHER_CTX_free(tc->ctx[s][e]);
	free(tc);
}

static void
fetch(void)
{
	for (int s = 0; s < SUITES; s++)
		ciphers[s] = EVP_CIPHER_fetch(NULL, suites[s].cipher, NULL);
	hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	ctx_key_ok = pthread_key_create(&ctx_key, thread_ctx_free) == 0;
}

void
tls_rec_prepare(void)
{
	(void)pthread_once(&fetch_once, fetch);
}

int
tls_rec_suite(unsigned protocol_id)
{
	for (int s = 0; s < SUITES; s++)
		if (suites[s].wire == protocol_id)
			return s + 1;
	return 0;
}

size_t
tls_rec_secret_len(int suite)
{
	return suite >= 1 && suite <= SUITES ? suites[suite - 1].hashlen : 0;
}

/* HKDF-Expand-Label(secret, label, "", len) (§7.1). */
static int
expand_label(const struct suite *su, const uint8_t *secret, const char *label,
    uint8_t *out, size_t len)
{
	uint8_t		 info[2 + 1 + 6 + 16 + 1];
	size_t		 llen = strlen(label), n = 0;
	int		 mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY, rc;
	EVP_KDF_CTX	*kctx;
	OSSL_PARAM	 params[5];

	if (hkdf == NULL || llen > 16 || (kctx = EVP_KDF_CTX_new(hkdf)) == NULL)
		return -1;
	info[n++] = (uint8_t)(len >> 8);
	info[n++] = (uint8_t)len;
	info[n++] = (uint8_t)(6 + llen);
	memcpy(info + n, "tls13 ", 6);
	memcpy(info + n + 6, label, llen);
	n += 6 + llen;
	info[n++] = 0;		/* an empty context */
	params[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)su->digest, 0);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret,
	    su->hashlen);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n);
	params[4] = OSSL_PARAM_construct_end();
	rc = EVP_KDF_derive(kctx, out, len, params) == 1 ? 0 : -1;
	EVP_KDF_CTX_free(kctx);
	return rc;
}

/* d's key and iv from its secret (§7.3), under a new id. */
static int
dir_key(const struct suite *su, struct tls_dir *d)
{
	if (expand_label(su, d->secret, "key", d->key, su->keylen) == -1 ||
	    expand_label(su, d->secret, "iv", d->iv, sizeof(d->iv)) == -1)
		return -1;
	d->id = atomic_fetch_add(&next_id, 1);
	return 0;
}

/* The next secret of d (§7.2), keyed; the record count starts again. */
static int
dir_update(const struct suite *su, struct tls_dir *d)
{
	uint8_t	 next[TLS_SECRET_MAX];
	int	 rc;

	rc = expand_label(su, d->secret, "traffic upd", next, su->hashlen);
	memcpy(d->secret, next, su->hashlen);
	OPENSSL_cleanse(next, sizeof(next));
	d->seq = 0;
	return rc == -1 ? -1 : dir_key(su, d);
}

int
tls_rec_start(struct tls_rec *r, int suite, const uint8_t *client_secret,
    const uint8_t *server_secret)
{
	const struct suite	*su;

	tls_rec_prepare();
	memset(r, 0, sizeof(*r));
	if (tls_rec_secret_len(suite) == 0 || ciphers[suite - 1] == NULL || hkdf == NULL ||
	    !ctx_key_ok)
		return -1;
	su = &suites[suite - 1];
	r->suite = (uint8_t)suite;
	memcpy(r->rd.secret, client_secret, su->hashlen);
	memcpy(r->wr.secret, server_secret, su->hashlen);
	if (dir_key(su, &r->rd) == -1 || dir_key(su, &r->wr) == -1) {
		tls_rec_wipe(r);
		return -1;
	}
	return 0;
}

void
tls_rec_wipe(struct tls_rec *r)
{
	OPENSSL_cleanse(r, sizeof(*r));
}

/* This thread's context for suite and direction, keyed with d's key.  NULL: none. */
static EVP_CIPHER_CTX *
thread_ctx(int suite, int enc, const struct tls_dir *d)
{
	struct thread_ctx	*tc;
	EVP_CIPHER_CTX		*ctx;
	int			 s = suite - 1;

	if (!ctx_key_ok)
		return NULL;
	if ((tc = pthread_getspecific(ctx_key)) == NULL) {
		if ((tc = calloc(1, sizeof(*tc))) == NULL)
			return NULL;
		if (pthread_setspecific(ctx_key, tc) != 0) {
			free(tc);
			return NULL;
		}
	}
	if (tc->ctx[s][enc] == NULL && (tc->ctx[s][enc] = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	ctx = tc->ctx[s][enc];
	if (tc->id[s][enc] != d->id) {
		tc->id[s][enc] = 0;
		if (EVP_CipherInit_ex(ctx, ciphers[s], NULL, d->key, NULL, enc) != 1)
			return NULL;
		tc->id[s][enc] = d->id;
	}
	return ctx;
}

/*
 * One AEAD operation under d's key and next nonce: len bytes of in, then the byte at
 * type when there is one, to out (in == out or apart), the tag to or from tag.
 * Returns 0, or -1 (a forged or damaged record when decrypting).
 */
static int
aead(const struct tls_rec *r, const struct tls_dir *d, int enc, const uint8_t *hdr,
    const uint8_t *in, size_t len, const uint8_t *type, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX	*ctx;
	uint8_t		 nonce[12];
	int		 n;

	if (len > INT_MAX || (ctx = thread_ctx(r->suite, enc, d)) == NULL)
		return -1;
	memcpy(nonce, d->iv, sizeof(nonce));
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(d->seq >> (8 * i));
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, hdr, TLS_REC_HEADER) != 1)
		return -1;
	if (len > 0 && EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1)
		return -1;
	if (len > 0)
		out += n;
	if (type != NULL && EVP_CipherUpdate(ctx, out, &n, type, 1) != 1)
		return -1;
	if (type != NULL)
		out += n;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TLS_REC_TAG, tag) != 1)
		return -1;
	if (EVP_CipherFinal_ex(ctx, out, &n) != 1)
		return -1;
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TLS_REC_TAG, tag) != 1)
		return -1;
	return 0;
}

ssize_t
tls_rec_seal(struct tls_rec *r, uint8_t type, const void *in, size_t len, uint8_t *out)
{
	size_t	 body = len + 1 + TLS_REC_TAG;

	/* The sequence number must not wrap (§5.3): the connection ends first. */
	if (len > 16384 || r->wr.seq == UINT64_MAX)
		return -1;
	out[0] = TLS_CT_APPDATA;
	out[1] = 0x03;
	out[2] = 0x03;
	out[3] = (uint8_t)(body >> 8);
	out[4] = (uint8_t)body;
	if (aead(r, &r->wr, 1, out, in, len, &type, out + TLS_REC_HEADER,
	    out + TLS_REC_HEADER + len + 1) == -1)
		return -1;
	r->wr.seq++;
	return (ssize_t)(TLS_REC_HEADER + body);
}

ssize_t
tls_rec_seal_keyupdate(struct tls_rec *r, uint8_t *out)
{
	static const uint8_t	 msg[5] = { HS_KEY_UPDATE, 0, 0, 1, 0 };
	ssize_t			 n;

	if ((n = tls_rec_seal(r, TLS_CT_HANDSHAKE, msg, sizeof(msg), out)) == -1 ||
	    dir_update(&suites[r->suite - 1], &r->wr) == -1)
		return -1;
	r->ku_owed = false;
	return n;
}

static enum tls_open
fail(struct tls_opened *o, int alert, const char *why)
{
	o->alert = alert;
	o->why = why;
	return TLS_OPEN_FAIL;
}

/* The handshake messages of a record (§4.6.3): KeyUpdate alone is expected, and it
 * must end its record since the keys change after it. */
static enum tls_open
open_handshake(struct tls_rec *r, const uint8_t *m, size_t len, struct tls_opened *o)
{
	if (len == 0)
		return fail(o, TLS_ALERT_UNEXPECTED_MESSAGE, "empty handshake record");
	if (len < 4 || m[0] != HS_KEY_UPDATE)
		return fail(o, TLS_ALERT_UNEXPECTED_MESSAGE, "unexpected handshake message");
	if (m[1] != 0 || m[2] != 0 || m[3] != 1 || len < 5)
		return fail(o, TLS_ALERT_DECODE_ERROR, "malformed KeyUpdate");
	if (len > 5)
		return fail(o, TLS_ALERT_UNEXPECTED_MESSAGE, "data after a KeyUpdate");
	if (m[4] > 1)
		return fail(o, TLS_ALERT_ILLEGAL_PARAMETER, "malformed KeyUpdate");
	if (dir_update(&suites[r->suite - 1], &r->rd) == -1)
		return fail(o, TLS_ALERT_INTERNAL_ERROR, "cannot derive the next key");
	if (m[4] == 1)
		r->ku_owed = true;
	return TLS_OPEN_DATA;
}

enum tls_open
tls_rec_open(struct tls_rec *r, uint8_t *buf, size_t len, struct tls_opened *o)
{
	size_t	 body, n;
	uint8_t	*inner = buf + TLS_REC_HEADER;

	*o = (struct tls_opened){ .need = TLS_REC_HEADER, .alert = -1 };
	if (len < TLS_REC_HEADER)
		return TLS_OPEN_MORE;
	body = (size_t)buf[3] << 8 | buf[4];
	/* The version is to be ignored (§5.1); every record now is protected. */
	if (buf[0] != TLS_CT_APPDATA)
		return fail(o, TLS_ALERT_UNEXPECTED_MESSAGE, "unprotected record");
	if (body > TLS_REC_BODY_MAX)
		return fail(o, TLS_ALERT_RECORD_OVERFLOW, "record too long");
	o->need = TLS_REC_HEADER + body;
	if (len < o->need)
		return TLS_OPEN_MORE;
	if (body < 1 + TLS_REC_TAG)
		return fail(o, TLS_ALERT_DECODE_ERROR, "record too short");
	if (r->rd.seq == UINT64_MAX)
		return fail(o, TLS_ALERT_INTERNAL_ERROR, "sequence number exhausted");
	n = body - TLS_REC_TAG;
	if (aead(r, &r->rd, 0, buf, inner, n, NULL, inner, inner + n) == -1)
		return fail(o, TLS_ALERT_BAD_RECORD_MAC, "bad record MAC");
	r->rd.seq++;
	o->used = o->need;
	if (n > INNER_MAX)
		return fail(o, TLS_ALERT_RECORD_OVERFLOW, "record too long");
	while (n > 0 && inner[n - 1] == 0)
		n--;
	if (n == 0)
		return fail(o, TLS_ALERT_UNEXPECTED_MESSAGE, "record without a type");
	n--;
	if (inner[n] == TLS_CT_APPDATA && n > 0)
		r->idle = 0;
	else if (inner[n] != TLS_CT_ALERT && ++r->idle > TLS_REC_IDLE_MAX)
		return fail(o, TLS_ALERT_UNEXPECTED_MESSAGE, "too many records without data");
	switch (inner[n]) {
	case TLS_CT_APPDATA:
		o->off = TLS_REC_HEADER;
		o->len = n;
		return TLS_OPEN_DATA;
	case TLS_CT_HANDSHAKE:
		return open_handshake(r, inner, n, o);
	case TLS_CT_ALERT:
		if (n != 2)
			return fail(o, TLS_ALERT_DECODE_ERROR, "malformed alert");
		if (inner[1] == TLS_ALERT_CLOSE_NOTIFY)
			return TLS_OPEN_CLOSE;
		/* §6.2: every other alert ends the connection, whatever its level. */
		return fail(o, -1, SSL_alert_desc_string_long(inner[1]));
	default:
		return fail(o, TLS_ALERT_UNEXPECTED_MESSAGE, "unexpected record type");
	}
}

/* Big-endian 64 bits. */
static void
put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t	 v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* suite, ku_owed, secret length; then seq and secret for reading, then writing. */
size_t
tls_rec_export(const struct tls_rec *r, uint8_t *out)
{
	size_t	 hl = tls_rec_secret_len(r->suite), n = 0;

	out[n++] = r->suite;
	out[n++] = r->ku_owed;
	out[n++] = (uint8_t)hl;
	for (int i = 0; i < 2; i++) {
		const struct tls_dir	*d = i == 0 ? &r->rd : &r->wr;

		put64(out + n, d->seq);
		memcpy(out + n + 8, d->secret, hl);
		n += 8 + hl;
	}
	return n;
}

int
tls_rec_import(struct tls_rec *r, const uint8_t *in, size_t len)
{
	size_t	 hl;

	if (len < 3 || (hl = tls_rec_secret_len(in[0])) == 0 || in[1] > 1 || in[2] != hl ||
	    len != 3 + 2 * (8 + hl) ||
	    tls_rec_start(r, in[0], in + 3 + 8, in + 3 + 8 + hl + 8) == -1) {
		memset(r, 0, sizeof(*r));
		return -1;
	}
	r->ku_owed = in[1];
	r->rd.seq = get64(in + 3);
	r->wr.seq = get64(in + 3 + 8 + hl);
	return 0;
}
