import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import type { Netlink } from '../netlink/index.js';
import { podMtu } from './mtu.js';

// The default-route device is found with one FIB lookup; a stand-in answers it with a device of MTU 1500.
const nl = {
  routeTo: () => ({ oif: 2 }),
  linkByIndex: () => ({ name: 'eth0', mtu: 1500 }),
} as unknown as Netlink;

const setup = (t: { testdir(): string }, tunnel?: unknown) => {
  const dir = t.testdir();
  if (tunnel !== undefined) fs.writeFileSync(path.join(dir, 'tunnel.json'), typeof tunnel === 'string' ? tunnel : JSON.stringify(tunnel));
  return path.join(dir, 'mode.json');
};

const inUse = { version: 1, routing: 'auto', device: { name: 'podlink_vxlan', port: 8472, vni: 1, mtu: 1450 }, inUse: true, podMtu: 1450 };

t.test("the config wins; native ignores the tunnel; auto takes the agent's tunnel MTU", async (t) => {
  const modeFile = setup(t, inUse);
  t.same(podMtu({ mtu: 9000, routing: 'auto', modeFile }, nl), { mtu: 9000, from: 'from the config' });
  t.equal(podMtu({ routing: 'native', modeFile }, nl).mtu, 1500);
  const auto = podMtu({ routing: 'auto', modeFile }, nl);
  t.equal(auto.mtu, 1450);
  t.match(auto.from, /podlink_vxlan, the tunnel device/);
});

t.test('auto without tunnel.json, or with an idle tunnel: the default-route device MTU', async (t) => {
  t.equal(podMtu({ routing: 'auto', modeFile: setup(t) }, nl).mtu, 1500);
  t.equal(podMtu({ routing: 'auto', modeFile: setup(t, { ...inUse, inUse: false, podMtu: 1500 }) }, nl).mtu, 1500);
});

t.test('routing tunnel before any agent ran: 50 bytes less', async (t) => {
  const r = podMtu({ routing: 'tunnel', modeFile: setup(t) }, nl);
  t.equal(r.mtu, 1450);
  t.match(r.from, /less 50 for VXLAN/);
});

t.test('a tunnel.json that is corrupt or carries an impossible MTU is ignored', async (t) => {
  for (const bad of [
    '{not json',
    { ...inUse, podMtu: 0 },
    { ...inUse, podMtu: -5 },
    { ...inUse, podMtu: 1400.5 },
    { ...inUse, podMtu: '1450' },
    { ...inUse, version: 2 },
  ]) {
    t.equal(podMtu({ routing: 'auto', modeFile: setup(t, bad) }, nl).mtu, 1500, JSON.stringify(bad));
  }
});
