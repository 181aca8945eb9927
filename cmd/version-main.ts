// CNI VERSION, answered without loading the plugin: runtimes ask it often and it must cost no more
// than Node's own start-up. stdin is read with one synchronous read (no stream machinery).
// (Not logged: it reads no config and changes nothing.)
import { readFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import { versionInfo } from '../lib/cni/about.js';

export function runVersion(): number {
  let input: Buffer | undefined;
  try {
    input = isatty(0) ? undefined : readFileSync(0);
  } catch {
    input = undefined; // stdin is optional for VERSION (closed, or a non-blocking pipe)
  }
  process.stdout.write(`${JSON.stringify(versionInfo(input))}\n`);
  return 0;
}
