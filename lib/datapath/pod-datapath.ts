// What the CNI verbs ask of the datapath for one pod, and its two implementations: the BPF datapath
// (programs loaded and pinned once per node under a lock, later ADDs only open the pins; tc clsact
// through our netlink client on kernels without tcx) and the stack-only one of hostRouting: legacy.
// May import: lib/connector (mode type), lib/netlink (the tc client), lib/sys, ./load, ./endpoint, ./plan.
import type { OperationalMode } from '../connector/index.js';
import { Netlink } from '../netlink/index.js';
import type { Sys } from '../sys/index.js';
import { checkEndpoint } from './check.js';
import { detachEndpoint } from './detach.js';
import { attachEndpoint, publishEndpoint, type DatapathDeps } from './endpoint.js';
import { MAPS } from './layout.js';
import { datapathProblems, ensureLoaded, isLoaded } from './load.js';
import { describeSteps, planAttachEndpoint, type AttachPart } from './plan.js';
import type { TcClient } from './tc-client.js';

/** One pod's endpoint as the verbs know it; IPs are CIDRs (10.0.0.5/32), as CNI results carry them. */
export interface EndpointAttach {
  bpfRoot: string;
  mode: OperationalMode;
  tcx: boolean;
  hostIfName: string;
  hostIfindex: number;
  podIfindex: number;
  hostMac?: string;
  podMac?: string;
  ips: string[];
  antiSpoof: boolean;
  clusterCIDRs: string[];
}

/** What --dry-run knows before the devices exist. */
export type AttachIntent = Omit<EndpointAttach, 'hostIfindex' | 'podIfindex' | 'ips'>;

export interface PodDatapath {
  /**
   * True when attach() installs a from-pod program: netkit pods are then created with peer policy
   * drop (fail-closed until the program is attached). Without one they must forward, or the pod could
   * never send.
   */
  readonly attachesFromPod: boolean;
  /** Operations of attach (or of one part of it) in words, for --dry-run. */
  describeAttach(a: AttachIntent, part?: AttachPart): string[];
  /**
   * Attaches programs, pins links, writes map entries. Returns the pin paths created. `part` attaches
   * the map entries with the from-pod hook, or the to-pod hook alone (default: all of it).
   */
  attach(a: EndpointAttach, part?: AttachPart): string[];
  /** (Re)writes the endpoint's map entries for a.ips: ADD attaches before IPAM has answered. */
  publish(a: EndpointAttach): void;
  /** Operations of publish, in words. */
  describePublish(): string[];
  /** Idempotent: unpins links and removes map entries; missing things are fine. */
  detach(bpfRoot: string, hostIfName: string, hostIfindex: number | undefined, ips: string[]): void;
  /** Problems found (empty = healthy). */
  check(a: EndpointAttach): string[];
  /** Node readiness problems (empty = ready). */
  ready(bpfRoot: string): string[];
  /** Releases what the datapath opened (the tc fallback's netlink socket). Called once per CNI call. */
  close(): void;
}

/** The endpoint map is keyed by address. */
const bare = (ips: string[]) => ips.map((i) => i.replace(/\/.*$/, ''));

/** The tc operations over a netlink socket in our netns, opened on first use only. */
function lazyTc(open: () => Netlink): TcClient & { close(): void } {
  let nl: Netlink | undefined;
  const get = () => (nl ??= open());
  return {
    ensureClsact: (i) => get().ensureClsact(i),
    replaceBpfFilter: (i, d, fd, name, prio) => get().replaceBpfFilter(i, d, fd, name, prio),
    deleteBpfFilter: (i, d, prio) => get().deleteBpfFilter(i, d, prio),
    filters: (i, d) => get().filters(i, d),
    close() {
      nl?.close();
      nl = undefined;
    },
  };
}

export function bpfPodDatapath(sys: () => Sys): PodDatapath {
  const tc = lazyTc(() => Netlink.open(sys()));
  let deps: DatapathDeps | undefined;
  const d = () => (deps ??= { sys: sys(), tc });
  // One CNI call: the roots whose programs attach() made sure are pinned; publish() need not check again.
  const ensured = new Set<string>();
  return {
    attachesFromPod: true,
    describeAttach: (a, part = 'all') => [
      ...(part === 'to-pod'
        ? []
        : [
            isLoaded(a.bpfRoot)
              ? `BPF programs already pinned under ${a.bpfRoot}: open the pins`
              : `load and pin the BPF programs under ${a.bpfRoot} (not pinned yet; once per node, under a lock)`,
          ]),
      ...describeSteps(planAttachEndpoint({ ...a, ips: [], hostIfindex: undefined }, undefined, part)),
    ],
    attach(a, part = 'all') {
      if (!ensured.has(a.bpfRoot)) ensureLoaded(sys(), a.bpfRoot);
      ensured.add(a.bpfRoot);
      return attachEndpoint({ ...d(), loaded: true }, { ...a, ips: bare(a.ips) }, part).pins;
    },
    describePublish: () => [
      `bpf: write the pod IPs into ${MAPS.podCfg}[host device] (anti-spoofing allows them from now on)`,
      `bpf: write ${MAPS.endpoints}[pod IP] = {ifindex of the host device, pod MAC} for each pod IP`,
    ],
    publish: (a) => publishEndpoint({ ...d(), loaded: ensured.has(a.bpfRoot) }, { ...a, ips: bare(a.ips) }),
    detach: (bpfRoot, hostIfName, hostIfindex, ips) => void detachEndpoint(d(), { bpfRoot, hostIfName, hostIfindex, ips: bare(ips) }),
    check: (a) => checkEndpoint(d(), { ...a, ips: bare(a.ips) }),
    ready: (bpfRoot) => datapathProblems(d().sys, bpfRoot),
    close: () => tc.close(),
  };
}

/**
 * hostRouting legacy attaches nothing and the node stack routes the pod, but DEL and GC still detach:
 * a pod created while BPF host routing was on must not leave pins behind after the config changes.
 */
export function podDatapathFor(sys: () => Sys, hostRouting: string): PodDatapath {
  const bpf = bpfPodDatapath(sys);
  if (hostRouting !== 'legacy') return bpf;
  return {
    attachesFromPod: false,
    describeAttach: (_a, part = 'all') =>
      part === 'to-pod'
        ? ['nothing (hostRouting: legacy)']
        : ['no BPF datapath (hostRouting: legacy): pod traffic is routed by the node stack'],
    attach: () => [],
    publish: () => {},
    describePublish: () => [],
    detach: bpf.detach,
    check: () => [],
    ready: () => [],
    close: bpf.close,
  };
}
