// kube-proxy (iptables mode) load for a node netns: `services` ClusterIPs as a nat KUBE-SERVICES chain
// of DNAT rules jumped to from PREROUTING, and a filter KUBE-SERVICES chain jumped to from FORWARD for
// NEW connections, REJECTing the services that have no endpoints. Loaded with one iptables-restore.

export interface KubeProxyLoad {
  services: number;
  /** every n-th service has no endpoints (REJECT in filter instead of DNAT in nat) */
  noEndpointsEvery: number;
}

export const DEFAULT_LOAD: KubeProxyLoad = { services: 5000, noEndpointsEvery: 10 };

/** Service i's ClusterIP in 10.96.0.0/16 and a backend in 10.244.0.0/16 (never a bench pod). */
export function serviceIp(i: number): string {
  return `10.96.${(i >> 8) & 255}.${i & 255}`;
}

export function backendIp(i: number): string {
  return `10.244.${(i >> 8) & 255}.${i & 255}`;
}

export function iptablesRestoreText(l: KubeProxyLoad = DEFAULT_LOAD): string {
  if (l.services < 1 || l.services > 65_000) throw new Error(`services must be 1…65000, got ${l.services}`);
  const nat = ['*nat', ':PREROUTING ACCEPT [0:0]', ':KUBE-SERVICES - [0:0]', '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'];
  const filter = ['*filter', ':FORWARD ACCEPT [0:0]', ':KUBE-SERVICES - [0:0]', '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'];
  for (let i = 0; i < l.services; i++) {
    const svc = `-d ${serviceIp(i)}/32 -p tcp -m tcp --dport 80`;
    if (l.noEndpointsEvery > 0 && i % l.noEndpointsEvery === l.noEndpointsEvery - 1) {
      filter.push(`-A KUBE-SERVICES ${svc} -m comment --comment "default/svc-${i} has no endpoints" -j REJECT --reject-with icmp-port-unreachable`);
    } else {
      nat.push(`-A KUBE-SERVICES ${svc} -m comment --comment "default/svc-${i}" -j DNAT --to-destination ${backendIp(i)}:8080`);
    }
  }
  return [...nat, 'COMMIT', ...filter, 'COMMIT', ''].join('\n');
}
