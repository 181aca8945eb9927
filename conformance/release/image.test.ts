// release/image.mjs: the OCI image archive is reproducible, holds exactly what the executable needs,
// is named as `podlink manifest` expects, and is read, imported and run by real tools (skopeo, containerd).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { DEFAULT_IMAGE } from '../../lib/manifest/daemonset.js';
import { archOf, IMAGE_REPOSITORY, parseLoaderList, sourceInfo } from '../../release/image.mjs';
import { tarArchive } from '../../release/tar.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'release/image.mjs');
const EXE = path.join(ROOT, 'dist/podlink');
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
const skip = !fs.existsSync(EXE) && 'dist/podlink not built (node build.mjs)';
const CHROOT = fs.existsSync('/usr/sbin/chroot') ? '/usr/sbin/chroot' : '/usr/bin/chroot';
const isRoot = process.getuid?.() === 0;
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const sh = (cmd: string, args: string[], opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', ...opts });

function tmp(t: Test, tag: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `podlink-image-${tag}-${process.pid}-`));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

function buildInto(dir: string, env: NodeJS.ProcessEnv = process.env) {
  const r = sh(process.execPath, [SCRIPT, '--out-dir', dir], { env });
  if (r.status !== 0) throw new Error(`image.mjs failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { file: string; ref: string; digest: string; archiveSize: number; exeSize: number };
}

t.test('the ldd / ld.so --list parser', async (t) => {
  const ldd = `\tlinux-vdso.so.1 (0x00007ffd)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n\t/lib64/ld-linux-x86-64.so.2 (0x00007f)\n`;
  t.strictSame(parseLoaderList(ldd), ['/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2']);
  const underQemu = '\t (0x0000000000400000)\n\tlibc.so.6 => /lib/libc.so.6 (0x55)\n\t/lib/ld-linux-aarch64.so.1 => /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 (0x55)\n';
  t.strictSame(parseLoaderList(underQemu), ['/lib/libc.so.6', '/lib/ld-linux-aarch64.so.1'], 'the loader by its guest path');
  t.throws(() => parseLoaderList('\tlibfoo.so.1 => not found\n'), /shared library not found: libfoo/);
  t.throws(() => parseLoaderList('something else\n'), /unexpected loader output/);
});

t.test('tar: sorted, parents added, fixed owner and time; bad input refused', async (t) => {
  const a = tarArchive([{ path: 'b/x', data: Buffer.from('1') }, { path: 'a', data: Buffer.from('22') }], 1234);
  const b = tarArchive([{ path: 'a', data: Buffer.from('22') }, { path: 'b/x', data: Buffer.from('1') }], 1234);
  t.ok(a.equals(b), 'entry order does not matter');
  const d = tmp(t, 'tar');
  fs.writeFileSync(path.join(d, 't.tar'), a);
  t.equal(sh('tar', ['--numeric-owner', '--full-time', '-tvf', path.join(d, 't.tar')]).stdout.replace(/ +/g, ' '),
    '-rw-r--r-- 0/0 2 1970-01-01 00:20:34 a\ndrwxr-xr-x 0/0 0 1970-01-01 00:20:34 b/\n-rw-r--r-- 0/0 1 1970-01-01 00:20:34 b/x\n');
  const long = `${'d'.repeat(90)}/${'f'.repeat(60)}`;
  fs.writeFileSync(path.join(d, 'l.tar'), tarArchive([{ path: long, data: Buffer.from('x') }], 0));
  t.match(sh('tar', ['-tf', path.join(d, 'l.tar')]).stdout, `${long}\n`, 'a path over 100 bytes goes through the ustar prefix');
  t.throws(() => tarArchive([{ path: 'a', data: Buffer.alloc(0) }, { path: 'a', data: Buffer.alloc(0) }], 0), /duplicate path a/);
  t.throws(() => tarArchive([{ path: 'a', data: Buffer.alloc(0) }, { path: 'a/b', data: Buffer.alloc(0) }], 0), /a is both a file and a directory/);
  t.throws(() => tarArchive([{ path: '/etc/x', data: Buffer.alloc(0) }], 0), /bad path/);
  t.throws(() => tarArchive([{ path: '../x', data: Buffer.alloc(0) }], 0), /bad path/);
  t.throws(() => tarArchive([{ path: 'x' }], 0), /x has no data/);
  t.throws(() => tarArchive([{ path: 'f'.repeat(101), data: Buffer.alloc(0) }], 0), /too long/);
});

t.test('the image is named as `podlink manifest` defaults; arch and time inputs are checked', async (t) => {
  t.equal(IMAGE_REPOSITORY, DEFAULT_IMAGE);
  t.equal(archOf('amd64'), 'x64');
  t.equal(archOf('arm64'), 'arm64');
  t.throws(() => archOf('riscv64'), /unknown arch riscv64/);
  t.equal(sourceInfo({ SOURCE_DATE_EPOCH: '42' }).epoch, 42);
  t.throws(() => sourceInfo({ SOURCE_DATE_EPOCH: 'yesterday' }), /not a number/);
});

t.test('image.mjs fails clearly without an executable or with a bad arch', async (t) => {
  const d = tmp(t, 'fail');
  const missing = sh(process.execPath, [SCRIPT, '--exe', path.join(d, 'nope'), '--out-dir', d]);
  t.equal(missing.status, 1);
  t.match(missing.stderr, /nope missing: build it first/);
  const arch = sh(process.execPath, [SCRIPT, '--arch', 'mips', '--out-dir', d]);
  t.equal(arch.status, 1);
  t.match(arch.stderr, /unknown arch mips/);
  fs.writeFileSync(path.join(d, 'script'), '#!/bin/sh\n', { mode: 0o755 });
  const notElf = sh(process.execPath, [SCRIPT, '--exe', path.join(d, 'script'), '--out-dir', d]);
  t.equal(notElf.status, 1, 'an executable that is not a dynamic ELF is refused');
  t.strictSame(fs.readdirSync(d).filter((f) => f.endsWith('.tar')), [], 'no archive written');
});

t.test('two builds give the same bytes and digest; size, labels and contents', { skip }, async (t) => {
  const [a, b] = [buildInto(tmp(t, 'a')), buildInto(tmp(t, 'b'))];
  t.equal(a.digest, b.digest, `same digest ${a.digest}`);
  t.ok(fs.readFileSync(a.file).equals(fs.readFileSync(b.file)), 'byte-identical archives');
  t.equal(path.basename(a.file), `podlink-${VERSION}-amd64.oci.tar`);
  t.equal(a.ref, `${DEFAULT_IMAGE}:${VERSION}`);
  t.ok(a.archiveSize <= 1.15 * a.exeSize, `archive ${a.archiveSize} B = ${(a.archiveSize / a.exeSize).toFixed(3)}× the executable`);

  const other = buildInto(tmp(t, 'epoch'), { ...process.env, SOURCE_DATE_EPOCH: '1' });
  t.not(other.digest, a.digest, 'the digest does depend on the recorded time (it is not a constant)');

  const index = JSON.parse(sh('tar', ['-xOf', a.file, 'index.json']).stdout);
  t.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], a.ref);
  t.equal(index.manifests[0].digest, a.digest);

  const { revision, epoch } = sourceInfo();
  if (has('skopeo')) {
    const r = sh('skopeo', ['inspect', `oci-archive:${a.file}`]);
    t.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    t.equal(info.Digest, a.digest, 'skopeo computes the same manifest digest');
    t.equal(info.Architecture, 'amd64');
    t.match(info.Labels, {
      'org.opencontainers.image.revision': sh('git', ['rev-parse', 'HEAD'], { cwd: ROOT }).stdout.trim(),
      'org.opencontainers.image.version': VERSION,
      'org.opencontainers.image.source': /^https:\/\//,
    });
    t.equal(revision.length, 40);
  } else t.fail('skopeo missing (conformance/setup.sh installs it)');

  const d = tmp(t, 'layer');
  t.equal(sh('tar', ['-xf', a.file, '-C', d]).status, 0);
  const manifest = JSON.parse(fs.readFileSync(path.join(d, 'blobs/sha256', a.digest.slice(7)), 'utf8'));
  const layer = path.join(d, 'blobs/sha256', manifest.layers[0].digest.slice(7));
  const list = sh('tar', ['--numeric-owner', '--full-time', '-tvzf', layer], { env: { TZ: 'UTC' } }).stdout.trim().split('\n');
  const stamp = new Date(epoch * 1000).toISOString().replace('T', ' ').slice(0, 19);
  t.ok(list.every((l) => l.includes(' 0/0 ') && l.includes(stamp)), `every entry is 0/0 at ${stamp}`);
  const files = list.filter((l) => l.startsWith('-')).map((l) => l.split(' ').pop());
  const ldd = parseLoaderList(sh('ldd', [EXE]).stdout).map((p) => p.slice(1));
  t.strictSame(files.sort(), ['etc/group', 'etc/passwd', 'etc/ssl/certs/ca-certificates.crt', ...ldd, 'usr/local/bin/podlink'].sort(),
    'the executable, exactly the libraries ldd lists, the CA bundle, passwd and group');
  t.equal(fs.statSync(layer).size, manifest.layers[0].size);

  if (!isRoot) return t.comment('running the unpacked image needs root (chroot)');
  const rootfs = path.join(d, 'rootfs');
  fs.mkdirSync(rootfs);
  t.equal(sh('tar', ['-xzf', layer, '-C', rootfs]).status, 0);
  t.equal(sh(CHROOT, [rootfs, '/usr/local/bin/podlink', '--version'], { env: {} }).stdout, `podlink ${VERSION}\n`, 'runs with only the image');
  t.match(sh(CHROOT, [rootfs, '/usr/local/bin/podlink', 'manifest'], { env: {} }).stdout, `image: ${a.ref}\n`, 'its manifest names this image');
});

t.test('containerd imports the archive under the manifest\'s image name and runs it', { skip: skip || (!isRoot && 'containerd needs root') }, async (t) => {
  if (!has('containerd') || !has('ctr')) return t.fail('containerd missing (conformance/setup.sh installs it)');
  const out = tmp(t, 'ctd');
  const img = buildInto(out);
  const d = path.join(out, 'containerd');
  const sock = path.join(d, 'sock');
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, 'config.toml'),
    `version = 2\nroot = "${d}/root"\nstate = "${d}/state"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "${sock}"\n`);
  const daemon = spawn('containerd', ['--config', path.join(d, 'config.toml')], { stdio: ['ignore', 'ignore', fs.openSync(path.join(d, 'log'), 'w')] });
  const exited = new Promise((resolve) => daemon.once('exit', resolve));
  t.teardown(async () => {
    daemon.kill('SIGTERM');
    await exited;
  });
  for (let i = 0; i < 100 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
  const ctr = (...args: string[]) => sh('ctr', ['-a', sock, '-n', 'k8s.io', ...args]);
  const imp = ctr('images', 'import', img.file);
  t.equal(imp.status, 0, imp.stderr);
  t.equal(ctr('images', 'ls', '-q').stdout, `${img.ref}\n`, 'named by the archive');
  const run = ctr('run', '--rm', img.ref, `podlink-image-${process.pid}`, '/usr/local/bin/podlink', '--version');
  t.equal(run.stdout, `podlink ${VERSION}\n`, run.stderr);
});
