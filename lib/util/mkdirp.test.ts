import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { mkdirp } from './mkdirp.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mkdirp-'));

t.test('creates every missing level with the mode, and accepts what exists', async (t) => {
  const d = tmp();
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  const deep = path.join(d, 'a/b/c');
  const umask = process.umask(0);
  try {
    mkdirp(deep, 0o710);
  } finally {
    process.umask(umask);
  }
  t.equal(fs.statSync(deep).mode & 0o777, 0o710);
  t.equal(fs.statSync(path.join(d, 'a')).mode & 0o777, 0o710, 'parents get the mode too');
  mkdirp(deep);
  mkdirp(d);
  fs.symlinkSync(deep, path.join(d, 'link'));
  mkdirp(path.join(d, 'link'));
  t.ok(fs.lstatSync(path.join(d, 'link')).isSymbolicLink(), 'a symlink to a directory is left alone');
});

t.test('a file in the way is an error, at the top or in between', async (t) => {
  const d = tmp();
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  fs.writeFileSync(path.join(d, 'f'), '');
  t.throws(() => mkdirp(path.join(d, 'f')), { code: 'EEXIST' });
  t.throws(() => mkdirp(path.join(d, 'f/g')), { code: 'ENOTDIR' });
});

t.test('ends with ENOENT where procfs refuses a directory (Node 20 recursive mkdir spins there)', async (t) => {
  const started = Date.now();
  t.throws(() => mkdirp('/proc/podlink-mkdirp-test/x'), { code: /^(ENOENT|EACCES)$/ }, 'EACCES without root');
  t.ok(Date.now() - started < 1000);
  t.notOk(fs.existsSync('/proc/podlink-mkdirp-test'));
});
