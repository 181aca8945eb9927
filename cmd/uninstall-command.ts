// `podlink uninstall`: take podlink off this node without stranding its pods. Removes the conflist
// (the runtime stops sending ADDs), the mode file, the node-level BPF pins (programs, shared maps,
// uplink links) and the metrics textfile. It keeps what DEL needs: the binary, the endpoint records
// and the per-pod link pins (<bpfRoot>/links). The binary goes only with --purge, and only once no
// endpoint record remains.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { agentStatusPath, heartbeatPath, removePodlinkRoutes, removeTunnelDevice, TUNNEL_DEVICE } from '../lib/agent/index.js';
import { tunnelFilePath } from '../lib/connector/index.js';
import { Netlink } from '../lib/netlink/index.js';
import { nativeSys } from '../lib/sys/index.js';
import { removeFile, withLock } from '../lib/util/index.js';
import { CONFLIST_NAME } from '../lib/manifest/index.js';
import { DEFAULT_METRICS_STATE, DEFAULT_TEXTFILE_DIR, journalFile, textfilePath } from '../lib/metrics/index.js';
import { listRecords } from '../lib/plugin/index.js';
import { BINARY_NAME } from './install-command.js';
import { formatStepError, formatSteps, reportFrame, StepError, stepError, type StepReport } from './step-report.js';

/** Node-level pin directories under the BPF root; links/ (per pod) is left for DEL. */
export const NODE_PIN_DIRS = ['progs', 'maps', 'uplinks'] as const;

export interface UninstallOptions {
  binDir: string;
  confDir: string;
  bpfRoot: string;
  modeFile: string;
  stateDir: string;
  textfileDir?: string;
  metricsState?: string;
  purge?: boolean;
  dryRun?: boolean;
  json?: boolean;
  /** The node's rtnetlink (default: a socket in this process's netns). */
  netlink?: () => Netlink;
}

export interface UninstallResult {
  changed: boolean;
  dryRun: boolean;
  steps: StepReport[];
  warnings: string[];
  endpoints: number;
  /** --purge was refused because endpoints remain. */
  purgeRefused?: string;
}

function countEntries(p: string): number {
  let n = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      n++;
      if (e.isDirectory()) walk(path.join(d, e.name));
    }
  };
  walk(p);
  return n;
}

function isPodlinkConflist(text: string): boolean {
  try {
    const x = JSON.parse(text) as { plugins?: { type?: unknown }[] };
    return Array.isArray(x.plugins) && x.plugins.some((p) => p?.type === BINARY_NAME);
  } catch {
    return false;
  }
}

/** Runs `fn` with a netlink socket in this netns; a failure becomes the named step's error. */
function withNetlink(o: { netlink?: () => Netlink }, step: string, what: string, fn: (nl: Netlink) => void): void {
  let nl: Netlink | undefined;
  try {
    nl = (o.netlink ?? (() => Netlink.open(nativeSys())))();
    fn(nl);
  } catch (e) {
    throw stepError(step, e, what);
  } finally {
    nl?.close();
  }
}

export function uninstall(o: UninstallOptions): UninstallResult {
  const dry = o.dryRun === true;
  const steps: StepReport[] = [];
  const warnings: string[] = [];
  const gone = (step: string, target: string, what = 'removed'): StepReport => ({
    step,
    target,
    status: dry ? 'would change' : 'changed',
    detail: dry ? `would be ${what}` : what,
  });
  const absent = (step: string, target: string): StepReport => ({ step, target, status: 'unchanged', detail: 'not present' });

  // 1. The conflist first: from here on the runtime sends podlink no new ADDs.
  const conflist = path.join(o.confDir, CONFLIST_NAME);
  try {
    let text: string | undefined;
    try {
      text = fs.readFileSync(conflist, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (text === undefined) steps.push(absent('conflist', conflist));
    else if (!isPodlinkConflist(text)) {
      steps.push({ step: 'conflist', target: conflist, status: 'kept', detail: 'kept: it does not configure podlink' });
      warnings.push(`${conflist} has no podlink plugin, so it was not written by podlink install; remove it by hand if it is stale`);
    } else {
      if (!dry) removeFile(conflist);
      steps.push(gone('conflist', conflist));
    }
  } catch (e) {
    throw stepError('remove the conflist', e, o.confDir);
  }

  // 2. The mode file (under its lock, so a concurrent probe does not race the removal).
  try {
    const exists = fs.existsSync(o.modeFile);
    if (!exists) steps.push(absent('mode file', o.modeFile));
    else {
      if (!dry) withLock(`${o.modeFile}.lock`, () => removeFile(o.modeFile));
      steps.push(gone('mode file', o.modeFile));
    }
  } catch (e) {
    throw stepError('remove the mode file', e, path.dirname(o.modeFile));
  }

  // 2b. The agent's tunnel device, before the pins: its from-tunnel link goes with it, so it is never up
  // without the program that admits only known nodes.
  withNetlink(o, "remove the agent's tunnel device", TUNNEL_DEVICE, (nl) => {
    const tunnel = nl.linkByName(TUNNEL_DEVICE);
    if (tunnel && !dry) removeTunnelDevice(nl);
    steps.push(tunnel ? gone('agent tunnel', `${TUNNEL_DEVICE} (ifindex ${tunnel.index})`) : absent('agent tunnel', TUNNEL_DEVICE));
  });

  // 3. Node-level BPF pins. Per-pod link pins stay: DEL unpins them, and the running pods keep their
  // programs (a link holds its program, a program its maps) after the node-level pins are gone.
  const root = path.resolve(o.bpfRoot);
  if (!path.isAbsolute(o.bpfRoot) || root === '/' || root === '/sys/fs/bpf') {
    throw new StepError(
      'remove the node BPF pins',
      `refusing to clear --bpf-root ${o.bpfRoot}`,
      "pass podlink's own pin directory, e.g. --bpf-root /sys/fs/bpf/podlink",
    );
  }
  for (const sub of NODE_PIN_DIRS) {
    const dir = path.join(root, sub);
    try {
      if (!fs.existsSync(dir)) {
        steps.push(absent('bpf pins', `${dir}/`));
        continue;
      }
      const n = countEntries(dir);
      if (!dry) fs.rmSync(dir, { recursive: true, force: true });
      steps.push(gone('bpf pins', `${dir}/`, `removed (${n} pin${n === 1 ? '' : 's'} and directories)`));
    } catch (e) {
      throw stepError('remove the node BPF pins', e, dir);
    }
  }
  const links = path.join(root, 'links');
  const podPins = fs.existsSync(links) ? fs.readdirSync(links).length : 0;
  if (podPins)
    steps.push({
      step: 'bpf pins',
      target: `${links}/`,
      status: 'kept',
      detail: `kept for DEL (${podPins} pod${podPins === 1 ? '' : 's'})`,
    });
  else if (!dry) {
    for (const d of [links, root]) {
      try {
        fs.rmdirSync(d);
      } catch {
        // missing or not empty
      }
    }
  }

  // 3b. What the agent made: its routes (protocol 201) and its status files. Run after the DaemonSet is
  // gone; a running agent would put the routes back on its next resync.
  withNetlink(o, "remove the agent's routes", 'protocol 201', (nl) => {
    const routes = removePodlinkRoutes(nl, dry);
    steps.push(
      routes.length
        ? gone('agent routes', `${routes.length} route${routes.length === 1 ? '' : 's'} (protocol 201)`)
        : absent('agent routes', 'protocol 201'),
    );
  });
  const runDir = path.dirname(o.modeFile);
  for (const f of [agentStatusPath(runDir), heartbeatPath(runDir), tunnelFilePath(runDir)]) {
    if (!fs.existsSync(f)) continue;
    if (!dry) removeFile(f);
    steps.push(gone('agent status', f));
  }

  // 4. The metrics textfile (a stale "configured mode" gauge would mislead). recordCall only refreshes
  // an existing file, so DELs after this do not bring it back.
  const tf = textfilePath(o.textfileDir ?? DEFAULT_TEXTFILE_DIR);
  try {
    if (fs.existsSync(tf)) {
      if (!dry) removeFile(tf);
      steps.push(gone('metrics', tf));
    } else steps.push(absent('metrics', tf));
  } catch (e) {
    throw stepError('remove the metrics textfile', e, path.dirname(tf));
  }

  // 5. The binary: DEL needs it for every pod still recorded.
  const bin = path.join(o.binDir, BINARY_NAME);
  const endpoints = listRecords(o.stateDir).length;
  let purgeRefused: string | undefined;
  const binExists = fs.existsSync(bin);
  if (!binExists) steps.push(absent('binary', bin));
  else if (!o.purge) {
    steps.push({
      step: 'binary',
      target: bin,
      status: 'kept',
      detail: endpoints
        ? `kept: ${endpoints} endpoint record${endpoints === 1 ? '' : 's'} in ${o.stateDir}, DEL needs it`
        : 'kept (pass --purge to remove it)',
    });
  } else if (endpoints) {
    const records = `${endpoints} endpoint record${endpoints === 1 ? '' : 's'}`;
    purgeRefused = `${records} remain in ${path.join(o.stateDir, 'endpoints')}, and DEL for those pods needs ${bin}`;
    steps.push({
      step: 'binary',
      target: bin,
      status: 'kept',
      detail: `kept: ${endpoints} endpoint record${endpoints === 1 ? '' : 's'} remain`,
    });
  } else {
    try {
      if (!dry) removeFile(bin);
    } catch (e) {
      throw stepError('remove the binary', e, o.binDir);
    }
    steps.push(gone('binary', bin));
  }
  if (o.purge && !purgeRefused) {
    const state = o.metricsState ?? DEFAULT_METRICS_STATE;
    for (const f of [state, journalFile(state)]) {
      if (!fs.existsSync(f)) continue;
      if (!dry) removeFile(f);
      steps.push(gone('metrics state', f));
    }
  }
  return { changed: steps.some((s) => s.status === 'changed'), dryRun: dry, steps, warnings, endpoints, purgeRefused };
}

export function runUninstallCommand(
  o: UninstallOptions,
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): number {
  try {
    const r = uninstall(o);
    if (o.json) out(`${JSON.stringify(r, null, 2)}\n`);
    else {
      const { head, tail } = reportFrame('uninstall', r, 'uninstalled', 'podlink is not installed');
      const note =
        r.endpoints && !r.purgeRefused
          ? `\nPods created by podlink remain (${r.endpoints}); their DEL still works. ` +
            'Once they are gone, run `podlink uninstall --purge` to remove the binary.'
          : '';
      out(`${head}\n${formatSteps(r.steps)}\n${tail}${note}\n`);
    }
    for (const w of r.warnings) err(`warning: ${w}\n`);
    if (r.purgeRefused) {
      err(
        formatStepError(
          'uninstall',
          new StepError(
            'remove the binary (--purge)',
            r.purgeRefused,
            'delete (or drain) the pods on this node first, then run `podlink uninstall --purge` again; `podlink status` lists them',
          ),
        ),
      );
      return 1;
    }
    return 0;
  } catch (e) {
    err(formatStepError('uninstall', e));
    return 1;
  }
}
