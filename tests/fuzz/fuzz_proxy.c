/*
 * libFuzzer target: the PROXY protocol header parser (net/proxy.c), which reads bytes
 * from a load balancer before anything else of a connection.
 *
 * It must never read outside its input.  A whole header's length is at most the input's
 * and PROXY_MAX, parsing exactly that many bytes gives the same length and address, and
 * every shorter beginning of it asks for more (0), as the driver relies on: it consumes
 * every byte of an unfinished header and never one past a finished one.  A header that
 * names an address names an IPv4 or IPv6 one.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/proxy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: crash so libFuzzer keeps the input. */
#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_hdr	 h, again;
	unsigned char		*copy;
	int			 n;

	/* An exact copy, so that a read past the end is caught. */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	n = proxy_parse(copy, size, &h);
	CHECK(n >= -1 && (size_t)(n > 0 ? n : 0) <= size && n <= PROXY_MAX);
	if (n > 0) {
		CHECK(h.local || h.src.ss_family == AF_INET || h.src.ss_family == AF_INET6);
		CHECK(proxy_parse(copy, (size_t)n, &again) == n);
		CHECK(again.local == h.local &&
		    memcmp(&again.src, &h.src, sizeof(h.src)) == 0);
		for (int i = 0; i < n; i++)
			CHECK(proxy_parse(copy, (size_t)i, &again) == 0);
	}
	free(copy);
	return 0;
}
