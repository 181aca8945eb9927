// ELF64 little-endian reader for clang's BPF objects: section headers, the symbol table and SHT_REL
// relocations. Pure: bytes in, tables out. May import: lib/codec.
import { Reader } from '../codec/index.js';
import { BpfError } from './errors.js';

export const SHT_SYMTAB = 2;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHF_EXECINSTR = 0x4;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STB_LOCAL = 0;
export const EM_NONE = 0;
export const EM_BPF = 247;
export const R_BPF_64_64 = 1;
export const R_BPF_64_32 = 10;

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  size: number;
  link: number;
  info: number;
  /** Contents (zero-filled for SHT_NOBITS). */
  data: Buffer;
}

export interface ElfSymbol {
  index: number;
  name: string;
  type: number;
  bind: number;
  /** Section index (0 = undefined). */
  shndx: number;
  value: number;
  size: number;
}

export interface ElfRelocation {
  /** Byte offset inside the target section. */
  offset: number;
  type: number;
  symbol: ElfSymbol;
}

export interface ElfFile {
  sections: ElfSection[];
  symbols: ElfSymbol[];
  /** Relocations per target section index. */
  relocations: Map<number, ElfRelocation[]>;
  section(name: string): ElfSection | undefined;
}

function fail(detail: string): never {
  throw new BpfError('parse ELF', detail);
}

function num(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} too large: ${v}`);
  return Number(v);
}

function strAt(strtab: Buffer, off: number): string {
  if (off >= strtab.length) return '';
  const end = strtab.indexOf(0, off);
  return strtab.subarray(off, end < 0 ? strtab.length : end).toString('utf8');
}

export function parseElf(buf: Buffer): ElfFile {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) fail('not an ELF file');
  if (buf[4] !== 2) fail('not ELF64');
  if (buf[5] !== 1) fail('not little-endian (build with -target bpf or bpfel)');
  const machine = buf.readUInt16LE(18);
  if (machine !== EM_BPF && machine !== EM_NONE) fail(`e_machine ${machine} is not EM_BPF`);
  const shoff = num(buf.readBigUInt64LE(0x28), 'e_shoff');
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const shstrndx = buf.readUInt16LE(0x3e);
  if (shentsize < 64) fail(`e_shentsize ${shentsize}`);

  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const r = new Reader(buf, shoff + i * shentsize, shoff + i * shentsize + 64);
    const nameOff = r.u32();
    const type = r.u32();
    const flags = num(r.u64(), 'sh_flags');
    r.skip(8); // sh_addr
    const offset = num(r.u64(), 'sh_offset');
    const size = num(r.u64(), 'sh_size');
    const link = r.u32();
    const info = r.u32();
    raw.push({ nameOff, type, flags, offset, size, link, info });
  }
  const shstr = raw[shstrndx];
  if (!shstr) fail('no section name table');
  const names = buf.subarray(shstr.offset, shstr.offset + shstr.size);
  const sections: ElfSection[] = raw.map((s, index) => {
    if (s.type !== SHT_NOBITS && s.offset + s.size > buf.length) fail(`section ${index} extends past the end of the file`);
    const data = s.type === SHT_NOBITS ? Buffer.alloc(s.size) : buf.subarray(s.offset, s.offset + s.size);
    return { index, name: strAt(names, s.nameOff), type: s.type, flags: s.flags, size: s.size, link: s.link, info: s.info, data };
  });

  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) fail('no symbol table');
  const strtab = sections[symtab.link]?.data ?? Buffer.alloc(0);
  const symbols: ElfSymbol[] = [];
  for (let off = 0, index = 0; off + 24 <= symtab.data.length; off += 24, index++) {
    const r = new Reader(symtab.data, off, off + 24);
    const nameOff = r.u32();
    const info = r.u8();
    r.u8(); // st_other
    const shndx = r.u16();
    const value = num(r.u64(), 'st_value');
    const size = num(r.u64(), 'st_size');
    let name = strAt(strtab, nameOff);
    if ((info & 0xf) === STT_SECTION && name === '') name = sections[shndx]?.name ?? '';
    symbols.push({ index, name, type: info & 0xf, bind: info >> 4, shndx, value, size });
  }

  const relocations = new Map<number, ElfRelocation[]>();
  for (const s of sections) {
    if (s.type !== SHT_REL) continue;
    const list: ElfRelocation[] = [];
    for (let off = 0; off + 16 <= s.data.length; off += 16) {
      const offset = num(s.data.readBigUInt64LE(off), 'r_offset');
      const info = s.data.readBigUInt64LE(off + 8);
      const symIndex = Number(info >> 32n);
      const symbol = symbols[symIndex];
      if (!symbol) fail(`relocation in ${s.name} refers to symbol ${symIndex}, which does not exist`);
      list.push({ offset, type: Number(info & 0xffffffffn), symbol });
    }
    relocations.set(s.info, list);
  }

  return {
    sections,
    symbols,
    relocations,
    section: (name: string) => sections.find((s) => s.name === name),
  };
}
