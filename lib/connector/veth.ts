// veth driver: explicit MACs on both ends (systemd's MACAddressPolicy=persistent would otherwise race to
// rewrite them), MTU, GSO/GRO sizes and one queue each way set on both ends in the single create message.
// One queue: without IFLA_NUM_*_QUEUES a veth gets a queue per possible CPU, and on 6.18 is cut back to one
// in use at once, which waits for an expedited RCU grace period per end under rtnl (docs/kernel.md#veth-queues).
import { formatMac, type Netlink } from '../netlink/index.js';
import { VETH_QUEUES, type LinkPair, type LinkPairConfig } from './pair-config.js';

export function createVethPair(hostNl: Netlink, cfg: LinkPairConfig): void {
  const common = {
    mtu: cfg.mtu,
    txqlen: 1000,
    numTxQueues: VETH_QUEUES,
    numRxQueues: VETH_QUEUES,
    gsoMaxSize: cfg.gsoMaxSize,
    groMaxSize: cfg.groMaxSize,
  };
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
  for (const [end, l] of [
    ['host', p.host],
    ['pod', p.pod],
  ] as const) {
    // IFLA_NUM_RX_QUEUES is reported only with CONFIG_RPS.
    if (l.numTxQueues !== VETH_QUEUES || (l.numRxQueues ?? VETH_QUEUES) !== VETH_QUEUES)
      out.push(`${end} queues tx ${l.numTxQueues} rx ${l.numRxQueues}`);
  }
  if (cfg.gsoMaxSize !== undefined && p.host.gsoMaxSize !== cfg.gsoMaxSize) out.push(`gso_max_size ${p.host.gsoMaxSize}`);
  if (cfg.groMaxSize !== undefined && p.host.groMaxSize !== cfg.groMaxSize) out.push(`gro_max_size ${p.host.groMaxSize}`);
  return out;
}
