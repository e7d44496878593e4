#ifndef PARLEY_CORE_SECRET_H
#define PARLEY_CORE_SECRET_H

#include <stddef.h>
#include <stdint.h>

/*
 * What the core derives from its secret (core_config.secret): it has no randomness of
 * its own, so nonces and codes come from a keyed stream over the secret and a counter,
 * unpredictable to whoever does not know the secret and never the same twice in a
 * process.
 */
struct core;

/* len unpredictable bytes into buf. */
void	secret_bytes(struct core *core, void *buf, size_t len);
/* An unpredictable text of cap - 1 letters and digits, NUL-terminated (cap >= 1). */
void	secret_text(struct core *core, char *buf, size_t cap);
/* len bytes (16 to 64) that depend on the secret and text alone: the same text, the same bytes
 * (a fake salt for an account that does not exist looks like a real one each time). */
void	secret_derive(const struct core *core, const char *text, void *buf, size_t len);

#endif
