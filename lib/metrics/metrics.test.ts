import t from 'tap';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  applyCall,
  bucketIndex,
  DURATION_BUCKETS,
  emptyHistogram,
  emptyState,
  FOLD_BYTES,
  escapeLabelValue,
  observe,
  readState,
  recordCall,
  renderExposition,
  renderMetrics,
  textfilePath,
  writeTextfile,
  cumulative,
  collectNodeView,
} from './index.js';
import { parseExposition } from '../../conformance/support/prometheus.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const modeFile = (dir: string, configured = 'auto', operational = 'veth') => {
  const f = path.join(dir, 'mode.json');
  fs.writeFileSync(
    f,
    JSON.stringify({
      v: 1,
      configured,
      operational,
      reason: 'r',
      kernel: '6.1.0',
      features: { netkit: operational.startsWith('netkit'), netkitScrub: false, netkitHeadroom: false, tcx: false, bpffs: true },
      probedAt: '2026-01-01T00:00:00.000Z',
    }),
  );
  return f;
};

t.test('the strict parser rejects what it should', async (t) => {
  const ok = '# HELP a_total x\n# TYPE a_total counter\na_total{c="1"} 2\n';
  t.ok(parseExposition(ok).get('a_total'));
  const bad: [string, string][] = [
    ['no trailing newline', ok.slice(0, -1)],
    ['blank line', `${ok}\n`],
    ['no TYPE', '# HELP a x\na 1\n'],
    ['timestamp', '# HELP a x\n# TYPE a gauge\na 1 1700000000\n'],
    ['bad label escape', '# HELP a x\n# TYPE a gauge\na{l="\\t"} 1\n'],
    ['unescaped quote', '# HELP a x\n# TYPE a gauge\na{l="""} 1\n'],
    ['duplicate series', '# HELP a x\n# TYPE a gauge\na 1\na 2\n'],
    ['non-cumulative', '# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['no +Inf', '# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['+Inf != count', '# HELP h x\n# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 2\n'],
    ['no _sum', '# HELP h x\n# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_count 1\n'],
    ['family split', '# HELP a x\n# TYPE a gauge\na{x="1"} 1\n# HELP b x\n# TYPE b gauge\nb 1\na{x="2"} 1\n'],
    ['counter name', '# HELP a x\n# TYPE a counter\na 1\n'],
    ['comment', '# just a comment\n'],
  ];
  for (const [why, text] of bad) t.throws(() => parseExposition(text), why);
});

t.test('histogram buckets: le semantics and cumulative rendering', async (t) => {
  t.equal(bucketIndex(0.001), 0, 'equal to a bound falls in that bucket');
  t.equal(bucketIndex(0.0011), 1);
  t.equal(bucketIndex(1000), DURATION_BUCKETS.length, 'above the last bound: the +Inf bucket');
  const h = emptyHistogram();
  for (const v of [0.0005, 0.003, 0.003, 0.2, 99, -1, NaN]) observe(h, v);
  t.equal(h.count, 7);
  const cum = cumulative(h);
  t.equal(cum[cum.length - 1], 7);
  t.ok(
    cum.every((c, i) => i === 0 || c >= cum[i - 1]!),
    'cumulative',
  );
  t.equal(h.sum, 0.0005 + 0.003 + 0.003 + 0.2 + 99, 'negative and NaN observations count as 0');
});

t.test('label values are escaped and read back exactly', async (t) => {
  const nasty = 'a\\b"c\nd}e,f="g';
  t.equal(escapeLabelValue(nasty), 'a\\\\b\\"c\\nd}e,f=\\"g');
  const text = renderExposition([
    { type: 'gauge', name: 'x_info', help: 'help with \\ and\nnewline', samples: [{ labels: { v: nasty, w: '' }, value: 1 }] },
  ]);
  const f = parseExposition(text).get('x_info')!;
  t.equal(f.help, 'help with \\ and\nnewline');
  t.strictSame(f.samples[0]!.labels, { v: nasty, w: '' });
  t.throws(() => renderExposition([{ type: 'gauge', name: 'bad-name', help: 'x', samples: [{ value: 1 }] }]));
  t.throws(() => renderExposition([{ type: 'gauge', name: 'a', help: 'x', samples: [{ labels: { '0l': 'x' }, value: 1 }] }]));
});

t.test('podlink metrics: datapath config, features, histograms, errors — strictly valid', async (t) => {
  const s = emptyState();
  applyCall(s, { command: 'ADD', durationMs: 12 });
  applyCall(s, { command: 'ADD', durationMs: 3, code: 102 });
  applyCall(s, { command: 'ADD', durationMs: 40_000, code: 999 });
  applyCall(s, { command: 'del', durationMs: 2 });
  applyCall(s, { command: 'GC', durationMs: 1, code: 'garbage' });
  t.notOk(applyCall(s, { command: 'VERSION', durationMs: 1 }), 'VERSION is not recorded');
  const text = renderMetrics(s, {
    mode: { configured: 'auto', operational: 'veth', features: { netkit: false, tcx: true } },
    endpoints: 2,
  });
  const fams = parseExposition(text);
  t.strictSame(fams.get('podlink_datapath_config')!.samples, [
    { name: 'podlink_datapath_config', labels: { configured_mode: 'auto', operational_mode: 'veth' }, value: 1 },
  ]);
  t.equal(fams.get('podlink_datapath_config')!.type, 'gauge');
  t.strictSame(
    fams.get('podlink_kernel_feature')!.samples.map((x) => [x.labels.feature, x.value]),
    [
      ['netkit', 0],
      ['tcx', 1],
    ],
  );
  t.equal(fams.get('podlink_endpoints')!.samples[0]!.value, 2);
  const h = fams.get('podlink_cni_duration_seconds')!;
  t.equal(h.type, 'histogram');
  const count = (cmd: string) => h.samples.find((x) => x.name.endsWith('_count') && x.labels.command === cmd)?.value;
  t.equal(count('ADD'), 3);
  t.equal(count('DEL'), 1, 'command names are upper-cased');
  t.equal(count('CHECK'), 0, 'ADD, DEL and CHECK are always there');
  t.equal(count('GC'), 1, 'others appear once used');
  t.equal(count('STATUS'), undefined);
  const inf = h.samples.find((x) => x.labels.command === 'ADD' && x.labels.le === '+Inf')!;
  t.equal(inf.value, 3);
  const le30 = h.samples.find((x) => x.labels.command === 'ADD' && x.labels.le === '30')!;
  t.equal(le30.value, 2, 'the 40 s call is only in +Inf');
  const sum = h.samples.find((x) => x.name.endsWith('_sum') && x.labels.command === 'ADD')!;
  t.ok(Math.abs(sum.value - 40.015) < 1e-9);
  t.strictSame(
    fams.get('podlink_cni_errors_total')!.samples.map((x) => x.labels),
    [
      { command: 'ADD', code: '102' },
      { command: 'ADD', code: '999' },
      { command: 'GC', code: 'other' },
    ],
  );
  // Without a mode file the gauge is simply absent, and the output is still valid.
  const bare = parseExposition(renderMetrics(emptyState(), {}));
  t.notOk(bare.has('podlink_datapath_config'));
  t.notOk(bare.has('podlink_cni_errors_total'));
  t.ok(bare.has('podlink_cni_duration_seconds'));
});

t.test('collectNodeView counts endpoint records and reads the mode file', async (t) => {
  const dir = t.testdir({ state: { endpoints: { 'c1:eth0.cbor': '', 'c2:eth0.cbor': '', '.c3:eth0.cbor.123.tmp': '' } } });
  const v = collectNodeView({ modeFile: modeFile(dir, 'netkit', 'netkit'), stateDir: path.join(dir, 'state') });
  t.equal(v.endpoints, 2);
  t.match(v.mode, { configured: 'netkit', operational: 'netkit' });
  fs.writeFileSync(path.join(dir, 'mode.json'), '{"v":1}');
  t.equal(
    collectNodeView({ modeFile: path.join(dir, 'mode.json'), stateDir: path.join(dir, 'nope') }).mode,
    undefined,
    'an invalid mode file drops the gauge',
  );
  t.equal(collectNodeView({ modeFile: path.join(dir, 'mode.json'), stateDir: path.join(dir, 'nope') }).endpoints, 0);
});

t.test('recordCall aggregates in the state file and refreshes an existing textfile', async (t) => {
  const dir = t.testdir({ tf: {} });
  const stateFile = path.join(dir, 'run', 'metrics.json');
  const tfDir = path.join(dir, 'tf');
  const opts = { stateFile, textfileDir: tfDir, modeFile: modeFile(dir), stateDir: path.join(dir, 'state') };
  t.ok(recordCall({ command: 'ADD', durationMs: 5 }, opts));
  t.notOk(fs.existsSync(textfilePath(tfDir)), 'no podlink.prom is created by a CNI call');
  writeTextfile(tfDir, '');
  t.ok(recordCall({ command: 'DEL', durationMs: 7, code: 7 }, opts));
  t.notOk(recordCall({ command: 'VERSION', durationMs: 1 }, opts));
  const s = readState(stateFile)!;
  t.equal(s.commands.ADD!.duration.count, 1);
  t.strictSame(s.commands.DEL!.errors, { 7: 1 });
  const fams = parseExposition(fs.readFileSync(textfilePath(tfDir), 'utf8'));
  t.equal(fams.get('podlink_datapath_config')!.samples[0]!.labels.operational_mode, 'veth');
  t.equal(fams.get('podlink_endpoints')!.samples[0]!.value, 0);
  t.same(fs.readdirSync(tfDir), ['podlink.prom'], 'no temp files left behind');
  t.same(fs.readdirSync(path.dirname(stateFile)).sort(), ['metrics.json', 'metrics.json.calls'], 'no lock or temp files left behind');
});

t.test('recordCall never throws and never waits: a call that cannot fold leaves its sample in the journal', async (t) => {
  const dir = t.testdir({ 'not-a-dir': 'x', tf: {} });
  t.notOk(
    recordCall({ command: 'ADD', durationMs: 1 }, { stateFile: path.join(dir, 'not-a-dir', 'm.json') }),
    'unwritable state: false, no throw',
  );
  const stateFile = path.join(dir, 'm.json');
  fs.writeFileSync(stateFile, '{corrupt');
  t.ok(recordCall({ command: 'ADD', durationMs: 1 }, { stateFile, textfileDir: null }), 'a corrupt state starts over');
  t.equal(readState(stateFile)!.commands.ADD!.duration.count, 1);
  // A live holder of the lock: a call that would fold (it refreshes the textfile) gives up after
  // lockTimeoutMs, and its sample waits in the journal for the next fold.
  const tfDir = path.join(dir, 'tf');
  writeTextfile(tfDir, '');
  fs.writeFileSync(`${stateFile}.lock`, String(process.pid));
  const t0 = Date.now();
  t.ok(recordCall({ command: 'ADD', durationMs: 1 }, { stateFile, textfileDir: tfDir, lockTimeoutMs: 100 }));
  t.ok(Date.now() - t0 < 1000, 'bounded wait');
  t.equal(fs.readFileSync(textfilePath(tfDir), 'utf8'), '', 'no refresh without the lock');
  fs.rmSync(`${stateFile}.lock`);
  t.equal(readState(stateFile)!.commands.ADD!.duration.count, 2, 'counted all the same');
  t.ok(recordCall({ command: 'DEL', durationMs: 1 }, { stateFile, textfileDir: tfDir }));
  t.match(
    fs.readFileSync(textfilePath(tfDir), 'utf8'),
    /podlink_cni_duration_seconds_count\{command="ADD"\} 2/,
    'the next fold refreshes with both',
  );
  t.notOk(recordCall(undefined as never, { stateFile }), 'garbage input: false');
  t.notOk(recordCall({ command: 'VERSION', durationMs: 1 }, { stateFile }), 'an unrecorded command: false');
});

t.test('the journal: folded into the state past FOLD_BYTES and replaced, nothing counted twice or lost', async (t) => {
  const dir = t.testdir();
  const stateFile = path.join(dir, 'metrics.json');
  const opts = { stateFile, textfileDir: null };
  let calls = 0;
  let recorded = 0;
  for (; !fs.existsSync(stateFile); calls++) {
    if (recordCall({ command: calls % 3 ? 'ADD' : 'CHECK', durationMs: calls, code: calls % 5 === 0 ? 7 : undefined }, opts)) recorded++;
  }
  t.equal(recorded, calls);
  const journal = `${stateFile}.calls`;
  t.equal(fs.statSync(journal).size, 0, `the call that passed ${FOLD_BYTES} bytes folded and emptied the journal (${calls} calls)`);
  for (let i = 0; i < 10; i++, calls++) recordCall({ command: 'ADD', durationMs: 1 }, opts);
  const s = readState(stateFile)!;
  const count = (s.commands.ADD?.duration.count ?? 0) + (s.commands.CHECK?.duration.count ?? 0);
  t.equal(count, calls, 'the state file plus the journal: every call once');
  t.equal(s.commands.CHECK!.errors['7'], Math.floor((calls - 10 - 1) / 15) + 1, 'error codes survive the journal');
  t.same(fs.readdirSync(dir).sort(), ['metrics.json', 'metrics.json.calls'], 'no temp files');
  fs.appendFileSync(journal, 'ADD 1'); // a write in flight: not a whole line yet
  t.equal(readState(stateFile)!.commands.ADD!.duration.count, s.commands.ADD!.duration.count, 'a partial line waits');
});

t.test('recordCall is cheap', async (t) => {
  const dir = t.testdir({ tf: {} });
  // As on a node: the state under /run (tmpfs), the textfile on disk.
  const run = fs.existsSync('/dev/shm') ? fs.mkdtempSync('/dev/shm/podlink-metrics-test-') : dir;
  t.teardown(() => {
    if (run !== dir) fs.rmSync(run, { recursive: true, force: true });
  });
  const opts = { stateFile: path.join(run, 'metrics.json'), textfileDir: path.join(dir, 'tf'), modeFile: modeFile(dir), stateDir: dir };
  writeTextfile(opts.textfileDir, '');
  recordCall({ command: 'ADD', durationMs: 1 }, opts);
  // Best of several batches: the cost of the call itself, not of whatever else the machine runs.
  const batches: number[] = [];
  let i = 0;
  for (let b = 0; b < 5; b++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < 40; k++, i++)
      recordCall({ command: i % 2 ? 'ADD' : 'DEL', durationMs: i, code: i % 7 === 0 ? 102 : undefined }, opts);
    batches.push(Number(process.hrtime.bigint() - t0) / 1e6 / 40);
  }
  const perCallMs = Math.min(...batches);
  t.comment(`recordCall with textfile refresh: ${batches.map((b) => b.toFixed(3)).join(', ')} ms per call (batches)`);
  t.ok(perCallMs < 5, `a few ms at most: ${perCallMs.toFixed(3)} ms per call`);
  t.equal(readState(opts.stateFile)!.commands.ADD!.duration.count, 101);
});

t.test('concurrent processes: no sample is lost', async (t) => {
  const dir = t.testdir();
  const stateFile = path.join(dir, 'metrics.json');
  const procs = 4;
  const each = 40;
  const script = `import { recordCall } from ${JSON.stringify(path.join(here, 'index.ts'))};
const opts = { stateFile: ${JSON.stringify(stateFile)}, textfileDir: null, lockTimeoutMs: 10000 };
let ok = 0;
for (let i = 0; i < ${each}; i++) if (recordCall({ command: 'ADD', durationMs: 1 }, opts)) ok++;
process.stdout.write(String(ok));`;
  const file = path.join(dir, 'worker.ts');
  fs.writeFileSync(file, script);
  const results = await Promise.all(
    Array.from(
      { length: procs },
      () =>
        new Promise<string>((resolve, reject) => {
          const c = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          c.stdout.on('data', (d: Buffer) => (out += d.toString()));
          c.on('error', reject);
          c.on('exit', () => resolve(out));
        }),
    ),
  );
  t.strictSame(results, Array(procs).fill(String(each)));
  t.equal(readState(stateFile)!.commands.ADD!.duration.count, procs * each);
});
