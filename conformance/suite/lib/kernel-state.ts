// What the kernel and the testbed hold: the pod interface with its addresses, links in a netns, BPF
// link pins, and everything an attachment may leave behind after its DEL.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Json } from './json.js';
import { resultAddresses } from './result-shape.js';
import type { Testbed } from './suite.js';

function ipJson(bed: Testbed, ns: string, args: string[]): Json[] {
  try {
    return JSON.parse(bed.ip(ns, ['-j', ...args]) || '[]') as Json[];
  } catch {
    return [];
  }
}

/** §4 ADD.1: CNI_IFNAME exists in the pod netns, up, with every result address. */
export function podStateProblems(bed: Testbed, pod: string, ifname: string, res: unknown): string[] {
  const link = ipJson(bed, pod, ['addr', 'show']).find((l) => l.ifname === ifname);
  if (!link) return [`${ifname} does not exist in ${pod}`];
  const p: string[] = [];
  if (!(link.flags as string[]).includes('UP')) p.push(`${ifname} is not up`);
  const have = new Set((link.addr_info as Json[]).map((a) => `${String(a.local)}/${String(a.prefixlen)}`));
  for (const a of resultAddresses(res)) if (!have.has(a)) p.push(`${a} is not on ${ifname} (have ${[...have].join(', ')})`);
  return p;
}

/** Links other than lo in a netns (named); [] when the netns is gone. */
export function nonLoLinks(bed: Testbed, ns: string): string[] {
  if (!fs.existsSync(`/run/netns/${ns}`)) return [];
  return ipJson(bed, ns, ['link', 'show']).map((l) => String(l.ifname)).filter((n) => n !== 'lo');
}

/** BPF per-endpoint link pins left under the testbed's bpfRoot. */
export function endpointPins(bed: Testbed): string[] {
  try {
    return fs.readdirSync(path.join(bed.bpfRoot, 'links'));
  } catch {
    return [];
  }
}

/** Everything an attachment leaves behind, after its DEL: [] when clean. */
export function leftoverProblems(bed: Testbed, pods: string[] = []): string[] {
  const p: string[] = [];
  const links = bed.nodeLinks();
  if (links.length) p.push(`links left in the node netns: ${links.join(', ')}`);
  const ipam = bed.ipamAllocations();
  if (ipam.length) p.push(`IPAM allocations left: ${ipam.join(', ')}`);
  const recs = bed.records();
  if (recs.length) p.push(`endpoint records left: ${recs.join(', ')}`);
  const pins = endpointPins(bed);
  if (pins.length) p.push(`BPF link pins left: ${pins.join(', ')}`);
  for (const pod of pods) {
    const l = nonLoLinks(bed, pod);
    if (l.length) p.push(`links left in ${pod}: ${l.join(', ')}`);
  }
  return p;
}
