#ifndef PARLEY_CORE_SIPHASH_H
#define PARLEY_CORE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * SipHash (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed
 * 64-bit hash, so that whoever does not know the key cannot choose inputs that collide.
 * SipHash-c-d runs c rounds per message word and d to finish; the maps use 1-3, the
 * paper recommends 2-4 where the output must resist more than hash flooding.
 *
 * The message goes in a word at a time, so that a caller can build words from bytes
 * it transforms (the maps fold case) without a copy.  The steps are inline: the maps
 * hash once per lookup, with constant round counts the compiler unrolls.
 */
#define SIPHASH_KEY_LEN	16

struct siphash_key {
	uint64_t	k0, k1;		/* the key's two halves, read little-endian */
};

/* A hash under way. */
struct siphash {
	uint64_t	v0, v1, v2, v3;
};

/* The key made of 16 bytes. */
void		siphash_key_set(struct siphash_key *key, const uint8_t bytes[SIPHASH_KEY_LEN]);

/* SipHash-crounds-drounds of len bytes at data, in one call. */
uint64_t	siphash(const struct siphash_key *key, unsigned crounds, unsigned drounds,
		    const void *data, size_t len);

static inline uint64_t
siphash_rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

/* One SipRound, in the order the paper gives its steps. */
static inline void
siphash_round(struct siphash *s)
{
	s->v0 += s->v1;
	s->v2 += s->v3;
	s->v1 = siphash_rotl(s->v1, 13);
	s->v3 = siphash_rotl(s->v3, 16);
	s->v1 ^= s->v0;
	s->v3 ^= s->v2;
	s->v0 = siphash_rotl(s->v0, 32);
	s->v2 += s->v1;
	s->v0 += s->v3;
	s->v1 = siphash_rotl(s->v1, 17);
	s->v3 = siphash_rotl(s->v3, 21);
	s->v1 ^= s->v2;
	s->v3 ^= s->v0;
	s->v2 = siphash_rotl(s->v2, 32);
}

/* Start a hash under key: the key xored with the paper's initialisation constants
 * ("somepseudorandomlygeneratedbytes"). */
static inline void
siphash_init(struct siphash *s, const struct siphash_key *key)
{
	s->v0 = key->k0 ^ 0x736f6d6570736575ULL;
	s->v1 = key->k1 ^ 0x646f72616e646f6dULL;
	s->v2 = key->k0 ^ 0x6c7967656e657261ULL;
	s->v3 = key->k1 ^ 0x7465646279746573ULL;
}

/* Mix in the next 8 message bytes, a little-endian word, with crounds rounds. */
static inline void
siphash_word(struct siphash *s, uint64_t m, unsigned crounds)
{
	s->v3 ^= m;
	for (unsigned i = 0; i < crounds; i++)
		siphash_round(s);
	s->v0 ^= m;
}

/* The hash of a message of len bytes whose last len % 8 bytes are in tail (little-
 * endian, the rest zero) and whose whole words went in by siphash_word; s is spent. */
static inline uint64_t
siphash_end(struct siphash *s, uint64_t tail, uint64_t len, unsigned crounds,
    unsigned drounds)
{
	/* The last word carries the length, modulo 256, in its top byte. */
	siphash_word(s, tail | len << 56, crounds);
	s->v2 ^= 0xff;
	for (unsigned i = 0; i < drounds; i++)
		siphash_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

#endif
