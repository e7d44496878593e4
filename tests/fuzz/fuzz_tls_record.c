/*
 * libFuzzer target: the TLS 1.3 record layer's read side (net/tls_record.c), which
 * opens what a detached client sends.
 *
 * Input: a suite byte (mod 3), a mode byte, then either raw bytes (mode even), opened
 * record after record as net/tls_stream.c does, or (mode odd) inner plaintexts, each a
 * two-byte length and its bytes, sealed by a peer holding the client's keys so that
 * what is behind the tag is reached: content types, padding, alerts, KeyUpdate.
 *
 * Opening never reads past its input nor claims more than it was given; MORE asks for
 * more than there is and at most a whole record; application bytes lie inside the
 * record, and are the sealed ones (an empty record may be refused, as one too many in a
 * row without data); the state survives tls_rec_export/tls_rec_import.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/tls_record.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: crash so libFuzzer keeps the input. */
#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

#define INNER_MAX	(16384 + 1)

static const uint8_t	 client_secret[TLS_SECRET_MAX] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t	 server_secret[TLS_SECRET_MAX] = { 8, 7, 6, 5, 4, 3, 2, 1 };

/* Open one record of buf; returns the outcome after checking it. */
static enum tls_open
open_one(struct tls_rec *srv, struct tls_rec *peer, uint8_t *buf, size_t len,
    struct tls_opened *o)
{
	uint64_t	 id = srv->rd.id;
	enum tls_open	 rc = tls_rec_open(srv, buf, len, o);

	switch (rc) {
	case TLS_OPEN_MORE:
		CHECK(o->need > len && o->need >= TLS_REC_HEADER && o->need <= TLS_REC_MAX);
		break;
	case TLS_OPEN_DATA:
		CHECK(o->used > TLS_REC_HEADER && o->used <= len);
		CHECK(o->len == 0 || (o->off == TLS_REC_HEADER && o->off + o->len <= o->used));
		CHECK(o->len <= 16384);
		break;
	case TLS_OPEN_CLOSE:
		break;
	case TLS_OPEN_FAIL:
		CHECK(o->why != NULL && o->alert >= -1 && o->alert <= 255);
		break;
	}
	/* A KeyUpdate moved our read key: the peer's write key follows. */
	if (peer != NULL && srv->rd.id != id)
		peer->wr = srv->rd;
	return rc;
}

static void
raw(struct tls_rec *srv, const uint8_t *data, size_t size)
{
	uint8_t			*copy = malloc(size > 0 ? size : 1);
	struct tls_opened	 o;
	size_t			 i = 0;

	if (copy == NULL)
		return;
	memcpy(copy, data, size);
	while (open_one(srv, NULL, copy + i, size - i, &o) == TLS_OPEN_DATA)
		i += o.used;
	free(copy);
}

static void
sealed(struct tls_rec *srv, struct tls_rec *peer, const uint8_t *data, size_t size)
{
	static uint8_t		 rec[TLS_REC_MAX];
	struct tls_opened	 o;
	enum tls_open		 rc;
	size_t			 n, data_len;
	ssize_t			 len;

	while (size >= 2) {
		n = (size_t)data[0] << 8 | data[1];
		data += 2;
		size -= 2;
		if (n == 0 || n > size || n > INNER_MAX)
			return;
		/* The inner plaintext's last byte goes as the type: any bytes can be it. */
		if ((len = tls_rec_seal(peer, data[n - 1], data, n - 1, rec)) < 0)
			return;
		CHECK((size_t)len == n + TLS_REC_HEADER + TLS_REC_TAG);
		rc = open_one(srv, peer, rec, (size_t)len, &o);
		for (data_len = n; data_len > 0 && data[data_len - 1] == 0; data_len--)
			;
		/* Application bytes are opened as sealed; only an empty record may be
		 * refused, as one too many in a row without data. */
		if (data_len > 0 && data[data_len - 1] == TLS_CT_APPDATA &&
		    (data_len > 1 || rc == TLS_OPEN_DATA)) {
			CHECK(rc == TLS_OPEN_DATA && o.len == data_len - 1);
			CHECK(memcmp(rec + o.off, data, o.len) == 0);
		} else if (data_len == 1 && data[0] == TLS_CT_APPDATA) {
			CHECK(rc == TLS_OPEN_FAIL && srv->idle > TLS_REC_IDLE_MAX);
		}
		if (rc != TLS_OPEN_DATA)
			return;
		if (srv->ku_owed)
			CHECK(tls_rec_seal_keyupdate(srv, rec) == TLS_REC_CONTROL);
		data += n;
		size -= n;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_rec	 srv, peer, back;
	uint8_t		 state[TLS_REC_EXPORT_MAX];
	size_t		 n;
	int		 suite;

	if (size < 2)
		return 0;
	suite = 1 + data[0] % 3;
	CHECK(tls_rec_start(&srv, suite, client_secret, server_secret) == 0);
	CHECK(tls_rec_start(&peer, suite, server_secret, client_secret) == 0);
	if (data[1] & 1)
		sealed(&srv, &peer, data + 2, size - 2);
	else
		raw(&srv, data + 2, size - 2);
	n = tls_rec_export(&srv, state);
	CHECK(n <= sizeof(state) && tls_rec_import(&back, state, n) == 0);
	CHECK(back.rd.seq == srv.rd.seq && back.wr.seq == srv.wr.seq);
	CHECK(back.ku_owed == srv.ku_owed && back.suite == srv.suite);
	CHECK(memcmp(back.rd.key, srv.rd.key, sizeof(srv.rd.key)) == 0);
	CHECK(memcmp(back.wr.iv, srv.wr.iv, sizeof(srv.wr.iv)) == 0);
	CHECK(tls_rec_import(&back, state, n - 1) == -1);
	tls_rec_wipe(&srv);
	tls_rec_wipe(&peer);
	tls_rec_wipe(&back);
	return 0;
}
