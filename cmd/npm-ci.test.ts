// `npm ci` (every CI's install) accepts package-lock.json: it refuses a lock that leaves out an optional
// dependency of a locked package, such as cbor-extract's per-platform packages, which `npm install`
// drops when the registry it talks to lacks them. Checked offline on a copy, without installing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' });
const skip = npm.status !== 0 && 'npm not on PATH';

function npmCiDryRun(lock: string): { status: number | null; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'podlink-npm-ci-'));
  try {
    fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
    fs.writeFileSync(path.join(dir, 'package-lock.json'), lock);
    const args = ['ci', '--dry-run', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'];
    return spawnSync('npm', args, { cwd: dir, encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

t.test('npm ci accepts the lock file', { skip }, async (t) => {
  const r = npmCiDryRun(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  t.equal(r.status, 0, r.stderr);
});

t.test('npm ci refuses the lock without the cbor-extract platform packages (what this test guards)', { skip }, async (t) => {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  const platform = Object.keys(lock.packages).filter((k) => k.startsWith('node_modules/@cbor-extract/'));
  t.ok(platform.length > 0, 'the lock lists them');
  for (const k of platform) delete lock.packages[k];
  const r = npmCiDryRun(JSON.stringify(lock, null, 2));
  t.not(r.status, 0);
  t.match(r.stderr, /Missing: @cbor-extract\//);
});
