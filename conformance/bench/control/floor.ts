// The kernel floor (floor.c): what the kernel must do per pod for podlink's ADD and DEL in veth mode
// with tcx, run as its own contender through the same node-netns wrapper. "floor" creates the pair and
// the two pinned tcx links and deletes the device and the pins; "floor plain" only creates and deletes
// the pair, so that DEL-extra (what the links add to a veth delete) is floor DEL − floor plain DEL.
// The part times come from the program itself (CLOCK_MONOTONIC around the syscalls), not the exec's wall.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { netnsPath, which, type Cleanup, type Invocation } from '../harness.js';
import { machineBpffs } from '../../support/bpffs.js';
import { sh } from '../../support/sh.js';
import { mkdirp } from '../../../lib/util/index.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const FLOOR_SOURCE = path.join(HERE, 'floor.c');
export const RUSAGE_SOURCE = path.join(HERE, 'rusage.c');

export type FloorKind = 'floor' | 'floor plain';
export type FloorParts = Record<string, number>;

/** Compiles a C helper of this directory into dir with gcc; returns the executable. */
export function compile(source: string, dir: string): string {
  const out = path.join(dir, path.basename(source, '.c'));
  fs.mkdirSync(dir, { recursive: true });
  sh(which('gcc')!, ['-O2', '-Wall', '-o', out, source]);
  return out;
}

export class Floor {
  readonly bin: string;
  readonly root: string;
  readonly progPin: string;

  /** Compiles floor.c into binDir and loads/pins its trivial program under a bpffs dir of this run. */
  constructor(cleanup: Cleanup, binDir: string, node: string) {
    this.bin = compile(FLOOR_SOURCE, binDir);
    this.root = `/sys/fs/bpf/podlink-bench-${process.pid}-floor`;
    machineBpffs(cleanup);
    cleanup.add(`remove ${this.root}`, () => fs.rmSync(this.root, { recursive: true, force: true }));
    mkdirp(this.root);
    this.progPin = path.join(this.root, 'prog');
    sh('/usr/bin/nsenter', [`--net=${netnsPath(node)}`, this.bin, 'prog', this.progPin]);
  }

  /** Host device name of call `i` of a batch `tag` (IFNAMSIZ: at most 15 characters). */
  static host(kind: FloorKind, tag: string, i: number): string {
    const name = `${kind === 'floor' ? 'f' : 'p'}${tag}-${i}`;
    if (name.length > 15) throw new RangeError(`floor device name ${name} is too long`);
    return name;
  }

  /** ADD or DEL of one pod; the peer is born in podNs as eth0 (floor) or eth1 (floor plain). */
  call(kind: FloorKind, op: 'ADD' | 'DEL', host: string, podNs: string, node: string, env: Record<string, string>): Invocation {
    const dir = kind === 'floor' ? path.join(this.root, host) : '-';
    const args = op === 'ADD'
      ? ['add', netnsPath(podNs), host, kind === 'floor' ? 'eth0' : 'eth1', kind === 'floor' ? this.progPin : '-', dir]
      : ['del', host, dir];
    return { file: this.bin, args, env, stdin: '', netns: node };
  }
}

/** "pair=0.6 attach=21.0" → { pair: 0.6, attach: 21.0 }. */
export function parseParts(stdout: string): FloorParts {
  const parts: FloorParts = {};
  for (const m of stdout.matchAll(/(\w+)=([\d.]+)/g)) parts[m[1]!] = Number(m[2]);
  return parts;
}
