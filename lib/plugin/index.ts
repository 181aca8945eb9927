// lib/plugin: the verbs (add, del, check, status, gc) and the node probe, as plans.
// May import: lib/connector, lib/datapath, lib/ipam, lib/cni, lib/netlink, lib/netns, lib/sys, lib/util, lib/log, lib/codec.
export { makeHandlers, toRequest, type PluginDeps } from './handlers.js';
export { probe, probeFeatures, loadOrProbeModeFile, kernelRelease, type ProbeDeps } from './probe.js';
export { readinessProblems } from './status.js';
export { DEFAULT_STATE_DIR, listRecords, readRecord, recordPath, type EndpointRecord } from './endpoint-record.js';
export { Plan } from './plan.js';
export type { Request, PodlinkConf, PodlinkEnv } from './types.js';
