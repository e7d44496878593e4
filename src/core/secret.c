/*
 * Nonces, codes and derived values from the core's secret (secret.h): ChaCha20 keyed by
 * the secret over a counter for what must never repeat, keyed BLAKE2b for what must
 * repeat for the same input.
 */
#include <string.h>

#include <sodium.h>

#include "core/core.h"
#include "core/secret.h"

_Static_assert(sizeof(((struct core *)0)->secret) == crypto_stream_chacha20_KEYBYTES,
    "the secret is a ChaCha20 key");

void
secret_bytes(struct core *core, void *buf, size_t len)
{
	uint8_t		nonce[crypto_stream_chacha20_NONCEBYTES];
	uint64_t	n = ++core->secret_counter;

	for (size_t i = 0; i < sizeof(nonce); i++)
		nonce[i] = (uint8_t)(n >> (8 * i));
	crypto_stream_chacha20(buf, len, nonce, core->secret);
}

void
secret_text(struct core *core, char *buf, size_t cap)
{
	static const char	digits[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	uint8_t			raw[64];
	size_t			len = cap > 0 ? cap - 1 : 0;

	if (cap == 0)
		return;
	if (len > sizeof(raw))
		len = sizeof(raw);
	secret_bytes(core, raw, len);
	/* 62 letters: 256 % 62 leaves a bias of under 2 in 256, nothing to guess by. */
	for (size_t i = 0; i < len; i++)
		buf[i] = digits[raw[i] % (sizeof(digits) - 1)];
	buf[len] = '\0';
	sodium_memzero(raw, sizeof(raw));
}

void
secret_derive(const struct core *core, const char *text, void *buf, size_t len)
{
	crypto_generichash(buf, len, (const uint8_t *)text, strlen(text), core->secret,
	    sizeof(core->secret));
}
