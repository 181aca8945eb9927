// A one-way bulk TCP transfer between two netns: a sink that checks every byte against the sender's
// periodic pattern, and the netns counters that tell a clean transfer from one that limped through
// (checksum errors, retransmissions).
import { spawnSync } from 'node:child_process';
import { netnsPath, nsExec, PLUGIN_PATH, type Cleanup } from '../support/index.js';
import { serveInNetns } from './serve.js';

const NSENTER = '/usr/bin/nsenter';

// The pattern repeats every PERIOD bytes; the sink compares each chunk with the doubled pattern at its offset.
const PATTERN = `
const PERIOD = 1048573;
const pattern = Buffer.alloc(2 * PERIOD).map((_, i) => ((i % PERIOD) * 31 + ((i % PERIOD) >> 9)) & 255);`;

const SINK = `${PATTERN}
const s = require('node:net').createServer({ allowHalfOpen: true }, (c) => {
  let got = 0; let bad = -1;
  c.on('data', (b) => {
    for (let at = 0; at < b.length && bad < 0; at += PERIOD) {
      const part = b.subarray(at, at + PERIOD); const o = (got + at) % PERIOD;
      if (!part.equals(pattern.subarray(o, o + part.length))) bad = got + at;
    }
    got += b.length;
  });
  c.on('error', () => {});
  c.on('end', () => c.end(bad < 0 ? got + ' bytes intact' : 'corrupt near byte ' + bad));
});
s.listen(Number(process.argv[1]), '::', () => process.stdout.write('listening\\n'));`;

const SEND = `${PATTERN}
const [host, port, total] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
let sent = 0; let answer = '';
const c = require('node:net').connect({ host, port }, () => {
  const more = () => {
    while (sent < total) {
      const o = sent % PERIOD; const n = Math.min(PERIOD, total - sent);
      sent += n;
      if (!c.write(pattern.subarray(o, o + n))) return void c.once('drain', more);
    }
    c.end();
  };
  more();
});
c.setTimeout(20000, () => { console.log('stalled after ' + sent + ' bytes sent'); process.exit(2); });
c.on('data', (b) => { answer += b; });
c.on('error', (e) => { console.log(e.message); process.exit(3); });
c.on('close', () => { console.log(answer); process.exit(answer === total + ' bytes intact' ? 0 : 1); });`;

/** Starts the sink on [::]:port in the netns; it is killed (by PID) on cleanup. */
export async function bulkSink(c: Cleanup, ns: string, port: number): Promise<void> {
  await serveInNetns(c, ns, 'bulk sink', SINK, [String(port)]);
}

/** Sends `bytes` from the netns to the sink; returns the sink's verdict, the time taken and whether it passed. */
export function bulkSend(ns: string, host: string, port: number, bytes: number, timeoutMs = 180_000): { ok: boolean; out: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(NSENTER, [`--net=${netnsPath(ns)}`, process.execPath, '-e', SEND, host, String(port), String(bytes)], {
    encoding: 'utf8', env: { PATH: PLUGIN_PATH }, timeout: timeoutMs,
  });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim().slice(0, 300) || `exit ${r.status ?? r.signal}`, ms: Date.now() - t0 };
}

/** Every counter of the netns's /proc/net/snmp (as "Tcp.RetransSegs") and /proc/net/snmp6 (as "Udp6InCsumErrors"). */
export function snmp(ns: string): Record<string, number> {
  const out: Record<string, number> = {};
  const lines = nsExec(ns, 'cat', ['/proc/net/snmp']).trim().split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [head, vals] = [lines[i]!.split(/\s+/), lines[i + 1]!.split(/\s+/)];
    const proto = head[0]!.replace(':', '');
    head.slice(1).forEach((h, j) => (out[`${proto}.${h}`] = Number(vals[j + 1])));
  }
  for (const l of nsExec(ns, 'cat', ['/proc/net/snmp6']).trim().split('\n')) {
    const [k, v] = l.split(/\s+/);
    if (k) out[k] = Number(v);
  }
  return out;
}

/** The checksum-error counters (IP-level, TCP, UDP, UDP-Lite, ICMP; both families) that grew from a to b. */
export function csumErrors(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(b).filter((k) => /CsumErrors/.test(k) && b[k]! > (a[k] ?? 0)).map((k) => [k, b[k]! - (a[k] ?? 0)]));
}
