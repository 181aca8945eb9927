// The built executable's start-up: the fast paths answer without the payload, and the payload's V8
// code cache is accepted by the binary it ships in (a rejected cache works but costs start-up time).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
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
