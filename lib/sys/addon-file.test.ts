import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { AddonSecurityError, installAddon } from './addon-file.js';

const bytes = Buffer.from('not really an ELF, but bytes to install '.repeat(500));
const sha = createHash('sha256').update(bytes).digest('hex');

t.test('installs under the content hash, with or without the hash given by the build', async (t) => {
  const dir = path.join(t.testdir({}), 'lib');
  const file = installAddon(bytes, dir);
  t.equal(path.basename(file), `podlink_sys-${sha.slice(0, 32)}.node`);
  t.ok(fs.readFileSync(file).equals(bytes));
  t.equal((fs.statSync(dir).mode & 0o777).toString(8), '700');
  t.equal(installAddon(bytes, dir, undefined, sha), file, "the build's hash names the same file");
});

t.test('a planted file under the hash name is refused, not replaced', async (t) => {
  const dir = path.join(t.testdir({}), 'lib');
  const file = installAddon(bytes, dir);
  fs.chmodSync(file, 0o700);
  fs.writeFileSync(file, Buffer.concat([bytes.subarray(0, 100), Buffer.from('evil')]));
  fs.chmodSync(file, 0o500);
  t.throws(() => installAddon(bytes, dir, undefined, sha), AddonSecurityError);
  t.throws(() => installAddon(bytes, dir), /does not match its content hash/);
});

t.test('the directory: made 0700 with its parents when missing, refused when it is not ours alone', async (t) => {
  const root = t.testdir({});
  const nested = path.join(root, 'a', 'b', 'lib');
  installAddon(bytes, nested);
  t.equal((fs.statSync(nested).mode & 0o777).toString(8), '700', 'made with its parents');
  const real = path.join(root, 'real');
  fs.mkdirSync(real, { mode: 0o700 });
  const link = path.join(root, 'link');
  fs.symlinkSync(real, link);
  t.throws(() => installAddon(bytes, link), /is not a directory \(symlink or file planted\?\)/, 'a symlink to a directory');
  const file = path.join(root, 'file');
  fs.writeFileSync(file, '');
  t.throws(() => installAddon(bytes, file), /is not a directory/, 'a file');
  const open = path.join(root, 'open');
  fs.mkdirSync(open);
  fs.chmodSync(open, 0o755);
  t.throws(() => installAddon(bytes, open), /has mode 755, expected 700/, 'a directory others may enter');
  t.throws(() => installAddon(bytes, path.join(file, 'lib')), { code: 'ENOTDIR' }, 'a path through a file: the error as it is');
});
