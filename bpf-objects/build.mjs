// bpf-objects/build.mjs: compiles the BPF C sources into the committed ELF objects (the bpf2go
// convention: sources and objects are both in git, so building podlink never needs clang).
//
//   node bpf-objects/build.mjs           rebuild objects whose bytes changed
//   node bpf-objects/build.mjs --check   fail if a committed object differs from a fresh compile
//
// Output is deterministic: sources are compiled from this directory with relative paths and
// -ffile-prefix-map, so the only inputs are the sources, the system headers and the clang version.
// May import: node builtins only (the lead's build.mjs imports buildBpfObjects).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BPF_OBJECTS_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Sources relative to BPF_OBJECTS_DIR and the object each one produces. */
export const BPF_TARGETS = [
  { src: 'podlink.bpf.c', out: 'podlink.bpf.o' },
  { src: 'testdata/loader-fixture.bpf.c', out: 'testdata/loader-fixture.bpf.o' },
];

const MULTIARCH = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

export class BpfObjectsStaleError extends Error {
  constructor(stale, clangVersion) {
    super(
      `stale BPF objects (committed bytes differ from a fresh compile with ${clangVersion}): ${stale.join(', ')}; ` +
        'run `node bpf-objects/build.mjs` and commit the result',
    );
    this.name = 'BpfObjectsStaleError';
    this.stale = stale;
  }
}

/** The clang version line, or undefined when clang cannot be run. */
export function clangVersion(clang = process.env.CLANG ?? 'clang') {
  try {
    return execFileSync(clang, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
  } catch {
    return undefined;
  }
}

export function clangArgs(src, out) {
  const multiarch = MULTIARCH[process.arch] ?? `${os.machine()}-linux-gnu`;
  return [
    '-O2', '-g', '-target', 'bpf', '-mcpu=v3',
    '-Wall', '-Wextra', '-Werror',
    `-I/usr/include/${multiarch}`,
    `-ffile-prefix-map=${BPF_OBJECTS_DIR}=.`,
    '-c', src, '-o', out,
  ];
}

function compile(clang, src, out) {
  execFileSync(clang, clangArgs(src, out), { cwd: BPF_OBJECTS_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
}

/**
 * Compile every target. With check, nothing is written and a BpfObjectsStaleError is thrown when
 * a committed object is missing or differs. Without clang: returns {skipped} and changes nothing.
 * @param {{check?: boolean, clang?: string, log?: (line: string) => void}} [opts]
 * @returns {{skipped?: string, clang?: string, written: string[], unchanged: string[]}}
 */
export function buildBpfObjects({ check = false, clang = process.env.CLANG ?? 'clang', log = () => {} } = {}) {
  const version = clangVersion(clang);
  if (!version) return { skipped: `${clang} not found; using the committed BPF objects`, written: [], unchanged: [] };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'podlink-bpf-'));
  const written = [];
  const unchanged = [];
  const stale = [];
  try {
    for (const t of BPF_TARGETS) {
      const fresh = path.join(tmp, path.basename(t.out));
      compile(clang, t.src, fresh);
      const target = path.join(BPF_OBJECTS_DIR, t.out);
      const bytes = fs.readFileSync(fresh);
      const old = fs.existsSync(target) ? fs.readFileSync(target) : undefined;
      if (old && old.equals(bytes)) {
        unchanged.push(t.out);
      } else if (check) {
        stale.push(t.out);
      } else {
        fs.writeFileSync(target, bytes);
        written.push(t.out);
        log(`bpf-objects: wrote ${t.out} (${bytes.length} bytes)`);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (stale.length > 0) throw new BpfObjectsStaleError(stale, version);
  return { clang: version, written, unchanged };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  try {
    const r = buildBpfObjects({ check, log: (l) => console.error(l) });
    if (r.skipped) console.error(`bpf-objects: skipped: ${r.skipped}`);
    else console.error(`bpf-objects: ${r.written.length} written, ${r.unchanged.length} up to date (${r.clang})`);
  } catch (e) {
    console.error(`bpf-objects: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
