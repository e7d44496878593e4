/*
 * Log-linear latency histogram: see hist.h.
 */
#include <string.h>

#include "parley-bench/hist.h"

void
hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

unsigned
hist_bucket(uint64_t v)
{
	unsigned	 msb;

	if (v < HIST_SUB)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	/* Group g = msb - HIST_SUB_BITS + 1 holds [2^msb, 2^(msb+1)) in HIST_SUB steps. */
	return (msb - HIST_SUB_BITS + 1) * HIST_SUB +
	    (unsigned)((v >> (msb - HIST_SUB_BITS)) & (HIST_SUB - 1));
}

uint64_t
hist_bucket_top(unsigned b)
{
	unsigned	 group = b / HIST_SUB, sub = b % HIST_SUB, shift;
	uint64_t	 base;

	if (group == 0)
		return b;
	shift = group - 1;
	base = (uint64_t)(HIST_SUB + sub) << shift;
	return base + ((uint64_t)1 << shift) - 1;
}

void
hist_record(struct hist *h, uint64_t v)
{
	h->buckets[hist_bucket(v)]++;
	h->count++;
	if (v > h->max)
		h->max = v;
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned	 i;

	for (i = 0; i < HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t
hist_percentile(const struct hist *h, double p)
{
	uint64_t	 rank, seen = 0, top;
	unsigned	 i;

	if (h->count == 0)
		return 0;
	if (p <= 0)
		p = 0;
	if (p >= 100)
		return h->max;
	/* The smallest value with at least p% of the values at or below it. */
	rank = (uint64_t)((p / 100.0) * (double)h->count + 0.999999);
	if (rank == 0)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank) {
			top = hist_bucket_top(i);
			return top < h->max ? top : h->max;
		}
	}
	return h->max;
}
