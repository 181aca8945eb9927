// Everything but the start-up fast paths: the CNI plugin and the operator's CLI. The release build
// bundles this module separately and embeds it in the entry as source plus a V8 code cache, so
// `--version` and CNI VERSION never parse it and the other paths skip most of its compilation.
export { runCni } from './cni-main.js';
export { runCli } from './cli.js';
