// Map specs from an ELF object: legacy "maps" definitions, BTF ".maps" definitions, and the
// .rodata/.data/.bss sections as single-entry array maps. Pure. May import: ./elf, ./btf, ./spec.
import { BpfError } from './errors.js';
import { btfMapDefinitions, parseBtf } from './btf.js';
import * as K from './consts.js';
import { R_BPF_64_64, SHF_EXECINSTR, SHT_NOBITS, STT_OBJECT, type ElfFile, type ElfSection } from './elf.js';
import type { MapSpec } from './spec.js';

const LEGACY_DEF_SIZE = 20; // {type, key_size, value_size, max_entries, map_flags}

export function isDataSection(s: ElfSection): boolean {
  return /^\.(rodata|data|bss)(\.|$)/.test(s.name) && (s.flags & SHF_EXECINSTR) === 0;
}

export function isMapSection(name: string): boolean {
  return name === 'maps' || name === '.maps';
}

function fail(detail: string): never {
  throw new BpfError('load maps', detail);
}

export function legacyMapSpecs(elf: ElfFile): MapSpec[] {
  const sec = elf.section('maps');
  if (!sec) return [];
  return elf.symbols
    .filter((s) => s.shndx === sec.index && s.type === STT_OBJECT)
    .map((s): MapSpec => {
      if (s.value + LEGACY_DEF_SIZE > sec.data.length) fail(`legacy map ${s.name}: definition out of bounds`);
      const d = sec.data;
      return {
        name: s.name,
        type: d.readUInt32LE(s.value),
        keySize: d.readUInt32LE(s.value + 4),
        valueSize: d.readUInt32LE(s.value + 8),
        maxEntries: d.readUInt32LE(s.value + 12),
        flags: d.readUInt32LE(s.value + 16),
        kind: 'legacy',
      };
    });
}

export function btfMapSpecs(elf: ElfFile): MapSpec[] {
  const sec = elf.section('.maps');
  if (!sec) return [];
  const btfSec = elf.section('.BTF');
  if (!btfSec) fail('.maps needs .BTF (compile with -g)');
  return btfMapDefinitions(parseBtf(btfSec.data)).map((d): MapSpec => {
    if (d.type === undefined) fail(`map ${d.name}: no type`);
    if (d.pinning) fail(`map ${d.name}: LIBBPF_PIN_* is not supported; podlink pins maps itself`);
    return {
      name: d.name,
      type: d.type,
      keySize: d.keySize ?? 0,
      valueSize: d.valueSize ?? 0,
      maxEntries: d.maxEntries ?? 0,
      flags: d.flags ?? 0,
      kind: 'btf',
    };
  });
}

/** Data sections that some code relocation refers to become ARRAY maps with one element. */
export function dataMapSpecs(elf: ElfFile): MapSpec[] {
  const referenced = new Set<number>();
  for (const [target, rels] of elf.relocations) {
    const t = elf.sections[target];
    if (!t || (t.flags & SHF_EXECINSTR) === 0) continue;
    for (const r of rels) if (r.type === R_BPF_64_64) referenced.add(r.symbol.shndx);
  }
  return elf.sections
    .filter((s) => isDataSection(s) && referenced.has(s.index))
    .map((s): MapSpec => {
      const ro = s.name.startsWith('.rodata');
      return {
        name: s.name,
        type: K.BPF_MAP_TYPE_ARRAY,
        keySize: 4,
        valueSize: s.size,
        maxEntries: 1,
        flags: ro ? K.BPF_F_RDONLY_PROG : 0,
        kind: 'data',
        contents: [{ key: Buffer.alloc(4), value: s.type === SHT_NOBITS ? Buffer.alloc(s.size) : Buffer.from(s.data) }],
        freeze: ro,
      };
    });
}
