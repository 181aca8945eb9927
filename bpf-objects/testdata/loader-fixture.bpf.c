// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Loader fixture for lib/bpf tests (not shipped): exercises what podlink.bpf.c does not --
 * a legacy "maps" section, .data/.bss/.rodata globals referenced by name (STT_OBJECT),
 * and a bpf-to-bpf call into .text that itself references maps. Two programs share .text. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

/* The pre-BTF map definition (iproute2/libbpf < 1.0 layout, first five fields). */
struct fixture_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct fixture_map_def legacy_counts SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 4,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} btf_hash SEC(".maps");

const volatile __u32 cfg_verdict = TC_ACT_OK; /* .rodata: user space may rewrite before load */
__u64 data_hits = 7;                          /* .data */
__u64 bss_calls;                              /* .bss */

static __attribute__((noinline)) int fixture_bump(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&legacy_counts, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
	bss_calls++;
	return cfg_verdict;
}

SEC("tc")
int fixture_a(struct __sk_buff *skb)
{
	__u32 k = skb->len & 1;
	__u64 one = 1;

	bpf_map_update_elem(&btf_hash, &k, &one, BPF_ANY);
	data_hits++;
	return fixture_bump(0);
}

SEC("tcx/egress")
int fixture_b(struct __sk_buff *skb)
{
	(void)skb;
	return fixture_bump(1);
}

char LICENSE[] SEC("license") = "GPL";
