// The operational-mode file written by `podlink probe` and read by ADD/STATUS. Validated on read:
// a corrupt or incompatible file is rejected with a clear error, never trusted.
import * as fs from 'node:fs';
import { writeFileAtomic } from '../util/index.js';
import { ModeFileError } from './errors.js';
import { isMode, isOperationalMode, type Mode, type OperationalMode } from './mode.js';
import type { KernelFeatures } from './resolve.js';

export const MODE_FILE_VERSION = 1;
export const DEFAULT_MODE_FILE = '/run/podlink/mode.json';

export interface ModeFile {
  v: number;
  configured: Mode;
  operational: OperationalMode;
  reason: string;
  kernel: string;
  features: KernelFeatures;
  probedAt: string;
}

const FEATURE_KEYS: (keyof KernelFeatures)[] = ['netkit', 'netkitScrub', 'netkitHeadroom', 'tcx', 'bpffs'];

export function validateModeFile(x: unknown, file: string): ModeFile {
  const bad = (why: string) => new ModeFileError(`mode file ${file} is invalid: ${why}`, 'run `podlink probe --write` to regenerate it');
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw bad('not a JSON object');
  const o = x as Record<string, unknown>;
  if (o.v !== MODE_FILE_VERSION) throw bad(`version ${JSON.stringify(o.v)} is not ${MODE_FILE_VERSION}`);
  if (!isMode(o.configured)) throw bad(`configured ${JSON.stringify(o.configured)} is not a mode`);
  if (!isOperationalMode(o.operational)) throw bad(`operational ${JSON.stringify(o.operational)} is not veth, netkit or netkit-l2`);
  for (const k of ['reason', 'kernel', 'probedAt'] as const) if (typeof o[k] !== 'string') throw bad(`${k} must be a string`);
  const f = o.features as Record<string, unknown> | undefined;
  if (typeof f !== 'object' || f === null) throw bad('features missing');
  for (const k of FEATURE_KEYS) if (typeof f[k] !== 'boolean') throw bad(`features.${k} must be a boolean`);
  if (f.netkitError !== undefined && typeof f.netkitError !== 'string') throw bad('features.netkitError must be a string');
  if ((o.operational === 'netkit' || o.operational === 'netkit-l2') && !f.netkit)
    throw bad('operational netkit without the netkit feature');
  return o as unknown as ModeFile;
}

/** Returns undefined when the file does not exist; throws ModeFileError when it is unusable. */
export function readModeFile(file = DEFAULT_MODE_FILE): ModeFile | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModeFileError(`cannot read mode file ${file}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ModeFileError(`mode file ${file} is not valid JSON`, 'run `podlink probe --write` to regenerate it');
  }
  return validateModeFile(parsed, file);
}

export function writeModeFile(m: ModeFile, file = DEFAULT_MODE_FILE): void {
  writeFileAtomic(file, `${JSON.stringify(m, null, 2)}\n`);
}
