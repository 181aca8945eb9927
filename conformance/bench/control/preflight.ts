// Refuses to start without root and the executables every phase needs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { which } from '../harness.js';
import { CNI_PATH } from './config.js';
import type { Options } from './options.js';

export function preflight(o: Options): void {
  if (process.geteuid?.() !== 0) throw new Error('the control benchmark needs root (netns, veth, BPF); run it as root');
  const need = [o.podlink, ...(o.compare ? [o.compare] : []), '/usr/bin/nsenter', path.join(CNI_PATH, 'ptp'), path.join(CNI_PATH, 'host-local'), process.execPath, '/bin/true'];
  for (const f of need) {
    try {
      fs.accessSync(f, fs.constants.X_OK);
    } catch {
      throw new Error(`${f} is missing or not executable${f === o.podlink ? ' (build it: node build.mjs)' : f === o.compare ? ' (--compare)' : f.startsWith(CNI_PATH) ? ' (apt-get install containernetworking-plugins)' : ''}`);
    }
  }
  if (!which('ip')) throw new Error('iproute2 (ip) is required');
  if (!which('gcc')) throw new Error('gcc is required: the kernel floor (floor.c) and the rusage helper (rusage.c) are compiled per run');
}
