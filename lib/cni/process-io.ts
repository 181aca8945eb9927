// lib/cni/process-io: the real CniIO for the executable — process env, stdin read to EOF (empty
// when stdin is a terminal, so `CNI_COMMAND=VERSION podlink` doesn't hang), stdout and stderr.
// May import: ./dispatcher (types only), node builtins.
import type { CniIO } from './dispatcher.js';

/** Read a stream to EOF; a terminal reads as empty. */
export function readAll(stream: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<Buffer> {
  if (stream.isTTY) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer | string) => chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c)));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

export function processIO(): CniIO {
  return {
    getenv: (name) => process.env[name],
    readStdin: () => readAll(process.stdin),
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
  };
}
