/*
 * SipHash-c-d over a byte string: whole 8-byte words little-endian, then the last
 * 0-7 bytes with the length (siphash.h has the steps).
 */
#include "core/siphash.h"

static uint64_t
load_le64(const uint8_t *p)
{
	uint64_t	w = 0;

	for (int i = 7; i >= 0; i--)
		w = (w << 8) | p[i];
	return w;
}

void
siphash_key_set(struct siphash_key *key, const uint8_t bytes[SIPHASH_KEY_LEN])
{
	key->k0 = load_le64(bytes);
	key->k1 = load_le64(bytes + 8);
}

uint64_t
siphash(const struct siphash_key *key, unsigned crounds, unsigned drounds,
    const void *data, size_t len)
{
	struct siphash	 s;
	const uint8_t	*p = data;
	uint64_t	 tail = 0;
	size_t		 whole = len & ~(size_t)7;

	siphash_init(&s, key);
	for (size_t i = 0; i < whole; i += 8)
		siphash_word(&s, load_le64(p + i), crounds);
	for (size_t i = whole; i < len; i++)
		tail |= (uint64_t)p[i] << (8 * (i & 7));
	return siphash_end(&s, tail, len, crounds, drounds);
}
