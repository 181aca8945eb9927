// `podlink metrics`: print the Prometheus exposition (what podlink.prom holds); --write also replaces
// <textfile dir>/podlink.prom; --interval keeps doing so (the DaemonSet's agent container).
import * as path from 'node:path';
import { agentFamilies, readAgentStatus, type AgentStatus } from '../lib/agent/index.js';
import {
  collectNodeView,
  DEFAULT_METRICS_STATE,
  DEFAULT_TEXTFILE_DIR,
  emptyState,
  readState,
  renderExposition,
  renderMetrics,
  writeTextfile,
} from '../lib/metrics/index.js';
import { formatStepError, stepError, StepError } from './step-report.js';

export interface MetricsCommandOptions {
  stateFile: string;
  modeFile: string;
  stateDir: string;
  textfileDir: string;
  write?: boolean;
  /** Seconds between refreshes (with --write). */
  interval?: string | number;
  quiet?: boolean;
}

/** The agent's status as written next to the mode file; undefined when no agent runs or it is unreadable. */
function agentStatusNextTo(modeFile: string): AgentStatus | undefined {
  try {
    return readAgentStatus(path.dirname(modeFile));
  } catch {
    return undefined; // `podlink status` explains an unreadable agent.json; the metrics just lack its families
  }
}

/** The CNI metrics and, when an agent runs on the node, its families (the agent passes its own status). */
export function currentExposition(
  o: Pick<MetricsCommandOptions, 'stateFile' | 'modeFile' | 'stateDir'>,
  agent = agentStatusNextTo(o.modeFile),
): string {
  const cni = renderMetrics(readState(o.stateFile) ?? emptyState(), collectNodeView({ modeFile: o.modeFile, stateDir: o.stateDir }));
  return agent ? cni + renderExposition(agentFamilies(agent)) : cni;
}

export async function runMetricsCommand(
  o: MetricsCommandOptions,
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  try {
    const interval = o.interval === undefined ? undefined : Number(o.interval);
    if (interval !== undefined && (!Number.isFinite(interval) || interval < 1)) {
      throw new StepError('check the options', `--interval ${String(o.interval)} is not a number of seconds >= 1`, 'e.g. --interval 30');
    }
    if (interval !== undefined && !o.write)
      throw new StepError('check the options', '--interval only makes sense with --write', 'add --write');
    const once = () => {
      const text = currentExposition(o);
      if (o.write) {
        try {
          return writeTextfile(o.textfileDir, text, { create: true });
        } catch (e) {
          throw stepError('write the metrics textfile', e, o.textfileDir);
        }
      }
      out(text);
      return undefined;
    };
    const file = once();
    if (interval === undefined) {
      if (file && !o.quiet) err(`wrote ${file}\n`);
      return 0;
    }
    err(`writing ${file} every ${interval} s\n`);
    // As a container's PID 1, Node gets no default SIGTERM handling: exit on it explicitly.
    return await new Promise<number>((resolve) => {
      const timer = setInterval(() => {
        try {
          once();
        } catch (e) {
          err(formatStepError('metrics', e)); // keep going: the directory may come back
        }
      }, interval * 1000);
      const stop = () => {
        clearInterval(timer);
        resolve(0);
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
  } catch (e) {
    err(formatStepError('metrics', e));
    return 1;
  }
}

export { DEFAULT_METRICS_STATE, DEFAULT_TEXTFILE_DIR };
