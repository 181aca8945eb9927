// A fuzz worker: its own testbed (node netns, pod netns, fixtures), a baseline inventory, and per case
// the plugin call, the follow-up CHECK and DEL of a successful ADD, and the check that nothing was left
// behind or written outside podlink's dirs (repairing the node when something was).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { isIP } from 'node:net';
import { createHash } from 'node:crypto';
import { Testbed } from '../../integration/testbed.js';
import { runInNode } from '../async-run.js';
import { diffInventory, inventory, listTree, type Inventory } from '../inventory.js';
import type { FuzzCase, FuzzCtx, Json } from './case.js';
import { judge } from './judge.js';

export interface FuzzFailure {
  seed: number;
  i: number;
  family: string;
  note: string;
  problems: string[];
  leaks: string[];
  replay: string;
}

function sha(file: string): string {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return 'absent';
  }
}

/**
 * Paths outside the testbed that no case may create: the top of the filesystem (podlink runs with cwd
 * "/", so a relative path would land there) and podlink's default state dirs, which appear only if a
 * config's own paths were ignored. (/run/podlink is podlink's own: metrics.json is written there for
 * calls whose config could not be read, by design.)
 */
function outsideListing(): string[] {
  let top: string[] = [];
  try {
    top = fs.readdirSync('/').map((f) => `/${f}`);
  } catch {
    // unreadable: compare nothing
  }
  return [
    ...top,
    ...['/var/lib/podlink', '/sys/fs/bpf/podlink', '/run/podlink/mode.json'].filter((p) => fs.existsSync(p)),
  ].sort();
}

export class FuzzWorker {
  readonly bed: Testbed;
  readonly ctx: FuzzCtx;
  private baseline!: Inventory;
  private bedTree!: string[];
  private modeHash = '';

  constructor(k: number) {
    this.bed = new Testbed(`fuzz${k}`);
    const dir = this.bed.dir;
    const sentinel = path.join(dir, 'sentinel');
    fs.mkdirSync(sentinel);
    fs.writeFileSync(path.join(dir, 'regular-file'), 'not a netns\n');
    fs.mkdirSync(path.join(dir, 'a-directory'));
    fs.mkdirSync(path.join(dir, 'fake-store'));
    fs.writeFileSync(path.join(dir, 'corrupt-mode.json'), '{"v":1,"configured":"auto","operational":"bogus"');
    this.ctx = {
      bed: this.bed,
      pod: this.bed.pod('p'),
      regularFile: path.join(dir, 'regular-file'),
      directory: path.join(dir, 'a-directory'),
      fakeDir: path.join(dir, 'fake-store'),
      fakeLog: path.join(dir, 'fake-ipam.log'),
      corruptModeFile: path.join(dir, 'corrupt-mode.json'),
    };
  }

  /** One real ADD/DEL so the node has its mode file and state dirs, then the baseline. */
  async init(): Promise<void> {
    const conf = this.bed.conf({ extra: { logLevel: 'info' } });
    const a = await runInNode(this.bed, 'ADD', { containerId: 'fuzz-warmup', pod: this.ctx.pod, conf });
    if (a.code !== 0) throw new Error(`fuzz worker warm-up ADD failed: ${a.stdout} ${a.stderr}`);
    const d = await runInNode(this.bed, 'DEL', { containerId: 'fuzz-warmup', pod: this.ctx.pod, conf });
    if (d.code !== 0) throw new Error(`fuzz worker warm-up DEL failed: ${d.stdout}`);
    this.baseline = await this.inventory();
    this.bedTree = this.tree();
    this.modeHash = sha(this.bed.modeFile);
  }

  private inventory(): Promise<Inventory> {
    return inventory(this.bed, { pods: [this.ctx.pod], extraDirs: [this.ctx.fakeDir] });
  }

  /** The testbed dir outside the state, IPAM and fake-store dirs (which the inventory covers). */
  private tree(): string[] {
    // metrics.json (and its lock and temp files) sits next to the mode file: podlink's own, per call.
    return listTree(this.bed.dir, (r) => /^(state|ipam|fake-store)(\/|$)/.test(r) || /^podlink\.log/.test(r) || /^\.?metrics\.json/.test(r) || r === 'fake-ipam.log');
  }

  async run(cs: FuzzCase, seed: number): Promise<{ failure?: FuzzFailure; kernel: boolean }> {
    const problems: string[] = [];
    const outsideBefore = outsideListing();
    const r = await runInNode(this.bed, cs.command ?? '', {
      containerId: cs.containerId,
      netns: cs.netns,
      ifname: cs.ifname ?? null,
      args: cs.args,
      cniPath: cs.cniPath,
      conf: cs.stdin,
      env: { ...cs.env, ...(cs.command === undefined ? { CNI_COMMAND: undefined } : {}) },
      timeoutMs: 60_000,
    });
    problems.push(...judge(cs, r));
    // A successful ADD must also CHECK (where the version has CHECK) and DEL cleanly.
    if (r.code === 0 && (cs.expect.kind === 'result' || cs.expect.kind === 'result-or-error') && cs.command === 'ADD') {
      const conf = JSON.parse(cs.stdin) as Json;
      const common = { containerId: cs.containerId, netns: cs.netns, ifname: cs.ifname ?? null, cniPath: cs.cniPath, env: cs.env };
      if (['0.4.0', '1.0.0', '1.1.0'].includes(conf.cniVersion as string)) {
        const chk = await runInNode(this.bed, 'CHECK', { ...common, conf: { ...conf, prevResult: r.json } });
        if (chk.code !== 0) problems.push(`CHECK after a successful ADD failed: ${chk.stdout.trim().slice(0, 300)}`);
      }
      const del = await runInNode(this.bed, 'DEL', { ...common, conf });
      if (del.code !== 0 || del.stdout !== '') problems.push(`DEL after a successful ADD: exit ${del.code} ${del.stdout.trim().slice(0, 300)}`);
    }
    const leaks = diffInventory(this.baseline, await this.inventory());
    const tree = this.tree();
    for (const f of tree) if (!this.bedTree.includes(f)) leaks.push(`file outside podlink's dirs: ${path.join(this.bed.dir, f)}`);
    for (const f of this.bedTree) if (!tree.includes(f)) leaks.push(`file removed: ${path.join(this.bed.dir, f)}`);
    const outsideAfter = outsideListing();
    for (const f of outsideAfter) if (!outsideBefore.includes(f)) leaks.push(`new path outside the testbed: ${f}`);
    if (sha(this.bed.modeFile) !== this.modeHash) leaks.push('mode file changed');
    if (leaks.length) await this.repair();
    if (!problems.length && !leaks.length) return { kernel: cs.kernel };
    return {
      kernel: cs.kernel,
      failure: { seed, i: cs.i, family: cs.family, note: cs.note, problems, leaks, replay: `node --import tsx conformance/reliability/fuzz.ts --seed ${seed} --case ${cs.i}` },
    };
  }

  /** After a leak: put the node back to its baseline so one bug does not fail every later case. */
  private async repair(): Promise<void> {
    for (const l of (await this.inventory()).links) spawnSync('ip', ['-n', this.bed.node, 'link', 'del', l.split(' ')[0]!]);
    this.bed.removePod(this.ctx.pod);
    this.ctx.pod = this.bed.pod('p');
    for (const f of fs.readdirSync(this.ctx.fakeDir)) fs.rmSync(path.join(this.ctx.fakeDir, f), { force: true });
    const endpoints = path.join(this.bed.stateDir, 'endpoints');
    for (const f of listTree(this.bed.stateDir)) if (!f.endsWith('/')) fs.rmSync(path.join(this.bed.stateDir, f), { force: true });
    fs.mkdirSync(endpoints, { recursive: true });
    const ipamNet = path.join(this.bed.ipamDir, 'testnet');
    for (const f of listTree(ipamNet)) if (isIP(f)) fs.rmSync(path.join(ipamNet, f), { force: true });
    // Only the pins the baseline does not have: the node's programs and maps stay loaded.
    for (const f of listTree(this.bed.bpfRoot).reverse()) if (!this.baseline.pins.includes(f) && !this.baseline.nodePins.includes(f)) fs.rmSync(path.join(this.bed.bpfRoot, f), { recursive: true, force: true });
    for (const f of this.tree()) if (!this.bedTree.includes(f)) fs.rmSync(path.join(this.bed.dir, f), { recursive: true, force: true });
    this.baseline = await this.inventory();
    this.modeHash = sha(this.bed.modeFile);
  }

  cleanup(): void {
    this.bed.cleanup();
  }
}
