// lib/sys: the only module that touches native code. Everything above receives a `Sys`.
// May import: node builtins and lib/util (importable from anywhere).
export { Errno, LayerErrno, E, asLayerErrno, errnoName, isErrno, layerSys } from './errno.js';
export type { Sys } from './types.js';
export { nativeSys, DEFAULT_LIB_DIR } from './native.js';
export { AddonSecurityError, installAddon } from './addon-file.js';
export { cstr, cstrs } from './cstr.js';
export { exitProcess } from './exit.js';
