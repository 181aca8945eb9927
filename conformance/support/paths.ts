// Where the repository is, and where tests keep their files.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Per-run work directories of tests and benchmarks (git-ignored). */
export const WORK_DIR = path.join(ROOT, 'conformance/.work');
