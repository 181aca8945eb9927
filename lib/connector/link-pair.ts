// NewLinkPair / DeleteLinkPair: one entry point, one small file per driver (veth.ts, netkit.ts).
// The peer is created directly in the pod netns under its final name, so there is no rename dance and
// nothing is ever left half-moved in the host netns.
import type { Link, Netlink } from '../netlink/index.js';
import { isNetkit, type OperationalMode } from './mode.js';
import { createNetkitPair, verifyNetkitPair } from './netkit.js';
import type { LinkPair, LinkPairConfig } from './pair-config.js';
import { createVethPair, verifyVethPair } from './veth.js';

export class LinkPairError extends Error {
  step?: string;
  hint?: string;
  constructor(message: string, step: string, hint?: string) {
    super(message);
    this.name = 'LinkPairError';
    this.step = step;
    this.hint = hint;
  }
}

/** Creates the pair, then re-reads both ends and verifies the kernel applied what we asked. */
export function newLinkPair(hostNl: Netlink, podNl: Netlink, cfg: LinkPairConfig): LinkPair {
  if (isNetkit(cfg.mode)) createNetkitPair(hostNl, cfg);
  else createVethPair(hostNl, cfg);
  const host = hostNl.linkByName(cfg.hostIfName);
  const pod = podNl.linkByName(cfg.podIfName);
  if (!host || !pod) {
    throw new LinkPairError(`created ${cfg.mode} pair ${cfg.hostIfName}/${cfg.podIfName} but cannot read it back`, 'verify link pair');
  }
  const pair = { host, pod };
  const problems = isNetkit(cfg.mode) ? verifyNetkitPair(pair, cfg) : verifyVethPair(pair, cfg);
  if (problems.length) {
    throw new LinkPairError(`kernel did not apply the requested ${cfg.mode} settings: ${problems.join('; ')}`, 'verify link pair');
  }
  return pair;
}

/** The mode a live host-side link was created in, read from the kernel (kind + IFLA_NETKIT_MODE). */
export function linkCompatibility(link: Link): OperationalMode | undefined {
  if (link.kind === 'veth') return 'veth';
  if (link.kind === 'netkit') return link.netkit?.mode === 'l2' ? 'netkit-l2' : 'netkit';
  return undefined;
}

export type DeleteOutcome = 'deleted' | 'absent' | 'foreign';

/**
 * Deletes the host side (the kernel removes the peer with it), whatever mode is current.
 * Ownership: the link must be a veth/netkit of the expected kind and, when we recorded it, ifindex.
 * A link that fails the check is left alone and reported as 'foreign'.
 */
export function deleteLinkPair(hostNl: Netlink, hostIfName: string, expect: LinkExpectation = {}): DeleteOutcome {
  const link = hostNl.linkByName(hostIfName);
  if (!link) return 'absent';
  if (!linkMatches(link, expect)) return 'foreign';
  return hostNl.deleteLink(link.index, hostIfName) ? 'deleted' : 'absent';
}

export interface LinkExpectation {
  ifindex?: number;
  mode?: OperationalMode;
}

/** True when the link is a veth/netkit of the expected kind and, when given, ifindex. */
export function linkMatches(link: Link, expect: LinkExpectation): boolean {
  const mode = linkCompatibility(link);
  if (!mode) return false;
  if (expect.mode && expect.mode !== mode) return false;
  return expect.ifindex === undefined || expect.ifindex === link.index;
}
