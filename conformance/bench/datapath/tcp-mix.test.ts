// tcp-mix against its own server in two netns joined by a veth pair (root only; skipped otherwise).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { Cleanup, Netns, which } from '../harness.js';
import { vethPair } from '../../support/link.js';
import { nsBatch } from '../../support/netns.js';
import { mixed, startServers, type Tools } from './measure.js';
import { buildTools } from './tools.js';

const root = process.geteuid?.() === 0;
const skip = !root ? 'needs root (netns)' : !which('gcc') ? 'needs gcc' : false;

t.test('targets in several netns take turns; each is measured for its seconds; a bad target fails alone', { skip }, async (t) => {
  const c = new Cleanup();
  t.teardown(() => {
    c.killChildren();
    c.run();
  });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-mix-'));
  c.add('remove the work dir', () => fs.rmSync(work, { recursive: true, force: true }));
  const tools: Tools = buildTools(work, { pin: false, latencyHold: false }, 1, c);
  const [a, b] = [`plmix-${process.pid}-a`, `plmix-${process.pid}-b`];
  new Netns(c).create([a, b]);
  for (const ns of [a, b]) nsBatch(ns, ['link set lo up']);
  vethPair({ ns: a, dev: 'm0', addrs: ['10.236.0.1/24'] }, { ns: b, dev: 'm0', addrs: ['10.236.0.2/24'] });
  await startServers(c, tools, b);

  const t0 = performance.now();
  const stream = await mixed(c, tools, 'stream', [{ client: a, ip: '10.236.0.2' }, { client: b, ip: '127.0.0.1' }, { client: `${a}-missing`, ip: '10.236.0.2' }], 1);
  const wall = (performance.now() - t0) / 1000;
  t.ok('tput' in stream[0]! && stream[0].tput.gbps > 0.1, `veth stream: ${JSON.stringify(stream[0])}`);
  t.ok('tput' in stream[1]! && stream[1].tput.gbps > 0.1 && stream[1].tput.cpuSeconds > 0, `loopback stream: ${JSON.stringify(stream[1])}`);
  t.match(stream[2], { error: /plmix-\d+-a-missing.*cannot open the netns/ }, 'a netns that does not exist fails that target only');
  t.ok(wall >= 2, `two measured targets of 1 s each take at least 2 s (took ${wall.toFixed(2)} s)`);

  const rr = await mixed(c, tools, 'rr', [{ client: b, ip: '127.0.0.1' }, { client: a, ip: '10.236.0.2' }], 1);
  for (const s of rr) {
    if (!('rr' in s)) {
      t.fail(`rr: ${JSON.stringify(s)}`);
      continue;
    }
    t.equal(s.rr.mode, 'rr');
    t.ok(s.rr.transactions > 100 && s.rr.errors === 0, `${s.rr.transactions} transactions, ${s.rr.errors} errors`);
    t.ok(s.rr.seconds >= 1 && s.rr.seconds < 1.5, `measured ${s.rr.seconds} s of the 1 s asked`);
    t.ok(s.rr.p50Us <= s.rr.p99Us && s.rr.p50Us > 0, `p50 ${s.rr.p50Us} ≤ p99 ${s.rr.p99Us}`);
    t.ok(Math.abs(s.rr.rate - s.rr.transactions / s.rr.seconds) < 1, 'rate = transactions / measured seconds');
  }

  const crr = await mixed(c, tools, 'crr', [{ client: a, ip: '10.236.0.2' }], 1);
  t.ok('rr' in crr[0]! && crr[0].rr.mode === 'crr' && crr[0].rr.transactions > 10, `crr: ${JSON.stringify(crr[0])}`);

  t.match(await mixed(c, tools, 'rr', [{ client: `${a}-missing`, ip: '10.236.0.2' }], 1), [{ error: /cannot open the netns/ }], 'every target failed: errors, not a throw');
});
