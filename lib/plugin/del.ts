// DEL: best-effort and idempotent. IPAM DEL is started first (it runs even with the netns gone, in its
// own process, while we work), then the host link goes by its derived name whatever the current mode is
// (ownership checked against the record), then the BPF pins and map entries; the record is removed only
// once IPAM has answered, so a failed IPAM DEL leaves it for the runtime's retry.
// Succeeds when things are already gone; fails only where a retry could help.
import { deleteLinkPair, linkMatches } from '../connector/index.js';
import { Netlink, type Link } from '../netlink/index.js';
import type { Attachment } from './attachment.js';
import { detachScope, type DetachScope } from './detach-scope.js';
import { readRecord, removeRecord, RecordError, type EndpointRecord } from './endpoint-record.js';
import { answered, ipamPluginPath, startIpamDel, type PendingIpam } from './ipam-calls.js';
import { settleOrphans } from './orphaned-ipam.js';
import { Plan, type Step } from './plan.js';

/** What DEL would read, for --dry-run. */
export interface DelFacts extends Attachment {
  record: EndpointRecord | RecordError | undefined;
  link: Link | undefined;
  scope: DetachScope;
  ipamPath: string;
}

/** A corrupt record must not wedge the pod in Terminating: DEL falls back to the kernel's view. */
function readOrCorrupt(file: string): EndpointRecord | RecordError | undefined {
  try {
    return readRecord(file);
  } catch (e) {
    if (!(e instanceof RecordError)) throw e;
    return e;
  }
}

const recordOf = (r: DelFacts['record']) => (r instanceof RecordError ? undefined : r);

export function surveyDel(base: Attachment): DelFacts {
  const { req, hostIfName, recFile } = base;
  const record = readOrCorrupt(recFile);
  const nl = Netlink.open(req.sys());
  try {
    const scope = detachScope(nl, req.env.containerId, req.env.ifname, recordOf(record));
    return { ...base, record, link: nl.linkByName(hostIfName), scope, ipamPath: ipamPluginPath(req) };
  } finally {
    nl.close();
  }
}

type DelStep<In, Out = void> = Step<DelFacts, In, Out>;
type Read = Attachment & { rec: EndpointRecord | undefined };

const readEndpointRecord: DelStep<Attachment, { rec: EndpointRecord | undefined }> = {
  name: 'read endpoint record',
  ops: ({ recFile, record }) => {
    if (record instanceof RecordError) return [`read ${recFile}: ${record.message}; DEL goes by the derived name and link kind`];
    if (!record) return [`read ${recFile}: absent (fine)`];
    const at = record.hostIfindex === undefined ? 'no ifindex yet' : `ifindex ${record.hostIfindex}`;
    return [`read ${recFile}: ${record.state}, mode ${record.mode}, ${record.hostIfName} ${at}, IPs ${record.ips.join(' ') || 'none'}`];
  },
  run: ({ req, recFile }) => {
    const r = readOrCorrupt(recFile);
    if (r instanceof RecordError) req.log.warn(`${r.message}; deleting by derived name and link kind`);
    return { rec: recordOf(r) };
  },
};

const startIpam: DelStep<Read, { ipamDone: PendingIpam<void> }> = {
  name: 'start IPAM DEL',
  ops: ({ req: { conf }, record, ipamPath }) => {
    if (!conf.ipamType) return ['no ipam configured'];
    const orphan = recordOf(record)?.state === 'creating' ? 'first wait for the IPAM ADD the unfinished ADD left running; then ' : '';
    return [`${orphan}start IPAM plugin ${conf.ipamType} DEL (${ipamPath}); it runs even when the netns is gone, while the next steps do`];
  },
  run: async ({ req, rec }, s) => {
    const type = req.conf.ipamType;
    if (!type) return { ipamDone: answered(undefined) };
    if (rec?.state === 'creating') await settleOrphans(req);
    const call = startIpamDel(req);
    // Not an undo: a later step failing must not return before the plugin we started has finished.
    s.undo(`wait for IPAM DEL (${type})`, () => call.settle());
    return { ipamDone: call };
  },
};

const expectation = (rec: EndpointRecord) => ({ mode: rec.mode, ifindex: rec.hostIfindex });

function linkWords({ hostIfName, record, link }: DelFacts): string {
  const rec = recordOf(record);
  if (!link) return `${hostIfName} is absent: nothing to delete`;
  if (!rec) return `${hostIfName} exists but podlink has no record of creating it: left alone`;
  if (!linkMatches(link, expectation(rec))) return `${hostIfName} does not match the record (kind or ifindex differ): left alone`;
  const gone = 'the kernel removes the peer, the routes and the BPF hooks with it';
  return `delete ${hostIfName} (${link.kind}, ifindex ${link.index}, as recorded); ${gone}`;
}

// The device goes before its BPF links are unpinned: deleting it releases its tcx/netkit hooks along with
// the peer and the routes. Either order waits for one RCU grace period per hook (docs/kernel.md#tcx-rcu).
// What the kernel proves is ours (the detach scope) is read while the link still exists.
const deleteLink: DelStep<Read, { scope: DetachScope }> = {
  name: 'delete link pair',
  ops: (f) => [linkWords(f)],
  run: ({ req, rec, hostIfName }, s) => {
    const { env } = req;
    const nl = Netlink.open(req.sys());
    s.atExit(() => nl.close());
    const scope = detachScope(nl, env.containerId, env.ifname, rec);
    // Every link podlink creates has a record written before it (the intent record), so a link
    // without a record, or one whose kind/ifindex differ from it, is not ours: leave it alone.
    if (!rec) {
      const who = `${env.containerId}/${env.ifname}`;
      if (nl.linkByName(hostIfName)) req.log.warn(`${hostIfName} exists but podlink has no record of creating it for ${who}: left alone`);
      return { scope };
    }
    if (deleteLinkPair(nl, hostIfName, expectation(rec)) === 'foreign') {
      req.log.warn(`${hostIfName} does not match the record (kind or ifindex differ): left alone`);
    }
    return { scope };
  },
};

const detachBpf: DelStep<Read & { scope: DetachScope }> = {
  name: 'detach BPF datapath',
  ops: ({ req: { conf }, scope }) => [
    `unpin links under ${conf.bpfRoot}/links/${scope.hostIfName} (missing is fine)`,
    scope.ifindex === undefined
      ? 'remove no map entry: the kernel proves no ifindex ours'
      : `remove the map entries of ifindex ${scope.ifindex}${scope.ips.length ? ` and ${scope.ips.join(' ')}` : ''}`,
  ],
  run: ({ dp, req, scope }) => dp.detach(req.conf.bpfRoot, scope.hostIfName, scope.ifindex, scope.ips),
};

const waitForIpam: DelStep<Read & { ipamDone: PendingIpam<void> }> = {
  name: 'wait for IPAM',
  ops: ({ req: { conf } }) => [
    conf.ipamType ? `wait for IPAM plugin ${conf.ipamType} DEL; its failure fails DEL (the runtime retries)` : 'no ipam configured',
  ],
  run: ({ ipamDone }) => ipamDone.wait(),
};

const removeEndpointRecord: DelStep<Read> = {
  name: 'remove endpoint record',
  ops: ({ recFile, record }) => [record ? `remove ${recFile}` : `remove ${recFile} (absent: nothing to do)`],
  run: ({ recFile }) => void removeRecord(recFile),
};

export const delPlan = Plan.start<DelFacts, Attachment>('DEL')
  .then(readEndpointRecord)
  .then(startIpam)
  .then(deleteLink)
  .then(detachBpf)
  .then(waitForIpam)
  .then(removeEndpointRecord);
