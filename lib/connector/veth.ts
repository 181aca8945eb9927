// veth driver: explicit MACs on both ends (systemd's MACAddressPolicy=persistent would otherwise race to
// rewrite them), MTU and GSO/GRO sizes set on both ends in the single create message.
import { formatMac, type Netlink } from '../netlink/index.js';
import type { LinkPair, LinkPairConfig } from './pair-config.js';

export function createVethPair(hostNl: Netlink, cfg: LinkPairConfig): void {
  const common = { mtu: cfg.mtu, txqlen: 1000, gsoMaxSize: cfg.gsoMaxSize, groMaxSize: cfg.groMaxSize };
  hostNl.createLink({
    name: cfg.hostIfName,
    ...common,
    mac: cfg.hostMac,
    info: { kind: 'veth', peer: { name: cfg.podIfName, ...common, mac: cfg.podMac, netnsFd: cfg.podNetnsFd } },
  });
}

export function verifyVethPair(p: LinkPair, cfg: LinkPairConfig): string[] {
  const out: string[] = [];
  if (p.host.kind !== 'veth') out.push(`host kind ${p.host.kind}`);
  if (p.pod.kind !== 'veth') out.push(`pod kind ${p.pod.kind}`);
  if (p.host.mtu !== cfg.mtu) out.push(`host mtu ${p.host.mtu} != ${cfg.mtu}`);
  if (p.pod.mtu !== cfg.mtu) out.push(`pod mtu ${p.pod.mtu} != ${cfg.mtu}`);
  if (p.host.mac !== formatMac(cfg.hostMac)) out.push(`host mac ${p.host.mac}`);
  if (p.pod.mac !== formatMac(cfg.podMac)) out.push(`pod mac ${p.pod.mac}`);
  if (cfg.gsoMaxSize !== undefined && p.host.gsoMaxSize !== cfg.gsoMaxSize) out.push(`gso_max_size ${p.host.gsoMaxSize}`);
  if (cfg.groMaxSize !== undefined && p.host.groMaxSize !== cfg.groMaxSize) out.push(`gro_max_size ${p.host.groMaxSize}`);
  return out;
}
