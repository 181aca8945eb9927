// GC: remove every attachment podlink recorded that is not in cni.dev/valid-attachments. Never touches
// a valid one. Carries on after an error and reports all errors at the end.
import { deleteLinkPair } from '../connector/index.js';
import { Code, CniError } from '../cni/errors.js';
import { Netlink } from '../netlink/index.js';
import type { PodDatapath } from '../datapath/index.js';
import { detachScope } from './detach-scope.js';
import { listRecords, removeRecord } from './endpoint-record.js';
import { ipamDelFor, ipamGc } from './ipam-calls.js';
import type { Request } from './types.js';

/** GC's input must name the attachments still in use; an empty list is valid (none are). */
export function requireAttachmentList(req: Pick<Request, 'conf'>): { containerID: string; ifname: string }[] {
  const list = req.conf.validAttachments;
  if (list) return list;
  throw new CniError(
    Code.InvalidConfig,
    'GC needs cni.dev/valid-attachments (or cni.dev/attachments): without the list of attachments still in use every one would look stale',
    'nothing was removed; libcni 1.2+ sends the list with every GC, an empty list when no attachment is valid',
  );
}

export function runGc(req: Request, dp: PodDatapath): void {
  const valid = new Set(requireAttachmentList(req).map((a) => `${a.containerID}\0${a.ifname}`));
  const errors: string[] = [];
  const nl = Netlink.open(req.sys());
  try {
    for (const { file, record, error } of listRecords(req.conf.stateDir)) {
      if (error || !record) {
        errors.push(`${file}: ${error?.message ?? 'unreadable'}`);
        continue;
      }
      if (record.network !== req.conf.name) continue; // another network's attachment
      if (valid.has(`${record.containerId}\0${record.ifname}`)) continue;
      try {
        if (record.ipamType && req.conf.ipamType) ipamDelFor(req, record.containerId, record.ifname);
        // The record names the attachment; the host link name is derived from it, never read from it.
        // As in DEL: settle what is ours, delete the device (its hooks go with it), then unpin.
        const scope = detachScope(nl, record.containerId, record.ifname, record);
        const { hostIfName } = scope;
        if (deleteLinkPair(nl, hostIfName, { mode: record.mode, ifindex: record.hostIfindex }) === 'foreign') {
          req.log.warn(`gc: ${hostIfName} does not match the record (kind or ifindex differ): left alone`);
        }
        dp.detach(req.conf.bpfRoot, scope.hostIfName, scope.ifindex, scope.ips);
        removeRecord(file);
        req.log.info(`gc: removed stale attachment ${record.containerId}/${record.ifname} (${hostIfName})`);
      } catch (e) {
        errors.push(`${record.containerId}/${record.ifname}: ${(e as Error).message}`);
      }
    }
  } finally {
    nl.close();
  }
  if (req.conf.ipamType) {
    try {
      ipamGc(req);
    } catch (e) {
      errors.push(`IPAM GC: ${(e as Error).message}`);
    }
  }
  if (errors.length) throw new CniError(Code.Internal, `GC finished with errors: ${errors.join('; ')}`);
}
