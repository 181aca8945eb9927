import { createHash } from 'node:crypto';
import t from 'tap';
import { attachmentNames, hostIfName } from './names.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

t.test('the host ifname is "pl" + 12 hex chars of sha256(containerID:ifname), as DEL derives it', async (t) => {
  const d = digest('c0ffee:eth0');
  t.equal(hostIfName('c0ffee', 'eth0'), `pl${d.toString('hex').slice(0, 12)}`);
  t.equal(attachmentNames('c0ffee', 'eth0').hostIfName, hostIfName('c0ffee', 'eth0'), 'ADD and DEL name the same device');
  t.ok(hostIfName('a'.repeat(64), 'net1').length <= 15, 'fits IFNAMSIZ-1');
});

t.test('both MACs come from the same digest: locally administered, unicast, distinct, stable', async (t) => {
  const d = digest('c0ffee:eth0');
  const n = attachmentNames('c0ffee', 'eth0');
  const expect = (at: number) => Buffer.from([(d[at]! & 0xfe) | 0x02, ...d.subarray(at + 1, at + 6)]);
  t.same([...n.hostMac], [...expect(6)], 'host MAC: digest bytes 6-11');
  t.same([...n.podMac], [...expect(12)], 'pod MAC: digest bytes 12-17');
  for (const mac of [n.hostMac, n.podMac]) {
    t.equal(mac.length, 6);
    t.equal(mac[0]! & 0x01, 0, 'unicast');
    t.equal(mac[0]! & 0x02, 0x02, 'locally administered');
  }
  t.not(n.hostMac.toString('hex'), n.podMac.toString('hex'));
  t.same(attachmentNames('c0ffee', 'eth0'), n, 'the same for a retried ADD');
  t.not(attachmentNames('c0ffee', 'eth1').hostMac.toString('hex'), n.hostMac.toString('hex'), 'another ifname, another MAC');
});
