/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* podlink datapath: the maps the programs share, by name (user space pins and fills them; their
 * key and value layouts are in podlink.h). Included once, by podlink.bpf.c. */
#ifndef PODLINK_MAPS_H
#define PODLINK_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "podlink.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct pl_pod_cfg);
} pl_pod_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct pl_ep_key);
	__type(value, struct pl_ep_info);
} pl_endpoints SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384); /* the agent learns one or two pod CIDRs per node */
	__type(key, struct pl_cidr_key);
	__type(value, __u32);
} pl_cidrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct pl_cidr_key);
	__type(value, struct pl_node_addr);
} pl_tunnel SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536); /* every address of every node: several per node */
	__type(key, struct pl_node_addr);
	__type(value, __u32);
} pl_tunnel_peers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pl_tunnel_cfg);
} pl_tunnel_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32768);
	__type(key, struct pl_flow_key);
	__type(value, __u64);
} pl_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct pl_stats);
} pl_stats SEC(".maps");

/* Initial value for a new pl_stats entry (lives in .rodata: too big for the stack). */
static const struct pl_stats pl_zero_stats;

#endif /* PODLINK_MAPS_H */
