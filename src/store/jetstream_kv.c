/*
 * The JetStream store's buckets (jetstream.h): the writes every job is made of, and
 * the account jobs, their certificates, choices, presences and read markers.
 *
 * An account is one value under its folded name, with its certificates and choices,
 * so that every change to it is one compare-and-set.  The certificates bucket maps a
 * fingerprint to the account's key; it is claimed (created) before the account lists
 * it, so two accounts can never hold one fingerprint, and a claim whose account does
 * not list the fingerprint (a node stopped between the two writes) is free to take.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/casemap.h"
#include "store/jetstream.h"
#include "store/jetstream_codec.h"

static const struct jc_field account_fields[] = {
	JC_FIELD(struct account_rec, name, JC_STR),
	JC_FIELD(struct account_rec, email, JC_STR),
	JC_FIELD(struct account_rec, pwhash, JC_STR),
	JC_FIELD(struct account_rec, scram_salt, JC_HEX),
	JC_FIELD(struct account_rec, scram_iter, JC_U32),
	JC_FIELD(struct account_rec, scram_stored, JC_HEX),
	JC_FIELD(struct account_rec, scram_server, JC_HEX),
	JC_FIELD(struct account_rec, registered, JC_I64),
	JC_FIELD(struct account_rec, verify_code, JC_STR),
};

static const struct jc_field opts_fields[] = {
	JC_FIELD(struct account_opts, multiclient, JC_U8),
	JC_FIELD(struct account_opts, always_on, JC_U8),
};

static const struct jc_field presence_fields[] = {
	JC_FIELD(struct presence_rec, account, JC_STR),
	JC_FIELD(struct presence_rec, nick, JC_STR),
	JC_FIELD(struct presence_rec, user, JC_STR),
	JC_FIELD(struct presence_rec, host, JC_STR),
	JC_FIELD(struct presence_rec, realname, JC_STR),
	JC_FIELD(struct presence_rec, away, JC_STR),
	JC_FIELD(struct presence_rec, signon, JC_I64),
	JC_FIELD(struct presence_rec, gone, JC_I64),
	JC_FIELD(struct presence_rec, channels, JC_STR),
};

int
jetstream_status(natsStatus s)
{
	return s == NATS_OK ? 0 : s == NATS_NOT_FOUND ? -ENOENT :
	    s == NATS_NO_MEMORY ? -ENOMEM : -EIO;
}

bool
jetstream_connected(const struct store *st)
{
	return natsConnection_Status(st->nc) == NATS_CONN_STATUS_CONNECTED;
}

void
jetstream_key(const struct store *st, char *dst, const char *name)
{
	char	folded[JS_KEY_MAX / 2];

	casemap_fold_as(st->cm, folded, sizeof(folded), name);
	jc_hex(dst, JS_KEY_MAX, folded);
}

/* A fingerprint's key: its lowercase form, in hex. */
static void
cert_key(char *dst, const char *certfp)
{
	char	lower[CONFIG_CERTFP_MAX + 1];
	size_t	i;

	for (i = 0; certfp[i] != '\0' && i < sizeof(lower) - 1; i++)
		lower[i] = (certfp[i] >= 'A' && certfp[i] <= 'Z') ? certfp[i] + 32 :
		    certfp[i];
	lower[i] = '\0';
	jc_hex(dst, JS_KEY_MAX, lower);
}

static void
certfp_lower(char *certfp)
{
	for (; *certfp != '\0'; certfp++)
		if (*certfp >= 'A' && *certfp <= 'Z')
			*certfp += 32;
}

int
jetstream_kv_create(struct store *st, enum jetstream_bucket b, const char *key,
    const struct jc_buf *v)
{
	kvEntry		*e;
	uint64_t	 rev;
	natsStatus	 s;

	if (v->oom)
		return -ENOMEM;
	if ((s = kvStore_Create(&rev, st->kv[b], key, v->p, (int)v->len)) == NATS_OK)
		return 0;
	/* The server refuses a create with "wrong last sequence" when the key has a
	 * value; anything else (no answer, no server) is not a refusal. */
	if (s != NATS_ERR)
		return -EIO;
	if (kvStore_Get(&e, st->kv[b], key) != NATS_OK)
		return -EIO;
	kvEntry_Destroy(e);
	return -EEXIST;
}

int
jetstream_kv_update(struct store *st, enum jetstream_bucket b, const char *key,
    const struct jc_buf *v, uint64_t rev)
{
	uint64_t	 now;
	natsStatus	 s;

	if (v->oom)
		return -ENOMEM;
	if ((s = kvStore_Update(&now, st->kv[b], key, v->p, (int)v->len, rev)) == NATS_OK)
		return 0;
	return s == NATS_ERR ? -EAGAIN : -EIO;
}

int
jetstream_kv_delete(struct store *st, enum jetstream_bucket b, const char *key)
{
	return kvStore_Delete(st->kv[b], key) == NATS_OK ? 0 : -EIO;
}

int
jetstream_account_decode(const char *p, size_t len, uint64_t rev,
    struct jetstream_account *acc)
{
	struct jc_reader	 r = { p, p + len };
	char			 name[32], *val;

	memset(acc, 0, sizeof(*acc));
	acc->created = (int64_t)rev;
	if ((val = malloc(JC_VALUE_MAX)) == NULL)
		return -ENOMEM;
	while (jc_next(&r, name, sizeof(name), val, JC_VALUE_MAX) == 1) {
		if (strcmp(name, "cert") == 0 && acc->a.ncerts < ACCOUNT_CERTS_MAX)
			snprintf(acc->a.certs[acc->a.ncerts++], sizeof(acc->a.certs[0]),
			    "%s", val);
		else if (strcmp(name, "created") == 0)
			acc->created = jc_i64(val);
		else if (jc_get_field(opts_fields, JC_NFIELDS(opts_fields), &acc->o, name,
		    val))
			acc->has_opts = true;
		else
			(void)jc_get_field(account_fields, JC_NFIELDS(account_fields),
			    &acc->a, name, val);
	}
	free(val);
	snprintf(acc->o.name, sizeof(acc->o.name), "%s", acc->a.name);
	return 0;
}

static void
account_encode(struct jc_buf *b, const struct jetstream_account *acc)
{
	jc_put_fields(b, account_fields, JC_NFIELDS(account_fields), &acc->a);
	for (unsigned i = 0; i < acc->a.ncerts && i < ACCOUNT_CERTS_MAX; i++)
		jc_put_str(b, "cert", acc->a.certs[i]);
	if (acc->has_opts)
		jc_put_fields(b, opts_fields, JC_NFIELDS(opts_fields), &acc->o);
	/* A new record's is the revision it gets (the reader's default). */
	if (acc->created > 0)
		jc_put_i64(b, "created", acc->created);
}

int
jetstream_account_get(struct store *st, const char *key, struct jetstream_account *acc,
    uint64_t *rev)
{
	kvEntry		*e;
	natsStatus	 s;
	int		 rc;

	if ((s = kvStore_Get(&e, st->kv[JS_ACCOUNTS], key)) != NATS_OK)
		return jetstream_status(s);
	*rev = kvEntry_Revision(e);
	rc = jetstream_account_decode(kvEntry_Value(e), (size_t)kvEntry_ValueLen(e), *rev,
	    acc);
	kvEntry_Destroy(e);
	return rc;
}

/* acc's new value under key, if nobody changed it since rev. */
static int
account_put(struct store *st, const char *key, const struct jetstream_account *acc,
    uint64_t rev)
{
	struct jc_buf	b = { 0 };
	int		rc;

	account_encode(&b, acc);
	rc = jetstream_kv_update(st, JS_ACCOUNTS, key, &b, rev);
	free(b.p);
	return rc;
}

/* Whether acc lists certfp (lowercase). */
static bool
account_lists(const struct account_rec *a, const char *certfp)
{
	for (unsigned i = 0; i < a->ncerts; i++)
		if (strcmp(a->certs[i], certfp) == 0)
			return true;
	return false;
}

/* The account that holds certfp (lowercase), into acc, and its claim's revision
 * (0: no claim): 0, -ENOENT (no claim, or a claim its account does not list), -EIO. */
static int
cert_owner(struct store *st, const char *certfp, struct jetstream_account *acc,
    uint64_t *claim_rev, char *owner)
{
	char		 key[JS_KEY_MAX];
	uint64_t	 rev;
	kvEntry		*e;
	natsStatus	 s;
	int		 rc;

	*claim_rev = 0;
	cert_key(key, certfp);
	if ((s = kvStore_Get(&e, st->kv[JS_CERTS], key)) != NATS_OK)
		return jetstream_status(s);
	*claim_rev = kvEntry_Revision(e);
	snprintf(owner, JS_KEY_MAX, "%.*s", kvEntry_ValueLen(e),
	    (const char *)kvEntry_Value(e));
	kvEntry_Destroy(e);
	if ((rc = jetstream_account_get(st, owner, acc, &rev)) != 0)
		return rc;
	return account_lists(&acc->a, certfp) ? 0 : -ENOENT;
}

/* Claim certfp (lowercase) for the account of key akey: 0, -EEXIST (an account holds
 * it), -EIO.  A stale claim is taken over. */
static int
cert_claim(struct store *st, const char *certfp, const char *akey)
{
	struct jetstream_account	*acc;
	char				 key[JS_KEY_MAX], owner[JS_KEY_MAX];
	/* The claim's value is the account's key, as it is. */
	struct jc_buf			 b = { (char *)akey, strlen(akey), 0, false };
	uint64_t			 rev;
	int				 rc = -EAGAIN;

	if ((acc = malloc(sizeof(*acc))) == NULL)
		return -ENOMEM;
	cert_key(key, certfp);
	for (int i = 0; i < JS_TRIES && rc == -EAGAIN; i++) {
		if ((rc = jetstream_kv_create(st, JS_CERTS, key, &b)) != -EEXIST)
			break;
		if ((rc = cert_owner(st, certfp, acc, &rev, owner)) == 0)
			rc = -EEXIST;
		/* A stale claim is taken over at its revision; one gone meanwhile
		 * (rev 0) is created again. */
		else if (rc == -ENOENT)
			rc = rev == 0 ? -EAGAIN : jetstream_kv_update(st, JS_CERTS, key, &b,
			    rev);
	}
	free(acc);
	return rc == -EAGAIN ? -EIO : rc;
}

/* Give certfp's claim up, if it is akey's. */
static void
cert_release(struct store *st, const char *certfp, const char *akey)
{
	char		 key[JS_KEY_MAX];
	kvEntry		*e;
	bool		 ours;

	cert_key(key, certfp);
	if (kvStore_Get(&e, st->kv[JS_CERTS], key) != NATS_OK)
		return;
	ours = (size_t)kvEntry_ValueLen(e) == strlen(akey) &&
	    memcmp(kvEntry_Value(e), akey, strlen(akey)) == 0;
	kvEntry_Destroy(e);
	if (ours)
		(void)jetstream_kv_delete(st, JS_CERTS, key);
}

static int
account_create(struct store *st, const struct account_rec *in)
{
	struct jetstream_account	*acc;
	char				 key[JS_KEY_MAX];
	struct jc_buf			 b = { 0 };
	unsigned			 claimed = 0;
	int				 rc = 0;

	if ((acc = calloc(1, sizeof(*acc))) == NULL)
		return -ENOMEM;
	acc->a = *in;
	acc->a.ncerts = 0;
	/* The record's fingerprints, lowercase, each once, each free. */
	for (unsigned i = 0; i < in->ncerts && i < ACCOUNT_CERTS_MAX && rc == 0; i++) {
		char	*fp = acc->a.certs[acc->a.ncerts];

		snprintf(fp, sizeof(acc->a.certs[0]), "%s", in->certs[i]);
		certfp_lower(fp);
		if (account_lists(&acc->a, fp))
			rc = -EEXIST;
		else
			acc->a.ncerts++;
	}
	jetstream_key(st, key, in->name);
	for (; rc == 0 && claimed < acc->a.ncerts; claimed++)
		if ((rc = cert_claim(st, acc->a.certs[claimed], key)) != 0)
			break;
	if (rc == 0) {
		acc->created = 0;
		account_encode(&b, acc);
		rc = jetstream_kv_create(st, JS_ACCOUNTS, key, &b);
		free(b.p);
	}
	if (rc != 0)
		while (claimed-- > 0)
			cert_release(st, acc->a.certs[claimed], key);
	free(acc);
	return rc;
}

/*
 * Read the account named name, let change alter it (nonzero: that status, nothing
 * written), write it back if nobody changed it meanwhile; again if somebody did.
 */
static int
account_change(struct store *st, const char *name,
    int (*change)(struct jetstream_account *, const void *), const void *arg)
{
	struct jetstream_account	*acc;
	char				 key[JS_KEY_MAX];
	uint64_t			 rev;
	int				 rc = -EAGAIN;

	if ((acc = malloc(sizeof(*acc))) == NULL)
		return -ENOMEM;
	jetstream_key(st, key, name);
	for (int i = 0; i < JS_TRIES && rc == -EAGAIN; i++) {
		if ((rc = jetstream_account_get(st, key, acc, &rev)) != 0 ||
		    (rc = change(acc, arg)) != 0)
			break;
		rc = account_put(st, key, acc, rev);
	}
	free(acc);
	return rc == -EAGAIN ? -EIO : rc;
}

static int
set_password(struct jetstream_account *acc, const void *arg)
{
	const struct account_rec	*in = arg;

	memcpy(acc->a.pwhash, in->pwhash, sizeof(acc->a.pwhash));
	memcpy(acc->a.scram_salt, in->scram_salt, sizeof(acc->a.scram_salt));
	acc->a.scram_iter = in->scram_iter;
	memcpy(acc->a.scram_stored, in->scram_stored, sizeof(acc->a.scram_stored));
	memcpy(acc->a.scram_server, in->scram_server, sizeof(acc->a.scram_server));
	return 0;
}

static int
set_email(struct jetstream_account *acc, const void *arg)
{
	const struct account_rec	*in = arg;

	memcpy(acc->a.email, in->email, sizeof(acc->a.email));
	return 0;
}

static int
set_verified(struct jetstream_account *acc, const void *arg)
{
	(void)arg;
	acc->a.verify_code[0] = '\0';
	return 0;
}

static int
set_opts(struct jetstream_account *acc, const void *arg)
{
	const struct account_opts	*in = arg;

	acc->has_opts = true;
	acc->o.multiclient = in->multiclient;
	acc->o.always_on = in->always_on;
	return 0;
}

/* CERT_ADD's change, once the fingerprint is claimed: -EEXIST, -ENOSPC. */
static int
cert_append(struct jetstream_account *acc, const void *arg)
{
	const char	*certfp = arg;

	if (account_lists(&acc->a, certfp))
		return -EEXIST;
	if (acc->a.ncerts >= ACCOUNT_CERTS_MAX)
		return -ENOSPC;
	snprintf(acc->a.certs[acc->a.ncerts++], sizeof(acc->a.certs[0]), "%s", certfp);
	return 0;
}

static int
cert_remove(struct jetstream_account *acc, const void *arg)
{
	const char	*certfp = arg;

	for (unsigned i = 0; i < acc->a.ncerts; i++)
		if (strcmp(acc->a.certs[i], certfp) == 0) {
			memmove(acc->a.certs[i], acc->a.certs[i + 1],
			    (acc->a.ncerts - i - 1) * sizeof(acc->a.certs[0]));
			acc->a.ncerts--;
			return 0;
		}
	return -ENOENT;
}

static int
cert_add(struct store *st, const struct job_cert *in)
{
	struct jetstream_account	*acc;
	char				 key[JS_KEY_MAX], certfp[CONFIG_CERTFP_MAX + 1];
	uint64_t			 rev;
	int				 rc;

	snprintf(certfp, sizeof(certfp), "%s", in->certfp);
	certfp_lower(certfp);
	jetstream_key(st, key, in->account);
	if ((acc = malloc(sizeof(*acc))) == NULL)
		return -ENOMEM;
	rc = jetstream_account_get(st, key, acc, &rev);
	free(acc);
	/* A fingerprint on any account is taken, even when this one is full. */
	if (rc != 0 || (rc = cert_claim(st, certfp, key)) != 0)
		return rc;
	if ((rc = account_change(st, in->account, cert_append, certfp)) != 0)
		cert_release(st, certfp, key);
	return rc;
}

static int
cert_del(struct store *st, const struct job_cert *in)
{
	char	key[JS_KEY_MAX], certfp[CONFIG_CERTFP_MAX + 1];
	int	rc;

	snprintf(certfp, sizeof(certfp), "%s", in->certfp);
	certfp_lower(certfp);
	if ((rc = account_change(st, in->account, cert_remove, certfp)) != 0)
		return rc;
	jetstream_key(st, key, in->account);
	cert_release(st, certfp, key);
	return 0;
}

/* ACCOUNT_GET by name, or ACCOUNT_BY_CERT through the certificates bucket. */
static int
account_get(struct store *st, struct job *job)
{
	struct jetstream_account	*acc;
	char				 key[JS_KEY_MAX], certfp[CONFIG_CERTFP_MAX + 1];
	uint64_t			 rev;
	int				 rc;

	if ((acc = malloc(sizeof(*acc))) == NULL)
		return -ENOMEM;
	if (job->kind == JOB_ACCOUNT_GET) {
		jetstream_key(st, key, job->in.name);
		rc = jetstream_account_get(st, key, acc, &rev);
	} else {
		snprintf(certfp, sizeof(certfp), "%.*s", (int)sizeof(certfp) - 1,
		    job->in.name);
		certfp_lower(certfp);
		rc = cert_owner(st, certfp, acc, &rev, key);
	}
	if (rc == 0)
		job->result.account = acc->a;
	free(acc);
	return rc;
}

/* DROP: the account's channels, then its certificates' claims, then the account: a
 * drop cut short leaves an account a second drop finishes, never a channel whose
 * founder is gone. */
static int
account_drop(struct store *st, const char *name)
{
	struct jetstream_account	*acc;
	char				 key[JS_KEY_MAX];
	uint64_t			 rev;
	int				 rc;

	if ((acc = malloc(sizeof(*acc))) == NULL)
		return -ENOMEM;
	jetstream_key(st, key, name);
	if ((rc = jetstream_account_get(st, key, acc, &rev)) == 0 &&
	    (rc = jetstream_channel_drop_founded(st, key)) == 0) {
		for (unsigned i = 0; i < acc->a.ncerts; i++)
			cert_release(st, acc->a.certs[i], key);
		rc = jetstream_kv_delete(st, JS_ACCOUNTS, key);
	}
	free(acc);
	return rc;
}

static int
presence_set(struct store *st, const struct presence_rec *p)
{
	char		 key[JS_KEY_MAX];
	struct jc_buf	 b = { 0 };
	uint64_t	 rev;
	natsStatus	 s;

	jc_hex(key, sizeof(key), p->account);
	jc_put_fields(&b, presence_fields, JC_NFIELDS(presence_fields), p);
	jc_put_str(&b, "node", st->node);
	s = b.oom ? NATS_NO_MEMORY : kvStore_Put(&rev, st->kv[JS_PRESENCE], key, b.p,
	    (int)b.len);
	free(b.p);
	return jetstream_status(s);
}

static int
presence_del(struct store *st, const char *account)
{
	char	key[JS_KEY_MAX];

	jc_hex(key, sizeof(key), account);
	return jetstream_kv_delete(st, JS_PRESENCE, key);
}

/* A presence from an entry's bytes (jetstream_load.c's). */
void
jetstream_presence_decode(const char *p, size_t len, struct presence_rec *rec,
    char *owner)
{
	struct jc_reader	r = { p, p + len };
	char			name[32], val[JC_VALUE_MAX];

	memset(rec, 0, sizeof(*rec));
	owner[0] = '\0';
	while (jc_next(&r, name, sizeof(name), val, sizeof(val)) == 1)
		if (strcmp(name, "node") == 0)
			snprintf(owner, JS_NAME_MAX, "%.*s", JS_NAME_MAX - 1, val);
		else
			(void)jc_get_field(presence_fields, JC_NFIELDS(presence_fields),
			    rec, name, val);
}

/* A read marker's key: the account's and the target's hex, a dot between. */
static void
marker_key(char *dst, const struct history_marker *m)
{
	size_t	n;

	jc_hex(dst, JS_KEY_MAX / 2, m->account);
	n = strlen(dst);
	dst[n++] = '.';
	jc_hex(dst + n, JS_KEY_MAX - n, m->target);
}

/* A marker entry's time (jetstream_load.c's too). */
int64_t
jetstream_marker_time(kvEntry *e)
{
	const char		*p = kvEntry_Value(e);
	struct jc_reader	 r = { p, p + kvEntry_ValueLen(e) };
	char			 name[8], val[24];
	int64_t			 time = 0;

	while (jc_next(&r, name, sizeof(name), val, sizeof(val)) == 1)
		if (strcmp(name, "time") == 0)
			time = jc_i64(val);
	return time;
}

/* MARKREAD: the later of the kept time and the job's; result.marker is what is kept. */
static int
marker_set(struct store *st, struct job *job)
{
	const struct history_marker	*m = &job->in.marker;
	char				 key[JS_KEY_MAX];
	struct jc_buf			 b = { 0 };
	kvEntry				*e;
	natsStatus			 s;
	uint64_t			 rev;
	int64_t				 kept;
	int				 rc = -EAGAIN;

	marker_key(key, m);
	job->result.marker = *m;
	jc_put_i64(&b, "time", m->time);
	for (int i = 0; i < JS_TRIES && rc == -EAGAIN; i++) {
		if ((s = kvStore_Get(&e, st->kv[JS_MARKERS], key)) == NATS_NOT_FOUND) {
			if ((rc = jetstream_kv_create(st, JS_MARKERS, key, &b)) == -EEXIST)
				rc = -EAGAIN;
			continue;
		}
		if (s != NATS_OK) {
			rc = jetstream_status(s);
			break;
		}
		kept = jetstream_marker_time(e);
		rev = kvEntry_Revision(e);
		kvEntry_Destroy(e);
		if (kept >= m->time) {
			job->result.marker.time = kept;
			rc = 0;
		} else
			rc = jetstream_kv_update(st, JS_MARKERS, key, &b, rev);
	}
	free(b.p);
	return rc == -EAGAIN ? -EIO : rc;
}

int
jetstream_kv_job(struct store *st, struct job *job)
{
	switch (job->kind) {
	case JOB_ACCOUNT_GET:
	case JOB_ACCOUNT_BY_CERT:
		return account_get(st, job);
	case JOB_ACCOUNT_CREATE:
		return account_create(st, &job->in.account);
	case JOB_ACCOUNT_SET_PASSWORD:
		return account_change(st, job->in.account.name, set_password,
		    &job->in.account);
	case JOB_ACCOUNT_SET_EMAIL:
		return account_change(st, job->in.account.name, set_email,
		    &job->in.account);
	case JOB_ACCOUNT_VERIFIED:
		return account_change(st, job->in.account.name, set_verified, NULL);
	case JOB_ACCOUNT_DROP:
		return account_drop(st, job->in.name);
	case JOB_CERT_ADD:
		return cert_add(st, &job->in.cert);
	case JOB_CERT_DEL:
		return cert_del(st, &job->in.cert);
	case JOB_ACCOUNT_SET_OPTS:
		return account_change(st, job->in.opts.name, set_opts, &job->in.opts);
	case JOB_PRESENCE_SET:
		return presence_set(st, &job->in.presence);
	case JOB_PRESENCE_DEL:
		return presence_del(st, job->in.name);
	case JOB_MARKER_SET:
		return marker_set(st, job);
	default:
		return jetstream_channel_job(st, job);
	}
}
