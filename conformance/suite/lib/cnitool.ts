// Driving chains through a real runtime library: cnitool (ours from conformance/cnitool, built on
// Debian's libcni, or an upstream one named by $CNITOOL) run inside a testbed's node netns, with
// NETCONFPATH, CNI_PATH (symlinks to dist/podlink, the reference plugins and our fakes) and the
// result cache all inside the testbed directory.
//
// The container ID is left to cnitool, which derives it from the netns path the way upstream does
// ("cnitool-" + hex of the first 10 bytes of sha512(path)); containerIdFor() computes the same, so
// the suite works with either cnitool. Imports: node built-ins, ./suite.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { isIP } from 'node:net';
import * as path from 'node:path';
import { CNI_PATH, PODLINK, TESTDATA, type Testbed } from './suite.js';

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
  json?: unknown;
}

export function containerIdFor(netnsPath: string): string {
  return `cnitool-${createHash('sha512').update(netnsPath).digest('hex').slice(0, 20)}`;
}

/** Reference plugins symlinked into the chain's CNI_PATH, when present. */
export const REFERENCE_PLUGINS = ['host-local', 'portmap', 'bandwidth', 'tuning', 'loopback'];

export class Chain {
  readonly dir: string;
  readonly netconf: string;
  readonly bin: string;
  readonly cache: string;

  constructor(readonly bed: Testbed, readonly tool: string) {
    this.dir = path.join(bed.dir, 'chain');
    this.netconf = path.join(this.dir, 'net.d');
    this.bin = path.join(this.dir, 'bin');
    this.cache = path.join(this.dir, 'cache');
    for (const d of [this.netconf, this.bin, this.cache]) fs.mkdirSync(d, { recursive: true });
    fs.symlinkSync(PODLINK, path.join(this.bin, 'podlink'));
    fs.symlinkSync(path.join(TESTDATA, 'fake-first.sh'), path.join(this.bin, 'fake-first'));
    for (const p of REFERENCE_PLUGINS) {
      const src = path.join(CNI_PATH, p);
      if (fs.existsSync(src)) fs.symlinkSync(src, path.join(this.bin, p));
    }
  }

  /** podlink's plugin object for a conflist: the testbed's private state, IPAM and mode file. */
  podlink(extra: Record<string, unknown> = {}, mode = 'veth', ipv6 = true): Record<string, unknown> {
    const { cniVersion: _v, name: _n, ...rest } = this.bed.conf({ mode, ipv6 });
    return { ...rest, ...extra };
  }

  /** Write NETCONFPATH/<name>.conflist. The network name doubles as the IPAM directory name. */
  conflist(name: string, version: string, plugins: Record<string, unknown>[]): void {
    fs.writeFileSync(path.join(this.netconf, `10-${name}.conflist`), `${JSON.stringify({ cniVersion: version, name, plugins }, null, 1)}\n`);
  }

  run(verb: 'add' | 'check' | 'del', net: string, netnsPath: string, o: { capArgs?: unknown; args?: string; ifname?: string } = {}): ToolRun {
    const env: Record<string, string> = {
      PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
      NETCONFPATH: this.netconf,
      CNI_PATH: this.bin,
      CNI_CACHE_DIR: this.cache,
      CNI_IFNAME: o.ifname ?? 'eth0',
    };
    if (o.capArgs !== undefined) env.CAP_ARGS = JSON.stringify(o.capArgs);
    if (o.args !== undefined) env.CNI_ARGS = o.args;
    const r = spawnSync('nsenter', [`--net=/run/netns/${this.bed.node}`, this.tool, verb, net, netnsPath], { env, encoding: 'utf8', timeout: 120_000 });
    let json: unknown;
    try {
      json = r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
    } catch {
      json = undefined;
    }
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', json };
  }

  /** Results libcni still caches (empty after a successful DEL). */
  cached(): string[] {
    try {
      return fs.readdirSync(path.join(this.cache, 'results'));
    } catch {
      return [];
    }
  }

  /** IPAM reservations of network `net` (host-local dataDir is the testbed's). */
  ipam(net: string): string[] {
    try {
      return fs.readdirSync(path.join(this.bed.ipamDir, net)).filter((f) => isIP(f) !== 0);
    } catch {
      return [];
    }
  }
}

/** The supportedVersions of a reference plugin ([] when it is missing). */
export function pluginVersions(name: string): string[] {
  const r = spawnSync(path.join(CNI_PATH, name), [], { env: { CNI_COMMAND: 'VERSION', PATH: '/usr/bin:/bin' }, input: '', encoding: 'utf8' });
  try {
    return (JSON.parse(r.stdout) as { supportedVersions: string[] }).supportedVersions;
  } catch {
    return [];
  }
}
