// A listening TCP socket inside another network namespace, for a server that runs in the test process:
// a short-lived child (`nsenter --net`) binds it and hands the handle over Node's IPC channel
// (SCM_RIGHTS), so the test's own server accepts connections made inside that netns.
import { spawn } from 'node:child_process';
import type { Server } from 'node:net';
import { netnsPath } from './netns.js';
import { PLUGIN_PATH } from './spawn.js';

const CHILD = `
const net = require('node:net');
const [host, port] = [process.argv[1], Number(process.argv[2])];
const s = net.createServer({ pauseOnConnect: true });
s.on('error', (e) => { process.send({ error: e.message }); process.exit(1); });
s.listen(port, host, () => process.send({ port: s.address().port }, s, () => process.exit(0)));`;

/** Binds host:port (0: any port) in the named netns; the returned handle is what server.listen() takes. */
export function listenInNetns(ns: string, host: string, port = 0): Promise<{ handle: Server; port: number }> {
  const child = spawn('/usr/bin/nsenter', [`--net=${netnsPath(ns)}`, process.execPath, '-e', CHILD, host, String(port)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { PATH: PLUGIN_PATH },
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port?: number; error?: string }, handle?: Server) => {
      if (m.error || !handle || !m.port) reject(new Error(`listen on ${host}:${port} in ${ns}: ${m.error ?? 'no handle'}`));
      else resolve({ handle, port: m.port });
    });
    child.once('exit', (code) => reject(new Error(`listen on ${host}:${port} in ${ns}: helper exited ${code}`)));
  });
}
