// Small file-system, log and timing helpers used by the phases and the testbed.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function listDir(d: string): string[] {
  try {
    return fs.readdirSync(d);
  } catch {
    return [];
  }
}

export function countIpamAllocations(dataDir: string): number {
  let n = 0;
  for (const net of listDir(dataDir)) n += listDir(path.join(dataDir, net)).filter((f) => /^[0-9a-f.:]+$/i.test(f) && /[.:]/.test(f)).length;
  return n;
}

export function ipamDirOf(conf: Record<string, unknown>): string {
  return (conf.ipam as { dataDir: string }).dataDir;
}

/** One CNI call as podlink's JSON-lines log has it: total in-process time and each plan step's. */
export interface LoggedCall {
  durationMs: number;
  steps: Record<string, number>;
}

/** `${command}/${containerID}` → the call's durationMs and step times from podlink's log. */
export function readCalls(logFile: string): Map<string, LoggedCall> {
  const m = new Map<string, LoggedCall>();
  let text = '';
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return m;
  }
  for (const line of text.split('\n')) {
    if (!line.includes('"event":"cni"')) continue;
    try {
      const j = JSON.parse(line) as { command?: string; containerID?: string; durationMs?: number; steps?: Record<string, number> };
      if (j.command && j.containerID && typeof j.durationMs === 'number') m.set(`${j.command}/${j.containerID}`, { durationMs: j.durationMs, steps: j.steps ?? {} });
    } catch {
      // a torn line: skip
    }
  }
  return m;
}

/** `${command}/${containerID}` → durationMs from podlink's JSON-lines log. */
export function readDurations(logFile: string): Map<string, number> {
  return new Map([...readCalls(logFile)].map(([k, c]) => [k, c.durationMs]));
}

export const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lets the kernel reap deleted netns (cleanup_net runs in a workqueue) before the next measurement. */
export async function settle(ms = 1000): Promise<void> {
  await sleep(ms);
}

export function countFiles(dir: string): number {
  let n = 0;
  for (const e of listDir(dir)) {
    const p = path.join(dir, e);
    try {
      n += fs.statSync(p).isDirectory() ? countFiles(p) : 1;
    } catch {
      // raced with removal
    }
  }
  return n;
}
