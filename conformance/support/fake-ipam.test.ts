// The fake IPAM plugin: one set of variables; the mode governs ADD unless FAKE_IPAM_COMMANDS says more.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FAKE_IPAM, fakeIpamEnv, type FakeIpamOptions } from './fake-ipam.js';
import { runPlugin } from './spawn.js';

function call(command: string, o: FakeIpamOptions, id = 'ctr1') {
  return runPlugin({ plugin: FAKE_IPAM, command, containerId: id, ifname: 'eth0', stdin: { cniVersion: '1.0.0', name: 'n' }, env: fakeIpamEnv(o) });
}

t.test('fakeIpamEnv sets only the variables asked for', async (t) => {
  t.strictSame(fakeIpamEnv({}), {});
  t.strictSame(fakeIpamEnv({ mode: 'error', commands: ['ADD', 'DEL'], store: '/s', log: '/l' }), {
    FAKE_IPAM_MODE: 'error',
    FAKE_IPAM_COMMANDS: 'ADD,DEL',
    FAKE_IPAM_DIR: '/s',
    FAKE_IPAM_LOG: '/l',
  });
});

t.test('ok: ADD allocates a per-container address in the store, DEL frees it, every call is logged', async (t) => {
  const dir = t.testdir({ store: {} });
  const o = { store: path.join(dir, 'store'), log: path.join(dir, 'log') };
  const a = call('ADD', o);
  const b = call('ADD', o, 'ctr2');
  t.equal(a.code, 0);
  const ip = (a.json as { ips: { address: string }[] }).ips[0]!.address;
  t.match(ip, /^10\.205\.\d+\.\d+\/24$/);
  t.not((b.json as { ips: { address: string }[] }).ips[0]!.address, ip, 'another container gets another address');
  t.equal(fs.readFileSync(path.join(o.store, 'ctr1.eth0'), 'utf8'), `${ip.split('/')[0]}\n`);
  t.equal(call('DEL', o).code, 0);
  t.same(fs.readdirSync(o.store), ['ctr2.eth0']);
  t.equal(fs.readFileSync(o.log, 'utf8'), 'ADD ctr1 eth0\nADD ctr2 eth0\nDEL ctr1 eth0\n');
});

t.test('a failing mode governs ADD only, unless FAKE_IPAM_COMMANDS names more', async (t) => {
  const add = call('ADD', { mode: 'error' });
  t.equal(add.code, 1);
  t.match(add.json, { code: 11 });
  t.equal(call('DEL', { mode: 'error' }).code, 0, 'DEL succeeds: the reliability tier cleans up through it');
  t.equal(call('DEL', { mode: 'error', commands: ['ADD', 'DEL'] }).code, 1);
  t.equal(call('CHECK', { mode: 'exit', commands: ['CHECK'] }).code, 3);
  t.equal(call('ADD', { mode: 'crash' }).signal, 'SIGKILL');
});

t.test('alloc-* modes allocate before they fail; unknown modes and commands are errors', async (t) => {
  const dir = t.testdir({});
  const r = call('ADD', { mode: 'alloc-noips', store: dir });
  t.match(r.json, { ips: [] });
  t.same(fs.readdirSync(dir), ['ctr1.eth0']);
  const u = call('ADD', { mode: 'no-such-mode' });
  t.equal(u.code, 2);
  t.match(u.stderr, /unknown FAKE_IPAM_MODE no-such-mode/);
  const c = call('FROB', {});
  t.equal(c.code, 1);
  t.match(c.json, { code: 4 });
});
