// Conformance of IPAM delegation (§8) and of the commands that must reach the delegated plugin
// (CHECK, DEL, STATUS, GC). testdata/ipam-spy.sh records every call (environment and stdin) and
// forwards ADD/DEL/CHECK to host-local; it answers STATUS and GC itself like a 1.1.0 IPAM plugin.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorProblems, leftoverProblems, resultAddresses, successProblems } from './lib/checks.js';
import { bed, CNI_PATH, conformanceCase, modes, probeWrite, TESTDATA, type Axis, type Testbed } from './lib/suite.js';

const V1: Axis = { value: '1.0.0' };
const V11: Axis = { value: '1.1.0' };
const noProblems = (st: Test, problems: string[]) => st.strictSame(problems, [], 'no problems');
const SPY_PATH = `${TESTDATA}:${CNI_PATH}`;

interface SpyCall {
  command: string;
  env: Record<string, string>;
  stdin: unknown;
}

function spyDir(b: Testbed): string {
  return path.join(b.dir, 'spy');
}

function spyConf(b: Testbed, o: { version?: string; mode?: string; fail?: string; extra?: Record<string, unknown> } = {}): Record<string, unknown> {
  const c = b.conf({ cniVersion: o.version ?? '1.0.0', mode: o.mode, extra: o.extra });
  const ipam = c.ipam as Record<string, unknown>;
  return { ...c, ipam: { ...ipam, type: 'ipam-spy.sh', spyDir: spyDir(b), delegate: path.join(CNI_PATH, 'host-local'), ...(o.fail ? { fail: o.fail } : {}) } };
}

function spyCalls(b: Testbed): SpyCall[] {
  let files: string[];
  try {
    files = fs.readdirSync(spyDir(b)).filter((f) => f.endsWith('.stdin')).sort();
  } catch {
    return [];
  }
  return files.map((f) => {
    const base = f.slice(0, -'.stdin'.length);
    const env = Object.fromEntries(fs.readFileSync(path.join(spyDir(b), `${base}.env`), 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const text = fs.readFileSync(path.join(spyDir(b), f), 'utf8');
    let stdin: unknown = text;
    try {
      stdin = JSON.parse(text);
    } catch {
      // kept as text
    }
    return { command: base.split('-')[1]!, env, stdin };
  });
}

function clearSpy(b: Testbed): void {
  fs.rmSync(spyDir(b), { recursive: true, force: true });
}

/** The CNI_* part of what podlink received. */
function cniVars(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('CNI_')));
}

for (const mode of modes()) {
  conformanceCase(t, { items: ['§8.2', '§8.5', '§3.4', '§4 CHECK.8', '§4 DEL.1'], section: '§8', title: 'ADD, CHECK and DEL run the IPAM plugin with the same CNI_* environment and the complete config', mode, version: V1 }, (st) => {
    const b = bed(st, 'spy');
    const pod = b.pod('a');
    const conf = spyConf(b, {
      mode: mode.value,
      extra: {
        someUnknownKey: { kept: 'verbatim' },
        args: { cni: { labels: [{ key: 'app', value: 'web' }] } },
        capabilities: { portMappings: true },
        runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] },
      },
    });
    const args = 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0';
    const env = { CNI_PATH: SPY_PATH };
    const add = b.run('ADD', { containerId: 'spy', pod, conf, args, env });
    noProblems(st, successProblems(add, 'ADD', 'json'));
    const checkConf = { ...conf, prevResult: add.json };
    const check = b.run('CHECK', { containerId: 'spy', pod, conf: checkConf, args, env });
    noProblems(st, successProblems(check, 'CHECK', 'empty'));
    const del = b.run('DEL', { containerId: 'spy', pod, conf: checkConf, args, env });
    noProblems(st, successProblems(del, 'DEL', 'empty'));
    const calls = spyCalls(b);
    st.strictSame(calls.map((c) => c.command), ['ADD', 'CHECK', 'DEL'], 'IPAM ran for ADD, CHECK and DEL, in that order');
    const sent: [string, typeof add, unknown][] = [['ADD', add, conf], ['CHECK', check, checkConf], ['DEL', del, checkConf]];
    for (const [cmd, run, stdin] of sent) {
      const call = calls.find((c) => c.command === cmd);
      if (!call) continue;
      st.strictSame(call.env, cniVars(run.env), `${cmd}: the IPAM plugin got the same CNI_* variables`);
      st.strictSame(call.stdin, stdin, `${cmd}: the IPAM plugin got the complete config (runtimeConfig, args, unknown keys, prevResult)`);
    }
    noProblems(st, leftoverProblems(b, [pod]));
  });
}

conformanceCase(t, { items: ['§8.3'], section: '§8', title: 'the IPAM plugin\'s stderr is copied to podlink\'s stderr', version: V1 }, (st) => {
  const b = bed(st, 'spyerr');
  const pod = b.pod('a');
  const conf = spyConf(b);
  const add = b.run('ADD', { containerId: 'spyerr', pod, conf, env: { CNI_PATH: SPY_PATH } });
  noProblems(st, successProblems(add, 'ADD', 'json'));
  st.match(add.stderr, /ipam-spy: ADD for spyerr/, 'stderr carries the IPAM plugin\'s line');
  noProblems(st, successProblems(b.run('DEL', { containerId: 'spyerr', pod, conf, env: { CNI_PATH: SPY_PATH } }), 'DEL', 'empty'));
});

conformanceCase(t, { items: ['§8.4', '§6.1', '§6.2'], section: '§8', title: 'an IPAM error object is passed on with its code (11); nothing is left', version: V1 }, (st) => {
  const b = bed(st, 'spyfail');
  const pod = b.pod('a');
  const conf = spyConf(b, { fail: 'ADD' });
  const add = b.run('ADD', { containerId: 'spyfail', pod, conf, env: { CNI_PATH: SPY_PATH } });
  noProblems(st, errorProblems(add, 'ADD with a failing IPAM plugin', { code: 11, version: '1.0.0', msg: /try again later/ }));
  noProblems(st, leftoverProblems(b, [pod]));
  noProblems(st, successProblems(b.run('DEL', { containerId: 'spyfail', pod, conf: spyConf(b), env: { CNI_PATH: SPY_PATH } }), 'DEL', 'empty'));
});

conformanceCase(t, { items: ['§4 CHECK.8'], section: '§4 CHECK', title: 'an IPAM CHECK error fails CHECK and is passed on', version: V1 }, (st) => {
  const b = bed(st, 'spychk');
  const pod = b.pod('a');
  const conf = spyConf(b);
  const add = b.run('ADD', { containerId: 'spychk', pod, conf, env: { CNI_PATH: SPY_PATH } });
  noProblems(st, successProblems(add, 'ADD', 'json'));
  const r = b.run('CHECK', { containerId: 'spychk', pod, conf: { ...spyConf(b, { fail: 'CHECK' }), prevResult: add.json }, env: { CNI_PATH: SPY_PATH } });
  noProblems(st, errorProblems(r, 'CHECK with a failing IPAM CHECK', { code: 11, version: '1.0.0' }));
  noProblems(st, successProblems(b.run('DEL', { containerId: 'spychk', pod, conf, env: { CNI_PATH: SPY_PATH } }), 'DEL', 'empty'));
});

conformanceCase(t, { items: ['§8.6', '§4 ADD.6'], section: '§8', title: 'an ADD failing after IPAM ADD runs IPAM DEL before returning', version: V1 }, (st) => {
  const b = bed(st, 'spyroll');
  const pod = b.pod('a');
  const conf = spyConf(b, { extra: { mtu: 1200 } }); // the /128 address add fails after IPAM and the link
  const add = b.run('ADD', { containerId: 'spyroll', pod, conf, env: { CNI_PATH: SPY_PATH } });
  noProblems(st, errorProblems(add, 'ADD with mtu 1200 and IPv6', { version: '1.0.0' }));
  st.strictSame(spyCalls(b).map((c) => c.command), ['ADD', 'DEL'], 'IPAM ADD then IPAM DEL, before the runtime\'s DEL');
  noProblems(st, leftoverProblems(b, [pod]));
});

conformanceCase(t, { items: ['§4 CHECK.5'], section: '§4 CHECK', title: 'CHECK fails when the IP reservation is gone (state the Result does not track)', version: V1 }, (st) => {
  const b = bed(st, 'chkres');
  const pod = b.pod('a');
  const conf = b.conf();
  const add = b.run('ADD', { containerId: 'chkres', pod, conf });
  noProblems(st, successProblems(add, 'ADD', 'json'));
  for (const a of resultAddresses(add.json)) fs.rmSync(path.join(b.ipamDir, 'testnet', a.split('/')[0]!), { force: true });
  noProblems(st, errorProblems(b.run('CHECK', { containerId: 'chkres', pod, conf: { ...conf, prevResult: add.json } }), 'CHECK without reservations', { version: '1.0.0' }));
  noProblems(st, successProblems(b.run('DEL', { containerId: 'chkres', pod, conf }), 'DEL', 'empty'));
  noProblems(st, leftoverProblems(b, [pod]));
});

conformanceCase(t, { items: ['§4 STATUS.1', '§4 STATUS.2', '§4 STATUS.3', '§8.5'], section: '§4 STATUS', title: 'STATUS runs IPAM STATUS; with a 1.1.0 IPAM plugin a ready node exits 0, prints nothing', version: V11 }, (st) => {
  const b = bed(st, 'spystat');
  probeWrite(b);
  const r = b.run('STATUS', { conf: spyConf(b, { version: '1.1.0' }), env: { CNI_PATH: SPY_PATH, CNI_IFNAME: undefined } });
  noProblems(st, successProblems(r, 'STATUS', 'empty'));
  const calls = spyCalls(b);
  st.strictSame(calls.map((c) => c.command), ['STATUS'], 'IPAM STATUS ran');
  if (calls[0]) st.strictSame(Object.keys(calls[0].env).sort(), ['CNI_COMMAND', 'CNI_PATH'], 'no container variables');
  const fail = b.run('STATUS', { conf: spyConf(b, { version: '1.1.0', fail: 'STATUS' }), env: { CNI_PATH: SPY_PATH, CNI_IFNAME: undefined } });
  noProblems(st, errorProblems(fail, 'STATUS with a failing IPAM STATUS', { version: '1.1.0' }));
});

for (const mode of modes()) {
  conformanceCase(t, { items: ['§4 GC.1', '§4 GC.2', '§4 GC.3', '§4 GC.4', '§8.5'], section: '§4 GC', title: 'GC forwards to IPAM (with the attachment list), releases absent attachments, exits 0 silently', mode, version: V11 }, (st) => {
    const b = bed(st, 'spygc');
    const conf = spyConf(b, { version: '1.1.0', mode: mode.value });
    const keep = b.pod('keep');
    const drop = b.pod('drop');
    const env = { CNI_PATH: SPY_PATH };
    const ka = b.run('ADD', { containerId: 'keep', pod: keep, conf, env });
    noProblems(st, successProblems(ka, 'ADD keep', 'json'));
    noProblems(st, successProblems(b.run('ADD', { containerId: 'drop', pod: drop, conf, env }), 'ADD drop', 'json'));
    clearSpy(b);
    const valid = [{ containerID: 'keep', ifname: 'eth0' }];
    const gc = b.run('GC', { conf: { ...conf, 'cni.dev/valid-attachments': valid }, env: { ...env, CNI_IFNAME: undefined } });
    noProblems(st, successProblems(gc, 'GC', 'empty'));
    const calls = spyCalls(b);
    const gcCall = calls.find((c) => c.command === 'GC');
    st.ok(gcCall, 'IPAM GC ran');
    if (gcCall) st.strictSame((gcCall.stdin as Record<string, unknown>)['cni.dev/valid-attachments'], valid, 'IPAM GC got the valid attachments');
    st.strictSame(b.ipamAllocations().sort(), resultAddresses(ka.json).map((a) => a.split('/')[0]!).sort(), 'only the kept attachment\'s IPs remain');
    for (const [id, pod] of [['keep', keep], ['drop', drop]] as const) {
      noProblems(st, successProblems(b.run('DEL', { containerId: id, pod, conf, env }), `DEL ${id}`, 'empty'));
    }
    noProblems(st, leftoverProblems(b, [keep, drop]));
  });
}
