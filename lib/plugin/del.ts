// DEL: best-effort and idempotent. IPAM first (even with the netns gone), then the host link by its
// derived name whatever the current mode is (ownership checked against the record), then the BPF
// pins and map entries, then the record.
// Succeeds when things are already gone; fails only where a retry could help.
import { deleteLinkPair, hostIfName as deriveHostIfName } from '../connector/index.js';
import { Netlink } from '../netlink/index.js';
import type { DatapathPort } from './datapath-port.js';
import { detachScope, type DetachScope } from './detach-scope.js';
import { readRecord, recordPath, removeRecord, RecordError, type EndpointRecord } from './endpoint-record.js';
import { ipamDel } from './ipam-port.js';
import { Plan } from './plan.js';
import type { Request } from './types.js';

export function buildDelPlan(req: Request, dp: DatapathPort): Plan & { close(): void } {
  const { conf, env } = req;
  const hostIfName = deriveHostIfName(env.containerId, env.ifname);
  const recFile = recordPath(conf.stateDir, env.containerId, env.ifname);
  const plan = new Plan('DEL');
  let rec: EndpointRecord | undefined;
  let nl: Netlink | undefined;

  plan.add('read endpoint record', [`read ${recFile} (absent is fine)`], () => {
    try {
      rec = readRecord(recFile);
    } catch (e) {
      // A corrupt record must not wedge the pod in Terminating: fall back to the kernel's view.
      if (!(e instanceof RecordError)) throw e;
      req.log.warn(`${e.message}; deleting by derived name and link kind`);
    }
  });

  plan.add('IPAM DEL', [conf.ipamType ? `exec IPAM plugin ${conf.ipamType} DEL (runs even when the netns is gone)` : 'no ipam configured'], () => {
    if (conf.ipamType) ipamDel(req);
  });

  // The device goes before its BPF links are unpinned: deleting it releases its tcx/netkit hooks along
  // with everything else, while detaching a live link first costs an RCU grace period under rtnl per
  // hook (kernel/bpf/tcx.c). What the kernel proves is ours is settled while the link still exists.
  let scope: DetachScope | undefined;
  plan.add('delete link pair', [`delete ${hostIfName} only if the record proves it is ours (kind and ifindex match); the kernel removes the peer, the routes and the BPF hooks with it`], () => {
    nl = Netlink.open(req.sys());
    scope = detachScope(nl, env.containerId, env.ifname, rec);
    // Every link podlink creates has a record written before it (the intent record), so a link
    // without a record, or one whose kind/ifindex differ from it, is not ours: leave it alone.
    if (!rec) {
      if (nl.linkByName(hostIfName)) req.log.warn(`${hostIfName} exists but podlink has no record of creating it for ${env.containerId}/${env.ifname}: left alone`);
      return;
    }
    const outcome = deleteLinkPair(nl, hostIfName, { mode: rec.mode, ifindex: rec.hostIfindex });
    if (outcome === 'foreign') {
      req.log.warn(`${hostIfName} does not match the record (kind or ifindex differ): left alone`);
    }
  });

  plan.add('detach BPF datapath', [`unpin links under ${conf.bpfRoot}/links/${hostIfName}, remove the map entries the kernel proved ours (missing is fine)`], () => {
    const s = scope ?? { hostIfName, ifindex: undefined, ips: [] };
    dp.detach(conf.bpfRoot, s.hostIfName, s.ifindex, s.ips);
  });

  plan.add('remove endpoint record', [`remove ${recFile}`], () => {
    removeRecord(recFile);
  });

  return Object.assign(plan, { close: () => nl?.close() });
}
