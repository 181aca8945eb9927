// What the plugin verbs receive: the parsed CNI request, independent of how it was parsed.
import type { Sys } from '../sys/index.js';
import type { Mode, Routing } from '../connector/index.js';
import type { Result } from '../cni/result.js';
import type { Logger } from './logger.js';

export interface PodlinkConf {
  cniVersion: string;
  name: string;
  mode: Mode;
  mtu?: number;
  modeFile: string;
  stateDir: string;
  bpfRoot: string;
  antiSpoof: boolean;
  hostRouting: 'auto' | 'bpf' | 'legacy';
  /** How remote pod CIDRs are reached; ADD sizes the pod MTU by it (lib/plugin/mtu.ts). Absent: auto. */
  routing?: Routing;
  clusterCIDRs: string[];
  gsoMaxSize?: number;
  groMaxSize?: number;
  headroom?: number;
  tailroom?: number;
  ipamType?: string;
  dns?: Result['dns'];
  prevResult?: Result;
  validAttachments?: { containerID: string; ifname: string }[];
  /** The whole config as received. */
  raw: Record<string, unknown>;
  /** Its text as received: delegated plugins get these bytes on stdin (JSON.stringify(raw) when absent). */
  rawText?: string;
}

export interface PodlinkEnv {
  containerId: string;
  netns: string;
  ifname: string;
  cniPath: string[];
  /** The environment we were started with (delegated plugins inherit it). */
  vars: Record<string, string | undefined>;
}

export interface Request {
  sys: () => Sys;
  conf: PodlinkConf;
  env: PodlinkEnv;
  dryRun: boolean;
  log: Logger;
}
