// Case i of seed S: its own PRNG stream picks a family (or a huge input, or a kernel case) and builds
// the env, stdin and expectation. The same seed always gives the same cases.
import * as path from 'node:path';
import { fakeIpamEnv } from '../../support/fake-ipam.js';
import { Prng } from '../prng.js';
import { BAD_CONTAINER_IDS, BAD_IFNAMES, FIELDS, ODD_VALID_CONTAINER_IDS, ODD_VALID_IFNAMES, typeOf, WRONG_TYPES } from './bad-values.js';
import { SUPPORTED, type FuzzCase, type FuzzCtx, type Json } from './case.js';
import { baseConf, cniPathWithFake, fakeConf, netnsOf, randomBytes, setPath, truncations } from './inputs.js';
import { kernelCase } from './kernel-cases.js';

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
    env: fakeIpamEnv({ store: ctx.fakeDir, log: ctx.fakeLog }),
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

function hugeCase(rng: Prng, ctx: FuzzCtx, c: (x: Partial<FuzzCase>) => FuzzCase): FuzzCase {
  const conf = baseConf(ctx, rng);
  const big = 'a'.repeat(10 * 1024 * 1024);
  const variant = rng.pick(['valid-del', 'truncated', 'brackets']);
  if (variant === 'valid-del') return c({ family: 'huge', command: 'DEL', stdin: JSON.stringify({ ...conf, junk: big }), expect: { kind: 'empty' }, note: '10 MiB valid config, DEL' });
  if (variant === 'truncated') return c({ family: 'huge', command: 'ADD', stdin: `{"cniVersion":"1.0.0","junk":"${big}`, expect: { kind: 'error', codes: [6] }, note: '10 MiB truncated config' });
  return c({ family: 'huge', command: 'ADD', stdin: '['.repeat(10 * 1024 * 1024), expect: { kind: 'error', codes: [6] }, note: '10 MiB of [' });
}
