// lib/bpf: bpf(2) without libbpf. Layers, each knowing only the ones below it:
//   attr/syscalls (encodings, raw calls) → elf/btf/spec (CollectionSpec from clang objects)
//   → map/program/collection (live objects) → link/tcx/netkit/query (attach points) → probe/bpffs.
// May import: lib/sys, lib/codec, lib/util.
export { BpfErrno, BpfError, bpfErrorFrom, bpfStep, isBpfErrno } from './errors.js';
export * from './attr.js';
export { parseElf, type ElfFile, type ElfSection, type ElfSymbol, type ElfRelocation } from './elf.js';
export { parseBtf, btfMapDefinitions, type Btf, type BtfMapDef } from './btf.js';
export { loadCollectionSpec } from './collection-spec.js';
export { mapSpec, programSpec, type CollectionSpec, type MapSpec, type ProgramSpec, type MapReference } from './spec.js';
export { parseCpuList, possibleCpus } from './cpus.js';
export { bpfFdKind, type BpfObjectKind } from './fdkind.js';
export { BpfMap, mapIncompatibilities, type MapShape } from './map.js';
export { BpfProgram, resolveReferences, type LoadOptions } from './program.js';
export { Collection, loadCollection, type CollectionOptions } from './collection.js';
export { BpfLink, removePin, head, tail, describeAttachType, type Anchor, type CreateLinkOptions } from './link.js';
export { attachTcx, tcxAttachType, type TcxDirection, type TcxOptions } from './tcx.js';
export { attachNetkit, netkitAttachType, type NetkitHook, type NetkitOptions } from './netkit.js';
export { queryHook, programInfoById, type HookQuery } from './query.js';
export { haveTcx, haveNetkit, probeLinkAttachType } from './probe.js';
export { DEFAULT_BPFFS, ensureBpffs, ensurePinDir, isBpffs, kernelHasBpffs, type EnsureBpffsOptions } from './bpffs.js';
