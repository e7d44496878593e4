#ifndef PARLEY_CORE_SIPHASH_H
#define PARLEY_CORE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * SipHash (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed
 * 64-bit hash, so that whoever does not know the key cannot choose inputs that collide.
 * SipHash-c-d runs c rounds per message word and d to finish; the maps use 1-3, the
 * paper recommends 2-4 where the output must resist more than hash flooding.
 */
#define SIPHASH_KEY_LEN	16

struct siphash_key {
	uint64_t	k0, k1;		/* the key's two halves, read little-endian */
};

/* The state of one hash under way: feed it with siphash_update, end with
 * siphash_final. */
struct siphash {
	uint64_t	v0, v1, v2, v3;
	uint64_t	tail;		/* the bytes of a word not yet complete */
	uint64_t	len;		/* bytes fed so far */
	unsigned	crounds, drounds;
};

/* The key made of 16 bytes. */
void		siphash_key_set(struct siphash_key *key, const uint8_t bytes[SIPHASH_KEY_LEN]);

/* Start SipHash-crounds-drounds under key. */
void		siphash_init(struct siphash *s, const struct siphash_key *key,
		    unsigned crounds, unsigned drounds);
void		siphash_update(struct siphash *s, const void *data, size_t len);
/* The hash of everything fed since siphash_init; s is spent. */
uint64_t	siphash_final(struct siphash *s);

/* SipHash-crounds-drounds of len bytes at data, in one call. */
uint64_t	siphash(const struct siphash_key *key, unsigned crounds, unsigned drounds,
		    const void *data, size_t len);

#endif
