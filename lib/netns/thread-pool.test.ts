// A CNI call never starts libuv's thread pool (lib/netns/index.ts): the pool's threads are created by its
// first request, in whatever netns the main thread is in at that moment, and stay there. So the modules a
// CNI call runs use synchronous fs only, and no dns, zlib or async crypto. The agent and the manifest
// are long-running or CLI-only and never switch netns.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const LIB = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NOT_CNI = new Set(['agent', 'kube', 'manifest']);

/** What in `src` would queue work on libuv's thread pool: one line per finding. */
function threadPoolUses(src: string): string[] {
  const found: string[] = [];
  const patterns: [RegExp, string][] = [
    [/\bfs\.(?!constants\b|Stats\b|Dirent\b)\w+(?<!Sync)\s*\(/g, 'an fs call that is not *Sync'],
    [/\bfs\.promises\b|['"]node:fs\/promises['"]/g, 'fs promises'],
    [/['"]node:(dns|zlib)['"]/g, 'dns or zlib'],
    [/\b(randomBytes|randomFill|pbkdf2|scrypt|generateKeyPair|randomInt)\s*\([^;]*?(=>|function)/g, 'async crypto'],
  ];
  for (const [re, what] of patterns) for (const m of src.matchAll(re)) found.push(`${what}: ${m[0]}`);
  for (const m of src.matchAll(/import\s*{([^}]*)}\s*from\s*['"]node:fs['"]/g)) {
    for (const name of m[1]!.split(',').map(
      (n) =>
        n
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0]!,
    )) {
      if (name && !/Sync$|^(constants|Stats|Dirent)$/.test(name)) found.push(`an fs import that is not *Sync: ${name}`);
    }
  }
  return found;
}

function* sources(dir: string): Generator<string> {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* sources(p);
    else if (e.endsWith('.ts') && !e.endsWith('.test.ts')) yield p;
  }
}

t.test('the check finds what would start the pool', async (t) => {
  t.same(threadPoolUses("fs.readFileSync(p); fs.constants.O_RDONLY; import { statSync, constants } from 'node:fs';"), []);
  t.equal(threadPoolUses("fs.access('/', () => {})").length, 1);
  t.equal(threadPoolUses("import { readFile, writeFileSync } from 'node:fs';").length, 1);
  t.equal(threadPoolUses("import * as fsp from 'node:fs/promises'").length, 1);
  t.equal(threadPoolUses("import { lookup } from 'node:dns'").length, 1);
  t.equal(threadPoolUses('crypto.randomBytes(16, (e, b) => {})').length, 1);
});

t.test('no module a CNI call runs starts libuv’s thread pool', async (t) => {
  const modules = readdirSync(LIB).filter((m) => statSync(join(LIB, m)).isDirectory() && !NOT_CNI.has(m));
  t.ok(modules.includes('plugin') && modules.includes('netns'));
  for (const m of modules) {
    for (const f of sources(join(LIB, m))) t.same(threadPoolUses(readFileSync(f, 'utf8')), [], relative(LIB, f));
  }
});
