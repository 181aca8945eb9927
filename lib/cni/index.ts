// lib/cni: the pure CNI spec library — versions, errors and codes, result types and conversion,
// env and netconf parsing, runtimeConfig normalisation, and the dispatcher. Nothing kernel-related
// (lib/sys, lib/netlink, lib/netns, lib/bpf, …). May import: lib/log, lib/util, node builtins, ajv (build script).
export * from './versions.js';
export * from './errors.js';
export * from './ip.js';
export * from './names.js';
export * from './cni-args.js';
export * from './env.js';
export * from './result.js';
export { FORMAT_OF, type Format } from './convert/registry.js';
export { ShapeError } from './convert/shape.js';
export * from './runtime-config.js';
export * from './netconf.js';
export { describeSchemaError, describeSchemaErrors, pointerToPath } from './schema-errors.js';
export type { SchemaError } from './netconf-validator.js';
export * from './about.js';
export * from './dispatcher.js';
export { processIO, readAll, readFdToEnd, writeFdAll } from './process-io.js';
