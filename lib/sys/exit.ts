// Ends a CNI call's process once everything it writes has been written (synchronously: the result, the
// log, the record, the metrics). Node's process.exit first joins V8's platform threads and runs static
// destructors (OpenSSL's among them), about 1 ms of CPU per call; _exit(2) leaves all of that to the
// kernel's process teardown. The addon is used only when this process has loaded it already: loading it
// just to exit would cost more than it saves. docs/architecture.md#start-up.
import { loadedSys } from './native.js';

export function exitProcess(code: number): never {
  loadedSys()?.exit(code);
  return process.exit(code);
}
