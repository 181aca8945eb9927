// After an upgrade (a new object hash), move every pinned link onto the new programs with
// BPF_LINK_UPDATE: the hook keeps exactly one podlink program and traffic never sees a gap. Only when
// the shared maps kept their layout: new programs bound to freshly created maps would lose every
// endpoint entry, so then the old links stay until their pods are re-created, and we say so.
// Links whose device is gone (ifindex 0) are left for DEL/GC. Legacy tc filters are not pinned links:
// ADD replaces them per pod. May import: lib/bpf, lib/sys, ./load, ./paths, ./object.
import * as fs from 'node:fs';
import { BpfLink, isBpfErrno, removePin } from '../bpf/index.js';
import { E } from '../sys/index.js';
import type { DatapathDeps } from './endpoint.js';
import { openDatapath } from './load.js';
import type { ProgramRole } from './paths.js';

export interface UpgradeReport {
  updated: string[];
  current: number;
  defunct: string[];
  /** Why nothing was updated (maps changed layout), if so. */
  skipped?: string;
  /** Program pin directories of older objects that were removed. */
  prunedPrograms: string[];
}

const dirs = (p: string) => (fs.existsSync(p) ? fs.readdirSync(p) : []);

/** Every pinned link with the role its program must have. */
function pinnedLinks(root: string): [string, ProgramRole][] {
  const out: [string, ProgramRole][] = [];
  for (const ifn of dirs(`${root}/links`))
    for (const role of ['from-pod', 'to-pod'] as const)
      if (fs.existsSync(`${root}/links/${ifn}/${role}`)) out.push([`${root}/links/${ifn}/${role}`, role]);
  for (const ifn of dirs(`${root}/uplinks`))
    for (const role of ['from-uplink', 'from-tunnel'] as const)
      if (fs.existsSync(`${root}/uplinks/${ifn}/${role}`)) out.push([`${root}/uplinks/${ifn}/${role}`, role]);
  return out;
}

export function upgradePinnedLinks(deps: DatapathDeps, bpfRoot: string): UpgradeReport {
  const dp = openDatapath(deps.sys, bpfRoot, { object: deps.object });
  const report: UpgradeReport = { updated: [], current: 0, defunct: [], prunedPrograms: [] };
  try {
    const layouts = dirs(`${dp.paths.root}/maps`).filter((d) => !d.startsWith('.'));
    if (layouts.some((l) => l !== dp.object.layoutHash)) {
      report.skipped =
        `the shared maps changed layout (${layouts.join(', ')} → ${dp.object.layoutHash}): ` +
        'existing pods keep their programs until re-created';
      return report;
    }
    const ids = new Map([...dp.programs].map(([role, p]) => [role, p.info().id]));
    for (const [pin, role] of pinnedLinks(dp.paths.root)) {
      const link = BpfLink.openPinned(deps.sys, pin);
      try {
        const info = link.info();
        if (info.ifindex === 0) report.defunct.push(pin);
        else if (info.progId === ids.get(role)) report.current++;
        else {
          try {
            link.update(dp.programs.get(role)!);
            report.updated.push(pin);
          } catch (e) {
            if (!isBpfErrno(e, E.ENOLINK)) throw e;
            report.defunct.push(pin); // the device went away meanwhile
          }
        }
      } finally {
        link.close();
      }
    }
    // Older objects' program pins: links now hold the new programs; a filter or an in-flight ADD of an
    // old binary holds its own reference (and an old binary re-pins what it needs).
    for (const hash of dirs(`${dp.paths.root}/progs`)) {
      if (hash === dp.object.objectHash || hash.startsWith('.')) continue;
      const dir = dp.paths.progsDir(hash);
      for (const f of dirs(dir)) removePin(`${dir}/${f}`);
      fs.rmdirSync(dir);
      report.prunedPrograms.push(dir);
    }
    return report;
  } finally {
    dp.close();
  }
}
