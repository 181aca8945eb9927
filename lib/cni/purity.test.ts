// lib/cni is a pure spec library: no import may reach kernel-facing modules.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const LIB = resolve(HERE, '..');
const ALLOWED_LIB = new Set(['cni', 'log', 'util']); // util and log: importable from anywhere (docs/architecture.md#module-map)

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'generated') yield* sources(p);
    } else if (/\.(ts|mjs)$/.test(name) && !name.endsWith('.test.ts')) yield p;
  }
}

t.test('lib/cni imports only lib/cni, lib/log, lib/util, node builtins and ajv (build script)', async (t) => {
  const files = [...sources(HERE)];
  t.ok(files.length > 10, 'found the sources');
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) {
        const target = relative(LIB, resolve(dirname(file), spec)).split('/')[0]!;
        t.ok(ALLOWED_LIB.has(target), `${relative(LIB, file)} → ${spec}`);
      } else {
        const ok = spec.startsWith('node:') || (file.endsWith('.mjs') && spec.startsWith('ajv'));
        t.ok(ok, `${relative(LIB, file)} → ${spec}`);
      }
    }
  }
});
