// ADD: validate → mode → IPAM started → link pair → BPF attached → IPAM answer → addressing/routes →
// BPF map entries for the IPs → record → result. The IPAM plugin runs in its own process while we
// create the link pair and attach BPF (each tcx/netkit attachment waits for an RCU grace period in
// the kernel): its time is hidden behind ours. Every step registers its undo; a failure anywhere
// leaves nothing behind.
import { hostIfName as deriveHostIfName, derivedMac, deleteLinkPair, isLayer2, isNetkit, newLinkPair, resolveMode, type OperationalMode } from '../connector/index.js';
import { Code, CniError } from '../cni/errors.js';
import type { Result, IPConfig, Route as CniRoute } from '../cni/result.js';
import { inNetns, netlinkIn, openNetns, sameNetns, warmThreadPool, type NetnsHandle } from '../netns/index.js';
import { Netlink, parseCidr, type Link } from '../netlink/index.js';
import type { PodDatapath } from '../datapath/index.js';
import { recordPath, removeRecord, writeRecord, readRecord, type EndpointRecord } from './endpoint-record.js';
import { Plan } from './plan.js';
import { loadOrProbeModeFile, type ProbeDeps } from './probe.js';
import { ipamDel, startIpamAdd, type PendingIpam } from './ipam-calls.js';
import { settleOrphans } from './orphaned-ipam.js';
import { defaultRouteMtu } from './mtu.js';
import { ensureSysctl, ifSysctl } from './sysctl.js';
import type { Request } from './types.js';

const GW4 = '169.254.1.1';
const GW6 = 'fe80::1';

interface AddState {
  netns?: NetnsHandle;
  hostNl?: Netlink;
  podNl?: Netlink;
  mode?: OperationalMode;
  tcx?: boolean;
  scrub?: boolean;
  ipam?: Result;
  ipamCall?: PendingIpam<Result>;
  host?: Link;
  pod?: Link;
  ips: { cidr: string; family: 4 | 6; gateway: string }[];
  routes: CniRoute[];
  pins: string[];
  mtu?: number;
}

function hex(b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export function buildAddPlan(req: Request, dp: PodDatapath, probeDeps: () => ProbeDeps): { plan: Plan; result: () => Result; cleanup: () => void } {
  const { conf, env } = req;
  const hostIfName = deriveHostIfName(env.containerId, env.ifname);
  const hostMac = derivedMac(`host:${env.containerId}:${env.ifname}`);
  const podMac = derivedMac(`pod:${env.containerId}:${env.ifname}`);
  const recFile = recordPath(conf.stateDir, env.containerId, env.ifname);
  const st: AddState = { ips: [], routes: [], pins: [] };
  const plan = new Plan('ADD');
  const sys = req.sys;

  plan.add('open pod netns', [`open ${env.netns}, verify it is a network namespace other than ours`, `check that ${env.ifname} does not exist in it`], async () => {
    warmThreadPool();
    st.netns = openNetns(sys(), env.netns);
    if (sameNetns(env.netns, '/proc/thread-self/ns/net')) {
      throw new CniError(Code.InvalidEnv, `CNI_NETNS ${env.netns} is the plugin's own network namespace`, 'pass the pod sandbox netns');
    }
    st.hostNl = Netlink.open(sys());
    st.podNl = netlinkIn(sys(), st.netns.fd);
    if (st.podNl.linkByName(env.ifname)) {
      throw new CniError(Code.InvalidEnv, `interface ${env.ifname} already exists in ${env.netns}`, 'choose another CNI_IFNAME, or DEL the existing attachment first');
    }
  });

  plan.add('resolve datapath mode', [`read ${conf.modeFile} (probe the kernel under a lock if it is missing)`, `resolve configured mode ${conf.mode}`], () => {
    const mf = loadOrProbeModeFile(probeDeps(), conf.mode, conf.modeFile, (m) => req.log.info(`probed kernel: operational mode ${m.operational} (${m.reason})`));
    const r = resolveMode(conf.mode, mf.features);
    if (r.operational === 'veth' && conf.mode === 'auto' && mf.features.netkit === false) req.log.debug(r.reason);
    st.mode = r.operational;
    st.tcx = mf.features.tcx;
    st.scrub = mf.features.netkitScrub;
  });

  plan.add('claim endpoint', [`write intent record ${recFile}`, `remove a stale ${hostIfName} left by an earlier crashed ADD of this attachment (after its IPAM plugin has finished)`], async (s) => {
    const old = readRecord(recFile);
    if (old && (old.containerId !== env.containerId || old.ifname !== env.ifname)) {
      throw new CniError(Code.InvalidEnv, `endpoint record ${recFile} belongs to ${old.containerId}/${old.ifname}`, 'a record name collision: remove the stale record if that attachment no longer exists');
    }
    if (old) {
      // Same (containerID, ifname) again without a DEL: the earlier ADD crashed. What it left is ours.
      req.log.warn(`found a record of an unfinished ADD for ${env.containerId}/${env.ifname}: cleaning it up first`);
      await settleOrphans(req);
      if (old.ipamType && conf.ipamType) ipamDel(req);
      deleteLinkPair(st.hostNl!, old.hostIfName, { mode: old.mode, ifindex: old.hostIfindex });
      dp.detach(conf.bpfRoot, old.hostIfName, old.hostIfindex, old.ips);
    }
    if (st.hostNl!.linkByName(hostIfName)) {
      throw new CniError(Code.InvalidEnv, `host interface ${hostIfName} for this attachment already exists and podlink has no record of it`, 'a foreign device uses the derived name; remove it');
    }
    writeRecord(recFile, record('creating'));
    s.undo(`remove record ${recFile}`, () => void removeRecord(recFile));
  });

  plan.add('start IPAM ADD', [conf.ipamType ? `start IPAM plugin ${conf.ipamType} ADD from CNI_PATH with the whole config (it runs while the next steps do)` : 'no ipam configured: use prevResult IPs'], (s) => {
    if (!conf.ipamType) {
      if (!conf.prevResult?.ips.length) throw new CniError(Code.InvalidConfig, 'ipam.type is required', 'configure an IPAM plugin such as host-local');
      return;
    }
    const call = startIpamAdd(req);
    st.ipamCall = call;
    // Undo registered first: an IPAM ADD that allocated but answered garbage must still be released,
    // and one still running when a later step fails is waited for before its DEL.
    s.undo(`IPAM DEL (${conf.ipamType})`, async () => {
      await call.settled;
      ipamDel(req);
    });
  });

  plan.add('create link pair', [`create ${conf.mode === 'auto' ? '<operational mode>' : conf.mode} pair: host ${hostIfName} (mac ${hex(hostMac)} in L2 modes), peer ${env.ifname} born in ${env.netns}`, `mtu ${conf.mtu ?? 'of the default-route device'} on both ends${conf.gsoMaxSize ? `, gso_max_size ${conf.gsoMaxSize}` : ''}${conf.groMaxSize ? `, gro_max_size ${conf.groMaxSize}` : ''}`, 're-read both ends and verify kind, mode, policies, MTU and MACs'], (s) => {
    st.mtu = conf.mtu ?? defaultRouteMtu(st.hostNl!);
    const fromPodAttached = dp.attachesFromPod && conf.hostRouting !== 'legacy';
    const pair = newLinkPair(st.hostNl!, st.podNl!, {
      mode: st.mode!,
      hostIfName,
      podIfName: env.ifname,
      podNetnsFd: st.netns!.fd,
      mtu: st.mtu,
      hostMac,
      podMac,
      gsoMaxSize: conf.gsoMaxSize,
      groMaxSize: conf.groMaxSize,
      headroom: conf.headroom,
      tailroom: conf.tailroom,
      scrubSupported: st.scrub ?? false,
      // Fail-closed: the pod cannot send until the from-pod program is attached (BPF step).
      peerPolicy: fromPodAttached ? 'drop' : 'forward',
    });
    st.host = pair.host;
    st.pod = pair.pod;
    s.undo(`delete ${hostIfName}`, () => void st.hostNl!.deleteLink(pair.host.index, hostIfName));
  });

  plan.add('attach BPF datapath', () => dp.describeAttach({ bpfRoot: conf.bpfRoot, mode: (conf.mode === 'auto' ? 'veth' : conf.mode) as OperationalMode, tcx: true, hostIfName, antiSpoof: conf.antiSpoof, clusterCIDRs: conf.clusterCIDRs }), (s) => {
    s.undo(`detach BPF from ${hostIfName}`, () => dp.detach(conf.bpfRoot, hostIfName, st.host?.index, st.ips.map((i) => i.cidr)));
    st.pins = dp.attach(endpoint([]));
  });

  plan.add('wait for IPAM', [conf.ipamType ? `wait for IPAM plugin ${conf.ipamType} ADD; its IPs become the pod's (/32 and /128)` : 'take the IPs from prevResult'], async () => {
    if (st.ipamCall) {
      st.ipam = await st.ipamCall.result;
      if (!st.ipam.ips.length) throw new CniError(Code.InvalidConfig, `IPAM plugin ${conf.ipamType} returned no IPs`);
    } else {
      st.ipam = conf.prevResult;
    }
    for (const ip of st.ipam!.ips) {
      const c = parseCidr(ip.address);
      const gateway = ip.gateway ?? (c.family === 4 ? GW4 : GW6);
      st.ips.push({ cidr: `${c.address}/${c.family === 4 ? 32 : 128}`, family: c.family, gateway });
    }
  });

  plan.add('configure pod side', [`in ${env.netns}: bring lo up; add IPAM addresses to ${env.ifname} as /32 and /128 (IPv6 nodad)`, `default routes via the IPAM gateway (else ${GW4} / ${GW6}) onlink`, 'L2 modes: permanent neighbour for the gateway (the host-side MAC)', `bring ${env.ifname} up`], () => {
    const podNl = st.podNl!;
    const pod = st.pod!;
    inNetns(sys(), st.netns!.fd, () => {
      const lo = podNl.linkByName('lo');
      if (lo) podNl.setLink(lo.index, 'lo', { up: true });
      if (st.ips.some((i) => i.family === 6)) {
        try {
          ensureSysctl(ifSysctl('ipv6', env.ifname, 'disable_ipv6'), '0');
          ensureSysctl(ifSysctl('ipv6', env.ifname, 'accept_ra'), '0');
        } catch {
          // IPv6 disabled on this kernel: the address add below reports it
        }
      }
    });
    for (const ip of st.ips) podNl.addAddr(pod.index, ip.cidr, { nodad: ip.family === 6, ifname: env.ifname });
    podNl.setLink(pod.index, env.ifname, { up: true });
    const l2 = isLayer2(st.mode!);
    const ipamRoutes = st.ipam?.routes ?? [];
    for (const ip of st.ips) {
      if (l2) podNl.setNeigh(pod.index, ip.gateway, hostMac, env.ifname);
      const fam = ip.family;
      const wanted = ipamRoutes.filter((r) => parseCidr(r.dst).family === fam);
      const dsts = wanted.length ? wanted : [{ dst: fam === 4 ? '0.0.0.0/0' : '::/0' } as CniRoute];
      for (const r of dsts) {
        const gw = r.gw ?? ip.gateway;
        if (st.routes.some((x) => x.dst === r.dst)) continue;
        podNl.replaceRoute({ dst: r.dst, gw, oif: pod.index, onlink: true }, env.ifname);
        st.routes.push({ dst: r.dst, gw });
      }
    }
  });

  plan.add('configure host side', [`bring ${hostIfName} up; rp_filter=0 and forwarding=1 on it; net.ipv4.ip_forward=1 (and net.ipv6.conf.all.forwarding=1 with IPv6)`, `routes to the pod IPs via ${hostIfName}; L2 modes: permanent neighbours for the pod IPs`], (s) => {
    const host = st.host!;
    const nl = st.hostNl!;
    ensureSysctl(ifSysctl('ipv4', hostIfName, 'rp_filter'), '0');
    ensureSysctl(ifSysctl('ipv4', hostIfName, 'forwarding'), '1');
    ensureSysctl('/proc/sys/net/ipv4/ip_forward', '1');
    if (st.ips.some((i) => i.family === 6)) {
      ensureSysctl(ifSysctl('ipv6', hostIfName, 'forwarding'), '1');
      ensureSysctl('/proc/sys/net/ipv6/conf/all/forwarding', '1');
    }
    nl.setLink(host.index, hostIfName, { up: true });
    const l2 = isLayer2(st.mode!);
    for (const ip of st.ips) {
      const addr = ip.cidr.split('/')[0]!;
      if (l2) nl.setNeigh(host.index, addr, podMac, hostIfName);
      nl.replaceRoute({ dst: ip.cidr, oif: host.index, scope: 'link' }, hostIfName);
      s.undo(`delete route ${ip.cidr}`, () => void nl.deleteRoute({ dst: ip.cidr, oif: host.index, scope: 'link' }));
    }
  });

  plan.add('publish endpoint', () => dp.describePublish(), () => {
    dp.publish(endpoint(st.ips.map((i) => i.cidr)));
  });

  plan.add('write endpoint record', [`write ${recFile} (mode, host ifname and ifindex, IPs, pins)`], () => {
    writeRecord(recFile, record('ready'));
  });

  function endpoint(ips: string[]) {
    const l3 = isNetkit(st.mode!) && !isLayer2(st.mode!);
    return {
      bpfRoot: conf.bpfRoot,
      mode: st.mode!,
      tcx: st.tcx ?? false,
      hostIfName,
      hostIfindex: st.host!.index,
      podIfindex: st.pod!.index,
      hostMac: l3 ? undefined : hex(hostMac),
      podMac: l3 ? undefined : hex(podMac),
      ips,
      antiSpoof: conf.antiSpoof,
      clusterCIDRs: conf.clusterCIDRs,
    };
  }

  function record(state: EndpointRecord['state']): EndpointRecord {
    return {
      v: 1,
      state,
      network: conf.name,
      containerId: env.containerId,
      ifname: env.ifname,
      netns: env.netns,
      mode: st.mode ?? 'veth',
      hostIfName,
      hostIfindex: st.host?.index,
      podIfindex: st.pod?.index,
      hostMac: hex(hostMac),
      podMac: hex(podMac),
      ips: st.ips.map((i) => i.cidr),
      ipamType: conf.ipamType,
      pins: st.pins,
      createdAt: new Date().toISOString(),
    };
  }

  const result = (): Result => {
    const l3nk = st.mode === 'netkit';
    const prev = conf.prevResult;
    // Chained after another plugin: keep everything it reported. Without our own IPAM, its IPs become ours.
    const base = prev ? { ...prev, ips: conf.ipamType ? prev.ips : [] } : undefined;
    const interfaces = [...(base?.interfaces ?? [])];
    interfaces.push({ name: hostIfName, mac: l3nk ? undefined : st.host?.mac, mtu: st.mtu });
    const podIdx = interfaces.push({ name: env.ifname, mac: l3nk ? undefined : st.pod?.mac, mtu: st.mtu, sandbox: env.netns }) - 1;
    const ips: IPConfig[] = [...(base?.ips ?? []), ...st.ips.map((i) => ({ address: i.cidr, gateway: i.gateway, interface: podIdx }))];
    return {
      interfaces,
      ips,
      routes: [...(base?.routes ?? []), ...st.routes],
      // A chained earlier plugin's DNS survives; IPAM's and then the config's own fill in over it.
      dns: { ...(prev?.dns ?? {}), ...(st.ipam?.dns ?? {}), ...(conf.dns ?? {}) },
    };
  };

  const cleanup = () => {
    st.hostNl?.close();
    st.podNl?.close();
    st.netns?.close();
  };
  return { plan, result, cleanup };
}
