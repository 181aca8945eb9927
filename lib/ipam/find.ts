// lib/ipam/find: locate a delegated plugin binary by searching the CNI_PATH directories in order
// (never $PATH). May import: node builtins, ../cni.
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { CniError, Code } from '../cni/index.js';

/**
 * Absolute-or-relative path of the first executable regular file named `type` in `cniPath`.
 * A `type` that is not a plain file name → code 7; no CNI_PATH at all → code 4 (the variable is
 * required once we delegate); not found → code 7 (the config names a plugin that isn't installed).
 */
export function findPlugin(type: string, cniPath: readonly string[]): string {
  if (typeof type !== 'string' || type === '' || type === '.' || type === '..' || /[/\0]/.test(type)) {
    throw new CniError(
      Code.InvalidConfig,
      `invalid IPAM plugin type ${JSON.stringify(type)}`,
      "ipam.type must be the file name of a plugin in CNI_PATH: not empty, no '/', not '.' or '..'",
    );
  }
  const dirs = cniPath.filter((d) => d !== '');
  if (!dirs.length) {
    throw new CniError(
      Code.InvalidEnv,
      'required env variables [CNI_PATH] missing',
      `CNI_PATH is needed to find the IPAM plugin ${JSON.stringify(type)}`,
    );
  }
  const notExecutable: string[] = [];
  for (const dir of dirs) {
    const p = join(dir, type);
    try {
      if (!statSync(p).isFile()) continue;
    } catch {
      continue;
    }
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      notExecutable.push(p);
    }
  }
  const extra = notExecutable.length ? `; found but not executable: ${notExecutable.join(', ')}` : '';
  throw new CniError(
    Code.InvalidConfig,
    `failed to find IPAM plugin ${JSON.stringify(type)} in CNI_PATH`,
    `searched CNI_PATH=${dirs.join(':')}${extra}; install the plugin there or fix CNI_PATH`,
  );
}
