import t from 'tap';
import { spawn } from 'node:child_process';
import { addsInFlight, waitForOrphanedAdds } from './orphaned-ipam.js';

const adder = (id: string, ifname: string, seconds: string) =>
  spawn('sleep', [seconds], {
    env: { PATH: process.env.PATH, CNI_COMMAND: 'ADD', CNI_CONTAINERID: id, CNI_IFNAME: ifname },
    stdio: 'ignore',
  });

t.test('finds only ADDs of the same attachment, and waits for them to end', async (t) => {
  const id = `orphan-${process.pid}`;
  const mine = adder(id, 'eth0', '0.4');
  const otherIf = adder(id, 'net1', '5');
  const otherId = adder(`${id}-x`, 'eth0', '5');
  t.teardown(() => void [otherIf, otherId].forEach((c) => c.kill('SIGKILL')));
  await new Promise((r) => setTimeout(r, 50)); // let exec settle the environments
  t.same(addsInFlight(id, 'eth0'), [String(mine.pid)]);
  const started = Date.now();
  const r = await waitForOrphanedAdds(id, 'eth0');
  t.same(r.waitedFor, [String(mine.pid)]);
  t.same(r.stillRunning, []);
  t.ok(Date.now() - started >= 200, 'it waited for the process to exit');
});

t.test('gives up after the timeout and says which are still running', async (t) => {
  const id = `orphan-slow-${process.pid}`;
  const slow = adder(id, 'eth0', '5');
  t.teardown(() => void slow.kill('SIGKILL'));
  await new Promise((r) => setTimeout(r, 50));
  const r = await waitForOrphanedAdds(id, 'eth0', 100);
  t.same(r.stillRunning, [String(slow.pid)]);
});

t.test('nothing to wait for: returns at once', async (t) => {
  const r = await waitForOrphanedAdds(`nobody-${process.pid}`, 'eth0');
  t.same(r, { waitedFor: [], stillRunning: [] });
});
