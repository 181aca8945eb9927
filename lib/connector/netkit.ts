// netkit driver (docs/kernel.md#netkit).
// - primary policy forward: traffic towards the pod is delivered when no program is attached;
// - peer policy drop: the pod cannot send until the from-pod program is attached (fail-closed);
// - scrub none on the primary keeps skb->mark for the to-pod program; scrub default on the peer clears
//   what the pod set before it reaches the host (only sent when the kernel keeps it: 6.13+);
// - L3 mode accepts no MAC at all (IFLA_ADDRESS → EOPNOTSUPP), L2 gets explicit MACs.
import type { Netlink } from '../netlink/index.js';
import type { LinkPair, LinkPairConfig } from './link-pair.js';

export function createNetkitPair(hostNl: Netlink, cfg: LinkPairConfig): void {
  const l2 = cfg.mode === 'netkit-l2';
  const common = { mtu: cfg.mtu, gsoMaxSize: cfg.gsoMaxSize, groMaxSize: cfg.groMaxSize };
  hostNl.createLink({
    name: cfg.hostIfName,
    ...common,
    ...(l2 ? { mac: cfg.hostMac } : {}),
    info: {
      kind: 'netkit',
      mode: l2 ? 'l2' : 'l3',
      policy: 'forward',
      peerPolicy: cfg.peerPolicy,
      ...(cfg.scrubSupported ? { scrub: 'none' as const, peerScrub: 'default' as const } : {}),
      headroom: cfg.headroom,
      tailroom: cfg.tailroom,
      peer: { name: cfg.podIfName, ...common, ...(l2 ? { mac: cfg.podMac } : {}), netnsFd: cfg.podNetnsFd },
    },
  });
}

const hex = (b: Buffer) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

export function verifyNetkitPair(p: LinkPair, cfg: LinkPairConfig): string[] {
  const out: string[] = [];
  const nk = p.host.netkit;
  const l2 = cfg.mode === 'netkit-l2';
  if (p.host.kind !== 'netkit' || !nk) return [`host kind ${p.host.kind}`];
  if (p.pod.kind !== 'netkit') out.push(`pod kind ${p.pod.kind}`);
  if (nk.primary !== true) out.push('host side is not the netkit primary');
  if (nk.mode !== (l2 ? 'l2' : 'l3')) out.push(`netkit mode ${nk.mode}`);
  if (nk.policy !== 'forward') out.push(`primary policy ${nk.policy}`);
  if (nk.peerPolicy !== cfg.peerPolicy) out.push(`peer policy ${nk.peerPolicy} != ${cfg.peerPolicy}`);
  if (cfg.scrubSupported && (nk.scrub !== 'none' || nk.peerScrub !== 'default')) out.push(`scrub ${nk.scrub}/${nk.peerScrub}`);
  if (cfg.headroom && nk.headroom !== undefined && nk.headroom < cfg.headroom) out.push(`headroom ${nk.headroom} < ${cfg.headroom}`);
  if (p.host.mtu !== cfg.mtu) out.push(`host mtu ${p.host.mtu} != ${cfg.mtu}`);
  if (p.pod.mtu !== cfg.mtu) out.push(`pod mtu ${p.pod.mtu} != ${cfg.mtu}`);
  if (l2 && p.host.mac !== hex(cfg.hostMac)) out.push(`host mac ${p.host.mac}`);
  if (l2 && p.pod.mac !== hex(cfg.podMac)) out.push(`pod mac ${p.pod.mac}`);
  return out;
}
