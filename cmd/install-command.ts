// `podlink install`: put podlink on this node — the executable into the CNI bin dir, the mode file
// (kernel probe), then the conflist that makes the runtime use it. Every write is atomic (temp file in
// the same directory, fsync, rename) and happens only when the content differs, so a second run
// changes nothing and says so. `--dry-run` prints what it would do.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isSea } from 'node:sea';
import { parseNetConf } from '../lib/cni/netconf.js';
import { isMode, readModeFile, writeModeFile, type Mode, type ModeFile } from '../lib/connector/index.js';
import {
  CONFLIST_CNI_VERSION, CONFLIST_NAME, DEFAULT_NETWORK_NAME, nodePodCidrs, podlinkPlugin, renderConflist,
} from '../lib/manifest/index.js';
import {
  collectNodeView, DEFAULT_METRICS_STATE, DEFAULT_TEXTFILE_DIR, emptyState, readState, renderMetrics, textfilePath, writeTextfile,
} from '../lib/metrics/index.js';
import { probe } from '../lib/plugin/index.js';
import { nativeSys } from '../lib/sys/index.js';
import { withLock, writeFileAtomic } from '../lib/util/index.js';
import { probeDeps } from './deps.js';

export const DEFAULT_BIN_DIR = '/opt/cni/bin';
export const DEFAULT_CONF_DIR = '/etc/cni/net.d';
export const DEFAULT_MODE_FILE = '/run/podlink/mode.json';
export const BINARY_NAME = 'podlink';

// ---------------------------------------------------------------------------------------------------
// Shared by install and uninstall: step errors with a fix, step reports, TTY-only progress.

/** A failed step: the message names the step, the fix says what to do about it. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

/** The usual fix for a file-system errno. */
export function fixFor(e: unknown, dir?: string): string | undefined {
  switch ((e as NodeJS.ErrnoException)?.code) {
    case 'EACCES':
    case 'EPERM':
      return `run as root${dir ? `, or choose a writable directory instead of ${dir}` : ''}`;
    case 'EROFS':
      return `${dir ?? 'the target'} is on a read-only file system: mount it read-write (in a pod: a hostPath volume without readOnly)`;
    case 'ENOSPC':
      return `free space on the file system of ${dir ?? 'the target'}`;
    case 'ENOTDIR':
      return `a component of ${dir ?? 'the path'} is a file, not a directory: choose another directory`;
    default:
      return undefined;
  }
}

export function stepError(step: string, e: unknown, dir?: string): StepError {
  if (e instanceof StepError) return e;
  const x = e as Error & { hint?: string };
  return new StepError(step, x?.message ?? String(e), x?.hint ?? fixFor(e, dir));
}

export function formatStepError(command: string, e: unknown): string {
  if (e instanceof StepError) return `podlink ${command}: ${e.step} failed: ${e.message}\n${e.fix ? `  fix: ${e.fix}\n` : ''}`;
  const x = e as Error & { hint?: string };
  return `podlink ${command}: ${x?.message ?? String(e)}\n${x?.hint ? `  fix: ${x.hint}\n` : ''}`;
}

export type StepStatus = 'changed' | 'unchanged' | 'would change' | 'skipped' | 'kept';

export interface StepReport {
  step: string;
  target: string;
  status: StepStatus;
  detail: string;
}

export function formatSteps(steps: StepReport[]): string {
  const w1 = Math.max(...steps.map((s) => s.step.length));
  const w2 = Math.max(...steps.map((s) => s.target.length));
  return steps.map((s) => `  ${s.step.padEnd(w1)}  ${s.target.padEnd(w2)}  ${s.detail}`.trimEnd()).join('\n');
}

export interface Progress {
  update(done: number, total: number): void;
  done(): void;
}

/** A one-line progress meter on stderr, only when stderr is a terminal. */
export function ttyProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress | undefined {
  if (!stream.isTTY) return undefined;
  let last = -1;
  let lastAt = 0;
  return {
    update(done, total) {
      const pct = total ? Math.floor((done * 100) / total) : 100;
      const now = Date.now();
      if (pct === last || (pct < 100 && now - lastAt < 100)) return;
      last = pct;
      lastAt = now;
      stream.write(`\r${label} ${String(pct).padStart(3)}% (${mib(done)}/${mib(total)} MiB)`);
    },
    done() {
      if (last >= 0) stream.write('\r\x1b[2K');
    },
  };
}

function mib(n: number): string {
  return (n / 1048576).toFixed(1);
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // a directory fsync failure does not undo the rename
  }
}

// ---------------------------------------------------------------------------------------------------
// The binary.

const CHUNK = 1 << 20;

/** True when both files have the same bytes (or are the same file). */
export function sameFileContent(a: string, b: string): boolean {
  let sb: fs.Stats;
  try {
    sb = fs.statSync(b);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false; // not there (yet)
    throw e;
  }
  const sa = fs.statSync(a);
  if (sa.dev === sb.dev && sa.ino === sb.ino) return true;
  if (!sb.isFile() || sa.size !== sb.size) return false;
  const fa = fs.openSync(a, 'r');
  const fb = fs.openSync(b, 'r');
  try {
    const ba = Buffer.allocUnsafe(CHUNK);
    const bb = Buffer.allocUnsafe(CHUNK);
    for (let pos = 0; pos < sa.size; ) {
      const n = fs.readSync(fa, ba, 0, CHUNK, pos);
      const m = fs.readSync(fb, bb, 0, n, pos);
      if (n === 0 || m !== n || !ba.subarray(0, n).equals(bb.subarray(0, n))) return false;
      pos += n;
    }
    return true;
  } finally {
    fs.closeSync(fa);
    fs.closeSync(fb);
  }
}

/**
 * Copies src to dest atomically: a temp file in dest's directory, fsync, chmod 0755, rename, fsync the
 * directory. dest is never opened for writing, so a running podlink (the old inode) is never touched
 * and there is no "text file busy".
 */
export function copyFileAtomic(src: string, dest: string, progress?: Progress): void {
  const dir = path.dirname(dest);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tmp = path.join(dir, `.${path.basename(dest)}.${process.pid}.${Date.now()}.tmp`);
  const fi = fs.openSync(src, 'r');
  let fo: number | undefined;
  try {
    const size = fs.fstatSync(fi).size;
    fo = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o700);
    const buf = Buffer.allocUnsafe(CHUNK);
    let done = 0;
    for (;;) {
      const n = fs.readSync(fi, buf, 0, CHUNK, done);
      if (n === 0) break;
      for (let off = 0; off < n; ) off += fs.writeSync(fo, buf, off, n - off);
      done += n;
      progress?.update(done, size);
    }
    fs.fchmodSync(fo, 0o755);
    fs.fsyncSync(fo);
    fs.closeSync(fo);
    fo = undefined;
    fs.renameSync(tmp, dest);
  } catch (e) {
    if (fo !== undefined) fs.closeSync(fo);
    fs.rmSync(tmp, { force: true });
    throw e;
  } finally {
    fs.closeSync(fi);
    progress?.done();
  }
  fsyncDir(dir);
}

/** The executable to install: this one when it is the packaged binary (a Node single executable). */
export function runningExecutable(): string {
  let sea = false;
  try {
    sea = isSea();
  } catch {
    sea = false;
  }
  if (!sea) {
    throw new StepError(
      'find the podlink executable',
      `this podlink runs under ${path.basename(process.execPath)} (${process.execPath}), not as the packaged executable`,
      'run dist/podlink install, or pass --source dist/podlink',
    );
  }
  return process.execPath;
}

// ---------------------------------------------------------------------------------------------------
// The network configuration.

export interface InstallOptions {
  binDir: string;
  confDir: string;
  /** Configured mode (default: the netconf file's, else auto). */
  mode?: string;
  ipam?: string;
  /** host-local subnets; "node" = this node's spec.podCIDRs from the API server. */
  subnet?: string[];
  /** A podlink netconf (plugin object), e.g. the ConfigMap's. */
  netconf?: string;
  name?: string;
  cniVersion?: string;
  portmap?: boolean;
  bandwidth?: boolean;
  modeFile?: string;
  textfileDir?: string;
  metricsState?: string;
  /** The executable to install (default: this one). */
  source?: string;
  dryRun?: boolean;
  json?: boolean;
}

export interface InstallDeps {
  probe: (mode: Mode) => ModeFile;
  executable: () => string;
  nodePodCidrs: () => Promise<string[]>;
  /** supportedVersions of a chained plugin binary, or undefined when it cannot tell. */
  pluginVersions: (file: string) => string[] | undefined;
  progress: (label: string) => Progress | undefined;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

function chainedPluginVersions(file: string): string[] | undefined {
  const r = spawnSync(file, [], {
    input: '{"cniVersion":"0.4.0"}',
    env: { CNI_COMMAND: 'VERSION', PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    encoding: 'utf8',
    timeout: 5000,
  });
  try {
    const v = JSON.parse(r.stdout) as { supportedVersions?: unknown };
    return Array.isArray(v.supportedVersions) ? v.supportedVersions.filter((x): x is string => typeof x === 'string') : undefined;
  } catch {
    return undefined;
  }
}

export const defaultInstallDeps: InstallDeps = {
  probe: (mode) => probe(probeDeps(() => nativeSys()), mode),
  executable: runningExecutable,
  nodePodCidrs: () => nodePodCidrs(),
  pluginVersions: chainedPluginVersions,
  progress: (label) => ttyProgress(label),
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

export interface ResolvedConfig {
  name: string;
  cniVersion: string;
  plugin: Record<string, unknown>;
  mode: Mode;
  modeFile: string;
  conflist: string;
}

/** Builds and validates the conflist from the options (the same validation ADD applies). */
export async function resolveConfig(o: InstallOptions, deps: Pick<InstallDeps, 'nodePodCidrs'>): Promise<ResolvedConfig> {
  const step = 'build the network config';
  let base: Record<string, unknown> = {};
  if (o.netconf) {
    let text: string;
    try {
      text = fs.readFileSync(o.netconf, 'utf8');
    } catch (e) {
      throw new StepError(step, `cannot read --netconf ${o.netconf}: ${(e as Error).message}`, 'pass the path of a podlink netconf JSON file');
    }
    try {
      const x: unknown = JSON.parse(text);
      if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new Error('not a JSON object');
      base = x as Record<string, unknown>;
    } catch (e) {
      throw new StepError(step, `--netconf ${o.netconf} is not a JSON object: ${(e as Error).message}`, 'fix the JSON (e.g. check it with `jq . FILE`)');
    }
  }
  let subnets = o.subnet ?? [];
  if (subnets.includes('node')) {
    if (subnets.length > 1) throw new StepError(step, '--subnet node cannot be combined with other --subnet values', 'give either --subnet node or explicit CIDRs');
    try {
      subnets = await deps.nodePodCidrs();
    } catch (e) {
      throw stepError('look up the node pod CIDRs', e);
    }
  }
  let plugin: Record<string, unknown>;
  try {
    plugin = podlinkPlugin({ base, mode: o.mode, ipamType: o.ipam, subnets });
  } catch (e) {
    throw stepError(step, e);
  }
  const ipam = plugin.ipam as Record<string, unknown> | undefined;
  if (!ipam) {
    throw new StepError(step, 'no IPAM configured', 'pass --ipam host-local --subnet CIDR (repeat --subnet for dual stack), or --netconf FILE with an "ipam" section');
  }
  if (ipam.type === 'host-local' && ipam.ranges === undefined && ipam.subnet === undefined) {
    throw new StepError(step, 'host-local IPAM needs a subnet', 'pass --subnet CIDR (repeat for dual stack), or --subnet node inside the cluster');
  }
  const name = o.name ?? (typeof base.name === 'string' ? base.name : DEFAULT_NETWORK_NAME);
  const cniVersion = o.cniVersion ?? CONFLIST_CNI_VERSION;
  try {
    parseNetConf(JSON.stringify({ cniVersion, name, ...plugin }));
  } catch (e) {
    const x = e as { msg?: string; details?: string; message?: string };
    throw new StepError(step, `the podlink config is invalid: ${x.msg ?? x.message}${x.details ? ` (${x.details})` : ''}`, 'fix the --netconf file or the options');
  }
  const mode = plugin.mode;
  if (!isMode(mode)) throw new StepError(step, `mode ${JSON.stringify(mode)} is not auto, veth, netkit or netkit-l2`, 'pass --mode auto');
  const modeFile = o.modeFile ?? (typeof plugin.modeFile === 'string' ? plugin.modeFile : DEFAULT_MODE_FILE);
  const conflist = renderConflist({ name, cniVersion, plugin, portmap: o.portmap, bandwidth: o.bandwidth });
  return { name, cniVersion, plugin, mode, modeFile, conflist };
}

/** Same probe outcome (probedAt aside): the mode file needs no rewrite. */
export function sameMode(a: ModeFile, b: ModeFile): boolean {
  const f = (m: ModeFile) =>
    JSON.stringify([m.v, m.configured, m.operational, m.reason, m.kernel, m.features.netkit, m.features.netkitScrub, m.features.netkitHeadroom, m.features.tcx, m.features.bpffs, m.features.netkitError ?? null]);
  return f(a) === f(b);
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------
// install

export interface InstallResult {
  changed: boolean;
  dryRun: boolean;
  steps: StepReport[];
  warnings: string[];
  mode?: ModeFile;
  conflist: string;
}

export async function install(o: InstallOptions, deps: InstallDeps = defaultInstallDeps): Promise<InstallResult> {
  const dry = o.dryRun === true;
  const steps: StepReport[] = [];
  const warnings: string[] = [];
  const cfg = await resolveConfig(o, deps);

  // 1. The binary first: the conflist must never name a plugin that is not there.
  const src = o.source ?? deps.executable();
  const dest = path.join(o.binDir, BINARY_NAME);
  try {
    if (!fs.statSync(src).isFile()) throw new Error(`${src} is not a file`);
  } catch (e) {
    throw new StepError('read the podlink executable', (e as Error).message, 'pass --source with the path of dist/podlink');
  }
  let same: boolean;
  try {
    same = sameFileContent(src, dest);
  } catch (e) {
    throw stepError('compare the installed binary', e, o.binDir);
  }
  const size = fs.statSync(src).size;
  if (same) {
    steps.push({ step: 'binary', target: dest, status: 'unchanged', detail: 'up to date' });
  } else if (dry) {
    steps.push({ step: 'binary', target: dest, status: 'would change', detail: `would install ${src} (${mib(size)} MiB): temp file, fsync, rename` });
  } else {
    try {
      copyFileAtomic(src, dest, deps.progress(`copying ${dest}`));
    } catch (e) {
      throw stepError('copy the binary', e, o.binDir);
    }
    steps.push({ step: 'binary', target: dest, status: 'changed', detail: `installed (${mib(size)} MiB)` });
  }

  // 2. Probe the kernel and write the mode file, before the conflist makes the runtime send ADDs.
  let m: ModeFile;
  try {
    m = deps.probe(cfg.mode);
  } catch (e) {
    throw stepError('probe the kernel', e);
  }
  const modeLine = m.configured === m.operational ? m.operational : `${m.operational} [Configured: ${m.configured}]`;
  try {
    const writeIfChanged = (): StepReport => {
      let existing: ModeFile | undefined;
      try {
        existing = readModeFile(cfg.modeFile);
      } catch {
        existing = undefined; // invalid: rewrite it
      }
      if (existing && sameMode(existing, m)) return { step: 'mode file', target: cfg.modeFile, status: 'unchanged', detail: `up to date: ${modeLine}` };
      if (dry) return { step: 'mode file', target: cfg.modeFile, status: 'would change', detail: `would write: ${modeLine} (${m.reason})` };
      writeModeFile(m, cfg.modeFile);
      return { step: 'mode file', target: cfg.modeFile, status: 'changed', detail: `written: ${modeLine} (${m.reason})` };
    };
    steps.push(dry ? writeIfChanged() : withLock(`${cfg.modeFile}.lock`, writeIfChanged));
  } catch (e) {
    throw stepError('write the mode file', e, path.dirname(cfg.modeFile));
  }

  // 3. The conflist, last: from now on the runtime uses podlink.
  const conflistFile = path.join(o.confDir, CONFLIST_NAME);
  try {
    const current = readText(conflistFile);
    if (current === cfg.conflist) steps.push({ step: 'conflist', target: conflistFile, status: 'unchanged', detail: 'up to date' });
    else if (dry) steps.push({ step: 'conflist', target: conflistFile, status: 'would change', detail: current === undefined ? 'would write (new)' : 'would replace (content differs)' });
    else {
      writeFileAtomic(conflistFile, cfg.conflist, 0o644);
      steps.push({ step: 'conflist', target: conflistFile, status: 'changed', detail: current === undefined ? 'written' : 'replaced (content differed)' });
    }
  } catch (e) {
    throw stepError('write the conflist', e, o.confDir);
  }

  // 4. The metrics textfile, when node_exporter's directory is there (or one was named).
  const tfDir = o.textfileDir ?? DEFAULT_TEXTFILE_DIR;
  if (o.textfileDir !== undefined || fs.existsSync(tfDir)) {
    const tf = textfilePath(tfDir);
    try {
      const text = renderMetrics(readState(o.metricsState ?? DEFAULT_METRICS_STATE) ?? emptyState(), {
        ...collectNodeView({ modeFile: cfg.modeFile, stateDir: typeof cfg.plugin.stateDir === 'string' ? cfg.plugin.stateDir : undefined }),
        ...(dry ? { mode: m } : {}),
      });
      if (readText(tf) === text) steps.push({ step: 'metrics', target: tf, status: 'unchanged', detail: 'up to date' });
      else if (dry) steps.push({ step: 'metrics', target: tf, status: 'would change', detail: 'would write' });
      else {
        writeTextfile(tfDir, text, { create: true });
        steps.push({ step: 'metrics', target: tf, status: 'changed', detail: 'written' });
      }
    } catch (e) {
      warnings.push(`metrics textfile ${tf} not written: ${(e as Error).message}`);
    }
  }

  warnings.push(...checkChain(o, cfg, deps), ...checkConfOrder(o.confDir));
  return { changed: steps.some((s) => s.status === 'changed'), dryRun: dry, steps, warnings, mode: m, conflist: cfg.conflist };
}

/** Chained plugins must exist in the bin dir and speak the conflist's version, or every pod fails. */
function checkChain(o: InstallOptions, cfg: ResolvedConfig, deps: InstallDeps): string[] {
  const out: string[] = [];
  const chain = [...(o.portmap !== false ? ['portmap'] : []), ...(o.bandwidth !== false ? ['bandwidth'] : [])];
  const ipamType = (cfg.plugin.ipam as { type?: string } | undefined)?.type;
  for (const p of [...chain, ...(ipamType ? [ipamType] : [])]) {
    const file = path.join(o.binDir, p);
    if (!fs.existsSync(file)) {
      out.push(chain.includes(p)
        ? `${p} is not in ${o.binDir}: pod creation will fail at the chained ${p} plugin; install the CNI reference plugins there, or pass --no-${p}`
        : `IPAM plugin ${p} is not in ${o.binDir}: pod creation will fail at IPAM; install the CNI reference plugins there`);
      continue;
    }
    if (!chain.includes(p)) continue; // IPAM: podlink negotiates its version itself
    const versions = deps.pluginVersions(file);
    if (versions && !versions.includes(cfg.cniVersion)) {
      out.push(`${file} supports CNI ${versions.join(', ')} but not ${cfg.cniVersion}: upgrade the CNI plugins (1.5.0+), or pass --cni-version ${versions.includes('1.0.0') ? '1.0.0' : versions[versions.length - 1]}`);
    }
  }
  return out;
}

/** The runtime uses the first config file in lexical order; warn when another one comes first. */
function checkConfOrder(confDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(confDir).filter((f) => /\.(conf|conflist|json)$/.test(f) && !f.startsWith('.')).sort();
  } catch {
    return [];
  }
  const first = names[0];
  return first && first !== CONFLIST_NAME && names.includes(CONFLIST_NAME)
    ? [`${path.join(confDir, first)} sorts before ${CONFLIST_NAME}: the container runtime uses it instead of podlink; remove or rename it`]
    : [];
}

export async function runInstallCommand(o: InstallOptions, deps: InstallDeps = defaultInstallDeps): Promise<number> {
  try {
    const r = await install(o, deps);
    if (o.json) {
      deps.stdout(`${JSON.stringify({ changed: r.changed, dryRun: r.dryRun, steps: r.steps, warnings: r.warnings, mode: r.mode }, null, 2)}\n`);
    } else {
      const head = r.dryRun ? 'podlink install --dry-run: nothing is changed; this is the plan' : 'podlink install';
      const n = r.steps.filter((s) => s.status === 'changed' || s.status === 'would change').length;
      const tail = r.dryRun
        ? n ? `${n} change${n > 1 ? 's' : ''} would be made.` : 'Nothing to do: podlink is already installed and up to date.'
        : n ? `podlink is installed (${n} change${n > 1 ? 's' : ''}).` : 'Nothing changed: podlink is already installed and up to date.';
      deps.stdout(`${head}\n${formatSteps(r.steps)}\n${tail}\n`);
      if (r.dryRun && r.steps.some((s) => s.step === 'conflist' && s.status === 'would change')) {
        deps.stdout(`\n${path.join(o.confDir, CONFLIST_NAME)} would be:\n${r.conflist}`);
      }
    }
    for (const w of r.warnings) deps.stderr(`warning: ${w}\n`);
    return 0;
  } catch (e) {
    deps.stderr(formatStepError('install', e));
    return 1;
  }
}
