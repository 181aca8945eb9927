// Building blocks of case inputs: the configs a worker's testbed accepts, CNI_PATH with the fake IPAM,
// netns paths of every kind, and broken text.
import { CNI_PATH } from '../../integration/testbed.js';
import type { Prng } from '../prng.js';
import { FAKE_IPAM_DIR } from '../../support/fake-ipam.js';
import type { FuzzCtx, Json } from './case.js';

export function stripUndefined(o: Json): Json {
  return JSON.parse(JSON.stringify(o)) as Json;
}

export function setPath(o: Json, key: string, v: unknown): Json {
  const c = structuredClone(o);
  if (key.startsWith('ipam.')) (c.ipam as Json)[key.slice(5)] = v;
  else c[key] = v;
  return c;
}

/** The config a worker's bed accepts (host-local IPAM in the bed, logs at info, IPv6 sometimes). */
export function baseConf(ctx: FuzzCtx, rng: Prng, version = '1.0.0'): Json {
  const c = ctx.bed.conf({ cniVersion: version, ipv6: rng.chance(0.5), extra: { logLevel: 'info' } });
  return stripUndefined(c);
}

export function fakeConf(ctx: FuzzCtx, rng: Prng, version = '1.0.0'): Json {
  return { ...baseConf(ctx, rng, version), ipam: { type: 'fake-ipam' } };
}

export function cniPathWithFake(): string {
  return `${FAKE_IPAM_DIR}:${CNI_PATH}`;
}

export function truncations(s: string, rng: Prng): string {
  return s.slice(0, rng.int(0, s.length - 1));
}

export function randomBytes(rng: Prng, n: number): string {
  let out = '';
  for (let k = 0; k < n; k++) out += String.fromCharCode(rng.int(1, 0x2ff));
  return out;
}

export function netnsOf(kind: string, ctx: FuzzCtx): string | undefined {
  switch (kind) {
    case 'missing':
      return `/run/netns/plr-no-such-netns-${ctx.bed.id}`;
    case 'none':
      return undefined;
    case 'file':
      return ctx.regularFile;
    case 'dir':
      return ctx.directory;
    case 'devnull':
      return '/dev/null';
    case 'mntns':
      return '/proc/self/ns/mnt';
    case 'node':
      return `/run/netns/${ctx.bed.node}`;
    case 'self':
      return '/proc/self/ns/net';
    default:
      return `/run/netns/${ctx.pod}`;
  }
}
