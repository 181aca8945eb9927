// DEL: best-effort and idempotent. IPAM DEL is started first (it runs even with the netns gone, in its
// own process, while we work), then the host link goes by its derived name whatever the current mode is
// (ownership checked against the record), then the BPF pins and map entries; the record is removed only
// once IPAM has answered, so a failed IPAM DEL leaves it for the runtime's retry.
// Succeeds when things are already gone; fails only where a retry could help.
import { deleteLinkPair, hostIfName as deriveHostIfName } from '../connector/index.js';
import { Netlink } from '../netlink/index.js';
import type { PodDatapath } from '../datapath/index.js';
import { detachScope, type DetachScope } from './detach-scope.js';
import { readRecord, recordPath, removeRecord, RecordError, type EndpointRecord } from './endpoint-record.js';
import { startIpamDel, type PendingIpam } from './ipam-calls.js';
import { settleOrphans } from './orphaned-ipam.js';
import { Plan } from './plan.js';
import type { Request } from './types.js';

export function buildDelPlan(req: Request, dp: PodDatapath): Plan & { close(): void } {
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

  let ipam: PendingIpam<void> | undefined;
  plan.add('start IPAM DEL', [conf.ipamType ? `start IPAM plugin ${conf.ipamType} DEL (runs even when the netns is gone, while the next steps do); after a crashed ADD, first wait for the IPAM ADD it left running` : 'no ipam configured'], async (s) => {
    if (!conf.ipamType) return;
    if (rec?.state === 'creating') await settleOrphans(req);
    const call = startIpamDel(req);
    ipam = call;
    // Not an undo: a later step failing must not return before the plugin we started has finished.
    s.undo(`wait for IPAM DEL (${conf.ipamType})`, () => call.settled);
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

  plan.add('wait for IPAM', [conf.ipamType ? `wait for IPAM plugin ${conf.ipamType} DEL; its failure fails DEL (the runtime retries)` : 'no ipam configured'], async () => {
    await ipam?.result;
  });

  plan.add('remove endpoint record', [`remove ${recFile}`], () => {
    removeRecord(recFile);
  });

  return Object.assign(plan, { close: () => nl?.close() });
}
