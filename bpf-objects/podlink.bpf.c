// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* podlink datapath programs (SCHED_CLS). One object, loaded once per node and pinned:
 *
 *   pl_from_pod     traffic leaving a pod: tcx ingress on the host veth, BPF_NETKIT_PEER on netkit,
 *                   or legacy tc ingress (clsact, direct-action). Anti-spoof, then fast path.
 *   pl_to_pod       traffic entering a pod through the host: tcx egress on the host veth,
 *                   BPF_NETKIT_PRIMARY on netkit, or legacy tc egress. Counts and records flows.
 *   pl_from_uplink  tcx ingress on the node's uplink: a local pod destination -> bpf_redirect_peer.
 *
 * Verdicts: TC_ACT_OK (0) = TCX_PASS = NETKIT_PASS, TC_ACT_SHOT (2) = *_DROP, and the
 * bpf_redirect* result TC_ACT_REDIRECT (7) = *_REDIRECT, so one program serves every hook.
 * Anything unexpected is handed to the stack: the fast path is an optimisation, never a
 * requirement. Subprograms are static __always_inline (no BTF func_info needed at load).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "podlink.h"

#define AF_INET 2
#define AF_INET6 10
#define PACKET_HOST 0
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129
#define IPPROTO_ICMPV6_ 58
#define ARPHRD_ETHER 1

/* linux/if_arp.h drags in libc headers; the fixed part of an ARP header is all we need. */
struct pl_arphdr {
	__be16 ar_hrd;
	__be16 ar_pro;
	__u8 ar_hln;
	__u8 ar_pln;
	__be16 ar_op;
};

#define PL_PASS TC_ACT_OK
#define PL_DROP TC_ACT_SHOT
#define PL_NO_CTR PL_CTR_MAX

/* Largest header we parse: Ethernet + IPv4 with options + 8 bytes of L4. */
#define PL_PULL_LEN (ETH_HLEN + 60 + 8)

char LICENSE[] SEC("license") = "Dual BSD/GPL";

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
	__uint(max_entries, 64);
	__type(key, struct pl_cidr_key);
	__type(value, __u32);
} pl_cidrs SEC(".maps");

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

/* Make the headers we parse linear (GRO'd skbs may carry them in fragments). */
static __always_inline void pl_pull(struct __sk_buff *skb)
{
	__u32 want = PL_PULL_LEN;

	if (pl_data(skb) + PL_PULL_LEN <= pl_data_end(skb))
		return;
	if (want > skb->len)
		want = skb->len;
	bpf_skb_pull_data(skb, want);
}

static __always_inline int pl_addr_eq(const __u8 *a, const __u8 *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

static __always_inline int pl_mac_eq(const __u8 *a, const __u8 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] && a[4] == b[4] && a[5] == b[5];
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
	 * Egress of the destination primary runs its to-pod program; tell it this is the fast path. */
	skb->cb[0] = PL_CB_FASTPATH;
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

/* Policy hook for traffic entering a pod. Always allows for now; a policy engine would decide here. */
static __always_inline int pl_policy_allows(struct __sk_buff *skb, const struct pl_pkt *p)
{
	(void)skb;
	(void)p;
	return 1;
}

SEC("tcx/ingress")
int pl_from_pod(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex; /* host veth, or the netkit primary (skb->dev was switched to it) */
	__u32 len = skb->len;
	struct pl_pod_cfg *cfg;
	struct pl_ep_info *ep;
	struct pl_pkt p = {};
	struct ethhdr *eth;
	__u32 verdict;
	long rc;

	cfg = bpf_map_lookup_elem(&pl_pod_cfg, &ifindex);
	if (!cfg) {
		pl_count(ifindex, PL_CTR_FROM_POD, PL_CTR_PASS_NO_CONFIG, len);
		return PL_PASS;
	}
	pl_pull(skb);

	eth = pl_data(skb);
	if ((void *)(eth + 1) > pl_data_end(skb))
		goto pass;
	if ((cfg->flags & (PL_F_ANTI_SPOOF | PL_F_L2)) == (PL_F_ANTI_SPOOF | PL_F_L2) &&
	    !pl_mac_eq(eth->h_source, cfg->mac)) {
		pl_count(ifindex, PL_CTR_FROM_POD, PL_CTR_DROP_SPOOF_MAC, len);
		return PL_DROP;
	}
	if (eth->h_proto == bpf_htons(ETH_P_ARP)) {
		verdict = (cfg->flags & PL_F_ANTI_SPOOF) ? pl_arp_verdict(skb, cfg) : PL_NO_CTR;
		if (verdict != PL_NO_CTR) {
			pl_count(ifindex, PL_CTR_FROM_POD, verdict, len);
			return PL_DROP;
		}
		goto pass;
	}
	if (pl_parse_ip(skb, &p) < 0)
		goto pass;

	if (cfg->flags & PL_F_ANTI_SPOOF) {
		if (pl_src_is_link_scope(&p))
			goto pass; /* NDP/DAD: for the host, never redirected */
		if (!pl_src_is_pod(cfg, &p)) {
			pl_count(ifindex, PL_CTR_FROM_POD, PL_CTR_DROP_SPOOF_IP, len);
			return PL_DROP;
		}
	}
	if (p.stack_only || skb->pkt_type != PACKET_HOST)
		goto pass;

	ep = pl_endpoint(&p);
	if (!ep && !pl_in_cluster(&p))
		goto pass_and_record;
	/* A reply in a flow that reached this pod through the stack (e.g. DNAT from a ClusterIP):
	 * the stack must see it too, or the reverse translation never happens. */
	if (pl_flow_known(&p, PL_FLOW_FULL, 1)) {
		pl_count(ifindex, PL_CTR_FROM_POD, PL_CTR_PASS_FLOW, len);
		return PL_PASS;
	}
	if (ep) {
		rc = pl_redirect_local(skb, &p, ep, !(cfg->flags & PL_F_NETKIT));
		if (rc == TC_ACT_REDIRECT) {
			pl_count(ifindex, PL_CTR_FROM_POD, PL_CTR_REDIRECT_LOCAL, len);
			return rc;
		}
		goto pass_and_record;
	}
	rc = pl_redirect_fib(skb, &p);
	if (rc == TC_ACT_REDIRECT) {
		pl_count(ifindex, PL_CTR_FROM_POD, PL_CTR_REDIRECT_FIB, len);
		return rc;
	}

pass_and_record:
	/* Replies may come back through the uplink after the stack rewrote the remote side. */
	pl_flow_record(&p, PL_FLOW_LOCAL, 1);
pass:
	pl_count(ifindex, PL_CTR_FROM_POD, PL_CTR_PASS_STACK, len);
	return PL_PASS;
}

SEC("tcx/egress")
int pl_to_pod(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex; /* host veth; on netkit the pod-side device (other netns) */
	__u32 len = skb->len;
	__u32 verdict = PL_NO_CTR;
	struct pl_ep_info *ep;
	struct pl_pkt p = {};
	int fast = 0;

	if (skb->cb[0] == PL_CB_FASTPATH) {
		skb->cb[0] = 0;
		fast = 1;
		verdict = PL_CTR_FROM_FASTPATH;
	}
	pl_pull(skb);
	if (pl_parse_ip(skb, &p) == 0) {
		ep = pl_endpoint(&p);
		if (ep) {
			ifindex = ep->ifindex; /* count under the host-side ifindex in every mode */
			if (!fast && !p.stack_only)
				pl_flow_record(&p, PL_FLOW_FULL, 0);
		}
		if (!pl_policy_allows(skb, &p)) {
			pl_count(ifindex, PL_CTR_TO_POD, PL_NO_CTR, len);
			return PL_DROP;
		}
	}
	pl_count(ifindex, PL_CTR_TO_POD, verdict, len);
	return PL_PASS;
}

SEC("tcx/ingress")
int pl_from_uplink(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex;
	__u32 len = skb->len;
	struct pl_ep_info *ep;
	struct pl_pkt p = {};
	long rc;

	pl_pull(skb);
	if (pl_parse_ip(skb, &p) < 0 || p.stack_only || skb->pkt_type != PACKET_HOST)
		goto pass;
	ep = pl_endpoint(&p);
	if (!ep)
		goto pass;
	if (pl_flow_known(&p, PL_FLOW_LOCAL, 0)) {
		pl_count(ifindex, PL_CTR_FROM_UPLINK, PL_CTR_PASS_FLOW, len);
		return PL_PASS;
	}
	rc = pl_redirect_local(skb, &p, ep, 1);
	if (rc == TC_ACT_REDIRECT) {
		pl_count(ifindex, PL_CTR_FROM_UPLINK, PL_CTR_REDIRECT_LOCAL, len);
		return rc;
	}
pass:
	pl_count(ifindex, PL_CTR_FROM_UPLINK, PL_CTR_PASS_STACK, len);
	return PL_PASS;
}
