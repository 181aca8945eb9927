// The BPF datapath behind lib/plugin's DatapathPort: bpffs mounted if needed, programs and shared maps
// loaded and pinned once per node (under a lock; later ADDs only open the pins, the verifier never
// runs per pod), tc fallback through our netlink client for kernels without tcx.
import { ensureBpffs, isBpffs } from '../lib/bpf/index.js';
import { bpfDatapath, isLoaded, loadAndPin, type TcPort } from '../lib/datapath/index.js';
import { Netlink } from '../lib/netlink/index.js';
import type { DatapathPort } from '../lib/plugin/index.js';
import type { Sys } from '../lib/sys/index.js';
import { sha256Hex, withLock } from '../lib/util/index.js';

const BPFFS = '/sys/fs/bpf';

/** Mounts bpffs (when bpfRoot lives under /sys/fs/bpf) and loads + pins the programs if missing. */
/** Returns true when this call loaded them (false: they were pinned already). */
export function ensureDatapathLoaded(sys: Sys, bpfRoot: string): boolean {
  if (bpfRoot.startsWith(`${BPFFS}/`) && !isBpffs(BPFFS)) ensureBpffs(sys);
  if (isLoaded(bpfRoot)) return false;
  const lock = `/run/podlink/locks/bpf-${sha256Hex(bpfRoot).slice(0, 16)}.lock`;
  return withLock(lock, () => (isLoaded(bpfRoot) ? false : loadAndPin(sys, bpfRoot).loadedPrograms));
}

/** The datapath's legacy tc fallback over our netlink client (opened on first use by `nl`). */
export function tcPortOver(nl: () => Netlink): TcPort {
  return {
    ensureClsact: (i) => nl().ensureClsact(i),
    replaceBpfFilter: (i, d, fd, name, prio) => nl().replaceBpfFilter(i, d, fd, name, prio),
    deleteBpfFilter: (i, d, prio) => nl().deleteBpfFilter(i, d, prio),
    filters: (i, d) => nl().filters(i, d),
  };
}

export function bpfDatapathPort(sys: () => Sys): DatapathPort {
  let nl: Netlink | undefined;
  const tc = tcPortOver(() => (nl ??= Netlink.open(sys())));
  let inner: ReturnType<typeof bpfDatapath> | undefined;
  const dp = () => (inner ??= bpfDatapath({ sys: sys(), tc }));
  // The plugin speaks CIDRs (10.0.0.5/32); the endpoint map is keyed by address.
  const bare = (ips: string[]) => ips.map((i) => i.split('/')[0]!);
  return {
    attachesFromPod: true,
    describeAttach: (a) => [`load and pin the BPF programs under ${a.bpfRoot} if they are not pinned yet (once per node, under a lock)`, ...dp().describeAttach(a)],
    attach(a) {
      ensureDatapathLoaded(sys(), a.bpfRoot);
      return dp().attach({ ...a, ips: bare(a.ips) });
    },
    describePublish: () => dp().describePublish(),
    publish: (a) => dp().publish({ ...a, ips: bare(a.ips) }),
    detach: (bpfRoot, hostIfName, hostIfindex, ips) => dp().detach(bpfRoot, hostIfName, hostIfindex, bare(ips)),
    check: (a) => dp().check({ ...a, ips: bare(a.ips) }),
    ready: (bpfRoot) => dp().ready(bpfRoot),
    close() {
      nl?.close();
      nl = undefined;
    },
  };
}
