// A hint for a Node filesystem error on a path the network config names (stateDir, modeFile): the error alone
// ("ENOENT: no such file or directory, mkdir '/proc/x'") does not say which setting to fix.
import * as path from 'node:path';

/**
 * Gives `e` the hint when it is a Node filesystem error (it has `syscall` and `path`) about `file`, an ancestor
 * directory of it, or a file beside it (its lock, its temporary copy), and it has no hint yet. Returns `e`.
 */
export function hintForConfigPath(e: unknown, file: string, hint: string): unknown {
  const x = e as { syscall?: unknown; path?: unknown; hint?: unknown };
  if (!(e instanceof Error) || typeof x.syscall !== 'string' || typeof x.path !== 'string' || x.hint !== undefined) return e;
  const p = x.path;
  if (p === file || file.startsWith(`${p}/`) || p.startsWith(`${path.dirname(file)}/`)) x.hint = hint;
  return e;
}
