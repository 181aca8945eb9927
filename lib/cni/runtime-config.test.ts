import t from 'tap';
import { normaliseRuntimeConfig, RuntimeConfigError } from './index.js';

t.test('absent runtimeConfig is {}', async (t) => {
  t.strictSame(normaliseRuntimeConfig(undefined), {});
  t.strictSame(normaliseRuntimeConfig(null), {});
});

t.test('keys match case-insensitively at every level', async (t) => {
  t.strictSame(
    normaliseRuntimeConfig({
      PORTMAPPINGS: [{ hostport: 1, CONTAINERPORT: 2, protocol: 'udp', hostip: '::1' }],
      IPRanges: [[{ Subnet: '10.1.0.0/16', RangeStart: '10.1.0.10', rangeend: '10.1.0.20', GATEWAY: '10.1.0.1' }]],
      Ips: ['10.1.2.3/24'],
      MAC: 'c2:11:22:33:44:55',
      InfinibandGuid: 'c2:11:22:33:44:55:66:77',
      DeviceId: '0000:04:00.5',
      Aliases: ['db'],
      CgroupPath: '/kubelet.slice/x',
    }),
    {
      portMappings: [{ hostPort: 1, containerPort: 2, protocol: 'udp', hostIP: '::1' }],
      ipRanges: [[{ subnet: '10.1.0.0/16', rangeStart: '10.1.0.10', rangeEnd: '10.1.0.20', gateway: '10.1.0.1' }]],
      ips: ['10.1.2.3/24'],
      mac: 'c2:11:22:33:44:55',
      infinibandGUID: 'c2:11:22:33:44:55:66:77',
      deviceID: '0000:04:00.5',
      aliases: ['db'],
      cgroupPath: '/kubelet.slice/x',
    },
  );
});

t.test('the exact spelling wins over a case variant, whatever the order', async (t) => {
  t.strictSame(normaliseRuntimeConfig({ MAC: 'aa', mac: 'bb' }), { mac: 'bb' });
  t.strictSame(normaliseRuntimeConfig({ mac: 'bb', MAC: 'aa' }), { mac: 'bb' });
});

t.test('unknown keys are kept verbatim, at the top and inside known objects', async (t) => {
  t.strictSame(normaliseRuntimeConfig({ 'io.kubernetes.cri.pod-annotations': { X: 1 }, bandwidth: { Extra: true, IngressRate: 5 } }), {
    'io.kubernetes.cri.pod-annotations': { X: 1 },
    bandwidth: { Extra: true, ingressRate: 5 },
  });
});

t.test('null known values are dropped', async (t) => {
  t.strictSame(normaliseRuntimeConfig({ portMappings: null, mac: 'x' }), { mac: 'x' });
});

const bad: [unknown, string][] = [
  [{ mac: 5 }, 'runtimeConfig.mac must be a string'],
  [{ ips: '10.0.0.1/24' }, 'runtimeConfig.ips must be a list of strings'],
  [{ bandwidth: { IngressRate: -1 } }, 'runtimeConfig.bandwidth.ingressRate must be a non-negative integer'],
  [{ portMappings: {} }, 'runtimeConfig.portMappings must be a list'],
  [{ dns: { Servers: [1] } }, 'runtimeConfig.dns.servers must be a list of strings'],
  [{ ipRanges: [[1]] }, 'runtimeConfig.ipRanges[0][0] must be an object'],
  ['x', 'runtimeConfig must be an object'],
];
for (const [input, msg] of bad) {
  t.test(`rejected: ${msg}`, async (t) => {
    t.throws(() => normaliseRuntimeConfig(input), RuntimeConfigError);
    t.throws(() => normaliseRuntimeConfig(input), { message: msg });
  });
}
