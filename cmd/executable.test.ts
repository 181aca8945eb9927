// The built executable's start-up: the fast paths answer without the payload, and the payload's V8
// code cache is accepted by the binary it ships in (a rejected cache works but costs start-up time).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '../dist/podlink');
const skip = !fs.existsSync(bin) && 'dist/podlink not built (node build.mjs)';
const run = (args: string[], env: Record<string, string> = {}, input = '') =>
  spawnSync(bin, args, { env: { PATH: '/usr/bin:/bin', PODLINK_DEBUG_STARTUP: '1', ...env }, input, encoding: 'utf8' });

t.test('--version and CNI VERSION never load the payload', { skip }, async (t) => {
  const v = run(['--version']);
  t.match(v.stdout, /^podlink \d+\.\d+\.\d+/);
  t.notMatch(v.stderr, /payload/);
  const cni = run([], { CNI_COMMAND: 'VERSION' }, '{"cniVersion":"0.4.0"}');
  t.same(JSON.parse(cni.stdout).cniVersion, '0.4.0');
  t.notMatch(cni.stderr, /payload/);
});

t.test('the CLI and CNI paths run the payload with its code cache accepted', { skip }, async (t) => {
  t.match(run(['probe', '--help']).stderr, /payload code cache accepted/);
  const cni = run([], { CNI_COMMAND: 'ADD' });
  t.match(JSON.parse(cni.stdout), { code: 4 }, 'a CNI error still comes back as JSON');
  t.match(cni.stderr, /payload code cache accepted/);
});

t.test('the payload code cache is reproducible: made again from the same bundle, the same bytes', { skip }, async (t) => {
  const { makeCodeCache } = await import('../release/code-cache.mjs');
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
  const payload = path.join(root, 'build/podlink.payload.cjs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-cache-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const nodeBin = fs.existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;
  const a = makeCodeCache(nodeBin, payload, path.join(dir, 'a'));
  const b = makeCodeCache(nodeBin, payload, path.join(dir, 'b'));
  t.ok(a.equals(b), `two caches of one bundle are equal (${a.length} and ${b.length} bytes)`);
  const built = fs.readFileSync(`${payload}.v8cache`);
  t.ok(a.equals(built), `and equal to the one the build embedded (${built.length} bytes)`);
});
