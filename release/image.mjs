// release/image.mjs: the OCI image archive dist/podlink-<version>-<arch>.oci.tar, with no Docker, no
// registry and no network. One gzip layer: the executable at /usr/local/bin/podlink, exactly the shared
// libraries it links (as the dynamic loader lists them, loader included), Debian's CA bundle for the
// agent, and a minimal /etc/passwd and /etc/group. Reproducible: every timestamp is the commit time
// (SOURCE_DATE_EPOCH if set), so one executable at one commit always gives the same digest.
// Usage: node release/image.mjs [--arch x64|arm64] [--exe FILE] [--out-dir DIR]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as zlib from 'node:zlib';
import { tarArchive } from './tar.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Must equal lib/manifest's DEFAULT_IMAGE: `podlink manifest` defaults to `${IMAGE_REPOSITORY}:${version}`. */
export const IMAGE_REPOSITORY = 'ghcr.io/podlink/podlink';
export const BINARY_PATH = 'usr/local/bin/podlink';
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Node's arch name → the executable build.mjs writes, the OCI platform, and where its libraries come from. */
export const ARCHES = {
  x64: { exe: 'dist/podlink', platform: { architecture: 'amd64', os: 'linux' }, sysroot: '/' },
  arm64: { exe: 'dist/podlink-arm64', platform: { architecture: 'arm64', os: 'linux', variant: 'v8' }, sysroot: '/usr/aarch64-linux-gnu' },
};

export function archOf(name) {
  const key = name === 'amd64' ? 'x64' : name;
  if (!Object.hasOwn(ARCHES, key)) throw new Error(`unknown arch ${name} (x64, amd64 or arm64)`);
  return key;
}

/** The absolute paths in `ldd` / `ld.so --list` output, in order; a library the loader cannot find is an error. */
export function parseLoaderList(text) {
  const out = [];
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    if (/=>\s*not found/.test(line)) throw new Error(`shared library not found: ${line}`);
    // `/lib/ld-linux-aarch64.so.1 => <host file>`: the loader run by its host path under qemu names its guest path first.
    const m = /^(\/\S+)\s+(=>|\()/.exec(line) ?? /=>\s*(\/\S+)/.exec(line);
    if (m) out.push(m[1]);
    // The vDSO has no file: `linux-vdso.so.1 (0x…)`, or no name at all under qemu-user.
    else if (!/^(linux-(vdso|gate)\.so\.\d+ )?\(0x[0-9a-f]+\)$/.test(line)) throw new Error(`unexpected loader output: ${line}`);
  }
  return out;
}

/** What the loader maps for `exe`, as { path in the image, host file }. arm64 runs the arm64 loader under qemu-aarch64. */
export function sharedLibraries(exe, arch) {
  const { sysroot } = ARCHES[arch];
  const r = arch === 'x64'
    ? spawnSync('ldd', [exe], { encoding: 'utf8' })
    : spawnSync('qemu-aarch64', ['-L', sysroot, path.join(sysroot, 'lib/ld-linux-aarch64.so.1'), '--list', exe], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`listing the shared libraries of ${exe} failed: ${r.error?.message ?? r.stderr}`);
  const libs = parseLoaderList(r.stdout);
  if (!libs.length) throw new Error(`${exe} links no shared library: not a dynamic executable of ${arch}?`);
  return libs.map((p) => {
    const file = path.join(sysroot, p);
    if (!fs.existsSync(file)) throw new Error(`${p} is not under ${sysroot}`);
    return { path: p.slice(1), file };
  });
}

function git(args) {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The revision and the time every entry carries: SOURCE_DATE_EPOCH, else the commit time, else 0. */
export function sourceInfo(env = process.env) {
  const epoch = env.SOURCE_DATE_EPOCH ?? git(['log', '-1', '--format=%ct']) ?? '0';
  if (!/^\d+$/.test(epoch)) throw new Error(`SOURCE_DATE_EPOCH is not a number of seconds: ${epoch}`);
  return { revision: git(['rev-parse', 'HEAD']) ?? 'unknown', epoch: Number(epoch) };
}

export function layerEntries(exe, libs, caBundle = CA_BUNDLE) {
  if (!fs.existsSync(caBundle)) throw new Error(`${caBundle} missing (apt install ca-certificates)`);
  return [
    { path: BINARY_PATH, data: fs.readFileSync(exe), mode: 0o755 },
    ...libs.map((l) => ({ path: l.path, data: fs.readFileSync(l.file), mode: 0o755 })),
    { path: 'etc/ssl/certs/ca-certificates.crt', data: fs.readFileSync(caBundle) },
    { path: 'etc/passwd', data: Buffer.from('root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n') },
    { path: 'etc/group', data: Buffer.from('root:x:0:\nnogroup:x:65534:\n') },
    { path: 'tmp', dir: true, mode: 0o1777 },
  ];
}

const sha256 = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const blob = (mediaType, data) => ({ descriptor: { mediaType, digest: sha256(data), size: data.length }, data });

/** The OCI archive's bytes and its manifest digest (what `skopeo inspect` reports and a registry stores). */
export function ociArchive({ layerTar, arch, version, revision, epoch, source }) {
  const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, 'Z');
  const ref = `${IMAGE_REPOSITORY}:${version}`;
  const labels = {
    'org.opencontainers.image.created': created,
    'org.opencontainers.image.licenses': 'Apache-2.0',
    'org.opencontainers.image.revision': revision,
    'org.opencontainers.image.source': source,
    'org.opencontainers.image.title': 'podlink',
    'org.opencontainers.image.version': version,
  };
  const { archive, digest, layerSize } = ociLayout({
    layerTar, epoch, ref, platform: ARCHES[arch].platform,
    config: { Entrypoint: [`/${BINARY_PATH}`], Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Labels: labels },
  });
  return { archive, digest, ref, layerSize };
}

/** An OCI archive of one layer: `config` is the image config's `config` (Entrypoint, Env, Labels). */
export function ociLayout({ layerTar, epoch, ref, platform, config: runConfig }) {
  const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, 'Z');
  // Fixed header (mtime 0, OS unix): the same tar always gzips to the same bytes with this Node's zlib.
  const layer = blob('application/vnd.oci.image.layer.v1.tar+gzip', zlib.gzipSync(layerTar, { level: 6 }));
  const config = blob('application/vnd.oci.image.config.v1+json', Buffer.from(JSON.stringify({
    created,
    ...platform,
    config: runConfig,
    rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
    history: [{ created, created_by: 'release/image.mjs' }],
  })));
  const manifest = blob('application/vnd.oci.image.manifest.v1+json', Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: config.descriptor,
    layers: [layer.descriptor],
    ...(runConfig.Labels ? { annotations: runConfig.Labels } : {}),
  })));
  // ref.name per the OCI layout; io.containerd.image.name is the one `ctr images import` names the image by.
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{
      ...manifest.descriptor,
      platform,
      annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': ref },
    }],
  };
  const blobs = [layer, config, manifest].map((b) => ({ path: `blobs/sha256/${b.descriptor.digest.slice(7)}`, data: b.data }));
  const archive = tarArchive([
    { path: 'oci-layout', data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    { path: 'index.json', data: Buffer.from(JSON.stringify(index)) },
    ...blobs,
  ], epoch);
  return { archive, digest: manifest.descriptor.digest, layerSize: layer.data.length };
}

export function buildImage({ arch = 'x64', exe, outDir = path.join(root, 'dist'), env = process.env } = {}) {
  arch = archOf(arch);
  exe = path.resolve(root, exe ?? ARCHES[arch].exe);
  if (!fs.existsSync(exe)) throw new Error(`${path.relative(root, exe)} missing: build it first (node build.mjs${arch === 'x64' ? '' : ` --arch ${arch}`})`);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const { revision, epoch } = sourceInfo(env);
  const layerTar = tarArchive(layerEntries(exe, sharedLibraries(exe, arch)), epoch);
  const source = (pkg.repository?.url ?? pkg.repository ?? '').replace(/^git\+/, '').replace(/\.git$/, '');
  const img = ociArchive({ layerTar, arch, version: pkg.version, revision, epoch, source });
  const file = path.join(outDir, `podlink-${pkg.version}-${ARCHES[arch].platform.architecture}.oci.tar`);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(`${file}.tmp`, img.archive);
  fs.renameSync(`${file}.tmp`, file);
  return { file, digest: img.digest, ref: img.ref, revision, layerSize: img.layerSize, archiveSize: img.archive.length, exeSize: fs.statSync(exe).size };
}

function main(argv) {
  const opt = (name) => {
    const i = argv.indexOf(name);
    if (i >= 0 && !argv[i + 1]) throw new Error(`${name} needs a value`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const r = buildImage({ arch: opt('--arch') ?? 'x64', exe: opt('--exe'), outDir: opt('--out-dir') });
  const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
  process.stderr.write(`image: ${path.relative(process.cwd(), r.file)} (${r.ref}, revision ${r.revision.slice(0, 12)})\n`);
  process.stderr.write(`image: archive ${mib(r.archiveSize)} = ${(r.archiveSize / r.exeSize).toFixed(3)}× the executable's ${mib(r.exeSize)}\n`);
  process.stdout.write(`${JSON.stringify({ file: r.file, ref: r.ref, digest: r.digest, archiveSize: r.archiveSize, exeSize: r.exeSize })}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`image: ${e.message}\n`);
    process.exit(1);
  }
}
