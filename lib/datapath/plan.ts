// The attach plan for one endpoint, as data: which map entries to write and which hooks get which
// program, per mode. The same steps drive --dry-run (describeSteps), the executor and CHECK. Pure.
// May import: lib/bpf (constants), lib/connector (the mode type and its predicates), ./layout, ./paths.
import * as BPF from '../bpf/consts.js';
import { isLayer2, isNetkit, type OperationalMode } from '../connector/mode.js';
import * as L from './layout.js';
import { PROGRAM_NAMES, pinPaths, type EndpointLinkRole, type PinPaths } from './paths.js';

export class DatapathError extends Error {
  readonly step: string;
  readonly hint?: string;
  constructor(step: string, detail: string, hint?: string) {
    super(`${step}: ${detail}${hint ? ` (${hint})` : ''}`);
    this.name = 'DatapathError';
    this.step = step;
    this.hint = hint;
  }
}

export interface EndpointSpec {
  bpfRoot: string;
  mode: OperationalMode;
  /** tcx available (veth mode); without it veth uses clsact + cls_bpf. netkit always uses netkit links. */
  tcx: boolean;
  hostIfName: string;
  /** Unknown during --dry-run: steps are then descriptive only. */
  hostIfindex?: number;
  ips: string[];
  /** Pod-side MAC; required for anti-spoofing in L2 modes (veth, netkit-l2). */
  podMac?: string;
  antiSpoof: boolean;
  /** Pod CIDRs of the cluster (fast path off the node via fib_lookup + redirect_neigh). */
  clusterCIDRs?: string[];
}

export type LinkHook = 'tcx-ingress' | 'tcx-egress' | 'netkit-peer' | 'netkit-primary' | 'tc-ingress' | 'tc-egress';

export interface LinkStep {
  op: 'bpf' | 'tc';
  kind: 'link';
  role: EndpointLinkRole;
  program: string;
  hook: LinkHook;
  ifindex?: number;
  /** bpf links: BPF_TCX_* / BPF_NETKIT_*. */
  attachType?: number;
  /** tc: the clsact direction. */
  tcDirection?: 'ingress' | 'egress';
  /** bpf links: where the link is pinned. */
  pin?: string;
  what: string;
}

export interface MapWriteStep {
  op: 'bpf';
  kind: 'map-write';
  map: L.MapName;
  key?: Buffer;
  value?: Buffer;
  /** BPF_ANY, or BPF_NOEXIST (an existing entry is kept). */
  flags: number;
  what: string;
}

export type DatapathStep = LinkStep | MapWriteStep;

const HOOKS: Record<LinkHook, { attachType?: number; tc?: 'ingress' | 'egress'; words: string }> = {
  'tcx-ingress': { attachType: BPF.BPF_TCX_INGRESS, words: 'tcx ingress' },
  'tcx-egress': { attachType: BPF.BPF_TCX_EGRESS, words: 'tcx egress' },
  'netkit-peer': { attachType: BPF.BPF_NETKIT_PEER, words: 'netkit peer' },
  'netkit-primary': { attachType: BPF.BPF_NETKIT_PRIMARY, words: 'netkit primary' },
  'tc-ingress': { tc: 'ingress', words: 'tc clsact ingress (cls_bpf, direct-action)' },
  'tc-egress': { tc: 'egress', words: 'tc clsact egress (cls_bpf, direct-action)' },
};

/** Which hook runs which program (docs/architecture.md#bpf-programs): from-pod sees traffic leaving the pod, to-pod entering it. */
export function hooksFor(mode: OperationalMode, tcx: boolean): Record<EndpointLinkRole, LinkHook> {
  if (isNetkit(mode)) return { 'from-pod': 'netkit-peer', 'to-pod': 'netkit-primary' };
  if (tcx) return { 'from-pod': 'tcx-ingress', 'to-pod': 'tcx-egress' };
  return { 'from-pod': 'tc-ingress', 'to-pod': 'tc-egress' };
}

/**
 * Whether a link (by its BPF_OBJ_GET_INFO_BY_FD info) is the one on this step's hook. tcx and netkit
 * PRIMARY links report the device's ifindex; a netkit PEER link reports the *peer's* ifindex (a
 * device in the pod netns), so for it we ask the hook instead: PROG_QUERY through the primary must
 * list the link. `queryLinks` returns the link ids on (ifindex, attachType).
 */
export function linkIsOnHook(
  st: Pick<LinkStep, 'hook' | 'ifindex' | 'attachType'>,
  info: { id: number; ifindex: number; attachType: number },
  queryLinks: (ifindex: number, attachType: number) => number[],
): boolean {
  if (info.ifindex === 0 || info.attachType !== st.attachType || st.ifindex === undefined) return false;
  if (st.hook === 'netkit-peer') return queryLinks(st.ifindex, st.attachType).includes(info.id);
  return info.ifindex === st.ifindex;
}

export function endpointFlags(mode: OperationalMode, antiSpoof: boolean): number {
  return (antiSpoof ? L.PL_F_ANTI_SPOOF : 0) | (isLayer2(mode) ? L.PL_F_L2 : 0) | (isNetkit(mode) ? L.PL_F_NETKIT : 0);
}

const ZERO_MAC = '00:00:00:00:00:00';

/** The MAC the maps carry: the pod's in L2 modes, zero in netkit L3 (the device has none). */
export function endpointMac(s: EndpointSpec): string {
  if (!isLayer2(s.mode)) return ZERO_MAC;
  if (s.podMac) return s.podMac;
  if (s.antiSpoof) {
    throw new DatapathError(
      `plan endpoint ${s.hostIfName}`,
      `the pod MAC is required in ${s.mode} mode with anti-spoofing`,
      'pass podMac (read back from the pod device)',
    );
  }
  return ZERO_MAC;
}

const dev = (s: EndpointSpec) => (s.hostIfindex === undefined ? s.hostIfName : `${s.hostIfName} (ifindex ${s.hostIfindex})`);

/**
 * Which part of an endpoint's attach to plan: all of it, or one hook. ADD attaches the from-pod hook
 * (with the map entries) first and the to-pod hook after the pod side, so that work runs inside the grace
 * period the second link create would otherwise wait out (docs/architecture.md#two-attach-steps).
 */
export type AttachPart = 'all' | EndpointLinkRole;

export function linkSteps(s: EndpointSpec, paths: PinPaths = pinPaths(s.bpfRoot), part: AttachPart = 'all'): LinkStep[] {
  const hooks = hooksFor(s.mode, s.tcx);
  const roles = part === 'all' ? (['from-pod', 'to-pod'] as const) : [part];
  return roles.map((role): LinkStep => {
    const hook = hooks[role];
    const h = HOOKS[hook];
    const program = PROGRAM_NAMES[role];
    if (h.tc) {
      return {
        op: 'tc',
        kind: 'link',
        role,
        program,
        hook,
        ifindex: s.hostIfindex,
        tcDirection: h.tc,
        what: `attach ${program} to ${h.words} of ${dev(s)}`,
      };
    }
    const pin = paths.linkPin(s.hostIfName, role);
    const on = isNetkit(s.mode) ? `netkit primary ${dev(s)}` : dev(s);
    return {
      op: 'bpf',
      kind: 'link',
      role,
      program,
      hook,
      ifindex: s.hostIfindex,
      attachType: h.attachType,
      pin,
      what: `create ${h.words} link running ${program} on ${on}, pin at ${pin}`,
    };
  });
}

/**
 * The entries that carry the pod's IPs: its config (anti-spoofing allows exactly these sources) and
 * one endpoint entry per IP. Attach writes them with no IPs; publish rewrites them once IPAM answered.
 */
export function podSteps(s: EndpointSpec): MapWriteStep[] {
  const known = s.hostIfindex !== undefined;
  const flags = endpointFlags(s.mode, s.antiSpoof);
  // Descriptive plans (--dry-run) run before the pod MAC is known.
  const macKnown = known || !isLayer2(s.mode) || s.podMac !== undefined;
  const mac = macKnown ? endpointMac(s) : ZERO_MAC;
  const macText = macKnown ? mac : '(pod MAC)';
  const { ip4, ip6 } = L.splitIps(s.ips);
  const steps: MapWriteStep[] = [];
  steps.push({
    op: 'bpf',
    kind: 'map-write',
    map: L.MAPS.podCfg,
    key: known ? L.encodeIfindexKey(s.hostIfindex!) : undefined,
    value: L.encodePodConfig({ flags, mac, ip4, ip6 }),
    flags: BPF.BPF_ANY,
    what:
      `write ${L.MAPS.podCfg}[${dev(s)}] = {flags 0x${flags.toString(16)}${s.antiSpoof ? ' anti-spoof' : ''}, ` +
      `mac ${macText}, ips ${s.ips.join(' ') || 'none yet'}}`,
  });
  for (const ip of s.ips) {
    steps.push({
      op: 'bpf',
      kind: 'map-write',
      map: L.MAPS.endpoints,
      key: L.encodeEndpointKey(ip),
      value: known ? L.encodeEndpointInfo({ ifindex: s.hostIfindex!, flags, mac }) : undefined,
      flags: BPF.BPF_ANY,
      what: `write ${L.MAPS.endpoints}[${ip}] = {ifindex of ${dev(s)}, mac ${macText}}`,
    });
  }
  return steps;
}

/** Every map entry of an endpoint: the cluster CIDRs, the pod's entries, and its counters. */
export function mapSteps(s: EndpointSpec): MapWriteStep[] {
  const known = s.hostIfindex !== undefined;
  const steps: MapWriteStep[] = [];
  for (const cidr of s.clusterCIDRs ?? []) {
    const value = L.encodeCidrOrigin(L.CIDR_CONFIGURED);
    const what = `ensure cluster CIDR ${cidr} in ${L.MAPS.cidrs}`;
    steps.push({ op: 'bpf', kind: 'map-write', map: L.MAPS.cidrs, key: L.encodeCidrKey(cidr), value, flags: BPF.BPF_ANY, what });
  }
  steps.push(...podSteps(s));
  steps.push({
    op: 'bpf',
    kind: 'map-write',
    map: L.MAPS.stats,
    key: known ? L.encodeIfindexKey(s.hostIfindex!) : undefined,
    value: Buffer.alloc(L.SIZES.stats),
    flags: BPF.BPF_NOEXIST,
    what: `create counters ${L.MAPS.stats}[${dev(s)}]`,
  });
  return steps;
}

/**
 * Map entries first (the programs find their config the moment they run), then the hooks. The map
 * entries go with the from-pod part: the to-pod part alone only adds its link.
 */
export function planAttachEndpoint(s: EndpointSpec, paths: PinPaths = pinPaths(s.bpfRoot), part: AttachPart = 'all'): DatapathStep[] {
  return [...(part === 'to-pod' ? [] : mapSteps(s)), ...linkSteps(s, paths, part)];
}

export function describeSteps(steps: DatapathStep[]): string[] {
  return steps.map((st) => `${st.op}: ${st.what}`);
}
