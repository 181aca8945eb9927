// CNI VERSION, answered without loading the plugin: runtimes ask it often and it must cost no more
// than Node's own start-up. stdin is read with plain fd reads (no stream, no tty module).
// (Not logged: it reads no config and changes nothing.)
import { versionInfo } from '../lib/cni/about.js';
import { readFdToEnd, writeFdAll } from '../lib/cni/process-io.js';

export function runVersion(): number {
  let input: Buffer | undefined;
  try {
    input = readFdToEnd(0); // undefined: a non-blocking stdin with nothing in it
  } catch {
    input = undefined; // stdin is optional for VERSION
  }
  writeFdAll(1, `${JSON.stringify(versionInfo(input))}\n`);
  return 0;
}
