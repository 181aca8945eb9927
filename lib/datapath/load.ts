// Load the datapath object once per node and pin it; open the pins afterwards. Idempotent and safe
// for concurrent callers: maps and programs are pinned into a private temporary directory that is
// then renamed into place; rename(2) onto a non-empty directory fails, so exactly one loader wins
// and the others throw their copy away and open the winner's. The verifier never runs per pod.
// May import: lib/bpf, lib/util, ./lazy-pins, ./object, ./paths.
import * as fs from 'node:fs';
import { BpfError, BpfMap, BpfProgram, DEFAULT_BPFFS, ensureBpffs, ensurePinDir, isBpffs, loadCollection } from '../bpf/index.js';
import type { Sys } from '../sys/index.js';
import { noteNodeSetup, sha256Hex, withLock } from '../util/index.js';
import { LazyPins } from './lazy-pins.js';
import { datapathObject, type DatapathObject } from './object.js';
import { PROGRAM_NAMES, PROGRAM_ROLES, pinPaths, type PinPaths, type ProgramRole } from './paths.js';

export interface PinnedDatapath {
  object: DatapathObject;
  paths: PinPaths;
  /** Opened on first use (./lazy-pins). */
  maps: LazyPins<string, BpfMap>;
  programs: LazyPins<ProgramRole, BpfProgram>;
  close(): void;
}

export interface LoadResult {
  objectHash: string;
  layoutHash: string;
  /** This call created the shared maps / loaded the programs (false: reused existing pins). */
  createdMaps: boolean;
  loadedPrograms: boolean;
}

const exists = (p: string) => fs.existsSync(p);

/** The pin root must be on bpffs (ensureLoaded mounts /sys/fs/bpf when the root is under it; see lib/bpf ensureBpffs). */
function requireBpffs(root: string): void {
  let p = root;
  while (!exists(p) && p.includes('/')) p = p.slice(0, p.lastIndexOf('/')) || '/';
  if (!isBpffs(p)) {
    const hint =
      `mount bpffs on a directory that holds ${root} (mount -t bpf bpffs DIR), ` +
      'or use a bpfRoot under /sys/fs/bpf: podlink mounts that one';
    throw new BpfError(`load datapath into ${root}`, `${p} is not on a bpffs mount`, { hint });
  }
}

function rmrf(p: string): void {
  fs.rmSync(p, { recursive: true, force: true });
}

/** Remove temporary directories left by loaders that died (their pid is gone). */
function sweepTemp(parent: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(parent);
  } catch {
    return;
  }
  for (const e of entries) {
    const m = /^tmp-[0-9a-f]+-(\d+)-[0-9a-f]+$/.exec(e);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') rmrf(`${parent}/${e}`);
    }
  }
}

function tempDirFor(finalDir: string, hash: string): string {
  const parent = finalDir.slice(0, finalDir.lastIndexOf('/'));
  sweepTemp(parent);
  const dir = `${parent}/tmp-${hash}-${process.pid}-${Math.floor(Math.random() * 2 ** 32).toString(16)}`; // bpffs refuses '.' in names
  ensurePinDir(dir);
  return dir;
}

/** rename(tmp, final); false if another loader published first (tmp is then removed). */
function publish(tmp: string, finalDir: string): boolean {
  try {
    fs.renameSync(tmp, finalDir);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    rmrf(tmp);
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw new BpfError(`publish pins at ${finalDir}`, (e as Error).message, { cause: e });
  }
}

/** Every pin of `pins` open now, as a plain Map the caller closes; none left open when one fails. */
function openAll<K, V extends { close(): void }>(pins: LazyPins<K, V>): Map<K, V> {
  try {
    return new Map(pins.openAll());
  } catch (e) {
    pins.close();
    throw e;
  }
}

const openMaps = (sys: Sys, obj: DatapathObject, paths: PinPaths): Map<string, BpfMap> => openAll(lazyMaps(sys, obj, paths));

/** Opens the shared maps, creating and pinning them first if nobody has. */
function ensureMaps(sys: Sys, obj: DatapathObject, paths: PinPaths): { maps: Map<string, BpfMap>; created: boolean } {
  const dir = paths.mapsDir(obj.layoutHash);
  if (exists(dir)) return { maps: openMaps(sys, obj, paths), created: false };
  const tmp = tempDirFor(dir, obj.layoutHash);
  const made: BpfMap[] = [];
  try {
    for (const spec of obj.sharedMaps) {
      const m = BpfMap.create(sys, spec);
      made.push(m);
      m.pin(`${tmp}/${spec.name}`);
    }
  } catch (e) {
    for (const m of made) m.close();
    rmrf(tmp);
    throw e;
  }
  for (const m of made) m.close();
  const created = publish(tmp, dir);
  return { maps: openMaps(sys, obj, paths), created };
}

const openPrograms = (sys: Sys, obj: DatapathObject, paths: PinPaths): Map<ProgramRole, BpfProgram> =>
  openAll(lazyPrograms(sys, obj, paths));

/** Pinned programs must use the pinned maps (a maps directory recreated under them would orphan them). */
function programsUseMaps(
  obj: DatapathObject,
  programs: Iterable<[ProgramRole, BpfProgram]>,
  maps: { get(name: string): BpfMap | undefined },
): string[] {
  const problems: string[] = [];
  for (const [role, prog] of programs) {
    const ids = new Set(prog.info().mapIds);
    for (const name of obj.programMaps[PROGRAM_NAMES[role]] ?? []) {
      const m = maps.get(name);
      if (m && !ids.has(m.info().id)) problems.push(`program ${role} does not use the pinned map ${name}`);
    }
  }
  return problems;
}

function ensurePrograms(sys: Sys, obj: DatapathObject, paths: PinPaths, maps: Map<string, BpfMap>): boolean {
  const dir = paths.progsDir(obj.objectHash);
  if (exists(dir)) {
    const progs = openPrograms(sys, obj, paths);
    try {
      if (programsUseMaps(obj, progs, maps).length === 0) return false;
    } finally {
      for (const p of progs.values()) p.close();
    }
    rmrf(dir); // stale: bound to maps that are no longer pinned; load again below
  }
  const coll = loadCollection(sys, obj.spec, { maps, programs: PROGRAM_ROLES.map((r) => PROGRAM_NAMES[r]) });
  const tmp = tempDirFor(dir, obj.objectHash);
  try {
    for (const role of PROGRAM_ROLES) coll.program(PROGRAM_NAMES[role]).pin(`${tmp}/${role}`);
  } catch (e) {
    rmrf(tmp);
    throw e;
  } finally {
    coll.close();
  }
  return publish(tmp, dir);
}

/** Loads and pins the object unless pins for it already exist. */
export function loadAndPin(sys: Sys, bpfRoot: string, object: DatapathObject = datapathObject()): LoadResult {
  noteNodeSetup('loaded the BPF datapath');
  const paths = pinPaths(bpfRoot);
  requireBpffs(paths.root);
  ensurePinDir(`${paths.root}/progs`);
  ensurePinDir(`${paths.root}/maps`);
  const { maps, created } = ensureMaps(sys, object, paths);
  try {
    const loaded = ensurePrograms(sys, object, paths, maps);
    return { objectHash: object.objectHash, layoutHash: object.layoutHash, createdMaps: created, loadedPrograms: loaded };
  } finally {
    for (const m of maps.values()) m.close();
  }
}

/** Whether the pins of this object exist (maps and programs). */
export function isLoaded(bpfRoot: string, object: DatapathObject = datapathObject()): boolean {
  const paths = pinPaths(bpfRoot);
  return (
    object.sharedMaps.every((m) => exists(paths.mapPin(object.layoutHash, m.name))) &&
    PROGRAM_ROLES.every((r) => exists(paths.programPin(object.objectHash, r)))
  );
}

/**
 * Mounts bpffs (when bpfRoot lives under /sys/fs/bpf) and loads + pins the programs if missing, under a
 * per-root lock so that concurrent first ADDs load once. True when this call loaded them.
 */
export function ensureLoaded(sys: Sys, bpfRoot: string): boolean {
  if (bpfRoot.startsWith(`${DEFAULT_BPFFS}/`) && !isBpffs(DEFAULT_BPFFS)) ensureBpffs(sys);
  if (isLoaded(bpfRoot)) return false;
  const lock = `/run/podlink/locks/bpf-${sha256Hex(bpfRoot).slice(0, 16)}.lock`;
  return withLock(lock, () => (isLoaded(bpfRoot) ? false : loadAndPin(sys, bpfRoot).loadedPrograms));
}

/** The pinned maps and programs, each opened on first use; loads them first when `load` (default) and they are missing. */
export function openDatapath(sys: Sys, bpfRoot: string, opts: { load?: boolean; object?: DatapathObject } = {}): PinnedDatapath {
  const object = opts.object ?? datapathObject();
  const paths = pinPaths(bpfRoot);
  if ((opts.load ?? true) && !isLoaded(bpfRoot, object)) loadAndPin(sys, bpfRoot, object);
  const maps = lazyMaps(sys, object, paths);
  const programs = lazyPrograms(sys, object, paths);
  return {
    object,
    paths,
    maps,
    programs,
    close() {
      programs.close();
      maps.close();
    },
  };
}

function lazyMaps(sys: Sys, object: DatapathObject, paths: PinPaths): LazyPins<string, BpfMap> {
  const specs = new Map(object.sharedMaps.map((m) => [m.name, m]));
  return new LazyPins([...specs.keys()], (name) => BpfMap.openPinned(sys, paths.mapPin(object.layoutHash, name), specs.get(name)!));
}

function lazyPrograms(sys: Sys, object: DatapathObject, paths: PinPaths): LazyPins<ProgramRole, BpfProgram> {
  return new LazyPins(PROGRAM_ROLES, (role) => BpfProgram.openPinned(sys, paths.programPin(object.objectHash, role)));
}

/** Only the shared maps, each opened on first use (DEL, CHECK and counters: never loads anything). Undefined when they are not pinned. */
export function openDatapathMaps(
  sys: Sys,
  bpfRoot: string,
  object: DatapathObject = datapathObject(),
): LazyPins<string, BpfMap> | undefined {
  const paths = pinPaths(bpfRoot);
  if (!exists(paths.mapsDir(object.layoutHash))) return undefined;
  return lazyMaps(sys, object, paths);
}

/** Problems with the node-level pins (empty = ready): what STATUS reports. */
export function datapathProblems(sys: Sys, bpfRoot: string, object: DatapathObject = datapathObject()): string[] {
  const paths = pinPaths(bpfRoot);
  const problems: string[] = [];
  try {
    requireBpffs(paths.root);
  } catch (e) {
    return [(e as Error).message];
  }
  for (const m of object.sharedMaps) {
    const pin = paths.mapPin(object.layoutHash, m.name);
    if (!exists(pin)) problems.push(`map ${m.name} is not pinned at ${pin}`);
  }
  for (const r of PROGRAM_ROLES) {
    const pin = paths.programPin(object.objectHash, r);
    if (!exists(pin)) problems.push(`program ${r} is not pinned at ${pin}`);
  }
  if (problems.length > 0) return problems;
  let dp: PinnedDatapath | undefined;
  try {
    dp = openDatapath(sys, bpfRoot, { load: false, object });
    dp.maps.openAll();
    dp.programs.openAll();
    return programsUseMaps(object, dp.programs, dp.maps);
  } catch (e) {
    return [(e as Error).message];
  } finally {
    dp?.close();
  }
}
