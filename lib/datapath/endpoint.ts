// Executor for the endpoint plan: write the map entries, then create and pin the links (or tc
// filters); publishEndpoint adds the pod's IPs once they are known. attach is an ensure: re-running it
// converges (an existing link on the right hook is updated in place with LINK_UPDATE; a defunct one is
// replaced). On failure, what this call did is undone. See detach.ts and check.ts for the reverse and the audit.
// May import: lib/bpf, lib/sys, ./plan, ./load, ./layout, ./paths.
import * as fs from 'node:fs';
import * as BPF from '../bpf/consts.js';
import { BpfLink, attachNetkit, attachTcx, ensurePinDir, isBpfErrno, queryHook, removePin, type BpfProgram } from '../bpf/index.js';
import { E, type Sys } from '../sys/index.js';
import * as L from './layout.js';
import { openDatapath, type PinnedDatapath } from './load.js';
import type { DatapathObject } from './object.js';
import {
  DatapathError,
  linkIsOnHook,
  planAttachEndpoint,
  podSteps,
  type AttachPart,
  type EndpointSpec,
  type LinkStep,
  type MapWriteStep,
} from './plan.js';
import type { TcClient } from './tc-client.js';

export interface DatapathDeps {
  sys: Sys;
  /** Legacy tc attach (no tcx): a netlink client in the host netns. */
  tc?: TcClient;
  /** The object to use (default: the one this build ships). */
  object?: DatapathObject;
  /** The caller made sure this call that the object is pinned (ensureLoaded): its 12 pins are not checked again. */
  loaded?: boolean;
}

type Undo = () => void;

function runUndo(undo: Undo[]): void {
  for (const u of undo.reverse()) {
    try {
      u();
    } catch {
      // best effort: the original error is the one to report
    }
  }
}

function writeMap(dp: PinnedDatapath, st: MapWriteStep, undo: Undo[]): void {
  if (!st.key || !st.value) throw new DatapathError(st.what, 'the plan is descriptive only (no ifindex)');
  const key = st.key;
  const m = dp.maps.get(st.map)!;
  const before = m.lookup(key);
  if (before && st.flags === BPF.BPF_NOEXIST) return;
  m.update(key, st.value, BPF.BPF_ANY);
  if (st.map === L.MAPS.cidrs) return; // node-wide: never rolled back
  undo.push(before ? () => m.update(key, before) : () => void m.delete(key));
}

/** Open a pinned link, detach it and remove the pin. Returns false if there was no pin. */
export function unpinLink(sys: Sys, pin: string): boolean {
  if (!fs.existsSync(pin)) return false;
  try {
    const link = BpfLink.openPinned(sys, pin);
    try {
      link.detach();
    } catch {
      // defunct links detach as a no-op; older kernels may lack LINK_DETACH: removing the pin suffices
    } finally {
      link.close();
    }
  } catch (e) {
    if (!isBpfErrno(e, E.ENOENT)) throw e;
  }
  return removePin(pin);
}

function createLink(sys: Sys, st: LinkStep, prog: BpfProgram): BpfLink {
  if (st.hook === 'netkit-peer' || st.hook === 'netkit-primary') {
    return attachNetkit(sys, { program: prog, primaryIfindex: st.ifindex!, hook: st.hook === 'netkit-peer' ? 'peer' : 'primary' });
  }
  return attachTcx(sys, { program: prog, ifindex: st.ifindex!, direction: st.hook === 'tcx-ingress' ? 'ingress' : 'egress' });
}

/** Link ids on a hook; none when the hook cannot be queried (device gone). */
export function safeLinkIds(sys: Sys, ifindex: number, attachType: number): number[] {
  try {
    return queryHook(sys, ifindex, attachType).linkIds;
  } catch {
    return [];
  }
}

/** Ensure a pinned link runs `prog` on the step's hook: reuse (LINK_UPDATE) or replace a stale pin. */
function ensureLink(sys: Sys, st: LinkStep, prog: BpfProgram, undo: Undo[]): void {
  const pin = st.pin!;
  ensurePinDir(pin.slice(0, pin.lastIndexOf('/')));
  if (fs.existsSync(pin)) {
    const link = BpfLink.openPinned(sys, pin);
    try {
      const info = link.info();
      if (linkIsOnHook(st, info, (i, a) => safeLinkIds(sys, i, a))) {
        if (info.progId === prog.info().id) return;
        try {
          link.update(prog);
          return;
        } catch (e) {
          if (!isBpfErrno(e, E.ENOLINK)) throw e; // device gone since info(): replace below
        }
      }
    } finally {
      link.close();
    }
    unpinLink(sys, pin); // defunct (device deleted) or attached elsewhere
  }
  const link = createLink(sys, st, prog);
  try {
    link.pin(pin);
  } finally {
    link.close(); // the pin keeps it attached; without the pin, close detaches it
  }
  undo.push(() => void unpinLink(sys, pin));
}

function ensureTcFilter(tc: TcClient | undefined, st: LinkStep, prog: BpfProgram, undo: Undo[]): void {
  if (!tc) throw new DatapathError(st.what, 'no tcx on this kernel and no tc (netlink) client was provided', 'pass deps.tc');
  const ifindex = st.ifindex!;
  const dir = st.tcDirection!;
  tc.ensureClsact(ifindex);
  tc.replaceBpfFilter(ifindex, dir, prog.fd, st.program);
  undo.push(() => void tc.deleteBpfFilter(ifindex, dir));
}

export interface AttachResult {
  /** Pins created or reused (links). */
  pins: string[];
  /** The steps, in words. */
  done: string[];
}

export function attachEndpoint(deps: DatapathDeps, spec: EndpointSpec, part: AttachPart = 'all'): AttachResult {
  if (spec.hostIfindex === undefined) throw new DatapathError(`attach ${spec.hostIfName}`, 'hostIfindex is required');
  const steps = planAttachEndpoint(spec, undefined, part);
  const dp = openDatapath(deps.sys, spec.bpfRoot, { object: deps.object, load: !deps.loaded });
  const undo: Undo[] = [];
  try {
    for (const st of steps) {
      if (st.kind === 'map-write') writeMap(dp, st, undo);
      else if (st.op === 'bpf') ensureLink(deps.sys, st, dp.programs.get(st.role)!, undo);
      else ensureTcFilter(deps.tc, st, dp.programs.get(st.role)!, undo);
    }
    return { pins: steps.flatMap((s) => (s.kind === 'link' && s.pin ? [s.pin] : [])), done: steps.map((s) => s.what) };
  } catch (e) {
    runUndo(undo);
    throw e;
  } finally {
    dp.close();
  }
}

/**
 * The map entries alone, for an endpoint whose links are attached already: ADD attaches before the
 * pod's IPs are known (IPAM runs meanwhile), then publishes them. Until then the pod's config carries
 * no IPs, so anti-spoofing drops whatever the pod sends, and no other endpoint redirects to it.
 */
export function publishEndpoint(deps: DatapathDeps, spec: EndpointSpec): void {
  if (spec.hostIfindex === undefined) throw new DatapathError(`publish ${spec.hostIfName}`, 'hostIfindex is required');
  const dp = openDatapath(deps.sys, spec.bpfRoot, { object: deps.object, load: !deps.loaded });
  const undo: Undo[] = [];
  try {
    for (const st of podSteps(spec)) writeMap(dp, st, undo);
  } catch (e) {
    runUndo(undo);
    throw e;
  } finally {
    dp.close();
  }
}
