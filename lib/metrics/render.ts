// podlink's metric families from the aggregate state and a view of the node (mode file, endpoints).
// May import: node builtins, lib/connector (the mode file), ./exposition, ./histogram, ./state.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_MODE_FILE, readModeFile, type ModeFile } from '../connector/mode-file.js';
import type { KernelFeatures } from '../connector/resolve.js';
import { renderExposition, type Family } from './exposition.js';
import { DURATION_BUCKETS, emptyHistogram } from './histogram.js';
import { RECORDED_COMMANDS, type MetricsState } from './state.js';

/** The series always present (zero until the first call), so dashboards and alerts see them from the start. */
const ALWAYS: readonly string[] = ['ADD', 'DEL', 'CHECK'];

export interface NodeView {
  mode?: Pick<ModeFile, 'configured' | 'operational'> & { features?: Partial<KernelFeatures> };
  /** Endpoint records on the node. */
  endpoints?: number;
}

export interface ViewOptions {
  /** Default /run/podlink/mode.json. */
  modeFile?: string;
  /** Default /var/lib/podlink; null: no endpoints gauge. */
  stateDir?: string | null;
}

/** Reads what the gauges show; never throws (a missing or invalid mode file just drops its gauges). */
export function collectNodeView(o: ViewOptions = {}): NodeView {
  const view: NodeView = {};
  try {
    view.mode = readModeFile(o.modeFile ?? DEFAULT_MODE_FILE);
  } catch {
    // invalid mode file: `podlink status` explains it; the metric is absent
  }
  if (o.stateDir !== null) {
    try {
      view.endpoints = fs.readdirSync(path.join(o.stateDir ?? '/var/lib/podlink', 'endpoints')).filter((f) => f.endsWith('.cbor')).length;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') view.endpoints = 0;
    }
  }
  return view;
}

const FEATURES = ['netkit', 'netkitScrub', 'netkitHeadroom', 'tcx', 'bpffs'] as const;

export function metricFamilies(state: MetricsState, view: NodeView): Family[] {
  const fams: Family[] = [];
  fams.push({
    type: 'gauge',
    name: 'podlink_datapath_config',
    help: 'Datapath mode of this node: configured (netconf) and operational (after the kernel probe). Always 1.',
    samples: view.mode ? [{ labels: { configured_mode: view.mode.configured, operational_mode: view.mode.operational }, value: 1 }] : [],
  });
  const f = view.mode?.features;
  fams.push({
    type: 'gauge',
    name: 'podlink_kernel_feature',
    help: 'Kernel features found by the probe (1 present, 0 absent).',
    samples: f ? FEATURES.filter((k) => typeof f[k] === 'boolean').map((k) => ({ labels: { feature: k }, value: f[k] ? 1 : 0 })) : [],
  });
  fams.push({
    type: 'gauge',
    name: 'podlink_endpoints',
    help: 'Endpoint records (pod attachments) on this node.',
    samples: view.endpoints === undefined ? [] : [{ value: view.endpoints }],
  });
  const commands = RECORDED_COMMANDS.filter((c) => ALWAYS.includes(c) || state.commands[c]);
  fams.push({
    type: 'histogram',
    name: 'podlink_cni_duration_seconds',
    help: 'Duration of CNI calls handled by podlink, by command (failed calls included).',
    bounds: DURATION_BUCKETS,
    series: commands.map((c) => ({ labels: { command: c }, h: state.commands[c]?.duration ?? emptyHistogram() })),
  });
  fams.push({
    type: 'counter',
    name: 'podlink_cni_errors_total',
    help: 'CNI calls that failed, by command and CNI error code.',
    samples: commands.flatMap((c) =>
      Object.entries(state.commands[c]?.errors ?? {})
        .sort(([a], [b]) => Number(a) - Number(b) || a.localeCompare(b))
        .map(([code, n]) => ({ labels: { command: c, code }, value: n })),
    ),
  });
  return fams;
}

export function renderMetrics(state: MetricsState, view: NodeView): string {
  return renderExposition(metricFamilies(state, view));
}
