// CHECK for one endpoint: the links are pinned, alive, on the right device and hook, run our
// program and are the only podlink program there; the tc filters (legacy); the map entries.
// Returns the problems in words (empty = healthy). May import: lib/bpf, lib/netlink (IP text), ./plan, ./load, ./layout.
import * as fs from 'node:fs';
import { BpfLink, programInfoById, queryHook, type BpfMap } from '../bpf/index.js';
import { bytesToIp, ipToBytes } from '../netlink/index.js';
import type { Sys } from '../sys/index.js';
import type { DatapathDeps } from './endpoint.js';
import * as L from './layout.js';
import { openDatapathMaps } from './load.js';
import { endpointFlags, endpointMac, linkIsOnHook, linkSteps, type EndpointSpec, type LinkStep } from './plan.js';
import type { TcClient } from './tc-client.js';

function checkLink(sys: Sys, st: LinkStep, problems: string[]): void {
  const pin = st.pin!;
  if (!fs.existsSync(pin)) {
    problems.push(`${st.role}: no link pinned at ${pin}`);
    return;
  }
  let link: BpfLink;
  try {
    link = BpfLink.openPinned(sys, pin);
  } catch (e) {
    problems.push(`${st.role}: ${(e as Error).message}`);
    return;
  }
  try {
    const info = link.info();
    if (info.ifindex === 0) {
      problems.push(`${st.role}: link at ${pin} is defunct (its device is gone)`);
      return;
    }
    const q = queryHook(sys, st.ifindex!, st.attachType!);
    if (!linkIsOnHook(st, info, () => q.linkIds)) {
      const link = `link ${info.id} (ifindex ${info.ifindex}, attach type ${info.attachType})`;
      problems.push(`${st.role}: ${link} is not on the ${st.hook} hook of ifindex ${st.ifindex}`);
    } else if (!q.linkIds.includes(info.id)) {
      problems.push(`${st.role}: link ${info.id} is not attached to its hook`);
    }
    // The link's own program is on the hook's list too: each program's info is read once.
    const names = new Map(q.programIds.map((id) => [id, programInfoById(sys, id)?.name]));
    const prog = names.has(info.progId) ? names.get(info.progId) : programInfoById(sys, info.progId)?.name;
    if (prog !== st.program) problems.push(`${st.role}: link runs ${prog ?? `program id ${info.progId}`}, want ${st.program}`);
    const ours = q.programIds.filter((id) => names.get(id)?.startsWith('pl_'));
    if (ours.length !== 1) problems.push(`${st.role}: ${ours.length} podlink programs on the hook, want 1`);
  } catch (e) {
    problems.push(`${st.role}: ${(e as Error).message}`);
  } finally {
    link.close();
  }
}

function checkTcFilter(tc: TcClient | undefined, st: LinkStep, problems: string[]): void {
  if (!tc) {
    problems.push(`${st.role}: cannot check the tc filter without a tc client`);
    return;
  }
  const found = tc.filters(st.ifindex!, st.tcDirection!).filter((f) => f.bpfName?.startsWith(st.program));
  if (found.length !== 1) problems.push(`${st.role}: ${found.length} ${st.program} filters on tc ${st.tcDirection}, want 1`);
}

function checkMaps(maps: { get(name: string): BpfMap | undefined }, spec: EndpointSpec, problems: string[]): void {
  const ifindex = spec.hostIfindex!;
  const flags = endpointFlags(spec.mode, spec.antiSpoof);
  const mac = endpointMac(spec);
  const cfg = maps.get(L.MAPS.podCfg)!.lookup(L.encodeIfindexKey(ifindex));
  if (!cfg) {
    problems.push(`no ${L.MAPS.podCfg} entry for ifindex ${ifindex}`);
  } else {
    const c = L.decodePodConfig(cfg);
    const have = [...c.ip4, ...c.ip6].sort().join(' ');
    const wantIps = spec.ips
      .map((ip) => bytesToIp(ipToBytes(ip)))
      .sort()
      .join(' ');
    if (have !== wantIps) problems.push(`${L.MAPS.podCfg}[${ifindex}] ips ${have || '(none)'}, want ${wantIps}`);
  }
  const eps = maps.get(L.MAPS.endpoints)!;
  for (const ip of spec.ips) {
    const v = eps.lookup(L.encodeEndpointKey(ip));
    if (!v) problems.push(`no ${L.MAPS.endpoints} entry for ${ip}`);
    else if (L.decodeEndpointInfo(v).ifindex !== ifindex) {
      problems.push(`${L.MAPS.endpoints}[${ip}] points at ifindex ${L.decodeEndpointInfo(v).ifindex}, want ${ifindex}`);
    }
  }
}

/** What differs from the plan (empty = healthy). */
export function checkEndpoint(deps: DatapathDeps, spec: EndpointSpec): string[] {
  if (spec.hostIfindex === undefined) return ['hostIfindex unknown'];
  const problems: string[] = [];
  for (const st of linkSteps(spec)) {
    if (st.op === 'bpf') checkLink(deps.sys, st, problems);
    else checkTcFilter(deps.tc, st, problems);
  }
  const maps = openDatapathMaps(deps.sys, spec.bpfRoot, deps.object);
  if (!maps) return [...problems, `datapath maps are not pinned under ${spec.bpfRoot}`];
  try {
    checkMaps(maps, spec, problems);
  } finally {
    maps.close();
  }
  return problems;
}
