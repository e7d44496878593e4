/*
 * A detached TLS 1.3 connection's reads and writes: records from and to the socket,
 * with what OpenSSL's calls promised (net/tls.h).
 *
 * Reading takes what the socket has into the caller's buffer and opens every whole
 * record there, each in place, moving its application bytes down to the front; a record
 * cut by the end of the read waits in a buffer of its own size.  Writing seals one
 * record per call and sends it; what the socket does not take waits in a buffer until
 * the caller comes back with the same bytes, as it must after TLS_WANT_WRITE.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/tls.h"
#include "net/tls_stream.h"

#define READ_ROUNDS	4	/* reads per call, at most */

void
tls_stream_init(struct tls_stream *s, int fd, struct tls_rec *r)
{
	*s = (struct tls_stream){ .rec = *r, .fd = fd };
	tls_rec_wipe(r);
}

void
tls_stream_free(struct tls_stream *s)
{
	free(s->in);
	free(s->out);
	tls_rec_wipe(&s->rec);
	s->in = s->out = NULL;
}

bool
tls_stream_quiet(const struct tls_stream *s)
{
	return !s->failed && !s->eof && !s->closed && s->in == NULL && s->out == NULL;
}

static ssize_t
stream_error(struct tls_stream *s, const char *why)
{
	s->failed = true;
	s->why = why;
	return TLS_ERROR;
}

/* Fail, telling the peer why with the alert when there is one and the way is clear
 * (not in the middle of a record of ours): best effort, the connection ends anyway. */
static ssize_t
stream_fail(struct tls_stream *s, int alert, const char *why)
{
	uint8_t	 rec[TLS_REC_CONTROL], msg[2] = { 2, (uint8_t)alert };	/* fatal */
	ssize_t	 n;

	if (alert >= 0 && s->out == NULL && !s->closed &&
	    (n = tls_rec_seal(&s->rec, TLS_CT_ALERT, msg, sizeof(msg), rec)) > 0)
		(void)send(s->fd, rec, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	return stream_error(s, why);
}

static ssize_t
stream_recv(struct tls_stream *s, void *buf, size_t len)
{
	ssize_t	 n;

	do {
		n = recv(s->fd, buf, len, 0);
	} while (n == -1 && errno == EINTR);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return TLS_WANT_READ;
	return stream_error(s, strerror(errno));
}

/* What a record opened to: CLOSE ends the input, FAIL the connection. */
static ssize_t
stream_opened(struct tls_stream *s, enum tls_open rc, const struct tls_opened *op)
{
	if (rc == TLS_OPEN_CLOSE)
		s->eof = true;
	else if (rc == TLS_OPEN_FAIL)
		return stream_fail(s, op->alert, op->why);
	return 0;
}

/* The records in buf[i, end): their application bytes to buf + *o (*o <= i); one cut
 * short by end is kept in s->in. */
static ssize_t
stream_records(struct tls_stream *s, char *buf, size_t *o, size_t i, size_t end)
{
	struct tls_opened	 op;
	enum tls_open		 rc;

	while (i < end && !s->eof) {
		rc = tls_rec_open(&s->rec, (uint8_t *)buf + i, end - i, &op);
		if (rc == TLS_OPEN_MORE) {
			if ((s->in = malloc(op.need)) == NULL)
				return stream_fail(s, TLS_ALERT_INTERNAL_ERROR,
				    strerror(ENOMEM));
			memcpy(s->in, buf + i, end - i);
			s->inlen = end - i;
			s->inneed = op.need;
			return 0;
		}
		if (rc != TLS_OPEN_DATA)
			return stream_opened(s, rc, &op);
		memmove(buf + *o, buf + i + op.off, op.len);
		*o += op.len;
		i += op.used;
	}
	return 0;
}

/* s->in once its header or the whole record is there: grown to the record's length,
 * or opened, its application bytes to buf + *o and the buffer gone. */
static ssize_t
stream_pending(struct tls_stream *s, char *buf, size_t *o)
{
	struct tls_opened	 op;
	enum tls_open		 rc;
	uint8_t			*in;

	rc = tls_rec_open(&s->rec, s->in, s->inlen, &op);
	if (rc == TLS_OPEN_MORE) {
		if ((in = realloc(s->in, op.need)) == NULL)
			return stream_fail(s, TLS_ALERT_INTERNAL_ERROR, strerror(ENOMEM));
		s->in = in;
		s->inneed = op.need;
		return 0;
	}
	if (rc == TLS_OPEN_DATA) {
		memcpy(buf + *o, s->in + op.off, op.len);
		*o += op.len;
	}
	free(s->in);
	s->in = NULL;
	s->inlen = s->inneed = 0;
	return stream_opened(s, rc, &op);
}

/*
 * Reads on while each filled what it was given, a few times at most: a record begun
 * in the socket is finished into its own buffer (only before anything else is in buf,
 * which then has room for it), and the socket read again after it.  Application bytes
 * followed by the peer's close_notify are returned first and the end at the next call;
 * the read side is shut meanwhile so that the poller, which would find nothing more to
 * read, calls again.
 */
ssize_t
tls_stream_read(struct tls_stream *s, char *buf, size_t cap)
{
	size_t	 o = 0, want;
	ssize_t	 n = TLS_WANT_READ;

	if (s->failed)
		return TLS_ERROR;
	if (s->eof)
		return 0;
	if (cap < TLS_RECORD_MAX)
		return stream_error(s, "read buffer smaller than a record");
	for (int round = 0; round < READ_ROUNDS && !s->eof; round++) {
		if (s->in != NULL && o > 0)
			break;
		if (s->in != NULL) {
			want = s->inneed - s->inlen;
			if ((n = stream_recv(s, s->in + s->inlen, want)) <= 0)
				break;
			if ((s->inlen += (size_t)n) == s->inneed &&
			    stream_pending(s, buf, &o) < 0)
				return TLS_ERROR;
		} else {
			if ((want = cap - o) == 0)
				break;
			if ((n = stream_recv(s, buf + o, want)) <= 0)
				break;
			if (stream_records(s, buf, &o, o, o + (size_t)n) < 0)
				return TLS_ERROR;
		}
		if ((size_t)n < want)
			break;
	}
	if (n == 0 && s->in != NULL)
		return stream_error(s, "connection closed inside a record");
	if (n == 0)
		s->eof = true;
	if (o > 0) {
		if (s->eof)
			(void)shutdown(s->fd, SHUT_RD);
		return (ssize_t)o;
	}
	if (s->eof)
		return 0;
	return n < 0 ? n : TLS_WANT_READ;
}

/* Send the rest of s->out.  Returns 0 once it all went, TLS_WANT_WRITE or TLS_ERROR. */
static ssize_t
stream_flush(struct tls_stream *s)
{
	ssize_t	 n;

	while (s->outoff < s->outlen) {
		n = send(s->fd, s->out + s->outoff, s->outlen - s->outoff, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return TLS_WANT_WRITE;
		if (n == -1)
			return stream_error(s, strerror(errno));
		s->outoff += (size_t)n;
	}
	free(s->out);
	s->out = NULL;
	s->outoff = s->outlen = 0;
	return 0;
}

/* Send the len bytes of rec, which carry plain application bytes: plain once they all
 * went, else TLS_WANT_WRITE with the rest kept in s->out, or TLS_ERROR. */
static ssize_t
stream_send(struct tls_stream *s, const uint8_t *rec, size_t len, size_t plain)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < len) {
		n = send(s->fd, rec + off, len - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n == -1)
			return stream_error(s, strerror(errno));
		off += (size_t)n;
	}
	if (off == len)
		return (ssize_t)plain;
	if ((s->out = malloc(len - off)) == NULL)
		return stream_error(s, strerror(ENOMEM));
	memcpy(s->out, rec + off, len - off);
	s->outoff = 0;
	s->outlen = len - off;
	s->outplain = plain;
	return TLS_WANT_WRITE;
}

ssize_t
tls_stream_write(struct tls_stream *s, const char *buf, size_t len)
{
	uint8_t	 rec[TLS_REC_CONTROL + TLS_RECORD_MAX + TLS_REC_OVERHEAD];
	size_t	 take = len < TLS_RECORD_MAX ? len : TLS_RECORD_MAX, n = 0;
	ssize_t	 k;

	if (s->failed)
		return TLS_ERROR;
	if (s->closed)
		return stream_error(s, "write after close_notify");
	if (s->out != NULL)
		return (k = stream_flush(s)) < 0 ? k : (ssize_t)s->outplain;
	if (len == 0)
		return 0;
	/* Asked for our KeyUpdate: it goes before our next application bytes (§4.6.3). */
	if (s->rec.ku_owed) {
		if ((k = tls_rec_seal_keyupdate(&s->rec, rec)) < 0)
			return stream_fail(s, TLS_ALERT_INTERNAL_ERROR,
			    "cannot derive the next key");
		n = (size_t)k;
	}
	if ((k = tls_rec_seal(&s->rec, TLS_CT_APPDATA, buf, take, rec + n)) < 0)
		return stream_fail(s, TLS_ALERT_INTERNAL_ERROR, "cannot seal a record");
	return stream_send(s, rec, n + (size_t)k, take);
}

/* Best effort, once: after a record of ours cut short, the rest goes first. */
int
tls_stream_shutdown(struct tls_stream *s)
{
	uint8_t	 rec[TLS_REC_CONTROL], msg[2] = { 1, TLS_ALERT_CLOSE_NOTIFY };
	ssize_t	 n;

	if (s->failed)
		return TLS_ERROR;
	if (s->closed)
		return 0;
	if (s->out != NULL && (n = stream_flush(s)) < 0)
		return (int)n;
	if ((n = tls_rec_seal(&s->rec, TLS_CT_ALERT, msg, sizeof(msg), rec)) < 0)
		return (int)stream_error(s, "cannot seal a record");
	s->closed = true;
	(void)send(s->fd, rec, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	return 0;
}
