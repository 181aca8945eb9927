// The catalogue of wrong and odd values the case families draw from: wrong JSON types, bad values per
// config field, container ids and interface names that must be refused, and odd ones that must work.

export const WRONG_TYPES: unknown[] = [null, true, false, 0, -1, 1.5, 1e300, '', 'str', [], [1], {}, { a: 1 }, 'x'.repeat(5000), '\u0000'];

export function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
}

/** Field → (predicate for a value of the right type, extra wrong values of the right type). */
export const FIELDS: Record<string, { ok: (v: unknown) => boolean; bad: unknown[] }> = {
  name: { ok: (v) => typeof v === 'string', bad: ['', '../x', 'a b', 'ünï', '.x', 'a/b', '-x', 'x\u0000y', 'a\nb'] },
  type: { ok: (v) => typeof v === 'string', bad: ['', '.', '..', 'a/b', '../podlink', 'x\u0000'] },
  mode: { ok: () => false, bad: ['NETKIT', 'veth ', '', 'l2', 'netkit-l3', 'Auto'] },
  mtu: { ok: (v) => Number.isInteger(v), bad: [67, 65536, 0, -1, 2 ** 31] },
  logFile: { ok: (v) => typeof v === 'string', bad: ['rel.log', '', './x', '~/x'] },
  logLevel: { ok: () => false, bad: ['trace', 'DEBUG', '', 'verbose'] },
  modeFile: { ok: (v) => typeof v === 'string', bad: ['mode.json', '', '../mode.json'] },
  stateDir: { ok: (v) => typeof v === 'string', bad: ['state', '', '../state', 'var/lib/podlink'] },
  bpfRoot: { ok: (v) => typeof v === 'string', bad: ['bpf', '', '../bpf'] },
  antiSpoof: { ok: (v) => typeof v === 'boolean', bad: [] },
  hostRouting: { ok: () => false, bad: ['BPF', '', 'ebpf', 'none'] },
  clusterCIDRs: { ok: (v) => Array.isArray(v) && v.length === 0, bad: [['10.0.0.0'], ['10.0.0.0/33'], ['abc/24'], ['::/129'], ['10.0.0.0/8', 1], [''], ['10.0.0.0/8 ']] },
  gsoMaxSize: { ok: (v) => Number.isInteger(v), bad: [0, 524289, -5] },
  groMaxSize: { ok: (v) => Number.isInteger(v), bad: [0, 524289] },
  headroom: { ok: (v) => Number.isInteger(v), bad: [-1, 65536] },
  tailroom: { ok: (v) => Number.isInteger(v), bad: [-1, 65536] },
  ipam: { ok: () => false, bad: [{}, { type: 1 }, { type: '' }, { type: '..' }, { type: '../host-local' }, { type: 'a/b' }, { type: null }] },
  dns: { ok: (v) => v !== null && typeof v === 'object' && !Array.isArray(v), bad: [{ nameservers: 'x' }, { nameservers: [1] }, { domain: 1 }, { search: {} }, { options: [null] }] },
  capabilities: { ok: (v) => v !== null && typeof v === 'object' && !Array.isArray(v), bad: [] },
  args: { ok: (v) => v !== null && typeof v === 'object' && !Array.isArray(v), bad: [] },
  runtimeConfig: {
    ok: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
    bad: [{ portMappings: 'x' }, { portMappings: [{ hostPort: -1 }] }, { portMappings: [{ hostPort: '80' }] }, { bandwidth: { ingressRate: 1.5 } }, { ips: 'x' }, { mac: 1 }, { dns: { servers: [1] } }, { IPRanges: 'x' }, { PortMappings: [{ HostPort: 'x' }] }],
  },
  prevResult: { ok: (v) => v !== null && typeof v === 'object' && !Array.isArray(v), bad: [] },
  'cni.dev/valid-attachments': { ok: (v) => Array.isArray(v) && v.length === 0, bad: [[{}], [1], [{ containerID: 1, ifname: 'eth0' }], [{ containerID: 'a' }], [{ ifname: 'eth0' }], ['a']] },
  'cni.dev/attachments': { ok: (v) => Array.isArray(v) && v.length === 0, bad: [[{}], [{ containerID: 'a', ifname: null }]] },
};

export const BAD_CONTAINER_IDS = [
  '../x', '../../sentinel/x', '..', '.', 'a/b', '/abs', '/', ' lead', 'trail ', 'a b', 'tab\tx', 'new\nline', 'x'.repeat(201),
  'café', '容器', 'pod-😀', '.hidden', '-dash', '_under', 'a;b', 'a:b', 'a$b', 'a*b', 'x/../../y', '%2e%2e', 'a\\b', 'a\u00a0b',
];
export const ODD_VALID_CONTAINER_IDS = ['a..b', 'a.', 'A-_.9', 'x'.repeat(200), '0', 'a.b.c.d', 'Z'];
export const BAD_IFNAMES = [
  'abcdefghijklmnop', 'x'.repeat(64), 'éééééééé', '.', '..', 'a/b', '../eth0', '/eth0', 'a:b', 'eth 0', ' eth0', 'eth0\n', 'eth\t0', 'é'.repeat(8), '网卡网卡网卡', 'eth0/..',
];
export const ODD_VALID_IFNAMES = ['éth0', 'abcdefghijklmno', 'e', 'eth0.100', 'net-1', 'a_b', 'ｅｔｈ', '😀x', 'ETH0', 'e..'];
