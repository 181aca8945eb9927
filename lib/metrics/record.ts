// recordCall: the hook the CNI path calls once per call. Cheap (one appended line; a fold under the lock only
// when the textfile is to be refreshed or the journal is long: ./state.ts) and it never throws: metrics
// must never change a CNI outcome.
// May import: ./state, ./render, ./textfile.
import * as fs from 'node:fs';
import { collectNodeView, renderMetrics } from './render.js';
import { appendCall, DEFAULT_METRICS_STATE, FOLD_BYTES, updateState, type CallSample } from './state.js';
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
  /** How long a call that folds may wait for the state lock before leaving the fold to a later one. Default 250 ms. */
  lockTimeoutMs?: number;
}

/** Records one CNI call. Returns true when recorded; false when skipped or anything failed. Never throws. */
export function recordCall(call: CallSample, opts: MetricsOptions = {}): boolean {
  try {
    const stateFile = opts.stateFile ?? DEFAULT_METRICS_STATE;
    const size = appendCall(stateFile, call);
    if (size === undefined) return false;
    const dir = opts.textfileDir === undefined ? DEFAULT_TEXTFILE_DIR : opts.textfileDir;
    const refresh = dir !== null && fs.existsSync(textfilePath(dir));
    if (!refresh && size < FOLD_BYTES) return true;
    try {
      updateState(
        stateFile,
        (s) => {
          if (refresh) {
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
    } catch {
      // the lock is busy: the call is in the journal, and a later fold counts it
    }
    return true;
  } catch {
    return false;
  }
}
