// The CNI result of a finished ADD, from what its steps produced.
import type { IPConfig, Result } from '../cni/result.js';
import type { AddDone } from './add.js';

export function addResult(c: AddDone): Result {
  const { conf, env } = c.req;
  const l3nk = c.mode.operational === 'netkit';
  const prev = conf.prevResult;
  // Chained after another plugin: keep everything it reported. Without our own IPAM, its IPs become ours.
  const base = prev ? { ...prev, ips: conf.ipamType ? prev.ips : [] } : undefined;
  const interfaces = [...(base?.interfaces ?? [])];
  interfaces.push({ name: c.names.hostIfName, mac: l3nk ? undefined : c.host.mac, mtu: c.mtu });
  const podIdx = interfaces.push({ name: env.ifname, mac: l3nk ? undefined : c.pod.mac, mtu: c.mtu, sandbox: env.netns }) - 1;
  const ips: IPConfig[] = [...(base?.ips ?? []), ...c.ips.map((i) => ({ address: i.cidr, gateway: i.gateway, interface: podIdx }))];
  return {
    interfaces,
    ips,
    routes: [...(base?.routes ?? []), ...c.routes],
    // A chained earlier plugin's DNS survives; IPAM's and then the config's own fill in over it.
    dns: { ...(prev?.dns ?? {}), ...(c.ipam.dns ?? {}), ...(conf.dns ?? {}) },
  };
}
