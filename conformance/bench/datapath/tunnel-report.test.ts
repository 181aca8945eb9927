// The report's lines about (i)'s and (j)'s vxlan devices: the check, and the warning when one carried nothing.
import t from 'tap';
import { tunnelCheck } from './markdown.js';
import type { TunnelCounters } from './record.js';
import { tunnelWarnings } from './warnings.js';

const carried: TunnelCounters = { dev: 'podlink_vxlan', packets: [{ tx: 600, rx: 150 }, { tx: 150, rx: 600 }], forwarded: [0, 0] };

t.test('the check names the device, both directions per node and what the node stacks forwarded', async (t) => {
  t.equal(tunnelCheck('(j)', carried), '(j) podlink_vxlan packets: node 1 sent 600, received 150; node 2 sent 150, received 600; IPv4 datagrams forwarded by the node stacks 0 and 0');
});

t.test('a device that sent or received nothing on a node is a warning; nothing built, no warning', async (t) => {
  t.same(tunnelWarnings({ tunnel: carried, flannel: { ...carried, dev: 'flannel.1' } }), []);
  t.same(tunnelWarnings(undefined), []);
  t.same(tunnelWarnings({ flannel: { ...carried, dev: 'flannel.1', packets: [{ tx: 5, rx: 0 }, { tx: 0, rx: 5 }] } }), [
    "(i) flannel.1 on node 1 sent 5 and received 0 packets: the pods' traffic did not cross the tunnel",
    "(i) flannel.1 on node 2 sent 0 and received 5 packets: the pods' traffic did not cross the tunnel",
  ]);
});
