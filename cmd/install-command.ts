// `podlink install`: put podlink on this node — the executable into the CNI bin dir, the mode file
// (kernel probe), then the conflist that makes the runtime use it. Every write is atomic (temp file in
// the same directory, fsync, rename) and happens only when the content differs, so a second run
// changes nothing and says so. `--dry-run` prints what it would do.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModeFile, writeModeFile, type Mode, type ModeFile } from '../lib/connector/index.js';
import { CONFLIST_NAME, nodePodCidrs } from '../lib/manifest/index.js';
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
import { chainDefaults, checkChain, checkConfOrder, resolveConfig, type InstallDeps, type InstallOptions } from './install-config.js';

export type { InstallDeps, InstallOptions } from './install-config.js';
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
