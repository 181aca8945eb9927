/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* podlink datapath: anti-spoofing of traffic leaving a pod (PL_F_ANTI_SPOOF): the source IP must be
 * one of the pod's (or IPv6 link scope), in L2 modes the source MAC the pod's, and ARP must speak
 * for the pod's MAC and IPv4s. */
#ifndef PODLINK_ANTISPOOF_H
#define PODLINK_ANTISPOOF_H

#include "podlink-counters.h"
#include "podlink-parse.h"

#define ARPHRD_ETHER 1

/* linux/if_arp.h drags in libc headers; the fixed part of an ARP header is all we need. */
struct pl_arphdr {
	__be16 ar_hrd;
	__be16 ar_pro;
	__u8 ar_hln;
	__u8 ar_pln;
	__be16 ar_op;
};

static __always_inline int pl_addr_eq(const __u8 *a, const __u8 *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

static __always_inline int pl_mac_eq(const __u8 *a, const __u8 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] && a[4] == b[4] && a[5] == b[5];
}

static __always_inline int pl_src_is_pod(const struct pl_pod_cfg *cfg, const struct pl_pkt *p)
{
	if (p->family == AF_INET) {
		__be32 a = *(const __be32 *)p->saddr;
#pragma unroll
		for (int i = 0; i < PL_MAX_IP4; i++)
			if (i < cfg->n_ip4 && cfg->ip4[i] == a)
				return 1;
		return 0;
	}
#pragma unroll
	for (int i = 0; i < PL_MAX_IP6; i++)
		if (i < cfg->n_ip6 && pl_addr_eq(cfg->ip6[i], p->saddr))
			return 1;
	return 0;
}

/* IPv6 sources a pod legitimately uses that are not its assigned addresses:
 * link-local (fe80::/10) for NDP, and :: for duplicate address detection. */
static __always_inline int pl_src_is_link_scope(const struct pl_pkt *p)
{
	const __u32 *a = (const __u32 *)p->saddr;

	if (p->family != AF_INET6)
		return 0;
	if (p->saddr[0] == 0xfe && (p->saddr[1] & 0xc0) == 0x80)
		return 1;
	return (a[0] | a[1] | a[2] | a[3]) == 0;
}

/* ARP from the pod (L2 modes): the sender must be the pod's MAC and one of its IPv4s (0 = probe). */
static __always_inline int pl_arp_verdict(struct __sk_buff *skb, const struct pl_pod_cfg *cfg)
{
	void *data = pl_data(skb), *data_end = pl_data_end(skb);
	struct pl_arphdr *arp = data + ETH_HLEN;
	__u8 *body = (void *)(arp + 1);
	__be32 spa;

	if ((void *)(body + 20) > data_end)
		return PL_NO_CTR;
	if (arp->ar_hrd != bpf_htons(ARPHRD_ETHER) || arp->ar_pro != bpf_htons(ETH_P_IP) || arp->ar_hln != 6 ||
	    arp->ar_pln != 4)
		return PL_NO_CTR;
	if ((cfg->flags & PL_F_L2) && !pl_mac_eq(body, cfg->mac))
		return PL_CTR_DROP_SPOOF_ARP;
	__builtin_memcpy(&spa, body + 6, 4);
	if (spa == 0)
		return PL_NO_CTR;
#pragma unroll
	for (int i = 0; i < PL_MAX_IP4; i++)
		if (i < cfg->n_ip4 && cfg->ip4[i] == spa)
			return PL_NO_CTR;
	return PL_CTR_DROP_SPOOF_ARP;
}

#endif /* PODLINK_ANTISPOOF_H */
