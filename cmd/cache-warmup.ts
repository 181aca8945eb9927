// Build time only: build.mjs runs this before it takes the payload's V8 code cache, so the cache also holds
// the bytecode of what every CNI call would otherwise compile on its way (V8 compiles a function on its first
// call, and a cache taken before any call holds only the top level): the CNI modules' initialisers, the
// config's schema validators, result formatting, the endpoint record's CBOR codec and checks.
// It runs the real dispatcher with stand-in IO and handlers: no socket, netns or BPF call, one temporary
// record file. The same calls every build, so the cache, and the executable, stay reproducible.
// See docs/architecture.md#start-up.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dispatch, type CniIO, type Handlers } from '../lib/cni/dispatcher.js';
import type { Result } from '../lib/cni/result-types.js';
import type { Logger } from '../lib/log/index.js';
import { readRecord, writeRecord, type EndpointRecord } from '../lib/plugin/endpoint-record.js';

const CONFIG = {
  cniVersion: '1.0.0',
  name: 'podlink',
  type: 'podlink',
  ipam: { type: 'host-local', ranges: [[{ subnet: '10.244.1.0/24' }], [{ subnet: 'fd00:10:244:1::/64' }]] },
};

const RESULT: Result = {
  interfaces: [
    { name: 'pl0123456789ab', mac: '02:00:00:00:00:01', mtu: 1500 },
    { name: 'eth0', mac: '02:00:00:00:00:02', mtu: 1500, sandbox: '/var/run/netns/warm' },
  ],
  ips: [
    { address: '10.244.1.2/32', gateway: '10.244.1.1', interface: 1 },
    { address: 'fd00:10:244:1::2/128', gateway: 'fd00:10:244:1::1', interface: 1 },
  ],
  routes: [
    { dst: '0.0.0.0/0', gw: '10.244.1.1' },
    { dst: '::/0', gw: 'fd00:10:244:1::1' },
  ],
  dns: {},
};

const silent: Logger = {
  id: 'warm',
  level: 'info',
  enabled: () => false,
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  event: () => {},
  close: () => {},
};

function io(command: string, stdin: string): CniIO {
  const env: Record<string, string> = {
    CNI_COMMAND: command,
    CNI_CONTAINERID: 'warm',
    CNI_NETNS: '/var/run/netns/warm',
    CNI_IFNAME: 'eth0',
    CNI_PATH: '/opt/cni/bin',
  };
  return { getenv: (n) => env[n], readStdin: async () => Buffer.from(stdin), stdout: () => {}, stderr: () => {} };
}

export async function warmCodeCache(): Promise<void> {
  await import('./cni-main.js'); // the CNI path's module initialisers
  const handlers: Handlers = {
    add: async () => RESULT,
    del: async () => {},
    check: async () => {},
    status: async () => {},
    gc: async () => {},
  };
  for (const cniVersion of ['1.0.0', '1.1.0']) {
    for (const command of ['ADD', 'CHECK', 'DEL']) {
      const conf = command === 'ADD' ? { ...CONFIG, cniVersion } : { ...CONFIG, cniVersion, prevResult: { cniVersion, ...RESULT } };
      await dispatch(io(command, JSON.stringify(conf)), handlers, { openLog: () => silent });
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'podlink-warm-'));
  try {
    const record: EndpointRecord = {
      v: 1,
      state: 'ready',
      network: 'podlink',
      containerId: 'warm',
      ifname: 'eth0',
      netns: '/var/run/netns/warm',
      mode: 'veth',
      hostIfName: 'pl0123456789ab',
      hostIfindex: 7,
      podIfindex: 2,
      ips: ['10.244.1.2/32'],
      ipamType: 'host-local',
      pins: [],
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    writeRecord(path.join(dir, 'r'), record);
    readRecord(path.join(dir, 'r'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
