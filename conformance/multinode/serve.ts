// A server script run inside a netns with this Node binary: started, killed (by PID) on cleanup, and
// ready once it prints "listening".
import { spawn } from 'node:child_process';
import { netnsPath, PLUGIN_PATH, type Cleanup } from '../support/index.js';

/** Starts `node -e script args...` in the netns; resolves when it is listening, with what it printed since. */
export async function serveInNetns(c: Cleanup, ns: string, what: string, script: string, args: string[]): Promise<{ output(): string }> {
  const child = spawn('/usr/bin/nsenter', [`--net=${netnsPath(ns)}`, process.execPath, '-e', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: PLUGIN_PATH },
  });
  c.add(`kill ${what} in ${ns}`, () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.startsWith('listening\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${what} in ${ns} exited ${code}`)));
  });
  return { output: () => out.slice('listening\n'.length) };
}
