// Privileged: --dry-run words this node's real plan. This process moves into a node netns (default
// route on a veth with MTU 1400), as podlink runs in the runtime's; each test adds a pod netns, and the
// mode file, the record, a stale device and the kernel's tcx support (an injected probe) vary per test.
// Every test also proves the dry run changed nothing.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { hostIfName, writeModeFile, type Mode, type ModeFile, type OperationalMode } from '../connector/index.js';
import { podDatapathFor } from '../datapath/index.js';
import * as C from '../sys/constants.js';
import { cstr, nativeSys } from '../sys/index.js';
import { addPlan } from './add.js';
import { addBase, surveyAdd } from './add-facts.js';
import { attachment } from './attachment.js';
import { checkPlan, surveyCheck } from './check.js';
import { delPlan, surveyDel } from './del.js';
import { recordPath, writeRecord, type EndpointRecord } from './endpoint-record.js';
import { planText } from './plan.js';
import type { Logger } from './logger.js';
import type { PodlinkConf, Request } from './types.js';

if (process.getuid?.() !== 0) {
  t.plan(0, 'privileged tests need root');
  process.exit(0);
}

const sys = nativeSys();
const tag = `plsr${process.pid}`;
const ip = (ns: string, ...args: string[]) => {
  const r = spawnSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip -n ${ns} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

// The node, entered before anything in lib/netns remembers the netns it started in.
const node = `${tag}n`;
spawnSync('ip', ['netns', 'add', node]);
t.teardown(() => void spawnSync('ip', ['netns', 'del', node]));
ip(node, 'link', 'add', 'pldummy0', 'mtu', '1400', 'type', 'veth', 'peer', 'name', 'pldummy1');
// No IPv6 link-local address: its DAD would change the node's state while a test compares it.
for (const dev of ['pldummy0', 'pldummy1']) ip(node, 'link', 'set', dev, 'addrgenmode', 'none');
ip(node, 'link', 'set', 'pldummy1', 'up');
ip(node, 'link', 'set', 'pldummy0', 'up');
ip(node, 'addr', 'add', '10.251.0.1/24', 'dev', 'pldummy0');
ip(node, 'route', 'add', 'default', 'via', '10.251.0.2', 'dev', 'pldummy0');
sys.setns(sys.open(cstr(`/run/netns/${node}`), C.O_RDONLY, 0), C.CLONE_NEWNET);

interface Bed {
  dir: string;
  pod: string;
  cniDir: string;
  req(o?: { mode?: Mode; hostRouting?: PodlinkConf['hostRouting']; cniPath?: string[]; prevResult?: PodlinkConf['prevResult'] }): Request;
  modeFile: string;
  /** Node and pod netns, the state dir and the mode file, as text. */
  state(): string;
}

function bed(t: Test, name: string): Bed {
  const pod = `${tag}${name}p`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${tag}-`));
  t.teardown(() => {
    spawnSync('ip', ['netns', 'del', pod]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  spawnSync('ip', ['netns', 'add', pod]);
  const cniDir = path.join(dir, 'cni');
  fs.mkdirSync(cniDir);
  fs.writeFileSync(path.join(cniDir, 'host-local'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const modeFile = path.join(dir, 'mode.json');
  const stateDir = path.join(dir, 'state');
  fs.mkdirSync(path.join(stateDir, 'endpoints'), { recursive: true });
  const walk = (d: string): string[] =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(d, e.name);
      return e.isDirectory() ? [p, ...walk(p)] : [`${p} ${fs.readFileSync(p).toString('base64')}`];
    });
  return {
    dir,
    pod,
    cniDir,
    modeFile,
    req: (o = {}) => ({
      sys: () => sys,
      dryRun: true,
      log: quiet,
      env: { containerId: `${tag}${name}`, netns: `/run/netns/${pod}`, ifname: 'eth0', cniPath: o.cniPath ?? [cniDir], vars: {} },
      conf: {
        cniVersion: '1.1.0',
        name: 'dry',
        mode: o.mode ?? 'auto',
        modeFile,
        stateDir,
        bpfRoot: path.join(dir, 'bpf'),
        antiSpoof: true,
        hostRouting: o.hostRouting ?? 'auto',
        clusterCIDRs: ['10.42.0.0/16'],
        ipamType: 'host-local',
        prevResult: o.prevResult,
        raw: {},
      },
    }),
    state: () =>
      [
        ...[node, pod].flatMap((ns) => [ip(ns, '-d', 'link'), ip(ns, 'addr'), ip(ns, 'route'), ip(ns, '-6', 'route'), ip(ns, 'neigh')]),
        ...walk(dir),
      ].join('\n'),
  };
}

function modeFileFor(operational: OperationalMode, tcx: boolean): ModeFile {
  const netkit = operational !== 'veth';
  const features = { netkit, netkitScrub: netkit, netkitHeadroom: netkit, tcx, bpffs: true };
  return { v: 1, configured: 'auto', operational, reason: 'test', kernel: '6.99-test', features, probedAt: '2026-01-01T00:00:00Z' };
}

/** The verb's dry-run text as this node would print it. */
function dryRun(verb: 'ADD' | 'DEL' | 'CHECK', req: Request, tcx = true): string {
  const dp = podDatapathFor(() => sys, req.conf.hostRouting);
  try {
    if (verb === 'DEL') return planText(delPlan.describe(surveyDel(attachment(req, dp))));
    if (verb === 'CHECK') return planText(checkPlan.describe(surveyCheck(attachment(req, dp))));
    const probeDeps = () => ({ sys, haveTcx: () => tcx, haveBpffs: () => true });
    return planText(addPlan.describe(surveyAdd(addBase(req, dp, probeDeps))));
  } finally {
    dp.close();
  }
}

/** The ops of step `name` in a plan text. */
function stepOps(text: string, name: string): string {
  const m = new RegExp(`^ *\\d+\\. ${name}\\n((?: {6}- .*\\n)*)`, 'm').exec(text);
  if (!m) throw new Error(`no step ${name} in\n${text}`);
  return m[1]!;
}

function noPlaceholders(t: Test, text: string): void {
  t.notMatch(text, /<operational mode>|mtu of the default-route device/, 'concrete values only');
}

t.test('node with a veth mode file and tcx: the plan names the mode file, tcx hooks, the MTU and the IPAM plugin', async (t) => {
  const b = bed(t, 'a');
  writeModeFile(modeFileFor('veth', true), b.modeFile);
  const before = b.state();
  const text = dryRun('ADD', b.req());
  t.equal(b.state(), before, 'the dry run changed nothing');
  t.match(stepOps(text, 'resolve datapath mode'), `read ${b.modeFile} (kernel 6.99-test`);
  t.match(stepOps(text, 'resolve datapath mode'), 'configured mode auto: operational mode veth (netkit probe failed, falling back to veth');
  t.match(stepOps(text, 'resolve datapath mode'), 'tcx yes, netkit scrub no');
  const pair = stepOps(text, 'create link pair');
  t.match(pair, `create veth pair: host ${hostIfName(`${tag}a`, 'eth0')} (mac `);
  t.match(pair, 'mtu 1400 (of pldummy0, the default-route device) on both ends, 1 tx and 1 rx queue');
  const attach = stepOps(text, 'attach BPF from-pod hook');
  t.match(attach, /tcx ingress link running pl_from_pod/);
  t.match(attach, 'write pl_pod_cfg');
  t.match(attach, 'ips none yet');
  t.notMatch(attach, /pl_endpoints/, 'the endpoint entries are written by publish, once IPAM answered');
  t.match(stepOps(text, 'publish endpoint'), 'pl_endpoints');
  t.notMatch(attach, /pl_to_pod/);
  t.match(attach, 'not pinned yet');
  const toPod = stepOps(text, 'attach BPF to-pod hook');
  t.match(toPod, /tcx egress link running pl_to_pod/);
  t.notMatch(toPod, /pl_from_pod|pl_pod_cfg|pinned/);
  t.match(stepOps(text, 'start IPAM ADD'), `start IPAM plugin host-local ADD (${path.join(b.cniDir, 'host-local')})`);
  t.match(stepOps(text, 'claim endpoint'), 'no record and no');
  t.match(stepOps(text, 'configure pod side'), 'veth: permanent neighbour for the gateway');
  noPlaceholders(t, text);
});

t.test('a kernel without tcx (mode file says so): veth attaches through tc clsact', async (t) => {
  const b = bed(t, 'b');
  writeModeFile(modeFileFor('veth', false), b.modeFile);
  const text = dryRun('ADD', b.req());
  const attach = stepOps(text, 'attach BPF from-pod hook') + stepOps(text, 'attach BPF to-pod hook');
  t.match(stepOps(text, 'attach BPF from-pod hook'), 'tc clsact ingress (cls_bpf, direct-action)');
  t.match(stepOps(text, 'attach BPF to-pod hook'), 'tc clsact egress');
  t.notMatch(attach, /tcx/);
  t.match(stepOps(text, 'resolve datapath mode'), 'tcx no');
});

t.test('a netkit node: netkit hooks, no MAC, no neighbours', async (t) => {
  const b = bed(t, 'c');
  writeModeFile(modeFileFor('netkit', true), b.modeFile);
  const text = dryRun('ADD', b.req());
  t.match(stepOps(text, 'create link pair'), /create netkit pair: host pl[0-9a-f]{12} \(no mac \(L3\)\).*peer policy drop, scrub set/);
  const attach = stepOps(text, 'attach BPF from-pod hook') + stepOps(text, 'attach BPF to-pod hook');
  t.match(stepOps(text, 'attach BPF from-pod hook'), 'netkit peer link running pl_from_pod');
  t.match(stepOps(text, 'attach BPF to-pod hook'), 'netkit primary link running pl_to_pod');
  t.notMatch(attach, /tcx/);
  t.notMatch(stepOps(text, 'configure pod side'), /neighbour/);
  t.notMatch(stepOps(text, 'configure host side'), /neighbour/);
});

t.test('no mode file and a kernel without tcx: says ADD would probe, shows what the probe finds, writes nothing', async (t) => {
  const b = bed(t, 'd');
  const before = b.state();
  const text = dryRun('ADD', b.req({ mode: 'veth' }), false);
  t.equal(b.state(), before, 'the dry run changed nothing');
  t.notOk(fs.existsSync(b.modeFile), 'the mode file is still missing');
  const mode = stepOps(text, 'resolve datapath mode');
  t.match(mode, `mode file ${b.modeFile} missing: ADD would probe`);
  t.match(mode, 'configured mode veth: operational mode veth (configured); tcx no');
  t.match(stepOps(text, 'attach BPF from-pod hook'), 'tc clsact ingress');
  noPlaceholders(t, text);
});

t.test('hostRouting legacy: no BPF datapath, pods forward', async (t) => {
  const b = bed(t, 'e');
  writeModeFile(modeFileFor('netkit', true), b.modeFile);
  const text = dryRun('ADD', b.req({ hostRouting: 'legacy' }));
  t.match(stepOps(text, 'attach BPF from-pod hook'), 'no BPF datapath (hostRouting: legacy)');
  t.match(stepOps(text, 'attach BPF to-pod hook'), 'nothing (hostRouting: legacy)');
  t.match(stepOps(text, 'create link pair'), 'peer policy forward');
});

t.test('an earlier crashed ADD: ADD would clean its record up first; DEL names what it finds', async (t) => {
  const b = bed(t, 'f');
  writeModeFile(modeFileFor('veth', true), b.modeFile);
  const req = b.req();
  const rec: EndpointRecord = {
    v: 1,
    state: 'creating',
    network: 'dry',
    containerId: req.env.containerId,
    ifname: 'eth0',
    netns: req.env.netns,
    mode: 'veth',
    hostIfName: hostIfName(req.env.containerId, 'eth0'),
    ips: [],
    ipamType: 'host-local',
    pins: [],
    createdAt: '2026-01-01T00:00:00Z',
  };
  writeRecord(recordPath(req.conf.stateDir, req.env.containerId, 'eth0'), rec);
  const before = b.state();
  const add = dryRun('ADD', req);
  t.match(stepOps(add, 'claim endpoint'), 'found a creating record of an unfinished ADD of this attachment: clean it up first');
  t.match(stepOps(add, 'claim endpoint'), 'IPAM DEL (host-local)');
  const del = dryRun('DEL', req);
  t.match(stepOps(del, 'read endpoint record'), /: creating, mode veth, pl[0-9a-f]{12} no ifindex yet/);
  t.match(stepOps(del, 'start IPAM DEL'), 'first wait for the IPAM ADD the unfinished ADD left running');
  t.match(stepOps(del, 'delete link pair'), 'is absent: nothing to delete');
  t.equal(b.state(), before, 'the dry runs changed nothing');
});

t.test('a stale device without a record: ADD would fail, DEL leaves it alone', async (t) => {
  const b = bed(t, 'g');
  writeModeFile(modeFileFor('veth', true), b.modeFile);
  const req = b.req();
  const dev = hostIfName(req.env.containerId, 'eth0');
  ip(node, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev}p`);
  const add = dryRun('ADD', req);
  t.match(stepOps(add, 'claim endpoint'), `${dev} exists and podlink has no record of it: ADD would fail here`);
  t.match(stepOps(dryRun('DEL', req), 'delete link pair'), `${dev} exists but podlink has no record of creating it: left alone`);
});

t.test('an IPAM plugin missing from CNI_PATH, and a pod ifname that exists: said where ADD would fail', async (t) => {
  const b = bed(t, 'h');
  writeModeFile(modeFileFor('veth', true), b.modeFile);
  ip(b.pod, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p');
  const text = dryRun('ADD', b.req({ cniPath: [path.join(b.dir, 'empty')] }));
  const notFound = /host-local ADD \(not found: failed to find IPAM plugin "host-local" in CNI_PATH.*; the call would fail\)/;
  t.match(stepOps(text, 'start IPAM ADD'), notFound);
  t.match(stepOps(text, 'open pod netns'), 'eth0 already exists in it: ADD would fail here');
});

t.test('CHECK words the recorded attachment and the hooks the mode file implies', async (t) => {
  const b = bed(t, 'i');
  writeModeFile(modeFileFor('veth', false), b.modeFile);
  const prevResult = { interfaces: [], ips: [{ address: '10.1.0.5/32' }], routes: [], dns: {} };
  const req = b.req({ prevResult });
  const dev = hostIfName(req.env.containerId, 'eth0');
  const rec: EndpointRecord = {
    v: 1,
    state: 'ready',
    network: 'dry',
    containerId: req.env.containerId,
    ifname: 'eth0',
    netns: req.env.netns,
    mode: 'veth',
    hostIfName: dev,
    hostIfindex: 77,
    ips: ['10.1.0.5/32'],
    pins: [],
    createdAt: '2026-01-01T00:00:00Z',
  };
  writeRecord(recordPath(req.conf.stateDir, req.env.containerId, 'eth0'), rec);
  const text = dryRun('CHECK', req);
  t.match(stepOps(text, 'start IPAM CHECK'), 'require prevResult: 1 IPs, 0 routes');
  t.match(stepOps(text, 'read endpoint record'), ': ready, mode veth');
  t.match(stepOps(text, 'check host side'), `check ${dev} (missing now) against the record (veth, ifindex 77)`);
  t.match(stepOps(text, 'check BPF datapath'), `tc-ingress and tc-egress (tcx no, per ${b.modeFile})`);
  t.match(stepOps(dryRun('CHECK', b.req()), 'start IPAM CHECK'), 'require prevResult: none, CHECK would fail here');
});
