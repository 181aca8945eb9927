import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openLog } from '../lib/log/index.js';
import { followFile, formatEvent, LogFormatter, runLogsCommand } from './logs-command.js';

const CID = '4f3a9c0d1e2b5a6978877665544332211';
const now = () => new Date('2026-01-02T03:04:05.678Z');

function call(file: string, ev: Record<string, unknown>, details: string[] = [], maxBytes?: number) {
  const log = openLog({ file, level: 'debug', now, maxBytes, keep: 3 });
  for (const d of details) log.warn(d, { step: 'x' });
  log.event({ command: 'ADD', containerID: CID, ifname: 'eth0', netns: '/run/netns/p', durationMs: 12.345, outcome: 'ok', ...ev });
  log.close();
}

t.test('one readable line per call', async (t) => {
  t.equal(
    formatEvent({ ts: '2026-01-02T03:04:05.678Z', command: 'ADD', containerID: CID, ifname: 'eth0', durationMs: 12.345, outcome: 'ok' }),
    '2026-01-02T03:04:05.678Z  ADD     4f3a9c0d1e2b  eth0    ok       12.3ms',
  );
  t.equal(
    formatEvent({
      ts: '2026-01-02T03:04:05.678Z',
      command: 'DEL',
      containerID: CID,
      ifname: 'eth0',
      durationMs: 2500,
      outcome: 'error',
      code: 102,
      msg: 'configure pod side: EINVAL',
    }),
    '2026-01-02T03:04:05.678Z  DEL     4f3a9c0d1e2b  eth0    error     2.50s  code 102: configure pod side: EINVAL',
  );
  t.match(formatEvent({ ts: 'x', command: 'VERSION', containerID: '', ifname: '', outcome: 'ok' }), /VERSION +- +- +ok +-$/);
});

t.test('filters, --all grouping under the summary, orphans and junk', async (t) => {
  const f = new LogFormatter({ all: true });
  const lines = [
    '{"ts":"t1","id":"a","level":"warn","msg":"undo failed: delete link"}',
    'not json',
    '{"ts":"t2","id":"a","level":"error","event":"cni","command":"ADD","containerID":"c1","ifname":"eth0",' +
      '"durationMs":1,"outcome":"error","code":102,"msg":"boom"}',
    '{"ts":"t3","id":"b","level":"debug","msg":"config","config":{"k":1}}',
    '',
  ];
  const out = lines.flatMap((l) => f.line(l));
  t.equal(out.length, 2);
  t.match(out[0], /ADD +c1 +eth0 +error +1\.0ms +code 102: boom/);
  t.equal(out[1], '    t1  warn   undo failed: delete link');
  t.equal(f.skipped, 1);
  t.strictSame(f.orphans(), ['(call b has no summary line: it did not finish)', '    t3  debug  config {"config":{"k":1}}']);

  const g = new LogFormatter({ container: 'c2', errors: true });
  const ev = (cid: string, outcome: string) =>
    JSON.stringify({ ts: 't', id: cid, event: 'cni', command: 'DEL', containerID: cid, ifname: 'eth0', durationMs: 1, outcome });
  t.strictSame(
    [ev('c1', 'error'), ev('c2abc', 'ok'), ev('c2abc', 'error')].flatMap((l) => g.line(l)).length,
    1,
    'prefix match and --errors',
  );
  const j = new LogFormatter({ json: true, command: 'del' });
  t.strictSame(JSON.parse(j.line(ev('c1', 'ok'))[0]!).containerID, 'c1', '--json and --command (any case)');
});

t.test('podlink logs reads the file (and the rotated ones), -n, and names the fix for a missing file', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'podlink.log');
  for (let i = 0; i < 6; i++) call(file, { containerID: `c${i}`, durationMs: i }, [], 400); // rotates every ~2 lines
  t.ok(fs.existsSync(`${file}.1`), 'the logger rotated');
  const out: string[] = [];
  const err: string[] = [];
  t.equal(
    await runLogsCommand(
      { file, rotated: true },
      (s) => out.push(s),
      (s) => err.push(s),
    ),
    0,
  );
  const lines = out.join('').trimEnd().split('\n');
  t.strictSame(
    lines.map((l) => l.split(/ +/)[2]),
    ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'],
    'oldest first, across rotated files',
  );
  const only: string[] = [];
  await runLogsCommand({ file, rotated: true, lines: 2 }, (s) => only.push(s));
  t.equal(only.join('').trimEnd().split('\n').length, 2);
  const cur: string[] = [];
  await runLogsCommand({ file }, (s) => cur.push(s));
  t.ok(cur.join('').trimEnd().split('\n').length < 6, 'without --rotated: the current file only');
  const e2: string[] = [];
  t.equal(
    await runLogsCommand(
      { file: path.join(dir, 'nope.log') },
      () => {},
      (s) => e2.push(s),
    ),
    1,
  );
  t.match(e2.join(''), /podlink logs: read the log failed: .*nope.log does not exist\n {2}fix: .*pass --file/);
});

t.test('--follow picks up new calls across rotation and truncation', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'podlink.log');
  call(file, { containerID: 'before' });
  const seen: string[] = [];
  const h = followFile(file, fs.statSync(file).size, (l) => seen.push(JSON.parse(l).containerID), 20);
  const wait = async (n: number) => {
    for (let i = 0; i < 200 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  };
  call(file, { containerID: 'a1' });
  await wait(1);
  // A partial line is held until its newline arrives.
  const partial = JSON.stringify({ ts: 't', id: 'x', event: 'cni', containerID: 'half' });
  fs.appendFileSync(file, partial.slice(0, 10));
  await new Promise((r) => setTimeout(r, 60));
  t.strictSame(seen, ['a1']);
  fs.appendFileSync(file, `${partial.slice(10)}\n`);
  await wait(2);
  // Rotation: the writer renames the file away and starts a new one; lines written to the old file
  // just before the rename are still read.
  fs.appendFileSync(file, `${JSON.stringify({ id: 'y', event: 'cni', containerID: 'late-in-old' })}\n`);
  fs.renameSync(file, `${file}.1`);
  call(file, { containerID: 'b1' });
  call(file, { containerID: 'b2' });
  await wait(5);
  // Truncation (copytruncate-style): start over at 0.
  fs.truncateSync(file, 0);
  await new Promise((r) => setTimeout(r, 60));
  call(file, { containerID: 'c1' });
  await wait(6);
  h.stop();
  await h.done;
  t.strictSame(seen, ['a1', 'half', 'late-in-old', 'b1', 'b2', 'c1']);
});

t.test('runLogsCommand --follow prints existing then new lines until stopped', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'podlink.log');
  call(file, { containerID: 'old' });
  const out: string[] = [];
  const ac = new AbortController();
  const p = runLogsCommand({ file, follow: true, pollMs: 20, signal: ac.signal }, (s) => out.push(s));
  await new Promise((r) => setTimeout(r, 50));
  call(file, { containerID: 'new', outcome: 'error', code: 7, msg: 'bad' });
  for (let i = 0; i < 100 && out.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  ac.abort();
  t.equal(await p, 0);
  t.match(out[0], /ADD +old /);
  t.match(out[1], /ADD +new .*error .*code 7: bad/);
});
