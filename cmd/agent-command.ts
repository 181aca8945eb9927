// `podlink agent`: the DaemonSet's main container. Wires a node source (nodes file, or the Kubernetes
// API through lib/kube) to the agent loop (lib/agent), and keeps the metrics textfile fresh.
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Agent,
  parseServiceCIDRs,
  watchNodesFile,
  writeAgentStatus,
  writeHeartbeat,
  type AgentStatus,
  type LogFn,
  type NodeSource,
  type NodeSourceHandlers,
  TUNNEL_DEVICE,
} from '../lib/agent/index.js';
import { readModeFile, writeTunnelFile, type Routing } from '../lib/connector/index.js';
import { attachUplink, detachUplink, openClusterCidrs, openTunnelMaps } from '../lib/datapath/index.js';
import { metricsStateNextTo, writeTextfile } from '../lib/metrics/index.js';
import { Netlink } from '../lib/netlink/index.js';
import { nativeSys } from '../lib/sys/index.js';
import { mkdirp } from '../lib/util/index.js';
import { agentDryRun } from './agent-dry-run.js';
import { resolveAgentNetwork } from './agent-network.js';
import { currentExposition } from './metrics-command.js';
import { formatStepError, StepError } from './step-report.js';

export interface AgentCommandOptions {
  nodesFile?: string;
  kubeconfig?: string;
  nodeName?: string;
  modeFile: string;
  stateDir: string;
  bpfRoot: string;
  serviceCidr?: string[];
  /** The network config (a conflist or podlink's plugin object): routing and tunnelPort come from it. */
  netconf?: string;
  routing?: Routing;
  tunnelPort?: string;
  textfileDir?: string;
  resync: string;
  logLevel: string;
  dryRun?: boolean;
}

const LEVELS = ['debug', 'info', 'warn', 'error'];

function jsonLogger(min: string): LogFn {
  const floor = LEVELS.indexOf(min);
  return (level, msg, fields) => {
    if (LEVELS.indexOf(level) < floor) return;
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
  };
}

/** --node-name, else $NODE_NAME (the DaemonSet sets it from spec.nodeName), else the host name. */
export function resolveNodeName(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.NODE_NAME || os.hostname();
}

function metricsWriter(o: AgentCommandOptions, log: LogFn): ((s: AgentStatus) => void) | undefined {
  const dir = o.textfileDir;
  if (!dir) return undefined;
  let lastError = '';
  return (s) => {
    try {
      writeTextfile(dir, currentExposition({ stateFile: metricsStateNextTo(o.modeFile), modeFile: o.modeFile, stateDir: o.stateDir }, s), {
        create: true,
      });
      lastError = '';
    } catch (e) {
      const msg = `metrics textfile in ${dir}: ${(e as Error).message}`;
      if (msg !== lastError) log('error', msg);
      lastError = msg;
    }
  };
}

export async function runAgentCommand(o: AgentCommandOptions): Promise<number> {
  const log = jsonLogger(o.logLevel);
  let source: NodeSource | undefined;
  let agent: Agent | undefined;
  let nl: Netlink | undefined;
  try {
    if (o.nodesFile && o.kubeconfig)
      throw new StepError('check the options', '--nodes-file and --kubeconfig exclude each other', 'pick one source');
    const resyncS = Number(o.resync);
    if (!Number.isFinite(resyncS) || resyncS < 1)
      throw new StepError('check the options', `--resync ${o.resync} is not a number of seconds >= 1`, 'e.g. --resync 30');
    const serviceCIDRs = parseServiceCIDRs(o.serviceCidr ?? []);
    const nodeName = resolveNodeName(o.nodeName);
    const net = resolveAgentNetwork(o);
    const runDir = path.dirname(o.modeFile);
    mkdirp(runDir);
    const sys = nativeSys();
    nl = Netlink.open(sys);
    const hostNl = nl;
    const where = o.nodesFile ?? o.kubeconfig ?? 'in-cluster';
    const startSource = async (h: NodeSourceHandlers): Promise<NodeSource> =>
      o.nodesFile ? watchNodesFile(o.nodesFile, h) : (await import('./agent-kube.js')).startKubeSource({ kubeconfig: o.kubeconfig }, h);
    if (o.dryRun) {
      const openMap = () => openClusterCidrs(sys, o.bpfRoot);
      await agentDryRun({ nl, openMap, nodeName, serviceCIDRs, routing: net.routing, where, start: startSource, timeoutMs: 30_000 }, (t) =>
        process.stdout.write(t),
      );
      return 0;
    }
    agent = new Agent(
      {
        nl,
        openClusterCidrs: () => openClusterCidrs(sys, o.bpfRoot),
        openTunnelMaps: () => openTunnelMaps(sys, o.bpfRoot),
        attachTunnel: (ifindex) => {
          const tcx = readModeFile(o.modeFile)?.features.tcx ?? true;
          attachUplink({ sys, tc: hostNl }, { bpfRoot: o.bpfRoot, ifName: TUNNEL_DEVICE, ifindex, tcx, role: 'from-tunnel' });
        },
        detachTunnel: () => void detachUplink({ sys }, { bpfRoot: o.bpfRoot, ifName: TUNNEL_DEVICE, ifindex: 0, role: 'from-tunnel' }),
        writeTunnelFile: (t) => writeTunnelFile(runDir, t),
        writeStatus: (s) => writeAgentStatus(runDir, s),
        heartbeat: (now) => writeHeartbeat(runDir, now),
        onTick: metricsWriter(o, log),
        log,
      },
      { nodeName, serviceCIDRs, ...net, resyncMs: resyncS * 1000, heartbeatMs: 5000, retryMs: 2000 },
      { kind: o.nodesFile ? 'file' : 'kubernetes', where, connected: false, synced: false, syncErrors: 0 },
    );
    const a = agent;
    const handlers: NodeSourceHandlers = {
      onNodes: (nodes) => a.setNodes(nodes),
      onStatus: (s) => a.setSourceStatus(s),
      log,
    };
    a.start();
    log('info', `podlink agent on node ${nodeName}: nodes from ${where}`, { bpfRoot: o.bpfRoot, runDir });
    source = await startSource(handlers);
    // As a container's PID 1, Node gets no default SIGTERM handling: stop on it explicitly. Routes stay.
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    log('info', 'podlink agent stopping; routes and maps stay as they are');
    return 0;
  } catch (e) {
    process.stderr.write(formatStepError('agent', e));
    return 1;
  } finally {
    agent?.stop();
    await source?.stop();
    nl?.close();
  }
}
