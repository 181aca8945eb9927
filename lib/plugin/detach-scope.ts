// Which BPF state DEL and GC may remove for one attachment. The endpoint record is a claim (it may be
// stale, corrupt or forged); the kernel is the proof. Map entries go only for an ifindex that is ours:
// the live host link with our derived name matches the record (kind and ifindex), or no device has
// the recorded ifindex any more, so entries pointing at it are dangling. Linux allocates ifindexes
// cyclically per netns (dev_index_reserve, net/core/dev.c), so a recorded ifindex held by another
// device means the record lies: then only our own pins are removed.
import { hostIfName as deriveHostIfName, linkMatches } from '../connector/index.js';
import type { Netlink } from '../netlink/index.js';
import type { EndpointRecord } from './endpoint-record.js';

export interface DetachScope {
  hostIfName: string;
  /** Undefined: the datapath reads it from our own pinned links, or removes no map entries. */
  ifindex: number | undefined;
  ips: string[];
}

export function detachScope(nl: Netlink, containerId: string, ifname: string, rec: EndpointRecord | undefined): DetachScope {
  const hostIfName = deriveHostIfName(containerId, ifname);
  const none = { hostIfName, ifindex: undefined, ips: [] };
  if (!rec) return none;
  const link = nl.linkByName(hostIfName);
  if (link)
    return linkMatches(link, { mode: rec.mode, ifindex: rec.hostIfindex }) ? { hostIfName, ifindex: link.index, ips: rec.ips } : none;
  // An intent record (written before the link existed) has no ifindex: nothing was attached yet.
  if (rec.hostIfindex === undefined || nl.linkByIndex(rec.hostIfindex)) return none;
  return { hostIfName, ifindex: rec.hostIfindex, ips: rec.ips };
}
