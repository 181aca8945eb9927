// Configured → operational mode, following Cilium's bpf.datapathMode=auto: auto falls back to veth
// loudly (with a reason); an explicit netkit/netkit-l2 without kernel support is an error, never a
// silent fallback. auto never picks netkit-l2.
import { FeatureMissingError } from './errors.js';
import type { Mode, OperationalMode } from './mode.js';

export interface KernelFeatures {
  netkit: boolean;
  /** Why the netkit probe failed, when it did. */
  netkitError?: string;
  netkitScrub: boolean;
  netkitHeadroom: boolean;
  tcx: boolean;
  bpffs: boolean;
}

export interface Resolution {
  operational: OperationalMode;
  reason: string;
}

export const NETKIT_REQUIREMENT = 'netkit requires Linux 6.7+ built with CONFIG_NETKIT=y';

export function resolveMode(configured: Mode, f: KernelFeatures): Resolution {
  if (configured === 'veth') return { operational: 'veth', reason: 'configured' };
  if (configured === 'auto') {
    if (f.netkit) return { operational: 'netkit', reason: 'auto: netkit probe succeeded' };
    return { operational: 'veth', reason: `netkit probe failed, falling back to veth: ${f.netkitError ?? 'netkit not supported'}` };
  }
  if (!f.netkit) {
    throw new FeatureMissingError(
      `netkit connector not available for mode ${configured}: ${f.netkitError ?? 'netkit not supported'}`,
      `${NETKIT_REQUIREMENT}; set mode to auto or veth`,
    );
  }
  return { operational: configured, reason: 'configured' };
}
