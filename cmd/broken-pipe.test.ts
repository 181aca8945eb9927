// `podlink … | head`: a reader that goes away ends the CLI quietly (exit 141, as a shell reports a
// program killed by SIGPIPE), never with a stack trace; the CNI paths keep the call's own exit code.
// Runs the tsx entry (the source under test) with a stdout pipe whose reading end closes early.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = ['--import', 'tsx', path.join(ROOT, 'cmd/podlink.ts')];
const BROKEN_PIPE = 141;
const STACK = /\n\s+at |EPIPE|Error\b/;

interface Ended {
  status: number | null;
  stderr: string;
  /** stdout bytes read before the reading end was closed. */
  read: number;
}

/**
 * Runs podlink with stdout into a pipe whose reading end closes after `keep` bytes (0: before the
 * child's first write, as `| true` does; more: after some output, as `| head` does).
 */
function closeEarly(args: string[], o: { env?: Record<string, string>; input?: string; keep?: number } = {}): Promise<Ended> {
  const child = spawn(process.execPath, [...ENTRY, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...o.env } });
  let read = 0;
  let stderr = '';
  const keep = o.keep ?? 0;
  if (keep === 0) child.stdout.destroy();
  else {
    child.stdout.on('data', (b: Buffer) => {
      read += b.length;
      if (read >= keep) child.stdout.destroy();
    });
  }
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdin.end(o.input ?? '');
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stderr, read })));
}

const subcommands = (() => {
  const help = spawnSync(process.execPath, [...ENTRY, '--help'], { cwd: ROOT, encoding: 'utf8' }).stdout;
  const block = help.slice(help.indexOf('Commands:')).split('\n\n')[0]!;
  return [...block.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
})();

t.test('the subcommands are found', async (t) => {
  t.ok(subcommands.includes('install') && subcommands.includes('logs') && subcommands.length >= 7, subcommands.join(' '));
});

for (const args of [['--help'], ['--version'], ...subcommands.map((c) => [c, '--help'])]) {
  t.test(`podlink ${args.join(' ')} | (closed): exit ${BROKEN_PIPE}, no stack`, async (t) => {
    const r = await closeEarly(args);
    t.notMatch(r.stderr, STACK);
    t.equal(r.status, BROKEN_PIPE);
  });
}

t.test('a long output cut short, as by `| head`: podlink logs, and podlink logs --follow ends too', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'podlink.log');
  const event = (i: number) =>
    JSON.stringify({
      ts: '2026-01-02T03:04:05.678Z',
      id: `e${i}`,
      level: 'info',
      event: 'cni',
      command: 'ADD',
      containerID: `c${i}`.padEnd(64, '0'),
      ifname: 'eth0',
      durationMs: 12.3,
      outcome: 'ok',
    });
  fs.writeFileSync(file, `${Array.from({ length: 20_000 }, (_, i) => event(i)).join('\n')}\n`); // ~1.5 MB of output
  for (const args of [
    ['logs', '--file', file],
    ['logs', '--follow', '--file', file],
  ]) {
    const r = await closeEarly(args, { keep: 4096 });
    t.ok(r.read >= 4096, `${args.join(' ')}: the reader saw output first`);
    t.notMatch(r.stderr, STACK, args.join(' '));
    t.equal(r.status, BROKEN_PIPE, args.join(' '));
  }
});

t.test('the CNI paths: a closed stdout changes neither the exit code nor stderr', async (t) => {
  const log = path.join(t.testdir(), 'podlink.log');
  const cases = [
    { what: 'VERSION', env: { CNI_COMMAND: 'VERSION' }, input: '{"cniVersion":"0.4.0"}', args: [], status: 0 },
    // No CNI_CONTAINERID etc.: an error document (code 4) to stdout; --dry-run records no metrics.
    {
      what: 'ADD --dry-run, failing',
      env: { CNI_COMMAND: 'ADD' },
      args: ['--dry-run'],
      status: 1,
      input: JSON.stringify({ cniVersion: '1.0.0', name: 'n', type: 'podlink', logFile: log }),
    },
  ];
  for (const c of cases) {
    const r = await closeEarly(c.args, c);
    t.equal(r.status, c.status, c.what);
    t.equal(r.stderr, '', c.what);
  }
  t.match(fs.readFileSync(log, 'utf8'), /"outcome":"error","code":4/, 'the failing ADD was still logged');
});
