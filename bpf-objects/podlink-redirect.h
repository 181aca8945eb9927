/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* podlink datapath: the fast path's redirects, with the router duties they take over from the stack:
 * to a pod on this node (bpf_redirect_peer, or bpf_redirect on netkit), or off the node through a FIB
 * lookup and bpf_redirect_neigh. */
#ifndef PODLINK_REDIRECT_H
#define PODLINK_REDIRECT_H

#include "podlink.h"
#include "podlink-parse.h"

/* Router duties before a redirect: decrement TTL / hop limit (checksum as in ip_decrease_ttl).
 * Returns -1 when the packet must go to the stack instead (TTL expiring: the stack sends the ICMP). */
static __always_inline int pl_dec_ttl(struct __sk_buff *skb, __u8 family)
{
	void *data = pl_data(skb), *data_end = pl_data_end(skb);

	if (family == AF_INET) {
		struct iphdr *ip = data + ETH_HLEN;
		__u32 check;

		if ((void *)(ip + 1) > data_end || ip->ttl <= 1)
			return -1;
		check = ip->check;
		check += bpf_htons(0x0100);
		ip->check = (__sum16)(check + (check >= 0xffff));
		ip->ttl--;
		return 0;
	}
	{
		struct ipv6hdr *ip6 = data + ETH_HLEN;

		if ((void *)(ip6 + 1) > data_end || ip6->hop_limit <= 1)
			return -1;
		ip6->hop_limit--;
		return 0;
	}
}

/* Deliver to a pod on this node. The old destination MAC (the sender's gateway) becomes the source. */
static __always_inline long pl_redirect_local(struct __sk_buff *skb, const struct pl_pkt *p, const struct pl_ep_info *ep,
					      int from_tc_ingress)
{
	void *data, *data_end;
	struct ethhdr *eth;
	__u32 ifindex = ep->ifindex;
	__u8 dmac[6];

	__builtin_memcpy(dmac, ep->mac, 6);
	if (pl_dec_ttl(skb, p->family) < 0)
		return -1;
	data = pl_data(skb);
	data_end = pl_data_end(skb);
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(eth->h_source, eth->h_dest, 6);
	__builtin_memcpy(eth->h_dest, dmac, 6);
	if (from_tc_ingress)
		return bpf_redirect_peer(ifindex, 0); /* ingress -> peer ingress, no backlog */
	/* netkit: we run inside netkit_xmit of the source pod, where redirect_peer is not allowed.
	 * Egress of the destination primary runs its to-pod program; tell it this is the fast path,
	 * and under which host-side ifindex to count it, so that it need not parse the packet again. */
	skb->cb[0] = PL_CB_FASTPATH;
	skb->cb[1] = ifindex;
	return bpf_redirect(ifindex, 0);
}

/* Route off the node: FIB lookup in the host netns, then let redirect_neigh fill L2. */
static __always_inline long pl_redirect_fib(struct __sk_buff *skb, const struct pl_pkt *p)
{
	struct bpf_fib_lookup fib = {};
	struct bpf_redir_neigh nh = {};
	long rc;

	fib.family = p->family;
	fib.l4_protocol = p->proto;
	fib.sport = p->sport;
	fib.dport = p->dport;
	fib.tot_len = 0; /* 0: the kernel checks the MTU against the skb (GSO aware) */
	fib.ifindex = skb->ifindex;
	if (p->family == AF_INET) {
		fib.tos = p->tos;
		__builtin_memcpy(&fib.ipv4_src, p->saddr, 4);
		__builtin_memcpy(&fib.ipv4_dst, p->daddr, 4);
	} else {
		fib.flowinfo = p->flowinfo;
		__builtin_memcpy(fib.ipv6_src, p->saddr, 16);
		__builtin_memcpy(fib.ipv6_dst, p->daddr, 16);
	}
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH)
		return -1;
	if (fib.ifindex == skb->ifindex)
		return -1; /* hairpin: the stack knows better */
	if (pl_dec_ttl(skb, p->family) < 0)
		return -1;
	nh.nh_family = fib.family;
	if (fib.family == AF_INET)
		nh.ipv4_nh = fib.ipv4_dst; /* the nexthop after the lookup */
	else
		__builtin_memcpy(nh.ipv6_nh, fib.ipv6_dst, 16);
	return bpf_redirect_neigh(fib.ifindex, &nh, sizeof(nh), 0);
}

#endif /* PODLINK_REDIRECT_H */
