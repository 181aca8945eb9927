// Behavioural netkit probe: create a pair in a throwaway netns and read back which attributes the kernel
// kept. Kernels silently ignore INFO_DATA attributes newer than themselves (docs/kernel.md#netkit-attribute-probe), so
// scrub (6.13) and headroom (6.14) support is only known from the dump.
import type { Sys } from '../sys/index.js';
import { createAnonymousNetns, netlinkIn } from '../netns/index.js';
import { NetlinkError } from '../netlink/index.js';

export interface NetkitProbe {
  netkit: boolean;
  netkitError?: string;
  netkitScrub: boolean;
  netkitHeadroom: boolean;
}

export function probeNetkit(sys: Sys): NetkitProbe {
  const ns = createAnonymousNetns(sys);
  const nl = netlinkIn(sys, ns);
  try {
    try {
      nl.createLink({
        name: 'plprobe0',
        info: {
          kind: 'netkit',
          mode: 'l3',
          policy: 'forward',
          peerPolicy: 'drop',
          scrub: 'none',
          peerScrub: 'default',
          headroom: 32,
          tailroom: 0,
          peer: { name: 'plprobe1' },
        },
      });
    } catch (e) {
      const why = e instanceof NetlinkError ? `${e.code}${e.extack ? ` (${e.extack})` : ''}` : (e as Error).message;
      return { netkit: false, netkitError: `creating a netkit pair failed: ${why}`, netkitScrub: false, netkitHeadroom: false };
    }
    const link = nl.linkByName('plprobe0');
    const nk = link?.netkit;
    if (!nk || link?.kind !== 'netkit') {
      return {
        netkit: false,
        netkitError: 'netkit pair created but not reported back as netkit',
        netkitScrub: false,
        netkitHeadroom: false,
      };
    }
    return { netkit: true, netkitScrub: nk.scrub !== undefined, netkitHeadroom: nk.headroom !== undefined };
  } finally {
    nl.close();
    sys.close(ns); // the last reference: the netns and the probe pair die with it
  }
}
