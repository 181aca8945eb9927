// A throwaway "node" for privileged tests: a node netns (where podlink runs, as kubelet would run it in
// the host netns), pod netns, private state/IPAM/mode-file dirs, and cleanup of all of it; built from
// conformance/support.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isIP } from 'node:net';
import { bpfRoot } from '../support/bpffs.js';
import { Cleanup } from '../support/cleanup.js';
import { addNetns, delNetns, netnsPath, nsIp, nsLinks } from '../support/netns.js';
import { addNode, NODE_LO_ADDRS } from '../support/node.js';
import { ROOT, WORK_DIR } from '../support/paths.js';
import { runPlugin, type PluginRun } from '../support/spawn.js';

export { ROOT };
export { isRoot } from '../support/sh.js';
export const PODLINK = process.env.PODLINK_BIN ?? path.join(ROOT, 'dist/podlink');
export const CNI_PATH = process.env.CNI_PLUGIN_DIR ?? '/usr/lib/cni';

let counter = 0;

export function haveNetkitKernel(): boolean {
  const ns = `pl-nkprobe-${process.pid}`;
  addNetns(ns);
  try {
    // iproute2 6.1 cannot create netkit; ask podlink's own probe instead.
    const r = spawnSync('nsenter', [`--net=${netnsPath(ns)}`, PODLINK, 'probe', '--json'], { encoding: 'utf8' });
    return r.status === 0 && JSON.parse(r.stdout).features.netkit === true;
  } finally {
    delNetns(ns);
  }
}

export interface ConfOptions {
  cniVersion?: string;
  mode?: string;
  ipv6?: boolean;
  extra?: Record<string, unknown>;
  ipam?: Record<string, unknown> | null;
}

export class Testbed {
  readonly id: string;
  readonly node: string;
  readonly dir: string;
  readonly wrapper: string;
  readonly subnet4: string;
  readonly subnet6: string;
  readonly bpfRoot: string;
  /** Everything this node made, removed by cleanup(); tests may register more. */
  readonly resources = new Cleanup();

  constructor(tag: string) {
    counter++;
    this.id = `${tag}-${process.pid}-${counter}`.slice(0, 40);
    this.node = `plt-node-${this.id}`;
    this.dir = path.join(WORK_DIR, this.id);
    this.resources.add(`remove ${this.dir}`, () => fs.rmSync(this.dir, { recursive: true, force: true }));
    fs.mkdirSync(this.dir, { recursive: true });
    this.bpfRoot = bpfRoot(`podlink-test-${this.id}`, this.resources);
    try {
      addNode(this.node, this.resources, { loAddrs: NODE_LO_ADDRS });
    } catch (e) {
      this.resources.run();
      throw e;
    }
    this.wrapper = path.join(this.dir, 'podlink-in-node');
    fs.writeFileSync(this.wrapper, `#!/bin/sh\nexec nsenter --net=/run/netns/${this.node} ${PODLINK} "$@"\n`, { mode: 0o755 });
    const n = (process.pid * 7 + counter) % 250;
    this.subnet4 = `10.${100 + (counter % 100)}.${n}.0/24`;
    this.subnet6 = `fd00:${(100 + counter).toString(16)}:${n.toString(16)}::/64`;
  }

  get modeFile(): string {
    return path.join(this.dir, 'mode.json');
  }
  get stateDir(): string {
    return path.join(this.dir, 'state');
  }
  get ipamDir(): string {
    return path.join(this.dir, 'ipam');
  }

  conf(o: ConfOptions = {}): Record<string, unknown> {
    const ranges: unknown[] = [[{ subnet: this.subnet4 }]];
    if (o.ipv6 !== false) ranges.push([{ subnet: this.subnet6 }]);
    return {
      cniVersion: o.cniVersion ?? '1.0.0',
      name: 'testnet',
      type: 'podlink',
      mode: o.mode ?? 'auto',
      modeFile: this.modeFile,
      stateDir: this.stateDir,
      bpfRoot: this.bpfRoot,
      logFile: path.join(this.dir, 'podlink.log'),
      logLevel: 'debug',
      ...(o.ipam === null ? {} : { ipam: o.ipam ?? { type: 'host-local', dataDir: this.ipamDir, ranges } }),
      ...o.extra,
    };
  }

  pod(name: string): string {
    const ns = `plt-${name}-${this.id}`.slice(0, 60);
    addNetns(ns, this.resources);
    return ns;
  }

  removePod(ns: string): void {
    delNetns(ns);
  }

  run(command: string, o: { containerId?: string; pod?: string; netns?: string; ifname?: string; conf?: object | string; args?: string; env?: Record<string, string | undefined>; flags?: string[] } = {}): PluginRun {
    const plugin = this.wrapperOverride ?? (o.flags?.length ? this.flagWrapper(o.flags) : this.wrapper);
    const started = Date.now();
    const r = runPlugin({
      plugin,
      command,
      containerId: o.containerId,
      netns: o.netns ?? (o.pod ? `/run/netns/${o.pod}` : undefined),
      ifname: o.ifname ?? 'eth0',
      cniPath: CNI_PATH,
      args: o.args,
      stdin: o.conf ?? this.conf(),
      env: o.env,
    });
    if (process.env.PODLINK_TEST_TRACE) process.stderr.write(`[trace] ${command} ${o.containerId ?? ''} → ${r.code} in ${Date.now() - started} ms\n`);
    return r;
  }

  /** Like run(), with another executable (e.g. the fault-hooks test build). */
  runWith(bin: string, command: string, o: Parameters<Testbed['run']>[1] = {}): PluginRun {
    const w = path.join(this.dir, `wrap-${path.basename(bin)}`);
    fs.writeFileSync(w, `#!/bin/sh\nexec nsenter --net=/run/netns/${this.node} ${bin} "$@"\n`, { mode: 0o755 });
    const saved = this.wrapperOverride;
    this.wrapperOverride = w;
    try {
      return this.run(command, o);
    } finally {
      this.wrapperOverride = saved;
    }
  }

  private wrapperOverride?: string;

  private flagWrapper(flags: string[]): string {
    const f = path.join(this.dir, `podlink-${flags.join('').replace(/[^a-z]/g, '')}`);
    fs.writeFileSync(f, `#!/bin/sh\nexec nsenter --net=/run/netns/${this.node} ${PODLINK} ${flags.join(' ')}\n`, { mode: 0o755 });
    return f;
  }

  /** Run a command inside a netns; returns {status, stdout}. */
  exec(ns: string, cmd: string[]): { status: number | null; stdout: string; stderr: string } {
    const started = Date.now();
    const r = spawnSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', timeout: 30_000 });
    if (process.env.PODLINK_TEST_TRACE) process.stderr.write(`[trace] ${cmd.join(' ')} → ${r.status} in ${Date.now() - started} ms\n`);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  ip(ns: string, args: string[]): string {
    return nsIp(ns, args);
  }

  /** Links in the node netns other than lo. */
  nodeLinks(): string[] {
    return nsLinks(this.node).map((l) => l.ifname).filter((n) => n !== 'lo');
  }

  ipamAllocations(): string[] {
    const d = path.join(this.ipamDir, 'testnet');
    try {
      return fs.readdirSync(d).filter((f) => isIP(f) !== 0);
    } catch {
      return [];
    }
  }

  records(): string[] {
    try {
      return fs.readdirSync(path.join(this.stateDir, 'endpoints')).filter((f) => f.endsWith('.cbor'));
    } catch {
      return [];
    }
  }

  /** Removes the pods, the node, the bpfRoot and the work dir; throws when something could not be removed. */
  cleanup(): void {
    this.resources.runOrThrow();
  }
}
