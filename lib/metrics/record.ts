// recordCall: the hook the CNI path calls once per call. Cheap (one small lock-protected file update,
// well under a few ms) and it never throws: metrics must never change a CNI outcome.
// May import: ./state, ./render, ./textfile.
import * as fs from 'node:fs';
import { collectNodeView, renderMetrics } from './render.js';
import { applyCall, DEFAULT_METRICS_STATE, updateState, type CallSample } from './state.js';
import { DEFAULT_TEXTFILE_DIR, textfilePath, writeTextfile } from './textfile.js';

export interface MetricsOptions {
  /** Aggregate state file. Default /run/podlink/metrics.json. */
  stateFile?: string;
  /** node_exporter textfile directory, default /var/lib/node_exporter/textfile_collector; null: never write it.
   * recordCall only refreshes an existing podlink.prom (created by `podlink install` or `podlink metrics
   * --write`), so nodes without node_exporter get no stray files and `podlink uninstall` stays final. */
  textfileDir?: string | null;
  /** For podlink_datapath_config. Default /run/podlink/mode.json. */
  modeFile?: string;
  /** For podlink_endpoints. Default /var/lib/podlink. */
  stateDir?: string;
  /** How long a call may wait for the state lock before dropping its sample. Default 250 ms. */
  lockTimeoutMs?: number;
}

/** Records one CNI call. Returns true when recorded; false when skipped or anything failed. Never throws. */
export function recordCall(call: CallSample, opts: MetricsOptions = {}): boolean {
  try {
    let recorded = false;
    updateState(
      opts.stateFile ?? DEFAULT_METRICS_STATE,
      (s) => {
        recorded = applyCall(s, call);
        if (!recorded) return false;
        const dir = opts.textfileDir === undefined ? DEFAULT_TEXTFILE_DIR : opts.textfileDir;
        if (dir !== null && fs.existsSync(textfilePath(dir))) {
          try {
            writeTextfile(dir, renderMetrics(s, collectNodeView({ modeFile: opts.modeFile, stateDir: opts.stateDir })));
          } catch {
            // the state is still updated; the next call or `podlink metrics --write` refreshes the file
          }
        }
        return true;
      },
      opts.lockTimeoutMs ?? 250,
    );
    return recorded;
  } catch {
    return false;
  }
}
