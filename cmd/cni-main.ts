// The CNI side of the executable: dispatcher + plugin handlers (loaded only when CNI_COMMAND is set).
import { dispatch } from '../lib/cni/dispatcher.js';
import { processIO } from '../lib/cni/process-io.js';
import { makeHandlers } from '../lib/plugin/handlers.js';
import { metricsStateNextTo, recordCall } from '../lib/metrics/index.js';
import { pluginDeps } from './deps.js';

export async function runCni(argv: string[]): Promise<number> {
  const io = processIO();
  const dryRun = argv.includes('--dry-run');
  const handlers = makeHandlers(pluginDeps({ printPlan: (s) => io.stdout(s), planFormat: argv.includes('--json') ? 'json' : 'text' }));
  return dispatch(io, handlers, {
    dryRun,
    onComplete: (e) => {
      if (e.dryRun) return;
      recordCall(
        { command: e.command, durationMs: e.durationMs, code: e.code },
        { stateFile: e.modeFile ? metricsStateNextTo(e.modeFile) : undefined, modeFile: e.modeFile, stateDir: e.stateDir },
      );
    },
  });
}
