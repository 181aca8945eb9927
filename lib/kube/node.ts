// toKubeNode: a v1 Node object (unknown JSON) -> the three fields the agent routes by.
import type { KubeNode } from './types.js';
import { isObj } from './json.js';

function stringList(v: unknown, what: string): string[] | { error: string } {
  if (!Array.isArray(v)) return { error: `${what} is not a list` };
  const bad = v.findIndex((x) => typeof x !== 'string');
  return bad >= 0 ? { error: `${what}[${bad}] is not a string` } : (v as string[]);
}

/** Pure: a Node object from the API (unknown JSON) -> KubeNode, or an error string for a malformed one. */
export function toKubeNode(obj: unknown): KubeNode | { error: string } {
  if (!isObj(obj)) return { error: 'not a JSON object' };
  const meta = obj.metadata;
  if (!isObj(meta)) return { error: 'no metadata' };
  if (typeof meta.name !== 'string' || meta.name === '') return { error: 'metadata.name is not a non-empty string' };
  const fail = (error: string) => ({ error: `node ${JSON.stringify(meta.name)}: ${error}` });
  const spec = obj.spec ?? {};
  if (!isObj(spec)) return fail('spec is not an object');
  let podCIDRs: string[] = [];
  if (spec.podCIDRs !== undefined && spec.podCIDRs !== null) {
    const l = stringList(spec.podCIDRs, 'spec.podCIDRs');
    if ('error' in l) return fail(l.error);
    podCIDRs = l;
  }
  if (podCIDRs.length === 0 && spec.podCIDR !== undefined && spec.podCIDR !== null && spec.podCIDR !== '') {
    if (typeof spec.podCIDR !== 'string') return fail('spec.podCIDR is not a string');
    podCIDRs = [spec.podCIDR];
  }
  const status = obj.status ?? {};
  if (!isObj(status)) return fail('status is not an object');
  const addrs = status.addresses ?? [];
  if (!Array.isArray(addrs)) return fail('status.addresses is not a list');
  const entries: { type: string; address: string; v6: boolean }[] = [];
  for (const [i, a] of addrs.entries()) {
    if (!isObj(a) || typeof a.type !== 'string' || typeof a.address !== 'string') {
      return fail(`status.addresses[${i}] is not {type, address} strings`);
    }
    entries.push({ type: a.type, address: a.address, v6: a.address.includes(':') });
  }
  const hasInternal = (v6: boolean) => entries.some((e) => e.v6 === v6 && e.type === 'InternalIP');
  const addresses = entries.filter((e) => e.type === 'InternalIP' || (e.type === 'ExternalIP' && !hasInternal(e.v6))).map((e) => e.address);
  const rv = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '';
  return { name: meta.name, podCIDRs, addresses, resourceVersion: rv };
}
