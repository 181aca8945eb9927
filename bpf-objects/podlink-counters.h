/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* podlink datapath: per-device packet and byte counters in pl_stats (enum pl_ctr in podlink.h). */
#ifndef PODLINK_COUNTERS_H
#define PODLINK_COUNTERS_H

#include "podlink-maps.h"

/* "Count nothing": pl_count ignores an index >= PL_CTR_MAX. */
#define PL_NO_CTR PL_CTR_MAX

static __always_inline void pl_count(__u32 ifindex, __u32 seen, __u32 verdict, __u32 bytes)
{
	struct pl_stats *s = bpf_map_lookup_elem(&pl_stats, &ifindex);

	if (!s) {
		bpf_map_update_elem(&pl_stats, &ifindex, &pl_zero_stats, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&pl_stats, &ifindex);
		if (!s)
			return;
	}
	/* Hide correlations between the callers' branches and the index from the compiler, so the
	 * bound checks below stay where the verifier can see them. */
	barrier_var(seen);
	barrier_var(verdict);
	if (seen < PL_CTR_MAX) {
		s->c[seen].packets++;
		s->c[seen].bytes += bytes;
	}
	if (verdict < PL_CTR_MAX) {
		s->c[verdict].packets++;
		s->c[verdict].bytes += bytes;
	}
}

#endif /* PODLINK_COUNTERS_H */
