// Everything but the start-up fast paths: the CNI plugin and the operator's CLI. The release build
// bundles this module separately and embeds it in the entry as source plus a V8 code cache, so
// `--version` and CNI VERSION never parse it and the other paths skip most of its compilation.
// Each path initialises only its own modules: a CNI call never runs the CLI's (commander, manifest).
export async function runCni(argv: string[]): Promise<number> {
  return (await import('./cni-main.js')).runCni(argv);
}

/** Once-per-node work this process did (then its code cache is not the node's): lib/util/node-setup.ts. */
export { nodeSetupDone } from '../lib/util/node-setup.js';

/** How a CNI call ends once its writes are done: _exit when the addon is loaded (lib/sys/exit.ts). */
export { exitProcess } from '../lib/sys/exit.js';

export async function runCli(argv: string[], version: string): Promise<number> {
  return (await import('./cli.js')).runCli(argv, version);
}

/** Build time only: build.mjs calls it before taking the code cache (cmd/cache-warmup.ts). */
export async function warmCodeCache(): Promise<void> {
  return (await import('./cache-warmup.js')).warmCodeCache();
}
