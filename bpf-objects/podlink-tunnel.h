/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* podlink datapath: the VXLAN tunnel between nodes (docs/architecture.md#the-tunnel). The agent keeps
 * one external (collect-metadata) vxlan device per node and fills pl_tunnel, pl_tunnel_peers and
 * pl_tunnel_cfg. From-pod encapsulates by naming the outer destination with bpf_skb_set_tunnel_key
 * and redirecting to that device; from-tunnel, on the device's ingress, admits only known nodes. */
#ifndef PODLINK_TUNNEL_H
#define PODLINK_TUNNEL_H

#include "podlink.h"
#include "podlink-maps.h"
#include "podlink-parse.h"
#include "podlink-redirect.h"

/* pl_redirect_tunnel's answers besides TC_ACT_REDIRECT. */
#define PL_TUNNEL_NONE (-2)  /* not a tunnelled destination: try the FIB */
#define PL_TUNNEL_STACK (-1) /* tunnelled, but the stack must send it (too big: it answers with ICMP) */

static __always_inline struct pl_tunnel_cfg *pl_tunnel_config(void)
{
	__u32 zero = 0;
	struct pl_tunnel_cfg *cfg = bpf_map_lookup_elem(&pl_tunnel_cfg, &zero);

	return cfg && cfg->ifindex ? cfg : NULL;
}

static __always_inline long pl_redirect_tunnel(struct __sk_buff *skb, const struct pl_pkt *p)
{
	struct bpf_tunnel_key key = {};
	struct pl_cidr_key k = {};
	struct pl_tunnel_cfg *cfg;
	struct pl_node_addr *node;
	struct ethhdr *eth;
	__u32 mtu_len = 0;
	__u64 flags = 0;
	__u8 mac[6];

	cfg = pl_tunnel_config();
	if (!cfg)
		return PL_TUNNEL_NONE;
	k.family = p->family;
	k.prefixlen = 32 + (p->family == AF_INET ? 32 : 128);
	__builtin_memcpy(k.addr, p->daddr, 16);
	node = bpf_map_lookup_elem(&pl_tunnel, &k);
	if (!node)
		return PL_TUNNEL_NONE;
	/* Against the tunnel device's MTU (GSO aware). Too big: the stack's forwarding path, through the
	 * agent's encap route on the same device, sends "fragmentation needed" / "packet too big". */
	if (bpf_check_mtu(skb, cfg->ifindex, &mtu_len, 0, 0) != 0)
		return PL_TUNNEL_STACK;
	if (pl_dec_ttl(skb, p->family) < 0)
		return PL_TUNNEL_STACK;
	__builtin_memcpy(mac, cfg->mac, 6);
	eth = pl_data(skb);
	if ((void *)(eth + 1) > pl_data_end(skb))
		return PL_TUNNEL_STACK;
	__builtin_memcpy(eth->h_source, mac, 6);
	__builtin_memcpy(eth->h_dest, mac, 6);
	key.tunnel_id = cfg->vni;
	key.tunnel_ttl = 64;
	if (node->family == AF_INET) {
		__be32 a;

		__builtin_memcpy(&a, node->addr, 4);
		key.remote_ipv4 = bpf_ntohl(a); /* host byte order here, unlike remote_ipv6 */
		key.local_ipv4 = bpf_ntohl(cfg->local4);
		/* IPv4 underlay: no outer UDP checksum (RFC 7348 allows it, as the kernel's vxlan default and
		 * flannel do): segmentation then skips a checksum per segment, and the inner headers carry
		 * their own. An IPv6 underlay keeps it (zero would need udp6zerocsumrx on every receiver). */
		flags |= BPF_F_ZERO_CSUM_TX;
	} else {
		__builtin_memcpy(key.remote_ipv6, node->addr, 16);
		__builtin_memcpy(key.local_ipv6, cfg->local6, 16);
		flags |= BPF_F_TUNINFO_IPV6;
	}
	if (bpf_skb_set_tunnel_key(skb, &key, sizeof(key), flags) < 0)
		return PL_TUNNEL_STACK;
	return bpf_redirect(cfg->ifindex, 0);
}

/* The outer source of a decapsulated packet is a known node, on our VNI. */
static __always_inline int pl_tunnel_source_known(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key = {};
	struct pl_node_addr peer = {};
	struct pl_tunnel_cfg *cfg;

	if (bpf_skb_get_tunnel_key(skb, &key, sizeof(key), 0) == 0) {
		__be32 a = bpf_htonl(key.remote_ipv4);

		peer.family = AF_INET;
		__builtin_memcpy(peer.addr, &a, 4);
	} else if (bpf_skb_get_tunnel_key(skb, &key, sizeof(key), BPF_F_TUNINFO_IPV6) == 0) {
		peer.family = AF_INET6;
		__builtin_memcpy(peer.addr, key.remote_ipv6, 16);
	} else {
		return 0;
	}
	cfg = pl_tunnel_config();
	if (!cfg || key.tunnel_id != cfg->vni)
		return 0;
	return bpf_map_lookup_elem(&pl_tunnel_peers, &peer) != NULL;
}

#endif /* PODLINK_TUNNEL_H */
