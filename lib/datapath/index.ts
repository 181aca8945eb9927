// lib/datapath: the BPF datapath of an endpoint — a pure plan (which program on which hook, which
// map entries) and a small executor over lib/bpf. Node-level: loadAndPin (once per node, idempotent),
// attachUplink. Per pod: attachEndpoint / detachEndpoint / checkEndpoint / readCounters.
// May import: lib/bpf, lib/sys, lib/codec, lib/util, lib/netlink (IP and MAC helpers, tc client),
// lib/connector (mode type and predicates).
export * from './layout.js';
export {
  DEFAULT_BPF_ROOT,
  PROGRAM_NAMES,
  PROGRAM_ROLES,
  pinPaths,
  type EndpointLinkRole,
  type PinPaths,
  type ProgramRole,
} from './paths.js';
export {
  datapathObject,
  datapathObjectBytes,
  describeObject,
  layoutHashOf,
  objectFromMeta,
  objectMeta,
  type DatapathObject,
  type ObjectMeta,
} from './object.js';
export {
  DatapathError,
  describeSteps,
  endpointFlags,
  endpointMac,
  hooksFor,
  linkSteps,
  mapSteps,
  planAttachEndpoint,
  type AttachPart,
  type DatapathStep,
  type EndpointSpec,
  type LinkHook,
  type LinkStep,
  type MapWriteStep,
} from './plan.js';
export {
  datapathProblems,
  ensureLoaded,
  isLoaded,
  loadAndPin,
  openDatapath,
  openDatapathMaps,
  type LoadResult,
  type PinnedDatapath,
} from './load.js';
export { attachEndpoint, unpinLink, type AttachResult, type DatapathDeps } from './endpoint.js';
export { detachEndpoint, type DetachSpec } from './detach.js';
export { checkEndpoint } from './check.js';
export { readCounters } from './counters.js';
export { attachUplink, describeUplink, detachUplink, type UplinkSpec } from './uplink.js';
export { addLearnedCidr, openClusterCidrs, readClusterCidrs, removeLearnedCidr } from './cluster-cidrs.js';
export {
  addTunnelPeer,
  deleteTunnelPeer,
  deleteTunnelRoute,
  openTunnelMaps,
  readTunnelConfig,
  readTunnelPeers,
  readTunnelRoutes,
  setTunnelRoute,
  writeTunnelConfig,
  type TunnelMaps,
} from './tunnel-maps.js';
export { upgradePinnedLinks, type UpgradeReport } from './upgrade.js';
export { bpfPodDatapath, podDatapathFor, type AttachIntent, type EndpointAttach, type PodDatapath } from './pod-datapath.js';
export type { TcDirection, TcFilterView, TcClient } from './tc-client.js';
