// Program specs from an ELF object: split code sections into functions, record map references from
// R_BPF_64_64 relocations, and link bpf-to-bpf calls (R_BPF_64_32 or pc-relative) by appending
// the reachable subprograms after the entry function. Pure. May import: ./elf, ./spec, ./consts.
import { BpfError } from './errors.js';
import * as K from './consts.js';
import { R_BPF_64_32, R_BPF_64_64, SHF_EXECINSTR, STB_LOCAL, STT_FUNC, STT_SECTION, type ElfFile, type ElfSection } from './elf.js';
import { isDataSection, isMapSection } from './elf-maps.js';
import type { MapReference, ProgramSpec } from './spec.js';

const INSN = 8;
const OP_LD_IMM64 = 0x18;
const OP_CALL = 0x85;

/** Section name → program type and the hook it names (cilium/ebpf elf_sections.go, tc subset). */
const SECTION_TYPES: Record<string, { type: number; attach: number }> = {
  tc: { type: K.BPF_PROG_TYPE_SCHED_CLS, attach: 0 },
  classifier: { type: K.BPF_PROG_TYPE_SCHED_CLS, attach: 0 },
  'tc/ingress': { type: K.BPF_PROG_TYPE_SCHED_CLS, attach: K.BPF_TCX_INGRESS },
  'tc/egress': { type: K.BPF_PROG_TYPE_SCHED_CLS, attach: K.BPF_TCX_EGRESS },
  'tcx/ingress': { type: K.BPF_PROG_TYPE_SCHED_CLS, attach: K.BPF_TCX_INGRESS },
  'tcx/egress': { type: K.BPF_PROG_TYPE_SCHED_CLS, attach: K.BPF_TCX_EGRESS },
  'netkit/primary': { type: K.BPF_PROG_TYPE_SCHED_CLS, attach: K.BPF_NETKIT_PRIMARY },
  'netkit/peer': { type: K.BPF_PROG_TYPE_SCHED_CLS, attach: K.BPF_NETKIT_PEER },
};

function fail(detail: string): never {
  throw new BpfError('load programs', detail);
}

interface Func {
  key: string; // "<section index>:<start insn>"
  name: string;
  section: ElfSection;
  start: number; // insn index in its section
  count: number;
  global: boolean;
}

interface FuncBody {
  insns: Buffer;
  refs: MapReference[]; // insn relative to the function
  calls: { insn: number; target: string }[]; // target = Func.key
}

const keyOf = (section: number, insn: number) => `${section}:${insn}`;

function functionsOf(elf: ElfFile): Map<string, Func> {
  const out = new Map<string, Func>();
  for (const s of elf.sections) {
    if ((s.flags & SHF_EXECINSTR) === 0 || s.size === 0) continue;
    const syms = elf.symbols.filter((y) => y.shndx === s.index && y.type === STT_FUNC).sort((a, b) => a.value - b.value);
    if (syms.length === 0) fail(`section ${s.name} has code but no function symbols`);
    for (const y of syms) {
      if (y.value % INSN !== 0 || y.size % INSN !== 0 || y.value + y.size > s.size) fail(`function ${y.name}: bad bounds`);
      const start = y.value / INSN;
      out.set(keyOf(s.index, start), {
        key: keyOf(s.index, start),
        name: y.name,
        section: s,
        start,
        count: y.size / INSN,
        global: y.bind !== STB_LOCAL,
      });
    }
  }
  return out;
}

function bodyOf(elf: ElfFile, f: Func): FuncBody {
  const insns = Buffer.from(f.section.data.subarray(f.start * INSN, (f.start + f.count) * INSN));
  const refs: MapReference[] = [];
  const calls: FuncBody['calls'] = [];
  const relocated = new Set<number>();
  for (const r of elf.relocations.get(f.section.index) ?? []) {
    const abs = r.offset / INSN;
    if (abs < f.start || abs >= f.start + f.count) continue;
    const i = abs - f.start;
    relocated.add(i);
    const opcode = insns[i * INSN]!;
    const sym = r.symbol;
    const target = elf.sections[sym.shndx];
    if (sym.shndx === 0 || !target) fail(`${f.name}: reference to undefined symbol ${sym.name} (externs/ksyms are not supported)`);
    if (r.type === R_BPF_64_64) {
      if (opcode !== OP_LD_IMM64) fail(`${f.name}: R_BPF_64_64 at insn ${i} is not ld_imm64`);
      if (isMapSection(target.name)) {
        refs.push({ insn: i, map: sym.name, kind: 'fd', offset: 0 });
      } else if (isDataSection(target)) {
        const addend = insns.readInt32LE(i * INSN + 4);
        refs.push({ insn: i, map: target.name, kind: 'value', offset: (sym.type === STT_SECTION ? 0 : sym.value) + addend });
      } else {
        fail(`${f.name}: ld_imm64 refers to ${sym.name} in section ${target.name} (function pointers are not supported)`);
      }
    } else if (r.type === R_BPF_64_32) {
      if (opcode !== OP_CALL) fail(`${f.name}: R_BPF_64_32 at insn ${i} is not a call`);
      const imm = insns.readInt32LE(i * INSN + 4);
      const tgt = sym.type === STT_SECTION ? sym.value / INSN + imm + 1 : sym.value / INSN;
      calls.push({ insn: i, target: keyOf(target.index, tgt) });
    } else {
      fail(`${f.name}: unsupported relocation type ${r.type} at insn ${i}`);
    }
  }
  // Calls inside one section need no relocation: pc-relative immediates.
  for (let i = 0; i < f.count; i++) {
    if (relocated.has(i)) continue;
    const opcode = insns[i * INSN]!;
    const src = insns[i * INSN + 1]! >> 4;
    if (opcode === OP_CALL && src === K.BPF_PSEUDO_CALL) {
      calls.push({ insn: i, target: keyOf(f.section.index, f.start + i + insns.readInt32LE(i * INSN + 4) + 1) });
    }
  }
  return { insns, refs, calls };
}

/** Entry function + every subprogram it can reach, laid out back to back with call immediates fixed. */
function link(entry: Func, funcs: Map<string, Func>, bodies: Map<string, FuncBody>): { insns: Buffer; refs: MapReference[] } {
  const order: Func[] = [entry];
  const start = new Map<string, number>([[entry.key, 0]]);
  let size = entry.count;
  for (let n = 0; n < order.length; n++) {
    for (const c of bodies.get(order[n]!.key)!.calls) {
      if (start.has(c.target)) continue;
      const f = funcs.get(c.target) ?? fail(`${order[n]!.name}: call to ${c.target}, which is not the start of a function`);
      start.set(f.key, size);
      size += f.count;
      order.push(f);
    }
  }
  const insns = Buffer.alloc(size * INSN);
  const refs: MapReference[] = [];
  for (const f of order) {
    const base = start.get(f.key)!;
    const body = bodies.get(f.key)!;
    body.insns.copy(insns, base * INSN);
    for (const r of body.refs) refs.push({ ...r, insn: base + r.insn });
    for (const c of body.calls) {
      const at = base + c.insn;
      insns.writeInt32LE(start.get(c.target)! - (at + 1), at * INSN + 4);
      insns[at * INSN + 1] = (insns[at * INSN + 1]! & 0x0f) | (K.BPF_PSEUDO_CALL << 4);
    }
  }
  return { insns, refs };
}

export function licenseOf(elf: ElfFile): string {
  const s = elf.section('license');
  if (!s) return '';
  const end = s.data.indexOf(0);
  return s.data.subarray(0, end < 0 ? s.data.length : end).toString('latin1');
}

export function programSpecs(elf: ElfFile): ProgramSpec[] {
  const funcs = functionsOf(elf);
  const bodies = new Map<string, FuncBody>();
  for (const f of funcs.values()) bodies.set(f.key, bodyOf(elf, f));
  const license = licenseOf(elf);
  const out: ProgramSpec[] = [];
  for (const f of funcs.values()) {
    if (f.section.name === '.text' || !f.global) continue;
    const kind = SECTION_TYPES[f.section.name] ?? fail(`${f.name}: unsupported program section "${f.section.name}"`);
    const linked = link(f, funcs, bodies);
    out.push({
      name: f.name,
      section: f.section.name,
      type: kind.type,
      attachTypeHint: kind.attach,
      expectedAttachType: 0,
      license,
      instructions: linked.insns,
      references: linked.refs,
    });
  }
  return out;
}
