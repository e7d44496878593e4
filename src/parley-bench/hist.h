#ifndef PARLEY_BENCH_HIST_H
#define PARLEY_BENCH_HIST_H

#include <stdint.h>

/*
 * A latency histogram with log-linear buckets (like HdrHistogram, much smaller): values
 * below HIST_SUB are exact; above, each power of two is split into HIST_SUB buckets, so a
 * reported percentile is at most 1/HIST_SUB (about 3%) above the true value.  Fixed size,
 * no allocation: recording is a few instructions, cheap enough for every delivered line.
 */

#define HIST_SUB_BITS	5
#define HIST_SUB	(1u << HIST_SUB_BITS)
#define HIST_BUCKETS	((64 - HIST_SUB_BITS + 1) * HIST_SUB)

struct hist {
	uint64_t	 count;
	uint64_t	 max;
	uint64_t	 buckets[HIST_BUCKETS];
};

void		 hist_init(struct hist *h);
void		 hist_record(struct hist *h, uint64_t v);

/* Add every value recorded in src to dst. */
void		 hist_merge(struct hist *dst, const struct hist *src);

/* The value at percentile p (0..100): the upper edge of the bucket holding it, never above
 * the largest value recorded.  0 when the histogram is empty. */
uint64_t	 hist_percentile(const struct hist *h, double p);

/* The bucket index of v, and the largest value that bucket holds (exposed for tests). */
unsigned	 hist_bucket(uint64_t v);
uint64_t	 hist_bucket_top(unsigned b);

#endif
