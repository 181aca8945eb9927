// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* podlink datapath programs (SCHED_CLS). One object, loaded once per node and pinned:
 *
 *   pl_from_pod     traffic leaving a pod: tcx ingress on the host veth, BPF_NETKIT_PEER on netkit,
 *                   or legacy tc ingress (clsact, direct-action). Anti-spoof, then fast path.
 *   pl_to_pod       traffic entering a pod through the host: tcx egress on the host veth,
 *                   BPF_NETKIT_PRIMARY on netkit, or legacy tc egress. Counts and records flows.
 *   pl_from_uplink  tcx ingress on the node's uplink: a local pod destination -> bpf_redirect_peer.
 *   pl_from_tunnel  tcx ingress on the node's VXLAN device: only known nodes may send; then as from-uplink.
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

/* The parts, in order: shared map layouts, the maps, packet parsing, counters, anti-spoofing,
 * lookups, redirects. Everything in them is static __always_inline or a map. */
#include "podlink.h"
#include "podlink-maps.h"
#include "podlink-parse.h"
#include "podlink-counters.h"
#include "podlink-antispoof.h"
#include "podlink-lookups.h"
#include "podlink-redirect.h"
#include "podlink-tunnel.h"

#define PL_PASS TC_ACT_OK
#define PL_DROP TC_ACT_SHOT

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Policy hook for traffic entering a pod. Always allows for now; a policy engine would decide here.
 * The fast path asks it before redirecting to a local pod: veth's redirect_peer skips the
 * destination's to-pod program, and netkit's to-pod trusts the fast-path mark. */
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
		if (!pl_policy_allows(skb, &p)) {
			pl_count(ifindex, PL_CTR_FROM_POD, PL_NO_CTR, len);
			return PL_DROP;
		}
		rc = pl_redirect_local(skb, &p, ep, !(cfg->flags & PL_F_NETKIT));
		if (rc == TC_ACT_REDIRECT) {
			pl_count(ifindex, PL_CTR_FROM_POD, PL_CTR_REDIRECT_LOCAL, len);
			return rc;
		}
		goto pass_and_record;
	}
	rc = pl_redirect_tunnel(skb, &p);
	if (rc == TC_ACT_REDIRECT) {
		pl_count(ifindex, PL_CTR_FROM_POD, PL_CTR_REDIRECT_TUNNEL, len);
		return rc;
	}
	if (rc == PL_TUNNEL_STACK)
		goto pass; /* too big or TTL: the stack answers with ICMP; no NAT here, so no flow to record */
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
	struct pl_ep_info *ep;
	struct pl_pkt p = {};

	if (skb->cb[0] == PL_CB_FASTPATH) {
		/* From-pod parsed it, asked the policy hook and named the host-side ifindex (netkit).
		 * On the stack's path cb holds the IP layer's scratch data (IPCB: the first word is a
		 * source route's first hop, which a pod chooses), so the mark counts only with a pod's ifindex. */
		__u32 host = skb->cb[1];

		skb->cb[0] = 0;
		skb->cb[1] = 0;
		if (bpf_map_lookup_elem(&pl_pod_cfg, &host)) {
			pl_count(host, PL_CTR_TO_POD, PL_CTR_FROM_FASTPATH, len);
			return PL_PASS;
		}
	}
	pl_pull(skb);
	if (pl_parse_ip(skb, &p) == 0) {
		ep = pl_endpoint(&p);
		if (ep) {
			ifindex = ep->ifindex; /* count under the host-side ifindex in every mode */
			if (!p.stack_only)
				pl_flow_record(&p, PL_FLOW_FULL, 0);
		}
		if (!pl_policy_allows(skb, &p)) {
			pl_count(ifindex, PL_CTR_TO_POD, PL_NO_CTR, len);
			return PL_DROP;
		}
	}
	pl_count(ifindex, PL_CTR_TO_POD, PL_NO_CTR, len);
	return PL_PASS;
}

/* A packet that arrived at the node (uplink or tunnel) for a pod here: redirect_peer into the pod,
 * unless the stack must see it (NATed flows, anything not plainly for a pod). */
static __always_inline int pl_deliver_arrival(struct __sk_buff *skb, __u32 ifindex, __u32 seen)
{
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
		pl_count(ifindex, seen, PL_CTR_PASS_FLOW, len);
		return PL_PASS;
	}
	if (!pl_policy_allows(skb, &p)) {
		pl_count(ifindex, seen, PL_NO_CTR, len);
		return PL_DROP;
	}
	rc = pl_redirect_local(skb, &p, ep, 1);
	if (rc == TC_ACT_REDIRECT) {
		pl_count(ifindex, seen, PL_CTR_REDIRECT_LOCAL, len);
		return rc;
	}
pass:
	pl_count(ifindex, seen, PL_CTR_PASS_STACK, len);
	return PL_PASS;
}

SEC("tcx/ingress")
int pl_from_uplink(struct __sk_buff *skb)
{
	return pl_deliver_arrival(skb, skb->ifindex, PL_CTR_FROM_UPLINK);
}

SEC("tcx/ingress")
int pl_from_tunnel(struct __sk_buff *skb)
{
	/* The kernel's external vxlan device decapsulates from any sender on the UDP port; an
	 * attacker on the underlay must not reach pods (or the node stack) through it. */
	if (!pl_tunnel_source_known(skb)) {
		pl_count(skb->ifindex, PL_CTR_FROM_TUNNEL, PL_CTR_DROP_TUNNEL_SOURCE, skb->len);
		return PL_DROP;
	}
	/* The inner frame's destination MAC is the sender's tunnel device (IFF_NOARP: its own address),
	 * so eth_type_trans made it PACKET_OTHERHOST; it is for this node. */
	if (skb->pkt_type != PACKET_HOST)
		bpf_skb_change_type(skb, PACKET_HOST);
	return pl_deliver_arrival(skb, skb->ifindex, PL_CTR_FROM_TUNNEL);
}
