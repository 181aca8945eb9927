// Constants of the datapath benchmark: durations, CNI settings, and the address plan (10.x only).

export const CNI_PATH = process.env.CNI_PLUGIN_DIR ?? '/usr/lib/cni';
export const CNI_VERSION = '1.0.0';

export const DEFAULTS = { repeat: 3, tputSeconds: 3, rrSeconds: 2, vmTputSeconds: 2, vmRrSeconds: 2, vmTimeoutSeconds: 480, budgetSeconds: 600 };

export const MTUS = [1500, 9000] as const;

/** IPv4 pod subnets per node (host-local ranges), the direct pair and the two-node underlay. */
export const NET = {
  direct1500: ['10.210.0.1', '10.210.0.2'],
  direct9000: ['10.210.1.1', '10.210.1.2'],
  legacy: '10.220.0.0/24',
  bpf: '10.221.0.0/24',
  legacyLoad: '10.222.0.0/24',
  bpfLoad: '10.223.0.0/24',
  node1: '10.217.1.0/24',
  node2: '10.217.2.0/24',
  cluster: '10.217.0.0/16',
  underlay: ['10.215.0.1', '10.215.0.2'],
  /** (g) at MTU 1500: a second address pair on the underlay, its subnet route at MTU 1500 */
  underlay1500: ['10.215.1.1', '10.215.1.2'],
  underlay1500Net: '10.215.1.0/24',
  uplink: '10.229.0.1/24',
  uplinkGw: '10.229.0.254',
  /** (i) flannel by hand: its two nodes' pod subnets and their own copy of the underlay */
  flannel1: '10.218.1.0/24',
  flannel2: '10.218.2.0/24',
  flannelUnderlay: ['10.214.0.1', '10.214.0.2'],
  /** (j) podlink tunnel: its two nodes' pod subnets, cluster CIDR and underlay */
  tunnel1: '10.216.1.0/24',
  tunnel2: '10.216.2.0/24',
  tunnelCluster: '10.216.0.0/16',
  tunnelUnderlay: ['10.213.0.1', '10.213.0.2'],
  vmVeth: '10.231.0.0/24',
  vmNetkit: '10.232.0.0/24',
} as const;

/** VXLAN's overhead on an IPv4 underlay (outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14). */
export const VXLAN_OVERHEAD = 50;
/** (i)/(j)'s underlay MTU: the tunnel devices get 9000 (uplink − 50), so their pods run at the same MTUs as (f)'s. */
export const TUNNEL_UNDERLAY_MTU = 9000 + VXLAN_OVERHEAD;
