// lib/cni/process-io: the real CniIO for the executable — process env, stdin read to EOF (empty
// when stdin is a terminal, so `CNI_COMMAND=VERSION podlink` doesn't hang), stdout and stderr.
// Both ends use plain fd reads and writes: creating process.stdin/stdout streams costs milliseconds
// of every call. May import: ./dispatcher (types only), node builtins.
import { fstatSync, readSync, writeSync } from 'node:fs';
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

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * Read fd to EOF synchronously. A character device (a terminal, /dev/null) reads as empty, and so
 * does a closed fd. Undefined when the fd is non-blocking and not ready: the caller streams instead.
 */
export function readFdToEnd(fd: number): Buffer | undefined {
  try {
    if (fstatSync(fd).isCharacterDevice()) return Buffer.alloc(0);
  } catch (e) {
    if (code(e) === 'EBADF') return Buffer.alloc(0);
    throw e;
  }
  const chunks: Buffer[] = [];
  for (;;) {
    const chunk = Buffer.allocUnsafe(65536);
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      if (code(e) === 'EAGAIN' && chunks.length === 0) return undefined;
      if (code(e) === 'EAGAIN') {
        Atomics.wait(PAUSE, 0, 0, 1); // data arrived in parts: wait 1 ms for the rest
        continue;
      }
      if (code(e) === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
  }
  return Buffer.concat(chunks);
}

/** Write all of s to fd; a reader that went away (EPIPE) is not our error. */
export function writeFdAll(fd: number, s: string): void {
  const b = Buffer.from(s);
  for (let off = 0; off < b.length;) {
    try {
      off += writeSync(fd, b, off);
    } catch (e) {
      if (code(e) === 'EAGAIN') {
        Atomics.wait(PAUSE, 0, 0, 1);
        continue;
      }
      if (code(e) === 'EPIPE') return;
      throw e;
    }
  }
}

export function processIO(): CniIO {
  return {
    getenv: (name) => process.env[name],
    readStdin: () => Promise.resolve(readFdToEnd(0) ?? readAll(process.stdin)),
    stdout: (s) => writeFdAll(1, s),
    stderr: (s) => writeFdAll(2, s),
  };
}
