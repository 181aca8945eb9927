// CNI VERSION, answered without loading the plugin: runtimes ask it often and it must cost no more
// than Node's own start-up. stdin is read with plain fd reads (no stream, no tty module).
// (Not logged: it reads no config and changes nothing.)
import { answerVersion } from '../lib/cni/about.js';
import { readFdToEnd, writeFdAll } from '../lib/cni/process-io.js';

export async function runVersion(): Promise<number> {
  // readFdToEnd: undefined for a non-blocking stdin with nothing in it
  writeFdAll(1, `${JSON.stringify(await answerVersion(() => readFdToEnd(0)))}\n`);
  return 0;
}
