// Byte layouts of the datapath maps, mirroring bpf-objects/podlink.h struct by struct. Pure.
// May import: lib/codec, lib/netlink (IP and MAC text ↔ bytes only).
import { putU32le, Reader, Writer } from '../codec/index.js';
import { bytesToIp, formatMac, ipFamily, ipToBytes, parseCidr, parseMac } from '../netlink/index.js';

export const MAPS = {
  podCfg: 'pl_pod_cfg',
  endpoints: 'pl_endpoints',
  cidrs: 'pl_cidrs',
  flows: 'pl_flows',
  stats: 'pl_stats',
  tunnel: 'pl_tunnel',
  tunnelPeers: 'pl_tunnel_peers',
  tunnelCfg: 'pl_tunnel_cfg',
} as const;
export type MapName = (typeof MAPS)[keyof typeof MAPS];

export const PL_F_ANTI_SPOOF = 0x1;
export const PL_F_L2 = 0x2;
export const PL_F_NETKIT = 0x4;
export const PL_MAX_IP4 = 4;
export const PL_MAX_IP6 = 4;

export const SIZES = {
  podCfg: 92,
  epKey: 20,
  epInfo: 16,
  cidrKey: 24,
  flowKey: 40,
  stats: 16 * 15,
  nodeAddr: 20,
  tunnelCfg: 36,
} as const;

const AF_INET = 2;
const AF_INET6 = 10;

/** enum pl_ctr, in order. */
export const COUNTERS = [
  'fromPod',
  'toPod',
  'fromUplink',
  'redirectLocal',
  'redirectFib',
  'passStack',
  'passFlow',
  'passNoConfig',
  'dropSpoofIp',
  'dropSpoofMac',
  'dropSpoofArp',
  'fromFastpath',
  'redirectTunnel',
  'fromTunnel',
  'dropTunnelSource',
] as const;
export type CounterName = (typeof COUNTERS)[number];
export interface Counter {
  packets: bigint;
  bytes: bigint;
}
export type Counters = Record<CounterName, Counter>;

/** u32 ifindex keys (pl_pod_cfg, pl_stats): host byte order. */
export function encodeIfindexKey(ifindex: number): Buffer {
  return new Writer(4).u32(ifindex).finish();
}

export interface PodConfig {
  flags: number;
  mac: string;
  ip4: string[];
  ip6: string[];
}

/** Splits pod IPs by family and checks they fit struct pl_pod_cfg. */
export function splitIps(ips: string[]): { ip4: string[]; ip6: string[] } {
  const ip4 = ips.filter((ip) => ipFamily(ip) === 4);
  const ip6 = ips.filter((ip) => ipFamily(ip) === 6);
  if (ip4.length > PL_MAX_IP4) throw new RangeError(`at most ${PL_MAX_IP4} IPv4 addresses per pod, got ${ip4.length}`);
  if (ip6.length > PL_MAX_IP6) throw new RangeError(`at most ${PL_MAX_IP6} IPv6 addresses per pod, got ${ip6.length}`);
  return { ip4, ip6 };
}

/** struct pl_pod_cfg {u32 flags; u8 mac[6]; u8 n_ip4, n_ip6; be32 ip4[4]; u8 ip6[4][16]} = 92 B. */
export function encodePodConfig(c: PodConfig): Buffer {
  const w = new Writer(SIZES.podCfg);
  w.u32(c.flags).bytes(parseMac(c.mac)).u8(c.ip4.length).u8(c.ip6.length);
  for (let i = 0; i < PL_MAX_IP4; i++) w.bytes(c.ip4[i] ? ipToBytes(c.ip4[i]!) : Buffer.alloc(4));
  for (let i = 0; i < PL_MAX_IP6; i++) w.bytes(c.ip6[i] ? ipToBytes(c.ip6[i]!) : Buffer.alloc(16));
  return w.finish();
}

export function decodePodConfig(b: Buffer): PodConfig {
  const r = new Reader(b);
  const flags = r.u32();
  const mac = formatMac(r.bytes(6));
  const n4 = r.u8();
  const n6 = r.u8();
  const ip4: string[] = [];
  const ip6: string[] = [];
  for (let i = 0; i < PL_MAX_IP4; i++) {
    const a = r.bytes(4);
    if (i < n4) ip4.push(bytesToIp(a));
  }
  for (let i = 0; i < PL_MAX_IP6; i++) {
    const a = r.bytes(16);
    if (i < n6) ip6.push(bytesToIp(a));
  }
  return { flags, mac, ip4, ip6 };
}

/** struct pl_ep_key {u8 family; u8 pad[3]; u8 addr[16]} = 20 B. */
export function encodeEndpointKey(ip: string): Buffer {
  const fam = ipFamily(ip);
  const w = new Writer(SIZES.epKey);
  w.u8(fam === 4 ? AF_INET : AF_INET6)
    .zeros(3)
    .bytes(ipToBytes(ip));
  return w.zeros(SIZES.epKey - w.length).finish();
}

export interface EndpointInfo {
  ifindex: number;
  flags: number;
  mac: string;
}

/** struct pl_ep_info {u32 ifindex; u32 flags; u8 mac[6]; u8 pad[2]} = 16 B. */
export function encodeEndpointInfo(e: EndpointInfo): Buffer {
  return new Writer(SIZES.epInfo).u32(e.ifindex).u32(e.flags).bytes(parseMac(e.mac)).zeros(2).finish();
}

export function decodeEndpointInfo(b: Buffer): EndpointInfo {
  const r = new Reader(b);
  return { ifindex: r.u32(), flags: r.u32(), mac: formatMac(r.bytes(6)) };
}

/** struct pl_cidr_key {u32 prefixlen; u8 family; u8 pad[3]; u8 addr[16]} = 24 B; prefixlen = 32 + CIDR length. */
export function encodeCidrKey(cidr: string): Buffer {
  const c = parseCidr(cidr);
  const addr = ipToBytes(c.address);
  // Zero the host bits: the trie compares only prefixlen bits, but keep keys canonical.
  for (let bit = c.prefix; bit < addr.length * 8; bit++) addr[bit >> 3]! &= ~(0x80 >> (bit & 7));
  const w = new Writer(SIZES.cidrKey);
  w.u32(32 + c.prefix)
    .u8(c.family === 4 ? AF_INET : AF_INET6)
    .zeros(3)
    .bytes(addr);
  return w.zeros(SIZES.cidrKey - w.length).finish();
}

/** pl_cidrs value (u32): who wrote the entry. ADD writes the netconf's clusterCIDRs, the agent the CIDRs it learns. */
export const CIDR_CONFIGURED = 0;
export const CIDR_LEARNED = 1;

export function encodeCidrOrigin(origin: number): Buffer {
  const b = Buffer.alloc(4);
  putU32le(b, 0, origin);
  return b;
}

export function decodeCidrKey(b: Buffer): string {
  const r = new Reader(b);
  const prefixlen = r.u32();
  const family = r.u8() === AF_INET ? 4 : 6;
  r.skip(3);
  return `${bytesToIp(r.bytes(family === 4 ? 4 : 16))}/${prefixlen - 32}`;
}

/** struct pl_node_addr {u8 family; u8 pad[3]; u8 addr[16]} = 20 B: a node's underlay address. */
export function encodeNodeAddr(ip: string): Buffer {
  const w = new Writer(SIZES.nodeAddr);
  w.u8(ipFamily(ip) === 4 ? AF_INET : AF_INET6)
    .zeros(3)
    .bytes(ipToBytes(ip));
  return w.zeros(SIZES.nodeAddr - w.length).finish();
}

export function decodeNodeAddr(b: Buffer): string {
  const r = new Reader(b);
  const family = r.u8() === AF_INET ? 4 : 6;
  r.skip(3);
  return bytesToIp(r.bytes(family === 4 ? 4 : 16));
}

export interface TunnelConfig {
  /** The tunnel device's ifindex; 0 turns the tunnel off in the programs. */
  ifindex: number;
  vni: number;
  mac: string;
  /** Outer source addresses (this node's listed ones); absent: the kernel picks by route. */
  local4?: string;
  local6?: string;
}

/** pl_tunnel_cfg as the kernel creates the array entry (all zeros), and as the agent resets it: no tunnel. */
export const NO_TUNNEL_CONFIG: Readonly<TunnelConfig> = Object.freeze({ ifindex: 0, vni: 0, mac: '00:00:00:00:00:00' });

/** struct pl_tunnel_cfg {u32 ifindex; u32 vni; u8 mac[6]; u8 pad[2]; be32 local4; u8 local6[16]} = 36 B. */
export function encodeTunnelConfig(c: TunnelConfig): Buffer {
  return new Writer(SIZES.tunnelCfg)
    .u32(c.ifindex)
    .u32(c.vni)
    .bytes(parseMac(c.mac))
    .zeros(2)
    .bytes(c.local4 ? ipToBytes(c.local4) : Buffer.alloc(4))
    .bytes(c.local6 ? ipToBytes(c.local6) : Buffer.alloc(16))
    .finish();
}

export function decodeTunnelConfig(b: Buffer): TunnelConfig {
  const r = new Reader(b);
  const c: TunnelConfig = { ifindex: r.u32(), vni: r.u32(), mac: formatMac(r.bytes(6)) };
  r.skip(2);
  const l4 = r.bytes(4);
  const l6 = r.bytes(16);
  if (l4.some((x) => x !== 0)) c.local4 = bytesToIp(l4);
  if (l6.some((x) => x !== 0)) c.local6 = bytesToIp(l6);
  return c;
}

/** Sums struct pl_stats over CPUs. */
export function decodeStats(perCpu: Buffer[]): Counters {
  const out = Object.fromEntries(COUNTERS.map((n) => [n, { packets: 0n, bytes: 0n }])) as Counters;
  for (const b of perCpu) {
    const r = new Reader(b);
    for (const n of COUNTERS) {
      out[n].packets += r.u64();
      out[n].bytes += r.u64();
    }
  }
  return out;
}

export function emptyCounters(): Counters {
  return decodeStats([]);
}
