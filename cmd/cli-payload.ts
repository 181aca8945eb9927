// The operator's CLI (`podlink probe`, `install`, `status`, `agent`, ...): a bundle of its own, which the
// release build appends to the executable with its V8 code cache and only a CLI call reads
// (docs/architecture.md#start-up). In the CNI payload its ~180 kB of functions cost every CNI call their
// place in the code cache and the closures of the bundle's top level.
export async function runCli(argv: string[], version: string): Promise<number> {
  return (await import('./cli.js')).runCli(argv, version);
}
