// ADD: validate → mode → IPAM started → link pair → BPF attached → IPAM answer → addressing/routes →
// BPF map entries for the IPs → record → result. The IPAM plugin runs in its own process while we
// create the link pair and attach BPF (each tcx/netkit attachment waits for an RCU grace period in
// the kernel): its time is hidden behind ours. Every step registers its undo; a failure anywhere
// leaves nothing behind. Each step below is its dry-run words (from AddFacts) and its run (over what
// the steps before it produced).
import { deleteLinkPair, isLayer2, isNetkit, newLinkPair, VETH_QUEUES, type LinkPairConfig, type ModeFile } from '../connector/index.js';
import { Code, CniError } from '../cni/errors.js';
import type { Result, Route as CniRoute } from '../cni/result.js';
import type { AttachIntent } from '../datapath/index.js';
import { inNetns } from '../netns/index.js';
import { isoTime } from '../util/index.js';
import { formatMac as hex, parseCidr, type Link } from '../netlink/index.js';
import { datapathMode, modeWords, openPod, type AddBase, type AddFacts, type DatapathMode, type PodHandles } from './add-facts.js';
import { removeRecord, writeRecord, readRecord, type EndpointRecord } from './endpoint-record.js';
import { answered, ipamDel, startIpamAdd, type PendingIpam } from './ipam-calls.js';
import { settleOrphans } from './orphaned-ipam.js';
import { Plan, type Step } from './plan.js';
import { loadOrProbeModeFile } from './probe.js';
import { podMtu } from './mtu.js';
import { ensureSysctl, ifSysctl } from './sysctl.js';
import type { Request } from './types.js';

const GW4 = '169.254.1.1';
/** Every netns registers its loopback device first: ifindex 1 (docs/kernel.md#ifindex-allocation). */
const LOOPBACK_IFINDEX = 1;
const GW6 = 'fe80::1';

type AddStep<In, Out = void> = Step<AddFacts, In, Out>;
type Moded = AddBase & PodHandles & { mode: DatapathMode };
interface PodIp {
  address: string;
  cidr: string;
  family: 4 | 6;
  gateway: string;
}

const openPodNetns: AddStep<AddBase, PodHandles> = {
  name: 'open pod netns',
  ops: ({ req: { env }, podIfExists }) => [
    `open ${env.netns}, verify it is a network namespace other than ours`,
    podIfExists ? `${env.ifname} already exists in it: ADD would fail here` : `${env.ifname} does not exist in it yet`,
  ],
  run: ({ req }, s) => {
    const h = openPod(req, (close) => s.atExit(close));
    if (h.podNl.linkByName(req.env.ifname)) {
      const { ifname, netns } = req.env;
      const hint = 'choose another CNI_IFNAME, or DEL the existing attachment first';
      throw new CniError(Code.InvalidEnv, `interface ${ifname} already exists in ${netns}`, hint);
    }
    return h;
  },
};

const resolveDatapathMode: AddStep<AddBase & PodHandles, { mode: DatapathMode }> = {
  name: 'resolve datapath mode',
  ops: ({ req: { conf }, modeFile, mode }) => [
    modeFile
      ? `read ${conf.modeFile} (kernel ${modeFile.kernel}, probed ${modeFile.probedAt})`
      : `mode file ${conf.modeFile} missing: ADD would probe the kernel under a lock and write it (the dry run probed now)`,
    `configured mode ${conf.mode}: ${modeWords(mode)}`,
  ],
  run: ({ req, probeDeps }) => {
    const { conf, log } = req;
    const onProbe = (m: ModeFile) => log.info(`probed kernel: operational mode ${m.operational} (${m.reason})`);
    const mf = loadOrProbeModeFile(probeDeps(), conf.mode, conf.modeFile, onProbe);
    const mode = datapathMode(conf.mode, mf);
    if (mode.operational === 'veth' && conf.mode === 'auto' && mf.features.netkit === false) log.debug(mode.reason);
    return { mode };
  },
};

/** A record that names another attachment than this request's. */
const otherAttachment = (rec: EndpointRecord, env: Request['env']) => rec.containerId !== env.containerId || rec.ifname !== env.ifname;

/** The record of this attachment, refusing one that names another (a record name collision). */
function ownRecord({ req: { env }, names }: AddBase, old: EndpointRecord | undefined): EndpointRecord | undefined {
  if (old && otherAttachment(old, env)) {
    const hint = 'a record name collision: remove the stale record if that attachment no longer exists';
    throw new CniError(Code.InvalidEnv, `endpoint record ${names.recFile} belongs to ${old.containerId}/${old.ifname}`, hint);
  }
  return old;
}

function foreignDevice(hostIfName: string): CniError {
  const msg = `host interface ${hostIfName} for this attachment already exists and podlink has no record of it`;
  return new CniError(Code.InvalidEnv, msg, 'a foreign device uses the derived name; remove it');
}

function claimWords(f: AddFacts): string[] {
  const { names, record, staleDevice } = f;
  const write = `write intent record ${names.recFile}`;
  if (record && otherAttachment(record, f.req.env)) {
    return [`${names.recFile} belongs to ${record.containerId}/${record.ifname}: ADD would fail here`];
  }
  if (record) {
    const dev = `${record.hostIfName}${record.hostIfindex === undefined ? '' : ` (ifindex ${record.hostIfindex})`}`;
    const ipamDel = record.ipamType && f.req.conf.ipamType ? `, IPAM DEL (${record.ipamType})` : '';
    return [
      `found a ${record.state} record of an unfinished ADD of this attachment: clean it up first`,
      `wait for its IPAM ADD${ipamDel}, delete ${dev}, detach its BPF`,
      write,
    ];
  }
  if (staleDevice) return [`${names.hostIfName} exists and podlink has no record of it: ADD would fail here`];
  return [`no record and no ${names.hostIfName} left by an earlier ADD`, write];
}

const claimEndpoint: AddStep<Moded> = {
  name: 'claim endpoint',
  ops: claimWords,
  run: async (c, s) => {
    const { req, dp, names, hostNl } = c;
    const { conf, env } = req;
    const old = ownRecord(c, readRecord(names.recFile));
    if (old) {
      // Same (containerID, ifname) again without a DEL: the earlier ADD crashed. What it left is ours.
      req.log.warn(`found a record of an unfinished ADD for ${env.containerId}/${env.ifname}: cleaning it up first`);
      await settleOrphans(req);
      if (old.ipamType && conf.ipamType) ipamDel(req);
      deleteLinkPair(hostNl, old.hostIfName, { mode: old.mode, ifindex: old.hostIfindex });
      dp.detach(conf.bpfRoot, old.hostIfName, old.hostIfindex, old.ips);
    }
    if (hostNl.linkByName(names.hostIfName)) throw foreignDevice(names.hostIfName);
    writeRecord(names.recFile, endpointRecord(c, 'creating', {}));
    s.undo(`remove record ${names.recFile}`, () => void removeRecord(names.recFile));
  },
};

function prevIps(f: AddFacts): string {
  const ips = f.req.conf.prevResult?.ips.map((i) => i.address) ?? [];
  return ips.length ? ips.join(', ') : 'none: ADD would fail here (ipam.type is required)';
}

const startIpam: AddStep<Moded, { ipamAnswer: PendingIpam<Result> }> = {
  name: 'start IPAM ADD',
  ops: (f) => {
    const type = f.req.conf.ipamType;
    if (!type) return [`no ipam configured: use the IPs of prevResult (${prevIps(f)})`];
    return [`start IPAM plugin ${type} ADD (${f.ipamPath}) with the whole config; it runs while the next steps do`];
  },
  run: ({ req }, s) => {
    const { conf } = req;
    if (!conf.ipamType) {
      const hint = 'configure an IPAM plugin such as host-local';
      if (!conf.prevResult?.ips.length) throw new CniError(Code.InvalidConfig, 'ipam.type is required', hint);
      return { ipamAnswer: answered(conf.prevResult) };
    }
    const call = startIpamAdd(req);
    // Undo registered first: an IPAM ADD that allocated but answered garbage must still be released,
    // and one still running when a later step fails is waited for before its DEL.
    s.undo(`IPAM DEL (${conf.ipamType})`, () => {
      call.settle();
      ipamDel(req);
    });
    return { ipamAnswer: call };
  },
};

/** The link pair ADD creates, but for the pod netns fd. */
function pairConfig(c: AddBase & { mode: DatapathMode }, mtu: number): Omit<LinkPairConfig, 'podNetnsFd'> {
  const { conf, env } = c.req;
  const fromPodAttached = c.dp.attachesFromPod && conf.hostRouting !== 'legacy';
  return {
    mode: c.mode.operational,
    hostIfName: c.names.hostIfName,
    podIfName: env.ifname,
    mtu,
    hostMac: c.names.hostMac,
    podMac: c.names.podMac,
    gsoMaxSize: conf.gsoMaxSize,
    groMaxSize: conf.groMaxSize,
    headroom: conf.headroom,
    tailroom: conf.tailroom,
    scrubSupported: c.mode.scrub,
    // Fail-closed: the pod cannot send until the from-pod program is attached (BPF step).
    peerPolicy: fromPodAttached ? 'drop' : 'forward',
  };
}

function pairWords(f: AddFacts): string[] {
  const p = pairConfig(f, f.mtu.mtu);
  const mac = isLayer2(p.mode) ? `mac ${hex(p.hostMac)}` : 'no mac (L3)';
  const nk = isNetkit(p.mode) ? `; peer policy ${p.peerPolicy}, scrub ${p.scrubSupported ? 'set' : 'not supported'}` : '';
  const sizes = [
    p.mode === 'veth' && `${VETH_QUEUES} tx and ${VETH_QUEUES} rx queue`,
    p.gsoMaxSize && `gso_max_size ${p.gsoMaxSize}`,
    p.groMaxSize && `gro_max_size ${p.groMaxSize}`,
  ].filter(Boolean);
  return [
    `create ${p.mode} pair: host ${p.hostIfName} (${mac}), peer ${p.podIfName} born in ${f.req.env.netns}${nk}`,
    `mtu ${p.mtu} (${f.mtu.from}) on both ends${sizes.length ? `, ${sizes.join(', ')}` : ''}`,
    're-read both ends and verify kind, mode, policies, MTU and MACs',
  ];
}

const createLinkPair: AddStep<Moded & { ipamAnswer: PendingIpam<Result> }, { mtu: number; host: Link; pod: Link }> = {
  name: 'create link pair',
  ops: pairWords,
  run: (c, s) => {
    const { hostNl, podNl, netns, names } = c;
    const mtu = podMtu(c.req.conf, hostNl).mtu;
    const pair = newLinkPair(hostNl, podNl, { ...pairConfig(c, mtu), podNetnsFd: netns.fd });
    s.undo(`delete ${names.hostIfName}`, () => void hostNl.deleteLink(pair.host.index, names.hostIfName));
    // The IPAM plugin was spawned meanwhile (lib/sys spawns on a thread); from here on its process exists,
    // so an ADD that dies later leaves it for DEL to wait for (orphaned-ipam.ts).
    c.ipamAnswer.started();
    return { mtu, host: pair.host, pod: pair.pod };
  },
};

/** The endpoint as the datapath sees it before the devices exist. */
function attachIntent({ req: { conf }, names, mode }: AddBase & { mode: DatapathMode }): AttachIntent {
  const l3 = isNetkit(mode.operational) && !isLayer2(mode.operational);
  return {
    bpfRoot: conf.bpfRoot,
    mode: mode.operational,
    tcx: mode.tcx,
    hostIfName: names.hostIfName,
    hostMac: l3 ? undefined : hex(names.hostMac),
    podMac: l3 ? undefined : hex(names.podMac),
    antiSpoof: conf.antiSpoof,
    clusterCIDRs: conf.clusterCIDRs,
  };
}

type Paired = Moded & { host: Link; pod: Link };
const cidrs = (ips: PodIp[]) => ips.map((i) => i.cidr);
const endpoint = (c: Paired, ips: PodIp[]) => ({ ...attachIntent(c), hostIfindex: c.host.index, podIfindex: c.pod.index, ips: cidrs(ips) });

// The two hooks are attached in two steps with the wait for IPAM and the pod side between them: the second
// link create would otherwise start right when the first one's grace period ends, and wait out most of
// the next one before its own (docs/kernel.md#tcx-rcu). Only the host side (device up, routes) and
// publishing make the pod reachable, and both come after the to-pod hook.
const attachFromPodHook: AddStep<Paired, { pins: string[] }> = {
  name: 'attach BPF from-pod hook',
  ops: (f) => f.dp.describeAttach(attachIntent(f), 'from-pod'),
  run: (c, s) => {
    const { dp, req, names, host } = c;
    s.undo(`detach BPF from ${names.hostIfName}`, () => dp.detach(req.conf.bpfRoot, names.hostIfName, host.index, []));
    return { pins: dp.attach(endpoint(c, []), 'from-pod') };
  },
};

/** Undone with the from-pod hook: that step's undo detaches the whole endpoint. */
const attachToPodHook: AddStep<Addressed & { pins: string[] }, { pins: string[] }> = {
  name: 'attach BPF to-pod hook',
  ops: (f) => f.dp.describeAttach(attachIntent(f), 'to-pod'),
  run: (c) => ({ pins: [...c.pins, ...c.dp.attach(endpoint(c, []), 'to-pod')] }),
};

const waitForIpam: AddStep<Paired & { ipamAnswer: PendingIpam<Result> }, { ipam: Result; ips: PodIp[] }> = {
  name: 'wait for IPAM',
  ops: ({ req: { conf } }) => [
    conf.ipamType ? `wait for IPAM plugin ${conf.ipamType} ADD; its IPs become the pod's (/32 and /128)` : 'take the IPs from prevResult',
  ],
  run: ({ req, ipamAnswer }) => {
    const ipam = ipamAnswer.wait();
    if (!ipam.ips.length) throw new CniError(Code.InvalidConfig, `IPAM plugin ${req.conf.ipamType} returned no IPs`);
    const ips = ipam.ips.map((ip): PodIp => {
      const c = parseCidr(ip.address);
      const gateway = ip.gateway ?? (c.family === 4 ? GW4 : GW6);
      return { address: c.address, cidr: `${c.address}/${c.family === 4 ? 32 : 128}`, family: c.family, gateway };
    });
    return { ipam, ips };
  },
};

type Addressed = Paired & { ipam: Result; ips: PodIp[] };

const configurePodSide: AddStep<Addressed, { routes: CniRoute[] }> = {
  name: 'configure pod side',
  ops: ({ req: { env }, mode }) => [
    `in ${env.netns}: bring lo up; add the IPAM addresses to ${env.ifname} as /32 and /128 (IPv6 nodad)`,
    `default routes via the IPAM gateway (else ${GW4} / ${GW6}) onlink`,
    ...(isLayer2(mode.operational) ? [`${mode.operational}: permanent neighbour for the gateway (the host-side MAC)`] : []),
    `bring ${env.ifname} up`,
  ],
  run: (c) => {
    const { req, podNl, pod, ips, names } = c;
    const { env } = req;
    inNetns(req.sys(), c.netns.fd, () => {
      podNl.setLink(LOOPBACK_IFINDEX, 'lo', { up: true });
      if (ips.some((i) => i.family === 6)) {
        try {
          ensureSysctl(ifSysctl('ipv6', env.ifname, 'disable_ipv6'), '0');
          ensureSysctl(ifSysctl('ipv6', env.ifname, 'accept_ra'), '0');
        } catch {
          // IPv6 disabled on this kernel: the address add below reports it
        }
      }
    });
    for (const ip of ips) podNl.addAddr(pod.index, ip.cidr, { nodad: ip.family === 6, ifname: env.ifname });
    podNl.setLink(pod.index, env.ifname, { up: true });
    const l2 = isLayer2(c.mode.operational);
    const ipamRoutes = c.ipam.routes ?? [];
    const routes: CniRoute[] = [];
    for (const ip of ips) {
      if (l2) podNl.setNeigh(pod.index, ip.gateway, names.hostMac, env.ifname);
      const fam = ip.family;
      const wanted = ipamRoutes.filter((r) => parseCidr(r.dst).family === fam);
      const dsts = wanted.length ? wanted : [{ dst: fam === 4 ? '0.0.0.0/0' : '::/0' } as CniRoute];
      for (const r of dsts) {
        const gw = r.gw ?? ip.gateway;
        if (routes.some((x) => x.dst === r.dst)) continue;
        podNl.replaceRoute({ dst: r.dst, gw, oif: pod.index, onlink: true }, env.ifname);
        routes.push({ dst: r.dst, gw });
      }
    }
    return { routes };
  },
};

const configureHostSide: AddStep<Addressed> = {
  name: 'configure host side',
  ops: ({ names: { hostIfName }, mode }) => [
    `bring ${hostIfName} up; rp_filter=0 and forwarding=1 on it; net.ipv4.ip_forward=1 (and net.ipv6.conf.all.forwarding=1 with IPv6)`,
    `routes to the pod IPs via ${hostIfName}`,
    ...(isLayer2(mode.operational) ? [`${mode.operational}: permanent neighbours for the pod IPs`] : []),
  ],
  run: (c, s) => {
    const { host, hostNl: nl, ips } = c;
    const { hostIfName, podMac } = c.names;
    ensureSysctl(ifSysctl('ipv4', hostIfName, 'rp_filter'), '0');
    ensureSysctl(ifSysctl('ipv4', hostIfName, 'forwarding'), '1');
    ensureSysctl('/proc/sys/net/ipv4/ip_forward', '1');
    if (ips.some((i) => i.family === 6)) {
      ensureSysctl(ifSysctl('ipv6', hostIfName, 'forwarding'), '1');
      ensureSysctl('/proc/sys/net/ipv6/conf/all/forwarding', '1');
    }
    nl.setLink(host.index, hostIfName, { up: true });
    const l2 = isLayer2(c.mode.operational);
    for (const ip of ips) {
      if (l2) nl.setNeigh(host.index, ip.address, podMac, hostIfName);
      nl.replaceRoute({ dst: ip.cidr, oif: host.index, scope: 'link' }, hostIfName);
      s.undo(`delete route ${ip.cidr}`, () => void nl.deleteRoute({ dst: ip.cidr, oif: host.index, scope: 'link' }));
    }
  },
};

const publishEndpoint: AddStep<Addressed> = {
  name: 'publish endpoint',
  ops: (f) => f.dp.describePublish(),
  run: (c, s) => {
    const { dp, req, names, host, ips } = c;
    // The attach step's undo removes no pod IP: these entries go with this one.
    s.undo(`remove the map entries of ${names.hostIfName}`, () => dp.detach(req.conf.bpfRoot, names.hostIfName, host.index, cidrs(ips)));
    dp.publish(endpoint(c, ips));
  },
};

const writeEndpointRecord: AddStep<Addressed & { pins: string[] }> = {
  name: 'write endpoint record',
  ops: ({ names, mode }) => [`write ${names.recFile} (mode ${mode.operational}, host ifname and ifindex, IPs, pins)`],
  run: (c) => writeRecord(c.names.recFile, endpointRecord(c, 'ready', c)),
};

function endpointRecord(
  c: AddBase & { mode: DatapathMode },
  state: EndpointRecord['state'],
  got: { host?: Link; pod?: Link; ips?: PodIp[]; pins?: string[] },
): EndpointRecord {
  const { conf, env } = c.req;
  return {
    v: 1,
    state,
    network: conf.name,
    containerId: env.containerId,
    ifname: env.ifname,
    netns: env.netns,
    mode: c.mode.operational,
    hostIfName: c.names.hostIfName,
    hostIfindex: got.host?.index,
    podIfindex: got.pod?.index,
    hostMac: hex(c.names.hostMac),
    podMac: hex(c.names.podMac),
    ips: (got.ips ?? []).map((i) => i.cidr),
    ipamType: conf.ipamType,
    pins: got.pins ?? [],
    createdAt: isoTime(),
  };
}

export const addPlan = Plan.start<AddFacts, AddBase>('ADD')
  .then(openPodNetns)
  .then(resolveDatapathMode)
  .then(claimEndpoint)
  .then(startIpam)
  .then(createLinkPair)
  .then(attachFromPodHook)
  .then(waitForIpam)
  .then(configurePodSide)
  .then(attachToPodHook)
  .then(configureHostSide)
  .then(publishEndpoint)
  .then(writeEndpointRecord);

export type AddDone = Awaited<ReturnType<typeof addPlan.execute>>;
