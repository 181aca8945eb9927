// `podlink status`: the node's datapath mode, as `cilium-dbg status` prints it, plus the endpoints.
import * as path from 'node:path';
import { readModeFile, type ModeFile } from '../lib/connector/index.js';
import { podDatapathFor, readCounters } from '../lib/datapath/index.js';
import { listRecords, readinessProblems, type EndpointRecord } from '../lib/plugin/index.js';
import { Netlink } from '../lib/netlink/index.js';
import { nativeSys } from '../lib/sys/index.js';
import { agentJson, agentLines, DEFAULT_ALIVE_SECONDS, readAgentView } from './status-agent.js';
import { tunnelLines, tunnelView } from './status-tunnel.js';

export interface StatusOptions {
  json?: boolean;
  ready?: boolean;
  /** Exit 0 only while the agent's heartbeat is fresh (the DaemonSet's liveness probe). */
  alive?: boolean;
  maxAge?: string;
  modeFile: string;
  stateDir: string;
  bpfRoot: string;
}

export function deviceModeLine(m: Pick<ModeFile, 'configured' | 'operational'>): string {
  return m.configured === m.operational ? `Device Mode: ${m.operational}` : `Device Mode: ${m.operational} [Configured: ${m.configured}]`;
}

function table(rows: string[][]): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(w[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

interface EndpointCounters {
  packets: string;
  bytes: string;
  drops: string;
  fastPath: string;
}

/** Per-endpoint counters from the BPF stats map; undefined when the datapath is not loaded. */
function countersOf(
  r: EndpointRecord,
  bpfRoot: string,
): (EndpointCounters & { raw: Record<string, { packets: string; bytes: string }> }) | undefined {
  if (r.hostIfindex === undefined) return undefined;
  try {
    const c = readCounters(nativeSys(), bpfRoot, r.hostIfindex);
    const raw = Object.fromEntries(Object.entries(c).map(([k, v]) => [k, { packets: String(v.packets), bytes: String(v.bytes) }]));
    const drops = c.dropSpoofIp.packets + c.dropSpoofMac.packets + c.dropSpoofArp.packets;
    return {
      packets: `${c.fromPod.packets}/${c.toPod.packets}`,
      bytes: `${c.fromPod.bytes}/${c.toPod.bytes}`,
      drops: String(drops),
      fastPath: String(c.redirectLocal.packets + c.redirectFib.packets),
      raw,
    };
  } catch {
    return undefined;
  }
}

/** Each endpoint's MTU, as its host-side device has it (the pod side has the same). */
function hostMtus(records: ReturnType<typeof listRecords>): Map<string, number> {
  const out = new Map<string, number>();
  const wanted = records.filter((x) => x.record?.hostIfindex !== undefined);
  if (!wanted.length) return out;
  let nl: Netlink | undefined;
  try {
    nl = Netlink.open(nativeSys());
    const links = new Map(nl.links().map((l) => [l.index, l]));
    for (const { record: r } of wanted) {
      const l = links.get(r!.hostIfindex!);
      if (l?.mtu && l.name === r!.hostIfName) out.set(r!.containerId, l.mtu);
    }
  } catch {
    // no netlink here: the column shows '-'
  } finally {
    nl?.close();
  }
  return out;
}

function aliveCheck(o: StatusOptions, runDir: string): number {
  const max = o.maxAge === undefined ? DEFAULT_ALIVE_SECONDS : Number(o.maxAge);
  const age = readAgentView(runDir, new Date()).heartbeatSeconds;
  if (age !== undefined && age <= max) return 0;
  process.stderr.write(
    `agent not alive: ${age === undefined ? 'no heartbeat' : `last heartbeat ${Math.round(age)}s ago (limit ${max}s)`}\n`,
  );
  return 1;
}

export function runStatusCommand(o: StatusOptions): number {
  const runDir = path.dirname(o.modeFile);
  if (o.alive) return aliveCheck(o, runDir);
  const problems = readinessProblems(
    o.modeFile,
    o.bpfRoot,
    podDatapathFor(() => nativeSys(), 'bpf'),
  );
  if (o.ready) {
    if (problems.length) process.stderr.write(`not ready: ${problems.join('; ')}\n`);
    return problems.length ? 1 : 0;
  }
  let mode: ModeFile | undefined;
  let modeError: string | undefined;
  try {
    mode = readModeFile(o.modeFile);
  } catch (e) {
    modeError = (e as Error).message;
  }
  const records = listRecords(o.stateDir);
  const mtus = hostMtus(records);
  const endpoints = records.map(({ file, record, error }) =>
    record
      ? {
          containerId: record.containerId,
          ifname: record.ifname,
          hostIfName: record.hostIfName,
          mode: record.mode,
          ips: record.ips,
          state: record.state,
          netns: record.netns,
          mtu: mtus.get(record.containerId),
          counters: countersOf(record, o.bpfRoot)?.raw ?? null,
        }
      : { file, error: error?.message },
  );
  const now = new Date();
  const agent = readAgentView(runDir, now);
  const tunnel = tunnelView(
    agent.status,
    o.bpfRoot,
    [...mtus].map(([containerId, mtu]) => ({ containerId, mtu })),
  );
  if (o.json) {
    const doc = {
      ready: problems.length === 0,
      problems,
      mode: mode ?? null,
      modeError,
      endpoints,
      agent: agentJson(agent),
      tunnel: tunnel ?? null,
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  }
  const out: string[] = [];
  if (mode) {
    out.push(deviceModeLine(mode));
    out.push(`Mode Reason: ${mode.reason}`);
    const f = mode.features;
    const yes = (b: boolean) => (b ? 'yes' : 'no');
    out.push(
      `Kernel:      ${mode.kernel} (netkit: ${yes(f.netkit)}, netkit scrub: ${yes(f.netkitScrub)}, ` +
        `netkit headroom: ${yes(f.netkitHeadroom)}, tcx: ${yes(f.tcx)}, bpffs: ${yes(f.bpffs)})`,
    );
    out.push(`Probed At:   ${mode.probedAt}`);
  } else {
    out.push(`Device Mode: unknown (${modeError ?? `no mode file at ${o.modeFile}; run podlink probe --write`})`);
  }
  out.push(`Ready:       ${problems.length ? `no: ${problems.join('; ')}` : 'yes'}`);
  out.push(`Endpoints:   ${endpoints.length}`);
  if (endpoints.length) {
    const rows = [['CONTAINER', 'IFNAME', 'HOST IF', 'MODE', 'IPS', 'MTU', 'STATE', 'PKTS OUT/IN', 'BYTES OUT/IN', 'FAST PATH', 'DROPS']];
    for (const { file, record: r, error } of records) {
      if (r) {
        const c = countersOf(r, o.bpfRoot);
        rows.push([
          r.containerId.slice(0, 12),
          r.ifname,
          r.hostIfName,
          r.mode,
          r.ips.join(','),
          String(mtus.get(r.containerId) ?? '-'),
          r.state,
          c?.packets ?? '-',
          c?.bytes ?? '-',
          c?.fastPath ?? '-',
          c?.drops ?? '-',
        ]);
      } else rows.push([file, '-', '-', '-', error?.message ?? 'unreadable', '-', 'invalid', '-', '-', '-', '-']);
    }
    out.push(table(rows));
  }
  out.push(...agentLines(agent, now, table));
  out.push(...tunnelLines(tunnel));
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
