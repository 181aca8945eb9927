// lib/util: small helpers importable from anywhere. May import: node builtins only.
export { writeFileAtomic, removeFile } from './atomic-file.js';
export { withLock, LockTimeoutError } from './lock.js';
export { ipLiteralFamily } from './ip-literal.js';
export { sha256, sha256Hex } from './sha256.js';
export { noteNodeSetup, nodeSetupDone } from './node-setup.js';
export { isoTime } from './iso-time.js';
export { once } from './once.js';
export { mkdirp } from './mkdirp.js';
