// Kernel cases: ADD paths that open the netns, claim a record, run IPAM (host-local or the fake IPAM in
// one of its failure modes) and build links.
import { fakeIpamEnv } from '../../support/fake-ipam.js';
import type { Prng } from '../prng.js';
import { ODD_VALID_CONTAINER_IDS, ODD_VALID_IFNAMES } from './bad-values.js';
import { SUPPORTED, type Expect, type FuzzCase, type FuzzCtx, type Json } from './case.js';
import { baseConf, fakeConf, netnsOf } from './inputs.js';

const FAKE_MODES: Record<string, Expect> = {
  ok: { kind: 'result' },
  v6: { kind: 'result' },
  noisy: { kind: 'result' },
  crash: { kind: 'error', codes: [999] },
  exit: { kind: 'error', codes: [999] },
  error: { kind: 'error', codes: [11] },
  'error-malformed': { kind: 'error', codes: [999] },
  stacktrace: { kind: 'error', codes: [999] },
  empty: { kind: 'error', codes: [999] },
  'alloc-garbage': { kind: 'error', codes: [999] },
  'alloc-badtypes': { kind: 'error', codes: [999] },
  'alloc-noprefix': { kind: 'error', codes: [999] },
  'alloc-noips': { kind: 'error', codes: [7] },
  'alloc-wrongversion': { kind: 'error', codes: [999, 1] },
  'alloc-two-docs': { kind: 'error', codes: [999] },
};

export function kernelCase(rng: Prng, ctx: FuzzCtx, c: (x: Partial<FuzzCase>) => FuzzCase): FuzzCase {
  const family = rng.pick(['netns-kind', 'netns-kind', 'ipam-missing', 'cnipath', 'ipam-fake', 'ipam-fake', 'ipam-fake', 'add-valid', 'add-valid', 'add-valid']);
  const k = (x: Partial<FuzzCase>) => c({ kernel: true, family: `kernel:${family}`, ...x });
  switch (family) {
    case 'netns-kind': {
      const kind = rng.pick(['missing', 'file', 'dir', 'devnull', 'mntns', 'node', 'self']);
      const command = rng.pick(['ADD', 'ADD', 'CHECK']);
      const conf = baseConf(ctx, rng);
      const stdin = JSON.stringify(command === 'CHECK' ? { ...conf, prevResult: { cniVersion: '1.0.0', ips: [] } } : conf);
      // CHECK reads the record first: a container never added is "unknown" whatever its netns.
      const codes = command === 'CHECK' ? [3] : kind === 'node' || kind === 'self' ? [4] : [4, 999];
      return k({ command, netns: netnsOf(kind, ctx), stdin, expect: { kind: 'error', codes, msg: command === 'ADD' ? /netns|network namespace|CNI_NETNS/ : undefined }, note: `${command} with netns ${kind}` });
    }
    case 'ipam-missing': {
      const type = rng.pick(['no-such-ipam', 'host-local.sh', 'HOST-LOCAL', 'host-local ', 'fake-ipam.d']);
      return k({ stdin: JSON.stringify({ ...baseConf(ctx, rng), ipam: { type } }), expect: { kind: 'error', codes: [7] }, note: `ipam.type ${JSON.stringify(type)} not in CNI_PATH` });
    }
    case 'cnipath': {
      const v = rng.pick([undefined, '', ':', '/nonexistent', 'relative/dir', `${ctx.bed.dir}`]);
      const codes = v === undefined || v === '' || v === ':' ? [4] : [7];
      return k({ cniPath: v, stdin: JSON.stringify(baseConf(ctx, rng)), expect: { kind: 'error', codes }, note: `CNI_PATH=${JSON.stringify(v)}` });
    }
    case 'ipam-fake': {
      const mode = rng.pick(Object.keys(FAKE_MODES));
      const version = rng.pick(['0.3.1', '0.4.0', '1.0.0', '1.1.0']);
      return k({ env: fakeIpamEnv({ mode }), stdin: JSON.stringify(fakeConf(ctx, rng, version)), expect: FAKE_MODES[mode]!, note: `fake IPAM ${mode}, ${version}` });
    }
    default: {
      // A valid config with random knobs: ADD either works (then CHECK and DEL must too) or is refused
      // cleanly by the kernel (102) or for a missing feature (100).
      const version = rng.pick(SUPPORTED);
      const conf: Json = { ...baseConf(ctx, rng, version) };
      const knobs: string[] = [];
      const knob = (key: string, v: unknown) => {
        conf[key] = v;
        knobs.push(`${key}=${JSON.stringify(v)}`);
      };
      if (rng.chance(0.4)) knob('mtu', rng.pick([68, 576, 1279, 1280, 1400, 1500, 9000, 65535, rng.int(68, 65535)]));
      if (rng.chance(0.2)) knob('gsoMaxSize', rng.pick([1, 65536, 131072, 524288, rng.int(1, 524288)]));
      if (rng.chance(0.2)) knob('groMaxSize', rng.pick([1, 65536, 524288]));
      if (rng.chance(0.15)) knob('headroom', rng.int(0, 65535));
      if (rng.chance(0.15)) knob('tailroom', rng.int(0, 65535));
      if (rng.chance(0.3)) knob('mode', rng.pick(['auto', 'veth', 'netkit', 'netkit-l2']));
      if (rng.chance(0.3)) knob('hostRouting', rng.pick(['auto', 'bpf', 'legacy']));
      if (rng.chance(0.2)) knob('antiSpoof', rng.chance(0.5));
      if (rng.chance(0.2)) knob('clusterCIDRs', ['10.244.0.0/16', 'fd00:244::/56']);
      if (rng.chance(0.2)) knob('dns', { nameservers: ['10.96.0.10'], search: ['svc.cluster.local'], options: ['ndots:5'] });
      if (rng.chance(0.2)) knob('runtimeConfig', { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }], bandwidth: { ingressRate: 1000 } });
      if (rng.chance(0.1)) knob('args', { cni: { labels: [{ key: 'app', value: 'x' }] } });
      const containerId = rng.chance(0.3) ? `${rng.pick(ODD_VALID_CONTAINER_IDS)}` : undefined;
      const ifname = rng.chance(0.3) ? rng.pick(ODD_VALID_IFNAMES) : 'eth0';
      if (containerId) knobs.push(`CNI_CONTAINERID=${containerId.length > 20 ? `${containerId.slice(0, 8)}…(${containerId.length})` : containerId}`);
      if (ifname !== 'eth0') knobs.push(`CNI_IFNAME=${ifname}`);
      return k({ ...(containerId ? { containerId } : {}), ifname, stdin: JSON.stringify(conf), expect: { kind: 'result-or-error', codes: [100, 102, 103] }, note: `${version} ${knobs.join(' ')}` });
    }
  }
}
