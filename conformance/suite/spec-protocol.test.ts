// Conformance: the protocol around the datapath — environment variables, stdin, config fields and
// unknown keys, CNI_ARGS and runtimeConfig as real runtimes send them, VERSION, STATUS, GC, CNI_PATH,
// prevResult passthrough, CHECK's judgement, and stdout discipline. Each case has its own node netns.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  checkBadJson, checkEnvMissing, checkPrevResultPassthrough, checkStdoutDiscipline, checkVersionCommand,
  errorProblems, hostIfName, leftoverProblems, podlinkTarget, resultAddresses, resultShapeProblems, stdoutProblems,
  successProblems,
} from './lib/checks.js';
import {
  ALL_VERSIONS, bed, CNI_PATH, conformanceCase, modes, probeWrite, prng, ROOT, shuffle, versions, versionsBelow,
  versionsFrom, type Axis, type Testbed,
} from './lib/suite.js';

const V1: Axis = { value: '1.0.0' };
const V11: Axis = { value: '1.1.0' };
const noProblems = (st: Test, problems: string[]) => st.strictSame(problems, [], 'no problems');

// ------------------------------------------------------------------ §1 execution model

conformanceCase(t, { items: ['§1.5', '§1.3', '§1.4', '§4 DEL.5', '§4 CHECK.9'], section: '§1', title: 'stdout is exactly one JSON document or empty, for every command', version: V1, mode: modes()[0] }, (st) => {
  noProblems(st, checkStdoutDiscipline(podlinkTarget(bed(st, 'stdout')), { version: '1.0.0', mode: 'veth' }));
});

conformanceCase(t, { items: ['§1.2'], section: '§1', title: 'a failing stdin read gets code 5' }, (st) => {
  const b = bed(st, 'stdin5');
  const pod = b.pod('a');
  // stdin is a file opened write-only: read(2) fails with EBADF. (A directory would not do: Node
  // turns a stdin it cannot classify into an empty stream, which is a decode error, code 6.)
  const woFile = path.join(b.dir, 'write-only');
  const woFd = fs.openSync(woFile, 'w');
  try {
    const vars = ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'CNI_COMMAND=ADD', 'CNI_CONTAINERID=stdin5', `CNI_NETNS=/run/netns/${pod}`, 'CNI_IFNAME=eth0', `CNI_PATH=${CNI_PATH}`];
    const r = spawnSync('/usr/bin/env', ['-i', ...vars, b.wrapper], { stdio: [woFd, 'pipe', 'pipe'], encoding: 'utf8', timeout: 60_000 });
    const run = { code: r.status ?? -1, signal: r.signal, timedOut: false, stdout: r.stdout, stderr: r.stderr, json: parse(r.stdout), env: {} };
    noProblems(st, errorProblems(run, 'ADD with an unreadable stdin', { code: 5 }));
    noProblems(st, leftoverProblems(b, [pod]));
  } finally {
    fs.closeSync(woFd);
  }
});

conformanceCase(t, { items: ['§1.6'], section: '§1', title: 'without CNI_COMMAND: exit 0, text on stderr only (optional about)' }, (st) => {
  const b = bed(st, 'nocmd');
  const r = spawnSync('/usr/bin/env', ['-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', b.wrapper], { input: '', encoding: 'utf8', timeout: 60_000 });
  st.equal(r.status, 0, 'exit 0');
  st.equal(r.stdout, '', 'nothing on stdout');
  st.not(r.stderr.trim(), '', 'something for the human on stderr');
});

// ------------------------------------------------------------------ §2 environment

for (const version of versions()) {
  conformanceCase(t, { items: ['§2.1', '§1.4', '§6.1', '§6.2'], section: '§2', title: 'ADD without CNI_CONTAINERID, CNI_NETNS and CNI_IFNAME: code 4 naming all three', version }, (st) => {
    noProblems(st, checkEnvMissing(podlinkTarget(bed(st, 'envadd')), 'ADD', ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'], version.value));
  });
}

conformanceCase(t, { items: ['§2.1'], section: '§2', title: 'DEL without CNI_CONTAINERID and CNI_IFNAME: code 4 naming both', version: V1 }, (st) => {
  noProblems(st, checkEnvMissing(podlinkTarget(bed(st, 'envdel')), 'DEL', ['CNI_CONTAINERID', 'CNI_IFNAME'], '1.0.0'));
});

conformanceCase(t, { items: ['§2.1'], section: '§2', title: 'CHECK without CNI_NETNS: code 4 naming it', version: V1 }, (st) => {
  noProblems(st, checkEnvMissing(podlinkTarget(bed(st, 'envchk')), 'CHECK', ['CNI_NETNS'], '1.0.0'));
});

conformanceCase(t, { items: ['§2.2'], section: '§2', title: 'an unknown CNI_COMMAND gets code 4' }, (st) => {
  const b = bed(st, 'unkcmd');
  const r = b.run('FOO', { containerId: 'unk', pod: b.pod('a') });
  noProblems(st, errorProblems(r, 'CNI_COMMAND=FOO', { code: 4, msg: /FOO/ }));
});

conformanceCase(t, { items: ['§2.3', '§2.1'], section: '§2', title: 'invalid CNI_CONTAINERID values get code 4 naming the variable' }, (st) => {
  const b = bed(st, 'badcid');
  const pod = b.pod('a');
  for (const id of ['-x', '.x', 'a b', 'a/b', 'a;b', 'ä']) {
    noProblems(st, errorProblems(b.run('ADD', { containerId: id, pod }), `CNI_CONTAINERID=${JSON.stringify(id)}`, { code: 4, msg: /CNI_CONTAINERID/ }));
  }
  noProblems(st, leftoverProblems(b, [pod]));
});

conformanceCase(t, { items: ['§2.4', '§2.1'], section: '§2', title: 'unusable CNI_IFNAME values get code 4; a 15-character name works' }, (st) => {
  const b = bed(st, 'badif');
  const pod = b.pod('a');
  for (const ifname of ['a234567890123456', 'a/b', 'a:b', 'a b', 'a\tb', '.', '..']) {
    noProblems(st, errorProblems(b.run('ADD', { containerId: 'badif', pod, ifname }), `CNI_IFNAME=${JSON.stringify(ifname)}`, { code: 4, msg: /CNI_IFNAME/ }));
  }
  noProblems(st, leftoverProblems(b, [pod]));
  const long = 'a23456789012345';
  noProblems(st, successProblems(b.run('ADD', { containerId: 'goodif', pod, ifname: long }), `ADD with CNI_IFNAME=${long}`, 'json'));
  noProblems(st, successProblems(b.run('DEL', { containerId: 'goodif', pod, ifname: long }), 'DEL', 'empty'));
  noProblems(st, leftoverProblems(b, [pod]));
});

const K8S_ARGS = (id: string) => ['IgnoreUnknown=1', 'K8S_POD_NAMESPACE=default', 'K8S_POD_NAME=web-0', `K8S_POD_INFRA_CONTAINER_ID=${id}`, 'K8S_POD_UID=6f1c2a4e-1b7d-4a8e-9f0c-2d3e4f5a6b7c'];
for (const mode of modes()) {
  for (const seed of [1, 2, 3]) {
    conformanceCase(t, { items: ['§2.7', '§9.5'], section: '§2', title: `containerd CNI_ARGS (IgnoreUnknown=1;K8S_POD_*) in random order (seed ${seed}) for ADD, CHECK, DEL`, mode, version: V1 }, (st) => {
      const b = bed(st, `args${seed}`);
      const pod = b.pod('a');
      const id = `args${seed}`;
      const args = shuffle(K8S_ARGS(id), prng(seed)).join(';');
      st.comment(`CNI_ARGS=${args}`);
      const conf = b.conf({ mode: mode.value });
      const add = b.run('ADD', { containerId: id, pod, conf, args });
      noProblems(st, successProblems(add, 'ADD', 'json'));
      noProblems(st, successProblems(b.run('CHECK', { containerId: id, pod, conf: { ...conf, prevResult: add.json }, args }), 'CHECK', 'empty'));
      noProblems(st, successProblems(b.run('DEL', { containerId: id, pod, conf, args }), 'DEL', 'empty'));
      noProblems(st, leftoverProblems(b, [pod]));
    });
  }
  conformanceCase(t, { items: ['§2.7'], section: '§2', title: 'unknown CNI_ARGS keys (IgnoreUnknown=true spelling, not first) do not fail', mode, version: V1 }, (st) => {
    const b = bed(st, 'argsunk');
    const pod = b.pod('a');
    const conf = b.conf({ mode: mode.value });
    // Delegated plugins get CNI_ARGS unchanged (§8.2); host-local accepts unknown keys only with IgnoreUnknown.
    const args = 'FOO=bar;K8S_POD_NAME=web-1;IgnoreUnknown=true;SOME_FUTURE_KEY=1';
    noProblems(st, successProblems(b.run('ADD', { containerId: 'argsunk', pod, conf, args }), 'ADD', 'json'));
    noProblems(st, successProblems(b.run('DEL', { containerId: 'argsunk', pod, conf, args }), 'DEL', 'empty'));
    noProblems(st, leftoverProblems(b, [pod]));
  });
}

conformanceCase(t, { items: ['§2.8'], section: '§2', title: 'ADD without CNI_PATH (IPAM must be delegated): code 4 naming CNI_PATH, nothing created' }, (st) => {
  const b = bed(st, 'nopath');
  const pod = b.pod('a');
  noProblems(st, errorProblems(b.run('ADD', { containerId: 'nopath', pod, env: { CNI_PATH: undefined } }), 'ADD without CNI_PATH', { code: 4, msg: /CNI_PATH/ }));
  noProblems(st, leftoverProblems(b, [pod]));
});

conformanceCase(t, { items: ['§2.8', '§8.1'], section: '§8', title: 'the IPAM plugin is searched in every CNI_PATH directory in order' }, (st) => {
  const b = bed(st, 'pathlist');
  const pod = b.pod('a');
  const empty = path.join(b.dir, 'empty-bin');
  fs.mkdirSync(empty);
  const cniPath = `/nonexistent-podlink-dir:${empty}:${CNI_PATH}`;
  noProblems(st, successProblems(b.run('ADD', { containerId: 'pathlist', pod, env: { CNI_PATH: cniPath } }), `ADD with CNI_PATH=${cniPath}`, 'json'));
  noProblems(st, successProblems(b.run('DEL', { containerId: 'pathlist', pod, env: { CNI_PATH: cniPath } }), 'DEL', 'empty'));
  noProblems(st, leftoverProblems(b, [pod]));
});

conformanceCase(t, { items: ['§8.1'], section: '§8', title: 'the IPAM plugin is not looked up in $PATH' }, (st) => {
  const b = bed(st, 'notpath');
  const pod = b.pod('a');
  const r = b.run('ADD', { containerId: 'notpath', pod, env: { CNI_PATH: '/nonexistent-podlink-dir', PATH: `${CNI_PATH}:/usr/sbin:/usr/bin:/sbin:/bin` } });
  noProblems(st, errorProblems(r, 'ADD with host-local only on $PATH'));
  noProblems(st, leftoverProblems(b, [pod]));
});

conformanceCase(t, { items: ['§2.9'], section: '§2', title: 'CHECK with a different CNI_PATH than ADD succeeds', version: V1 }, (st) => {
  const b = bed(st, 'chkpath');
  const pod = b.pod('a');
  const other = path.join(b.dir, 'other-bin');
  fs.mkdirSync(other);
  fs.symlinkSync(path.join(CNI_PATH, 'host-local'), path.join(other, 'host-local'));
  const conf = b.conf();
  const add = b.run('ADD', { containerId: 'chkpath', pod, conf });
  noProblems(st, successProblems(add, 'ADD', 'json'));
  noProblems(st, successProblems(b.run('CHECK', { containerId: 'chkpath', pod, conf: { ...conf, prevResult: add.json }, env: { CNI_PATH: other } }), `CHECK with CNI_PATH=${other}`, 'empty'));
  noProblems(st, successProblems(b.run('DEL', { containerId: 'chkpath', pod, conf }), 'DEL', 'empty'));
});

// ------------------------------------------------------------------ §3 configuration

for (const command of ['ADD', 'DEL', 'CHECK'] as const) {
  conformanceCase(t, { items: ['§3.15', '§1.4', '§6.2'], section: '§3', title: `bad JSON on stdin gets code 6 (${command})` }, (st) => {
    const tg = podlinkTarget(bed(st, `json${command}`));
    for (const text of ['{', '{"cniVersion":"1.0.0","name":', 'not json', '{"cniVersion":"1.0.0"}}']) noProblems(st, checkBadJson(tg, command, text));
  });
}

const INVALID: [string, Record<string, unknown>][] = [
  ['name missing', { name: undefined }],
  ['name with a slash', { name: 'a/b' }],
  ['name starting with "-"', { name: '-net' }],
  ['name not a string', { name: 7 }],
  ['mode unknown', { mode: 'bogus' }],
  ['mtu not a number', { mtu: 'big' }],
  ['ipam without type', { ipam: { dataDir: '/nonexistent' } }],
];
for (const version of [V1, { value: '0.3.1' }, V11]) {
  conformanceCase(t, { items: ['§3.2', '§6.1', '§6.2', '§1.4'], section: '§3', title: 'invalid fields get code 7, in the config\'s version, nothing created', version }, (st) => {
    const b = bed(st, 'invalid');
    const pod = b.pod('a');
    for (const [what, patch] of INVALID) {
      const conf = { ...b.conf({ cniVersion: version.value }), ...patch };
      noProblems(st, errorProblems(b.run('ADD', { containerId: 'invalid', pod, conf }), `ADD with ${what}`, { code: 7, version: version.value }));
    }
    noProblems(st, leftoverProblems(b, [pod]));
  });
}

conformanceCase(t, { items: ['§3.1'], section: '§3', title: 'an unsupported cniVersion gets code 1' }, (st) => {
  const b = bed(st, 'badver');
  const pod = b.pod('a');
  for (const v of ['9.9.9', '0.5.0', '1.2.0']) {
    noProblems(st, errorProblems(b.run('ADD', { containerId: 'badver', pod, conf: b.conf({ cniVersion: v }) }), `ADD with cniVersion ${v}`, { code: 1 }));
  }
  noProblems(st, leftoverProblems(b, [pod]));
});

conformanceCase(t, { items: ['§3.1', '§5.1'], section: '§3', title: 'a config without cniVersion is legacy: the result has the 0.1.0/0.2.0 shape', skip: versions()[0]!.skip }, (st) => {
  const b = bed(st, 'nover');
  const pod = b.pod('a');
  const conf: Record<string, unknown> = { ...b.conf(), cniVersion: undefined };
  const add = b.run('ADD', { containerId: 'nover', pod, conf });
  noProblems(st, successProblems(add, 'ADD', 'json'));
  const v = String((add.json as { cniVersion?: unknown } | undefined)?.cniVersion);
  st.ok(['0.1.0', '0.2.0'].includes(v), `result cniVersion ${v} is a legacy version`);
  noProblems(st, resultShapeProblems(add.json, v, { netns: `/run/netns/${pod}`, ifname: 'eth0', ipv6: true }));
  noProblems(st, successProblems(b.run('DEL', { containerId: 'nover', pod, conf }), 'DEL', 'empty'));
  noProblems(st, leftoverProblems(b, [pod]));
});

for (const mode of modes()) {
  conformanceCase(t, { items: ['§3.13', '§3.9', '§3.7', '§9.3'], section: '§3', title: 'unknown keys, capabilities and unknown args are tolerated', mode, version: V1 }, (st) => {
    const b = bed(st, 'unknown');
    const pod = b.pod('a');
    const conf = b.conf({
      mode: mode.value,
      extra: {
        someUnknownKey: { kept: 'verbatim' },
        capabilities: { bandwidth: true, mac: false, portMappings: true },
        args: { cni: { labels: [{ key: 'app', value: 'web' }], futureThing: true }, vendor: { x: 1 } },
        'cni.dev/future-key': 1,
      },
    });
    noProblems(st, successProblems(b.run('ADD', { containerId: 'unknown', pod, conf }), 'ADD', 'json'));
    noProblems(st, successProblems(b.run('DEL', { containerId: 'unknown', pod, conf }), 'DEL', 'empty'));
    noProblems(st, leftoverProblems(b, [pod]));
  });

  conformanceCase(t, { items: ['§9.2', '§3.8'], section: '§9', title: 'go-cni PascalCase runtimeConfig (portMappings[].HostPort, bandwidth.IngressRate, dns.Servers) accepted', mode, version: V1 }, (st) => {
    const b = bed(st, 'pascal');
    const pod = b.pod('a');
    const conf = b.conf({
      mode: mode.value,
      extra: {
        capabilities: { portMappings: true, bandwidth: true, dns: true },
        runtimeConfig: {
          portMappings: [{ HostPort: 8080, ContainerPort: 80, Protocol: 'tcp', HostIP: '10.0.0.1' }],
          bandwidth: { IngressRate: 1000000, IngressBurst: 100000, EgressRate: 2000000, EgressBurst: 200000 },
          dns: { Servers: ['10.96.0.10'], Searches: ['svc.cluster.local'], Options: ['ndots:5'] },
          'io.kubernetes.cri.pod-annotations': { 'example.com/a': 'b' },
        },
      },
    });
    noProblems(st, successProblems(b.run('ADD', { containerId: 'pascal', pod, conf }), 'ADD', 'json'));
    noProblems(st, successProblems(b.run('DEL', { containerId: 'pascal', pod, conf }), 'DEL', 'empty'));
    noProblems(st, leftoverProblems(b, [pod]));
  });

  conformanceCase(t, { items: ['§3.8', '§9.1'], section: '§9', title: 'CONVENTIONS camelCase runtimeConfig (portMappings[].hostPort, bandwidth.ingressRate, ips) accepted', mode, version: V1 }, (st) => {
    const b = bed(st, 'camel');
    const pod = b.pod('a');
    const conf = b.conf({
      mode: mode.value,
      extra: {
        capabilities: { portMappings: true, bandwidth: true },
        runtimeConfig: {
          portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
          bandwidth: { ingressRate: 1000000, ingressBurst: 100000, egressRate: 2000000, egressBurst: 200000 },
        },
      },
    });
    noProblems(st, successProblems(b.run('ADD', { containerId: 'camel', pod, conf }), 'ADD', 'json'));
    noProblems(st, successProblems(b.run('DEL', { containerId: 'camel', pod, conf }), 'DEL', 'empty'));
    noProblems(st, leftoverProblems(b, [pod]));
  });
}

for (const version of versionsFrom('0.2.0')) {
  conformanceCase(t, { items: ['§3.5'], section: '§3', title: 'dns from the config is copied into the result', version }, (st) => {
    const b = bed(st, 'dns');
    const pod = b.pod('a');
    const dns = { nameservers: ['10.96.0.10', 'fd00:96::a'], domain: 'cluster.local', search: ['default.svc.cluster.local', 'svc.cluster.local'], options: ['ndots:5'] };
    const conf = b.conf({ cniVersion: version.value, extra: { dns } });
    const add = b.run('ADD', { containerId: 'dns', pod, conf });
    noProblems(st, successProblems(add, 'ADD', 'json'));
    st.strictSame((add.json as { dns?: unknown } | undefined)?.dns, dns, 'result dns equals the config dns');
    noProblems(st, successProblems(b.run('DEL', { containerId: 'dns', pod, conf }), 'DEL', 'empty'));
  });
}

// ------------------------------------------------------------------ §4 ADD extras

for (const mode of modes()) {
  conformanceCase(t, { items: ['§4 ADD.7'], section: '§4 ADD', title: 'the same container joins again under another ifname; DEL of one keeps the other', mode, version: V1 }, (st) => {
    const b = bed(st, 'twoif');
    const pod = b.pod('a');
    const conf = b.conf({ mode: mode.value });
    const a = b.run('ADD', { containerId: 'twoif', pod, conf, ifname: 'eth0' });
    const c = b.run('ADD', { containerId: 'twoif', pod, conf, ifname: 'eth1' });
    noProblems(st, successProblems(a, 'ADD eth0', 'json'));
    noProblems(st, successProblems(c, 'ADD eth1', 'json'));
    st.not(hostIfName(a.json), hostIfName(c.json), 'distinct host interfaces');
    noProblems(st, resultShapeProblems(c.json, '1.0.0', { netns: `/run/netns/${pod}`, ifname: 'eth1', ipv6: true }));
    noProblems(st, successProblems(b.run('DEL', { containerId: 'twoif', pod, conf, ifname: 'eth0' }), 'DEL eth0', 'empty'));
    noProblems(st, successProblems(b.run('CHECK', { containerId: 'twoif', pod, conf: { ...conf, prevResult: c.json }, ifname: 'eth1' }), 'CHECK eth1 after eth0 was deleted', 'empty'));
    noProblems(st, successProblems(b.run('DEL', { containerId: 'twoif', pod, conf, ifname: 'eth1' }), 'DEL eth1', 'empty'));
    noProblems(st, leftoverProblems(b, [pod]));
  });
}

conformanceCase(t, { items: ['§4 ADD.8'], section: '§4 ADD', title: 'the documented host side effect: net.ipv4.ip_forward=1 in the runtime\'s netns', version: V1 }, (st) => {
  const b = bed(st, 'fwd');
  const pod = b.pod('a');
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  st.match(readme, /net\.ipv4\.ip_forward/, 'README documents it');
  noProblems(st, successProblems(b.run('ADD', { containerId: 'fwd', pod }), 'ADD', 'json'));
  st.equal(b.exec(b.node, ['cat', '/proc/sys/net/ipv4/ip_forward']).stdout.trim(), '1', 'ip_forward is 1 in the node netns');
  noProblems(st, successProblems(b.run('DEL', { containerId: 'fwd', pod }), 'DEL', 'empty'));
});

// ------------------------------------------------------------------ §4 CHECK judgement

for (const mode of modes()) {
  conformanceCase(t, { items: ['§4 CHECK.4'], section: '§4 CHECK', title: 'CHECK fails when the host-side interface is gone, naming it', mode, version: V1 }, (st) => {
    const b = bed(st, 'chkhost');
    const pod = b.pod('a');
    const conf = b.conf({ mode: mode.value });
    const add = b.run('ADD', { containerId: 'chkhost', pod, conf });
    noProblems(st, successProblems(add, 'ADD', 'json'));
    const host = hostIfName(add.json)!;
    b.ip(b.node, ['link', 'del', host]);
    noProblems(st, errorProblems(b.run('CHECK', { containerId: 'chkhost', pod, conf: { ...conf, prevResult: add.json } }), 'CHECK after the host link was deleted', { version: '1.0.0', msg: new RegExp(host) }));
    noProblems(st, successProblems(b.run('DEL', { containerId: 'chkhost', pod, conf }), 'DEL', 'empty'));
    noProblems(st, leftoverProblems(b, [pod]));
  });

  conformanceCase(t, { items: ['§4 CHECK.3'], section: '§4 CHECK', title: 'CHECK passes after a later plugin moved the pod routes to another table (sbr-like)', mode, version: V1 }, (st) => {
    const b = bed(st, 'chksbr');
    const pod = b.pod('a');
    const conf = b.conf({ mode: mode.value });
    const add = b.run('ADD', { containerId: 'chksbr', pod, conf });
    noProblems(st, successProblems(add, 'ADD', 'json'));
    // What the reference sbr plugin does after an interface plugin: routes of eth0 move to table 100,
    // and a rule sends traffic from the pod's addresses there. The Result it passes on is unchanged.
    for (const fam of ['-4', '-6']) {
      for (const r of JSON.parse(b.ip(pod, [fam, '-j', 'route', 'show', 'dev', 'eth0'])) as { dst: string; gateway?: string; flags?: string[]; protocol?: string }[]) {
        if (r.protocol === 'kernel') continue;
        const spec = [r.dst, ...(r.gateway ? ['via', r.gateway] : []), 'dev', 'eth0', ...(r.flags?.includes('onlink') ? ['onlink'] : [])];
        b.ip(pod, [fam, 'route', 'add', ...spec, 'table', '100']);
        b.ip(pod, [fam, 'route', 'del', ...spec]);
      }
    }
    for (const a of resultAddresses(add.json)) b.ip(pod, [a.includes(':') ? '-6' : '-4', 'rule', 'add', 'from', a, 'table', '100', 'priority', '100']);
    noProblems(st, successProblems(b.run('CHECK', { containerId: 'chksbr', pod, conf: { ...conf, prevResult: add.json } }), 'CHECK after routes moved to table 100', 'empty'));
    noProblems(st, successProblems(b.run('DEL', { containerId: 'chksbr', pod, conf }), 'DEL', 'empty'));
    noProblems(st, leftoverProblems(b, [pod]));
  });
}

// ------------------------------------------------------------------ §4 VERSION

conformanceCase(t, { items: ['§4 VERSION.1', '§4 VERSION.2'], section: '§4 VERSION', title: 'VERSION with empty stdin, garbage stdin, and no other variables' }, (st) => {
  const tg = podlinkTarget(bed(st, 'verempty'));
  noProblems(st, checkVersionCommand(tg, ''));
  noProblems(st, checkVersionCommand(tg, 'garbage'));
  noProblems(st, checkVersionCommand(tg, '{}'));
});

for (const version of ALL_VERSIONS) {
  conformanceCase(t, { items: ['§4 VERSION.2'], section: '§4 VERSION', title: 'VERSION echoes the input cniVersion', version: { value: version } }, (st) => {
    noProblems(st, checkVersionCommand(podlinkTarget(bed(st, 'verecho')), JSON.stringify({ cniVersion: version }), version));
  });
}

conformanceCase(t, { items: ['§4 VERSION.3', '§0.1'], section: '§4 VERSION', title: 'supportedVersions: the 0.3.0 … 1.1.0 result formats, nothing the suite cannot verify' }, (st) => {
  const b = bed(st, 'verlist');
  const r = b.run('VERSION', { conf: '', env: { CNI_IFNAME: undefined } });
  const listed = (r.json as { supportedVersions?: string[] } | undefined)?.supportedVersions ?? [];
  for (const v of ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0']) st.ok(listed.includes(v), `${v} listed`);
  for (const v of listed) st.ok((ALL_VERSIONS as readonly string[]).includes(v), `${v} is a released spec version whose result shape this suite checks`);
  st.equal(new Set(listed).size, listed.length, 'no duplicates');
});

// ------------------------------------------------------------------ §4 STATUS

const statusEnv = { CNI_IFNAME: undefined };

conformanceCase(t, { items: ['§4 STATUS.1', '§4 STATUS.2', '§4 STATUS.3'], section: '§4 STATUS', title: 'STATUS on a ready node (probe written) exits 0 and prints nothing, with host-local as IPAM', version: V11 }, (st) => {
  const b = bed(st, 'stready');
  probeWrite(b);
  noProblems(st, successProblems(b.run('STATUS', { conf: b.conf({ cniVersion: '1.1.0' }), env: statusEnv }), 'STATUS', 'empty'));
});

conformanceCase(t, { items: ['§4 STATUS.1'], section: '§4 STATUS', title: 'STATUS with a corrupt mode file: code 50', version: V11 }, (st) => {
  const b = bed(st, 'stcorrupt');
  probeWrite(b);
  fs.writeFileSync(b.modeFile, '{"v":1,"operational":');
  noProblems(st, errorProblems(b.run('STATUS', { conf: b.conf({ cniVersion: '1.1.0' }), env: statusEnv }), 'STATUS', { code: 50, version: '1.1.0' }));
});

conformanceCase(t, { items: ['§4 STATUS.1', '§4 STATUS.4'], section: '§4 STATUS', title: 'STATUS before the mode file exists: code 50; ADD and DEL still work (and fix it)', version: V11 }, (st) => {
  const b = bed(st, 'stnomode');
  const pod = b.pod('a');
  const conf = b.conf({ cniVersion: '1.1.0' });
  noProblems(st, errorProblems(b.run('STATUS', { conf, env: statusEnv }), 'STATUS', { code: 50, version: '1.1.0' }));
  noProblems(st, successProblems(b.run('ADD', { containerId: 'stnomode', pod, conf }), 'ADD after STATUS failed', 'json'));
  noProblems(st, successProblems(b.run('DEL', { containerId: 'stnomode', pod, conf }), 'DEL', 'empty'));
  noProblems(st, leftoverProblems(b, [pod]));
});

for (const version of versionsBelow('1.1.0').filter((v) => v.value === '1.0.0' || v.value === '0.4.0')) {
  conformanceCase(t, { items: ['§4 STATUS.5', '§4 GC.1', '§0.3'], section: '§4 STATUS', title: 'STATUS and GC below 1.1.0 are refused with an error', version }, (st) => {
    const b = bed(st, 'stold');
    probeWrite(b);
    const conf = b.conf({ cniVersion: version.value });
    noProblems(st, errorProblems(b.run('STATUS', { conf, env: statusEnv }), 'STATUS', { version: version.value }));
    noProblems(st, errorProblems(b.run('GC', { conf: { ...conf, 'cni.dev/valid-attachments': [] }, env: statusEnv }), 'GC', { version: version.value }));
  });
}

// ------------------------------------------------------------------ §4 GC

for (const mode of modes()) {
  for (const key of ['cni.dev/valid-attachments', 'cni.dev/attachments']) {
    conformanceCase(t, { items: ['§4 GC.1', '§4 GC.2', '§3.11'], section: '§4 GC', title: `GC removes exactly the attachments absent from ${key}`, mode, version: V11 }, (st) => {
      const b = bed(st, 'gc');
      const conf = b.conf({ cniVersion: '1.1.0', mode: mode.value });
      const pods = { keep: b.pod('keep'), drop: b.pod('drop'), gone: b.pod('gone') };
      const results: Record<string, unknown> = {};
      for (const [id, pod] of Object.entries(pods)) {
        const r = b.run('ADD', { containerId: `gc-${id}`, pod, conf });
        noProblems(st, successProblems(r, `ADD gc-${id}`, 'json'));
        results[id] = r.json;
      }
      b.removePod(pods.gone); // "MAY assume those netns are already gone"
      const gc = b.run('GC', { conf: { ...conf, [key]: [{ containerID: 'gc-keep', ifname: 'eth0' }, { containerID: 'gc-other', ifname: 'eth0' }] }, env: statusEnv });
      noProblems(st, stdoutProblems(gc, 'GC'));
      st.comment(`GC exit ${gc.code} ${gc.stdout.trim()}`);
      st.strictSame(b.nodeLinks(), [hostIfName(results.keep)], 'only the valid attachment\'s host link is left');
      st.strictSame(b.ipamAllocations().sort(), resultAddresses(results.keep).map((a) => a.split('/')[0]!).sort(), 'only the valid attachment\'s IPs are reserved');
      st.equal(b.records().length, 1, 'one endpoint record left');
      noProblems(st, successProblems(b.run('CHECK', { containerId: 'gc-keep', pod: pods.keep, conf: { ...conf, prevResult: results.keep } }), 'CHECK of the kept attachment', 'empty'));
      st.equal(b.exec(pods.drop, ['ip', '-o', 'link', 'show', 'eth0']).status, 1, 'the dropped pod lost eth0');
      for (const id of ['keep', 'drop', 'gone']) {
        noProblems(st, successProblems(b.run('DEL', { containerId: `gc-${id}`, pod: pods[id as keyof typeof pods], conf }), `DEL gc-${id}`, 'empty'));
      }
      noProblems(st, leftoverProblems(b, [pods.keep, pods.drop]));
    });
  }
}

conformanceCase(t, { items: ['§4 GC.1', '§3.11'], section: '§4 GC', title: 'GC without an attachment list is refused (code 7) and removes nothing', version: V11 }, (st) => {
  const b = bed(st, 'gcnolist');
  const pod = b.pod('a');
  const conf = b.conf({ cniVersion: '1.1.0' });
  const add = b.run('ADD', { containerId: 'gcnolist', pod, conf });
  noProblems(st, successProblems(add, 'ADD', 'json'));
  for (const dryRun of [false, true]) {
    const gc = b.run('GC', { conf, env: statusEnv, ...(dryRun ? { flags: ['--dry-run'] } : {}) });
    noProblems(st, errorProblems(gc, `GC${dryRun ? ' --dry-run' : ''} without cni.dev/valid-attachments`, { code: 7 }));
    st.match((gc.json as { msg?: string } | undefined)?.msg ?? '', /cni\.dev\/valid-attachments/, 'the error names the missing key');
  }
  st.strictSame(b.nodeLinks(), [hostIfName(add.json)], 'the attachment\'s host link is still there');
  st.equal(b.records().length, 1, 'its endpoint record is still there');
  noProblems(st, successProblems(b.run('CHECK', { containerId: 'gcnolist', pod, conf: { ...conf, prevResult: add.json } }), 'CHECK after the refused GC', 'empty'));
  noProblems(st, successProblems(b.run('DEL', { containerId: 'gcnolist', pod, conf }), 'DEL', 'empty'));
  noProblems(st, leftoverProblems(b, [pod]));
});

conformanceCase(t, { items: ['§4 GC.3', '§4 GC.4'], section: '§4 GC', title: 'GC with host-local (no GC of its own) exits 0 and prints nothing', version: V11 }, (st) => {
  const b = bed(st, 'gcok');
  const pod = b.pod('a');
  const conf = b.conf({ cniVersion: '1.1.0' });
  noProblems(st, successProblems(b.run('ADD', { containerId: 'gcok', pod, conf }), 'ADD', 'json'));
  noProblems(st, successProblems(b.run('GC', { conf: { ...conf, 'cni.dev/valid-attachments': [{ containerID: 'gcok', ifname: 'eth0' }] }, env: statusEnv }), 'GC', 'empty'));
  noProblems(st, successProblems(b.run('DEL', { containerId: 'gcok', pod, conf }), 'DEL', 'empty'));
});

// ------------------------------------------------------------------ §7 prevResult

for (const mode of modes()) {
  for (const version of versionsFrom('0.3.0')) {
    conformanceCase(t, { items: ['§4 ADD.4', '§7.1', '§7.4', '§7.5'], section: '§7', title: 'ADD after another interface plugin keeps its interfaces, IPs, routes and DNS', mode, version }, (st) => {
      noProblems(st, checkPrevResultPassthrough(podlinkTarget(bed(st, 'prev')), { version: version.value, mode: mode.value }));
    });
  }
}

function parse(s: string): unknown {
  try {
    return s.trim() ? JSON.parse(s) : undefined;
  } catch {
    return undefined;
  }
}
