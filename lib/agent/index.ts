// lib/agent: `podlink agent`, the long-running half: learns the nodes (a nodes file here; the Kubernetes
// API through lib/kube, loaded only by the agent) and reconciles native routes and the BPF cluster
// CIDRs. See docs/architecture.md#the-agent.
// May import: lib/bpf (types), lib/connector (node files), lib/datapath, lib/kube (types), lib/metrics (types), lib/netlink,
// lib/sys, lib/util.
export { Agent, type AgentConfig, type AgentDeps, type LogFn } from './agent.js';
export { parsePrefix, type Prefix } from './cidr.js';
export { computeDesired, UNREACHABLE_REASON, type Incumbents, type LocalFacts } from './desired.js';
export { connectedNetworks, parseServiceCIDRs } from './local-facts.js';
export { agentFamilies } from './metrics.js';
export { DEFAULT_TUNNEL_PORT, removeTunnelDevice, TUNNEL_DEVICE, TUNNEL_VNI } from './tunnel-device.js';
export type { DesiredRoute, DesiredState, NodePath, NodeVerdict, Routing, SourceNode } from './node.js';
export { parseNodesFile, watchNodesFile, type NodeSource, type NodeSourceHandlers } from './nodes-file.js';
export {
  applyRoutes,
  planRoutes,
  readPodlinkRoutes,
  removePodlinkRoutes,
  RTPROT_PODLINK,
  type RouteChange,
  type RouteSyncResult,
} from './routes.js';
export { describeAgentPlan, incumbentsFromRoutes, planAgent, planCidrs, type AgentPlan, type KernelView } from './plan.js';
export {
  agentStatusPath,
  heartbeatAge,
  heartbeatPath,
  readAgentStatus,
  writeAgentStatus,
  writeHeartbeat,
  type AgentStatus,
  type SourceStatus,
} from './status-file.js';
