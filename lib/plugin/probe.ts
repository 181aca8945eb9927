// The node-level probe: kernel features → operational mode → the mode file (atomic, under a lock).
// ADD runs the same probe lazily, once, when the mode file is missing.
import * as fs from 'node:fs';
import type { Sys } from '../sys/index.js';
import {
  probeNetkit,
  readModeFile,
  resolveMode,
  writeModeFile,
  MODE_FILE_VERSION,
  type KernelFeatures,
  type Mode,
  type ModeFile,
} from '../connector/index.js';
import { isoTime, noteNodeSetup, withLock } from '../util/index.js';
import { hintForConfigPath } from './path-hint.js';

export interface ProbeDeps {
  sys: Sys;
  /** BPF feature probes, supplied by the datapath layer (connector never imports bpf). */
  haveTcx: () => boolean;
  haveBpffs: () => boolean;
}

export function probeFeatures(d: ProbeDeps): KernelFeatures {
  const nk = probeNetkit(d.sys);
  return { ...nk, tcx: d.haveTcx(), bpffs: d.haveBpffs() };
}

export function kernelRelease(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    return 'unknown (no /proc/sys/kernel/osrelease)';
  }
}

/** Probes and resolves; throws FeatureMissingError for an explicit netkit mode the kernel lacks. */
export function probe(d: ProbeDeps, configured: Mode): ModeFile {
  const features = probeFeatures(d);
  const r = resolveMode(configured, features);
  return {
    v: MODE_FILE_VERSION,
    configured,
    operational: r.operational,
    reason: r.reason,
    kernel: kernelRelease(),
    features,
    probedAt: isoTime(),
  };
}

/** Reads the mode file, or probes and writes it under the lock when it is missing (first ADD on a node). */
export function loadOrProbeModeFile(d: ProbeDeps, configured: Mode, file: string, onProbe?: (m: ModeFile) => void): ModeFile {
  const existing = readModeFile(file);
  if (existing) return existing;
  try {
    return withLock(`${file}.lock`, () => {
      const again = readModeFile(file);
      if (again) return again;
      noteNodeSetup('probed the kernel');
      const m = probe(d, configured);
      writeModeFile(m, file);
      onProbe?.(m);
      return m;
    });
  } catch (e) {
    throw hintForConfigPath(e, file, "the network config's modeFile must be in a directory podlink can create and write as root");
  }
}
