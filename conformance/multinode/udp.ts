// A UDP echo server and a client that checks each datagram comes back intact, run inside a netns with
// this Node binary (tunnel tests need UDP through real sockets, including datagrams that fragment).
import { spawnSync } from 'node:child_process';
import { netnsPath, PLUGIN_PATH, type Cleanup } from '../support/index.js';
import { serveInNetns } from './serve.js';

const NSENTER = '/usr/bin/nsenter';

const SERVER = `
const s = require('node:dgram').createSocket({ type: 'udp6', ipv6Only: false });
s.on('message', (m, r) => s.send(m, r.port, r.address));
s.bind(Number(process.argv[1]), '::', () => process.stdout.write('listening\\n'));`;

// One datagram per size, up to three tries each (UDP may lose one on a loaded machine; a broken path loses all).
const CLIENT = `
const [host, port, sizes] = [process.argv[1], Number(process.argv[2]), process.argv[3].split(',').map(Number)];
const s = require('node:dgram').createSocket(host.includes(':') ? 'udp6' : 'udp4');
const bad = [];
const one = (size) => new Promise((resolve) => {
  const data = Buffer.alloc(size).map((_, i) => (i * 13 + size) & 255);
  let tries = 0; let timer;
  const send = () => {
    if (tries++ === 3) { s.off('message', got); bad.push(size + ': no intact echo'); return resolve(); }
    s.send(data, port, host); timer = setTimeout(send, 1000);
  };
  // Anything else is a late echo of an earlier try (or a corrupt one, which then ends as no intact echo).
  const got = (m) => { if (!m.equals(data)) return; clearTimeout(timer); s.off('message', got); resolve(); };
  s.on('message', got); send();
});
(async () => { for (const n of sizes) await one(n); s.close(); console.log(bad.join('; ')); process.exit(bad.length ? 1 : 0); })();`;

/** Starts a UDP echo server on [::]:port (both families) in the netns; it is killed (by PID) on cleanup. */
export async function udpEchoServer(c: Cleanup, ns: string, port: number): Promise<void> {
  await serveInNetns(c, ns, 'UDP echo server', SERVER, [String(port)]);
}

/** Sends one datagram of each size from the netns; '' when every one came back intact, else which did not. */
export function udpEchoCheck(ns: string, host: string, port: number, sizes: number[]): string {
  const r = spawnSync(NSENTER, [`--net=${netnsPath(ns)}`, process.execPath, '-e', CLIENT, host, String(port), sizes.join(',')], {
    encoding: 'utf8', env: { PATH: PLUGIN_PATH }, timeout: 30_000,
  });
  return r.status === 0 ? '' : `exit ${r.status ?? r.signal}: ${(r.stdout + r.stderr).trim().slice(0, 300)}`;
}

const LISTENER = `
const s = require('node:dgram').createSocket({ type: 'udp6', ipv6Only: false });
s.on('message', (m) => process.stdout.write(m.toString().replace(/\\n/g, ' ') + '\\n'));
s.bind(Number(process.argv[1]), '::', () => process.stdout.write('listening\\n'));`;

/** A UDP listener on [::]:port in the netns that keeps what it receives, one datagram a line. */
export async function udpListener(c: Cleanup, ns: string, port: number): Promise<{ received(): string[] }> {
  const l = await serveInNetns(c, ns, 'UDP listener', LISTENER, [String(port)]);
  return { received: () => l.output().split('\n').filter(Boolean) };
}
