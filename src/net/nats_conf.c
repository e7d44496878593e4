#include <stdio.h>

#include <nats/nats.h>

#include "net/nats_conf.h"

static natsOptions *
fail(natsOptions *o, natsStatus s, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "nats: %s: %s", what, natsStatus_GetText(s));
	natsOptions_Destroy(o);
	return NULL;
}

natsOptions *
nats_conf_options(const struct nats_conf *c, const char *name, char *err, size_t errlen)
{
	const char	*urls[NATS_URLS_MAX];
	natsOptions	*o;
	natsStatus	 s;

	if ((s = natsOptions_Create(&o)) != NATS_OK) {
		snprintf(err, errlen, "nats: options: %s", natsStatus_GetText(s));
		return NULL;
	}
	for (unsigned i = 0; i < c->nurls; i++)
		urls[i] = c->urls[i];
	if ((s = natsOptions_SetServers(o, urls, (int)c->nurls)) != NATS_OK)
		return fail(o, s, "nats_url", err, errlen);
	if ((s = natsOptions_SetName(o, name)) != NATS_OK)
		return fail(o, s, "name", err, errlen);
	if (c->user[0] != '\0' &&
	    (s = natsOptions_SetUserInfo(o, c->user, c->password)) != NATS_OK)
		return fail(o, s, "user", err, errlen);
	if (c->token[0] != '\0' && (s = natsOptions_SetToken(o, c->token)) != NATS_OK)
		return fail(o, s, "token", err, errlen);
	if (c->creds[0] != '\0' &&
	    (s = natsOptions_SetUserCredentialsFromFiles(o, c->creds, NULL)) != NATS_OK)
		return fail(o, s, c->creds, err, errlen);
	if (c->tls_ca[0] != '\0') {
		if ((s = natsOptions_SetSecure(o, true)) != NATS_OK)
			return fail(o, s, "tls", err, errlen);
		if ((s = natsOptions_LoadCATrustedCertificates(o, c->tls_ca)) != NATS_OK)
			return fail(o, s, c->tls_ca, err, errlen);
	}
	if (c->tls_cert[0] != '\0' && (s = natsOptions_LoadCertificatesChain(o,
	    c->tls_cert, c->tls_key)) != NATS_OK)
		return fail(o, s, c->tls_cert, err, errlen);
	/* A node outlives any NATS outage: reconnect forever, a little apart. */
	if ((s = natsOptions_SetMaxReconnect(o, -1)) != NATS_OK ||
	    (s = natsOptions_SetReconnectWait(o, 250)) != NATS_OK)
		return fail(o, s, "reconnect", err, errlen);
	return o;
}
