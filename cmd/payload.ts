// The CNI plugin: everything a CNI call needs but the start-up fast paths. The release build bundles this
// module on its own and embeds it in the entry as source plus a V8 code cache, so `--version` and CNI
// VERSION never parse it and a CNI call skips most of its compilation. The operator's CLI is a bundle of
// its own (cmd/cli-payload.ts): a CNI call never deserialises or runs a line of it
// (docs/architecture.md#start-up).
export async function runCni(argv: string[]): Promise<number> {
  return (await import('./cni-main.js')).runCni(argv);
}

/** Once-per-node work this process did (then its code cache is not the node's): lib/util/node-setup.ts. */
export { nodeSetupDone } from '../lib/util/node-setup.js';

/** How a CNI call ends once its writes are done: _exit when the addon is loaded (lib/sys/exit.ts). */
export { exitProcess } from '../lib/sys/exit.js';

/** Build time only: build.mjs calls it before taking the code cache (cmd/cache-warmup.ts). */
export async function warmCodeCache(): Promise<void> {
  return (await import('./cache-warmup.js')).warmCodeCache();
}
