import t from 'tap';
import { backendIp, iptablesRestoreText, serviceIp } from './kube-proxy.js';

t.test('5000 services: 4500 DNAT rules in nat, 500 REJECT rules in filter, jumps from PREROUTING and FORWARD', async (t) => {
  const text = iptablesRestoreText();
  const lines = text.split('\n');
  t.equal(lines.filter((l) => l.includes('-j DNAT')).length, 4500);
  t.equal(lines.filter((l) => l.includes('-j REJECT')).length, 500);
  t.ok(lines.includes('-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'));
  t.match(text, /-A FORWARD -m conntrack --ctstate NEW .*-j KUBE-SERVICES/);
  t.equal(lines.filter((l) => l === 'COMMIT').length, 2);
  t.ok(text.indexOf('*nat') < text.indexOf('*filter'));
  t.ok(text.endsWith('COMMIT\n'));
});

t.test('rules name their ClusterIP and backend', async (t) => {
  const text = iptablesRestoreText({ services: 10, noEndpointsEvery: 5 });
  t.match(text, '-A KUBE-SERVICES -d 10.96.0.0/32 -p tcp -m tcp --dport 80 -m comment --comment "default/svc-0" -j DNAT --to-destination 10.244.0.0:8080');
  t.match(text, '-A KUBE-SERVICES -d 10.96.0.4/32 -p tcp -m tcp --dport 80 -m comment --comment "default/svc-4 has no endpoints" -j REJECT');
  t.equal(text.split('\n').filter((l) => l.includes('REJECT')).length, 2);
});

t.test('addresses stay inside 10.96/16 and 10.244/16', async (t) => {
  t.equal(serviceIp(4999), '10.96.19.135');
  t.equal(backendIp(258), '10.244.1.2');
  t.throws(() => iptablesRestoreText({ services: 0, noEndpointsEvery: 10 }));
});
