/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* podlink datapath: packet access and parsing. The Ethernet, IPv4/IPv6 and L4 headers a program
 * needs are pulled linear and copied into a struct pl_pkt; anything the fast path must not touch
 * (fragments, ICMP errors, NDP, extension headers) is marked stack_only. */
#ifndef PODLINK_PARSE_H
#define PODLINK_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2
#define AF_INET6 10
#define PACKET_HOST 0
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129
#define IPPROTO_ICMPV6_ 58

/* Largest header we parse: Ethernet + IPv4 with options + 8 bytes of L4. */
#define PL_PULL_LEN (ETH_HLEN + 60 + 8)

/* ARP for IPv4 over Ethernet: 8-byte header, two MAC and two IPv4 addresses. */
#define PL_ARP_LEN 28

/* What the parser extracted; copied out of the packet so helpers may invalidate packet pointers. */
struct pl_pkt {
	__u8 family;
	__u8 proto;
	__u8 has_ports; /* sport/dport valid (TCP/UDP/SCTP, ICMP echo identifier in both) */
	__u8 stack_only; /* fragments, ICMP errors, NDP...: always the stack's business */
	__be16 sport;
	__be16 dport;
	__u8 tos;
	__u8 pad[3];
	__be32 flowinfo;
	__u8 saddr[16];
	__u8 daddr[16];
};

static __always_inline void *pl_data(struct __sk_buff *skb)
{
	return (void *)(long)skb->data;
}

static __always_inline void *pl_data_end(struct __sk_buff *skb)
{
	return (void *)(long)skb->data_end;
}

/* Make the headers we parse linear (GRO'd skbs may carry them in fragments), and not one byte more.
 * Pulling past the headers is expensive: a small TCP segment carries its payload in a page fragment
 * and TCP transmits clones, so bpf_skb_pull_data() reallocates the head (__pskb_pull_tail ->
 * pskb_expand_head, net/core/skbuff.c) for every such packet. Pulling a fixed 82 bytes made
 * pl_from_pod cost 855 ns per packet of a 1-byte TCP_RR (bpftool prog show, bpf_stats_enabled). */
static __always_inline void pl_pull(struct __sk_buff *skb)
{
	void *data = pl_data(skb), *data_end = pl_data_end(skb);
	struct ethhdr *eth = data;
	__u32 want = PL_PULL_LEN;

	if ((void *)(eth + 1) <= data_end) {
		if (eth->h_proto == bpf_htons(ETH_P_IP)) {
			struct iphdr *ip = (void *)(eth + 1);

			if ((void *)(ip + 1) <= data_end)
				want = ETH_HLEN + ip->ihl * 4 + 8;
		} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
			want = ETH_HLEN + sizeof(struct ipv6hdr) + 8;
		} else if (eth->h_proto == bpf_htons(ETH_P_ARP)) {
			want = ETH_HLEN + PL_ARP_LEN;
		}
	}
	if (want > skb->len)
		want = skb->len;
	if (want > PL_PULL_LEN)
		want = PL_PULL_LEN;
	if (data + want <= data_end)
		return;
	bpf_skb_pull_data(skb, want);
}

/* L4 ports of a flow; ICMP echo uses its identifier as both ports. Non-echo ICMP is stack-only. */
static __always_inline void pl_parse_l4(struct pl_pkt *p, void *l4, void *data_end)
{
	__u8 *b = l4;

	if ((void *)(b + 8) > data_end) {
		/* Short or non-linear L4 header: no ports; the flow cannot be tracked, so keep it on the stack. */
		p->stack_only = 1;
		return;
	}
	switch (p->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		p->sport = *(__be16 *)(b + 0);
		p->dport = *(__be16 *)(b + 2);
		p->has_ports = 1;
		break;
	case IPPROTO_ICMP:
		if (b[0] == ICMP_ECHO || b[0] == ICMP_ECHOREPLY) {
			p->sport = p->dport = *(__be16 *)(b + 4);
			p->has_ports = 1;
		} else {
			p->stack_only = 1; /* errors quote a header that conntrack may have to rewrite */
		}
		break;
	case IPPROTO_ICMPV6_:
		if (b[0] == ICMPV6_ECHO_REQUEST || b[0] == ICMPV6_ECHO_REPLY) {
			p->sport = p->dport = *(__be16 *)(b + 4);
			p->has_ports = 1;
		} else {
			p->stack_only = 1; /* errors, NDP, MLD */
		}
		break;
	default:
		break;
	}
}

/* Parse the IP header behind an Ethernet header. Returns 0 on success, -1 if not IP or truncated. */
static __always_inline int pl_parse_ip(struct __sk_buff *skb, struct pl_pkt *p)
{
	void *data = pl_data(skb), *data_end = pl_data_end(skb);
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		__u32 ihl;

		if ((void *)(ip + 1) > data_end || ip->version != 4)
			return -1;
		ihl = ip->ihl * 4;
		if (ihl < sizeof(*ip))
			return -1;
		p->family = AF_INET;
		p->proto = ip->protocol;
		p->tos = ip->tos;
		__builtin_memcpy(p->saddr, &ip->saddr, 4);
		__builtin_memcpy(p->daddr, &ip->daddr, 4);
		if (ip->frag_off & bpf_htons(0x3fff)) { /* MF or a fragment offset */
			p->stack_only = 1;
			return 0;
		}
		pl_parse_l4(p, (void *)ip + ihl, data_end);
		return 0;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end || ip6->version != 6)
			return -1;
		p->family = AF_INET6;
		p->proto = ip6->nexthdr;
		p->flowinfo = *(__be32 *)ip6 & bpf_htonl(0x0fffffff);
		__builtin_memcpy(p->saddr, &ip6->saddr, 16);
		__builtin_memcpy(p->daddr, &ip6->daddr, 16);
		pl_parse_l4(p, (void *)(ip6 + 1), data_end);
		/* Extension headers (fragment, routing, ...): not parsed, left to the stack. */
		if (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP && p->proto != IPPROTO_SCTP &&
		    p->proto != IPPROTO_ICMPV6_)
			p->stack_only = 1;
		return 0;
	}
	return -1;
}

#endif /* PODLINK_PARSE_H */
