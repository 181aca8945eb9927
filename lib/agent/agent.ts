// The agent's loop: a source reports nodes; the agent computes the desired state from all of them
// and brings the kernel's routes and the BPF cluster CIDRs to it (level-triggered: every reconcile
// starts from the full node set, and a periodic one re-reads the kernel, so restarts, missed events
// and relists converge). Nothing changes before the source's first full sync, and a source that goes
// away leaves everything as it is (fail-static). See docs/architecture.md#the-agent.
import type { BpfMap } from '../bpf/index.js';
import type { Routing, TunnelFile } from '../connector/index.js';
import { addLearnedCidr, CIDR_LEARNED, readClusterCidrs, removeLearnedCidr, type TunnelMaps } from '../datapath/index.js';
import type { Netlink } from '../netlink/index.js';
import type { Prefix } from './cidr.js';
import type { Incumbents, LocalFacts } from './desired.js';
import { connectedNetworks, underlayMtu } from './local-facts.js';
import type { DesiredState, NodeVerdict, SourceNode } from './node.js';
import { incumbentsFromRoutes, planAgent, type AgentPlan, type CidrPlan } from './plan.js';
import { applyRoutes, describeRouteChange, planRoutes, readPodlinkRoutes, type RouteVia, type TunnelRouteContext } from './routes.js';
import type { AgentStatus, SourceStatus } from './status-file.js';
import { syncTunnel, type TunnelCache, type TunnelSync } from './tunnel.js';
import { TUNNEL_DEVICE, TUNNEL_VNI } from './tunnel-device.js';

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface AgentDeps {
  /** A netlink client in the node's network namespace. */
  nl: Netlink;
  /** The pinned pl_cidrs map; undefined while the datapath is not loaded yet. */
  openClusterCidrs(): BpfMap | undefined;
  /** The pinned tunnel maps; undefined while the datapath is not loaded yet. */
  openTunnelMaps(): TunnelMaps | undefined;
  /** from-tunnel onto the tunnel device's ingress, and off it. */
  attachTunnel(ifindex: number): void;
  detachTunnel(): void;
  /** tunnel.json for the CNI calls (the pod MTU). */
  writeTunnelFile(t: TunnelFile): void;
  writeStatus(s: AgentStatus): void;
  heartbeat(now: Date): void;
  /** Called on every heartbeat with the current status (the metrics textfile). */
  onTick?(s: AgentStatus): void;
  log: LogFn;
  now?(): Date;
}

export interface AgentConfig {
  nodeName: string;
  routing: Routing;
  tunnelPort: number;
  serviceCIDRs: Prefix[];
  /** Full reconcile (re-read the kernel) every so often. */
  resyncMs: number;
  heartbeatMs: number;
  /** After a failed route or map write, try again this soon. */
  retryMs: number;
}

const same = (a: NodeVerdict, b: NodeVerdict) =>
  a.path === b.path && a.reason === b.reason && a.podCIDRs.join() === b.podCIDRs.join() && a.addresses.join() === b.addresses.join();

export class Agent {
  private nodes: ReadonlyMap<string, SourceNode> = new Map();
  private readonly status: AgentStatus;
  private verdicts = new Map<string, NodeVerdict>();
  /** What the kernel holds, as last read or written; undefined: read it on the next reconcile. */
  private routes: Map<string, RouteVia> | undefined;
  private tunnelFile = '';
  private tunnelCache: TunnelCache = {};
  private cidrs: Map<string, number> | undefined;
  private pending: { full: boolean; since: number } | undefined;
  private timers: NodeJS.Timeout[] = [];
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastTick = 0;

  constructor(
    private readonly deps: AgentDeps,
    private readonly cfg: AgentConfig,
    source: SourceStatus,
  ) {
    const now = this.now().toISOString();
    this.status = {
      version: 1,
      pid: process.pid,
      nodeName: cfg.nodeName,
      startedAt: now,
      updatedAt: now,
      source,
      selfFound: false,
      nodes: [],
      routes: { installed: 0, failures: 0 },
      clusterCIDRs: { learned: 0 },
      tunnel: { routing: cfg.routing, inUse: false },
      reconciles: { count: 0 },
    };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  start(): void {
    this.deps.writeStatus(this.status);
    this.beat();
    this.timers.push(setInterval(() => this.schedule(true), this.cfg.resyncMs));
    this.timers.push(setInterval(() => this.beat(), this.cfg.heartbeatMs));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.retry) clearTimeout(this.retry);
  }

  currentStatus(): AgentStatus {
    return this.status;
  }

  setNodes(nodes: ReadonlyMap<string, SourceNode>): void {
    this.nodes = nodes;
    this.schedule(false);
  }

  setSourceStatus(s: SourceStatus): void {
    const was = this.status.source;
    const firstSync = s.synced && !was.synced;
    this.status.source = s;
    if (firstSync) return this.schedule(true);
    // A watch event only moves lastEventAt, and the pass it schedules writes the status anyway; write
    // now only what no pass would show: the source connecting, dropping or failing.
    if (s.connected !== was.connected || s.syncErrors !== was.syncErrors || s.lastError !== was.lastError) {
      this.deps.writeStatus(this.touch());
    }
  }

  private touch(): AgentStatus {
    this.status.updatedAt = this.now().toISOString();
    return this.status;
  }

  private beat(): void {
    const now = this.now();
    this.deps.heartbeat(now);
    this.lastTick = now.getTime();
    this.deps.onTick?.(this.status);
  }

  /** Coalesces everything that arrives in one turn of the event loop into one reconcile. */
  schedule(full: boolean): void {
    if (this.stopped) return;
    if (this.pending) {
      this.pending.full ||= full;
      return;
    }
    this.pending = { full, since: performance.now() };
    setImmediate(() => {
      const p = this.pending!;
      this.pending = undefined;
      if (!this.stopped) this.reconcile(p.full, p.since);
    });
  }

  /** One reconcile pass; `full` re-reads what the kernel holds instead of trusting the last pass. */
  reconcile(full: boolean, since = performance.now()): void {
    if (!this.status.source.synced) {
      this.deps.writeStatus(this.touch()); // fail-static: no node list yet, so nothing to compare
      return;
    }
    let failed = false;
    let map: BpfMap | undefined;
    try {
      map = this.deps.openClusterCidrs();
      if (full || !this.routes) this.routes = readPodlinkRoutes(this.deps.nl);
      if (!map) this.cidrs = undefined;
      else if (full || !this.cidrs) this.cidrs = readClusterCidrs(map);
      const plan = planAgent(this.nodes.values(), this.localFacts(), this.incumbents(), { routes: this.routes, cidrs: map && this.cidrs });
      if (full) this.tunnelCache = {}; // re-read the tunnel maps and re-check from-tunnel's hook
      const tunnel = this.syncTunnel(plan.desired);
      if (!tunnel) failed = true;
      else if (tunnel.deviceChanged) {
        // The kernel removed the routes through a device that went away: read what is left.
        this.routes = readPodlinkRoutes(this.deps.nl);
        plan.routes = planRoutes(plan.desired.routes, this.routes, plan.desired.outerSources);
      }
      const local = plan.desired.outerSources;
      failed = !this.applyRoutes(plan, tunnel?.ifindex ? { ifindex: tunnel.ifindex, local } : undefined) || failed;
      failed = !this.applyCidrs(map, plan.cidrs) || failed;
      this.applyVerdicts(plan.desired.verdicts);
      if (!plan.desired.selfFound && (this.status.selfFound || this.status.reconciles.count === 0)) {
        this.deps.log('warn', `this node (${this.cfg.nodeName}) is not in the node list; check --node-name`);
      }
      this.status.selfFound = plan.desired.selfFound;
    } catch (e) {
      failed = true;
      this.routes = undefined;
      this.cidrs = undefined;
      this.status.routes.lastError = (e as Error).message;
      this.deps.log('error', `reconcile failed: ${(e as Error).message}`);
    } finally {
      map?.close();
    }
    const now = this.now();
    this.status.reconciles = { count: this.status.reconciles.count + 1, lastAt: now.toISOString(), lastMs: performance.now() - since };
    this.deps.writeStatus(this.touch());
    if (now.getTime() - this.lastTick >= 1000) this.beat(); // metrics follow changes, at most once a second
    if (failed && !this.retry && !this.stopped) {
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.schedule(true);
      }, this.cfg.retryMs);
    }
  }

  private localFacts(): LocalFacts {
    return {
      selfName: this.cfg.nodeName,
      routing: this.cfg.routing,
      connected: connectedNetworks(this.deps.nl),
      serviceCIDRs: this.cfg.serviceCIDRs,
    };
  }

  /** The device, its program and the tunnel maps; undefined when that failed (routes through it wait). */
  private syncTunnel(desired: DesiredState): TunnelSync | undefined {
    try {
      const self = desired.verdicts.find((v) => v.path === 'self')?.addresses ?? [];
      const under = underlayMtu(this.deps.nl, self);
      const deps = { nl: this.deps.nl, openMaps: this.deps.openTunnelMaps, attach: this.deps.attachTunnel, detach: this.deps.detachTunnel };
      const r = syncTunnel(deps, desired, { port: this.cfg.tunnelPort, uplinkMtu: under }, this.tunnelCache);
      for (const c of r.changes) this.deps.log('info', c);
      const inUse = desired.tunnel.inUse;
      this.status.tunnel = {
        routing: this.cfg.routing,
        inUse,
        ...(r.ifindex ? { device: TUNNEL_DEVICE, ifindex: r.ifindex, mtu: r.mtu, port: this.cfg.tunnelPort } : {}),
        ...(r.mapsMissing ? { problem: 'BPF datapath not loaded yet (podlink probe --write): the tunnel maps wait' } : {}),
      };
      this.publishTunnelFile({
        version: 1,
        routing: this.cfg.routing,
        device: r.ifindex ? { name: TUNNEL_DEVICE, port: this.cfg.tunnelPort, vni: TUNNEL_VNI, mtu: r.mtu! } : undefined,
        inUse,
        podMtu: r.mtu !== undefined && (inUse || this.cfg.routing === 'tunnel') ? r.mtu : under,
        underlayMtu: under,
        updatedAt: this.now().toISOString(),
      });
      return r;
    } catch (e) {
      this.tunnelCache = {};
      const msg = `tunnel: ${(e as Error).message}`;
      this.status.tunnel = { routing: this.cfg.routing, inUse: desired.tunnel.inUse, problem: msg };
      this.deps.log('error', msg);
      return undefined;
    }
  }

  /** Rewrites tunnel.json only when its content (the time aside) changes. */
  private publishTunnelFile(t: TunnelFile): void {
    const key = JSON.stringify({ ...t, updatedAt: undefined });
    if (key === this.tunnelFile) return;
    this.deps.writeTunnelFile(t);
    this.tunnelFile = key;
  }

  /** Returns false when some route could not be written (the next pass re-reads the kernel). */
  private applyRoutes(plan: AgentPlan, tunnel: TunnelRouteContext | undefined): boolean {
    const r = applyRoutes(this.deps.nl, plan.routes, this.routes!, tunnel);
    for (const c of r.changes) this.deps.log('info', describeRouteChange(c), c.node ? { node: c.node } : {});
    for (const f of r.failures) this.deps.log('error', `route ${f.dst}: ${f.error}`);
    this.status.routes.installed = this.routes!.size;
    if (!r.failures.length) return true;
    this.routes = undefined;
    this.status.routes.failures += r.failures.length;
    this.status.routes.lastError = r.failures[r.failures.length - 1]!.error;
    return false;
  }

  /** Who held each pod CIDR: the last verdicts, or at start the nodes whose addresses our routes use. */
  private incumbents(): Incumbents {
    const out = new Map<string, string>();
    for (const v of this.verdicts.values()) {
      if (v.path === 'native' || v.path === 'tunnel' || v.path === 'unreachable') for (const c of v.podCIDRs) out.set(c, v.name);
    }
    if (out.size || !this.routes) return out;
    return incumbentsFromRoutes(this.nodes.values(), this.routes);
  }

  /** Returns false when the map could not be brought to the plan. */
  private applyCidrs(map: BpfMap | undefined, plan: CidrPlan | undefined): boolean {
    if (!map || !plan || !this.cidrs) {
      this.status.clusterCIDRs = { learned: 0, problem: 'BPF datapath not loaded yet (podlink probe --write); BPF host routing waits' };
      return true; // not a failure: the periodic resync picks the map up once the probe pinned it
    }
    try {
      for (const cidr of plan.remove) {
        removeLearnedCidr(map, cidr);
        this.cidrs.delete(cidr);
      }
      for (const cidr of plan.add) {
        addLearnedCidr(map, cidr);
        this.cidrs.set(cidr, CIDR_LEARNED);
      }
      this.status.clusterCIDRs = { learned: [...this.cidrs.values()].filter((o) => o === CIDR_LEARNED).length };
      return true;
    } catch (e) {
      this.cidrs = undefined;
      this.status.clusterCIDRs = { learned: 0, problem: (e as Error).message };
      this.deps.log('error', `cluster CIDRs: ${(e as Error).message}`);
      return false;
    }
  }

  private applyVerdicts(next: NodeVerdict[]): void {
    const now = this.now().toISOString();
    const seen = new Map<string, NodeVerdict>();
    for (const v of next) {
      const prev = this.verdicts.get(v.name);
      if (prev && same(prev, v)) {
        v.lastChange = prev.lastChange;
      } else {
        v.lastChange = now;
        if (v.path === 'rejected') this.deps.log('warn', `node ${v.name} rejected: ${v.reason}`, { node: v.name });
        else if (prev || this.status.reconciles.count > 0)
          this.deps.log('info', `node ${v.name}: ${v.path}${v.reason ? ` (${v.reason})` : ''}`, { node: v.name });
      }
      seen.set(v.name, v);
    }
    for (const name of this.verdicts.keys()) if (!seen.has(name)) this.deps.log('info', `node ${name} deleted`, { node: name });
    this.verdicts = seen;
    this.status.nodes = next;
  }
}
