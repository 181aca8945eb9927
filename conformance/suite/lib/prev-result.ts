// prevResult passthrough (§4 ADD.4, §7): what another interface plugin's result looks like, and whether
// a result kept all of it.
import { isObj, type Json } from './json.js';
import { atLeast } from './suite.js';

/** What a prevResult in `version` looks like when another interface plugin ran first (§7). */
export function foreignPrevResult(version: string, netns: string): Json {
  const v = !atLeast(version, '1.0.0') ? { version: '4' } : {};
  return {
    cniVersion: version,
    interfaces: [{ name: 'side0', mac: '02:00:00:00:00:01', sandbox: netns }],
    ips: [{ ...v, address: '10.99.0.5/24', gateway: '10.99.0.1', interface: 0 }],
    routes: [{ dst: '10.98.0.0/16', gw: '10.99.0.1' }],
    dns: { nameservers: ['10.96.0.10'], domain: 'cluster.local', search: ['svc.cluster.local'], options: ['ndots:5'] },
  };
}

/** §4 ADD.4/§7.1: `res` keeps everything `prev` reported (interface references followed by name). */
export function passthroughProblems(prev: Json, res: unknown): string[] {
  if (!isObj(res)) return ['result is not an object'];
  const p: string[] = [];
  if (res.cniVersion !== prev.cniVersion) p.push(`result cniVersion ${JSON.stringify(res.cniVersion)} != ${JSON.stringify(prev.cniVersion)}`);
  const outIfs = Array.isArray(res.interfaces) ? (res.interfaces as Json[]) : [];
  const prevIfs = prev.interfaces as Json[];
  for (const i of prevIfs) {
    const same = (o: Json) => o.name === i.name && o.sandbox === i.sandbox && (i.mac === undefined || o.mac === i.mac) && (i.mtu === undefined || o.mtu === i.mtu);
    if (!outIfs.some(same)) p.push(`interface ${JSON.stringify(i)} from prevResult was dropped or changed`);
  }
  const outIps = Array.isArray(res.ips) ? (res.ips as Json[]) : [];
  for (const ip of prev.ips as Json[]) {
    const o = outIps.find((x) => x.address === ip.address);
    if (!o) p.push(`IP ${String(ip.address)} from prevResult was dropped`);
    else {
      if (o.gateway !== ip.gateway) p.push(`IP ${String(ip.address)}: gateway ${JSON.stringify(o.gateway)} != ${JSON.stringify(ip.gateway)}`);
      if (o.version !== ip.version) p.push(`IP ${String(ip.address)}: version ${JSON.stringify(o.version)} != ${JSON.stringify(ip.version)}`);
      const want = prevIfs[ip.interface as number]?.name;
      const got = typeof o.interface === 'number' ? outIfs[o.interface]?.name : undefined;
      if (want !== got) p.push(`IP ${String(ip.address)} now points at interface ${JSON.stringify(got)}, prevResult said ${JSON.stringify(want)}`);
    }
  }
  const outRoutes = Array.isArray(res.routes) ? (res.routes as Json[]) : [];
  for (const r of prev.routes as Json[]) {
    if (!outRoutes.some((o) => o.dst === r.dst && o.gw === r.gw)) p.push(`route ${JSON.stringify(r)} from prevResult was dropped`);
  }
  const dns = isObj(res.dns) ? res.dns : {};
  for (const [k, v] of Object.entries(prev.dns as Json)) {
    if (JSON.stringify(dns[k]) !== JSON.stringify(v)) p.push(`dns.${k} from prevResult was dropped or changed: ${JSON.stringify(dns[k])} != ${JSON.stringify(v)}`);
  }
  return p;
}
