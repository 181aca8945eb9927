// CHECK: the attachment still looks the way ADD left it. Uses prevResult (required) and the record;
// each mismatch is named. IPAM CHECK runs too, in its own process while we look.
import { hostIfName as deriveHostIfName, linkCompatibility } from '../connector/index.js';
import { Code, CniError } from '../cni/errors.js';
import { netlinkIn, openNetns } from '../netns/index.js';
import { Netlink, parseCidr } from '../netlink/index.js';
import type { PodDatapath } from '../datapath/index.js';
import { readRecord, recordPath } from './endpoint-record.js';
import { startIpamCheck } from './ipam-calls.js';
import { Plan } from './plan.js';
import { readModeFile } from '../connector/index.js';
import type { Request } from './types.js';

export function buildCheckPlan(req: Request, dp: PodDatapath): Plan {
  const { conf, env } = req;
  const hostIfName = deriveHostIfName(env.containerId, env.ifname);
  const recFile = recordPath(conf.stateDir, env.containerId, env.ifname);
  const plan = new Plan('CHECK');
  plan.add('check attachment', [
    'require prevResult',
    `read ${recFile}; check ${hostIfName} kind and netkit mode against the record (mixed-mode nodes are fine)`,
    `check ${env.ifname} in ${env.netns}: up, addresses and routes from prevResult`,
    'check BPF links and endpoint map entries',
    conf.ipamType ? `start IPAM plugin ${conf.ipamType} CHECK first; its answer counts once ours is in` : 'no ipam configured',
  ], async () => {
    const prev = conf.prevResult;
    if (!prev) throw new CniError(Code.InvalidConfig, 'CHECK requires prevResult', 'the runtime must pass the ADD result as prevResult');
    const rec = readRecord(recFile);
    if (!rec || rec.state !== 'ready') throw new CniError(Code.UnknownContainer, `no completed podlink attachment for ${env.containerId}/${env.ifname}`, 'ADD did not finish or DEL already ran');
    const ipam = conf.ipamType ? startIpamCheck(req) : undefined;
    const problems: string[] = [];
    const nl = Netlink.open(req.sys());
    const ns = openNetns(req.sys(), env.netns);
    const podNl = netlinkIn(req.sys(), ns.fd);
    try {
      const host = nl.linkByName(hostIfName);
      if (!host) problems.push(`host interface ${hostIfName} is missing`);
      else {
        const mode = linkCompatibility(host);
        if (mode !== rec.mode) problems.push(`host interface ${hostIfName} is ${mode ?? host.kind ?? 'unknown'}, the record says ${rec.mode}`);
        if (rec.hostIfindex !== undefined && host.index !== rec.hostIfindex) problems.push(`host interface ifindex ${host.index} != recorded ${rec.hostIfindex}`);
        if (!(host.flags & 1)) problems.push(`host interface ${hostIfName} is down`);
      }
      const pod = podNl.linkByName(env.ifname);
      if (!pod) problems.push(`${env.ifname} is missing in ${env.netns}`);
      else {
        if (!(pod.flags & 1)) problems.push(`${env.ifname} is down`);
        const have = new Set(podNl.addrs().filter((a) => a.index === pod.index).map((a) => `${a.address}/${a.prefix}`));
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
          if (!routes.some((x) => x.dst === dst && (!r.gw || x.gw === r.gw))) problems.push(`route ${r.dst}${r.gw ? ` via ${r.gw}` : ''} is missing in ${env.netns}`);
        }
        if (host) {
          // One FIB lookup per pod IP, not a dump of the node's routes (which grows with every pod).
          for (const ip of rec.ips) {
            if (nl.routeTo(ip.split('/')[0]!)?.oif !== host.index) problems.push(`host route ${ip} via ${hostIfName} is missing`);
          }
          let features = { tcx: true };
          try {
            features = readModeFile(conf.modeFile)?.features ?? features;
          } catch {
            // STATUS reports a bad mode file; CHECK judges the attachment
          }
          problems.push(...dp.check({
            bpfRoot: conf.bpfRoot, mode: rec.mode, tcx: features.tcx, hostIfName, hostIfindex: host.index, podIfindex: pod.index,
            hostMac: rec.hostMac, podMac: rec.podMac, ips: rec.ips, antiSpoof: conf.antiSpoof, clusterCIDRs: conf.clusterCIDRs,
          }));
        }
      }
    } finally {
      podNl.close();
      ns.close();
      nl.close();
      // Never return (or throw) before the plugin we started has finished.
      await ipam?.settled;
    }
    if (problems.length) throw new CniError(Code.Internal, `CHECK failed for ${env.containerId}/${env.ifname}: ${problems.join('; ')}`);
    await ipam?.result;
  });
  return plan;
}
