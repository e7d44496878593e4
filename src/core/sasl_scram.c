/*
 * SCRAM-SHA-256 on the server's side (sasl_scram.h): the three messages of RFC 5802 5
 * parsed and made, the AuthMessage built as they pass, the proof checked with the
 * account's StoredKey and answered with its ServerSignature.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/base64.h"
#include "core/casemap.h"
#include "core/core.h"
#include "core/job_password.h"
#include "core/names.h"
#include "core/sasl_scram.h"
#include "core/secret.h"

/* Append ",text" (or text alone at the start) to the AuthMessage. */
static int
scram_auth_add(struct sasl_scram *st, const char *text, size_t len)
{
	size_t	comma = st->authlen > 0;

	if (st->authlen + comma + len >= sizeof(st->auth))
		return -1;
	if (comma)
		st->auth[st->authlen++] = ',';
	memcpy(st->auth + st->authlen, text, len);
	st->authlen += len;
	st->auth[st->authlen] = '\0';
	return 0;
}

/* A saslname (RFC 5802 5.1) of len bytes into out (cap), "=2C" and "=3D" unescaped. */
static int
scram_unescape(const char *p, size_t len, char *out, size_t cap)
{
	size_t	n = 0;

	for (size_t i = 0; i < len; i++) {
		char	c = p[i];

		if (c == '=') {
			if (len - i < 3)
				return -1;
			if (p[i + 1] == '2' && p[i + 2] == 'C')
				c = ',';
			else if (p[i + 1] == '3' && p[i + 2] == 'D')
				c = '=';
			else
				return -1;
			i += 2;
		}
		if (n + 1 >= cap)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* A nonce: printable ASCII but ','. */
static bool
scram_nonce_ok(const char *p, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x21 || p[i] > 0x7e || p[i] == ',')
			return false;
	return true;
}

int
scram_client_first(struct sasl_scram *st, const char *msg, size_t len)
{
	const char	*end = msg + len, *p, *name, *nonce, *c;
	char		 authzid[ACCOUNT_NAME_MAX + 1];

	memset(st, 0, sizeof(*st));
	if (len >= SCRAM_MSG_MAX || memchr(msg, '\0', len) != NULL || len < 3)
		return -1;
	/* gs2-header: "n," or "y," (never "p=": no channel binding here), an optional
	 * "a=authzid", and ','. */
	if ((msg[0] != 'n' && msg[0] != 'y') || msg[1] != ',')
		return -1;
	p = msg + 2;
	authzid[0] = '\0';
	if ((c = memchr(p, ',', (size_t)(end - p))) == NULL)
		return -1;
	if (c > p && (c - p < 2 || p[0] != 'a' || p[1] != '=' ||
	    scram_unescape(p + 2, (size_t)(c - p - 2), authzid, sizeof(authzid)) == -1))
		return -1;
	p = c + 1;
	memcpy(st->gs2, msg, (size_t)(p - msg));
	/* client-first-message-bare: "n=name,r=nonce[,extensions]". */
	if (end - p < 2 || p[0] != 'n' || p[1] != '=')
		return -1;
	name = p + 2;
	if ((c = memchr(name, ',', (size_t)(end - name))) == NULL ||
	    scram_unescape(name, (size_t)(c - name), st->name, sizeof(st->name)) == -1)
		return -1;
	if (end - c < 3 || c[1] != 'r' || c[2] != '=')
		return -1;
	nonce = c + 3;
	c = memchr(nonce, ',', (size_t)(end - nonce));
	if (c == NULL)
		c = end;
	if (!scram_nonce_ok(nonce, (size_t)(c - nonce)))
		return -1;
	memcpy(st->nonce, nonce, (size_t)(c - nonce));
	/* Logging in as another than the authcid is not offered. */
	if (authzid[0] != '\0' && !casemap_eq(authzid, st->name))
		return -1;
	return scram_auth_add(st, p, (size_t)(end - p));
}

int
scram_server_first(struct core *core, struct sasl_scram *st,
    const struct account_rec *rec, char *out)
{
	char		 ours[SCRAM_NONCE_LEN + 1], salt64[BASE64_LEN(SCRAM_SALT_LEN) + 1];
	char		 folded[ACCOUNT_NAME_MAX + 16];
	uint8_t		 salt[SCRAM_SALT_LEN];
	unsigned	 iter;
	size_t		 have = strlen(st->nonce);
	int		 n;

	secret_text(core, ours, sizeof(ours));
	if (have + SCRAM_NONCE_LEN >= sizeof(st->nonce))
		return -1;
	memcpy(st->nonce + have, ours, sizeof(ours));
	st->real = rec != NULL && rec->scram_iter > 0;
	if (st->real) {
		memcpy(salt, rec->scram_salt, sizeof(salt));
		iter = rec->scram_iter;
		memcpy(st->stored, rec->scram_stored, sizeof(st->stored));
		memcpy(st->server, rec->scram_server, sizeof(st->server));
	} else {
		/* The same name always gets the same salt, as a real account would. */
		n = snprintf(folded, sizeof(folded), "scram-salt ");
		names_fold(core, folded + n, sizeof(folded) - (size_t)n, st->name);
		secret_derive(core, folded, salt, sizeof(salt));
		iter = core->cfg.accounts_scram_iterations;
	}
	if (base64_encode(salt64, sizeof(salt64), salt, sizeof(salt)) == -1)
		return -1;
	n = snprintf(out, SCRAM_MSG_MAX, "r=%s,s=%s,i=%u", st->nonce, salt64, iter);
	if (n < 0 || n >= SCRAM_MSG_MAX || scram_auth_add(st, out, (size_t)n) == -1)
		return -1;
	return n;
}

int
scram_client_final(struct sasl_scram *st, const char *msg, size_t len, char *out)
{
	const char	*end = msg + len, *c, *nonce, *last;
	char		 cbind[BASE64_LEN(SCRAM_MSG_MAX) + 1];
	uint8_t		 proof[SCRAM_KEY_LEN + 3], sig[SCRAM_KEY_LEN];
	int		 n;

	if (len >= SCRAM_MSG_MAX || memchr(msg, '\0', len) != NULL)
		return -1;
	/* "c=" base64 of the gs2 header, as the client first sent it. */
	if (len < 2 || msg[0] != 'c' || msg[1] != '=' ||
	    (c = memchr(msg, ',', len)) == NULL ||
	    base64_encode(cbind, sizeof(cbind), st->gs2, strlen(st->gs2)) == -1 ||
	    (size_t)(c - msg - 2) != strlen(cbind) ||
	    memcmp(msg + 2, cbind, strlen(cbind)) != 0)
		return -1;
	/* "r=" the whole nonce, exactly. */
	if (end - c < 3 || c[1] != 'r' || c[2] != '=')
		return -1;
	nonce = c + 3;
	if ((c = memchr(nonce, ',', (size_t)(end - nonce))) == NULL ||
	    (size_t)(c - nonce) != strlen(st->nonce) ||
	    memcmp(nonce, st->nonce, (size_t)(c - nonce)) != 0)
		return -1;
	/* The proof last: ",p=" and 32 bytes of base64. */
	for (last = end - 1; *last != ','; last--)
		;
	if (end - last < 3 || last[1] != 'p' || last[2] != '=' ||
	    base64_decode(proof, sizeof(proof), last + 3, (size_t)(end - last - 3)) !=
	    SCRAM_KEY_LEN)
		return -1;
	if (scram_auth_add(st, msg, (size_t)(last - msg)) == -1 || !st->real ||
	    !password_scram_proof_ok(st->stored, st->auth, st->authlen, proof))
		return -1;
	password_scram_signature(st->server, st->auth, st->authlen, sig);
	memcpy(out, "v=", 2);
	n = base64_encode(out + 2, SCRAM_MSG_MAX - 2, sig, sizeof(sig));
	sodium_memzero(sig, sizeof(sig));
	return n == -1 ? -1 : 0;
}
