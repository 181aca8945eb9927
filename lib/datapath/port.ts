// The datapath as lib/plugin's DatapathPort sees it (structurally; lib/plugin owns the interface):
// describe / attach / detach / check / ready for one endpoint, over a Sys and an optional tc client.
// May import: lib/sys, ./endpoint, ./plan, ./load, ./layout.
import type { OperationalMode } from '../connector/index.js';
import { checkEndpoint } from './check.js';
import { detachEndpoint } from './detach.js';
import { attachEndpoint, publishEndpoint, type DatapathDeps } from './endpoint.js';
import { MAPS } from './layout.js';
import { datapathProblems } from './load.js';
import { describeSteps, planAttachEndpoint } from './plan.js';

/** The fields of lib/plugin's EndpointAttach the datapath uses. */
export interface EndpointAttachInput {
  bpfRoot: string;
  mode: OperationalMode;
  tcx: boolean;
  hostIfName: string;
  hostIfindex: number;
  podMac?: string;
  ips: string[];
  antiSpoof: boolean;
  clusterCIDRs: string[];
}

export function bpfDatapath(deps: DatapathDeps) {
  return {
    describeAttach(a: Omit<EndpointAttachInput, 'hostIfindex' | 'ips'>): string[] {
      return describeSteps(planAttachEndpoint({ ...a, ips: [], hostIfindex: undefined }));
    },
    attach(a: EndpointAttachInput): string[] {
      return attachEndpoint(deps, a).pins;
    },
    describePublish(): string[] {
      return [`bpf: write the pod IPs into ${MAPS.podCfg}[host device] (anti-spoofing allows them from now on)`, `bpf: write ${MAPS.endpoints}[pod IP] = {ifindex of the host device, pod MAC} for each pod IP`];
    },
    publish(a: EndpointAttachInput): void {
      publishEndpoint(deps, a);
    },
    detach(bpfRoot: string, hostIfName: string, hostIfindex: number | undefined, ips: string[]): void {
      detachEndpoint(deps, { bpfRoot, hostIfName, hostIfindex, ips });
    },
    check(a: EndpointAttachInput): string[] {
      return checkEndpoint(deps, a);
    },
    ready(bpfRoot: string): string[] {
      return datapathProblems(deps.sys, bpfRoot, deps.object);
    },
  };
}
