// Endpoint records: what ADD created, so DEL/CHECK/GC/status work whatever the current mode is.
// Written first as an intent (state "creating") before any device exists, so a crash at any later
// step still leaves DEL a record that proves which link is ours. CBOR, atomic, schema-checked on read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeCbor, encodeCbor, type CborValue } from '../codec/index.js';
import { isOperationalMode, type OperationalMode } from '../connector/index.js';
import { removeFile, writeFileAtomic } from '../util/index.js';
import { hintForConfigPath } from './path-hint.js';

export const RECORD_VERSION = 1;
/** The netconf's stateDir default (netconf.schema.json): endpoint records live in <stateDir>/endpoints. */
export const DEFAULT_STATE_DIR = '/var/lib/podlink';

export interface EndpointRecord {
  v: number;
  state: 'creating' | 'ready';
  network: string;
  containerId: string;
  ifname: string;
  netns: string;
  mode: OperationalMode;
  hostIfName: string;
  hostIfindex?: number;
  podIfindex?: number;
  hostMac?: string;
  podMac?: string;
  ips: string[];
  ipamType?: string;
  pins: string[];
  createdAt: string;
}

export class RecordError extends Error {
  hint?: string;
  constructor(message: string) {
    super(message);
    this.name = 'RecordError';
    this.hint = 'remove the file if the endpoint no longer exists';
  }
}

export function endpointsDir(stateDir: string): string {
  return path.join(stateDir, 'endpoints');
}

export function recordPath(stateDir: string, containerId: string, ifname: string): string {
  // ':' appears in neither a container ID nor an ifname, so distinct attachments never share a file
  // (with '.', container "p.q" + "eth0" and container "p" + "q.eth0" would).
  return path.join(endpointsDir(stateDir), `${containerId}:${ifname}.cbor`);
}

function validate(x: unknown, file: string): EndpointRecord {
  const bad = (why: string) => new RecordError(`endpoint record ${file} is invalid: ${why}`);
  if (typeof x !== 'object' || x === null) throw bad('not a map');
  const r = x as Record<string, unknown>;
  if (r.v !== RECORD_VERSION) throw bad(`version ${String(r.v)}`);
  if (r.state !== 'creating' && r.state !== 'ready') throw bad('state');
  for (const k of ['network', 'containerId', 'ifname', 'netns', 'hostIfName', 'createdAt'] as const) {
    if (typeof r[k] !== 'string') throw bad(`${k} must be a string`);
  }
  if (!isOperationalMode(r.mode)) throw bad('mode');
  if (!/^pl[0-9a-f]{12}$/.test(r.hostIfName as string)) throw bad('hostIfName');
  for (const k of ['hostIfindex', 'podIfindex'] as const) if (r[k] !== undefined && !Number.isInteger(r[k])) throw bad(k);
  if (!Array.isArray(r.ips) || !r.ips.every((i) => typeof i === 'string')) throw bad('ips');
  if (!Array.isArray(r.pins) || !r.pins.every((i) => typeof i === 'string')) throw bad('pins');
  return r as unknown as EndpointRecord;
}

export function readRecord(file: string): EndpointRecord | undefined {
  // ADD finds none: an existence check costs a syscall, a failed read an exception (docs/architecture.md#start-up).
  if (!fs.existsSync(file)) return undefined;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let x: unknown;
  try {
    x = decodeCbor(bytes);
  } catch (e) {
    throw new RecordError(`endpoint record ${file} is not valid CBOR: ${(e as Error).message.replace(/^CBOR: /, '')}`);
  }
  return validate(x, file);
}

export function writeRecord(file: string, r: EndpointRecord): void {
  try {
    writeFileAtomic(file, encodeCbor(r as unknown as CborValue), 0o600, false);
  } catch (e) {
    throw hintForConfigPath(e, file, "the network config's stateDir must be a directory podlink can create and write as root");
  }
}

export function removeRecord(file: string): boolean {
  return removeFile(file);
}

/** Every record in the state dir; unreadable ones are reported with their error instead of throwing. */
export function listRecords(stateDir: string): { file: string; record?: EndpointRecord; error?: Error }[] {
  let names: string[];
  try {
    names = fs.readdirSync(endpointsDir(stateDir));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.cbor'))
    .sort()
    .map((n) => {
      const file = path.join(endpointsDir(stateDir), n);
      try {
        return { file, record: readRecord(file) };
      } catch (e) {
        return { file, error: e as Error };
      }
    });
}
