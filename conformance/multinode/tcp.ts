// A TCP echo server and a client that checks every byte comes back, run inside a netns with this
// Node binary (the tests need TCP through real sockets, not only ICMP).
import { spawnSync } from 'node:child_process';
import { netnsPath, PLUGIN_PATH, type Cleanup } from '../support/index.js';
import { serveInNetns } from './serve.js';

const NSENTER = '/usr/bin/nsenter';

const SERVER = `
const net = require('node:net');
const s = net.createServer((c) => c.on('error', () => {}).pipe(c));
s.listen(Number(process.argv[1]), '::', () => process.stdout.write('listening\\n'));`;

const CLIENT = `
const net = require('node:net');
const [host, port, size] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const data = Buffer.alloc(size, 0).map((_, i) => (i * 7) & 255);
let got = 0; let ok = true;
const c = net.connect({ host, port, timeout: 5000 }, () => c.end(data));
c.on('data', (b) => { for (let i = 0; i < b.length; i++) if (b[i] !== data[got + i]) ok = false; got += b.length; });
c.on('timeout', () => { console.log('timeout after ' + got + ' bytes'); process.exit(2); });
c.on('error', (e) => { console.log(e.message); process.exit(3); });
c.on('close', () => { console.log(got + ' bytes'); process.exit(ok && got === size ? 0 : 1); });`;

/** Starts an echo server on [::]:port in the netns; it is killed (by PID) on cleanup. */
export async function echoServer(c: Cleanup, ns: string, port: number): Promise<void> {
  await serveInNetns(c, ns, 'echo server', SERVER, [String(port)]);
}

/** Connects from the netns, sends `size` bytes, and returns '' when all came back intact, else why not. */
export function echoCheck(ns: string, host: string, port: number, size = 1 << 20): string {
  const r = spawnSync(NSENTER, [`--net=${netnsPath(ns)}`, process.execPath, '-e', CLIENT, host, String(port), String(size)], {
    encoding: 'utf8', env: { PATH: PLUGIN_PATH }, timeout: 20_000,
  });
  return r.status === 0 ? '' : `exit ${r.status ?? r.signal}: ${(r.stdout + r.stderr).trim().slice(0, 300)}`;
}
