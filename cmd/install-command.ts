// `podlink install`: put podlink on this node — the executable into the CNI bin dir, the mode file
// (kernel probe), then the conflist that makes the runtime use it. Every write is atomic (temp file in
// the same directory, fsync, rename) and happens only when the content differs, so a second run
// changes nothing and says so. `--dry-run` prints what it would do.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNetConf } from '../lib/cni/netconf.js';
import { SUPPORTED_VERSIONS, versionAtLeast } from '../lib/cni/versions.js';
import { isMode, readModeFile, writeModeFile, type Mode, type ModeFile } from '../lib/connector/index.js';
import {
  CONFLIST_CNI_VERSION,
  CONFLIST_NAME,
  DEFAULT_NETWORK_NAME,
  nodePodCidrs,
  podlinkPlugin,
  renderConflist,
} from '../lib/manifest/index.js';
import {
  collectNodeView,
  DEFAULT_TEXTFILE_DIR,
  metricsStateNextTo,
  emptyState,
  readState,
  renderMetrics,
  textfilePath,
  writeTextfile,
} from '../lib/metrics/index.js';
import { probe } from '../lib/plugin/index.js';
import { isLoaded } from '../lib/datapath/index.js';
import { nativeSys } from '../lib/sys/index.js';
import { withLock, writeFileAtomic } from '../lib/util/index.js';
import { copyFileAtomic, runningExecutable, sameFileContent } from './atomic-copy.js';
import { probeDeps } from './deps.js';
import { PATH_KEYS, resolvePaths, type NodePaths } from './path-options.js';
import { describeNodeDatapath, setUpNodeDatapath, type NodeDatapathReport } from './node-datapath.js';
import {
  formatStepError,
  formatSteps,
  mib,
  reportFrame,
  StepError,
  stepError,
  ttyProgress,
  type Progress,
  type StepReport,
} from './step-report.js';

export const BINARY_NAME = 'podlink';

/** The path flags (modeFile, stateDir, bpfRoot) win over the --netconf file's fields. */
export interface InstallOptions extends Partial<NodePaths> {
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
  textfileDir?: string;
  metricsState?: string;
  /** Where pl_from_uplink goes: auto (default-route devices), none, or device names. */
  uplink?: string;
  /** The executable to install (default: this one). */
  source?: string;
  dryRun?: boolean;
  json?: boolean;
}

export interface InstallDeps {
  probe: (mode: Mode) => ModeFile;
  /** The node-level BPF setup (what `podlink probe --write` does after the mode file). */
  nodeDatapath: (bpfRoot: string, tcx: boolean, uplink: string) => NodeDatapathReport;
  /** Whether this build's programs are pinned under bpfRoot (for --dry-run). */
  datapathLoaded: (bpfRoot: string) => boolean;
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
  probe: (mode) =>
    probe(
      probeDeps(() => nativeSys()),
      mode,
    ),
  nodeDatapath: (bpfRoot, tcx, uplink) => setUpNodeDatapath(nativeSys(), bpfRoot, tcx, uplink),
  datapathLoaded: (bpfRoot) => isLoaded(bpfRoot),
  executable: runningExecutable,
  nodePodCidrs: () => nodePodCidrs(),
  pluginVersions: chainedPluginVersions,
  progress: (label) => ttyProgress(label),
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

export interface ResolvedConfig extends NodePaths {
  name: string;
  cniVersion: string;
  plugin: Record<string, unknown>;
  mode: Mode;
  conflist: string;
  /** Why the conflist's cniVersion is not the default one, if it is not. */
  versionNote?: string;
}

/** Builds and validates the conflist from the options (the same validation ADD applies). */
export async function resolveConfig(
  o: InstallOptions,
  deps: Pick<InstallDeps, 'nodePodCidrs' | 'pluginVersions'>,
): Promise<ResolvedConfig> {
  const step = 'build the network config';
  let base: Record<string, unknown> = {};
  if (o.netconf) {
    let text: string;
    try {
      text = fs.readFileSync(o.netconf, 'utf8');
    } catch (e) {
      throw new StepError(
        step,
        `cannot read --netconf ${o.netconf}: ${(e as Error).message}`,
        'pass the path of a podlink netconf JSON file',
      );
    }
    try {
      const x: unknown = JSON.parse(text);
      if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new Error('not a JSON object');
      base = x as Record<string, unknown>;
    } catch (e) {
      throw new StepError(
        step,
        `--netconf ${o.netconf} is not a JSON object: ${(e as Error).message}`,
        'fix the JSON (e.g. check it with `jq . FILE`)',
      );
    }
  }
  let subnets = o.subnet ?? [];
  if (subnets.includes('node')) {
    if (subnets.length > 1)
      throw new StepError(
        step,
        '--subnet node cannot be combined with other --subnet values',
        'give either --subnet node or explicit CIDRs',
      );
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
  for (const k of PATH_KEYS) if (o[k] !== undefined) plugin[k] = o[k]; // ADD must use the paths install uses
  const ipam = plugin.ipam as Record<string, unknown> | undefined;
  if (!ipam) {
    throw new StepError(
      step,
      'no IPAM configured',
      'pass --ipam host-local --subnet CIDR (repeat --subnet for dual stack), or --netconf FILE with an "ipam" section',
    );
  }
  if (ipam.type === 'host-local' && ipam.ranges === undefined && ipam.subnet === undefined) {
    throw new StepError(
      step,
      'host-local IPAM needs a subnet',
      'pass --subnet CIDR (repeat for dual stack), or --subnet node inside the cluster',
    );
  }
  const name = o.name ?? (typeof base.name === 'string' ? base.name : DEFAULT_NETWORK_NAME);
  const { version: cniVersion, note: versionNote } = o.cniVersion ? { version: o.cniVersion, note: undefined } : chainVersion(o, deps);
  try {
    parseNetConf(JSON.stringify({ cniVersion, name, ...plugin }));
  } catch (e) {
    const x = e as { msg?: string; details?: string; message?: string };
    throw new StepError(
      step,
      `the podlink config is invalid: ${x.msg ?? x.message}${x.details ? ` (${x.details})` : ''}`,
      'fix the --netconf file or the options',
    );
  }
  const mode = plugin.mode;
  if (!isMode(mode)) throw new StepError(step, `mode ${JSON.stringify(mode)} is not auto, veth, netkit or netkit-l2`, 'pass --mode auto');
  const conflist = renderConflist({ name, cniVersion, plugin, portmap: o.portmap, bandwidth: o.bandwidth });
  return { name, cniVersion, plugin, mode, ...resolvePaths(o, plugin), conflist, versionNote };
}

/**
 * Whether to chain bandwidth when neither --bandwidth nor --no-bandwidth was given. Debian 12's
 * reference plugins (1.1.1) dereference nil in bandwidth's CHECK when the runtime sends no bandwidth
 * args, i.e. for every pod without limits; a plugin set that does not speak CNI 1.1.0 (before 1.5.0)
 * may be that old, so bandwidth is left out of the chain there, and install says so.
 */
export function chainDefaults(o: InstallOptions, deps: Pick<InstallDeps, 'pluginVersions'>): { o: InstallOptions; note?: string } {
  if (o.bandwidth !== undefined) return { o };
  const file = path.join(o.binDir, 'bandwidth');
  const versions = fs.existsSync(file) ? deps.pluginVersions(file) : undefined;
  if (!versions || versions.includes('1.1.0')) return { o };
  return {
    o: { ...o, bandwidth: false },
    note:
      `bandwidth not chained: ${file} speaks CNI ${versions.join(', ')} only, as the reference plugins before 1.5.0 do, ` +
      "and Debian 12's (1.1.1) crash in CHECK for pods without bandwidth limits; " +
      'upgrade the CNI plugins, or pass --bandwidth to chain it anyway',
  };
}

/**
 * The conflist's cniVersion when --cni-version is not given: 1.1.0, or the newest version every
 * chained plugin in the bin dir speaks (Debian 12's reference plugins 1.1.1 stop at 1.0.0; a conflist
 * they cannot speak fails every pod).
 */
export function chainVersion(o: InstallOptions, deps: Pick<InstallDeps, 'pluginVersions'>): { version: string; note?: string } {
  const chain = [...(o.portmap !== false ? ['portmap'] : []), ...(o.bandwidth !== false ? ['bandwidth'] : [])];
  const limits: string[] = [];
  let candidates = [...SUPPORTED_VERSIONS].reverse().filter((v) => versionAtLeast(CONFLIST_CNI_VERSION, v));
  for (const p of chain) {
    const file = path.join(o.binDir, p);
    const versions = fs.existsSync(file) ? deps.pluginVersions(file) : undefined;
    if (!versions) continue;
    const kept = candidates.filter((v) => versions.includes(v));
    if (kept[0] !== candidates[0]) limits.push(p);
    if (kept.length) candidates = kept;
  }
  const version = candidates[0] ?? CONFLIST_CNI_VERSION;
  return version === CONFLIST_CNI_VERSION
    ? { version }
    : {
        version,
        note:
          `conflist cniVersion ${version}, not ${CONFLIST_CNI_VERSION}: ` +
          `${limits.join(' and ')} in ${o.binDir} ${limits.length > 1 ? 'speak' : 'speaks'} at most ${version} ` +
          `(CNI plugins 1.5.0+ speak ${CONFLIST_CNI_VERSION}; --cni-version overrides)`,
      };
}

/** Same probe outcome (probedAt aside): the mode file needs no rewrite. */
export function sameMode(a: ModeFile, b: ModeFile): boolean {
  const f = (m: ModeFile) =>
    JSON.stringify([
      m.v,
      m.configured,
      m.operational,
      m.reason,
      m.kernel,
      m.features.netkit,
      m.features.netkitScrub,
      m.features.netkitHeadroom,
      m.features.tcx,
      m.features.bpffs,
      m.features.netkitError ?? null,
    ]);
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

export async function install(opts: InstallOptions, rawDeps: InstallDeps = defaultInstallDeps): Promise<InstallResult> {
  // The chain checks ask the same plugin binaries for their versions: exec each one once.
  const versions = new Map<string, string[] | undefined>();
  const deps: InstallDeps = {
    ...rawDeps,
    pluginVersions: (f) => (versions.has(f) ? versions.get(f) : versions.set(f, rawDeps.pluginVersions(f)).get(f)),
  };
  const dry = opts.dryRun === true;
  const steps: StepReport[] = [];
  const warnings: string[] = [];
  const { o, note: chainNote } = chainDefaults(opts, deps);
  if (chainNote) warnings.push(chainNote);
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
    steps.push({
      step: 'binary',
      target: dest,
      status: 'would change',
      detail: `would install ${src} (${mib(size)} MiB): temp file, fsync, rename`,
    });
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
      if (existing && sameMode(existing, m))
        return { step: 'mode file', target: cfg.modeFile, status: 'unchanged', detail: `up to date: ${modeLine}` };
      if (dry) return { step: 'mode file', target: cfg.modeFile, status: 'would change', detail: `would write: ${modeLine} (${m.reason})` };
      writeModeFile(m, cfg.modeFile);
      return { step: 'mode file', target: cfg.modeFile, status: 'changed', detail: `written: ${modeLine} (${m.reason})` };
    };
    steps.push(dry ? writeIfChanged() : withLock(`${cfg.modeFile}.lock`, writeIfChanged));
  } catch (e) {
    throw stepError('write the mode file', e, path.dirname(cfg.modeFile));
  }

  // 3. The node's BPF datapath, also before the conflist: programs pinned, links moved, uplinks.
  const bpfRoot = cfg.bpfRoot;
  const uplink = o.uplink ?? 'auto';
  if (cfg.plugin.hostRouting === 'legacy') {
    steps.push({ step: 'bpf datapath', target: bpfRoot, status: 'unchanged', detail: 'hostRouting legacy: nothing to load' });
  } else if (dry) {
    steps.push(
      deps.datapathLoaded(bpfRoot)
        ? {
            step: 'bpf datapath',
            target: bpfRoot,
            status: 'unchanged',
            detail: `programs pinned; would re-check pod links and pl_from_uplink (--uplink ${uplink})`,
          }
        : {
            step: 'bpf datapath',
            target: bpfRoot,
            status: 'would change',
            detail: `would load and pin the programs, move existing pod links onto them, attach pl_from_uplink (--uplink ${uplink})`,
          },
    );
  } else {
    let n: NodeDatapathReport;
    try {
      n = deps.nodeDatapath(bpfRoot, m.features.tcx, uplink);
    } catch (e) {
      throw stepError('set up the BPF datapath', e);
    }
    const changed = n.loaded || n.upgrade.updated.length > 0;
    steps.push({
      step: 'bpf datapath',
      target: bpfRoot,
      status: changed ? 'changed' : 'unchanged',
      detail: describeNodeDatapath(n, bpfRoot).join('; '),
    });
  }

  // 4. The conflist, last: from now on the runtime uses podlink.
  const conflistFile = path.join(o.confDir, CONFLIST_NAME);
  try {
    const current = readText(conflistFile);
    if (current === cfg.conflist) steps.push({ step: 'conflist', target: conflistFile, status: 'unchanged', detail: 'up to date' });
    else if (dry)
      steps.push({
        step: 'conflist',
        target: conflistFile,
        status: 'would change',
        detail: current === undefined ? 'would write (new)' : 'would replace (content differs)',
      });
    else {
      writeFileAtomic(conflistFile, cfg.conflist, 0o644);
      steps.push({
        step: 'conflist',
        target: conflistFile,
        status: 'changed',
        detail: current === undefined ? 'written' : 'replaced (content differed)',
      });
    }
  } catch (e) {
    throw stepError('write the conflist', e, o.confDir);
  }

  // 5. The metrics textfile, when node_exporter's directory is there (or one was named).
  const tfDir = o.textfileDir ?? DEFAULT_TEXTFILE_DIR;
  if (o.textfileDir !== undefined || fs.existsSync(tfDir)) {
    const tf = textfilePath(tfDir);
    try {
      const text = renderMetrics(readState(o.metricsState ?? metricsStateNextTo(cfg.modeFile)) ?? emptyState(), {
        ...collectNodeView({ modeFile: cfg.modeFile, stateDir: cfg.stateDir }),
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

  if (cfg.versionNote) warnings.push(cfg.versionNote);
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
      out.push(
        chain.includes(p)
          ? `${p} is not in ${o.binDir}: pod creation will fail at the chained ${p} plugin; ` +
              `install the CNI reference plugins there, or pass --no-${p}`
          : `IPAM plugin ${p} is not in ${o.binDir}: pod creation will fail at IPAM; install the CNI reference plugins there`,
      );
      continue;
    }
    if (!chain.includes(p)) continue; // IPAM: podlink negotiates its version itself
    const versions = deps.pluginVersions(file);
    if (versions && !versions.includes(cfg.cniVersion)) {
      const fallback = versions.includes('1.0.0') ? '1.0.0' : versions[versions.length - 1];
      out.push(
        `${file} supports CNI ${versions.join(', ')} but not ${cfg.cniVersion}: ` +
          `upgrade the CNI plugins (1.5.0+), or pass --cni-version ${fallback}`,
      );
    }
  }
  return out;
}

/** The runtime uses the first config file in lexical order; warn when another one comes first. */
function checkConfOrder(confDir: string): string[] {
  let names: string[];
  try {
    names = fs
      .readdirSync(confDir)
      .filter((f) => /\.(conf|conflist|json)$/.test(f) && !f.startsWith('.'))
      .sort();
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
      deps.stdout(
        `${JSON.stringify({ changed: r.changed, dryRun: r.dryRun, steps: r.steps, warnings: r.warnings, mode: r.mode }, null, 2)}\n`,
      );
    } else {
      const { head, tail } = reportFrame('install', r, 'installed', 'podlink is already installed and up to date');
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
