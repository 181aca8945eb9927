// Pin layout under the bpffs root (docs/architecture.md#bpffs-layout). Every name is derivable again by DEL: programs by
// object hash, shared maps by their layout hash, links by the host interface name. Pure.

export const DEFAULT_BPF_ROOT = '/sys/fs/bpf/podlink';

export type ProgramRole = 'from-pod' | 'to-pod' | 'from-uplink' | 'from-tunnel';
export const PROGRAM_ROLES: readonly ProgramRole[] = ['from-pod', 'to-pod', 'from-uplink', 'from-tunnel'];

/** Role → function name in podlink.bpf.c (also the kernel program name). */
export const PROGRAM_NAMES: Record<ProgramRole, string> = {
  'from-pod': 'pl_from_pod',
  'to-pod': 'pl_to_pod',
  'from-uplink': 'pl_from_uplink',
  'from-tunnel': 'pl_from_tunnel',
};

export type EndpointLinkRole = Exclude<ProgramRole, 'from-uplink' | 'from-tunnel'>;

export interface PinPaths {
  root: string;
  progsDir(objectHash: string): string;
  programPin(objectHash: string, role: ProgramRole): string;
  mapsDir(layoutHash: string): string;
  mapPin(layoutHash: string, name: string): string;
  linksDir(hostIfName: string): string;
  linkPin(hostIfName: string, role: EndpointLinkRole): string;
  uplinkDir(ifName: string): string;
  uplinkPin(ifName: string): string;
  /** The tunnel device's from-tunnel link. */
  tunnelPin(ifName: string): string;
}

/** bpffs refuses names containing '.', so pin components are [A-Za-z0-9_@-]. */
function safeName(s: string): string {
  if (!/^[A-Za-z0-9_@-]{1,64}$/.test(s)) throw new RangeError(`unsafe pin name component: ${JSON.stringify(s)}`);
  return s;
}

export function pinPaths(root: string = DEFAULT_BPF_ROOT): PinPaths {
  const r = root.replace(/\/+$/, '');
  return {
    root: r,
    progsDir: (h) => `${r}/progs/${safeName(h)}`,
    programPin: (h, role) => `${r}/progs/${safeName(h)}/${role}`,
    mapsDir: (h) => `${r}/maps/${safeName(h)}`,
    mapPin: (h, name) => `${r}/maps/${safeName(h)}/${safeName(name)}`,
    linksDir: (ifn) => `${r}/links/${safeName(ifn)}`,
    linkPin: (ifn, role) => `${r}/links/${safeName(ifn)}/${role}`,
    uplinkDir: (ifn) => `${r}/uplinks/${safeName(ifn)}`,
    uplinkPin: (ifn) => `${r}/uplinks/${safeName(ifn)}/from-uplink`,
    tunnelPin: (ifn) => `${r}/uplinks/${safeName(ifn)}/from-tunnel`,
  };
}
