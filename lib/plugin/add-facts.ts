// What ADD acts on besides its config: the derived names, the pod netns, the datapath mode, the MTU,
// what an earlier ADD of this attachment left, the IPAM plugin. ADD's steps compute these with the
// functions here and word their operations from the same values; surveyAdd reads all of them for
// --dry-run and changes nothing (a missing mode file is probed in memory, never written).
import { attachmentNames, readModeFile, resolveMode, type Mode, type ModeFile, type OperationalMode } from '../connector/index.js';
import { Code, CniError } from '../cni/errors.js';
import type { PodDatapath } from '../datapath/index.js';
import { Netlink, type Link } from '../netlink/index.js';
import { netlinkIn, openNetns, sameNetns, type NetnsHandle } from '../netns/index.js';
import { readRecord, recordPath, type EndpointRecord } from './endpoint-record.js';
import { ipamPluginPath } from './ipam-calls.js';
import { podMtu, type PodMtu } from './mtu.js';
import { probe, type ProbeDeps } from './probe.js';
import type { Request } from './types.js';

export interface AddNames {
  hostIfName: string;
  hostMac: Buffer;
  podMac: Buffer;
  recFile: string;
}

/** What every ADD step has from the start. */
export interface AddBase {
  req: Request;
  dp: PodDatapath;
  names: AddNames;
  probeDeps: () => ProbeDeps;
}

export function addBase(req: Request, dp: PodDatapath, probeDeps: () => ProbeDeps): AddBase {
  const { containerId, ifname } = req.env;
  const names = { ...attachmentNames(containerId, ifname), recFile: recordPath(req.conf.stateDir, containerId, ifname) };
  return { req, dp, names, probeDeps };
}

export interface PodHandles {
  netns: NetnsHandle;
  hostNl: Netlink;
  podNl: Netlink;
}

/** Opens the pod netns (refusing our own) and a netlink socket on each side; `close` releases them. */
export function openPod(req: Request, onOpen: (close: () => void) => void): PodHandles {
  const { env } = req;
  const netns = openNetns(req.sys(), env.netns);
  onOpen(() => netns.close());
  if (sameNetns(env.netns, '/proc/thread-self/ns/net')) {
    throw new CniError(Code.InvalidEnv, `CNI_NETNS ${env.netns} is the plugin's own network namespace`, 'pass the pod sandbox netns');
  }
  const hostNl = Netlink.open(req.sys());
  onOpen(() => hostNl.close());
  const podNl = netlinkIn(req.sys(), netns.fd);
  onOpen(() => podNl.close());
  return { netns, hostNl, podNl };
}

export interface DatapathMode {
  operational: OperationalMode;
  reason: string;
  tcx: boolean;
  scrub: boolean;
}

export function datapathMode(configured: Mode, mf: ModeFile): DatapathMode {
  const r = resolveMode(configured, mf.features);
  return { operational: r.operational, reason: r.reason, tcx: mf.features.tcx, scrub: mf.features.netkitScrub };
}

export const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

/** The kernel features a mode stands on, in words. */
export function modeWords(m: DatapathMode): string {
  return `operational mode ${m.operational} (${m.reason}); tcx ${yesNo(m.tcx)}, netkit scrub ${yesNo(m.scrub)}`;
}

export interface AddFacts extends AddBase {
  podIfExists: boolean;
  /** The mode file, or undefined when it is missing and ADD would probe (`mode` is then this probe's). */
  modeFile: ModeFile | undefined;
  mode: DatapathMode;
  mtu: PodMtu;
  record: EndpointRecord | undefined;
  staleDevice: Link | undefined;
  ipamPath: string;
}

/** Everything ADD would read, read now. Throws where ADD would fail before changing anything. */
export function surveyAdd(base: AddBase): AddFacts {
  const { req, names } = base;
  const closers: (() => void)[] = [];
  try {
    const h = openPod(req, (c) => closers.push(c));
    const modeFile = readModeFile(req.conf.modeFile);
    return {
      ...base,
      podIfExists: h.podNl.linkByName(req.env.ifname) !== undefined,
      modeFile,
      mode: datapathMode(req.conf.mode, modeFile ?? probe(base.probeDeps(), req.conf.mode)),
      mtu: podMtu(req.conf, h.hostNl),
      record: readRecord(names.recFile),
      staleDevice: h.hostNl.linkByName(names.hostIfName),
      ipamPath: ipamPluginPath(req),
    };
  } finally {
    for (const c of closers.reverse()) c();
  }
}
