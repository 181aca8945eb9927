/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* podlink datapath: map layouts shared by the BPF programs (podlink.bpf.c) and user space.
 *
 * The TypeScript encoders in lib/datapath/layout.ts mirror every struct here byte for byte;
 * change both together (the ELF test checks the key/value sizes the object declares).
 * All addresses are in network byte order; an IPv4 address occupies the first 4 bytes of a
 * 16-byte field and the rest is zero.
 */
#ifndef PODLINK_H
#define PODLINK_H

#include <linux/types.h>

#define PL_MAX_IP4 4
#define PL_MAX_IP6 4

/* pl_pod_cfg / pl_endpoints flags */
#define PL_F_ANTI_SPOOF 0x1 /* from-pod drops packets whose source IP (and in L2 modes MAC) is not the pod's */
#define PL_F_L2 0x2         /* veth and netkit-l2: the pod has a real MAC and speaks ARP/NDP */
#define PL_F_NETKIT 0x4     /* from-pod runs in netkit_xmit (not at tc ingress): use bpf_redirect */

/* pl_pod_cfg: host ifindex (u32) -> per-pod config. 92 bytes. */
struct pl_pod_cfg {
	__u32 flags;
	__u8 mac[6]; /* the pod-side MAC (L2 modes) */
	__u8 n_ip4;
	__u8 n_ip6;
	__be32 ip4[PL_MAX_IP4];
	__u8 ip6[PL_MAX_IP6][16];
};

/* pl_endpoints: pod IP -> where it lives. key 20 bytes, value 16 bytes. */
struct pl_ep_key {
	__u8 family; /* AF_INET 2 / AF_INET6 10 */
	__u8 pad[3];
	__u8 addr[16];
};

struct pl_ep_info {
	__u32 ifindex; /* host-side ifindex (veth host end / netkit primary) */
	__u32 flags;   /* PL_F_* of the pod */
	__u8 mac[6];   /* pod-side MAC, written as destination on redirect (zero in netkit L3) */
	__u8 pad[2];
};

/* pl_cidrs (LPM trie): cluster pod CIDRs routed with bpf_fib_lookup + bpf_redirect_neigh.
 * prefixlen covers family + pad + addr: prefixlen = 32 + CIDR prefix length. key 24 bytes, value 4:
 * who wrote it, 0 = the netconf's clusterCIDRs (ADD), 1 = learned from the nodes (podlink agent).
 * The programs only ask whether a destination is in the trie; the value is for the writers. */
struct pl_cidr_key {
	__u32 prefixlen;
	__u8 family;
	__u8 pad[3];
	__u8 addr[16];
};

/* pl_tunnel (LPM trie, key struct pl_cidr_key): remote pod CIDR -> the node's underlay address.
 * pl_tunnel_peers (hash): underlay address -> 0; from-tunnel accepts only these outer sources.
 * Both 20-byte structs are one layout: the underlay family and address. */
struct pl_node_addr {
	__u8 family; /* AF_INET / AF_INET6: the underlay's family, not the pod's */
	__u8 pad[3];
	__u8 addr[16];
};

/* pl_tunnel_cfg (array, one entry at key 0): the node's tunnel device; ifindex 0 = no tunnel. 36 bytes. */
struct pl_tunnel_cfg {
	__u32 ifindex; /* podlink_vxlan in the node's netns */
	__u32 vni;
	__u8 mac[6]; /* the tunnel device's MAC, both ends of the inner frame (the receiver fixes pkt_type) */
	__u8 pad[2];
	__be32 local4;    /* outer source: this node's listed address, the one its peers admit; 0 = by route */
	__u8 local6[16];
};

/* pl_flows (LRU hash): flows that must stay on the kernel stack (netfilter NAT / conntrack).
 * PL_FLOW_FULL: recorded by to-pod for a packet that reached the pod through the stack;
 *   pod = destination, peer = source. from-pod looks up its reply (pod = its source).
 * PL_FLOW_LOCAL: recorded by from-pod when it passes a packet to the stack; only the pod side
 *   is known (the remote side may be rewritten by DNAT). from-uplink looks it up for replies.
 * key 40 bytes, value 8 (bpf_ktime_get_ns() when recorded). */
#define PL_FLOW_FULL 1
#define PL_FLOW_LOCAL 2

struct pl_flow_key {
	__u8 family;
	__u8 proto;
	__u8 kind;
	__u8 pad;
	__be16 pod_port;  /* TCP/UDP/SCTP port; ICMP echo identifier */
	__be16 peer_port; /* zero for PL_FLOW_LOCAL */
	__u8 pod_addr[16];
	__u8 peer_addr[16]; /* zero for PL_FLOW_LOCAL */
};

/* pl_stats (per-CPU hash): host ifindex (u32) -> counters. 16 * PL_CTR_MAX bytes per CPU. */
enum pl_ctr {
	PL_CTR_FROM_POD = 0,      /* every packet seen by from-pod */
	PL_CTR_TO_POD = 1,        /* every packet seen by to-pod */
	PL_CTR_FROM_UPLINK = 2,   /* every packet seen by from-uplink (keyed by the uplink's ifindex) */
	PL_CTR_REDIRECT_LOCAL = 3, /* fast path to a pod on this node */
	PL_CTR_REDIRECT_FIB = 4,  /* fast path off the node: fib_lookup + redirect_neigh */
	PL_CTR_PASS_STACK = 5,    /* handed to the kernel stack: not ours to route, or fib said no */
	PL_CTR_PASS_FLOW = 6,     /* handed to the stack because the flow is NATed by the stack */
	PL_CTR_PASS_NO_CONFIG = 7, /* from-pod on a device without pl_pod_cfg entry */
	PL_CTR_DROP_SPOOF_IP = 8,
	PL_CTR_DROP_SPOOF_MAC = 9,
	PL_CTR_DROP_SPOOF_ARP = 10,
	PL_CTR_FROM_FASTPATH = 11, /* to-pod saw a packet that from-pod redirected (netkit) */
	PL_CTR_REDIRECT_TUNNEL = 12, /* fast path off the node through the tunnel: set_tunnel_key + redirect */
	PL_CTR_FROM_TUNNEL = 13,  /* every packet seen by from-tunnel (keyed by the tunnel device's ifindex) */
	PL_CTR_DROP_TUNNEL_SOURCE = 14, /* from-tunnel: outer source is no known node (or wrong VNI) */
	PL_CTR_MAX = 15,
};

struct pl_counter {
	__u64 packets;
	__u64 bytes;
};

struct pl_stats {
	struct pl_counter c[PL_CTR_MAX];
};

/* Written into skb->cb[0] by from-pod before bpf_redirect() to a netkit primary, so that the
 * destination's to-pod (BPF_NETKIT_PRIMARY) can tell the fast path from the stack; cb[1] then holds
 * the destination's host-side ifindex. skb->mark
 * cannot carry it: netkit scrubs the mark when crossing netns (6.7-6.12 always, later unless
 * IFLA_NETKIT_SCRUB=NONE); skb->cb survives the redirect. ASCII "pLfp". */
#define PL_CB_FASTPATH 0x704c6670

#endif /* PODLINK_H */
