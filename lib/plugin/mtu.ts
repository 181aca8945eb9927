// Pod MTU: the config's; else the MTU of the device holding the default route in the runtime's netns,
// less the tunnel's overhead when pods' traffic may be encapsulated (docs/architecture.md#the-tunnel):
// with routing tunnel always, with auto when the agent's tunnel.json says a node needs the tunnel.
// The default-route device is found with one FIB lookup per family (no route dump: dumps grow with the
// number of pods) for a documentation address that only a default route covers (RFC 5737 / RFC 3849).
import * as path from 'node:path';
import { readTunnelFile, TUNNEL_OVERHEAD, type Routing } from '../connector/index.js';
import type { Netlink } from '../netlink/index.js';

export const FALLBACK_MTU = 1500;
const PROBE_DST = ['203.0.113.1', '2001:db8::1'];
/** IPv6's minimum link MTU: below it a dual-stack pod could not be made. */
const MIN_POD_MTU = 1280;

export interface PodMtu {
  mtu: number;
  /** Where it came from, in words. */
  from: string;
}

export interface MtuConf {
  mtu?: number;
  routing?: Routing;
  modeFile?: string;
}

function underlay(nl: Netlink): PodMtu {
  for (const dst of PROBE_DST) {
    const r = nl.routeTo(dst);
    if (r?.oif !== undefined) {
      const l = nl.linkByIndex(r.oif);
      if (l?.mtu) return { mtu: l.mtu, from: `of ${l.name}, the default-route device` };
    }
  }
  return { mtu: FALLBACK_MTU, from: 'fallback: no default route' };
}

export function podMtu(conf: MtuConf, nl: Netlink): PodMtu {
  if (conf.mtu !== undefined) return { mtu: conf.mtu, from: 'from the config' };
  const u = underlay(nl);
  const routing = conf.routing ?? 'auto';
  if (routing === 'native') return u;
  const t = conf.modeFile ? readTunnelFile(path.dirname(conf.modeFile)) : undefined;
  // The agent's podMtu already follows its own routing; a value no device could take is ignored.
  if (t?.device && Number.isInteger(t.podMtu) && t.podMtu >= MIN_POD_MTU && t.podMtu < u.mtu) {
    return { mtu: t.podMtu, from: `of ${t.device.name}, the tunnel device (the agent's tunnel.json)` };
  }
  if (!t && routing === 'tunnel') return { mtu: u.mtu - TUNNEL_OVERHEAD[4], from: `${u.from}, less ${TUNNEL_OVERHEAD[4]} for VXLAN` };
  return u;
}
