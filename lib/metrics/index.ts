// lib/metrics: Prometheus metrics for node_exporter's textfile collector — the datapath mode gauge and
// CNI call duration histograms and error counters aggregated across plugin processes: each call appends
// to a journal, folded into a state file under a lock (./state.ts).
// May import: node builtins, lib/util, lib/connector (mode file only).
export { DURATION_BUCKETS, bucketIndex, cumulative, emptyHistogram, observe, type Histogram } from './histogram.js';
export { escapeHelp, escapeLabelValue, formatValue, renderExposition, renderFamily, type Family, type Labels } from './exposition.js';
export {
  DEFAULT_METRICS_STATE,
  FOLD_BYTES,
  journalFile,
  RECORDED_COMMANDS,
  applyCall,
  codeLabel,
  emptyState,
  metricsStateNextTo,
  readState,
  updateState,
  type CallSample,
  type CommandStats,
  type MetricsState,
  type RecordedCommand,
} from './state.js';
export { collectNodeView, metricFamilies, renderMetrics, type NodeView, type ViewOptions } from './render.js';
export { DEFAULT_TEXTFILE_DIR, TEXTFILE_NAME, textfilePath, writeTextfile } from './textfile.js';
export { recordCall, type MetricsOptions } from './record.js';
