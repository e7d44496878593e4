/*
 * SipHash-c-d as the paper describes it: four 64-bit words of state initialised from
 * the key and four constants; each 8-byte little-endian message word is mixed in with
 * c SipRounds; the last word carries the message length in its top byte; 0xff into v2
 * and d more rounds finish, and the four words xored together are the hash.
 */
#include "core/siphash.h"

static uint64_t
rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

static uint64_t
load_le64(const uint8_t *p)
{
	uint64_t	w = 0;

	for (int i = 7; i >= 0; i--)
		w = (w << 8) | p[i];
	return w;
}

/* One SipRound, in the order the paper gives its steps. */
static void
sipround(struct siphash *s)
{
	s->v0 += s->v1;
	s->v2 += s->v3;
	s->v1 = rotl(s->v1, 13);
	s->v3 = rotl(s->v3, 16);
	s->v1 ^= s->v0;
	s->v3 ^= s->v2;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v1;
	s->v0 += s->v3;
	s->v1 = rotl(s->v1, 17);
	s->v3 = rotl(s->v3, 21);
	s->v1 ^= s->v2;
	s->v3 ^= s->v0;
	s->v2 = rotl(s->v2, 32);
}

static void
compress(struct siphash *s, uint64_t m)
{
	s->v3 ^= m;
	for (unsigned i = 0; i < s->crounds; i++)
		sipround(s);
	s->v0 ^= m;
}

void
siphash_key_set(struct siphash_key *key, const uint8_t bytes[SIPHASH_KEY_LEN])
{
	key->k0 = load_le64(bytes);
	key->k1 = load_le64(bytes + 8);
}

void
siphash_init(struct siphash *s, const struct siphash_key *key, unsigned crounds,
    unsigned drounds)
{
	/* "somepseudorandomlygeneratedbytes", the paper's initialisation constants. */
	s->v0 = key->k0 ^ 0x736f6d6570736575ULL;
	s->v1 = key->k1 ^ 0x646f72616e646f6dULL;
	s->v2 = key->k0 ^ 0x6c7967656e657261ULL;
	s->v3 = key->k1 ^ 0x7465646279746573ULL;
	s->tail = 0;
	s->len = 0;
	s->crounds = crounds;
	s->drounds = drounds;
}

void
siphash_update(struct siphash *s, const void *data, size_t len)
{
	const uint8_t	*p = data, *end = p + len;

	/* Complete a word begun by an earlier call, then take whole words at once. */
	while (p < end && (s->len & 7) != 0) {
		s->tail |= (uint64_t)*p++ << (8 * (s->len & 7));
		if ((++s->len & 7) == 0) {
			compress(s, s->tail);
			s->tail = 0;
		}
	}
	for (; end - p >= 8; p += 8, s->len += 8)
		compress(s, load_le64(p));
	for (; p < end; p++, s->len++)
		s->tail |= (uint64_t)*p << (8 * (s->len & 7));
}

uint64_t
siphash_final(struct siphash *s)
{
	compress(s, s->tail | s->len << 56);
	s->v2 ^= 0xff;
	for (unsigned i = 0; i < s->drounds; i++)
		sipround(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

uint64_t
siphash(const struct siphash_key *key, unsigned crounds, unsigned drounds,
    const void *data, size_t len)
{
	struct siphash	s;

	siphash_init(&s, key, crounds, drounds);
	siphash_update(&s, data, len);
	return siphash_final(&s);
}
