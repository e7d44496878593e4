#ifndef PARLEY_NET_TLS_RECORD_H
#define PARLEY_NET_TLS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The TLS 1.3 record layer of a server connection whose handshake OpenSSL did (RFC 8446
 * §5, §7.1-7.3): the keys of both directions derived from the traffic secrets, records
 * protected and opened in memory, KeyUpdate.  No descriptor: net/tls_stream.c moves the
 * bytes.  A connection holds no cipher context: each thread keeps one per suite and
 * direction, keyed again whenever a record belongs to other keys than the last one.
 */

#define TLS_REC_HEADER		5
#define TLS_REC_TAG		16
#define TLS_REC_BODY_MAX	(16384 + 256)	/* after the header, at most (§5.2) */
#define TLS_REC_MAX		(TLS_REC_HEADER + TLS_REC_BODY_MAX)
#define TLS_REC_OVERHEAD	(TLS_REC_HEADER + 1 + TLS_REC_TAG)	/* + content type */
#define TLS_REC_CONTROL		(TLS_REC_OVERHEAD + 5)	/* our alert or KeyUpdate, at most */
#define TLS_SECRET_MAX		48	/* SHA-384 */
#define TLS_REC_EXPORT_MAX	(3 + 2 * (8 + TLS_SECRET_MAX))

#define TLS_CT_ALERT		21
#define TLS_CT_HANDSHAKE	22
#define TLS_CT_APPDATA		23

#define TLS_ALERT_CLOSE_NOTIFY		0
#define TLS_ALERT_UNEXPECTED_MESSAGE	10
#define TLS_ALERT_BAD_RECORD_MAC	20
#define TLS_ALERT_RECORD_OVERFLOW	22
#define TLS_ALERT_ILLEGAL_PARAMETER	47
#define TLS_ALERT_DECODE_ERROR		50
#define TLS_ALERT_INTERNAL_ERROR	80

/* Fetch the ciphers and the KDF, once per process: before a seccomp filter, which the
 * files a fetch may read would meet (net/tls.c does it with every context). */
void	tls_rec_prepare(void);

/* The suites the layer does, by their number on the wire; 0 for any other. */
int	tls_rec_suite(unsigned protocol_id);
/* The length of a suite's secrets (its hash), 0 for no suite. */
size_t	tls_rec_secret_len(int suite);

struct tls_dir {
	uint64_t	seq;		/* of the next record */
	uint64_t	id;		/* names key: a cipher context keyed with it knows it */
	uint8_t		key[32];
	uint8_t		iv[12];
	uint8_t		secret[TLS_SECRET_MAX];	/* the traffic secret, for KeyUpdate */
};

/* Records in a row that bring no application bytes (a KeyUpdate, an empty record), at
 * most: each costs work and no line, which no flood control would see. */
#define TLS_REC_IDLE_MAX	16

struct tls_rec {
	struct tls_dir	rd, wr;
	uint8_t		suite;
	uint8_t		idle;		/* records in a row without application bytes */
	bool		ku_owed;	/* the peer asked for our KeyUpdate */
};

/* Key both directions from the traffic secrets (tls_rec_secret_len(suite) bytes each:
 * the client's for reading, ours for writing).  Returns 0, or -1 (r wiped). */
int	tls_rec_start(struct tls_rec *r, int suite, const uint8_t *client_secret,
	    const uint8_t *server_secret);
/* Zero every key and secret in r. */
void	tls_rec_wipe(struct tls_rec *r);

enum tls_open {
	TLS_OPEN_MORE,		/* need: the record's length when known, else the header's */
	TLS_OPEN_DATA,		/* used bytes taken; len application bytes at buf + off */
	TLS_OPEN_CLOSE,		/* the peer's close_notify */
	TLS_OPEN_FAIL,		/* why; alert >= 0: the alert to send */
};

struct tls_opened {
	size_t		 need, used, off, len;
	int		 alert;
	const char	*why;
};

/*
 * Open the record at the front of buf (len bytes), decrypting it in place; nothing in
 * it is looked at before its tag verified.  A record TLS keeps for itself (KeyUpdate)
 * is DATA of length 0.  After CLOSE or FAIL the layer must not be used to read again.
 */
enum tls_open	tls_rec_open(struct tls_rec *r, uint8_t *buf, size_t len,
		    struct tls_opened *o);

/* Protect len bytes (at most 16384) of content type as one record into out, which has
 * room for len + TLS_REC_OVERHEAD.  Returns the record's length, or -1. */
ssize_t	tls_rec_seal(struct tls_rec *r, uint8_t type, const void *in, size_t len,
	    uint8_t *out);
/* Our KeyUpdate (update_not_requested) into out (TLS_REC_CONTROL bytes), after which
 * our records go out under the next secret.  Returns the record's length, or -1. */
ssize_t	tls_rec_seal_keyupdate(struct tls_rec *r, uint8_t *out);

/* r's state, keys excepted (they follow from the secrets), into out (at least
 * TLS_REC_EXPORT_MAX bytes).  Returns the bytes written. */
size_t	tls_rec_export(const struct tls_rec *r, uint8_t *out);
/* The state tls_rec_export wrote, all len bytes of it.  Returns 0, or -1 (r wiped). */
int	tls_rec_import(struct tls_rec *r, const uint8_t *in, size_t len);

#endif
