// Bundles the privileged test files to plain ESM JavaScript for the VM tiers: under kvm-run the CPU is
// emulated, so compiling TypeScript on the fly (tsx) and tap's runner would dominate the time. Each
// bundle runs directly with `node` and prints TAP; `tap` itself stays external (loaded from node_modules).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'build/vm-tests');

export async function bundleVmTests(files) {
  fs.mkdirSync(out, { recursive: true });
  const outputs = [];
  for (const f of files) {
    const o = path.join(out, path.basename(f).replace(/\.ts$/, '.mjs'));
    await esbuild.build({
      entryPoints: [path.join(root, f)],
      outfile: o,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['tap', 'esbuild'],
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      define: { 'import.meta.url': JSON.stringify(`file://${path.join(root, f)}`) },
      logLevel: 'warning',
    });
    outputs.push(o);
  }
  return outputs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  for (const o of await bundleVmTests(files)) console.log(path.relative(root, o));
}
