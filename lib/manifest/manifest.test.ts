import t from 'tap';
import { parse, parseAllDocuments } from 'yaml';
import {
  AGENT_NODE_OPTIONS,
  buildConflist,
  cidrFamily,
  hostLocalRanges,
  manifestObjects,
  nodePodCidrs,
  podlinkPlugin,
  renderConflist,
  renderManifest,
  toYaml,
  type KubeNodeDeps,
  type YamlValue,
} from './index.js';
import { parseNetConf } from '../cni/netconf.js';

// Strings chosen to trip a careless emitter: YAML 1.1 booleans, numbers, nulls, indicators, comments,
// escapes, multi-line text, leading/trailing space, unicode line separators.
const TRICKY = [
  '',
  ' ',
  'yes',
  'No',
  'on',
  'OFF',
  'y',
  'n',
  'true',
  'null',
  '~',
  'Null',
  '0',
  '012',
  '0x1f',
  '1e3',
  '1_000',
  '12:30',
  '.5',
  '.inf',
  '-.inf',
  '.NaN',
  '-',
  '--',
  '---',
  '- a',
  '-1',
  '-x',
  '--flag',
  '? q',
  ': x',
  'a: b',
  'a:b',
  'a #b',
  '#c',
  '@x',
  '`x',
  '!tag',
  '&anchor',
  '*alias',
  '|',
  '>',
  '%x',
  '{a}',
  '[a]',
  'a,b',
  '"q"',
  "'s'",
  'back\\slash',
  'tab\there',
  'nl\n',
  'two\nlines',
  'two\nlines\n',
  'trail\n\n',
  '\nlead',
  ' lead',
  'trail ',
  'line\n  indented\n',
  'blank\n\nline\n',
  'spaces only\n   \nx',
  'cr\r\nlf',
  'nel\u0085x',
  'ls\u2028x',
  'bom\ufeffx',
  'del\u007fx',
  'ctl\u0001x',
  'é ü 中文',
  '😀',
  'http://x.y/z',
  'ghcr.io/a/b:1.2.3',
  '/opt/cni/bin',
  'app.kubernetes.io/name',
  'system-node-critical',
  '2026-01-01',
  '1.1.0',
];

t.test('YAML emitter: every value reads back identically (yaml package, YAML 1.1 and 1.2)', async (t) => {
  const doc: YamlValue = {
    scalars: TRICKY,
    keys: Object.fromEntries(TRICKY.filter((s) => s !== '').map((s, i) => [s, i])),
    nested: [{ a: [] as YamlValue[], b: {}, c: [[1, 2], [{ d: null }]], e: [{ f: 'g', h: ['i', { j: true }] }] }, [], {}, -0.5, 1e21],
    multi: { text: '{\n  "a": 1\n}\n', nochomp: 'x\ny' },
  };
  const text = toYaml(doc);
  t.same(parse(text), doc, 'YAML 1.2');
  t.same(parse(text, { version: '1.1' }), doc, 'YAML 1.1 (go-yaml, as kubectl reads it)');
  // Names in ASCII: a raw U+0085 or U+2028 in an assertion name would break the TAP stream itself.
  const name = (s: string) => JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  for (const s of TRICKY) {
    t.equal(parse(toYaml(s)), s, `scalar ${name(s)}`);
    t.equal(parse(toYaml(s), { version: '1.1' }), s, `scalar ${name(s)} (1.1)`);
    t.equal(parse(toYaml({ [s || 'k']: s })).constructor, Object);
  }
  t.match(toYaml({ k: 'a\nb\n' }), /^k: \|\n {2}a\n {2}b\n$/, 'multi-line text is a literal block');
  t.match(toYaml({ args: ['--flag', 'x'] }), /- --flag\n/, 'flags stay readable');
});

t.test('conflist: podlink + portmap + bandwidth with capabilities, valid for ADD', async (t) => {
  const text = renderConflist({ plugin: podlinkPlugin({ ipamType: 'host-local', subnets: ['10.244.1.0/24', 'fd00:10:244:1::/64'] }) });
  const c = JSON.parse(text);
  t.equal(c.cniVersion, '1.1.0');
  t.equal(c.name, 'k8s-pod-network');
  t.strictSame(
    c.plugins.map((p: { type: string }) => p.type),
    ['podlink', 'portmap', 'bandwidth'],
  );
  t.strictSame(c.plugins[0], {
    type: 'podlink',
    mode: 'auto',
    ipam: { type: 'host-local', ranges: [[{ subnet: '10.244.1.0/24' }], [{ subnet: 'fd00:10:244:1::/64' }]] },
  });
  t.strictSame(c.plugins[1].capabilities, { portMappings: true });
  t.strictSame(c.plugins[2].capabilities, { bandwidth: true });
  t.equal(
    text,
    renderConflist({ plugin: podlinkPlugin({ ipamType: 'host-local', subnets: ['10.244.1.0/24', 'fd00:10:244:1::/64'] }) }),
    'byte-stable',
  );
  t.ok(text.endsWith('}\n'));
  // What the runtime hands podlink: the list's name and version plus the plugin object.
  const conf = parseNetConf(JSON.stringify({ cniVersion: c.cniVersion, name: c.name, ...c.plugins[0] }));
  t.equal(conf.mode, 'auto');
  t.strictSame(buildConflist({ plugin: { type: 'x', mode: 'veth' }, portmap: false, bandwidth: false }).plugins, [
    { type: 'podlink', mode: 'veth' },
  ]);
});

t.test('podlinkPlugin: base netconf, overrides and input errors', async (t) => {
  const base = {
    cniVersion: '1.0.0',
    name: 'n',
    type: 'podlink',
    mode: 'netkit',
    mtu: 1400,
    ipam: { type: 'host-local', dataDir: '/d', ranges: [[{ subnet: '10.0.0.0/24' }]] },
  };
  t.strictSame(
    podlinkPlugin({ base }),
    { type: 'podlink', mode: 'netkit', mtu: 1400, ipam: base.ipam },
    'name and cniVersion move to the list',
  );
  t.equal(podlinkPlugin({ base, mode: 'veth' }).mode, 'veth', '--mode wins');
  t.strictSame(
    podlinkPlugin({ base, subnets: ['10.1.0.0/16'] }).ipam,
    { type: 'host-local', dataDir: '/d', ranges: [[{ subnet: '10.1.0.0/16' }]] },
    '--subnet replaces ranges, keeps the rest',
  );
  t.strictSame(podlinkPlugin({ base, ipamType: 'dhcp' }).ipam, { type: 'dhcp' }, 'another IPAM type starts fresh');
  t.throws(() => podlinkPlugin({ ipamType: 'dhcp', subnets: ['10.0.0.0/8'] }), /host-local/);
  t.throws(() => podlinkPlugin({ base: { plugins: [] } }), /conflist/);
  t.strictSame(hostLocalRanges(['10.0.0.0/24', 'fd00::/64', '10.0.1.0/24']), [
    [{ subnet: '10.0.0.0/24' }, { subnet: '10.0.1.0/24' }],
    [{ subnet: 'fd00::/64' }],
  ]);
  for (const bad of ['10.0.0.0', '10.0.0.0/33', 'fd00::/129', 'x/8', '10.0.0.0/24/1']) t.throws(() => cidrFamily(bad), bad);
});

type K8sObj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };

function docs(text: string): K8sObj[] {
  const all = parseAllDocuments(text, { version: '1.1' });
  for (const d of all) if (d.errors.length) throw d.errors[0];
  return all.map((d) => d.toJS() as K8sObj);
}

t.test('manifest: the objects, parsed back, have every required field', async (t) => {
  const text = renderManifest({ image: 'registry.example/podlink:0.1.0', mode: 'netkit', namespace: 'kube-system' });
  const objs = docs(text);
  t.strictSame(
    objs,
    JSON.parse(JSON.stringify(manifestObjects({ image: 'registry.example/podlink:0.1.0', mode: 'netkit', namespace: 'kube-system' }))),
    'YAML == objects',
  );
  t.strictSame(
    objs.map((o) => o.kind),
    ['ServiceAccount', 'ConfigMap', 'ClusterRole', 'ClusterRoleBinding', 'DaemonSet'],
  );
  for (const o of objs) {
    t.ok(o.apiVersion && o.metadata.name, `${o.kind} has apiVersion and name`);
    if (!o.kind.startsWith('Cluster')) t.equal(o.metadata.namespace, 'kube-system', `${o.kind} namespace`);
  }
  const sa = objs[0]!;
  const cm = objs[1]! as K8sObj & { data: Record<string, string> };
  const netconf = JSON.parse(cm.data['podlink.json']!);
  t.match(netconf, { type: 'podlink', mode: 'netkit', ipam: { type: 'host-local' } });
  t.ok(parseNetConf(JSON.stringify(netconf)), 'the ConfigMap netconf is valid');
  const crb = objs[3] as K8sObj & { subjects: { name: string; namespace: string }[]; roleRef: { name: string } };
  t.strictSame(crb.subjects[0], { kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'kube-system' });
  t.strictSame((objs[2] as K8sObj & { rules: unknown }).rules, [
    { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
  ]);

  type Mount = { name: string; mountPath: string; mountPropagation?: string };
  type Probe = { exec: { command: string[] } };
  type Container = {
    name: string;
    image: string;
    command: string[];
    args: string[];
    securityContext: { privileged?: boolean };
    volumeMounts: Mount[];
    readinessProbe?: Probe;
    livenessProbe?: Probe;
  };
  const ds = objs[4] as K8sObj & {
    spec: {
      selector: { matchLabels: Record<string, string> };
      template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> };
    };
  };
  const pod = ds.spec.template.spec as {
    hostNetwork: boolean;
    priorityClassName: string;
    tolerations: unknown[];
    serviceAccountName: string;
    initContainers: Container[];
    containers: Container[];
    volumes: { name: string; hostPath?: { path: string }; configMap?: { name: string } }[];
  };
  for (const [k, v] of Object.entries(ds.spec.selector.matchLabels))
    t.equal(ds.spec.template.metadata.labels[k], v, 'selector matches the template');
  t.equal(pod.hostNetwork, true);
  t.equal(pod.priorityClassName, 'system-node-critical');
  t.strictSame(pod.tolerations, [{ operator: 'Exists' }]);
  t.equal(pod.serviceAccountName, sa.metadata.name);
  const init = pod.initContainers[0]!;
  t.equal(init.securityContext.privileged, true);
  t.equal(init.image, 'registry.example/podlink:0.1.0');
  t.strictSame(init.args.slice(0, 1), ['install']);
  t.ok(init.args.includes('--subnet') && init.args[init.args.indexOf('--subnet') + 1] === 'node', 'node CIDR lookup without --subnet');
  const hostPaths = new Map(pod.volumes.filter((v) => v.hostPath).map((v) => [v.name, v.hostPath!.path]));
  const mounted = (c: Container) => new Map(c.volumeMounts.map((m) => [hostPaths.get(m.name) ?? m.name, m]));
  const im = mounted(init);
  for (const p of ['/opt/cni/bin', '/etc/cni/net.d', '/sys/fs/bpf', '/run/podlink', '/var/lib/podlink'])
    t.ok(im.has(p), `init mounts host ${p}`);
  t.equal(im.get('/sys/fs/bpf')!.mountPropagation, 'Bidirectional');
  t.equal(init.args[init.args.indexOf('--bin-dir') + 1], im.get('/opt/cni/bin')!.mountPath, 'install writes into the host bin dir');
  t.equal(init.args[init.args.indexOf('--conf-dir') + 1], im.get('/etc/cni/net.d')!.mountPath);
  t.equal(init.args[init.args.indexOf('--netconf') + 1], `${im.get('netconf')!.mountPath}/podlink.json`);
  t.equal(pod.volumes.find((v) => v.name === 'netconf')!.configMap!.name, cm.metadata.name);
  const agent = pod.containers[0]!;
  t.strictSame(agent.readinessProbe!.exec.command.slice(1), ['status', '--ready']);
  t.strictSame(agent.livenessProbe!.exec.command.slice(1), ['status', '--alive'], 'liveness fails when the agent is wedged');
  t.match((agent as unknown as { env: { name: string; value?: string }[] }).env, [
    { name: 'NODE_NAME' },
    { name: 'NODE_OPTIONS', value: AGENT_NODE_OPTIONS },
  ]);
  t.strictSame(agent.args, [
    'agent',
    '--netconf',
    '/etc/podlink/podlink.json',
    '--textfile-dir',
    '/var/lib/node_exporter/textfile_collector',
    '--service-cidr',
    '10.96.0.0/12',
  ]);
  t.ok(
    agent.volumeMounts.some((m) => m.name === 'netconf' && m.mountPath === '/etc/podlink'),
    'the agent reads the netconf that install writes into the conflist',
  );
  const am = mounted(agent);
  for (const p of ['/sys/fs/bpf', '/run/podlink', '/var/lib/podlink']) t.ok(am.has(p), `agent mounts ${p} (readiness)`);
  const names = new Set(pod.volumes.map((v) => v.name));
  for (const c of [init, agent]) for (const m of c.volumeMounts) t.ok(names.has(m.name), `${c.name}: volume ${m.name} exists`);
});

t.test("manifest with fixed subnets: RBAC only for the agent's list and watch, subnets in the ConfigMap", async (t) => {
  const objs = docs(
    renderManifest({ image: 'x', subnets: ['10.1.0.0/16'], namespace: 'net', serviceCIDRs: ['10.32.0.0/16', 'fd00:32::/108'] }),
  );
  t.strictSame(
    objs.map((o) => o.kind),
    ['ServiceAccount', 'ConfigMap', 'ClusterRole', 'ClusterRoleBinding', 'DaemonSet'],
  );
  t.strictSame((objs[2] as K8sObj & { rules: unknown }).rules, [{ apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] }]);
  const agentArgs = (objs[4] as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } }).spec.template.spec
    .containers[0]!.args;
  t.strictSame(agentArgs.slice(-4), ['--service-cidr', '10.32.0.0/16', '--service-cidr', 'fd00:32::/108']);
  const netconf = JSON.parse((objs[1] as unknown as { data: Record<string, string> }).data['podlink.json']!);
  t.strictSame(netconf.ipam, { type: 'host-local', ranges: [[{ subnet: '10.1.0.0/16' }]] });
  t.notMatch(JSON.stringify(objs[4]), /"node"/, 'no --subnet node');
});

t.test('nodePodCidrs: in-cluster lookup with the ServiceAccount, errors name the fix', async (t) => {
  const calls: { url: string; token: string }[] = [];
  const deps = (status: number, body: unknown, env: Record<string, string> = {}): KubeNodeDeps => ({
    env: { NODE_NAME: 'n1', KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443', ...env },
    readFile: (f) => (f.endsWith('token') ? 'tok\n' : 'CA'),
    get: async (url, token) => {
      calls.push({ url: url.href, token });
      return { status, body: JSON.stringify(body) };
    },
  });
  t.strictSame(await nodePodCidrs(deps(200, { spec: { podCIDR: '10.0.1.0/24', podCIDRs: ['10.0.1.0/24', 'fd00:1::/64'] } })), [
    '10.0.1.0/24',
    'fd00:1::/64',
  ]);
  t.strictSame(calls[0], { url: 'https://[fd00::1]:6443/api/v1/nodes/n1', token: 'tok' });
  t.strictSame(await nodePodCidrs(deps(200, { spec: { podCIDR: '10.0.2.0/24' } })), ['10.0.2.0/24']);
  await t.rejects(nodePodCidrs(deps(403, {})), /HTTP 403/);
  await t.rejects(nodePodCidrs(deps(200, { spec: {} })), /no spec.podCIDRs/);
  await t.rejects(nodePodCidrs(deps(200, {}, { NODE_NAME: '' })), /NODE_NAME/);
  try {
    await nodePodCidrs(deps(403, {}));
  } catch (e) {
    t.match((e as { hint?: string }).hint, /ClusterRole/);
  }
});
