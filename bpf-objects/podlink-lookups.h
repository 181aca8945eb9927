/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* podlink datapath: map lookups on a parsed packet: flows that must stay on the stack (pl_flows),
 * the endpoint behind a destination (pl_endpoints), and whether it is in a cluster CIDR (pl_cidrs). */
#ifndef PODLINK_LOOKUPS_H
#define PODLINK_LOOKUPS_H

#include "podlink-maps.h"
#include "podlink-parse.h"

static __always_inline void pl_flow_key(struct pl_flow_key *k, const struct pl_pkt *p, __u8 kind, int pod_is_src)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->family = p->family;
	k->proto = p->proto;
	k->kind = kind;
	if (pod_is_src) {
		k->pod_port = p->sport;
		__builtin_memcpy(k->pod_addr, p->saddr, 16);
		if (kind == PL_FLOW_FULL) {
			k->peer_port = p->dport;
			__builtin_memcpy(k->peer_addr, p->daddr, 16);
		}
	} else {
		k->pod_port = p->dport;
		__builtin_memcpy(k->pod_addr, p->daddr, 16);
		if (kind == PL_FLOW_FULL) {
			k->peer_port = p->sport;
			__builtin_memcpy(k->peer_addr, p->saddr, 16);
		}
	}
}

static __always_inline int pl_flow_known(const struct pl_pkt *p, __u8 kind, int pod_is_src)
{
	struct pl_flow_key k;

	pl_flow_key(&k, p, kind, pod_is_src);
	return bpf_map_lookup_elem(&pl_flows, &k) != NULL;
}

static __always_inline void pl_flow_record(const struct pl_pkt *p, __u8 kind, int pod_is_src)
{
	struct pl_flow_key k;
	__u64 now;

	pl_flow_key(&k, p, kind, pod_is_src);
	if (bpf_map_lookup_elem(&pl_flows, &k))
		return; /* already there; the lookup refreshed its LRU position */
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&pl_flows, &k, &now, BPF_ANY);
}

static __always_inline struct pl_ep_info *pl_endpoint(const struct pl_pkt *p)
{
	struct pl_ep_key k = {};

	k.family = p->family;
	__builtin_memcpy(k.addr, p->daddr, 16);
	return bpf_map_lookup_elem(&pl_endpoints, &k);
}

static __always_inline int pl_in_cluster(const struct pl_pkt *p)
{
	struct pl_cidr_key k = {};

	k.family = p->family;
	k.prefixlen = 32 + (p->family == AF_INET ? 32 : 128);
	__builtin_memcpy(k.addr, p->daddr, 16);
	return bpf_map_lookup_elem(&pl_cidrs, &k) != NULL;
}

#endif /* PODLINK_LOOKUPS_H */
