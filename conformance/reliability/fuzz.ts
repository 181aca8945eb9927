// Seeded fuzzing of podlink's CNI entry: the environment and the config on stdin. Case i of seed S is
// always the same case (its own PRNG stream), so `--seed S --case i` replays one failure exactly.
//
// Every case states what a correct plugin does with it, and the runner checks, for every case:
//  - the exit status and stdout: exit != 0 with exactly one well-formed CNI error object (keys cniVersion,
//    code, msg, details only; integer code from the expected set; cniVersion the config's own when it
//    has a supported one), or exit 0 with empty stdout (a tolerated DEL, STATUS, GC), or a result/VERSION;
//  - no JS stack trace on stdout or stderr, no signal, no timeout;
//  - zero state afterwards: node links, addresses, routes, neighbours, links in the pod netns, pins,
//    every file in the stateDir and the IPAM dirs (host-local's and the fake IPAM's), and the mode file;
//  - nothing written outside podlink's own dirs: the testbed dir tree, `/`, and podlink's default
//    paths (/var/lib/podlink, /run/podlink outside lib/) are listed before and after.
// Most cases fail before podlink touches the kernel (bad env or config); a smaller share goes through ADD
// paths that open the netns, claim a record, run IPAM and build links (kernel cases).
//
//   node --import tsx conformance/reliability/fuzz.ts [--cases 10000] [--seed S] [--case i] [--workers 4]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { isIP } from 'node:net';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CNI_PATH, Testbed } from '../integration/testbed.js';
import { runInNode, type AsyncPluginRun } from './async-run.js';
import { diffInventory, inventory, listTree, type Inventory } from './inventory.js';
import { argValue, Prng, seedFrom } from './prng.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const TESTDATA = path.join(HERE, 'testdata');
const SUPPORTED = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'];
const LATEST = '1.1.0';

// ------------------------------------------------------------------------------------------ cases

export type Expect =
  /** exit != 0, one CNI error object with one of these codes. */
  | { kind: 'error'; codes: number[]; msg?: RegExp }
  /** exit 0, nothing on stdout (DEL, STATUS, GC). */
  | { kind: 'empty' }
  /** exit 0 with a result (ADD), which is then CHECKed (when the version allows) and DELeted. */
  | { kind: 'result' }
  /** Either of the two: the kernel or the config may legitimately refuse. */
  | { kind: 'result-or-error'; codes: number[] }
  /** Either exit 0 with empty stdout or one error object with these codes. */
  | { kind: 'empty-or-error'; codes: number[] }
  /** VERSION's answer. */
  | { kind: 'version' }
  /** No CNI_COMMAND: the operator CLI; nothing on stdout. */
  | { kind: 'cli' };

export interface FuzzCase {
  i: number;
  family: string;
  /** Goes through ADD steps that touch the kernel. */
  kernel: boolean;
  /** CNI_COMMAND; undefined leaves it out. */
  command?: string;
  containerId?: string;
  netns?: string;
  ifname?: string;
  args?: string;
  cniPath?: string;
  env: Record<string, string>;
  stdin: string;
  expect: Expect;
  note: string;
}

/** What a case may refer to on the worker that runs it. */
export interface FuzzCtx {
  bed: Testbed;
  pod: string;
  regularFile: string;
  directory: string;
  fakeDir: string;
  fakeLog: string;
  corruptModeFile: string;
}

type Json = Record<string, unknown>;

const WRONG_TYPES: unknown[] = [null, true, false, 0, -1, 1.5, 1e300, '', 'str', [], [1], {}, { a: 1 }, 'x'.repeat(5000), '\u0000'];

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
}

/** Field → (predicate for a value of the right type, extra wrong values of the right type). */
const FIELDS: Record<string, { ok: (v: unknown) => boolean; bad: unknown[] }> = {
  name: { ok: (v) => typeof v === 'string', bad: ['', '../x', 'a b', 'ünï', '.x', 'a/b', '-x', 'x\u0000y', 'a\nb'] },
  type: { ok: (v) => typeof v === 'string', bad: ['', '.', '..', 'a/b', '../podlink', 'x\u0000'] },
  mode: { ok: () => false, bad: ['NETKIT', 'veth ', '', 'l2', 'netkit-l3', 'Auto'] },
  mtu: { ok: (v) => Number.isInteger(v), bad: [67, 65536, 0, -1, 2 ** 31] },
  logFile: { ok: (v) => typeof v === 'string', bad: ['rel.log', '', './x', '~/x'] },
  logLevel: { ok: () => false, bad: ['trace', 'DEBUG', '', 'verbose'] },
  modeFile: { ok: (v) => typeof v === 'string', bad: ['mode.json', '', '../mode.json'] },
  stateDir: { ok: (v) => typeof v === 'string', bad: ['state', '', '../state', 'var/lib/podlink'] },
  bpfRoot: { ok: (v) => typeof v === 'string', bad: ['bpf', '', '../bpf'] },
  antiSpoof: { ok: (v) => typeof v === 'boolean', bad: [] },
  hostRouting: { ok: () => false, bad: ['BPF', '', 'ebpf', 'none'] },
  clusterCIDRs: { ok: (v) => Array.isArray(v) && v.length === 0, bad: [['10.0.0.0'], ['10.0.0.0/33'], ['abc/24'], ['::/129'], ['10.0.0.0/8', 1], [''], ['10.0.0.0/8 ']] },
  gsoMaxSize: { ok: (v) => Number.isInteger(v), bad: [0, 524289, -5] },
  groMaxSize: { ok: (v) => Number.isInteger(v), bad: [0, 524289] },
  headroom: { ok: (v) => Number.isInteger(v), bad: [-1, 65536] },
  tailroom: { ok: (v) => Number.isInteger(v), bad: [-1, 65536] },
  ipam: { ok: () => false, bad: [{}, { type: 1 }, { type: '' }, { type: '..' }, { type: '../host-local' }, { type: 'a/b' }, { type: null }] },
  dns: { ok: (v) => v !== null && typeof v === 'object' && !Array.isArray(v), bad: [{ nameservers: 'x' }, { nameservers: [1] }, { domain: 1 }, { search: {} }, { options: [null] }] },
  capabilities: { ok: (v) => v !== null && typeof v === 'object' && !Array.isArray(v), bad: [] },
  args: { ok: (v) => v !== null && typeof v === 'object' && !Array.isArray(v), bad: [] },
  runtimeConfig: {
    ok: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
    bad: [{ portMappings: 'x' }, { portMappings: [{ hostPort: -1 }] }, { portMappings: [{ hostPort: '80' }] }, { bandwidth: { ingressRate: 1.5 } }, { ips: 'x' }, { mac: 1 }, { dns: { servers: [1] } }, { IPRanges: 'x' }, { PortMappings: [{ HostPort: 'x' }] }],
  },
  prevResult: { ok: (v) => v !== null && typeof v === 'object' && !Array.isArray(v), bad: [] },
  'cni.dev/valid-attachments': { ok: (v) => Array.isArray(v) && v.length === 0, bad: [[{}], [1], [{ containerID: 1, ifname: 'eth0' }], [{ containerID: 'a' }], [{ ifname: 'eth0' }], ['a']] },
  'cni.dev/attachments': { ok: (v) => Array.isArray(v) && v.length === 0, bad: [[{}], [{ containerID: 'a', ifname: null }]] },
};

const BAD_CONTAINER_IDS = [
  '../x', '../../sentinel/x', '..', '.', 'a/b', '/abs', '/', ' lead', 'trail ', 'a b', 'tab\tx', 'new\nline', 'x'.repeat(201),
  'café', '容器', 'pod-😀', '.hidden', '-dash', '_under', 'a;b', 'a:b', 'a$b', 'a*b', 'x/../../y', '%2e%2e', 'a\\b', 'a\u00a0b',
];
const ODD_VALID_CONTAINER_IDS = ['a..b', 'a.', 'A-_.9', 'x'.repeat(200), '0', 'a.b.c.d', 'Z'];
const BAD_IFNAMES = [
  'abcdefghijklmnop', 'x'.repeat(64), 'éééééééé', '.', '..', 'a/b', '../eth0', '/eth0', 'a:b', 'eth 0', ' eth0', 'eth0\n', 'eth\t0', 'é'.repeat(8), '网卡网卡网卡', 'eth0/..',
];
const ODD_VALID_IFNAMES = ['éth0', 'abcdefghijklmno', 'e', 'eth0.100', 'net-1', 'a_b', 'ｅｔｈ', '😀x', 'ETH0', 'e..'];

function stripUndefined(o: Json): Json {
  return JSON.parse(JSON.stringify(o)) as Json;
}

function setPath(o: Json, key: string, v: unknown): Json {
  const c = structuredClone(o);
  if (key.startsWith('ipam.')) (c.ipam as Json)[key.slice(5)] = v;
  else c[key] = v;
  return c;
}

/** The config a worker's bed accepts (host-local IPAM in the bed, logs at info, IPv6 sometimes). */
function baseConf(ctx: FuzzCtx, rng: Prng, version = '1.0.0'): Json {
  const c = ctx.bed.conf({ cniVersion: version, ipv6: rng.chance(0.5), extra: { logLevel: 'info' } });
  return stripUndefined(c);
}

function fakeConf(ctx: FuzzCtx, rng: Prng, version = '1.0.0'): Json {
  return { ...baseConf(ctx, rng, version), ipam: { type: 'fake-ipam' } };
}

function cniPathWithFake(): string {
  return `${TESTDATA}:${CNI_PATH}`;
}

/** The version an error object must carry for this stdin (several when the plugin may not have read it). */
export function errorVersions(stdin: string, commandKnown: boolean): string[] {
  let v: unknown;
  try {
    const o = JSON.parse(stdin) as unknown;
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return [LATEST];
    v = (o as Json).cniVersion;
  } catch {
    return [LATEST];
  }
  const own = v === undefined || v === '' ? '0.1.0' : typeof v === 'string' && SUPPORTED.includes(v) ? v : LATEST;
  return commandKnown ? [own] : [own, LATEST];
}

function truncations(s: string, rng: Prng): string {
  return s.slice(0, rng.int(0, s.length - 1));
}

function randomBytes(rng: Prng, n: number): string {
  let out = '';
  for (let k = 0; k < n; k++) out += String.fromCharCode(rng.int(1, 0x2ff));
  return out;
}

/** Builds case i of a seed. */
export function generateCase(seed: number, i: number, ctx: FuzzCtx, o: { kernelShare?: number } = {}): FuzzCase {
  const rng = new Prng(seed).fork(i);
  const base: FuzzCase = {
    i,
    family: '',
    kernel: false,
    command: 'ADD',
    containerId: `fz${i}-${rng.int(0, 0xfffff).toString(16)}`,
    netns: `/run/netns/${ctx.pod}`,
    ifname: 'eth0',
    cniPath: cniPathWithFake(),
    env: { FAKE_IPAM_DIR: ctx.fakeDir, FAKE_IPAM_LOG: ctx.fakeLog },
    stdin: '',
    expect: { kind: 'error', codes: [] },
    note: '',
  };
  const c = (x: Partial<FuzzCase>): FuzzCase => ({ ...base, ...x, env: { ...base.env, ...(x.env ?? {}) } });
  const cmd3 = () => rng.pick(['ADD', 'DEL', 'CHECK']);
  const json = (o: unknown) => JSON.stringify(o);

  if (i % 500 === 250) return hugeCase(rng, ctx, c);
  if (rng.chance(o.kernelShare ?? 0.12)) return kernelCase(rng, ctx, c);

  const families: [number, string][] = [
    [4, 'cmd-unknown'], [1, 'cmd-unset'], [6, 'env-missing'], [8, 'env-containerid'], [8, 'env-ifname'], [2, 'env-netns-relative'],
    [3, 'env-args'], [12, 'json-broken'], [4, 'json-shape'], [8, 'version'], [4, 'version-gate'], [20, 'schema-type'],
    [10, 'schema-value'], [4, 'prevresult'], [3, 'runtimeconfig'], [6, 'del-tolerated'], [3, 'check-unknown'],
    [3, 'version-cmd'], [3, 'status'], [3, 'gc'], [1, 'deep'], [2, 'unknown-fields'],
  ];
  const total = families.reduce((a, [w]) => a + w, 0);
  let r = rng.next() * total;
  let family = families[0]![1];
  for (const [w, f] of families) {
    if ((r -= w) < 0) {
      family = f;
      break;
    }
  }
  const conf = baseConf(ctx, rng);
  switch (family) {
    case 'cmd-unknown': {
      const command = rng.pick(['add', 'ADD ', ' DEL', 'FOO', 'ＡＤＤ', 'DELETE', 'VERSION\n', 'X'.repeat(300), 'ADD;DEL', 'CHECK\t', 'status']);
      return c({ family, command, stdin: json(conf), expect: { kind: 'error', codes: [4] }, note: `CNI_COMMAND=${JSON.stringify(command)}` });
    }
    case 'cmd-unset':
      return c({ family, command: rng.pick([undefined, '']), stdin: json(conf), expect: { kind: 'cli' }, note: 'no CNI_COMMAND' });
    case 'env-missing': {
      const command = cmd3();
      const drop = rng.pick(command === 'DEL' ? [['containerId'], ['ifname'], ['containerId', 'ifname']] : [['containerId'], ['netns'], ['ifname'], ['containerId', 'netns', 'ifname']]);
      const x: Partial<FuzzCase> = { family, command, stdin: json(command === 'CHECK' ? { ...conf, prevResult: { cniVersion: '1.0.0', ips: [] } } : conf), expect: { kind: 'error', codes: [4] }, note: `without ${drop.join(',')}` };
      for (const k of drop) (x as Record<string, unknown>)[k] = rng.chance(0.5) ? undefined : '';
      return c(x);
    }
    case 'env-containerid': {
      const id = rng.pick(BAD_CONTAINER_IDS);
      return c({ family, command: cmd3(), containerId: id, stdin: json(conf), expect: { kind: 'error', codes: [4] }, note: `CNI_CONTAINERID=${JSON.stringify(id)}` });
    }
    case 'env-ifname': {
      const ifn = rng.pick(BAD_IFNAMES);
      return c({ family, command: cmd3(), ifname: ifn, stdin: json(conf), expect: { kind: 'error', codes: [4] }, note: `CNI_IFNAME=${JSON.stringify(ifn)}` });
    }
    case 'env-netns-relative': {
      const ns = rng.pick(['relative', 'run/netns/x', '../x', './x', '~/x']);
      return c({ family, command: cmd3(), netns: ns, stdin: json(conf), expect: { kind: 'error', codes: [4] }, note: `CNI_NETNS=${ns}` });
    }
    case 'env-args': {
      const args = rng.pick(['foo', '=x', 'a=b;c', ';;=;', 'K8S_POD_NAME', '=', 'a=b;=c']);
      return c({ family, command: cmd3(), args, stdin: json(conf), expect: { kind: 'error', codes: [4] }, note: `CNI_ARGS=${JSON.stringify(args)}` });
    }
    case 'json-broken': {
      const full = json(conf);
      const variant = rng.pick(['truncate', 'truncate', 'truncate', 'garbage', 'bom', 'trailing', 'two-docs', 'nan', 'comment', 'single-quotes', 'empty', 'whitespace', 'nul-bytes', 'unclosed-string']);
      const stdin =
        variant === 'truncate' ? truncations(full, rng)
          : variant === 'garbage' ? randomBytes(rng, rng.int(1, 400))
            : variant === 'bom' ? `\ufeff${full}`
              : variant === 'trailing' ? `${full}x`
                : variant === 'two-docs' ? `${full}\n${full}`
                  : variant === 'nan' ? full.replace(/}$/, ',"mtu":NaN}')
                    : variant === 'comment' ? full.replace(/^{/, '{/* c */')
                      : variant === 'single-quotes' ? full.replace(/"/g, "'")
                        : variant === 'empty' ? ''
                          : variant === 'whitespace' ? ' \n\t '
                            : variant === 'nul-bytes' ? `\u0000${full}`
                              : full.replace(/}$/, ',"x":"abc');
      const command = rng.pick(['ADD', 'DEL', 'CHECK', 'STATUS', 'GC']);
      const needsEnv = ['ADD', 'DEL', 'CHECK'].includes(command);
      return c({ family, command, stdin, expect: { kind: 'error', codes: [6] }, note: variant, ...(needsEnv ? {} : { containerId: undefined, netns: undefined, ifname: undefined }) });
    }
    case 'json-shape': {
      const stdin = rng.pick(['null', '[]', '42', 'true', '"str"', '[{}]', '-0', '1e999']);
      return c({ family, command: cmd3(), stdin, expect: { kind: 'error', codes: [6] }, note: stdin });
    }
    case 'version': {
      const v = rng.pick<unknown>(['2.0.0', '1.1', '0.5.0', 'v1.0.0', '1.0.0 ', '01.0.0', '1.0.0-rc1', '1.2.0', '0.0.0', '10.0.0', 1.0, 1, null, true, [], {}, '１.0.0']);
      const stdin = json({ ...conf, cniVersion: v });
      return c({ family, command: cmd3(), stdin, expect: { kind: 'error', codes: typeof v === 'string' ? [1] : [6, 7] }, note: `cniVersion ${JSON.stringify(v)}` });
    }
    case 'version-gate': {
      const command = rng.pick(['CHECK', 'STATUS', 'GC']);
      const v = command === 'CHECK' ? rng.pick(['0.1.0', '0.2.0', '0.3.0', '0.3.1', '', undefined]) : rng.pick(['0.1.0', '0.3.1', '0.4.0', '1.0.0', '']);
      const x = { ...conf, cniVersion: v, ...(command === 'CHECK' ? { prevResult: { ips: [] } } : {}) };
      return c({ family, command, stdin: json(x), expect: { kind: 'error', codes: [1] }, note: `${command} with cniVersion ${JSON.stringify(v)}` });
    }
    case 'schema-type':
    case 'schema-value': {
      const keys = Object.keys(FIELDS);
      const key = rng.pick(keys);
      const f = FIELDS[key]!;
      let v: unknown;
      if (family === 'schema-type' || !f.bad.length) {
        const wrong = WRONG_TYPES.filter((w) => !f.ok(w));
        v = rng.pick(wrong);
      } else v = rng.pick(f.bad);
      let x: Json = setPath(conf, key, v);
      if (rng.chance(0.05)) {
        x = { ...conf };
        delete x[rng.pick(['name', 'type'])];
        v = '(missing)';
      }
      const command = rng.pick(['ADD', 'DEL', 'CHECK', 'STATUS', 'GC']);
      if (command === 'STATUS' || command === 'GC') x.cniVersion = '1.1.0';
      const needsEnv = ['ADD', 'DEL', 'CHECK'].includes(command);
      return c({
        family, command, stdin: json(x), expect: { kind: 'error', codes: [7] }, note: `${key}: ${JSON.stringify(v)?.slice(0, 60)} (${typeOf(v)})`,
        ...(needsEnv ? {} : { containerId: undefined, netns: undefined, ifname: undefined }),
      });
    }
    case 'prevresult': {
      const prev = rng.pick<unknown>([
        { cniVersion: '1.0.0', ips: 'x' }, { cniVersion: '1.0.0', ips: [{ address: 'nope' }] }, { cniVersion: '1.0.0', interfaces: [{}] },
        { cniVersion: '1.0.0', routes: [{ gw: '10.0.0.1' }] }, { cniVersion: '9.9.9', ips: [] }, { cniVersion: 1, ips: [] },
        { cniVersion: '1.0.0', ips: [{ address: '10.1.1.1/24', interface: 'x' }] }, { cniVersion: '1.0.0', dns: { nameservers: 'x' } },
        { cniVersion: '1.0.0', ips: [{ address: '10.1.1.1/33' }] },
      ]);
      const bad = prev as Json;
      // A prevResult in a version podlink cannot read is "incompatible" (1) or invalid config (7).
      const codes = bad.cniVersion !== undefined && !SUPPORTED.includes(bad.cniVersion as string) ? [1, 7] : [7];
      return c({ family, command: 'CHECK', stdin: json({ ...conf, prevResult: prev }), expect: { kind: 'error', codes }, note: json(prev).slice(0, 80) });
    }
    case 'runtimeconfig': {
      const rc = rng.pick(FIELDS.runtimeConfig!.bad);
      return c({ family, command: cmd3(), stdin: json({ ...conf, runtimeConfig: rc }), expect: { kind: 'error', codes: [7] }, note: json(rc) });
    }
    case 'del-tolerated': {
      const kind = rng.pick(['missing', 'none', 'file', 'dir', 'devnull', 'pod', 'node', 'self']);
      const netns = netnsOf(kind, ctx);
      const id = rng.chance(0.2) ? rng.pick(ODD_VALID_CONTAINER_IDS) : base.containerId;
      const ifn = rng.chance(0.2) ? rng.pick(ODD_VALID_IFNAMES) : 'eth0';
      const version = rng.pick(SUPPORTED);
      return c({ family, command: 'DEL', netns, containerId: id, ifname: ifn, stdin: json({ ...conf, cniVersion: version }), expect: { kind: 'empty' }, note: `DEL never-added, netns ${kind}, ${version}` });
    }
    case 'check-unknown': {
      const prev = { cniVersion: '1.0.0', interfaces: [{ name: 'eth0', sandbox: `/run/netns/${ctx.pod}` }], ips: [{ address: '10.1.2.3/32', interface: 0 }] };
      return c({ family, command: 'CHECK', stdin: json({ ...conf, prevResult: prev }), expect: { kind: 'error', codes: [3] }, note: 'CHECK of a container never added' });
    }
    case 'version-cmd': {
      const stdin = rng.pick(['', 'garbage', json({ cniVersion: rng.pick(SUPPORTED) }), json({ cniVersion: '9.9.9' }), '\u0000\u0001', json(conf), '[]', 'null']);
      return c({ family, command: 'VERSION', containerId: undefined, netns: undefined, ifname: undefined, stdin, expect: { kind: 'version' }, note: JSON.stringify(stdin).slice(0, 40) });
    }
    case 'status': {
      const variant = rng.pick(['ready', 'ready', 'no-mode-file', 'corrupt-mode-file']);
      const x = { ...fakeConf(ctx, rng, '1.1.0'), ...(variant === 'no-mode-file' ? { modeFile: path.join(ctx.bed.dir, 'no-such-mode.json') } : variant === 'corrupt-mode-file' ? { modeFile: ctx.corruptModeFile } : {}) };
      return c({ family, command: 'STATUS', containerId: undefined, netns: undefined, ifname: undefined, stdin: json(x), expect: variant === 'ready' ? { kind: 'empty' } : { kind: 'error', codes: [50] }, note: variant });
    }
    case 'gc': {
      const atts = Array.from({ length: rng.int(0, 4) }, () => ({ containerID: rng.pick([...BAD_CONTAINER_IDS, ...ODD_VALID_CONTAINER_IDS]), ifname: rng.pick([...BAD_IFNAMES, 'eth0']) }));
      const key = rng.pick(['cni.dev/valid-attachments', 'cni.dev/attachments']);
      return c({ family, command: 'GC', containerId: undefined, netns: undefined, ifname: undefined, stdin: json({ ...fakeConf(ctx, rng, '1.1.0'), [key]: atts }), expect: { kind: 'empty' }, note: `${key} with ${atts.length} odd entries` });
    }
    case 'deep': {
      const depth = rng.pick([100, 1000, 3000, 10000, 100000]);
      const open = rng.pick(['[', '{"a":']);
      const close = open === '[' ? ']' : '}';
      const stdin = json(conf).replace(/}$/, `,"deep":${open.repeat(depth)}1${close.repeat(depth)}}`);
      return c({ family, command: 'DEL', stdin, expect: { kind: 'empty-or-error', codes: [6, 7, 999] }, note: `unknown key nested ${depth} deep` });
    }
    case 'unknown-fields': {
      // As text: "__proto__" must arrive as a key, which an object literal would turn into a prototype.
      const junk = new Map<string, unknown>();
      for (let k = 0; k < rng.int(1, 6); k++) junk.set(rng.pick(['x', '__proto__', 'constructor', 'ipam2', 'é', '', ' ', 'cni.dev/x', 'MTU', 'Mode']), rng.pick(WRONG_TYPES));
      const stdin = json(conf).replace(/}$/, `,${[...junk].map(([k, v]) => `${json(k)}:${json(v)}`).join(',')}}`);
      return c({ family, command: 'DEL', stdin, expect: { kind: 'empty' }, note: `unknown keys ${[...junk.keys()].map((k) => json(k)).join(',')}` });
    }
  }
  throw new Error(`unhandled family ${family}`);
}

function netnsOf(kind: string, ctx: FuzzCtx): string | undefined {
  switch (kind) {
    case 'missing':
      return `/run/netns/plr-no-such-netns-${ctx.bed.id}`;
    case 'none':
      return undefined;
    case 'file':
      return ctx.regularFile;
    case 'dir':
      return ctx.directory;
    case 'devnull':
      return '/dev/null';
    case 'mntns':
      return '/proc/self/ns/mnt';
    case 'node':
      return `/run/netns/${ctx.bed.node}`;
    case 'self':
      return '/proc/self/ns/net';
    default:
      return `/run/netns/${ctx.pod}`;
  }
}

function hugeCase(rng: Prng, ctx: FuzzCtx, c: (x: Partial<FuzzCase>) => FuzzCase): FuzzCase {
  const conf = baseConf(ctx, rng);
  const big = 'a'.repeat(10 * 1024 * 1024);
  const variant = rng.pick(['valid-del', 'truncated', 'brackets']);
  if (variant === 'valid-del') return c({ family: 'huge', command: 'DEL', stdin: JSON.stringify({ ...conf, junk: big }), expect: { kind: 'empty' }, note: '10 MiB valid config, DEL' });
  if (variant === 'truncated') return c({ family: 'huge', command: 'ADD', stdin: `{"cniVersion":"1.0.0","junk":"${big}`, expect: { kind: 'error', codes: [6] }, note: '10 MiB truncated config' });
  return c({ family: 'huge', command: 'ADD', stdin: '['.repeat(10 * 1024 * 1024), expect: { kind: 'error', codes: [6] }, note: '10 MiB of [' });
}

const FAKE_MODES: Record<string, Expect> = {
  ok: { kind: 'result' },
  v6: { kind: 'result' },
  noisy: { kind: 'result' },
  crash: { kind: 'error', codes: [999] },
  exit3: { kind: 'error', codes: [999] },
  error: { kind: 'error', codes: [11] },
  'error-malformed': { kind: 'error', codes: [999] },
  stacktrace: { kind: 'error', codes: [999] },
  'empty-stdout': { kind: 'error', codes: [999] },
  'alloc-garbage': { kind: 'error', codes: [999] },
  'alloc-badtypes': { kind: 'error', codes: [999] },
  'alloc-noprefix': { kind: 'error', codes: [999] },
  'alloc-noips': { kind: 'error', codes: [7] },
  'alloc-wrongversion': { kind: 'error', codes: [999, 1] },
  'alloc-two-docs': { kind: 'error', codes: [999] },
};

function kernelCase(rng: Prng, ctx: FuzzCtx, c: (x: Partial<FuzzCase>) => FuzzCase): FuzzCase {
  const family = rng.pick(['netns-kind', 'netns-kind', 'ipam-missing', 'cnipath', 'ipam-fake', 'ipam-fake', 'ipam-fake', 'add-valid', 'add-valid', 'add-valid']);
  const k = (x: Partial<FuzzCase>) => c({ kernel: true, family: `kernel:${family}`, ...x });
  switch (family) {
    case 'netns-kind': {
      const kind = rng.pick(['missing', 'file', 'dir', 'devnull', 'mntns', 'node', 'self']);
      const command = rng.pick(['ADD', 'ADD', 'CHECK']);
      const conf = baseConf(ctx, rng);
      const stdin = JSON.stringify(command === 'CHECK' ? { ...conf, prevResult: { cniVersion: '1.0.0', ips: [] } } : conf);
      // CHECK reads the record first: a container never added is "unknown" whatever its netns.
      const codes = command === 'CHECK' ? [3] : kind === 'node' || kind === 'self' ? [4] : [4, 999];
      return k({ command, netns: netnsOf(kind, ctx), stdin, expect: { kind: 'error', codes, msg: command === 'ADD' ? /netns|network namespace|CNI_NETNS/ : undefined }, note: `${command} with netns ${kind}` });
    }
    case 'ipam-missing': {
      const type = rng.pick(['no-such-ipam', 'host-local.sh', 'HOST-LOCAL', 'host-local ', 'fake-ipam.d']);
      return k({ stdin: JSON.stringify({ ...baseConf(ctx, rng), ipam: { type } }), expect: { kind: 'error', codes: [7] }, note: `ipam.type ${JSON.stringify(type)} not in CNI_PATH` });
    }
    case 'cnipath': {
      const v = rng.pick([undefined, '', ':', '/nonexistent', 'relative/dir', `${ctx.bed.dir}`]);
      const codes = v === undefined || v === '' || v === ':' ? [4] : [7];
      return k({ cniPath: v, stdin: JSON.stringify(baseConf(ctx, rng)), expect: { kind: 'error', codes }, note: `CNI_PATH=${JSON.stringify(v)}` });
    }
    case 'ipam-fake': {
      const mode = rng.pick(Object.keys(FAKE_MODES));
      const version = rng.pick(['0.3.1', '0.4.0', '1.0.0', '1.1.0']);
      return k({ env: { FAKE_IPAM: mode }, stdin: JSON.stringify(fakeConf(ctx, rng, version)), expect: FAKE_MODES[mode]!, note: `fake IPAM ${mode}, ${version}` });
    }
    default: {
      // A valid config with random knobs: ADD either works (then CHECK and DEL must too) or is refused
      // cleanly by the kernel (102) or for a missing feature (100).
      const version = rng.pick(SUPPORTED);
      const conf: Json = { ...baseConf(ctx, rng, version) };
      const knobs: string[] = [];
      const knob = (key: string, v: unknown) => {
        conf[key] = v;
        knobs.push(`${key}=${JSON.stringify(v)}`);
      };
      if (rng.chance(0.4)) knob('mtu', rng.pick([68, 576, 1279, 1280, 1400, 1500, 9000, 65535, rng.int(68, 65535)]));
      if (rng.chance(0.2)) knob('gsoMaxSize', rng.pick([1, 65536, 131072, 524288, rng.int(1, 524288)]));
      if (rng.chance(0.2)) knob('groMaxSize', rng.pick([1, 65536, 524288]));
      if (rng.chance(0.15)) knob('headroom', rng.int(0, 65535));
      if (rng.chance(0.15)) knob('tailroom', rng.int(0, 65535));
      if (rng.chance(0.3)) knob('mode', rng.pick(['auto', 'veth', 'netkit', 'netkit-l2']));
      if (rng.chance(0.3)) knob('hostRouting', rng.pick(['auto', 'bpf', 'legacy']));
      if (rng.chance(0.2)) knob('antiSpoof', rng.chance(0.5));
      if (rng.chance(0.2)) knob('clusterCIDRs', ['10.244.0.0/16', 'fd00:244::/56']);
      if (rng.chance(0.2)) knob('dns', { nameservers: ['10.96.0.10'], search: ['svc.cluster.local'], options: ['ndots:5'] });
      if (rng.chance(0.2)) knob('runtimeConfig', { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }], bandwidth: { ingressRate: 1000 } });
      if (rng.chance(0.1)) knob('args', { cni: { labels: [{ key: 'app', value: 'x' }] } });
      const containerId = rng.chance(0.3) ? `${rng.pick(ODD_VALID_CONTAINER_IDS)}` : undefined;
      const ifname = rng.chance(0.3) ? rng.pick(ODD_VALID_IFNAMES) : 'eth0';
      if (containerId) knobs.push(`CNI_CONTAINERID=${containerId.length > 20 ? `${containerId.slice(0, 8)}…(${containerId.length})` : containerId}`);
      if (ifname !== 'eth0') knobs.push(`CNI_IFNAME=${ifname}`);
      return k({ ...(containerId ? { containerId } : {}), ifname, stdin: JSON.stringify(conf), expect: { kind: 'result-or-error', codes: [100, 102, 103] }, note: `${version} ${knobs.join(' ')}` });
    }
  }
}

// ------------------------------------------------------------------------------------------ judging

const JS_STACK = /^\s+at\s+(?:\S+\s+)?\(?(?:\/|node:|file:)[^)]*:\d+(?::\d+)?\)?\s*$/m;
const ERROR_KEYS = new Set(['cniVersion', 'code', 'msg', 'details']);

/** Problems with one plugin answer against what the case expects; [] when correct. */
export function judge(cs: FuzzCase, r: AsyncPluginRun): string[] {
  const p: string[] = [];
  if (r.timedOut) return ['timed out'];
  if (r.signal) p.push(`killed by ${r.signal}`);
  if (r.overflow) p.push('printed more than 64 MiB');
  if (JS_STACK.test(r.stdout)) p.push('JS stack trace on stdout');
  if (JS_STACK.test(r.stderr)) p.push(`JS stack trace on stderr: ${r.stderr.split('\n').slice(0, 3).join(' | ')}`);
  const e = cs.expect;
  const out = r.stdout;
  const asError = (codes: number[], msg?: RegExp): void => {
    if (r.code === 0) return void p.push(`exit 0, expected an error with code ${codes.join('|')}; stdout ${JSON.stringify(out.slice(0, 200))}`);
    let doc: unknown;
    try {
      doc = JSON.parse(out);
    } catch {
      return void p.push(`stdout is not exactly one JSON document: ${JSON.stringify(out.slice(0, 200))}`);
    }
    if (!out.endsWith('\n') || out.indexOf('\n') !== out.length - 1) p.push('error object is not one line ending in a newline');
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return void p.push(`error is not an object: ${out.slice(0, 200)}`);
    const o = doc as Json;
    for (const key of Object.keys(o)) if (!ERROR_KEYS.has(key)) p.push(`unexpected key ${JSON.stringify(key)} in the error object`);
    if (!Number.isInteger(o.code)) p.push(`code ${JSON.stringify(o.code)} is not an integer`);
    else if (!codes.includes(o.code as number)) p.push(`code ${o.code as number}, expected ${codes.join('|')}: ${String(o.msg)}`);
    if (typeof o.msg !== 'string' || o.msg === '') p.push('msg missing or empty');
    else if (msg && !msg.test(o.msg)) p.push(`msg ${JSON.stringify(o.msg)} does not match ${msg}`);
    if (o.details !== undefined && typeof o.details !== 'string') p.push('details is not a string');
    const versions = errorVersions(cs.stdin, cs.command !== undefined && ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC', 'VERSION'].includes(cs.command));
    if (!versions.includes(o.cniVersion as string)) p.push(`error cniVersion ${JSON.stringify(o.cniVersion)}, expected ${versions.join('|')}`);
  };
  switch (e.kind) {
    case 'error':
      asError(e.codes, e.msg);
      break;
    case 'empty':
      if (r.code !== 0) p.push(`exit ${r.code}, expected 0: ${out.trim().slice(0, 300)}`);
      else if (out !== '') p.push(`stdout not empty: ${JSON.stringify(out.slice(0, 200))}`);
      break;
    case 'empty-or-error':
      if (r.code === 0) {
        if (out !== '') p.push(`stdout not empty: ${JSON.stringify(out.slice(0, 200))}`);
      } else asError(e.codes);
      break;
    case 'result':
    case 'result-or-error':
      if (r.code === 0) {
        const res = r.json as { cniVersion?: string; interfaces?: unknown[]; ips?: unknown[]; ip4?: unknown; ip6?: unknown } | undefined;
        if (!res || typeof res !== 'object') p.push(`exit 0 without a JSON result: ${JSON.stringify(out.slice(0, 200))}`);
        else if (!res.ips && !res.ip4 && !res.ip6) p.push(`result without IPs: ${out.slice(0, 200)}`);
      } else if (e.kind === 'result') p.push(`exit ${r.code}, expected a result: ${out.trim().slice(0, 300)}`);
      else asError(e.codes);
      break;
    case 'version': {
      const v = r.json as { cniVersion?: unknown; supportedVersions?: unknown } | undefined;
      if (r.code !== 0 || !v || !Array.isArray(v.supportedVersions) || typeof v.cniVersion !== 'string') p.push(`VERSION answered exit ${r.code}: ${out.slice(0, 200)}`);
      break;
    }
    case 'cli':
      if (out.trim() !== '' && (out.trim().startsWith('{') || out.trim().startsWith('['))) p.push(`JSON on stdout without CNI_COMMAND: ${out.slice(0, 200)}`);
      break;
  }
  return p;
}

// ------------------------------------------------------------------------------------------ running

export interface FuzzFailure {
  seed: number;
  i: number;
  family: string;
  note: string;
  problems: string[];
  leaks: string[];
  replay: string;
}

export interface FuzzReport {
  seed: number;
  tried: number;
  kernelCases: number;
  failures: FuzzFailure[];
  /** Cases that left something behind or wrote outside podlink's dirs. */
  leakCases: number;
  byFamily: Record<string, { n: number; failed: number }>;
  ms: number;
}

function sha(file: string): string {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return 'absent';
  }
}

/**
 * Paths outside the testbed that no case may create: the top of the filesystem (podlink runs with cwd
 * "/", so a relative path would land there) and podlink's default state dirs, which appear only if a
 * config's own paths were ignored. (/run/podlink is podlink's own: metrics.json is written there for
 * calls whose config could not be read, by design.)
 */
function outsideListing(): string[] {
  let top: string[] = [];
  try {
    top = fs.readdirSync('/').map((f) => `/${f}`);
  } catch {
    // unreadable: compare nothing
  }
  return [
    ...top,
    ...['/var/lib/podlink', '/sys/fs/bpf/podlink', '/run/podlink/mode.json'].filter((p) => fs.existsSync(p)),
  ].sort();
}

class Worker {
  readonly bed: Testbed;
  readonly ctx: FuzzCtx;
  private baseline!: Inventory;
  private bedTree!: string[];
  private modeHash = '';

  constructor(k: number) {
    this.bed = new Testbed(`fuzz${k}`);
    const dir = this.bed.dir;
    const sentinel = path.join(dir, 'sentinel');
    fs.mkdirSync(sentinel);
    fs.writeFileSync(path.join(dir, 'regular-file'), 'not a netns\n');
    fs.mkdirSync(path.join(dir, 'a-directory'));
    fs.mkdirSync(path.join(dir, 'fake-store'));
    fs.writeFileSync(path.join(dir, 'corrupt-mode.json'), '{"v":1,"configured":"auto","operational":"bogus"');
    this.ctx = {
      bed: this.bed,
      pod: this.bed.pod('p'),
      regularFile: path.join(dir, 'regular-file'),
      directory: path.join(dir, 'a-directory'),
      fakeDir: path.join(dir, 'fake-store'),
      fakeLog: path.join(dir, 'fake-ipam.log'),
      corruptModeFile: path.join(dir, 'corrupt-mode.json'),
    };
  }

  /** One real ADD/DEL so the node has its mode file and state dirs, then the baseline. */
  async init(): Promise<void> {
    const conf = this.bed.conf({ extra: { logLevel: 'info' } });
    const a = await runInNode(this.bed, 'ADD', { containerId: 'fuzz-warmup', pod: this.ctx.pod, conf });
    if (a.code !== 0) throw new Error(`fuzz worker warm-up ADD failed: ${a.stdout} ${a.stderr}`);
    const d = await runInNode(this.bed, 'DEL', { containerId: 'fuzz-warmup', pod: this.ctx.pod, conf });
    if (d.code !== 0) throw new Error(`fuzz worker warm-up DEL failed: ${d.stdout}`);
    this.baseline = await this.inventory();
    this.bedTree = this.tree();
    this.modeHash = sha(this.bed.modeFile);
  }

  private inventory(): Promise<Inventory> {
    return inventory(this.bed, { pods: [this.ctx.pod], extraDirs: [this.ctx.fakeDir] });
  }

  /** The testbed dir outside the state, IPAM and fake-store dirs (which the inventory covers). */
  private tree(): string[] {
    // metrics.json (and its lock and temp files) sits next to the mode file: podlink's own, per call.
    return listTree(this.bed.dir, (r) => /^(state|ipam|fake-store)(\/|$)/.test(r) || /^podlink\.log/.test(r) || /^\.?metrics\.json/.test(r) || r === 'fake-ipam.log');
  }

  async run(cs: FuzzCase, seed: number): Promise<{ failure?: FuzzFailure; kernel: boolean }> {
    const problems: string[] = [];
    const outsideBefore = outsideListing();
    const r = await runInNode(this.bed, cs.command ?? '', {
      containerId: cs.containerId,
      netns: cs.netns,
      ifname: cs.ifname ?? null,
      args: cs.args,
      cniPath: cs.cniPath,
      conf: cs.stdin,
      env: { ...cs.env, ...(cs.command === undefined ? { CNI_COMMAND: undefined } : {}) },
      timeoutMs: 60_000,
    });
    problems.push(...judge(cs, r));
    // A successful ADD must also CHECK (where the version has CHECK) and DEL cleanly.
    if (r.code === 0 && (cs.expect.kind === 'result' || cs.expect.kind === 'result-or-error') && cs.command === 'ADD') {
      const conf = JSON.parse(cs.stdin) as Json;
      const common = { containerId: cs.containerId, netns: cs.netns, ifname: cs.ifname ?? null, cniPath: cs.cniPath, env: cs.env };
      if (['0.4.0', '1.0.0', '1.1.0'].includes(conf.cniVersion as string)) {
        const chk = await runInNode(this.bed, 'CHECK', { ...common, conf: { ...conf, prevResult: r.json } });
        if (chk.code !== 0) problems.push(`CHECK after a successful ADD failed: ${chk.stdout.trim().slice(0, 300)}`);
      }
      const del = await runInNode(this.bed, 'DEL', { ...common, conf });
      if (del.code !== 0 || del.stdout !== '') problems.push(`DEL after a successful ADD: exit ${del.code} ${del.stdout.trim().slice(0, 300)}`);
    }
    const leaks = diffInventory(this.baseline, await this.inventory());
    const tree = this.tree();
    for (const f of tree) if (!this.bedTree.includes(f)) leaks.push(`file outside podlink's dirs: ${path.join(this.bed.dir, f)}`);
    for (const f of this.bedTree) if (!tree.includes(f)) leaks.push(`file removed: ${path.join(this.bed.dir, f)}`);
    const outsideAfter = outsideListing();
    for (const f of outsideAfter) if (!outsideBefore.includes(f)) leaks.push(`new path outside the testbed: ${f}`);
    if (sha(this.bed.modeFile) !== this.modeHash) leaks.push('mode file changed');
    if (leaks.length) await this.repair();
    if (!problems.length && !leaks.length) return { kernel: cs.kernel };
    return {
      kernel: cs.kernel,
      failure: { seed, i: cs.i, family: cs.family, note: cs.note, problems, leaks, replay: `node --import tsx conformance/reliability/fuzz.ts --seed ${seed} --case ${cs.i}` },
    };
  }

  /** After a leak: put the node back to its baseline so one bug does not fail every later case. */
  private async repair(): Promise<void> {
    for (const l of (await this.inventory()).links) spawnSync('ip', ['-n', this.bed.node, 'link', 'del', l.split(' ')[0]!]);
    this.bed.removePod(this.ctx.pod);
    this.ctx.pod = this.bed.pod('p');
    for (const f of fs.readdirSync(this.ctx.fakeDir)) fs.rmSync(path.join(this.ctx.fakeDir, f), { force: true });
    const endpoints = path.join(this.bed.stateDir, 'endpoints');
    for (const f of listTree(this.bed.stateDir)) if (!f.endsWith('/')) fs.rmSync(path.join(this.bed.stateDir, f), { force: true });
    fs.mkdirSync(endpoints, { recursive: true });
    const ipamNet = path.join(this.bed.ipamDir, 'testnet');
    for (const f of listTree(ipamNet)) if (isIP(f)) fs.rmSync(path.join(ipamNet, f), { force: true });
    // Only the pins the baseline does not have: the node's programs and maps stay loaded.
    for (const f of listTree(this.bed.bpfRoot).reverse()) if (!this.baseline.pins.includes(f) && !this.baseline.nodePins.includes(f)) fs.rmSync(path.join(this.bed.bpfRoot, f), { recursive: true, force: true });
    for (const f of this.tree()) if (!this.bedTree.includes(f)) fs.rmSync(path.join(this.bed.dir, f), { recursive: true, force: true });
    this.baseline = await this.inventory();
    this.modeHash = sha(this.bed.modeFile);
  }

  cleanup(): void {
    this.bed.cleanup();
  }
}

export interface FuzzOptions {
  seed: number;
  cases: number;
  workers?: number;
  /** Run only this case (replay). */
  only?: number;
  kernelShare?: number;
  log?: (s: string) => void;
  /** Called for each finished case (progress). */
  onCase?: (done: number) => void;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  fs.chmodSync(path.join(TESTDATA, 'fake-ipam'), 0o755);
  const indices = o.only !== undefined ? [o.only] : Array.from({ length: o.cases }, (_, i) => i);
  const nWorkers = Math.min(o.workers ?? 4, indices.length);
  const workers: Worker[] = [];
  const report: FuzzReport = { seed: o.seed, tried: 0, kernelCases: 0, failures: [], leakCases: 0, byFamily: {}, ms: 0 };
  try {
    for (let k = 0; k < nWorkers; k++) workers.push(new Worker(k));
    await Promise.all(workers.map((w) => w.init()));
    let next = 0;
    await Promise.all(
      workers.map(async (w) => {
        while (next < indices.length) {
          const i = indices[next++]!;
          const cs = generateCase(o.seed, i, w.ctx, { kernelShare: o.kernelShare });
          if (o.only !== undefined) o.log?.(`case ${i}: ${cs.family} ${cs.command ?? '(unset)'} ${cs.note}\n  env: ${JSON.stringify({ CNI_CONTAINERID: cs.containerId, CNI_NETNS: cs.netns, CNI_IFNAME: cs.ifname, CNI_ARGS: cs.args, CNI_PATH: cs.cniPath, ...cs.env })}\n  stdin (${cs.stdin.length} chars): ${JSON.stringify(cs.stdin.slice(0, 500))}\n  expect: ${JSON.stringify(cs.expect, (_, v) => (v instanceof RegExp ? String(v) : v))}`);
          const res = await w.run(cs, o.seed);
          report.tried++;
          if (res.kernel) report.kernelCases++;
          const fam = (report.byFamily[cs.family] ??= { n: 0, failed: 0 });
          fam.n++;
          if (res.failure) {
            fam.failed++;
            report.failures.push(res.failure);
            if (res.failure.leaks.length) report.leakCases++;
            o.log?.(`FAIL case ${i} [${cs.family}] ${cs.note}: ${[...res.failure.problems, ...res.failure.leaks].join('; ').slice(0, 500)}`);
          }
          o.onCase?.(report.tried);
        }
      }),
    );
  } finally {
    for (const w of workers) w.cleanup();
  }
  report.failures.sort((a, b) => a.i - b.i);
  report.ms = Date.now() - started;
  return report;
}

/** Failures grouped by family and first problem (without case-specific values), for summaries. */
export function groupFailures(fs_: FuzzFailure[]): { key: string; count: number; example: FuzzFailure }[] {
  const groups = new Map<string, { key: string; count: number; example: FuzzFailure }>();
  for (const f of fs_) {
    const first = (f.problems[0] ?? f.leaks[0] ?? '').replace(/fz\d+-[0-9a-f]+/g, 'ID').replace(/\/[^ ]*\.work\/[^/ ]+\//g, '<bed>/').replace(/\d+(\.\d+)+/g, 'N').replace(/"[^"]{30,}"/g, '"…"').slice(0, 120);
    const key = `${f.family}: ${first}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { key, count: 1, example: f });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

export function formatReport(r: FuzzReport): string {
  const lines = [`fuzz: seed ${r.seed}, ${r.tried} cases (${r.kernelCases} through kernel ADD paths) in ${(r.ms / 1000).toFixed(1)} s: ${r.failures.length} failed, ${r.leakCases} left state behind`];
  for (const [fam, s] of Object.entries(r.byFamily).sort()) lines.push(`  ${fam.padEnd(24)} ${String(s.n).padStart(6)} cases ${s.failed ? `${s.failed} FAILED` : 'ok'}`);
  for (const g of groupFailures(r.failures)) {
    lines.push(`  ${g.count}× ${g.key}`);
    lines.push(`     e.g. case ${g.example.i} (${g.example.note}): ${g.example.replay}`);
  }
  return lines.join('\n');
}

// ------------------------------------------------------------------------------------------ CLI

async function main(argv: string[]): Promise<number> {
  const seed = seedFrom(argv, 'PODLINK_FUZZ_SEED');
  const only = argValue(argv, '--case');
  const cases = Number(argValue(argv, '--cases') ?? 2000);
  const workers = Number(argValue(argv, '--workers') ?? 4);
  process.stdout.write(`fuzz seed ${seed}\n`);
  const r = await runFuzz({
    seed,
    cases,
    workers,
    only: only === undefined ? undefined : Number(only),
    log: (s) => process.stdout.write(`${s}\n`),
    onCase: (n) => {
      if (n % 500 === 0) process.stdout.write(`  ${n} cases done\n`);
    },
  });
  process.stdout.write(`${formatReport(r)}\n`);
  if (only !== undefined) for (const f of r.failures) process.stdout.write(`${JSON.stringify(f, null, 2)}\n`);
  return r.failures.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  if (process.geteuid?.() !== 0) {
    process.stderr.write('fuzz needs root (network namespaces)\n');
    process.exit(2);
  }
  main(process.argv.slice(2)).then((code) => (process.exitCode = code), (e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 2;
  });
}

