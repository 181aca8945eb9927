// Collection: the live maps and programs of one CollectionSpec. Maps may be supplied by the caller
// (e.g. opened from pins) instead of created; everything created here is closed again on failure.
// May import: ./map, ./program, ./spec, ./errors.
import type { Sys } from '../sys/index.js';
import { BpfError } from './errors.js';
import { BpfMap, mapIncompatibilities } from './map.js';
import { BpfProgram, type LoadOptions } from './program.js';
import type { CollectionSpec } from './spec.js';

export interface CollectionOptions extends LoadOptions {
  /** Use these maps instead of creating them (checked against the spec's shape). */
  maps?: Map<string, BpfMap>;
  /** Load only these programs (default: all). */
  programs?: string[];
}

export class Collection {
  constructor(
    readonly maps: Map<string, BpfMap>,
    readonly programs: Map<string, BpfProgram>,
    private readonly owned: BpfMap[],
  ) {}

  map(name: string): BpfMap {
    const m = this.maps.get(name);
    if (!m) throw new BpfError('collection', `no map ${name}`);
    return m;
  }

  program(name: string): BpfProgram {
    const p = this.programs.get(name);
    if (!p) throw new BpfError('collection', `no program ${name}`);
    return p;
  }

  /** Closes the programs and the maps this collection created (supplied maps stay open). */
  close(): void {
    for (const p of this.programs.values()) p.close();
    for (const m of this.owned) m.close();
  }
}

export function loadCollection(sys: Sys, spec: CollectionSpec, opts: CollectionOptions = {}): Collection {
  const maps = new Map<string, BpfMap>();
  const owned: BpfMap[] = [];
  const programs = new Map<string, BpfProgram>();
  try {
    const wanted = opts.programs ? spec.programs.filter((p) => opts.programs!.includes(p.name)) : spec.programs;
    for (const name of opts.programs ?? []) {
      if (!wanted.some((p) => p.name === name)) throw new BpfError('load collection', `no program ${name} in the object`);
    }
    const needed = new Set(wanted.flatMap((p) => p.references.map((r) => r.map)));
    for (const ms of spec.maps) {
      const given = opts.maps?.get(ms.name);
      if (given) {
        const diff = mapIncompatibilities(ms, given.shape);
        if (diff.length > 0) throw new BpfError(`use map ${ms.name}`, `incompatible: ${diff.join(', ')}`);
        maps.set(ms.name, given);
      } else if (needed.has(ms.name) || ms.kind !== 'data') {
        const m = BpfMap.create(sys, ms);
        owned.push(m);
        maps.set(ms.name, m);
      }
    }
    const fdOf = (name: string) => {
      const m = maps.get(name);
      if (!m) throw new BpfError('load collection', `no map ${name}`);
      return m.fd;
    };
    for (const ps of wanted) programs.set(ps.name, BpfProgram.load(sys, ps, fdOf, opts));
    return new Collection(maps, programs, owned);
  } catch (e) {
    for (const p of programs.values()) p.close();
    for (const m of owned) m.close();
    throw e;
  }
}
