// The .ts files of lib/ and cmd/ are as prettier prints them with the repository's .prettierrc.json (what
// `npm run format:check` checks), and none has a line over 140 characters: prettier does not break strings
// or comments, so those are split by hand. Files that .gitignore or .prettierignore name (generated) are skipped.
import t from 'tap';
import * as prettier from 'prettier';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_LINE = 140;
const IGNORE_FILES = ['.gitignore', '.prettierignore'].map((f) => join(ROOT, f));

/** 1-based numbers of the lines longer than MAX_LINE. */
function overlong(text: string): number[] {
  return text.split('\n').flatMap((line, i) => (line.length > MAX_LINE ? [i + 1] : []));
}

/** Whether prettier, with the config that applies to `file`, would print `text` differently. */
async function unformatted(file: string, text: string): Promise<boolean> {
  const options = await prettier.resolveConfig(file, { editorconfig: false });
  return !(await prettier.check(text, { ...options, filepath: file }));
}

async function ignored(file: string): Promise<boolean> {
  return (await prettier.getFileInfo(file, { ignorePath: IGNORE_FILES })).ignored;
}

async function checkedFiles(): Promise<string[]> {
  const all = ['lib', 'cmd'].flatMap((dir) =>
    readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts'))
      .map((name) => join(ROOT, dir, name)),
  );
  const skip = await Promise.all(all.map(ignored));
  return all.filter((_, i) => !skip[i]);
}

t.test('the checks themselves', async (t) => {
  t.strictSame(overlong(`short\n${'x'.repeat(MAX_LINE + 1)}\n${'y'.repeat(MAX_LINE)}\n`), [2]);
  const file = join(ROOT, 'lib', 'example.ts');
  t.ok(await unformatted(file, 'const a = "b"\n'), 'double quotes and a missing semicolon are reported');
  t.notOk(await unformatted(file, "const a = 'b';\n"));
  const wide = `const a = [${Array.from({ length: 16 }, (_, i) => `'v${i}'`).join(', ')}];\n`;
  t.ok(wide.length > 100 && wide.length <= MAX_LINE, 'a line prettier wraps at its default width of 80 but not at 140');
  t.notOk(await unformatted(file, wide), 'the repository config (printWidth 140) applies');
  t.ok(await ignored(join(ROOT, 'lib', 'cni', 'generated', 'netconf-validate.d.ts')), 'generated files are skipped');
  t.notOk(await ignored(file));
});

const files = await checkedFiles();

t.test(`no line in lib/ or cmd/ is over ${MAX_LINE} characters`, async (t) => {
  t.ok(files.length > 200, `read ${files.length} files`);
  const long = files.flatMap((f) => overlong(readFileSync(f, 'utf8')).map((n) => `${relative(ROOT, f)}:${n}`));
  t.strictSame(long, []);
});

t.test('prettier --check passes on lib/ and cmd/', async (t) => {
  const bad = await Promise.all(files.map((f) => unformatted(f, readFileSync(f, 'utf8'))));
  t.strictSame(
    files.filter((_, i) => bad[i]).map((f) => relative(ROOT, f)),
    [],
    'run `npm run format`',
  );
});
