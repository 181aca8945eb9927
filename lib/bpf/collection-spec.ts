// ELF bytes → CollectionSpec, as a pipeline of named steps (parse ELF, load maps, load programs, check).
// Pure. May import: ./elf, ./elf-maps, ./elf-programs, ./spec.
import { BpfError } from './errors.js';
import { parseElf } from './elf.js';
import { btfMapSpecs, dataMapSpecs, legacyMapSpecs } from './elf-maps.js';
import { programSpecs } from './elf-programs.js';
import type { CollectionSpec } from './spec.js';

export function loadCollectionSpec(bytes: Buffer): CollectionSpec {
  const elf = parseElf(bytes);
  const maps = [...legacyMapSpecs(elf), ...btfMapSpecs(elf), ...dataMapSpecs(elf)];
  const names = new Set<string>();
  for (const m of maps) {
    if (names.has(m.name)) throw new BpfError('load maps', `duplicate map name ${m.name}`);
    names.add(m.name);
  }
  const programs = programSpecs(elf);
  for (const p of programs) {
    for (const r of p.references) {
      if (!names.has(r.map)) throw new BpfError('load programs', `${p.name}: insn ${r.insn} refers to unknown map ${r.map}`);
    }
  }
  return { maps, programs };
}
