import t from 'tap';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readAll, readFdToEnd, writeFdAll } from './index.js';

t.test('readAll reads to EOF; a terminal reads as empty; errors reject', async (t) => {
  t.equal((await readAll(Readable.from([Buffer.from('{"a"'), Buffer.from(':1}')]))).toString(), '{"a":1}');
  t.equal((await readAll(Object.assign(Readable.from(['never read']), { isTTY: true }))).length, 0);
  const broken = new Readable({
    read() {
      this.destroy(new Error('EIO'));
    },
  });
  await t.rejects(readAll(broken), { message: 'EIO' });
});

t.test('end to end through processIO: real stdin pipe, exactly one JSON document on stdout', async (t) => {
  const index = fileURLToPath(new URL('./index.js', import.meta.url)).replace(/\.js$/, '.ts');
  const script = `import { dispatch, processIO } from ${JSON.stringify(index)};
const noop = async () => {};
const log = { id: '', level: 'error', enabled: () => false, debug() {}, info() {}, warn() {}, error() {}, event() {}, close() {} };
process.exitCode = await dispatch(processIO(), { add: noop, del: noop, check: noop, status: noop, gc: noop }, { openLog: () => log });`;
  const run = (env: Record<string, string>, input: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      input,
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    });
  const v = run({ CNI_COMMAND: 'VERSION' }, '{"cniVersion":"1.0.0"}');
  t.equal(v.status, 0);
  t.strictSame(JSON.parse(v.stdout), {
    cniVersion: '1.0.0',
    supportedVersions: ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'],
  });
  const bad = run(
    { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c', CNI_NETNS: '/run/netns/x', CNI_IFNAME: 'eth0' },
    '{"cniVersion":"0.4.0","name":"n","type":"podlink","ipam":{}}',
  );
  t.equal(bad.status, 1);
  t.strictSame(JSON.parse(bad.stdout), { cniVersion: '0.4.0', code: 7, msg: 'ipam.type is required' });
});

t.test('readFdToEnd / writeFdAll: files, /dev/null, a closed fd, more than one read buffer', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plio-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'in');
  const big = 'x'.repeat(200_000);
  fs.writeFileSync(file, big);
  const fd = fs.openSync(file, 'r');
  t.equal(readFdToEnd(fd)?.toString(), big, 'a 200 kB file in several reads');
  fs.closeSync(fd);
  t.equal(readFdToEnd(fd)?.length, 0, 'a closed fd reads as empty');
  const nul = fs.openSync('/dev/null', 'r');
  t.equal(readFdToEnd(nul)?.length, 0, 'a character device reads as empty (no waiting on a terminal)');
  fs.closeSync(nul);
  const out = fs.openSync(path.join(dir, 'out'), 'w');
  writeFdAll(out, 'héllo\n');
  fs.closeSync(out);
  t.equal(fs.readFileSync(path.join(dir, 'out'), 'utf8'), 'héllo\n');
});
