// `podlink agent --dry-run`: one full read of the node source, then the plan a reconcile would apply
// to this node (routes, pl_cidrs, each node's verdict), printed; nothing is changed.
import {
  connectedNetworks,
  describeAgentPlan,
  incumbentsFromRoutes,
  planAgent,
  readPodlinkRoutes,
  type NodeSource,
  type NodeSourceHandlers,
  type Prefix,
  type Routing,
  type SourceNode,
  type SourceStatus,
} from '../lib/agent/index.js';
import { readClusterCidrs, type openClusterCidrs } from '../lib/datapath/index.js';
import type { Netlink } from '../lib/netlink/index.js';

export interface DryRunInput {
  nl: Netlink;
  openMap: () => ReturnType<typeof openClusterCidrs>;
  nodeName: string;
  serviceCIDRs: Prefix[];
  routing?: Routing;
  where: string;
  start(h: NodeSourceHandlers): Promise<NodeSource>;
  /** How long to wait for the source's first full sync. */
  timeoutMs: number;
}

/** Waits for the first synced node set from the source (or fails naming the source's last error). */
async function firstSync(i: DryRunInput): Promise<ReadonlyMap<string, SourceNode>> {
  let status: SourceStatus | undefined;
  let nodes: ReadonlyMap<string, SourceNode> | undefined;
  let source: NodeSource | undefined;
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${i.where} gave no full node list within ${i.timeoutMs / 1000} s: ${status?.lastError ?? 'no answer'}`)),
        i.timeoutMs,
      );
      const done = () => {
        if (!status?.synced || !nodes) return;
        clearTimeout(timer);
        resolve(new Map(nodes));
      };
      i.start({
        onNodes: (n) => ((nodes = n), done()),
        onStatus: (s) => ((status = s), done()),
        log: () => {},
      }).then((s) => (source = s), reject);
    });
  } finally {
    await source?.stop();
  }
}

export async function agentDryRun(i: DryRunInput, out: (s: string) => void): Promise<void> {
  const nodes = await firstSync(i);
  const routes = readPodlinkRoutes(i.nl);
  const map = i.openMap();
  let cidrs;
  try {
    cidrs = map && readClusterCidrs(map);
  } finally {
    map?.close();
  }
  const local = { selfName: i.nodeName, routing: i.routing, connected: connectedNetworks(i.nl), serviceCIDRs: i.serviceCIDRs };
  const plan = planAgent(nodes.values(), local, incumbentsFromRoutes(nodes.values(), routes), { routes, cidrs });
  const head = `podlink agent --dry-run: nothing is changed; node ${i.nodeName}, ${nodes.size} nodes from ${i.where}`;
  out(
    `${head}\n${describeAgentPlan(plan)
      .map((l) => `  ${l}`)
      .join('\n')}\n`,
  );
}
