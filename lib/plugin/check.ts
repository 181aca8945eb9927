// CHECK: the attachment still looks the way ADD left it. Uses prevResult (required) and the record;
// each mismatch is named. IPAM CHECK runs too, in its own process while we look.
import * as fs from 'node:fs';
import { linkCompatibility, readModeFile } from '../connector/index.js';
import { Code, CniError } from '../cni/errors.js';
import type { Result } from '../cni/result.js';
import { hooksFor } from '../datapath/index.js';
import { netlinkIn, openNetns } from '../netns/index.js';
import { Netlink, parseCidr, type Link } from '../netlink/index.js';
import type { Attachment } from './attachment.js';
import { readRecord, type EndpointRecord } from './endpoint-record.js';
import { answered, ipamPluginPath, startIpamCheck, type PendingIpam } from './ipam-calls.js';
import { Plan, type Step } from './plan.js';

/** What CHECK would read, for --dry-run. */
export interface CheckFacts extends Attachment {
  record: EndpointRecord | undefined;
  host: Link | undefined;
  tcx: boolean;
  /** Where `tcx` came from, in words. */
  tcxFrom: string;
  ipamPath: string;
}

/** tcx per the mode file; a bad or missing one is STATUS's to report, CHECK judges the attachment. */
function modeFileTcx(file: string): boolean {
  try {
    return readModeFile(file)?.features.tcx ?? true;
  } catch {
    return true;
  }
}

export function surveyCheck(base: Attachment): CheckFacts {
  const { req } = base;
  const nl = Netlink.open(req.sys());
  try {
    const record = readRecord(base.recFile);
    const file = req.conf.modeFile;
    const tcxFrom = fs.existsSync(file) ? `per ${file}` : `assumed: no ${file}`;
    return { ...base, record, host: nl.linkByName(base.hostIfName), tcx: modeFileTcx(file), tcxFrom, ipamPath: ipamPluginPath(req) };
  } finally {
    nl.close();
  }
}

type CheckStep<In, Out = void> = Step<CheckFacts, In, Out>;
type Started = Attachment & { prev: Result; ipam: PendingIpam<void> };
type Read = Started & { rec: EndpointRecord };
type Looked = Read & { problems: string[] };

// The IPAM plugin starts first: its CHECK runs in a process of its own while we read the record and look
// at the kernel, so the sooner it starts the less "wait for IPAM" waits (docs/architecture.md#check).
const startIpam: CheckStep<Attachment, { prev: Result; ipam: PendingIpam<void> }> = {
  name: 'start IPAM CHECK',
  ops: ({ req: { conf }, ipamPath }) => {
    const prev = conf.prevResult;
    return [
      prev ? `require prevResult: ${prev.ips.length} IPs, ${prev.routes.length} routes` : 'require prevResult: none, CHECK would fail here',
      conf.ipamType ? `start IPAM plugin ${conf.ipamType} CHECK (${ipamPath}); its answer counts once ours is in` : 'no ipam configured',
    ];
  },
  run: ({ req }, s) => {
    const prev = req.conf.prevResult;
    if (!prev) throw new CniError(Code.InvalidConfig, 'CHECK requires prevResult', 'the runtime must pass the ADD result as prevResult');
    const type = req.conf.ipamType;
    if (!type) return { prev, ipam: answered(undefined) };
    const ipam = startIpamCheck(req);
    // Never return (or throw) before the plugin we started has finished.
    s.undo(`wait for IPAM CHECK (${type})`, () => ipam.settle());
    return { prev, ipam };
  },
};

const readEndpointRecord: CheckStep<Started, { rec: EndpointRecord }> = {
  name: 'read endpoint record',
  ops: ({ recFile, record }) => {
    const fails = record?.state === 'ready' ? '' : ', CHECK would fail here';
    return [`read ${recFile}: ${record ? `${record.state}, mode ${record.mode}` : 'absent'}${fails}`];
  },
  run: ({ req: { env }, recFile }) => {
    const rec = readRecord(recFile);
    if (!rec || rec.state !== 'ready') {
      const msg = `no completed podlink attachment for ${env.containerId}/${env.ifname}`;
      throw new CniError(Code.UnknownContainer, msg, 'ADD did not finish or DEL already ran');
    }
    return { rec };
  },
};

const checkHostSide: CheckStep<Read, { host: Link | undefined; problems: string[] }> = {
  name: 'check host side',
  ops: ({ hostIfName, host, record }) => {
    const now = host ? `now ${linkCompatibility(host) ?? host.kind}, ifindex ${host.index}` : 'missing now';
    const recorded = record ? ` (${record.mode}, ifindex ${record.hostIfindex})` : '';
    return [
      `check ${hostIfName} (${now}) against the record${recorded}: kind, netkit mode, ifindex, up (mixed-mode nodes are fine)`,
      `one FIB lookup per pod IP${record ? ` (${record.ips.join(' ')})` : ''}: routed via ${hostIfName}`,
    ];
  },
  run: ({ req, rec, hostIfName }, s) => {
    const problems: string[] = [];
    const hostNl = Netlink.open(req.sys());
    s.atExit(() => hostNl.close());
    const host = hostNl.linkByName(hostIfName);
    if (!host) return { host, problems: [`host interface ${hostIfName} is missing`] };
    const mode = linkCompatibility(host);
    if (mode !== rec.mode) problems.push(`host interface ${hostIfName} is ${mode ?? host.kind ?? 'unknown'}, the record says ${rec.mode}`);
    if (rec.hostIfindex !== undefined && host.index !== rec.hostIfindex) {
      problems.push(`host interface ifindex ${host.index} != recorded ${rec.hostIfindex}`);
    }
    if (!(host.flags & 1)) problems.push(`host interface ${hostIfName} is down`);
    // One FIB lookup per pod IP, not a dump of the node's routes (which grows with every pod).
    for (const ip of rec.ips) {
      if (hostNl.routeTo(ip.replace(/\/.*$/, ''))?.oif !== host.index) problems.push(`host route ${ip} via ${hostIfName} is missing`);
    }
    return { host, problems };
  },
};

function podProblems(podNl: Netlink, pod: Link, { req: { env }, prev }: Read): string[] {
  const problems: string[] = [];
  if (!(pod.flags & 1)) problems.push(`${env.ifname} is down`);
  const have = new Set(
    podNl
      .addrs()
      .filter((a) => a.index === pod.index)
      .map((a) => `${a.address}/${a.prefix}`),
  );
  const podIdx = prev.interfaces.findIndex((i) => i.name === env.ifname && i.sandbox === env.netns);
  for (const ip of prev.ips) {
    if (ip.interface !== undefined && ip.interface !== podIdx) continue;
    const c = parseCidr(ip.address);
    if (!have.has(`${c.address}/${c.prefix}`)) problems.push(`address ${ip.address} is missing on ${env.ifname}`);
  }
  // Any table: a later chained plugin (sbr, for one) may have moved the routes (CNI §CHECK).
  const routes = [...podNl.routes(4), ...podNl.routes(6)];
  for (const r of prev.routes) {
    const d = parseCidr(r.dst);
    const dst = `${d.address}/${d.prefix}`;
    const via = r.gw ? ` via ${r.gw}` : '';
    if (!routes.some((x) => x.dst === dst && (!r.gw || x.gw === r.gw))) problems.push(`route ${r.dst}${via} is missing in ${env.netns}`);
  }
  return problems;
}

const checkPodSide: CheckStep<Looked, { pod: Link | undefined }> = {
  name: 'check pod side',
  ops: ({ req: { env } }) => [`check ${env.ifname} in ${env.netns}: up, addresses and routes from prevResult`],
  run: (c, s) => {
    const { req, problems } = c;
    const ns = openNetns(req.sys(), req.env.netns);
    s.atExit(() => ns.close());
    const podNl = netlinkIn(req.sys(), ns.fd);
    s.atExit(() => podNl.close());
    const pod = podNl.linkByName(req.env.ifname);
    if (!pod) return { pod, problems: [...problems, `${req.env.ifname} is missing in ${req.env.netns}`] };
    return { pod, problems: [...problems, ...podProblems(podNl, pod, c)] };
  },
};

const checkBpf: CheckStep<Looked & { host: Link | undefined; pod: Link | undefined }, { problems: string[] }> = {
  name: 'check BPF datapath',
  ops: ({ record, tcx, tcxFrom }) => {
    const hooks = record ? Object.values(hooksFor(record.mode, tcx)).join(' and ') : "the recorded mode's hooks";
    return [`check the BPF links on ${hooks} (tcx ${tcx ? 'yes' : 'no'}, ${tcxFrom}) and the endpoint map entries`];
  },
  run: ({ req: { conf }, dp, rec, host, pod, hostIfName, problems }) => {
    if (!host || !pod) return { problems };
    const tcx = modeFileTcx(conf.modeFile);
    const found = dp.check({
      bpfRoot: conf.bpfRoot,
      mode: rec.mode,
      tcx,
      hostIfName,
      hostIfindex: host.index,
      podIfindex: pod.index,
      hostMac: rec.hostMac,
      podMac: rec.podMac,
      ips: rec.ips,
      antiSpoof: conf.antiSpoof,
      clusterCIDRs: conf.clusterCIDRs,
    });
    return { problems: [...problems, ...found] };
  },
};

const waitForIpam: CheckStep<Looked> = {
  name: 'wait for IPAM',
  ops: ({ req: { conf } }) => [
    conf.ipamType ? `wait for IPAM plugin ${conf.ipamType} CHECK; any problem above fails CHECK first` : 'report the problems found',
  ],
  run: ({ req: { env }, ipam, problems }) => {
    ipam.settle();
    if (problems.length) throw new CniError(Code.Internal, `CHECK failed for ${env.containerId}/${env.ifname}: ${problems.join('; ')}`);
    ipam.wait();
  },
};

export const checkPlan = Plan.start<CheckFacts, Attachment>('CHECK')
  .then(startIpam)
  .then(readEndpointRecord)
  .then(checkHostSide)
  .then(checkPodSide)
  .then(checkBpf)
  .then(waitForIpam);
