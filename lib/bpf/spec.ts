// Specs: what an ELF object asks for, before anything exists in the kernel (cilium/ebpf's
// MapSpec/ProgramSpec/CollectionSpec). Plain data, so they can be printed, hashed and compared. Pure.

export type MapSpecKind = 'btf' | 'legacy' | 'data';

export interface MapSpec {
  /** Symbol name (BTF/legacy maps) or section name (data maps, e.g. ".rodata"). */
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  kind: MapSpecKind;
  /** Written right after creation (data sections: key 0 = the section bytes). */
  contents?: { key: Buffer; value: Buffer }[];
  /** Freeze after writing the contents (.rodata: read-only for user space too). */
  freeze?: boolean;
}

/** An ld_imm64 that must point at a map: the fd (BPF_PSEUDO_MAP_FD) or a value address (BPF_PSEUDO_MAP_VALUE). */
export interface MapReference {
  /** Instruction index (first slot of the ld_imm64). */
  insn: number;
  map: string;
  kind: 'fd' | 'value';
  /** Byte offset into the value (kind 'value'). */
  offset: number;
}

export interface ProgramSpec {
  /** Function name; also the kernel program name (first 15 bytes). */
  name: string;
  section: string;
  type: number;
  /** Section-derived hook (e.g. BPF_TCX_INGRESS for "tcx/ingress"); informational, 0 if none. */
  attachTypeHint: number;
  /** expected_attach_type passed to PROG_LOAD (0: SCHED_CLS programs attach to any tc/tcx/netkit hook). */
  expectedAttachType: number;
  license: string;
  /** Linked instructions (subprograms appended, calls fixed up), map references still unresolved. */
  instructions: Buffer;
  references: MapReference[];
}

export interface CollectionSpec {
  maps: MapSpec[];
  programs: ProgramSpec[];
}

export function mapSpec(spec: CollectionSpec, name: string): MapSpec | undefined {
  return spec.maps.find((m) => m.name === name);
}

export function programSpec(spec: CollectionSpec, name: string): ProgramSpec | undefined {
  return spec.programs.find((p) => p.name === name);
}
