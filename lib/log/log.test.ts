import t from 'tap';
import { existsSync, readFileSync, readdirSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { openLog, redact, REDACTED, rotateIfNeeded } from './index.js';

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const fixedNow = () => new Date('2026-01-02T03:04:05.678Z');

t.test('JSON lines with ts, id and level; debug filtered at info', async (t) => {
  const file = join(t.testdir(), 'sub', 'dir', 'podlink.log'); // parent dirs are created
  const log = openLog({ file, level: 'info', now: fixedNow });
  log.debug('hidden');
  log.info('hello', { n: 1 });
  log.error('bad', { big: 5n, err: new Error('boom') });
  log.close();
  const got = lines(file);
  t.equal(got.length, 2);
  t.strictSame(got[0], { ts: '2026-01-02T03:04:05.678Z', id: log.id, level: 'info', msg: 'hello', n: 1 });
  t.strictSame(got[1], {
    ts: '2026-01-02T03:04:05.678Z',
    id: log.id,
    level: 'error',
    msg: 'bad',
    big: '5',
    err: { name: 'Error', message: 'boom' },
  });
  t.match(log.id, /^[0-9a-f]{16}$/);
  t.not(openLog({ file }).id, log.id, 'each call gets its own event id');
});

t.test('event() is written at any level; outcome error → level error', async (t) => {
  const file = join(t.testdir(), 'p.log');
  const log = openLog({ file, level: 'error', now: fixedNow });
  log.info('dropped');
  log.event({ command: 'ADD', containerID: 'c1', ifname: 'eth0', netns: '/run/netns/x', durationMs: 12.5, outcome: 'ok' });
  log.event({ command: 'DEL', containerID: 'c1', ifname: 'eth0', netns: '', durationMs: 1, outcome: 'error', code: 102, msg: 'x' });
  const got = lines(file);
  t.equal(got.length, 2);
  t.match(got[0], {
    ts: '2026-01-02T03:04:05.678Z',
    id: log.id,
    level: 'info',
    event: 'cni',
    command: 'ADD',
    containerID: 'c1',
    durationMs: 12.5,
    outcome: 'ok',
  });
  t.match(got[1], { level: 'error', outcome: 'error', code: 102, msg: 'x' });
});

t.test('a broken log file never throws and never touches stdout', async (t) => {
  const dir = t.testdir({ 'not-a-dir': 'file' });
  const notices: string[] = [];
  // Record stdout by hand (tap itself reports on stdout, so no assertions until it is restored).
  const realWrite = process.stdout.write;
  let stdoutWrites = 0;
  let thrown: unknown;
  process.stdout.write = (() => ++stdoutWrites > 0) as typeof process.stdout.write;
  try {
    const log = openLog({ file: join(dir, 'not-a-dir', 'podlink.log'), onError: (m) => void notices.push(m) });
    log.info('a');
    log.event({ outcome: 'ok' });
    log.error('b');
    log.close();
  } catch (e) {
    thrown = e;
  } finally {
    process.stdout.write = realWrite;
  }
  t.equal(thrown, undefined, 'nothing thrown');
  t.equal(stdoutWrites, 0, 'nothing on stdout');
  t.equal(notices.length, 1, 'one notice, then logging is off for the call');
  t.match(notices[0], /log file .* unavailable/);
});

t.test('size-based rotation keeps file.1 … file.<keep>', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'podlink.log');
  const log = openLog({ file, maxBytes: 300, keep: 3 });
  for (let i = 0; i < 60; i++) log.info('line', { i, pad: 'x'.repeat(40) });
  log.close();
  t.strictSame(readdirSync(dir).sort(), ['podlink.log', 'podlink.log.1', 'podlink.log.2', 'podlink.log.3']);
  const lineBytes = Math.max(
    ...readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.length + 1),
  );
  for (const f of readdirSync(dir)) {
    const got = lines(join(dir, f));
    t.ok(got.length > 0, `${f} holds whole JSON lines`);
    t.ok(readFileSync(join(dir, f)).length < 300 + lineBytes, `${f} exceeds maxBytes by less than one line`);
  }
  // the newest lines are in the live file, older ones in .1
  const live = lines(file).map((l) => l.i as number);
  const one = lines(`${file}.1`).map((l) => l.i as number);
  t.ok(Math.min(...live) > Math.max(...one));
  t.equal(live.at(-1), 59);
});

t.test('rotation under a held lock is skipped; a stale lock is cleared', async (t) => {
  const dir = t.testdir({ 'p.log': 'x'.repeat(100), 'p.log.lock': '' });
  const file = join(dir, 'p.log');
  t.equal(rotateIfNeeded(file, 10, 2), false, 'someone else holds the lock');
  t.notOk(existsSync(`${file}.1`));
  const old = new Date(Date.now() - 60_000);
  utimesSync(`${file}.lock`, old, old);
  t.equal(rotateIfNeeded(file, 10, 2), false, 'stale lock removed, rotation on the next call');
  t.equal(rotateIfNeeded(file, 10, 2), true);
  t.ok(existsSync(`${file}.1`));
  t.notOk(existsSync(`${file}.lock`), 'lock released');
  writeFileSync(file, 'y');
  t.equal(rotateIfNeeded(file, 10, 2), false, 'small file: nothing to do');
});

t.test('redact masks secret-looking keys at any depth without touching the input', async (t) => {
  const input = {
    name: 'n',
    ipam: { type: 'vault-ipam', password: 'p', apiKey: 'k', nested: [{ Token: 't', ok: 1 }] },
    clientSecret: { deep: true },
  };
  const copy = JSON.parse(JSON.stringify(input));
  t.strictSame(redact(input), {
    name: 'n',
    ipam: { type: 'vault-ipam', password: REDACTED, apiKey: REDACTED, nested: [{ Token: REDACTED, ok: 1 }] },
    clientSecret: REDACTED,
  });
  t.strictSame(input, copy);
});
