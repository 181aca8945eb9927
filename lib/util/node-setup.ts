// Work a CNI call does once per node rather than per pod: probing the kernel, extracting the native
// addon, loading and pinning the BPF programs. The call that does it runs (and compiles) far more code
// than the later calls of its command, so the node's code cache is not taken from it
// (cmd/node-code-cache.ts, docs/architecture.md#start-up).
let done: string | undefined;

/** Notes that this process did once-per-node work; the first note wins. */
export function noteNodeSetup(what: string): void {
  done ??= what;
}

/** What once-per-node work this process did, if any. */
export function nodeSetupDone(): string | undefined {
  return done;
}
