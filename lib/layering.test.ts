// The layering, read from the sources: each lib module imports only the modules its index.ts "May import:"
// line names, lib/ never imports cmd/ or conformance/, no file reaches itself through its imports, and every
// export of lib/ and cmd/ is used somewhere.
import t from 'tap';
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules' && name !== 'generated') yield* sources(p);
    } else if (/\.(ts|mjs)$/.test(name)) yield p;
  }
}

const isProduct = (file: string) => !file.endsWith('.test.ts') && !file.split(sep).includes('testdata');

/** Static, type-only and dynamic import specifiers, as written. */
export function specifiersOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** The file a relative specifier names ('./x.js' is './x.ts' in the sources); bare specifiers stay as written. */
function resolveSpecifier(from: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  const p = resolve(dirname(from), spec);
  const ts = p.replace(/\.js$/, '.ts');
  return ts !== p && existsSync(ts) ? ts : p;
}

/** The lib modules named on the "May import:" line of an index.ts header (the leading comment), or undefined. */
export function mayImport(indexText: string): Set<string> | undefined {
  const header = indexText.split('\n').filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('//')));
  const m = /May import:(.*?)(?:\.(?:\s|$)|$)/.exec(header.map((l) => l.replace(/^\/\/\s?/, '')).join(' '));
  return m ? new Set([...m[1]!.matchAll(/\blib\/([\w-]+)/g)].map((x) => x[1]!)) : undefined;
}

/** What a lib file imports that its module's line does not allow: other modules, cmd/, conformance/, dev packages. */
export function layeringProblems(lib: string, file: string, targets: string[], allowed: Set<string>, packages: Set<string>): string[] {
  const [mod] = relative(lib, file).split(sep);
  const problems: string[] = [];
  for (const target of targets) {
    if (!target.startsWith('/')) {
      const pkg = target.startsWith('@') ? target.split('/').slice(0, 2).join('/') : target.split('/')[0]!;
      if (!target.startsWith('node:') && !packages.has(pkg)) problems.push(`${target} (not node: nor a dependency)`);
      continue;
    }
    const rel = relative(lib, target);
    if (rel.startsWith('..')) problems.push(`${relative(dirname(lib), target)} (outside lib/)`);
    else if (rel.includes(sep) && rel.split(sep)[0] !== mod && !allowed.has(rel.split(sep)[0]!)) problems.push(`lib/${rel}`);
  }
  return problems.map((p) => `${relative(dirname(lib), file)} imports ${p}`);
}

/** Every cycle's member list (strongly connected components with more than one file, or a self-import). */
export function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc = stack.splice(stack.indexOf(v));
    if (scc.length > 1 || graph.get(v)!.includes(v)) out.push(scc.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

const DECLARATION = /^export\s+(?:async\s+)?(?:function\*?|const|let|(?:abstract\s+)?class|interface|type|enum)\s+([\w$]+)/gm;

/** Exports of `checked` files whose name appears nowhere else in `texts` (re-export lines and comments do not count). */
export function unusedExports(texts: Map<string, string>, checked: string[]): string[] {
  const uses = new Map<string, number>();
  for (const text of texts.values()) {
    const code = text.replace(/^export\s*(?:\*|\{[^}]*\})\s*from\s*['"][^'"]+['"];?/gm, '').replace(/^\s*(?:\/\/|\/?\*).*$/gm, '');
    for (const [w] of code.matchAll(/[\w$]+/g)) uses.set(w, (uses.get(w) ?? 0) + 1);
  }
  return checked.flatMap((file) =>
    [...texts.get(file)!.matchAll(DECLARATION)].filter((m) => (uses.get(m[1]!) ?? 0) <= 1).map((m) => `${file}: ${m[1]}`),
  );
}

t.test('the checks themselves', async (t) => {
  t.strictSame(
    specifiersOf(
      "import a from './a.js';\nimport type { B } from '../b/index.js';\nexport * from './c.js';\n" +
        "const d = await import('./d.js');\nimport {\n  e,\n} from 'node:fs';",
    ),
    ['./a.js', '../b/index.js', './c.js', './d.js', 'node:fs'],
  );
  t.strictSame(
    mayImport('// lib/x: things.\n// May import: lib/a, lib/b (types only),\n// lib/c. Never lib/d.\nimport z;\n'),
    new Set(['a', 'b', 'c']),
  );
  t.strictSame(mayImport('// lib/x: May import: node builtins only.\n'), new Set());
  t.equal(mayImport('// lib/x: things.\n'), undefined);
  const lib = '/r/lib';
  t.strictSame(
    layeringProblems(
      lib,
      '/r/lib/x/f.ts',
      [
        '/r/lib/x/g.ts',
        '/r/lib/a/index.ts',
        '/r/lib/b/h.ts',
        '/r/cmd/m.ts',
        '/r/conformance/s.ts',
        'node:fs',
        'cbor-x',
        '@scope/p/deep',
        'tap',
      ],
      new Set(['a']),
      new Set(['cbor-x', '@scope/p']),
    ),
    [
      'lib/x/f.ts imports lib/b/h.ts',
      'lib/x/f.ts imports cmd/m.ts (outside lib/)',
      'lib/x/f.ts imports conformance/s.ts (outside lib/)',
      'lib/x/f.ts imports tap (not node: nor a dependency)',
    ],
  );
  const g = new Map([
    ['a', ['b']],
    ['b', ['c', 'x']],
    ['c', ['a']],
    ['d', ['d']],
    ['e', ['a']],
  ]);
  t.strictSame(cycles(g), [['a', 'b', 'c'], ['d']]);
  t.strictSame(
    cycles(
      new Map([
        ['a', ['b']],
        ['b', []],
      ]),
    ),
    [],
  );
  const texts = new Map([
    ['f.ts', 'export function used() {}\nexport const unused = 1;\nexport interface Shape {}\nexport function own() {}\nown();\n'],
    ['g.ts', "import { used, type Shape } from './f.js';\n// unused\nexport { unused } from './f.js';\n"],
  ]);
  t.strictSame(unusedExports(texts, ['f.ts']), ['f.ts: unused']);
});

const libDir = join(ROOT, 'lib');
const modules = readdirSync(libDir).filter((m) => statSync(join(libDir, m)).isDirectory());
const libFiles = [...sources(libDir)];
const importsOf = new Map(libFiles.map((f) => [f, specifiersOf(readFileSync(f, 'utf8')).map((s) => resolveSpecifier(f, s))]));

t.test('every lib module imports only what its "May import:" line names', async (t) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const packages = new Set(Object.keys(pkg.dependencies));
  t.ok(modules.length >= 14, `found the modules (${modules.join(' ')})`);
  for (const mod of modules) {
    const allowed = mayImport(readFileSync(join(libDir, mod, 'index.ts'), 'utf8'));
    if (!allowed) {
      t.fail(`lib/${mod}/index.ts has no "May import:" line in its header`);
      continue;
    }
    for (const name of allowed) t.ok(modules.includes(name), `lib/${mod} may import lib/${name}, which exists`);
    const files = libFiles.filter((f) => relative(libDir, f).startsWith(`${mod}${sep}`) && isProduct(f));
    const problems = files.flatMap((f) => layeringProblems(libDir, f, importsOf.get(f)!, allowed, packages));
    t.strictSame(problems, [], `lib/${mod} (${files.length} files) keeps to: ${[...allowed].join(', ') || 'no other lib module'}`);
  }
});

t.test('no import cycle among the files of lib/ and cmd/', async (t) => {
  const cmdFiles = [...sources(join(ROOT, 'cmd'))];
  const graph = new Map(importsOf);
  for (const f of cmdFiles)
    graph.set(
      f,
      specifiersOf(readFileSync(f, 'utf8')).map((s) => resolveSpecifier(f, s)),
    );
  t.ok(graph.size > 150, `walked ${graph.size} files`);
  t.strictSame(
    cycles(graph).map((c) => c.map((f) => relative(ROOT, f)).join(' ↔ ')),
    [],
  );
});

t.test('every export of lib/ and cmd/ has a user', async (t) => {
  const all = [...libFiles, ...sources(join(ROOT, 'cmd')), ...sources(join(ROOT, 'conformance')), join(ROOT, 'build.mjs')];
  const texts = new Map(all.map((f) => [relative(ROOT, f), readFileSync(f, 'utf8')]));
  const checked = [...texts.keys()].filter((f) => /^(lib|cmd)\//.test(f) && isProduct(f));
  t.strictSame(unusedExports(texts, checked), []);
});
